//! [`AbortHandle`]: cancels a task without owning its result.

use super::executor::{Executor, TaskId};
use super::join::SendableSlot;
use std::fmt;
use std::rc::{Rc, Weak};

/// Cancels a spawned task without awaiting it: what
/// [`JoinHandle::abort_handle`](crate::JoinHandle::abort_handle) and
/// [`JoinSet::spawn`](crate::task::JoinSet::spawn) return.
///
/// Aborting drops the task's future at the next chance (on its own
/// thread); whoever awaits its [`JoinHandle`](crate::JoinHandle) gets
/// [`JoinError::is_cancelled`](crate::JoinError::is_cancelled). A task that
/// already finished keeps its output, and aborting it is a no-op. Like the
/// join handle, an abort handle belongs to the task's thread (it is not
/// `Send`); to stop tasks from another thread, share a
/// [`CancellationToken`](crate::sync::CancellationToken).
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     let handle = ringio::spawn(std::future::pending::<()>());
///     let abort = handle.abort_handle();
///     assert!(!abort.is_finished());
///     abort.abort();
///     assert!(handle.await.unwrap_err().is_cancelled());
/// });
/// ```
#[derive(Clone)]
pub struct AbortHandle {
    target: Target,
}

#[derive(Clone)]
enum Target {
    /// A task on a local executor; ids are generational, so a stale one
    /// names no task.
    Local { executor: Rc<Executor>, id: TaskId },
    /// A `Send` task, through its join handle's slot (gone with the handle:
    /// the task is detached then, and nothing can abort it).
    Sendable(Weak<dyn SendableTask>),
}

/// What an abort handle can do to a `Send` task's slot, whatever its output.
pub(crate) trait SendableTask {
    fn abort(&self);
    fn is_finished(&self) -> bool;
}

impl<T> SendableTask for SendableSlot<T> {
    fn abort(&self) {
        let slot = self.take();
        if slot.as_ref().is_some_and(|task| !task.is_finished()) {
            // Dropping an async-task handle cancels the job.
            drop(slot);
        } else {
            self.set(slot);
        }
    }

    fn is_finished(&self) -> bool {
        let slot = self.take();
        let finished = slot.as_ref().is_none_or(|task| task.is_finished());
        self.set(slot);
        finished
    }
}

impl AbortHandle {
    pub(crate) fn local(executor: Rc<Executor>, id: TaskId) -> AbortHandle {
        AbortHandle {
            target: Target::Local { executor, id },
        }
    }

    pub(crate) fn sendable<T: 'static>(slot: Rc<SendableSlot<T>>) -> AbortHandle {
        let slot: Rc<dyn SendableTask> = slot;
        AbortHandle {
            target: Target::Sendable(Rc::downgrade(&slot)),
        }
    }

    /// Cancels the task (see the type's docs).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let handle = ringio::spawn(std::future::pending::<()>());
    ///     handle.abort_handle().abort();
    ///     assert!(handle.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort(&self) {
        match &self.target {
            Target::Local { executor, id } => executor.abort(*id),
            Target::Sendable(slot) => {
                if let Some(slot) = slot.upgrade() {
                    slot.abort();
                }
            }
        }
    }

    /// Whether the task has finished (completed, panicked or been aborted).
    /// A `Send` task whose join handle was dropped reads as finished: it
    /// can no longer be aborted.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let handle = ringio::spawn(async {});
    ///     let abort = handle.abort_handle();
    ///     handle.await.unwrap();
    ///     assert!(abort.is_finished());
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        match &self.target {
            Target::Local { executor, id } => executor.is_finished(*id),
            Target::Sendable(slot) => slot.upgrade().is_none_or(|slot| slot.is_finished()),
        }
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("finished", &self.is_finished())
            .finish()
    }
}
