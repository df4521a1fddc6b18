//! The owned-buffer I/O of pipes and the standard streams (files read and
//! written at their current position, `IORING_OP_READ`/`WRITE` with offset
//! -1), and their futures-io/tokio adapter state.
//!
//! A read or write that comes back `EAGAIN` (an fd in non-blocking mode on
//! a kernel that hands that back rather than arming its own poll) waits for
//! readiness with a one-shot `IORING_OP_POLL_ADD` and tries again, so a
//! non-blocking fd behaves like a blocking one, without a worker thread.
#![forbid(unsafe_code)]

use crate::buf::{BufResult, IoBuf, IoBufMut, Slice};
use crate::fd::SharedFd;
use crate::net::poll_io::{AdapterOps, ReadAdapter, WriteAdapter};
use crate::op::read::ReadAt;
use crate::op::vectored::{ReadvAt, WritevAt};
use crate::op::write::WriteAt;
use crate::op::Op;
use std::future::Future;

/// The file position (`-1`): what pipes, ttys and sockets are read and
/// written at.
const CURRENT: u64 = u64::MAX;

/// A stream fd (pipe end, standard stream) and its ring operations.
#[derive(Debug)]
pub(crate) struct FdIo {
    pub(crate) fd: SharedFd,
}

impl FdIo {
    pub(crate) fn new(fd: SharedFd) -> FdIo {
        FdIo { fd }
    }

    /// Runs `op` on `buf` until it does not come back `EAGAIN`, waiting
    /// for `events` between tries ([`crate::io_util::when_ready`]).
    async fn when_ready<T, B, F, Fut>(
        &self,
        events: libc::c_short,
        buf: B,
        op: F,
    ) -> BufResult<T, B>
    where
        F: FnMut(SharedFd, B) -> Fut,
        Fut: Future<Output = BufResult<T, B>>,
    {
        crate::io_util::when_ready(&self.fd, events, buf, op).await
    }

    pub(crate) async fn read<B: IoBufMut>(&self, buf: B) -> BufResult<usize, B> {
        self.when_ready(libc::POLLIN, buf, |fd, buf| {
            Op::submit(ReadAt::new(fd, buf, CURRENT))
        })
        .await
    }

    pub(crate) async fn readv<B: IoBufMut>(&self, bufs: Vec<B>) -> BufResult<usize, Vec<B>> {
        self.when_ready(libc::POLLIN, bufs, |fd, bufs| {
            Op::submit(ReadvAt::new(fd, bufs, CURRENT))
        })
        .await
    }

    pub(crate) async fn write<B: IoBuf>(&self, buf: B) -> BufResult<usize, B> {
        self.when_ready(libc::POLLOUT, buf, |fd, buf| {
            Op::submit(WriteAt::new(fd, buf, CURRENT))
        })
        .await
    }

    pub(crate) async fn write_all<B: IoBuf>(&self, buf: B) -> BufResult<(), B> {
        crate::io_util::write_all(buf, |rest, _| self.write(rest)).await
    }

    pub(crate) async fn writev<B: IoBuf>(&self, bufs: Vec<B>) -> BufResult<usize, Vec<B>> {
        self.when_ready(libc::POLLOUT, bufs, |fd, bufs| {
            Op::submit(WritevAt::new(fd, bufs, CURRENT))
        })
        .await
    }
}

/// A stream fd's adapter operations: `IORING_OP_READ`/`WRITE` at the
/// current position; `EAGAIN` waits with a one-shot `IORING_OP_POLL_ADD`
/// and tries again.
pub(crate) enum FdOps {}

impl AdapterOps for FdOps {
    type Read = ReadAt<Vec<u8>>;
    type Write = WriteAt<Slice<Vec<u8>>>;
    const WAIT_ON_EAGAIN: bool = true;

    fn read(fd: SharedFd, buf: Vec<u8>) -> Self::Read {
        ReadAt::new(fd, buf, CURRENT)
    }

    fn write(fd: SharedFd, buf: Slice<Vec<u8>>) -> Self::Write {
        WriteAt::new(fd, buf, CURRENT)
    }
}

/// The read side of the adapter: bytes read and not yet handed out, and at
/// most one operation in flight (kept across dropped polls).
pub(crate) type FdPollRead = ReadAdapter<FdOps>;

/// The write side of the adapter: accepted bytes the kernel has not taken
/// yet, and at most one operation in flight (kept across dropped polls).
pub(crate) type FdPollWrite = WriteAdapter<FdOps>;

impl std::fmt::Debug for FdPollRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FdPollRead")
            .field("buffered", &self.buffered())
            .field("in_flight", &self.in_flight())
            .finish()
    }
}

impl std::fmt::Debug for FdPollWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FdPollWrite")
            .field("in_flight", &self.in_flight())
            .finish()
    }
}

/// Implements the sealed [`BufferedRead`](crate::net::poll_io::BufferedRead)
/// (and so futures-io's and tokio's `AsyncRead`) for a type with `io: FdIo`
/// and `reader: FdPollRead` fields.
macro_rules! impl_fd_read {
    ($stream:ty) => {
        impl $crate::net::poll_io::BufferedRead for $stream {
            fn poll_fill(
                &mut self,
                cx: &mut std::task::Context<'_>,
                hint: usize,
            ) -> std::task::Poll<std::io::Result<&[u8]>> {
                self.reader.poll_fill(&self.io.fd, cx, hint)
            }

            fn consume(&mut self, n: usize) {
                self.reader.consume(n)
            }
        }

        $crate::net::poll_io::impl_futures_io!(read $stream);
        #[cfg(feature = "tokio-io")]
        $crate::net::poll_io::impl_tokio_io!(read $stream);
    };
}
pub(crate) use impl_fd_read;

/// Implements the sealed
/// [`BufferedWrite`](crate::net::poll_io::BufferedWrite) (and so
/// futures-io's and tokio's `AsyncWrite`) for a type with `io: FdIo` and
/// `writer: FdPollWrite` fields. Closing only flushes: a pipe or standard
/// stream has no half-close (it closes when dropped).
macro_rules! impl_fd_write {
    ($stream:ty) => {
        impl $crate::net::poll_io::BufferedWrite for $stream {
            fn poll_write(
                &mut self,
                cx: &mut std::task::Context<'_>,
                data: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.writer.poll_write(&self.io.fd, cx, data)
            }

            fn poll_write_vectored(
                &mut self,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.writer.poll_write_vectored(&self.io.fd, cx, bufs)
            }

            fn poll_flush(
                &mut self,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                self.writer.poll_flush(&self.io.fd, cx)
            }

            fn poll_close(
                &mut self,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                self.writer.poll_flush(&self.io.fd, cx)
            }
        }

        $crate::net::poll_io::impl_futures_io!(write $stream);
        #[cfg(feature = "tokio-io")]
        $crate::net::poll_io::impl_tokio_io!(write $stream);
    };
}
pub(crate) use impl_fd_write;

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::io;

    /// A read that first comes back `EAGAIN` (as on kernels that hand it
    /// back for a non-blocking fd) waits for `POLLIN`, then reads.
    #[test]
    fn would_block_waits_for_readiness_then_retries() {
        let (read, write) = crate::sys::fd_flags::nonblocking_pipe().unwrap();
        let io = FdIo::new(SharedFd::new(read));
        crate::run(async move {
            let tries = Cell::new(0);
            let writer = crate::spawn(async move {
                crate::time::sleep(std::time::Duration::from_millis(20)).await;
                let out = FdIo::new(SharedFd::new(write));
                let (res, _) = out.write_all(b"late".to_vec()).await;
                res.unwrap();
            });
            let (res, buf) = io
                .when_ready(libc::POLLIN, Vec::with_capacity(16), |fd, buf| {
                    tries.set(tries.get() + 1);
                    let first = tries.get() == 1;
                    async move {
                        if first {
                            (Err(io::Error::from(io::ErrorKind::WouldBlock)), buf)
                        } else {
                            Op::submit(ReadAt::new(fd, buf, CURRENT)).await
                        }
                    }
                })
                .await;
            assert_eq!(res.unwrap(), 4);
            assert_eq!(buf, b"late");
            assert_eq!(tries.get(), 2, "one retry, after the poll");
            writer.await.unwrap();
        });
    }
}
