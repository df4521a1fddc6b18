//! The ring, and nothing else.
//!
//! The driver speaks five verbs: *push* (queue an SQE, no syscall), *submit*
//! and *park* (one `io_uring_enter`, without or with waiting; both are
//! [`Handle::turn`]), *reap* (drain the CQ, collecting the wakers of finished
//! operations) and *cancel* (what dropping an operation does). It knows nothing
//! of tasks or files.
//!
//! Where io_uring cannot be used, the same verbs run on epoll
//! ([`epoll`]): the entry is pushed to an interpreter instead of the ring,
//! and its completions are routed exactly as the ring's CQEs are. The ring's
//! paths test for that only where they already test for a missing ring.
//!
//! # Contract with `op/`
//! - An operation's data (buffers, boxed side structures) is owned by its `Op`
//!   future until the CQE arrives. If the future is dropped first, the data
//!   moves into the in-flight table ([`lifecycle::Lifecycle::Abandoned`]) and is
//!   dropped only when the final CQE is reaped.
//! - An entry that failed to be pushed is not in the ring: its data may be
//!   freed at once. An entry that was pushed is never freed early, whatever
//!   `io_uring_enter` returns later.
//! - Dropping the driver cancels everything in flight and waits (bounded) for
//!   the CQEs; whatever the kernel still holds after that is leaked on purpose.

pub(crate) mod buf_ring;
pub(crate) mod context;
pub(crate) mod cqe;
mod emulated;
pub(crate) mod epoll;
#[cfg(feature = "fault-injection")]
mod faults;
pub(crate) mod fixed_bufs;
mod kind;
pub(crate) mod lifecycle;
mod messages;
mod queued;
mod registered;
mod setup;
mod stats;
mod submit;
mod table;
pub(crate) mod timers;
mod wake;

pub(crate) use context::Handle;
pub(crate) use epoll::fd_released;
pub use kind::DriverKind;
pub(crate) use setup::{RingConfig, SetupMode};
pub(crate) use stats::DriverStats;
pub(crate) use wake::Unparker;

use buf_ring::BufRing;
use cqe::{Cqe, OpKey, Token, CANCEL_TOKEN, MSG_TOKEN, WAKE_TOKEN};
use io_uring::{opcode, squeue, types, IoUring};
use lifecycle::Abandoned;
pub(crate) use lifecycle::Waiter;
use queued::QueuedEntries;
use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};
use table::{AbandonOutcome, OpTable};
use timers::TimerQueue;
use wake::WakeSource;

/// One io_uring and the operations in flight on it.
pub(crate) struct Driver {
    /// `None` after shutdown: closed, or leaked if the kernel still held
    /// memory; `None` from the start under the epoll driver.
    ring: Option<IoUring>,
    /// The epoll driver, where there is no ring (`None` after shutdown).
    epoll: Option<Box<epoll::Epoll>>,
    table: OpTable,
    /// Sleeps, by deadline: they bound the parked wait and fire in `turn`.
    timers: TimerQueue,
    wake: WakeSource,
    /// Waiters of completed operations, woken by the runtime after it
    /// released its borrow of the driver.
    wakers: Vec<Waiter>,
    stats: DriverStats,
    mode: SetupMode,
    /// Entries pushed since setup (wrapping): the queue position the next
    /// entry goes to.
    sq_pushed: u32,
    /// The submission entries as this side sees them before the kernel
    /// reads them (`None` under SQPOLL): a dropped op's unsubmitted entry
    /// is withdrawn there.
    queued: Option<QueuedEntries>,
    /// Where the driver is in its life (see [`Phase`]).
    phase: Phase,
    /// Flags of cancel requests: `SKIP_SUCCESS` where the kernel has it (a
    /// cancel that found its target posts no completion of its own).
    cancel_flags: squeue::Flags,
    /// Target rings of `MSG_RING` entries queued but not yet submitted:
    /// held so their fd numbers cannot be reused before the kernel reads them.
    msg_targets: Vec<Arc<OwnedFd>>,
    /// The ring's fd registered with itself, if the kernel allowed it.
    registered: Option<u32>,
    /// The provided-buffer pool of multishot receives, made on first use.
    buf_ring: BufPool,
    /// The pool's buffers and their size ([`RingConfig::recv_buffers`]).
    recv_buffers: (u16, u32),
    /// Submit as soon as this many entries are queued (`u32::MAX`: never
    /// before the tick's enter).
    submit_batch: u32,
    /// A parked wait's batch: completions asked for, and the µs from the
    /// park during which completions are held to make it up (`None`: off,
    /// not a `DEFER_TASKRUN` ring, or the kernel lacks
    /// `IORING_FEAT_MIN_TIMEOUT`).
    wait_batch: Option<(u32, u32)>,
    /// The epoll driver's completions being routed (a kept allocation).
    emulated: Vec<(u64, Cqe)>,
    /// The submission queue's size: under epoll, how many entries wait
    /// before they start without the tick's enter.
    sq_entries: u32,
    /// The registered-buffer table of fixed-buffer pools, set up on first use.
    fixed_bufs: fixed_bufs::FixedBufTable,
    /// Operations rewritten to fail ([`crate::fault`]).
    #[cfg(feature = "fault-injection")]
    injected: faults::Injected,
    /// The errno the armed wake-up read was rewritten to fail with.
    #[cfg(feature = "fault-injection")]
    wake_injected: Option<i32>,
    /// `MSG_RING` wakes rewritten to fail, by `user_data`.
    #[cfg(feature = "fault-injection")]
    msg_injected: faults::Injected<u64>,
}

impl Driver {
    /// The driver `config.kind` asks for (`Auto`: as `RINGIO_DRIVER` says,
    /// else io_uring if it sets up with every opcode ringio needs, else
    /// epoll), and why `Auto` fell back, if it did.
    pub(crate) fn new(config: &RingConfig) -> io::Result<(Driver, Option<io::Error>)> {
        match config.kind.resolve()? {
            DriverKind::Epoll => Ok((Driver::new_epoll(config)?, None)),
            DriverKind::IoUring => Ok((Driver::new_ring(config)?, None)),
            _ => {
                let reason = match Driver::new_ring(config) {
                    Ok(driver) => match driver.ring.as_ref().and_then(setup::missing_opcode) {
                        None => return Ok((driver, None)),
                        Some(name) => io::Error::new(
                            io::ErrorKind::Unsupported,
                            format!("io_uring lacks IORING_OP_{name}"),
                        ),
                    },
                    Err(e) => e,
                };
                Ok((Driver::new_epoll(config)?, Some(reason)))
            }
        }
    }

    /// Whether parked waits are batched ([`crate::Builder::wait_batch`]).
    pub(crate) fn waits_in_batches(&self) -> bool {
        self.wait_batch.is_some()
    }

    /// Which driver this is.
    pub(crate) fn kind(&self) -> DriverKind {
        if self.mode == SetupMode::Epoll {
            DriverKind::Epoll
        } else {
            DriverKind::IoUring
        }
    }

    /// Sets up a ring with the best flags the kernel accepts.
    fn new_ring(config: &RingConfig) -> io::Result<Driver> {
        let (ring, mode) = setup::build(config)?;
        let queued = QueuedEntries::map(&ring)?;
        // Batched waits only under DEFER_TASKRUN: the kernel lowers the
        // wait's count to one after the delay only for those rings, so on
        // another a completion posted after it (by the SQ thread, or a
        // MSG_RING wake) may not end the wait until the batch is whole.
        let batches_waits =
            mode == SetupMode::DeferTaskrun && ring.params().is_feature_min_timeout();
        let cancel_flags = if ring.params().is_feature_skip_cqe_on_success() {
            squeue::Flags::SKIP_SUCCESS
        } else {
            squeue::Flags::empty()
        };
        let messageable =
            config.msg_ring && setup::supports_opcodes(&ring, &[opcode::MsgRingData::CODE]);
        let ring_dup = if messageable {
            Some(ring.as_fd().try_clone_to_owned()?)
        } else {
            None
        };
        let mut driver = Driver {
            ring: Some(ring),
            epoll: None,
            table: OpTable::default(),
            timers: TimerQueue::default(),
            wake: WakeSource::new(ring_dup)?,
            wakers: Vec::new(),
            stats: DriverStats::default(),
            mode,
            sq_pushed: 0,
            queued,
            phase: Phase::Running,
            cancel_flags,
            msg_targets: Vec::new(),
            registered: None,
            buf_ring: BufPool::Untried,
            recv_buffers: config.recv_buffers,
            submit_batch: config.submit_batch,
            wait_batch: config
                .wait_batch
                .filter(|_| batches_waits)
                .map(|(n, delay)| (n, delay.as_micros().clamp(1, u128::from(u32::MAX)) as u32)),
            emulated: Vec::new(),
            sq_entries: 0,
            fixed_bufs: fixed_bufs::FixedBufTable::Untried,
            #[cfg(feature = "fault-injection")]
            injected: faults::Injected::default(),
            #[cfg(feature = "fault-injection")]
            wake_injected: None,
            #[cfg(feature = "fault-injection")]
            msg_injected: faults::Injected::default(),
        };
        driver.sq_entries = driver.completion_batch() as u32 * 2;
        if config.register_ring_fd {
            driver.registered = driver
                .ring
                .as_ref()
                .and_then(|r| registered::register(r.as_raw_fd()));
        }
        driver.arm_wake()?;
        Ok(driver)
    }

    /// Whether the kernel has opcode `code` (one `io_uring_register` probe
    /// per call; callers cache it); `false` without a ring.
    pub(crate) fn supports_opcode(&self, code: u8) -> bool {
        self.ring
            .as_ref()
            .is_some_and(|ring| setup::supports_opcodes(ring, &[code]))
    }

    #[inline]
    fn ring_mut(&mut self) -> io::Result<&mut IoUring> {
        self.ring.as_mut().ok_or_else(shut_down)
    }

    fn arm_wake(&mut self) -> io::Result<()> {
        let entry = self.wake.read_entry();
        // A wake-up read to fail ([`crate::fault`]) is armed as an entry
        // that completes at once; the next arm is a real read again.
        #[cfg(feature = "fault-injection")]
        let entry = match self.ring.is_some().then(crate::fault::take_wake_read) {
            Some(Some(errno)) => {
                self.wake_injected = Some(errno);
                faults::rewrite(&entry).user_data(WAKE_TOKEN)
            }
            _ => entry,
        };
        self.push_entry(&entry)?;
        self.wake.armed = true;
        Ok(())
    }

    /// Pushes an operation's entry, made by `build`, under a fresh key (no
    /// syscall).
    #[inline]
    pub(crate) fn push_op(&mut self, build: impl FnOnce() -> squeue::Entry) -> io::Result<OpKey> {
        self.push_with_key(build, OpTable::insert)
    }

    /// Pushes a multishot operation's entry, made by `build`: its
    /// completions queue up until polled, one per poll.
    pub(crate) fn push_multishot(
        &mut self,
        build: impl FnOnce() -> squeue::Entry,
    ) -> io::Result<OpKey> {
        self.push_with_key(build, OpTable::insert_multishot)
    }

    #[inline]
    fn push_with_key(
        &mut self,
        build: impl FnOnce() -> squeue::Entry,
        insert: impl FnOnce(&mut OpTable, u32) -> OpKey,
    ) -> io::Result<OpKey> {
        // No `closed` check: a driver closes only inside `shutdown`, which
        // runs no user code and leaves the ring `None` when it returns, and
        // `push_built` refuses to push without a ring.
        let build = |table: &mut OpTable, position| {
            // The entry first: `build` may run a user's `IoBuf` methods, and
            // if they panic no slot has been taken yet.
            let entry = build();
            let key = insert(table, position);
            (entry.user_data(key.user_data()), key)
        };
        if self.ring.is_none() {
            return self.push_without_ring(build);
        }
        #[cfg(feature = "fault-injection")]
        let build = |table: &mut OpTable, position| {
            let (entry, key) = build(table, position);
            match crate::fault::take() {
                Some(errno) => {
                    let entry = faults::rewrite(&entry).user_data(key.user_data());
                    (entry, (key, Some(errno)))
                }
                None => (entry, (key, None)),
            }
        };
        #[cfg(feature = "fault-injection")]
        let key = {
            let (key, errno) = self.push_built(build)?;
            if let Some(errno) = errno {
                self.injected.note(key, errno);
            }
            key
        };
        #[cfg(not(feature = "fault-injection"))]
        let key = self.push_built(build)?;
        self.submit_if_batch_full();
        Ok(key)
    }

    /// Takes the operation's completion, or registers the waker; `None` if
    /// `key` names no slot (an entry never pushed, or already taken).
    #[inline]
    pub(crate) fn poll_op(
        &mut self,
        key: OpKey,
        waker: &Waker,
        task: impl FnOnce() -> Option<u64>,
    ) -> Option<Poll<Cqe>> {
        match self.table.poll(key, waker, task) {
            // Leaked at shutdown (the table with it): the kernel may still
            // own this op's memory, so it never completes (its data must not
            // be handed back).
            None if self.phase == Phase::Leaked => Some(Poll::Pending),
            poll => poll,
        }
    }

    /// The operation's future was dropped: withdraw its entry if the kernel
    /// has not read it yet (the data is dropped now), else park its data
    /// and cancel it.
    pub(crate) fn abandon_op(&mut self, key: OpKey, abandoned: Abandoned) {
        if self.phase == Phase::Leaked {
            // Leaked at shutdown (the table with it): the kernel may still
            // write into this data, so it is leaked too, never freed.
            std::mem::forget(abandoned);
            return;
        }
        if abandoned.withdrawable && self.withdraw_queued(key) {
            return;
        }
        if self.table.abandon(key, abandoned) == AbandonOutcome::NeedsCancel
            && self.phase == Phase::Running
        {
            self.stats.ops_abandoned += 1;
            // If the cancel cannot be queued the operation still completes on
            // its own (or is cancelled at shutdown); its data stays parked.
            let _ = self.push_cancel(key.user_data());
        }
    }

    /// Cancels the pending operation `key` (see [`Handle::cancel_op`]).
    pub(crate) fn cancel_op(&mut self, key: OpKey) {
        if self.phase == Phase::Running {
            self.stats.ops_cancelled += 1;
            // If the cancel cannot be queued the operation completes on its
            // own.
            let _ = self.push_cancel(key.user_data());
        }
    }

    /// Queues a `MSG_RING` entry that posts a wake-up completion to the ring
    /// `target` (submitted with this ring's next enter). `user_data` names
    /// the target's eventfd: a failed entry, the only one that completes
    /// here, goes through it instead (`messages.rs`). `false` if it could
    /// not be queued; the caller then wakes the target another way.
    pub(crate) fn push_msg_ring(&mut self, target: &Arc<OwnedFd>, user_data: u64) -> bool {
        if self.phase >= Phase::Closed || self.ring.is_none() {
            return false;
        }
        let entry = opcode::MsgRingData::new(types::Fd(target.as_raw_fd()), 0, MSG_TOKEN, None)
            .build()
            .flags(squeue::Flags::SKIP_SUCCESS)
            .user_data(user_data);
        #[cfg(feature = "fault-injection")]
        let (entry, errno) = match crate::fault::take_msg_ring() {
            Some(errno) => (faults::rewrite(&entry).user_data(user_data), Some(errno)),
            None => (entry, None),
        };
        if self.push_entry(&entry).is_err() {
            #[cfg(feature = "fault-injection")]
            if let Some(errno) = errno {
                crate::fault::give_back_msg_ring(errno);
            }
            return false;
        }
        #[cfg(feature = "fault-injection")]
        if let Some(errno) = errno {
            self.msg_injected.note(user_data, errno);
        }
        self.msg_targets.push(target.clone());
        true
    }

    /// The provided-buffer pool (`recv_buffers`, group 0), made on
    /// first use; `None` where the kernel has no buffer rings (before 5.19).
    pub(crate) fn buf_ring(&mut self) -> Option<Rc<BufRing>> {
        if matches!(self.buf_ring, BufPool::Untried) && self.phase < Phase::Closed {
            self.buf_ring = match self
                .ring
                .as_ref()
                .map(|ring| BufRing::new(ring, self.recv_buffers.0, self.recv_buffers.1, 0))
            {
                Some(Ok(pool)) => BufPool::Ready(pool),
                _ => BufPool::Refused,
            };
        }
        match &self.buf_ring {
            BufPool::Ready(pool) => Some(pool.clone()),
            _ => None,
        }
    }

    /// The bytes of a receive chunk (a pool buffer's size).
    pub(crate) fn recv_chunk_size(&self) -> usize {
        self.recv_buffers.1 as usize
    }

    /// Whether `MSG_RING` wakes wait for this ring's next enter.
    pub(crate) fn has_queued_messages(&self) -> bool {
        !self.msg_targets.is_empty()
    }

    fn push_cancel(&mut self, target: u64) -> io::Result<()> {
        let entry = opcode::AsyncCancel::new(target)
            .build()
            .flags(self.cancel_flags)
            .user_data(CANCEL_TOKEN);
        self.push_entry(&entry)
    }

    /// One `io_uring_enter` (submit, run completions, optionally wait), then
    /// reap and fire the timers that are due. Never waits while reaped
    /// wakers are still pending, nor past the earliest timer.
    pub(crate) fn turn(&mut self, wait: bool) -> io::Result<()> {
        if !self.wake.armed && self.phase < Phase::Closed {
            self.arm_wake()?;
        }
        let wait = wait && self.wakers.is_empty();
        let timeout = self
            .timers
            .next_deadline()
            .filter(|_| wait)
            .map(|deadline| deadline.saturating_duration_since(Instant::now()));
        let res = match timeout {
            Some(timeout) if timeout.is_zero() => self.submit(),
            timeout => self.enter(wait, timeout),
        };
        self.expire_timers();
        res
    }

    /// Whether an enter would have anything to submit.
    pub(crate) fn has_queued_entries(&mut self) -> bool {
        match self.ring.as_mut() {
            Some(ring) => !ring.submission().is_empty(),
            None => self.epoll.as_ref().is_some_and(|epoll| epoll.queued() > 0),
        }
    }

    /// Moves the reaped wakers into `out` (kept allocations are swapped).
    pub(crate) fn take_wakers(&mut self, out: &mut Vec<Waiter>) {
        // Debug builds under `RINGIO_SHUFFLE`: woken in a seeded order.
        #[cfg(debug_assertions)]
        crate::shuffle::shuffle(&mut self.wakers);
        std::mem::swap(&mut self.wakers, out);
    }

    /// Drains the completion queue; returns how many CQEs it saw.
    fn reap(&mut self) -> usize {
        let Some(ring) = self.ring.as_mut() else {
            return 0;
        };
        let mut seen = 0;
        let mut rearm = false;
        // The task last queued for waking in this reap: completions of one
        // task arrive together and it is woken once (checked in a register,
        // not against the list).
        let mut last_task = None;
        for entry in ring.completion() {
            seen += 1;
            let cqe = Cqe::from(&entry);
            #[cfg(feature = "fault-injection")]
            let cqe = match Token::decode(entry.user_data()) {
                Token::Op(key) => self.injected.apply(key, cqe),
                Token::Sent(user_data) => self.msg_injected.apply(user_data, cqe),
                Token::Wake => self.wake_injected.take().map_or(cqe, |errno| Cqe {
                    res: -errno,
                    flags: 0,
                }),
                _ => cqe,
            };
            match Token::decode(entry.user_data()) {
                Token::Wake => {
                    self.wake.armed = false;
                    rearm = true;
                }
                Token::Cancel | Token::Msg => {}
                Token::Sent(user_data) => {
                    if cqe.res < 0 {
                        self.stats.msg_ring_fallbacks += 1;
                        messages::fall_back(user_data);
                    }
                }
                Token::Op(key) => match self.table.complete(key, cqe) {
                    Some(Waiter::Task(token)) if last_task == Some(token) => {}
                    Some(Waiter::Task(token)) => {
                        // (A duplicate of an earlier reap's wake is harmless:
                        // scheduling a scheduled task does nothing.)
                        last_task = Some(token);
                        self.wakers.push(Waiter::Task(token));
                    }
                    Some(waiter) => waiter.push_to(&mut self.wakers),
                    None => {}
                },
            }
        }
        self.stats.cqes_reaped += seen as u64;
        if rearm && self.phase < Phase::Closed {
            // A failure leaves `armed` false; the next turn tries again.
            let _ = self.arm_wake();
        }
        seen
    }

    /// The handle other threads use to interrupt [`turn`](Self::turn).
    pub(crate) fn unparker(&self) -> Unparker {
        self.wake.unparker()
    }

    pub(crate) fn stats(&self) -> DriverStats {
        self.stats
    }

    /// Slots in the in-flight table (completed-but-untaken ones included).
    pub(crate) fn ops_in_flight(&self) -> usize {
        self.table.len()
    }

    fn unregister_ring(&mut self) {
        if let (Some(index), Some(ring)) = (self.registered.take(), self.ring.as_ref()) {
            registered::unregister(ring.as_raw_fd(), index);
        }
    }

    /// Which setup flags the kernel accepted.
    pub(crate) fn mode(&self) -> SetupMode {
        self.mode
    }

    /// Cancels everything in flight and waits up to `timeout` for the CQEs.
    /// What the kernel still holds after that is leaked, never freed.
    pub(crate) fn shutdown(&mut self, timeout: Duration) {
        if self.phase >= Phase::Closed {
            return;
        }
        if self.ring.is_none() {
            self.shutdown_without_ring(timeout);
            return;
        }
        self.phase = Phase::Closed;
        self.wake.close_ring_target();
        let deadline = timers::deadline_after(Instant::now(), timeout);
        if !self.cancel_pending(deadline) {
            self.leak();
            return;
        }
        loop {
            let pending = self.table.pending().count() + usize::from(self.wake.armed);
            if pending == 0 {
                break;
            }
            let now = Instant::now();
            let want = pending.min(self.completion_batch());
            if now >= deadline || self.await_completions(deadline - now, want).is_err() {
                self.leak();
                return;
            }
        }
        // The kernel holds nothing of ours any more: unmap the ring and close
        // its fd now, even if join handles or op futures keep this `Driver`
        // value alive for a while.
        if let (BufPool::Ready(pool), Some(ring)) = (
            std::mem::replace(&mut self.buf_ring, BufPool::Refused),
            self.ring.as_ref(),
        ) {
            pool.unregister(ring);
        }
        self.unregister_ring();
        self.ring = None;
    }

    /// Sends one cancel request per pending operation, newest first, a
    /// batch at a time, each batch followed by a wait for as many
    /// completions; `false` if `deadline` passed or the ring failed first.
    ///
    /// The kernel finds a pending poll by hashing its `user_data` into a
    /// bucket list, newest first, and a cancelled request leaves its list
    /// only when the kernel's task work for it runs. An enter runs about as
    /// many of those as it waits for completions (under `DEFER_TASKRUN`, at
    /// least 20), so each batch waits for its own; newest first, each cancel
    /// then finds its target at the head of its list, behind nothing but
    /// requests of its own batch. (`IORING_ASYNC_CANCEL_ANY | ALL` scans
    /// every bucket from the start for each match, past the requests it has
    /// already cancelled: quadratic in the kernel, about a second for 10k.)
    fn cancel_pending(&mut self, deadline: Instant) -> bool {
        let pushed = self.sq_pushed;
        let mut pending: Vec<(u32, OpKey)> = self
            .table
            .pending_with_positions()
            .map(|(key, position)| (pushed.wrapping_sub(position), key))
            .collect();
        pending.sort_unstable_by_key(|&(age, _)| age);
        for batch in pending.chunks(self.completion_batch()) {
            for &(_, key) in batch {
                let _ = self.push_cancel(key.user_data());
            }
            let now = Instant::now();
            if now >= deadline || self.await_completions(deadline - now, batch.len()).is_err() {
                return false;
            }
        }
        if self.wake.armed {
            let _ = self.push_cancel(WAKE_TOKEN);
        }
        true
    }

    /// How many completions one shutdown enter waits for: half the
    /// smaller queue, so a batch's cancels fit the submission queue and
    /// their completions the completion queue.
    fn completion_batch(&self) -> usize {
        self.ring.as_ref().map_or(1, |ring| {
            let params = ring.params();
            (params.sq_entries().min(params.cq_entries()) as usize / 2).max(1)
        })
    }

    /// The runtime is about to drop its tasks: the operations they abandon
    /// are parked without a cancel request, and
    /// [`shutdown`](Self::shutdown) cancels them all, newest first.
    pub(crate) fn begin_shutdown(&mut self) {
        self.phase = self.phase.max(Phase::Closing);
    }

    /// The kernel did not give everything back: keep the ring mapped and every
    /// parked buffer allocated for the rest of the process.
    fn leak(&mut self) {
        self.unregister_ring();
        self.phase = Phase::Leaked;
        std::mem::forget(self.ring.take());
        std::mem::forget(std::mem::take(&mut self.table));
        // Entries still in the queue name these rings: their fds stay open.
        std::mem::forget(std::mem::take(&mut self.msg_targets));
        self.wake.leak_buffer();
    }
}

impl Drop for Driver {
    /// A driver dropped without a shutdown (its runtime failed to start)
    /// still gives back its ring-fd registration, a per-thread resource.
    fn drop(&mut self) {
        self.unregister_ring();
    }
}

/// Routes one completion: to its operation's slot, collecting who to wake
/// (a task once per run of its completions: `last_task`), or to the
/// driver's own bookkeeping. Returns whether it was the wake read's.
#[inline(never)]
fn route(
    table: &mut OpTable,
    wakers: &mut Vec<Waiter>,
    last_task: &mut Option<u64>,
    user_data: u64,
    cqe: Cqe,
) -> bool {
    match Token::decode(user_data) {
        Token::Wake => return true,
        // The epoll driver sends no `MSG_RING` wakes.
        Token::Cancel | Token::Msg | Token::Sent(_) => {}
        Token::Op(key) => match table.complete(key, cqe) {
            Some(Waiter::Task(token)) if *last_task == Some(token) => {}
            Some(Waiter::Task(token)) => {
                // (A duplicate of an earlier reap's wake is harmless:
                // scheduling a scheduled task does nothing.)
                *last_task = Some(token);
                wakers.push(Waiter::Task(token));
            }
            Some(waiter) => waiter.push_to(wakers),
            None => {}
        },
    }
    false
}

/// Where a driver is in its life, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    /// Serving operations.
    Running,
    /// The runtime is dropping its tasks: the operations they abandon are
    /// parked without a cancel request, and shutdown cancels them all in
    /// the order the kernel finds them fastest.
    Closing,
    /// Shut down: the kernel holds nothing of ours, and the ring is closed.
    Closed,
    /// Shutdown timed out: ring, table and wake buffer were leaked on
    /// purpose (the kernel may still write into them).
    Leaked,
}

/// The provided-buffer pool of multishot receives.
enum BufPool {
    /// Not asked for yet.
    Untried,
    Ready(Rc<BufRing>),
    /// The kernel has no buffer rings (or the driver is epoll, or shut
    /// down): not asked again.
    Refused,
}

fn shut_down() -> io::Error {
    io::Error::other("the ringio runtime that owns this ring has shut down")
}
