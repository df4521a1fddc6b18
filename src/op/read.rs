//! `IORING_OP_READ`: read into an owned buffer.

// Used by the file and socket types (issues 3 and 4) and by the driver tests.
#![cfg_attr(not(test), allow(dead_code))]

use super::OpCode;
use crate::buf::{BufResult, IoBufMut};
use crate::driver::cqe::Cqe;
use crate::fd::SharedFd;
use io_uring::{opcode, squeue, types};

/// Reads into `buf` from offset `pos` (`u64::MAX`: the file position, as for
/// pipes and sockets). Requires Linux 5.6.
pub(crate) struct ReadAt<B> {
    /// Held so the fd cannot be closed and reused while the read is in flight.
    fd: SharedFd,
    buf: B,
    pos: u64,
}

impl<B: IoBufMut> ReadAt<B> {
    pub(crate) fn new(fd: SharedFd, buf: B, pos: u64) -> Self {
        ReadAt { fd, buf, pos }
    }
}

// SAFETY: the entry points at `buf`'s stable heap pointer, valid for
// `bytes_total()` bytes while `self` owns `buf` (IoBufMut contract).
unsafe impl<B: IoBufMut> OpCode for ReadAt<B> {
    type Output = BufResult<usize, B>;

    fn sqe(&mut self) -> squeue::Entry {
        let len = u32::try_from(self.buf.bytes_total()).unwrap_or(u32::MAX);
        opcode::Read::new(types::Fd(self.fd.raw()), self.buf.stable_mut_ptr(), len)
            .offset(self.pos)
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
