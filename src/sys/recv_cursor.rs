//! A non-blocking `recv(2)` straight into hyper's uninitialised read
//! cursor.

use std::io;
use std::os::fd::RawFd;

/// Receives into `cursor`'s unfilled part without blocking (`MSG_DONTWAIT`);
/// the bytes received (0: end of stream). `WouldBlock` when none wait.
pub(crate) fn recv_into(fd: RawFd, cursor: &mut ::hyper::rt::ReadBufCursor<'_>) -> io::Result<usize> {
    // SAFETY: the slice is only written to (by the kernel), never read
    // uninitialised.
    let unfilled = unsafe { cursor.as_mut() };
    // SAFETY: the pointer and length describe `unfilled`, writable memory
    // that outlives the call; `recv` writes at most that many bytes.
    let n = unsafe {
        libc::recv(
            fd,
            unfilled.as_mut_ptr().cast(),
            unfilled.len(),
            libc::MSG_DONTWAIT,
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let n = n as usize;
    // SAFETY: the kernel initialised the first `n` bytes of `unfilled`.
    unsafe { cursor.advance(n) };
    Ok(n)
}
