//! Loops shared by files and sockets over their single-shot operations.
#![forbid(unsafe_code)]

use crate::buf::{BufResult, IoBuf, Slice};
use crate::fd::SharedFd;
use crate::op::poll::PollAdd;
use crate::op::Op;
use std::future::Future;
use std::io;

/// Runs `op` on `buf` until it does not come back `EAGAIN`, waiting for
/// `events` on `fd` (a one-shot `POLL_ADD`) between tries; each try is a
/// fresh operation. The buffer comes back whatever happens.
pub(crate) async fn when_ready<T, B, F, Fut>(
    fd: &SharedFd,
    events: libc::c_short,
    buf: B,
    mut op: F,
) -> BufResult<T, B>
where
    F: FnMut(SharedFd, B) -> Fut,
    Fut: Future<Output = BufResult<T, B>>,
{
    let mut buf = buf;
    loop {
        let (res, back) = op(fd.clone(), buf).await;
        if !matches!(&res, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            return (res, back);
        }
        buf = back;
        if let Err(e) = Op::submit(PollAdd::new(fd.clone(), events)).await {
            return (Err(e), buf);
        }
    }
}

/// Writes all of `buf`'s initialized bytes through `write`, which gets the
/// unwritten part and how much was written before it; loops over short
/// writes, retries `Interrupted`, and reports `WriteZero` when nothing more
/// is taken. The buffer comes back whatever happens.
pub(crate) async fn write_all<B, F, Fut>(buf: B, mut write: F) -> BufResult<(), B>
where
    B: IoBuf,
    F: FnMut(Slice<B>, usize) -> Fut,
    Fut: Future<Output = BufResult<usize, Slice<B>>>,
{
    let total = buf.bytes_init();
    let mut buf = buf;
    let mut written = 0;
    while written < total {
        let (res, slice) = write(buf.slice(written..total), written).await;
        buf = slice.into_inner();
        match res {
            Ok(0) => {
                let zero = io::Error::new(io::ErrorKind::WriteZero, "no more bytes were taken");
                return (Err(zero), buf);
            }
            Ok(n) => written += n,
            // Not retried once a `Cancellable` cancels: the cancel stands.
            Err(e)
                if e.kind() == io::ErrorKind::Interrupted
                    && !crate::runtime::context::cancel_requested() => {}
            Err(e) => return (Err(e), buf),
        }
    }
    (Ok(()), buf)
}
