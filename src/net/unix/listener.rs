//! [`UnixListener`]: accepts Unix stream connections through the ring.

use super::addr::SocketAddr;
use super::stream::UnixStream;
use crate::fd::SharedFd;
use crate::op::accept::Accept;
use crate::op::Op;
use socket2::{Domain, SockRef, Socket, Type};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::path::Path;

/// A Unix stream socket listening for connections.
///
/// # Examples
///
/// ```no_run
/// use ringio::net::UnixListener;
///
/// ringio::run(async {
///     let listener = UnixListener::bind("/tmp/ringio.sock").unwrap();
///     let (stream, _addr) = listener.accept().await.unwrap();
///     let (res, _) = stream.write_all(b"hello".to_vec()).await;
///     res.unwrap();
/// });
/// ```
pub struct UnixListener {
    fd: SharedFd,
}

impl std::fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnixListener")
            .field("fd", &self.fd.raw())
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}

impl UnixListener {
    /// Binds to `path` (a path starting with a NUL byte is an abstract
    /// name) and listens, backlog 1024. Synchronous.
    ///
    /// # Errors
    ///
    /// `AddrInUse` if the path exists (remove a stale socket file first),
    /// `InvalidInput` for a path too long or with a NUL byte inside (a
    /// leading NUL names an abstract socket), or another OS error.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let listener = ringio::net::UnixListener::bind("\0ringio-abstract").unwrap();
    /// # drop(listener);
    /// ```
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        let socket = Socket::new(Domain::UNIX, Type::STREAM, None)?;
        socket.bind(&super::addr::sock_addr(path.as_ref())?)?;
        socket.listen(1024)?;
        Ok(UnixListener {
            fd: SharedFd::new(OwnedFd::from(socket)),
        })
    }

    /// Accepts a connection (`IORING_OP_ACCEPT`).
    ///
    /// # Errors
    ///
    /// The kernel's error, such as `EMFILE`; the listener keeps working.
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
    ///     let listener = ringio::net::UnixListener::bind("/tmp/ringio.sock").unwrap();
    ///     let (stream, addr) = listener.accept().await.unwrap();
    ///     println!("{addr:?} connected");
    ///     # drop(stream);
    /// });
    /// ```
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (fd, addr) = Op::submit(Accept::new(self.fd.clone())).await?;
        Ok((UnixStream::from_owned_fd(fd), SocketAddr::new(addr)))
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
    /// let listener = ringio::net::UnixListener::bind("/tmp/ringio.sock").unwrap();
    /// println!("{:?}", listener.local_addr().unwrap());
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(SocketAddr::new(SockRef::from(&self.fd).local_addr()?))
    }

    /// Wraps a listening `std::os::unix::net::UnixListener`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let std_listener = std::os::unix::net::UnixListener::bind("/tmp/ringio.sock").unwrap();
    /// let listener = ringio::net::UnixListener::from_std(std_listener);
    /// # drop(listener);
    /// ```
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> UnixListener {
        UnixListener {
            fd: SharedFd::new(OwnedFd::from(listener)),
        }
    }

    /// Turns the listener into a `std::os::unix::net::UnixListener` (in
    /// blocking mode, as std's are).
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
    /// let name = format!("\0ringio-into-std-{}", std::process::id());
    /// let listener = ringio::net::UnixListener::bind(&name).unwrap();
    /// let std_listener = listener.into_std().unwrap();
    /// # drop(std_listener);
    /// ```
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixListener> {
        crate::net::into_owned_fd(self.fd).map(std::os::unix::net::UnixListener::from)
    }
}

impl AsRawFd for UnixListener {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.raw()
    }
}

impl AsFd for UnixListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}
