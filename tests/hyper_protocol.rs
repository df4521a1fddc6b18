//! HTTP/1.1 details through `ringio::hyper`: pipelining, chunked bodies,
//! upgrades.

mod common;

use futures::{AsyncReadExt, AsyncWriteExt};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use ringio::hyper::{HyperIo, HyperTimer};
use ringio::net::{TcpListener, TcpStream};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

/// `/echo` answers with the request body; `/upgrade` with `101 Switching
/// Protocols`; anything else with its path.
async fn handle(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    if req.uri().path() == "/upgrade" {
        return Ok(Response::builder()
            .status(StatusCode::SWITCHING_PROTOCOLS)
            .header("connection", "upgrade")
            .header("upgrade", "echo")
            .body(Full::new(Bytes::new()))
            .unwrap());
    }
    let path = req.uri().path().to_owned();
    let body = req.into_body().collect().await.unwrap().to_bytes();
    let out = if path == "/echo" {
        body
    } else {
        Bytes::from(path)
    };
    Ok(Response::new(Full::new(out)))
}

/// Serves each connection; one that hyper hands back after a `101` (its
/// parts: `without_shutdown`, since `hyper::upgrade::on` needs `Send` I/O)
/// becomes a raw byte echo on the ringio stream itself.
fn serve() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(ringio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            drop(ringio::spawn(async move {
                let parts = hyper::server::conn::http1::Builder::new()
                    .timer(HyperTimer::new())
                    .serve_connection(HyperIo::new(stream), hyper::service::service_fn(handle))
                    .without_shutdown()
                    .await;
                let Ok(parts) = parts else { return };
                // The adapter may hold a receive hyper started: the echo
                // goes on through the adapter, which hands its bytes out
                // first (the owned `read` would not see them).
                let mut stream = parts.io.into_inner();
                // Bytes hyper read past the upgrade request come first.
                let mut pending = parts.read_buf.to_vec();
                let mut buf = vec![0u8; 4096];
                loop {
                    if !pending.is_empty() {
                        if AsyncWriteExt::write_all(&mut stream, &pending)
                            .await
                            .is_err()
                        {
                            return;
                        }
                        pending.clear();
                    }
                    match AsyncReadExt::read(&mut stream, &mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => pending.extend_from_slice(&buf[..n]),
                    }
                }
            }));
        }
    }));
    addr
}

/// Reads until `done` says so or the peer closes; returns everything read.
async fn read_until(stream: &TcpStream, done: impl Fn(&[u8]) -> bool) -> Vec<u8> {
    let mut got = Vec::new();
    while !done(&got) {
        let (n, buf) = stream.read(Vec::with_capacity(4096)).await;
        if n.unwrap() == 0 {
            break;
        }
        got.extend_from_slice(&buf);
    }
    got
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    skip_unless_uring!();
    common::run_bounded(LIMIT, || async {
        let addr = serve();
        let stream = TcpStream::connect(addr).await.unwrap();
        let requests: String = (0..10)
            .map(|i| format!("GET /p{i} HTTP/1.1\r\nHost: x\r\n\r\n"))
            .collect();
        let (res, _) = stream.write_all(requests.into_bytes()).await;
        res.unwrap();
        let got = read_until(&stream, |got| {
            String::from_utf8_lossy(got).matches("HTTP/1.1 200").count() == 10
                && got.ends_with(b"/p9")
        })
        .await;
        let text = String::from_utf8_lossy(&got);
        let order: Vec<usize> = (0..10)
            .map(|i| text.find(&format!("/p{i}")).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    });
}

#[test]
fn a_chunked_request_body_is_reassembled() {
    skip_unless_uring!();
    common::run_bounded(LIMIT, || async {
        let addr = serve();
        let stream = TcpStream::connect(addr).await.unwrap();
        let head = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        let (res, _) = stream.write_all(head.as_bytes().to_vec()).await;
        res.unwrap();
        // The chunks go out one write each.
        for chunk in ["hello", ", ", "chunked", " world"] {
            let framed = format!("{:x}\r\n{chunk}\r\n", chunk.len());
            let (res, _) = stream.write_all(framed.into_bytes()).await;
            res.unwrap();
        }
        let (res, _) = stream.write_all(b"0\r\n\r\n".to_vec()).await;
        res.unwrap();
        let got = read_until(&stream, |got| got.ends_with(b"hello, chunked world")).await;
        assert!(
            got.starts_with(b"HTTP/1.1 200"),
            "{}",
            String::from_utf8_lossy(&got)
        );
        assert!(got.ends_with(b"hello, chunked world"));
    });
}

#[test]
fn an_upgraded_connection_carries_raw_bytes() {
    skip_unless_uring!();
    common::run_bounded(LIMIT, || async {
        let addr = serve();
        let stream = TcpStream::connect(addr).await.unwrap();
        let head =
            "GET /upgrade HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n";
        let (res, _) = stream.write_all(head.as_bytes().to_vec()).await;
        res.unwrap();
        let got = read_until(&stream, |got| got.windows(4).any(|w| w == b"\r\n\r\n")).await;
        assert!(
            got.starts_with(b"HTTP/1.1 101"),
            "{}",
            String::from_utf8_lossy(&got)
        );
        for round in 0..3 {
            let msg = format!("raw bytes, round {round}");
            let (res, _) = stream.write_all(msg.clone().into_bytes()).await;
            res.unwrap();
            let echoed = read_until(&stream, |got| got.len() >= msg.len()).await;
            assert_eq!(echoed, msg.as_bytes());
        }
    });
}
