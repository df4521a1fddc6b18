//! [`read_dir`]: a directory's entries, read on the blocking pool a batch
//! at a time (io_uring has no `getdents`).

use super::blocking::{blocking, owned};
use super::error::with_path;
use super::{cstring, FileType, Metadata};
use crate::op::statx::Statx;
use crate::op::Op;
use crate::JoinHandle;
use futures_util::Stream;
use std::collections::VecDeque;
use std::ffi::OsString;
use std::future::{poll_fn, Future};
use std::io;
use std::os::unix::fs::DirEntryExt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Entries read per trip to the blocking pool.
const BATCH: usize = 128;

/// Opens the directory at `path` for reading its entries (`.` and `..` left
/// out, in the order the file system gives). Like `std::fs::read_dir`, on
/// the blocking pool ([`spawn_blocking`](crate::spawn_blocking)): the open
/// and the first entries take one trip there, and each further trip reads
/// up to 128 entries; the next batch is read while the caller takes the
/// entries of the current one.
///
/// # Errors
///
/// `InvalidInput` for a path with an interior NUL byte; `NotFound`,
/// `NotADirectory`, `PermissionDenied`, or another error from the kernel.
/// The message names the path.
///
/// # Cancel safety
///
/// The job runs to completion on the pool even if the future is dropped;
/// only its result is lost (the directory is closed).
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     let dir = std::env::temp_dir().join(format!("ringio-doc-read-dir-{}", std::process::id()));
///     ringio::fs::create_dir(&dir).await.unwrap();
///     ringio::fs::write(dir.join("a.txt"), "a").await.unwrap();
///     ringio::fs::create_dir(dir.join("sub")).await.unwrap();
///
///     let mut names = Vec::new();
///     let mut entries = ringio::fs::read_dir(&dir).await.unwrap();
///     while let Some(entry) = entries.next_entry().await.unwrap() {
///         names.push(entry.file_name());
///     }
///     names.sort();
///     assert_eq!(names, ["a.txt", "sub"]);
///     ringio::fs::remove_dir_all(&dir).await.unwrap();
/// });
/// ```
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let path = owned(path.as_ref())?;
    let first = blocking(move || match std::fs::read_dir(&path) {
        Ok(dir) => Ok(Cursor { dir, path }.read_batch()),
        Err(e) => Err(with_path(e, "cannot read directory", &path)),
    })
    .await?;
    let mut entries = ReadDir {
        ready: VecDeque::new(),
        state: State::Done,
    };
    entries.take(first);
    Ok(entries)
}

/// The entries of a directory, from [`read_dir`]: a
/// [`Stream`](futures_util::Stream) of `io::Result<DirEntry>`, or one entry
/// at a time from [`next_entry`](ReadDir::next_entry).
///
/// Entries are read on the blocking pool, up to 128 per trip, one batch
/// ahead of the caller. A directory changed while it is read may or may not
/// show the change, as with `readdir(3)`. After an error the stream ends.
///
/// # Examples
///
/// ```
/// use futures_util::TryStreamExt;
///
/// ringio::run(async {
///     let entries: Vec<_> = ringio::fs::read_dir("/").await.unwrap().try_collect().await.unwrap();
///     assert!(entries.iter().any(|e| e.file_name() == "proc"));
/// });
/// ```
pub struct ReadDir {
    /// Entries read and not handed out yet (an error last, if any).
    ready: VecDeque<io::Result<DirEntry>>,
    state: State,
}

enum State {
    /// A batch is being read on the pool.
    Reading(JoinHandle<Batch>),
    /// The directory has no more entries, or failed.
    Done,
}

/// The open directory stream and its path, moved into each pool job.
struct Cursor {
    dir: std::fs::ReadDir,
    path: PathBuf,
}

/// What one pool job read; `cursor` is `None` once the directory ended.
struct Batch {
    entries: VecDeque<io::Result<DirEntry>>,
    cursor: Option<Cursor>,
}

impl Cursor {
    /// Reads up to [`BATCH`] entries (blocking).
    fn read_batch(mut self) -> Batch {
        let mut entries = VecDeque::with_capacity(BATCH);
        while entries.len() < BATCH {
            match self.dir.next() {
                Some(Ok(entry)) => entries.push_back(Ok(DirEntry::from_std(&entry))),
                Some(Err(e)) => {
                    // std's directory stream ends after an error.
                    entries.push_back(Err(with_path(e, "cannot read directory", &self.path)));
                    return Batch {
                        entries,
                        cursor: None,
                    };
                }
                None => {
                    return Batch {
                        entries,
                        cursor: None,
                    }
                }
            }
        }
        Batch {
            entries,
            cursor: Some(self),
        }
    }
}

impl ReadDir {
    /// Queues a batch's entries and starts reading the next one.
    fn take(&mut self, batch: Batch) {
        self.ready.extend(batch.entries);
        self.state = match batch.cursor {
            Some(cursor) => State::Reading(crate::spawn_blocking(move || cursor.read_batch())),
            None => State::Done,
        };
    }

    /// The next entry, or `None` once the directory has no more, like
    /// tokio's `ReadDir::next_entry`.
    ///
    /// # Errors
    ///
    /// An error reading the directory (naming it); the stream ends after it.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: the batch being read stays in the `ReadDir`, so a
    /// dropped call loses no entry and the next call picks up there.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut entries = ringio::fs::read_dir("/").await.unwrap();
    ///     let mut count = 0;
    ///     while let Some(_entry) = entries.next_entry().await.unwrap() {
    ///         count += 1;
    ///     }
    ///     assert!(count > 0);
    /// });
    /// ```
    pub async fn next_entry(&mut self) -> io::Result<Option<DirEntry>> {
        poll_fn(|cx| Pin::new(&mut *self).poll_next(cx))
            .await
            .transpose()
    }
}

impl Stream for ReadDir {
    type Item = io::Result<DirEntry>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(entry) = this.ready.pop_front() {
                return Poll::Ready(Some(entry));
            }
            let State::Reading(job) = &mut this.state else {
                return Poll::Ready(None);
            };
            match ready!(Pin::new(job).poll(cx)) {
                Ok(batch) => this.take(batch),
                Err(join) => {
                    this.state = State::Done;
                    return Poll::Ready(Some(Err(join.into())));
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self.state {
            State::Done => (self.ready.len(), Some(self.ready.len())),
            State::Reading(_) => (self.ready.len(), None),
        }
    }
}

impl std::fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadDir")
            .field("ready", &self.ready.len())
            .field("done", &matches!(self.state, State::Done))
            .finish()
    }
}

/// One entry of a directory, from [`ReadDir`]: its path, name, inode
/// number and type, known without another system call, and its
/// [`metadata`](DirEntry::metadata) on demand.
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     let mut entries = ringio::fs::read_dir("/").await.unwrap();
///     let entry = entries.next_entry().await.unwrap().unwrap();
///     assert_eq!(entry.path(), std::path::Path::new("/").join(entry.file_name()));
/// });
/// ```
#[derive(Debug)]
pub struct DirEntry {
    path: PathBuf,
    ino: u64,
    /// From the directory listing (`d_type`, or an `lstat` on the pool
    /// where the file system leaves it out); `None` if that failed.
    file_type: Option<FileType>,
}

impl DirEntry {
    fn from_std(entry: &std::fs::DirEntry) -> DirEntry {
        DirEntry {
            path: entry.path(),
            ino: entry.ino(),
            file_type: entry.file_type().ok().map(FileType::from_std),
        }
    }

    /// The entry's full path: the directory's path as given to
    /// [`read_dir`], joined with [`file_name`](DirEntry::file_name).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut entries = ringio::fs::read_dir("/").await.unwrap();
    ///     let entry = entries.next_entry().await.unwrap().unwrap();
    ///     assert!(entry.path().starts_with("/"));
    /// });
    /// ```
    pub fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The entry's name in its directory (no path components).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut entries = ringio::fs::read_dir("/").await.unwrap();
    ///     let entry = entries.next_entry().await.unwrap().unwrap();
    ///     assert!(!entry.file_name().is_empty());
    /// });
    /// ```
    pub fn file_name(&self) -> OsString {
        // A listed name is never empty, `.` or `..`, and holds no `/`.
        self.path.file_name().unwrap_or_default().to_os_string()
    }

    /// The entry's inode number, from the directory listing (`d_ino`), as
    /// `std::os::unix::fs::DirEntryExt::ino`.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut entries = ringio::fs::read_dir("/").await.unwrap();
    ///     let entry = entries.next_entry().await.unwrap().unwrap();
    ///     assert!(entry.ino() > 0);
    /// });
    /// ```
    pub fn ino(&self) -> u64 {
        self.ino
    }

    /// The entry's type, not following a symbolic link (a link is
    /// `is_symlink()`). Known from the listing, so this makes no system
    /// call; only when that failed (the entry vanished before the pool
    /// could `lstat` it, on a file system without `d_type`) does it `statx`
    /// the entry, which then reports the error.
    ///
    /// # Errors
    ///
    /// Only in that case: the kernel's error, naming the path, such as
    /// `NotFound`.
    ///
    /// # Cancel safety
    ///
    /// Without a `statx`, nothing to cancel. With one, as
    /// [`symlink_metadata`](super::symlink_metadata).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut entries = ringio::fs::read_dir("/").await.unwrap();
    ///     while let Some(entry) = entries.next_entry().await.unwrap() {
    ///         if entry.file_name() == "proc" {
    ///             assert!(entry.file_type().await.unwrap().is_dir());
    ///         }
    ///     }
    /// });
    /// ```
    pub async fn file_type(&self) -> io::Result<FileType> {
        match self.file_type {
            Some(kind) => Ok(kind),
            None => Ok(self.metadata().await?.file_type()),
        }
    }

    /// The entry's metadata, not following a symbolic link (like
    /// `std::fs::DirEntry::metadata`): a `statx` of the entry's path on the
    /// ring.
    ///
    /// # Errors
    ///
    /// The kernel's error, naming the path, such as `NotFound` if the entry
    /// was removed since it was listed.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, the `statx` never starts;
    /// dropped after, only its result is lost. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut entries = ringio::fs::read_dir("/").await.unwrap();
    ///     let entry = entries.next_entry().await.unwrap().unwrap();
    ///     let meta = entry.metadata().await.unwrap();
    ///     assert_eq!(meta.file_type(), entry.file_type().await.unwrap());
    /// });
    /// ```
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let stx = Op::submit(Statx::of_link(cstring(&self.path)?))
            .await
            .map_err(|e| with_path(e, "cannot stat", &self.path))?;
        Ok(Metadata::from_statx(stx))
    }
}

#[cfg(test)]
mod tests {
    use super::{Cursor, BATCH};

    #[test]
    fn a_directory_is_read_in_full_batches() {
        let dir = tempfile::tempdir().unwrap();
        let files = 7 * BATCH + 5;
        for i in 0..files {
            std::fs::File::create(dir.path().join(i.to_string())).unwrap();
        }
        let mut cursor = Some(Cursor {
            dir: std::fs::read_dir(dir.path()).unwrap(),
            path: dir.path().to_path_buf(),
        });
        let mut sizes = Vec::new();
        while let Some(c) = cursor.take() {
            let batch = c.read_batch();
            sizes.push(batch.entries.len());
            cursor = batch.cursor;
        }
        assert_eq!(sizes, [BATCH, BATCH, BATCH, BATCH, BATCH, BATCH, BATCH, 5]);
    }
}
