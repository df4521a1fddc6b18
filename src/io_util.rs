//! Loops shared by files and sockets over their single-shot operations.
#![forbid(unsafe_code)]

use crate::buf::{BufResult, IoBuf, Slice};
use std::future::Future;
use std::io;

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
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (Err(e), buf),
        }
    }
    (Ok(()), buf)
}
