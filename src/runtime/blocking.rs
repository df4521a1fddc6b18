//! [`spawn_blocking`]: run blocking code on a small thread pool.

use super::join::{JoinHandle, TaskOutput};
use async_task::Runnable;
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

/// Most threads the pool starts; more jobs wait in its queue.
const MAX_THREADS: usize = 512;
/// How long an idle pool thread waits for work before exiting.
const KEEP_ALIVE: Duration = Duration::from_secs(10);

/// Runs `f` on a thread of a shared pool and returns a handle to its result,
/// so a task can await blocking work (a synchronous library call, a heavy
/// computation) without stalling its ring. Like asyncio's `run_in_executor`.
///
/// The result reaches the awaiting task through its waker, which wakes the
/// ring from the pool thread. A panic in `f` is caught and reported as
/// [`JoinError::is_panic`](crate::JoinError::is_panic). Aborting the handle
/// only has an effect if `f` has not started yet.
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     let sum = ringio::spawn_blocking(|| (1..=10u64).sum::<u64>()).await.unwrap();
///     assert_eq!(sum, 55);
/// });
/// ```
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let job = async move { catch_unwind(AssertUnwindSafe(f)) as TaskOutput<R> };
    let (runnable, task) = async_task::spawn(job, |runnable| pool().push(runnable));
    runnable.schedule();
    JoinHandle::sendable(task)
}

/// Runs `job` on the pool, with nobody awaiting it (the epoll driver's
/// blocking system calls, which post their own completions).
pub(crate) fn run_detached(job: impl FnOnce() + Send + 'static) {
    let (runnable, task) =
        async_task::spawn(async move { job() }, |runnable| pool().push(runnable));
    task.detach();
    runnable.schedule();
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(Pool::default)
}

#[derive(Default)]
struct Pool {
    state: Mutex<State>,
    available: Condvar,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Runnable>,
    threads: usize,
    idle: usize,
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&'static self, runnable: Runnable) {
        let mut state = self.lock();
        state.queue.push_back(runnable);
        if state.idle >= state.queue.len() {
            self.available.notify_one();
            return;
        }
        if state.threads < MAX_THREADS {
            let spawned = std::thread::Builder::new()
                .name("ringio-blocking".into())
                .spawn(move || self.work());
            if spawned.is_ok() {
                state.threads += 1;
                return;
            }
        }
        if state.threads == 0 {
            // No thread could be started: run the job here rather than never.
            let runnable = state.queue.pop_back();
            drop(state);
            if let Some(runnable) = runnable {
                runnable.run();
            }
        }
    }

    fn work(&self) {
        let mut state = self.lock();
        loop {
            if let Some(runnable) = state.queue.pop_front() {
                drop(state);
                runnable.run();
                state = self.lock();
                continue;
            }
            state.idle += 1;
            let (guard, wait) = self
                .available
                .wait_timeout(state, KEEP_ALIVE)
                .unwrap_or_else(PoisonError::into_inner);
            state = guard;
            state.idle -= 1;
            if wait.timed_out() && state.queue.is_empty() {
                state.threads -= 1;
                return;
            }
        }
    }
}
