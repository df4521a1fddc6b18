//! futures-io adapters over completion I/O: [`PollRead`] and [`PollWrite`]
//! keep an internal owned buffer and at most one operation in flight, so a
//! dropped poll loses nothing: the operation stays with the stream and its
//! bytes are handed out (or its send finished) by the next poll.

use crate::buf::{IoBuf, Slice};
use crate::fd::SharedFd;
use crate::op::send_recv::{Recv, Send};
use crate::op::Op;
use socket2::SockRef;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Bytes asked of the kernel per receive (more when the caller's buffer is
/// larger).
const READ_CHUNK: usize = 16 * 1024;
/// Most bytes one `poll_write` takes in.
const WRITE_CHUNK: usize = 64 * 1024;

/// The read side of the adapter: received bytes not yet handed out.
#[derive(Default)]
pub(crate) struct PollRead {
    buf: Vec<u8>,
    /// `buf[pos..]` is still to be handed out.
    pos: usize,
    op: Option<Op<Recv<Vec<u8>>>>,
}

impl PollRead {
    pub(crate) fn poll_read(
        &mut self,
        fd: &SharedFd,
        cx: &mut Context<'_>,
        out: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if out.is_empty() {
            return Poll::Ready(Ok(0));
        }
        loop {
            if self.pos < self.buf.len() {
                let n = out.len().min(self.buf.len() - self.pos);
                out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
                self.pos += n;
                return Poll::Ready(Ok(n));
            }
            match &mut self.op {
                Some(op) => {
                    let (res, buf) = ready!(Pin::new(op).poll(cx));
                    self.op = None;
                    self.buf = buf;
                    self.pos = 0;
                    match res {
                        Ok(0) => return Poll::Ready(Ok(0)),
                        Ok(_) => {}
                        Err(e) => return Poll::Ready(Err(e)),
                    }
                }
                None => {
                    let mut buf = std::mem::take(&mut self.buf);
                    buf.clear();
                    buf.reserve(out.len().max(READ_CHUNK));
                    self.op = Some(Op::submit(Recv::new(fd.clone(), buf)));
                }
            }
        }
    }
}

impl std::fmt::Debug for PollRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollRead")
            .field("buffered", &(self.buf.len() - self.pos))
            .field("in_flight", &self.op.is_some())
            .finish()
    }
}

/// The write side of the adapter: accepted bytes the kernel has not taken.
#[derive(Default)]
pub(crate) struct PollWrite {
    buf: Vec<u8>,
    /// Bytes of the in-flight buffer already sent.
    sent: usize,
    op: Option<Op<Send<Slice<Vec<u8>>>>>,
    shut_down: bool,
}

impl PollWrite {
    /// Takes up to 64 KiB of `data` into the internal buffer and starts
    /// sending it; first finishes the previous send.
    pub(crate) fn poll_write(
        &mut self,
        fd: &SharedFd,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_flush(fd, cx))?;
        if data.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let n = data.len().min(WRITE_CHUNK);
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        buf.extend_from_slice(&data[..n]);
        self.sent = 0;
        self.op = Some(Op::submit(Send::new(fd.clone(), buf.slice(..))));
        Poll::Ready(Ok(n))
    }

    /// Drives the in-flight send until every accepted byte is sent.
    pub(crate) fn poll_flush(
        &mut self,
        fd: &SharedFd,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        while let Some(op) = &mut self.op {
            let (res, slice) = ready!(Pin::new(op).poll(cx));
            self.op = None;
            let buf = slice.into_inner();
            match res {
                Ok(0) => {
                    self.buf = buf;
                    let zero = io::Error::new(io::ErrorKind::WriteZero, "no more bytes were taken");
                    return Poll::Ready(Err(zero));
                }
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.buf = buf;
                    return Poll::Ready(Err(e));
                }
            }
            if self.sent < buf.len() {
                let rest = buf.slice(self.sent..);
                self.op = Some(Op::submit(Send::new(fd.clone(), rest)));
            } else {
                self.buf = buf;
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Flushes, then shuts down the write direction: the peer reads EOF.
    pub(crate) fn poll_close(
        &mut self,
        fd: &SharedFd,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        ready!(self.poll_flush(fd, cx))?;
        if !self.shut_down {
            // shutdown(2) never blocks.
            SockRef::from(fd).shutdown(std::net::Shutdown::Write)?;
            self.shut_down = true;
        }
        Poll::Ready(Ok(()))
    }
}

impl std::fmt::Debug for PollWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollWrite")
            .field("in_flight", &self.op.is_some())
            .field("shut_down", &self.shut_down)
            .finish()
    }
}

/// Implements futures-io's `AsyncRead` and `AsyncWrite` for a stream type
/// with `io: SocketIo`, `reader: PollRead` and `writer: PollWrite` fields.
macro_rules! impl_async_io {
    ($stream:ty) => {
        impl futures_util::io::AsyncRead for $stream {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                out: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let this = self.get_mut();
                this.reader.poll_read(&this.io.fd, cx, out)
            }
        }

        impl futures_util::io::AsyncWrite for $stream {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                data: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let this = self.get_mut();
                this.writer.poll_write(&this.io.fd, cx, data)
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                let this = self.get_mut();
                this.writer.poll_flush(&this.io.fd, cx)
            }

            /// Flushes, then shuts down the write direction (the peer reads
            /// EOF).
            fn poll_close(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                let this = self.get_mut();
                this.writer.poll_close(&this.io.fd, cx)
            }
        }
    };
}
pub(crate) use impl_async_io;
