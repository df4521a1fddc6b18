//! The benches' layer over `ringio-bench` (the harness shared with the
//! `compare` example): each workload runs on ringio (A) and on a baseline
//! (B) in the same process, in `ringio_bench::runner`'s order (one warm-up
//! each, then A B, B A, ...), and prints one Markdown row: medians with
//! min–max and the median of the paired ratios, the figure to read.
#![allow(dead_code)]

use std::io;
use std::time::Duration;

use ringio_bench::workloads::Tally;
use ringio_bench::{human, paired_rounds, summarize};
// Each bench uses some of these.
#[allow(unused_imports)]
pub use ringio_bench::{pin_to_core, rate, rounds, selected};

/// Runs `a` (ringio) and `b` (the baseline) for `rounds()` paired rounds;
/// each returns a throughput. Prints one Markdown row and returns the
/// median of the paired ratios a/b.
///
/// `BENCH_PROFILE=ringio` (or `baseline`) runs one side alone, `rounds()`
/// times, for a profiler, and returns 0.
pub fn ab(name: &str, b_name: &str, mut a: impl FnMut() -> f64, mut b: impl FnMut() -> f64) -> f64 {
    match std::env::var("BENCH_PROFILE").as_deref() {
        Ok("ringio") => {
            for _ in 0..rounds() {
                a();
            }
            return 0.0;
        }
        Ok("baseline") => {
            for _ in 0..rounds() {
                b();
            }
            return 0.0;
        }
        _ => {}
    }
    let s = summarize(&paired_rounds(rounds(), true, a, b), |&r| r);
    println!(
        "| {name} | {} ({}–{}) | {b_name} {} ({}–{}) | {:.2}× ({:.2}–{:.2}) |",
        human(s.median_a),
        human(s.min_a),
        human(s.max_a),
        human(s.median_b),
        human(s.min_b),
        human(s.max_b),
        s.ratio,
        s.ratio_min,
        s.ratio_max,
    );
    s.ratio
}

/// Prints the table header.
pub fn header(title: &str) {
    println!(
        "\n### {title} (ops/s, median of {} rounds, min–max; ratio: median of paired rounds, min–max)\n",
        rounds()
    );
    println!("| workload | ringio | baseline | ratio |");
    println!("|---|---|---|---|");
}

/// A current-thread tokio runtime, the baseline.
pub fn tokio_rt() -> tokio::runtime::Runtime {
    ringio_bench::workloads::tokio_current_thread().unwrap()
}

/// The rate of a workload run that must succeed: panics on an error or on
/// failed operations.
pub fn rate_of(tally: io::Result<Tally>) -> f64 {
    let tally = tally.unwrap();
    assert_eq!(tally.errors, 0, "failed operations");
    tally.rate()
}

/// A short pause between rounds so one runtime's leftovers settle.
pub fn settle() {
    std::thread::sleep(Duration::from_millis(20));
}
