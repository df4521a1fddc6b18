//! hyper 1.x on ringio: servers and clients over `ringio::hyper`, against
//! hyper on tokio and against themselves.

mod common;

use common::run_bounded;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use ringio::hyper::{HyperExecutor, HyperIo, HyperTimer};
use ringio::net::{TcpListener, TcpStream};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

/// Answers with the request's path, then its body (so every response says
/// which request it answers).
async fn answer(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let mut out = path.into_bytes();
    out.extend_from_slice(&body);
    Ok(Response::new(Full::new(Bytes::from(out))))
}

/// Serves HTTP/1.1 on a fresh loopback listener, one task per connection.
fn serve_http1(header_timeout: Option<Duration>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(ringio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            drop(ringio::spawn(async move {
                let mut builder = hyper::server::conn::http1::Builder::new();
                builder.timer(HyperTimer::new());
                if let Some(timeout) = header_timeout {
                    builder.header_read_timeout(timeout);
                }
                let _ = builder
                    .serve_connection(HyperIo::new(stream), hyper::service::service_fn(answer))
                    .await;
            }));
        }
    }));
    addr
}

async fn body_of(response: Response<Incoming>) -> Vec<u8> {
    response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec()
}

#[test]
fn a_hyper_client_on_tokio_talks_to_a_hyper_server_on_ringio() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let addr = serve_http1(None);
        let (done_tx, done_rx) = futures::channel::oneshot::channel();
        let client = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
                let io = hyper_util::rt::TokioIo::new(stream);
                let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
                tokio::spawn(conn);
                for i in 0..100 {
                    let req = Request::post(format!("/req{i}"))
                        .body(Full::new(Bytes::from(format!(":{i}"))))
                        .unwrap();
                    let response = sender.send_request(req).await.unwrap();
                    assert_eq!(response.status(), 200);
                    let body = response.into_body().collect().await.unwrap().to_bytes();
                    assert_eq!(body, format!("/req{i}:{i}").as_bytes());
                }
            });
            let _ = done_tx.send(());
        });
        // The client runs on its own thread while this runtime serves; a
        // panic there drops the sender and surfaces at the join.
        let _ = done_rx.await;
        client.join().unwrap();
    });
}

#[test]
fn a_thousand_keep_alive_requests_over_sixty_four_ringio_connections() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let addr = serve_http1(None);
        let clients: Vec<_> = (0..64)
            .map(|c| {
                ringio::spawn(async move {
                    let stream = TcpStream::connect(addr).await.unwrap();
                    let (mut sender, conn) =
                        hyper::client::conn::http1::handshake(HyperIo::new(stream))
                            .await
                            .unwrap();
                    drop(ringio::spawn(conn));
                    let mut checked = 0;
                    for r in (c..1000).step_by(64) {
                        let req = Request::post(format!("/{r}"))
                            .body(Full::new(Bytes::from(vec![b'x'; r % 300])))
                            .unwrap();
                        let body = body_of(sender.send_request(req).await.unwrap()).await;
                        let mut expected = format!("/{r}").into_bytes();
                        expected.extend(std::iter::repeat_n(b'x', r % 300));
                        assert_eq!(body, expected);
                        checked += 1;
                    }
                    checked
                })
            })
            .collect();
        let mut total = 0;
        for client in clients {
            total += client.await.unwrap();
        }
        assert_eq!(total, 1000);
    });
}

#[test]
fn a_body_larger_than_the_buffers_goes_both_ways() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let addr = serve_http1(None);
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::handshake(HyperIo::new(stream))
            .await
            .unwrap();
        drop(ringio::spawn(conn));
        let big: Vec<u8> = (0..4 << 20).map(|i: u32| (i ^ (i >> 9)) as u8).collect();
        let req = Request::post("/big")
            .body(Full::new(Bytes::from(big.clone())))
            .unwrap();
        let body = body_of(sender.send_request(req).await.unwrap()).await;
        assert_eq!(&body[..4], b"/big");
        assert!(body[4..] == big[..], "4 MiB came back intact");
    });
}

#[test]
fn h2c_through_the_hyper_executor() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(ringio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let _ = hyper::server::conn::http2::Builder::new(HyperExecutor::new())
                .timer(HyperTimer::new())
                .serve_connection(HyperIo::new(stream), hyper::service::service_fn(answer))
                .await;
        }));
        let stream = TcpStream::connect(addr).await.unwrap();
        let (sender, conn) =
            hyper::client::conn::http2::handshake(HyperExecutor::new(), HyperIo::new(stream))
                .await
                .unwrap();
        drop(ringio::spawn(conn));
        // Concurrent streams on one connection.
        let requests: Vec<_> = (0..50)
            .map(|i| {
                let mut sender = sender.clone();
                ringio::spawn(async move {
                    let req = Request::post(format!("/h2/{i}"))
                        .body(Full::new(Bytes::from("!")))
                        .unwrap();
                    let response = sender.send_request(req).await.unwrap();
                    assert_eq!(response.version(), hyper::Version::HTTP_2);
                    assert_eq!(body_of(response).await, format!("/h2/{i}!").into_bytes());
                })
            })
            .collect();
        for r in requests {
            r.await.unwrap();
        }
    });
}

#[test]
fn the_header_read_timeout_closes_a_connection_that_sends_half_a_header() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let addr = serve_http1(Some(Duration::from_millis(100)));
        let stream = TcpStream::connect(addr).await.unwrap();
        let (res, _) = stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec())
            .await;
        res.unwrap();
        let started = std::time::Instant::now();
        // hyper answers a timed-out header with 408 or just closes: either
        // way the connection ends.
        let mut got = Vec::new();
        loop {
            let (n, buf) = stream.read(Vec::with_capacity(1024)).await;
            match n {
                Ok(0) | Err(_) => break,
                Ok(_) => got.extend_from_slice(&buf),
            }
        }
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(90),
            "closed after {waited:?}"
        );
        assert!(
            got.is_empty() || got.starts_with(b"HTTP/1.1 408"),
            "{:?}",
            String::from_utf8_lossy(&got)
        );
        // The server still serves.
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::handshake(HyperIo::new(stream))
            .await
            .unwrap();
        drop(ringio::spawn(conn));
        let req = Request::get("/after")
            .body(Full::new(Bytes::new()))
            .unwrap();
        assert_eq!(
            body_of(sender.send_request(req).await.unwrap()).await,
            b"/after"
        );
    });
}

#[test]
fn a_client_that_resets_mid_request_leaves_the_server_serving() {
    let _serial = common::serial(); // counts fds
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let addr = serve_http1(None);
        let before = common::fd_count();
        for _ in 0..20 {
            let stream = std::net::TcpStream::connect(addr).unwrap();
            use std::io::Write;
            (&stream)
                .write_all(b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc")
                .unwrap();
            // SO_LINGER 0: the close sends a reset.
            socket2::SockRef::from(&stream)
                .set_linger(Some(Duration::ZERO))
                .unwrap();
            drop(stream);
        }
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::handshake(HyperIo::new(stream))
            .await
            .unwrap();
        let conn = ringio::spawn(conn);
        let req = Request::get("/alive")
            .body(Full::new(Bytes::new()))
            .unwrap();
        assert_eq!(
            body_of(sender.send_request(req).await.unwrap()).await,
            b"/alive"
        );
        drop(sender);
        conn.await.unwrap().unwrap();
        // Every reset connection's task ends and its socket closes.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while common::fd_count() > before {
            assert!(
                std::time::Instant::now() < deadline,
                "sockets of reset connections stay open"
            );
            ringio::time::sleep(Duration::from_millis(5)).await;
        }
    });
}
