//! `IORING_OP_FTRUNCATE` and `IORING_OP_FALLOCATE`: file size and space.

use super::{unit_result, OpCode};
use crate::driver::cqe::Cqe;
use crate::fd::SharedFd;
use io_uring::{opcode, squeue, types};
use std::io;

/// Sets the file's length. Requires Linux 6.9 (older kernels answer
/// `EINVAL`, and the caller falls back to `ftruncate(2)`).
pub(crate) struct Ftruncate {
    fd: SharedFd,
    len: u64,
}

impl Ftruncate {
    pub(crate) fn new(fd: SharedFd, len: u64) -> Ftruncate {
        Ftruncate { fd, len }
    }
}

// SAFETY: the entry carries no pointers.
unsafe impl OpCode for Ftruncate {
    type Output = io::Result<()>;

    fn sqe(&mut self) -> squeue::Entry {
        opcode::Ftruncate::new(types::Fd(self.fd.raw()), self.len).build()
    }

    fn complete(self, cqe: Cqe) -> io::Result<()> {
        unit_result(cqe)
    }
}

/// `fallocate(fd, mode, offset, len)`. Requires Linux 5.6.
pub(crate) struct Fallocate {
    fd: SharedFd,
    mode: i32,
    offset: u64,
    len: u64,
}

impl Fallocate {
    pub(crate) fn new(fd: SharedFd, mode: i32, offset: u64, len: u64) -> Fallocate {
        Fallocate {
            fd,
            mode,
            offset,
            len,
        }
    }
}

// SAFETY: the entry carries no pointers.
unsafe impl OpCode for Fallocate {
    type Output = io::Result<()>;

    fn sqe(&mut self) -> squeue::Entry {
        opcode::Fallocate::new(types::Fd(self.fd.raw()), self.len)
            .offset(self.offset)
            .mode(self.mode)
            .build()
    }

    fn complete(self, cqe: Cqe) -> io::Result<()> {
        unit_result(cqe)
    }
}
