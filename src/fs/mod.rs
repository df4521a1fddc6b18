//! Files on the ring: every operation is an io_uring op submitted from the
//! calling task's thread, with no thread pool on the data path.
//!
//! [`File`] reads and writes at explicit offsets with owned buffers (see
//! [`crate::buf`]); the free functions cover whole-file and path operations
//! (`IORING_OP_OPENAT`, `UNLINKAT`, `RENAMEAT`, `MKDIRAT`, `LINKAT`,
//! `SYMLINKAT`, `STATX`). What io_uring has no operation for runs as the
//! `std::fs` call on the blocking pool ([`spawn_blocking`](crate::spawn_blocking)):
//! [`read_dir`] (128 entries per trip), [`copy`], [`read_link`],
//! [`canonicalize`], [`set_permissions`], [`remove_dir_all`].
//! What dropping an operation's future does is in [the crate
//! docs](crate#cancellation) and each method's "Cancel safety" section.
//!
//! ```no_run
//! ringio::run(async {
//!     ringio::fs::write("greeting.txt", "hello").await.unwrap();
//!     assert_eq!(ringio::fs::read("greeting.txt").await.unwrap(), b"hello");
//!     ringio::fs::remove_file("greeting.txt").await.unwrap();
//! });
//! ```
#![forbid(unsafe_code)]

mod blocking;
mod error;
mod file;
mod file_type;
mod link;
mod metadata;
mod open_options;
mod read_dir;

pub use blocking::{canonicalize, copy, remove_dir_all, set_permissions};
pub use file::File;
pub use file_type::FileType;
pub use link::{hard_link, read_link, symlink, symlink_metadata};
pub use metadata::Metadata;
pub use open_options::OpenOptions;
pub use read_dir::{read_dir, DirEntry, ReadDir};

use crate::buf::IoBuf;
use crate::op::path::{MkdirAt, RenameAt, UnlinkAt};
use crate::op::statx::Statx;
use crate::op::Op;
use error::{with_path, with_paths};
use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// The path as a C string; `InvalidInput` (before any system call) if it
/// holds a NUL byte.
pub(crate) fn cstring(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("path contains an interior NUL byte: {}", path.display()),
        )
    })
}

/// Reads a whole file into a `Vec<u8>`.
///
/// # Errors
///
/// As [`File::open`] and [`File::read_at`].
///
/// # Cancel safety
///
/// Not cancel-safe as a whole: a drop loses what was read so far (the file is
/// unchanged, and closed). Each step follows [the crate
/// docs](crate#cancellation).
///
/// # Examples
///
/// ```no_run
/// ringio::run(async {
///     let manifest = ringio::fs::read("Cargo.toml").await.unwrap();
///     assert!(!manifest.is_empty());
/// });
/// ```
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let file = File::open(path).await?;
    let hint = file.metadata().await.map(|m| m.len() as usize).unwrap_or(0);
    // One spare byte: reading exactly `hint` bytes then sees end of file
    // without growing the buffer.
    let mut buf = Vec::with_capacity(hint.saturating_add(1).max(4096));
    loop {
        if buf.len() == buf.capacity() {
            buf.reserve(buf.capacity().max(4096));
        }
        let filled = buf.len();
        let (res, slice) = file.read_at(buf.slice(filled..), filled as u64).await;
        buf = slice.into_inner();
        match res {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    file.close().await?;
    Ok(buf)
}

/// Writes `contents` to a file, creating or truncating it. The bytes are
/// copied into an owned buffer for the ring.
///
/// # Errors
///
/// As [`File::create`] and [`File::write_all_at`].
///
/// # Cancel safety
///
/// Not cancel-safe as a whole: a drop may leave the file created or truncated,
/// and partly written. Each step follows [the crate docs](crate#cancellation).
///
/// # Examples
///
/// ```no_run
/// ringio::run(async {
///     ringio::fs::write("out.txt", b"data").await.unwrap();
/// });
/// ```
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let file = File::create(path).await?;
    let (res, _) = file.write_all_at(contents.as_ref().to_vec(), 0).await;
    res?;
    file.close().await
}

/// Removes a file.
///
/// # Errors
///
/// `NotFound`, `IsADirectory` for a directory, or another kernel error.
///
/// # Cancel safety
///
/// Dropped before the runtime submits it, nothing is removed. Dropped after,
/// the file may have been removed. See [the crate docs](crate#cancellation).
///
/// # Examples
///
/// ```no_run
/// ringio::run(async {
///     ringio::fs::remove_file("out.txt").await.unwrap();
/// });
/// ```
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref();
    Op::submit(UnlinkAt::new(cstring(path)?, false))
        .await
        .map_err(|e| with_path(e, "cannot remove file", path))
}

/// Removes an empty directory.
///
/// # Errors
///
/// `NotFound`, `DirectoryNotEmpty`, `NotADirectory`, or another kernel error.
///
/// # Cancel safety
///
/// Dropped before the runtime submits it, nothing is removed. Dropped after,
/// the directory may have been removed. See [the crate
/// docs](crate#cancellation).
///
/// # Examples
///
/// ```no_run
/// ringio::run(async {
///     ringio::fs::remove_dir("empty").await.unwrap();
/// });
/// ```
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref();
    Op::submit(UnlinkAt::new(cstring(path)?, true))
        .await
        .map_err(|e| with_path(e, "cannot remove directory", path))
}

/// Renames `from` to `to`, replacing `to` if it exists.
///
/// # Errors
///
/// `NotFound` if `from` does not exist, or another kernel error.
///
/// # Cancel safety
///
/// Dropped before the runtime submits it, nothing is renamed. Dropped after,
/// the rename may have been made. See [the crate docs](crate#cancellation).
///
/// # Examples
///
/// ```no_run
/// ringio::run(async {
///     ringio::fs::rename("a.txt", "b.txt").await.unwrap();
/// });
/// ```
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let (from, to) = (from.as_ref(), to.as_ref());
    Op::submit(RenameAt::new(cstring(from)?, cstring(to)?))
        .await
        .map_err(|e| with_paths(e, "cannot rename", from, "to", to))
}

/// Creates a directory.
///
/// # Errors
///
/// `AlreadyExists`, `NotFound` if the parent is missing, or another kernel
/// error.
///
/// # Cancel safety
///
/// Dropped before the runtime submits it, nothing is created. Dropped after,
/// the directory may have been created. See [the crate
/// docs](crate#cancellation).
///
/// # Examples
///
/// ```no_run
/// ringio::run(async {
///     ringio::fs::create_dir("logs").await.unwrap();
/// });
/// ```
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref();
    Op::submit(MkdirAt::new(cstring(path)?))
        .await
        .map_err(|e| with_path(e, "cannot create directory", path))
}

/// Creates a directory and any missing parents; an existing directory is
/// not an error.
///
/// # Errors
///
/// A kernel error, or `AlreadyExists` if a component exists and is not a
/// directory.
///
/// # Cancel safety
///
/// Not cancel-safe as a whole: a drop may leave some of the directories
/// created. Each step follows the rules of [`create_dir`].
///
/// # Examples
///
/// ```no_run
/// ringio::run(async {
///     ringio::fs::create_dir_all("data/2026/11").await.unwrap();
/// });
/// ```
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref();
    let mut missing: Vec<&Path> = path
        .ancestors()
        .filter(|p| !p.as_os_str().is_empty())
        .collect();
    missing.reverse();
    for dir in missing {
        match create_dir(dir).await {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                if !metadata(dir).await?.is_dir() {
                    return Err(e);
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Metadata of the file at `path`, following symbolic links.
///
/// # Errors
///
/// `NotFound`, or another kernel error.
///
/// # Cancel safety
///
/// Dropped before the runtime submits it, the `statx` never starts; dropped
/// after, only its result is lost. See [the crate docs](crate#cancellation).
///
/// # Examples
///
/// ```no_run
/// ringio::run(async {
///     assert!(ringio::fs::metadata("Cargo.toml").await.unwrap().is_file());
/// });
/// ```
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref();
    let stx = Op::submit(Statx::of_path(cstring(path)?))
        .await
        .map_err(|e| with_path(e, "cannot read the metadata of", path))?;
    Ok(Metadata::from_statx(stx))
}
