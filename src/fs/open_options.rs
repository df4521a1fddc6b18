//! [`OpenOptions`]: how to open a file, with std's rules.

use super::error::with_path;
use super::{cstring, File};
use crate::op::open::OpenAt;
use crate::op::Op;
use std::io;
use std::path::Path;

/// Options for opening a file, with the same rules as
/// `std::fs::OpenOptions`: `append` implies `write`; `truncate`, `create` and
/// `create_new` need `write` or `append`; `append` with `truncate` is
/// refused; `create_new` fails if the file exists.
///
/// # Examples
///
/// ```no_run
/// use ringio::fs::OpenOptions;
///
/// ringio::run(async {
///     let log = OpenOptions::new().append(true).create(true).open("app.log").await.unwrap();
///     let (res, _) = log.write_at(b"started\n".to_vec(), 0).await;
///     res.unwrap();
/// });
/// ```
#[derive(Debug, Clone)]
pub struct OpenOptions {
    read: bool,
    write: bool,
    append: bool,
    truncate: bool,
    create: bool,
    create_new: bool,
    mode: u32,
    custom_flags: i32,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions::new()
    }
}

impl OpenOptions {
    /// All options off; mode 0o666 (before the umask).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut options = ringio::fs::OpenOptions::new();
    /// options.read(true);
    /// ```
    pub fn new() -> OpenOptions {
        OpenOptions {
            read: false,
            write: false,
            append: false,
            truncate: false,
            create: false,
            create_new: false,
            mode: 0o666,
            custom_flags: 0,
        }
    }

    /// Open for reading.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::fs::OpenOptions::new().read(true);
    /// ```
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.read = read;
        self
    }

    /// Open for writing.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::fs::OpenOptions::new().write(true);
    /// ```
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.write = write;
        self
    }

    /// Open for appending (implies write): every write goes to the end,
    /// whatever offset it names.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::fs::OpenOptions::new().append(true);
    /// ```
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.append = append;
        self
    }

    /// Truncate an existing file to zero length (needs write).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::fs::OpenOptions::new().write(true).truncate(true);
    /// ```
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.truncate = truncate;
        self
    }

    /// Create the file if it does not exist (needs write or append).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::fs::OpenOptions::new().write(true).create(true);
    /// ```
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.create = create;
        self
    }

    /// Create the file, failing with `AlreadyExists` if it exists (needs
    /// write or append; `create` and `truncate` are then ignored).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::fs::OpenOptions::new().write(true).create_new(true);
    /// ```
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.create_new = create_new;
        self
    }

    /// Permission bits for a created file (before the umask). Default 0o666.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::fs::OpenOptions::new().write(true).create(true).mode(0o600);
    /// ```
    pub fn mode(&mut self, mode: u32) -> &mut OpenOptions {
        self.mode = mode;
        self
    }

    /// Extra `open(2)` flags, such as `libc::O_DIRECT` or `libc::O_NOATIME`.
    /// The access mode bits are ignored (use `read`/`write`).
    ///
    /// `O_DIRECT` transfers need buffers, offsets and lengths aligned to the
    /// device's logical block size (512 or 4096 bytes); a misaligned one
    /// fails with `EINVAL` (`InvalidInput`).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOATIME);
    /// ```
    pub fn custom_flags(&mut self, flags: i32) -> &mut OpenOptions {
        self.custom_flags = flags;
        self
    }

    /// The `open(2)` flags these options stand for.
    fn flags(&self) -> io::Result<i32> {
        let access = match (self.read, self.write || self.append) {
            (true, false) => libc::O_RDONLY,
            (false, true) => libc::O_WRONLY,
            (true, true) => libc::O_RDWR,
            (false, false) => return Err(invalid("neither read, write nor append was set")),
        };
        let writable = self.write || self.append;
        if !writable && (self.truncate || self.create || self.create_new) {
            return Err(invalid(
                "truncate, create and create_new need write or append",
            ));
        }
        if self.append && self.truncate && !self.create_new {
            return Err(invalid("append and truncate contradict each other"));
        }
        let creation = if self.create_new {
            libc::O_CREAT | libc::O_EXCL
        } else {
            (if self.create { libc::O_CREAT } else { 0 })
                | (if self.truncate { libc::O_TRUNC } else { 0 })
        };
        let append = if self.append { libc::O_APPEND } else { 0 };
        Ok(access | creation | append | (self.custom_flags & !libc::O_ACCMODE))
    }

    /// Opens `path` with these options through `IORING_OP_OPENAT`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for contradictory options or a path with an interior
    /// NUL byte (before any system call); otherwise the kernel's error, such
    /// as `NotFound`, `PermissionDenied` or `AlreadyExists`.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, the open never starts: nothing is
    /// created or truncated. Dropped after, the file may have been opened (and
    /// created or truncated, which stays so); the runtime closes it. See [the
    /// crate docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let file = ringio::fs::OpenOptions::new().read(true).open("Cargo.toml").await.unwrap();
    ///     file.close().await.unwrap();
    /// });
    /// ```
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let path = path.as_ref();
        let flags = self.flags()?;
        let fd = Op::submit(OpenAt::new(cstring(path)?, flags, self.mode))
            .await
            .map_err(|e| with_path(e, "cannot open", path))?;
        Ok(File::from_owned_fd(fd))
    }
}

fn invalid(msg: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}
