//! Multishot receive into provided buffers (`IORING_RECV_MULTISHOT`, Linux
//! 6.0): one armed receive per socket, one completion per arrival, each
//! naming the pool buffer the kernel filled.

use super::multishot::MultishotCode;
use crate::buf::RecvBuf;
use crate::driver::buf_ring::BufRing;
use crate::driver::cqe::Cqe;
use crate::fd::SharedFd;
use io_uring::{cqueue, opcode, squeue, types};
use std::io;
use std::rc::Rc;

/// Receives until EOF, an error, or an empty pool ends it.
pub(crate) struct RecvMulti {
    fd: SharedFd,
    ring: Rc<BufRing>,
}

impl RecvMulti {
    pub(crate) fn new(fd: SharedFd, ring: Rc<BufRing>) -> RecvMulti {
        RecvMulti { fd, ring }
    }
}

// SAFETY: the entry carries no pointer; the buffers it fills belong to the
// registered pool, whose memory `self.ring` (and the driver) keep allocated.
unsafe impl MultishotCode for RecvMulti {
    /// A chunk; an empty one means EOF.
    type Item = io::Result<RecvBuf>;

    fn sqe(&mut self) -> squeue::Entry {
        opcode::RecvMulti::new(types::Fd(self.fd.raw()), self.ring.bgid).build()
    }

    fn item(&mut self, cqe: Cqe) -> io::Result<RecvBuf> {
        let bid = cqueue::buffer_select(cqe.flags);
        match (cqe.result(), bid) {
            (Ok(n), Some(bid)) => Ok(RecvBuf::pooled(self.ring.clone(), bid, n as usize)),
            (Ok(_), None) => Ok(RecvBuf::owned(Vec::new())),
            (Err(e), bid) => {
                if let Some(bid) = bid {
                    self.ring.provide(bid);
                }
                Err(e)
            }
        }
    }

    fn recycle(&self, cqe: &Cqe) {
        if let Some(bid) = cqueue::buffer_select(cqe.flags) {
            self.ring.provide(bid);
        }
    }
}
