//! `IORING_OP_POLL_ADD`: wait, one shot, until an fd is ready.

use super::OpCode;
use crate::driver::cqe::Cqe;
use crate::fd::SharedFd;
use io_uring::{opcode, squeue, types};
use std::io;

/// Waits until `fd` reports one of `events` (`POLLIN`, `POLLOUT`, ...;
/// `POLLHUP` and `POLLERR` always count); resolves to the events that were
/// ready. Requires Linux 5.1.
pub(crate) struct PollAdd {
    /// Held so the fd cannot be closed and reused while the poll is armed.
    fd: SharedFd,
    events: u32,
}

impl PollAdd {
    pub(crate) fn new(fd: SharedFd, events: libc::c_short) -> PollAdd {
        PollAdd {
            fd,
            events: events as u16 as u32,
        }
    }
}

// SAFETY: a poll entry carries no pointers, only the fd (kept open by `fd`).
unsafe impl OpCode for PollAdd {
    type Output = io::Result<u32>;

    fn sqe(&mut self) -> squeue::Entry {
        opcode::PollAdd::new(types::Fd(self.fd.raw()), self.events).build()
    }

    fn complete(self, cqe: Cqe) -> io::Result<u32> {
        cqe.result()
    }
}
