//! A tiny A/B harness: each workload runs on ringio and on a baseline in the
//! same process, alternating A/B/A/B, and reports medians with min–max and
//! the median of the paired ratios (round i of ringio over round i of the
//! baseline, run back to back). Absolute numbers drift on a shared box, and
//! this one switches between a fast and a slow phase within seconds: a pair
//! almost always sits in one phase, while the two sides' medians may come
//! from different phases. The paired ratio is the figure to read.
#![allow(dead_code)]

use std::time::{Duration, Instant};

#[path = "../../examples/support/human.rs"]
mod human;

use human::human;

/// Rounds per workload (env `BENCH_ROUNDS`, default 5).
pub fn rounds() -> usize {
    std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
}

/// Whether the workload `name` was selected by the command-line filter
/// (`cargo bench --bench spawn -- one_at_a_time`).
pub fn selected(name: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
}

/// Runs `ops` operations through `f` and returns operations per second.
pub fn rate(ops: u64, f: impl FnOnce()) -> f64 {
    let start = Instant::now();
    f();
    ops as f64 / start.elapsed().as_secs_f64()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Runs `a` (ringio) and `b` (the baseline) alternately for `rounds()`
/// rounds; each returns a throughput. Prints one Markdown row and returns the
/// median of the paired ratios a/b.
pub fn ab(name: &str, b_name: &str, mut a: impl FnMut() -> f64, mut b: impl FnMut() -> f64) -> f64 {
    // `BENCH_PROFILE=ringio` (or `baseline`) runs one side alone, for a
    // profiler.
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
    // One warm-up each.
    a();
    b();
    let (mut va, mut vb) = (Vec::new(), Vec::new());
    for _ in 0..rounds() {
        va.push(a());
        vb.push(b());
    }
    let mut ratios: Vec<f64> = va.iter().zip(&vb).map(|(a, b)| a / b).collect();
    let (min_a, max_a) = min_max(&va);
    let (min_b, max_b) = min_max(&vb);
    let (min_r, max_r) = min_max(&ratios);
    let (ma, mb, ratio) = (median(&mut va), median(&mut vb), median(&mut ratios));
    println!(
        "| {name} | {} ({}–{}) | {b_name} {} ({}–{}) | {ratio:.2}× ({min_r:.2}–{max_r:.2}) |",
        human(ma),
        human(min_a),
        human(max_a),
        human(mb),
        human(min_b),
        human(max_b),
    );
    ratio
}

fn min_max(v: &[f64]) -> (f64, f64) {
    v.iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)))
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
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Pins the calling thread to `core` when the machine has it (best effort).
pub fn pin_to_core(core: usize) {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; CPU_SET writes inside it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(core, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}

/// A short pause between rounds so one runtime's leftovers settle.
pub fn settle() {
    std::thread::sleep(Duration::from_millis(20));
}
