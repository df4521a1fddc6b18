//! [`JoinHandle`] and [`JoinError`].

use super::abort::{AbortHandle, SendableTask};
use super::executor::{Executor, JoinPoll, TaskId};
use async_task::FallibleTask;
use std::any::Any;
use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};

/// A caught panic's payload.
pub(crate) type Panic = Box<dyn Any + Send + 'static>;

/// What a task's future resolves to once wrapped by the runtime.
pub(crate) type TaskOutput<T> = Result<T, Panic>;

/// An owned permission to await a spawned task's result.
///
/// Awaiting it yields `Ok(output)`, or a [`JoinError`] if the task panicked or
/// was aborted. Dropping it *detaches* the task, which keeps running.
///
/// A task awaited while it is the only one ready to run is polled at the
/// await, inside the awaiting task's poll (it is the task the runtime would
/// poll next), so a task spawned and awaited at once that needs no wait
/// finishes before the await returns. A future that polls a handle by hand
/// should therefore not hold, during that poll, a borrow or lock the task
/// needs.
///
/// A handle to a [`spawn`](crate::spawn)ed task belongs to the task's thread
/// (it is not `Send`): the task and its output never leave that thread.
///
/// ```compile_fail
/// fn assert_send<T: Send>(_: &T) {}
/// ringio::run(async {
///     let handle = ringio::spawn(async {});
///     assert_send(&handle);
/// });
/// ```
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     let handle = ringio::spawn(async { 6 * 7 });
///     assert_eq!(handle.await.unwrap(), 42);
/// });
/// ```
#[must_use = "dropping a JoinHandle detaches the task; use `drop(handle)` to say so"]
pub struct JoinHandle<T> {
    inner: Inner<T>,
}

/// The id a local handle holds once it has yielded the task's output.
const JOINED: TaskId = u64::MAX;

// Two words: a handle is returned and stored in registers, not through the
// stack (which costs a store-forwarding stall per spawn and per join).
enum Inner<T> {
    /// A task on a local executor, by id (`JOINED` once awaited).
    Local { executor: Rc<Executor>, id: TaskId },
    /// A `Send` task (blocking pool job, `spawn_on` task); `None` once
    /// aborted or joined. Shared with the task's [`AbortHandle`]s.
    Sendable(Rc<SendableSlot<T>>),
}

/// Where a `Send` task's handle lives, so an [`AbortHandle`] can reach it.
pub(crate) type SendableSlot<T> = Cell<Option<FallibleTask<TaskOutput<T>>>>;

impl<T> JoinHandle<T> {
    #[inline]
    pub(crate) fn local(executor: Rc<Executor>, id: TaskId) -> JoinHandle<T> {
        JoinHandle {
            inner: Inner::Local { executor, id },
        }
    }

    pub(crate) fn sendable(task: async_task::Task<TaskOutput<T>>) -> JoinHandle<T> {
        JoinHandle {
            inner: Inner::Sendable(Rc::new(Cell::new(Some(task.fallible())))),
        }
    }

    /// Cancels the task: its future is dropped (on its own thread) at the next
    /// chance, and awaiting this handle yields [`JoinError::is_cancelled`].
    /// A task that already finished keeps its output.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// ringio::run(async {
    ///     let handle = ringio::spawn(ringio::time::sleep(Duration::from_secs(60)));
    ///     handle.abort();
    ///     assert!(handle.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort(&self) {
        match &self.inner {
            Inner::Local { executor, id } if *id != JOINED => executor.abort(*id),
            Inner::Local { .. } => {}
            Inner::Sendable(task) => task.abort(),
        }
    }

    /// A handle that can abort the task without awaiting it, e.g. from a
    /// supervisor while another task holds this handle. Like the
    /// `JoinHandle`, it belongs to the task's thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// ringio::run(async {
    ///     let handle = ringio::spawn(ringio::time::sleep(Duration::from_secs(60)));
    ///     let abort = handle.abort_handle();
    ///     abort.abort();
    ///     assert!(handle.await.unwrap_err().is_cancelled());
    ///     assert!(abort.is_finished());
    /// });
    /// ```
    pub fn abort_handle(&self) -> AbortHandle
    where
        T: 'static,
    {
        match &self.inner {
            Inner::Local { executor, id } => AbortHandle::local(executor.clone(), *id),
            Inner::Sendable(task) => AbortHandle::sendable(task.clone()),
        }
    }

    /// Whether the task has finished (completed, panicked or been aborted).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let handle = ringio::spawn(async {});
    ///     ringio::yield_now().await;
    ///     assert!(handle.is_finished());
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        match &self.inner {
            Inner::Local { executor, id } => *id == JOINED || executor.is_finished(*id),
            Inner::Sendable(task) => task.is_finished(),
        }
    }
}

impl<T: 'static> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().inner {
            Inner::Local { executor, id } => {
                assert!(*id != JOINED, "a JoinHandle was polled after it completed");
                let joined = std::task::ready!(executor.poll_join::<T>(*id, cx.waker()));
                *id = JOINED;
                Poll::Ready(match joined {
                    JoinPoll::Output(Ok(value)) => Ok(value),
                    JoinPoll::Output(Err(payload)) => Err(JoinError::panic(payload)),
                    JoinPoll::Cancelled | JoinPoll::Gone => Err(JoinError::cancelled()),
                })
            }
            Inner::Sendable(task) => {
                let Some(mut running) = task.take() else {
                    return Poll::Ready(Err(JoinError::cancelled()));
                };
                let Poll::Ready(output) = Pin::new(&mut running).poll(cx) else {
                    task.set(Some(running));
                    return Poll::Pending;
                };
                Poll::Ready(match output {
                    Some(Ok(value)) => Ok(value),
                    Some(Err(payload)) => Err(JoinError::panic(payload)),
                    None => Err(JoinError::cancelled()),
                })
            }
        }
    }
}

impl<T> Drop for JoinHandle<T> {
    #[inline]
    fn drop(&mut self) {
        match &mut self.inner {
            Inner::Local { executor, id } if *id != JOINED => executor.detach(*id),
            Inner::Local { .. } => {}
            Inner::Sendable(task) => {
                if let Some(task) = task.take() {
                    task.detach();
                }
            }
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// Why a task did not produce its output: it panicked, or it was aborted.
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     let err = ringio::spawn(async { panic!("boom") }).await.unwrap_err();
///     assert!(err.is_panic());
///     assert_eq!(err.to_string(), "task panicked: boom");
/// });
/// ```
pub struct JoinError {
    repr: Repr,
}

enum Repr {
    Cancelled,
    /// In a `Mutex` only to make `JoinError` `Sync` (the payload is `Send`).
    Panic(Mutex<Panic>),
}

impl JoinError {
    pub(crate) fn cancelled() -> JoinError {
        JoinError {
            repr: Repr::Cancelled,
        }
    }

    pub(crate) fn panic(payload: Panic) -> JoinError {
        JoinError {
            repr: Repr::Panic(Mutex::new(payload)),
        }
    }

    /// Whether the task was aborted (or dropped with its runtime).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let handle = ringio::spawn(std::future::pending::<()>());
    ///     handle.abort();
    ///     assert!(handle.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// Whether the task panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let err = ringio::spawn(async { panic!("oops") }).await.unwrap_err();
    ///     assert!(err.is_panic());
    /// });
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
    }

    /// The panic's payload, to resume it with `std::panic::resume_unwind`.
    ///
    /// # Panics
    ///
    /// Panics if the task was cancelled rather than panicking.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let err = ringio::spawn(async { panic!("oops") }).await.unwrap_err();
    ///     let payload = err.into_panic();
    ///     assert_eq!(*payload.downcast::<&str>().unwrap(), "oops");
    /// });
    /// ```
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic()
            .unwrap_or_else(|_| panic!("JoinError::into_panic called on a cancelled task"))
    }

    /// The panic's payload, or `self` back if the task was cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let handle = ringio::spawn(std::future::pending::<()>());
    ///     handle.abort();
    ///     let err = handle.await.unwrap_err();
    ///     assert!(err.try_into_panic().is_err());
    /// });
    /// ```
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Repr::Panic(payload) => {
                Ok(payload.into_inner().unwrap_or_else(PoisonError::into_inner))
            }
            Repr::Cancelled => Err(self),
        }
    }

    fn panic_message(&self) -> Option<String> {
        let Repr::Panic(payload) = &self.repr else {
            return None;
        };
        let payload = payload.lock().unwrap_or_else(PoisonError::into_inner);
        Some(
            payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "<non-string payload>".to_string()),
        )
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.panic_message() {
            Some(msg) => write!(f, "task panicked: {msg}"),
            None => f.write_str("task was cancelled"),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.panic_message() {
            Some(msg) => f.debug_tuple("JoinError::Panic").field(&msg).finish(),
            None => f.write_str("JoinError::Cancelled"),
        }
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for std::io::Error {
    fn from(err: JoinError) -> std::io::Error {
        std::io::Error::other(err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::JoinHandle;

    #[test]
    fn a_join_handle_is_two_words() {
        // Returned in registers: see `Inner`.
        assert_eq!(size_of::<JoinHandle<u64>>(), 2 * size_of::<usize>());
        assert_eq!(size_of::<JoinHandle<[u8; 256]>>(), 2 * size_of::<usize>());
    }
}
