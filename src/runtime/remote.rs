//! The remote inbox: how other threads hand runnable tasks to this runtime.
//!
//! A wake from another thread pushes the task here and, if the ring is parked
//! (or about to park), writes the ring's eventfd. The protocol is Dekker's: the
//! executor stores `parked` then loads `pending`; a remote thread stores
//! `pending` then swaps `parked`. With `SeqCst` on both sides at least one of
//! them sees the other, so a wake is never lost and at most one eventfd write
//! is made per park.

use crate::driver::Unparker;
use async_task::Runnable;
use std::sync::atomic::{
    AtomicBool,
    Ordering::{Relaxed, SeqCst},
};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Tasks scheduled for one runtime by other threads.
#[derive(Debug)]
pub(crate) struct Remote {
    /// Identifies the runtime, to tell a home-thread wake from a remote one.
    pub(crate) id: u64,
    inbox: Mutex<Inbox>,
    pending: AtomicBool,
    parked: AtomicBool,
    unparker: Unparker,
}

#[derive(Debug, Default)]
struct Inbox {
    runnables: Vec<Runnable>,
    /// Set when the runtime is gone: later pushes leak their task rather than
    /// drop a `!Send` future on the wrong thread.
    closed: bool,
}

impl Remote {
    pub(crate) fn new(id: u64, unparker: Unparker) -> Remote {
        Remote {
            id,
            inbox: Mutex::new(Inbox::default()),
            pending: AtomicBool::new(false),
            parked: AtomicBool::new(false),
            unparker,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inbox> {
        self.inbox.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Schedules `runnable` from any thread.
    pub(crate) fn push(&self, runnable: Runnable) {
        {
            let mut inbox = self.lock();
            if inbox.closed {
                std::mem::forget(runnable);
                return;
            }
            inbox.runnables.push(runnable);
        }
        self.pending.store(true, SeqCst);
        self.notify();
    }

    /// Interrupts the ring if it is parked.
    pub(crate) fn notify(&self) {
        if self.parked.swap(false, SeqCst) {
            self.unparker.unpark();
        }
    }

    /// Moves everything in the inbox into `out` (home thread only).
    pub(crate) fn drain_into(&self, out: &mut impl Extend<Runnable>) {
        // The plain load keeps the common, empty case free of a locked RMW.
        if self.pending.load(Relaxed) && self.pending.swap(false, SeqCst) {
            out.extend(std::mem::take(&mut self.lock().runnables));
        }
    }

    /// Announces that the ring is about to park; returns `false` (and cancels
    /// the announcement) if work arrived in the meantime.
    pub(crate) fn prepare_park(&self) -> bool {
        self.parked.store(true, SeqCst);
        if self.pending.load(SeqCst) {
            self.parked.store(false, SeqCst);
            return false;
        }
        true
    }

    /// The ring is awake again.
    pub(crate) fn unpark_done(&self) {
        self.parked.store(false, SeqCst);
    }

    /// Closes the inbox; returns what was still in it (home thread drops it).
    pub(crate) fn close(&self) -> Vec<Runnable> {
        let mut inbox = self.lock();
        inbox.closed = true;
        std::mem::take(&mut inbox.runnables)
    }
}
