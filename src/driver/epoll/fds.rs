//! What the epoll driver knows of each fd its operations used: how its
//! reads and writes are made, whether epoll watches it, and the operations
//! waiting for it to become ready.
//!
//! A closed fd's number is reused by the next open, so what is known of it
//! must go when it closes. Every fd a ringio handle owns closes through
//! [`fd_released`] (from `SharedFd`), which may run while the driver is
//! busy: the numbers queue in a thread-local list that the driver drains
//! before it looks at any fd.

use super::syscalls::{sockopt_int, FdKind, Interest};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::os::fd::RawFd;
use std::rc::Rc;

thread_local! {
    /// One list per epoll driver alive on this thread: the fds released
    /// since it last looked. (Empty where no epoll driver runs: a release
    /// then costs a thread-local read.)
    static INBOXES: RefCell<Vec<Inbox>> = const { RefCell::new(Vec::new()) };
}

type Inbox = Rc<RefCell<Vec<RawFd>>>;

/// `fd` is about to close, or to leave ringio's hands (`into_std`): what the
/// thread's epoll drivers know of it must be forgotten.
pub(crate) fn fd_released(fd: RawFd) {
    let _ = INBOXES.try_with(|inboxes| {
        for inbox in inboxes.borrow().iter() {
            inbox.borrow_mut().push(fd);
        }
    });
}

#[derive(Default)]
struct FdState {
    kind: Option<FdKind>,
    /// Added to the epoll set (edge-triggered, read and write).
    registered: bool,
    /// `O_NONBLOCK` set (for accept and connect).
    nonblocking: bool,
    /// The last attempt found the fd not ready to read (`EAGAIN`, or a short
    /// read of a byte stream, which drained it); an event clears it. A new
    /// read then waits for the event instead of trying a system call that
    /// would say `EAGAIN`.
    read_blocked: bool,
    /// As `read_blocked`, for writes (a short write filled the buffer).
    write_blocked: bool,
    /// Whether a short read or write means drained or full: a stream
    /// socket or a pipe (not a datagram socket, nor a tty). Asked once.
    byte_stream: Option<bool>,
    /// An event said hang-up or error (the peer closed, the pipe's writer
    /// went): no edge will follow, and every operation completes at once
    /// (end of file, `EPIPE`), so none waits for readiness any more.
    hung_up: bool,
    readers: VecDeque<u64>,
    writers: VecDeque<u64>,
}

impl FdState {
    fn blocked(&mut self, interest: Interest) -> &mut bool {
        match interest {
            Interest::Read => &mut self.read_blocked,
            Interest::Write => &mut self.write_blocked,
        }
    }

    fn queue(&mut self, interest: Interest) -> &mut VecDeque<u64> {
        match interest {
            Interest::Read => &mut self.readers,
            Interest::Write => &mut self.writers,
        }
    }
}

/// Sets or clears `O_NONBLOCK` on `fd`; whether the kernel took it.
fn set_nonblocking(fd: RawFd, on: bool) -> bool {
    // SAFETY: flag changes on an fd an operation holds open; no pointers.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        let flags = if on {
            flags | libc::O_NONBLOCK
        } else {
            flags & !libc::O_NONBLOCK
        };
        flags >= 0 && libc::fcntl(fd, libc::F_SETFL, flags) == 0
    }
}

/// Whether `fd` was opened with `O_DIRECT`.
fn is_direct(fd: RawFd) -> bool {
    // SAFETY: a flag query on an fd an operation holds open; no pointers.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    flags >= 0 && flags & libc::O_DIRECT != 0
}

/// The per-fd states, indexed by fd number.
pub(super) struct Fds {
    states: Vec<FdState>,
    released: Inbox,
}

impl Fds {
    pub(super) fn new() -> Fds {
        let released = Inbox::default();
        INBOXES.with(|inboxes| inboxes.borrow_mut().push(released.clone()));
        Fds {
            states: Vec::new(),
            released,
        }
    }

    fn state(&mut self, fd: RawFd) -> &mut FdState {
        let index = fd.max(0) as usize;
        if index >= self.states.len() {
            self.states.resize_with(index + 1, FdState::default);
        }
        &mut self.states[index]
    }

    /// Forgets every fd released since the last call.
    pub(super) fn drain_released(&mut self) {
        if self.released.borrow().is_empty() {
            return;
        }
        let released = std::mem::take(&mut *self.released.borrow_mut());
        for fd in released {
            self.forget(fd);
        }
    }

    /// Forgets `fd` (closed, or closing). Operations cannot be waiting on it:
    /// each holds the fd open until it completes.
    pub(super) fn forget(&mut self, fd: RawFd) {
        if let Some(state) = self.states.get_mut(fd.max(0) as usize) {
            debug_assert!(state.readers.is_empty() && state.writers.is_empty());
            *state = FdState::default();
        }
    }

    /// How `fd`'s reads and writes are made (one `fstat` per fd, shared
    /// with [`is_byte_stream`](Self::is_byte_stream)).
    pub(super) fn kind(&mut self, fd: RawFd) -> FdKind {
        match self.state(fd).kind {
            Some(kind) => kind,
            None => self.classify(fd).0,
        }
    }

    /// Asks the kernel what `fd` is, once: its kind, and whether a short
    /// read or write means drained or full. (A failed `fstat` is not
    /// remembered: the next look asks again.)
    fn classify(&mut self, fd: RawFd) -> (FdKind, bool) {
        // SAFETY: a zeroed `stat` is valid; `fstat` fills it or fails.
        let mut stat: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: `stat` lives on this frame.
        if unsafe { libc::fstat(fd, &mut stat) } < 0 {
            return (FdKind::Stream, false);
        }
        let classes = match stat.st_mode & libc::S_IFMT {
            libc::S_IFREG | libc::S_IFBLK | libc::S_IFDIR if is_direct(fd) => {
                (FdKind::Direct, false)
            }
            libc::S_IFREG | libc::S_IFBLK | libc::S_IFDIR => (FdKind::File, false),
            libc::S_IFIFO => (FdKind::Stream, true),
            libc::S_IFSOCK => (
                FdKind::Stream,
                sockopt_int(fd, libc::SO_TYPE) == Some(libc::SOCK_STREAM),
            ),
            _ => (FdKind::Stream, false),
        };
        let state = self.state(fd);
        (state.kind, state.byte_stream) = (Some(classes.0), Some(classes.1));
        classes
    }

    /// Sets `O_NONBLOCK` on `fd` once (accept and connect have no
    /// per-call flag for it).
    pub(super) fn make_nonblocking(&mut self, fd: RawFd) {
        let state = self.state(fd);
        if !state.nonblocking {
            state.nonblocking = set_nonblocking(fd, true);
        }
    }

    /// Clears `O_NONBLOCK` on `fd` (a connect that must block on the
    /// pool); its later operations need no flag.
    pub(super) fn make_blocking(&mut self, fd: RawFd) {
        set_nonblocking(fd, false);
        self.state(fd).nonblocking = false;
    }

    /// Whether `fd` is in the epoll set; `registered` marks it so.
    pub(super) fn is_registered(&mut self, fd: RawFd) -> bool {
        self.state(fd).registered
    }

    pub(super) fn set_registered(&mut self, fd: RawFd) {
        self.state(fd).registered = true;
    }

    /// Whether an operation on `fd` for `interest` should wait for an event
    /// without trying first: the last attempt found it not ready and no
    /// event came since (only for fds in the epoll set: an event will come).
    pub(super) fn is_blocked(&mut self, fd: RawFd, interest: Interest) -> bool {
        match self.states.get_mut(fd.max(0) as usize) {
            Some(state) => state.registered && !state.hung_up && *state.blocked(interest),
            None => false,
        }
    }

    /// Records that an event said hang-up or error for `fd`.
    pub(super) fn set_hung_up(&mut self, fd: RawFd) {
        if let Some(state) = self.states.get_mut(fd.max(0) as usize) {
            state.hung_up = true;
        }
    }

    /// Records whether `fd` is known not ready for `interest`.
    pub(super) fn set_blocked(&mut self, fd: RawFd, interest: Interest, blocked: bool) {
        if let Some(state) = self.states.get_mut(fd.max(0) as usize) {
            *state.blocked(interest) = blocked;
        }
    }

    /// Whether a short read or write of `fd` means it is drained or full
    /// (asked once per fd, see [`classify`](Self::classify)).
    pub(super) fn is_byte_stream(&mut self, fd: RawFd) -> bool {
        match self.state(fd).byte_stream {
            Some(known) => known,
            None => self.classify(fd).1,
        }
    }

    /// Whether operations already wait on `fd` for `interest` (a new one
    /// queues behind them).
    pub(super) fn has_waiters(&mut self, fd: RawFd, interest: Interest) -> bool {
        match self.states.get_mut(fd.max(0) as usize) {
            Some(state) => !state.queue(interest).is_empty(),
            None => false,
        }
    }

    pub(super) fn push_waiter(&mut self, fd: RawFd, interest: Interest, user_data: u64) {
        self.state(fd).queue(interest).push_back(user_data);
    }

    /// The first operation waiting on `fd` for `interest`.
    pub(super) fn first_waiter(&mut self, fd: RawFd, interest: Interest) -> Option<u64> {
        self.states
            .get_mut(fd.max(0) as usize)?
            .queue(interest)
            .front()
            .copied()
    }

    /// Removes `user_data` from `fd`'s queue for `interest`.
    pub(super) fn remove_waiter(&mut self, fd: RawFd, interest: Interest, user_data: u64) {
        if let Some(state) = self.states.get_mut(fd.max(0) as usize) {
            let queue = state.queue(interest);
            if queue.front() == Some(&user_data) {
                queue.pop_front();
            } else if let Some(at) = queue.iter().position(|&u| u == user_data) {
                queue.remove(at);
            }
        }
    }
}

impl Drop for Fds {
    fn drop(&mut self) {
        let _ = INBOXES.try_with(|inboxes| {
            inboxes
                .borrow_mut()
                .retain(|inbox| !Rc::ptr_eq(inbox, &self.released));
        });
    }
}
