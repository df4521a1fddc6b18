//! The future side of a sleep: its entry in the runtime's timer queue
//! (`driver/timers.rs`), armed on first poll, re-pointed at the latest
//! poller, removed on drop.

use crate::driver::timers::TimerKey;
use crate::driver::Handle;
use crate::driver::Waiter;
use crate::runtime::context;
use crate::runtime::{task_token, waiter_for};
use std::task::{Poll, Waker};
use std::time::Instant;

/// A sleep's place in its runtime's timer queue. Dropping it removes the
/// timer.
pub(crate) struct Timer {
    driver: Handle,
    key: TimerKey,
}

impl std::fmt::Debug for Timer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timer").field("key", &self.key).finish()
    }
}

impl Timer {
    /// Queues a timer for `deadline` on this thread's runtime, woken through
    /// `waker` (the polling task's token when the poller is a task of it).
    ///
    /// # Panics
    ///
    /// Panics when no ringio runtime runs on this thread.
    pub(crate) fn arm(deadline: Instant, waker: &Waker) -> Timer {
        let driver = context::current_driver();
        let waiter = waiter_for(&driver, waker);
        let key = driver.with_driver(|d| d.timers().insert(deadline, waiter));
        Timer { driver, key }
    }

    /// `Ready` once the timer has fired (or its runtime shut down); while it
    /// is queued, makes `waker` the one it wakes.
    pub(crate) fn poll(&self, waker: &Waker) -> Poll<()> {
        poll_queued(&self.driver, self.key, waker)
    }

    /// The deadline the timer was queued for.
    pub(crate) fn deadline(&self) -> Instant {
        self.key.deadline()
    }
}

/// Polls the timer `key` of `driver`'s queue (see [`Timer::poll`]).
fn poll_queued(driver: &Handle, key: TimerKey, waker: &Waker) -> Poll<()> {
    let replaced = driver.with_driver(|d| {
        let current = d.timers().get_mut(key)?;
        let stale = match (&*current, task_token(driver, waker)) {
            (Waiter::Task(token), Some(now)) => *token != now,
            (Waiter::Waker(old), None) => !old.will_wake(waker),
            _ => true,
        };
        // The old waiter is handed out and dropped after the borrow:
        // dropping a waker may run code that reaches the driver.
        Some(stale.then(|| std::mem::replace(current, waiter_for(driver, waker))))
    });
    match replaced {
        Some(old) => {
            drop(old);
            Poll::Pending
        }
        None => Poll::Ready(()),
    }
}

/// A timer that names its queue by id rather than holding the driver, so
/// it is `Send + Sync`, as other runtimes' traits require of a sleep
/// (hyper's `Sleep`). It is used on the thread whose runtime armed it: polled
/// anywhere else it reads as fired, and dropped anywhere else it stays
/// queued until its deadline (one spurious wake-up).
#[derive(Debug)]
#[cfg(feature = "hyper")]
pub(crate) struct DetachedTimer {
    queue: u64,
    key: TimerKey,
}

#[cfg(feature = "hyper")]
impl DetachedTimer {
    /// As [`Timer::arm`].
    ///
    /// # Panics
    ///
    /// Panics when no ringio runtime runs on this thread.
    pub(crate) fn arm(deadline: Instant, waker: &Waker) -> DetachedTimer {
        context::with_driver(|driver| {
            let waiter = waiter_for(driver, waker);
            driver.with_driver(|d| DetachedTimer {
                queue: d.timers().id(),
                key: d.timers().insert(deadline, waiter),
            })
        })
    }

    /// As [`Timer::poll`]; `Ready` off its runtime's thread.
    pub(crate) fn poll(&self, waker: &Waker) -> Poll<()> {
        context::try_with_driver(|driver| {
            let ours = driver.try_with_driver(|d| d.timers().id() == self.queue) == Some(true);
            ours.then(|| poll_queued(driver, self.key, waker))
        })
        .flatten()
        .unwrap_or(Poll::Ready(()))
    }

    /// The deadline the timer was queued for.
    pub(crate) fn deadline(&self) -> Instant {
        self.key.deadline()
    }
}

#[cfg(feature = "hyper")]
impl Drop for DetachedTimer {
    fn drop(&mut self) {
        let removed = context::try_with_driver(|driver| {
            driver
                .try_with_driver(|d| {
                    (d.timers().id() == self.queue)
                        .then(|| d.timers().remove(self.key))
                        .flatten()
                })
                .flatten()
        })
        .flatten();
        drop(removed);
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        // A drop from inside a driver borrow (which should not happen)
        // leaves the timer queued: it fires later as a spurious wake-up.
        let removed = self
            .driver
            .try_with_driver(|d| d.timers().remove(self.key))
            .flatten();
        drop(removed);
    }
}

/// What a sleep needs of its place in the timer queue: [`Timer`], or
/// [`DetachedTimer`] for a sleep that must be `Send + Sync`.
pub(crate) trait QueuedTimer: Sized {
    /// Queues a timer for `deadline`, woken through `waker`.
    fn arm(deadline: Instant, waker: &Waker) -> Self;
    /// `Ready` once the timer fired; else makes `waker` the one it wakes.
    fn poll(&self, waker: &Waker) -> Poll<()>;
    /// The deadline the timer was queued for.
    fn deadline(&self) -> Instant;
}

impl QueuedTimer for Timer {
    fn arm(deadline: Instant, waker: &Waker) -> Timer {
        Timer::arm(deadline, waker)
    }
    fn poll(&self, waker: &Waker) -> Poll<()> {
        Timer::poll(self, waker)
    }
    fn deadline(&self) -> Instant {
        Timer::deadline(self)
    }
}

#[cfg(feature = "hyper")]
impl QueuedTimer for DetachedTimer {
    fn arm(deadline: Instant, waker: &Waker) -> DetachedTimer {
        DetachedTimer::arm(deadline, waker)
    }
    fn poll(&self, waker: &Waker) -> Poll<()> {
        DetachedTimer::poll(self, waker)
    }
    fn deadline(&self) -> Instant {
        DetachedTimer::deadline(self)
    }
}

/// A sleep: its deadline, and its timer once queued (on first poll).
#[derive(Debug)]
pub(crate) struct SleepState<T> {
    deadline: Instant,
    timer: Option<T>,
}

impl<T: QueuedTimer> SleepState<T> {
    pub(crate) fn new(deadline: Instant) -> SleepState<T> {
        SleepState {
            deadline,
            timer: None,
        }
    }

    pub(crate) fn deadline(&self) -> Instant {
        self.deadline
    }

    pub(crate) fn is_armed(&self) -> bool {
        self.timer.is_some()
    }

    /// Moves the deadline. A queued timer for an earlier (or the same)
    /// instant stays queued: when it fires, [`poll`](Self::poll) finds the
    /// deadline not reached and queues the timer again, so pushing a
    /// deadline back costs no queue operation. A timer for a later instant
    /// is removed, and queued anew on the next poll.
    pub(crate) fn reset(&mut self, deadline: Instant) {
        self.deadline = deadline;
        if self.timer.as_ref().is_some_and(|t| t.deadline() > deadline) {
            self.timer = None;
        }
    }

    pub(crate) fn poll(&mut self, waker: &Waker) -> Poll<()> {
        if let Some(timer) = &self.timer {
            if timer.poll(waker).is_pending() {
                return Poll::Pending;
            }
            // Fired (or its runtime shut down): check the deadline itself.
            self.timer = None;
        }
        if Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
        self.timer = Some(T::arm(self.deadline, waker));
        Poll::Pending
    }
}
