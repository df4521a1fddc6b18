//! [`stdin`], [`stdout`] and [`stderr`]: the process's standard streams on
//! the ring. How each kind of file behaves is in the public docs of
//! `ringio::io` (section "Standard streams").
#![forbid(unsafe_code)]

use super::fd_io::{impl_fd_read, impl_fd_write, FdIo, FdPollRead, FdPollWrite};
use super::{OwnedRead, OwnedWrite};
use crate::buf::{BufResult, IoBuf, IoBufMut};
use crate::cancel::{cancellable, Cancellable};
use crate::fd::SharedFd;
use crate::sys::fd_flags::standard_stream;
use std::future::Future;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

thread_local! {
    /// The three streams' handles, made once per thread.
    static STREAMS: [SharedFd; 3] = [0, 1, 2].map(standard_stream);
}

fn stream(fd: RawFd) -> SharedFd {
    // During thread teardown the cache may be gone: make a handle anew.
    STREAMS
        .try_with(|streams| streams[fd as usize].clone())
        .unwrap_or_else(|_| standard_stream(fd))
}

/// A handle to the process's standard input (fd 0); see [`stdin`].
#[derive(Debug)]
pub struct Stdin {
    io: FdIo,
    reader: FdPollRead,
}

/// The process's standard input (fd 0), read through the ring. Dropping
/// the handle leaves fd 0 open. See [the `io` module docs](crate::io#standard-streams) for how
/// terminals, pipes and files behave.
///
/// It implements [`OwnedRead`], futures-io's
/// [`AsyncRead`](futures_util::io::AsyncRead) and, with feature `tokio-io`,
/// tokio's `AsyncRead` (through an internal buffer, cancel-safe).
///
/// # Examples
///
/// ```no_run
/// ringio::run(async {
///     let (n, line) = ringio::io::stdin().read(Vec::with_capacity(1024)).await;
///     println!("read {} bytes: {:?}", n.unwrap(), String::from_utf8_lossy(&line));
/// });
/// ```
pub fn stdin() -> Stdin {
    Stdin {
        io: FdIo::new(stream(0)),
        reader: FdPollRead::default(),
    }
}

impl Stdin {
    /// Reads into `buf` (from its start, up to its capacity); waits until
    /// input is there. 0 means the end of the input (EOF: the writer of a
    /// pipe is gone, end of file, or Ctrl-D on a terminal).
    ///
    /// # Errors
    ///
    /// An OS error (`EBADF` when fd 0 is closed or not open for reading).
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, nothing is read. Dropped
    /// after, it may have completed: the bytes it read are consumed and
    /// lost. See [the crate docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let (n, buf) = ringio::io::stdin().read(Vec::with_capacity(4096)).await;
    ///     assert_eq!(buf.len(), n.unwrap());
    /// });
    /// ```
    pub fn read<B: IoBufMut>(&self, buf: B) -> impl Cancellable<Output = BufResult<usize, B>> + '_ {
        cancellable(async move { self.io.read(buf).await })
    }

    /// Reads into `bufs` in order (`IORING_OP_READV`); returns the total
    /// (0 = EOF).
    ///
    /// # Errors
    ///
    /// As [`read`](Stdin::read).
    ///
    /// # Cancel safety
    ///
    /// As [`read`](Stdin::read).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let bufs = vec![Vec::with_capacity(16), Vec::with_capacity(4096)];
    ///     let (n, bufs) = ringio::io::stdin().readv(bufs).await;
    ///     assert_eq!(bufs[0].len() + bufs[1].len(), n.unwrap());
    /// });
    /// ```
    pub fn readv<B: IoBufMut>(
        &self,
        bufs: Vec<B>,
    ) -> impl Cancellable<Output = BufResult<usize, Vec<B>>> + '_ {
        cancellable(async move { self.io.readv(bufs).await })
    }
}

impl AsRawFd for Stdin {
    fn as_raw_fd(&self) -> RawFd {
        self.io.fd.raw()
    }
}

impl AsFd for Stdin {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.fd.as_fd()
    }
}

impl_fd_read!(Stdin);

impl OwnedRead for Stdin {
    fn read<B: IoBufMut>(&self, buf: B) -> impl Future<Output = BufResult<usize, B>> {
        Stdin::read(self, buf)
    }

    fn readv<B: IoBufMut>(&self, bufs: Vec<B>) -> impl Future<Output = BufResult<usize, Vec<B>>> {
        Stdin::readv(self, bufs)
    }
}

/// The output streams: one type each, the same methods.
macro_rules! output_stream {
    ($name:ident, $func:ident, $fd:literal, $what:literal) => {
        #[doc = concat!("A handle to the process's ", $what, " (fd ", $fd, "); see [`", stringify!($func), "`].")]
        #[derive(Debug)]
        pub struct $name {
            io: FdIo,
            writer: FdPollWrite,
        }

        #[doc = concat!("The process's ", $what, " (fd ", $fd, "), written through the ring, unbuffered. Dropping")]
        #[doc = concat!("the handle leaves fd ", $fd, " open. See [the `io` module docs](crate::io#standard-streams) for how")]
        /// terminals, pipes and files behave.
        ///
        /// It implements [`OwnedWrite`], futures-io's
        /// [`AsyncWrite`](futures_util::io::AsyncWrite) and, with feature
        /// `tokio-io`, tokio's `AsyncWrite` (through an internal buffer,
        /// cancel-safe; flush before dropping; close only flushes).
        ///
        /// # Examples
        ///
        /// ```
        /// ringio::run(async {
        #[doc = concat!("    let out = ringio::io::", stringify!($func), "();")]
        ///     let (res, _) = out.write_all(b"hello from the ring\n".to_vec()).await;
        ///     res.unwrap();
        /// });
        /// ```
        pub fn $func() -> $name {
            $name {
                io: FdIo::new(stream($fd)),
                writer: FdPollWrite::default(),
            }
        }

        impl $name {
            /// Writes `buf`'s initialized bytes; returns how many were
            /// written (possibly fewer, on a pipe or terminal).
            ///
            /// # Errors
            ///
            /// `BrokenPipe` when the stream is a pipe whose readers are all
            /// gone, or another OS error (`EBADF` when the fd is closed).
            ///
            /// # Cancel safety
            ///
            /// Dropped before the runtime submits it, nothing is written.
            /// Dropped after, some or all of the bytes may have been
            /// written. See [the crate docs](crate#cancellation).
            ///
            /// # Examples
            ///
            /// ```
            /// ringio::run(async {
            #[doc = concat!("    let (n, _buf) = ringio::io::", stringify!($func), "().write(b\"hi\\n\".to_vec()).await;")]
            ///     assert!(n.unwrap() <= 3);
            /// });
            /// ```
            pub fn write<B: IoBuf>(&self, buf: B) -> impl Cancellable<Output = BufResult<usize, B>> + '_ {
                cancellable(async move {
                    self.io.write(buf).await
                })
            }

            /// Writes all of `buf`'s initialized bytes, looping over short
            /// writes.
            ///
            /// # Errors
            ///
            #[doc = concat!("`WriteZero` if nothing more is taken, or as [`write`](", stringify!($name), "::write).")]
            ///
            /// # Cancel safety
            ///
            /// Not cancel-safe as a whole: a drop loses how much was
            /// written. Each write in it follows the rules of `write`.
            ///
            /// # Examples
            ///
            /// ```
            /// ringio::run(async {
            #[doc = concat!("    let (res, _) = ringio::io::", stringify!($func), "().write_all(b\"all of it\\n\".to_vec()).await;")]
            ///     res.unwrap();
            /// });
            /// ```
            pub fn write_all<B: IoBuf>(&self, buf: B) -> impl Cancellable<Output = BufResult<(), B>> + '_ {
                cancellable(async move {
                    self.io.write_all(buf).await
                })
            }

            /// Writes the initialized bytes of `bufs` in order
            /// (`IORING_OP_WRITEV`); returns how many were written
            /// (possibly fewer).
            ///
            /// # Errors
            ///
            #[doc = concat!("As [`write`](", stringify!($name), "::write).")]
            ///
            /// # Cancel safety
            ///
            #[doc = concat!("As [`write`](", stringify!($name), "::write).")]
            ///
            /// # Examples
            ///
            /// ```
            /// ringio::run(async {
            ///     let bufs = vec![b"two ".to_vec(), b"parts\n".to_vec()];
            #[doc = concat!("    let (n, _) = ringio::io::", stringify!($func), "().writev(bufs).await;")]
            ///     assert!(n.unwrap() <= 10);
            /// });
            /// ```
            pub fn writev<B: IoBuf>(&self, bufs: Vec<B>) -> impl Cancellable<Output = BufResult<usize, Vec<B>>> + '_ {
                cancellable(async move {
                    self.io.writev(bufs).await
                })
            }
        }

        impl AsRawFd for $name {
            fn as_raw_fd(&self) -> RawFd {
                self.io.fd.raw()
            }
        }

        impl AsFd for $name {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.io.fd.as_fd()
            }
        }

        impl_fd_write!($name);

        impl OwnedWrite for $name {
            fn write<B: IoBuf>(&self, buf: B) -> impl Future<Output = BufResult<usize, B>> {
                $name::write(self, buf)
            }

            fn write_all<B: IoBuf>(&self, buf: B) -> impl Future<Output = BufResult<(), B>> {
                $name::write_all(self, buf)
            }

            fn writev<B: IoBuf>(
                &self,
                bufs: Vec<B>,
            ) -> impl Future<Output = BufResult<usize, Vec<B>>> {
                $name::writev(self, bufs)
            }

            /// Does nothing and succeeds: the stream stays open.
            fn shutdown(&self) -> impl Future<Output = io::Result<()>> {
                std::future::ready(Ok(()))
            }
        }
    };
}

output_stream!(Stdout, stdout, 1, "standard output");
output_stream!(Stderr, stderr, 2, "standard error");
