//! Pushing entries and entering the kernel: the crate's only
//! `SubmissionQueue::push` and its only `io_uring_enter` calls.

use super::table::OpTable;
use super::Driver;
use io_uring::squeue;
use io_uring::types::{SubmitArgs, Timespec};
use std::io;
use std::time::Duration;

/// The timeout of a batched wait with no timer due: past the batch's delay
/// the wait goes on until one completion comes or this has passed.
const BATCHED_IDLE_BOUND: Duration = Duration::from_secs(3600);

/// How many times an enter that fails with `EBUSY`/`EAGAIN` is retried after
/// reaping before the error is surfaced.
const BUSY_RETRIES: usize = 16;

impl Driver {
    /// Queues `entry` without a syscall. When the submission queue is full,
    /// submits what is queued and retries.
    ///
    /// `Err` means the entry is *not* in the ring, so whatever it points to may
    /// be freed by the caller.
    #[inline]
    pub(super) fn push_entry(&mut self, entry: &squeue::Entry) -> io::Result<()> {
        let build = |_: &mut OpTable, _| (entry.clone(), ());
        if self.ring.is_none() {
            return self.push_without_ring(build);
        }
        self.push_built(build)
    }

    /// As [`push_entry`](Self::push_entry), for the entry that `build` makes
    /// once the queue has room: it gets the table (to take the entry's slot
    /// only when the push can no longer fail) and the queue position the
    /// entry goes to, and returns the entry and its own result. (Callers
    /// send `build` to the epoll driver instead where there is no ring.)
    /// Built there, the entry is written into the ring in place rather than
    /// kept on the stack across a submit.
    #[inline]
    pub(super) fn push_built<R>(
        &mut self,
        build: impl FnOnce(&mut OpTable, u32) -> (squeue::Entry, R),
    ) -> io::Result<R> {
        loop {
            let ring = self.ring.as_mut().ok_or_else(super::shut_down)?;
            let mut queue = ring.submission();
            if !queue.is_full() {
                let position = self.sq_pushed;
                let (entry, out) = build(&mut self.table, position);
                // SAFETY: every entry is built by an `OpCode` (or by the
                // driver for its wake read and cancel requests) whose
                // pointers target memory owned by the operation's data. That
                // data stays owned by the `Op` future, or by the table's
                // `Abandoned` slot once the future is dropped, until the
                // entry's final CQE is reaped (op/mod.rs Drop,
                // driver/table.rs). The entry is fully built before this push.
                let pushed = unsafe { queue.push(&entry) };
                assert!(
                    pushed.is_ok(),
                    "a submission queue with room refused an entry"
                );
                self.sq_pushed = position.wrapping_add(1);
                return Ok(out);
            }
            drop(queue);
            self.submit()?;
        }
    }

    /// With a [`submit_batch`](crate::Builder::submit_batch) limit: submits
    /// (without waiting) once that many entries are queued.
    #[inline]
    pub(super) fn submit_if_batch_full(&mut self) {
        let batch = self.submit_batch;
        if batch == u32::MAX {
            return;
        }
        let full = self
            .ring
            .as_mut()
            .is_some_and(|ring| ring.submission().len() >= batch as usize);
        if full {
            // The entries are in the ring already: whatever this enter says,
            // they stay owned by their operations. An error resurfaces at
            // the tick's own enter.
            let _ = self.submit();
        }
    }

    /// Submits every queued entry without waiting, then reaps: an
    /// [`enter`](Self::enter) that does not wait.
    pub(super) fn submit(&mut self) -> io::Result<()> {
        self.enter(false, None)
    }

    /// The one `io_uring_enter` of a turn: submits every queued entry and
    /// runs pending completions (`GETEVENTS`, needed under
    /// `DEFER_TASKRUN`); with `wait`, blocks until at least one completion
    /// is ready or `timeout` has passed (an `EXT_ARG` timespec: Linux
    /// 5.11), or with a [`wait_batch`](crate::Builder::wait_batch) until
    /// the batch is there, or its delay has passed since the park with one
    /// there, or one comes after that. Then reaps the CQ.
    pub(super) fn enter(&mut self, wait: bool, timeout: Option<Duration>) -> io::Result<()> {
        let mut retries = 0;
        let registered = self.registered;
        let messages_queued = !self.msg_targets.is_empty();
        // A batched wait, unless a timer is due before the batch's delay
        // would let it fire. It always carries a timeout: without one, a
        // wait for more completions than come was seen (6.18) to ignore the
        // delay and go on until the whole batch was there.
        let batch = self.wait_batch.filter(|&(_, delay_us)| {
            wait && timeout.is_none_or(|t| t >= Duration::from_micros(u64::from(delay_us)))
        });
        let (want, min_wait_us) = batch.unwrap_or((u32::from(wait), 0));
        let timespec = timeout
            .filter(|_| wait)
            .or(batch.map(|_| BATCHED_IDLE_BOUND))
            .map(Timespec::from);
        let arg = timespec
            .as_ref()
            .map(|ts| SubmitArgs::new().min_wait_usec(min_wait_us).timespec(ts));
        loop {
            let Some(ring) = self.ring.as_mut() else {
                return self.enter_without_ring(wait, timeout);
            };
            let to_submit = ring.submission().len() as u32;
            let mut flags = io_uring::EnterFlags::GETEVENTS.bits();
            if arg.is_some() {
                flags |= io_uring::EnterFlags::EXT_ARG.bits();
            }
            // Under SQPOLL the kernel thread sleeps when idle and only an
            // enter with SQ_WAKEUP makes it pick up queued entries again.
            if ring.params().is_setup_sqpoll() {
                std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
                if ring.submission().need_wakeup() {
                    flags |= io_uring::EnterFlags::SQ_WAKEUP.bits();
                }
            }
            let res = match registered {
                // SAFETY: the entries being submitted were pushed under
                // `push_entry`'s contract; the registration is this thread's
                // (a driver never leaves the thread that built it); `arg`
                // and the timespec it points to live on this frame for the
                // whole call.
                Some(index) => unsafe {
                    super::registered::enter(index, to_submit, want, flags, arg.as_ref())
                },
                // SAFETY: `arg` (with the timespec it points to) lives on
                // this frame for the whole call, and `EXT_ARG` is set exactly
                // when it is passed; the entries were pushed under
                // `push_entry`'s contract.
                None => unsafe { ring.submitter().enter(to_submit, want, flags, arg.as_ref()) },
            };
            // Only asked when MSG_RING targets wait to be let go: the common
            // enter skips the SQ head read.
            let drained = messages_queued && ring.submission().is_empty();
            self.stats.enters += 1;
            match res {
                Ok(n) => {
                    self.stats.sqes_submitted += n as u64;
                    if drained {
                        // The kernel has read every MSG_RING entry's target.
                        self.msg_targets.clear();
                    }
                    self.reap();
                    return Ok(());
                }
                // A signal arrived, or the timeout passed with nothing
                // submitted: a waiting enter returns to the tick loop, which
                // parks again if nothing became runnable.
                Err(e) if matches!(e.raw_os_error(), Some(libc::EINTR) | Some(libc::ETIME)) => {
                    if wait {
                        self.reap();
                        return Ok(());
                    }
                }
                // The completion queue must drain before the kernel takes more.
                Err(e) if matches!(e.raw_os_error(), Some(libc::EBUSY) | Some(libc::EAGAIN)) => {
                    if self.reap() > 0 || retries == BUSY_RETRIES {
                        return if retries == BUSY_RETRIES {
                            Err(e)
                        } else {
                            Ok(())
                        };
                    }
                    retries += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Submits and waits at most `timeout` for `want` completions (used at
    /// shutdown, where the wait must be bounded). Then reaps.
    pub(super) fn await_completions(&mut self, timeout: Duration, want: usize) -> io::Result<()> {
        let ring = self.ring_mut()?;
        let ts = Timespec::from(timeout);
        let args = SubmitArgs::new().timespec(&ts);
        let res = ring.submitter().submit_with_args(want.max(1), &args);
        self.stats.enters += 1;
        match res {
            Ok(n) => self.stats.sqes_submitted += n as u64,
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::ETIME) | Some(libc::EINTR) | Some(libc::EBUSY)
                ) => {}
            Err(e) => return Err(e),
        }
        self.reap();
        Ok(())
    }
}
