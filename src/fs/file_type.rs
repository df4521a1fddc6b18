//! [`FileType`]: what kind of file a mode's `S_IFMT` bits name.

use std::os::unix::fs::FileTypeExt;

/// The type of a file: regular file, directory, symbolic link, or one of
/// the special files `std::os::unix::fs::FileTypeExt` asks about (which
/// this type implements). From [`Metadata::file_type`](super::Metadata::file_type)
/// and [`DirEntry::file_type`](super::DirEntry::file_type).
///
/// # Examples
///
/// ```
/// use std::os::unix::fs::FileTypeExt;
///
/// ringio::run(async {
///     let kind = ringio::fs::metadata("/dev/null").await.unwrap().file_type();
///     assert!(kind.is_char_device());
///     assert!(!kind.is_file() && !kind.is_dir() && !kind.is_symlink());
/// });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileType {
    /// The mode's `S_IFMT` bits.
    format: u32,
}

impl FileType {
    /// The type a `st_mode`/`stx_mode` value names.
    pub(crate) fn from_mode(mode: u32) -> FileType {
        FileType {
            format: mode & libc::S_IFMT,
        }
    }

    /// The same type as `std`'s.
    pub(crate) fn from_std(kind: std::fs::FileType) -> FileType {
        let format = if kind.is_file() {
            libc::S_IFREG
        } else if kind.is_dir() {
            libc::S_IFDIR
        } else if kind.is_symlink() {
            libc::S_IFLNK
        } else if kind.is_fifo() {
            libc::S_IFIFO
        } else if kind.is_socket() {
            libc::S_IFSOCK
        } else if kind.is_block_device() {
            libc::S_IFBLK
        } else if kind.is_char_device() {
            libc::S_IFCHR
        } else {
            0
        };
        FileType { format }
    }

    /// Whether this is a regular file.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let kind = ringio::fs::metadata("/dev/null").await.unwrap().file_type();
    ///     assert!(!kind.is_file());
    /// });
    /// ```
    pub fn is_file(&self) -> bool {
        self.format == libc::S_IFREG
    }

    /// Whether this is a directory.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let kind = ringio::fs::metadata("/").await.unwrap().file_type();
    ///     assert!(kind.is_dir());
    /// });
    /// ```
    pub fn is_dir(&self) -> bool {
        self.format == libc::S_IFDIR
    }

    /// Whether this is a symbolic link: only from metadata taken without
    /// following links ([`symlink_metadata`](super::symlink_metadata),
    /// [`DirEntry`](super::DirEntry)).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let kind = ringio::fs::metadata("/").await.unwrap().file_type();
    ///     assert!(!kind.is_symlink()); // `metadata` follows links
    /// });
    /// ```
    pub fn is_symlink(&self) -> bool {
        self.format == libc::S_IFLNK
    }
}

impl FileTypeExt for FileType {
    fn is_block_device(&self) -> bool {
        self.format == libc::S_IFBLK
    }

    fn is_char_device(&self) -> bool {
        self.format == libc::S_IFCHR
    }

    fn is_fifo(&self) -> bool {
        self.format == libc::S_IFIFO
    }

    fn is_socket(&self) -> bool {
        self.format == libc::S_IFSOCK
    }
}

impl std::fmt::Debug for FileType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self.format {
            libc::S_IFREG => "file",
            libc::S_IFDIR => "directory",
            libc::S_IFLNK => "symlink",
            libc::S_IFIFO => "fifo",
            libc::S_IFSOCK => "socket",
            libc::S_IFBLK => "block device",
            libc::S_IFCHR => "char device",
            _ => "unknown",
        };
        f.debug_tuple("FileType").field(&name).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::FileType;
    use std::os::unix::fs::FileTypeExt;

    #[test]
    fn from_std_agrees_with_from_mode() {
        for path in ["/", "/dev/null", "/proc/self/exe"] {
            let std_kind = std::fs::symlink_metadata(path).unwrap().file_type();
            let mode =
                std::os::unix::fs::MetadataExt::mode(&std::fs::symlink_metadata(path).unwrap());
            let ours = FileType::from_std(std_kind);
            assert_eq!(ours, FileType::from_mode(mode), "{path}");
            assert_eq!(ours.is_dir(), std_kind.is_dir());
            assert_eq!(ours.is_symlink(), std_kind.is_symlink());
            assert_eq!(ours.is_char_device(), std_kind.is_char_device());
        }
    }
}
