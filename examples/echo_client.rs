//! A TCP echo load generator on ringio: every connection driven from one
//! ring, ping-pong (send a message, wait for its echo). Prints req/s and
//! p50/p99 latency. The load generator is the echo bench's and `compare`'s
//! (`ringio_bench::workloads::echo::ring_client`).
//!
//! ```text
//! cargo run --release --example echo_client -- --addr 127.0.0.1:7000 \
//!     --connections 64 --size 64 --duration 5
//! ```

use ringio_bench::workloads::echo::ring_client;
use std::time::Duration;

fn main() {
    let mut addr = "127.0.0.1:7000".to_string();
    let mut connections = 64;
    let mut size = 64;
    let mut duration = 5.0;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--addr" => addr = value(),
            "--connections" => {
                connections = value()
                    .parse()
                    .unwrap_or_else(|_| usage("bad --connections"))
            }
            "--size" => size = value().parse().unwrap_or_else(|_| usage("bad --size")),
            "--duration" => duration = value().parse().unwrap_or_else(|_| usage("bad --duration")),
            other => usage(&format!("unknown argument {other}")),
        }
    }
    let addr = std::net::ToSocketAddrs::to_socket_addrs(&addr)
        .ok()
        .and_then(|mut a| a.next())
        .unwrap_or_else(|| usage("cannot resolve --addr"));
    let duration = Duration::from_secs_f64(duration);
    let report = ring_client::run_load(addr, connections, size, duration);
    println!(
        "{connections} connections x {size} B: {:.0} req/s, p50 {} us, p99 {} us, {} errors",
        report.rate(),
        report.p50_us,
        report.p99_us,
        report.errors
    );
    if report.errors > 0 || report.requests == 0 {
        std::process::exit(1);
    }
}

fn usage(msg: &str) -> ! {
    eprintln!("{msg}\nusage: echo_client [--addr HOST:PORT] [--connections N] [--size BYTES] [--duration SECS]");
    std::process::exit(2);
}
