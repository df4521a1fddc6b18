//! File reads: 4 KiB reads at random block-aligned offsets, page cache warm
//! or `O_DIRECT`, at a queue depth of concurrent tasks ([`random`]: ringio,
//! tokio::fs, a std pread loop, a raw io-uring loop), and sequential 128 KiB
//! reads wrapping around the file ([`sequential`]: ringio, tokio::fs, a std
//! read loop). Each runs on a [`TestFile`] for a [`Budget`](super::Budget).

pub mod random;
pub mod sequential;

pub use random::{pread_random, raw_ring_random, ringio_random, tokio_random};
pub use sequential::{raw_ring_sequential, ringio_sequential, std_sequential, tokio_sequential};

/// tokio's hop to its blocking pool, alone: `tasks` tasks on a
/// current-thread runtime, each awaiting an empty `spawn_blocking` after
/// another (what each `tokio::fs` call pays besides the system call
/// itself). Run on the caller's cores: the pool's threads inherit the
/// caller's affinity.
///
/// # Errors
///
/// When tokio's runtime cannot be built.
pub fn tokio_pool_hop(
    tasks: usize,
    budget: crate::workloads::Budget,
) -> io::Result<crate::workloads::Tally> {
    let rt = crate::workloads::tokio_current_thread()?;
    rt.block_on(async move {
        let start = std::time::Instant::now();
        let hoppers: Vec<_> = (0..tasks)
            .map(|_| {
                let limit = budget.share(tasks, start);
                tokio::spawn(async move {
                    let mut done = 0;
                    while limit.allows(done) {
                        tokio::task::spawn_blocking(|| ())
                            .await
                            .map_err(io::Error::other)?;
                        done += 1;
                    }
                    Ok::<u64, io::Error>(done)
                })
            })
            .collect();
        let mut tally = crate::workloads::join_counts(hoppers).await;
        tally.elapsed = start.elapsed();
        Ok(tally)
    })
}

use ringio::buf::{IoBuf, Slice};
use std::io;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// 4 KiB: the block of the random reads (and `O_DIRECT`'s alignment).
pub const BLOCK: usize = 4096;

/// 128 KiB: the buffer of the sequential reads.
pub const SEQ_CHUNK: usize = 128 * 1024;

/// The file the reads run on, filled with a known pattern and read once so
/// the page cache is warm.
pub struct TestFile {
    /// The temporary directory holding the file, removed on drop; `None`
    /// for a file kept at the caller's path.
    _dir: Option<tempfile::TempDir>,
    /// Its path.
    pub path: PathBuf,
    /// Its length.
    pub len: u64,
}

impl TestFile {
    /// A `len`-byte file in a new temporary directory under `$TMPDIR`,
    /// removed on drop.
    ///
    /// # Errors
    ///
    /// When the directory or the file cannot be made, written or read.
    pub fn create(len: u64) -> io::Result<TestFile> {
        let dir = tempfile::Builder::new()
            .prefix("ringio-compare")
            .tempdir()?;
        let path = dir.path().join("data");
        write_pattern(&path, len)?;
        drop(std::fs::read(&path)?);
        Ok(TestFile {
            _dir: Some(dir),
            path,
            len,
        })
    }

    /// The `len`-byte file at `path`, kept after the run: written only when
    /// it is missing or has another length, then read once.
    ///
    /// # Errors
    ///
    /// When the file cannot be written or read.
    pub fn keep_at(path: PathBuf, len: u64) -> io::Result<TestFile> {
        if std::fs::metadata(&path).map(|m| m.len()).ok() != Some(len) {
            write_pattern(&path, len)?;
        }
        drop(std::fs::read(&path)?);
        Ok(TestFile {
            _dir: None,
            path,
            len,
        })
    }

    /// Whether this filesystem takes `O_DIRECT` (tmpfs does not).
    pub fn direct_ok(&self) -> bool {
        open_std(&self.path, true).is_ok()
    }
}

/// Writes `len` bytes of a repeating pattern to `path` and syncs them.
fn write_pattern(path: &Path, len: u64) -> io::Result<()> {
    let chunk: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    let file = std::fs::File::create(path)?;
    let mut at = 0;
    while at < len {
        let n = (len - at).min(chunk.len() as u64) as usize;
        file.write_all_at(&chunk[..n], at)?;
        at += n as u64;
    }
    file.sync_all()
}

/// `path` opened for reading with std, `O_DIRECT` when `direct`.
pub(crate) fn open_std(path: &Path, direct: bool) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    if direct {
        options.custom_flags(libc::O_DIRECT);
    }
    options.open(path)
}

/// Random block-aligned offsets (xorshift), `seed`-specific.
pub struct Offsets {
    x: u64,
    blocks: u64,
    block: u64,
}

impl Offsets {
    /// Offsets of `block`-sized pieces within `len` bytes.
    pub fn new(seed: u64, len: u64, block: usize) -> Offsets {
        Offsets {
            x: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            blocks: (len / block as u64).max(1),
            block: block as u64,
        }
    }

    /// The next offset, a multiple of the block.
    pub fn next_offset(&mut self) -> u64 {
        self.x ^= self.x << 13;
        self.x ^= self.x >> 7;
        self.x ^= self.x << 17;
        (self.x % self.blocks) * self.block
    }
}

/// A `len`-byte buffer at a 4 KiB-aligned address (what `O_DIRECT` needs),
/// carved out of an over-allocated `Vec`.
pub fn aligned(len: usize) -> Slice<Vec<u8>> {
    let v = vec![0u8; len + BLOCK];
    let skew = v.as_ptr() as usize % BLOCK;
    let begin = if skew == 0 { 0 } else { BLOCK - skew };
    v.slice(begin..begin + len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_aligned_inside_the_file_and_seeded() {
        let len = 1 << 20;
        let mut a = Offsets::new(1, len, BLOCK);
        let mut b = Offsets::new(2, len, BLOCK);
        let first: Vec<u64> = (0..1000).map(|_| a.next_offset()).collect();
        assert!(first.iter().all(|&o| o % BLOCK as u64 == 0 && o < len));
        assert!(first.iter().any(|&o| o != first[0]), "they vary");
        let other: Vec<u64> = (0..1000).map(|_| b.next_offset()).collect();
        assert_ne!(first, other);
    }

    #[test]
    fn aligned_buffers_are_aligned() {
        for len in [BLOCK, 3 * BLOCK] {
            let buf = aligned(len);
            assert_eq!(buf.len(), len);
            assert_eq!(buf.as_ptr() as usize % BLOCK, 0);
        }
    }

    #[test]
    fn a_kept_file_is_written_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kept");
        let file = TestFile::keep_at(path.clone(), 3 << 20).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 3 << 20);
        let data = std::fs::read(&file.path).unwrap();
        assert_eq!(data[251], 0);
        assert_eq!(data[(1 << 20) + 300], (300 % 251) as u8);
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        drop(file);
        assert!(path.exists(), "kept after drop");
        TestFile::keep_at(path.clone(), 3 << 20).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            modified
        );
        let temp = TestFile::create(4096).unwrap();
        let temp_path = temp.path.clone();
        assert_eq!(std::fs::read(&temp_path).unwrap().len(), 4096);
        drop(temp);
        assert!(!temp_path.exists(), "removed on drop");
    }
}
