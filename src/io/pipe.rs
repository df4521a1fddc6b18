//! [`pipe`], [`PipeReader`] and [`PipeWriter`]: anonymous pipes on the ring.
#![forbid(unsafe_code)]

use super::fd_io::{impl_fd_read, impl_fd_write, FdIo, FdPollRead, FdPollWrite};
use super::{OwnedRead, OwnedWrite};
use crate::buf::{BufResult, IoBuf, IoBufMut};
use crate::cancel::{cancellable, Cancellable};
use crate::fd::SharedFd;
use crate::sys::fd_flags;
use std::future::Future;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

/// Opens an anonymous pipe: bytes written to the [`PipeWriter`] come out of
/// the [`PipeReader`], in order.
///
/// Both ends are close-on-exec and in non-blocking mode, so the kernel
/// waits for them by arming a poll rather than parking a worker thread (a
/// read or write that finds the pipe empty or full waits on the ring; it
/// never returns `WouldBlock`). Reading after every writer is gone gives
/// `Ok(0)` (EOF); writing after every reader is gone fails with
/// `BrokenPipe`.
///
/// # Errors
///
/// `EMFILE`/`ENFILE` when no file descriptor is left, or another OS error
/// of `pipe2(2)`.
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     let (reader, writer) = ringio::io::pipe().unwrap();
///     let (res, _) = writer.write_all(b"hello".to_vec()).await;
///     res.unwrap();
///     drop(writer);
///     let (n, buf) = reader.read(Vec::with_capacity(64)).await;
///     assert_eq!(&buf[..n.unwrap()], b"hello");
///     let (n, _) = reader.read(Vec::with_capacity(64)).await;
///     assert_eq!(n.unwrap(), 0, "EOF once the writer is gone");
/// });
/// ```
pub fn pipe() -> io::Result<(PipeReader, PipeWriter)> {
    let (read, write) = fd_flags::nonblocking_pipe()?;
    Ok((
        PipeReader::from_shared(SharedFd::new(read)),
        PipeWriter::from_shared(SharedFd::new(write)),
    ))
}

/// Puts a pipe end taken from elsewhere in non-blocking, close-on-exec
/// mode. A failure leaves the fd as it was, which still works (a blocking fd waits in the kernel's worker threads).
fn adopt_or_keep(fd: OwnedFd) -> SharedFd {
    let _ = fd_flags::set_nonblocking(fd.as_fd(), true);
    let _ = fd_flags::set_cloexec(fd.as_fd());
    SharedFd::new(fd)
}

/// The fd back in blocking mode, for a child process or blocking code.
fn into_blocking(fd: SharedFd) -> io::Result<OwnedFd> {
    // An operation abandoned on this fd may still hold it; then a duplicate
    // (the same open pipe) is handed out.
    let fd = match fd.try_unwrap() {
        Ok(fd) => fd,
        Err(shared) => shared.try_clone_owned()?,
    };
    fd_flags::set_nonblocking(fd.as_fd(), false)?;
    Ok(fd)
}

/// The read end of a pipe: from [`pipe`], or a child's
/// [`stdout`](crate::process::Child::stdout) and
/// [`stderr`](crate::process::Child::stderr). All reads take owned buffers
/// and `&self`. The fd closes when it is dropped.
///
/// It implements [`OwnedRead`], futures-io's
/// [`AsyncRead`](futures_util::io::AsyncRead) and, with feature `tokio-io`,
/// tokio's `AsyncRead`, through an internal buffer and cancel-safe (a
/// dropped poll loses no byte; bytes the adapter has buffered are seen only
/// through the adapter).
///
/// # Examples
///
/// ```
/// use futures_util::AsyncReadExt;
///
/// ringio::run(async {
///     let (mut reader, writer) = ringio::io::pipe().unwrap();
///     let (res, _) = writer.write_all(b"line\n".to_vec()).await;
///     res.unwrap();
///     drop(writer);
///     let mut text = String::new();
///     reader.read_to_string(&mut text).await.unwrap();
///     assert_eq!(text, "line\n");
/// });
/// ```
#[derive(Debug)]
pub struct PipeReader {
    io: FdIo,
    reader: FdPollRead,
}

impl PipeReader {
    pub(crate) fn from_shared(fd: SharedFd) -> PipeReader {
        PipeReader {
            io: FdIo::new(fd),
            reader: FdPollRead::default(),
        }
    }

    /// Reads into `buf` (from its start, up to its capacity); waits while
    /// the pipe is empty. 0 means every writer is gone (EOF).
    ///
    /// # Errors
    ///
    /// An OS error (`EBADF` for an fd not open for reading).
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, nothing is read. Dropped
    /// after, it may have completed: the bytes it read are consumed and
    /// lost. See [the crate docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let (reader, writer) = ringio::io::pipe().unwrap();
    ///     let (res, _) = writer.write(b"hi".to_vec()).await;
    ///     res.unwrap();
    ///     let (n, buf) = reader.read(Vec::with_capacity(64)).await;
    ///     assert_eq!(&buf[..n.unwrap()], b"hi");
    /// });
    /// ```
    pub fn read<B: IoBufMut>(&self, buf: B) -> impl Cancellable<Output = BufResult<usize, B>> + '_ {
        cancellable(async move { self.io.read(buf).await })
    }

    /// Reads into `bufs` in order (`IORING_OP_READV`), each from its start
    /// up to its capacity; returns the total (0 = EOF).
    ///
    /// # Errors
    ///
    /// As [`read`](PipeReader::read); `EINVAL` for more than 1024 buffers.
    ///
    /// # Cancel safety
    ///
    /// As [`read`](PipeReader::read).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let (reader, writer) = ringio::io::pipe().unwrap();
    ///     let (res, _) = writer.write_all(b"header+body".to_vec()).await;
    ///     res.unwrap();
    ///     let bufs = vec![Vec::with_capacity(7), Vec::with_capacity(64)];
    ///     let (n, bufs) = reader.readv(bufs).await;
    ///     assert_eq!(n.unwrap(), 11);
    ///     assert_eq!(bufs[0], b"header+");
    /// });
    /// ```
    pub fn readv<B: IoBufMut>(
        &self,
        bufs: Vec<B>,
    ) -> impl Cancellable<Output = BufResult<usize, Vec<B>>> + '_ {
        cancellable(async move { self.io.readv(bufs).await })
    }

    /// The fd, back in blocking mode: to hand to a child process
    /// (`Stdio::from`) or to blocking code. Bytes the futures-io adapter
    /// has buffered are dropped.
    ///
    /// # Errors
    ///
    /// The OS error of `fcntl(2)`, or of the `dup(2)` made when an
    /// abandoned operation still holds the fd.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::process::Stdio;
    ///
    /// ringio::run(async {
    ///     let (reader, writer) = ringio::io::pipe().unwrap();
    ///     let mut child = ringio::process::Command::new("cat")
    ///         .stdin(Stdio::from(reader.into_blocking_fd().unwrap()))
    ///         .stdout(Stdio::null())
    ///         .spawn()
    ///         .unwrap();
    ///     let (res, _) = writer.write_all(b"fed through a pipe".to_vec()).await;
    ///     res.unwrap();
    ///     drop(writer);
    ///     assert!(child.wait().await.unwrap().success());
    /// });
    /// ```
    pub fn into_blocking_fd(self) -> io::Result<OwnedFd> {
        into_blocking(self.io.fd)
    }
}

/// The write end of a pipe: from [`pipe`], or a child's
/// [`stdin`](crate::process::Child::stdin). All writes take owned buffers
/// and `&self`. The fd closes when it is dropped: that is how the reader
/// gets EOF (a pipe has no half-close, so
/// [`OwnedWrite::shutdown`] and the adapters' close only flush).
///
/// Writing when every reader is gone fails with `BrokenPipe`. (The kernel
/// also raises `SIGPIPE`, which Rust programs ignore by default; in a
/// program where it keeps its default action it ends the process, as it
/// does with std's pipes.)
///
/// It implements [`OwnedWrite`], futures-io's
/// [`AsyncWrite`](futures_util::io::AsyncWrite) and, with feature
/// `tokio-io`, tokio's `AsyncWrite`, through an internal buffer and
/// cancel-safe (a dropped poll loses no accepted byte; flush before
/// dropping).
///
/// # Examples
///
/// ```
/// use futures_util::AsyncWriteExt;
///
/// ringio::run(async {
///     let (reader, mut writer) = ringio::io::pipe().unwrap();
///     // The inherent, owned-buffer `write_all` comes first in method calls.
///     AsyncWriteExt::write_all(&mut writer, b"through the adapter").await.unwrap();
///     writer.flush().await.unwrap();
///     let (n, buf) = reader.read(Vec::with_capacity(64)).await;
///     assert_eq!(&buf[..n.unwrap()], b"through the adapter");
/// });
/// ```
#[derive(Debug)]
pub struct PipeWriter {
    io: FdIo,
    writer: FdPollWrite,
}

impl PipeWriter {
    pub(crate) fn from_shared(fd: SharedFd) -> PipeWriter {
        PipeWriter {
            io: FdIo::new(fd),
            writer: FdPollWrite::default(),
        }
    }

    /// Writes `buf`'s initialized bytes; waits while the pipe is full.
    /// Returns how many were written (possibly fewer: at most what the pipe
    /// had room for).
    ///
    /// # Errors
    ///
    /// `BrokenPipe` when every reader is gone, or another OS error.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, nothing is written. Dropped
    /// after, some or all of the bytes may have been written. See [the
    /// crate docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let (_reader, writer) = ringio::io::pipe().unwrap();
    ///     let (n, _buf) = writer.write(b"hi".to_vec()).await;
    ///     assert_eq!(n.unwrap(), 2);
    /// });
    /// ```
    pub fn write<B: IoBuf>(&self, buf: B) -> impl Cancellable<Output = BufResult<usize, B>> + '_ {
        cancellable(async move { self.io.write(buf).await })
    }

    /// Writes all of `buf`'s initialized bytes, looping over short writes.
    ///
    /// # Errors
    ///
    /// `WriteZero` if the pipe takes no more bytes, or as
    /// [`write`](PipeWriter::write).
    ///
    /// # Cancel safety
    ///
    /// Not cancel-safe as a whole: a drop loses how much was written. Each
    /// write in it follows the rules of [`write`](PipeWriter::write).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let (reader, writer) = ringio::io::pipe().unwrap();
    ///     let (res, _) = writer.write_all(vec![7u8; 1024]).await;
    ///     res.unwrap();
    ///     let (n, _) = reader.read(Vec::with_capacity(4096)).await;
    ///     assert_eq!(n.unwrap(), 1024);
    /// });
    /// ```
    pub fn write_all<B: IoBuf>(&self, buf: B) -> impl Cancellable<Output = BufResult<(), B>> + '_ {
        cancellable(async move { self.io.write_all(buf).await })
    }

    /// Writes the initialized bytes of `bufs` in order
    /// (`IORING_OP_WRITEV`); returns how many were written (possibly fewer).
    ///
    /// # Errors
    ///
    /// As [`write`](PipeWriter::write).
    ///
    /// # Cancel safety
    ///
    /// As [`write`](PipeWriter::write).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let (_reader, writer) = ringio::io::pipe().unwrap();
    ///     let bufs = vec![b"len: 5\n".to_vec(), b"hello".to_vec()];
    ///     let (n, _bufs) = writer.writev(bufs).await;
    ///     assert_eq!(n.unwrap(), 12);
    /// });
    /// ```
    pub fn writev<B: IoBuf>(
        &self,
        bufs: Vec<B>,
    ) -> impl Cancellable<Output = BufResult<usize, Vec<B>>> + '_ {
        cancellable(async move { self.io.writev(bufs).await })
    }

    /// The fd, back in blocking mode: to hand to a child process
    /// (`Stdio::from`) or to blocking code. Bytes the futures-io adapter
    /// accepted but has not written yet are dropped (flush first).
    ///
    /// # Errors
    ///
    /// The OS error of `fcntl(2)`, or of the `dup(2)` made when an
    /// abandoned operation still holds the fd.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::process::Stdio;
    ///
    /// ringio::run(async {
    ///     let (reader, writer) = ringio::io::pipe().unwrap();
    ///     let status = ringio::process::Command::new("echo")
    ///         .arg("from a child")
    ///         .stdout(Stdio::from(writer.into_blocking_fd().unwrap()))
    ///         .status()
    ///         .await
    ///         .unwrap();
    ///     assert!(status.success());
    ///     let (n, buf) = reader.read(Vec::with_capacity(64)).await;
    ///     assert_eq!(&buf[..n.unwrap()], b"from a child\n");
    /// });
    /// ```
    pub fn into_blocking_fd(self) -> io::Result<OwnedFd> {
        into_blocking(self.io.fd)
    }
}

macro_rules! impl_fd_conversions {
    ($end:ty, $($from:ty),*) => {
        impl AsRawFd for $end {
            fn as_raw_fd(&self) -> RawFd {
                self.io.fd.raw()
            }
        }

        impl AsFd for $end {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.io.fd.as_fd()
            }
        }

        /// Takes ownership of a pipe end (or FIFO), putting it in
        /// non-blocking, close-on-exec mode where `fcntl(2)` allows (a
        /// blocking fd works too: the kernel then waits for it in a worker
        /// thread).
        impl From<OwnedFd> for $end {
            fn from(fd: OwnedFd) -> $end {
                <$end>::from_shared(adopt_or_keep(fd))
            }
        }

        $(
            /// Takes ownership of the pipe end, as `From<OwnedFd>` does.
            impl From<$from> for $end {
                fn from(end: $from) -> $end {
                    <$end>::from(OwnedFd::from(end))
                }
            }
        )*
    };
}

impl_fd_conversions!(
    PipeReader,
    std::io::PipeReader,
    std::process::ChildStdout,
    std::process::ChildStderr
);
impl_fd_conversions!(PipeWriter, std::io::PipeWriter, std::process::ChildStdin);

impl_fd_read!(PipeReader);
impl_fd_write!(PipeWriter);

impl OwnedRead for PipeReader {
    fn read<B: IoBufMut>(&self, buf: B) -> impl Future<Output = BufResult<usize, B>> {
        PipeReader::read(self, buf)
    }

    fn readv<B: IoBufMut>(&self, bufs: Vec<B>) -> impl Future<Output = BufResult<usize, Vec<B>>> {
        PipeReader::readv(self, bufs)
    }
}

impl OwnedWrite for PipeWriter {
    fn write<B: IoBuf>(&self, buf: B) -> impl Future<Output = BufResult<usize, B>> {
        PipeWriter::write(self, buf)
    }

    fn write_all<B: IoBuf>(&self, buf: B) -> impl Future<Output = BufResult<(), B>> {
        PipeWriter::write_all(self, buf)
    }

    fn writev<B: IoBuf>(&self, bufs: Vec<B>) -> impl Future<Output = BufResult<usize, Vec<B>>> {
        PipeWriter::writev(self, bufs)
    }

    /// Does nothing and succeeds: a pipe has no half-close. The reader gets
    /// EOF when every write end is dropped.
    fn shutdown(&self) -> impl Future<Output = io::Result<()>> {
        std::future::ready(Ok(()))
    }
}
