//! The ring load generator: one ringio runtime on the calling thread
//! ([`load_runtime`]: Auto, whatever driver the servers are measured on)
//! drives every connection, one request in flight on each, until the duration has
//! passed since the last connection was made. Latency is each round trip's,
//! in whole µs; a failed connect, or a connection ended by an I/O error or
//! an early EOF, counts one error. The client's and the server's CPU clocks
//! are read when the measured time starts (every connection made) and when
//! it ends (every connection's last request done).

use super::{percentiles, LoadReport};
use crate::cpu::thread_cpu;
use crate::workloads::load_runtime;
use ringio::net::TcpStream;
use std::cell::RefCell;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Ping-pong load: `connections` connections each send `size` bytes and wait
/// for the echo, for `duration` (after connecting all of them). Runs a ringio
/// runtime on the calling thread.
pub fn run_load(
    addr: SocketAddr,
    connections: usize,
    size: usize,
    duration: Duration,
) -> LoadReport {
    run_load_observed(addr, connections, size, duration, || Duration::ZERO)
}

/// [`run_load`], reading the server's CPU time with `server_cpu` when the
/// measured time starts and when it ends.
pub fn run_load_observed(
    addr: SocketAddr,
    connections: usize,
    size: usize,
    duration: Duration,
    server_cpu: impl FnMut() -> Duration,
) -> LoadReport {
    run_requests_observed(
        addr,
        connections,
        duration,
        move |_| vec![0xA5u8; size],
        size,
        server_cpu,
    )
}

/// Request/response load: each connection sends `request(n)` (for its n-th
/// request) and waits for `response_len` bytes back, for `duration`.
pub fn run_requests<R>(
    addr: SocketAddr,
    connections: usize,
    duration: Duration,
    request: R,
    response_len: usize,
) -> LoadReport
where
    R: Fn(u64) -> Vec<u8> + Clone + 'static,
{
    run_requests_observed(addr, connections, duration, request, response_len, || {
        Duration::ZERO
    })
}

/// [`run_requests`], reading the server's CPU time with `server_cpu` when
/// the measured time starts (all connections made) and when it ends (every
/// connection's last request done).
pub fn run_requests_observed<R>(
    addr: SocketAddr,
    connections: usize,
    duration: Duration,
    request: R,
    response_len: usize,
    mut server_cpu: impl FnMut() -> Duration,
) -> LoadReport
where
    R: Fn(u64) -> Vec<u8> + Clone + 'static,
{
    let size = response_len;
    let rt = load_runtime().unwrap_or_else(|e| panic!("the load generator's runtime: {e}"));
    rt.block_on(async move {
        let mut streams = Vec::with_capacity(connections);
        let mut errors = 0;
        for _ in 0..connections {
            match TcpStream::connect(addr).await {
                Ok(s) => {
                    s.set_nodelay(true).unwrap();
                    streams.push(s);
                }
                Err(_) => errors += 1,
            }
        }
        let latencies = Rc::new(RefCell::new(Vec::<u32>::with_capacity(1 << 20)));
        let (start, client0, server0) = (Instant::now(), thread_cpu(), server_cpu());
        let deadline = start + duration;
        let tasks: Vec<_> = streams
            .into_iter()
            .map(|stream| {
                let latencies = latencies.clone();
                let request = request.clone();
                ringio::spawn(async move {
                    let mut back = Vec::with_capacity(size);
                    let mut done = 0u64;
                    let mut mine = Vec::with_capacity(4096);
                    loop {
                        let t0 = Instant::now();
                        if t0 >= deadline {
                            break;
                        }
                        let (res, _) = stream.write_all(request(done)).await;
                        res?;
                        let mut got = 0;
                        while got < size {
                            back.clear();
                            let (n, b) = stream.read(back).await;
                            back = b;
                            match n? {
                                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                                n => got += n,
                            }
                        }
                        mine.push(t0.elapsed().as_micros() as u32);
                        done += 1;
                    }
                    latencies.borrow_mut().extend_from_slice(&mine);
                    Ok::<u64, io::Error>(done)
                })
            })
            .collect();
        let mut requests = 0;
        for t in tasks {
            match t.await {
                Ok(Ok(n)) => requests += n,
                _ => errors += 1,
            }
        }
        let (client1, server1) = (thread_cpu(), server_cpu());
        let elapsed = start.elapsed();
        let mut lat = std::mem::take(&mut *latencies.borrow_mut());
        let (p50_us, p99_us) = percentiles(&mut lat);
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
