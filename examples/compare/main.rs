//! `cargo run --release --example compare`: ringio and tokio (epoll) side by
//! side on this machine, in one process, rounds A/B then B/A.
//!
//! Both sides of a row run the same way: the one-thread rows pin ringio
//! and tokio (its blocking pool too) to the same core, the load generator
//! to another; the multi-thread rows leave both unpinned; where the
//! unpinned figure is what users get (tokio::fs), it is a row of its own,
//! labelled. Beside the I/O rows stands their limit, a raw io-uring loop
//! with no executor (`SINGLE_ISSUER | DEFER_TASKRUN`; receives with
//! `POLL_FIRST` after a short one).
//!
//! Workloads: TCP echo on one server thread (connections × sizes) and
//! thread-per-core, each cell driven once by a ringio-ring load generator
//! and once by an epoll (tokio current-thread) one; HTTP/1.1 keep-alive hello world (hyper on each
//! runtime, a hand-rolled responder on each, compare's own client and wrk
//! when it is on PATH, and 2 threads); 4 KiB random file reads at QD
//! 1/32/128, page cache warm and O_DIRECT, against tokio::fs and a std
//! pread loop; file serving (16 KiB and 256 KiB at a requested offset, 64
//! connections; ringio's `read_at` + `write_all` and its `send_file`);
//! sequential 128 KiB reads; runtime overhead (spawn+join,
//! wake ping-pong, timers). Each is run `--rounds` times per contender
//! (default 3), alternating; the table shows the median with min–max, and
//! ringio's median divided by each baseline's.
//!
//! ringio's driver (`--driver`): by default the ringio rows run on io_uring
//! (`DriverKind::Auto`: epoll where io_uring does not work, and
//! `RINGIO_DRIVER` overrides it), and each workload has one more row,
//! "ringio (epoll fallback)" ("ringio Pool (epoll fallback)"): the same
//! ringio side on its epoll driver, one more contender in the rounds (last
//! in the first round's order: A B E, E B A, ...), its ratio its own rate
//! over the first baseline's
//! (tokio's where the workload has tokio; the std pread loop for
//! O_DIRECT). `--driver io_uring` runs the ringio rows on io_uring only
//! (failing where it is unavailable) without epoll rows; `--driver epoll`
//! runs every ringio row on epoll (named "… (epoll fallback)"). Where Auto
//! is on epoll already, the default run has no separate epoll rows. The
//! load generators (the ring echo client, compare's HTTP client) stay on
//! Auto whatever is asked, so every row of a workload faces the same
//! client.
//!
//! Options: `--quick` (under 20 s), `--duration SECS` (network runs; file and
//! runtime runs take a quarter of it), `--rounds N`, `--only
//! echo,pool,http,fs,serve,runtime`, `--connections N[,N..]`, `--size
//! BYTES[,BYTES..]`, `--driver epoll|io_uring|both` (default both),
//! `--json FILE`, `--svg FILE`.
//!
//! JSON fields: `machine { cores, kernel }`, `driver` (what `--driver`
//! asked: `both`, `io_uring` or `epoll`), `driver_note` (why the ringio
//! rows run on epoll though io_uring was not ruled out, or null),
//! `rounds`, `duration_s`, `workloads[] { group, name, unit, note, rows[]
//! { runtime, driver, vs, median, min, max, ratio, ratio_min, ratio_max,
//! ops, cpu_us_per_op, p50_us, p99_us, mib_per_s, sqes_per_enter,
//! enters_per_op, errors, server_busy, client_busy, role, pinning,
//! load_pinning }, limit { runtime, median, ringio_ratio, pinning },
//! no_limit, footnotes[] { runtime, text } }`;
//! `role` is `ringio`, `baseline`, `limit` or `epoll fallback`; `pinning`
//! says how the row's side ran (threads, and the core they were pinned to,
//! or "unpinned"), `load_pinning` where the load generator ran (network
//! rows; null elsewhere); `limit` is the workload's raw io-uring loop (no
//! executor: what the kernel allows here) where it has one, `no_limit`
//! why it has none; a row whose ratio is over 20× (or under 1/20) has a
//! footnote saying what dominates its baseline, from a figure measured in
//! the run;
//! `server_busy` and `client_busy` are CPU time over wall time of the
//! server's threads (summed) and of the load generator, where measured;
//! the first row of a workload is ringio's; a ringio row's `driver` is
//! `io_uring` or `epoll` (null on a baseline); `ratio` is the median over
//! the rounds of ringio's (the first row's) rate over the row's (each
//! round's pair ran back to back), except on a row with a `vs` (the
//! epoll-fallback row, last): there it is that row's rate over the `vs`
//! row's. On an epoll row, `sqes_per_enter` and `enters_per_op` count
//! operations started per `epoll_wait` and waits per operation.
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
    if let Err(e) = app::Drivers::resolve(&config) {
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
