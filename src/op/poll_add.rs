//! `IORING_OP_POLL_ADD`: wait until an fd is ready (one shot).

use super::OpCode;
use crate::driver::cqe::Cqe;
use crate::fd::SharedFd;
use io_uring::{opcode, squeue, types};
use std::io;

/// Completes with the ready events once `fd` has any of `events`.
pub(crate) struct PollAdd {
    /// Held so the fd cannot be closed and reused while the poll waits.
    fd: SharedFd,
    events: u32,
}

impl PollAdd {
    pub(crate) fn new(fd: SharedFd, events: u32) -> PollAdd {
        PollAdd { fd, events }
    }
}

// SAFETY: a poll entry carries no pointers.
unsafe impl OpCode for PollAdd {
    type Output = io::Result<u32>;

    fn sqe(&mut self) -> squeue::Entry {
        opcode::PollAdd::new(types::Fd(self.fd.raw()), self.events).build()
    }

    fn complete(self, cqe: Cqe) -> io::Result<u32> {
        cqe.result()
    }
}
