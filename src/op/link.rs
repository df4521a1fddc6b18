//! Link operations: `LINKAT` (hard links), `SYMLINKAT` (symbolic links).

use super::{unit_result, OpCode};
use crate::driver::cqe::Cqe;
use io_uring::{opcode, squeue, types};
use std::ffi::CString;
use std::io;

/// Makes `link` a new name for the file `original` names; a symbolic link
/// named by `original` is linked itself, not followed (`linkat(2)` without
/// `AT_SYMLINK_FOLLOW`, as `std::fs::hard_link`). Requires Linux 5.15.
pub(crate) struct LinkAt {
    original: CString,
    link: CString,
}

impl LinkAt {
    pub(crate) fn new(original: CString, link: CString) -> LinkAt {
        LinkAt { original, link }
    }
}

// SAFETY: both pointers are CString heap buffers owned by `self`.
unsafe impl OpCode for LinkAt {
    type Output = io::Result<()>;

    fn sqe(&mut self) -> squeue::Entry {
        let cwd = types::Fd(libc::AT_FDCWD);
        opcode::LinkAt::new(cwd, self.original.as_ptr(), cwd, self.link.as_ptr()).build()
    }

    fn complete(self, cqe: Cqe) -> io::Result<()> {
        unit_result(cqe)
    }
}

/// Creates the symbolic link `link` whose contents are `target` (stored as
/// given, not resolved). Requires Linux 5.15.
pub(crate) struct SymlinkAt {
    target: CString,
    link: CString,
}

impl SymlinkAt {
    pub(crate) fn new(target: CString, link: CString) -> SymlinkAt {
        SymlinkAt { target, link }
    }
}

// SAFETY: both pointers are CString heap buffers owned by `self`.
unsafe impl OpCode for SymlinkAt {
    type Output = io::Result<()>;

    fn sqe(&mut self) -> squeue::Entry {
        let cwd = types::Fd(libc::AT_FDCWD);
        opcode::SymlinkAt::new(cwd, self.target.as_ptr(), self.link.as_ptr()).build()
    }

    fn complete(self, cqe: Cqe) -> io::Result<()> {
        unit_result(cqe)
    }
}
