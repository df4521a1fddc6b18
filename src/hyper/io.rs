//! [`HyperIo`]: a ringio stream as hyper's `Read` and `Write`.

use crate::net::poll_io::{BufferedRead, BufferedWrite};
use crate::op::poll_add::PollAdd;
use crate::op::Op;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// A ringio stream as `hyper::rt::Read` and `hyper::rt::Write`.
///
/// Implemented for [`TcpStream`](crate::net::TcpStream),
/// [`UnixStream`](crate::net::UnixStream) and the split halves (each half
/// its own direction). Reads hand out bytes from the stream's internal
/// owned buffer (one copy into hyper's buffer, which is never zeroed); a
/// write copies up to 64 KiB in and starts the send at once, so the bytes
/// reach the socket without waiting for a flush, and a send error surfaces
/// at the next write or flush. Shutting down a stream whose peer already
/// left is `Ok`. Cancel-safe like the stream's futures-io impls: a dropped
/// poll loses no byte.
///
/// # Examples
///
/// ```no_run
/// use ringio::hyper::HyperIo;
///
/// ringio::run(async {
///     let stream = ringio::net::TcpStream::connect("127.0.0.1:8080").await.unwrap();
///     let io = HyperIo::new(stream);
///     let (mut sender, conn) = hyper::client::conn::http1::handshake::<_, String>(io)
///         .await
///         .unwrap();
///     drop(ringio::spawn(conn));
///     let response = sender
///         .send_request(hyper::Request::new(String::new()))
///         .await
///         .unwrap();
///     println!("{}", response.status());
/// });
/// ```
pub struct HyperIo<S> {
    inner: S,
    /// The readiness poll of the experimental read path.
    readable: Option<Op<PollAdd>>,
}

impl<S: std::fmt::Debug> std::fmt::Debug for HyperIo<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperIo").field("inner", &self.inner).finish()
    }
}

fn readiness_reads() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("RINGIO_HYPER_READINESS").is_some())
}

impl<S> HyperIo<S> {
    /// Wraps `stream`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:8080").await.unwrap();
    ///     let io = ringio::hyper::HyperIo::new(stream);
    ///     # drop(io);
    /// });
    /// ```
    pub fn new(stream: S) -> HyperIo<S> {
        HyperIo {
            inner: stream,
            readable: None,
        }
    }

    /// The stream back. Bytes received but not yet read through hyper stay
    /// in the stream's futures-io buffer.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:8080").await.unwrap();
    ///     let stream = ringio::hyper::HyperIo::new(stream).into_inner();
    ///     # drop(stream);
    /// });
    /// ```
    pub fn into_inner(self) -> S {
        self.inner
    }

    /// The stream.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:8080").await.unwrap();
    ///     let io = ringio::hyper::HyperIo::new(stream);
    ///     println!("{:?}", io.get_ref().peer_addr());
    /// });
    /// ```
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The stream, mutably.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:8080").await.unwrap();
    ///     let mut io = ringio::hyper::HyperIo::new(stream);
    ///     io.get_mut().set_nodelay(true).unwrap();
    /// });
    /// ```
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }
}

impl<S: BufferedRead + Unpin> ::hyper::rt::Read for HyperIo<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ::hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let inner = &mut this.inner;
        let room = buf.remaining();
        if room == 0 {
            return Poll::Ready(Ok(()));
        }
        if readiness_reads() && inner.buffered() == 0 {
            loop {
                match crate::sys::recv_cursor::recv_into(inner.read_fd().raw(), &mut buf) {
                    Ok(_) => return Poll::Ready(Ok(())),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Poll::Ready(Err(e)),
                }
                let fd = inner.read_fd().clone();
                let op = this
                    .readable
                    .get_or_insert_with(|| Op::submit(PollAdd::new(fd, libc::POLLIN as u32)));
                ready!(Pin::new(op).poll(cx))?;
                this.readable = None;
            }
        }
        let data = ready!(inner.poll_fill(cx, room))?;
        let n = room.min(data.len());
        buf.put_slice(&data[..n]);
        inner.consume(n);
        Poll::Ready(Ok(()))
    }
}

impl<S: BufferedWrite + Unpin> ::hyper::rt::Write for HyperIo<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().inner.poll_write(cx, data)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().inner.poll_close(cx)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().inner.poll_write_vectored(cx, bufs)
    }
}
