//! `Cancellable::timeout` and `cancel_on`: a cancelled operation hands its
//! buffer back, and one that completed first keeps its result and bytes.

mod common;

use common::run_bounded;
use ringio::buf::{IoBuf, IoBufMut};
use ringio::net::{TcpListener, TcpStream};
use ringio::{Cancellable, Canceller};
use std::future::Future;
use std::io::ErrorKind;
use std::sync::Arc;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

/// A connected pair: (ringio side, ringio side).
async fn pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let accept = ringio::spawn(async move { listener.accept().await.unwrap().0 });
    let client = TcpStream::connect(addr).await.unwrap();
    (client, accept.await.unwrap())
}

/// A buffer that counts its owners: when the count is back to 1 apart from
/// the test's own `Arc`, nobody else (the runtime) holds it.
struct CountedBuf {
    data: Vec<u8>,
    _owner: Arc<()>,
}

// SAFETY: delegates to the Vec, whose heap block does not move.
unsafe impl IoBuf for CountedBuf {
    fn stable_ptr(&self) -> *const u8 {
        self.data.stable_ptr()
    }
    fn bytes_init(&self) -> usize {
        self.data.bytes_init()
    }
    fn bytes_total(&self) -> usize {
        self.data.bytes_total()
    }
}

// SAFETY: delegates to the Vec.
unsafe impl IoBufMut for CountedBuf {
    fn stable_mut_ptr(&mut self) -> *mut u8 {
        self.data.stable_mut_ptr()
    }
    unsafe fn set_init(&mut self, n: usize) {
        // SAFETY: forwarded from the caller.
        unsafe { self.data.set_init(n) }
    }
}

#[test]
fn a_timed_out_read_returns_its_buffer_and_the_stream_still_works() {
    run_bounded(LIMIT, || async {
        let (a, b) = pair().await;
        let owner = Arc::new(());
        let buf = CountedBuf {
            data: Vec::with_capacity(64),
            _owner: owner.clone(),
        };
        let before = ringio::stats().ops_cancelled;
        let (res, buf) = a.read(buf).timeout(Duration::from_millis(20)).await;
        let err = res.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
        assert!(err.to_string().contains("timed out"), "{err}");
        // The buffer came back: the test's Arc and the buffer's are all.
        assert_eq!(Arc::strong_count(&owner), 2);
        assert_eq!(ringio::stats().ops_cancelled, before + 1);
        assert_eq!(ringio::stats().ops_in_flight, 0);
        // The same buffer reads what arrives next.
        let (res, _) = b.write_all(b"after".to_vec()).await;
        res.unwrap();
        let (res, buf) = a.read(buf).timeout(Duration::from_secs(10)).await;
        assert_eq!(res.unwrap(), 5);
        assert_eq!(buf.data, b"after");
        drop(buf);
        assert_eq!(Arc::strong_count(&owner), 1);
    });
}

#[test]
fn a_read_that_completes_first_keeps_its_bytes() {
    run_bounded(LIMIT, || async {
        let (a, b) = pair().await;
        let (res, _) = b.write_all(b"ready".to_vec()).await;
        res.unwrap();
        // Give the bytes time to arrive: a read that finds them completes
        // long before its timer.
        let mut got = Vec::new();
        while got.len() < 5 {
            let (res, buf) = a
                .read(Vec::with_capacity(16))
                .timeout(Duration::from_secs(10))
                .await;
            let n = res.unwrap();
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"ready");
    });
}

/// Reads whose timer fires as the peer's write lands: a thread writes one
/// byte per round at a moment from 15 µs before the read's deadline to 15 µs
/// after it. Every byte is either returned by the read that reports it or
/// still queued in the socket afterwards; none is lost, none is doubled.
#[test]
fn a_read_that_completes_as_the_timeout_fires_loses_no_byte() {
    const ROUNDS: u32 = 10_000;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (start_tx, start_rx) = std::sync::mpsc::channel::<(std::time::Instant, u32)>();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let (mut peer, _) = listener.accept().unwrap();
        peer.set_nodelay(true).unwrap();
        for (start, round) in start_rx {
            let at = start + Duration::from_micros(5 + u64::from(round % 7) * 5);
            while std::time::Instant::now() < at {
                std::hint::spin_loop();
            }
            peer.write_all(&[round as u8]).unwrap();
        }
    });
    run_bounded(LIMIT, move || async move {
        let a = TcpStream::connect(addr).await.unwrap();
        let deadline = Duration::from_micros(20);
        let mut received = Vec::new();
        let (mut completed, mut timed_out) = (0u32, 0u32);
        for round in 0..ROUNDS {
            start_tx.send((std::time::Instant::now(), round)).unwrap();
            let (res, buf) = a.read(Vec::with_capacity(8)).timeout(deadline).await;
            match res {
                Ok(n) => {
                    assert!(n > 0, "EOF in round {round}");
                    completed += 1;
                    received.extend_from_slice(&buf[..n]);
                }
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::TimedOut, "round {round}: {e}");
                    assert_eq!(buf.capacity(), 8);
                    timed_out += 1;
                }
            }
            // A byte the timed-out read left in the socket is read now, so
            // that every round starts with an empty socket.
            while received.len() < round as usize + 1 {
                let (res, buf) = a.read(Vec::with_capacity(8)).await;
                let n = res.unwrap();
                assert!(n > 0, "EOF in round {round}");
                received.extend_from_slice(&buf[..n]);
            }
        }
        let expected: Vec<u8> = (0..ROUNDS).map(|round| round as u8).collect();
        assert_eq!(received, expected);
        println!(
            "{completed} reads completed, {timed_out} timed out, {} cancels sent",
            ringio::stats().ops_cancelled
        );
        assert_eq!(completed + timed_out, ROUNDS);
    });
    writer.join().unwrap();
}

#[test]
fn cancel_on_from_another_task_interrupts_a_read() {
    run_bounded(LIMIT, || async {
        let (a, _b) = pair().await;
        let canceller = Canceller::new();
        let stop = canceller.clone();
        let stopper = ringio::spawn(async move {
            ringio::time::sleep(Duration::from_millis(5)).await;
            stop.cancel();
        });
        let (res, buf) = a.read(vec![0u8; 32]).cancel_on(&canceller).await;
        let err = res.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Interrupted, "{err}");
        assert_eq!(buf, vec![0u8; 32]);
        stopper.await.unwrap();
        // Cancelled already: the next operation is cancelled at once.
        let (res, _) = a.read(vec![0u8; 32]).cancel_on(&canceller).await;
        assert_eq!(res.unwrap_err().kind(), ErrorKind::Interrupted);
        assert_eq!(ringio::stats().ops_in_flight, 0);
    });
}

#[test]
fn cancel_on_from_another_thread_interrupts_a_read() {
    run_bounded(LIMIT, || async {
        let (a, _b) = pair().await;
        let canceller = Canceller::new();
        let stop = canceller.clone();
        let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            started_rx.recv().unwrap();
            stop.cancel();
        });
        let read = a.read(vec![0u8; 32]).cancel_on(&canceller);
        started_tx.send(()).unwrap();
        let (res, _) = read.await;
        assert_eq!(res.unwrap_err().kind(), ErrorKind::Interrupted);
        thread.join().unwrap();
    });
}

#[test]
fn a_write_that_went_out_in_part_reports_how_much() {
    run_bounded(LIMIT, || async {
        let (a, b) = pair().await;
        // Far more than the socket buffers hold: the send goes out in part
        // and reports it, or (nothing fitted) times out.
        let len = 64 << 20;
        let (res, buf) = a
            .write(vec![7u8; len])
            .timeout(Duration::from_millis(50))
            .await;
        assert_eq!(buf.len(), len);
        let sent = match res {
            Ok(n) => n,
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::TimedOut, "{e}");
                0
            }
        };
        assert!(sent < len, "all {len} bytes cannot fit the socket buffers");
        drop(a);
        // The peer gets exactly what the write reported.
        let mut total = 0;
        loop {
            let (res, buf) = b.read(Vec::with_capacity(1 << 20)).await;
            let n = res.unwrap();
            if n == 0 {
                break;
            }
            assert!(buf.iter().all(|&byte| byte == 7));
            total += n;
        }
        assert_eq!(total, sent);
    });
}

#[test]
fn a_write_all_that_times_out_hands_its_buffer_back() {
    run_bounded(LIMIT, || async {
        let (a, _b) = pair().await;
        let len = 64 << 20;
        let (res, buf) = a
            .write_all(vec![1u8; len])
            .timeout(Duration::from_millis(50))
            .await;
        assert_eq!(res.unwrap_err().kind(), ErrorKind::TimedOut);
        assert_eq!(buf.len(), len);
        assert_eq!(ringio::stats().ops_in_flight, 0);
    });
}

#[test]
fn dropping_the_timeout_future_cancels_like_any_dropped_operation() {
    run_bounded(LIMIT, || async {
        let (a, b) = pair().await;
        let abandoned = ringio::stats().ops_abandoned;
        {
            let read = a.read(vec![0u8; 16]).timeout(Duration::from_secs(60));
            let mut read = std::pin::pin!(read);
            // One poll submits the read; then the future is dropped.
            std::future::poll_fn(|cx| {
                assert!(read.as_mut().poll(cx).is_pending());
                std::task::Poll::Ready(())
            })
            .await;
            ringio::yield_now().await;
        }
        // Dropped after its entry reached the kernel: abandoned (cancelled).
        assert_eq!(ringio::stats().ops_abandoned, abandoned + 1);
        // The stream still works.
        let (res, _) = b.write_all(b"x".to_vec()).await;
        res.unwrap();
        let (res, buf) = a.read(vec![0u8; 16]).await;
        assert_eq!(&buf[..res.unwrap()], b"x");
    });
}

#[test]
fn a_file_read_with_a_timeout_completes() {
    run_bounded(LIMIT, || async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"file bytes").unwrap();
        let file = ringio::fs::File::open(&path).await.unwrap();
        let (res, buf) = file
            .read_at(Vec::with_capacity(32), 0)
            .timeout(Duration::from_secs(10))
            .await;
        assert_eq!(&buf[..res.unwrap()], b"file bytes");
    });
}

#[test]
fn a_zero_timeout_either_cancels_or_completes_and_loses_nothing() {
    run_bounded(LIMIT, || async {
        let (a, b) = pair().await;
        let (res, _) = b.write_all(vec![9u8; 1000]).await;
        res.unwrap();
        let mut got = 0;
        let mut tries = 0;
        while got < 1000 {
            tries += 1;
            assert!(tries < 1_000_000, "the bytes never came");
            let (res, buf) = a
                .read(Vec::with_capacity(100))
                .timeout(Duration::ZERO)
                .await;
            match res {
                Ok(n) => {
                    assert!(buf.iter().all(|&byte| byte == 9));
                    got += n;
                }
                Err(e) => assert_eq!(e.kind(), ErrorKind::TimedOut, "{e}"),
            }
        }
        assert_eq!(got, 1000);
    });
}
