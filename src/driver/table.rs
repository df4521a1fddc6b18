//! The in-flight table: one slot per operation the kernel has not finished.

use super::cqe::{Cqe, OpKey, GENERATION_LIMIT};
use super::lifecycle::{Abandoned, Lifecycle, Waiter};
use std::task::{Poll, Waker};

/// One operation's place in the table. Slots are reused, never removed: a
/// freed slot is `Vacant` and its generation moves on (and again when it is
/// taken), so a key (and a completion) of its previous tenant no longer
/// matches.
struct Slot {
    generation: u32,
    /// While `Vacant`: the next vacant slot (an intrusive free list, in the
    /// slot's padding; [`NO_SLOT`] ends it). While occupied: the
    /// submission-queue position the operation's entry was written at.
    link: u32,
    state: Lifecycle,
}

/// Records who waits on a single-shot operation (`Submitted`,
/// `TaskWaiting` or `Waiting`; an abandoned op is never polled) when that is
/// not simply a task's token replacing a state that owns nothing: `task`'s
/// token if the poll comes from a task, else a clone of `waker` (unless the
/// same waker is there).
#[cold]
#[inline(never)]
fn register_cold(state: &mut Lifecycle, waker: &Waker, task: Option<u64>) {
    *state = match (task, &*state) {
        (Some(token), _) => Lifecycle::TaskWaiting(token),
        (None, Lifecycle::Waiting(current)) if current.will_wake(waker) => return,
        (None, _) => Lifecycle::Waiting(waker.clone()),
    };
}

/// The end of the free list.
const NO_SLOT: u32 = u32::MAX;

/// A slot's generation after its next change of state, vacant to occupied
/// or back: occupied slots have odd generations and vacant ones even, so no
/// key, stale or current, ever matches a vacant slot. (The limit is even:
/// wrapping keeps the parity.)
#[inline]
fn next_generation(generation: u32) -> u32 {
    (generation + 1) % GENERATION_LIMIT
}

/// Operations in flight, keyed by [`OpKey`].
pub(crate) struct OpTable {
    slots: Vec<Slot>,
    /// The most recently freed `Vacant` slot, head of the free list.
    free_head: u32,
    /// Slots not `Vacant`.
    live: usize,
}

impl Default for OpTable {
    fn default() -> OpTable {
        OpTable {
            slots: Vec::new(),
            free_head: NO_SLOT,
            live: 0,
        }
    }
}

/// What [`OpTable::abandon`] decided.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum AbandonOutcome {
    /// The CQE had already arrived: the data was released and the slot freed.
    Released,
    /// The kernel still owns the operation: send a cancel request for it.
    NeedsCancel,
}

impl OpTable {
    /// Adds a slot in the `Submitted` state for the entry written at
    /// submission-queue position `sq_position`.
    #[inline]
    pub(crate) fn insert(&mut self, sq_position: u32) -> OpKey {
        let (key, state) = self.reserve(sq_position);
        debug_assert!(state.is_vacant());
        // A reserved slot is vacant and owns nothing: skip its drop glue.
        // (A constant written in place: one store, no enum built on the
        // stack and copied, which stalls store forwarding.)
        std::mem::forget(std::mem::replace(state, Lifecycle::Submitted));
        key
    }

    /// Adds a slot for a multishot operation (entry at `sq_position`).
    pub(crate) fn insert_multishot(&mut self, sq_position: u32) -> OpKey {
        let (key, state) = self.reserve(sq_position);
        *state = Lifecycle::Multishot(Box::default());
        key
    }

    /// Takes a vacant slot (a freed one, or a new one) for a new operation
    /// and moves its generation on to an odd (occupied) one; returns the
    /// key and the slot's state, `Vacant`, for the caller to fill.
    #[inline]
    fn reserve(&mut self, sq_position: u32) -> (OpKey, &mut Lifecycle) {
        self.live += 1;
        let index = self.free_head;
        if index != NO_SLOT {
            let slot = &mut self.slots[index as usize];
            self.free_head = slot.link;
            slot.link = sq_position;
            slot.generation = next_generation(slot.generation);
            return (OpKey::new(index, slot.generation), &mut slot.state);
        }
        let index = u32::try_from(self.slots.len())
            .ok()
            .filter(|&index| index != NO_SLOT)
            .expect("in-flight table full");
        self.slots.push(Slot {
            generation: 1,
            link: sq_position,
            state: Lifecycle::Vacant,
        });
        let slot = self.slots.last_mut().expect("just pushed");
        (OpKey::new(index, 1), &mut slot.state)
    }

    /// Frees the slot at `index` for the next operation; returns the state
    /// it held, for the caller to drop (or forget, when it owns nothing).
    #[inline]
    #[must_use]
    fn free(&mut self, index: u32) -> Lifecycle {
        let slot = &mut self.slots[index as usize];
        slot.generation = next_generation(slot.generation);
        slot.link = self.free_head;
        self.free_head = index;
        self.live -= 1;
        std::mem::replace(&mut slot.state, Lifecycle::Vacant)
    }

    /// The submission-queue position of `key`'s entry, if `key` names a
    /// live slot.
    pub(crate) fn sq_position(&mut self, key: OpKey) -> Option<u32> {
        self.get(key).map(|slot| slot.link)
    }

    /// Frees the slot of an operation whose entry was withdrawn before the
    /// kernel saw it: nothing will complete it, and its state (a waker at
    /// most: no data was parked) is dropped.
    pub(crate) fn remove_withdrawn(&mut self, key: OpKey) {
        if self.get(key).is_some() {
            drop(self.free(key.index()));
        }
    }

    /// The slot `key` names, unless its tenant has changed since (or it is
    /// vacant: keys carry odd generations, vacant slots even ones).
    #[inline]
    fn get(&mut self, key: OpKey) -> Option<&mut Slot> {
        let slot = self.slots.get_mut(key.index() as usize)?;
        debug_assert!(slot.generation != key.generation() || !slot.state.is_vacant());
        (slot.generation == key.generation()).then_some(slot)
    }

    /// Records a completion; returns who to wake, if anyone waits.
    ///
    /// A completion for an unknown key (a stale generation) is ignored.
    #[inline]
    pub(crate) fn complete(&mut self, key: OpKey, cqe: Cqe) -> Option<Waiter> {
        let slot = self.get(key)?;
        if let Lifecycle::TaskWaiting(token) = slot.state {
            // The common case first; the state replaced owns nothing.
            std::mem::forget(std::mem::replace(
                &mut slot.state,
                Lifecycle::Completed(cqe),
            ));
            return Some(Waiter::Task(token));
        }
        self.complete_other(key, cqe)
    }

    /// [`complete`](Self::complete) for every state but `TaskWaiting`: out
    /// of line, so the common case inlines into each reap loop.
    #[inline(never)]
    fn complete_other(&mut self, key: OpKey, cqe: Cqe) -> Option<Waiter> {
        let slot = self.get(key)?;
        if let Lifecycle::Multishot(shots) = &mut slot.state {
            shots.done = !cqe.has_more();
            shots.cqes.push_back(cqe);
            return shots.waiter.take();
        }
        match std::mem::replace(&mut slot.state, Lifecycle::Completed(cqe)) {
            Lifecycle::Waiting(waker) => Some(Waiter::Waker(waker)),
            Lifecycle::Abandoned(abandoned) => {
                abandoned.release(cqe);
                if cqe.has_more() {
                    slot.state = Lifecycle::Abandoned(abandoned);
                } else {
                    drop(self.free(key.index()));
                }
                None
            }
            // `Submitted` (or a duplicate completion; a reaped key is never
            // `Vacant`, and `TaskWaiting` returned above): these variants own
            // nothing, and forgetting them skips an out-of-line drop-glue
            // call per CQE. Listed one by one, so a new variant that owns
            // memory must be handled here rather than leak.
            owns_nothing @ (Lifecycle::Submitted
            | Lifecycle::Completed(_)
            | Lifecycle::TaskWaiting(_)
            | Lifecycle::Vacant) => {
                std::mem::forget(owns_nothing);
                None
            }
            // Returned above; dropped (not forgotten) should that change.
            Lifecycle::Multishot(shots) => {
                debug_assert!(false, "a multishot completion reached the single-shot path");
                drop(shots);
                None
            }
        }
    }

    /// Polls an operation: takes its completion (a multishot one's oldest
    /// queued completion), or registers the waiter: `task` when the poll
    /// comes from a runtime task (see `context::task_token`), else a clone of
    /// `waker`. `None` if `key` names no slot of this table.
    #[inline]
    pub(crate) fn poll(
        &mut self,
        key: OpKey,
        waker: &Waker,
        task: impl FnOnce() -> Option<u64>,
    ) -> Option<Poll<Cqe>> {
        let slot = self.get(key)?;
        Some(match &mut slot.state {
            Lifecycle::Completed(cqe) => {
                let cqe = *cqe;
                // A `Completed` slot owns nothing: skip its drop glue (an
                // out-of-line call on every operation's hot path).
                std::mem::forget(self.free(key.index()));
                Poll::Ready(cqe)
            }
            Lifecycle::Multishot(_) => self.poll_multishot(key, waker, task),
            state => {
                // Only a poll that must (re)register pays for identifying
                // the poller. A task's token replaces a state that owns
                // nothing in place; anything else is handled out of line.
                match (task(), &*state) {
                    (Some(token), Lifecycle::Submitted | Lifecycle::TaskWaiting(_)) => {
                        std::mem::forget(std::mem::replace(state, Lifecycle::TaskWaiting(token)));
                    }
                    (token, _) => register_cold(state, waker, token),
                }
                Poll::Pending
            }
        })
    }

    /// [`poll`](Self::poll) for a multishot operation; out of line, so the
    /// single-shot path stays small enough to inline.
    #[inline(never)]
    fn poll_multishot(
        &mut self,
        key: OpKey,
        waker: &Waker,
        task: impl FnOnce() -> Option<u64>,
    ) -> Poll<Cqe> {
        let Some(Slot {
            state: Lifecycle::Multishot(shots),
            ..
        }) = self.get(key)
        else {
            unreachable!("poll_multishot on a single-shot operation");
        };
        if let Some(cqe) = shots.cqes.pop_front() {
            if !cqe.has_more() {
                drop(self.free(key.index()));
            }
            return Poll::Ready(cqe);
        }
        let waiter = match task() {
            Some(token) => Waiter::Task(token),
            None => match &shots.waiter {
                Some(Waiter::Waker(current)) if current.will_wake(waker) => {
                    return Poll::Pending;
                }
                _ => Waiter::Waker(waker.clone()),
            },
        };
        shots.waiter = Some(waiter);
        Poll::Pending
    }

    /// The operation's future was dropped: keep `abandoned` until its CQE.
    pub(crate) fn abandon(&mut self, key: OpKey, abandoned: Abandoned) -> AbandonOutcome {
        let Some(slot) = self.get(key) else {
            return AbandonOutcome::Released;
        };
        if let Lifecycle::Completed(cqe) = slot.state {
            abandoned.release(cqe);
            drop(self.free(key.index()));
            return AbandonOutcome::Released;
        }
        if let Lifecycle::Multishot(shots) = &slot.state {
            for cqe in &shots.cqes {
                abandoned.release(*cqe);
            }
            if shots.done {
                drop(self.free(key.index()));
                return AbandonOutcome::Released;
            }
        }
        slot.state = Lifecycle::Abandoned(Box::new(abandoned));
        AbandonOutcome::NeedsCancel
    }

    /// Operations the kernel has not completed yet.
    pub(crate) fn pending(&self) -> impl Iterator<Item = OpKey> + '_ {
        self.pending_with_positions().map(|(key, _)| key)
    }

    /// As [`pending`](Self::pending), with the submission-queue position
    /// of each operation's entry.
    pub(crate) fn pending_with_positions(&self) -> impl Iterator<Item = (OpKey, u32)> + '_ {
        self.slots.iter().enumerate().filter_map(|(index, slot)| {
            let finished = match &slot.state {
                Lifecycle::Vacant | Lifecycle::Completed(_) => true,
                Lifecycle::Multishot(shots) => shots.done,
                _ => false,
            };
            (!finished).then_some((OpKey::new(index as u32, slot.generation), slot.link))
        })
    }

    /// Number of slots (in flight or completed but not yet taken).
    pub(crate) fn len(&self) -> usize {
        self.live
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::Wake;

    struct CountingWaker(AtomicUsize);
    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn cqe(res: i32) -> Cqe {
        Cqe { res, flags: 0 }
    }

    #[test]
    fn poll_then_complete_then_poll() {
        let mut table = OpTable::default();
        let key = table.insert(0);
        let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(counter.clone());
        assert_eq!(table.poll(key, &waker, || None), Some(Poll::Pending));
        let Some(Waiter::Waker(w)) = table.complete(key, cqe(3)) else {
            panic!("a waiting op yields its waker");
        };
        w.wake();
        assert_eq!(counter.0.load(Ordering::SeqCst), 1);
        assert_eq!(table.poll(key, &waker, || None), Some(Poll::Ready(cqe(3))));
        assert_eq!(table.len(), 0);
    }

    #[test]
    fn task_waiters_are_tokens() {
        let mut table = OpTable::default();
        let key = table.insert(0);
        let waker = Waker::from(Arc::new(CountingWaker(AtomicUsize::new(0))));
        assert_eq!(table.poll(key, &waker, || Some(42)), Some(Poll::Pending));
        assert!(matches!(
            table.complete(key, cqe(0)),
            Some(Waiter::Task(42))
        ));
    }

    #[test]
    fn stale_generation_is_ignored() {
        let mut table = OpTable::default();
        let old = table.insert(0);
        table.remove_withdrawn(old);
        let new = table.insert(0);
        assert_eq!(old.index(), new.index());
        assert!(table.complete(old, cqe(1)).is_none());
        assert_eq!(table.pending().count(), 1, "the new op is untouched");
    }

    #[test]
    fn freed_slots_are_reused_most_recent_first() {
        let mut table = OpTable::default();
        let keys: Vec<OpKey> = (0..4).map(|_| table.insert(0)).collect();
        table.remove_withdrawn(keys[1]);
        table.remove_withdrawn(keys[3]);
        assert_eq!(table.insert(0).index(), 3);
        assert_eq!(table.insert(0).index(), 1);
        assert_eq!(table.insert(0).index(), 4, "a new slot once none is free");
        assert_eq!(table.len(), 5);
        assert_eq!(table.slots.len(), 5);
    }

    #[test]
    fn abandoned_data_lives_until_completion() {
        let mut table = OpTable::default();
        let key = table.insert(0);
        let data = Arc::new(());
        let abandoned = Abandoned {
            data: Box::new(data.clone()),
            returns_fd: false,
            withdrawable: true,
            on_late_cqe: None,
        };
        assert_eq!(table.abandon(key, abandoned), AbandonOutcome::NeedsCancel);
        assert_eq!(Arc::strong_count(&data), 2);
        table.complete(key, cqe(-libc::ECANCELED));
        assert_eq!(Arc::strong_count(&data), 1);
        assert_eq!(table.len(), 0);
    }

    // IORING_CQE_F_MORE.
    const MORE: u32 = 1 << 1;

    #[test]
    fn multishot_completions_queue_in_order() {
        let mut table = OpTable::default();
        let key = table.insert_multishot(0);
        let waker = Waker::from(Arc::new(CountingWaker(AtomicUsize::new(0))));
        assert_eq!(table.poll(key, &waker, || Some(1)), Some(Poll::Pending));
        assert!(matches!(
            table.complete(
                key,
                Cqe {
                    res: 1,
                    flags: MORE
                }
            ),
            Some(Waiter::Task(1))
        ));
        assert!(table
            .complete(
                key,
                Cqe {
                    res: 2,
                    flags: MORE
                }
            )
            .is_none());
        assert_eq!(table.pending().count(), 1);
        table.complete(key, cqe(3));
        assert_eq!(table.pending().count(), 0, "the final CQE arrived");
        let got: Vec<i32> = (0..3)
            .map(
                |_| match table.poll(key, &waker, || None).expect("a live slot") {
                    Poll::Ready(c) => c.res,
                    Poll::Pending => panic!("queued"),
                },
            )
            .collect();
        assert_eq!(got, [1, 2, 3]);
        assert_eq!(table.len(), 0, "taking the final CQE frees the slot");
    }

    #[test]
    fn abandoned_multishot_waits_for_its_final_completion() {
        let mut table = OpTable::default();
        let key = table.insert_multishot(0);
        table.complete(
            key,
            Cqe {
                res: 1,
                flags: MORE,
            },
        );
        let data = Arc::new(());
        let abandoned = Abandoned {
            data: Box::new(data.clone()),
            returns_fd: false,
            withdrawable: true,
            on_late_cqe: None,
        };
        assert_eq!(table.abandon(key, abandoned), AbandonOutcome::NeedsCancel);
        table.complete(
            key,
            Cqe {
                res: 2,
                flags: MORE,
            },
        );
        assert_eq!(Arc::strong_count(&data), 2);
        table.complete(key, cqe(-libc::ECANCELED));
        assert_eq!(Arc::strong_count(&data), 1);
        assert_eq!(table.len(), 0);
    }

    #[test]
    fn abandon_after_completion_releases_at_once() {
        let mut table = OpTable::default();
        let key = table.insert(0);
        table.complete(key, cqe(0));
        let abandoned = Abandoned {
            data: Box::new(()),
            returns_fd: false,
            withdrawable: true,
            on_late_cqe: None,
        };
        assert_eq!(table.abandon(key, abandoned), AbandonOutcome::Released);
        assert_eq!(table.len(), 0);
    }
}
