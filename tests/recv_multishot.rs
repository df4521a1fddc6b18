//! Multishot receive into the runtime's provided-buffer pool.

mod common;

use common::{fd_count, run_bounded, serial};
use futures_util::StreamExt;
use ringio::net::{RecvBuf, TcpListener, TcpStream, UnixStream};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

/// An echo server that sends each received chunk straight back.
async fn echo_chunks(stream: TcpStream) {
    let mut chunks = stream.recv_multishot();
    while let Some(chunk) = chunks.next().await {
        let (res, _) = stream.write_all(chunk.unwrap()).await;
        res.unwrap();
    }
}

#[test]
fn echo_through_pooled_buffers_keeps_every_byte_in_order() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = ringio::spawn(async move {
            let mut incoming = listener.incoming();
            while let Some(stream) = incoming.next().await {
                drop(ringio::spawn(echo_chunks(stream.unwrap())));
            }
        });
        let clients: Vec<_> = (0..20u8)
            .map(|c| {
                ringio::spawn(async move {
                    let stream = TcpStream::connect(addr).await.unwrap();
                    // 1 MiB in varied sizes, some larger than a pool buffer.
                    let mut sent = Vec::new();
                    let mut got = Vec::new();
                    for i in 0..40usize {
                        let size = (i * 7919 + usize::from(c) * 31) % 40_000 + 1;
                        let msg: Vec<u8> = (0..size).map(|j| (j as u8) ^ c ^ i as u8).collect();
                        sent.extend_from_slice(&msg);
                        let (res, _) = stream.write_all(msg).await;
                        res.unwrap();
                        while got.len() < sent.len() {
                            let (n, b) = stream.read(Vec::with_capacity(65536)).await;
                            assert!(n.unwrap() > 0, "early EOF");
                            got.extend_from_slice(&b);
                        }
                    }
                    assert!(got == sent, "client {c}: bytes differ");
                })
            })
            .collect();
        for c in clients {
            c.await.unwrap();
        }
        server.abort();
    });
}

#[test]
fn an_empty_pool_falls_back_to_plain_receives_and_loses_nothing() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let (a, b) = UnixStream::pair().unwrap();
        let total = 600 * 1024;
        let writer = ringio::spawn(async move {
            for i in 0..600u32 {
                let (res, _) = a.write_all(vec![(i % 251) as u8; 1024]).await;
                res.unwrap();
                ringio::yield_now().await;
            }
            a.shutdown(std::net::Shutdown::Write).await.unwrap();
        });
        // Hold every chunk: after 256 pooled ones the pool is empty and the
        // stream must go on with plain receives.
        let mut held: Vec<RecvBuf> = Vec::new();
        let mut chunks = b.recv_multishot();
        while let Some(chunk) = chunks.next().await {
            held.push(chunk.unwrap());
        }
        writer.await.unwrap();
        let all: Vec<u8> = held.iter().flat_map(|c| c.iter().copied()).collect();
        assert_eq!(all.len(), total);
        let expected: Vec<u8> = (0..600u32)
            .flat_map(|i| vec![(i % 251) as u8; 1024])
            .collect();
        assert!(all == expected, "bytes lost or reordered");
        let pooled = held
            .iter()
            .filter(|c| format!("{c:?}").contains("pooled: true"))
            .count();
        if ringio::driver_kind() == ringio::DriverKind::Epoll {
            // No provided buffers under epoll: every chunk is a plain receive.
            assert_eq!(pooled, 0, "the epoll driver has no buffer pool");
            return;
        }
        assert!(pooled > 0, "no chunk came from the pool");
        assert!(
            pooled < held.len(),
            "the pool never ran dry: the fallback was not exercised"
        );
    });
}

#[test]
fn dropping_the_stream_mid_receive_returns_buffers_and_closes_fds() {
    skip_unless_uring!();
    let _serial = serial();
    let before = fd_count();
    run_bounded(LIMIT, || async {
        for round in 0..300 {
            let (a, b) = UnixStream::pair().unwrap();
            let (res, _) = a.write_all(vec![1u8; 100]).await;
            res.unwrap();
            {
                let mut chunks = b.recv_multishot();
                let first = chunks.next().await.unwrap().unwrap();
                assert_eq!(first.len(), 100);
                if round % 2 == 0 {
                    // More arrives while nobody polls: queued, then released
                    // with the stream.
                    let (res, _) = a.write_all(vec![2u8; 100]).await;
                    res.unwrap();
                    ringio::yield_now().await;
                }
            } // stream dropped with a receive armed
            drop((a, b));
        }
        // 300 rounds × up to 2 buffers would exhaust a 256-buffer pool if
        // abandoned chunks were not given back: the next stream still gets
        // pooled chunks.
        let (a, b) = UnixStream::pair().unwrap();
        let (res, _) = a.write_all(vec![3u8; 10]).await;
        res.unwrap();
        let chunk = b.recv_multishot().next().await.unwrap().unwrap();
        assert_eq!(&chunk[..], &[3u8; 10]);
        // (Under epoll every chunk is a plain receive: no pool to exhaust.)
        let pooled = format!("{chunk:?}").contains("pooled: true");
        assert_eq!(
            pooled,
            ringio::driver_kind() == ringio::DriverKind::IoUring,
            "{chunk:?}"
        );
    });
    assert_eq!(fd_count(), before);
}

#[test]
fn recv_buffers_sets_the_pool_s_count_and_chunk_size() {
    let _serial = serial();
    common::bounded(LIMIT, || {
        let rt = ringio::Builder::new()
            .recv_buffers(4, 1024)
            .build()
            .unwrap();
        rt.block_on(async {
            let (a, b) = UnixStream::pair().unwrap();
            let total = 64 * 1024;
            let expected: Vec<u8> = (0..total).map(|i| (i % 253) as u8).collect();
            let writer = ringio::spawn({
                let expected = expected.clone();
                async move {
                    let (res, _) = a.write_all(expected).await;
                    res.unwrap();
                    a.shutdown(std::net::Shutdown::Write).await.unwrap();
                }
            });
            // Hold every chunk: at most 4 can come from the pool.
            let mut held: Vec<RecvBuf> = Vec::new();
            let mut chunks = b.recv_multishot();
            while let Some(chunk) = chunks.next().await {
                held.push(chunk.unwrap());
            }
            writer.await.unwrap();
            let all: Vec<u8> = held.iter().flat_map(|c| c.iter().copied()).collect();
            assert!(all == expected, "bytes lost or reordered");
            let largest = held.iter().map(|c| c.len()).max().unwrap();
            assert!(
                largest <= 1024,
                "a chunk of {largest} bytes from 1 KiB buffers"
            );
            assert!(held.len() >= total / 1024);
            let pooled = held
                .iter()
                .filter(|c| format!("{c:?}").contains("pooled: true"))
                .count();
            if ringio::driver_kind() == ringio::DriverKind::Epoll {
                assert_eq!(pooled, 0, "the epoll driver has no buffer pool");
            } else {
                assert!(pooled > 0, "no chunk came from the pool");
                assert!(pooled <= 4, "{pooled} pooled chunks held from a pool of 4");
            }
        });
    });
}

#[test]
fn recv_buffers_out_of_range_are_refused_by_build() {
    for (count, size, says) in [
        (0u16, 1024u32, "count of 0"),
        (100, 1024, "count of 100"),
        (4, 0, "size of 0"),
        (4, 32 << 20, "size of 33554432"),
        (32768, 1 << 20, "exceed"),
    ] {
        let err = ringio::Builder::new()
            .recv_buffers(count, size)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains(says), "{err}");
    }
}
