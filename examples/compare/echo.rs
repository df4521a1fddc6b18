//! Workloads 1 and 2: TCP echo, one server thread, and thread-per-core.
//!
//! Every cell runs twice, once per load generator, as separate workloads
//! named by client: the ring client (`ringio_bench`'s `echo::ring_client`,
//! one ringio ring driving every connection) and the epoll client
//! (`echo::epoll_client`, one tokio current-thread runtime driving every
//! connection), with the same protocol. Each workload pairs the ringio
//! server with the tokio server, round by round. The server's CPU clocks
//! and the client thread's are read when the measured time starts and when
//! it ends; server CPU per request and both busy fractions (CPU time over
//! the measured wall time, the server's summed over its threads) come from
//! those readings.

use super::fairness::{on, LIMIT};
use super::results::{busy, Sample, Workload};
use super::Run;
use ringio_bench::workloads::echo::{
    epoll_client, measure_multi_with, measure_with, ring_client, LoadReport, MultiServer, Server,
};
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

/// The echo load generators.
#[derive(Clone, Copy, Debug)]
pub enum Client {
    /// One ringio ring.
    Ring,
    /// One tokio current-thread runtime (epoll).
    Epoll,
}

/// Both clients, in the order their workloads run.
pub const CLIENTS: [Client; 2] = [Client::Ring, Client::Epoll];

impl Client {
    /// The suffix of the workload's name.
    fn label(self) -> &'static str {
        match self {
            Client::Ring => "ring client",
            Client::Epoll => "epoll client",
        }
    }

    /// Its thread, as the pinning column names it.
    fn thread(self) -> &'static str {
        match self {
            Client::Ring => "1 ring client thread",
            Client::Epoll => "1 tokio client thread",
        }
    }

    /// Runs this client's ping-pong load against `addr` on the calling
    /// thread.
    fn load(
        self,
        addr: SocketAddr,
        connections: usize,
        size: usize,
        duration: Duration,
        server_cpu: &mut dyn FnMut() -> Duration,
    ) -> io::Result<LoadReport> {
        match self {
            Client::Ring => Ok(ring_client::run_load_observed(
                addr,
                connections,
                size,
                duration,
                server_cpu,
            )),
            Client::Epoll => epoll_client::run_load(addr, connections, size, duration, server_cpu),
        }
    }
}

fn size_name(size: usize) -> String {
    if size >= 1024 && size.is_multiple_of(1024) {
        format!("{} KiB", size / 1024)
    } else {
        format!("{size} B")
    }
}

/// A sample from a load report whose CPU readings cover its measured time.
fn sample(report: &LoadReport, size: usize, stats: Option<ringio::Stats>) -> Sample {
    Sample {
        server_busy: busy(report.server_cpu, report.elapsed),
        client_busy: busy(report.client_cpu, report.elapsed),
        ..Sample::from_load(report, report.server_cpu, size, stats)
    }
}

/// One server thread pinned to core 0, the load generator to core 1; the
/// limit is a raw io-uring echo loop on the same core.
pub fn single_thread(run: &mut Run<'_>) -> io::Result<Vec<Workload>> {
    let cores = (ringio::available_cores() >= 2).then_some((0, 1));
    let server = on("1 server thread", cores.map(|c| c.0));
    let sides = [server.clone(), server.clone(), server];
    let duration = run.config.duration;
    let mut out = Vec::new();
    for &(connections, size) in &run.config.echo_cells.clone() {
        for client in CLIENTS {
            let name = format!(
                "{connections} conns × {}, {}",
                size_name(size),
                client.label()
            );
            let one = |server: Server| {
                move || {
                    let (report, _, stats) = measure_with(server, cores, |addr, server_cpu| {
                        client.load(addr, connections, size, duration, server_cpu)
                    });
                    Ok(sample(&report?, size, stats))
                }
            };
            let w = run.ab(
                "echo",
                &name,
                "req/s",
                vec![
                    ("ringio", Box::new(one(Server::Ringio))),
                    ("tokio current-thread", Box::new(one(Server::Tokio))),
                    (LIMIT, Box::new(one(Server::RawRing))),
                ],
                (&sides, Some(on(client.thread(), cores.map(|c| c.1)))),
            )?;
            out.push(w);
        }
    }
    Ok(out)
}

/// `available_cores()` ringio workers (one SO_REUSEPORT listener each) vs
/// tokio's multi-thread runtime with as many workers; the client shares the
/// cores (no pinning).
pub fn thread_per_core(run: &mut Run<'_>) -> io::Result<Vec<Workload>> {
    let threads = ringio::available_cores();
    let workers = on(&format!("{threads} workers"), None);
    let (connections, size) = if run.config.custom_cells {
        run.config.echo_cells[0]
    } else {
        (256, 64)
    };
    let duration = run.config.duration;
    let mut out = Vec::new();
    for client in CLIENTS {
        let one = |server: MultiServer| {
            move || {
                let (report, _) = measure_multi_with(server, |addr, server_cpu| {
                    client.load(addr, connections, size, duration, server_cpu)
                });
                Ok(sample(&report?, size, None))
            }
        };
        let name = format!(
            "{threads} threads, {connections} conns × {}, {}",
            size_name(size),
            client.label()
        );
        let mut w = run.ab(
            "pool",
            &name,
            "req/s",
            vec![
                (
                    "ringio Pool",
                    Box::new(one(MultiServer::RingioPool(threads))),
                ),
                (
                    "tokio multi-thread",
                    Box::new(one(MultiServer::TokioMulti(threads))),
                ),
            ],
            (
                &[workers.clone(), workers.clone()],
                Some(on(client.thread(), None)),
            ),
        )?;
        w.note = Some("server and client unpinned, sharing the cores".into());
        out.push(w);
    }
    Ok(out)
}
