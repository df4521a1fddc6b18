//! [`HyperIo`]: a ringio stream as hyper's `Read` and `Write`.

use crate::net::poll_io::{BufferedRead, BufferedWrite};
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
#[derive(Debug)]
pub struct HyperIo<S> {
    inner: S,
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
        HyperIo { inner: stream }
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
        let inner = &mut self.get_mut().inner;
        let room = buf.remaining();
        if room == 0 {
            return Poll::Ready(Ok(()));
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
