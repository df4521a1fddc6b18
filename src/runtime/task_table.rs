//! The executor's tasks: one reusable slot per live task, keyed by a
//! [`TaskId`] that carries the slot's generation.
//!
//! A freed slot keeps its place and moves its generation on, so an id (and a
//! wake) of its previous tenant no longer matches. Slots are plain fields
//! written in place: spawning and joining a task touch one slot and the
//! free list, nothing else.

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

/// A task's own waker, boxed: most tasks never make one, so the slot keeps
/// only a pointer.
pub(crate) type OwnWaker = Box<WakerPair>;

#[inline]
pub(crate) fn index(id: TaskId) -> usize {
    id as u32 as usize
}

#[inline]
fn generation(id: TaskId) -> u32 {
    (id >> 32) as u32
}

/// One task's slot.
#[derive(Default)]
pub(crate) struct Slot {
    generation: u32,
    /// `None` while being polled, and once the future was dropped unfinished.
    pub(crate) task: Option<BoxedTask>,
    /// The task's own waker, made when it first clones the one it is polled
    /// with (until then it is polled with the executor's borrowed waker).
    /// Taken out while the task is polled with it.
    pub(crate) waker: Option<OwnWaker>,
    /// Who awaits the join handle: a task token, or a waker.
    pub(crate) joiner: Option<Waiter>,
    pub(crate) scheduled: bool,
    /// The output is in `task` (or the task was cancelled).
    pub(crate) finished: bool,
    pub(crate) cancelled: bool,
    pub(crate) abort_requested: bool,
    /// The join handle is gone: free the slot as soon as the task finishes.
    pub(crate) detached: bool,
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
    slots: Vec<Slot>,
    /// Indices of free slots, the most recently freed last (warm in cache).
    free: Vec<u32>,
    live: usize,
}

impl TaskTable {
    pub(crate) fn with_capacity(capacity: usize) -> TaskTable {
        TaskTable {
            slots: Vec::with_capacity(capacity),
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
                let index = u32::try_from(self.slots.len())
                    .ok()
                    .filter(|&i| i < u32::MAX)
                    .expect("too many live tasks");
                self.slots.push(Slot::default());
                index
            }
        };
        let slot = &mut self.slots[index as usize];
        // A free slot holds no task, waker or joiner and all flags clear
        // (`free` left it so): only what differs is written.
        slot.task = Some(task);
        slot.scheduled = true;
        (u64::from(slot.generation) << 32) | u64::from(index)
    }

    /// The slot of task `id`, unless the task is gone (a stale id).
    #[inline]
    pub(crate) fn get_mut(&mut self, id: TaskId) -> Option<&mut Slot> {
        self.slots
            .get_mut(index(id))
            .filter(|slot| slot.generation == generation(id))
    }

    /// The slot at `index`, which the caller knows is live.
    #[inline]
    pub(crate) fn at(&mut self, index: usize) -> &mut Slot {
        &mut self.slots[index]
    }

    /// Frees the slot at `index` (a live one) and returns what it held.
    #[inline]
    pub(crate) fn take(&mut self, index: usize) -> Freed {
        let slot = &mut self.slots[index];
        let freed = Freed {
            task: slot.task.take(),
            waker: slot.waker.take(),
            joiner: slot.joiner.take(),
        };
        self.free(index);
        freed
    }

    /// Frees the slot at `index`, a live one whose task, waker and joiner
    /// the caller already took (so nothing is moved out here).
    #[inline]
    pub(crate) fn free(&mut self, index: usize) {
        let slot = &mut self.slots[index];
        debug_assert!(slot.task.is_none() && slot.waker.is_none() && slot.joiner.is_none());
        slot.generation = (slot.generation + 1) % GENERATION_LIMIT;
        slot.scheduled = false;
        slot.finished = false;
        slot.cancelled = false;
        slot.abort_requested = false;
        slot.detached = false;
        self.free.push(index as u32);
        self.live -= 1;
    }

    /// Frees every live slot; returns what they held.
    pub(crate) fn drain(&mut self) -> Vec<Freed> {
        let mut is_free = vec![false; self.slots.len()];
        for &i in &self.free {
            is_free[i as usize] = true;
        }
        (0..self.slots.len())
            .filter(|&i| !is_free[i])
            .map(|i| self.take(i))
            .collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.live
    }
}
