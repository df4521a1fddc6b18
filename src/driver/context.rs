//! The shared handle operations hold, and the slot of the runtime context
//! (`runtime/context.rs`) that names the current thread's driver.

use super::cqe::{Cqe, OpKey};
use super::lifecycle::Abandoned;
use super::{Driver, DriverStats, RingConfig, Unparker, Waiter};
use crate::sys::scoped_rc::ScopedRc;
use io_uring::squeue;
use std::cell::RefCell;
use std::io;
use std::os::fd::OwnedFd;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Poll, Waker};
use std::time::Duration;

/// The context's driver slot: the [`Handle`] a running
/// `runtime::context::enter` lends (the runtime owns the thread-local; the
/// driver knows how its slot turns back into a handle).
pub(crate) struct DriverSlot(ScopedRc<RefCell<Driver>>);

impl DriverSlot {
    /// An empty slot: no runtime on this thread.
    pub(crate) const fn new() -> DriverSlot {
        DriverSlot(ScopedRc::new())
    }

    /// Runs `f` with `handle` as this thread's driver.
    pub(crate) fn set<R>(&self, handle: &Handle, f: impl FnOnce() -> R) -> R {
        self.0.set(&handle.0, f)
    }

    /// Runs `f` with the driver the slot names, if any.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&Handle) -> R) -> Option<R> {
        self.0.with(|rc| f(Handle::from_rc(rc)))
    }
}

/// A shared handle to one thread's driver. Every in-flight operation holds
/// one, so dropping an operation always reaches the table it lives in.
#[derive(Clone)]
#[repr(transparent)]
pub(crate) struct Handle(Rc<RefCell<Driver>>);

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("driver::Handle")
    }
}

impl Handle {
    /// The handle an `Rc` of the driver is, by reference.
    #[inline]
    fn from_rc(rc: &Rc<RefCell<Driver>>) -> &Handle {
        // SAFETY: `Handle` is `repr(transparent)` over exactly this `Rc`, so
        // the two references have one layout and one validity; the lifetime
        // is carried over unchanged.
        unsafe { &*std::ptr::from_ref(rc).cast::<Handle>() }
    }

    /// Queues a `MSG_RING` wake for `target` on this ring (`user_data`
    /// names the target's fallback, should the kernel fail the entry), if
    /// the driver is free; `false` otherwise.
    pub(crate) fn push_msg_ring(&self, target: &Arc<OwnedFd>, user_data: u64) -> bool {
        match self.0.try_borrow_mut() {
            Ok(mut driver) => driver.push_msg_ring(target, user_data),
            Err(_) => false,
        }
    }

    /// The driver `config` asks for, and why `Auto` fell back to epoll,
    /// if it did.
    pub(crate) fn new(config: &RingConfig) -> io::Result<(Handle, Option<io::Error>)> {
        let (driver, fallback) = Driver::new(config)?;
        Ok((Handle(Rc::new(RefCell::new(driver))), fallback))
    }

    /// Whether parked waits are batched ([`crate::Builder::wait_batch`]).
    pub(crate) fn waits_in_batches(&self) -> bool {
        self.0.borrow().waits_in_batches()
    }

    /// Which driver runs.
    pub(crate) fn kind(&self) -> super::DriverKind {
        self.0.borrow().kind()
    }

    #[inline]
    pub(crate) fn push_op(&self, build: impl FnOnce() -> squeue::Entry) -> io::Result<OpKey> {
        self.0.borrow_mut().push_op(build)
    }

    pub(crate) fn push_multishot(
        &self,
        build: impl FnOnce() -> squeue::Entry,
    ) -> io::Result<OpKey> {
        self.0.borrow_mut().push_multishot(build)
    }

    /// Takes the operation's completion or registers the poller; `None` if
    /// `key` names no slot (an entry never pushed, or already taken).
    /// `task` names the polling task by the runtime's token, if the poller
    /// is one (asked only when the waiter must be recorded).
    #[inline]
    pub(crate) fn poll_op(
        &self,
        key: OpKey,
        waker: &Waker,
        task: impl FnOnce() -> Option<u64>,
    ) -> Option<Poll<Cqe>> {
        self.0.borrow_mut().poll_op(key, waker, task)
    }

    /// The driver's identity (its allocation's address): which runtime an
    /// operation or a task belongs to, compared, never dereferenced.
    #[inline]
    pub(crate) fn id(&self) -> usize {
        Rc::as_ptr(&self.0) as usize
    }

    /// Parks `abandoned` until the CQE arrives. If the driver is busy (a drop
    /// from inside a reap, which should not happen), the data is leaked rather
    /// than freed under the kernel.
    pub(crate) fn abandon_op(&self, key: OpKey, abandoned: Abandoned) {
        match self.0.try_borrow_mut() {
            Ok(mut driver) => driver.abandon_op(key, abandoned),
            Err(_) => std::mem::forget(abandoned),
        }
    }

    /// Cancels the pending operation `key` in the kernel, keeping it in
    /// the table: it completes (with `ECANCELED`, or its own result if it
    /// got there first) and its future resolves as usual.
    #[cold]
    pub(crate) fn cancel_op(&self, key: OpKey) {
        if let Ok(mut driver) = self.0.try_borrow_mut() {
            driver.cancel_op(key);
        }
    }

    /// One enter (waiting if `wait`); the reaped wakers are moved into
    /// `woken` for the caller to wake once no borrow is held, so a waker may
    /// push new operations.
    pub(crate) fn turn(&self, wait: bool, woken: &mut Vec<Waiter>) -> io::Result<()> {
        let mut driver = self.0.borrow_mut();
        let res = driver.turn(wait);
        driver.take_wakers(woken);
        res
    }

    /// Runs `f` on the driver (timers: no enter, no wakes).
    #[inline]
    pub(crate) fn with_driver<R>(&self, f: impl FnOnce(&mut Driver) -> R) -> R {
        f(&mut self.0.borrow_mut())
    }

    /// As [`with_driver`](Self::with_driver); `None` if the driver is
    /// borrowed (a drop from inside a driver call).
    pub(crate) fn try_with_driver<R>(&self, f: impl FnOnce(&mut Driver) -> R) -> Option<R> {
        let mut driver = self.0.try_borrow_mut().ok()?;
        Some(f(&mut driver))
    }

    /// A tick that must not wait (tasks are still runnable): one enter if
    /// there are entries to submit or operations whose completions may be
    /// waiting, else none; the due timers fire either way. One borrow: asked
    /// every busy tick.
    #[inline]
    pub(crate) fn turn_busy(&self, woken: &mut Vec<Waiter>) -> io::Result<()> {
        let mut driver = self.0.borrow_mut();
        if driver.has_queued_entries() || driver.ops_in_flight() > 0 {
            let res = driver.turn(false);
            driver.take_wakers(woken);
            res
        } else {
            // A yield-only tick pays one borrow and two length checks.
            if driver.has_timers() {
                driver.expire_timers();
                driver.take_wakers(woken);
            }
            Ok(())
        }
    }

    /// The provided-buffer pool, if the kernel has buffer rings.
    pub(crate) fn buf_ring(&self) -> Option<Rc<super::buf_ring::BufRing>> {
        self.0.borrow_mut().buf_ring()
    }

    /// The bytes of a receive chunk (`Builder::recv_buffers`' size).
    pub(crate) fn recv_chunk_size(&self) -> usize {
        self.0.borrow().recv_chunk_size()
    }

    /// Whether `MSG_RING` wakes for other rings wait for this ring's next
    /// enter.
    pub(crate) fn has_queued_messages(&self) -> bool {
        self.0.borrow().has_queued_messages()
    }

    pub(crate) fn mode(&self) -> super::SetupMode {
        self.0.borrow().mode()
    }

    pub(crate) fn unparker(&self) -> Unparker {
        self.0.borrow().unparker()
    }

    /// The counters, the operations in flight and the timers queued.
    pub(crate) fn stats(&self) -> (DriverStats, usize, usize) {
        let driver = self.0.borrow();
        (driver.stats(), driver.ops_in_flight(), driver.timers.len())
    }

    /// The runtime is about to drop its tasks (see
    /// [`Driver::begin_shutdown`]).
    pub(crate) fn begin_shutdown(&self) {
        self.0.borrow_mut().begin_shutdown();
    }

    /// Cancels and drains everything in flight (see [`Driver::shutdown`]).
    pub(crate) fn shutdown(&self, timeout: Duration) {
        let mut wakers = Vec::new();
        let timers;
        {
            let mut driver = self.0.borrow_mut();
            driver.shutdown(timeout);
            driver.take_wakers(&mut wakers);
            // Sleeps still alive (held outside any task) are ready from now
            // on: their timer is gone with the runtime.
            timers = driver.timers.take_all();
        }
        drop(wakers);
        drop(timers);
    }
}
