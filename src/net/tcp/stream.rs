//! [`TcpStream`]: connect, send and receive through the ring.

use super::listener::sock_addr;
use crate::buf::{BufResult, IoBuf, IoBufMut};
use crate::fd::SharedFd;
use crate::op::connect::Connect;
use crate::op::send_recv::{Recv, Send, Shutdown};
use crate::op::Op;
use socket2::{Domain, Protocol, SockRef, Socket, Type};
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

/// A TCP connection. All I/O methods take `&self` and owned buffers.
///
/// # Examples
///
/// ```no_run
/// use ringio::net::TcpStream;
///
/// ringio::run(async {
///     let stream = TcpStream::connect("127.0.0.1:7000").await.unwrap();
///     let (res, _) = stream.write_all(b"hello".to_vec()).await;
///     res.unwrap();
///     let (n, reply) = stream.read(vec![0u8; 64]).await;
///     println!("{:?}", &reply[..n.unwrap()]);
/// });
/// ```
pub struct TcpStream {
    fd: SharedFd,
}

impl std::fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpStream")
            .field("fd", &self.fd.raw())
            .field("local_addr", &self.local_addr().ok())
            .field("peer_addr", &self.peer_addr().ok())
            .finish()
    }
}

impl TcpStream {
    pub(crate) fn from_owned_fd(fd: OwnedFd) -> TcpStream {
        TcpStream {
            fd: SharedFd::new(fd),
        }
    }

    /// Connects to `addr` (`IORING_OP_CONNECT`), trying each resolved
    /// address in turn.
    ///
    /// # Errors
    ///
    /// `ConnectionRefused` when nothing listens, `TimedOut`, or another OS
    /// error (the last address's).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future cancels the connect and closes the socket.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     # drop(stream);
    /// });
    /// ```
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        let mut last = None;
        for addr in addr.to_socket_addrs()? {
            match TcpStream::connect_addr(addr).await {
                Ok(stream) => return Ok(stream),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "could not resolve to any address",
            )
        }))
    }

    async fn connect_addr(addr: SocketAddr) -> io::Result<TcpStream> {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        let fd = SharedFd::new(OwnedFd::from(socket));
        Op::submit(Connect::new(fd.clone(), addr.into())).await?;
        Ok(TcpStream { fd })
    }

    /// Receives into `buf` (from its start, up to its capacity); 0 means the
    /// peer closed its side (EOF).
    ///
    /// # Errors
    ///
    /// `ConnectionReset` when the peer reset the connection, or another OS
    /// error.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future cancels the receive; the buffer is freed only
    /// after the kernel is done with it. Bytes the kernel had already placed
    /// in it are lost with it.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let (n, buf) = stream.read(Vec::with_capacity(4096)).await;
    ///     assert_eq!(buf.len(), n.unwrap());
    /// });
    /// ```
    pub async fn read<B: IoBufMut>(&self, buf: B) -> BufResult<usize, B> {
        Op::submit(Recv::new(self.fd.clone(), buf)).await
    }

    /// Sends `buf`'s initialized bytes; returns how many were sent (possibly
    /// fewer).
    ///
    /// # Errors
    ///
    /// `BrokenPipe` when the peer is gone (never a SIGPIPE), or another OS
    /// error.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future cancels the send (some bytes may have gone out).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let (n, _buf) = stream.write(b"hi".to_vec()).await;
    ///     assert!(n.unwrap() <= 2);
    /// });
    /// ```
    pub async fn write<B: IoBuf>(&self, buf: B) -> BufResult<usize, B> {
        Op::submit(Send::new(self.fd.clone(), buf)).await
    }

    /// Sends all of `buf`'s initialized bytes, looping over short sends.
    ///
    /// # Errors
    ///
    /// `WriteZero` if the socket takes no more bytes, or as
    /// [`write`](TcpStream::write).
    ///
    /// # Cancel safety
    ///
    /// Not cancel-safe as a whole: a drop loses how much was sent.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let (res, _buf) = stream.write_all(vec![0u8; 1 << 20]).await;
    ///     res.unwrap();
    /// });
    /// ```
    pub async fn write_all<B: IoBuf>(&self, buf: B) -> BufResult<(), B> {
        crate::io_util::write_all(buf, |rest, _| self.write(rest)).await
    }

    /// Shuts down the read, write or both halves (`IORING_OP_SHUTDOWN`);
    /// after `Shutdown::Write` the peer reads EOF.
    ///
    /// # Errors
    ///
    /// `NotConnected`, or another OS error.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use std::net::Shutdown;
    ///
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     stream.shutdown(Shutdown::Write).await.unwrap();
    /// });
    /// ```
    pub async fn shutdown(&self, how: std::net::Shutdown) -> io::Result<()> {
        Op::submit(Shutdown::new(self.fd.clone(), how)).await
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm).
    ///
    /// # Errors
    ///
    /// The OS error of `setsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     stream.set_nodelay(true).unwrap();
    ///     assert!(stream.nodelay().unwrap());
    /// });
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        SockRef::from(&self.fd).set_tcp_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    ///
    /// # Errors
    ///
    /// The OS error of `getsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let _ = stream.nodelay().unwrap();
    /// });
    /// ```
    pub fn nodelay(&self) -> io::Result<bool> {
        SockRef::from(&self.fd).tcp_nodelay()
    }

    /// The local address of the connection.
    ///
    /// # Errors
    ///
    /// The OS error of `getsockname(2)`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     println!("{}", stream.local_addr().unwrap());
    /// });
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        sock_addr(SockRef::from(&self.fd).local_addr()?)
    }

    /// The peer's address.
    ///
    /// # Errors
    ///
    /// `NotConnected`, or another OS error of `getpeername(2)`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     assert_eq!(stream.peer_addr().unwrap().port(), 7000);
    /// });
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        sock_addr(SockRef::from(&self.fd).peer_addr()?)
    }

    /// Wraps a connected `std::net::TcpStream`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let std_stream = std::net::TcpStream::connect("127.0.0.1:7000").unwrap();
    /// let stream = ringio::net::TcpStream::from_std(std_stream);
    /// # drop(stream);
    /// ```
    pub fn from_std(stream: std::net::TcpStream) -> TcpStream {
        TcpStream::from_owned_fd(OwnedFd::from(stream))
    }
}

impl AsRawFd for TcpStream {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.raw()
    }
}
