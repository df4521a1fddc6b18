//! The A/B harness shared by ringio's `benches/` and the `compare` example:
//! one round order and one ratio rule ([`runner`]), rate formatting
//! ([`mod@human`]), thread pinning and CPU clocks ([`cpu`]), and the
//! environment knobs (`BENCH_ROUNDS`, the command-line filter; [`mod@env`]);
//! and the workloads themselves, one implementation each, run by both
//! ([`workloads`]: file reads, runtime overhead, TCP echo).
//!
//! The figure to read is the paired ratio: a shared machine drifts between
//! fast and slow phases within seconds, a round's two samples run back to
//! back (almost always in one phase), while the two sides' medians may come
//! from different phases.
#![deny(missing_docs)]

pub mod cpu;
pub mod env;
pub mod human;
pub mod runner;
pub mod workloads;

pub use cpu::{allowed_cores, busy, on_core, pin_to_core, process_cpu, thread_cpu, ThreadClock};
pub use env::{rounds, selected};
pub use human::human;
pub use runner::{
    median, min_max, order, paired_rounds, rate, summarize, summarize_sides, try_rounds, Phase,
    Summary,
};
