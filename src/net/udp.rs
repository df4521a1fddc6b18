//! [`UdpSocket`]: datagrams through `IORING_OP_SENDMSG` / `IORING_OP_RECVMSG`.

use super::addr::sock_addr;
use super::addr::{bind_error, each_addr_here, no_address, resolve};
use super::datagram_io::{DatagramIo, RecvMeta};
use super::ToSocketAddrs;
use crate::buf::{BufResult, IoBuf, IoBufMut};
use crate::cancel::{cancellable, Cancellable};
use crate::fd::SharedFd;
use socket2::{Domain, Protocol, SockRef, Socket, Type};
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

/// A UDP socket. All I/O methods take `&self` and owned buffers.
///
/// # Examples
///
/// ```no_run
/// use ringio::net::UdpSocket;
///
/// ringio::run(async {
///     let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
///     let (res, _) = socket.send_to(b"ping".to_vec(), "127.0.0.1:7000").await;
///     res.unwrap();
///     let (res, buf) = socket.recv_from(vec![0u8; 1500]).await;
///     let (n, from) = res.unwrap();
///     println!("{from} answered {:?}", &buf[..n]);
/// });
/// ```
pub struct UdpSocket {
    io: DatagramIo,
}

impl std::fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UdpSocket")
            .field("fd", &self.io.fd.raw())
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}

impl UdpSocket {
    /// Binds a UDP socket, trying each address `addr` stands for in turn.
    /// Synchronous, like std's: a numeric address is parsed inline, and a
    /// name is resolved (`getaddrinfo(3)`) on the calling thread, which
    /// blocks the ring while it runs; a bind usually runs at start-up.
    ///
    /// # Errors
    ///
    /// `AddrInUse`, `AddrNotAvailable` or another OS error, naming the
    /// address (the last one tried); a name that does not resolve, named;
    /// `InvalidInput` if `addr` stands for no address.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let socket = ringio::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    /// # drop(socket);
    /// ```
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        each_addr_here(&addr, |addr| {
            let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
            socket.bind(&addr.into()).map_err(|e| bind_error(addr, e))?;
            Ok(UdpSocket::from_owned_fd(OwnedFd::from(socket)))
        })
    }

    fn from_owned_fd(fd: OwnedFd) -> UdpSocket {
        UdpSocket {
            io: DatagramIo::new(SharedFd::new(fd)),
        }
    }

    /// Sends `buf`'s initialized bytes as one datagram to `addr` (the first
    /// address it stands for). A numeric address is parsed inline; a name is
    /// resolved on the blocking pool first (see
    /// [`ToSocketAddrs`](crate::net::ToSocketAddrs)).
    ///
    /// # Errors
    ///
    /// `EMSGSIZE` for a datagram too large, a name that does not resolve
    /// (named), `InvalidInput` if `addr` stands for no address, or another
    /// OS error.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, nothing is sent. Dropped after,
    /// the datagram may have been sent. Dropped during a name's lookup,
    /// nothing is sent. See [the crate docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let socket = ringio::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    ///     let (n, _buf) = socket.send_to(b"hello".to_vec(), "127.0.0.1:7000").await;
    ///     assert_eq!(n.unwrap(), 5);
    /// });
    /// ```
    pub fn send_to<'a, B: IoBuf>(
        &'a self,
        buf: B,
        addr: impl ToSocketAddrs + 'a,
    ) -> impl Cancellable<Output = BufResult<usize, B>> + 'a {
        cancellable(async move {
            match first_address(&addr).await {
                Ok(addr) => self.io.send_to(buf, addr.into()).await,
                Err(e) => (Err(e), buf),
            }
        })
    }

    /// Sends `buf` as one datagram to `addr` without copying it
    /// (`IORING_OP_SEND_ZC`); resolves, handing `buf` back, once the
    /// kernel's notification says it no longer reads it. Where the ring has
    /// no `SEND_ZC` (Linux before 6.0) and on the epoll driver, this is
    /// [`send_to`](UdpSocket::send_to).
    ///
    /// # Errors
    ///
    /// As [`send_to`](UdpSocket::send_to).
    ///
    /// # Cancel safety
    ///
    /// As [`send_to`](UdpSocket::send_to).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let socket = ringio::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    ///     let (n, _buf) = socket.send_to_zc(vec![1u8; 60_000], "127.0.0.1:7000").await;
    ///     assert_eq!(n.unwrap(), 60_000);
    /// });
    /// ```
    pub fn send_to_zc<'a, B: IoBuf>(
        &'a self,
        buf: B,
        addr: impl ToSocketAddrs + 'a,
    ) -> impl Cancellable<Output = BufResult<usize, B>> + 'a {
        cancellable(async move {
            match first_address(&addr).await {
                Ok(addr) => self.io.send_to_zc(buf, addr.into()).await,
                Err(e) => (Err(e), buf),
            }
        })
    }

    /// Receives one datagram into `buf` (from its start, up to its
    /// capacity); returns the bytes stored and the sender. A longer datagram
    /// is truncated; [`recv_msg`](UdpSocket::recv_msg) tells when.
    ///
    /// # Errors
    ///
    /// The OS error.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, the receive never starts and the
    /// datagram stays queued. Dropped after, a datagram may have been received:
    /// it is lost. See [the crate docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let socket = ringio::net::UdpSocket::bind("127.0.0.1:7000").unwrap();
    ///     let (res, buf) = socket.recv_from(vec![0u8; 1500]).await;
    ///     let (n, from) = res.unwrap();
    ///     assert_eq!(buf.len(), n);
    ///     # let _ = from;
    /// });
    /// ```
    pub fn recv_from<B: IoBufMut>(
        &self,
        buf: B,
    ) -> impl Cancellable<Output = BufResult<(usize, SocketAddr), B>> + '_ {
        cancellable(async move {
            let (res, buf) = self.recv_msg(buf).await;
            (res.map(|meta| (meta.len, meta.addr)), buf)
        })
    }

    /// Receives one datagram into `buf`, reporting truncation
    /// ([`RecvMeta::truncated`]) besides the length and the sender.
    ///
    /// # Errors
    ///
    /// The OS error.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, the receive never starts and the
    /// datagram stays queued. Dropped after, a datagram may have been received:
    /// it is lost. See [the crate docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let socket = ringio::net::UdpSocket::bind("127.0.0.1:7000").unwrap();
    ///     let (meta, _buf) = socket.recv_msg(vec![0u8; 512]).await;
    ///     assert!(!meta.unwrap().truncated);
    /// });
    /// ```
    pub fn recv_msg<B: IoBufMut>(
        &self,
        buf: B,
    ) -> impl Cancellable<Output = BufResult<RecvMeta<SocketAddr>, B>> + '_ {
        cancellable(async move {
            let (res, buf) = self.io.recv_msg(buf).await;
            let res = res.and_then(|r| {
                Ok(RecvMeta {
                    len: r.len,
                    addr: sock_addr(r.addr)?,
                    truncated: r.truncated,
                })
            });
            (res, buf)
        })
    }

    /// Sets the default peer (`IORING_OP_CONNECT`): [`send`](UdpSocket::send)
    /// goes there and only its datagrams are received. Tries each address
    /// `addr` stands for in turn; a name is resolved on the blocking pool
    /// first.
    ///
    /// # Errors
    ///
    /// The OS error of the last address tried; a name that does not
    /// resolve, named; `InvalidInput` if `addr` stands for no address.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, no peer is set. Dropped after,
    /// the default peer may have been set. Dropped during a name's lookup,
    /// no peer is set. See [the crate docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let socket = ringio::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    ///     socket.connect("127.0.0.1:7000").await.unwrap();
    /// });
    /// ```
    pub async fn connect(&self, addr: impl ToSocketAddrs) -> io::Result<()> {
        let mut last = None;
        for addr in resolve(&addr).await? {
            match self.io.connect(addr.into()).await {
                Ok(()) => return Ok(()),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(no_address))
    }

    /// Sends one datagram to the connected peer.
    ///
    /// # Errors
    ///
    /// `NotConnected` (`EDESTADDRREQ`) before [`connect`](UdpSocket::connect),
    /// `ConnectionRefused` after an ICMP port-unreachable, or another OS error.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, nothing is sent. Dropped after,
    /// the datagram may have been sent. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let socket = ringio::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    ///     socket.connect("127.0.0.1:7000").await.unwrap();
    ///     let (n, _buf) = socket.send(b"hi".to_vec()).await;
    ///     n.unwrap();
    /// });
    /// ```
    pub fn send<B: IoBuf>(&self, buf: B) -> impl Cancellable<Output = BufResult<usize, B>> + '_ {
        cancellable(async move { self.io.send(buf).await })
    }

    /// Receives one datagram from the connected peer into `buf`.
    ///
    /// # Errors
    ///
    /// The OS error.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, the receive never starts and the
    /// datagram stays queued. Dropped after, a datagram may have been received:
    /// it is lost. See [the crate docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let socket = ringio::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    ///     socket.connect("127.0.0.1:7000").await.unwrap();
    ///     let (n, _buf) = socket.recv(vec![0u8; 1500]).await;
    ///     n.unwrap();
    /// });
    /// ```
    pub fn recv<B: IoBufMut>(&self, buf: B) -> impl Cancellable<Output = BufResult<usize, B>> + '_ {
        cancellable(async move { self.io.recv(buf).await })
    }

    /// The address the socket is bound to.
    ///
    /// # Errors
    ///
    /// The OS error of `getsockname(2)`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let socket = ringio::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    /// assert_ne!(socket.local_addr().unwrap().port(), 0);
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        sock_addr(SockRef::from(&self.io.fd).local_addr()?)
    }

    /// The connected peer's address.
    ///
    /// # Errors
    ///
    /// `NotConnected`, or another OS error of `getpeername(2)`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let socket = ringio::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    ///     socket.connect("127.0.0.1:7000").await.unwrap();
    ///     assert_eq!(socket.peer_addr().unwrap().port(), 7000);
    /// });
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        sock_addr(SockRef::from(&self.io.fd).peer_addr()?)
    }

    /// Wraps a bound `std::net::UdpSocket`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let std_socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    /// let socket = ringio::net::UdpSocket::from_std(std_socket);
    /// # drop(socket);
    /// ```
    pub fn from_std(socket: std::net::UdpSocket) -> UdpSocket {
        UdpSocket::from_owned_fd(OwnedFd::from(socket))
    }

    /// Turns the socket into a `std::net::UdpSocket` (in blocking mode, as
    /// std's are).
    ///
    /// If a receive dropped earlier is still in flight, the std socket gets
    /// a duplicate of the fd (`dup`), and a datagram that receive takes is
    /// lost.
    ///
    /// # Errors
    ///
    /// The OS error of `dup(2)` (`EMFILE`), when a duplicate is needed.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = ringio::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    /// let addr = socket.local_addr().unwrap();
    /// assert_eq!(socket.into_std().unwrap().local_addr().unwrap(), addr);
    /// ```
    pub fn into_std(self) -> io::Result<std::net::UdpSocket> {
        crate::net::into_owned_fd(self.io.fd).map(std::net::UdpSocket::from)
    }
}

impl AsRawFd for UdpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.io.fd.raw()
    }
}

impl AsFd for UdpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.fd.as_fd()
    }
}

/// The first address `addr` names (a name is looked up off the ring; a
/// `Cancellable`'s cancel stops the lookup).
async fn first_address(addr: &impl ToSocketAddrs) -> io::Result<SocketAddr> {
    crate::cancel::unless_cancelled(resolve(addr))
        .await
        .and_then(|mut addrs| addrs.next().ok_or_else(no_address))
}
