//! [`TcpSocket`]: a TCP socket to set options on before it listens or
//! connects.

use super::listener::TcpListener;
use super::stream::TcpStream;
use crate::net::addr::bind_error;
use crate::net::addr::sock_addr;
use crate::net::sockopt;
use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::time::Duration;

/// A TCP socket not yet listening or connected: set options, optionally
/// [`bind`](TcpSocket::bind), then [`listen`](TcpSocket::listen) for a
/// [`TcpListener`] or [`connect`](TcpSocket::connect) for a [`TcpStream`].
/// Made close-on-exec. Dropping it closes the socket.
///
/// # Examples
///
/// ```
/// use ringio::net::TcpSocket;
///
/// ringio::run(async {
///     let socket = TcpSocket::new_v4().unwrap();
///     socket.set_reuseaddr(true).unwrap();
///     socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
///     let listener = socket.listen(128).unwrap();
///     let addr = listener.local_addr().unwrap();
///
///     let client = TcpSocket::new_v4().unwrap();
///     client.set_nodelay(true).unwrap();
///     let (stream, accepted) = futures_util::join!(client.connect(addr), listener.accept());
///     assert_eq!(stream.unwrap().local_addr().unwrap(), accepted.unwrap().1);
/// });
/// ```
pub struct TcpSocket {
    socket: Socket,
}

impl std::fmt::Debug for TcpSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpSocket")
            .field("fd", &self.socket.as_raw_fd())
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}

impl TcpSocket {
    /// A new IPv4 TCP socket (`socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC)`).
    ///
    /// # Errors
    ///
    /// The OS error of `socket(2)` (`EMFILE`).
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// # drop(socket);
    /// ```
    pub fn new_v4() -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::IPV4)
    }

    /// A new IPv6 TCP socket (`socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC)`).
    ///
    /// # Errors
    ///
    /// The OS error of `socket(2)`: `EAFNOSUPPORT` where IPv6 is off.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let socket = ringio::net::TcpSocket::new_v6().unwrap();
    /// # drop(socket);
    /// ```
    pub fn new_v6() -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::IPV6)
    }

    fn new(domain: Domain) -> io::Result<TcpSocket> {
        // socket2 opens sockets with SOCK_CLOEXEC.
        let socket = Socket::new(domain, Type::STREAM, Some(Protocol::TCP))?;
        Ok(TcpSocket { socket })
    }

    /// Wraps the socket of a `std::net::TcpStream`, to read or set its
    /// options here.
    ///
    /// # Examples
    ///
    /// ```
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let std_stream = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    /// let socket = ringio::net::TcpSocket::from_std_stream(std_stream);
    /// assert_eq!(socket.local_addr().unwrap().ip().to_string(), "127.0.0.1");
    /// ```
    pub fn from_std_stream(stream: std::net::TcpStream) -> TcpSocket {
        TcpSocket {
            socket: Socket::from(stream),
        }
    }

    /// Sets `SO_REUSEADDR`: bind to a local address still in `TIME_WAIT`.
    ///
    /// # Errors
    ///
    /// The OS error of `setsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// socket.set_reuseaddr(true).unwrap();
    /// assert!(socket.reuseaddr().unwrap());
    /// ```
    pub fn set_reuseaddr(&self, reuse: bool) -> io::Result<()> {
        self.socket.set_reuse_address(reuse)
    }

    /// Whether `SO_REUSEADDR` is set.
    ///
    /// # Errors
    ///
    /// The OS error of `getsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// assert!(!socket.reuseaddr().unwrap());
    /// ```
    pub fn reuseaddr(&self) -> io::Result<bool> {
        self.socket.reuse_address()
    }

    /// Sets `SO_REUSEPORT`: several sockets (one per thread) bind the same
    /// port and the kernel balances connections among them.
    ///
    /// # Errors
    ///
    /// The OS error of `setsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// socket.set_reuseport(true).unwrap();
    /// assert!(socket.reuseport().unwrap());
    /// ```
    pub fn set_reuseport(&self, reuse: bool) -> io::Result<()> {
        self.socket.set_reuse_port(reuse)
    }

    /// Whether `SO_REUSEPORT` is set.
    ///
    /// # Errors
    ///
    /// The OS error of `getsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// assert!(!socket.reuseport().unwrap());
    /// ```
    pub fn reuseport(&self) -> io::Result<bool> {
        self.socket.reuse_port()
    }

    /// Sets `SO_KEEPALIVE`: probe an idle connection (at the system's
    /// intervals) and fail it when the peer stops answering.
    ///
    /// # Errors
    ///
    /// The OS error of `setsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// socket.set_keepalive(true).unwrap();
    /// assert!(socket.keepalive().unwrap());
    /// ```
    pub fn set_keepalive(&self, keepalive: bool) -> io::Result<()> {
        self.socket.set_keepalive(keepalive)
    }

    /// Whether `SO_KEEPALIVE` is set.
    ///
    /// # Errors
    ///
    /// The OS error of `getsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// assert!(!socket.keepalive().unwrap());
    /// ```
    pub fn keepalive(&self) -> io::Result<bool> {
        self.socket.keepalive()
    }

    /// Sets `SO_SNDBUF`, the send buffer size in bytes. Linux doubles the
    /// value (for its bookkeeping) and caps it at `net.core.wmem_max`.
    ///
    /// # Errors
    ///
    /// The OS error of `setsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// socket.set_send_buffer_size(64 * 1024).unwrap();
    /// assert!(socket.send_buffer_size().unwrap() > 0);
    /// ```
    pub fn set_send_buffer_size(&self, size: u32) -> io::Result<()> {
        self.socket.set_send_buffer_size(size as usize)
    }

    /// The send buffer size (`SO_SNDBUF`) in bytes, as the kernel keeps it.
    ///
    /// # Errors
    ///
    /// The OS error of `getsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// assert!(socket.send_buffer_size().unwrap() > 0);
    /// ```
    pub fn send_buffer_size(&self) -> io::Result<u32> {
        self.socket.send_buffer_size().map(sockopt::buffer_size)
    }

    /// Sets `SO_RCVBUF`, the receive buffer size in bytes. Linux doubles the
    /// value and caps it at `net.core.rmem_max`.
    ///
    /// # Errors
    ///
    /// The OS error of `setsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// socket.set_recv_buffer_size(64 * 1024).unwrap();
    /// assert!(socket.recv_buffer_size().unwrap() > 0);
    /// ```
    pub fn set_recv_buffer_size(&self, size: u32) -> io::Result<()> {
        self.socket.set_recv_buffer_size(size as usize)
    }

    /// The receive buffer size (`SO_RCVBUF`) in bytes, as the kernel keeps
    /// it.
    ///
    /// # Errors
    ///
    /// The OS error of `getsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// assert!(socket.recv_buffer_size().unwrap() > 0);
    /// ```
    pub fn recv_buffer_size(&self) -> io::Result<u32> {
        self.socket.recv_buffer_size().map(sockopt::buffer_size)
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm); the stream
    /// [`connect`](TcpSocket::connect) makes keeps it.
    ///
    /// # Errors
    ///
    /// The OS error of `setsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// socket.set_nodelay(true).unwrap();
    /// assert!(socket.nodelay().unwrap());
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.socket.set_tcp_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    ///
    /// # Errors
    ///
    /// The OS error of `getsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// assert!(!socket.nodelay().unwrap());
    /// ```
    pub fn nodelay(&self) -> io::Result<bool> {
        self.socket.tcp_nodelay()
    }

    /// Sets `SO_LINGER`, as [`TcpStream::set_linger`] does.
    ///
    /// # Errors
    ///
    /// The OS error of `setsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// socket.set_linger(Some(Duration::from_secs(1))).unwrap();
    /// assert_eq!(socket.linger().unwrap(), Some(Duration::from_secs(1)));
    /// ```
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        self.socket.set_linger(linger)
    }

    /// The `SO_LINGER` setting.
    ///
    /// # Errors
    ///
    /// The OS error of `getsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// assert_eq!(socket.linger().unwrap(), None);
    /// ```
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        self.socket.linger()
    }

    /// Sets the time-to-live of outgoing packets, as
    /// [`TcpStream::set_ttl`] does.
    ///
    /// # Errors
    ///
    /// `InvalidInput` (`EINVAL`) for a value above 255, or another OS error
    /// of `setsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// socket.set_ttl(16).unwrap();
    /// assert_eq!(socket.ttl().unwrap(), 16);
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        sockopt::set_ttl((&self.socket).into(), ttl)
    }

    /// The time-to-live of outgoing packets.
    ///
    /// # Errors
    ///
    /// The OS error of `getsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// assert!(socket.ttl().unwrap() > 0);
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        sockopt::ttl((&self.socket).into())
    }

    /// The address the socket is bound to (`0.0.0.0:0` before a bind).
    ///
    /// # Errors
    ///
    /// The OS error of `getsockname(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// assert_ne!(socket.local_addr().unwrap().port(), 0);
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        sock_addr(self.socket.local_addr()?)
    }

    /// Binds the socket to `addr` (port 0: one the kernel picks).
    ///
    /// # Errors
    ///
    /// `AddrInUse` if the address is taken (without `SO_REUSEADDR` /
    /// `SO_REUSEPORT` on both sockets), `AddrNotAvailable`, `InvalidInput`
    /// for a second bind, `EAFNOSUPPORT` for an address of the other family;
    /// the message names the address.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// ```
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        self.socket
            .bind(&addr.into())
            .map_err(|e| bind_error(addr, e))
    }

    /// Listens for connections (`listen(2)`, `backlog` clamped to the
    /// system's `somaxconn`), turning the socket into a [`TcpListener`]. An
    /// unbound socket listens on a port the kernel picks.
    ///
    /// # Errors
    ///
    /// The OS error of `listen(2)` (`EADDRINUSE` when an unbound socket
    /// finds no free port).
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::TcpSocket::new_v4().unwrap();
    /// socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// let listener = socket.listen(1024).unwrap();
    /// # drop(listener);
    /// ```
    pub fn listen(self, backlog: u32) -> io::Result<TcpListener> {
        TcpListener::listen_on(self.socket, backlog)
    }

    /// Connects to `addr` through the ring (`IORING_OP_CONNECT`), turning
    /// the socket into a [`TcpStream`] with the options set on it.
    ///
    /// # Errors
    ///
    /// `ConnectionRefused` when nothing listens, `TimedOut`,
    /// `EAFNOSUPPORT` for an address of the other family, or another OS
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
    ///     let socket = ringio::net::TcpSocket::new_v4().unwrap();
    ///     socket.set_keepalive(true).unwrap();
    ///     let stream = socket.connect("127.0.0.1:7000".parse().unwrap()).await.unwrap();
    ///     assert!(stream.nodelay().is_ok());
    /// });
    /// ```
    pub async fn connect(self, addr: SocketAddr) -> io::Result<TcpStream> {
        TcpStream::connect_with(self.socket, addr).await
    }
}

impl AsRawFd for TcpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.socket.as_raw_fd()
    }
}

impl AsFd for TcpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

impl From<TcpSocket> for OwnedFd {
    /// Gives up the socket's fd (for `socket2::Socket::from`, say).
    fn from(socket: TcpSocket) -> OwnedFd {
        OwnedFd::from(socket.socket)
    }
}
