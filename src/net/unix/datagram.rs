//! [`UnixDatagram`]: Unix datagram sockets on the ring.

use super::addr::SocketAddr;
use crate::buf::{BufResult, IoBuf, IoBufMut};
use crate::cancel::{cancellable, Cancellable};
use crate::fd::SharedFd;
use crate::net::datagram_io::{DatagramIo, RecvMeta};
use socket2::{Domain, SockRef, Socket, Type};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::path::Path;

/// A Unix datagram socket. All I/O methods take `&self` and owned buffers.
///
/// # Examples
///
/// ```no_run
/// ringio::run(async {
///     let (a, b) = ringio::net::UnixDatagram::pair().unwrap();
///     let (res, _) = a.send(b"ping".to_vec()).await;
///     res.unwrap();
///     let (n, buf) = b.recv(vec![0u8; 64]).await;
///     assert_eq!(&buf[..n.unwrap()], b"ping");
/// });
/// ```
pub struct UnixDatagram {
    io: DatagramIo,
}

impl std::fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnixDatagram")
            .field("fd", &self.io.fd.raw())
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}

impl UnixDatagram {
    fn from_owned_fd(fd: OwnedFd) -> UnixDatagram {
        UnixDatagram {
            io: DatagramIo::new(SharedFd::new(fd)),
        }
    }

    /// Binds to `path` (a leading NUL byte names an abstract socket).
    ///
    /// # Errors
    ///
    /// `AddrInUse` if the path exists, `InvalidInput` for a path with a NUL
    /// byte inside (a leading NUL names an abstract socket), or another OS
    /// error.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let socket = ringio::net::UnixDatagram::bind("/tmp/ringio.dgram").unwrap();
    /// # drop(socket);
    /// ```
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        let socket = Socket::new(Domain::UNIX, Type::DGRAM, None)?;
        socket.bind(&super::addr::sock_addr(path.as_ref())?)?;
        Ok(UnixDatagram::from_owned_fd(socket.into()))
    }

    /// A socket bound to no address (it can send, and receive replies only
    /// once connected or autobound).
    ///
    /// # Errors
    ///
    /// The OS error (`EMFILE`).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let socket = ringio::net::UnixDatagram::unbound().unwrap();
    /// # drop(socket);
    /// ```
    pub fn unbound() -> io::Result<UnixDatagram> {
        let socket = Socket::new(Domain::UNIX, Type::DGRAM, None)?;
        Ok(UnixDatagram::from_owned_fd(socket.into()))
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
    /// let (a, b) = ringio::net::UnixDatagram::pair().unwrap();
    /// # drop((a, b));
    /// ```
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = Socket::pair(Domain::UNIX, Type::DGRAM, None)?;
        Ok((
            UnixDatagram::from_owned_fd(a.into()),
            UnixDatagram::from_owned_fd(b.into()),
        ))
    }

    /// Sets the default peer: [`send`](UnixDatagram::send) goes to `path`.
    /// Synchronous: connecting a datagram socket does not block.
    ///
    /// # Errors
    ///
    /// `NotFound`, `ConnectionRefused`, `InvalidInput` for a path with a NUL
    /// byte inside, or another OS error.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let socket = ringio::net::UnixDatagram::unbound().unwrap();
    /// socket.connect("/tmp/ringio.dgram").unwrap();
    /// ```
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        SockRef::from(&self.io.fd).connect(&super::addr::sock_addr(path.as_ref())?)
    }

    /// Sends one datagram to the socket at `path`.
    ///
    /// # Errors
    ///
    /// `NotFound`, `ConnectionRefused`, `EMSGSIZE`, `InvalidInput` for a path
    /// with a NUL byte inside, or another OS error.
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
    ///     let socket = ringio::net::UnixDatagram::unbound().unwrap();
    ///     let (n, _) = socket.send_to(b"hi".to_vec(), "/tmp/ringio.dgram").await;
    ///     n.unwrap();
    /// });
    /// ```
    pub fn send_to<'a, B: IoBuf>(
        &'a self,
        buf: B,
        path: impl AsRef<Path> + 'a,
    ) -> impl Cancellable<Output = BufResult<usize, B>> + 'a {
        cancellable(async move {
            match super::addr::sock_addr(path.as_ref()) {
                Ok(addr) => self.io.send_to(buf, addr).await,
                Err(e) => (Err(e), buf),
            }
        })
    }

    /// Receives one datagram into `buf`; returns the bytes stored and the
    /// sender (unnamed if it is not bound).
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
    ///     let socket = ringio::net::UnixDatagram::bind("/tmp/ringio.dgram").unwrap();
    ///     let (res, _buf) = socket.recv_from(vec![0u8; 1024]).await;
    ///     let (_n, from) = res.unwrap();
    ///     println!("from {from:?}");
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

    /// Receives one datagram into `buf`, reporting truncation too.
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
    ///     let (a, _b) = ringio::net::UnixDatagram::pair().unwrap();
    ///     let (meta, _buf) = a.recv_msg(vec![0u8; 16]).await;
    ///     println!("truncated: {}", meta.unwrap().truncated);
    /// });
    /// ```
    pub fn recv_msg<B: IoBufMut>(
        &self,
        buf: B,
    ) -> impl Cancellable<Output = BufResult<RecvMeta<SocketAddr>, B>> + '_ {
        cancellable(async move {
            let (res, buf) = self.io.recv_msg(buf).await;
            let res = res.map(|r| RecvMeta {
                len: r.len,
                addr: SocketAddr::new(r.addr),
                truncated: r.truncated,
            });
            (res, buf)
        })
    }

    /// Sends one datagram to the connected peer.
    ///
    /// # Errors
    ///
    /// `NotConnected` before [`connect`](UnixDatagram::connect), or another
    /// OS error.
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
    ///     let (a, _b) = ringio::net::UnixDatagram::pair().unwrap();
    ///     let (n, _) = a.send(b"hi".to_vec()).await;
    ///     n.unwrap();
    /// });
    /// ```
    pub fn send<B: IoBuf>(&self, buf: B) -> impl Cancellable<Output = BufResult<usize, B>> + '_ {
        cancellable(async move { self.io.send(buf).await })
    }

    /// Receives one datagram into `buf`.
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
    ///     let (a, _b) = ringio::net::UnixDatagram::pair().unwrap();
    ///     let (n, _buf) = a.recv(vec![0u8; 64]).await;
    ///     n.unwrap();
    /// });
    /// ```
    pub fn recv<B: IoBufMut>(&self, buf: B) -> impl Cancellable<Output = BufResult<usize, B>> + '_ {
        cancellable(async move { self.io.recv(buf).await })
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
    /// let socket = ringio::net::UnixDatagram::unbound().unwrap();
    /// assert!(socket.local_addr().unwrap().is_unnamed());
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(SocketAddr::new(SockRef::from(&self.io.fd).local_addr()?))
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
    /// let (a, _b) = ringio::net::UnixDatagram::pair().unwrap();
    /// assert!(a.peer_addr().unwrap().is_unnamed());
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        Ok(SocketAddr::new(SockRef::from(&self.io.fd).peer_addr()?))
    }

    /// Wraps a `std::os::unix::net::UnixDatagram`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let std_socket = std::os::unix::net::UnixDatagram::unbound().unwrap();
    /// let socket = ringio::net::UnixDatagram::from_std(std_socket);
    /// # drop(socket);
    /// ```
    pub fn from_std(socket: std::os::unix::net::UnixDatagram) -> UnixDatagram {
        UnixDatagram::from_owned_fd(OwnedFd::from(socket))
    }

    /// Turns the socket into a `std::os::unix::net::UnixDatagram` (in
    /// blocking mode, as std's are).
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
    /// let (a, b) = ringio::net::UnixDatagram::pair().unwrap();
    /// let (a, b) = (a.into_std().unwrap(), b.into_std().unwrap());
    /// a.send(b"hi").unwrap();
    /// let mut buf = [0u8; 8];
    /// assert_eq!(b.recv(&mut buf).unwrap(), 2);
    /// ```
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixDatagram> {
        crate::net::into_owned_fd(self.io.fd).map(std::os::unix::net::UnixDatagram::from)
    }
}

impl AsRawFd for UnixDatagram {
    fn as_raw_fd(&self) -> RawFd {
        self.io.fd.raw()
    }
}

impl AsFd for UnixDatagram {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.fd.as_fd()
    }
}
