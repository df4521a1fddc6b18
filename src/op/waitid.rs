//! `IORING_OP_WAITID`: wait for a child process to exit, on the ring.

use super::{unit_result, OpCode};
use crate::driver::cqe::Cqe;
use io_uring::{opcode, squeue};
use std::io;

/// Waits until child `pid` has exited (`waitid(P_PID, pid, WEXITED |
/// WNOWAIT)`): the child is left a zombie, to be reaped by whoever owns it.
/// Requires Linux 6.7 (probe for it).
pub(crate) struct WaitExit {
    pid: libc::id_t,
    /// What the kernel writes about the child; boxed so it does not move.
    info: Box<libc::siginfo_t>,
}

impl WaitExit {
    pub(crate) fn new(pid: u32) -> WaitExit {
        WaitExit {
            pid,
            // SAFETY: `siginfo_t` is plain old data; all zeroes is valid.
            info: Box::new(unsafe { std::mem::zeroed() }),
        }
    }
}

// SAFETY: the only pointer is `info`, a heap block owned by `self` that does
// not move when `self` moves and lives until `self` is dropped.
unsafe impl OpCode for WaitExit {
    type Output = io::Result<()>;

    fn sqe(&mut self) -> squeue::Entry {
        opcode::WaitId::new(libc::P_PID, self.pid, libc::WEXITED | libc::WNOWAIT)
            .infop(&mut *self.info as *mut libc::siginfo_t as *const _)
            .build()
    }

    fn complete(self, cqe: Cqe) -> io::Result<()> {
        unit_result(cqe)
    }
}
