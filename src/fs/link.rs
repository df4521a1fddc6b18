//! Hard and symbolic links: [`hard_link`] and [`symlink`] on the ring
//! (`LINKAT`, `SYMLINKAT`), [`symlink_metadata`] through `STATX`, and
//! [`read_link`] on the blocking pool (io_uring has no `readlinkat`).

use super::blocking::{blocking, owned};
use super::error::{with_path, with_paths};
use super::{cstring, Metadata};
use crate::op::link::{LinkAt, SymlinkAt};
use crate::op::statx::Statx;
use crate::op::Op;
use std::io;
use std::path::{Path, PathBuf};

/// Makes `link` a new name (a hard link) for the file at `original`, like
/// `std::fs::hard_link`. If `original` is a symbolic link, the link itself
/// gets the new name; it is not followed.
///
/// # Errors
///
/// `InvalidInput` for a path with an interior NUL byte (before any system
/// call); otherwise the kernel's error, naming both paths: `NotFound` if
/// `original` is missing, `AlreadyExists` if `link` exists, `CrossesDevices`
/// across file systems, `PermissionDenied` for a directory.
///
/// # Cancel safety
///
/// Dropped before the runtime submits it, no link is made. Dropped after,
/// the link may have been made. See [the crate docs](crate#cancellation).
///
/// # Examples
///
/// ```
/// use std::os::unix::fs::MetadataExt;
///
/// ringio::run(async {
///     let dir = std::env::temp_dir().join(format!("ringio-doc-hard-link-{}", std::process::id()));
///     ringio::fs::create_dir(&dir).await.unwrap();
///     ringio::fs::write(dir.join("a"), "shared").await.unwrap();
///     ringio::fs::hard_link(dir.join("a"), dir.join("b")).await.unwrap();
///     assert_eq!(ringio::fs::metadata(dir.join("b")).await.unwrap().nlink(), 2);
///     ringio::fs::remove_dir_all(&dir).await.unwrap();
/// });
/// ```
pub async fn hard_link(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let (original, link) = (original.as_ref(), link.as_ref());
    Op::submit(LinkAt::new(cstring(original)?, cstring(link)?))
        .await
        .map_err(|e| with_paths(e, "cannot link", link, "to", original))
}

/// Creates a symbolic link at `link` that points to `original`, like
/// `std::os::unix::fs::symlink`. `original` is stored as given (a relative
/// one resolves against the link's directory when followed) and need not
/// exist.
///
/// # Errors
///
/// `InvalidInput` for a path with an interior NUL byte (before any system
/// call); otherwise the kernel's error, naming both paths: `AlreadyExists`
/// if `link` exists, `NotFound` if its directory is missing.
///
/// # Cancel safety
///
/// Dropped before the runtime submits it, no link is made. Dropped after,
/// the link may have been made. See [the crate docs](crate#cancellation).
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     let dir = std::env::temp_dir().join(format!("ringio-doc-symlink-{}", std::process::id()));
///     ringio::fs::create_dir(&dir).await.unwrap();
///     ringio::fs::symlink("target.txt", dir.join("link")).await.unwrap();
///     let target = ringio::fs::read_link(dir.join("link")).await.unwrap();
///     assert_eq!(target, std::path::Path::new("target.txt"));
///     ringio::fs::remove_dir_all(&dir).await.unwrap();
/// });
/// ```
pub async fn symlink(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let (original, link) = (original.as_ref(), link.as_ref());
    Op::submit(SymlinkAt::new(cstring(original)?, cstring(link)?))
        .await
        .map_err(|e| with_paths(e, "cannot create symlink", link, "to", original))
}

/// Metadata of the file at `path` without following a symbolic link: for a
/// link, the link's own (`is_symlink()` is true), like
/// `std::fs::symlink_metadata`.
///
/// # Errors
///
/// `InvalidInput` for a path with an interior NUL byte (before any system
/// call); otherwise the kernel's error, naming the path, such as `NotFound`.
///
/// # Cancel safety
///
/// Dropped before the runtime submits it, the `statx` never starts; dropped
/// after, only its result is lost. See [the crate docs](crate#cancellation).
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     let link = std::env::temp_dir().join(format!("ringio-doc-lstat-{}", std::process::id()));
///     ringio::fs::symlink("/", &link).await.unwrap();
///     assert!(ringio::fs::symlink_metadata(&link).await.unwrap().is_symlink());
///     assert!(ringio::fs::metadata(&link).await.unwrap().is_dir()); // followed
///     ringio::fs::remove_file(&link).await.unwrap();
/// });
/// ```
pub async fn symlink_metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref();
    let stx = Op::submit(Statx::of_link(cstring(path)?))
        .await
        .map_err(|e| with_path(e, "cannot stat", path))?;
    Ok(Metadata::from_statx(stx))
}

/// What the symbolic link at `path` points to, as stored (not resolved),
/// like `std::fs::read_link`. Runs `readlink(2)` on the blocking pool
/// ([`spawn_blocking`](crate::spawn_blocking)): io_uring has no operation
/// for it.
///
/// # Errors
///
/// `InvalidInput` for a path with an interior NUL byte, or for a path that
/// is not a symbolic link; `NotFound`; another error from the kernel. The
/// message names the path.
///
/// # Cancel safety
///
/// The job runs to completion on the pool even if the future is dropped;
/// only its result is lost (reading a link changes nothing).
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     let link = std::env::temp_dir().join(format!("ringio-doc-readlink-{}", std::process::id()));
///     ringio::fs::symlink("/etc", &link).await.unwrap();
///     assert_eq!(ringio::fs::read_link(&link).await.unwrap(), std::path::Path::new("/etc"));
///     ringio::fs::remove_file(&link).await.unwrap();
/// });
/// ```
pub async fn read_link(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = owned(path.as_ref())?;
    blocking(move || std::fs::read_link(&path).map_err(|e| with_path(e, "cannot read link", &path)))
        .await
}
