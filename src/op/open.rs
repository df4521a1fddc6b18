//! `IORING_OP_OPENAT`: open a path; the result is a new fd.

use super::OpCode;
use crate::driver::cqe::Cqe;
use io_uring::{opcode, squeue, types};
use std::ffi::CString;
use std::io;
use std::os::fd::{FromRawFd, OwnedFd};

/// Opens `path` relative to the working directory. Requires Linux 5.6.
pub(crate) struct OpenAt {
    /// Heap-allocated: the kernel reads it after the push.
    path: CString,
    flags: i32,
    mode: u32,
}

impl OpenAt {
    pub(crate) fn new(path: CString, flags: i32, mode: u32) -> OpenAt {
        OpenAt { path, flags, mode }
    }
}

// SAFETY: the only pointer is the CString's heap buffer, owned by `self`.
unsafe impl OpCode for OpenAt {
    type Output = io::Result<OwnedFd>;

    /// A cancelled open that still succeeded leaves an fd nobody receives:
    /// the driver closes it.
    const RETURNS_FD: bool = true;

    fn sqe(&mut self) -> squeue::Entry {
        opcode::OpenAt::new(types::Fd(libc::AT_FDCWD), self.path.as_ptr())
            .flags(self.flags | libc::O_CLOEXEC)
            .mode(self.mode)
            .build()
    }

    fn complete(self, cqe: Cqe) -> io::Result<OwnedFd> {
        let fd = cqe.result()?;
        // SAFETY: the kernel just created this fd for this operation.
        Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
    }
}
