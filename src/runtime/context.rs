//! The per-thread runtime context: the driver, the executor and the task
//! being polled on this thread, and the entry points that need them.
//!
//! One `const` thread-local of plain cells. It has no destructor to
//! register or check, so reaching the driver (every operation does) costs
//! one load. The driver and the executor are lent for the length of
//! [`enter`]'s call ([`ScopedRc`]); the polled task is plain values
//! (`task_context.rs`).

use super::executor::{Executor, TaskId};
use super::join::JoinHandle;
use super::task_context::PolledTask;
use crate::driver::context::DriverSlot;
use crate::driver::Handle;
use crate::sys::scoped_rc::ScopedRc;
use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::task::Waker;

/// What this thread runs, while a runtime runs on it.
struct RuntimeContext {
    driver: DriverSlot,
    executor: ScopedRc<Executor>,
    polled: PolledTask,
    /// Set while a [`Cancellable`](crate::Cancellable) polls its cancelled
    /// operation: every operation polled meanwhile is cancelled.
    cancelling: Cell<bool>,
}

// What keeps this thread-local free of a destructor (and its per-access
// state check): nothing in it needs dropping.
const _: () = assert!(!std::mem::needs_drop::<RuntimeContext>());

thread_local! {
    static CONTEXT: RuntimeContext = const {
        RuntimeContext {
            driver: DriverSlot::new(),
            executor: ScopedRc::new(),
            polled: PolledTask::new(),
            cancelling: Cell::new(false),
        }
    };
}

/// Runs `f` with `driver` and `executor` as this thread's runtime, then
/// restores whatever ran before (on unwind too).
pub(crate) fn enter<R>(driver: &Handle, executor: &Rc<Executor>, f: impl FnOnce() -> R) -> R {
    CONTEXT.with(|context| {
        context.driver.set(driver, || {
            context.executor.set(executor, || {
                super::task_context::runtime_scope(&context.polled, driver, f)
            })
        })
    })
}

/// Whether a runtime is running on this thread.
pub(crate) fn is_entered() -> bool {
    CONTEXT.with(|context| context.executor.is_set())
}

/// Runs `f` (a poll of an operation being cancelled) with every operation
/// it polls cancelled, then restores the previous state (on unwind too).
pub(crate) fn cancelling<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            CONTEXT.with(|context| context.cancelling.set(self.0));
        }
    }
    let _restore = Restore(CONTEXT.with(|context| context.cancelling.replace(true)));
    f()
}

/// Whether an operation polled now must be cancelled (see [`cancelling`]).
#[inline]
pub(crate) fn cancel_requested() -> bool {
    CONTEXT.with(|context| context.cancelling.get())
}

/// The polled-task cells of this thread (`task_context.rs`).
#[inline]
pub(super) fn with_polled<R>(f: impl FnOnce(&PolledTask) -> R) -> R {
    CONTEXT.with(|context| f(&context.polled))
}

/// Runs `f` with this thread's driver, if a runtime runs on this thread.
#[inline]
pub(crate) fn try_with_driver<R>(f: impl FnOnce(&Handle) -> R) -> Option<R> {
    CONTEXT.with(|context| context.driver.with(f))
}

/// Runs `f` with this thread's driver.
///
/// # Panics
///
/// Panics with a clear message when no ringio runtime runs on this thread.
#[inline]
pub(crate) fn with_driver<R>(f: impl FnOnce(&Handle) -> R) -> R {
    try_with_driver(f).unwrap_or_else(|| no_runtime())
}

/// A clone of this thread's driver handle.
///
/// # Panics
///
/// Panics like [`with_driver`] when no ringio runtime runs on this thread.
#[inline]
pub(crate) fn current_driver() -> Handle {
    with_driver(Handle::clone)
}

/// Runs `f` with this thread's executor, if a runtime runs on this thread.
#[inline]
pub(crate) fn try_with_executor<R>(f: impl FnOnce(&Rc<Executor>) -> R) -> Option<R> {
    CONTEXT.with(|context| context.executor.with(f))
}

/// Runs `f` with this thread's executor.
///
/// # Panics
///
/// Panics with a clear message when no ringio runtime runs on this thread.
#[inline]
pub(crate) fn with_executor<R>(f: impl FnOnce(&Rc<Executor>) -> R) -> R {
    try_with_executor(f).unwrap_or_else(|| no_runtime())
}

/// The one panic for "no runtime on this thread".
#[cold]
#[inline(never)]
pub(crate) fn no_runtime() -> ! {
    panic!(
        "there is no ringio runtime on this thread: \
         call this inside `ringio::run` or `Runtime::block_on`"
    )
}

/// Schedules `task` if runtime `runtime` is current on this thread; returns
/// `false` when the wake must go through the remote inbox instead.
#[inline]
pub(crate) fn schedule_on_this_thread(runtime: u64, task: TaskId) -> bool {
    try_with_executor(|executor| {
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
    try_with_executor(|executor| {
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
    let executor = with_executor(Rc::clone);
    let cell = executor.new_cell(future);
    let id = executor.spawn(cell);
    JoinHandle::local(executor, id)
}
