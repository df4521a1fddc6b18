//! `FromRawFd` for the public fd-owning types (an `unsafe fn` by trait
//! contract, so it cannot live in the `forbid(unsafe_code)` modules).

use crate::fs::File;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

impl FromRawFd for File {
    /// Takes ownership of `fd`.
    ///
    /// # Safety
    ///
    /// `fd` must be an open file descriptor that nothing else owns or closes.
    unsafe fn from_raw_fd(fd: RawFd) -> File {
        // SAFETY: the caller hands over sole ownership of an open fd.
        File::from(unsafe { OwnedFd::from_raw_fd(fd) })
    }
}
