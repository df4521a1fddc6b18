//! Regressions from an outside stress probe, one test per defect.

use super::common::{run_bounded, serial};
use crate::skip_unless_uring;
use std::time::Duration;

/// `UnixListener::bind("sock\0suffix")` bound `sock`, and a connect to
/// `"sock\0other"` reached it: the path was cut at the NUL. Such a path is
/// now refused with `InvalidInput` naming it (a leading NUL still names an
/// abstract socket).
#[test]
fn unix_socket_paths_with_an_interior_nul_are_refused() {
    let _serial = serial(); // opens fds: quiet for the fd-counting tests
    skip_unless_uring!();
    run_bounded(Duration::from_secs(10), || async {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("sock");
        let cut = dir.path().join("sock\0suffix");
        let err = ringio::net::UnixListener::bind(&cut).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("sock\\0suffix"), "{err}");
        assert!(!real.exists(), "nothing was bound at the cut path");

        let _listener = ringio::net::UnixListener::bind(&real).unwrap();
        let err = ringio::net::UnixStream::connect(dir.path().join("sock\0other"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);

        let err = ringio::net::UnixDatagram::bind(dir.path().join("d\0x")).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(!dir.path().join("d").exists());
        let socket = ringio::net::UnixDatagram::unbound().unwrap();
        let (res, _) = socket.send_to(b"hi".to_vec(), &cut).await;
        assert_eq!(res.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
        let err = socket.connect(&cut).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);

        // A leading NUL is an abstract name, NULs after it included.
        let name = format!("\0ringio-nul-test-{}\0tail", std::process::id());
        let abstract_socket = ringio::net::UnixDatagram::bind(&name).unwrap();
        let addr = abstract_socket.local_addr().unwrap();
        assert_eq!(addr.as_abstract_name(), Some(&name.as_bytes()[1..]));
    });
}

/// io_uring reads offset `-1` as "the file's current position", so
/// `read_at(buf, u64::MAX)` returned the file's first bytes and `write_at`
/// there overwrote bytes after the cursor. `pread(2)` says `EINVAL`; ringio
/// now says `InvalidInput` before anything reaches the kernel.
#[test]
fn offset_u64_max_is_refused_not_read_as_the_file_cursor() {
    let _serial = serial(); // opens fds: quiet for the fd-counting tests
    skip_unless_uring!();
    run_bounded(Duration::from_secs(10), || async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data");
        std::fs::write(&path, b"0123456789").unwrap();
        let file = ringio::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .await
            .unwrap();
        for pos in [u64::MAX, i64::MAX as u64 + 1] {
            let (res, buf) = file.read_at(Vec::with_capacity(4), pos).await;
            let err = res.unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{err}");
            assert!(err.to_string().contains(&pos.to_string()), "{err}");
            assert!(buf.is_empty(), "nothing was read");
            let (res, _) = file.write_at(b"XY".to_vec(), pos).await;
            assert_eq!(res.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
            let (res, _) = file.readv_at(vec![Vec::with_capacity(4)], pos).await;
            assert_eq!(res.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
            let (res, _) = file.writev_at(vec![b"XY".to_vec()], pos).await;
            assert_eq!(res.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
            let (res, _) = file.read_exact_at(Vec::with_capacity(4), pos).await;
            assert_eq!(res.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
            let (res, _) = file.write_all_at(b"XY".to_vec(), pos).await;
            assert_eq!(res.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
        }
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"0123456789",
            "nothing written"
        );
        // An offset past the end is still an offset: end of file.
        let (res, _) = file.read_at(Vec::with_capacity(4), 1 << 40).await;
        assert_eq!(res.unwrap(), 0);
    });
}

/// A connected pair of ringio TCP streams on the loopback.
async fn tcp_pair() -> (ringio::net::TcpStream, ringio::net::TcpStream) {
    let listener = ringio::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (client, accepted) =
        futures::join!(ringio::net::TcpStream::connect(addr), listener.accept());
    (client.unwrap(), accepted.unwrap().0)
}

/// `timeout(Duration::ZERO, stream.write(..))` returned `Elapsed` while the
/// peer got every byte: the entry was still queued when the future dropped
/// and went to the kernel ahead of its cancel. A dropped op whose entry the
/// kernel has not read is now withdrawn: it never starts.
#[test]
fn a_write_dropped_before_its_submit_sends_nothing() {
    let _serial = serial(); // opens fds: quiet for the fd-counting tests
    skip_unless_uring!();
    run_bounded(Duration::from_secs(20), || async {
        let (writer, reader) = tcp_pair().await;
        let before = ringio::stats();
        for _ in 0..1000 {
            let res = ringio::time::timeout(Duration::ZERO, writer.write(vec![b'x'; 100])).await;
            assert!(res.is_err(), "a zero timeout elapses first");
        }
        let after = ringio::stats();
        assert_eq!(after.ops_withdrawn - before.ops_withdrawn, 1000);
        // A marker written for real arrives first: nothing went before it.
        let (res, _) = writer.write_all(b"end".to_vec()).await;
        res.unwrap();
        let (res, got) = reader.read(Vec::with_capacity(100_000)).await;
        assert_eq!(
            &got[..res.unwrap()],
            b"end",
            "no dropped write reached the peer"
        );
    });
}

/// `timeout(Duration::ZERO, stream.read(buf))` on a socket with bytes
/// waiting returned `Elapsed`, and the bytes were consumed and thrown away.
/// They now stay in the socket for the next read.
#[test]
fn a_read_dropped_before_its_submit_consumes_nothing() {
    let _serial = serial(); // opens fds: quiet for the fd-counting tests
    skip_unless_uring!();
    run_bounded(Duration::from_secs(20), || async {
        let (writer, reader) = tcp_pair().await;
        // On the loopback the bytes are in the reader's queue once the
        // write completes.
        let (res, _) = writer.write_all(vec![7u8; 1000]).await;
        res.unwrap();
        let expected = 1000;
        for _ in 0..1000 {
            let res =
                ringio::time::timeout(Duration::ZERO, reader.read(Vec::with_capacity(64))).await;
            assert!(res.is_err(), "a zero timeout elapses first");
        }
        let mut total = 0;
        while total < expected {
            let (res, _) = reader.read(Vec::with_capacity(4096)).await;
            total += res.unwrap();
        }
        assert_eq!(total, expected, "every waiting byte is still there");
    });
}

/// An op dropped after its entry reached the kernel is still cancelled
/// (not withdrawn), and its buffer lives until the final completion.
#[test]
fn an_op_dropped_after_its_submit_is_cancelled_not_withdrawn() {
    let _serial = serial(); // opens fds: quiet for the fd-counting tests
    skip_unless_uring!();
    run_bounded(Duration::from_secs(20), || async {
        let (_writer, reader) = tcp_pair().await;
        let before = ringio::stats();
        let res = ringio::time::timeout(
            Duration::from_millis(20),
            reader.read(Vec::with_capacity(64)),
        )
        .await;
        assert!(res.is_err());
        let after = ringio::stats();
        assert_eq!(after.ops_withdrawn, before.ops_withdrawn);
        assert_eq!(after.ops_abandoned - before.ops_abandoned, 1);
    });
}

/// Dropping a runtime with 40k pending socket reads took seconds: one
/// cancel each, every one a walk of a 16-bucket kernel hash past requests
/// cancelled but not yet retired, quadratic in the number pending. Cancels
/// now go newest first, in batches the kernel retires before the next,
/// against a hash of 256 buckets: the drop's time grows linearly. (A ratio
/// of two drops on the same box, not a time: 4x the reads costs about 4x,
/// where the quadratic drop cost 16x and more.)
#[test]
fn runtime_drop_time_grows_linearly_with_pending_reads() {
    let _serial = serial(); // counts fds
    skip_unless_uring!();
    super::common::bounded(Duration::from_secs(120), || {
        let before = super::common::fd_count();
        let small = drop_with_pending_reads(10_000);
        let large = drop_with_pending_reads(40_000);
        let ratio = large.as_secs_f64() / small.as_secs_f64();
        assert!(
            ratio < 12.0,
            "4x the pending reads made the drop {ratio:.1}x slower ({small:?} -> {large:?})"
        );
        assert_eq!(
            super::common::fd_count(),
            before,
            "every socket (and the ring) closed: nothing was leaked"
        );
    });
}

/// Drops a runtime with `pending` reads waiting on 1,000 idle sockets
/// (kept open elsewhere, so the drop closes fds, not sockets); its time.
fn drop_with_pending_reads(pending: usize) -> Duration {
    let (ours, peers): (Vec<_>, Vec<_>) = (0..1000)
        .map(|_| std::os::unix::net::UnixStream::pair().unwrap())
        .unzip();
    let kept: Vec<_> = ours.iter().map(|s| s.try_clone().unwrap()).collect();
    let rt = ringio::Runtime::new().unwrap();
    rt.block_on(async move {
        let streams: Vec<_> = ours
            .into_iter()
            .map(|s| std::rc::Rc::new(ringio::net::UnixStream::from_std(s)))
            .collect();
        for i in 0..pending {
            let stream = streams[i % streams.len()].clone();
            drop(ringio::spawn(async move {
                let _ = stream.read(Vec::with_capacity(8)).await;
            }));
        }
        while ringio::stats().ops_in_flight < pending as u64 {
            ringio::yield_now().await;
        }
    });
    let start = std::time::Instant::now();
    drop(rt);
    let elapsed = start.elapsed();
    drop((kept, peers));
    elapsed
}

/// `interval(Duration::MAX)` panicked on its second tick (`Instant` plus
/// the period overflowed), and `reset` did the same: a period too large for
/// `Instant` now means "never", as it does for `sleep` and `timeout`.
#[test]
fn an_interval_with_a_period_too_large_for_instant_does_not_panic() {
    skip_unless_uring!();
    run_bounded(Duration::from_secs(10), || async {
        let mut ticks = ringio::time::interval(Duration::MAX);
        ticks.tick().await; // the first tick is at once
        let second = ringio::time::timeout(Duration::from_millis(1), ticks.tick()).await;
        assert!(second.is_err(), "the second tick is decades away");
        ticks.reset();
        let after_reset = ringio::time::timeout(Duration::ZERO, ticks.tick()).await;
        assert!(after_reset.is_err());
    });
}

/// `Builder::shutdown_timeout(Duration::MAX)` panicked in the runtime's
/// drop (the shutdown deadline overflowed `Instant`).
#[test]
fn a_shutdown_timeout_too_large_for_instant_does_not_panic() {
    let _serial = serial(); // opens a ring
    skip_unless_uring!();
    super::common::bounded(Duration::from_secs(10), || {
        let rt = ringio::Builder::new()
            .shutdown_timeout(Duration::MAX)
            .build()
            .unwrap();
        rt.block_on(async { ringio::nop().await.unwrap() });
        drop(rt);
    });
}
