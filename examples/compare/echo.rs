//! Workloads 1 and 2: TCP echo, one server thread, and thread-per-core.

use super::results::{Sample, Workload};
use super::support::{measure_multi, measure_with_stats, MultiServer, Server};
use super::Run;
use std::io;

fn size_name(size: usize) -> String {
    if size >= 1024 && size.is_multiple_of(1024) {
        format!("{} KiB", size / 1024)
    } else {
        format!("{size} B")
    }
}

/// One server thread pinned to core 0, the load generator to core 1.
pub fn single_thread(run: &mut Run<'_>) -> io::Result<Vec<Workload>> {
    let cores = (ringio::available_cores() >= 2).then_some((0, 1));
    let duration = run.config.duration;
    let mut out = Vec::new();
    for &(connections, size) in &run.config.echo_cells.clone() {
        let name = format!("{connections} conns × {}", size_name(size));
        let one = |server: Server| {
            move || {
                let (report, cpu, stats) =
                    measure_with_stats(server, connections, size, duration, cores);
                Ok(Sample::from_load(&report, cpu, size, stats))
            }
        };
        let w = run.ab(
            "echo",
            &name,
            "req/s",
            vec![
                ("ringio", Box::new(one(Server::Ringio))),
                ("tokio current-thread", Box::new(one(Server::Tokio))),
            ],
        )?;
        out.push(w);
    }
    Ok(out)
}

/// `available_cores()` ringio workers (one SO_REUSEPORT listener each) vs
/// tokio's multi-thread runtime with as many workers; the client shares the
/// cores (no pinning).
pub fn thread_per_core(run: &mut Run<'_>) -> io::Result<Vec<Workload>> {
    let threads = ringio::available_cores();
    let (connections, size) = if run.config.custom_cells {
        run.config.echo_cells[0]
    } else {
        (256, 64)
    };
    let duration = run.config.duration;
    let one = |server: MultiServer| {
        move || {
            let (report, cpu) = measure_multi(server, connections, size, duration);
            Ok(Sample::from_load(&report, cpu, size, None))
        }
    };
    let w = run.ab(
        "pool",
        &format!(
            "{threads} threads, {connections} conns × {}",
            size_name(size)
        ),
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
    )?;
    Ok(vec![w])
}
