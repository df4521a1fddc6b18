//! TCP echo, one server thread: ringio vs tokio current-thread, same load
//! generator (every connection on one ringio ring), server and client pinned
//! to different cores, rounds in the shared harness's order (one warm-up each,
//! then A B C, C B A, ...), medians; rate ratios are medians of per-round
//! ratios.
//!
//! ```text
//! cargo bench --bench echo                 # every cell
//! cargo bench --bench echo -- 64x64        # connections x size filter
//! BENCH_ROUNDS=5 BENCH_SECS=3 cargo bench --bench echo
//! ```
//! Reports req/s and the server thread's CPU time per request (getrusage),
//! which separates server efficiency from the client's ceiling.

mod common;

use ringio_bench::workloads::echo::{measure, measure_multi, MultiServer, Server};
use std::time::Duration;

fn median(v: Vec<f64>) -> f64 {
    ringio_bench::median(&v).unwrap_or(0.0)
}

/// Every contender for `rounds()` rounds in `ringio_bench::runner`'s order,
/// one warm-up each first; `take(i)` measures contender `i`.
fn rounds_of<S>(n: usize, mut take: impl FnMut(usize) -> S) -> Vec<Vec<S>> {
    let Ok(samples) = ringio_bench::try_rounds(common::rounds(), true, n, |_, i| {
        Ok::<S, std::convert::Infallible>(take(i))
    });
    samples
}

/// The thread-per-core table's cells (connections, size).
const POOL_CELLS: [(usize, usize); 1] = [(256, 64)];

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
    for (connections, size) in POOL_CELLS {
        let servers = [
            MultiServer::RingioPool(threads),
            MultiServer::TokioMulti(threads),
        ];
        let samples = rounds_of(servers.len(), |i| {
            let server = servers[i];
            let (report, cpu) = measure_multi(server, connections, size, duration);
            assert_eq!(report.errors, 0, "{server:?}: connection errors");
            let cpu_per_request = cpu.as_secs_f64() * 1e6 / report.requests as f64;
            (report.rate(), cpu_per_request)
        });
        let [r, t] = [0, 1].map(|i| {
            let (rate, cpu) = samples[i].iter().copied().unzip();
            (median(rate), median(cpu))
        });
        // Rate and CPU ratios by the shared rule: the median of per-round
        // ratios.
        let ratio = ringio_bench::summarize_sides(&samples[0], &samples[1], |s| s.0).ratio;
        let cpu_ratio = ringio_bench::summarize_sides(&samples[0], &samples[1], |s| s.1).ratio;
        println!(
            "| {connections} × {size} B | {:.0}k | {:.0}k | {:.2}× | {:.2} | {:.2} | {:.2}× |",
            r.0 / 1e3,
            t.0 / 1e3,
            ratio,
            r.1,
            t.1,
            cpu_ratio
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
            let samples = rounds_of(servers.len(), |i| {
                let server = servers[i];
                let (report, cpu, _) = measure(server, connections, size, duration, cores);
                assert_eq!(report.errors, 0, "{server:?} {name}: connection errors");
                let cpu_per_request = cpu.as_secs_f64() * 1e6 / report.requests as f64;
                [report.rate(), cpu_per_request, report.p50_us, report.p99_us]
            });
            let [r, m, t] = [0, 1, 2].map(|i| {
                let column = |k: usize| median(samples[i].iter().map(|s| s[k]).collect());
                (column(0), column(1), column(2), column(3))
            });
            // Rate and CPU ratios against tokio by the shared rule: the
            // median of the per-round ratios.
            let ratio =
                |i: usize| ringio_bench::summarize_sides(&samples[i], &samples[2], |s| s[0]).ratio;
            let cpu_ratio =
                |i: usize| ringio_bench::summarize_sides(&samples[i], &samples[2], |s| s[1]).ratio;
            println!(
                "| {connections} × {size} B | {:.0}k | {:.0}k | {:.0}k | {:.2}× / {:.2}× | {:.2} | {:.2} | {:.2} | {:.2}× / {:.2}× | {:.0}/{:.0} | {:.0}/{:.0} |",
                r.0 / 1e3,
                m.0 / 1e3,
                t.0 / 1e3,
                ratio(0),
                ratio(1),
                r.1,
                m.1,
                t.1,
                cpu_ratio(0),
                cpu_ratio(1),
                m.2,
                m.3,
                t.2,
                t.3
            );
        }
    }
}
