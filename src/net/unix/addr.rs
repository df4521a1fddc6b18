//! [`SocketAddr`]: the address of a Unix domain socket.

use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// The kernel address for `path`: a filesystem path, or an abstract name
/// when the first byte is NUL. A filesystem path with a NUL byte inside is
/// refused (`InvalidInput`, naming the path): the kernel would end the path
/// at the NUL and bind or reach another socket.
pub(crate) fn sock_addr(path: &Path) -> io::Result<socket2::SockAddr> {
    let bytes = path.as_os_str().as_bytes();
    if bytes.first() != Some(&0) && bytes.contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("Unix socket path {path:?} has an interior NUL byte"),
        ));
    }
    socket2::SockAddr::unix(path)
}

/// The address of a Unix domain socket: a filesystem path, an abstract name
/// (Linux), or unnamed (an unbound socket).
///
/// # Examples
///
/// ```no_run
/// ringio::run(async {
///     let listener = ringio::net::UnixListener::bind("/tmp/ringio.sock").unwrap();
///     let addr = listener.local_addr().unwrap();
///     assert_eq!(addr.as_pathname(), Some(std::path::Path::new("/tmp/ringio.sock")));
/// });
/// ```
#[derive(Clone)]
pub struct SocketAddr(socket2::SockAddr);

impl SocketAddr {
    pub(crate) fn new(addr: socket2::SockAddr) -> SocketAddr {
        SocketAddr(addr)
    }

    /// The filesystem path, if the address is one.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let (a, _b) = ringio::net::UnixDatagram::pair().unwrap();
    /// assert_eq!(a.local_addr().unwrap().as_pathname(), None);
    /// ```
    pub fn as_pathname(&self) -> Option<&Path> {
        self.0.as_pathname()
    }

    /// The abstract name (without its leading NUL byte), if the address is
    /// one.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let socket = ringio::net::UnixDatagram::bind("\0ringio-example").unwrap();
    /// let addr = socket.local_addr().unwrap();
    /// assert_eq!(addr.as_abstract_name(), Some(&b"ringio-example"[..]));
    /// ```
    pub fn as_abstract_name(&self) -> Option<&[u8]> {
        self.0.as_abstract_namespace()
    }

    /// Whether the address is unnamed (the socket is not bound).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let socket = ringio::net::UnixDatagram::unbound().unwrap();
    /// assert!(socket.local_addr().unwrap().is_unnamed());
    /// ```
    pub fn is_unnamed(&self) -> bool {
        self.0.is_unnamed()
    }
}

impl std::fmt::Debug for SocketAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(path) = self.as_pathname() {
            write!(f, "{path:?} (pathname)")
        } else if let Some(name) = self.as_abstract_name() {
            write!(f, "{:?} (abstract)", std::ffi::OsStr::from_bytes(name))
        } else {
            f.write_str("(unnamed)")
        }
    }
}
