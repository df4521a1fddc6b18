//! [`SharedFd`]: a file descriptor that in-flight operations keep open.
#![forbid(unsafe_code)]

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::rc::Rc;

/// An fd shared by its owner and every operation in flight on it. It closes
/// (synchronously, through `OwnedFd`) when the last holder drops, so an fd
/// number is never reused while the kernel still works on the old file.
/// A standard stream's handle borrows fd 0, 1 or 2 instead, and never
/// closes it.
#[derive(Debug, Clone)]
pub(crate) struct SharedFd(Rc<Fd>);

#[derive(Debug)]
enum Fd {
    /// `None` only once taken by [`SharedFd::try_unwrap`].
    Owned(Option<OwnedFd>),
    /// A descriptor that lives as long as the process (a standard stream).
    Process(BorrowedFd<'static>),
}

impl SharedFd {
    pub(crate) fn new(fd: OwnedFd) -> SharedFd {
        SharedFd(Rc::new(Fd::Owned(Some(fd))))
    }

    /// A handle to a descriptor the process keeps open for its whole life;
    /// dropping every handle leaves it open.
    pub(crate) fn process_wide(fd: BorrowedFd<'static>) -> SharedFd {
        SharedFd(Rc::new(Fd::Process(fd)))
    }

    #[inline]
    pub(crate) fn raw(&self) -> RawFd {
        match &*self.0 {
            Fd::Owned(fd) => fd.as_ref().map_or(-1, AsRawFd::as_raw_fd),
            Fd::Process(fd) => fd.as_raw_fd(),
        }
    }

    /// The fd itself, if nobody else (no operation in flight) holds it and
    /// it is not a process-wide descriptor.
    pub(crate) fn try_unwrap(self) -> Result<OwnedFd, SharedFd> {
        match Rc::try_unwrap(self.0) {
            Ok(mut fd) => match &mut fd {
                Fd::Owned(owned) => {
                    let owned = owned.take().expect("a SharedFd's fd is taken only here");
                    crate::driver::fd_released(owned.as_raw_fd());
                    Ok(owned)
                }
                Fd::Process(_) => Err(SharedFd(Rc::new(fd))),
            },
            Err(shared) => Err(SharedFd(shared)),
        }
    }

    /// A duplicate (`dup`) of the fd, owned by the caller.
    pub(crate) fn try_clone_owned(&self) -> io::Result<OwnedFd> {
        self.as_fd().try_clone_to_owned()
    }
}

impl AsFd for SharedFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match &*self.0 {
            Fd::Owned(Some(fd)) => fd.as_fd(),
            Fd::Owned(None) => unreachable!("a taken SharedFd is never used"),
            Fd::Process(fd) => *fd,
        }
    }
}

impl Drop for Fd {
    /// The epoll driver forgets what it knew of the fd number before it is
    /// reused (a thread-local read where no epoll driver runs).
    fn drop(&mut self) {
        if let Fd::Owned(Some(fd)) = self {
            crate::driver::fd_released(fd.as_raw_fd());
        }
    }
}
