//! A hyper HTTP/1.1 client on ringio with a small per-host keep-alive pool.
//!
//! ```text
//! cargo run --release --example http_server &
//! cargo run --release --example http_client -- http://127.0.0.1:8080/ --requests 100 --concurrency 4
//! ```
//!
//! hyper-util's pooled `Client` needs `Send` I/O and does not compile over
//! ringio's `!Send` streams; outbound HTTP goes through hyper's
//! `client::conn` per connection, as here. The pool keeps idle connections
//! per host and hands them out again; a connection hyper reports closed is
//! dropped.

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, Uri};
use ringio::hyper::HyperIo;
use ringio::net::TcpStream;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

type Sender = SendRequest<Empty<Bytes>>;

/// Idle keep-alive connections by `host:port`.
#[derive(Default, Clone)]
struct Pool {
    idle: Rc<RefCell<HashMap<String, Vec<Sender>>>>,
}

impl Pool {
    /// An idle connection to `authority`, or a new one.
    async fn checkout(&self, authority: &str) -> Result<Sender, Box<dyn std::error::Error>> {
        let reused = {
            let mut idle = self.idle.borrow_mut();
            let senders = idle.entry(authority.to_owned()).or_default();
            std::iter::from_fn(|| senders.pop()).find(|s| !s.is_closed())
        };
        if let Some(sender) = reused {
            return Ok(sender);
        }
        let stream = TcpStream::connect(authority).await?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::handshake(HyperIo::new(stream)).await?;
        // The connection's task ends when its sender is dropped.
        drop(ringio::spawn(conn));
        Ok(sender)
    }

    /// Gives a connection back for the next request to `authority`.
    fn checkin(&self, authority: &str, sender: Sender) {
        if !sender.is_closed() {
            let mut idle = self.idle.borrow_mut();
            idle.entry(authority.to_owned()).or_default().push(sender);
        }
    }

    /// GETs `uri`; returns the status and the body's length.
    async fn get(&self, uri: &Uri) -> Result<(u16, usize), Box<dyn std::error::Error>> {
        let authority = uri.authority().ok_or("the URL needs a host")?.to_string();
        let authority = if authority.contains(':') {
            authority
        } else {
            format!("{authority}:80")
        };
        let mut sender = self.checkout(&authority).await?;
        sender.ready().await?;
        let req = Request::get(uri.path_and_query().map_or("/", |p| p.as_str()))
            .header("host", &authority)
            .body(Empty::new())?;
        let response = sender.send_request(req).await?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await?.to_bytes();
        self.checkin(&authority, sender);
        Ok((status, body.len()))
    }
}

#[ringio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut url = None;
    let (mut requests, mut concurrency) = (1usize, 1usize);
    while let Some(arg) = args.next() {
        let mut number = || args.next().and_then(|v| v.parse().ok()).filter(|&n| n > 0);
        match arg.as_str() {
            "--requests" => requests = number().ok_or("--requests needs a positive number")?,
            "--concurrency" => {
                concurrency = number().ok_or("--concurrency needs a positive number")?
            }
            other if url.is_none() => url = Some(other.parse::<Uri>()?),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let url = url.ok_or("usage: http_client URL [--requests N] [--concurrency N]")?;
    if url.scheme_str() != Some("http") {
        return Err("only http:// URLs (no TLS in this example)".into());
    }
    let pool = Pool::default();
    let started = std::time::Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|w| {
            let (pool, url) = (pool.clone(), url.clone());
            let share = requests / concurrency + usize::from(w < requests % concurrency);
            ringio::spawn(async move {
                let mut bytes = 0;
                for _ in 0..share {
                    let (status, len) = pool.get(&url).await.map_err(|e| e.to_string())?;
                    if status != 200 {
                        return Err(format!("status {status}"));
                    }
                    bytes += len;
                }
                Ok::<_, String>(bytes)
            })
        })
        .collect();
    let mut bytes = 0;
    for worker in workers {
        bytes += worker.await.map_err(|e| e.to_string())??;
    }
    let elapsed = started.elapsed();
    let connections: usize = pool.idle.borrow().values().map(Vec::len).sum();
    println!(
        "{requests} requests, {bytes} body bytes, {connections} keep-alive connections, {:.0} req/s",
        requests as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}
