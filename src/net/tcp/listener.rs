//! [`TcpListener`]: accepts through `IORING_OP_ACCEPT`.

use super::incoming::Incoming;
use super::stream::TcpStream;
use crate::fd::SharedFd;
use crate::net::acceptor::Acceptor;
use crate::net::addr::sock_addr;
use crate::net::addr::{bind_error, each_addr_here};
use crate::net::ToSocketAddrs;
use crate::op::accept::Accept;
use crate::op::Op;
use socket2::{Domain, Protocol, SockRef, Socket, Type};
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

/// Options for [`TcpListener::bind_with`].
///
/// # Examples
///
/// ```no_run
/// use ringio::net::{ListenOptions, TcpListener};
///
/// // One listener per thread on the same port: the kernel balances.
/// let options = ListenOptions { reuse_port: true, ..ListenOptions::default() };
/// let listener = TcpListener::bind_with("127.0.0.1:7000", options).unwrap();
/// # drop(listener);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListenOptions {
    /// `SO_REUSEPORT`: several sockets (one per thread) share the port.
    pub reuse_port: bool,
    /// The accept backlog. Default 1024.
    pub backlog: u32,
}

impl Default for ListenOptions {
    fn default() -> Self {
        ListenOptions {
            reuse_port: false,
            backlog: 1024,
        }
    }
}

/// A TCP socket listening for connections.
///
/// # Examples
///
/// ```no_run
/// use ringio::net::TcpListener;
///
/// ringio::run(async {
///     let listener = TcpListener::bind("127.0.0.1:7000").unwrap();
///     loop {
///         let (stream, peer) = listener.accept().await.unwrap();
///         drop(ringio::spawn(async move {
///             let (n, buf) = stream.read(vec![0u8; 1024]).await;
///             let _ = (n, buf, peer);
///         }));
///     }
/// });
/// ```
pub struct TcpListener {
    fd: SharedFd,
}

impl std::fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpListener")
            .field("fd", &self.fd.raw())
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}

impl TcpListener {
    /// Binds a listener (`SO_REUSEADDR`, backlog 1024), trying each address
    /// `addr` stands for in turn. Synchronous, like std's: a numeric address
    /// is parsed inline, and a name is resolved (`getaddrinfo(3)`) on the
    /// calling thread, which blocks the ring while it runs; a bind usually
    /// runs at start-up. Resolve names off the ring first with
    /// [`lookup_host`](crate::net::lookup_host) where that matters.
    ///
    /// # Errors
    ///
    /// `AddrInUse` if the address is taken, `AddrNotAvailable`, or another
    /// OS error, naming the address (the last one tried); a name that does
    /// not resolve, named; `InvalidInput` if `addr` stands for no address.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let listener = ringio::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// println!("listening on {}", listener.local_addr().unwrap());
    /// ```
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        TcpListener::bind_with(addr, ListenOptions::default())
    }

    /// Binds with explicit [`ListenOptions`] (`SO_REUSEPORT`, backlog).
    ///
    /// # Errors
    ///
    /// As [`bind`](TcpListener::bind).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use ringio::net::{ListenOptions, TcpListener};
    ///
    /// let options = ListenOptions { backlog: 4096, ..Default::default() };
    /// let listener = TcpListener::bind_with("127.0.0.1:0", options).unwrap();
    /// # drop(listener);
    /// ```
    pub fn bind_with(addr: impl ToSocketAddrs, options: ListenOptions) -> io::Result<TcpListener> {
        each_addr_here(&addr, |addr| {
            let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
            socket.set_reuse_address(true)?;
            if options.reuse_port {
                socket.set_reuse_port(true)?;
            }
            socket.bind(&addr.into()).map_err(|e| bind_error(addr, e))?;
            TcpListener::listen_on(socket, options.backlog)
        })
    }

    /// Makes `socket` listen and wraps it.
    pub(crate) fn listen_on(socket: Socket, backlog: u32) -> io::Result<TcpListener> {
        socket.listen(i32::try_from(backlog).unwrap_or(i32::MAX))?;
        Ok(TcpListener {
            fd: SharedFd::new(OwnedFd::from(socket)),
        })
    }

    /// Accepts a connection (`IORING_OP_ACCEPT`).
    ///
    /// # Errors
    ///
    /// The kernel's error, such as `EMFILE` when the process is out of fds;
    /// the listener keeps working once fds free up.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, nothing is accepted: the
    /// connection waits in the backlog for the next accept. Dropped after, a
    /// connection the kernel accepted anyway is closed by the runtime. See [the
    /// crate docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let listener = ringio::net::TcpListener::bind("127.0.0.1:0").unwrap();
    ///     let (stream, peer) = listener.accept().await.unwrap();
    ///     println!("{peer} connected");
    ///     # drop(stream);
    /// });
    /// ```
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (fd, addr) = Op::submit(Accept::new(self.fd.clone())).await?;
        let peer = addr.as_socket().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, "accepted a non-IP address")
        })?;
        Ok((TcpStream::from_owned_fd(fd), peer))
    }

    /// A stream of accepted connections, served by one multishot accept
    /// (`IORING_ACCEPT_MULTISHOT`, Linux 5.19; a plain accept per connection
    /// on older kernels). Peer addresses are not fetched: ask
    /// [`TcpStream::peer_addr`] when needed.
    ///
    /// Connections the kernel accepts while the stream is not polled wait in
    /// it.
    ///
    /// # Cancel safety
    ///
    /// A dropped `next()` loses nothing: the accept lives in the stream.
    /// Dropping the stream cancels the accept: connections it accepted and has
    /// not yielded are closed. See [the crate docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    ///
    /// ringio::run(async {
    ///     let listener = ringio::net::TcpListener::bind("127.0.0.1:0").unwrap();
    ///     let mut incoming = listener.incoming();
    ///     let stream = incoming.next().await.unwrap().unwrap();
    ///     println!("{:?} connected", stream.peer_addr());
    /// });
    /// ```
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming::new(self, Acceptor::new(self.fd.clone()))
    }

    /// The address the listener is bound to.
    ///
    /// # Errors
    ///
    /// The OS error of `getsockname(2)`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let listener = ringio::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// assert_ne!(listener.local_addr().unwrap().port(), 0);
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        sock_addr(SockRef::from(&self.fd).local_addr()?)
    }

    /// Wraps a `std::net::TcpListener` (already bound and listening).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let listener = ringio::net::TcpListener::from_std(std_listener);
    /// # drop(listener);
    /// ```
    pub fn from_std(listener: std::net::TcpListener) -> TcpListener {
        TcpListener {
            fd: SharedFd::new(OwnedFd::from(listener)),
        }
    }

    /// Turns the listener into a `std::net::TcpListener` (in blocking mode,
    /// as std's are).
    ///
    /// If an accept dropped earlier is still in flight, the std listener
    /// gets a duplicate of the fd (`dup`), and a connection that accept
    /// takes is closed by the runtime.
    ///
    /// # Errors
    ///
    /// The OS error of `dup(2)` (`EMFILE`), when a duplicate is needed.
    ///
    /// # Examples
    ///
    /// ```
    /// let listener = ringio::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let addr = listener.local_addr().unwrap();
    /// let std_listener = listener.into_std().unwrap();
    /// assert_eq!(std_listener.local_addr().unwrap(), addr);
    /// ```
    pub fn into_std(self) -> io::Result<std::net::TcpListener> {
        crate::net::into_owned_fd(self.fd).map(std::net::TcpListener::from)
    }
}

impl AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.raw()
    }
}

impl AsFd for TcpListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}
