//! The epoll driver: the ring's verbs where io_uring cannot be used.
//!
//! Operations describe themselves once, as the submission entry they build.
//! Here that entry is read back ([`sqe::Sqe`]) and its system call made:
//! at once without blocking (`MSG_DONTWAIT`, `RWF_NOWAIT`, non-blocking
//! accept and connect); when that would block on a socket or pipe, again
//! once edge-triggered epoll says the fd is ready; and on the blocking pool
//! for what cannot be made non-blocking (path operations, a page-cache
//! miss, a tty). Results come out as completions `(user_data, res)` that
//! the driver routes through the same in-flight table as the ring's CQEs,
//! so owned buffers, cancel-on-drop and task wakes work unchanged.
//!
//! The kernel's contract holds here too: an entry's memory stays owned by
//! its operation (or parked in the table) until its completion is reaped.
//! A pool job is the kernel in that picture: it posts its completion only
//! after its system call returned, and the driver waits for (or leaks) the
//! jobs still running when it shuts down.

mod fds;
mod sqe;
mod syscalls;

pub(crate) use fds::fd_released;

use super::cqe::Cqe;
use super::wake::Unparker;
use fds::Fds;
use io_uring::{opcode, squeue};
use sqe::Sqe;
use std::collections::HashMap;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use syscalls::{Attempt, FdKind, Interest};

/// Whether `epoll_pwait2` worked the last time a driver of this process
/// tried it (asked once per process, not once per runtime).
static PWAIT2: AtomicBool = AtomicBool::new(true);

/// Events taken per `epoll_wait`.
const EVENTS: usize = 256;

/// An operation waiting for its fd to become ready.
struct Waiting {
    sqe: Sqe,
    interest: Interest,
    progress: u8,
}

/// Completions of blocking-pool jobs, posted from the pool's threads.
type PoolDone = Arc<Mutex<Vec<(u64, i32)>>>;

/// The epoll set, the fds it watches and the operations in progress.
pub(crate) struct Epoll {
    epfd: OwnedFd,
    fds: Fds,
    /// Entries pushed since the last submit, not started.
    queued: Vec<Sqe>,
    waiting: HashMap<u64, Waiting>,
    /// Completions not yet routed to the table.
    completed: Vec<(u64, Cqe)>,
    pool_done: PoolDone,
    /// Pool jobs whose completion has not been taken.
    pool_running: usize,
    /// Wakes the driver when a pool job finishes.
    unparker: Unparker,
    events: Vec<libc::epoll_event>,
    /// Whether `epoll_pwait2` (Linux 5.11, nanosecond timeouts) is there.
    pwait2: bool,
}

impl Epoll {
    pub(crate) fn new(unparker: Unparker) -> io::Result<Epoll> {
        let fd = syscall!(epoll_create1(libc::EPOLL_CLOEXEC))?;
        Ok(Epoll {
            // SAFETY: `epoll_create1` just returned this fd; nothing else owns it.
            epfd: unsafe { OwnedFd::from_raw_fd(fd) },
            fds: Fds::new(),
            queued: Vec::new(),
            waiting: HashMap::new(),
            completed: Vec::new(),
            pool_done: PoolDone::default(),
            pool_running: 0,
            unparker,
            events: Vec::with_capacity(EVENTS),
            pwait2: PWAIT2.load(Ordering::Relaxed),
        })
    }

    /// Queues the operation `entry` describes; it starts at the next
    /// [`run_queued`](Self::run_queued) (the tick's "submit"), so one
    /// dropped before that never starts, as on the ring.
    pub(crate) fn submit(&mut self, entry: &squeue::Entry) {
        let sqe = syscalls::without_fixed_buffer(Sqe::read(entry));
        if sqe.opcode == opcode::AsyncCancel::CODE {
            // A cancel's own completion is never looked at (`CANCEL_TOKEN`).
            // As on the ring, it follows every entry queued before it: a
            // queued target starts first, and is stopped if it waits.
            if self
                .queued
                .iter()
                .any(|queued| queued.user_data == sqe.addr)
            {
                self.run_queued();
            }
            self.cancel(sqe.addr);
        } else {
            self.queued.push(sqe);
        }
    }

    /// Entries queued and not started.
    pub(crate) fn queued(&self) -> usize {
        self.queued.len()
    }

    /// Starts every queued operation, in order.
    pub(crate) fn run_queued(&mut self) {
        self.fds.drain_released();
        let mut queued = std::mem::take(&mut self.queued);
        for sqe in queued.drain(..) {
            if let Some(interest) = syscalls::interest_of(&sqe) {
                // Behind operations already waiting on this fd (in order),
                // or for the event that says it is ready again.
                if self.fds.has_waiters(sqe.fd, interest) || self.fds.is_blocked(sqe.fd, interest) {
                    self.wait(sqe, interest, 0);
                    continue;
                }
            }
            if let Some(cqe) = self.start(sqe, 0) {
                self.completed.push((sqe.user_data, cqe));
            }
        }
        if self.queued.is_empty() {
            // Keep the allocation.
            self.queued = queued;
        }
    }

    /// How the entry's call is made: its fd's kind for a read or write, a
    /// splice's file side if it has one (else `Stream`), `Stream` for the
    /// rest.
    fn kind_of(&mut self, sqe: &Sqe) -> FdKind {
        if syscalls::is_read_write(sqe) {
            self.fds.kind(sqe.fd)
        } else if let Some(source) = syscalls::splice_source(sqe) {
            match self.fds.kind(source) {
                FdKind::Stream => self.fds.kind(sqe.fd),
                file => file,
            }
        } else {
            FdKind::Stream
        }
    }

    fn start(&mut self, sqe: Sqe, progress: u8) -> Option<Cqe> {
        match sqe.opcode {
            opcode::Accept::CODE | opcode::Connect::CODE => self.fds.make_nonblocking(sqe.fd),
            opcode::Close::CODE => self.fds.forget(sqe.fd),
            _ => {}
        }
        let kind = self.kind_of(&sqe);
        if let (Some(source), FdKind::Stream) = (syscalls::splice_source(&sqe), kind) {
            // A socket's side of a splice blocks unless its file is
            // non-blocking (`SPLICE_F_NONBLOCK` covers pipes only).
            self.fds.make_nonblocking(source);
            self.fds.make_nonblocking(sqe.fd);
        }
        // SAFETY: the entry was built by an `OpCode` (or the driver's wake
        // read) whose data stays alive until this completion is reaped (the
        // driver's contract with `op/`).
        match unsafe { syscalls::attempt(&sqe, kind, progress) } {
            Attempt::Done(res) => {
                self.note_short(&sqe, res);
                Some(Cqe { res, flags: 0 })
            }
            Attempt::Wait(interest, progress) => {
                self.wait(sqe, interest, progress);
                None
            }
            Attempt::Blocking => {
                self.offload(sqe, kind);
                None
            }
        }
    }

    /// Parks the operation until its fd is ready (registering the fd with
    /// epoll the first time).
    fn wait(&mut self, sqe: Sqe, interest: Interest, progress: u8) {
        let fd = sqe.fd;
        if !self.fds.is_registered(fd) {
            if let Err(e) = self.register(fd) {
                match e.raw_os_error() {
                    // Not pollable (a regular file): block on the pool.
                    Some(libc::EPERM) => {
                        let kind = self.kind_of(&sqe);
                        self.offload(sqe, kind);
                    }
                    _ => self.completed.push((sqe.user_data, Cqe::from_error(&e))),
                }
                return;
            }
            self.fds.set_registered(fd);
        }
        self.fds.set_blocked(fd, interest, true);
        self.fds.push_waiter(fd, interest, sqe.user_data);
        self.waiting.insert(
            sqe.user_data,
            Waiting {
                sqe,
                interest,
                progress,
            },
        );
    }

    fn register(&mut self, fd: i32) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: (libc::EPOLLIN | libc::EPOLLOUT | libc::EPOLLRDHUP | libc::EPOLLET) as u32,
            u64: fd as u64,
        };
        let epfd = self.epfd.as_raw_fd();
        match syscall!(epoll_ctl(epfd, libc::EPOLL_CTL_ADD, fd, &mut event)) {
            // Still in the set from before it left ringio's hands (same open
            // file): re-arm it, which reports its readiness afresh.
            Err(e) if e.raw_os_error() == Some(libc::EEXIST) => {
                syscall!(epoll_ctl(epfd, libc::EPOLL_CTL_MOD, fd, &mut event)).map(drop)
            }
            res => res.map(drop),
        }
    }

    /// A read or write of a byte stream that moved fewer bytes than asked
    /// drained the fd (or filled it): the next one waits for the event
    /// rather than making a system call that would say `EAGAIN`, as tokio's
    /// streams do.
    fn note_short(&mut self, sqe: &Sqe, res: i32) {
        let interest = match sqe.opcode {
            opcode::Recv::CODE | opcode::Read::CODE => Interest::Read,
            opcode::Send::CODE | opcode::Write::CODE => Interest::Write,
            _ => return,
        };
        if res > 0 && (res as u32) < sqe.len && self.fds.is_byte_stream(sqe.fd) {
            self.fds.set_blocked(sqe.fd, interest, true);
        }
    }

    /// Runs the operation on a blocking-pool thread.
    fn offload(&mut self, sqe: Sqe, kind: FdKind) {
        if sqe.opcode == opcode::Connect::CODE {
            // The connect must wait on the pool thread, not say `EAGAIN`.
            self.fds.make_blocking(sqe.fd);
        }
        self.pool_running += 1;
        let done = self.pool_done.clone();
        let unparker = self.unparker.clone();
        crate::runtime::run_detached(move || {
            // SAFETY: as `start`: the entry's data stays alive until this
            // completion is reaped, and the driver does not shut down (or
            // leaks the data) while a pool job runs.
            let res = unsafe { syscalls::run_blocking(&sqe, kind) };
            let mut posted = done.lock().unwrap_or_else(PoisonError::into_inner);
            posted.push((sqe.user_data, res));
            unparker.unpark();
            // The eventfd is let go under the lock, before the driver can
            // take this completion: a runtime that ends right after it must
            // not find its eventfd still held open by this thread.
            drop(unparker);
            drop(posted);
        });
    }

    /// Withdraws a queued operation (it never starts); `false` if it has
    /// started.
    pub(crate) fn withdraw(&mut self, user_data: u64) -> bool {
        match self
            .queued
            .iter()
            .rposition(|sqe| sqe.user_data == user_data)
        {
            Some(at) => {
                self.queued.remove(at);
                true
            }
            None => false,
        }
    }

    /// Stops a waiting operation: it completes with `ECANCELED`. One on the
    /// pool cannot be stopped: it completes on its own.
    pub(crate) fn cancel(&mut self, user_data: u64) {
        if let Some(waiting) = self.waiting.remove(&user_data) {
            self.fds
                .remove_waiter(waiting.sqe.fd, waiting.interest, user_data);
            self.completed.push((
                user_data,
                Cqe {
                    res: -libc::ECANCELED,
                    flags: 0,
                },
            ));
        }
    }

    /// Starts what is queued, then cancels every waiting operation
    /// (shutdown).
    pub(crate) fn cancel_all(&mut self) {
        self.run_queued();
        let keys: Vec<u64> = self.waiting.keys().copied().collect();
        for user_data in keys {
            self.cancel(user_data);
        }
    }

    /// Pool jobs still running.
    pub(crate) fn pool_running(&self) -> usize {
        self.pool_running
    }

    /// Starts the queued operations, then one `epoll_wait` (up to
    /// `timeout`, or none if one of them finished; `None`: until an event),
    /// then the ready operations' retries and the pool's completions.
    pub(crate) fn poll(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.run_queued();
        let timeout = if self.completed.is_empty() {
            timeout
        } else {
            Some(Duration::ZERO)
        };
        let n = self.epoll_wait(timeout)?;
        for i in 0..n {
            let event = self.events[i];
            let (fd, bits) = (event.u64 as i32, event.events as i32);
            if bits & (libc::EPOLLHUP | libc::EPOLLRDHUP | libc::EPOLLERR) != 0 {
                self.fds.set_hung_up(fd);
            }
            if bits & (libc::EPOLLIN | libc::EPOLLRDHUP | libc::EPOLLHUP | libc::EPOLLERR) != 0 {
                self.fds.set_blocked(fd, Interest::Read, false);
                self.run_ready(fd, Interest::Read);
            }
            if bits & (libc::EPOLLOUT | libc::EPOLLHUP | libc::EPOLLERR) != 0 {
                self.fds.set_blocked(fd, Interest::Write, false);
                self.run_ready(fd, Interest::Write);
            }
        }
        if self.pool_running > 0 {
            let done = std::mem::take(
                &mut *self
                    .pool_done
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner),
            );
            self.pool_running -= done.len();
            self.completed.extend(
                done.into_iter()
                    .map(|(user_data, res)| (user_data, Cqe { res, flags: 0 })),
            );
        }
        Ok(())
    }

    fn epoll_wait(&mut self, timeout: Option<Duration>) -> io::Result<usize> {
        let epfd = self.epfd.as_raw_fd();
        let events = self.events.as_mut_ptr();
        loop {
            let ret = if self.pwait2 {
                let ts = timeout.map(|t| libc::timespec {
                    tv_sec: t.as_secs().min(i64::MAX as u64) as libc::time_t,
                    tv_nsec: t.subsec_nanos().into(),
                });
                let ts_ptr = ts.as_ref().map_or(std::ptr::null(), |ts| ts as *const _);
                // SAFETY: `events` has room for `EVENTS` entries; `ts`
                // lives on this frame; no signal mask is passed.
                unsafe {
                    libc::syscall(
                        libc::SYS_epoll_pwait2,
                        epfd,
                        events,
                        EVENTS as i32,
                        ts_ptr,
                        std::ptr::null::<libc::sigset_t>(),
                        0usize,
                    ) as i32
                }
            } else {
                let ms = timeout.map_or(-1, |t| {
                    // Rounded up: a timer must not fire early.
                    t.as_nanos().div_ceil(1_000_000).min(i32::MAX as u128) as i32
                });
                // SAFETY: `events` has room for `EVENTS` entries.
                unsafe { libc::epoll_wait(epfd, events, EVENTS as i32, ms) }
            };
            if ret >= 0 {
                // SAFETY: the kernel initialised the first `ret` entries.
                unsafe { self.events.set_len(ret as usize) };
                return Ok(ret as usize);
            }
            let err = io::Error::last_os_error();
            match err.raw_os_error() {
                Some(libc::EINTR) => return Ok(0),
                // No `epoll_pwait2` here (or a filter denies it).
                Some(libc::ENOSYS) | Some(libc::EPERM) if self.pwait2 => {
                    self.pwait2 = false;
                    PWAIT2.store(false, Ordering::Relaxed);
                }
                _ => return Err(err),
            }
        }
    }

    /// Retries the operations waiting on `fd` for `interest`, in order,
    /// until one would block again.
    fn run_ready(&mut self, fd: i32, interest: Interest) {
        while let Some(user_data) = self.fds.first_waiter(fd, interest) {
            let Some(waiting) = self.waiting.get(&user_data) else {
                self.fds.remove_waiter(fd, interest, user_data);
                continue;
            };
            let (sqe, progress) = (waiting.sqe, waiting.progress);
            let kind = self.kind_of(&sqe);
            // SAFETY: as in `start`: the operation is still waiting, so its
            // data is alive (a dropped one was cancelled out of `waiting`).
            match unsafe { syscalls::attempt(&sqe, kind, progress) } {
                Attempt::Done(res) => {
                    self.fds.remove_waiter(fd, interest, user_data);
                    self.waiting.remove(&user_data);
                    self.completed.push((user_data, Cqe { res, flags: 0 }));
                    self.note_short(&sqe, res);
                    if self.fds.is_blocked(fd, interest) {
                        // Drained (or full): the rest wait for the next event.
                        return;
                    }
                }
                Attempt::Wait(_, progress) => {
                    if let Some(waiting) = self.waiting.get_mut(&user_data) {
                        waiting.progress = progress;
                    }
                    self.fds.set_blocked(fd, interest, true);
                    return;
                }
                Attempt::Blocking => {
                    self.fds.remove_waiter(fd, interest, user_data);
                    self.waiting.remove(&user_data);
                    self.offload(sqe, kind);
                }
            }
        }
    }

    /// Moves the completions gathered so far into `out`.
    pub(crate) fn take_completed(&mut self, out: &mut Vec<(u64, Cqe)>) {
        out.append(&mut self.completed);
    }
}

impl std::fmt::Debug for Epoll {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Epoll")
            .field("waiting", &self.waiting.len())
            .field("pool_running", &self.pool_running)
            .finish_non_exhaustive()
    }
}
