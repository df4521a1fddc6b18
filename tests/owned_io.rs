//! `ringio::io`: code generic over `OwnedRead`/`OwnedWrite` on every stream
//! type, `copy`, and `copy_bidirectional` through a proxy.

mod common;

use common::run_bounded;
use ringio::buf::{BufResult, IoBuf, IoBufMut};
use ringio::io::{copy, copy_bidirectional, OwnedRead, OwnedWrite};
use ringio::net::{TcpListener, TcpStream, UnixStream};
use std::future::Future;
use std::io;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

/// Byte `i` of the test stream number `seed`.
fn byte(i: usize, seed: u8) -> u8 {
    (i as u8 ^ (i >> 8) as u8).wrapping_add(seed)
}

fn pattern(range: std::ops::Range<usize>, seed: u8) -> Vec<u8> {
    range.map(|i| byte(i, seed)).collect()
}

/// Checks a stream's bytes chunk by chunk against stream `seed`.
struct Checker {
    seed: u8,
    seen: usize,
}

impl Checker {
    fn new(seed: u8) -> Checker {
        Checker { seed, seen: 0 }
    }

    fn check(&mut self, chunk: &[u8]) {
        for (k, &b) in chunk.iter().enumerate() {
            let i = self.seen + k;
            assert_eq!(b, byte(i, self.seed), "byte {i} of stream {}", self.seed);
        }
        self.seen += chunk.len();
    }
}

/// Reads `reader` to EOF, alternating `read` and `readv`, checking every
/// byte against stream `seed`; returns the count.
async fn read_checked(reader: &impl OwnedRead, seed: u8) -> usize {
    let mut checker = Checker::new(seed);
    let mut buf = Vec::with_capacity(32 * 1024);
    let mut bufs = vec![Vec::with_capacity(100), Vec::with_capacity(20_000)];
    for round in 0.. {
        let n = if round % 2 == 0 {
            let (n, b) = reader.read(buf).await;
            buf = b;
            let n = n.unwrap();
            checker.check(&buf);
            n
        } else {
            let (n, b) = reader.readv(bufs).await;
            bufs = b;
            let n = n.unwrap();
            assert_eq!(n, bufs[0].len() + bufs[1].len());
            checker.check(&bufs[0]);
            checker.check(&bufs[1]);
            n
        };
        if n == 0 {
            break;
        }
    }
    checker.seen
}

/// Sends `len` bytes of stream `seed`: a `writev` of a small head and body,
/// then `write` and `write_all` of the rest, then shuts down.
async fn write_pattern(writer: &impl OwnedWrite, len: usize, seed: u8) {
    let (n, _) = writer
        .writev(vec![pattern(0..10, seed), pattern(10..1000, seed)])
        .await;
    let mut sent = n.unwrap();
    let (n, _) = writer.write(pattern(sent..sent + 5000, seed)).await;
    sent += n.unwrap();
    let (res, _) = writer.write_all(pattern(sent..len, seed)).await;
    res.unwrap();
    writer.shutdown().await.unwrap();
}

/// Both directions of a connected pair at once through the traits only.
async fn exchange<T: OwnedRead + OwnedWrite + 'static>(a: T, b: T) {
    const LEN: usize = 1 << 20;
    let a = std::rc::Rc::new(a);
    let b = std::rc::Rc::new(b);
    let (a2, b2) = (a.clone(), b.clone());
    let a_sends = ringio::spawn(async move { write_pattern(&*a2, LEN, 1).await });
    let b_sends = ringio::spawn(async move { write_pattern(&*b2, LEN, 2).await });
    let (got_b, got_a) = futures::join!(read_checked(&*b, 1), read_checked(&*a, 2));
    a_sends.await.unwrap();
    b_sends.await.unwrap();
    assert_eq!((got_b, got_a), (LEN, LEN));
}

async fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let connect = ringio::spawn(async move { TcpStream::connect(addr).await.unwrap() });
    let (server, _) = listener.accept().await.unwrap();
    (connect.await.unwrap(), server)
}

#[test]
fn generic_code_runs_over_tcp_streams() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let (a, b) = tcp_pair().await;
        exchange(a, b).await;
    });
}

#[test]
fn generic_code_runs_over_unix_streams() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let (a, b) = UnixStream::pair().unwrap();
        exchange(a, b).await;
    });
}

#[test]
fn generic_code_runs_over_split_halves() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        const LEN: usize = 1 << 20;
        let (a, b) = tcp_pair().await;
        let (_a_reader, a_writer) = a.into_split();
        let (b_reader, _b_writer) = b.into_split();
        let sender = ringio::spawn(async move { write_pattern(&a_writer, LEN, 7).await });
        assert_eq!(read_checked(&b_reader, 7).await, LEN);
        sender.await.unwrap();
    });
}

#[test]
fn copy_counts_the_bytes_to_eof_and_leaves_the_writer_open() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        const LEN: usize = 3_000_000;
        let (src, src_peer) = UnixStream::pair().unwrap();
        let (dst, dst_peer) = UnixStream::pair().unwrap();
        let sender = ringio::spawn(async move { write_pattern(&src_peer, LEN, 8).await });
        let receiver = ringio::spawn(async move {
            let mut checker = Checker::new(8);
            let mut buf = Vec::with_capacity(64 * 1024);
            while checker.seen < LEN {
                let (n, b) = dst_peer.read(buf).await;
                assert_ne!(n.unwrap(), 0, "EOF before every byte came");
                checker.check(&b);
                buf = b;
            }
            dst_peer
        });
        assert_eq!(copy(&src, &dst).await.unwrap(), LEN as u64);
        sender.await.unwrap();
        let dst_peer = receiver.await.unwrap();
        // The writer is still open: bytes sent after the copy arrive.
        let (res, _) = dst.write_all(b"after".to_vec()).await;
        res.unwrap();
        let (n, buf) = dst_peer.read(Vec::with_capacity(16)).await;
        assert_eq!(&buf[..n.unwrap()], b"after");
    });
}

/// One side of the far end: sinks and checks stream 0, and sends `len`
/// bytes of stream 1, at once; returns how many bytes it received.
async fn far_end(stream: TcpStream, len: usize) -> usize {
    let (reader, writer) = stream.into_split();
    let sender = ringio::spawn(async move {
        let mut sent = 0;
        while sent < len {
            let end = (sent + 256 * 1024).min(len);
            let (res, _) = writer.write_all(pattern(sent..end, 1)).await;
            res.unwrap();
            sent = end;
        }
        writer.shutdown().await.unwrap();
    });
    let mut checker = Checker::new(0);
    let mut buf = Vec::with_capacity(64 * 1024);
    loop {
        let (n, b) = reader.read(buf).await;
        if n.unwrap() == 0 {
            break;
        }
        checker.check(&b);
        buf = b;
    }
    sender.await.unwrap();
    checker.seen
}

#[test]
fn copy_bidirectional_proxies_sixteen_mebibytes_each_way() {
    skip_unless_uring!();
    run_bounded(Duration::from_secs(120), || async {
        const LEN: usize = 16 << 20;
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let server_addr = server.local_addr().unwrap();
        let server = ringio::spawn(async move {
            let (stream, _) = server.accept().await.unwrap();
            far_end(stream, LEN).await
        });
        let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
        let proxy_addr = proxy.local_addr().unwrap();
        let proxy = ringio::spawn(async move {
            let (client, _) = proxy.accept().await.unwrap();
            let upstream = TcpStream::connect(server_addr).await.unwrap();
            copy_bidirectional(&client, &upstream).await.unwrap()
        });

        let (reader, writer) = TcpStream::connect(proxy_addr).await.unwrap().into_split();
        let sender = ringio::spawn(async move {
            let mut sent = 0;
            while sent < LEN {
                let end = (sent + 256 * 1024).min(LEN);
                let (res, _) = writer.write_all(pattern(sent..end, 0)).await;
                res.unwrap();
                sent = end;
            }
            writer.shutdown().await.unwrap();
        });
        let mut checker = Checker::new(1);
        let mut buf = Vec::with_capacity(64 * 1024);
        loop {
            let (n, b) = reader.read(buf).await;
            if n.unwrap() == 0 {
                break;
            }
            checker.check(&b);
            buf = b;
        }
        sender.await.unwrap();
        assert_eq!(checker.seen, LEN, "bytes the client got back");
        assert_eq!(server.await.unwrap(), LEN, "bytes the server got");
        assert_eq!(proxy.await.unwrap(), (LEN as u64, LEN as u64));
    });
}

/// A user's stream type: its reads fail; its writes go to a Unix stream.
struct FailingReads(UnixStream);

impl OwnedRead for FailingReads {
    fn read<B: IoBufMut>(&self, buf: B) -> impl Future<Output = BufResult<usize, B>> {
        std::future::ready((Err(io::ErrorKind::ConnectionReset.into()), buf))
    }

    fn readv<B: IoBufMut>(&self, bufs: Vec<B>) -> impl Future<Output = BufResult<usize, Vec<B>>> {
        std::future::ready((Err(io::ErrorKind::ConnectionReset.into()), bufs))
    }
}

impl OwnedWrite for FailingReads {
    fn write<B: IoBuf>(&self, buf: B) -> impl Future<Output = BufResult<usize, B>> {
        self.0.write(buf)
    }

    fn write_all<B: IoBuf>(&self, buf: B) -> impl Future<Output = BufResult<(), B>> {
        self.0.write_all(buf)
    }

    fn writev<B: IoBuf>(&self, bufs: Vec<B>) -> impl Future<Output = BufResult<usize, Vec<B>>> {
        self.0.writev(bufs)
    }

    fn shutdown(&self) -> impl Future<Output = io::Result<()>> {
        self.0.shutdown(std::net::Shutdown::Write)
    }
}

#[test]
fn the_first_error_ends_both_directions_of_copy_bidirectional() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let (a, _a_peer) = UnixStream::pair().unwrap();
        let (b, _b_peer) = UnixStream::pair().unwrap();
        // b's peer never sends nor closes: only the error on the other
        // direction can end b's read.
        let err = copy_bidirectional(&FailingReads(a), &b).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
    });
}
