//! Faults on the wake paths (`--features fault-injection`): the ring's
//! wake-up read (how `spawn_blocking` results arrive) and the `MSG_RING`
//! wakes one runtime sends another, each failed under every errno, and the
//! timer queue beside failing operations and under a storm of real signals
//! interrupting the parked `io_uring_enter`. No wake may be lost, no
//! operation or descriptor left behind, and every sleep ends at its
//! deadline, never before.
#![cfg(feature = "fault-injection")]

mod common;

use common::{settle, uring_runtime};

use futures::channel::mpsc;
use futures::StreamExt;
use ringio::fault;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Rounds tried before a fault must have been injected: the wake paths run
/// only when the woken ring was parked, which most rounds find it.
const ROUNDS: u32 = 5_000;

/// A wake that takes this long was lost.
const LOST: Duration = Duration::from_secs(5);

#[test]
fn a_failed_wake_read_still_delivers_every_blocking_result() {
    let _serial = common::serial();
    let fds_before = common::fd_count();
    let ran = common::bounded(Duration::from_secs(60), || {
        let Some(rt) = uring_runtime() else {
            return false;
        };
        rt.block_on(async {
            let baseline = settle(0).await;
            for errno in common::FAULT_ERRNOS {
                fault::clear();
                fault::fail_next_wake_read(errno);
                let mut round = 0;
                // Until the fault fired, then as many again: each result
                // arrives, on time, with its value.
                let mut after = None;
                while after.is_none_or(|after| round < after + 20) {
                    assert!(round < ROUNDS, "errno {errno}: no wake read failed");
                    let started = Instant::now();
                    let got = ringio::time::timeout(LOST, ringio::spawn_blocking(move || round))
                        .await
                        .unwrap_or_else(|_| panic!("errno {errno}: round {round}'s wake was lost"))
                        .unwrap();
                    assert_eq!(got, round);
                    assert!(started.elapsed() < LOST);
                    if after.is_none() && fault::injected() == 1 {
                        after = Some(round);
                    }
                    round += 1;
                }
                assert_eq!(fault::injected(), 1, "errno {errno}");
                assert_eq!(settle(baseline).await, baseline, "errno {errno}: ops left");
            }
            fault::clear();
        });
        drop(rt);
        true
    });
    if ran {
        assert_eq!(common::fd_count(), fds_before, "descriptors leaked");
    }
}

/// Another runtime, on its own thread, echoing every number it receives
/// until its inbox closes; returns how many it echoed.
fn echo_runtime(
    mut inbox: mpsc::UnboundedReceiver<u32>,
    outbox: mpsc::UnboundedSender<u32>,
) -> std::thread::JoinHandle<u32> {
    std::thread::spawn(move || {
        let rt = uring_runtime().expect("a second io_uring runtime");
        rt.block_on(async move {
            let mut echoed = 0;
            while let Some(n) = inbox.next().await {
                outbox.unbounded_send(n).unwrap();
                echoed += 1;
            }
            echoed
        })
    })
}

#[test]
fn a_failed_msg_ring_wake_falls_back_to_the_eventfd() {
    let _serial = common::serial();
    let fds_before = common::fd_count();
    let ran = common::bounded(Duration::from_secs(60), || {
        let Some(rt) = uring_runtime() else {
            return false;
        };
        rt.block_on(async {
            let baseline = settle(0).await;
            for errno in common::FAULT_ERRNOS {
                let (to_other, inbox) = mpsc::unbounded();
                let (outbox, mut replies) = mpsc::unbounded();
                let other = echo_runtime(inbox, outbox);
                fault::clear();
                fault::fail_next_msg_ring(errno);
                let fallbacks = ringio::stats().msg_ring_fallbacks;
                let (mut round, mut after) = (0, None);
                // Each number wakes the other runtime's task from here:
                // a `MSG_RING` entry on this ring while it is parked.
                while after.is_none_or(|after| round < after + 20) {
                    assert!(round < ROUNDS, "errno {errno}: no MSG_RING wake was sent");
                    to_other.unbounded_send(round).unwrap();
                    let reply = ringio::time::timeout(LOST, replies.next())
                        .await
                        .unwrap_or_else(|_| panic!("errno {errno}: round {round}'s wake was lost"));
                    assert_eq!(reply, Some(round));
                    if after.is_none() && fault::injected() == 1 {
                        after = Some(round);
                    }
                    round += 1;
                }
                // The other runtime ends once its inbox closes, and its
                // outbox with it (awaited here: a blocking join would hold
                // back this ring's wake of it).
                drop(to_other);
                let closed = ringio::time::timeout(LOST, replies.next()).await;
                assert_eq!(closed, Ok(None), "errno {errno}: the close was not seen");
                assert_eq!(other.join().unwrap(), round);
                assert_eq!(fault::injected(), 1, "errno {errno}");
                assert_eq!(
                    ringio::stats().msg_ring_fallbacks,
                    fallbacks + 1,
                    "errno {errno}: the failed wake went through the eventfd"
                );
                assert_eq!(settle(baseline).await, baseline, "errno {errno}: ops left");
            }
            fault::clear();
        });
        drop(rt);
        true
    });
    if ran {
        assert_eq!(common::fd_count(), fds_before, "descriptors leaked");
    }
}

#[test]
fn a_sleep_beside_failing_operations_fires_at_its_deadline() {
    let _serial = common::serial();
    common::bounded(Duration::from_secs(60), || {
        let Some(rt) = uring_runtime() else { return };
        rt.block_on(async {
            let timers = ringio::stats().timers_armed;
            for errno in common::FAULT_ERRNOS {
                fault::clear();
                let nap = Duration::from_millis(20);
                let started = Instant::now();
                let sleep = ringio::spawn(ringio::time::sleep(nap));
                // Every failed op's completion ends the parked wait early;
                // the sleep must not fire with it.
                for _ in 0..5 {
                    fault::fail_next(0, errno);
                    let err = ringio::nop().await.unwrap_err();
                    assert_eq!(err.raw_os_error(), Some(errno));
                }
                sleep.await.unwrap();
                let took = started.elapsed();
                assert!(
                    took >= nap,
                    "errno {errno}: a {nap:?} sleep ended after {took:?}"
                );
                assert!(took < LOST, "errno {errno}: the sleep took {took:?}");
                assert_eq!(ringio::stats().timers_armed, timers, "errno {errno}");
            }
            fault::clear();
        });
    });
}

static SIGNALS_HANDLED: AtomicU64 = AtomicU64::new(0);

extern "C" fn count_signal(_: libc::c_int) {
    SIGNALS_HANDLED.fetch_add(1, Relaxed);
}

/// Signals a thread every 200 µs with SIGUSR2 (its handler installed
/// without `SA_RESTART`), until dropped: then it stops, joins, and puts the
/// previous handler back, whether the test passed or panicked.
struct SignalStorm {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<u64>>,
    previous: libc::sigaction,
}

impl SignalStorm {
    fn at(target: libc::pthread_t) -> SignalStorm {
        // SAFETY: installs a handler that only bumps an atomic (async-signal
        // safe) for SIGUSR2, which nothing else in this test binary uses;
        // `previous` receives the handler it replaces.
        let previous = unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = count_signal as *const () as usize;
            action.sa_flags = 0;
            libc::sigemptyset(&mut action.sa_mask);
            let mut previous: libc::sigaction = std::mem::zeroed();
            assert_eq!(libc::sigaction(libc::SIGUSR2, &action, &mut previous), 0);
            previous
        };
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut sent = 0u64;
                while !stop.load(Relaxed) {
                    // SAFETY: `target` is alive: the storm is dropped (and
                    // this thread joined) on the target thread itself.
                    unsafe { libc::pthread_kill(target, libc::SIGUSR2) };
                    sent += 1;
                    std::thread::sleep(Duration::from_micros(200));
                }
                sent
            })
        };
        SignalStorm {
            stop,
            thread: Some(thread),
            previous,
        }
    }

    /// Stops the storm; how many signals it sent.
    fn stop(mut self) -> u64 {
        self.stop.store(true, Relaxed);
        self.thread.take().map_or(0, |t| t.join().unwrap())
    }
}

impl Drop for SignalStorm {
    fn drop(&mut self) {
        self.stop.store(true, Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        // SAFETY: puts back the handler `at` replaced.
        unsafe { libc::sigaction(libc::SIGUSR2, &self.previous, std::ptr::null_mut()) };
    }
}

/// Real `EINTR`s: a thread signals the runtime's thread every 200 µs, so
/// its parked `io_uring_enter` keeps returning early. Every sleep still
/// ends at its deadline, and the runtime keeps serving.
#[test]
fn sleeps_end_at_their_deadlines_through_a_storm_of_signals() {
    let _serial = common::serial();
    common::bounded(Duration::from_secs(60), || {
        let Some(rt) = uring_runtime() else { return };
        let handled_before = SIGNALS_HANDLED.load(Relaxed);
        // SAFETY: `pthread_self` has no preconditions.
        let storm = SignalStorm::at(unsafe { libc::pthread_self() });
        rt.block_on(async {
            let before = ringio::stats();
            for ms in [1, 5, 10, 20, 50] {
                let nap = Duration::from_millis(ms);
                let started = Instant::now();
                ringio::time::sleep(nap).await;
                let took = started.elapsed();
                assert!(took >= nap, "a {nap:?} sleep ended after {took:?}");
                assert!(took < LOST, "a {nap:?} sleep took {took:?}");
            }
            ringio::nop().await.unwrap();
            assert_eq!(ringio::stats().timers_armed, before.timers_armed);
        });
        let sent = storm.stop();
        let handled = SIGNALS_HANDLED.load(Relaxed) - handled_before;
        assert!(
            sent > 0 && handled > 0,
            "no signal reached the runtime ({sent} sent)"
        );
        println!("{sent} signals sent, {handled} handled on the runtime's thread");
    });
}
