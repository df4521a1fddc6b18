//! Path operations io_uring has no opcode for, run as `std::fs` calls on
//! the blocking pool ([`spawn_blocking`](crate::spawn_blocking)).

use super::cstring;
use super::error::{with_path, with_paths};
use std::fs::Permissions;
use std::io;
use std::path::{Path, PathBuf};

/// Runs `job` on the blocking pool and hands back its result; a panic in
/// it comes back as an error (`Other`).
pub(crate) async fn blocking<T, F>(job: F) -> io::Result<T>
where
    F: FnOnce() -> io::Result<T> + Send + 'static,
    T: Send + 'static,
{
    crate::spawn_blocking(job).await?
}

/// Copies the contents and the permission bits of the file `from` to `to`,
/// creating or truncating `to`; returns the number of bytes copied. Runs
/// `std::fs::copy` on the blocking pool ([`spawn_blocking`](crate::spawn_blocking)):
/// the bytes move inside the kernel (`copy_file_range`, or `sendfile`
/// where that is refused) wherever the file systems allow, through a
/// user-space buffer only where neither works.
///
/// # Errors
///
/// `InvalidInput` for a path with an interior NUL byte or a `from` that is
/// not a regular file; `NotFound`, `PermissionDenied`, or another error from
/// the kernel. The message names both paths.
///
/// # Cancel safety
///
/// The job runs to completion on the pool even if the future is dropped;
/// its effect stands (`to` is written in full).
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     let dir = std::env::temp_dir().join(format!("ringio-doc-copy-{}", std::process::id()));
///     ringio::fs::create_dir(&dir).await.unwrap();
///     ringio::fs::write(dir.join("a"), "twelve bytes").await.unwrap();
///     assert_eq!(ringio::fs::copy(dir.join("a"), dir.join("b")).await.unwrap(), 12);
///     assert_eq!(ringio::fs::read(dir.join("b")).await.unwrap(), b"twelve bytes");
///     ringio::fs::remove_dir_all(&dir).await.unwrap();
/// });
/// ```
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let (from, to) = (owned(from.as_ref())?, owned(to.as_ref())?);
    blocking(move || {
        std::fs::copy(&from, &to).map_err(|e| with_paths(e, "cannot copy", &from, "to", &to))
    })
    .await
}

/// The absolute path of `path` with every symbolic link, `.` and `..`
/// resolved, like `std::fs::canonicalize` (`realpath(3)`, on the blocking
/// pool: io_uring has no operation for it). The file must exist.
///
/// # Errors
///
/// `InvalidInput` for a path with an interior NUL byte; `NotFound` if a
/// component is missing; another error from the kernel. The message names
/// the path.
///
/// # Cancel safety
///
/// The job runs to completion on the pool even if the future is dropped;
/// only its result is lost (resolving a path changes nothing).
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     let real = ringio::fs::canonicalize("/etc/../etc/.").await.unwrap();
///     assert_eq!(real, std::fs::canonicalize("/etc").unwrap());
/// });
/// ```
pub async fn canonicalize(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = owned(path.as_ref())?;
    blocking(move || {
        std::fs::canonicalize(&path).map_err(|e| with_path(e, "cannot canonicalize", &path))
    })
    .await
}

/// Sets the permissions of the file at `path` (following symbolic links),
/// like `std::fs::set_permissions` (`chmod(2)`, on the blocking pool:
/// io_uring has no operation for it).
///
/// # Errors
///
/// `InvalidInput` for a path with an interior NUL byte; `NotFound`,
/// `PermissionDenied` (not the owner), or another error from the kernel.
/// The message names the path.
///
/// # Cancel safety
///
/// The job runs to completion on the pool even if the future is dropped;
/// its effect stands.
///
/// # Examples
///
/// ```
/// use std::os::unix::fs::{MetadataExt, PermissionsExt};
///
/// ringio::run(async {
///     let path = std::env::temp_dir().join(format!("ringio-doc-chmod-{}", std::process::id()));
///     ringio::fs::write(&path, "secret").await.unwrap();
///     let owner_only = std::fs::Permissions::from_mode(0o600);
///     ringio::fs::set_permissions(&path, owner_only).await.unwrap();
///     assert_eq!(ringio::fs::metadata(&path).await.unwrap().mode() & 0o777, 0o600);
///     ringio::fs::remove_file(&path).await.unwrap();
/// });
/// ```
pub async fn set_permissions(path: impl AsRef<Path>, perm: Permissions) -> io::Result<()> {
    let path = owned(path.as_ref())?;
    blocking(move || {
        std::fs::set_permissions(&path, perm)
            .map_err(|e| with_path(e, "cannot set permissions of", &path))
    })
    .await
}

/// Removes the directory at `path` and everything in it, like
/// `std::fs::remove_dir_all`, on the blocking pool (one `unlinkat` per
/// entry; std's implementation does not follow symbolic links and resists
/// their being swapped in during the walk). A symbolic link at `path`
/// itself is removed, not followed.
///
/// # Errors
///
/// `InvalidInput` for a path with an interior NUL byte; `NotFound` if
/// `path` is missing; the first other error of the walk, such as
/// `PermissionDenied` (entries removed before it stay removed). The message
/// names `path`.
///
/// # Cancel safety
///
/// The job runs to completion on the pool even if the future is dropped;
/// its effect stands (the tree is removed).
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     let root = std::env::temp_dir().join(format!("ringio-doc-rm-rf-{}", std::process::id()));
///     ringio::fs::create_dir_all(root.join("a/b/c")).await.unwrap();
///     ringio::fs::write(root.join("a/b/file"), "x").await.unwrap();
///     ringio::fs::remove_dir_all(&root).await.unwrap();
///     assert!(!root.exists());
/// });
/// ```
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = owned(path.as_ref())?;
    blocking(move || {
        std::fs::remove_dir_all(&path).map_err(|e| with_path(e, "cannot remove", &path))
    })
    .await
}

/// `path`, owned for a pool job, after the interior-NUL check (which then
/// fails here, naming the path, rather than on the pool).
pub(crate) fn owned(path: &Path) -> io::Result<PathBuf> {
    cstring(path)?;
    Ok(path.to_path_buf())
}
