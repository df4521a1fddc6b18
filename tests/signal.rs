//! Unix signals: every listener of a signal on every thread gets it, Ctrl-C,
//! a storm of signals, deliveries before the first `recv`, a parked ring
//! woken by a signal, the previous action put back, refused signals.
//!
//! Signal actions are process-wide: every test holds `common::serial()`,
//! and each uses its own signal where it can.

mod common;

use common::{bounded, run_bounded, serial};
use futures::FutureExt;
use ringio::signal::unix::{signal, SignalKind};
use std::future::{poll_fn, Future};
use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(30);

/// Sends `signum` to this process.
fn raise(signum: i32) {
    // SAFETY: `kill` takes plain integers; every caller listens for
    // `signum` (or the signal's action is harmless).
    let rc = unsafe { libc::kill(libc::getpid(), signum) };
    assert_eq!(rc, 0, "kill: {}", io::Error::last_os_error());
}

/// The handler address (or `SIG_DFL` / `SIG_IGN`) of `signum`'s action.
fn action_of(signum: i32) -> libc::sighandler_t {
    // SAFETY: a zeroed `sigaction` is a valid value; a null new action only
    // queries, filling in `old`.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        assert_eq!(libc::sigaction(signum, std::ptr::null(), &mut old), 0);
        old.sa_sigaction
    }
}

/// Sets `signum`'s action to `handler` (`SIG_DFL` or `SIG_IGN`).
fn set_action(signum: i32, handler: libc::sighandler_t) {
    // SAFETY: `SIG_DFL` and `SIG_IGN` are valid dispositions for a
    // catchable signal.
    let previous = unsafe { libc::signal(signum, handler) };
    assert_ne!(previous, libc::SIG_ERR);
}

/// Waits (bounded) until `done` holds, failing with `what` otherwise.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_micros(100));
    }
}

#[test]
fn every_pool_worker_listening_gets_the_signal() {
    skip_unless_uring!();
    let _serial = serial();
    let listening = Arc::new(AtomicUsize::new(0));
    let raiser = {
        let listening = listening.clone();
        std::thread::spawn(move || {
            wait_until("both listeners", || listening.load(Ordering::SeqCst) == 2);
            raise(libc::SIGUSR1);
        })
    };
    let mut workers = bounded(LIMIT, move || {
        ringio::Pool::new(2)
            .run(move |worker| {
                let listening = listening.clone();
                async move {
                    let mut usr1 = signal(SignalKind::user_defined1()).unwrap();
                    listening.fetch_add(1, Ordering::SeqCst);
                    assert_eq!(usr1.recv().await, Some(()));
                    worker.index()
                }
            })
            .unwrap()
    });
    raiser.join().unwrap();
    workers.sort();
    assert_eq!(workers, [0, 1]);
}

#[test]
fn ctrl_c_resolves_on_a_sigint_after_its_first_poll() {
    skip_unless_uring!();
    let _serial = serial();
    let before = action_of(libc::SIGINT);
    run_bounded(LIMIT, move || async move {
        let mut ctrl_c = std::pin::pin!(ringio::signal::ctrl_c());
        let first = poll_fn(|cx| Poll::Ready(ctrl_c.as_mut().poll(cx).is_pending())).await;
        assert!(first, "ctrl_c resolved before any SIGINT");
        assert_ne!(action_of(libc::SIGINT), before, "no handler installed");
        raise(libc::SIGINT);
        ctrl_c.await.unwrap();
    });
    // The only listener is gone: SIGINT's previous action is back.
    assert_eq!(action_of(libc::SIGINT), before);
}

#[test]
fn a_storm_of_ten_thousand_signals_never_hangs_and_each_burst_is_seen() {
    skip_unless_uring!();
    let _serial = serial();
    const BURSTS: usize = 100;
    const PER_BURST: usize = 100;
    // The listener may stop before the last signals reach the handler: with
    // SIGUSR2 ignored as the saved action, those late ones are ignored
    // instead of terminating the test process.
    let original = action_of(libc::SIGUSR2);
    set_action(libc::SIGUSR2, libc::SIG_IGN);
    let received = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let listening = Arc::new(AtomicBool::new(false));
    let raiser = {
        let (received, done, listening) = (received.clone(), done.clone(), listening.clone());
        std::thread::spawn(move || {
            wait_until("the listener", || listening.load(Ordering::SeqCst));
            for burst in 0..BURSTS {
                let before = received.load(Ordering::SeqCst);
                for _ in 0..PER_BURST {
                    raise(libc::SIGUSR2);
                }
                wait_until(&format!("a delivery of burst {burst}"), || {
                    received.load(Ordering::SeqCst) > before
                });
            }
            done.store(true, Ordering::SeqCst);
            raise(libc::SIGUSR2);
        })
    };
    let counted = received.clone();
    run_bounded(LIMIT, move || async move {
        let mut usr2 = signal(SignalKind::user_defined2()).unwrap();
        listening.store(true, Ordering::SeqCst);
        loop {
            assert_eq!(usr2.recv().await, Some(()));
            if done.load(Ordering::SeqCst) {
                break;
            }
            counted.fetch_add(1, Ordering::SeqCst);
        }
    });
    raiser.join().unwrap();
    assert_eq!(action_of(libc::SIGUSR2), libc::SIG_IGN);
    set_action(libc::SIGUSR2, original);
    let received = received.load(Ordering::SeqCst);
    assert!(
        (BURSTS..=BURSTS * PER_BURST).contains(&received),
        "{received} notifications for {BURSTS} bursts"
    );
}

#[test]
fn a_delivery_before_the_first_recv_is_kept_without_a_runtime() {
    let _serial = serial();
    // Created and polled outside any ringio runtime.
    let mut late = signal(SignalKind::from_raw(libc::SIGURG)).unwrap();
    let mut witness = signal(SignalKind::from_raw(libc::SIGURG)).unwrap();
    raise(libc::SIGURG);
    // Once the witness has it, every listener's delivery is recorded.
    let got = bounded(LIMIT, move || futures::executor::block_on(witness.recv()));
    assert_eq!(got, Some(()));
    assert_eq!(late.recv().now_or_never(), Some(Some(())));
    // One delivery, one notification: nothing more is pending.
    assert_eq!(late.recv().now_or_never(), None);
}

#[test]
fn a_parked_ring_wakes_on_a_signal_raised_by_another_thread() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let mut winch = signal(SignalKind::window_change()).unwrap();
        // SAFETY: `gettid` has no preconditions.
        let tid = unsafe { libc::gettid() };
        let raiser = std::thread::spawn(move || {
            // The ring thread sleeps (parked in io_uring_enter) before the
            // signal is raised.
            let stat = format!("/proc/self/task/{tid}/stat");
            wait_until("the ring to park", || {
                let stat = std::fs::read_to_string(&stat).unwrap();
                let state = stat.rsplit(')').next().unwrap().split_whitespace().next();
                state == Some("S")
            });
            raise(libc::SIGWINCH);
        });
        assert_eq!(winch.recv().await, Some(()));
        raiser.join().unwrap();
    });
}

#[test]
fn the_previous_action_is_back_when_the_last_listener_drops() {
    let _serial = serial();
    let hup = libc::SIGHUP;
    let original = action_of(hup);

    // An ignored signal: ringio's handler while listening, ignored after.
    set_action(hup, libc::SIG_IGN);
    let first = signal(SignalKind::hangup()).unwrap();
    let mut second = signal(SignalKind::hangup()).unwrap();
    let ours = action_of(hup);
    assert_ne!(ours, libc::SIG_IGN);
    drop(first);
    assert_eq!(action_of(hup), ours, "a listener remains");
    raise(hup);
    let got = bounded(LIMIT, move || futures::executor::block_on(second.recv()));
    assert_eq!(got, Some(()));
    assert_eq!(action_of(hup), libc::SIG_IGN);

    // The default action: back to SIG_DFL.
    set_action(hup, libc::SIG_DFL);
    let listener = signal(SignalKind::hangup()).unwrap();
    assert_eq!(action_of(hup), ours);
    drop(listener);
    assert_eq!(action_of(hup), libc::SIG_DFL);

    // An action set while ringio listens stays after the last drop.
    let listener = signal(SignalKind::hangup()).unwrap();
    set_action(hup, libc::SIG_IGN);
    drop(listener);
    assert_eq!(action_of(hup), libc::SIG_IGN);

    set_action(hup, original);
}

#[test]
fn uncatchable_fault_and_out_of_range_signals_are_refused() {
    let _serial = serial();
    let segv = action_of(libc::SIGSEGV);
    for (signum, name) in [
        (libc::SIGKILL, "SIGKILL"),
        (libc::SIGSTOP, "SIGSTOP"),
        (libc::SIGSEGV, "SIGSEGV"),
        (libc::SIGFPE, "SIGFPE"),
    ] {
        let err = signal(SignalKind::from_raw(signum)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
        assert!(err.to_string().contains(name), "{err}");
    }
    for signum in [0, -3, 1000] {
        let err = signal(SignalKind::from_raw(signum)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
        assert!(err.to_string().contains(&signum.to_string()), "{err}");
    }
    // Refusals leave the action alone.
    assert_eq!(action_of(libc::SIGSEGV), segv);
    // A number `sigaction` itself refuses (glibc keeps 32 for its threads):
    // its error, with the step and the signal.
    let err = signal(SignalKind::from_raw(32)).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
    assert!(
        err.to_string()
            .contains("installing a handler for signal 32"),
        "{err}"
    );
}
