//! `eventfd(2)`: the wake-up counter a remote thread bumps to interrupt a parked ring.

use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

/// Creates a non-blocking, close-on-exec eventfd.
pub(crate) fn create() -> io::Result<OwnedFd> {
    let fd = syscall!(eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK))?;
    // SAFETY: `eventfd` just returned this descriptor and nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Adds one to the counter, making a pending read on it complete.
///
/// Errors are ignored on purpose: the only possible one, `EAGAIN`, means the
/// counter is already non-zero, so the reader is woken anyway.
pub(crate) fn notify(fd: RawFd) {
    let one: u64 = 1;
    // SAFETY: `one` lives on this stack frame for the duration of the call and
    // the length passed is exactly its size.
    let _ = unsafe { libc::write(fd, (&one as *const u64).cast(), 8) };
}
