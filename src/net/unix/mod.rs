//! Unix domain sockets: streams and datagrams, at filesystem paths or (a
//! path starting with a NUL byte, Linux only) in the abstract namespace.

pub(crate) mod addr;
pub(crate) mod datagram;
pub(crate) mod listener;
pub(crate) mod stream;

use socket2::SockAddr;
use std::io;
use std::path::Path;

/// The socket address of `path`: abstract when it starts with a NUL byte.
fn unix_addr(path: &Path) -> io::Result<SockAddr> {
    SockAddr::unix(path)
}
