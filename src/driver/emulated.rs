//! The driver's verbs where there is no ring: pushed entries go to the
//! epoll driver, and its completions are routed like the ring's CQEs.

use super::cqe::OpKey;
use super::epoll::Epoll;
use super::table::OpTable;
use super::timers::{self, TimerQueue};
use super::wake::WakeSource;
use super::{route, shut_down, BufPool, Driver, DriverStats, Phase, RingConfig, SetupMode};
use io_uring::squeue;
use std::io;
use std::time::{Duration, Instant};

impl Driver {
    /// A driver on epoll.
    pub(super) fn new_epoll(config: &RingConfig) -> io::Result<Driver> {
        let wake = WakeSource::new(None)?;
        let epoll = Epoll::new(wake.unparker())?;
        let mut driver = Driver {
            ring: None,
            epoll: Some(Box::new(epoll)),
            table: OpTable::default(),
            timers: TimerQueue::default(),
            wake,
            wakers: Vec::new(),
            stats: DriverStats::default(),
            mode: SetupMode::Epoll,
            sq_pushed: 0,
            queued: None,
            phase: Phase::Running,
            cancel_flags: squeue::Flags::empty(),
            msg_targets: Vec::new(),
            registered: None,
            buf_ring: BufPool::Refused,
            recv_buffers: config.recv_buffers,
            submit_batch: config.submit_batch,
            wait_batch: None,
            emulated: Vec::new(),
            sq_entries: config.entries.max(1).next_power_of_two(),
            fixed_bufs: super::fixed_bufs::FixedBufTable::Unavailable,
            #[cfg(feature = "fault-injection")]
            injected: super::faults::Injected::default(),
            #[cfg(feature = "fault-injection")]
            wake_injected: None,
            #[cfg(feature = "fault-injection")]
            msg_injected: super::faults::Injected::default(),
        };
        driver.arm_wake()?;
        Ok(driver)
    }

    /// [`push_built`](Self::push_built) without a ring: the entry goes to
    /// the epoll driver's queue, started at the tick's enter (or once
    /// [`submit_batch`](crate::Builder::submit_batch) entries wait).
    #[cold]
    #[inline(never)]
    pub(super) fn push_without_ring<R>(
        &mut self,
        build: impl FnOnce(&mut OpTable, u32) -> (squeue::Entry, R),
    ) -> io::Result<R> {
        let Some(epoll) = self.epoll.as_mut() else {
            return Err(shut_down());
        };
        let position = self.sq_pushed;
        let (entry, out) = build(&mut self.table, position);
        self.sq_pushed = position.wrapping_add(1);
        self.stats.sqes_submitted += 1;
        epoll.submit(&entry);
        // A full "queue" (the ring's size) starts at once, as a full ring
        // is submitted and refilled.
        if epoll.queued() >= self.submit_batch.min(self.sq_entries) as usize {
            self.stats.enters += 1;
            epoll.run_queued();
        }
        Ok(out)
    }

    /// [`withdraw_queued`](Self::withdraw_queued) without a ring: an entry
    /// the epoll driver has not started is taken back, and its slot freed.
    #[cold]
    pub(super) fn withdraw_without_ring(&mut self, key: OpKey) -> bool {
        let Some(epoll) = self.epoll.as_mut() else {
            return false;
        };
        if !epoll.withdraw(key.user_data()) {
            return false;
        }
        self.table.remove_withdrawn(key);
        self.stats.ops_withdrawn += 1;
        true
    }

    /// [`enter`](Self::enter) without a ring: one `epoll_wait`
    /// (bounded by `timeout`, or none if `wait` is false), then the reap.
    #[cold]
    #[inline(never)]
    pub(super) fn enter_without_ring(
        &mut self,
        wait: bool,
        timeout: Option<Duration>,
    ) -> io::Result<()> {
        let Some(epoll) = self.epoll.as_mut() else {
            return Err(shut_down());
        };
        let timeout = if wait { timeout } else { Some(Duration::ZERO) };
        let res = epoll.poll(timeout);
        self.stats.enters += 1;
        self.reap_emulated();
        res
    }

    /// Routes the epoll driver's completions, as `reap` does the CQ's.
    fn reap_emulated(&mut self) {
        let Some(epoll) = self.epoll.as_mut() else {
            return;
        };
        let mut completed = std::mem::take(&mut self.emulated);
        epoll.take_completed(&mut completed);
        let mut last_task = None;
        let mut rearm = false;
        self.stats.cqes_reaped += completed.len() as u64;
        for (user_data, cqe) in completed.drain(..) {
            rearm |= route(
                &mut self.table,
                &mut self.wakers,
                &mut last_task,
                user_data,
                cqe,
            );
        }
        self.emulated = completed;
        if rearm {
            self.wake.armed = false;
            if self.phase < Phase::Closed {
                // A failure leaves `armed` false; the next turn tries again.
                let _ = self.arm_wake();
            }
        }
    }

    /// [`shutdown`](Self::shutdown) without a ring: waiting operations are
    /// cancelled (they stop at once), pool jobs are waited for until
    /// `timeout`, and what is still running after that is leaked.
    pub(super) fn shutdown_without_ring(&mut self, timeout: Duration) {
        if self.epoll.is_none() {
            return;
        }
        self.phase = Phase::Closed;
        let deadline = timers::deadline_after(Instant::now(), timeout);
        loop {
            let Some(epoll) = self.epoll.as_mut() else {
                return;
            };
            epoll.cancel_all();
            let running = epoll.pool_running();
            self.reap_emulated();
            if running == 0 {
                break;
            }
            let now = Instant::now();
            let polled = self
                .epoll
                .as_mut()
                .map(|epoll| epoll.poll(Some(deadline.saturating_duration_since(now))));
            if now >= deadline || !matches!(polled, Some(Ok(()))) {
                // Pool jobs still hold pointers into parked data.
                self.leak();
                break;
            }
        }
        self.epoll = None;
    }
}
