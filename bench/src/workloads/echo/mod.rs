//! TCP echo: a ringio server and a tokio server doing the same work
//! ([`server`]), two load generators with one protocol (each connection
//! sends a message and waits for all of it to come back, one message in
//! flight per connection): one ringio ring driving every connection
//! ([`ring_client`], so one client core is not the ceiling) and one tokio
//! current-thread runtime driving every connection ([`epoll_client`]),
//! named together by [`Client`], and
//! the measurements that run a server on its own threads against a load
//! ([`mod@measure`]).

pub mod client;
pub mod epoll_client;
pub mod measure;
pub mod ring_client;
pub mod server;

pub use client::{Client, CLIENTS};
pub use measure::{measure, measure_multi, measure_multi_with, measure_with, MultiServer, Server};

use std::time::Duration;

/// What one load run measured.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Completed request/response round trips.
    pub requests: u64,
    /// Connections that failed (connect, read or write errors).
    pub errors: u64,
    /// Measured time.
    pub elapsed: Duration,
    /// Latency percentiles in microseconds.
    pub p50_us: f64,
    /// 99th percentile latency in microseconds.
    pub p99_us: f64,
    /// The load generator thread's CPU time over `elapsed`.
    pub client_cpu: Duration,
    /// The server's CPU time over `elapsed`, from the caller's reader (zero
    /// without one).
    pub server_cpu: Duration,
}

impl LoadReport {
    /// Requests per second.
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

/// The median and 99th percentile of `latencies` (sorted in place); zeros
/// when empty.
pub fn percentiles(latencies: &mut [u32]) -> (f64, f64) {
    latencies.sort_unstable();
    let pct = |p: f64| {
        if latencies.is_empty() {
            0.0
        } else {
            f64::from(latencies[((latencies.len() - 1) as f64 * p) as usize])
        }
    };
    (pct(0.50), pct(0.99))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_sorted_and_empty() {
        let mut lat: Vec<u32> = (1..=100).rev().collect();
        assert_eq!(percentiles(&mut lat), (50.0, 99.0));
        assert_eq!(percentiles(&mut []), (0.0, 0.0));
        let report = LoadReport {
            requests: 10,
            elapsed: Duration::from_millis(500),
            ..LoadReport::default()
        };
        assert_eq!(report.rate(), 20.0);
    }
}
