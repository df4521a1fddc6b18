//! `IORING_OP_WRITE`: write from an owned buffer.

use super::OpCode;
use crate::buf::{BufResult, IoBuf};
use crate::driver::cqe::Cqe;
use crate::fd::SharedFd;
use io_uring::{opcode, squeue, types};

/// Writes `buf`'s initialized bytes at offset `pos` (`u64::MAX`: the file
/// position, or the end for `O_APPEND`). Requires Linux 5.6.
pub(crate) struct WriteAt<B> {
    /// Held so the fd cannot be closed and reused while the write is in flight.
    fd: SharedFd,
    buf: B,
    pos: u64,
}

impl<B: IoBuf> WriteAt<B> {
    pub(crate) fn new(fd: SharedFd, buf: B, pos: u64) -> Self {
        WriteAt { fd, buf, pos }
    }
}

// SAFETY: the entry points at `buf`'s stable heap pointer, valid for reads of
// `bytes_init()` bytes while `self` owns `buf` (IoBuf contract).
unsafe impl<B: IoBuf> OpCode for WriteAt<B> {
    type Output = BufResult<usize, B>;

    fn sqe(&mut self) -> squeue::Entry {
        let len = u32::try_from(self.buf.bytes_init()).unwrap_or(u32::MAX);
        opcode::Write::new(types::Fd(self.fd.raw()), self.buf.stable_ptr(), len)
            .offset(self.pos)
            .build()
    }

    fn complete(self, cqe: Cqe) -> BufResult<usize, B> {
        (cqe.result().map(|n| n as usize), self.buf)
    }
}
