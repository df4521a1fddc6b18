//! `cargo run --release --example compare`: ringio and tokio (epoll) side by
//! side on this machine, in one process, rounds A/B then B/A.
//!
//! Workloads: TCP echo on one server thread (connections × sizes) and
//! thread-per-core, each cell driven once by a ringio-ring load generator
//! and once by an epoll (tokio current-thread) one; HTTP/1.1 keep-alive hello world (hyper on each
//! runtime, a hand-rolled responder on each, compare's own client and wrk
//! when it is on PATH, and 2 threads); 4 KiB random file reads at QD
//! 1/32/128, page cache warm and O_DIRECT, against tokio::fs and a std
//! pread loop; file serving (16 KiB at a requested offset, 64
//! connections); sequential 128 KiB reads; runtime overhead (spawn+join,
//! wake ping-pong, timers). Each is run `--rounds` times per contender
//! (default 3), alternating; the table shows the median with min–max, and
//! ringio's median divided by each baseline's.
//!
//! Options: `--quick` (under 20 s), `--duration SECS` (network runs; file and
//! runtime runs take a quarter of it), `--rounds N`, `--only
//! echo,pool,http,fs,serve,runtime`, `--connections N[,N..]`, `--size
//! BYTES[,BYTES..]`, `--json FILE`, `--svg FILE`.
//!
//! JSON fields: `machine { cores, kernel }`, `rounds`, `duration_s`,
//! `workloads[] { group, name, unit, note, rows[] { runtime, median, min,
//! max, ratio, ratio_min, ratio_max, ops, cpu_us_per_op, p50_us, p99_us, mib_per_s,
//! sqes_per_enter, enters_per_op, errors, server_busy, client_busy } }`;
//! `server_busy` and `client_busy` are CPU time over wall time of the
//! server's threads (summed) and of the load generator, where measured;
//! the first row of a workload is ringio's; `ratio` is the median over the
//! rounds of ringio's rate over the row's (each round's pair ran back to
//! back).
//!
//! The process exits non-zero, saying which, if a workload failed or counted
//! connection errors.

mod app;

use app::config::{Config, USAGE};

fn main() {
    let config = match Config::parse(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(msg) if msg.is_empty() => {
            println!("{USAGE}");
            return;
        }
        Err(msg) => {
            eprintln!("compare: {msg}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    if let Err(e) = ringio::Runtime::new() {
        eprintln!("compare: ringio cannot run here: {e}");
        std::process::exit(1);
    }
    let results = match app::run(&config, true) {
        Ok(results) => results,
        Err(e) => {
            eprintln!("compare: a workload failed: {e}");
            std::process::exit(1);
        }
    };
    println!("{}", results.markdown());
    let mut failed = false;
    if let Some(path) = &config.json {
        let written = std::fs::File::create(path)
            .map_err(|e| e.to_string())
            .and_then(|f| serde_json::to_writer_pretty(f, &results).map_err(|e| e.to_string()));
        if let Err(e) = written {
            eprintln!("compare: cannot write {}: {e}", path.display());
            failed = true;
        }
    }
    if let Some(path) = &config.svg {
        if let Err(e) = app::svg::write(&results, path) {
            eprintln!("compare: cannot draw {}: {e}", path.display());
            failed = true;
        }
    }
    let failures = results.failures();
    for failure in &failures {
        eprintln!("compare: {failure}");
    }
    if failed || !failures.is_empty() {
        std::process::exit(1);
    }
}
