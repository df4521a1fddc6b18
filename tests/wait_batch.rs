//! `Builder::wait_batch`: bad batches are refused, a batched wait holds a
//! lone completion for its delay (where the kernel batches), an idle
//! batched runtime does not spin, timers due before the delay fire on
//! time, and I/O goes on as without it.

mod common;

use common::bounded;
use std::io::ErrorKind;
use std::time::{Duration, Instant};

/// Runs `make()`'s future, bounded, on an io_uring runtime built with
/// `wait_batch(completions, max_delay)`; returns whether it batched and the
/// output, or `None` (skipped) where io_uring is unavailable.
fn run_batched<F, Fut, T>(completions: u32, max_delay: Duration, make: F) -> Option<(bool, T)>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = T>,
    T: Send + 'static,
{
    bounded(Duration::from_secs(60), move || {
        let rt = ringio::Builder::new()
            .driver(ringio::DriverKind::IoUring)
            .wait_batch(completions, max_delay)
            .build()
            .map_err(|e| eprintln!("skipped: {e}"))
            .ok()?;
        Some((rt.waits_in_batches(), rt.block_on(make())))
    })
}

#[test]
fn bad_batches_are_refused_when_the_runtime_is_built() {
    let us = Duration::from_micros;
    for (completions, delay, says) in [
        (0, us(50), "0 completions"),
        (16, Duration::ZERO, "delay of 0ns"),
        (16, Duration::from_secs(2), "delay of 2s"),
    ] {
        let err = ringio::Builder::new()
            .wait_batch(completions, delay)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        let text = err.to_string();
        assert!(text.contains("wait_batch") && text.contains(says), "{text}");
    }
    // The epoll driver parks as without it.
    let rt = ringio::Builder::new()
        .driver(ringio::DriverKind::Epoll)
        .wait_batch(16, us(50))
        .build()
        .unwrap();
    assert!(!rt.waits_in_batches());
    assert_eq!(
        rt.block_on(async { ringio::spawn(async { 3 }).await.unwrap() }),
        3
    );
    // A ring without DEFER_TASKRUN does not batch.
    if let Ok(rt) = ringio::Builder::new()
        .driver(ringio::DriverKind::IoUring)
        .defer_taskrun(false)
        .wait_batch(16, us(50))
        .build()
    {
        assert!(!rt.waits_in_batches());
        assert_eq!(
            rt.block_on(async { ringio::spawn(async { 4 }).await.unwrap() }),
            4
        );
    }
    // The bounds themselves are accepted.
    for delay in [us(1), Duration::from_secs(1)] {
        let rt = ringio::Builder::new().wait_batch(1, delay).build().unwrap();
        assert_eq!(rt.block_on(async { 2 }), 2);
    }
}

/// One completion, and a batch of two asked for: where the kernel batches,
/// the wait holds it until the delay has passed; elsewhere it wakes the
/// runtime at once. The socket's writer may run before or after the runtime
/// parks: either way the completion is handed over in the batched wait.
#[test]
fn a_lone_completion_waits_for_the_batch_delay() {
    let _serial = common::serial();
    skip_unless_uring!();
    let delay = Duration::from_millis(300);
    let measured = run_batched(2, delay, || async move {
        let (reader, mut writer) = std::os::unix::net::UnixStream::pair().unwrap();
        let reader = ringio::net::UnixStream::from_std(reader);
        let start = Instant::now();
        let write = std::thread::spawn(move || {
            use std::io::Write;
            writer.write_all(b"x").unwrap();
        });
        let (n, buf) = reader.read(Vec::with_capacity(8)).await;
        assert_eq!(n.unwrap(), 1);
        assert_eq!(buf, b"x");
        write.join().unwrap();
        start.elapsed()
    });
    let Some((batching, elapsed)) = measured else {
        return;
    };
    eprintln!("waits in batches: {batching}");
    if batching {
        assert!(
            elapsed >= delay - Duration::from_millis(30),
            "the completion came after {elapsed:?}, before the batch's delay"
        );
    }
}

/// With no completion and no timer, a batched wait sleeps until something
/// comes: it does not wake at every batch delay.
#[test]
fn an_idle_batched_runtime_does_not_spin() {
    let _serial = common::serial();
    skip_unless_uring!();
    let measured = run_batched(16, Duration::from_micros(20), || async move {
        let (tx, rx) = futures::channel::oneshot::channel::<()>();
        let before = ringio::stats().enters;
        // Another thread answers after a while: the runtime sits idle.
        let answer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100)); // the idle stretch, not a synchronization
            tx.send(()).unwrap();
        });
        rx.await.unwrap();
        answer.join().unwrap();
        ringio::stats().enters - before
    });
    let Some((_, enters)) = measured else { return };
    // Woken every 20 µs, it would have entered about 5,000 times.
    assert!(enters < 50, "{enters} enters over 100 ms of idleness");
}

/// A sleep shorter than the batch's delay ends on time: its wait is not
/// batched.
#[test]
fn a_timer_due_before_the_batch_delay_fires_on_time() {
    let _serial = common::serial();
    skip_unless_uring!();
    let measured = run_batched(64, Duration::from_millis(500), || async {
        let start = Instant::now();
        ringio::time::sleep(Duration::from_millis(5)).await;
        start.elapsed()
    });
    let Some((_, slept)) = measured else { return };
    assert!(slept >= Duration::from_millis(5));
    assert!(slept < Duration::from_millis(400), "slept {slept:?}");
}

/// Echo over many connections with batched waits: every byte comes back.
#[test]
fn echo_runs_with_batched_waits() {
    let _serial = common::serial();
    skip_unless_uring!();
    run_batched(8, Duration::from_micros(100), || async {
        let listener = ringio::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let _server = ringio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                drop(ringio::spawn(common::echo(stream)));
            }
        });
        let clients: Vec<_> = (0..16u8)
            .map(|id| ringio::spawn(common::echo_rounds(addr, id, 100, 64)))
            .collect();
        for client in clients {
            client.await.unwrap();
        }
    });
}
