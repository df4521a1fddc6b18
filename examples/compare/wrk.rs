//! wrk as a second load generator for the `http` group, when it is on
//! PATH: `wrk -t1 -c N -d SECSs --latency URL`, under `taskset -c CORE`
//! when a core is given. Its report gives the requests, the rate, the
//! latency percentiles and the errors; its CPU time is the children's
//! `getrusage` around the run (wrk is the only child then).

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one wrk run reported, and what it cost.
#[derive(Debug, Clone, Default)]
pub struct WrkReport {
    /// Requests completed.
    pub requests: u64,
    /// wrk's "Requests/sec".
    pub rate: f64,
    /// Latency percentiles in µs (from `--latency`).
    pub p50_us: f64,
    /// 99th percentile in µs.
    pub p99_us: f64,
    /// Socket errors plus non-2xx/3xx responses.
    pub errors: u64,
    /// wrk's CPU time (user + system, all its threads).
    pub cpu: Duration,
    /// From spawning wrk to its exit.
    pub wall: Duration,
}

/// `name` on PATH, if there is an executable file by that name.
pub fn on_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Runs wrk against `addr` with `connections` connections for `secs`
/// seconds, pinned to `core` (with taskset) when one is given.
pub fn run(
    wrk: &Path,
    addr: SocketAddr,
    connections: usize,
    secs: u64,
    core: Option<usize>,
) -> io::Result<WrkReport> {
    let taskset = core.and_then(|c| Some((on_path("taskset")?, c)));
    let mut command = match &taskset {
        Some((taskset, core)) => {
            let mut c = Command::new(taskset);
            c.arg("-c").arg(core.to_string()).arg(wrk);
            c
        }
        None => Command::new(wrk),
    };
    command
        .args(["-t1", "-c", &connections.to_string()])
        .args(["-d", &format!("{secs}s"), "--latency"])
        .arg(format!("http://{addr}/"))
        .stdin(Stdio::null());
    let cpu_before = children_cpu();
    let start = Instant::now();
    let output = command.output()?;
    let wall = start.elapsed();
    let cpu = children_cpu().saturating_sub(cpu_before);
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(io::Error::other(format!(
            "wrk failed ({}): {}{}",
            output.status,
            text,
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    let mut report = parse(&text)
        .ok_or_else(|| io::Error::other(format!("cannot read wrk's report: {text}")))?;
    report.cpu = cpu;
    report.wall = wall;
    Ok(report)
}

/// CPU time of this process's waited-for children.
fn children_cpu() -> Duration {
    // SAFETY: getrusage writes into the zeroed struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Reads wrk's report: "N requests in ...", "Requests/sec: R", the
/// "Latency Distribution" lines ("50%  1.23ms"), "Socket errors: connect
/// A, read B, write C, timeout D" and "Non-2xx or 3xx responses: E".
pub fn parse(text: &str) -> Option<WrkReport> {
    let mut report = WrkReport::default();
    let (mut requests, mut rate, mut p50, mut p99) = (None, None, None, None);
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [n, "requests", "in", ..] => requests = n.parse().ok(),
            ["Requests/sec:", r] => rate = r.parse().ok(),
            ["50%", t] => p50 = micros(t),
            ["99%", t] => p99 = micros(t),
            ["Non-2xx", "or", "3xx", "responses:", n] => report.errors += n.parse::<u64>().ok()?,
            ["Socket", "errors:", rest @ ..] => {
                for word in rest {
                    if let Ok(n) = word.trim_end_matches(',').parse::<u64>() {
                        report.errors += n;
                    }
                }
            }
            _ => {}
        }
    }
    report.requests = requests?;
    report.rate = rate?;
    report.p50_us = p50?;
    report.p99_us = p99?;
    Some(report)
}

/// wrk's time ("812.00us", "1.23ms", "2.00s", "1.50m") in µs.
fn micros(text: &str) -> Option<f64> {
    let units = [
        ("us", 1.0),
        ("ms", 1e3),
        ("s", 1e6),
        ("m", 60e6),
        ("h", 3600e6),
    ];
    units.iter().find_map(|&(unit, scale)| {
        let value: f64 = text.strip_suffix(unit)?.parse().ok()?;
        Some(value * scale)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_a_report() {
        let text = "Running 2s test @ http://127.0.0.1:1/\n  1 threads and 64 connections\n  Latency Distribution\n     50%  512.00us\n     75%  600.00us\n     90%    1.00ms\n     99%    2.50ms\n  240000 requests in 2.00s, 30.00MB read\n  Socket errors: connect 0, read 2, write 0, timeout 1\nRequests/sec: 120000.00\nTransfer/sec:     15.00MB\n";
        let r = super::parse(text).unwrap();
        assert_eq!(r.requests, 240_000);
        assert_eq!(r.rate, 120_000.0);
        assert_eq!(r.p50_us, 512.0);
        assert_eq!(r.p99_us, 2500.0);
        assert_eq!(r.errors, 3);
    }
}
