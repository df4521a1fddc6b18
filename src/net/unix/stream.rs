//! [`UnixStream`]: a Unix stream connection on the ring.

use super::addr::SocketAddr;
use crate::buf::{BufResult, IoBuf, IoBufMut};
use crate::cancel::{cancellable, Cancellable};
use crate::fd::SharedFd;
use crate::fs::File;
use crate::net::poll_io::{impl_async_io, PollRead, PollWrite};
use crate::net::socket_io::SocketIo;
use crate::net::split::{split, OwnedReadHalf, OwnedWriteHalf, SplitStream};
use crate::op::connect::Connect;
use crate::op::Op;
use socket2::{Domain, SockRef, Socket, Type};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::path::Path;

/// A Unix stream connection. The same I/O as
/// [`TcpStream`](crate::net::TcpStream): owned buffers, `&self` methods,
/// split halves, and futures-io `AsyncRead`/`AsyncWrite`. With feature
/// `tokio-io` it implements tokio's `AsyncRead` and `AsyncWrite` too,
/// cancel-safe like the futures-io ones (a dropped poll loses no byte).
/// [`OwnedRead`](crate::io::OwnedRead) and
/// [`OwnedWrite`](crate::io::OwnedWrite) give its owned-buffer methods to
/// generic code.
///
/// # Examples
///
/// ```no_run
/// ringio::run(async {
///     let stream = ringio::net::UnixStream::connect("/tmp/ringio.sock").await.unwrap();
///     let (res, _) = stream.write_all(b"hello".to_vec()).await;
///     res.unwrap();
/// });
/// ```
pub struct UnixStream {
    io: SocketIo,
    reader: PollRead,
    writer: PollWrite,
}

impl std::fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnixStream")
            .field("fd", &self.io.fd.raw())
            .field("local_addr", &self.local_addr().ok())
            .field("peer_addr", &self.peer_addr().ok())
            .finish()
    }
}

impl UnixStream {
    pub(crate) fn from_owned_fd(fd: OwnedFd) -> UnixStream {
        UnixStream::from_shared(SharedFd::new(fd))
    }

    fn from_shared(fd: SharedFd) -> UnixStream {
        UnixStream {
            io: SocketIo::new(fd),
            reader: PollRead::default(),
            writer: PollWrite::default(),
        }
    }

    /// Connects to the socket at `path` (a leading NUL byte names an
    /// abstract socket) through `IORING_OP_CONNECT`.
    ///
    /// # Errors
    ///
    /// `NotFound` when no socket file exists, `ConnectionRefused` when
    /// nobody listens, `InvalidInput` for a path too long or with a NUL
    /// byte inside (a leading NUL names an abstract socket), or another OS
    /// error.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, no connection is attempted.
    /// Dropped after, the connection may have been made; either way the socket
    /// closes with the future. See [the crate docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::UnixStream::connect("\0ringio-abstract").await.unwrap();
    ///     # drop(stream);
    /// });
    /// ```
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let addr = super::addr::sock_addr(path.as_ref())?;
        let socket = Socket::new(Domain::UNIX, Type::STREAM, None)?;
        let fd = SharedFd::new(OwnedFd::from(socket));
        Op::submit(Connect::new(fd.clone(), addr)).await?;
        Ok(UnixStream::from_shared(fd))
    }

    /// A connected pair of unnamed sockets (`socketpair(2)`).
    ///
    /// # Errors
    ///
    /// The OS error (`EMFILE`).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let (a, b) = ringio::net::UnixStream::pair().unwrap();
    /// # drop((a, b));
    /// ```
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = Socket::pair(Domain::UNIX, Type::STREAM, None)?;
        Ok((
            UnixStream::from_owned_fd(a.into()),
            UnixStream::from_owned_fd(b.into()),
        ))
    }

    /// Receives into `buf` (from its start, up to its capacity); 0 = EOF.
    ///
    /// # Errors
    ///
    /// `ConnectionReset`, or another OS error.
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
    ///     let (a, _b) = ringio::net::UnixStream::pair().unwrap();
    ///     let (n, buf) = a.read(Vec::with_capacity(64)).await;
    ///     assert_eq!(buf.len(), n.unwrap());
    /// });
    /// ```
    pub fn read<B: IoBufMut>(&self, buf: B) -> impl Cancellable<Output = BufResult<usize, B>> + '_ {
        cancellable(async move { self.io.read(buf).await })
    }

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
    ///     let (a, _b) = ringio::net::UnixStream::pair().unwrap();
    ///     let (n, _buf) = a.write(b"hi".to_vec()).await;
    ///     n.unwrap();
    /// });
    /// ```
    pub fn write<B: IoBuf>(&self, buf: B) -> impl Cancellable<Output = BufResult<usize, B>> + '_ {
        cancellable(async move { self.io.write(buf).await })
    }

    /// Sends all of `buf`'s initialized bytes, looping over short sends.
    ///
    /// # Errors
    ///
    /// As [`write`](UnixStream::write), or `WriteZero`.
    ///
    /// # Cancel safety
    ///
    /// Not cancel-safe as a whole: a drop loses how much was sent. Each send in
    /// it follows the rules of [`write`](UnixStream::write).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let (a, _b) = ringio::net::UnixStream::pair().unwrap();
    ///     let (res, _buf) = a.write_all(vec![0u8; 1024]).await;
    ///     res.unwrap();
    /// });
    /// ```
    pub fn write_all<B: IoBuf>(&self, buf: B) -> impl Cancellable<Output = BufResult<(), B>> + '_ {
        cancellable(async move { self.io.write_all(buf).await })
    }

    /// Receives into `bufs` in order; returns the total (0 = EOF).
    ///
    /// # Errors
    ///
    /// As [`read`](UnixStream::read).
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
    ///     let (a, _b) = ringio::net::UnixStream::pair().unwrap();
    ///     let (n, _bufs) = a.readv(vec![vec![0u8; 4], vec![0u8; 64]]).await;
    ///     n.unwrap();
    /// });
    /// ```
    pub fn readv<B: IoBufMut>(
        &self,
        bufs: Vec<B>,
    ) -> impl Cancellable<Output = BufResult<usize, Vec<B>>> + '_ {
        cancellable(async move { self.io.readv(bufs).await })
    }

    /// Sends the initialized bytes of `bufs` in order; returns how many
    /// were sent.
    ///
    /// # Errors
    ///
    /// As [`write`](UnixStream::write).
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
    ///     let (a, _b) = ringio::net::UnixStream::pair().unwrap();
    ///     let (n, _bufs) = a.writev(vec![b"a".to_vec(), b"b".to_vec()]).await;
    ///     n.unwrap();
    /// });
    /// ```
    pub fn writev<B: IoBuf>(
        &self,
        bufs: Vec<B>,
    ) -> impl Cancellable<Output = BufResult<usize, Vec<B>>> + '_ {
        cancellable(async move { self.io.writev(bufs).await })
    }

    /// Sends `len` bytes of `file` from `offset` without copying them
    /// through user memory, as [`TcpStream::send_file`](crate::net::TcpStream::send_file)
    /// does (file → pipe → socket, `IORING_OP_SPLICE`; a buffer where the
    /// kernel lacks it). Returns the count sent: `len`, or less when the
    /// file ends first.
    ///
    /// # Errors
    ///
    /// As [`TcpStream::send_file`](crate::net::TcpStream::send_file);
    /// `BrokenPipe` when the peer is gone.
    ///
    /// # Cancel safety
    ///
    /// Not cancel-safe: dropped midway, some of the bytes may have been
    /// sent, and how many is lost. The dropped call's pipe is never reused.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let path = std::env::temp_dir().join(format!("ringio-send-file-{}", std::process::id()));
    ///     std::fs::write(&path, b"hello from the page cache").unwrap();
    ///     let file = ringio::fs::File::open(&path).await.unwrap();
    ///     let (a, b) = ringio::net::UnixStream::pair().unwrap();
    ///     assert_eq!(a.send_file(&file, 6, 4).await.unwrap(), 4);
    ///     let (n, buf) = b.read(Vec::with_capacity(16)).await;
    ///     assert_eq!(&buf[..n.unwrap()], b"from");
    ///     std::fs::remove_file(&path).unwrap();
    /// });
    /// ```
    pub async fn send_file(&self, file: &File, offset: u64, len: usize) -> io::Result<usize> {
        crate::io::send_file(&self.io.fd, file, offset, len).await
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
    ///     let (a, _b) = ringio::net::UnixStream::pair().unwrap();
    ///     let chunk = a.recv_multishot().next().await;
    ///     # drop(chunk);
    /// });
    /// ```
    pub fn recv_multishot(&self) -> crate::net::RecvStream<'_> {
        self.io.recv_multishot()
    }

    /// Splits the stream into halves for two tasks (see
    /// [`TcpStream::into_split`](crate::net::TcpStream::into_split)).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let (a, _b) = ringio::net::UnixStream::pair().unwrap();
    ///     let (reader, writer) = a.into_split();
    ///     # drop((reader, writer));
    /// });
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf<UnixStream>, OwnedWriteHalf<UnixStream>) {
        let UnixStream { io, reader, writer } = self;
        split(UnixStream::from_shared(io.fd), reader, writer)
    }

    /// Shuts down the read, write or both directions.
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
    ///     let (a, _b) = ringio::net::UnixStream::pair().unwrap();
    ///     a.shutdown(std::net::Shutdown::Write).await.unwrap();
    /// });
    /// ```
    pub async fn shutdown(&self, how: std::net::Shutdown) -> io::Result<()> {
        self.io.shutdown(how).await
    }

    /// This socket's address.
    ///
    /// # Errors
    ///
    /// The OS error of `getsockname(2)`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let (a, _b) = ringio::net::UnixStream::pair().unwrap();
    /// assert!(a.local_addr().unwrap().is_unnamed());
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(SocketAddr::new(SockRef::from(&self.io.fd).local_addr()?))
    }

    /// The peer's address.
    ///
    /// # Errors
    ///
    /// The OS error of `getpeername(2)`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let (a, _b) = ringio::net::UnixStream::pair().unwrap();
    /// assert!(a.peer_addr().unwrap().is_unnamed());
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        Ok(SocketAddr::new(SockRef::from(&self.io.fd).peer_addr()?))
    }

    /// Wraps a connected `std::os::unix::net::UnixStream`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let stream = ringio::net::UnixStream::from_std(a);
    /// # drop(stream);
    /// ```
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> UnixStream {
        UnixStream::from_owned_fd(OwnedFd::from(stream))
    }

    /// Turns the stream into a `std::os::unix::net::UnixStream` (in
    /// blocking mode, as std's are).
    ///
    /// Bytes the futures-io adapter holds are dropped: those it read ahead
    /// and those a `poll_write` took that no flush has sent (flush first). If
    /// an operation dropped earlier is still in flight, the std stream gets a
    /// duplicate of the fd (`dup`), and bytes that operation receives are
    /// lost.
    ///
    /// # Errors
    ///
    /// The OS error of `dup(2)` (`EMFILE`), when a duplicate is needed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    ///
    /// let (a, b) = ringio::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (a.into_std().unwrap(), b.into_std().unwrap());
    /// a.write_all(b"hi").unwrap();
    /// let mut buf = [0u8; 2];
    /// b.read_exact(&mut buf).unwrap();
    /// assert_eq!(&buf, b"hi");
    /// ```
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixStream> {
        let UnixStream { io, reader, writer } = self;
        drop((reader, writer));
        crate::net::into_owned_fd(io.fd).map(std::os::unix::net::UnixStream::from)
    }
}

impl AsRawFd for UnixStream {
    fn as_raw_fd(&self) -> RawFd {
        self.io.fd.raw()
    }
}

impl AsFd for UnixStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.fd.as_fd()
    }
}

impl SplitStream for UnixStream {
    fn socket(&self) -> &SocketIo {
        &self.io
    }
}

impl_async_io!(UnixStream);
