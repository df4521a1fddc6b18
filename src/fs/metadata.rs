//! [`Metadata`]: what `statx` says about a file.

use std::fs::Permissions;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, SystemTime};

/// Metadata of a file, from `IORING_OP_STATX`.
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
            .field("len", &self.len())
            .field("is_file", &self.is_file())
            .field("is_dir", &self.is_dir())
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

    fn file_type(&self) -> u32 {
        u32::from(self.stx.stx_mode) & libc::S_IFMT
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
        self.file_type() == libc::S_IFREG
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
        self.file_type() == libc::S_IFDIR
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
        self.file_type() == libc::S_IFLNK
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
