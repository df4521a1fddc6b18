//! The current thread's driver, and the shared handle operations hold.
//! (Which task is being polled is the runtime's business:
//! `runtime/task_context.rs`.)

use super::cqe::{Cqe, OpKey};
use super::lifecycle::Abandoned;
use super::{Driver, DriverStats, RingConfig, Unparker, Waiter};
use io_uring::squeue;
use std::cell::{Cell, RefCell};
use std::io;
use std::mem::ManuallyDrop;
use std::os::fd::OwnedFd;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Poll, Waker};
use std::time::Duration;

thread_local! {
    /// This thread's driver: the `Rc` allocation that the innermost
    /// [`EnterGuard`] keeps alive (null: no runtime here). A plain pointer
    /// in a `Cell`: reading it costs one load, with no borrow flag and no
    /// thread-local destructor to register or check.
    static CURRENT: Cell<*const RefCell<Driver>> = const { Cell::new(std::ptr::null()) };
}

/// Queues a `MSG_RING` wake for `target` on this thread's ring, if this
/// thread runs a ringio runtime whose driver is free; `false` otherwise.
pub(crate) fn push_msg_ring(target: &Arc<OwnedFd>) -> bool {
    try_with_current(|current| {
        let mut driver = current.0.try_borrow_mut().ok()?;
        Some(driver.push_msg_ring(target))
    })
    .flatten()
    .unwrap_or(false)
}

/// A shared handle to one thread's driver. Every in-flight operation holds
/// one, so dropping an operation always reaches the table it lives in.
#[derive(Clone)]
pub(crate) struct Handle(Rc<RefCell<Driver>>);

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("driver::Handle")
    }
}

/// Runs `f` with this thread's driver, if a runtime runs on this thread
/// (`None` also during thread teardown).
#[inline]
pub(crate) fn try_with_current<R>(f: impl FnOnce(&Handle) -> R) -> Option<R> {
    let driver = CURRENT.try_with(Cell::get).ok()?;
    if driver.is_null() {
        return None;
    }
    // SAFETY: a non-null `CURRENT` points into the `Rc` held by the live
    // `EnterGuard` that stored it (guards are scoped and restore the
    // previous pointer when dropped), so the allocation is alive. The handle
    // made from it is borrowed only for this call and never dropped: the
    // strong count it stands for stays the guard's.
    let handle = ManuallyDrop::new(Handle(unsafe { Rc::from_raw(driver) }));
    Some(f(&handle))
}

/// Runs `f` with this thread's driver.
///
/// # Panics
///
/// Panics with a clear message when no ringio runtime runs on this thread.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(&Handle) -> R) -> R {
    try_with_current(f).unwrap_or_else(|| no_runtime())
}

/// The one panic for "no runtime on this thread", shared by the driver's
/// and the executor's thread-locals.
#[cold]
#[inline(never)]
pub(crate) fn no_runtime() -> ! {
    panic!(
        "there is no ringio runtime on this thread: \
         call this inside `ringio::run` or `Runtime::block_on`"
    )
}

/// A clone of this thread's driver handle.
///
/// # Panics
///
/// Panics like [`with_current`] when no ringio runtime runs on this thread.
#[inline]
pub(crate) fn current_handle() -> Handle {
    with_current(Handle::clone)
}

/// Makes `handle` this thread's driver until the guard drops.
pub(crate) fn enter(handle: &Handle) -> EnterGuard {
    let handle = handle.clone();
    let previous = CURRENT.replace(Rc::as_ptr(&handle.0));
    EnterGuard {
        previous,
        _handle: handle,
    }
}

/// Restores the previous driver when dropped; until then keeps the entered
/// driver alive, which is what makes `CURRENT`'s pointer valid.
pub(crate) struct EnterGuard {
    previous: *const RefCell<Driver>,
    _handle: Handle,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        // `try_with`: during thread teardown the slot may already be gone.
        // (`_handle` is dropped after this body: the pointer is replaced
        // before the allocation can go.)
        let _ = CURRENT.try_with(|current| current.set(self.previous));
    }
}

impl Handle {
    /// The driver `config` asks for, and why `Auto` fell back to epoll,
    /// if it did.
    pub(crate) fn new(config: &RingConfig) -> io::Result<(Handle, Option<io::Error>)> {
        let (driver, fallback) = Driver::new(config)?;
        Ok((Handle(Rc::new(RefCell::new(driver))), fallback))
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
