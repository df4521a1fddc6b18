//! The spawn + join workload on glommio's executor, the thread-per-core
//! runtime whose task path ringio's is measured against.

use super::CHUNK;
use crate::workloads::{Budget, Tally};
use std::io;
use std::time::Instant;

/// [`spawn_join`](super::spawn_join) on a fresh glommio `LocalExecutor` on
/// this thread (left on the cores this thread may use), through
/// `glommio::spawn_local`. That call polls the new task before it returns
/// (`run_right_away`): a task that finishes on its first poll never reaches
/// the run queue, and the await finds it done.
///
/// # Errors
///
/// When the executor cannot be built or a task fails to join.
pub fn spawn_join_glommio(budget: Budget) -> io::Result<Tally> {
    let executor = glommio::LocalExecutorBuilder::new(glommio::Placement::Unbound)
        .make()
        .map_err(|e| io::Error::other(format!("glommio executor: {e}")))?;
    Ok(executor.run(async move {
        let start = Instant::now();
        let limit = budget.share(1, start);
        let mut ops = 0u64;
        while limit.allows(ops) {
            for _ in 0..limit.left(ops).min(CHUNK) {
                ops += glommio::spawn_local(async { 1u64 }).await;
            }
        }
        Tally {
            ops,
            elapsed: start.elapsed(),
            ..Tally::default()
        }
    }))
}

/// [`spawn_join`](super::spawn_join) on glommio with the task scheduled, as
/// ringio's and tokio's `spawn` do: `spawn_local_into` the current task
/// queue queues the task, and the spawner's await yields to it.
///
/// # Errors
///
/// When the executor cannot be built or a task fails to spawn.
pub fn spawn_join_glommio_scheduled(budget: Budget) -> io::Result<Tally> {
    let executor = glommio::LocalExecutorBuilder::new(glommio::Placement::Unbound)
        .make()
        .map_err(|e| io::Error::other(format!("glommio executor: {e}")))?;
    executor.run(async move {
        let queue = glommio::executor().current_task_queue();
        let start = Instant::now();
        let limit = budget.share(1, start);
        let mut ops = 0u64;
        while limit.allows(ops) {
            for _ in 0..limit.left(ops).min(CHUNK) {
                let task = glommio::spawn_local_into(async { 1u64 }, queue)
                    .map_err(|e| io::Error::other(format!("glommio spawn: {e}")))?;
                ops += task.await;
            }
        }
        Ok(Tally {
            ops,
            elapsed: start.elapsed(),
            ..Tally::default()
        })
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn glommio_spawns_count_tasks() {
        let tally = super::spawn_join_glommio(crate::workloads::Budget::Ops(1000)).unwrap();
        assert_eq!(tally.ops, 1000);
    }

    #[test]
    fn scheduled_glommio_spawns_count_tasks() {
        let tally =
            super::spawn_join_glommio_scheduled(crate::workloads::Budget::Ops(1000)).unwrap();
        assert_eq!(tally.ops, 1000);
    }
}
