//! The states of one in-flight operation and the transitions between them.
//!
//! ```text
//!   push ──► Submitted ──poll──► TaskWaiting(token) | Waiting(waker) ──CQE──► Completed(cqe) ──poll──► (slot freed)
//!               │                     │
//!               └──────drop───────────┴──► Abandoned(data) ──CQE──► (data dropped, slot freed)
//! ```
//! A CQE that arrives while `Submitted` goes straight to `Completed`; a drop
//! after `Completed` frees the slot at once. `Abandoned` holds everything the
//! kernel may still touch until the operation's final CQE.
//!
//! A multishot operation (one SQE, many CQEs) lives in `Multishot` instead:
//! its completions queue up in order and each poll takes one; the slot is
//! freed when the poller takes the final one (no `IORING_CQE_F_MORE`).

use super::cqe::Cqe;
use std::any::Any;
use std::collections::VecDeque;
use std::os::fd::{FromRawFd, OwnedFd};
use std::task::Waker;

/// What the in-flight table knows of one operation.
pub(crate) enum Lifecycle {
    /// No operation: a free slot of the table.
    Vacant,
    /// Pushed; nobody has polled it yet.
    Submitted,
    /// Polled by a task of this thread's runtime: the task, by its token,
    /// is scheduled when the CQE arrives (no waker clone, no atomics).
    TaskWaiting(u64),
    /// Polled with any other waker (a combinator's, another runtime's):
    /// woken when the CQE arrives.
    Waiting(Waker),
    /// The CQE arrived; the next poll takes it.
    Completed(Cqe),
    /// The future was dropped first: the table keeps the operation's data
    /// alive until the final CQE.
    Abandoned(Box<Abandoned>),
    /// A multishot operation: completions not yet taken, and who waits.
    Multishot(Box<Shots>),
}

/// The queued completions of a multishot operation.
#[derive(Default)]
pub(crate) struct Shots {
    pub(crate) cqes: VecDeque<Cqe>,
    pub(crate) waiter: Option<Waiter>,
    /// The final completion (no `IORING_CQE_F_MORE`) has arrived.
    pub(crate) done: bool,
}

/// Who waits for an operation.
#[derive(Debug)]
pub(crate) enum Waiter {
    /// A task of this thread's runtime, by the runtime's opaque token: it is
    /// scheduled directly, with no waker clone and no atomic operation.
    Task(u64),
    /// Any other waker (a combinator's, another runtime's).
    Waker(Waker),
}

impl Waiter {
    /// Appends `self` to `woken` unless the last entry wakes the same
    /// (completions of one task arrive together: it is woken once).
    #[inline]
    pub(crate) fn push_to(self, woken: &mut Vec<Waiter>) {
        if !woken.last().is_some_and(|last| last.same_as(&self)) {
            woken.push(self);
        }
    }

    /// Whether waking `self` and `other` has the same effect.
    #[inline]
    pub(crate) fn same_as(&self, other: &Waiter) -> bool {
        match (self, other) {
            (Waiter::Task(a), Waiter::Task(b)) => a == b,
            (Waiter::Waker(a), Waiter::Waker(b)) => a.will_wake(b),
            _ => false,
        }
    }
}

/// The resources of a dropped operation, held until the kernel lets go.
pub(crate) struct Abandoned {
    /// Everything the SQE points into (buffers, paths, sockaddrs). Never
    /// read: holding it is the point, and dropping it releases the memory.
    #[allow(dead_code)]
    pub(crate) data: Box<dyn Any>,
    /// Whether a successful result is a new fd that nobody will receive.
    pub(crate) returns_fd: bool,
    /// Whether an entry the kernel has not read yet may be withdrawn (see
    /// `OpCode::WITHDRAWABLE`).
    pub(crate) withdrawable: bool,
    /// Gives back what a late completion carries besides an fd (a provided
    /// buffer's id), given the data and the completion.
    pub(crate) on_late_cqe: Option<fn(&dyn Any, &Cqe)>,
}

impl Lifecycle {
    #[inline]
    pub(crate) fn is_vacant(&self) -> bool {
        matches!(self, Lifecycle::Vacant)
    }
}

impl Abandoned {
    /// Releases what a late completion produced: a returned fd is closed.
    pub(crate) fn release(&self, cqe: Cqe) {
        if let Some(hook) = self.on_late_cqe {
            hook(&*self.data, &cqe);
        }
        if self.returns_fd && cqe.res >= 0 {
            // SAFETY: the kernel just created this fd for an operation whose
            // future is gone, so nothing else in the process owns it.
            drop(unsafe { OwnedFd::from_raw_fd(cqe.res) });
        }
    }
}

impl std::fmt::Debug for Lifecycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Lifecycle::Vacant => f.write_str("Vacant"),
            Lifecycle::Submitted => f.write_str("Submitted"),
            Lifecycle::TaskWaiting(token) => write!(f, "TaskWaiting({token})"),
            Lifecycle::Waiting(_) => f.write_str("Waiting"),
            Lifecycle::Completed(c) => write!(f, "Completed({c:?})"),
            Lifecycle::Abandoned(a) => write!(f, "Abandoned(returns_fd: {})", a.returns_fd),
            Lifecycle::Multishot(s) => {
                write!(f, "Multishot({} queued, done: {})", s.cqes.len(), s.done)
            }
        }
    }
}
