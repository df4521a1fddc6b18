//! `IORING_OP_SPLICE`: move bytes between two fds through a pipe, inside
//! the kernel; and the pipe [`send_file`](crate::net::TcpStream::send_file)
//! splices through.

use super::OpCode;
use crate::driver::cqe::Cqe;
use crate::fd::SharedFd;
use io_uring::{opcode, squeue, types};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

/// `splice(2)`'s offset meaning "the fd's own position" (and the only one a
/// pipe takes).
pub(crate) const NO_OFFSET: i64 = -1;

/// Moves up to `len` bytes from `from` (at `from_off`, or [`NO_OFFSET`])
/// to `to` (likewise), one of them a pipe; resolves to the count moved.
/// Requires Linux 5.7.
pub(crate) struct Splice {
    /// Both held so neither fd can be closed and reused while the kernel
    /// may still look it up (a splice resolves its source when it runs).
    from: SharedFd,
    to: SharedFd,
    from_off: i64,
    to_off: i64,
    len: u32,
    /// `SPLICE_F_*` flags.
    flags: u32,
    /// Whether the next entry pushed runs only after this one moved all
    /// `len` bytes (`IOSQE_IO_LINK`; a short or failed splice fails the
    /// next with `ECANCELED`).
    link: bool,
}

impl Splice {
    /// A splice of at most `len` bytes (more than `u32::MAX` asks for
    /// `u32::MAX`).
    pub(crate) fn new(
        from: (SharedFd, i64),
        to: (SharedFd, i64),
        len: usize,
        flags: u32,
    ) -> Splice {
        Splice {
            from: from.0,
            from_off: from.1,
            to: to.0,
            to_off: to.1,
            len: u32::try_from(len).unwrap_or(u32::MAX),
            flags,
            link: false,
        }
    }

    /// This splice with `IOSQE_IO_LINK`: the entry pushed right after it
    /// starts only once this one has moved all its bytes.
    pub(crate) fn linked(self) -> Splice {
        Splice { link: true, ..self }
    }
}

// SAFETY: the entry carries no pointers, only two fds (kept open by `from`
// and `to`) and integers.
unsafe impl OpCode for Splice {
    type Output = io::Result<usize>;

    fn sqe(&mut self) -> squeue::Entry {
        let entry = opcode::Splice::new(
            types::Fd(self.from.raw()),
            self.from_off,
            types::Fd(self.to.raw()),
            self.to_off,
            self.len,
        )
        .flags(self.flags)
        .build();
        if self.link {
            entry.flags(squeue::Flags::IO_LINK)
        } else {
            entry
        }
    }

    fn complete(self, cqe: Cqe) -> io::Result<usize> {
        cqe.result().map(|n| n as usize)
    }
}

/// Asks the kernel to make the pipe behind `fd` hold `size` bytes
/// (`F_SETPIPE_SZ`; refused past `/proc/sys/fs/pipe-max-size` or the user's
/// pipe quota) and returns what it holds now (`F_GETPIPE_SZ`), whether the
/// resize was granted or not.
pub(crate) fn resize_pipe(fd: BorrowedFd<'_>, size: usize) -> io::Result<usize> {
    let fd = fd.as_raw_fd();
    let size = libc::c_int::try_from(size).unwrap_or(libc::c_int::MAX);
    // SAFETY: fcntl on a borrowed, open fd with an integer argument; a
    // refusal changes nothing and is read back below.
    let _ = syscall!(fcntl(fd, libc::F_SETPIPE_SZ, size));
    // SAFETY: as above, no argument.
    let held = syscall!(fcntl(fd, libc::F_GETPIPE_SZ))?;
    Ok(held as usize)
}
