//! Runtime overhead on one thread, the same code on each [`Side`]: spawn +
//! join ([`spawn_join`], [`spawn_batches`]; [`spawn_join_glommio`] on
//! glommio), wakes ([`wake`]: a ping-pong
//! through wakers, two tasks yielding) and timers ([`mod@timers`]: many sleeps
//! armed and fired). Each builds a fresh runtime of its side and times the
//! work inside it.

mod glommio;
pub mod timers;
pub mod wake;

pub use glommio::{spawn_join_glommio, spawn_join_glommio_scheduled};
pub use timers::{timers, TimerTally};
pub use wake::{ping_pong, players, yielders};

use super::{Budget, Side, Tally};
use std::io;
use std::time::Instant;

/// Runs the async block to completion on a fresh runtime of `side` (a
/// ringio runtime from [`ringio_runtime`](crate::workloads::ringio_runtime),
/// or a tokio current-thread one), with `spawn`,
/// `yield_now` and `sleep` in scope as that runtime's: one body is the
/// workload on both sides. Evaluates to the block's output; `?` on a
/// runtime that cannot be built.
macro_rules! on_side {
    ($side:expr, async move $body:block) => {
        match $side {
            $crate::workloads::Side::Ringio => {
                #[allow(unused_imports)]
                use ringio::{spawn, time::sleep, yield_now};
                $crate::workloads::ringio_runtime()?.block_on(async move $body)
            }
            $crate::workloads::Side::Tokio => {
                #[allow(unused_imports)]
                use tokio::{spawn, task::yield_now, time::sleep};
                $crate::workloads::tokio_current_thread()?.block_on(async move $body)
            }
        }
    };
}
pub(crate) use on_side;

/// Tasks spawned between two looks at the clock under a time budget.
const CHUNK: u64 = 256;

/// Spawns a task and awaits it, one at a time.
///
/// # Errors
///
/// When the runtime cannot be built or a task fails to join.
pub fn spawn_join(side: Side, budget: Budget) -> io::Result<Tally> {
    on_side!(side, async move {
        let start = Instant::now();
        let limit = budget.share(1, start);
        let mut ops = 0u64;
        while limit.allows(ops) {
            for _ in 0..limit.left(ops).min(CHUNK) {
                ops += spawn(async { 1u64 }).await.map_err(io::Error::other)?;
            }
        }
        Ok(Tally {
            ops,
            elapsed: start.elapsed(),
            ..Tally::default()
        })
    })
}

/// Spawns `batch` tasks, then awaits them all, `batches` times: `batch *
/// batches` tasks.
///
/// # Errors
///
/// When the runtime cannot be built or a task fails to join.
pub fn spawn_batches(side: Side, batch: usize, batches: u64) -> io::Result<Tally> {
    on_side!(side, async move {
        let start = Instant::now();
        let mut handles = Vec::with_capacity(batch);
        for _ in 0..batches {
            handles.extend((0..batch).map(|i| spawn(async move { i })));
            for h in handles.drain(..) {
                std::hint::black_box(h.await.map_err(io::Error::other)?);
            }
        }
        Ok(Tally {
            ops: batch as u64 * batches,
            elapsed: start.elapsed(),
            ..Tally::default()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn spawning_counts_tasks_on_both_sides() {
        for side in [Side::Ringio, Side::Tokio] {
            assert_eq!(spawn_join(side, Budget::Ops(1000)).unwrap().ops, 1000);
            assert_eq!(spawn_join(side, Budget::Ops(3)).unwrap().ops, 3);
            let timed = spawn_join(side, Budget::Time(Duration::from_millis(5))).unwrap();
            assert!(timed.ops > 0 && timed.ops.is_multiple_of(CHUNK));
            assert!(timed.elapsed >= Duration::from_millis(5));
            assert_eq!(spawn_batches(side, 10, 3).unwrap().ops, 30);
        }
    }
}
