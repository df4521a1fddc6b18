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
use crate::op::poll::PollAdd;
use crate::op::read::ReadAt;
use crate::op::vectored::{ReadvAt, WritevAt};
use crate::op::write::WriteAt;
use crate::op::Op;
use std::future::Future;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// The file position (`-1`): what pipes, ttys and sockets are read and
/// written at.
const CURRENT: u64 = u64::MAX;
/// Bytes asked of the kernel per adapter read (more when the caller's
/// buffer is larger).
const READ_CHUNK: usize = 16 * 1024;
/// Most bytes one adapter `poll_write` takes in.
const WRITE_CHUNK: usize = 64 * 1024;

fn would_block<T>(res: &io::Result<T>) -> bool {
    matches!(res, Err(e) if e.kind() == io::ErrorKind::WouldBlock)
}

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
    /// for `events` between tries.
    async fn when_ready<T, B, F, Fut>(
        &self,
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
            let (res, back) = op(self.fd.clone(), buf).await;
            if !would_block(&res) {
                return (res, back);
            }
            buf = back;
            if let Err(e) = Op::submit(PollAdd::new(self.fd.clone(), events)).await {
                return (Err(e), buf);
            }
        }
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

/// The operation a [`FdPollRead`] has in flight.
#[derive(Default)]
enum ReadState {
    #[default]
    Idle,
    Reading(Op<ReadAt<Vec<u8>>>),
    /// The read came back `EAGAIN`: waiting for `POLLIN`.
    Waiting(Op<PollAdd>),
}

/// The read side of the adapter: bytes read and not yet handed out, and at
/// most one operation in flight (kept across dropped polls).
#[derive(Default)]
pub(crate) struct FdPollRead {
    buf: Vec<u8>,
    /// `buf[pos..]` is still to be handed out.
    pos: usize,
    state: ReadState,
}

impl FdPollRead {
    /// The bytes read and not handed out yet; when there are none, starts
    /// a read (of at least `hint` bytes) and waits for it. An empty slice
    /// is the end of the stream.
    pub(crate) fn poll_fill(
        &mut self,
        fd: &SharedFd,
        cx: &mut Context<'_>,
        hint: usize,
    ) -> Poll<io::Result<&[u8]>> {
        while self.pos == self.buf.len() {
            match &mut self.state {
                ReadState::Reading(op) => {
                    let (res, buf) = ready!(Pin::new(op).poll(cx));
                    self.state = ReadState::Idle;
                    self.buf = buf;
                    self.pos = 0;
                    match res {
                        Ok(0) => return Poll::Ready(Ok(&[])),
                        Ok(_) => {}
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                            let poll = PollAdd::new(fd.clone(), libc::POLLIN);
                            self.state = ReadState::Waiting(Op::submit(poll));
                        }
                        Err(e) => return Poll::Ready(Err(e)),
                    }
                }
                ReadState::Waiting(op) => {
                    let res = ready!(Pin::new(op).poll(cx));
                    self.state = ReadState::Idle;
                    res?;
                }
                ReadState::Idle => {
                    let mut buf = std::mem::take(&mut self.buf);
                    buf.clear();
                    buf.reserve(hint.max(READ_CHUNK));
                    self.pos = 0;
                    let read = ReadAt::new(fd.clone(), buf, CURRENT);
                    self.state = ReadState::Reading(Op::submit(read));
                }
            }
        }
        Poll::Ready(Ok(&self.buf[self.pos..]))
    }

    /// Marks `n` bytes of [`poll_fill`](Self::poll_fill)'s slice handed out.
    pub(crate) fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
    }
}

impl std::fmt::Debug for FdPollRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FdPollRead")
            .field("buffered", &(self.buf.len() - self.pos))
            .field("in_flight", &!matches!(self.state, ReadState::Idle))
            .finish()
    }
}

/// The operation a [`FdPollWrite`] has in flight.
#[derive(Default)]
enum WriteState {
    #[default]
    Idle,
    Writing(Op<WriteAt<Slice<Vec<u8>>>>),
    /// The write came back `EAGAIN`: waiting for `POLLOUT`.
    Waiting(Op<PollAdd>),
}

/// The write side of the adapter: accepted bytes the kernel has not taken
/// yet, and at most one operation in flight (kept across dropped polls).
#[derive(Default)]
pub(crate) struct FdPollWrite {
    /// The accepted bytes (while no write is in flight); `buf[sent..]` is
    /// still to be written.
    buf: Vec<u8>,
    sent: usize,
    state: WriteState,
}

impl FdPollWrite {
    /// Takes the bytes of `bufs` in order, up to 64 KiB in all, into the
    /// internal buffer and starts writing them; first finishes the previous
    /// write. Returns how many bytes it took (0 when every slice is empty).
    pub(crate) fn poll_write_vectored(
        &mut self,
        fd: &SharedFd,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_flush(fd, cx))?;
        for data in bufs {
            let room = WRITE_CHUNK - self.buf.len();
            if room == 0 {
                break;
            }
            self.buf.extend_from_slice(&data[..data.len().min(room)]);
        }
        let n = self.buf.len();
        if n > 0 {
            self.start_write(fd);
        }
        Poll::Ready(Ok(n))
    }

    fn start_write(&mut self, fd: &SharedFd) {
        let buf = std::mem::take(&mut self.buf);
        let write = WriteAt::new(fd.clone(), buf.slice(self.sent..), CURRENT);
        self.state = WriteState::Writing(Op::submit(write));
    }

    /// Forgets the accepted bytes after an error (they are not retried).
    fn fail(&mut self, e: io::Error) -> Poll<io::Result<()>> {
        self.buf.clear();
        self.sent = 0;
        Poll::Ready(Err(e))
    }

    /// Drives the write in flight until every accepted byte is written.
    pub(crate) fn poll_flush(
        &mut self,
        fd: &SharedFd,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            match &mut self.state {
                WriteState::Writing(op) => {
                    let (res, slice) = ready!(Pin::new(op).poll(cx));
                    self.state = WriteState::Idle;
                    self.buf = slice.into_inner();
                    match res {
                        Ok(0) => {
                            let zero = io::Error::new(
                                io::ErrorKind::WriteZero,
                                "no more bytes were taken",
                            );
                            return self.fail(zero);
                        }
                        Ok(n) => self.sent += n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                            let poll = PollAdd::new(fd.clone(), libc::POLLOUT);
                            self.state = WriteState::Waiting(Op::submit(poll));
                        }
                        Err(e) => return self.fail(e),
                    }
                }
                WriteState::Waiting(op) => {
                    let res = ready!(Pin::new(op).poll(cx));
                    self.state = WriteState::Idle;
                    if let Err(e) = res {
                        return self.fail(e);
                    }
                }
                WriteState::Idle if self.sent < self.buf.len() => self.start_write(fd),
                WriteState::Idle => {
                    self.buf.clear();
                    self.sent = 0;
                    return Poll::Ready(Ok(()));
                }
            }
        }
    }
}

impl std::fmt::Debug for FdPollWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FdPollWrite")
            .field("in_flight", &!matches!(self.state, WriteState::Idle))
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
                let bufs = [std::io::IoSlice::new(data)];
                self.writer.poll_write_vectored(&self.io.fd, cx, &bufs)
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
