//! `IORING_OP_SEND` / `IORING_OP_RECV` (`MSG_PEEK` too) for connected sockets, and
//! `IORING_OP_SHUTDOWN`.

use super::{unit_result, OpCode};
use crate::buf::{BufResult, IoBuf, IoBufMut};
use crate::driver::cqe::Cqe;
use crate::fd::SharedFd;
use io_uring::{opcode, squeue, types};
use std::io;

/// Sends `buf`'s initialized bytes with `send(2)` flags `FLAGS`; by default
/// `MSG_NOSIGNAL`, so a closed peer is an `EPIPE` error, never a SIGPIPE.
/// Requires Linux 5.6.
pub(crate) struct Send<B, const FLAGS: i32 = { libc::MSG_NOSIGNAL }> {
    fd: SharedFd,
    buf: B,
}

impl<B: IoBuf> Send<B> {
    pub(crate) fn new(fd: SharedFd, buf: B) -> Self {
        Send { fd, buf }
    }
}

/// A send that fails with `EAGAIN` rather than wait (`MSG_DONTWAIT`): the
/// kernel's own retry of a datagram send that waited for room can send an
/// empty datagram (see `net/datagram_io.rs`), so datagram sockets wait for
/// room themselves.
pub(crate) type SendNow<B> = Send<B, { libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT }>;

impl<B: IoBuf> SendNow<B> {
    pub(crate) fn now(fd: SharedFd, buf: B) -> Self {
        Send { fd, buf }
    }
}

// SAFETY: the entry points at `buf`'s stable heap pointer, valid for reads of
// `bytes_init()` bytes while `self` owns `buf`.
unsafe impl<B: IoBuf, const FLAGS: i32> OpCode for Send<B, FLAGS> {
    type Output = BufResult<usize, B>;

    fn sqe(&mut self) -> squeue::Entry {
        let len = u32::try_from(self.buf.bytes_init()).unwrap_or(u32::MAX);
        opcode::Send::new(types::Fd(self.fd.raw()), self.buf.stable_ptr(), len)
            .flags(FLAGS)
            .build()
    }

    fn complete(self, cqe: Cqe) -> BufResult<usize, B> {
        (cqe.result().map(|n| n as usize), self.buf)
    }
}

/// `IORING_RECVSEND_POLL_FIRST`, in a receive's `ioprio`.
const RECVSEND_POLL_FIRST: u16 = 1 << 0;

/// Receives into `buf` (from its start, up to its capacity), with `recv(2)`
/// flags `FLAGS` (a constant: the plain receive carries no flag field).
/// Requires Linux 5.6.
pub(crate) struct Recv<B, const FLAGS: i32 = 0> {
    fd: SharedFd,
    buf: B,
    /// The entry's `ioprio`: `IORING_RECVSEND_POLL_FIRST` or nothing.
    ioprio: u16,
}

impl<B: IoBufMut> Recv<B> {
    pub(crate) fn new(fd: SharedFd, buf: B) -> Self {
        Recv { fd, buf, ioprio: 0 }
    }

    /// A receive that waits for data before its first try
    /// (`IORING_RECVSEND_POLL_FIRST`, Linux 5.19): for a socket known to be
    /// drained, it saves a try that would find nothing. The epoll driver
    /// ignores the flag (its first try is a non-blocking `recv`).
    pub(crate) fn when_readable(fd: SharedFd, buf: B) -> Self {
        Recv {
            fd,
            buf,
            ioprio: RECVSEND_POLL_FIRST,
        }
    }
}

/// A receive that leaves the bytes queued (`MSG_PEEK`).
pub(crate) type Peek<B> = Recv<B, { libc::MSG_PEEK }>;

impl<B: IoBufMut> Peek<B> {
    pub(crate) fn peek(fd: SharedFd, buf: B) -> Self {
        Recv { fd, buf, ioprio: 0 }
    }
}

// SAFETY: the entry points at `buf`'s stable heap pointer, valid for writes
// of `bytes_total()` bytes while `self` owns `buf`.
unsafe impl<B: IoBufMut, const FLAGS: i32> OpCode for Recv<B, FLAGS> {
    type Output = BufResult<usize, B>;

    fn sqe(&mut self) -> squeue::Entry {
        let len = u32::try_from(self.buf.bytes_total()).unwrap_or(u32::MAX);
        opcode::Recv::new(types::Fd(self.fd.raw()), self.buf.stable_mut_ptr(), len)
            .flags(FLAGS)
            .ioprio(self.ioprio)
            .build()
    }

    fn complete(mut self, cqe: Cqe) -> BufResult<usize, B> {
        let res = cqe.result().map(|n| n as usize);
        if let Ok(n) = res {
            // SAFETY: the kernel wrote `n <= bytes_total()` bytes at the start.
            unsafe { self.buf.set_init(n) };
        }
        (res, self.buf)
    }
}

/// `shutdown(2)` of one or both directions. Requires Linux 5.11.
pub(crate) struct Shutdown {
    fd: SharedFd,
    how: i32,
}

impl Shutdown {
    pub(crate) fn new(fd: SharedFd, how: std::net::Shutdown) -> Shutdown {
        let how = match how {
            std::net::Shutdown::Read => libc::SHUT_RD,
            std::net::Shutdown::Write => libc::SHUT_WR,
            std::net::Shutdown::Both => libc::SHUT_RDWR,
        };
        Shutdown { fd, how }
    }
}

// SAFETY: the entry carries no pointers.
unsafe impl OpCode for Shutdown {
    type Output = io::Result<()>;

    fn sqe(&mut self) -> squeue::Entry {
        opcode::Shutdown::new(types::Fd(self.fd.raw()), self.how).build()
    }

    fn complete(self, cqe: Cqe) -> io::Result<()> {
        unit_result(cqe)
    }
}
