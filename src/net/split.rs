//! [`OwnedReadHalf`] and [`OwnedWriteHalf`]: a stream split for two tasks.

use crate::buf::{BufResult, IoBuf, IoBufMut};
use crate::cancel::{cancellable, Cancellable};
use crate::fs::File;
use crate::net::poll_io::{impl_futures_io, BufferedRead, BufferedWrite, PollRead, PollWrite};
use crate::net::socket_io::SocketIo;
use socket2::SockRef;
use std::future::Future;
use std::io;
use std::rc::Rc;
use std::task::{Context, Poll};

pub(crate) use private::SplitStream;

mod private {
    /// A stream socket that can be split (TCP and Unix streams). Sealed.
    pub trait SplitStream {
        /// The socket's owned-buffer I/O.
        fn socket(&self) -> &super::SocketIo;
    }
}

pub(crate) fn split<S: SplitStream>(
    stream: S,
    reader: PollRead,
    writer: PollWrite,
) -> (OwnedReadHalf<S>, OwnedWriteHalf<S>) {
    let stream = Rc::new(stream);
    (
        OwnedReadHalf {
            stream: stream.clone(),
            reader,
        },
        OwnedWriteHalf { stream, writer },
    )
}

/// The read half of a split stream ([`TcpStream::into_split`],
/// [`UnixStream::into_split`]). `as_ref()` gives the stream (addresses,
/// options).
///
/// It implements [`OwnedRead`](crate::io::OwnedRead) and futures-io's
/// `AsyncRead`; with feature `tokio-io`, also tokio's `AsyncRead`, through
/// the same internal buffer and as cancel-safe: a dropped read loses no
/// bytes.
///
/// [`TcpStream::into_split`]: crate::net::TcpStream::into_split
/// [`UnixStream::into_split`]: crate::net::UnixStream::into_split
///
/// # Examples
///
/// ```no_run
/// ringio::run(async {
///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
///     let (reader, _writer) = stream.into_split();
///     println!("reading from {:?}", reader.as_ref().peer_addr());
///     let (n, _buf) = reader.read(vec![0u8; 1024]).await;
///     n.unwrap();
/// });
/// ```
#[derive(Debug)]
pub struct OwnedReadHalf<S> {
    stream: Rc<S>,
    reader: PollRead,
}

/// The write half of a split stream. Dropping it shuts down the write
/// direction (the peer reads EOF).
///
/// It implements [`OwnedWrite`](crate::io::OwnedWrite) and futures-io's
/// `AsyncWrite`; with feature `tokio-io`, also tokio's `AsyncWrite`, through
/// the same internal buffer and as cancel-safe: a dropped write loses no
/// accepted byte.
///
/// # Examples
///
/// ```no_run
/// ringio::run(async {
///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
///     let (_reader, writer) = stream.into_split();
///     let (res, _buf) = writer.write_all(b"hello".to_vec()).await;
///     res.unwrap();
/// });
/// ```
#[derive(Debug)]
pub struct OwnedWriteHalf<S: SplitStream> {
    stream: Rc<S>,
    writer: PollWrite,
}

impl<S: SplitStream> OwnedReadHalf<S> {
    /// Receives into `buf` (from its start, up to its capacity); 0 = EOF.
    ///
    /// # Errors
    ///
    /// `ConnectionReset` when the peer reset the connection, or another OS
    /// error.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, the receive never starts and the
    /// socket keeps its bytes. Dropped after, it may have completed: the bytes
    /// it received are consumed and lost. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let (reader, _writer) = stream.into_split();
    ///     let (n, buf) = reader.read(Vec::with_capacity(64)).await;
    ///     assert_eq!(buf.len(), n.unwrap());
    /// });
    /// ```
    pub fn read<B: IoBufMut>(&self, buf: B) -> impl Cancellable<Output = BufResult<usize, B>> + '_ {
        cancellable(async move { self.stream.socket().read(buf).await })
    }

    /// Receives into `bufs` in order; returns the total (0 = EOF).
    ///
    /// # Errors
    ///
    /// As [`read`](OwnedReadHalf::read).
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, the receive never starts and the
    /// socket keeps its bytes. Dropped after, it may have completed: the bytes
    /// it received are consumed and lost. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let (reader, _writer) = stream.into_split();
    ///     let (n, _bufs) = reader.readv(vec![vec![0u8; 8], vec![0u8; 64]]).await;
    ///     n.unwrap();
    /// });
    /// ```
    pub fn readv<B: IoBufMut>(
        &self,
        bufs: Vec<B>,
    ) -> impl Cancellable<Output = BufResult<usize, Vec<B>>> + '_ {
        cancellable(async move { self.stream.socket().readv(bufs).await })
    }

    /// The bytes received from now on as a stream of pooled chunks (see
    /// [`TcpStream::recv_multishot`](crate::net::TcpStream::recv_multishot)).
    ///
    /// # Cancel safety
    ///
    /// As [`TcpStream::recv_multishot`](crate::net::TcpStream::recv_multishot).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    ///
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let (reader, writer) = stream.into_split();
    ///     let mut chunks = reader.recv_multishot();
    ///     while let Some(chunk) = chunks.next().await {
    ///         let (res, _) = writer.write_all(chunk.unwrap()).await;
    ///         res.unwrap();
    ///     }
    /// });
    /// ```
    pub fn recv_multishot(&self) -> crate::net::RecvStream<'_> {
        self.stream.socket().recv_multishot()
    }
}

impl<S> AsRef<S> for OwnedReadHalf<S> {
    fn as_ref(&self) -> &S {
        &self.stream
    }
}

impl<S: SplitStream> OwnedWriteHalf<S> {
    /// Sends `buf`'s initialized bytes; returns how many were sent.
    ///
    /// # Errors
    ///
    /// `BrokenPipe` when the peer is gone (never a SIGPIPE), or another OS
    /// error.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, nothing is sent. Dropped after,
    /// some or all of the bytes may have been sent. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let (_reader, writer) = stream.into_split();
    ///     let (n, _buf) = writer.write(b"hi".to_vec()).await;
    ///     n.unwrap();
    /// });
    /// ```
    pub fn write<B: IoBuf>(&self, buf: B) -> impl Cancellable<Output = BufResult<usize, B>> + '_ {
        cancellable(async move { self.stream.socket().write(buf).await })
    }

    /// Sends all of `buf`'s initialized bytes, looping over short sends.
    ///
    /// # Errors
    ///
    /// As [`write`](OwnedWriteHalf::write), or `WriteZero`.
    ///
    /// # Cancel safety
    ///
    /// Not cancel-safe as a whole: a drop loses how much was sent. Each send in
    /// it follows the rules of [`write`](OwnedWriteHalf::write).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let (_reader, writer) = stream.into_split();
    ///     let (res, _buf) = writer.write_all(vec![0u8; 1 << 20]).await;
    ///     res.unwrap();
    /// });
    /// ```
    pub fn write_all<B: IoBuf>(&self, buf: B) -> impl Cancellable<Output = BufResult<(), B>> + '_ {
        cancellable(async move { self.stream.socket().write_all(buf).await })
    }

    /// Sends the initialized bytes of `bufs` in order; returns how many
    /// were sent.
    ///
    /// # Errors
    ///
    /// As [`write`](OwnedWriteHalf::write).
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, nothing is sent. Dropped after,
    /// some or all of the bytes may have been sent. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let (_reader, writer) = stream.into_split();
    ///     let (n, _bufs) = writer.writev(vec![b"a".to_vec(), b"b".to_vec()]).await;
    ///     n.unwrap();
    /// });
    /// ```
    pub fn writev<B: IoBuf>(
        &self,
        bufs: Vec<B>,
    ) -> impl Cancellable<Output = BufResult<usize, Vec<B>>> + '_ {
        cancellable(async move { self.stream.socket().writev(bufs).await })
    }

    /// Sends `len` bytes of `file` from `offset` without copying them
    /// through user memory, as [`TcpStream::send_file`](crate::net::TcpStream::send_file)
    /// does. Returns the count sent: `len`, or less when the file ends
    /// first.
    ///
    /// # Errors
    ///
    /// As [`TcpStream::send_file`](crate::net::TcpStream::send_file).
    ///
    /// # Cancel safety
    ///
    /// Not cancel-safe: dropped midway, some of the bytes may have been
    /// sent, and how many is lost. The dropped call's pipe is never reused.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let file = ringio::fs::File::open("index.html").await.unwrap();
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let (_reader, writer) = stream.into_split();
    ///     let sent = writer.send_file(&file, 0, 4096).await.unwrap();
    ///     println!("sent {sent} bytes");
    /// });
    /// ```
    pub async fn send_file(&self, file: &File, offset: u64, len: usize) -> io::Result<usize> {
        crate::io::send_file(&self.stream.socket().fd, file, offset, len).await
    }

    /// Shuts down the write direction now (the peer reads EOF).
    ///
    /// # Errors
    ///
    /// `NotConnected`, or another OS error.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, nothing is shut down. Dropped
    /// after, the shutdown may have been made. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let (_reader, writer) = stream.into_split();
    ///     writer.shutdown().await.unwrap();
    /// });
    /// ```
    pub async fn shutdown(&self) -> io::Result<()> {
        self.stream
            .socket()
            .shutdown(std::net::Shutdown::Write)
            .await
    }
}

impl<S: SplitStream> AsRef<S> for OwnedWriteHalf<S> {
    fn as_ref(&self) -> &S {
        &self.stream
    }
}

impl<S: SplitStream> Drop for OwnedWriteHalf<S> {
    fn drop(&mut self) {
        // shutdown(2) never blocks; an error (already shut, reset) changes
        // nothing for anyone.
        let _ = SockRef::from(&self.stream.socket().fd).shutdown(std::net::Shutdown::Write);
    }
}

impl<S: SplitStream> BufferedRead for OwnedReadHalf<S> {
    fn poll_fill(&mut self, cx: &mut Context<'_>, hint: usize) -> Poll<io::Result<&[u8]>> {
        self.reader.poll_fill(&self.stream.socket().fd, cx, hint)
    }

    fn consume(&mut self, n: usize) {
        self.reader.consume(n)
    }
}

impl<S: SplitStream> BufferedWrite for OwnedWriteHalf<S> {
    fn poll_write(&mut self, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        self.writer.poll_write(&self.stream.socket().fd, cx, data)
    }

    fn poll_write_vectored(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.writer
            .poll_write_vectored(&self.stream.socket().fd, cx, bufs)
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.writer.poll_flush(&self.stream.socket().fd, cx)
    }

    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.writer.poll_close(&self.stream.socket().fd, cx)
    }
}

impl_futures_io!(read OwnedReadHalf<S>, S: SplitStream);
impl_futures_io!(write OwnedWriteHalf<S>, S: SplitStream);
#[cfg(feature = "tokio-io")]
crate::net::poll_io::impl_tokio_io!(read OwnedReadHalf<S>, S: SplitStream);
#[cfg(feature = "tokio-io")]
crate::net::poll_io::impl_tokio_io!(write OwnedWriteHalf<S>, S: SplitStream);

impl<S: SplitStream> crate::io::OwnedRead for OwnedReadHalf<S> {
    fn read<B: IoBufMut>(&self, buf: B) -> impl Future<Output = BufResult<usize, B>> {
        OwnedReadHalf::read(self, buf)
    }

    fn readv<B: IoBufMut>(&self, bufs: Vec<B>) -> impl Future<Output = BufResult<usize, Vec<B>>> {
        OwnedReadHalf::readv(self, bufs)
    }
}

impl<S: SplitStream> crate::io::OwnedWrite for OwnedWriteHalf<S> {
    fn write<B: IoBuf>(&self, buf: B) -> impl Future<Output = BufResult<usize, B>> {
        OwnedWriteHalf::write(self, buf)
    }

    fn write_all<B: IoBuf>(&self, buf: B) -> impl Future<Output = BufResult<(), B>> {
        OwnedWriteHalf::write_all(self, buf)
    }

    fn writev<B: IoBuf>(&self, bufs: Vec<B>) -> impl Future<Output = BufResult<usize, Vec<B>>> {
        OwnedWriteHalf::writev(self, bufs)
    }

    fn shutdown(&self) -> impl Future<Output = io::Result<()>> {
        OwnedWriteHalf::shutdown(self)
    }
}
