//! Which task is being polled: the wake-by-token protocol.
//!
//! While the executor polls a task it records the task's token and its
//! waker's identity (addresses, compared, never dereferenced) here. An
//! operation polled with that very waker, on a driver of that runtime,
//! records the token instead of cloning the waker; the driver hands the
//! token back with the completion as an opaque [`Waiter::Task`], and the
//! executor schedules the task directly (no waker clone, no atomic).

use super::context::with_polled;
use crate::driver::{Handle, Waiter};
use std::cell::Cell;
use std::task::Waker;

/// The runtime context's record of the task being polled: its runtime (the
/// driver's id; 0: none) and the task. Two cells: a run of polls sets the
/// runtime once and only the task per poll.
pub(super) struct PolledTask {
    runtime: Cell<usize>,
    task: Cell<TaskIdentity>,
}

impl PolledTask {
    pub(super) const fn new() -> PolledTask {
        PolledTask {
            runtime: Cell::new(0),
            task: Cell::new(TaskIdentity::NONE),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct TaskIdentity {
    token: u64,
    waker_data: usize,
    waker_vtable: usize,
}

impl TaskIdentity {
    const NONE: TaskIdentity = TaskIdentity {
        token: 0,
        waker_data: 0,
        waker_vtable: 0,
    };

    #[inline]
    fn new(token: u64, waker: &Waker) -> TaskIdentity {
        TaskIdentity {
            token,
            waker_data: waker.data() as usize,
            waker_vtable: waker.vtable() as *const _ as usize,
        }
    }
}

#[inline]
fn runtime_of(driver: &Handle) -> usize {
    driver.id()
}

/// Runs `f` (a runtime's ticks) with tasks of the runtime that owns
/// `driver` declared as the ones polled, each named by [`set_task`] as it
/// is polled; then restores what was declared before (on unwind too).
pub(super) fn runtime_scope<R>(polled: &PolledTask, driver: &Handle, f: impl FnOnce() -> R) -> R {
    struct Restore<'a> {
        polled: &'a PolledTask,
        runtime: usize,
        task: TaskIdentity,
    }
    impl Drop for Restore<'_> {
        fn drop(&mut self) {
            self.polled.runtime.set(self.runtime);
            self.polled.task.set(self.task);
        }
    }
    let _restore = Restore {
        polled,
        runtime: polled.runtime.replace(runtime_of(driver)),
        task: polled.task.replace(TaskIdentity::NONE),
    };
    f()
}

/// Names the task about to be polled.
#[inline]
pub(crate) fn set_task(token: u64, waker: &Waker) {
    with_polled(|polled| polled.task.set(TaskIdentity::new(token, waker)));
}

/// The record of the task being polled, to put back with [`restore_task`]
/// after another task was polled inside its poll.
#[derive(Clone, Copy)]
pub(crate) struct SavedTask(TaskIdentity);

/// Saves the record of the task being polled.
#[inline]
pub(crate) fn save_task() -> SavedTask {
    SavedTask(with_polled(|polled| polled.task.get()))
}

/// Puts back a record [`save_task`] took.
#[inline]
pub(crate) fn restore_task(saved: SavedTask) {
    with_polled(|polled| polled.task.set(saved.0));
}

/// No task is being polled any more (until the next [`set_task`]).
#[inline]
pub(crate) fn clear_task() {
    with_polled(|polled| polled.task.set(TaskIdentity::NONE));
}

/// The token of the task being polled if `waker` is that task's own waker
/// and `driver` belongs to that task's runtime: an operation may then record
/// the token instead of cloning the waker. A combinator that polls with a
/// waker of its own, or an op of another runtime, gets `None`.
#[inline]
pub(crate) fn task_token(driver: &Handle, waker: &Waker) -> Option<u64> {
    with_polled(|polled| {
        if polled.runtime.get() != runtime_of(driver) {
            return None;
        }
        let current = polled.task.get();
        (current == TaskIdentity::new(current.token, waker)).then_some(current.token)
    })
}

/// Who to wake for a poll with `waker`: the polling task by its token when
/// it is a task of `driver`'s runtime (see [`task_token`]), else a clone of
/// `waker`.
#[inline]
pub(crate) fn waiter_for(driver: &Handle, waker: &Waker) -> Waiter {
    match task_token(driver, waker) {
        Some(token) => Waiter::Task(token),
        None => Waiter::Waker(waker.clone()),
    }
}
