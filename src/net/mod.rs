//! Sockets on the ring: accepts, connects, sends and receives are io_uring
//! operations with owned buffers.
//!
//! TCP ([`TcpListener`], [`TcpStream`], with [`TcpListener::incoming`] on a
//! multishot accept), UDP ([`UdpSocket`]), and Unix domain sockets
//! ([`UnixListener`], [`UnixStream`], [`UnixDatagram`]). Streams split into
//! halves for two tasks and implement futures-io's `AsyncRead`/`AsyncWrite`.
//! [`TcpSocket`] sets socket options before a bind, listen or connect.
//!
//! Numeric addresses are parsed inline; names are resolved with
//! `getaddrinfo(3)` on the blocking pool ([`lookup_host`], and the connects
//! and sends through [`ToSocketAddrs`]), so a slow resolver never stalls the
//! ring. The synchronous binds resolve a name on the calling thread.
//!
//! Every socket type gives its fd through `AsFd` (for options ringio does
//! not wrap, e.g. with `socket2::SockRef`) and turns into its std type with
//! `into_std`.
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
mod addr;
mod datagram_io;
pub(crate) mod poll_io;
mod recv_stream;
mod socket_io;
mod sockopt;
mod split;
mod tcp;
mod udp;
mod unix;

pub use crate::buf::RecvBuf;
pub use addr::{lookup_host, ToSocketAddrs};
pub use datagram_io::RecvMeta;
pub use recv_stream::RecvStream;
pub use split::{OwnedReadHalf, OwnedWriteHalf};
pub use tcp::incoming::Incoming;
pub use tcp::listener::{ListenOptions, TcpListener};
pub use tcp::socket::TcpSocket;
pub use tcp::stream::TcpStream;
pub use udp::UdpSocket;
pub use unix::addr::SocketAddr as UnixSocketAddr;
pub use unix::datagram::UnixDatagram;
pub use unix::listener::UnixListener;
pub use unix::stream::UnixStream;

use crate::fd::SharedFd;
use std::io;
use std::os::fd::OwnedFd;

/// The fd of a socket given up for a std type: the fd itself, or a
/// duplicate (`dup`) if an operation dropped earlier still holds it (the
/// original then closes when that operation completes).
fn into_owned_fd(fd: SharedFd) -> io::Result<OwnedFd> {
    let fd = match fd.try_unwrap() {
        Ok(fd) => fd,
        Err(shared) => shared.try_clone_owned()?,
    };
    // In blocking mode, as std's sockets are (the epoll driver sets
    // `O_NONBLOCK` on listeners and connecting sockets).
    socket2::SockRef::from(&fd).set_nonblocking(false)?;
    Ok(fd)
}
