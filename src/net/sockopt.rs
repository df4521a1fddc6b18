//! Socket options shared by [`TcpSocket`](super::TcpSocket) and
//! [`TcpStream`](super::TcpStream) that depend on the address family.

use socket2::{Domain, SockRef};
use std::io;

/// Sets the TTL: `IP_TTL` on an IPv4 socket, `IPV6_UNICAST_HOPS` on an
/// IPv6 one.
pub(crate) fn set_ttl(socket: SockRef<'_>, ttl: u32) -> io::Result<()> {
    if socket.domain()? == Domain::IPV6 {
        socket.set_unicast_hops_v6(ttl)
    } else {
        socket.set_ttl_v4(ttl)
    }
}

/// The TTL, as [`set_ttl`] sets it.
pub(crate) fn ttl(socket: SockRef<'_>) -> io::Result<u32> {
    if socket.domain()? == Domain::IPV6 {
        socket.unicast_hops_v6()
    } else {
        socket.ttl_v4()
    }
}

/// A buffer size as the kernel reports it, which never exceeds `u32` on
/// Linux (it is an `int`).
pub(crate) fn buffer_size(size: usize) -> u32 {
    u32::try_from(size).unwrap_or(u32::MAX)
}
