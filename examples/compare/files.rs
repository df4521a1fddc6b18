//! Workloads 3 and 4: 4 KiB random reads (page cache warm, and O_DIRECT)
//! at queue depths 1/32/128, and sequential 128 KiB reads; the readers are
//! `ringio_bench::workloads::files`', each run for the short duration.
//!
//! Every side runs on one thread pinned to the first core this process may
//! use, and every thread it starts (tokio's blocking pool, ringio's on the
//! epoll driver) inherits that pinning: the same core set for all. tokio::fs
//! also gets an unpinned row, what a user gets by default (its pool threads
//! float over every core, so each read pays a cross-core wake-up). The
//! limit is a raw io-uring loop keeping the same number of reads in flight.
//! A ratio over 20× gets a footnote with tokio's hop to its blocking pool
//! alone, measured at the same number of tasks and the same pinning.

use super::fairness::{apply_footnote_rule, on, LIMIT};
use super::results::{Row, Sample, Workload};
use super::Run;
use ringio_bench::workloads::files::{
    pread_random, raw_ring_random, raw_ring_sequential, ringio_random, ringio_sequential,
    std_sequential, tokio_pool_hop, tokio_random, tokio_sequential, TestFile, BLOCK, SEQ_CHUNK,
};
use ringio_bench::workloads::{ringio_runtime, Budget, Tally};
use ringio_bench::{allowed_cores, human, on_core};
use std::cell::RefCell;
use std::io;

/// The unpinned tokio::fs row's name.
const TOKIO_UNPINNED: &str = "tokio::fs, unpinned";

/// A sample of a run whose every operation moved `bytes_per_op` bytes.
fn sample(tally: io::Result<Tally>, bytes_per_op: usize) -> io::Result<Sample> {
    Ok(Sample {
        bytes_per_op: Some(bytes_per_op as f64),
        ..Sample::from_tally(tally?)
    })
}

/// ringio's random reads on a default runtime (of the run's driver).
fn ringio_reads(file: &TestFile, qd: usize, direct: bool, budget: Budget) -> io::Result<Sample> {
    let rt = ringio_runtime()?;
    sample(ringio_random(&rt, file, qd, direct, budget), BLOCK)
}

/// tokio's blocking-pool hop alone, measured when a footnote asks for it:
/// empty `spawn_blocking` trips per second at a number of tasks, pinned
/// to `core` or unpinned.
struct Hops {
    core: Option<usize>,
    budget: Budget,
    measured: RefCell<Vec<((usize, bool), f64)>>,
}

impl Hops {
    fn new(core: Option<usize>, budget: Budget) -> Hops {
        Hops {
            core,
            budget,
            measured: RefCell::new(Vec::new()),
        }
    }

    /// Empty trips per second, `tasks` at a time, pinned or not (0 where
    /// the measurement failed).
    fn rate(&self, tasks: usize, pinned: bool) -> f64 {
        let key = (tasks, pinned);
        if let Some(&(_, rate)) = self.measured.borrow().iter().find(|(k, _)| *k == key) {
            return rate;
        }
        let (core, budget) = (self.core.filter(|_| pinned), self.budget);
        let rate = on_core(core, || tokio_pool_hop(tasks, budget)).map_or(0.0, |t| t.rate());
        self.measured.borrow_mut().push((key, rate));
        rate
    }

    /// What dominates a tokio::fs row that does `trips` pool trips per
    /// read with `tasks` reads in flight: the rate its trips alone allow.
    fn explain(&self, row: &Row, tasks: usize, trips: usize) -> Option<String> {
        if !row.runtime.starts_with("tokio::fs") {
            return None;
        }
        let pinned = row.runtime != TOKIO_UNPINNED;
        let rate = self.rate(tasks, pinned);
        let cores = if pinned {
            "on the same core"
        } else {
            "unpinned"
        };
        let each = if trips == 1 {
            "each read is a trip".to_string()
        } else {
            format!("each read is {trips} trips (a seek and a read)")
        };
        Some(format!(
            "{}: {each} to tokio's blocking pool; empty `spawn_blocking` trips alone, {tasks} \
             at a time {cores}, run at {}/s in this run, which caps such reads at {}/s; \
             tokio::fs did {}/s",
            row.runtime,
            human(rate),
            human(rate / trips as f64),
            human(row.median)
        ))
    }
}

/// What dominates the std pread loop's row against ringio at `qd` reads in
/// flight.
fn explain_pread(row: &Row, qd: usize) -> Option<String> {
    row.runtime.starts_with("std").then(|| {
        format!(
            "{} keeps one read in flight: {:.0} µs per read is the device's latency; ringio \
             keeps {qd} in flight",
            row.runtime,
            1e6 / row.median.max(1e-9)
        )
    })
}

/// Random reads at QD 1/32/128, cached then O_DIRECT.
pub fn random_reads(run: &mut Run<'_>, file: &TestFile) -> io::Result<Vec<Workload>> {
    let d = Budget::Time(run.config.short_duration);
    let core = allowed_cores().first().copied();
    let hops = Hops::new(core, d);
    let one = on("1 thread", core);
    let pool = on("runtime and blocking pool", core);
    let mut out = Vec::new();
    for qd in [1, 32, 128] {
        let mut w = run.ab(
            "fs",
            &format!("4 KiB random reads, page cache, QD {qd}"),
            "reads/s",
            vec![
                (
                    "ringio",
                    Box::new(move || on_core(core, || ringio_reads(file, qd, false, d))),
                ),
                (
                    "tokio::fs",
                    Box::new(move || on_core(core, || sample(tokio_random(file, qd, d), BLOCK))),
                ),
                (
                    TOKIO_UNPINNED,
                    Box::new(move || on_core(None, || sample(tokio_random(file, qd, d), BLOCK))),
                ),
                (
                    "std pread loop",
                    Box::new(move || on_core(core, || sample(pread_random(file, false, d), BLOCK))),
                ),
                (
                    LIMIT,
                    Box::new(move || {
                        on_core(core, || sample(raw_ring_random(file, qd, false, d), BLOCK))
                    }),
                ),
            ],
            (
                &[
                    one.clone(),
                    pool.clone(),
                    on("runtime and blocking pool", None),
                    one.clone(),
                    one.clone(),
                ],
                None,
            ),
        )?;
        apply_footnote_rule(&mut w, &|_, row| hops.explain(row, qd, 2));
        out.push(w);
    }
    if !file.direct_ok() {
        run.progress
            .note("O_DIRECT is not supported where $TMPDIR lives (tmpfs?): O_DIRECT rows skipped");
        return Ok(out);
    }
    for qd in [1, 32, 128] {
        let mut w = run.ab(
            "fs",
            &format!("4 KiB random reads, O_DIRECT, QD {qd}"),
            "reads/s",
            vec![
                (
                    "ringio",
                    Box::new(move || on_core(core, || ringio_reads(file, qd, true, d))),
                ),
                (
                    "std pread loop",
                    Box::new(move || on_core(core, || sample(pread_random(file, true, d), BLOCK))),
                ),
                (
                    LIMIT,
                    Box::new(move || {
                        on_core(core, || sample(raw_ring_random(file, qd, true, d), BLOCK))
                    }),
                ),
            ],
            (&[one.clone(), one.clone(), one.clone()], None),
        )?;
        w.note =
            (qd == 1).then(|| "tokio::fs cannot do O_DIRECT (its buffers are not aligned)".into());
        apply_footnote_rule(&mut w, &|_, row| explain_pread(row, qd));
        out.push(w);
    }
    Ok(out)
}

/// Sequential 128 KiB reads through the (cached) file, wrapping around.
pub fn sequential(run: &mut Run<'_>, file: &TestFile) -> io::Result<Vec<Workload>> {
    let d = Budget::Time(run.config.short_duration);
    let core = allowed_cores().first().copied();
    let hops = Hops::new(core, d);
    let one = on("1 thread", core);
    let mut w = run.ab(
        "fs",
        "sequential 128 KiB reads, page cache",
        "reads/s",
        vec![
            (
                "ringio",
                Box::new(move || on_core(core, || sample(ringio_sequential(file, d), SEQ_CHUNK))),
            ),
            (
                "tokio::fs",
                Box::new(move || on_core(core, || sample(tokio_sequential(file, d), SEQ_CHUNK))),
            ),
            (
                TOKIO_UNPINNED,
                Box::new(move || on_core(None, || sample(tokio_sequential(file, d), SEQ_CHUNK))),
            ),
            (
                "std read loop",
                Box::new(move || on_core(core, || sample(std_sequential(file, d), SEQ_CHUNK))),
            ),
            (
                LIMIT,
                Box::new(move || on_core(core, || sample(raw_ring_sequential(file, d), SEQ_CHUNK))),
            ),
        ],
        (
            &[
                one.clone(),
                on("runtime and blocking pool", core),
                on("runtime and blocking pool", None),
                one.clone(),
                one,
            ],
            None,
        ),
    )?;
    apply_footnote_rule(&mut w, &|_, row| hops.explain(row, 1, 1));
    Ok(vec![w])
}
