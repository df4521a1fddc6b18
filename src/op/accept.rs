//! `IORING_OP_ACCEPT`: a new connection; the result is a new fd.

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
