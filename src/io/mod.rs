//! Owned-buffer I/O traits shared by ringio's stream types, and copies
//! between streams built on them.
//!
//! [`OwnedRead`] and [`OwnedWrite`] carry the owned-buffer methods of
//! [`TcpStream`](crate::net::TcpStream), [`UnixStream`](crate::net::UnixStream)
//! and the split halves ([`OwnedReadHalf`](crate::net::OwnedReadHalf),
//! [`OwnedWriteHalf`](crate::net::OwnedWriteHalf)), so code can be generic
//! over them. [`copy`] and [`copy_bidirectional`] move bytes between such
//! streams through one owned buffer per direction, with no copy between
//! buffers.
//!
//! ```no_run
//! use ringio::io::{OwnedRead, OwnedWrite};
//!
//! /// Sends back what it reads until the peer closes its side.
//! async fn echo(stream: &(impl OwnedRead + OwnedWrite)) -> std::io::Result<u64> {
//!     ringio::io::copy(stream, stream).await
//! }
//!
//! ringio::run(async {
//!     let listener = ringio::net::TcpListener::bind("127.0.0.1:7000").unwrap();
//!     let (stream, _) = listener.accept().await.unwrap();
//!     echo(&stream).await.unwrap();
//! });
//! ```

mod copy;
mod impls;
mod traits;

pub use copy::{copy, copy_bidirectional};
pub use traits::{OwnedRead, OwnedWrite};
