//! `IORING_OP_FSYNC`: flush a file's data (and metadata) to the device.

use super::{unit_result, OpCode};
use crate::driver::cqe::Cqe;
use crate::fd::SharedFd;
use io_uring::types::FsyncFlags;
use io_uring::{opcode, squeue, types};
use std::io;

/// `fsync`, or `fdatasync` with `data_only`. Requires Linux 5.1.
pub(crate) struct Fsync {
    fd: SharedFd,
    data_only: bool,
}

impl Fsync {
    pub(crate) fn new(fd: SharedFd, data_only: bool) -> Fsync {
        Fsync { fd, data_only }
    }
}

// SAFETY: an fsync entry carries no pointers.
unsafe impl OpCode for Fsync {
    type Output = io::Result<()>;

    fn sqe(&mut self) -> squeue::Entry {
        let flags = if self.data_only {
            FsyncFlags::DATASYNC
        } else {
            FsyncFlags::empty()
        };
        opcode::Fsync::new(types::Fd(self.fd.raw()))
            .flags(flags)
            .build()
    }

    fn complete(self, cqe: Cqe) -> io::Result<()> {
        unit_result(cqe)
    }
}
