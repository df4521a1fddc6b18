//! `IORING_OP_NOP`: a round trip through the ring that does nothing.

use super::{unit_result, OpCode};
use crate::driver::cqe::Cqe;
use io_uring::{opcode, squeue};
use std::future::Future;
use std::io;

/// A no-op; measures the runtime's per-operation overhead. Requires Linux 5.1.
#[derive(Debug)]
pub(crate) struct Nop;

// SAFETY: a NOP entry carries no pointers.
unsafe impl OpCode for Nop {
    type Output = io::Result<()>;

    #[inline]
    fn sqe(&mut self) -> squeue::Entry {
        opcode::Nop::new().build()
    }

    #[inline]
    fn complete(self, cqe: Cqe) -> io::Result<()> {
        unit_result(cqe)
    }
}

/// Sends one `IORING_OP_NOP` through the ring and waits for its completion:
/// the cost of a round trip through the runtime, without any I/O. Useful to
/// measure per-operation overhead and batching (see [`stats`](crate::stats)).
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     ringio::nop().await.unwrap();
/// });
/// ```
///
/// # Cancel safety
///
/// Dropping the future cancels nothing the kernel would write: a NOP owns no
/// memory.
///
/// # Panics
///
/// The entry is queued when `nop()` is called (no system call yet), so
/// calling it outside a ringio runtime panics.
#[inline]
pub fn nop() -> impl Future<Output = io::Result<()>> + Unpin {
    super::Op::submit(Nop)
}
