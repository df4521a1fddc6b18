//! Which task is being polled: the wake-by-token protocol.
//!
//! While the executor polls a task it records the task's token and its
//! waker's identity (addresses, compared, never dereferenced) here. An
//! operation polled with that very waker, on a driver of that runtime,
//! records the token instead of cloning the waker; the driver hands the
//! token back with the completion as an opaque [`Waiter::Task`], and the
//! executor schedules the task directly (no waker clone, no atomic).

use crate::driver::{Handle, Waiter};
use std::cell::Cell;
use std::task::Waker;

thread_local! {
    /// The runtime whose task is being polled (its driver's id; 0: none),
    /// and that task. Two cells: a run of polls sets the runtime once and
    /// only the task per poll.
    static CURRENT_RUNTIME: Cell<usize> = const { Cell::new(0) };
    static CURRENT_TASK: Cell<TaskIdentity> = const { Cell::new(TaskIdentity::NONE) };
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

/// Declares that the task `token` of the runtime that owns `driver`, whose
/// waker is `waker`, is being polled until the guard drops.
pub(crate) fn enter_task(driver: &Handle, token: u64, waker: &Waker) -> TaskGuard {
    let guard = enter_tasks(driver);
    set_task(token, waker);
    guard
}

/// Declares that tasks of the runtime that owns `driver` are polled, one
/// after another, until the guard drops; [`set_task`] names each one.
pub(crate) fn enter_tasks(driver: &Handle) -> TaskGuard {
    TaskGuard {
        runtime: CURRENT_RUNTIME.replace(runtime_of(driver)),
        task: CURRENT_TASK.get(),
    }
}

/// Names the task about to be polled, inside [`enter_tasks`].
#[inline]
pub(crate) fn set_task(token: u64, waker: &Waker) {
    CURRENT_TASK.set(TaskIdentity::new(token, waker));
}

/// Restores the previously polled task when dropped.
pub(crate) struct TaskGuard {
    runtime: usize,
    task: TaskIdentity,
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        let _ = CURRENT_RUNTIME.try_with(|current| current.set(self.runtime));
        let _ = CURRENT_TASK.try_with(|current| current.set(self.task));
    }
}

/// The token of the task being polled if `waker` is that task's own waker
/// and `driver` belongs to that task's runtime: an operation may then record
/// the token instead of cloning the waker. A combinator that polls with a
/// waker of its own, or an op of another runtime, gets `None`.
#[inline]
pub(crate) fn task_token(driver: &Handle, waker: &Waker) -> Option<u64> {
    if CURRENT_RUNTIME.get() != runtime_of(driver) {
        return None;
    }
    let current = CURRENT_TASK.get();
    (current == TaskIdentity::new(current.token, waker)).then_some(current.token)
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
