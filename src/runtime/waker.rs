//! Wakers: [`TaskWaker`] for spawned tasks, [`MainWaker`] for `block_on`.
//!
//! Both are `Send + Sync` (`std::task::Wake` on an `Arc`). Waking only
//! *schedules*: on the home thread the task id goes to the local run queue,
//! from any other thread to the [`Remote`] inbox, which wakes the ring. The
//! future itself is only ever touched on its home thread.

use super::current;
use super::executor::TaskId;
use super::remote::Remote;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Wake, Waker};

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
        if !current::schedule_on_this_thread(self.remote.id, task) {
            self.remote.push(task);
        }
    }
}

/// Marks the `block_on` future as woken; from another thread (or while the
/// ring is parked) it also interrupts the ring.
#[derive(Debug)]
pub(crate) struct MainWaker {
    woken: AtomicBool,
    remote: Arc<Remote>,
}

impl MainWaker {
    pub(crate) fn new(remote: Arc<Remote>) -> Arc<MainWaker> {
        Arc::new(MainWaker {
            woken: AtomicBool::new(true),
            remote,
        })
    }

    /// Takes the woken flag.
    pub(crate) fn take_woken(&self) -> bool {
        self.woken.swap(false, Ordering::SeqCst)
    }

    pub(crate) fn is_woken(&self) -> bool {
        self.woken.load(Ordering::SeqCst)
    }
}

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // Only the first wake since the last poll may need to unpark.
        if !self.woken.swap(true, Ordering::SeqCst) {
            self.remote.notify();
        }
    }
}
