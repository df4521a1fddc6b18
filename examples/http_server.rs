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
//!
//! SIGTERM or SIGINT (Ctrl-C) stops it gracefully: it stops accepting, lets
//! every connection finish the request it is on (`--grace SECS`, default
//! 10), then exits 0.

use futures_util::future::{select, Either};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use ringio::hyper::{HyperIo, HyperTimer};
use ringio::net::{ListenOptions, TcpListener};
use ringio::signal::unix::{signal, SignalKind};
use ringio::sync::CancellationToken;
use ringio::task::JoinSet;
use std::convert::Infallible;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

async fn route(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    SERVED.fetch_add(1, Ordering::Relaxed);
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

/// Requests answered, over every worker (reported at exit).
static SERVED: AtomicU64 = AtomicU64::new(0);

/// Accepts until `stop` is cancelled, one task per connection; then stops
/// accepting, lets every connection finish the request it is on (hyper's
/// graceful shutdown: no new request on a keep-alive connection), and
/// waits for them up to `grace`, after which the rest are dropped.
pub async fn serve(listener: TcpListener, stop: CancellationToken, grace: Duration) {
    let mut connections = JoinSet::new();
    loop {
        let (accept, stopped) = (pin!(listener.accept()), pin!(stop.cancelled()));
        let stream = match select(accept, stopped).await {
            Either::Left((Ok((stream, _)), _)) => stream,
            Either::Left((Err(e), _)) => {
                eprintln!("accept: {e}");
                continue;
            }
            Either::Right(_) => break,
        };
        let _ = stream.set_nodelay(true);
        let stop = stop.clone();
        connections.spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(HyperTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(HyperIo::new(stream), hyper::service::service_fn(route));
            let mut connection = pin!(connection);
            if let Either::Right((_, _)) = select(connection.as_mut(), pin!(stop.cancelled())).await
            {
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
            }
        });
        // Reap the connections that are done, so the set stays small.
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let drained = ringio::time::timeout(grace, async {
        while connections.join_next().await.is_some() {}
    });
    if drained.await.is_err() {
        eprintln!(
            "http_server: {} connections cut at the deadline",
            connections.len()
        );
    }
}

/// Listens for SIGTERM and SIGINT (Ctrl-C) from now on, and cancels
/// `stop` on the first of them.
fn stop_on_signal(stop: CancellationToken) -> std::io::Result<()> {
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    drop(ringio::spawn(async move {
        select(pin!(terminate.recv()), pin!(interrupt.recv())).await;
        eprintln!("http_server: stopping");
        stop.cancel();
    }));
    Ok(())
}

/// What the command line asks for.
pub struct Options {
    /// Where to listen.
    pub addr: String,
    /// Workers (one `SO_REUSEPORT` listener each when more than one).
    pub threads: usize,
    /// How long in-flight requests get once a stop signal arrives.
    pub grace: Duration,
}

/// Serves until SIGTERM or SIGINT, then shuts down gracefully; returns the
/// number of requests answered. `on_ready` gets the bound address once
/// the stop signals are being listened for.
pub async fn run(
    options: Options,
    on_ready: impl Fn(std::net::SocketAddr) + Send + Sync + 'static,
) -> u64 {
    let stop = CancellationToken::new();
    if let Err(e) = stop_on_signal(stop.clone()) {
        eprintln!("http_server: cannot listen for signals: {e}");
        std::process::exit(1);
    }
    let Options {
        addr,
        threads,
        grace,
    } = options;
    if threads == 1 {
        let listener = TcpListener::bind(&addr).unwrap_or_else(|e| fail(&addr, e));
        let local = listener.local_addr().unwrap();
        eprintln!("serving http://{local} (1 thread)");
        on_ready(local);
        serve(listener, stop, grace).await;
        return SERVED.load(Ordering::Relaxed);
    }
    // The pool's workers run on threads of their own; this one waits.
    let on_ready = std::sync::Arc::new(on_ready);
    let pool = ringio::spawn_blocking(move || {
        ringio::Pool::new(threads)
            .pin_cores(threads <= ringio::available_cores())
            .run(move |worker| {
                let (addr, stop, on_ready) = (addr.clone(), stop.clone(), on_ready.clone());
                async move {
                    let options = ListenOptions {
                        reuse_port: true,
                        ..ListenOptions::default()
                    };
                    let listener =
                        TcpListener::bind_with(&addr, options).unwrap_or_else(|e| fail(&addr, e));
                    if worker.index() == 0 {
                        let local = listener.local_addr().unwrap();
                        eprintln!("serving http://{local} ({} threads)", worker.pool_size());
                        on_ready(local);
                    }
                    serve(listener, stop, grace).await;
                }
            })
    });
    if let Err(e) = pool.await.unwrap_or_else(|e| Err(e.into())) {
        eprintln!("http_server: {e}");
        std::process::exit(1);
    }
    SERVED.load(Ordering::Relaxed)
}

#[ringio::main]
async fn main() {
    let mut options = Options {
        addr: "127.0.0.1:8080".to_string(),
        threads: 1,
        grace: Duration::from_secs(10),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => options.addr = args.next().unwrap_or_else(|| usage("--addr needs a value")),
            "--threads" => {
                options.threads = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n: &usize| n > 0)
                    .unwrap_or_else(|| usage("--threads needs a positive number"))
            }
            "--grace" => {
                options.grace = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .map(Duration::from_secs_f64)
                    .unwrap_or_else(|| usage("--grace needs a number of seconds"))
            }
            other => usage(&format!("unknown argument {other}")),
        }
    }
    let served = run(options, |_| {}).await;
    eprintln!("http_server: served {served} requests");
}

fn usage(msg: &str) -> ! {
    eprintln!(
        "http_server: {msg}\nusage: http_server [--addr HOST:PORT] [--threads N] [--grace SECS]"
    );
    std::process::exit(2)
}

fn fail(addr: &str, e: std::io::Error) -> ! {
    eprintln!("http_server: cannot listen on {addr}: {e}");
    std::process::exit(1)
}
