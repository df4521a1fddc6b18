//! The servers of the `http` group: hyper 1.x's hello world and a
//! hand-rolled responder, each on ringio and on tokio, with the same
//! settings and the same parsing code on both sides.
//!
//! hyper: `http1::Builder` with a timer (`HyperTimer` or `TokioTimer`) and
//! a 10 s header-read timeout, keep-alive, nodelay, one task per
//! connection. Hand-rolled: requests are bodiless GETs; each read appends
//! to an owned buffer, the complete requests in it (each ends at
//! `\r\n\r\n`; several when the client pipelines) are counted, and one
//! `write_all` sends a canned 200 response per request.

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::{Request, Response};
use ringio::buf::IoBuf;
use std::borrow::Cow;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

/// The response body.
pub const BODY: &[u8] = b"Hello, world!";

/// The hand-rolled responder's response: hyper's headers for the same body
/// (`content-length` and a `date` of the same length).
pub const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\ncontent-length: 13\r\ndate: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\nHello, world!";

/// A connection's read buffer (a request that does not fit closes it).
const READ_BUF: usize = 4096;

/// What answers the requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum App {
    /// hyper's HTTP/1.1 server connection and `service_fn`.
    Hyper,
    /// The hand-rolled responder.
    Raw,
}

async fn hello(_req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(BODY))))
}

/// hyper's HTTP/1.1 settings, the same on both runtimes.
fn http1_builder<T>(timer: T) -> http1::Builder
where
    T: hyper::rt::Timer + Send + Sync + 'static,
{
    let mut builder = http1::Builder::new();
    builder
        .timer(timer)
        .header_read_timeout(Duration::from_secs(10));
    builder
}

/// The complete requests at the front of `buf`: how many, and where the
/// last one ends.
pub fn complete_requests(buf: &[u8]) -> (usize, usize) {
    let (mut count, mut end) = (0, 0);
    while let Some(at) = find(&buf[end..], b"\r\n\r\n") {
        end += at + 4;
        count += 1;
    }
    (count, end)
}

/// Where `needle` first occurs in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The responses to `count` requests, back to back.
fn responses(count: usize) -> Cow<'static, [u8]> {
    if count == 1 {
        Cow::Borrowed(RESPONSE)
    } else {
        Cow::Owned(RESPONSE.repeat(count))
    }
}

/// A listener on `addr` with ringio's default backlog (1024), for both
/// runtimes: hundreds of connections arrive at once.
pub fn listener(addr: SocketAddr, reuse_port: bool) -> io::Result<std::net::TcpListener> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(reuse_port)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

/// Accepts forever on ringio; one task per connection.
pub async fn ringio_accept(listener: ringio::net::TcpListener, app: App) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        drop(ringio::spawn(async move {
            match app {
                App::Hyper => {
                    let _ = http1_builder(ringio::hyper::HyperTimer::new())
                        .serve_connection(
                            ringio::hyper::HyperIo::new(stream),
                            hyper::service::service_fn(hello),
                        )
                        .await;
                }
                App::Raw => ringio_raw(stream).await,
            }
        }));
    }
}

async fn ringio_raw(stream: ringio::net::TcpStream) {
    let mut buf = Vec::with_capacity(READ_BUF);
    loop {
        let filled = buf.len();
        let (n, b) = stream.read(buf.slice(filled..)).await;
        buf = b.into_inner();
        if !matches!(n, Ok(n) if n > 0) {
            return;
        }
        let (count, end) = complete_requests(&buf);
        if count == 0 {
            if buf.len() == buf.capacity() {
                return;
            }
            continue;
        }
        buf.drain(..end);
        let res = match responses(count) {
            Cow::Borrowed(canned) => stream.write_all(canned).await.0,
            Cow::Owned(several) => stream.write_all(several).await.0,
        };
        if res.is_err() {
            return;
        }
    }
}

/// Accepts forever on tokio (current-thread or multi-thread); one task per
/// connection.
pub async fn tokio_accept(listener: tokio::net::TcpListener, app: App) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            match app {
                App::Hyper => {
                    let _ = http1_builder(hyper_util::rt::TokioTimer::new())
                        .serve_connection(
                            hyper_util::rt::TokioIo::new(stream),
                            hyper::service::service_fn(hello),
                        )
                        .await;
                }
                App::Raw => tokio_raw(stream).await,
            }
        });
    }
}

async fn tokio_raw(mut stream: tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; READ_BUF];
    let mut filled = 0;
    loop {
        match stream.read(&mut buf[filled..]).await {
            Ok(n) if n > 0 => filled += n,
            _ => return,
        }
        let (count, end) = complete_requests(&buf[..filled]);
        if count == 0 {
            if filled == buf.len() {
                return;
            }
            continue;
        }
        buf.copy_within(end..filled, 0);
        filled -= end;
        if stream.write_all(&responses(count)).await.is_err() {
            return;
        }
    }
}
