//! Multishot operations: one SQE, a stream of CQEs (`IORING_CQE_F_MORE` on
//! every one but the last).

use crate::driver::cqe::{Cqe, OpKey};
use crate::driver::lifecycle::Abandoned;
use crate::driver::Handle;
use crate::runtime::context;
use crate::runtime::task_token;
use std::task::{Context, Poll};

/// A multishot operation.
///
/// # Safety
///
/// As [`OpCode`](super::OpCode): every pointer in the entry points into memory owned by
/// `self` that does not move and stays valid until `self` is dropped; the
/// runtime keeps `self` alive until the final CQE.
pub(crate) unsafe trait MultishotCode: 'static {
    /// What each completion turns into.
    type Item;

    /// Whether a successful result is a new fd (closed if nobody takes it).
    const RETURNS_FD: bool = false;

    /// Builds the submission entry (the driver sets its `user_data`).
    fn sqe(&mut self) -> io_uring::squeue::Entry;

    /// Turns one completion into an item.
    fn item(&mut self, cqe: Cqe) -> Self::Item;

    /// Gives back what a completion nobody will take carries (a provided
    /// buffer); fds are closed by the driver already.
    fn recycle(&self, _cqe: &Cqe) {}
}

/// [`MultishotCode::recycle`] for an abandoned operation's type-erased data.
fn recycle_erased<T: MultishotCode>(data: &dyn std::any::Any, cqe: &Cqe) {
    if let Some(data) = data.downcast_ref::<T>() {
        data.recycle(cqe);
    }
}

/// A submitted multishot operation: [`poll_next`](MultiOp::poll_next) yields
/// one item per completion until the final one.
pub(crate) struct MultiOp<T: MultishotCode> {
    driver: Handle,
    /// `Err` holds a push failure, reported as the only item.
    key: Result<OpKey, i32>,
    /// Whether a `Cancellable` cancel was sent for this op (one per op).
    cancel_sent: bool,
    data: Option<T>,
}

impl<T: MultishotCode> MultiOp<T> {
    /// Pushes `data`'s entry on this thread's ring (no syscall).
    ///
    /// # Panics
    ///
    /// Panics when called outside a ringio runtime.
    pub(crate) fn submit(mut data: T) -> MultiOp<T> {
        // As `Op::submit`: the handle comes out of the thread-local first
        // and the op is built in the caller's frame.
        let driver = context::current_driver();
        let key = driver
            .push_multishot(|| data.sqe())
            .map_err(|e| Cqe::from_error(&e).res);
        MultiOp {
            driver,
            key,
            cancel_sent: false,
            data: Some(data),
        }
    }

    /// The next completion's item; `None` once the final one was taken (the
    /// operation then needs submitting again to go on).
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<T::Item>> {
        self.poll_next_owned(cx)
            .map(|next| next.map(|(item, _data)| item))
    }

    /// As [`poll_next`](Self::poll_next), handing the operation's data back
    /// with the final completion's item.
    pub(crate) fn poll_next_owned(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<(T::Item, Option<T>)>> {
        let Some(data) = self.data.as_mut() else {
            return Poll::Ready(None);
        };
        let cqe = match self.key {
            Err(res) => Cqe { res, flags: 0 },
            Ok(key) => match self
                .driver
                .poll_op(key, cx.waker(), || task_token(&self.driver, cx.waker()))
            {
                Some(Poll::Ready(cqe)) => cqe,
                Some(Poll::Pending) => {
                    if context::cancel_requested() && !self.cancel_sent {
                        self.cancel_sent = true;
                        self.driver.cancel_op(key);
                    }
                    return Poll::Pending;
                }
                None => unreachable!("a multishot op's slot goes with its final completion"),
            },
        };
        let item = data.item(cqe);
        // Once the final completion is in, the kernel is done with the
        // entry: its data may go.
        let done = if cqe.has_more() {
            None
        } else {
            self.data.take()
        };
        Poll::Ready(Some((item, done)))
    }

    /// Whether the final completion was taken.
    pub(crate) fn is_finished(&self) -> bool {
        self.data.is_none()
    }
}

impl<T: MultishotCode> Drop for MultiOp<T> {
    fn drop(&mut self) {
        if let (Ok(key), Some(data)) = (self.key, self.data.take()) {
            let abandoned = Abandoned {
                data: Box::new(data),
                returns_fd: T::RETURNS_FD,
                withdrawable: true,
                on_late_cqe: Some(recycle_erased::<T>),
            };
            self.driver.abandon_op(key, abandoned);
        }
    }
}
