//! Operations: one file per opcode family, each owning what the kernel touches.
//!
//! An [`Op`] is pushed when created (no syscall) and completes when its CQE is
//! reaped. Its data lives inline in the future as `Option<T>`; every side
//! structure the kernel reads or writes through a pointer is boxed (or is the
//! heap block of an owned buffer), so moving the future moves no memory the
//! kernel uses. Dropping an unfinished `Op` hands the data to the driver's
//! table and cancels the operation; the data is dropped with the final CQE.

pub(crate) mod accept;
pub(crate) mod close;
pub(crate) mod connect;
pub(crate) mod fixed;
pub(crate) mod fsync;
pub(crate) mod link;
pub(crate) mod msg;
pub(crate) mod multishot;
pub(crate) mod nop;
pub(crate) mod open;
pub(crate) mod path;
pub(crate) mod poll;
pub(crate) mod read;
pub(crate) mod recv_multi;
pub(crate) mod send_recv;
pub(crate) mod send_zc;
pub(crate) mod splice;
pub(crate) mod statx;
pub(crate) mod truncate;
pub(crate) mod vectored;
pub(crate) mod waitid;
pub(crate) mod write;

use crate::driver::cqe::{Cqe, OpKey};
use crate::driver::lifecycle::Abandoned;
use crate::driver::Handle;
use crate::runtime::context;
use crate::runtime::task_token;
use io_uring::squeue;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

/// An operation the ring can run.
///
/// # Safety
///
/// Every pointer in the entry returned by [`sqe`](OpCode::sqe) must point into
/// memory owned by `self` that does not move when `self` moves (a `Box`, an
/// [`IoBuf`](crate::buf::IoBuf)'s stable pointer) and stays valid until `self`
/// is dropped. The runtime keeps `self` alive until the entry's final CQE.
pub(crate) unsafe trait OpCode: 'static {
    /// What the operation's future resolves to.
    type Output;

    /// Whether a successful result is a new file descriptor, which must be
    /// closed if the operation was abandoned.
    const RETURNS_FD: bool = false;

    /// Whether a future dropped before its entry reached the kernel may
    /// have the entry withdrawn (the operation then never starts). Not for
    /// an operation whose not running loses something its data cannot give
    /// back when dropped (a close: the fd it owns).
    const WITHDRAWABLE: bool = true;

    /// Builds the submission entry (the driver sets its `user_data`).
    fn sqe(&mut self) -> squeue::Entry;

    /// Turns the completion into the output, handing back owned resources.
    fn complete(self, cqe: Cqe) -> Self::Output;
}

/// A submitted operation; resolves to [`OpCode::Output`].
pub(crate) struct Op<T: OpCode> {
    driver: Handle,
    /// The operation's slot; [`OpKey::UNPUSHED`] (which names no slot) if
    /// the entry could not be pushed.
    key: OpKey,
    /// The push failure's `-errno`, reported through `complete` on first
    /// poll; 0 if the entry was pushed.
    push_error: i32,
    /// Whether a `Cancellable` cancel was sent for this op (one per op).
    cancel_sent: bool,
    data: Option<T>,
}

// `Op` never pins anything: the kernel only sees heap memory owned by `data`.
impl<T: OpCode> Unpin for Op<T> {}

impl<T: OpCode> Op<T> {
    /// Pushes `data`'s entry on this thread's ring (no syscall).
    ///
    /// # Panics
    ///
    /// Panics when called outside a ringio runtime.
    #[inline]
    pub(crate) fn submit(data: T) -> Op<T> {
        // The driver's handle comes out of the thread-local first and the
        // op is built here, in the caller's frame: an op returned through
        // the thread-local closure is written field by field and copied
        // whole, which stalls the CPU's store forwarding on every op.
        Op::submit_on(context::current_driver(), data)
    }

    #[inline]
    fn submit_on(driver: Handle, mut data: T) -> Op<T> {
        let (key, push_error) = match driver.push_op(|| data.sqe()) {
            Ok(key) => (key, 0),
            Err(e) => (OpKey::UNPUSHED, Cqe::from_error(&e).res),
        };
        Op {
            driver,
            key,
            push_error,
            cancel_sent: false,
            data: Some(data),
        }
    }

    /// The completion of an op whose key names no slot: its push failure,
    /// reported once. (A pushed op's slot goes only with its completion.)
    #[cold]
    #[inline(never)]
    fn push_failure(&self) -> Cqe {
        assert!(
            self.push_error != 0 && self.data.is_some(),
            "an Op was polled after it completed"
        );
        Cqe {
            res: self.push_error,
            flags: 0,
        }
    }
}

impl<T: OpCode> Future for Op<T> {
    type Output = T::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T::Output> {
        let this = self.get_mut();
        // An unpushed op's key names no slot: its error comes out of line,
        // so a pushed op pays no check for it.
        let waker = cx.waker();
        let driver = &this.driver;
        let cqe = match driver.poll_op(this.key, waker, || task_token(driver, waker)) {
            Some(Poll::Ready(cqe)) => cqe,
            Some(Poll::Pending) => {
                if context::cancel_requested() && !this.cancel_sent {
                    this.cancel_sent = true;
                    driver.cancel_op(this.key);
                }
                return Poll::Pending;
            }
            None => this.push_failure(),
        };
        let data = this
            .data
            .take()
            .expect("an Op was polled after it completed");
        Poll::Ready(data.complete(cqe))
    }
}

impl<T: OpCode> Drop for Op<T> {
    fn drop(&mut self) {
        // Data left behind an entry that was never pushed is simply dropped.
        if let (Some(data), 0) = (self.data.take(), self.push_error) {
            let abandoned = Abandoned {
                data: Box::new(data),
                returns_fd: T::RETURNS_FD,
                withdrawable: T::WITHDRAWABLE,
                on_late_cqe: None,
            };
            self.driver.abandon_op(self.key, abandoned);
        }
    }
}

/// Converts a completion into `io::Result<()>` for ops with no payload.
#[inline]
pub(crate) fn unit_result(cqe: Cqe) -> io::Result<()> {
    cqe.result().map(drop)
}
