//! The current thread's executor, and the entry points that need it.

use super::executor::{Executor, TaskId};
use super::join::JoinHandle;
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::task::Waker;

thread_local! {
    static CURRENT: RefCell<Option<Rc<Executor>>> = const { RefCell::new(None) };
}

/// Runs `f` with the current thread's executor, if any.
#[inline]
pub(crate) fn try_with_current<R>(f: impl FnOnce(&Rc<Executor>) -> R) -> Option<R> {
    CURRENT
        .try_with(|current| current.borrow().as_ref().map(f))
        .ok()
        .flatten()
}

/// Runs `f` with the current thread's executor.
///
/// # Panics
///
/// Panics with a clear message when no ringio runtime runs on this thread.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(&Rc<Executor>) -> R) -> R {
    CURRENT.with(|current| match current.borrow().as_ref() {
        Some(executor) => f(executor),
        None => crate::driver::context::no_runtime(),
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

/// Schedules `task` if runtime `runtime` is current on this thread; returns
/// `false` when the wake must go through the remote inbox instead.
#[inline]
pub(crate) fn schedule_on_this_thread(runtime: u64, task: TaskId) -> bool {
    try_with_current(|executor| {
        executor.remote.id == runtime && {
            executor.schedule(task);
            true
        }
    })
    .unwrap_or(false)
}

/// The owned waker of `task` (made on first use) if runtime `runtime` is
/// current on this thread and the task still exists.
pub(crate) fn task_waker_on_this_thread(runtime: u64, task: TaskId) -> Option<Waker> {
    try_with_current(|executor| {
        if executor.remote.id == runtime {
            executor.task_waker(task)
        } else {
            None
        }
    })
    .flatten()
}

/// Spawns `future` on the current executor; used by [`crate::spawn`].
#[inline]
pub(crate) fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    // The executor comes out of the thread-local first: the future must
    // not cross that closure (it would be spilled to the stack and copied
    // back with wider loads than the stores that built it, a
    // store-forwarding stall on every spawn).
    let executor = with_current(Rc::clone);
    let cell = executor.new_cell(future);
    let id = executor.spawn(cell);
    JoinHandle::local(executor, id)
}
