//! Samples, the A/B runner (`ringio_bench::runner`'s order and ratio rule,
//! shared with the benches), and the results with their Markdown form.

use ringio_bench::workloads::Tally;
use ringio_bench::{summarize_sides, try_rounds, Phase};
use serde::Serialize;
use std::io;
use std::time::Duration;

/// One measurement of one contender.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Operations (requests, reads, tasks, ...) completed.
    pub ops: u64,
    /// Measured time.
    pub elapsed: Duration,
    /// Server-side CPU time, where measured.
    pub cpu: Option<Duration>,
    /// Latency percentiles in µs, where measured.
    pub p50_us: Option<f64>,
    /// 99th percentile latency in µs.
    pub p99_us: Option<f64>,
    /// Payload bytes moved per operation (for MiB/s).
    pub bytes_per_op: Option<f64>,
    /// ringio counters over the run: `io_uring_enter` calls and SQEs.
    pub enters: Option<u64>,
    /// SQEs submitted over the run.
    pub sqes: Option<u64>,
    /// Failed connections or operations (never silently dropped).
    pub errors: u64,
    /// Server CPU time over wall time (summed over its threads), where
    /// measured.
    pub server_busy: Option<f64>,
    /// The load generator's CPU time over wall time, where measured.
    pub client_busy: Option<f64>,
}

/// CPU time over wall time (`ringio_bench::busy`), as a `Sample` field.
pub fn busy(cpu: Duration, wall: Duration) -> Option<f64> {
    Some(ringio_bench::busy(cpu, wall))
}

impl Sample {
    /// A network measurement: the load generator's report, the server's CPU
    /// time, the payload bytes per request, and ringio's counters if any.
    pub fn from_load(
        report: &ringio_bench::workloads::echo::LoadReport,
        cpu: Duration,
        bytes_per_request: usize,
        stats: Option<ringio::Stats>,
    ) -> Sample {
        Sample {
            ops: report.requests,
            elapsed: report.elapsed,
            cpu: Some(cpu),
            p50_us: Some(report.p50_us),
            p99_us: Some(report.p99_us),
            bytes_per_op: Some(bytes_per_request as f64),
            enters: stats.map(|s| s.enters),
            sqes: stats.map(|s| s.sqes_submitted),
            errors: report.errors,
            server_busy: None,
            client_busy: None,
        }
    }

    /// A workload's tally: its count, time and errors, and ringio's counters
    /// where it read them.
    pub fn from_tally(tally: Tally) -> Sample {
        Sample {
            ops: tally.ops,
            elapsed: tally.elapsed,
            errors: tally.errors,
            enters: tally.stats.map(|s| s.enters),
            sqes: tally.stats.map(|s| s.sqes_submitted),
            ..Sample::default()
        }
    }

    fn rate(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// One contender's figures over the rounds.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// "ringio", "ringio (epoll fallback)", "tokio", "tokio::fs", "std
    /// pread", ...
    pub runtime: String,
    /// A ringio row's driver, `io_uring` or `epoll`; `None` on a baseline.
    pub driver: Option<String>,
    /// On the epoll-fallback row, the baseline its ratio is over (its rate
    /// over that row's, not the first row's over its own); `None` elsewhere.
    pub vs: Option<String>,
    /// Median operations per second.
    pub median: f64,
    /// Slowest round.
    pub min: f64,
    /// Fastest round.
    pub max: f64,
    /// ringio's (the first row's) rate divided by this row's (1.0 for the
    /// first row); on a row with a `vs`, this row's rate over `vs`'s.
    pub ratio: f64,
    /// The lowest of the per-round ratios the median is taken over.
    pub ratio_min: f64,
    /// The highest of the per-round ratios.
    pub ratio_max: f64,
    /// Total operations over all rounds.
    pub ops: u64,
    /// Median server CPU µs per operation, where measured.
    pub cpu_us_per_op: Option<f64>,
    /// Median p50 latency (µs).
    pub p50_us: Option<f64>,
    /// Median p99 latency (µs).
    pub p99_us: Option<f64>,
    /// Median MiB/s of payload, where meaningful.
    pub mib_per_s: Option<f64>,
    /// ringio's SQEs per `io_uring_enter` (batching).
    pub sqes_per_enter: Option<f64>,
    /// ringio's `io_uring_enter` calls per operation.
    pub enters_per_op: Option<f64>,
    /// Errors over all rounds.
    pub errors: u64,
    /// Median server CPU-busy fraction (CPU time / wall time, summed over
    /// the server's threads), where measured.
    pub server_busy: Option<f64>,
    /// Median load-generator CPU-busy fraction, where measured.
    pub client_busy: Option<f64>,
    /// What the row is: `ringio` (the first row), `baseline`, `limit` (a
    /// raw-ring loop with no executor: what the kernel allows) or `epoll
    /// fallback`.
    pub role: String,
    /// How this side ran: its threads and the cores they were pinned to
    /// ("1 thread on core 0", "runtime and blocking pool on core 0",
    /// "2 workers, unpinned").
    pub pinning: String,
    /// Where the load generator ran, on a network row ("1 thread on core
    /// 1", "wrk -t1 on core 1"); `None` where there is none.
    pub load_pinning: Option<String>,
}

/// One workload: ringio's row first, then the baselines, then (with
/// `--driver both`) the epoll-fallback row.
#[derive(Debug, Clone, Serialize)]
pub struct Workload {
    /// The group (`echo`, `pool`, `http`, `fs`, `serve`, `runtime`).
    pub group: String,
    /// What was measured.
    pub name: String,
    /// The unit of `median`/`min`/`max`.
    pub unit: String,
    /// ringio first; a row with a `vs` last.
    pub rows: Vec<Row>,
    /// A note (a skipped part, a caveat), if any.
    pub note: Option<String>,
    /// The raw-ring limit of this workload, where one exists: the `limit`
    /// row's figures and ringio's rate over it.
    pub limit: Option<Limit>,
    /// Why the workload has no limit row, where it has none.
    pub no_limit: Option<String>,
    /// What dominates a baseline whose ratio to ringio is over 20× (or
    /// under 1/20), measured: one per such row (the footnote rule,
    /// `fairness::apply_footnote_rule`).
    pub footnotes: Vec<Footnote>,
}

/// A footnote to one row's ratio.
#[derive(Debug, Clone, Serialize)]
pub struct Footnote {
    /// The row it explains.
    pub runtime: String,
    /// What dominates that row, with the figure that shows it.
    pub text: String,
}

/// A workload's limit: a raw io-uring loop doing the same I/O with no
/// executor.
#[derive(Debug, Clone, Serialize)]
pub struct Limit {
    /// The limit row's name.
    pub runtime: String,
    /// Its median rate.
    pub median: f64,
    /// ringio's rate over the limit's (median of per-round ratios): 0.9
    /// means ringio reaches 90% of what the raw ring does.
    pub ringio_ratio: f64,
    /// How it ran.
    pub pinning: String,
}

/// Everything one run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    /// Cores, kernel, ring mode.
    pub machine: Machine,
    /// What `--driver` asked for: `both`, `io_uring` or `epoll`.
    pub driver: String,
    /// Why the ringio rows run on epoll though io_uring was not ruled out
    /// (`RINGIO_DRIVER`, or io_uring's setup error), if they do.
    pub driver_note: Option<String>,
    /// Rounds and durations used.
    pub rounds: usize,
    /// Seconds per network measurement.
    pub duration_s: f64,
    /// The workloads in the order they ran.
    pub workloads: Vec<Workload>,
}

/// Where the figures come from.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// Cores this process may use.
    pub cores: usize,
    /// `uname -r`.
    pub kernel: String,
}

impl Machine {
    /// This machine.
    pub fn here() -> Machine {
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| "unknown".into());
        Machine {
            cores: ringio::available_cores(),
            kernel,
        }
    }
}

/// A contender: its name and how to take one sample.
pub type Contender<'a> = (&'a str, Box<dyn FnMut() -> io::Result<Sample> + 'a>);

/// Runs the contenders `rounds` times in `ringio_bench::runner`'s order (no
/// warm-up; each sample starts its own server and runtime): the order flips
/// every round (A B, B A, A B, ... for two; A B C, C B A, ... for more) so
/// neither side always runs first on a cold or a warm machine. A row's
/// ratio is the runner's rule, ringio's rate over the row's: the median of
/// the per-round ratios, each round's two samples having run back to back,
/// in the same phase of a drifting machine, while the two sides' medians
/// may come from different phases. `tick` is called before each sample
/// with (round, contender name).
// compare's own runs go through `ab_vs`; tests/compare.rs calls this one.
#[allow(dead_code)]
pub fn ab(
    group: &str,
    name: &str,
    unit: &str,
    rounds: usize,
    contenders: Vec<Contender<'_>>,
    tick: &mut dyn FnMut(usize, &str),
) -> io::Result<Workload> {
    ab_vs(group, name, unit, rounds, contenders, &[], tick)
}

/// [`ab`], where contender `i` with `vs[i] == Some(j)` gets its own rate
/// over contender `j`'s as its ratio (paired by round, by the same rule),
/// and its row names `j` in `vs`. Contenders past the end of `vs` are
/// baselines, as in [`ab`].
pub fn ab_vs(
    group: &str,
    name: &str,
    unit: &str,
    rounds: usize,
    mut contenders: Vec<Contender<'_>>,
    vs: &[Option<usize>],
    tick: &mut dyn FnMut(usize, &str),
) -> io::Result<Workload> {
    let samples = try_rounds(rounds, false, contenders.len(), |phase, i| {
        let (who, take) = &mut contenders[i];
        if let Phase::Round(round) = phase {
            tick(round, who);
        }
        take()
    })?;
    let rows = contenders
        .iter()
        .zip(&samples)
        .enumerate()
        .map(|(i, ((who, _), theirs))| {
            let over = vs.get(i).copied().flatten();
            let paired = match over {
                Some(j) => summarize_sides(theirs, &samples[j], Sample::rate),
                None => summarize_sides(&samples[0], theirs, Sample::rate),
            };
            Row {
                vs: over.map(|j| contenders[j].0.to_string()),
                role: match (i, over) {
                    (0, _) => "ringio",
                    (_, Some(_)) => "epoll fallback",
                    _ => "baseline",
                }
                .into(),
                ..summarize(
                    who,
                    theirs,
                    (paired.ratio, paired.ratio_min, paired.ratio_max),
                )
            }
        })
        .collect();
    Ok(Workload {
        group: group.into(),
        name: name.into(),
        unit: unit.into(),
        rows,
        note: None,
        limit: None,
        no_limit: None,
        footnotes: Vec::new(),
    })
}

fn median(v: Vec<f64>) -> Option<f64> {
    ringio_bench::median(&v)
}

fn summarize(who: &str, samples: &[Sample], (ratio, ratio_min, ratio_max): (f64, f64, f64)) -> Row {
    let rates: Vec<f64> = samples.iter().map(Sample::rate).collect();
    let (min, max) = ringio_bench::min_max(&rates).unwrap_or((0.0, 0.0));
    let pick = |f: &dyn Fn(&Sample) -> Option<f64>| median(samples.iter().filter_map(f).collect());
    Row {
        runtime: who.to_string(),
        driver: None,
        vs: None,
        median: median(rates).unwrap_or(0.0),
        min,
        max,
        ratio,
        ratio_min,
        ratio_max,
        ops: samples.iter().map(|s| s.ops).sum(),
        cpu_us_per_op: pick(&|s| Some(s.cpu?.as_secs_f64() * 1e6 / s.ops.max(1) as f64)),
        p50_us: pick(&|s| s.p50_us),
        p99_us: pick(&|s| s.p99_us),
        mib_per_s: pick(&|s| Some(s.rate() * s.bytes_per_op? / f64::from(1 << 20))),
        sqes_per_enter: pick(&|s| Some(s.sqes? as f64 / s.enters?.max(1) as f64)),
        enters_per_op: pick(&|s| Some(s.enters? as f64 / s.ops.max(1) as f64)),
        errors: samples.iter().map(|s| s.errors).sum(),
        server_busy: pick(&|s| s.server_busy),
        client_busy: pick(&|s| s.client_busy),
        role: String::new(),
        pinning: String::new(),
        load_pinning: None,
    }
}

impl Results {
    /// Workloads with errors, as messages.
    pub fn failures(&self) -> Vec<String> {
        self.workloads
            .iter()
            .flat_map(|w| {
                w.rows
                    .iter()
                    .filter(|r| r.errors > 0 || r.ops == 0)
                    .map(move |r| {
                        format!(
                            "{} / {} on {}: {} errors, {} operations",
                            w.group, w.name, r.runtime, r.errors, r.ops
                        )
                    })
            })
            .collect()
    }
}
