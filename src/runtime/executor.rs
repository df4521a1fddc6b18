//! The local executor: a table of tasks and a run queue of their ids.
//!
//! Every task lives in one slot of `tasks` from spawn until its output is
//! taken (or dropped). A task id is the slot index plus a generation tag, so
//! a late wake of a finished task can never schedule the slot's next tenant.
//! The table is also the registry that shutdown walks to drop every future.
//!
//! Borrow discipline: a task is polled, and any future or output dropped,
//! only while no `RefCell` of the executor is borrowed, so a task may spawn,
//! wake, abort or drop join handles freely.

use super::join::TaskOutput;
use super::remote::Remote;
use super::task::SpareCells;
use super::task_table::state::{ABORT_REQUESTED, CANCELLED, DETACHED, FINISHED, SCHEDULED};
use super::task_table::{index, BoxedTask, Freed, OwnWaker, TaskTable};
use super::waker::{PollContext, WakerPair};
use crate::driver::{Handle, Waiter};
use crate::sys::waker::BorrowedWaker;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

pub(crate) use super::task_table::TaskId;

/// The task token of the `block_on` future (spawned tasks use table ids,
/// whose index half never reaches `u32::MAX`).
pub(crate) const MAIN_TASK: u64 = u64::MAX;

/// One runtime's tasks.
pub(crate) struct Executor {
    tasks: RefCell<TaskTable>,
    queue: RefCell<VecDeque<TaskId>>,
    /// Wakers of finished tasks that nobody else held, ready for reuse.
    // Boxed in the pool too: a pooled waker moves into a slot as it is.
    #[allow(clippy::vec_box)]
    waker_pool: RefCell<Vec<OwnWaker>>,
    /// Cells of joined tasks, kept for the next task of the same future
    /// type (see [`Executor::new_cell`]).
    spare_cells: RefCell<SpareCells>,
    /// The waker of tasks that have none of their own.
    poll_waker: BorrowedWaker<PollContext>,
    /// Scratch buffer for ids drained from the remote inbox.
    remote_ids: RefCell<Vec<TaskId>>,
    pub(crate) remote: Arc<Remote>,
    pub(crate) tasks_polled: Cell<u64>,
    /// Whether a task is being polled from its awaiter's poll
    /// ([`Executor::poll_awaited`]): such polls do not nest.
    polling_awaited: Cell<bool>,
    /// Task polls left before the next look at the ring: set at the start
    /// of each tick ([`start_tick`](Executor::start_tick)), spent by
    /// [`run_ready`](Executor::run_ready) and by tasks polled in place of
    /// a wait on their handle.
    polls_left: Cell<usize>,
    /// The ring of the same runtime: task tokens are only valid for it.
    driver: Handle,
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("runtime", &self.remote.id)
            .field("tasks", &self.tasks.borrow().len())
            .finish_non_exhaustive()
    }
}

impl Executor {
    pub(crate) fn new(remote: Arc<Remote>, driver: Handle) -> Executor {
        Executor {
            driver,
            tasks: RefCell::new(TaskTable::with_capacity(1024)),
            queue: RefCell::new(VecDeque::with_capacity(1024)),
            waker_pool: RefCell::new(Vec::new()),
            spare_cells: RefCell::new(SpareCells::default()),
            poll_waker: BorrowedWaker::new(PollContext::new(remote.clone())),
            remote_ids: RefCell::new(Vec::new()),
            remote,
            tasks_polled: Cell::new(0),
            polling_awaited: Cell::new(false),
            polls_left: Cell::new(0),
        }
    }

    /// A task cell holding `future` (a spare one when there is one of its
    /// type, see [`SpareCells`]).
    #[inline]
    pub(crate) fn new_cell<F>(&self, future: F) -> BoxedTask
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.spare_cells.borrow_mut().cell_for(future)
    }

    /// Keeps a joined task's cell (its output taken) for reuse.
    #[inline]
    fn keep_spare(&self, cell: BoxedTask) {
        if let Ok(mut spares) = self.spare_cells.try_borrow_mut() {
            cell.into_spare(&mut spares);
        }
    }

    /// Adds a task (see [`TaskCell`](super::task::TaskCell)), scheduled;
    /// returns its id.
    #[inline]
    pub(crate) fn spawn(&self, task: BoxedTask) -> TaskId {
        let id = self.tasks.borrow_mut().insert(task);
        self.queue.borrow_mut().push_back(id);
        id
    }

    /// Wakes a waiter recorded by an operation or a join handle: a task
    /// token is scheduled directly, a waker is woken.
    #[inline]
    pub(crate) fn wake(&self, waiter: Waiter) {
        match waiter {
            Waiter::Task(MAIN_TASK) => self.remote.wake_main_here(),
            Waiter::Task(id) => self.schedule(id),
            Waiter::Waker(waker) => waker.wake(),
        }
    }

    /// Queues task `id` unless it is already queued or finished.
    #[inline]
    pub(crate) fn schedule(&self, id: TaskId) {
        let Ok(mut tasks) = self.tasks.try_borrow_mut() else {
            // Only reachable from a waker fired inside the executor's own
            // bookkeeping; the remote inbox takes it on the next tick.
            self.remote.push(id);
            return;
        };
        if let Some(mut slot) = tasks.get_mut(id) {
            if !slot.is(SCHEDULED | FINISHED) {
                slot.set(SCHEDULED);
                self.queue.borrow_mut().push_back(id);
            }
        }
    }

    /// A tick begins: `budget` task polls until the next look at the ring.
    #[inline]
    pub(crate) fn start_tick(&self, budget: usize) {
        self.polls_left.set(budget);
    }

    /// Polls ready tasks while the tick's budget lasts; returns how many
    /// ran.
    pub(crate) fn run_ready(&self) -> usize {
        // Asked every tick: when nothing is queued (a tick of the `block_on`
        // future alone), skip the task-identity guard too.
        if !self.has_ready() {
            return 0;
        }
        let mut ran = 0;
        while self.polls_left.get() > 0 {
            let Some(id) = self.pop_ready() else {
                break;
            };
            let Some((mut task, own_waker)) = self.begin_poll(id) else {
                continue;
            };
            let poll = self.poll_taken(id, &mut task, &own_waker);
            ran += 1;
            self.end_poll(id, task, own_waker, poll);
        }
        super::task_context::clear_task();
        self.tasks_polled.set(self.tasks_polled.get() + ran as u64);
        ran
    }

    /// Polls task `id`, taken out of its slot by [`begin_poll`](Self::begin_poll),
    /// with its own waker or the borrowed one, as the polled task, spending
    /// one of the tick's polls (before the poll: awaited tasks it polls in
    /// place spend the rest).
    #[inline]
    fn poll_taken(
        &self,
        id: TaskId,
        task: &mut BoxedTask,
        own_waker: &Option<OwnWaker>,
    ) -> Poll<()> {
        let waker = match own_waker {
            Some(pair) => &pair.waker,
            None => {
                self.poll_waker.target().set_current(id);
                self.poll_waker.waker()
            }
        };
        super::task_context::set_task(id, waker);
        self.polls_left.set(self.polls_left.get() - 1);
        task.as_mut().poll(&mut Context::from_waker(waker))
    }

    /// The next task to poll: the queue's first, or (debug builds under
    /// `RINGIO_SHUFFLE`) a seeded random one.
    #[inline]
    fn pop_ready(&self) -> Option<TaskId> {
        let mut queue = self.queue.borrow_mut();
        #[cfg(debug_assertions)]
        if let Some(i) = crate::shuffle::below(queue.len()) {
            queue.swap(0, i);
        }
        queue.pop_front()
    }

    /// Takes a scheduled task out of its slot for polling. Handles stale ids
    /// and pending aborts (returns `None` for both).
    #[inline]
    fn begin_poll(&self, id: TaskId) -> Option<(BoxedTask, Option<OwnWaker>)> {
        let mut tasks = self.tasks.borrow_mut();
        let mut slot = tasks.get_mut(id)?;
        slot.clear(SCHEDULED);
        if slot.is(FINISHED) {
            return None;
        }
        if slot.is(ABORT_REQUESTED) {
            let future = slot.task().take();
            drop(tasks);
            drop(future);
            self.finish(id, true);
            return None;
        }
        let task = slot.task().take()?;
        Some((task, slot.take_waker()))
    }

    /// Puts a polled task back (with its own waker, if it was polled with
    /// it; if not, a waker it made during the poll is already in the slot);
    /// if it finished, marks it so (one table access for both).
    #[inline]
    fn end_poll(&self, id: TaskId, task: BoxedTask, own_waker: Option<OwnWaker>, poll: Poll<()>) {
        let mut tasks = self.tasks.borrow_mut();
        let mut slot = tasks.at(index(id));
        if let Some(waker) = own_waker {
            slot.put_waker(waker);
        }
        *slot.task() = Some(task);
        if poll.is_pending() {
            return;
        }
        slot.set(FINISHED);
        let joiner = slot.take_joiner();
        if slot.is(DETACHED) {
            let freed = tasks.take(index(id));
            drop(tasks);
            self.release(freed);
        } else {
            drop(tasks);
        }
        if let Some(joiner) = joiner {
            self.wake(joiner);
        }
    }

    /// Marks a task finished, wakes its joiner, and frees a detached slot.
    #[inline]
    fn finish(&self, id: TaskId, cancelled: bool) {
        let mut tasks = self.tasks.borrow_mut();
        let mut slot = tasks.at(index(id));
        slot.set(FINISHED);
        if cancelled {
            slot.set(CANCELLED);
        }
        let joiner = slot.take_joiner();
        let freed = slot.is(DETACHED).then(|| tasks.take(index(id)));
        drop(tasks);
        if let Some(slot) = freed {
            self.release(slot);
        }
        if let Some(joiner) = joiner {
            self.wake(joiner);
        }
    }

    /// Drops a removed slot's contents (outside any borrow) and keeps its
    /// waker for reuse when nobody else holds it.
    #[inline]
    fn release(&self, freed: Freed) {
        let Freed {
            task,
            waker,
            joiner,
            ..
        } = freed;
        if let Some(waker) = waker {
            self.recycle(waker);
        }
        drop(task);
        drop(joiner);
    }

    /// Keeps a finished task's waker for the next task, unless someone
    /// else still holds it.
    #[inline]
    fn recycle(&self, waker: OwnWaker) {
        if waker.is_unshared() {
            if let Ok(mut pool) = self.waker_pool.try_borrow_mut() {
                pool.push(waker);
            }
        }
    }

    /// Task `id`'s own waker, made (or taken from the pool) on first use;
    /// `None` if the task is gone or the executor is busy.
    pub(crate) fn task_waker(&self, id: TaskId) -> Option<Waker> {
        let mut tasks = self.tasks.try_borrow_mut().ok()?;
        let mut slot = tasks.get_mut(id)?;
        let pair = slot.waker_or_insert_with(|| {
            match self
                .waker_pool
                .try_borrow_mut()
                .ok()
                .and_then(|mut p| p.pop())
            {
                Some(pair) => {
                    pair.retarget(id);
                    pair
                }
                None => Box::new(WakerPair::new(self.remote.clone(), id)),
            }
        });
        Some(pair.waker.clone())
    }

    /// Polls task `id` once from the poll of the task awaiting its handle,
    /// when it is the only task in the run queue and the tick's poll budget
    /// is not spent: within the tick it is the task the executor would
    /// poll next, so it is polled in the same order, and the awaiter's
    /// return, wake and second poll are saved (a task spawned and awaited
    /// at once, done in its first poll, finishes here, and its awaiter
    /// goes on in the same poll). Each such poll spends one of the tick's
    /// polls ([`start_tick`](Self::start_tick)), so a task that spawns and
    /// awaits in a loop still lets the ring turn.
    ///
    /// Only for a handle awaited by the task being polled itself (`waker`
    /// is that task's); one polled by a combinator with a waker of its own
    /// (`now_or_never`, a `JoinSet`) is not polled in place. Not nested
    /// (a task polled this way that awaits another's handle waits as
    /// usual), not while operations are being cancelled, and not for the
    /// awaiter itself. The awaiter's task identity and the borrowed
    /// waker's target are put back after, on unwind too.
    #[inline]
    fn poll_awaited(&self, id: TaskId, waker: &Waker) {
        if self.polling_awaited.get()
            || self.polls_left.get() == 0
            || super::task_context::task_token(&self.driver, waker).is_none()
            || crate::runtime::context::cancel_requested()
        {
            return;
        }
        {
            let Ok(mut tasks) = self.tasks.try_borrow_mut() else {
                return;
            };
            let Some(mut slot) = tasks.get_mut(id) else {
                return;
            };
            // (A task out of its slot is the one being polled.)
            if !slot.is(SCHEDULED) || slot.is(FINISHED) || slot.task().is_none() {
                return;
            }
            let mut queue = self.queue.borrow_mut();
            if queue.len() != 1 || queue.front() != Some(&id) {
                return;
            }
            queue.clear();
        }
        let Some((mut task, own_waker)) = self.begin_poll(id) else {
            return;
        };
        /// Puts the awaiter's state back when dropped.
        struct Restore<'a> {
            executor: &'a Executor,
            awaiter: super::task_context::SavedTask,
            target: TaskId,
        }
        impl Drop for Restore<'_> {
            fn drop(&mut self) {
                self.executor.polling_awaited.set(false);
                self.executor.poll_waker.target().set_current(self.target);
                super::task_context::restore_task(self.awaiter);
            }
        }
        let restore = Restore {
            executor: self,
            awaiter: super::task_context::save_task(),
            target: self.poll_waker.target().current(),
        };
        self.polling_awaited.set(true);
        // The task cell catches a panic of the future.
        let poll = self.poll_taken(id, &mut task, &own_waker);
        drop(restore);
        self.tasks_polled.set(self.tasks_polled.get() + 1);
        self.end_poll(id, task, own_waker, poll);
    }

    /// For a join handle: the output if the task finished, else registers
    /// `waker` to be woken when it does. A scheduled task is polled first
    /// ([`poll_awaited`](Self::poll_awaited)).
    #[inline]
    pub(crate) fn poll_join<T: 'static>(&self, id: TaskId, waker: &Waker) -> Poll<JoinPoll<T>> {
        self.poll_awaited(id, waker);
        let mut tasks = self.tasks.borrow_mut();
        let Some(mut slot) = tasks.get_mut(id) else {
            return Poll::Ready(JoinPoll::Gone);
        };
        if !slot.is(FINISHED) {
            slot.set_joiner(super::task_context::waiter_for(&self.driver, waker));
            return Poll::Pending;
        }
        // Finished: take the output out of the task cell in place (moving
        // the slot's contents out as one value would cost a
        // store-forwarding stall). The task's waker runs no user code when
        // dropped, so it is let go under the borrow.
        let mut output: Option<TaskOutput<T>> = None;
        if !slot.is(CANCELLED) {
            if let Some(task) = slot.task().as_mut() {
                task.as_mut().take_output(&mut output);
            }
        }
        let cell = slot.task().take();
        if let Some(waker) = slot.take_waker() {
            self.recycle(waker);
        }
        tasks.free(index(id));
        drop(tasks);
        if let Some(cell) = cell {
            if output.is_some() {
                // Emptied: a spare for the next task of its type.
                self.keep_spare(cell);
            } else {
                drop(cell);
            }
        }
        // Taken apart, not moved whole: `take_output` wrote it field by
        // field, and one wide copy of it would stall on store forwarding.
        Poll::Ready(match output {
            Some(Ok(value)) => JoinPoll::Output(Ok(value)),
            Some(Err(panic)) => JoinPoll::Output(Err(panic)),
            None => JoinPoll::Cancelled,
        })
    }

    /// For a dropped join handle: free a finished task's slot, or let the
    /// task free it when it finishes.
    #[inline]
    pub(crate) fn detach(&self, id: TaskId) {
        let mut tasks = self.tasks.borrow_mut();
        let Some(mut slot) = tasks.get_mut(id) else {
            return;
        };
        slot.set(DETACHED);
        let joiner = slot.take_joiner();
        let freed = slot.is(FINISHED).then(|| tasks.take(index(id)));
        drop(tasks);
        drop(joiner);
        if let Some(slot) = freed {
            self.release(slot);
        }
    }

    /// Asks for a task to be cancelled: its future is dropped the next time
    /// the executor reaches it.
    pub(crate) fn abort(&self, id: TaskId) {
        let mut tasks = self.tasks.borrow_mut();
        let Some(mut slot) = tasks.get_mut(id) else {
            return;
        };
        if slot.is(FINISHED | ABORT_REQUESTED) {
            return;
        }
        slot.set(ABORT_REQUESTED);
        if !slot.is(SCHEDULED) {
            slot.set(SCHEDULED);
            self.queue.borrow_mut().push_back(id);
        }
    }

    /// Whether task `id` finished (or no longer exists).
    pub(crate) fn is_finished(&self, id: TaskId) -> bool {
        self.tasks
            .borrow_mut()
            .get_mut(id)
            .is_none_or(|slot| slot.is(FINISHED))
    }

    /// Moves tasks woken from other threads into the run queue.
    #[inline]
    pub(crate) fn drain_remote(&self) {
        // Asked twice a tick: the common, empty case is one plain load.
        if self.remote.has_pending() {
            self.drain_remote_now();
        }
    }

    #[inline(never)]
    fn drain_remote_now(&self) {
        let mut runnables = Vec::new();
        {
            let mut ids = self.remote_ids.borrow_mut();
            self.remote.drain_into(&mut ids, &mut runnables);
            for id in ids.drain(..) {
                self.schedule(id);
            }
        }
        // `spawn_on` tasks: polled here, on their target thread, with no
        // executor borrow held (they may spawn local tasks).
        for runnable in runnables {
            runnable.run();
        }
    }

    pub(crate) fn has_ready(&self) -> bool {
        !self.queue.borrow().is_empty()
    }

    /// Drops every task's future and output (this executor current, on its
    /// thread). Dropping one future may spawn or wake others: repeat until
    /// the table stays empty.
    pub(crate) fn shutdown(&self) {
        loop {
            let slots = self.tasks.borrow_mut().drain();
            self.queue.borrow_mut().clear();
            if slots.is_empty() {
                break;
            }
            drop(slots);
        }
        self.waker_pool.borrow_mut().clear();
        self.spare_cells.borrow_mut().clear();
        self.remote.close();
    }
}

/// What a join handle's poll found.
pub(crate) enum JoinPoll<T> {
    Output(TaskOutput<T>),
    Cancelled,
    /// The slot is gone (the runtime shut down).
    Gone,
}
