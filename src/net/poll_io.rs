//! futures-io and tokio adapters over completion I/O: [`PollRead`] and
//! [`PollWrite`] keep an internal owned buffer and at most one operation in
//! flight, so a dropped poll loses nothing: the operation stays with the
//! stream and its bytes are handed out (or its send finished) by the next
//! poll.

use crate::buf::{IoBuf, Slice};
use crate::fd::SharedFd;
use crate::op::send_recv::{Recv, Send};
use crate::op::Op;
use socket2::SockRef;
use std::future::Future;
use std::io::{self, IoSlice};
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
    /// The received bytes not handed out yet; when there are none, starts a
    /// receive (of at least `hint` bytes) and waits for it. An empty slice
    /// is the end of the stream.
    pub(crate) fn poll_fill(
        &mut self,
        fd: &SharedFd,
        cx: &mut Context<'_>,
        hint: usize,
    ) -> Poll<io::Result<&[u8]>> {
        while self.pos == self.buf.len() {
            match &mut self.op {
                Some(op) => {
                    let (res, buf) = ready!(Pin::new(op).poll(cx));
                    self.op = None;
                    self.buf = buf;
                    self.pos = 0;
                    match res {
                        Ok(0) => return Poll::Ready(Ok(&[])),
                        Ok(_) => {}
                        Err(e) => return Poll::Ready(Err(e)),
                    }
                }
                None => {
                    let mut buf = std::mem::take(&mut self.buf);
                    buf.clear();
                    buf.reserve(hint.max(READ_CHUNK));
                    self.pos = 0;
                    self.op = Some(Op::submit(Recv::new(fd.clone(), buf)));
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
        self.poll_write_vectored(fd, cx, &[IoSlice::new(data)])
    }

    /// Takes the bytes of `bufs` in order, up to 64 KiB in all, into the
    /// internal buffer in one go and starts sending them; first finishes the
    /// previous send. Returns how many bytes it took (0 when every slice is
    /// empty).
    pub(crate) fn poll_write_vectored(
        &mut self,
        fd: &SharedFd,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_flush(fd, cx))?;
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        for data in bufs {
            let room = WRITE_CHUNK - buf.len();
            if room == 0 {
                break;
            }
            buf.extend_from_slice(&data[..data.len().min(room)]);
        }
        let n = buf.len();
        if n == 0 {
            self.buf = buf;
            return Poll::Ready(Ok(0));
        }
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
            // shutdown(2) never blocks. A peer that already left (the
            // socket is no longer connected) has nothing to be told: Ok,
            // as tokio's streams say.
            match SockRef::from(fd).shutdown(std::net::Shutdown::Write) {
                Err(e) if e.kind() != io::ErrorKind::NotConnected => return Poll::Ready(Err(e)),
                _ => self.shut_down = true,
            }
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

pub(crate) use private::{BufferedRead, BufferedWrite};

mod private {
    use std::io;
    use std::task::{Context, Poll};

    /// The read side of a ringio stream as poll functions over its internal
    /// buffer: what its futures-io, tokio and hyper trait impls share.
    /// Sealed: ringio's stream types (and read halves) only, named in the
    /// bounds of generic impls but not exported.
    #[allow(unreachable_pub)]
    pub trait BufferedRead {
        /// See `PollRead::poll_fill`.
        fn poll_fill(&mut self, cx: &mut Context<'_>, hint: usize) -> Poll<io::Result<&[u8]>>;
        /// See `PollRead::consume`.
        fn consume(&mut self, n: usize);
    }

    /// The write side of a ringio stream as poll functions over its
    /// internal buffer (see [`BufferedRead`]). Sealed.
    #[allow(unreachable_pub)]
    pub trait BufferedWrite {
        /// See `PollWrite::poll_write`.
        fn poll_write(&mut self, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>>;
        /// See `PollWrite::poll_write_vectored`.
        fn poll_write_vectored(
            &mut self,
            cx: &mut Context<'_>,
            bufs: &[std::io::IoSlice<'_>],
        ) -> Poll<io::Result<usize>>;
        /// See `PollWrite::poll_flush`.
        fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
        /// See `PollWrite::poll_close`.
        fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
    }
}

/// Implements futures-io's `AsyncRead` and `AsyncWrite` for a type that
/// implements [`BufferedRead`] and [`BufferedWrite`] (or, with `read` or
/// `write` first, only the one side).
macro_rules! impl_futures_io {
    (read $stream:ty $(, $generic:ident: $bound:path)?) => {
        impl$(<$generic: $bound>)? futures_util::io::AsyncRead for $stream {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                out: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                use $crate::net::poll_io::BufferedRead;
                let this = self.get_mut();
                if out.is_empty() {
                    return std::task::Poll::Ready(Ok(0));
                }
                let data = std::task::ready!(this.poll_fill(cx, out.len()))?;
                let n = out.len().min(data.len());
                out[..n].copy_from_slice(&data[..n]);
                this.consume(n);
                std::task::Poll::Ready(Ok(n))
            }
        }
    };
    (write $stream:ty $(, $generic:ident: $bound:path)?) => {
        impl$(<$generic: $bound>)? futures_util::io::AsyncWrite for $stream {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                data: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                $crate::net::poll_io::BufferedWrite::poll_write(self.get_mut(), cx, data)
            }

            fn poll_write_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                $crate::net::poll_io::BufferedWrite::poll_write_vectored(self.get_mut(), cx, bufs)
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                $crate::net::poll_io::BufferedWrite::poll_flush(self.get_mut(), cx)
            }

            /// Flushes, then shuts down the write direction (the peer reads
            /// EOF).
            fn poll_close(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                $crate::net::poll_io::BufferedWrite::poll_close(self.get_mut(), cx)
            }
        }
    };
}
pub(crate) use impl_futures_io;

/// Implements tokio's `AsyncRead` and `AsyncWrite` for a type that
/// implements [`BufferedRead`] and [`BufferedWrite`] (or, with `read` or
/// `write` first, only the one side). A read copies into the unfilled part
/// of the caller's `ReadBuf`, never zeroing or initializing the rest.
#[cfg(feature = "tokio-io")]
macro_rules! impl_tokio_io {
    (read $stream:ty $(, $generic:ident: $bound:path)?) => {
        impl$(<$generic: $bound>)? tokio::io::AsyncRead for $stream {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                out: &mut tokio::io::ReadBuf<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                use $crate::net::poll_io::BufferedRead;
                let this = self.get_mut();
                let room = out.remaining();
                if room == 0 {
                    return std::task::Poll::Ready(Ok(()));
                }
                let data = std::task::ready!(this.poll_fill(cx, room))?;
                let n = room.min(data.len());
                out.put_slice(&data[..n]);
                this.consume(n);
                std::task::Poll::Ready(Ok(()))
            }
        }
    };
    (write $stream:ty $(, $generic:ident: $bound:path)?) => {
        impl$(<$generic: $bound>)? tokio::io::AsyncWrite for $stream {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                data: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                $crate::net::poll_io::BufferedWrite::poll_write(self.get_mut(), cx, data)
            }

            fn poll_write_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                $crate::net::poll_io::BufferedWrite::poll_write_vectored(self.get_mut(), cx, bufs)
            }

            fn is_write_vectored(&self) -> bool {
                true
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                $crate::net::poll_io::BufferedWrite::poll_flush(self.get_mut(), cx)
            }

            /// Flushes, then shuts down the write direction (the peer reads
            /// EOF).
            fn poll_shutdown(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                $crate::net::poll_io::BufferedWrite::poll_close(self.get_mut(), cx)
            }
        }
    };
}
#[cfg(feature = "tokio-io")]
pub(crate) use impl_tokio_io;

/// Implements [`BufferedRead`] and [`BufferedWrite`], and the I/O traits
/// built on them, for a stream type with `io: SocketIo`, `reader: PollRead`
/// and `writer: PollWrite` fields.
macro_rules! impl_async_io {
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
                self.writer.poll_close(&self.io.fd, cx)
            }
        }

        $crate::net::poll_io::impl_futures_io!(read $stream);
        $crate::net::poll_io::impl_futures_io!(write $stream);
        #[cfg(feature = "tokio-io")]
        $crate::net::poll_io::impl_tokio_io!(read $stream);
        #[cfg(feature = "tokio-io")]
        $crate::net::poll_io::impl_tokio_io!(write $stream);
    };
}
pub(crate) use impl_async_io;
