//! The executor's tasks: one reusable slot per live task, keyed by a
//! [`TaskId`] that carries the slot's generation.
//!
//! A freed slot keeps its place and moves its generation on, so an id (and a
//! wake) of its previous tenant no longer matches.
//!
//! Each slot is split in two: what every spawn, poll and join touches (the
//! task and its state bits, 24 bytes) and what few tasks have (an own waker,
//! a waiting joiner), kept in a parallel vector and reached only when a
//! state bit says it is there. A batch of a thousand tasks then walks 24 KiB
//! of slots, not 64 KiB: the difference between L1 and L2 on every step.

use super::task::Task;
use super::waker::WakerPair;
use crate::driver::Waiter;
use std::pin::Pin;

/// A slot index (low 32 bits) and its generation (high 32 bits).
pub(crate) type TaskId = u64;

/// Generations wrap below this, so no id's index half can be `u32::MAX`
/// with generation `u32::MAX` (that id is reserved for `block_on`).
const GENERATION_LIMIT: u32 = 1 << 31;

/// A task's future (then output), type-erased.
pub(crate) type BoxedTask = Pin<Box<dyn Task>>;

/// A task's own waker, boxed: a pooled waker moves as one pointer.
pub(crate) type OwnWaker = Box<WakerPair>;

#[inline]
pub(crate) fn index(id: TaskId) -> usize {
    id as u32 as usize
}

#[inline]
fn generation(id: TaskId) -> u32 {
    (id >> 32) as u32
}

/// State bits of a slot.
pub(crate) mod state {
    /// In the run queue.
    pub(crate) const SCHEDULED: u8 = 1;
    /// The output is in the task cell (or the task was cancelled).
    pub(crate) const FINISHED: u8 = 1 << 1;
    pub(crate) const CANCELLED: u8 = 1 << 2;
    pub(crate) const ABORT_REQUESTED: u8 = 1 << 3;
    /// The join handle is gone: free the slot as soon as the task finishes.
    pub(crate) const DETACHED: u8 = 1 << 4;
    /// The task has its own waker (in the cold part).
    pub(super) const HAS_WAKER: u8 = 1 << 5;
    /// A joiner waits (in the cold part).
    pub(super) const HAS_JOINER: u8 = 1 << 6;
}

/// What every operation on a task touches.
#[derive(Default)]
struct Hot {
    /// `None` while being polled, and once the future was dropped unfinished.
    task: Option<BoxedTask>,
    generation: u32,
    state: u8,
}

/// What few tasks have.
#[derive(Default)]
struct Cold {
    /// The task's own waker, made when it first clones the one it is polled
    /// with (until then it is polled with the executor's borrowed waker).
    waker: Option<OwnWaker>,
    /// Who awaits the join handle: a task token, or a waker.
    joiner: Option<Waiter>,
}

/// A live task's slot, both parts.
pub(crate) struct SlotMut<'a> {
    hot: &'a mut Hot,
    cold: &'a mut Cold,
}

impl SlotMut<'_> {
    #[inline]
    pub(crate) fn is(&self, bit: u8) -> bool {
        self.hot.state & bit != 0
    }

    #[inline]
    pub(crate) fn set(&mut self, bit: u8) {
        self.hot.state |= bit;
    }

    #[inline]
    pub(crate) fn clear(&mut self, bit: u8) {
        self.hot.state &= !bit;
    }

    /// The task cell (`None` while it is being polled, or once dropped).
    #[inline]
    pub(crate) fn task(&mut self) -> &mut Option<BoxedTask> {
        &mut self.hot.task
    }

    #[inline]
    pub(crate) fn take_waker(&mut self) -> Option<OwnWaker> {
        if !self.is(state::HAS_WAKER) {
            return None;
        }
        self.clear(state::HAS_WAKER);
        self.cold.waker.take()
    }

    #[inline]
    pub(crate) fn put_waker(&mut self, waker: OwnWaker) {
        self.set(state::HAS_WAKER);
        self.cold.waker = Some(waker);
    }

    /// The task's own waker, made by `make` if it has none.
    pub(crate) fn waker_or_insert_with(&mut self, make: impl FnOnce() -> OwnWaker) -> &WakerPair {
        self.set(state::HAS_WAKER);
        self.cold.waker.get_or_insert_with(make)
    }

    #[inline]
    pub(crate) fn take_joiner(&mut self) -> Option<Waiter> {
        if !self.is(state::HAS_JOINER) {
            return None;
        }
        self.clear(state::HAS_JOINER);
        self.cold.joiner.take()
    }

    /// Records who awaits the join handle, unless it already is.
    pub(crate) fn set_joiner(&mut self, waiter: Waiter) {
        if self.is(state::HAS_JOINER)
            && self
                .cold
                .joiner
                .as_ref()
                .is_some_and(|j| j.same_as(&waiter))
        {
            return;
        }
        self.set(state::HAS_JOINER);
        self.cold.joiner = Some(waiter);
    }
}

/// What a freed slot held, for the caller to drop outside any borrow.
pub(crate) struct Freed {
    pub(crate) task: Option<BoxedTask>,
    pub(crate) waker: Option<OwnWaker>,
    pub(crate) joiner: Option<Waiter>,
}

/// The live tasks of one executor.
#[derive(Default)]
pub(crate) struct TaskTable {
    hot: Vec<Hot>,
    cold: Vec<Cold>,
    /// Indices of free slots, the most recently freed last (warm in cache).
    free: Vec<u32>,
    live: usize,
}

impl TaskTable {
    pub(crate) fn with_capacity(capacity: usize) -> TaskTable {
        TaskTable {
            hot: Vec::with_capacity(capacity),
            cold: Vec::with_capacity(capacity),
            free: Vec::with_capacity(capacity),
            live: 0,
        }
    }

    /// Adds a scheduled task; returns its id.
    #[inline]
    pub(crate) fn insert(&mut self, task: BoxedTask) -> TaskId {
        self.live += 1;
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                let index = u32::try_from(self.hot.len())
                    .ok()
                    .filter(|&i| i < u32::MAX)
                    .expect("too many live tasks");
                self.hot.push(Hot::default());
                self.cold.push(Cold::default());
                index
            }
        };
        let hot = &mut self.hot[index as usize];
        // A free slot holds no task and no state bits (`free` left it so).
        hot.task = Some(task);
        hot.state = state::SCHEDULED;
        (u64::from(hot.generation) << 32) | u64::from(index)
    }

    /// The slot of task `id`, unless the task is gone (a stale id).
    #[inline]
    pub(crate) fn get_mut(&mut self, id: TaskId) -> Option<SlotMut<'_>> {
        let i = index(id);
        let hot = self
            .hot
            .get_mut(i)
            .filter(|hot| hot.generation == generation(id))?;
        Some(SlotMut {
            hot,
            cold: &mut self.cold[i],
        })
    }

    /// The slot at `index`, which the caller knows is live.
    #[inline]
    pub(crate) fn at(&mut self, index: usize) -> SlotMut<'_> {
        SlotMut {
            hot: &mut self.hot[index],
            cold: &mut self.cold[index],
        }
    }

    /// Frees the slot at `index` (a live one) and returns what it held.
    #[inline]
    pub(crate) fn take(&mut self, index: usize) -> Freed {
        let mut slot = self.at(index);
        let freed = Freed {
            task: slot.task().take(),
            waker: slot.take_waker(),
            joiner: slot.take_joiner(),
        };
        self.free(index);
        freed
    }

    /// Frees the slot at `index`, a live one whose task, waker and joiner
    /// the caller already took (so nothing is moved out here).
    #[inline]
    pub(crate) fn free(&mut self, index: usize) {
        let hot = &mut self.hot[index];
        debug_assert!(hot.task.is_none());
        debug_assert_eq!(hot.state & (state::HAS_WAKER | state::HAS_JOINER), 0);
        hot.generation = (hot.generation + 1) % GENERATION_LIMIT;
        hot.state = 0;
        self.free.push(index as u32);
        self.live -= 1;
    }

    /// Frees every live slot; returns what they held.
    pub(crate) fn drain(&mut self) -> Vec<Freed> {
        let mut is_free = vec![false; self.hot.len()];
        for &i in &self.free {
            is_free[i as usize] = true;
        }
        (0..self.hot.len())
            .filter(|&i| !is_free[i])
            .map(|i| self.take(i))
            .collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.live
    }
}

#[cfg(test)]
mod tests {
    use super::Hot;

    #[test]
    fn the_hot_part_of_a_slot_is_three_words() {
        assert_eq!(size_of::<Hot>(), 3 * size_of::<usize>());
    }
}
