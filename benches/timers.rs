//! 100k concurrent sleeps: heap bytes per sleeping task, and the time to arm
//! and fire them all. ringio (a deadline-ordered queue bounding the ring's
//! wait) vs tokio (timer wheel).
//! `cargo bench --bench timers`

mod common;

use common::{ab, header};
use std::time::{Duration, Instant};

const SLEEPERS: usize = 100_000;
const DELAY: Duration = Duration::from_millis(200);

/// Bytes the allocator has handed out and not taken back.
fn heap_in_use() -> usize {
    // SAFETY: mallinfo2 only reads the allocator's counters.
    unsafe { libc::mallinfo2().uordblks }
}

/// Arms `SLEEPERS` sleeps of `DELAY` and waits for all; returns (heap bytes
/// per sleeping task at the peak, sleeps per second from first spawn to last
/// wake, counting the fixed delay out).
fn measure_ringio() -> (f64, f64) {
    let rt = ringio::Runtime::new().unwrap();
    rt.block_on(async {
        let base = heap_in_use();
        let start = Instant::now();
        let handles: Vec<_> = (0..SLEEPERS)
            .map(|_| ringio::spawn(ringio::time::sleep(DELAY)))
            .collect();
        // Wait until every task ran once (and so armed its timer).
        let polled = ringio::stats().tasks_polled;
        while ringio::stats().tasks_polled - polled < SLEEPERS as u64 {
            ringio::yield_now().await;
        }
        let per_task = (heap_in_use() - base) as f64 / SLEEPERS as f64;
        for h in handles {
            h.await.unwrap();
        }
        let busy = start.elapsed().saturating_sub(DELAY);
        (per_task, SLEEPERS as f64 / busy.as_secs_f64())
    })
}

fn measure_tokio() -> (f64, f64) {
    let rt = common::tokio_rt();
    rt.block_on(async {
        let base = heap_in_use();
        let start = Instant::now();
        let handles: Vec<_> = (0..SLEEPERS)
            .map(|_| tokio::spawn(tokio::time::sleep(DELAY)))
            .collect();
        // Let every task run once so its timer is registered.
        for _ in 0..4 {
            tokio::task::yield_now().await;
        }
        let per_task = (heap_in_use() - base) as f64 / SLEEPERS as f64;
        for h in handles {
            h.await.unwrap();
        }
        let busy = start.elapsed().saturating_sub(DELAY);
        (per_task, SLEEPERS as f64 / busy.as_secs_f64())
    })
}

fn main() {
    common::pin_to_core(0);
    header("100k concurrent sleeps of 200 ms");
    let (mut mem_r, mut mem_t) = (Vec::new(), Vec::new());
    ab(
        "arm + fire 100k sleeps (sleeps/s, 200 ms delay excluded)",
        "tokio",
        || {
            let (mem, rate) = measure_ringio();
            mem_r.push(mem);
            rate
        },
        || {
            let (mem, rate) = measure_tokio();
            mem_t.push(mem);
            rate
        },
    );
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    println!(
        "\nheap bytes per sleeping task (median): ringio {:.0}, tokio {:.0} \
         (neither holds kernel memory per timer)",
        median(&mut mem_r),
        median(&mut mem_t)
    );
}
