//! Path operations: `UNLINKAT`, `RENAMEAT`, `MKDIRAT`.

use super::{unit_result, OpCode};
use crate::driver::cqe::Cqe;
use io_uring::{opcode, squeue, types};
use std::ffi::CString;
use std::io;

/// Removes a file, or an empty directory with `dir`. Requires Linux 5.11.
pub(crate) struct UnlinkAt {
    path: CString,
    dir: bool,
}

impl UnlinkAt {
    pub(crate) fn new(path: CString, dir: bool) -> UnlinkAt {
        UnlinkAt { path, dir }
    }
}

// SAFETY: the only pointer is the CString's heap buffer, owned by `self`.
unsafe impl OpCode for UnlinkAt {
    type Output = io::Result<()>;

    fn sqe(&mut self) -> squeue::Entry {
        let flags = if self.dir { libc::AT_REMOVEDIR } else { 0 };
        opcode::UnlinkAt::new(types::Fd(libc::AT_FDCWD), self.path.as_ptr())
            .flags(flags)
            .build()
    }

    fn complete(self, cqe: Cqe) -> io::Result<()> {
        unit_result(cqe)
    }
}

/// Renames `from` to `to`, replacing `to`. Requires Linux 5.11.
pub(crate) struct RenameAt {
    from: CString,
    to: CString,
}

impl RenameAt {
    pub(crate) fn new(from: CString, to: CString) -> RenameAt {
        RenameAt { from, to }
    }
}

// SAFETY: both pointers are CString heap buffers owned by `self`.
unsafe impl OpCode for RenameAt {
    type Output = io::Result<()>;

    fn sqe(&mut self) -> squeue::Entry {
        let cwd = types::Fd(libc::AT_FDCWD);
        opcode::RenameAt::new(cwd, self.from.as_ptr(), cwd, self.to.as_ptr()).build()
    }

    fn complete(self, cqe: Cqe) -> io::Result<()> {
        unit_result(cqe)
    }
}

/// Creates a directory (mode 0o777 before the umask). Requires Linux 5.15.
pub(crate) struct MkdirAt {
    path: CString,
}

impl MkdirAt {
    pub(crate) fn new(path: CString) -> MkdirAt {
        MkdirAt { path }
    }
}

// SAFETY: the only pointer is the CString's heap buffer, owned by `self`.
unsafe impl OpCode for MkdirAt {
    type Output = io::Result<()>;

    fn sqe(&mut self) -> squeue::Entry {
        opcode::MkDirAt::new(types::Fd(libc::AT_FDCWD), self.path.as_ptr())
            .mode(0o777)
            .build()
    }

    fn complete(self, cqe: Cqe) -> io::Result<()> {
        unit_result(cqe)
    }
}
