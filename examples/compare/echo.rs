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
    measure_multi_with, measure_with, Client, LoadReport, MultiServer, Server, CLIENTS,
};
use std::io;

/// Its thread, as the pinning column names it.
fn client_thread(client: Client) -> &'static str {
    match client {
        Client::Ring => "1 ring client thread",
        Client::Epoll => "1 tokio client thread",
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
                (&sides, Some(on(client_thread(client), cores.map(|c| c.1)))),
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
                Some(on(client_thread(client), None)),
            ),
        )?;
        w.note = Some("server and client unpinned, sharing the cores".into());
        out.push(w);
    }
    Ok(out)
}
