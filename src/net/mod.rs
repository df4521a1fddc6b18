//! Sockets on the ring: accepts, connects, sends and receives are io_uring
//! operations with owned buffers.
//!
//! TCP ([`TcpListener`], [`TcpStream`], with [`TcpListener::incoming`] on a
//! multishot accept), UDP ([`UdpSocket`]), and Unix domain sockets
//! ([`UnixListener`], [`UnixStream`], [`UnixDatagram`]). Streams split into
//! halves for two tasks and implement futures-io's `AsyncRead`/`AsyncWrite`.
//! What dropping an operation's future does is in [the crate
//! docs](crate#cancellation) and each method's "Cancel safety" section.
//!
//! ```no_run
//! use ringio::net::{TcpListener, TcpStream};
//!
//! ringio::run(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").unwrap();
//!     let addr = listener.local_addr().unwrap();
//!     let client = ringio::spawn(async move {
//!         let stream = TcpStream::connect(addr).await.unwrap();
//!         let (res, _) = stream.write_all(b"ping".to_vec()).await;
//!         res.unwrap();
//!     });
//!     let (stream, _peer) = listener.accept().await.unwrap();
//!     let (n, buf) = stream.read(Vec::with_capacity(4)).await;
//!     assert_eq!(&buf[..n.unwrap()], b"ping");
//!     client.await.unwrap();
//! });
//! ```
#![forbid(unsafe_code)]

mod acceptor;
mod datagram_io;
pub(crate) mod poll_io;
mod recv_stream;
mod socket_io;
mod split;
mod tcp;
mod udp;
mod unix;

pub use crate::driver::buf_ring::RecvBuf;
pub use datagram_io::RecvMeta;
pub use recv_stream::RecvStream;
pub use split::{OwnedReadHalf, OwnedWriteHalf};
pub use tcp::incoming::Incoming;
pub use tcp::listener::{ListenOptions, TcpListener};
pub use tcp::stream::TcpStream;
pub use udp::UdpSocket;
pub use unix::addr::SocketAddr as UnixSocketAddr;
pub use unix::datagram::UnixDatagram;
pub use unix::listener::UnixListener;
pub use unix::stream::UnixStream;

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

/// Tries `f` on each address `addrs` resolves to; the last error if none
/// works (like std's `TcpListener::bind`).
fn each_addr<T>(
    addrs: impl ToSocketAddrs,
    mut f: impl FnMut(SocketAddr) -> io::Result<T>,
) -> io::Result<T> {
    let mut last = None;
    for addr in addrs.to_socket_addrs()? {
        match f(addr) {
            Ok(value) => return Ok(value),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(unresolved))
}

/// The first address `addr` resolves to.
fn first_addr(addr: impl ToSocketAddrs) -> io::Result<SocketAddr> {
    addr.to_socket_addrs()?.next().ok_or_else(unresolved)
}

fn unresolved() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "could not resolve to any address",
    )
}
