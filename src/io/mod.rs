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
//!
//! # Pipes
//!
//! [`pipe`] opens an anonymous pipe ([`PipeReader`], [`PipeWriter`]); the
//! piped streams of a [child process](crate::process) are the same types.
//! The ends are non-blocking, so the kernel waits for them by arming a
//! poll rather than in a worker thread.
//!
//! # Standard streams
//!
//! [`stdin`], [`stdout`] and [`stderr`] read or write fd 0, 1 and 2
//! directly, with owned buffers and no buffering of their own: a write is
//! one `IORING_OP_WRITE` at the current file position (the end, for a file
//! opened for appending). The fds are never closed, whatever is dropped,
//! and their flags are left as they are (the open file behind them is
//! shared with the parent process, often a terminal).
//!
//! What the kernel does depends on the file behind the fd. A regular file
//! is read and written at its shared file position, like `read(2)` and
//! `write(2)`. A pipe, socket or terminal waits for data or room: on the
//! ring when the kernel can poll it without blocking, else in one of the
//! kernel's io_uring worker threads (a blocking terminal read, on some
//! kernels). A dropped read cancels such a wait.
//!
//! These handles do not share std's buffers: bytes std's `Stdin` has read
//! ahead are not seen here, and output still in std's `Stdout` line buffer
//! may come after bytes written here. Use one or the other for a given
//! stream.

mod copy;
mod fd_io;
mod impls;
mod pipe;
mod splice;
mod stdio;
mod traits;

pub use copy::{copy, copy_bidirectional};
pub use pipe::{pipe, PipeReader, PipeWriter};
pub use splice::splice;
pub(crate) use splice::{close_idle_pipes, send_file};
pub use stdio::{stderr, stdin, stdout, Stderr, Stdin, Stdout};
pub use traits::{OwnedRead, OwnedWrite};
