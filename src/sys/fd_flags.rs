//! File status and descriptor flags (`fcntl(2)`), pipes (`pipe2(2)`), and
//! the standard streams as descriptors that are never closed.

use crate::fd::SharedFd;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

/// Sets or clears `O_NONBLOCK` on the open file description behind `fd`.
pub(crate) fn set_nonblocking(fd: BorrowedFd<'_>, nonblocking: bool) -> io::Result<()> {
    let fd = fd.as_raw_fd();
    // SAFETY (both calls): fcntl on a borrowed, open fd; no memory passed.
    let flags = syscall!(fcntl(fd, libc::F_GETFL))?;
    let wanted = if nonblocking {
        flags | libc::O_NONBLOCK
    } else {
        flags & !libc::O_NONBLOCK
    };
    if wanted != flags {
        syscall!(fcntl(fd, libc::F_SETFL, wanted))?;
    }
    Ok(())
}

/// Sets `FD_CLOEXEC` on `fd` (the descriptor, not the file description).
/// Whether `fd` is a regular file (`fstat(2)`).
pub(crate) fn is_regular_file(fd: BorrowedFd<'_>) -> io::Result<bool> {
    let mut stat = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `fstat` writes a whole `stat` into the buffer it is given, or
    // fails and writes nothing that is read.
    if unsafe { libc::fstat(fd.as_raw_fd(), stat.as_mut_ptr()) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fstat` succeeded, so the struct is initialized.
    let stat = unsafe { stat.assume_init() };
    Ok(stat.st_mode & libc::S_IFMT == libc::S_IFREG)
}

pub(crate) fn set_cloexec(fd: BorrowedFd<'_>) -> io::Result<()> {
    let fd = fd.as_raw_fd();
    // SAFETY (both calls): fcntl on a borrowed, open fd; no memory passed.
    let flags = syscall!(fcntl(fd, libc::F_GETFD))?;
    if flags & libc::FD_CLOEXEC == 0 {
        syscall!(fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC))?;
    }
    Ok(())
}

/// A new pipe, both ends close-on-exec and non-blocking: `(read, write)`.
pub(crate) fn nonblocking_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` is a live array of the two ints pipe2 writes.
    syscall!(pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK))?;
    // SAFETY: pipe2 just created both descriptors and nothing else owns them.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Standard stream `fd` (0, 1 or 2) as a [`SharedFd`] that never closes
/// it.
pub(crate) fn standard_stream(fd: RawFd) -> SharedFd {
    assert!((0..=2).contains(&fd), "not a standard stream: {fd}");
    // SAFETY: a standard stream is open for the life of the process (std's
    // `Stdin`/`Stdout`/`Stderr` borrow the same numbers the same way), and
    // the handle never closes it: operations only read and write through it.
    SharedFd::process_wide(unsafe { BorrowedFd::borrow_raw(fd) })
}
