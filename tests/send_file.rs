//! `send_file` on TCP, Unix and split streams, and `ringio::io::splice`:
//! bytes checked on the receiver, the ends of files, bad input, a peer that
//! resets, a dropped call, and fds back to where they were.

mod common;

use common::{bounded, fd_count, run_bounded, serial};
use futures::future::{select, Either};
use ringio::fs::File;
use ringio::net::{TcpStream, UnixStream};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(120);
const MIB: u64 = 1 << 20;
const BIG: u64 = 64 * MIB;

/// Byte `pos` of every pattern file: no short period, so a byte from the
/// wrong offset shows.
fn byte_at(pos: u64) -> u8 {
    (pos.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as u8
}

/// A `len`-byte pattern file in `dir`, written with std.
fn pattern_file(dir: &Path, len: u64) -> PathBuf {
    let path = dir.join(format!("pattern-{len}"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut pos = 0;
    while pos < len {
        let end = (pos + MIB).min(len);
        let chunk: Vec<u8> = (pos..end).map(byte_at).collect();
        out.write_all(&chunk).unwrap();
        pos = end;
    }
    out.flush().unwrap();
    path
}

/// The file range `send_file(offset, len)` sends from a `file_len`-byte
/// file: from `offset`, at most `len` bytes, none past the end.
fn expected(file_len: u64, offset: u64, len: usize) -> (u64, usize) {
    (
        offset,
        file_len.saturating_sub(offset).min(len as u64) as usize,
    )
}

/// Reads `stream` to its end and checks that it carries the pattern's
/// `ranges` back to back, nothing more.
fn check_ranges(mut stream: impl Read, ranges: &[(u64, usize)]) {
    let mut wanted = ranges.iter().copied().filter(|&(_, len)| len > 0);
    let mut current = wanted.next();
    let (mut at, mut total) = (0usize, 0u64);
    let mut buf = vec![0u8; MIB as usize];
    loop {
        let n = stream.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        for &b in &buf[..n] {
            let Some((offset, len)) = current else {
                panic!("more than the {total} bytes sent arrived");
            };
            let pos = offset + at as u64;
            assert_eq!(b, byte_at(pos), "byte {total} received (file offset {pos})");
            (at, total) = (at + 1, total + 1);
            if at == len {
                (current, at) = (wanted.next(), 0);
            }
        }
    }
    assert!(
        current.is_none(),
        "the stream ended after {total} bytes, {at} into range {current:?}"
    );
}

/// A listener's address and the thread that accepts one connection on it
/// and checks that it carries `ranges`.
fn tcp_receiver(ranges: Vec<(u64, usize)>) -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let check = std::thread::spawn(move || check_ranges(listener.accept().unwrap().0, &ranges));
    (addr, check)
}

/// Closes `stream` with a reset (`SO_LINGER` 0) instead of a FIN.
fn reset(stream: std::net::TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: `linger` lives on this frame; its size is passed.
    let ret = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(ret, 0, "SO_LINGER: {}", std::io::Error::last_os_error());
    drop(stream);
}

#[test]
fn sends_64_mib_and_odd_ranges_byte_for_byte() {
    let _serial = serial(); // fd counts in this binary need quiet neighbours
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let path = pattern_file(dir.path(), BIG);
    let cases: Vec<(u64, usize)> = vec![
        (4093, (BIG - 8191) as usize),
        (0, 1),
        (1, 4095),
        (4095, 2),
        (12_345, 70_001),
        (7, (3 * MIB + 11) as usize),
        (BIG - 100, 1000), // runs past the end: 100 bytes
        (BIG, 10),         // at the end: none
        (BIG + 5000, 10),  // past it: none
    ];
    let ranges = cases.iter().map(|&(o, l)| expected(BIG, o, l)).collect();
    let (addr, receiver) = tcp_receiver(ranges);
    run_bounded(LIMIT, move || async move {
        let file = File::open(&path).await.unwrap();
        let stream = TcpStream::connect(addr).await.unwrap();
        for (offset, len) in cases {
            let sent = stream.send_file(&file, offset, len).await.unwrap();
            assert_eq!(
                sent,
                expected(BIG, offset, len).1,
                "send_file({offset}, {len})"
            );
        }
    });
    receiver.join().unwrap();
}

#[test]
fn entries_submitted_apart_still_send_every_byte_once() {
    let _serial = serial();
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let len = 8 * MIB + 5;
    let path = pattern_file(dir.path(), len);
    let (addr, receiver) = tcp_receiver(vec![(2, (len - 2) as usize), (0, 3)]);
    bounded(LIMIT, move || {
        // Every push enters the kernel at once: the fill goes in alone and
        // the send after it, unlinked, may run before the pipe has bytes.
        let rt = ringio::Builder::new().submit_batch(1).build().unwrap();
        rt.block_on(async move {
            let file = File::open(&path).await.unwrap();
            let stream = TcpStream::connect(addr).await.unwrap();
            assert_eq!(
                stream.send_file(&file, 2, usize::MAX).await.unwrap(),
                (len - 2) as usize
            );
            assert_eq!(stream.send_file(&file, 0, 3).await.unwrap(), 3);
        });
    });
    receiver.join().unwrap();
}

#[test]
fn unix_streams_and_split_halves_send_files_too() {
    let _serial = serial();
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let len = 5 * MIB + 3;
    let path = pattern_file(dir.path(), len);
    let (ours, theirs) = std::os::unix::net::UnixStream::pair().unwrap();
    let unix_ranges = vec![(3, (len - 3) as usize), (len - 1, 1)];
    let unix_check = std::thread::spawn(move || check_ranges(theirs, &unix_ranges));
    let split_ranges = vec![(MIB + 1, (2 * MIB) as usize)];
    let (addr, split_check) = tcp_receiver(split_ranges);
    run_bounded(LIMIT, move || async move {
        let file = File::open(&path).await.unwrap();
        let unix = UnixStream::from_std(ours);
        assert_eq!(
            unix.send_file(&file, 3, usize::MAX).await.unwrap(),
            (len - 3) as usize
        );
        assert_eq!(unix.send_file(&file, len - 1, 100).await.unwrap(), 1);
        drop(unix);
        let (_reader, writer) = TcpStream::connect(addr).await.unwrap().into_split();
        let sent = writer.send_file(&file, MIB + 1, (2 * MIB) as usize).await;
        assert_eq!(sent.unwrap(), (2 * MIB) as usize);
    });
    unix_check.join().unwrap();
    split_check.join().unwrap();
}

#[test]
fn zero_length_and_offsets_past_i64_touch_nothing() {
    let _serial = serial();
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let path = pattern_file(dir.path(), 4096);
    let (addr, receiver) = tcp_receiver(Vec::new());
    run_bounded(LIMIT, move || async move {
        let file = File::open(&path).await.unwrap();
        let stream = TcpStream::connect(addr).await.unwrap();
        let before = ringio::stats().sqes_submitted;
        assert_eq!(stream.send_file(&file, 0, 0).await.unwrap(), 0);
        assert_eq!(
            ringio::stats().sqes_submitted,
            before,
            "len 0 asks nothing of the ring"
        );
        for offset in [1u64 << 63, u64::MAX] {
            let err = stream.send_file(&file, offset, 1).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
            let message = err.to_string();
            assert!(
                message.contains("offset") && message.contains(&offset.to_string()),
                "{message}"
            );
        }
        // The last offset a file can have: nothing is there.
        assert_eq!(
            stream.send_file(&file, i64::MAX as u64, 10).await.unwrap(),
            0
        );
    });
    receiver.join().unwrap();
}

#[test]
fn a_peer_reset_midway_is_an_error_and_the_next_call_is_clean() {
    let _serial = serial();
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let len = 32 * MIB;
    let path = pattern_file(dir.path(), len);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let reset_addr = listener.local_addr().unwrap();
    let resetter = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut first = vec![0u8; MIB as usize];
        stream.read_exact(&mut first).unwrap();
        assert!(first
            .iter()
            .enumerate()
            .all(|(i, &b)| b == byte_at(i as u64)));
        reset(stream);
    });
    let (addr, receiver) = tcp_receiver(vec![(4097, (3 * MIB) as usize)]);
    run_bounded(LIMIT, move || async move {
        let file = File::open(&path).await.unwrap();
        let stream = TcpStream::connect(reset_addr).await.unwrap();
        let err = stream.send_file(&file, 0, len as usize).await.unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
            ),
            "{err:?}"
        );
        // The next call, on the same runtime: nothing left over arrives.
        let stream = TcpStream::connect(addr).await.unwrap();
        let sent = stream.send_file(&file, 4097, (3 * MIB) as usize).await;
        assert_eq!(sent.unwrap(), (3 * MIB) as usize);
    });
    resetter.join().unwrap();
    receiver.join().unwrap();
}

#[test]
fn a_dropped_send_file_leaves_the_next_one_byte_for_byte() {
    let _serial = serial();
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let len = 32 * MIB;
    let path = pattern_file(dir.path(), len);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let stalled_addr = listener.local_addr().unwrap();
    let (started_tx, started_rx) = futures::channel::oneshot::channel::<()>();
    let (finish_tx, finish_rx) = std::sync::mpsc::channel::<()>();
    // Reads 256 KiB, says so, then stops reading until told to finish.
    let stalled = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut first = vec![0u8; 256 << 10];
        stream.read_exact(&mut first).unwrap();
        assert!(first
            .iter()
            .enumerate()
            .all(|(i, &b)| b == byte_at(i as u64)));
        started_tx.send(()).unwrap();
        finish_rx.recv().unwrap();
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest);
    });
    let (addr, receiver) = tcp_receiver(vec![(333, (5 * MIB) as usize)]);
    run_bounded(LIMIT, move || async move {
        let file = File::open(&path).await.unwrap();
        let stalled = TcpStream::connect(stalled_addr).await.unwrap();
        let sending = std::pin::pin!(stalled.send_file(&file, 0, len as usize));
        match select(sending, started_rx).await {
            Either::Right((started, _dropped)) => started.unwrap(),
            Either::Left((res, _)) => panic!("32 MiB went to a reader that stopped: {res:?}"),
        }
        // The call above is dropped mid-transfer; a new one must not see
        // its pipe or its bytes.
        let stream = TcpStream::connect(addr).await.unwrap();
        let sent = stream.send_file(&file, 333, (5 * MIB) as usize).await;
        assert_eq!(sent.unwrap(), (5 * MIB) as usize);
        drop(stream);
        finish_tx.send(()).unwrap();
    });
    receiver.join().unwrap();
    stalled.join().unwrap();
}

#[test]
fn a_directory_or_a_pipe_as_the_file_is_the_kernels_error() {
    let _serial = serial();
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let path = pattern_file(dir.path(), 10_000);
    let dir_path = dir.path().to_path_buf();
    let (addr, receiver) = tcp_receiver(vec![(17, 9000)]);
    run_bounded(LIMIT, move || async move {
        let stream = TcpStream::connect(addr).await.unwrap();
        let directory = File::open(&dir_path).await.unwrap();
        let err = stream.send_file(&directory, 0, 100).await.unwrap_err();
        assert!(
            matches!(err.raw_os_error(), Some(libc::EINVAL | libc::EISDIR)),
            "{err:?}"
        );
        let (pipe_reader, mut pipe_writer) = std::io::pipe().unwrap();
        pipe_writer.write_all(b"not a file").unwrap();
        let pipe = File::from(OwnedFd::from(pipe_reader));
        let err = stream.send_file(&pipe, 0, 10).await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ESPIPE), "{err:?}");
        let write_only = File::create(dir_path.join("write-only")).await.unwrap();
        let err = stream.send_file(&write_only, 0, 10).await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EBADF), "{err:?}");
        // The stream and the runtime are fine.
        let file = File::open(&path).await.unwrap();
        assert_eq!(stream.send_file(&file, 17, 9000).await.unwrap(), 9000);
    });
    receiver.join().unwrap();
}

#[test]
fn splice_moves_bytes_between_a_pipe_and_a_file_both_ways() {
    let _serial = serial();
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let path = pattern_file(dir.path(), MIB);
    let out_path = dir.path().join("out");
    let check_path = out_path.clone();
    run_bounded(LIMIT, move || async move {
        let file = File::open(&path).await.unwrap();
        let (reader, writer) = ringio::io::pipe().unwrap();
        let read_all = |want: usize| {
            let reader = &reader;
            async move {
                let mut got = Vec::new();
                while got.len() < want {
                    let (n, buf) = reader.read(Vec::with_capacity(want - got.len())).await;
                    assert!(n.unwrap() > 0, "the pipe ended early");
                    got.extend_from_slice(&buf);
                }
                got
            }
        };
        // File → pipe at an offset, then at the file's own position (which
        // moves).
        let n = ringio::io::splice(&file, Some(1000), &writer, None, 5000)
            .await
            .unwrap();
        assert_eq!(n, 5000);
        let got = read_all(5000).await;
        assert!(got
            .iter()
            .enumerate()
            .all(|(i, &b)| b == byte_at(1000 + i as u64)));
        for start in [0u64, 10] {
            assert_eq!(
                ringio::io::splice(&file, None, &writer, None, 10)
                    .await
                    .unwrap(),
                10
            );
            let got = read_all(10).await;
            assert!(got
                .iter()
                .enumerate()
                .all(|(i, &b)| b == byte_at(start + i as u64)));
        }
        // Pipe → file at an offset, then at the file's position.
        let out = File::create(&out_path).await.unwrap();
        let (res, _) = writer.write_all(b"abcdef".to_vec()).await;
        res.unwrap();
        assert_eq!(
            ringio::io::splice(&reader, None, &out, Some(100), 6)
                .await
                .unwrap(),
            6
        );
        let (res, _) = writer.write_all(b"ghij".to_vec()).await;
        res.unwrap();
        assert_eq!(
            ringio::io::splice(&reader, None, &out, None, 64)
                .await
                .unwrap(),
            4
        );
        // An empty pipe is waited for (it is non-blocking: the kernel says
        // EAGAIN), until a task writes into it.
        let late = async {
            for _ in 0..3 {
                ringio::yield_now().await;
            }
            let (res, _) = writer.write_all(b"late".to_vec()).await;
            res.unwrap();
        };
        let (spliced, ()) =
            futures::join!(ringio::io::splice(&reader, None, &out, Some(200), 64), late);
        assert_eq!(spliced.unwrap(), 4);
        // Bad input.
        let err = ringio::io::splice(&file, None, &out, None, 10)
            .await
            .unwrap_err();
        assert_eq!(
            err.raw_os_error(),
            Some(libc::EINVAL),
            "neither is a pipe: {err:?}"
        );
        let err = ringio::io::splice(&reader, Some(0), &out, None, 1)
            .await
            .unwrap_err();
        assert_eq!(
            err.raw_os_error(),
            Some(libc::ESPIPE),
            "an offset for a pipe: {err:?}"
        );
        for (from_off, to_off, name) in [
            (Some(u64::MAX), None, "from_off"),
            (None, Some(1 << 63), "to_off"),
        ] {
            let err = ringio::io::splice(&file, from_off, &writer, to_off, 1)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
            assert!(err.to_string().contains(name), "{err}");
        }
        assert_eq!(
            ringio::io::splice(&file, None, &writer, None, 0)
                .await
                .unwrap(),
            0
        );
        // The pipe's own reads and writes still work after splices: a read
        // of the empty pipe neither fails nor returns (for 100 ms, the
        // bound of this check), and one waits for the write.
        let early =
            ringio::time::timeout(Duration::from_millis(100), reader.read(vec![0u8; 8])).await;
        assert!(
            early.is_err(),
            "a read of an empty pipe came back: {:?}",
            early.map(|r| r.0)
        );
        let plain = async {
            for _ in 0..3 {
                ringio::yield_now().await;
            }
            let (res, _) = writer.write_all(b"plain".to_vec()).await;
            res.unwrap();
        };
        let (got, ()) = futures::join!(read_all(5), plain);
        assert_eq!(got, b"plain");
        // Every writer gone: the end of the pipe.
        drop(writer);
        assert_eq!(
            ringio::io::splice(&reader, None, &out, None, 10)
                .await
                .unwrap(),
            0
        );
    });
    let written = std::fs::read(&check_path).unwrap();
    assert_eq!(&written[..4], b"ghij");
    assert_eq!(&written[100..106], b"abcdef");
    assert_eq!(&written[200..204], b"late");
    assert_eq!(written.len(), 204);
}

#[test]
fn fds_are_back_to_where_they_were_after_all_of_it() {
    let _serial = serial();
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let len = 16 * MIB;
    let path = pattern_file(dir.path(), len);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let before = fd_count();
    // Four readers at once, then one that resets after 1 MiB: each peer
    // socket is closed before the ringio side finishes with it.
    let peers = || {
        let readers: Vec<_> = (0..4)
            .map(|_| {
                let (stream, _) = listener.accept().unwrap();
                std::thread::spawn(move || check_ranges(stream, &[(1, (len - 1) as usize)]))
            })
            .collect();
        for reader in readers {
            reader.join().unwrap();
        }
        let (mut stream, _) = listener.accept().unwrap();
        let mut first = vec![0u8; MIB as usize];
        stream.read_exact(&mut first).unwrap();
        reset(stream);
    };
    let sender = move || {
        ringio::run(async move {
            let file = File::open(&path).await.unwrap();
            let mut streams = Vec::new();
            for _ in 0..4 {
                streams.push(TcpStream::connect(addr).await.unwrap());
            }
            let sends = streams.iter().map(|s| s.send_file(&file, 1, usize::MAX));
            for sent in futures::future::join_all(sends).await {
                assert_eq!(sent.unwrap(), (len - 1) as usize);
            }
            drop(streams);
            let doomed = TcpStream::connect(addr).await.unwrap();
            assert!(doomed.send_file(&file, 0, len as usize).await.is_err());
            let (reader, writer) = ringio::io::pipe().unwrap();
            assert_eq!(
                ringio::io::splice(&file, Some(5), &writer, None, 100)
                    .await
                    .unwrap(),
                100
            );
            drop((reader, writer));
        });
        // The runtime is gone, this thread is not: its pipes must be too.
        fd_count()
    };
    let after = std::thread::scope(|scope| {
        let peers = scope.spawn(peers);
        let after = bounded(LIMIT, sender);
        peers.join().unwrap();
        after
    });
    assert_eq!(after, before, "fds left open after the runtime ended");
    assert_eq!(fd_count(), before);
}
