//! The epoll load generator: one tokio current-thread runtime on the
//! calling thread drives every connection, with the protocol and the
//! measurement of the [ring client](super::ring_client): each connection
//! sends `size` bytes and waits for all of them to come back before the
//! next, one message in flight per connection, until `duration` has passed
//! since the last connection was made. Latency is each round trip's, in
//! whole µs; a failed connect, or a connection ended by an I/O error or an
//! early EOF, counts one error. The client's and the server's CPU clocks
//! are read when the measured time starts (every connection made) and when
//! it ends (every connection's last round trip done).

use super::{percentiles, LoadReport};
use crate::cpu::thread_cpu;
use crate::workloads::tokio_current_thread;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Runs the load against `addr` with `connections` connections and
/// `size`-byte messages; `server_cpu` reads the server's CPU clock.
///
/// # Errors
///
/// When tokio's runtime cannot be built; connection failures are counted in
/// the report.
pub fn run_load(
    addr: SocketAddr,
    connections: usize,
    size: usize,
    duration: Duration,
    mut server_cpu: impl FnMut() -> Duration,
) -> io::Result<LoadReport> {
    let rt = tokio_current_thread()?;
    Ok(rt.block_on(async move {
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
        let (start, client0, server0) = (Instant::now(), thread_cpu(), server_cpu());
        let deadline = start + duration;
        let tasks: Vec<_> = streams
            .into_iter()
            .map(|stream| tokio::spawn(connection(stream, size, deadline)))
            .collect();
        let mut requests = 0;
        let mut latencies = Vec::<u32>::with_capacity(1 << 20);
        for t in tasks {
            match t.await {
                Ok(Ok((n, mine))) => {
                    requests += n;
                    latencies.extend_from_slice(&mine);
                }
                _ => errors += 1,
            }
        }
        let (client1, server1) = (thread_cpu(), server_cpu());
        let elapsed = start.elapsed();
        let (p50_us, p99_us) = percentiles(&mut latencies);
        LoadReport {
            requests,
            errors,
            elapsed,
            p50_us,
            p99_us,
            client_cpu: client1.saturating_sub(client0),
            server_cpu: server1.saturating_sub(server0),
        }
    }))
}

/// One connection's round trips until `deadline`: how many, and each one's
/// latency in µs.
async fn connection(
    mut stream: TcpStream,
    size: usize,
    deadline: Instant,
) -> io::Result<(u64, Vec<u32>)> {
    let message = vec![0xA5u8; size];
    let mut back = vec![0u8; size];
    let mut done = 0u64;
    let mut mine = Vec::with_capacity(4096);
    loop {
        let t0 = Instant::now();
        if t0 >= deadline {
            break;
        }
        stream.write_all(&message).await?;
        let mut got = 0;
        while got < size {
            match stream.read(&mut back[got..]).await? {
                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                n => got += n,
            }
        }
        mine.push(t0.elapsed().as_micros() as u32);
        done += 1;
    }
    Ok((done, mine))
}
