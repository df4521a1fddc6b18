//! Unix domain sockets: streams and datagrams, at filesystem paths or (a
//! path starting with a NUL byte, Linux only) in the abstract namespace
//! (socket2's `SockAddr::unix` maps a leading NUL to an abstract name).

pub(crate) mod addr;
pub(crate) mod datagram;
pub(crate) mod listener;
pub(crate) mod stream;
