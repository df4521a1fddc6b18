//! TCP echo, one server thread: ringio vs tokio current-thread, same load
//! generator (every connection on one ringio ring), server and client pinned
//! to different cores, A/B/A/B rounds, medians.
//!
//! ```text
//! cargo bench --bench echo                 # every cell
//! cargo bench --bench echo -- 64x64        # connections x size filter
//! BENCH_ROUNDS=5 BENCH_SECS=3 cargo bench --bench echo
//! ```
//! Reports req/s and the server thread's CPU time per request (getrusage),
//! which separates server efficiency from the client's ceiling.

mod common;
#[path = "../examples/support/echo.rs"]
mod echo;

use echo::{measure, measure_multi, MultiServer, Server};
use std::time::Duration;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// The thread-per-core table: a ringio pool vs tokio's multi-thread
/// runtime, same worker count, no pinning (the client shares the cores).
fn multi_thread(duration: Duration) {
    let threads = ringio::available_cores();
    println!(
        "\n### TCP echo, {threads} server threads (median of {} rounds; client unpinned, shares the cores)\n",
        common::rounds()
    );
    println!("| conns × size | ringio pool req/s | tokio multi-thread req/s | ratio | ringio µs CPU/req | tokio µs CPU/req | CPU ratio |");
    println!("|---|---|---|---|---|---|---|");
    for (connections, size) in [(256usize, 64usize)] {
        let mut rows = [(Vec::new(), Vec::new()), (Vec::new(), Vec::new())];
        for round in 0..=common::rounds() {
            for (i, server) in [
                MultiServer::RingioPool(threads),
                MultiServer::TokioMulti(threads),
            ]
            .into_iter()
            .enumerate()
            {
                let (report, cpu) = measure_multi(server, connections, size, duration);
                assert_eq!(report.errors, 0, "{server:?}: connection errors");
                if round > 0 {
                    rows[i].0.push(report.rate());
                    rows[i]
                        .1
                        .push(cpu.as_secs_f64() * 1e6 / report.requests as f64);
                }
            }
        }
        let [r, t] = rows.map(|(rate, cpu)| (median(rate), median(cpu)));
        println!(
            "| {connections} × {size} B | {:.0}k | {:.0}k | {:.2}× | {:.2} | {:.2} | {:.2}× |",
            r.0 / 1e3,
            t.0 / 1e3,
            r.0 / t.0,
            r.1,
            t.1,
            r.1 / t.1
        );
    }
}

fn main() {
    let secs: f64 = std::env::var("BENCH_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2.0);
    let duration = Duration::from_secs_f64(secs);
    if common::selected("pool") {
        multi_thread(duration);
    }
    if std::env::args().skip(1).any(|a| a == "pool") {
        return;
    }
    let cores =
        (std::thread::available_parallelism().map_or(1, |n| n.get()) >= 2).then_some((0, 1));
    println!(
        "\n### TCP echo, one server thread (median of {} rounds, {secs} s each; server core 0, client core 1)\n",
        common::rounds()
    );
    println!("| conns × size | ringio read req/s | ringio multishot req/s | tokio req/s | ratio read / multishot | ringio read µs CPU/req | multishot µs CPU/req | tokio µs CPU/req | CPU ratio read / multishot | multishot p50/p99 µs | tokio p50/p99 µs |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for connections in [16usize, 64, 256] {
        for size in [64usize, 1024, 16 * 1024] {
            let name = format!("{connections}x{size}");
            if !common::selected(&name) {
                continue;
            }
            let servers = [Server::Ringio, Server::RingioMultishot, Server::Tokio];
            let mut rows = servers.map(|_| (Vec::new(), Vec::new(), Vec::new(), Vec::new()));
            // Warm-up, then alternate.
            for round in 0..=common::rounds() {
                for (i, server) in servers.into_iter().enumerate() {
                    let (report, cpu) = measure(server, connections, size, duration, cores);
                    assert_eq!(report.errors, 0, "{server:?} {name}: connection errors");
                    if round > 0 {
                        let row = &mut rows[i];
                        row.0.push(report.rate());
                        row.1.push(cpu.as_secs_f64() * 1e6 / report.requests as f64);
                        row.2.push(report.p50_us);
                        row.3.push(report.p99_us);
                    }
                }
            }
            let [r, m, t] = rows
                .map(|(rate, cpu, p50, p99)| (median(rate), median(cpu), median(p50), median(p99)));
            println!(
                "| {connections} × {size} B | {:.0}k | {:.0}k | {:.0}k | {:.2}× / {:.2}× | {:.2} | {:.2} | {:.2} | {:.2}× / {:.2}× | {:.0}/{:.0} | {:.0}/{:.0} |",
                r.0 / 1e3,
                m.0 / 1e3,
                t.0 / 1e3,
                r.0 / t.0,
                m.0 / t.0,
                r.1,
                m.1,
                t.1,
                r.1 / t.1,
                m.1 / t.1,
                m.2,
                m.3,
                t.2,
                t.3
            );
        }
    }
}
