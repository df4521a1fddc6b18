//! `IORING_OP_STATX`: file metadata by fd or by path.

use super::OpCode;
use crate::driver::cqe::Cqe;
use crate::fd::SharedFd;
use io_uring::{opcode, squeue, types};
use std::ffi::CString;
use std::io;

/// `statx` of an open fd (empty path, `AT_EMPTY_PATH`) or of a path, which
/// is followed if it names a symbolic link unless made by
/// [`of_link`](Statx::of_link). Requires Linux 5.6.
pub(crate) struct Statx {
    /// Keeps the fd open while the kernel reads it; `None` for a path.
    fd: Option<SharedFd>,
    /// Heap-allocated: the kernel reads it after the push.
    path: CString,
    /// `AT_*` flags: `AT_EMPTY_PATH` for an fd, `AT_SYMLINK_NOFOLLOW` for a
    /// link's own metadata.
    flags: i32,
    /// Boxed: the kernel writes it after the push.
    buf: Box<libc::statx>,
}

impl Statx {
    pub(crate) fn of_fd(fd: SharedFd) -> Statx {
        Statx {
            fd: Some(fd),
            path: CString::default(),
            flags: libc::AT_EMPTY_PATH,
            // SAFETY: statx is plain data; all-zero is a valid value.
            buf: Box::new(unsafe { std::mem::zeroed() }),
        }
    }

    pub(crate) fn of_path(path: CString) -> Statx {
        Statx::at_path(path, 0)
    }

    /// `statx` of `path` itself when it is a symbolic link (not its target).
    pub(crate) fn of_link(path: CString) -> Statx {
        Statx::at_path(path, libc::AT_SYMLINK_NOFOLLOW)
    }

    fn at_path(path: CString, flags: i32) -> Statx {
        Statx {
            fd: None,
            path,
            flags,
            // SAFETY: as above.
            buf: Box::new(unsafe { std::mem::zeroed() }),
        }
    }
}

// SAFETY: the entry points at the CString's and the box's heap memory, both
// owned by `self`.
unsafe impl OpCode for Statx {
    type Output = io::Result<libc::statx>;

    fn sqe(&mut self) -> squeue::Entry {
        let dirfd = match &self.fd {
            Some(fd) => fd.raw(),
            None => libc::AT_FDCWD,
        };
        let buf: *mut libc::statx = &mut *self.buf;
        opcode::Statx::new(types::Fd(dirfd), self.path.as_ptr(), buf.cast())
            .flags(self.flags)
            .mask(libc::STATX_BASIC_STATS | libc::STATX_BTIME)
            .build()
    }

    fn complete(self, cqe: Cqe) -> io::Result<libc::statx> {
        cqe.result()?;
        Ok(*self.buf)
    }
}
