//! The timer queue: sleeps wait here, in user space, not as kernel timers.
//!
//! A parked ring's wait is bounded by the earliest deadline (the `EXT_ARG`
//! timeout of `io_uring_enter`), and every turn fires the timers that are
//! due, earliest first. Arming, re-polling and dropping a sleep cost no
//! system call and no submission entry, so a `timeout` around every request
//! is cheap.

use super::context::{task_token, waiter_for, Handle};
use super::lifecycle::Waiter;
use super::Driver;
use std::collections::BTreeMap;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

/// A queued timer: its deadline, then the order it was armed in (timers
/// with one deadline fire in arming order, and every key is unique).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TimerKey {
    deadline: Instant,
    seq: u64,
}

/// The timers of one runtime, ordered by deadline.
pub(crate) struct TimerQueue {
    timers: BTreeMap<TimerKey, Waiter>,
    next_seq: u64,
    /// Unique in the process: how a [`DetachedTimer`] names its queue.
    #[cfg(feature = "hyper")]
    id: u64,
}

// Derivable without the `hyper` feature's queue id.
#[allow(clippy::derivable_impls)]
impl Default for TimerQueue {
    fn default() -> TimerQueue {
        #[cfg(feature = "hyper")]
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        TimerQueue {
            timers: BTreeMap::new(),
            next_seq: 0,
            #[cfg(feature = "hyper")]
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }
}

impl TimerQueue {
    /// Queues a timer that wakes `waiter` at `deadline`.
    pub(crate) fn insert(&mut self, deadline: Instant, waiter: Waiter) -> TimerKey {
        let key = TimerKey {
            deadline,
            seq: self.next_seq,
        };
        self.next_seq += 1;
        self.timers.insert(key, waiter);
        key
    }

    /// The waiter of a timer still queued; `None` once it fired or was
    /// removed.
    pub(crate) fn get_mut(&mut self, key: TimerKey) -> Option<&mut Waiter> {
        self.timers.get_mut(&key)
    }

    /// Takes a timer out of the queue (nothing if it already fired).
    pub(crate) fn remove(&mut self, key: TimerKey) -> Option<Waiter> {
        self.timers.remove(&key)
    }

    /// The earliest deadline queued.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.timers.first_key_value().map(|(key, _)| key.deadline)
    }

    /// Removes every timer due at `now`, earliest first, handing each
    /// waiter to `fire`.
    pub(crate) fn expire(&mut self, now: Instant, mut fire: impl FnMut(Waiter)) {
        while let Some(entry) = self.timers.first_entry() {
            if entry.key().deadline > now {
                break;
            }
            fire(entry.remove());
        }
    }

    /// Timers queued.
    pub(crate) fn len(&self) -> usize {
        self.timers.len()
    }

    /// Drops every timer (at shutdown); returns their waiters for the caller
    /// to drop once no borrow is held.
    pub(crate) fn take_all(&mut self) -> Vec<Waiter> {
        std::mem::take(&mut self.timers).into_values().collect()
    }
}

impl Driver {
    /// Whether any timer is queued.
    #[inline]
    pub(super) fn has_timers(&self) -> bool {
        self.timers.len() > 0
    }

    /// Moves the waiters of every due timer into the woken list.
    pub(super) fn expire_timers(&mut self) {
        if !self.has_timers() {
            return;
        }
        let wakers = &mut self.wakers;
        self.timers
            .expire(Instant::now(), |waiter| waiter.push_to(wakers));
    }
}

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
        let driver = super::context::current_handle();
        let waiter = waiter_for(&driver, waker);
        let key = driver.with_driver(|d| d.timers.insert(deadline, waiter));
        Timer { driver, key }
    }

    /// `Ready` once the timer has fired (or its runtime shut down); while it
    /// is queued, makes `waker` the one it wakes.
    pub(crate) fn poll(&self, waker: &Waker) -> Poll<()> {
        poll_queued(&self.driver, self.key, waker)
    }

    /// The deadline the timer was queued for.
    pub(crate) fn deadline(&self) -> Instant {
        self.key.deadline
    }
}

/// Polls the timer `key` of `driver`'s queue (see [`Timer::poll`]).
fn poll_queued(driver: &Handle, key: TimerKey, waker: &Waker) -> Poll<()> {
    let replaced = driver.with_driver(|d| {
        let current = d.timers.get_mut(key)?;
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
        super::context::with_current(|driver| {
            let waiter = waiter_for(driver, waker);
            driver.with_driver(|d| DetachedTimer {
                queue: d.timers.id,
                key: d.timers.insert(deadline, waiter),
            })
        })
    }

    /// As [`Timer::poll`]; `Ready` off its runtime's thread.
    pub(crate) fn poll(&self, waker: &Waker) -> Poll<()> {
        super::context::try_with_current(|driver| {
            let ours = driver.try_with_driver(|d| d.timers.id == self.queue) == Some(true);
            ours.then(|| poll_queued(driver, self.key, waker))
        })
        .flatten()
        .unwrap_or(Poll::Ready(()))
    }

    /// The deadline the timer was queued for.
    pub(crate) fn deadline(&self) -> Instant {
        self.key.deadline
    }
}

#[cfg(feature = "hyper")]
impl Drop for DetachedTimer {
    fn drop(&mut self) {
        let removed = super::context::try_with_current(|driver| {
            driver
                .try_with_driver(|d| {
                    (d.timers.id == self.queue)
                        .then(|| d.timers.remove(self.key))
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
            .try_with_driver(|d| d.timers.remove(self.key))
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

/// `duration` after `start`; for a duration too large for `Instant`, about
/// 30 years from now: "never".
pub(crate) fn deadline_after(start: Instant, duration: Duration) -> Instant {
    start
        .checked_add(duration)
        .unwrap_or_else(|| Instant::now() + Duration::from_secs(86400 * 365 * 30))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timers_expire_in_deadline_then_arming_order() {
        let mut queue = TimerQueue::default();
        let now = Instant::now();
        let late = queue.insert(now + Duration::from_secs(2), Waiter::Task(1));
        queue.insert(now + Duration::from_secs(1), Waiter::Task(2));
        queue.insert(now + Duration::from_secs(1), Waiter::Task(3));
        queue.insert(now + Duration::from_secs(9), Waiter::Task(4));
        assert_eq!(queue.next_deadline(), Some(now + Duration::from_secs(1)));
        let mut fired = Vec::new();
        queue.expire(now + Duration::from_secs(2), |w| match w {
            Waiter::Task(t) => fired.push(t),
            Waiter::Waker(_) => unreachable!(),
        });
        assert_eq!(fired, [2, 3, 1]);
        assert!(queue.get_mut(late).is_none(), "a fired timer is gone");
        assert_eq!(queue.len(), 1);
        assert!(queue.remove(late).is_none());
    }

    #[test]
    fn a_removed_timer_never_fires() {
        let mut queue = TimerQueue::default();
        let now = Instant::now();
        let key = queue.insert(now, Waiter::Task(7));
        assert!(queue.remove(key).is_some());
        let mut fired = 0;
        queue.expire(now + Duration::from_secs(1), |_| fired += 1);
        assert_eq!(fired, 0);
        assert_eq!(queue.next_deadline(), None);
    }
}
