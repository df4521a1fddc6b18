//! [`Metadata`]: what `statx` says about a file.

use super::FileType;
use std::fs::Permissions;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::time::{Duration, SystemTime};

/// Metadata of a file, from `IORING_OP_STATX`.
///
/// Implements `std::os::unix::fs::MetadataExt`: `ino`, `dev`, `nlink`,
/// `uid`, `gid`, `mode`, `rdev`, `size`, `blksize`, `blocks` and the
/// `atime`/`mtime`/`ctime` seconds and nanoseconds read as they do for
/// `std::fs::Metadata`.
///
/// # Examples
///
/// ```no_run
/// ringio::run(async {
///     let meta = ringio::fs::metadata("Cargo.toml").await.unwrap();
///     assert!(meta.is_file());
///     println!("{} bytes", meta.len());
/// });
/// ```
#[derive(Clone)]
pub struct Metadata {
    stx: libc::statx,
}

impl std::fmt::Debug for Metadata {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metadata")
            .field("file_type", &self.file_type())
            .field("len", &self.len())
            .field("permissions", &self.permissions())
            .field("modified", &self.modified())
            .finish()
    }
}

fn time(ts: libc::statx_timestamp) -> SystemTime {
    let since_epoch = Duration::new(ts.tv_sec.unsigned_abs(), ts.tv_nsec);
    if ts.tv_sec >= 0 {
        SystemTime::UNIX_EPOCH + since_epoch
    } else {
        SystemTime::UNIX_EPOCH - since_epoch
    }
}

impl Metadata {
    pub(crate) fn from_statx(stx: libc::statx) -> Metadata {
        Metadata { stx }
    }

    fn format(&self) -> u32 {
        u32::from(self.stx.stx_mode) & libc::S_IFMT
    }

    /// The type of the file: regular file, directory, symbolic link (only
    /// from [`symlink_metadata`](super::symlink_metadata)) or a special file.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let kind = ringio::fs::metadata("/").await.unwrap().file_type();
    ///     assert!(kind.is_dir());
    /// });
    /// ```
    pub fn file_type(&self) -> FileType {
        FileType::from_mode(u32::from(self.stx.stx_mode))
    }

    /// Size in bytes.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let len = ringio::fs::metadata("Cargo.toml").await.unwrap().len();
    ///     assert!(len > 0);
    /// });
    /// ```
    pub fn len(&self) -> u64 {
        self.stx.stx_size
    }

    /// Whether the size is zero.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     assert!(!ringio::fs::metadata("Cargo.toml").await.unwrap().is_empty());
    /// });
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether this is a regular file.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     assert!(ringio::fs::metadata("Cargo.toml").await.unwrap().is_file());
    /// });
    /// ```
    pub fn is_file(&self) -> bool {
        self.format() == libc::S_IFREG
    }

    /// Whether this is a directory.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     assert!(ringio::fs::metadata("src").await.unwrap().is_dir());
    /// });
    /// ```
    pub fn is_dir(&self) -> bool {
        self.format() == libc::S_IFDIR
    }

    /// Whether this is a symbolic link (only possible for metadata taken
    /// without following links; `fs::metadata` follows them).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     assert!(!ringio::fs::metadata("Cargo.toml").await.unwrap().is_symlink());
    /// });
    /// ```
    pub fn is_symlink(&self) -> bool {
        self.format() == libc::S_IFLNK
    }

    /// Last modification time.
    ///
    /// # Errors
    ///
    /// Never fails on Linux (statx always reports it); the `Result` matches
    /// `std::fs::Metadata::modified`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let meta = ringio::fs::metadata("Cargo.toml").await.unwrap();
    ///     assert!(meta.modified().unwrap() <= std::time::SystemTime::now());
    /// });
    /// ```
    pub fn modified(&self) -> std::io::Result<SystemTime> {
        Ok(time(self.stx.stx_mtime))
    }

    /// Last access time.
    ///
    /// # Errors
    ///
    /// Never fails on Linux; the `Result` matches `std`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let meta = ringio::fs::metadata("Cargo.toml").await.unwrap();
    ///     let _ = meta.accessed().unwrap();
    /// });
    /// ```
    pub fn accessed(&self) -> std::io::Result<SystemTime> {
        Ok(time(self.stx.stx_atime))
    }

    /// Creation time (statx's birth time).
    ///
    /// # Errors
    ///
    /// `Unsupported` if the file system does not record it (as `std` says).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let meta = ringio::fs::metadata("/").await.unwrap();
    ///     match meta.created() {
    ///         Ok(born) => assert!(born <= std::time::SystemTime::now()),
    ///         Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::Unsupported),
    ///     }
    /// });
    /// ```
    pub fn created(&self) -> io::Result<SystemTime> {
        if self.stx.stx_mask & libc::STATX_BTIME == 0 {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "creation time is not available for the filesystem",
            ));
        }
        Ok(time(self.stx.stx_btime))
    }

    /// Permissions (the whole mode, as `std` reports it).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let meta = ringio::fs::metadata("Cargo.toml").await.unwrap();
    ///     assert!(!meta.permissions().readonly());
    /// });
    /// ```
    pub fn permissions(&self) -> Permissions {
        Permissions::from_mode(u32::from(self.stx.stx_mode))
    }
}

impl MetadataExt for Metadata {
    fn dev(&self) -> u64 {
        libc::makedev(self.stx.stx_dev_major, self.stx.stx_dev_minor)
    }

    fn ino(&self) -> u64 {
        self.stx.stx_ino
    }

    fn mode(&self) -> u32 {
        u32::from(self.stx.stx_mode)
    }

    fn nlink(&self) -> u64 {
        u64::from(self.stx.stx_nlink)
    }

    fn uid(&self) -> u32 {
        self.stx.stx_uid
    }

    fn gid(&self) -> u32 {
        self.stx.stx_gid
    }

    fn rdev(&self) -> u64 {
        libc::makedev(self.stx.stx_rdev_major, self.stx.stx_rdev_minor)
    }

    fn size(&self) -> u64 {
        self.stx.stx_size
    }

    fn atime(&self) -> i64 {
        self.stx.stx_atime.tv_sec
    }

    fn atime_nsec(&self) -> i64 {
        i64::from(self.stx.stx_atime.tv_nsec)
    }

    fn mtime(&self) -> i64 {
        self.stx.stx_mtime.tv_sec
    }

    fn mtime_nsec(&self) -> i64 {
        i64::from(self.stx.stx_mtime.tv_nsec)
    }

    fn ctime(&self) -> i64 {
        self.stx.stx_ctime.tv_sec
    }

    fn ctime_nsec(&self) -> i64 {
        i64::from(self.stx.stx_ctime.tv_nsec)
    }

    fn blksize(&self) -> u64 {
        u64::from(self.stx.stx_blksize)
    }

    fn blocks(&self) -> u64 {
        self.stx.stx_blocks
    }
}
