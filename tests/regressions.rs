//! One test per fixed bug, named after what broke.

mod common;
#[path = "../examples/compare/http_client.rs"]
mod http_client;
#[path = "../examples/compare/http_server.rs"]
#[allow(dead_code)]
mod http_server;

use common::bounded;
use std::time::Duration;

/// The `block_on` future could miss a wake from another thread that landed
/// between the executor's "anything runnable?" check and its park: the main
/// waker did not bump the inbox's `pending` flag, so the park went ahead and
/// waited forever. A sender thread that never pauses keeps hitting the window.
#[test]
fn main_future_wake_between_idle_check_and_park_is_not_lost() {
    let _serial = common::serial(); // ring fd counts need quiet neighbours
    skip_unless_uring!();
    bounded(Duration::from_secs(60), || {
        ringio::run(async {
            use futures::StreamExt;
            let (tx, mut rx) = futures::channel::mpsc::unbounded();
            let sender = std::thread::spawn(move || {
                for i in 0..200_000u32 {
                    tx.unbounded_send(i).unwrap();
                }
            });
            let mut expected = 0;
            while let Some(i) = rx.next().await {
                assert_eq!(i, expected);
                expected += 1;
            }
            assert_eq!(expected, 200_000);
            sender.join().unwrap();
        });
    });
}

/// The same window for a spawned task woken from another thread.
#[test]
fn task_wake_between_idle_check_and_park_is_not_lost() {
    let _serial = common::serial(); // ring fd counts need quiet neighbours
    skip_unless_uring!();
    bounded(Duration::from_secs(60), || {
        ringio::run(async {
            ringio::spawn(async {
                use futures::StreamExt;
                let (tx, mut rx) = futures::channel::mpsc::unbounded();
                let sender = std::thread::spawn(move || {
                    for i in 0..200_000u32 {
                        tx.unbounded_send(i).unwrap();
                    }
                });
                let mut received = 0u32;
                while rx.next().await.is_some() {
                    received += 1;
                }
                sender.join().unwrap();
                received
            })
            .await
            .map(|received| assert_eq!(received, 200_000))
            .unwrap();
        });
    });
}

/// Sleeps armed while a CPU hog preempted the runtime's thread fired out of
/// deadline order: each deadline conversion read `Instant` and
/// `CLOCK_MONOTONIC` separately, and a preemption between the two reads made
/// that one timer late (see also `sys::clock` unit tests, which check the
/// conversion deterministically).
#[test]
fn sleeps_armed_under_preemption_keep_deadline_order() {
    let _serial = common::serial(); // ring fd counts need quiet neighbours
    skip_unless_uring!();
    bounded(Duration::from_secs(60), || {
        // SAFETY: plain libc calls on a zeroed cpu_set_t.
        let cpu = unsafe { libc::sched_getcpu() } as usize;
        let pin = move || {
            // SAFETY: as above.
            unsafe {
                let mut set: libc::cpu_set_t = std::mem::zeroed();
                libc::CPU_SET(cpu, &mut set);
                libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set);
            }
        };
        pin();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let hog = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                pin();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            })
        };
        let order = ringio::run(async {
            let start = std::time::Instant::now() + Duration::from_millis(300);
            let order = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
            let handles: Vec<_> = (0..3000u32)
                .rev()
                .map(|i| {
                    let order = order.clone();
                    let at = start + Duration::from_micros(20 * u64::from(i));
                    ringio::spawn(async move {
                        ringio::time::sleep_until(at).await;
                        order.borrow_mut().push(i);
                    })
                })
                .collect();
            while ringio::stats().timers_armed < 3000 {
                ringio::yield_now().await;
            }
            assert!(std::time::Instant::now() < start, "arming took over 300 ms");
            for h in handles {
                h.await.unwrap();
            }
            std::rc::Rc::try_unwrap(order).unwrap().into_inner()
        });
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        hog.join().unwrap();
        let inversions = order.windows(2).filter(|w| w[0] > w[1]).count();
        // Shuffled schedules wake a tick's timers in a random order.
        if !common::shuffled() {
            assert_eq!(inversions, 0);
        }
        assert_eq!(order.len(), 3000);
    });
}

/// A buffer that counts its owners: while the count is 2, someone besides
/// the test still holds it.
struct CountedBuf {
    data: Vec<u8>,
    _owner: std::sync::Arc<()>,
}

// SAFETY: delegates to the Vec, whose heap block does not move.
unsafe impl ringio::buf::IoBuf for CountedBuf {
    fn stable_ptr(&self) -> *const u8 {
        self.data.as_ptr()
    }
    fn bytes_init(&self) -> usize {
        self.data.len()
    }
    fn bytes_total(&self) -> usize {
        self.data.capacity()
    }
}

// SAFETY: delegates to the Vec.
unsafe impl ringio::buf::IoBufMut for CountedBuf {
    fn stable_mut_ptr(&mut self) -> *mut u8 {
        self.data.as_mut_ptr()
    }
    unsafe fn set_init(&mut self, n: usize) {
        // SAFETY: forwarded from the caller.
        unsafe { self.data.set_len(n) }
    }
}

/// After a shutdown that timed out (the ring and its table are leaked because
/// the kernel may still own memory), dropping an operation's future outside
/// the runtime found no table slot and freed the buffer the kernel could
/// still write into. It must be leaked instead.
#[test]
fn op_dropped_after_a_leaking_shutdown_keeps_its_buffer() {
    let _serial = common::serial(); // ring fd counts need quiet neighbours
    skip_unless_uring!();
    // (The epoll driver cancels a waiting read at once, so there is
    // nothing to leak; a read still running on the blocking pool is leaked
    // the same way, which tests/epoll.rs checks.)
    io_uring_only!("a leaking shutdown leaves the kernel holding a read");
    bounded(Duration::from_secs(30), || {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: plain mkfifo call on a valid C string.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let writer_path = fifo.clone();
        let owner = std::sync::Arc::new(());
        let rt = ringio::Builder::new()
            .shutdown_timeout(Duration::ZERO)
            .build()
            .unwrap();
        let buf = CountedBuf {
            data: Vec::with_capacity(64),
            _owner: owner.clone(),
        };
        let (mut read, _writer) = rt.block_on(async move {
            let file = ringio::fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(&fifo)
                .await
                .unwrap();
            let writer = std::fs::OpenOptions::new()
                .write(true)
                .open(&writer_path)
                .unwrap();
            let mut read = Box::pin(async move { file.read_at(buf, 0).await });
            assert!(futures::poll!(read.as_mut()).is_pending());
            ringio::yield_now().await; // the read reaches the kernel
            (read, writer)
        });
        drop(rt); // zero timeout: the pending read is leaked with the ring
        assert!(
            futures::executor::block_on(futures::future::poll_immediate(read.as_mut())).is_none()
        );
        drop(read);
        assert_eq!(
            std::sync::Arc::strong_count(&owner),
            2,
            "the buffer was leaked, not freed"
        );
    });
}

/// A join handle (or an op future) kept past its runtime's drop kept the
/// whole driver, and with it the ring's fd and mappings, alive until it was
/// dropped. The ring is now closed at runtime drop once nothing is in flight.
#[test]
fn ring_fd_closes_at_runtime_drop_even_if_a_join_handle_survives() {
    let _serial = common::serial(); // ring fd counts need quiet neighbours
    skip_unless_uring!();
    /// The fd numbers of this process's rings (or epoll sets, under the
    /// epoll driver). Tests without the serial lock may open and close
    /// rings meanwhile: compare fd numbers, not counts.
    fn rings() -> std::collections::BTreeSet<String> {
        std::fs::read_dir("/proc/self/fd")
            .unwrap()
            .filter_map(|e| {
                let e = e.unwrap();
                let target = std::fs::read_link(e.path()).ok()?;
                let target = target.to_string_lossy();
                (target.contains("io_uring") || target.contains("eventpoll"))
                    .then(|| e.file_name().to_string_lossy().into_owned())
            })
            .collect()
    }
    bounded(Duration::from_secs(30), || {
        let before = rings();
        let rt = ringio::Runtime::new().unwrap();
        #[allow(clippy::async_yields_async)] // the handle outlives the runtime on purpose
        let handle = rt.block_on(async { ringio::spawn(std::future::pending::<()>()) });
        // The ring, and its duplicate for MSG_RING wakes where supported.
        let ours: Vec<String> = rings().difference(&before).cloned().collect();
        assert!(!ours.is_empty());
        drop(rt);
        let left: Vec<&String> = ours.iter().filter(|fd| rings().contains(*fd)).collect();
        assert!(
            left.is_empty(),
            "the ring's fd was closed at runtime drop: {left:?} open"
        );
        let result = futures::executor::block_on(handle);
        assert!(
            result.unwrap_err().is_cancelled(),
            "the task went with its runtime"
        );
    });
}

/// With `Builder::sqpoll`, entries queued after the kernel's polling thread
/// went idle were never submitted (the enter lacked `SQ_WAKEUP`): the
/// runtime hung. Let the thread sleep between ops, several times.
#[test]
fn sqpoll_ring_keeps_working_after_its_thread_idles() {
    let _serial = common::serial();
    skip_unless_uring!();
    io_uring_only!("SQPOLL is a ring setup flag");
    bounded(Duration::from_secs(30), || {
        let Ok(rt) = ringio::Builder::new()
            .sqpoll(Duration::from_millis(1))
            .build()
        else {
            eprintln!("skipped: SQPOLL not permitted here");
            return;
        };
        rt.block_on(async {
            for _ in 0..5 {
                std::thread::sleep(Duration::from_millis(20)); // the SQ thread goes idle
                ringio::nop().await.unwrap();
                ringio::time::sleep(Duration::from_millis(2)).await;
            }
        });
    });
}

/// A cross-thread wake from a ringio thread is a MSG_RING entry queued on
/// the waker's own ring. When the waking `block_on` returned right away,
/// the entry sat unsubmitted and the parked target never woke. `block_on`
/// now submits queued MSG_RING entries before it returns.
#[test]
fn msg_ring_wake_from_a_finishing_block_on_is_delivered() {
    let _serial = common::serial();
    skip_unless_uring!();
    let (tx, rx) = futures::channel::oneshot::channel::<u32>();
    let (tid_tx, tid_rx) = std::sync::mpsc::channel();
    let target = std::thread::spawn(move || {
        // SAFETY: gettid has no preconditions.
        tid_tx.send(unsafe { libc::gettid() }).unwrap();
        ringio::run(rx).unwrap()
    });
    wait_until_asleep(tid_rx.recv().unwrap());
    let rt = ringio::Runtime::new().unwrap();
    rt.block_on(async move { tx.send(7).unwrap() });
    // `rt` stays alive: its drop would submit the entry anyway.
    let got = bounded(Duration::from_secs(10), move || target.join().unwrap());
    assert_eq!(got, 7);
    drop(rt);
}

/// Waits (bounded, by polling the scheduler's view, not by sleeping a
/// guess) until thread `tid` of this process is asleep: for a runtime's
/// thread, in its parked ring.
fn wait_until_asleep(tid: libc::pid_t) {
    let stat = format!("/proc/self/task/{tid}/stat");
    let started = std::time::Instant::now();
    loop {
        let text = std::fs::read_to_string(&stat).unwrap_or_default();
        let state = text
            .rsplit(')')
            .next()
            .and_then(|rest| rest.split_whitespace().next());
        if state == Some("S") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the target never parked"
        );
        std::thread::yield_now();
    }
}

/// A `MSG_RING` wake that the kernel failed was dropped: its completion on
/// the waker's ring was ignored, and the woken runtime stayed parked. A
/// failed wake must reach its runtime through that runtime's eventfd.
/// (Needs the `fault-injection` feature to fail the entry; `ci/faults.sh`
/// runs it.) Rounds of a ping-pong until the one failed wake was sent (a
/// wake is a `MSG_RING` only when its target was parked): each round's
/// reply must come back.
#[cfg(feature = "fault-injection")]
#[test]
fn a_failed_msg_ring_wake_still_wakes_its_runtime() {
    use futures::StreamExt;
    let _serial = common::serial();
    skip_unless_uring!();
    let uring = || common::uring_runtime().unwrap();
    let (to_target, mut inbox) = futures::channel::mpsc::unbounded::<u32>();
    let (outbox, mut replies) = futures::channel::mpsc::unbounded::<u32>();
    let target = std::thread::spawn(move || {
        uring().block_on(async move {
            while let Some(n) = inbox.next().await {
                outbox.unbounded_send(n).unwrap();
            }
        })
    });
    bounded(Duration::from_secs(30), move || {
        uring().block_on(async move {
            ringio::fault::fail_next_msg_ring(libc::ENOMEM);
            let mut round = 0;
            while ringio::fault::injected() == 0 {
                assert!(round < 5_000, "no MSG_RING wake was sent");
                to_target.unbounded_send(round).unwrap();
                let reply = ringio::time::timeout(Duration::from_secs(5), replies.next()).await;
                assert_eq!(reply, Ok(Some(round)), "round {round}'s wake was lost");
                round += 1;
            }
            assert_eq!(ringio::stats().msg_ring_fallbacks, 1);
            drop(to_target);
            let closed = ringio::time::timeout(Duration::from_secs(5), replies.next()).await;
            assert_eq!(closed, Ok(None));
        })
    });
    target.join().unwrap();
}

/// A close chosen by fault injection was rewritten to a `NOP`, so the
/// descriptor it was to release stayed open: a leak no real failed close
/// has (Linux lets go of the descriptor whatever `close` returns). An
/// injected close is submitted as it is, with only its result replaced.
#[cfg(feature = "fault-injection")]
#[test]
fn an_injected_close_failure_still_releases_the_descriptor() {
    let _serial = common::serial();
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("closed");
    std::fs::write(&path, b"x").unwrap();
    let fds_before = common::fd_count();
    bounded(Duration::from_secs(30), move || {
        common::uring_runtime().unwrap().block_on(async move {
            for _ in 0..10 {
                let file = ringio::fs::File::from_std(std::fs::File::open(&path).unwrap());
                ringio::fault::fail_next(0, libc::EIO);
                let err = file.close().await.unwrap_err();
                assert_eq!(err.raw_os_error(), Some(libc::EIO));
            }
            assert_eq!(ringio::fault::injected(), 10);
        })
    });
    assert_eq!(common::fd_count(), fds_before, "descriptors leaked");
}

/// compare's HTTP load generator opened its window a fixed warm-up after
/// connecting. Where accepting and first serving every connection took
/// longer than warm-up and window together (256 connections over a
/// 2-thread pool in a slow VM: up to 230 ms), the window saw no response
/// and the run measured nothing. The window now opens once every
/// connection has had its first response. This server holds each first
/// response past the warm-up and the whole window.
#[test]
fn http_load_window_waits_for_every_connections_first_response() {
    use std::io::{Read, Write};
    let _serial = common::serial();
    const CONNECTIONS: usize = 4;
    let (warmup, window) = (Duration::from_millis(20), Duration::from_millis(100));
    let hold = warmup + window * 2;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let connections: Vec<_> = (0..CONNECTIONS)
            .map(|_| {
                let (mut stream, _) = listener.accept().unwrap();
                std::thread::spawn(move || {
                    let (mut pending, mut chunk, mut first) = (Vec::new(), [0u8; 4096], true);
                    loop {
                        let n = stream.read(&mut chunk).unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        pending.extend_from_slice(&chunk[..n]);
                        let (requests, end) = http_server::complete_requests(&pending);
                        pending.drain(..end);
                        for _ in 0..requests {
                            if std::mem::take(&mut first) {
                                std::thread::sleep(hold); // a slow start, not a synchronization
                            }
                            if stream.write_all(http_server::RESPONSE).is_err() {
                                return;
                            }
                        }
                    }
                })
            })
            .collect();
        for connection in connections {
            connection.join().unwrap();
        }
    });
    let report = bounded(Duration::from_secs(30), move || {
        http_client::run_load(addr, CONNECTIONS, warmup, window, || Duration::ZERO)
    });
    server.join().unwrap();
    assert_eq!(report.errors, 0);
    assert!(
        report.requests > 0,
        "the window measured no response: {} requests in {:?}",
        report.requests,
        report.elapsed
    );
}
