//! The remote inbox: how other threads wake this runtime's tasks.
//!
//! A wake from another thread pushes the task's id here and, if the ring is
//! parked (or about to park), writes the ring's eventfd. The protocol is
//! Dekker's: the executor stores `parked` then loads `pending`; a remote
//! thread stores `pending` then swaps `parked`. With `SeqCst` on both sides at
//! least one of them sees the other, so a wake is never lost, and at most one
//! eventfd write is made per park.

use super::executor::TaskId;
use crate::driver::Unparker;
use async_task::Runnable;
use std::sync::atomic::{
    AtomicBool,
    Ordering::{Relaxed, SeqCst},
};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Task ids scheduled for one runtime by other threads.
#[derive(Debug)]
pub(crate) struct Remote {
    /// Identifies the runtime, to tell a home-thread wake from a remote one.
    pub(crate) id: u64,
    inbox: Mutex<Inbox>,
    pending: AtomicBool,
    parked: AtomicBool,
    /// The `block_on` future was woken: by its waker, from any thread, or
    /// by its task token, on this one.
    main_woken: AtomicBool,
    unparker: Unparker,
}

#[derive(Debug, Default)]
struct Inbox {
    woken: Vec<TaskId>,
    /// `Send` tasks of [`spawn_on`](crate::spawn_on), scheduled to run here.
    runnables: Vec<Runnable>,
    /// Set when the runtime is gone: later wakes are ignored.
    closed: bool,
}

impl Remote {
    pub(crate) fn new(id: u64, unparker: Unparker) -> Remote {
        Remote {
            id,
            inbox: Mutex::new(Inbox::default()),
            pending: AtomicBool::new(false),
            parked: AtomicBool::new(false),
            main_woken: AtomicBool::new(false),
            unparker,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inbox> {
        self.inbox.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Schedules task `id` from any thread.
    pub(crate) fn push(&self, id: TaskId) {
        self.deliver(|inbox| inbox.woken.push(id));
    }

    /// Schedules a `Send` task to be polled on this runtime, from any
    /// thread. Dropped (which cancels it) if the runtime is gone.
    pub(crate) fn push_runnable(&self, runnable: Runnable) {
        // A refused runnable is dropped after the lock is released: dropping
        // it cancels its task, which may wake (and lock) again.
        let mut refused = Some(runnable);
        self.deliver(|inbox| inbox.runnables.extend(refused.take()));
        drop(refused);
    }

    /// Puts work in the inbox (unless the runtime is gone), then raises
    /// `pending` and interrupts a parked ring: the remote half of the park
    /// protocol, shared by every kind of delivery.
    fn deliver(&self, put: impl FnOnce(&mut Inbox)) {
        {
            let mut inbox = self.lock();
            if inbox.closed {
                return;
            }
            put(&mut inbox);
        }
        self.pending.store(true, SeqCst);
        self.notify();
    }

    /// Marks the `block_on` future woken from its home thread (a task-token
    /// wake): only this thread reads the flag before parking, so a plain
    /// store does.
    #[inline]
    pub(crate) fn wake_main_here(&self) {
        self.main_woken.store(true, Relaxed);
    }

    /// Marks the `block_on` future woken from any thread; the first wake
    /// since its last poll interrupts a parked ring (the same Dekker pair as
    /// `pending`: this swaps `main_woken` then `parked`, the parking thread
    /// stores `parked` then loads `main_woken`).
    pub(crate) fn wake_main(&self) {
        if !self.main_woken.swap(true, SeqCst) {
            self.notify();
        }
    }

    /// Takes the `block_on` future's woken flag.
    #[inline]
    pub(crate) fn take_main_woken(&self) -> bool {
        self.main_woken.swap(false, SeqCst)
    }

    /// Whether the `block_on` future was woken since its last poll.
    #[inline]
    pub(crate) fn is_main_woken(&self) -> bool {
        self.main_woken.load(SeqCst)
    }

    /// Interrupts the ring if it is parked.
    pub(crate) fn notify(&self) {
        if self.parked.swap(false, SeqCst) {
            self.unparker.unpark();
        }
    }

    /// Whether a wake from another thread may be waiting (a plain load: a
    /// wake racing with it is seen by the next check, or ends the park).
    #[inline]
    pub(crate) fn has_pending(&self) -> bool {
        self.pending.load(Relaxed)
    }

    /// Moves every woken id into `out` and every scheduled runnable into
    /// `runnables` (home thread only).
    pub(crate) fn drain_into(&self, out: &mut Vec<TaskId>, runnables: &mut Vec<Runnable>) {
        // The plain load keeps the common, empty case free of a locked RMW.
        if self.has_pending() && self.pending.swap(false, SeqCst) {
            let mut inbox = self.lock();
            out.append(&mut inbox.woken);
            runnables.append(&mut inbox.runnables);
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

    /// Closes the inbox: the runtime is gone.
    pub(crate) fn close(&self) {
        let runnables = {
            let mut inbox = self.lock();
            inbox.closed = true;
            inbox.woken.clear();
            std::mem::take(&mut inbox.runnables)
        };
        // Dropped outside the lock: dropping a runnable cancels its task,
        // which may wake (and lock) again.
        drop(runnables);
    }
}
