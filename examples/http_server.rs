//! hyper on ringio: a hello world and a small JSON route, HTTP/1.1 with
//! keep-alive.
//!
//! ```text
//! cargo run --release --example http_server -- --addr 127.0.0.1:8080
//! cargo run --release --example http_server -- --addr 127.0.0.1:8080 --threads 2
//! curl http://127.0.0.1:8080/            # Hello, world!
//! curl http://127.0.0.1:8080/json?n=3    # {"n":3,"squares":[0,1,4]}
//! ```
//! With `--threads N` every worker of a `ringio::Pool` binds its own
//! `SO_REUSEPORT` listener on the address and serves the connections the
//! kernel hands it.

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use ringio::hyper::{HyperIo, HyperTimer};
use ringio::net::{ListenOptions, TcpListener};
use std::convert::Infallible;
use std::time::Duration;

async fn route(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let response = match req.uri().path() {
        "/" => Response::new(Full::new(Bytes::from_static(b"Hello, world!"))),
        "/json" => {
            let n: u64 = req
                .uri()
                .query()
                .and_then(|q| q.strip_prefix("n="))
                .and_then(|n| n.parse().ok())
                .unwrap_or(10)
                .min(1000);
            let squares: Vec<u64> = (0..n).map(|i| i * i).collect();
            let body = serde_json::json!({ "n": n, "squares": squares }).to_string();
            Response::builder()
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(body)))
                .expect("a valid response")
        }
        _ => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Full::new(Bytes::from_static(b"not found")))
            .expect("a valid response"),
    };
    Ok(response)
}

/// Accepts forever; one task per connection.
async fn serve(listener: TcpListener) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                eprintln!("accept: {e}");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        drop(ringio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(HyperTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(HyperIo::new(stream), hyper::service::service_fn(route))
                .await;
        }));
    }
}

#[ringio::main]
async fn main() {
    let mut addr = "127.0.0.1:8080".to_string();
    let mut threads = 1;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => addr = args.next().unwrap_or_else(|| usage("--addr needs a value")),
            "--threads" => {
                threads = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n: &usize| n > 0)
                    .unwrap_or_else(|| usage("--threads needs a positive number"))
            }
            other => usage(&format!("unknown argument {other}")),
        }
    }
    if threads == 1 {
        let listener = TcpListener::bind(&addr).unwrap_or_else(|e| fail(&addr, e));
        eprintln!(
            "serving http://{} (1 thread)",
            listener.local_addr().unwrap()
        );
        serve(listener).await;
        return;
    }
    // The pool's workers run on threads of their own; this one waits.
    let pool = ringio::spawn_blocking(move || {
        ringio::Pool::new(threads)
            .pin_cores(threads <= ringio::available_cores())
            .run(move |worker| {
                let addr = addr.clone();
                async move {
                    let options = ListenOptions {
                        reuse_port: true,
                        ..ListenOptions::default()
                    };
                    let listener =
                        TcpListener::bind_with(&addr, options).unwrap_or_else(|e| fail(&addr, e));
                    if worker.index() == 0 {
                        eprintln!(
                            "serving http://{} ({} threads)",
                            listener.local_addr().unwrap(),
                            worker.pool_size()
                        );
                    }
                    serve(listener).await;
                }
            })
    });
    if let Err(e) = pool.await {
        eprintln!("http_server: {e}");
        std::process::exit(1);
    }
}

fn usage(msg: &str) -> ! {
    eprintln!("http_server: {msg}\nusage: http_server [--addr HOST:PORT] [--threads N]");
    std::process::exit(2)
}

fn fail(addr: &str, e: std::io::Error) -> ! {
    eprintln!("http_server: cannot listen on {addr}: {e}");
    std::process::exit(1)
}
