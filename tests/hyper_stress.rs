//! hyper on ringio under load: 10,000 idle keep-alive connections closed at
//! once. The clients live in a child process (this one re-run with an
//! environment variable), so each side stays inside the fd limit.

mod common;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use ringio::hyper::{HyperIo, HyperTimer};
use ringio::net::{ListenOptions, TcpListener};
use std::cell::Cell;
use std::convert::Infallible;
use std::io::{Read, Write};
use std::rc::Rc;
use std::time::{Duration, Instant};

const CONNECTIONS: usize = 10_000;
const CHILD_ENV: &str = "RINGIO_HYPER_STRESS_SERVER";
const TEST: &str = "ten_thousand_idle_keep_alive_connections_closed_at_once";

async fn hello(_req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(b"hi"))))
}

/// The child: opens every connection, makes one request on each, checks
/// the answer, prints a marker, and exits with all of them still open (the
/// kernel closes them together).
fn play_the_clients(addr: &str) {
    let request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut streams = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        let stream = std::net::TcpStream::connect(addr).unwrap();
        (&stream).write_all(request).unwrap();
        streams.push(stream);
    }
    for stream in &streams {
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 256];
        while !got.ends_with(b"hi") {
            let n = (&*stream).read(&mut buf).unwrap();
            assert!(n > 0, "the server closed a keep-alive connection");
            got.extend_from_slice(&buf[..n]);
        }
        assert!(got.starts_with(b"HTTP/1.1 200"));
    }
    println!("clients done: {}", streams.len());
}

#[test]
fn ten_thousand_idle_keep_alive_connections_closed_at_once() {
    if let Ok(addr) = std::env::var(CHILD_ENV) {
        play_the_clients(&addr);
        return;
    }
    let _serial = common::serial(); // counts fds
    skip_unless_uring!();
    common::run_bounded(Duration::from_secs(120), || async {
        let before = common::fd_count();
        let options = ListenOptions {
            backlog: 4096,
            ..ListenOptions::default()
        };
        let listener = TcpListener::bind_with("127.0.0.1:0", options).unwrap();
        let addr = listener.local_addr().unwrap();
        let live = Rc::new(Cell::new(0usize));
        let served = Rc::new(Cell::new(0usize));
        let server = {
            let (live, served) = (live.clone(), served.clone());
            ringio::spawn(async move {
                loop {
                    let (stream, _) = listener.accept().await.unwrap();
                    let (live, served) = (live.clone(), served.clone());
                    live.set(live.get() + 1);
                    drop(ringio::spawn(async move {
                        let _ = hyper::server::conn::http1::Builder::new()
                            .timer(HyperTimer::new())
                            .serve_connection(
                                HyperIo::new(stream),
                                hyper::service::service_fn(hello),
                            )
                            .await;
                        live.set(live.get() - 1);
                        served.set(served.get() + 1);
                    }));
                }
            })
        };
        let child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, addr.to_string())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let out = ringio::spawn_blocking(move || child.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains(&format!("clients done: {CONNECTIONS}")),
            "the clients failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Every connection's task ends (hyper sees EOF) and its socket closes.
        let deadline = Instant::now() + Duration::from_secs(30);
        while served.get() < CONNECTIONS || live.get() > 0 {
            assert!(
                Instant::now() < deadline,
                "{} connection tasks still alive, {} ended",
                live.get(),
                served.get()
            );
            ringio::time::sleep(Duration::from_millis(10)).await;
        }
        // The listener is the only fd left beside the baseline.
        assert_eq!(
            common::fd_count(),
            before + 1,
            "no connection's socket stays open"
        );
        // And it still serves.
        let stream = ringio::net::TcpStream::connect(addr).await.unwrap();
        let (res, _) = stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec())
            .await;
        res.unwrap();
        let (n, buf) = stream.read(Vec::with_capacity(256)).await;
        assert!(n.unwrap() > 0 && buf.starts_with(b"HTTP/1.1 200"));
        server.abort();
    });
}
