//! `IORING_OP_TIMEOUT`: a kernel timer, the backing of `time::Sleep`.

use super::OpCode;
use crate::driver::cqe::Cqe;
use io_uring::types::{TimeoutFlags, Timespec};
use io_uring::{opcode, squeue};
use std::io;
use std::time::Duration;

/// Fires at an absolute `CLOCK_MONOTONIC` time. Requires Linux 5.4.
#[derive(Debug)]
pub(crate) struct Timeout {
    /// Boxed: the kernel reads it through a pointer after the push.
    when: Box<Timespec>,
}

impl Timeout {
    /// A timer for the absolute monotonic time `since_boot`.
    pub(crate) fn at(since_boot: Duration) -> Timeout {
        Timeout {
            when: Box::new(Timespec::from(since_boot)),
        }
    }
}

// SAFETY: the only pointer is to the boxed timespec, owned by `self`.
unsafe impl OpCode for Timeout {
    type Output = io::Result<()>;

    fn sqe(&mut self) -> squeue::Entry {
        opcode::Timeout::new(&*self.when)
            .flags(TimeoutFlags::ABS)
            .build()
    }

    /// `ETIME` is the normal expiry; anything else (say `ECANCELED`) is an error.
    fn complete(self, cqe: Cqe) -> io::Result<()> {
        match cqe.result() {
            Err(e) if e.raw_os_error() == Some(libc::ETIME) => Ok(()),
            other => other.map(drop),
        }
    }
}
