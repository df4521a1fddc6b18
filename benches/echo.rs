//! TCP echo, one server thread: ringio (one `read` per request, and a
//! `recv_multishot` stream) vs tokio current-thread, under each of two load
//! generators in turn (one ringio ring driving every connection, then one
//! tokio current-thread runtime on epoll), server and client pinned to
//! different cores, rounds in the shared harness's order (one warm-up each,
//! then A B C, C B A, ...), medians; ratios are medians of per-round ratios.
//!
//! ```text
//! cargo bench --bench echo                 # every cell, both clients
//! cargo bench --bench echo -- 64x64        # connections x size filter
//! cargo bench --bench echo -- epoll/       # one client (ring/ or epoll/)
//! BENCH_ROUNDS=5 BENCH_SECS=3 cargo bench --bench echo
//! ```
//! Reports req/s, the server thread's CPU time per request over the
//! measured time (getrusage), which separates server efficiency from the
//! client's ceiling, and each side's busy fraction (CPU time over wall
//! time): a side near 1.00 set the rate.

mod common;

use ringio_bench::workloads::echo::{
    measure_multi_with, measure_with, Client, LoadReport, MultiServer, Server, CLIENTS,
};
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

/// Says so under a table's heading when the ringio servers park in
/// batches (`RINGIO_BENCH_WAIT_BATCH`).
fn batch_line() {
    if let Some((completions, max_delay)) = ringio_bench::workloads::wait_batch() {
        println!(
            "ringio servers park in batches: `wait_batch({completions}, {max_delay:?})`; the load generators do not.\n"
        );
    }
}

/// The thread-per-core table: a ringio pool vs tokio's multi-thread
/// runtime, same worker count, under each load generator in turn, no
/// pinning (the client shares the cores).
fn multi_thread(duration: Duration) {
    let threads = ringio::available_cores();
    println!(
        "\n### TCP echo, {threads} server threads (median of {} rounds; client unpinned, shares the cores)\n",
        common::rounds()
    );
    batch_line();
    println!("| client | conns × size | ringio pool req/s | tokio multi-thread req/s | ratio | ringio µs CPU/req | tokio µs CPU/req | CPU ratio (min–max) | busy server/client: ringio, tokio |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for client in CLIENTS {
        for (connections, size) in POOL_CELLS {
            let servers = [
                MultiServer::RingioPool(threads),
                MultiServer::TokioMulti(threads),
            ];
            let samples = rounds_of(servers.len(), |i| {
                let server = servers[i];
                let (report, _) = measure_multi_with(server, |addr, server_cpu| {
                    client.load(addr, connections, size, duration, server_cpu)
                });
                let report =
                    report.unwrap_or_else(|e| panic!("{server:?}: no load generator: {e}"));
                assert_eq!(report.errors, 0, "{server:?}: connection errors");
                Cell::of(&report)
            });
            let med = |i: usize, f: fn(&Cell) -> f64| median_of(&samples[i], f);
            // Rate and CPU ratios by the shared rule: the median of
            // per-round ratios. The server's busy fraction sums its
            // threads: up to `threads`.
            let ratio = ringio_bench::summarize_sides(&samples[0], &samples[1], |c| c.rate).ratio;
            println!(
                "| {} | {connections} × {size} B | {:.0}k | {:.0}k | {:.2}× | {:.2} | {:.2} | {} | {}, {} |",
                client.short(),
                med(0, |c| c.rate) / 1e3,
                med(1, |c| c.rate) / 1e3,
                ratio,
                med(0, |c| c.cpu_us),
                med(1, |c| c.cpu_us),
                cpu_ratio_of(&samples[0], &samples[1]),
                busy_of(&samples[0]),
                busy_of(&samples[1]),
            );
        }
    }
}

/// One cell's figures for one server, from a report whose CPU readings
/// cover its measured time.
#[derive(Clone, Copy)]
struct Cell {
    rate: f64,
    cpu_us: f64,
    server_busy: f64,
    client_busy: f64,
    p50_us: f64,
    p99_us: f64,
}

impl Cell {
    fn of(report: &LoadReport) -> Cell {
        Cell {
            rate: report.rate(),
            cpu_us: report.server_cpu.as_secs_f64() * 1e6 / report.requests.max(1) as f64,
            server_busy: ringio_bench::busy(report.server_cpu, report.elapsed),
            client_busy: ringio_bench::busy(report.client_cpu, report.elapsed),
            p50_us: report.p50_us,
            p99_us: report.p99_us,
        }
    }
}

/// The median of `f` over one server's rounds.
fn median_of(rounds: &[Cell], f: fn(&Cell) -> f64) -> f64 {
    median(rounds.iter().map(f).collect())
}

/// One server's median busy fractions, "server/client".
fn busy_of(rounds: &[Cell]) -> String {
    format!(
        "{:.2}/{:.2}",
        median_of(rounds, |c| c.server_busy),
        median_of(rounds, |c| c.client_busy)
    )
}

/// The CPU ratio of `a` over `b` by the shared rule, with its spread over
/// the rounds: how far one cell moves on this box.
fn cpu_ratio_of(a: &[Cell], b: &[Cell]) -> String {
    let s = ringio_bench::summarize_sides(a, b, |c| c.cpu_us);
    format!("{:.2}× ({:.2}–{:.2})", s.ratio, s.ratio_min, s.ratio_max)
}

/// The one-thread table of one load generator: every selected cell, the
/// three servers in the shared harness's round order.
fn single_thread(client: Client, duration: Duration, cores: Option<(usize, usize)>) {
    let cells: Vec<(usize, usize)> = [16usize, 64, 256]
        .into_iter()
        .flat_map(|c| [64usize, 1024, 16 * 1024].map(|s| (c, s)))
        .filter(|(c, s)| common::selected(&format!("{}/{c}x{s}", client.short())))
        .collect();
    if cells.is_empty() {
        return;
    }
    println!(
        "\n### TCP echo, one server thread, {} (median of {} rounds, {} s each; server core 0, client core 1)\n",
        client.label(),
        common::rounds(),
        duration.as_secs_f64()
    );
    batch_line();
    println!("| conns × size | req/s read / multishot / tokio | ratio read / multishot | µs CPU/req read / multishot / tokio | CPU ratio (min–max) read / multishot | busy server/client: read, multishot, tokio | p50/p99 µs multishot, tokio |");
    println!("|---|---|---|---|---|---|---|");
    for (connections, size) in cells {
        let servers = [Server::Ringio, Server::RingioMultishot, Server::Tokio];
        let samples = rounds_of(servers.len(), |i| {
            let server = servers[i];
            let (report, _, _) = measure_with(server, cores, |addr, server_cpu| {
                client.load(addr, connections, size, duration, server_cpu)
            });
            let report = report.unwrap_or_else(|e| panic!("{server:?}: no load generator: {e}"));
            assert_eq!(
                report.errors, 0,
                "{server:?} {connections}x{size}: connection errors"
            );
            Cell::of(&report)
        });
        let med = |i: usize, f: fn(&Cell) -> f64| median_of(&samples[i], f);
        // Rate and CPU ratios against tokio by the shared rule: the median
        // of the per-round ratios.
        let ratio =
            |i: usize| ringio_bench::summarize_sides(&samples[i], &samples[2], |c| c.rate).ratio;
        let cpu_ratio = |i: usize| cpu_ratio_of(&samples[i], &samples[2]);
        let busy = |i: usize| busy_of(&samples[i]);
        println!(
            "| {connections} × {size} B | {:.0}k / {:.0}k / {:.0}k | {:.2}× / {:.2}× | {:.2} / {:.2} / {:.2} | {} / {} | {}, {}, {} | {:.0}/{:.0}, {:.0}/{:.0} |",
            med(0, |c| c.rate) / 1e3,
            med(1, |c| c.rate) / 1e3,
            med(2, |c| c.rate) / 1e3,
            ratio(0),
            ratio(1),
            med(0, |c| c.cpu_us),
            med(1, |c| c.cpu_us),
            med(2, |c| c.cpu_us),
            cpu_ratio(0),
            cpu_ratio(1),
            busy(0),
            busy(1),
            busy(2),
            med(1, |c| c.p50_us),
            med(1, |c| c.p99_us),
            med(2, |c| c.p50_us),
            med(2, |c| c.p99_us),
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
    for client in CLIENTS {
        single_thread(client, duration, cores);
    }
}
