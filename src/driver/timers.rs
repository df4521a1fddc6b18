//! The timer queue: sleeps wait here, in user space, not as kernel timers
//! (the sleeps themselves, which arm and drop their entries, are `time/`'s).
//!
//! A parked ring's wait is bounded by the earliest deadline (the `EXT_ARG`
//! timeout of `io_uring_enter`), and every turn fires the timers that are
//! due, earliest first. Arming, re-polling and dropping a sleep cost no
//! system call and no submission entry, so a `timeout` around every request
//! is cheap.

use super::lifecycle::Waiter;
use super::Driver;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// A queued timer: its deadline, then the order it was armed in (timers
/// with one deadline fire in arming order, and every key is unique).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TimerKey {
    deadline: Instant,
    seq: u64,
}

impl TimerKey {
    /// The deadline the timer was queued for.
    pub(crate) fn deadline(&self) -> Instant {
        self.deadline
    }
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
    /// The queue's process-wide id (how a detached timer names it).
    #[cfg(feature = "hyper")]
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

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
    /// The timer queue (where `time/` arms, re-polls and drops sleeps).
    #[inline]
    pub(crate) fn timers(&mut self) -> &mut TimerQueue {
        &mut self.timers
    }

    /// Whether any timer is queued.
    #[inline]
    pub(super) fn has_timers(&self) -> bool {
        self.timers.len() > 0
    }

    /// Moves the waiters of every due timer into the woken list (inline:
    /// every turn asks, and most find no timer queued).
    #[inline]
    pub(super) fn expire_timers(&mut self) {
        if self.has_timers() {
            self.expire_queued_timers();
        }
    }

    fn expire_queued_timers(&mut self) {
        let wakers = &mut self.wakers;
        self.timers
            .expire(Instant::now(), |waiter| waiter.push_to(wakers));
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
