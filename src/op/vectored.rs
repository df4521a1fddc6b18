//! `IORING_OP_READV` / `IORING_OP_WRITEV`: one operation over many owned
//! buffers; the boxed iovec array lives as long as the operation.

use super::OpCode;
use crate::buf::{BufResult, IoBuf, IoBufMut};
use crate::driver::cqe::Cqe;
use crate::fd::SharedFd;
use io_uring::{opcode, squeue, types};

/// Reads into `bufs` in order (each from its start up to its capacity) at
/// `pos`. Requires Linux 5.1.
pub(crate) struct ReadvAt<B> {
    fd: SharedFd,
    bufs: Vec<B>,
    /// Points into `bufs`' heap blocks; boxed so it does not move.
    iovecs: Box<[libc::iovec]>,
    pos: u64,
}

impl<B: IoBufMut> ReadvAt<B> {
    pub(crate) fn new(fd: SharedFd, mut bufs: Vec<B>, pos: u64) -> Self {
        let iovecs = iovecs_to_fill(&mut bufs);
        ReadvAt {
            fd,
            bufs,
            iovecs,
            pos,
        }
    }
}

// SAFETY: the iovec array is boxed and owned by `self`; each iovec points at
// a buffer in `bufs` (stable heap pointers, IoBufMut contract), also owned by
// `self` and never resized while the operation is in flight.
unsafe impl<B: IoBufMut> OpCode for ReadvAt<B> {
    type Output = BufResult<usize, Vec<B>>;

    fn sqe(&mut self) -> squeue::Entry {
        let len = u32::try_from(self.iovecs.len()).unwrap_or(u32::MAX);
        opcode::Readv::new(types::Fd(self.fd.raw()), self.iovecs.as_ptr(), len)
            .offset(self.pos)
            .build()
    }

    fn complete(mut self, cqe: Cqe) -> BufResult<usize, Vec<B>> {
        let res = cqe.result().map(|n| n as usize);
        if let Ok(n) = res {
            // SAFETY: the kernel filled `n` bytes through `iovecs_to_fill`'s
            // iovecs, in order.
            unsafe { filled_in_order(&mut self.bufs, n) };
        }
        (res, self.bufs)
    }
}

/// Writes the initialized bytes of `bufs`, in order, at `pos`.
/// Requires Linux 5.1.
pub(crate) struct WritevAt<B> {
    fd: SharedFd,
    bufs: Vec<B>,
    /// Points into `bufs`' heap blocks; boxed so it does not move.
    iovecs: Box<[libc::iovec]>,
    pos: u64,
}

impl<B: IoBuf> WritevAt<B> {
    pub(crate) fn new(fd: SharedFd, bufs: Vec<B>, pos: u64) -> Self {
        let iovecs = iovecs_to_send(&bufs);
        WritevAt {
            fd,
            bufs,
            iovecs,
            pos,
        }
    }
}

// SAFETY: as for `ReadvAt`; the kernel only reads through these iovecs.
unsafe impl<B: IoBuf> OpCode for WritevAt<B> {
    type Output = BufResult<usize, Vec<B>>;

    fn sqe(&mut self) -> squeue::Entry {
        let len = u32::try_from(self.iovecs.len()).unwrap_or(u32::MAX);
        opcode::Writev::new(types::Fd(self.fd.raw()), self.iovecs.as_ptr(), len)
            .offset(self.pos)
            .build()
    }

    fn complete(self, cqe: Cqe) -> BufResult<usize, Vec<B>> {
        (cqe.result().map(|n| n as usize), self.bufs)
    }
}

/// One iovec per buffer, covering its whole capacity (for reads).
pub(crate) fn iovecs_to_fill<B: IoBufMut>(bufs: &mut [B]) -> Box<[libc::iovec]> {
    bufs.iter_mut()
        .map(|buf| libc::iovec {
            iov_base: buf.stable_mut_ptr().cast(),
            iov_len: buf.bytes_total(),
        })
        .collect()
}

/// One iovec per buffer, covering its initialized bytes (for writes).
pub(crate) fn iovecs_to_send<B: IoBuf>(bufs: &[B]) -> Box<[libc::iovec]> {
    bufs.iter()
        .map(|buf| libc::iovec {
            iov_base: buf.stable_ptr().cast_mut().cast(),
            iov_len: buf.bytes_init(),
        })
        .collect()
}

/// Marks the first `n` bytes across `bufs` initialized, filling each buffer
/// before the next.
///
/// # Safety
///
/// The kernel must have written `n` bytes through [`iovecs_to_fill`]'s
/// iovecs for these buffers.
pub(crate) unsafe fn filled_in_order<B: IoBufMut>(bufs: &mut [B], n: usize) {
    let mut left = n;
    for buf in bufs {
        let here = left.min(buf.bytes_total());
        // SAFETY: the caller's contract: this buffer got its first `here`
        // bytes.
        unsafe { buf.set_init(here) };
        left -= here;
    }
}
