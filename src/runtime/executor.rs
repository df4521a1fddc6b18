//! The local executor: a run queue of tasks, and the thread's current runtime.
//!
//! Tasks are `async-task` allocations (one per task: header, future and
//! output together). Their waker is `Send + Sync`; waking *schedules* the task
//! and never touches its future: on the home thread it goes to the local run
//! queue, from any other thread to the [`Remote`] inbox, which wakes the ring.
//! The future is polled and dropped only on the home thread.

use super::join::JoinHandle;
use super::remote::Remote;
use async_task::Runnable;
use futures_util::FutureExt;
use slab::Slab;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Waker;

thread_local! {
    static CURRENT: RefCell<Option<Rc<Executor>>> = const { RefCell::new(None) };
}

/// One runtime's tasks.
#[derive(Debug)]
pub(crate) struct Executor {
    queue: RefCell<VecDeque<Runnable>>,
    /// A waker for every live task, so shutdown can reach (and drop) tasks
    /// that nothing will ever wake.
    live: RefCell<Slab<Waker>>,
    pub(crate) remote: Arc<Remote>,
    pub(crate) tasks_polled: Cell<u64>,
    closing: Cell<bool>,
}

/// Runs `f` with the current thread's executor, if any.
pub(crate) fn try_with_current<R>(f: impl FnOnce(&Executor) -> R) -> Option<R> {
    CURRENT
        .try_with(|current| current.borrow().as_deref().map(f))
        .ok()
        .flatten()
}

/// Runs `f` with the current thread's executor.
///
/// # Panics
///
/// Panics with a clear message when no ringio runtime runs on this thread.
pub(crate) fn with_current<R>(f: impl FnOnce(&Executor) -> R) -> R {
    CURRENT.with(|current| match current.borrow().as_deref() {
        Some(executor) => f(executor),
        None => panic!(
            "there is no ringio runtime on this thread: \
             call this inside `ringio::run` or `Runtime::block_on`"
        ),
    })
}

/// Whether a runtime is running on this thread.
pub(crate) fn is_entered() -> bool {
    try_with_current(|_| ()).is_some()
}

/// Makes `executor` current until the guard drops.
pub(crate) fn enter(executor: &Rc<Executor>) -> EnterGuard {
    let previous = CURRENT.with(|current| current.replace(Some(executor.clone())));
    EnterGuard { previous }
}

/// Restores the previous executor when dropped.
pub(crate) struct EnterGuard {
    previous: Option<Rc<Executor>>,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|current| current.replace(previous));
    }
}

/// The schedule function of every local task: it may run on any thread.
fn schedule(remote: &Remote, runnable: Runnable) {
    let mut runnable = Some(runnable);
    let _ = CURRENT.try_with(|current| {
        if let Ok(current) = current.try_borrow() {
            if let Some(executor) = current.as_deref() {
                if executor.remote.id == remote.id {
                    if let Ok(mut queue) = executor.queue.try_borrow_mut() {
                        queue.extend(runnable.take());
                    }
                }
            }
        }
    });
    if let Some(runnable) = runnable {
        remote.push(runnable);
    }
}

/// Unregisters a task from `live` when its future is dropped (on completion,
/// panic or cancellation).
struct LiveGuard(usize);

impl Drop for LiveGuard {
    fn drop(&mut self) {
        try_with_current(|executor| {
            if !executor.closing.get() {
                executor.live.borrow_mut().try_remove(self.0);
            }
        });
    }
}

impl Executor {
    pub(crate) fn new(remote: Arc<Remote>) -> Executor {
        Executor {
            queue: RefCell::new(VecDeque::with_capacity(1024)),
            live: RefCell::new(Slab::with_capacity(1024)),
            remote,
            tasks_polled: Cell::new(0),
            closing: Cell::new(false),
        }
    }

    /// Spawns a `!Send` task on this executor.
    pub(crate) fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let mut live = self.live.borrow_mut();
        let guard = LiveGuard(live.vacant_key());
        let wrapped = async move {
            let _guard = guard;
            AssertUnwindSafe(future).catch_unwind().await
        };
        let remote = self.remote.clone();
        let (runnable, task) = async_task::Builder::new().spawn_local(
            move |()| wrapped,
            move |runnable| schedule(&remote, runnable),
        );
        live.insert(runnable.waker());
        drop(live);
        self.queue.borrow_mut().push_back(runnable);
        JoinHandle::new(task)
    }

    /// Polls up to `budget` ready tasks; returns how many ran.
    pub(crate) fn run_ready(&self, budget: usize) -> usize {
        let mut ran = 0;
        while ran < budget {
            let Some(runnable) = self.queue.borrow_mut().pop_front() else {
                break;
            };
            runnable.run();
            ran += 1;
        }
        self.tasks_polled.set(self.tasks_polled.get() + ran as u64);
        ran
    }

    /// Moves tasks woken from other threads into the run queue.
    pub(crate) fn drain_remote(&self) {
        self.remote.drain_into(&mut *self.queue.borrow_mut());
    }

    pub(crate) fn has_ready(&self) -> bool {
        !self.queue.borrow().is_empty()
    }

    /// Drops every task (must run with this executor current, on its thread).
    /// Each live task is woken so its runnable lands in the queue, then the
    /// queue is dropped, which drops the futures; repeat until nothing is left
    /// (dropping one future may wake or spawn others).
    pub(crate) fn shutdown(&self) {
        self.closing.set(true);
        loop {
            let live = std::mem::take(&mut *self.live.borrow_mut());
            let had_live = !live.is_empty();
            for (_, waker) in live {
                waker.wake();
            }
            self.drain_remote();
            let queue = std::mem::take(&mut *self.queue.borrow_mut());
            if queue.is_empty() && !had_live {
                break;
            }
            drop(queue);
        }
        drop(self.remote.close());
    }
}

/// Spawns `future` on the current executor; used by [`crate::spawn`].
pub(crate) fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    with_current(|executor| executor.spawn(future))
}
