//! Many concurrent sleeps: `n` tasks each sleeping `delay`, all awaited.
//! The fixed delay is counted out of the time, leaving the cost of arming
//! and firing; optionally the heap bytes each sleeping task holds.

use super::on_side;
use crate::workloads::{Side, Tally};
use std::io;
use std::time::{Duration, Instant};

/// What [`timers`] measured.
#[derive(Clone, Copy, Debug, Default)]
pub struct TimerTally {
    /// Sleeps armed and fired, over the time from the first spawn to the
    /// last wake less the delay.
    pub tally: Tally,
    /// Heap bytes per sleeping task once every task has armed its timer,
    /// when asked for.
    pub heap_per_task: Option<f64>,
}

/// Bytes the allocator has handed out and not taken back, in its main
/// arena (the main thread's).
fn heap_in_use() -> usize {
    // SAFETY: mallinfo2 only reads the allocator's counters.
    unsafe { libc::mallinfo2().uordblks }
}

/// Returns once every one of `tasks` tasks spawned since the counter read
/// `polled` has run (and so armed its timer); on tokio, after four yields.
async fn all_ran(side: Side, polled: u64, tasks: u64) {
    match side {
        Side::Ringio => {
            while ringio::stats().tasks_polled - polled < tasks {
                ringio::yield_now().await;
            }
        }
        Side::Tokio => {
            for _ in 0..4 {
                tokio::task::yield_now().await;
            }
        }
    }
}

/// Spawns `n` sleeps of `delay` and awaits them all. With `heap`, waits
/// (within the timed part) until every task has armed its timer and reads
/// the heap bytes per sleeping task (`mallinfo2`, which sees the main
/// thread's allocations: run it there for that figure).
///
/// # Errors
///
/// When the runtime cannot be built or a task fails to join.
pub fn timers(side: Side, n: u64, delay: Duration, heap: bool) -> io::Result<TimerTally> {
    let mut run = on_side!(side, async move {
        let polled = (side == Side::Ringio).then(|| ringio::stats().tasks_polled);
        let base = heap_in_use();
        let start = Instant::now();
        let handles: Vec<_> = (0..n).map(|_| spawn(sleep(delay))).collect();
        let mut heap_per_task = None;
        if heap {
            all_ran(side, polled.unwrap_or(0), n).await;
            let held = heap_in_use().saturating_sub(base);
            heap_per_task = Some(held as f64 / n.max(1) as f64);
        }
        for h in handles {
            h.await.map_err(io::Error::other)?;
        }
        Ok::<_, io::Error>(TimerTally {
            tally: Tally {
                ops: n,
                elapsed: start.elapsed(),
                ..Tally::default()
            },
            heap_per_task,
        })
    })?;
    run.tally.elapsed = run
        .tally
        .elapsed
        .saturating_sub(delay)
        .max(Duration::from_micros(1));
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleeps_fire_with_the_delay_counted_out() {
        for side in [Side::Ringio, Side::Tokio] {
            let run = timers(side, 1000, Duration::from_millis(20), true).unwrap();
            assert_eq!(run.tally.ops, 1000);
            assert!(run.tally.elapsed < Duration::from_secs(5));
            // `mallinfo2` counts the main arena only: a test thread's
            // allocations may not show.
            assert!(run.heap_per_task.is_some_and(|b| b >= 0.0), "{side:?}");
            let plain = timers(side, 10, Duration::from_millis(1), false).unwrap();
            assert_eq!(plain.heap_per_task, None);
        }
    }
}
