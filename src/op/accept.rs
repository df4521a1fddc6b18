//! `IORING_OP_ACCEPT`: a new connection; the result is a new fd.

use super::multishot::MultishotCode;
use super::OpCode;
use crate::driver::cqe::Cqe;
use crate::fd::SharedFd;
use io_uring::{opcode, squeue, types};
use socket2::{SockAddr, SockAddrStorage};
use std::io;
use std::os::fd::{FromRawFd, OwnedFd};

/// Accepts one connection (close-on-exec). Requires Linux 5.5.
pub(crate) struct Accept {
    fd: SharedFd,
    /// Boxed: the kernel writes the peer address and its length after the push.
    addr: Box<(SockAddrStorage, libc::socklen_t)>,
}

impl Accept {
    pub(crate) fn new(fd: SharedFd) -> Accept {
        let storage = SockAddrStorage::zeroed();
        let len = storage.size_of();
        Accept {
            fd,
            addr: Box::new((storage, len)),
        }
    }
}

// SAFETY: both pointers target the boxed storage and length, owned by `self`.
unsafe impl OpCode for Accept {
    type Output = io::Result<(OwnedFd, SockAddr)>;

    /// A cancelled accept that still succeeded leaves a connection nobody
    /// receives: the driver closes it.
    const RETURNS_FD: bool = true;

    fn sqe(&mut self) -> squeue::Entry {
        let (storage, len) = &mut *self.addr;
        let storage: *mut SockAddrStorage = storage;
        opcode::Accept::new(types::Fd(self.fd.raw()), storage.cast(), len)
            .flags(libc::SOCK_CLOEXEC)
            .build()
    }

    fn complete(self, cqe: Cqe) -> io::Result<(OwnedFd, SockAddr)> {
        let fd = cqe.result()?;
        // SAFETY: the kernel just created this fd for this operation.
        let fd = unsafe { OwnedFd::from_raw_fd(fd as i32) };
        let (storage, len) = *self.addr;
        // SAFETY: the kernel filled `storage` with an address of `len` bytes.
        let addr = unsafe { SockAddr::new(storage, len) };
        Ok((fd, addr))
    }
}

/// Accepts connections until cancelled or an error ends it (close-on-exec);
/// one completion per connection. Requires Linux 5.19.
pub(crate) struct AcceptMulti {
    fd: SharedFd,
}

impl AcceptMulti {
    pub(crate) fn new(fd: SharedFd) -> AcceptMulti {
        AcceptMulti { fd }
    }
}

// SAFETY: the entry carries no pointers (the peer address is not asked for).
unsafe impl MultishotCode for AcceptMulti {
    type Item = io::Result<OwnedFd>;

    /// Connections accepted after the stream was dropped are closed.
    const RETURNS_FD: bool = true;

    fn sqe(&mut self) -> squeue::Entry {
        opcode::AcceptMulti::new(types::Fd(self.fd.raw()))
            .flags(libc::SOCK_CLOEXEC)
            .build()
    }

    fn item(&mut self, cqe: Cqe) -> io::Result<OwnedFd> {
        let fd = cqe.result()?;
        // SAFETY: the kernel just created this fd for this operation.
        Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
    }
}
