//! `IORING_OP_CLOSE`: close an fd through the ring.

use super::{unit_result, OpCode};
use crate::driver::cqe::Cqe;
use io_uring::{opcode, squeue, types};
use std::io;
use std::os::fd::{IntoRawFd, OwnedFd, RawFd};

/// Closes an fd it owns. Requires Linux 5.6.
pub(crate) struct Close {
    fd: RawFd,
}

impl Close {
    /// Takes ownership of `fd`: from here on only the ring closes it.
    pub(crate) fn new(fd: OwnedFd) -> Close {
        Close {
            fd: fd.into_raw_fd(),
        }
    }
}

// SAFETY: a close entry carries no pointers. If the future is dropped, the
// table keeps `self` until the CQE; the close itself cannot be cancelled
// once issued, so the fd is closed exactly once either way.
unsafe impl OpCode for Close {
    type Output = io::Result<()>;

    /// A withdrawn close would leave the fd open with nobody to close it:
    /// a dropped close still goes to the kernel.
    const WITHDRAWABLE: bool = false;

    fn sqe(&mut self) -> squeue::Entry {
        opcode::Close::new(types::Fd(self.fd)).build()
    }

    fn complete(self, cqe: Cqe) -> io::Result<()> {
        unit_result(cqe)
    }
}
