//! tokio's `AsyncRead`/`AsyncWrite` on ringio's streams (feature
//! `tokio-io`): tokio's extension traits and codecs, shutdown semantics,
//! vectored writes, and cancel safety (a dropped read loses no bytes).
//! The streams' own owned-buffer `read`/`write` methods shadow the
//! extension traits' ones, hence the fully qualified calls.

mod common;

use common::run_bounded;
use futures::{SinkExt, StreamExt};
use ringio::net::{TcpListener, TcpStream, UnixStream};
use std::io::IoSlice;
use std::mem::MaybeUninit;
use std::pin::{pin, Pin};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::codec::{Framed, LinesCodec};

const LIMIT: Duration = Duration::from_secs(60);

/// Byte `i` of the test stream number `seed`.
fn byte(i: usize, seed: u8) -> u8 {
    (i as u8 ^ (i >> 8) as u8).wrapping_add(seed)
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| byte(i, seed)).collect()
}

/// Asserts that `got` is the first `len` bytes of stream `seed`, naming the
/// first wrong byte.
fn assert_pattern(got: &[u8], len: usize, seed: u8) {
    assert_eq!(got.len(), len, "wrong length");
    if let Some(i) = (0..len).find(|&i| got[i] != byte(i, seed)) {
        panic!(
            "byte {i} is {:#04x}, expected {:#04x}",
            got[i],
            byte(i, seed)
        );
    }
}

/// A connected TCP pair (client, server side).
async fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let connect = ringio::spawn(async move { TcpStream::connect(addr).await.unwrap() });
    let (server, _) = listener.accept().await.unwrap();
    (connect.await.unwrap(), server)
}

#[test]
fn read_exact_and_write_all_move_a_mebibyte_each_way() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        const LEN: usize = 1 << 20;
        let (mut client, mut server) = tcp_pair().await;
        let peer = ringio::spawn(async move {
            let mut got = vec![0u8; LEN];
            AsyncReadExt::read_exact(&mut server, &mut got)
                .await
                .unwrap();
            AsyncWriteExt::write_all(&mut server, &pattern(LEN, 1))
                .await
                .unwrap();
            AsyncWriteExt::flush(&mut server).await.unwrap();
            got
        });
        AsyncWriteExt::write_all(&mut client, &pattern(LEN, 0))
            .await
            .unwrap();
        AsyncWriteExt::flush(&mut client).await.unwrap();
        let mut back = vec![0u8; LEN];
        AsyncReadExt::read_exact(&mut client, &mut back)
            .await
            .unwrap();
        assert_pattern(&peer.await.unwrap(), LEN, 0);
        assert_pattern(&back, LEN, 1);
    });
}

#[test]
fn a_lines_codec_echoes_a_thousand_lines() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        const LINES: usize = 1000;
        let (client, server) = tcp_pair().await;
        let echo = ringio::spawn(async move {
            let mut framed = Framed::new(server, LinesCodec::new());
            let mut count = 0;
            while let Some(line) = framed.next().await {
                framed.send(line.unwrap()).await.unwrap();
                count += 1;
            }
            count
        });
        let mut framed: Framed<TcpStream, LinesCodec> = Framed::new(client, LinesCodec::new());
        for i in 0..LINES {
            framed
                .feed(format!("line {i} {}", "x".repeat(i % 97)))
                .await
                .unwrap();
        }
        SinkExt::<String>::flush(&mut framed).await.unwrap();
        for i in 0..LINES {
            let line = framed.next().await.unwrap().unwrap();
            assert_eq!(line, format!("line {i} {}", "x".repeat(i % 97)));
        }
        // close = flush + poll_shutdown: the echo's stream of lines ends.
        SinkExt::<String>::close(&mut framed).await.unwrap();
        assert!(framed.next().await.is_none(), "the echo sent extra lines");
        assert_eq!(echo.await.unwrap(), LINES);
    });
}

#[test]
fn a_dropped_read_exact_loses_no_bytes() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        const LEN: usize = 100_000;
        let (a, mut b) = UnixStream::pair().unwrap();
        let sender = ringio::spawn(async move {
            let (res, _) = a.write_all(pattern(LEN, 3)).await;
            res.unwrap();
        });
        {
            let mut buf = vec![0u8; LEN];
            let read = pin!(AsyncReadExt::read_exact(&mut b, &mut buf));
            // The first poll starts the adapter's receive; the future is
            // dropped with it in flight.
            assert!(futures::poll!(read).is_pending());
        }
        // Let the ring run: the receive completes into the stream's buffer.
        for _ in 0..4 {
            ringio::yield_now().await;
        }
        let mut got = Vec::new();
        let n = AsyncReadExt::read_to_end(&mut b, &mut got).await.unwrap();
        assert_eq!(n, LEN, "bytes were lost with the dropped read");
        assert_pattern(&got, LEN, 3);
        sender.await.unwrap();
    });
}

#[test]
fn reads_fill_an_uninitialized_buffer_without_initializing_the_rest() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let (a, mut b) = UnixStream::pair().unwrap();
        let (res, _) = a.write_all(pattern(100, 4)).await;
        res.unwrap();
        let mut storage = [MaybeUninit::<u8>::uninit(); 4096];
        let mut out = tokio::io::ReadBuf::uninit(&mut storage);
        futures::future::poll_fn(|cx| {
            tokio::io::AsyncRead::poll_read(Pin::new(&mut b), cx, &mut out)
        })
        .await
        .unwrap();
        assert_pattern(out.filled(), 100, 4);
        assert_eq!(
            out.initialized().len(),
            100,
            "the unfilled part was initialized"
        );
    });
}

#[test]
fn poll_shutdown_after_the_peer_has_gone_is_ok() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let (mut client, server) = tcp_pair().await;
        drop(server);
        let (n, _) = client.read(Vec::with_capacity(16)).await;
        assert_eq!(n.unwrap(), 0, "the peer's FIN");
        // The closed peer answers a send with a reset: the socket is then no
        // longer connected.
        let mut sends = 0;
        while client.write(b"x".to_vec()).await.0.is_ok() {
            sends += 1;
            assert!(sends < 1000, "the peer never reset the connection");
        }
        let raw = client.shutdown(std::net::Shutdown::Write).await;
        assert_eq!(raw.unwrap_err().kind(), std::io::ErrorKind::NotConnected);
        AsyncWriteExt::shutdown(&mut client).await.unwrap();
    });
}

#[test]
fn split_halves_echo_through_tokio_copy() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        const LEN: usize = 300_000;
        let (client, server) = tcp_pair().await;
        let echo = ringio::spawn(async move {
            let (mut reader, mut writer) = server.into_split();
            let n = tokio::io::copy(&mut reader, &mut writer).await.unwrap();
            writer.shutdown().await.unwrap();
            n
        });
        let (mut reader, mut writer) = client.into_split();
        let sender = ringio::spawn(async move {
            let data = pattern(LEN, 5);
            // A vectored write takes the non-empty slices in order, up to
            // 64 KiB in all.
            let bufs = [
                IoSlice::new(&[]),
                IoSlice::new(&data[..40_000]),
                IoSlice::new(&data[40_000..80_000]),
            ];
            assert!(tokio::io::AsyncWrite::is_write_vectored(&writer));
            let n = AsyncWriteExt::write_vectored(&mut writer, &bufs)
                .await
                .unwrap();
            assert_eq!(n, 64 * 1024);
            AsyncWriteExt::write_all(&mut writer, &data[n..])
                .await
                .unwrap();
            AsyncWriteExt::shutdown(&mut writer).await.unwrap();
        });
        let mut got = Vec::new();
        AsyncReadExt::read_to_end(&mut reader, &mut got)
            .await
            .unwrap();
        sender.await.unwrap();
        assert_pattern(&got, LEN, 5);
        assert_eq!(echo.await.unwrap(), LEN as u64);
    });
}

#[test]
fn unix_streams_run_tokio_io() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        const LEN: usize = 500_000;
        let (mut a, mut b) = UnixStream::pair().unwrap();
        let sender = ringio::spawn(async move {
            AsyncWriteExt::write_all(&mut a, &pattern(LEN, 6))
                .await
                .unwrap();
            let small = [IoSlice::new(b"ab"), IoSlice::new(b""), IoSlice::new(b"cd")];
            let n = AsyncWriteExt::write_vectored(&mut a, &small).await.unwrap();
            assert_eq!(n, 4);
            AsyncWriteExt::shutdown(&mut a).await.unwrap();
        });
        let mut got = Vec::new();
        AsyncReadExt::read_to_end(&mut b, &mut got).await.unwrap();
        sender.await.unwrap();
        assert_eq!(&got[LEN..], b"abcd");
        assert_pattern(&got[..LEN], LEN, 6);
        // Past EOF a read keeps returning 0.
        let mut buf = [0u8; 8];
        assert_eq!(AsyncReadExt::read(&mut b, &mut buf).await.unwrap(), 0);
    });
}
