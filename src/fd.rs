//! [`SharedFd`]: a file descriptor that in-flight operations keep open.
#![forbid(unsafe_code)]

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::rc::Rc;

/// An fd shared by its owner and every operation in flight on it. It closes
/// (synchronously, through `OwnedFd`) when the last holder drops, so an fd
/// number is never reused while the kernel still works on the old file.
#[derive(Debug, Clone)]
pub(crate) struct SharedFd(Rc<OwnedFd>);

impl SharedFd {
    pub(crate) fn new(fd: OwnedFd) -> SharedFd {
        SharedFd(Rc::new(fd))
    }

    pub(crate) fn raw(&self) -> RawFd {
        self.0.as_raw_fd()
    }

    /// The fd itself, if nobody else (no operation in flight) holds it.
    pub(crate) fn try_unwrap(self) -> Result<OwnedFd, SharedFd> {
        Rc::try_unwrap(self.0).map_err(SharedFd)
    }

    /// A duplicate (`dup`) of the fd, owned by the caller.
    pub(crate) fn try_clone_owned(&self) -> io::Result<OwnedFd> {
        self.0.try_clone()
    }
}

impl AsFd for SharedFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}
