//! compare's HTTP/1.1 keep-alive load generator: one ringio runtime on the
//! calling thread (`load_runtime`: Auto, whatever driver the servers are
//! measured on) drives every connection, one request in flight on each.
//! Each request is `GET / HTTP/1.1` with a `Host` header; a response counts
//! once its headers and `Content-Length` bytes of body arrived, with status
//! 200 and the body `Hello, world!` (anything else ends the connection as
//! an error). The window opens after a warm-up, and not before every
//! connection has had its first response (or ended; at most
//! [`WARM_UP_BOUND`] later): a slow machine that takes longer than the
//! warm-up to accept and serve all of them does not measure its start-up.
//! Then the client's and the server's CPU clocks are read and every
//! response completed from then until the window closes is counted, its
//! latency recorded; the clocks are read again at the close, in the same
//! step that ends the window.

use super::http_server::{find, BODY};
use futures::channel::mpsc;
use futures_util::StreamExt;
use ringio::buf::IoBuf;
use ringio::net::TcpStream;
use ringio_bench::thread_cpu;
use ringio_bench::workloads::echo::{percentiles, LoadReport};
use ringio_bench::workloads::load_runtime;
use std::cell::{Cell, RefCell};
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n";
/// Responses larger than this are an error.
const MAX_RESPONSE: usize = 64 * 1024;
/// How long the window waits, past the warm-up, for connections that have
/// not had a response yet.
pub const WARM_UP_BOUND: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    WarmUp,
    Measuring,
    Done,
}

/// Runs `connections` keep-alive connections to `addr`: `warmup`, then a
/// `duration` window. `server_cpu` reads the server's CPU clock; it is
/// called when the window opens and when it closes.
pub fn run_load(
    addr: SocketAddr,
    connections: usize,
    warmup: Duration,
    duration: Duration,
    mut server_cpu: impl FnMut() -> Duration,
) -> LoadReport {
    let rt = load_runtime().unwrap_or_else(|e| panic!("the load generator's runtime: {e}"));
    rt.block_on(async move {
        let mut streams = Vec::with_capacity(connections);
        let mut errors = 0;
        for _ in 0..connections {
            match TcpStream::connect(addr).await {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    streams.push(s);
                }
                Err(_) => errors += 1,
            }
        }
        let phase = Rc::new(Cell::new(Phase::WarmUp));
        let latencies = Rc::new(RefCell::new(Vec::<u32>::with_capacity(1 << 20)));
        // Each connection sends one mark after its first response; the
        // stream ends once every connection has sent or ended.
        let (first, firsts) = mpsc::unbounded::<()>();
        let tasks: futures_util::stream::FuturesUnordered<_> = streams
            .into_iter()
            .map(|stream| {
                let first = Some(first.clone());
                ringio::spawn(connection(stream, phase.clone(), latencies.clone(), first))
            })
            .collect();
        drop(first);
        ringio::time::sleep(warmup).await;
        let all_served = firsts.for_each(|()| async {});
        let _ = ringio::time::timeout(WARM_UP_BOUND, all_served).await;
        let (start, client0, server0) = (Instant::now(), thread_cpu(), server_cpu());
        phase.set(Phase::Measuring);
        ringio::time::sleep(duration).await;
        let (client1, server1) = (thread_cpu(), server_cpu());
        let elapsed = start.elapsed();
        phase.set(Phase::Done);
        let results: Vec<_> = tasks.collect().await;
        let mut requests = 0;
        for result in results {
            match result {
                Ok(Ok(n)) => requests += n,
                _ => errors += 1,
            }
        }
        let (p50_us, p99_us) = percentiles(&mut latencies.borrow_mut());
        LoadReport {
            requests,
            errors,
            elapsed,
            p50_us,
            p99_us,
            client_cpu: client1.saturating_sub(client0),
            server_cpu: server1.saturating_sub(server0),
        }
    })
}

/// One connection's request loop; returns the responses counted in the
/// window.
async fn connection(
    stream: TcpStream,
    phase: Rc<Cell<Phase>>,
    latencies: Rc<RefCell<Vec<u32>>>,
    mut first: Option<mpsc::UnboundedSender<()>>,
) -> io::Result<u64> {
    let mut buf = Vec::with_capacity(4096);
    let mut mine = Vec::with_capacity(1 << 14);
    let mut counted = 0;
    while phase.get() != Phase::Done {
        let t0 = Instant::now();
        let (res, _) = stream.write_all(REQUEST).await;
        res?;
        buf = read_response(&stream, buf).await?;
        if let Some(first) = first.take() {
            let _ = first.unbounded_send(());
        }
        if phase.get() == Phase::Measuring {
            mine.push(t0.elapsed().as_micros() as u32);
            counted += 1;
        }
    }
    latencies.borrow_mut().extend_from_slice(&mine);
    Ok(counted)
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

/// Reads one whole response into `buf` (which holds what the last read
/// left after the previous one), checks it, and returns the buffer with
/// the response taken out.
async fn read_response(stream: &TcpStream, mut buf: Vec<u8>) -> io::Result<Vec<u8>> {
    loop {
        if let Some(head_end) = find(&buf, b"\r\n\r\n") {
            let total = head_end + 4 + content_length(&buf[..head_end])?;
            if total > MAX_RESPONSE {
                return Err(invalid("response too large"));
            }
            if buf.len() >= total {
                if &buf[head_end + 4..total] != BODY {
                    return Err(invalid("unexpected body"));
                }
                buf.drain(..total);
                return Ok(buf);
            }
        } else if buf.len() >= MAX_RESPONSE {
            return Err(invalid("response headers too large"));
        }
        if buf.len() == buf.capacity() {
            buf.reserve(4096);
        }
        let filled = buf.len();
        let (n, b) = stream.read(buf.slice(filled..)).await;
        buf = b.into_inner();
        if n? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    }
}

/// Checks the status line of `head` (the headers without the blank line)
/// and returns its `Content-Length`.
fn content_length(head: &[u8]) -> io::Result<usize> {
    let mut lines = head.split(|&b| b == b'\n');
    let status = lines.next().unwrap_or_default();
    if !status.starts_with(b"HTTP/1.1 200 ") {
        return Err(invalid("status is not 200"));
    }
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        if line[..colon].eq_ignore_ascii_case(b"content-length") {
            return std::str::from_utf8(&line[colon + 1..])
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .ok_or_else(|| invalid("bad content-length"));
        }
    }
    Err(invalid("no content-length"))
}
