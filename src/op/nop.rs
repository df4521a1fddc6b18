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

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use std::time::Duration;

    #[test]
    fn an_op_that_could_not_be_pushed_reports_its_error_once() {
        let rt = crate::Runtime::new().unwrap();
        rt.block_on(async {
            crate::runtime::context::with_driver(|driver| driver.shutdown(Duration::from_secs(5)));
            let mut op = super::nop();
            let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());
            match Pin::new(&mut op).poll(&mut cx) {
                Poll::Ready(Err(e)) => assert_eq!(e.raw_os_error(), Some(libc::EIO)),
                other => panic!("expected the push failure, got {other:?}"),
            }
            let again = catch_unwind(AssertUnwindSafe(|| Pin::new(&mut op).poll(&mut cx)));
            assert!(again.is_err(), "a second poll panics");
        });
    }
}
