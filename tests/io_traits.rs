//! The futures-io adapters: codecs over `AsyncRead`/`AsyncWrite`, flush and
//! close semantics, and cancel safety (a dropped poll loses no bytes).
//! The streams' own owned-buffer `read`/`write` methods shadow the
//! extension traits' ones, hence the fully qualified calls.

mod common;

use common::run_bounded;
use futures_util::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use ringio::net::{TcpListener, TcpStream, UnixStream};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn a_line_codec_runs_over_tcp() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = ringio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (reader, mut writer) = stream.into_split();
            let mut lines = BufReader::new(reader).lines();
            let mut count = 0;
            while let Some(line) = futures_util::StreamExt::next(&mut lines).await {
                let line = line.unwrap();
                AsyncWriteExt::write_all(&mut writer, line.to_uppercase().as_bytes())
                    .await
                    .unwrap();
                AsyncWriteExt::write_all(&mut writer, b"\n").await.unwrap();
                count += 1;
            }
            writer.close().await.unwrap();
            count
        });
        let mut stream = TcpStream::connect(addr).await.unwrap();
        for i in 0..500 {
            AsyncWriteExt::write_all(&mut stream, format!("line {i}\n").as_bytes())
                .await
                .unwrap();
        }
        // close = flush + shutdown(Write): the server's lines() ends.
        stream.close().await.unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).await.unwrap();
        let expected: String = (0..500).map(|i| format!("LINE {i}\n")).collect();
        assert_eq!(reply, expected);
        assert_eq!(server.await.unwrap(), 500);
    });
}

#[test]
fn dropped_read_polls_lose_no_bytes() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let (a, mut b) = UnixStream::pair().unwrap();
        const TOTAL: usize = 200_000;
        let sender = ringio::spawn(async move {
            let data: Vec<u8> = (0..TOTAL).map(|i| (i % 251) as u8).collect();
            for chunk in data.chunks(997) {
                let (res, _) = a.write_all(chunk.to_vec()).await;
                res.unwrap();
                ringio::yield_now().await;
            }
        });
        let mut got = Vec::with_capacity(TOTAL);
        let mut buf = [0u8; 300];
        let mut timeouts = 0;
        while got.len() < TOTAL {
            // A zero timeout drops many reads right after their first poll,
            // while their receive is in flight.
            match ringio::time::timeout(Duration::ZERO, AsyncReadExt::read(&mut b, &mut buf)).await
            {
                Ok(n) => got.extend_from_slice(&buf[..n.unwrap()]),
                Err(_elapsed) => {
                    timeouts += 1;
                    // Let the ring run: the dropped read's receive lands in
                    // the stream's buffer meanwhile.
                    ringio::yield_now().await;
                }
            }
        }
        sender.await.unwrap();
        assert!(timeouts > 0, "the test must drop some reads in flight");
        let expected: Vec<u8> = (0..TOTAL).map(|i| (i % 251) as u8).collect();
        assert!(got == expected, "bytes lost or reordered");
    });
}

#[test]
fn unflushed_writes_are_sent_by_close() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let (mut a, b) = UnixStream::pair().unwrap();
        let reader = ringio::spawn(async move {
            let mut all = Vec::new();
            loop {
                let (n, buf) = b.read(Vec::with_capacity(65536)).await;
                if n.unwrap() == 0 {
                    return all;
                }
                all.extend_from_slice(&buf);
            }
        });
        let data = vec![5u8; 300_000];
        let mut written = 0;
        while written < data.len() {
            written += AsyncWriteExt::write(&mut a, &data[written..])
                .await
                .unwrap();
        }
        // The last write is still buffered in `a`: close sends it, then EOF.
        a.close().await.unwrap();
        assert_eq!(reader.await.unwrap(), data);
    });
}
