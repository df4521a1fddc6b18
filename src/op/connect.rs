//! `IORING_OP_CONNECT`: connect a socket to an address.

use super::{unit_result, OpCode};
use crate::driver::cqe::Cqe;
use crate::fd::SharedFd;
use io_uring::{opcode, squeue, types};
use socket2::SockAddr;
use std::io;

/// Connects `fd` to `addr`. Requires Linux 5.5.
pub(crate) struct Connect {
    fd: SharedFd,
    /// Boxed: the kernel reads it after the push.
    addr: Box<SockAddr>,
}

impl Connect {
    pub(crate) fn new(fd: SharedFd, addr: SockAddr) -> Connect {
        Connect {
            fd,
            addr: Box::new(addr),
        }
    }
}

// SAFETY: the only pointer targets the boxed address, owned by `self`.
unsafe impl OpCode for Connect {
    type Output = io::Result<()>;

    fn sqe(&mut self) -> squeue::Entry {
        opcode::Connect::new(
            types::Fd(self.fd.raw()),
            self.addr.as_ptr().cast(),
            self.addr.len(),
        )
        .build()
    }

    fn complete(self, cqe: Cqe) -> io::Result<()> {
        unit_result(cqe)
    }
}
