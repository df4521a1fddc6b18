//! Wakers: [`PollContext`] behind the waker a task is polled with until it
//! clones one, [`TaskWaker`] for a task's own (owned) waker, [`MainWaker`]
//! for `block_on`.
//!
//! All are `Send + Sync`. Waking only *schedules*: on the home thread the
//! task id goes to the local run queue, from any other thread to the
//! [`Remote`] inbox, which wakes the ring. The future itself is only ever
//! touched on its home thread.

use super::context;
use super::executor::TaskId;
use super::remote::Remote;
use crate::sys::waker::RefWake;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Wake, Waker};

/// What the executor's borrowed waker refers to: the runtime's inbox and the
/// task being polled. A task polled with it has no waker of its own yet: a
/// clone makes one (and keeps it in the task's slot for later polls).
#[derive(Debug)]
pub(crate) struct PollContext {
    remote: Arc<Remote>,
    /// The task being polled (read only while it is: the borrowed waker
    /// cannot outlive the poll).
    current: AtomicU64,
}

impl PollContext {
    pub(crate) fn new(remote: Arc<Remote>) -> Arc<PollContext> {
        Arc::new(PollContext {
            remote,
            current: AtomicU64::new(0),
        })
    }

    /// Declares the task about to be polled with the borrowed waker.
    #[inline]
    pub(crate) fn set_current(&self, task: TaskId) {
        self.current.store(task, Ordering::Relaxed);
    }

    /// The task declared last.
    #[inline]
    pub(crate) fn current(&self) -> TaskId {
        self.current.load(Ordering::Relaxed)
    }
}

impl RefWake for PollContext {
    fn wake_by_ref(&self) {
        let task = self.current.load(Ordering::Relaxed);
        if !context::schedule_on_this_thread(self.remote.id, task) {
            self.remote.push(task);
        }
    }

    fn to_owned_waker(&self) -> Waker {
        let task = self.current.load(Ordering::Relaxed);
        context::task_waker_on_this_thread(self.remote.id, task)
            .unwrap_or_else(|| WakerPair::new(self.remote.clone(), task).waker)
    }
}

/// The waker of one spawned task. Pooled: when a task ends and nobody else
/// holds its waker, the pair is reused for the next task (no allocation).
#[derive(Debug)]
pub(crate) struct TaskWaker {
    /// The task this waker currently belongs to.
    task: AtomicU64,
    remote: Arc<Remote>,
}

/// A pooled waker: the `Arc` (to re-target it) and a `Waker` made from it.
pub(crate) struct WakerPair {
    arc: Arc<TaskWaker>,
    pub(crate) waker: Waker,
}

impl WakerPair {
    pub(crate) fn new(remote: Arc<Remote>, task: TaskId) -> WakerPair {
        let arc = Arc::new(TaskWaker {
            task: AtomicU64::new(task),
            remote,
        });
        WakerPair {
            waker: Waker::from(arc.clone()),
            arc,
        }
    }

    /// Whether nothing but this pair holds the waker, so it may be reused.
    #[inline]
    pub(crate) fn is_unshared(&self) -> bool {
        Arc::strong_count(&self.arc) == 2
    }

    /// Points an unshared waker at another task.
    #[inline]
    pub(crate) fn retarget(&self, task: TaskId) {
        self.arc.task.store(task, Ordering::Relaxed);
    }
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let task = self.task.load(Ordering::Relaxed);
        if !context::schedule_on_this_thread(self.remote.id, task) {
            self.remote.push(task);
        }
    }
}

/// The `block_on` future's waker: marks it woken (the flag is the
/// runtime's, in [`Remote`]); from another thread, or while the ring is
/// parked, it also interrupts the ring.
#[derive(Debug)]
pub(crate) struct MainWaker {
    remote: Arc<Remote>,
}

impl MainWaker {
    pub(crate) fn new(remote: Arc<Remote>) -> Arc<MainWaker> {
        Arc::new(MainWaker { remote })
    }
}

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.remote.wake_main();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.remote.wake_main();
    }
}
