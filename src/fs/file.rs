//! [`File`]: a file whose every operation is an io_uring op.

use super::{Metadata, OpenOptions};
use crate::buf::{BufResult, FixedBuf, IoBuf, IoBufMut};
use crate::cancel::{cancellable, Cancellable};
use crate::fd::SharedFd;
use crate::op::close::Close;
use crate::op::fixed;
use crate::op::fsync::Fsync;
use crate::op::read::ReadAt;
use crate::op::statx::Statx;
use crate::op::truncate::{Fallocate, Ftruncate};
use crate::op::vectored::{ReadvAt, WritevAt};
use crate::op::write::WriteAt;
use crate::op::Op;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, IntoRawFd, OwnedFd, RawFd};
use std::path::Path;

/// An open file. Reads and writes name their offset and take owned buffers;
/// they go straight to the ring from the calling task's thread (no thread
/// pool). Methods take `&self`, so one `File` (in an `Rc`, say) serves many
/// concurrent operations.
///
/// Dropping a `File` closes its fd (synchronously, once no operation uses
/// it); [`close`](File::close) closes it through the ring and reports errors.
///
/// # Examples
///
/// ```no_run
/// use ringio::fs::File;
///
/// ringio::run(async {
///     let file = File::create("hello.txt").await.unwrap();
///     let (res, _buf) = file.write_all_at(b"hello".to_vec(), 0).await;
///     res.unwrap();
///     file.sync_all().await.unwrap();
///     file.close().await.unwrap();
///
///     let file = File::open("hello.txt").await.unwrap();
///     let (res, buf) = file.read_at(Vec::with_capacity(16), 0).await;
///     assert_eq!(&buf[..res.unwrap()], b"hello");
/// });
/// ```
pub struct File {
    fd: SharedFd,
    /// Whether the fd is a regular file, once asked.
    regular: std::cell::Cell<Option<bool>>,
}

impl std::fmt::Debug for File {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("File").field("fd", &self.fd.raw()).finish()
    }
}

impl File {
    pub(crate) fn from_owned_fd(fd: OwnedFd) -> File {
        File {
            fd: SharedFd::new(fd),
            regular: std::cell::Cell::new(None),
        }
    }

    /// Whether this is a regular file (asked of the kernel once).
    pub(crate) fn is_regular(&self) -> io::Result<bool> {
        if let Some(regular) = self.regular.get() {
            return Ok(regular);
        }
        let regular = crate::sys::fd_flags::is_regular_file(self.fd.as_fd())?;
        self.regular.set(Some(regular));
        Ok(regular)
    }

    pub(crate) fn shared_fd(&self) -> &SharedFd {
        &self.fd
    }

    /// Opens a file read-only.
    ///
    /// # Errors
    ///
    /// `NotFound` if it does not exist, `InvalidInput` for a path with an
    /// interior NUL byte, or another error from the kernel.
    ///
    /// # Cancel safety
    ///
    /// As [`OpenOptions::open`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let file = ringio::fs::File::open("Cargo.toml").await.unwrap();
    ///     # drop(file);
    /// });
    /// ```
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Opens a file write-only, creating it or truncating it.
    ///
    /// # Errors
    ///
    /// The kernel's error, such as `PermissionDenied`; `InvalidInput` for a
    /// path with an interior NUL byte.
    ///
    /// # Cancel safety
    ///
    /// As [`OpenOptions::open`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let file = ringio::fs::File::create("out.bin").await.unwrap();
    ///     # drop(file);
    /// });
    /// ```
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// Wraps a `std::fs::File`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let std_file = std::fs::File::open("Cargo.toml").unwrap();
    ///     let file = ringio::fs::File::from_std(std_file);
    ///     # drop(file);
    /// });
    /// ```
    pub fn from_std(file: std::fs::File) -> File {
        File::from_owned_fd(OwnedFd::from(file))
    }

    /// Reads into `buf` (from its start, up to its capacity) at offset `pos`;
    /// returns the number of bytes read (0 at end of file) and the buffer,
    /// whose length is then exactly that many bytes for a `Vec<u8>`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for an offset above `i64::MAX` (io_uring would read
    /// `u64::MAX` as the file's cursor); the kernel's error, such as `EBADF`
    /// for a file not opened for reading.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, the read never starts. Dropped
    /// after, it may have completed: the bytes it read are lost (the file is
    /// unchanged). See [the crate docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let file = ringio::fs::File::open("Cargo.toml").await.unwrap();
    ///     let (n, buf) = file.read_at(vec![0; 4096], 0).await;
    ///     println!("{:?}", &buf[..n.unwrap()]);
    /// });
    /// ```
    pub fn read_at<B: IoBufMut>(
        &self,
        buf: B,
        pos: u64,
    ) -> impl Cancellable<Output = BufResult<usize, B>> + '_ {
        cancellable(async move {
            if let Err(e) = check_offset(pos) {
                return (Err(e), buf);
            }
            Op::submit(ReadAt::new(self.fd.clone(), buf, pos)).await
        })
    }

    /// Reads exactly `buf.bytes_total()` bytes at `pos`, looping over short
    /// reads.
    ///
    /// # Errors
    ///
    /// `UnexpectedEof` if the file ends first (the bytes read so far are in
    /// the buffer), or the kernel's error.
    ///
    /// # Cancel safety
    ///
    /// Not cancel-safe as a whole: a drop loses how much was read. Each read in
    /// it follows the rules of [`read_at`](File::read_at).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let file = ringio::fs::File::open("Cargo.toml").await.unwrap();
    ///     let (res, header) = file.read_exact_at(Vec::with_capacity(8), 0).await;
    ///     res.unwrap();
    ///     assert_eq!(header.len(), 8);
    /// });
    /// ```
    pub fn read_exact_at<B: IoBufMut>(
        &self,
        buf: B,
        pos: u64,
    ) -> impl Cancellable<Output = BufResult<(), B>> + '_ {
        cancellable(async move {
            let total = buf.bytes_total();
            let mut buf = buf;
            let mut filled = 0;
            while filled < total {
                let (res, slice) = self
                    .read_at(buf.slice(filled..), pos.saturating_add(filled as u64))
                    .await;
                buf = slice.into_inner();
                match res {
                    Ok(0) => {
                        let eof = io::Error::new(io::ErrorKind::UnexpectedEof, "file ended early");
                        return (Err(eof), buf);
                    }
                    Ok(n) => filled += n,
                    // Not retried once a `Cancellable` cancels: the cancel stands.
                    Err(e)
                        if e.kind() == io::ErrorKind::Interrupted
                            && !crate::runtime::context::cancel_requested() => {}
                    Err(e) => return (Err(e), buf),
                }
            }
            (Ok(()), buf)
        })
    }

    /// Writes `buf`'s initialized bytes at `pos`; returns how many were
    /// written (possibly fewer) and the buffer.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for an offset above `i64::MAX`; the kernel's error,
    /// such as `EBADF` for a file not opened for writing.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, nothing is written. Dropped
    /// after, some or all of the bytes may have been written. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let file = ringio::fs::File::create("out.txt").await.unwrap();
    ///     let (n, _buf) = file.write_at("hello", 0).await;
    ///     assert_eq!(n.unwrap(), 5);
    /// });
    /// ```
    pub fn write_at<B: IoBuf>(
        &self,
        buf: B,
        pos: u64,
    ) -> impl Cancellable<Output = BufResult<usize, B>> + '_ {
        cancellable(async move {
            if let Err(e) = check_offset(pos) {
                return (Err(e), buf);
            }
            Op::submit(WriteAt::new(self.fd.clone(), buf, pos)).await
        })
    }

    /// Writes all of `buf`'s initialized bytes at `pos`, looping over short
    /// writes.
    ///
    /// # Errors
    ///
    /// `WriteZero` if the kernel accepts no more bytes, or the kernel's error.
    ///
    /// # Cancel safety
    ///
    /// Not cancel-safe as a whole: a drop loses how much was written. Each
    /// write in it follows the rules of [`write_at`](File::write_at).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let file = ringio::fs::File::create("out.txt").await.unwrap();
    ///     let (res, _buf) = file.write_all_at(vec![7u8; 1 << 20], 0).await;
    ///     res.unwrap();
    /// });
    /// ```
    pub fn write_all_at<B: IoBuf>(
        &self,
        buf: B,
        pos: u64,
    ) -> impl Cancellable<Output = BufResult<(), B>> + '_ {
        cancellable(async move {
            crate::io_util::write_all(buf, |rest, done| {
                self.write_at(rest, pos.saturating_add(done as u64))
            })
            .await
        })
    }

    /// Reads into `bufs` in order at `pos` (`IORING_OP_READV`); returns the
    /// total read and the buffers, each `Vec<u8>` with its exact length.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for an offset above `i64::MAX`; the kernel's error
    /// (`EINVAL` for more than 1024 buffers).
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, the read never starts. Dropped
    /// after, it may have completed: the bytes it read are lost (the file is
    /// unchanged). See [the crate docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let file = ringio::fs::File::open("Cargo.toml").await.unwrap();
    ///     let bufs = vec![Vec::with_capacity(4), Vec::with_capacity(4)];
    ///     let (n, bufs) = file.readv_at(bufs, 0).await;
    ///     assert_eq!(n.unwrap(), bufs[0].len() + bufs[1].len());
    /// });
    /// ```
    pub fn readv_at<B: IoBufMut>(
        &self,
        bufs: Vec<B>,
        pos: u64,
    ) -> impl Cancellable<Output = BufResult<usize, Vec<B>>> + '_ {
        cancellable(async move {
            if let Err(e) = check_offset(pos) {
                return (Err(e), bufs);
            }
            Op::submit(ReadvAt::new(self.fd.clone(), bufs, pos)).await
        })
    }

    /// Writes the initialized bytes of `bufs`, in order, at `pos`
    /// (`IORING_OP_WRITEV`); returns the total written (possibly short).
    ///
    /// # Errors
    ///
    /// The kernel's error.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, nothing is written. Dropped
    /// after, some or all of the bytes may have been written. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let file = ringio::fs::File::create("out.txt").await.unwrap();
    ///     let (n, _bufs) = file.writev_at(vec!["head ", "tail"], 0).await;
    ///     assert_eq!(n.unwrap(), 9);
    /// });
    /// ```
    pub fn writev_at<B: IoBuf>(
        &self,
        bufs: Vec<B>,
        pos: u64,
    ) -> impl Cancellable<Output = BufResult<usize, Vec<B>>> + '_ {
        cancellable(async move {
            if let Err(e) = check_offset(pos) {
                return (Err(e), bufs);
            }
            Op::submit(WritevAt::new(self.fd.clone(), bufs, pos)).await
        })
    }

    /// Sets the file's length, extending it with zeros or cutting it
    /// (`IORING_OP_FTRUNCATE`; on kernels before 6.9, which lack it, a plain
    /// `ftruncate(2)` on this thread).
    ///
    /// # Errors
    ///
    /// The kernel's error (`EINVAL` for a file not open for writing).
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, the length is unchanged. Dropped
    /// after, the length may have been set. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let file = ringio::fs::File::create("sparse.bin").await.unwrap();
    ///     file.set_len(1 << 30).await.unwrap();
    /// });
    /// ```
    pub async fn set_len(&self, len: u64) -> io::Result<()> {
        match Op::submit(Ftruncate::new(self.fd.clone(), len)).await {
            // A kernel without the opcode says EINVAL; so does a file not
            // open for writing, for which ftruncate(2) gives the same error.
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
                std::fs::File::from(self.fd.try_clone_owned()?).set_len(len)
            }
            other => other,
        }
    }

    /// Allocates (or with `mode` flags such as `libc::FALLOC_FL_PUNCH_HOLE`,
    /// deallocates) disk space for `offset..offset + len`
    /// (`IORING_OP_FALLOCATE`; `mode` 0 also extends the file).
    ///
    /// # Errors
    ///
    /// The kernel's error, such as `EOPNOTSUPP` on file systems without it.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, nothing is allocated. Dropped
    /// after, the range may have been allocated (or deallocated). See [the
    /// crate docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let file = ringio::fs::File::create("prealloc.bin").await.unwrap();
    ///     file.fallocate(0, 1 << 20, 0).await.unwrap();
    /// });
    /// ```
    pub async fn fallocate(&self, offset: u64, len: u64, mode: i32) -> io::Result<()> {
        Op::submit(Fallocate::new(self.fd.clone(), mode, offset, len)).await
    }

    /// Flushes data and metadata to the device (`IORING_OP_FSYNC`).
    ///
    /// # Errors
    ///
    /// The kernel's error, such as `EIO`.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, nothing is flushed. Dropped
    /// after, the flush may have happened, and its result (an `EIO`, say) is
    /// lost. See [the crate docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let file = ringio::fs::File::create("out.txt").await.unwrap();
    ///     file.sync_all().await.unwrap();
    /// });
    /// ```
    pub async fn sync_all(&self) -> io::Result<()> {
        Op::submit(Fsync::new(self.fd.clone(), false)).await
    }

    /// Flushes data (and the metadata needed to read it) to the device
    /// (`IORING_FSYNC_DATASYNC`).
    ///
    /// # Errors
    ///
    /// The kernel's error.
    ///
    /// # Cancel safety
    ///
    /// As [`sync_all`](File::sync_all).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let file = ringio::fs::File::create("out.txt").await.unwrap();
    ///     file.sync_data().await.unwrap();
    /// });
    /// ```
    pub async fn sync_data(&self) -> io::Result<()> {
        Op::submit(Fsync::new(self.fd.clone(), true)).await
    }

    /// The file's metadata (`IORING_OP_STATX` on the fd).
    ///
    /// # Errors
    ///
    /// The kernel's error.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, the `statx` never starts; dropped
    /// after, only its result is lost. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let file = ringio::fs::File::open("Cargo.toml").await.unwrap();
    ///     assert!(file.metadata().await.unwrap().is_file());
    /// });
    /// ```
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let stx = Op::submit(Statx::of_fd(self.fd.clone())).await?;
        Ok(Metadata::from_statx(stx))
    }

    /// Closes the file through the ring (`IORING_OP_CLOSE`) and reports the
    /// kernel's verdict. Taking `self` makes closing twice impossible.
    ///
    /// If an operation dropped earlier is still in flight on the fd, the fd
    /// is closed when that operation completes instead, and this returns
    /// `Ok(())`.
    ///
    /// # Errors
    ///
    /// The kernel's error from `close(2)` (for example `EIO` on some network
    /// file systems).
    ///
    /// # Cancel safety
    ///
    /// The fd is closed either way: a dropped close still takes effect (a close
    /// cannot be cancelled), and only its error is lost. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let file = ringio::fs::File::open("Cargo.toml").await.unwrap();
    ///     file.close().await.unwrap();
    /// });
    /// ```
    pub async fn close(self) -> io::Result<()> {
        match self.fd.try_unwrap() {
            Ok(fd) => Op::submit(Close::new(fd)).await,
            Err(_still_in_use) => Ok(()),
        }
    }

    /// Reads into `buf` (from its start, up to its capacity) at offset
    /// `pos` through its registered slot (`IORING_OP_READ_FIXED`: the kernel
    /// maps no pages for it); returns the number of bytes read (0 at end of
    /// file), which becomes the buffer's length. Where the pool is plain
    /// memory (the epoll driver) it is a plain read.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for an offset above `i64::MAX`, or for a buffer of
    /// another runtime's pool (its slot names another ring's table); the
    /// kernel's error, such as `EBADF` for a file not opened for reading, or
    /// `EINVAL` for an `O_DIRECT` read whose offset or buffer size is not a
    /// multiple of the block size.
    ///
    /// # Cancel safety
    ///
    /// As [`read_at`](File::read_at); a dropped read keeps the buffer (and
    /// its registration) until the kernel is done with it, then the buffer
    /// goes back to its pool.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let pool = ringio::buf::FixedBufPool::new(4, 4096).unwrap();
    ///     let file = ringio::fs::File::open("Cargo.toml").await.unwrap();
    ///     let (n, buf) = file.read_fixed_at(pool.get().await, 0).await;
    ///     println!("{:?}", &buf[..n.unwrap()]);
    /// });
    /// ```
    pub fn read_fixed_at(
        &self,
        buf: FixedBuf,
        pos: u64,
    ) -> impl Cancellable<Output = BufResult<usize, FixedBuf>> + '_ {
        cancellable(async move {
            if let Err(e) = check_offset(pos) {
                return (Err(e), buf);
            }
            fixed::read(&self.fd, buf, fixed::Target::File(pos)).await
        })
    }

    /// Writes `buf`'s bytes (up to its length) at `pos` through its
    /// registered slot (`IORING_OP_WRITE_FIXED`); returns how many were
    /// written (possibly fewer). Where the pool is plain memory (the epoll
    /// driver) it is a plain write.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for an offset above `i64::MAX`, or for a buffer of
    /// another runtime's pool; the kernel's error, such as `EBADF` for a
    /// file not opened for writing.
    ///
    /// # Cancel safety
    ///
    /// As [`write_at`](File::write_at); a dropped write keeps the buffer
    /// until the kernel is done with it.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let pool = ringio::buf::FixedBufPool::new(4, 4096).unwrap();
    ///     let file = ringio::fs::File::create("out.txt").await.unwrap();
    ///     let mut buf = pool.get().await;
    ///     buf.extend_from_slice(b"hello");
    ///     let (n, _buf) = file.write_fixed_at(buf, 0).await;
    ///     assert_eq!(n.unwrap(), 5);
    /// });
    /// ```
    pub fn write_fixed_at(
        &self,
        buf: FixedBuf,
        pos: u64,
    ) -> impl Cancellable<Output = BufResult<usize, FixedBuf>> + '_ {
        cancellable(async move {
            if let Err(e) = check_offset(pos) {
                return (Err(e), buf);
            }
            fixed::write(&self.fd, buf, fixed::Target::File(pos)).await
        })
    }
}

impl AsRawFd for File {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.raw()
    }
}

impl AsFd for File {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl From<OwnedFd> for File {
    fn from(fd: OwnedFd) -> File {
        File::from_owned_fd(fd)
    }
}

impl IntoRawFd for File {
    /// Gives up the fd. If a dropped operation still holds it, the caller
    /// gets a duplicate (`dup`), and the original closes when that operation
    /// completes.
    ///
    /// # Panics
    ///
    /// Panics if that duplicate cannot be made (no fd left).
    fn into_raw_fd(self) -> RawFd {
        match self.fd.try_unwrap() {
            Ok(fd) => fd.into_raw_fd(),
            Err(shared) => shared
                .try_clone_owned()
                .expect("ringio: could not duplicate a file descriptor still in use")
                .into_raw_fd(),
        }
    }
}

/// Refuses a file offset the kernel would not take as one: above
/// `i64::MAX` (`off_t` is signed), and `u64::MAX` above all, which io_uring
/// reads as "the file's current position" (`pread(2)` says `EINVAL`).
fn check_offset(pos: u64) -> io::Result<()> {
    if pos > i64::MAX as u64 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("file offset {pos} is past the largest one, i64::MAX"),
        ));
    }
    Ok(())
}
