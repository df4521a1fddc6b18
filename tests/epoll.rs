//! The epoll driver, chosen explicitly (`DriverKind::Epoll`) so that the
//! default `cargo test` run exercises it too: fd numbers reused after a
//! close, connect and accept, cancel and withdraw, files and path
//! operations on the blocking pool, pipes, child processes, cross-thread
//! wakes, shutdown with operations in flight, a pool of epoll workers, and
//! a process that runs io_uring and epoll runtimes side by side.
//!
//! Every test holds [`serial`]: several count fds or rely on the kernel
//! handing out the lowest free fd number, which another test opening fds
//! meanwhile would upset.

mod common;

use common::{bounded, fd_count, serial};
use futures::StreamExt;
use ringio::net::{ListenOptions, TcpListener, TcpStream, UnixStream};
use ringio::process::{Command, Stdio};
use ringio::{Builder, DriverKind, Runtime};
use std::future::Future;
use std::io::ErrorKind;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(30);

/// A runtime on the epoll driver.
fn epoll_runtime() -> Runtime {
    let rt = Builder::new()
        .driver(DriverKind::Epoll)
        .build()
        .expect("the epoll driver builds on any Linux");
    assert_eq!(rt.driver_kind(), DriverKind::Epoll);
    rt
}

/// Runs `make()` on a fresh epoll runtime on its own thread, bounded by
/// [`LIMIT`].
fn on_epoll<F, Fut, T>(make: F) -> T
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = T>,
    T: Send + 'static,
{
    bounded(LIMIT, move || {
        epoll_runtime().block_on(async move {
            assert_eq!(ringio::driver_kind(), DriverKind::Epoll);
            make().await
        })
    })
}

/// A connected pair: (the connecting side, the accepted side).
async fn tcp_pair(listener: &TcpListener) -> (TcpStream, TcpStream) {
    let addr = listener.local_addr().unwrap();
    let (client, accepted) = futures::join!(TcpStream::connect(addr), listener.accept());
    (client.unwrap(), accepted.unwrap().0)
}

/// Yields a few times: enough turns for the driver to start what is queued.
async fn a_few_turns() {
    for _ in 0..3 {
        ringio::yield_now().await;
    }
}

/// A read on `reader` that must wait (it finds nothing, so the fd goes to
/// epoll), then `msg` written by `writer`: the read gets exactly `msg`.
async fn waiting_read(reader: &TcpStream, writer: &TcpStream, msg: &[u8]) {
    let mut read = std::pin::pin!(reader.read(Vec::with_capacity(64)));
    assert!(futures::poll!(read.as_mut()).is_pending());
    a_few_turns().await;
    if let Poll::Ready((res, buf)) = futures::poll!(read.as_mut()) {
        panic!("the read did not wait: {res:?} {buf:?}");
    }
    let (res, _) = writer.write_all(msg.to_vec()).await;
    res.unwrap();
    let (n, buf) = read.await;
    assert_eq!(&buf[..n.unwrap()], msg);
}

/// Reads from `stream` until `len` bytes came (or EOF).
async fn read_len(stream: &TcpStream, len: usize) -> Vec<u8> {
    let mut got = Vec::with_capacity(len);
    while got.len() < len {
        let (n, buf) = stream.read(Vec::with_capacity(len - got.len())).await;
        if n.unwrap() == 0 {
            break;
        }
        got.extend_from_slice(&buf);
    }
    got
}

/// Two hundred times: a TCP pair whose reads wait on epoll in both
/// directions, then both sockets dropped. The next pair gets the same fd
/// numbers (checked): each must still be registered afresh and work, or a
/// stale registration of the closed socket leaves its reads hanging.
#[test]
fn reused_fd_numbers_are_registered_afresh() {
    let _serial = serial();
    const ROUNDS: usize = 200;
    let reused = on_epoll(|| async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut last: Option<(RawFd, RawFd)> = None;
        let mut reused = 0;
        for round in 0..ROUNDS {
            let (client, server) = tcp_pair(&listener).await;
            let fds = (client.as_raw_fd(), server.as_raw_fd());
            if last == Some(fds) {
                reused += 1;
            }
            last = Some(fds);
            waiting_read(&server, &client, format!("to server {round}").as_bytes()).await;
            waiting_read(&client, &server, format!("to client {round}").as_bytes()).await;
        }
        assert_eq!(ringio::stats().ops_in_flight, 0);
        reused
    });
    assert!(
        reused >= ROUNDS / 2,
        "only {reused} of {ROUNDS} rounds reused the fd numbers: the test did not test reuse"
    );
}

/// As above, with the stream leaving ringio through `into_std()` after its
/// waiting read: dropped (the number is reused by the next pair), or
/// wrapped again with `from_std` (the same open socket, still in the epoll
/// set under that number) and read from again.
#[test]
fn streams_turned_into_std_leave_no_stale_registration() {
    let _serial = serial();
    const ROUNDS: usize = 100;
    let reused = on_epoll(|| async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut last = None;
        let mut reused = 0;
        for round in 0..ROUNDS {
            let (client, server) = tcp_pair(&listener).await;
            let fd = client.as_raw_fd();
            if last == Some(fd) {
                reused += 1;
            }
            last = Some(fd);
            waiting_read(&client, &server, b"before into_std").await;
            let std_stream = client.into_std().unwrap();
            assert_eq!(std_stream.as_raw_fd(), fd);
            if round % 2 == 0 {
                drop(std_stream);
            } else {
                let again = TcpStream::from_std(std_stream);
                assert_eq!(again.as_raw_fd(), fd);
                waiting_read(&again, &server, b"after from_std").await;
                waiting_read(&server, &again, b"and back").await;
            }
        }
        reused
    });
    assert!(
        reused >= ROUNDS / 2,
        "only {reused} of {ROUNDS} rounds reused the fd number"
    );
}

/// An fd number used by a pipe (a stream that waits for readiness) and
/// then by a file (positioned reads), alternately: what the driver learnt
/// of the number's kind must go with the close. A stale "stream" makes the
/// file's positioned read read from the file's position (0), not from its
/// offset; a stale "file" sends the pipe's read to the blocking pool.
#[test]
fn an_fd_number_reused_by_another_kind_of_file() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("numbers");
    let contents: Vec<u8> = (0..=255u8).collect();
    std::fs::write(&path, &contents).unwrap();
    const ROUNDS: usize = 50;
    let reused = on_epoll(move || async move {
        let mut reused = 0;
        for round in 0..ROUNDS {
            let pipe_fd = {
                let (reader, writer) = ringio::io::pipe().unwrap();
                let mut read = std::pin::pin!(reader.read(Vec::with_capacity(16)));
                assert!(futures::poll!(read.as_mut()).is_pending());
                a_few_turns().await;
                assert!(futures::poll!(read.as_mut()).is_pending());
                let (res, _) = writer.write_all(b"piped".to_vec()).await;
                res.unwrap();
                let (n, buf) = read.await;
                assert_eq!(&buf[..n.unwrap()], b"piped");
                reader.as_raw_fd()
            };

            let file = ringio::fs::File::open(&path).await.unwrap();
            if file.as_raw_fd() == pipe_fd {
                reused += 1;
            }
            let at = round * 3 + 1;
            let (res, buf) = file.read_at(vec![0u8; 5], at as u64).await;
            assert_eq!(res.unwrap(), 5);
            assert_eq!(buf, &contents[at..at + 5], "read at {at}");
        }
        reused
    });
    assert!(
        reused >= ROUNDS / 2,
        "only {reused} of {ROUNDS} files took the pipe's fd number"
    );
}

/// Whether `fd` is in non-blocking mode (`O_NONBLOCK`).
fn is_nonblocking(fd: &impl AsRawFd) -> bool {
    // SAFETY: a flag query on an fd the caller holds open; no pointers.
    let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) };
    assert!(flags >= 0, "{}", std::io::Error::last_os_error());
    flags & libc::O_NONBLOCK != 0
}

/// `into_std()` hands out sockets in blocking mode, as documented ("as
/// std's are") and as under io_uring, even after the epoll driver accepted
/// on the listener, connected the client and accepted the server side (it
/// makes those non-blocking for its own system calls).
#[test]
fn into_std_gives_blocking_sockets() {
    let _serial = serial();
    let (listener, client, server) = on_epoll(|| async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let (client, server) = tcp_pair(&listener).await;
        // Both sides have been used by the driver.
        waiting_read(&server, &client, b"used").await;
        (
            listener.into_std().unwrap(),
            client.into_std().unwrap(),
            server.into_std().unwrap(),
        )
    });
    let modes = [
        ("listener", is_nonblocking(&listener)),
        ("connected", is_nonblocking(&client)),
        ("accepted", is_nonblocking(&server)),
    ];
    assert!(
        modes.iter().all(|(_, nonblocking)| !nonblocking),
        "non-blocking after into_std: {modes:?}"
    );
}

/// A connect to a port nobody listens on fails with `ConnectionRefused`
/// (twenty times, reusing the failed socket's number), and a connect to a
/// listener then carries bytes both ways.
#[test]
fn connect_refused_and_connect_accepted() {
    let _serial = serial();
    on_epoll(|| async {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        for _ in 0..20 {
            let err = TcpStream::connect(("127.0.0.1", port)).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err}");
        }

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = ringio::spawn(async move {
            let (stream, peer) = listener.accept().await.unwrap();
            assert_eq!(stream.peer_addr().unwrap(), peer);
            common::echo(stream).await;
        });
        let client = TcpStream::connect(addr).await.unwrap();
        assert_eq!(client.peer_addr().unwrap(), addr);
        let msg = vec![0x5au8; 300_000];
        let (res, _) = client.write_all(msg.clone()).await;
        res.unwrap();
        assert!(read_len(&client, msg.len()).await == msg, "echo differs");
        drop(client);
        server.await.unwrap();
    });
}

/// AF_UNIX connects to a listener whose backlog is full (`listen(1)`) wait,
/// and complete once the listener accepts, as under io_uring (where the
/// kernel's connect itself waits for room in the backlog).
#[test]
fn unix_connects_to_a_full_backlog_complete_once_accepted() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sock");
    let socket = socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None).unwrap();
    socket
        .bind(&socket2::SockAddr::unix(&path).unwrap())
        .unwrap();
    socket.listen(1).unwrap();
    let std_listener = std::os::unix::net::UnixListener::from(socket);
    on_epoll(move || async move {
        const CLIENTS: usize = 8;
        let listener = ringio::net::UnixListener::from_std(std_listener);
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let path = path.clone();
                ringio::spawn(async move { UnixStream::connect(&path).await.map(drop) })
            })
            .collect();
        // Some connects find the backlog full and wait.
        a_few_turns().await;
        for i in 0..CLIENTS {
            let accepted = ringio::time::timeout(Duration::from_secs(5), listener.accept()).await;
            let accepted = accepted.unwrap_or_else(|_| {
                panic!("accept {i} of {CLIENTS}: no connect came after the backlog emptied")
            });
            accepted.unwrap();
        }
        for client in clients {
            client.await.unwrap().unwrap();
        }
    });
}

/// `accept()` a hundred times, one connection after another, and
/// `incoming()` (multishot under io_uring; plain accepts under epoll) for
/// fifty connections made at once: every connection is accepted once and
/// carries its client's bytes.
#[test]
fn accept_and_incoming_take_every_connection() {
    let _serial = serial();
    on_epoll(|| async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        for i in 0..100u32 {
            let (client, accepted) = futures::join!(
                async {
                    // The accept waits before this connect comes.
                    a_few_turns().await;
                    TcpStream::connect(addr).await.unwrap()
                },
                listener.accept()
            );
            let (server, peer) = accepted.unwrap();
            assert_eq!(peer, client.local_addr().unwrap());
            let (res, _) = client.write_all(i.to_le_bytes().to_vec()).await;
            res.unwrap();
            assert_eq!(read_len(&server, 4).await, i.to_le_bytes());
        }

        let clients: Vec<_> = (0..50u32)
            .map(|i| {
                ringio::spawn(async move {
                    let stream = TcpStream::connect(addr).await.unwrap();
                    let (res, _) = stream.write_all(i.to_le_bytes().to_vec()).await;
                    res.unwrap();
                    // Held open until the server has read.
                    let (n, _) = stream.read(Vec::with_capacity(1)).await;
                    assert_eq!(n.unwrap(), 0);
                })
            })
            .collect();
        let mut incoming = listener.incoming();
        let mut seen = Vec::new();
        for _ in 0..50 {
            let stream = incoming.next().await.unwrap().unwrap();
            let got = read_len(&stream, 4).await;
            seen.push(u32::from_le_bytes(got.try_into().unwrap()));
        }
        drop(incoming);
        seen.sort_unstable();
        assert_eq!(seen, (0..50).collect::<Vec<_>>());
        for client in clients {
            client.await.unwrap();
        }
    });
}

/// Dropping operations: a read that waited and timed out consumes nothing
/// (the peer's next "abc" is read whole by the next read); a write dropped
/// before the tick's submit is withdrawn (`ops_withdrawn` grows) and sends
/// nothing; and of three reads queued on one socket, the middle one
/// aborted, the others get the bytes in order.
#[test]
fn dropped_operations_consume_and_send_nothing() {
    let _serial = serial();
    on_epoll(|| async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let (a, b) = tcp_pair(&listener).await;

        let abandoned_before = ringio::stats().ops_abandoned;
        let timed_out =
            ringio::time::timeout(Duration::from_millis(5), b.read(Vec::with_capacity(64))).await;
        assert!(timed_out.is_err(), "nothing was written yet");
        assert!(ringio::stats().ops_abandoned > abandoned_before);
        let (res, _) = a.write_all(b"abc".to_vec()).await;
        res.unwrap();
        let (n, buf) = b.read(Vec::with_capacity(64)).await;
        assert_eq!(&buf[..n.unwrap()], b"abc");

        let withdrawn_before = ringio::stats().ops_withdrawn;
        let dropped = ringio::time::timeout(Duration::ZERO, a.write(b"lost".to_vec())).await;
        assert!(dropped.is_err(), "a zero timeout elapses before the submit");
        assert!(
            ringio::stats().ops_withdrawn > withdrawn_before,
            "the write was not withdrawn"
        );
        let (res, _) = a.write_all(b"xyz".to_vec()).await;
        res.unwrap();
        assert_eq!(
            read_len(&b, 3).await,
            b"xyz",
            "the withdrawn write sent bytes"
        );

        let b = Rc::new(b);
        // Queued in this order: each reader is spawned once the one before
        // has started its read (whatever order tasks run in).
        let mut readers = Vec::new();
        for _ in 0..3 {
            let (b, started) = (b.clone(), Rc::new(std::cell::Cell::new(false)));
            let starting = started.clone();
            readers.push(ringio::spawn(async move {
                starting.set(true);
                let (n, buf) = b.read(Vec::with_capacity(64)).await;
                buf[..n.unwrap()].to_vec()
            }));
            while !started.get() {
                ringio::yield_now().await;
            }
        }
        a_few_turns().await;
        assert!(readers.iter().all(|r| !r.is_finished()));
        readers[1].abort();
        a_few_turns().await;
        let mut readers = readers.into_iter();
        let (first, middle, last) = (
            readers.next().unwrap(),
            readers.next().unwrap(),
            readers.next().unwrap(),
        );
        assert!(middle.await.unwrap_err().is_cancelled());
        let (res, _) = a.write_all(b"1".to_vec()).await;
        res.unwrap();
        assert_eq!(first.await.unwrap(), b"1");
        let (res, _) = a.write_all(b"3".to_vec()).await;
        res.unwrap();
        assert_eq!(last.await.unwrap(), b"3");

        a_few_turns().await;
        assert_eq!(ringio::stats().ops_in_flight, 0);
    });
}

/// A blocking-pool operation dropped while it runs (the open of a FIFO,
/// which blocks until a writer comes) runs to completion with its data
/// parked, and the fd it opened for nobody is closed.
#[test]
fn a_dropped_pool_operation_completes_and_its_fd_is_closed() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    on_epoll(move || async move {
        let fds_before = fd_count();
        let mut open = Box::pin(ringio::fs::File::open(&fifo));
        assert!(futures::poll!(open.as_mut()).is_pending());
        // The queued open starts (goes to the pool) at a turn's submit;
        // only then is it past withdrawing.
        a_few_turns().await;
        let timed_out = ringio::time::timeout(Duration::from_millis(20), open).await;
        assert!(timed_out.is_err(), "a FIFO's open waits for a writer");
        assert_eq!(ringio::stats().ops_in_flight, 1, "the open still runs");
        // The pool thread's open is a reader once it is in the kernel:
        // only then does a non-blocking open for writing succeed.
        let writer = loop {
            match open_fifo_writer(&fifo) {
                Ok(writer) => break writer,
                Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
                    ringio::time::sleep(Duration::from_millis(1)).await;
                }
                Err(e) => panic!("{e}"),
            }
        };
        while ringio::stats().ops_in_flight > 0 {
            ringio::time::sleep(Duration::from_millis(1)).await;
        }
        drop(writer);
        assert_eq!(fd_count(), fds_before, "the abandoned open's fd was closed");
    });
}

fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a NUL-terminated path that lives across the call.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

fn open_fifo_writer(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

/// Drops the page cache's copy of `path` (after it reached the disk), so
/// that the next read misses it and goes to the blocking pool.
fn evict(path: &Path) {
    let file = std::fs::File::open(path).unwrap();
    file.sync_all().unwrap();
    // SAFETY: an fd this frame owns; no pointers.
    let ret = unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    assert_eq!(ret, 0);
}

/// Files and paths: 1 MiB written at an odd offset and read back whole and
/// in odd-sized pieces at odd offsets (once from the page cache, once
/// after evicting it: a miss goes to the blocking pool); metadata, rename,
/// remove_file, create_dir and read_dir; opening a missing path fails with
/// `NotFound` naming the path.
#[test]
fn files_and_path_operations() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_path_buf();
    on_epoll(move || async move {
        const OFFSET: u64 = 3;
        let data: Vec<u8> = (0..1 << 20)
            .map(|i: u32| (i ^ (i >> 8) ^ (i >> 16)) as u8)
            .collect();
        let path = base.join("big");
        let file = ringio::fs::File::create(&path).await.unwrap();
        let (res, _) = file.write_all_at(data.clone(), OFFSET).await;
        res.unwrap();
        file.sync_all().await.unwrap();
        assert_eq!(
            file.metadata().await.unwrap().len(),
            OFFSET + data.len() as u64
        );
        drop(file);

        for pass in ["cached", "evicted"] {
            if pass == "evicted" {
                evict(&path);
            }
            let file = ringio::fs::File::open(&path).await.unwrap();
            let (res, whole) = file
                .read_exact_at(Vec::with_capacity(data.len()), OFFSET)
                .await;
            res.unwrap();
            assert!(whole == data, "{pass}: the whole read differs");
            if pass == "evicted" {
                evict(&path);
            }
            let mut at = 7usize;
            while at < data.len() {
                let len = 4099.min(data.len() - at);
                let (res, piece) = file.read_exact_at(vec![0u8; len], OFFSET + at as u64).await;
                res.unwrap();
                assert!(piece == data[at..at + len], "{pass}: bytes differ at {at}");
                at += 3 * 4099;
            }
            let (n, tail) = file
                .read_at(vec![0u8; 100], OFFSET + data.len() as u64 - 5)
                .await;
            assert_eq!(n.unwrap(), 5, "{pass}: a read past the end is short");
            assert_eq!(&tail[..5], &data[data.len() - 5..]);
        }

        let meta = ringio::fs::metadata(&path).await.unwrap();
        assert!(meta.is_file());
        assert_eq!(meta.len(), OFFSET + data.len() as u64);

        let sub = base.join("sub");
        ringio::fs::create_dir(&sub).await.unwrap();
        assert!(ringio::fs::metadata(&sub).await.unwrap().is_dir());
        let moved = sub.join("moved");
        ringio::fs::rename(&path, &moved).await.unwrap();
        let err = ringio::fs::metadata(&path).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert_eq!(
            ringio::fs::metadata(&moved).await.unwrap().len(),
            meta.len()
        );
        ringio::fs::write(sub.join("small"), b"small")
            .await
            .unwrap();
        assert_eq!(ringio::fs::read(sub.join("small")).await.unwrap(), b"small");

        let mut names = Vec::new();
        let mut entries = ringio::fs::read_dir(&sub).await.unwrap();
        while let Some(entry) = entries.next_entry().await.unwrap() {
            names.push(entry.file_name().into_string().unwrap());
        }
        names.sort();
        assert_eq!(names, ["moved", "small"]);

        ringio::fs::remove_file(&moved).await.unwrap();
        let err = ringio::fs::File::open(&moved).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(
            err.to_string().contains(&moved.display().to_string()),
            "the error names the path: {err}"
        );
    });
}

/// A pipe: a read that waits gets the bytes another task writes; half a
/// megabyte goes through (the writer waits while the pipe is full); and a
/// read that waits gets EOF when the writer is dropped.
#[test]
fn pipe_reads_wait_for_data_and_for_eof() {
    let _serial = serial();
    on_epoll(|| async {
        let (reader, writer) = ringio::io::pipe().unwrap();
        let mut read = std::pin::pin!(reader.read(Vec::with_capacity(64)));
        assert!(futures::poll!(read.as_mut()).is_pending());
        let writer = ringio::spawn(async move {
            a_few_turns().await;
            let (res, _) = writer.write_all(b"ping".to_vec()).await;
            res.unwrap();
            writer
        });
        let (n, buf) = read.await;
        assert_eq!(&buf[..n.unwrap()], b"ping");
        let writer = writer.await.unwrap();

        let data: Vec<u8> = (0..512 * 1024).map(|i: u32| (i % 251) as u8).collect();
        let sender = ringio::spawn({
            let data = data.clone();
            async move {
                let (res, _) = writer.write_all(data).await;
                res.unwrap();
                writer
            }
        });
        let mut got = Vec::new();
        while got.len() < data.len() {
            let (n, buf) = reader.read(Vec::with_capacity(10_000)).await;
            assert!(n.unwrap() > 0, "EOF before the end");
            got.extend_from_slice(&buf);
        }
        assert!(got == data, "bytes differ");
        let writer = sender.await.unwrap();

        let mut read = std::pin::pin!(reader.read(Vec::with_capacity(64)));
        assert!(futures::poll!(read.as_mut()).is_pending());
        drop(ringio::spawn(async move {
            a_few_turns().await;
            drop(writer);
        }));
        let (n, _) = read.await;
        assert_eq!(n.unwrap(), 0, "EOF once the writer is gone");
    });
}

/// Child processes (their exit seen through a pidfd polled with
/// `POLL_ADD`): `true` succeeds, `sh -c "exit 3"` reports code 3, a child
/// that waits for its stdin exits once it gets it, and `output()` collects
/// stdout through a pipe.
#[test]
fn child_processes_report_their_exit() {
    let _serial = serial();
    on_epoll(|| async {
        let status = Command::new("true").status().await.unwrap();
        assert!(status.success());
        let status = Command::new("sh")
            .args(["-c", "exit 3"])
            .status()
            .await
            .unwrap();
        assert_eq!(status.code(), Some(3));

        let status = wait_for_a_child_that_waits(4).await;
        assert_eq!(status.unwrap().code(), Some(4));

        let out = Command::new("echo").arg("hello").output().await.unwrap();
        assert!(out.status.success());
        assert_eq!(out.stdout, b"hello\n");
    });
}

/// Spawns `sh` waiting for a line on its stdin before it exits with
/// `code`, and waits for it: the wait starts while the child still runs
/// (so it goes through the driver, not a first `try_wait`), and the line
/// is written after.
async fn wait_for_a_child_that_waits(code: i32) -> std::io::Result<std::process::ExitStatus> {
    let mut child = Command::new("sh")
        .args(["-c", &format!("read line; exit {code}")])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let mut wait = std::pin::pin!(child.wait());
    assert!(futures::poll!(wait.as_mut()).is_pending());
    a_few_turns().await;
    let (res, _) = stdin.write_all(b"go\n".to_vec()).await;
    res.unwrap();
    drop(stdin);
    wait.await
}

/// A child waited on an epoll runtime after an io_uring runtime of the same
/// process waited on one (which picks `IORING_OP_WAITID` where the kernel
/// has it): the epoll runtime must still see the exit. Runs in a child
/// process, so that which runtime waits first is known.
#[test]
fn a_child_waited_on_epoll_after_io_uring_waited_on_one() {
    const CHILD: &str = "RINGIO_TEST_EPOLL_WAIT_AFTER_URING";
    if std::env::var_os(CHILD).is_some() {
        let Ok(uring) = Builder::new().driver(DriverKind::IoUring).build() else {
            println!("no io_uring here: EPOLL-WAIT-CHILD-OK");
            return;
        };
        let status = uring.block_on(wait_for_a_child_that_waits(4));
        assert_eq!(status.unwrap().code(), Some(4));
        drop(uring);
        let status = epoll_runtime().block_on(wait_for_a_child_that_waits(5));
        assert_eq!(status.unwrap().code(), Some(5));
        println!("EPOLL-WAIT-CHILD-OK");
        return;
    }
    let _serial = serial();
    bounded(LIMIT, || {
        common::run_in_child(
            "a_child_waited_on_epoll_after_io_uring_waited_on_one",
            CHILD,
            "EPOLL-WAIT-CHILD-OK",
        );
    });
}

/// A oneshot sent from a std thread wakes the epoll runtime parked in
/// `block_on` (a hundred times), without the runtime spinning meanwhile.
#[test]
fn a_std_thread_wakes_the_parked_runtime() {
    let _serial = serial();
    on_epoll(|| async {
        let (senders_tx, senders_rx) =
            std::sync::mpsc::channel::<ringio::sync::oneshot::Sender<u32>>();
        let thread = std::thread::spawn(move || {
            for (i, tx) in senders_rx.into_iter().enumerate() {
                tx.send(i as u32).unwrap();
            }
        });
        let before = ringio::stats().enters;
        for i in 0..100 {
            let (tx, rx) = ringio::sync::oneshot::channel();
            senders_tx.send(tx).unwrap();
            assert_eq!(rx.await.unwrap(), i);
        }
        let enters = ringio::stats().enters - before;
        assert!(enters < 1000, "{enters} enters for 100 wakes: a busy loop");
        drop(senders_tx);
        thread.join().unwrap();
    });
}

/// An io_uring runtime and an epoll runtime on two threads wake each other
/// a hundred times over channels: the io_uring thread, whose own ring
/// cannot message an epoll driver (it has no ring), writes its eventfd,
/// and the epoll thread wakes the ring through its eventfd as well.
/// (Skipped where io_uring is unavailable.)
#[test]
fn io_uring_and_epoll_runtimes_wake_each_other() {
    let _serial = serial();
    let ran = bounded(LIMIT, || {
        let (to_epoll, mut from_uring) = ringio::sync::mpsc::unbounded::<u32>();
        let (to_uring, mut from_epoll) = ringio::sync::mpsc::unbounded::<u32>();
        let uring_thread = std::thread::spawn(move || {
            let Ok(rt) = Builder::new().driver(DriverKind::IoUring).build() else {
                return false;
            };
            rt.block_on(async move {
                assert_eq!(ringio::driver_kind(), DriverKind::IoUring);
                for i in 0..100 {
                    to_epoll.unbounded_send(i).unwrap();
                    assert_eq!(from_epoll.next().await, Some(i + 1000));
                }
            });
            true
        });
        epoll_runtime().block_on(async move {
            // Ends when the io_uring thread drops its sender.
            while let Some(i) = from_uring.next().await {
                to_uring.unbounded_send(i + 1000).unwrap();
            }
        });
        uring_thread.join().unwrap()
    });
    if !ran {
        eprintln!("skipped: no io_uring here");
    }
}

/// A runtime dropped while 100 tasks wait on reads that never get data
/// returns promptly, drops every task, and closes every fd it opened (its
/// epoll set and eventfd, and the sockets the tasks held).
#[test]
fn runtime_drop_with_waiting_reads_closes_everything() {
    let _serial = serial();
    bounded(LIMIT, || {
        let fds_before = fd_count();
        let token = Arc::new(());
        let rt = epoll_runtime();
        rt.block_on(async {
            for _ in 0..100 {
                let (reader, writer) = UnixStream::pair().unwrap();
                let token = token.clone();
                drop(ringio::spawn(async move {
                    let _held = (token, writer);
                    let _ = reader.read(Vec::with_capacity(16)).await;
                    unreachable!("nobody writes");
                }));
            }
            while ringio::stats().ops_in_flight < 100 {
                ringio::yield_now().await;
            }
            a_few_turns().await;
        });
        assert!(fd_count() >= fds_before + 200);
        let started = Instant::now();
        drop(rt);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "shutdown took {:?}",
            started.elapsed()
        );
        assert_eq!(Arc::strong_count(&token), 1, "every task was dropped");
        assert_eq!(fd_count(), fds_before);
    });
}

/// Links in /proc/self/fd: how many point at `target`, and how many are
/// eventfds.
fn fd_links(target: &Path) -> (usize, usize) {
    let (mut to_target, mut eventfds) = (0, 0);
    for entry in std::fs::read_dir("/proc/self/fd").unwrap() {
        let Ok(link) = std::fs::read_link(entry.unwrap().path()) else {
            continue;
        };
        if link == target {
            to_target += 1;
        } else if link.as_os_str() == "anon_inode:[eventfd]" {
            eventfds += 1;
        }
    }
    (to_target, eventfds)
}

/// A runtime dropped while a blocking-pool job runs (a FIFO's open, which
/// waits for a writer) waits for it up to its `shutdown_timeout`, then
/// returns (leaking the job's data); the job finishes once unblocked.
#[test]
fn runtime_drop_with_a_blocked_pool_job_waits_out_its_timeout() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    bounded(LIMIT, move || {
        let (_, eventfds_before) = fd_links(&fifo);
        let fds_before = fd_count();
        let rt = Builder::new()
            .driver(DriverKind::Epoll)
            .shutdown_timeout(Duration::from_millis(200))
            .build()
            .unwrap();
        rt.block_on(async {
            let fifo = fifo.clone();
            drop(ringio::spawn(async move {
                let _ = ringio::fs::File::open(&fifo).await;
                unreachable!("nobody opens the FIFO for writing yet");
            }));
            a_few_turns().await;
            assert_eq!(ringio::stats().ops_in_flight, 1);
        });
        let started = Instant::now();
        drop(rt);
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(150),
            "returned after {took:?}: did not wait for the pool job"
        );
        assert!(took < Duration::from_secs(10), "shutdown took {took:?}");

        // Unblock the job, and wait for it to end (it then holds the FIFO's
        // read end, leaked, and drops the last handle to the eventfd).
        let writer = loop {
            match open_fifo_writer(&fifo) {
                Ok(writer) => break writer,
                Err(e) if e.raw_os_error() == Some(libc::ENXIO) => std::thread::yield_now(),
                Err(e) => panic!("{e}"),
            }
        };
        while fd_links(&fifo) != (2, eventfds_before) {
            std::thread::yield_now();
        }
        drop(writer);
        assert_eq!(fd_count(), fds_before + 1, "only the job's own fd remains");
    });
}

/// A runtime built with `DriverKind::Epoll` says so (`driver_kind()`, from
/// outside and from inside), has no fallback reason (it was asked for),
/// and runs a NOP and a timer.
#[test]
fn an_epoll_runtime_reports_its_driver() {
    let _serial = serial();
    bounded(LIMIT, || {
        let rt = epoll_runtime();
        assert_eq!(rt.driver_kind(), DriverKind::Epoll);
        assert!(rt.driver_fallback_reason().is_none());
        rt.block_on(async {
            assert_eq!(ringio::driver_kind(), DriverKind::Epoll);
            ringio::nop().await.unwrap();
            let start = Instant::now();
            ringio::time::sleep(Duration::from_millis(10)).await;
            assert!(start.elapsed() >= Duration::from_millis(10));
        });
    });
}

/// A pool of two epoll workers (its runtime builder set to `Epoll`): work
/// sent to the other worker with `spawn_on` runs there, and the workers
/// serve a SO_REUSEPORT echo: a std client's 100 connections are all
/// answered, both workers take some, and each worker reports `Epoll`.
#[test]
fn a_pool_of_epoll_workers_serves_a_reuse_port_echo() {
    use std::io::{Read, Write};
    let _serial = serial();
    const CONNECTIONS: usize = 100;
    // Holds the port (bound, not listening).
    let holder = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    holder.set_reuse_address(true).unwrap();
    holder.set_reuse_port(true).unwrap();
    holder
        .bind(
            &"127.0.0.1:0"
                .parse::<std::net::SocketAddr>()
                .unwrap()
                .into(),
        )
        .unwrap();
    let addr = holder.local_addr().unwrap().as_socket().unwrap();

    let (stops, stop_rxs): (Vec<_>, Vec<_>) = (0..2)
        .map(|_| ringio::sync::oneshot::channel::<()>())
        .unzip();
    let stop_rxs = Arc::new(std::sync::Mutex::new(
        stop_rxs.into_iter().map(Some).collect::<Vec<_>>(),
    ));
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let client = std::thread::spawn(move || {
        for _ in 0..2 {
            ready_rx.recv().unwrap();
        }
        for i in 0..CONNECTIONS {
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            stream.set_read_timeout(Some(LIMIT)).unwrap();
            stream.write_all(format!("hello {i}").as_bytes()).unwrap();
            stream.shutdown(std::net::Shutdown::Write).unwrap();
            let mut reply = String::new();
            stream.read_to_string(&mut reply).unwrap();
            assert_eq!(reply, format!("hello {i}"));
        }
        for stop in stops {
            stop.send(()).unwrap();
        }
    });
    let results = bounded(LIMIT, move || {
        let mut runtime = Builder::new();
        runtime.driver(DriverKind::Epoll);
        ringio::Pool::new(2)
            .runtime(runtime)
            .run(move |worker| {
                let stop = stop_rxs.lock().unwrap()[worker.index()].take().unwrap();
                let ready = ready_tx.clone();
                async move {
                    // Work sent to the other worker runs there, on epoll.
                    let other = worker.sibling(1 - worker.index()).unwrap();
                    let remote = ringio::spawn_on(other, async {
                        let name = std::thread::current().name().unwrap().to_string();
                        (name, ringio::driver_kind())
                    })
                    .await
                    .unwrap();
                    let expected = format!("ringio-worker-{}", 1 - worker.index());
                    assert_eq!(remote, (expected, DriverKind::Epoll));

                    let options = ListenOptions {
                        reuse_port: true,
                        ..ListenOptions::default()
                    };
                    let listener = TcpListener::bind_with(addr, options).unwrap();
                    ready.send(()).unwrap();
                    let served = Rc::new(std::cell::Cell::new(0usize));
                    let accept = async {
                        loop {
                            let (stream, _) = listener.accept().await.unwrap();
                            let served = served.clone();
                            drop(ringio::spawn(async move {
                                common::echo(stream).await;
                                served.set(served.get() + 1);
                            }));
                        }
                    };
                    futures::pin_mut!(accept);
                    futures::future::select(accept, stop).await;
                    (ringio::driver_kind(), served.get())
                }
            })
            .unwrap()
    });
    client.join().unwrap();
    drop(holder);
    let kinds: Vec<_> = results.iter().map(|(kind, _)| *kind).collect();
    assert_eq!(kinds, [DriverKind::Epoll; 2]);
    let counts: Vec<_> = results.iter().map(|(_, served)| *served).collect();
    assert_eq!(counts.iter().sum::<usize>(), CONNECTIONS, "{counts:?}");
    assert!(
        counts.iter().all(|&c| c > 0),
        "one worker took all: {counts:?}"
    );
}

/// A short read of a byte stream means it is drained, and the next read
/// waits for the event; a datagram shorter than the buffer means nothing of
/// the kind. Datagrams queued together (UDP and Unix) all arrive, each one
/// read with a buffer larger than itself, with no new datagram to wake the
/// socket; a TCP stream read in short pieces still gets every byte; and a
/// stream whose last bytes and end arrive together reads both (a hang-up
/// sends no further edge).
#[test]
fn short_reads_stall_neither_datagrams_nor_streams() {
    let _serial = serial();
    on_epoll(|| async {
        let a = ringio::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let b = ringio::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        b.connect(a.local_addr().unwrap()).await.unwrap();
        let (ua, ub) = ringio::net::UnixDatagram::pair().unwrap();
        for i in 0..10u8 {
            let (res, _) = b.send(vec![i; 10 + usize::from(i)]).await;
            res.unwrap();
            let (res, _) = ub.send(vec![i; 5 + usize::from(i)]).await;
            res.unwrap();
        }
        for i in 0..10u8 {
            let (res, got) = a.recv_from(Vec::with_capacity(1500)).await;
            assert_eq!(res.unwrap().0, 10 + usize::from(i));
            assert!(got.iter().all(|&x| x == i));
            let (res, got) = ua.recv(Vec::with_capacity(1500)).await;
            assert_eq!(res.unwrap(), 5 + usize::from(i));
            assert!(got.iter().all(|&x| x == i));
        }

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let (client, server) = tcp_pair(&listener).await;
        let writer = ringio::spawn(async move {
            for i in 0..200u32 {
                let (res, _) = client.write_all(vec![(i % 251) as u8; 700]).await;
                res.unwrap();
                if i % 7 == 0 {
                    ringio::yield_now().await;
                }
            }
        });
        let mut got = Vec::new();
        while got.len() < 200 * 700 {
            let (res, buf) = server.read(Vec::with_capacity(4096)).await;
            assert!(res.unwrap() > 0, "the stream ended early");
            got.extend_from_slice(&buf);
        }
        writer.await.unwrap();
        let expected: Vec<u8> = (0..200u32)
            .flat_map(|i| vec![(i % 251) as u8; 700])
            .collect();
        assert!(got == expected, "bytes lost or reordered");

        // The last bytes and the end of the stream in one event: the short
        // read that takes the bytes must not leave the end unseen.
        // (The reader waits first; a std client then writes and closes
        // within one poll, so both reach the socket before the next
        // epoll_wait.)
        let addr = listener.local_addr().unwrap();
        for _ in 0..20 {
            let client = std::net::TcpStream::connect(addr).unwrap();
            let (server, _) = listener.accept().await.unwrap();
            let reader = ringio::spawn(async move {
                let mut got = Vec::new();
                loop {
                    let (res, buf) = server.read(Vec::with_capacity(4096)).await;
                    if res.unwrap() == 0 {
                        return got;
                    }
                    got.extend_from_slice(&buf);
                }
            });
            a_few_turns().await;
            std::io::Write::write_all(&mut &client, b"last words").unwrap();
            drop(client);
            assert_eq!(reader.await.unwrap(), b"last words");
        }
    });
}

/// A runtime that ends right after its last blocking-pool operation
/// completes leaves no fd behind: the pool job lets go of the runtime's
/// eventfd before the driver can take its completion, so no pool thread
/// still holds it once the runtime is gone.
#[test]
fn a_runtime_ending_after_a_pool_op_leaves_no_eventfd() {
    let _serial = serial();
    bounded(LIMIT, || {
        let dir = tempfile::tempdir().unwrap();
        let eventfds = || {
            std::fs::read_dir("/proc/self/fd")
                .unwrap()
                .filter_map(|e| std::fs::read_link(e.unwrap().path()).ok())
                .filter(|t| t.to_string_lossy().contains("eventfd"))
                .count()
        };
        let before = eventfds();
        for _ in 0..2000 {
            let path = dir.path().to_path_buf();
            epoll_runtime().block_on(async move {
                // A path operation: always the pool.
                ringio::fs::metadata(&path).await.unwrap();
            });
            assert_eq!(eventfds(), before, "a runtime's eventfd outlived it");
        }
    });
}
