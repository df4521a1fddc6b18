//! [`SharedFd`]: a file descriptor that in-flight operations keep open.
#![forbid(unsafe_code)]
// Used by the file and socket types (issues 3 and 4) and by the driver tests.
#![cfg_attr(not(test), allow(dead_code))]

use std::os::fd::{AsRawFd, OwnedFd, RawFd};
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
}
