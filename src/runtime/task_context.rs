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
    with_polled(|polled| TaskGuard {
        runtime: polled.runtime.replace(runtime_of(driver)),
        task: polled.task.get(),
    })
}

/// Names the task about to be polled, inside [`enter_tasks`].
#[inline]
pub(crate) fn set_task(token: u64, waker: &Waker) {
    with_polled(|polled| polled.task.set(TaskIdentity::new(token, waker)));
}

/// Restores the previously polled task when dropped.
pub(crate) struct TaskGuard {
    runtime: usize,
    task: TaskIdentity,
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        with_polled(|polled| {
            polled.runtime.set(self.runtime);
            polled.task.set(self.task);
        });
    }
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
