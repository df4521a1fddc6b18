//! 100k concurrent sleeps: heap bytes per sleeping task, and the time to arm
//! and fire them all. ringio (a deadline-ordered queue bounding the ring's
//! wait) vs tokio (timer wheel).
//! `cargo bench --bench timers`

mod common;

use common::{ab, header, rate_of};
use ringio_bench::workloads::overhead::timers;
use ringio_bench::workloads::Side;
use std::time::Duration;

const SLEEPERS: u64 = 100_000;
const DELAY: Duration = Duration::from_millis(200);

fn main() {
    common::pin_to_core(0);
    header("100k concurrent sleeps of 200 ms");
    let (mut mem_r, mut mem_t) = (Vec::new(), Vec::new());
    // Sleeps per second from first spawn to last wake, the delay counted
    // out; the heap bytes per sleeping task kept aside.
    let run = |side, heap: &mut Vec<f64>| {
        let run = timers(side, SLEEPERS, DELAY, true);
        let run = run.inspect(|r| heap.extend(r.heap_per_task));
        rate_of(run.map(|r| r.tally))
    };
    ab(
        "arm + fire 100k sleeps (sleeps/s, 200 ms delay excluded)",
        "tokio",
        || run(Side::Ringio, &mut mem_r),
        || run(Side::Tokio, &mut mem_t),
    );
    let median = |v: &[f64]| ringio_bench::median(v).unwrap_or(0.0);
    println!(
        "\nheap bytes per sleeping task (median): ringio {:.0}, tokio {:.0} \
         (neither holds kernel memory per timer)",
        median(&mem_r),
        median(&mem_t)
    );
}
