//! futures-io and tokio adapters over completion I/O: [`PollRead`] and
//! [`PollWrite`] keep an internal owned buffer and at most one operation in
//! flight, so a dropped poll loses nothing: the operation stays with the
//! stream and its bytes are handed out (or its send finished) by the next
//! poll.
//!
//! The state machines are [`ReadAdapter`] and [`WriteAdapter`], generic
//! over the [`AdapterOps`] they run: sockets' `Recv`/`Send` here
//! ([`SocketOps`]), pipes' and standard streams' reads and writes at the
//! current position in `crate::io::fd_io`.

use crate::buf::{BufResult, IoBuf, Slice};
use crate::fd::SharedFd;
use crate::op::poll::PollAdd;
use crate::op::send_recv::{Recv, Send};
use crate::op::{Op, OpCode};
use socket2::SockRef;
use std::future::Future;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Bytes asked of the kernel per adapter read (more when the caller's
/// buffer is larger).
const READ_CHUNK: usize = 16 * 1024;
/// Most bytes one adapter `poll_write` takes in.
const WRITE_CHUNK: usize = 64 * 1024;

/// The pair of operations an adapter runs on its fd: one receiving into a
/// `Vec<u8>` (from its start, up to its capacity), one sending a slice of
/// one.
pub(crate) trait AdapterOps: 'static {
    /// Receives into the buffer's spare capacity.
    type Read: OpCode<Output = BufResult<usize, Vec<u8>>>;
    /// Sends the slice's bytes (perhaps only some).
    type Write: OpCode<Output = BufResult<usize, Slice<Vec<u8>>>>;

    /// Whether a result of `EAGAIN` waits for readiness (`POLLIN` or
    /// `POLLOUT`) with a one-shot `IORING_OP_POLL_ADD`, then tries again;
    /// else it is an error like any other.
    const WAIT_ON_EAGAIN: bool;

    /// The read of `fd` into `buf`.
    fn read(fd: SharedFd, buf: Vec<u8>) -> Self::Read;
    /// The read of `fd` into `buf` when the previous read drained it (came
    /// back short of its buffer): by default a plain read.
    fn read_drained(fd: SharedFd, buf: Vec<u8>) -> Self::Read {
        Self::read(fd, buf)
    }
    /// The write of `buf` to `fd`.
    fn write(fd: SharedFd, buf: Slice<Vec<u8>>) -> Self::Write;

    /// Shuts down the write direction, for
    /// [`WriteAdapter::poll_close`]; by default there is none, and this
    /// does nothing.
    fn shutdown_write(_fd: &SharedFd) -> io::Result<()> {
        Ok(())
    }
}

/// A connected socket's operations: `IORING_OP_RECV`/`SEND`, and
/// `shutdown(2)` on close. `EAGAIN` is an error like any other.
pub(crate) enum SocketOps {}

impl AdapterOps for SocketOps {
    type Read = Recv<Vec<u8>>;
    type Write = Send<Slice<Vec<u8>>>;
    const WAIT_ON_EAGAIN: bool = false;

    fn read(fd: SharedFd, buf: Vec<u8>) -> Self::Read {
        Recv::new(fd, buf)
    }

    fn read_drained(fd: SharedFd, buf: Vec<u8>) -> Self::Read {
        Recv::when_readable(fd, buf)
    }

    fn write(fd: SharedFd, buf: Slice<Vec<u8>>) -> Self::Write {
        Send::new(fd, buf)
    }

    fn shutdown_write(fd: &SharedFd) -> io::Result<()> {
        // shutdown(2) never blocks. A peer that already left (the socket is
        // no longer connected) has nothing to be told: Ok, as tokio's
        // streams say.
        match SockRef::from(fd).shutdown(std::net::Shutdown::Write) {
            Err(e) if e.kind() != io::ErrorKind::NotConnected => Err(e),
            _ => Ok(()),
        }
    }
}

/// The read side of a socket's adapter: received bytes not yet handed out.
pub(crate) type PollRead = ReadAdapter<SocketOps>;
/// The write side of a socket's adapter: accepted bytes the kernel has not
/// taken.
pub(crate) type PollWrite = WriteAdapter<SocketOps>;

impl std::fmt::Debug for PollRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollRead")
            .field("buffered", &self.buffered())
            .field("in_flight", &self.in_flight())
            .finish()
    }
}

impl std::fmt::Debug for PollWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollWrite")
            .field("in_flight", &self.in_flight())
            .field("shut_down", &self.shut_down)
            .finish()
    }
}

fn would_block<O: AdapterOps>(e: &io::Error) -> bool {
    O::WAIT_ON_EAGAIN && e.kind() == io::ErrorKind::WouldBlock
}

/// The operation a [`ReadAdapter`] has in flight.
enum ReadState<O: AdapterOps> {
    Idle,
    Reading(Op<O::Read>),
    /// The read came back `EAGAIN`: waiting for `POLLIN`.
    Waiting(Op<PollAdd>),
}

/// The read side of the adapter: bytes read and not yet handed out, and at
/// most one operation in flight (kept across dropped polls).
pub(crate) struct ReadAdapter<O: AdapterOps> {
    buf: Vec<u8>,
    /// `buf[pos..]` is still to be handed out.
    pos: usize,
    state: ReadState<O>,
    /// Whether the last read came back short of its buffer: the fd had no
    /// more then.
    drained: bool,
}

impl<O: AdapterOps> Default for ReadAdapter<O> {
    fn default() -> Self {
        ReadAdapter {
            buf: Vec::new(),
            pos: 0,
            state: ReadState::Idle,
            drained: false,
        }
    }
}

impl<O: AdapterOps> ReadAdapter<O> {
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
                    self.drained = matches!(res, Ok(n) if n < buf.capacity());
                    self.buf = buf;
                    self.pos = 0;
                    match res {
                        Ok(0) => return Poll::Ready(Ok(&[])),
                        Ok(_) => {}
                        Err(e) if would_block::<O>(&e) => {
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
                    let read = if self.drained {
                        O::read_drained(fd.clone(), buf)
                    } else {
                        O::read(fd.clone(), buf)
                    };
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

    /// How many bytes are read and not handed out yet.
    pub(crate) fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Whether an operation is in flight.
    pub(crate) fn in_flight(&self) -> bool {
        !matches!(self.state, ReadState::Idle)
    }
}

/// The operation a [`WriteAdapter`] has in flight.
enum WriteState<O: AdapterOps> {
    Idle,
    Writing(Op<O::Write>),
    /// The write came back `EAGAIN`: waiting for `POLLOUT`.
    Waiting(Op<PollAdd>),
}

/// The write side of the adapter: accepted bytes the kernel has not taken
/// yet, and at most one operation in flight (kept across dropped polls).
pub(crate) struct WriteAdapter<O: AdapterOps> {
    /// The accepted bytes (while no write is in flight); `buf[sent..]` is
    /// still to be written.
    buf: Vec<u8>,
    sent: usize,
    state: WriteState<O>,
    /// Whether [`poll_close`](Self::poll_close) shut the write direction
    /// down.
    shut_down: bool,
}

impl<O: AdapterOps> Default for WriteAdapter<O> {
    fn default() -> Self {
        WriteAdapter {
            buf: Vec::new(),
            sent: 0,
            state: WriteState::Idle,
            shut_down: false,
        }
    }
}

impl<O: AdapterOps> WriteAdapter<O> {
    /// Takes up to 64 KiB of `data` into the internal buffer and starts
    /// writing it; first finishes the previous write.
    pub(crate) fn poll_write(
        &mut self,
        fd: &SharedFd,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_vectored(fd, cx, &[IoSlice::new(data)])
    }

    /// Takes the bytes of `bufs` in order, up to 64 KiB in all, into the
    /// internal buffer in one go and starts writing them; first finishes the
    /// previous write. Returns how many bytes it took (0 when every slice is
    /// empty).
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
        let write = O::write(fd.clone(), buf.slice(self.sent..));
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
                        Err(e) if would_block::<O>(&e) => {
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

    /// Flushes, then shuts down the write direction (once, with
    /// [`AdapterOps::shutdown_write`]): the peer reads EOF.
    pub(crate) fn poll_close(
        &mut self,
        fd: &SharedFd,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        ready!(self.poll_flush(fd, cx))?;
        if !self.shut_down {
            O::shutdown_write(fd)?;
            self.shut_down = true;
        }
        Poll::Ready(Ok(()))
    }

    /// Whether an operation is in flight.
    pub(crate) fn in_flight(&self) -> bool {
        !matches!(self.state, WriteState::Idle)
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
