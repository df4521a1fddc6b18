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
use std::time::{Duration, Instant};

/// A queued timer: its deadline, then the order it was armed in (timers
/// with one deadline fire in arming order, and every key is unique), and
/// the slot that holds its waiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimerKey {
    deadline: Instant,
    seq: u64,
    slot: u32,
}

impl TimerKey {
    /// The deadline the timer was queued for.
    pub(crate) fn deadline(&self) -> Instant {
        self.deadline
    }
}

/// A heap entry: the timer's place in firing order as one number (its
/// deadline in nanoseconds after the queue's epoch, then its arming
/// sequence), and the slot of its waiter.
#[derive(Debug, Clone, Copy)]
struct HeapEntry {
    rank: u128,
    slot: u32,
}

/// A timer's waiter and where its key sits in the heap; a free slot has
/// no waiter.
#[derive(Debug)]
struct Slot {
    deadline: Instant,
    seq: u64,
    heap_index: u32,
    waiter: Option<Waiter>,
}

/// The timers of one runtime, ordered by deadline: a binary min-heap of
/// keys, each naming the slot of its waiter, and each slot knowing its
/// key's place in the heap. Arming costs one push (a timer armed after the
/// others, what a server's per-request timeout is, stays where it lands),
/// removing one swaps the heap's last key into its place and sifts it: no
/// allocation once the vectors have grown, no node to free.
pub(crate) struct TimerQueue {
    heap: Vec<HeapEntry>,
    slots: Vec<Slot>,
    /// The instant ranks count from.
    epoch: Instant,
    free_slots: Vec<u32>,
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
            heap: Vec::new(),
            slots: Vec::new(),
            epoch: Instant::now(),
            free_slots: Vec::new(),
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
        let seq = self.next_seq;
        self.next_seq += 1;
        let heap_index = self.heap.len() as u32;
        let queued = Slot {
            deadline,
            seq,
            heap_index,
            waiter: Some(waiter),
        };
        let slot = match self.free_slots.pop() {
            Some(slot) => {
                self.slots[slot as usize] = queued;
                slot
            }
            None => {
                self.slots.push(queued);
                (self.slots.len() - 1) as u32
            }
        };
        self.heap.push(HeapEntry {
            rank: self.rank(deadline, seq),
            slot,
        });
        self.sift_up(heap_index as usize);
        TimerKey {
            deadline,
            seq,
            slot,
        }
    }

    /// Where a timer for `deadline`, armed `seq`-th, falls in firing order.
    #[inline]
    fn rank(&self, deadline: Instant, seq: u64) -> u128 {
        let nanos = deadline.saturating_duration_since(self.epoch).as_nanos();
        (nanos.min(u128::from(u64::MAX)) << 64) | u128::from(seq)
    }

    /// The slot of a timer still queued.
    #[inline]
    fn queued(&mut self, key: TimerKey) -> Option<&mut Slot> {
        self.slots
            .get_mut(key.slot as usize)
            .filter(|slot| slot.seq == key.seq && slot.waiter.is_some())
    }

    /// The waiter of a timer still queued; `None` once it fired or was
    /// removed.
    pub(crate) fn get_mut(&mut self, key: TimerKey) -> Option<&mut Waiter> {
        self.queued(key)?.waiter.as_mut()
    }

    /// Takes a timer out of the queue (nothing if it already fired).
    pub(crate) fn remove(&mut self, key: TimerKey) -> Option<Waiter> {
        let slot = self.queued(key)?;
        let heap_index = slot.heap_index as usize;
        let waiter = slot.waiter.take();
        self.free_slots.push(key.slot);
        self.remove_heap_entry(heap_index);
        waiter
    }

    /// The earliest deadline queued.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.heap
            .first()
            .map(|entry| self.slots[entry.slot as usize].deadline)
    }

    /// Removes every timer due at `now`, earliest first, handing each
    /// waiter to `fire`.
    pub(crate) fn expire(&mut self, now: Instant, mut fire: impl FnMut(Waiter)) {
        // Every timer due at `now` ranks at most this.
        let due = self.rank(now, u64::MAX);
        while let Some(&entry) = self.heap.first() {
            if entry.rank > due {
                break;
            }
            self.remove_heap_entry(0);
            self.free_slots.push(entry.slot);
            if let Some(waiter) = self.slots[entry.slot as usize].waiter.take() {
                fire(waiter);
            }
        }
    }

    /// Timers queued.
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    /// Drops every timer (at shutdown); returns their waiters for the caller
    /// to drop once no borrow is held.
    pub(crate) fn take_all(&mut self) -> Vec<Waiter> {
        self.heap.clear();
        self.free_slots.clear();
        std::mem::take(&mut self.slots)
            .into_iter()
            .filter_map(|slot| slot.waiter)
            .collect()
    }

    /// Takes the key at `index` out of the heap: the last key moves into
    /// its place and sifts to where it belongs.
    fn remove_heap_entry(&mut self, index: usize) {
        let last = self.heap.pop().expect("a queued timer is in the heap");
        if index < self.heap.len() {
            self.place(index, last);
            if index > 0 && last.rank < self.heap[(index - 1) / 2].rank {
                self.sift_up(index);
            } else {
                self.sift_down_to_bottom(index);
            }
        }
    }

    /// Puts `key` at `index` and tells its slot.
    #[inline]
    fn place(&mut self, index: usize, entry: HeapEntry) {
        self.heap[index] = entry;
        self.slots[entry.slot as usize].heap_index = index as u32;
    }

    fn sift_up(&mut self, mut index: usize) {
        let key = self.heap[index];
        while index > 0 {
            let parent = (index - 1) / 2;
            if key.rank >= self.heap[parent].rank {
                break;
            }
            let parent_key = self.heap[parent];
            self.place(index, parent_key);
            index = parent;
        }
        self.place(index, key);
    }

    /// Sifts the key at `index` down: the hole goes to the bottom along
    /// the earlier child (one comparison a level), then the key sifts up
    /// from there. The key is the heap's last, one of the latest, so it
    /// rarely climbs: fewer comparisons than stopping on the way down.
    fn sift_down_to_bottom(&mut self, mut index: usize) {
        let key = self.heap[index];
        let len = self.heap.len();
        loop {
            let left = 2 * index + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            let child = if right < len && self.heap[right].rank < self.heap[left].rank {
                right
            } else {
                left
            };
            let child_key = self.heap[child];
            self.place(index, child_key);
            index = child;
        }
        self.place(index, key);
        self.sift_up(index);
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

    #[test]
    fn removing_timers_in_any_order_keeps_the_rest_in_deadline_order() {
        let mut queue = TimerQueue::default();
        let now = Instant::now();
        // Deadlines 0..64 ms, armed out of order; every third removed.
        let keys: Vec<(u64, TimerKey)> = (0..64u64)
            .map(|i| (i * 37) % 64)
            .map(|ms| {
                (
                    ms,
                    queue.insert(now + Duration::from_millis(ms), Waiter::Task(ms)),
                )
            })
            .collect();
        let mut left: Vec<u64> = Vec::new();
        for (i, (ms, key)) in keys.iter().enumerate() {
            if i % 3 == 0 {
                assert!(matches!(queue.remove(*key), Some(Waiter::Task(t)) if t == *ms));
                assert!(queue.remove(*key).is_none(), "removed once");
            } else {
                left.push(*ms);
            }
        }
        left.sort_unstable();
        assert_eq!(queue.len(), left.len());
        // A slot freed by a removal is reused; the old key stays dead.
        let reused = queue.insert(now + Duration::from_secs(60), Waiter::Task(999));
        assert!(queue.get_mut(keys[0].1).is_none());
        assert!(queue.get_mut(reused).is_some());
        let mut fired = Vec::new();
        queue.expire(now + Duration::from_secs(1), |w| match w {
            Waiter::Task(t) => fired.push(t),
            Waiter::Waker(_) => unreachable!(),
        });
        assert_eq!(fired, left);
        assert_eq!(queue.next_deadline(), Some(now + Duration::from_secs(60)));
        assert_eq!(queue.take_all().len(), 1);
        assert_eq!(queue.len(), 0);
    }

    #[test]
    fn the_heap_fires_what_a_sorted_map_would() {
        use std::collections::BTreeMap;
        let mut queue = TimerQueue::default();
        let mut reference: BTreeMap<(Instant, u64), TimerKey> = BTreeMap::new();
        let start = Instant::now();
        let mut now = start;
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for token in 0..20_000u64 {
            match next() % 4 {
                0 | 1 => {
                    let deadline = now + Duration::from_micros(next() % 5_000);
                    let key = queue.insert(deadline, Waiter::Task(token));
                    reference.insert((deadline, token), key);
                }
                2 => {
                    let nth = (next() as usize) % reference.len().max(1);
                    if let Some((&entry, &key)) = reference.iter().nth(nth) {
                        reference.remove(&entry);
                        assert!(matches!(queue.remove(key), Some(Waiter::Task(t)) if t == entry.1));
                    }
                }
                _ => {
                    now += Duration::from_micros(next() % 500);
                    let mut fired = Vec::new();
                    queue.expire(now, |w| match w {
                        Waiter::Task(t) => fired.push(t),
                        Waiter::Waker(_) => unreachable!(),
                    });
                    let due: Vec<u64> = reference
                        .range(..=(now, u64::MAX))
                        .map(|(&(_, t), _)| t)
                        .collect();
                    reference.retain(|&(deadline, _), _| deadline > now);
                    assert_eq!(fired, due);
                }
            }
            assert_eq!(queue.len(), reference.len());
            assert_eq!(
                queue.next_deadline(),
                reference.keys().next().map(|&(d, _)| d)
            );
        }
    }
}
