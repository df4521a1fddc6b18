//! Workloads 3 and 4: 4 KiB random reads (page cache warm, and O_DIRECT)
//! at queue depths 1/32/128, and sequential 128 KiB reads.

use super::results::{Sample, Workload};
use super::support::{stats_since, tokio_current_thread};
use super::Run;
use ringio::buf::{IoBuf, Slice};
use std::io;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// 4 KiB: the block of the random reads (and O_DIRECT's alignment).
pub const BLOCK: usize = 4096;
const SEQ_CHUNK: usize = 128 * 1024;

/// The test file: created in `$TMPDIR`, removed on drop.
pub struct TestFile {
    _dir: tempfile::TempDir,
    /// Its path.
    pub path: PathBuf,
    /// Its length.
    pub len: u64,
}

impl TestFile {
    /// Writes `len` bytes of a known pattern and reads them once (page cache
    /// warm).
    pub fn create(len: u64) -> io::Result<TestFile> {
        let dir = tempfile::Builder::new()
            .prefix("ringio-compare")
            .tempdir()?;
        let path = dir.path().join("data");
        let chunk: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
        let file = std::fs::File::create(&path)?;
        let mut at = 0;
        while at < len {
            let n = (len - at).min(chunk.len() as u64) as usize;
            file.write_all_at(&chunk[..n], at)?;
            at += n as u64;
        }
        file.sync_all()?;
        drop(std::fs::read(&path)?);
        Ok(TestFile {
            _dir: dir,
            path,
            len,
        })
    }

    /// Whether this filesystem takes O_DIRECT (tmpfs does not).
    pub fn direct_ok(&self) -> bool {
        open_std(&self.path, true).is_ok()
    }
}

fn open_std(path: &Path, direct: bool) -> io::Result<std::fs::File> {
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
}

impl Offsets {
    /// Offsets of `block`-sized pieces within `len` bytes.
    pub fn new(seed: u64, len: u64, block: usize) -> Offsets {
        Offsets {
            x: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            blocks: (len / block as u64).max(1),
        }
    }

    /// The next offset, in blocks of 4 KiB.
    pub fn next_offset(&mut self) -> u64 {
        self.x ^= self.x << 13;
        self.x ^= self.x >> 7;
        self.x ^= self.x << 17;
        (self.x % self.blocks) * BLOCK as u64
    }
}

/// A `len`-byte buffer at a 4 KiB-aligned address (what O_DIRECT needs).
pub fn aligned(len: usize) -> Slice<Vec<u8>> {
    let v = vec![0u8; len + BLOCK];
    let skew = v.as_ptr() as usize % BLOCK;
    let begin = if skew == 0 { 0 } else { BLOCK - skew };
    v.slice(begin..begin + len)
}

fn ringio_random(
    file: &TestFile,
    qd: usize,
    direct: bool,
    duration: Duration,
) -> io::Result<Sample> {
    let path = file.path.clone();
    let len = file.len;
    ringio::Runtime::new()?.block_on(async move {
        let mut options = ringio::fs::OpenOptions::new();
        options.read(true);
        if direct {
            options.custom_flags(libc::O_DIRECT);
        }
        let file = Rc::new(options.open(&path).await?);
        let before = ringio::stats();
        let start = Instant::now();
        let deadline = start + duration;
        let tasks: Vec<_> = (0..qd)
            .map(|t| {
                let file = file.clone();
                ringio::spawn(async move {
                    let mut offsets = Offsets::new(t as u64 + 1, len, BLOCK);
                    let mut buf = aligned(BLOCK);
                    let mut done = 0u64;
                    while Instant::now() < deadline {
                        let (res, b) = file.read_at(buf, offsets.next_offset()).await;
                        buf = b;
                        if res? != BLOCK {
                            return Err(io::Error::other("short read"));
                        }
                        done += 1;
                    }
                    Ok::<u64, io::Error>(done)
                })
            })
            .collect();
        let mut sample = join_counts(tasks).await;
        sample.elapsed = start.elapsed();
        let used = stats_since(before);
        sample.enters = Some(used.enters);
        sample.sqes = Some(used.sqes_submitted);
        sample.bytes_per_op = Some(BLOCK as f64);
        Ok(sample)
    })
}

/// Awaits reader tasks (of either runtime) that each return how many reads
/// they made; a failed or panicked task counts as an error.
async fn join_counts<E>(
    tasks: Vec<impl std::future::Future<Output = Result<io::Result<u64>, E>>>,
) -> Sample {
    let mut sample = Sample::default();
    for task in tasks {
        match task.await {
            Ok(Ok(n)) => sample.ops += n,
            _ => sample.errors += 1,
        }
    }
    sample
}

fn tokio_random(file: &TestFile, qd: usize, duration: Duration) -> io::Result<Sample> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let path = file.path.clone();
    let len = file.len;
    let rt = tokio_current_thread()?;
    rt.block_on(async move {
        let start = Instant::now();
        let deadline = start + duration;
        let tasks: Vec<_> = (0..qd)
            .map(|t| {
                let path = path.clone();
                tokio::spawn(async move {
                    let mut file = tokio::fs::File::open(&path).await?;
                    let mut offsets = Offsets::new(t as u64 + 1, len, BLOCK);
                    let mut buf = vec![0u8; BLOCK];
                    let mut done = 0u64;
                    while Instant::now() < deadline {
                        file.seek(io::SeekFrom::Start(offsets.next_offset()))
                            .await?;
                        file.read_exact(&mut buf).await?;
                        done += 1;
                    }
                    Ok::<u64, io::Error>(done)
                })
            })
            .collect();
        let mut sample = join_counts(tasks).await;
        sample.elapsed = start.elapsed();
        sample.bytes_per_op = Some(BLOCK as f64);
        Ok(sample)
    })
}

fn pread_random(file: &TestFile, direct: bool, duration: Duration) -> io::Result<Sample> {
    let f = open_std(&file.path, direct)?;
    let mut offsets = Offsets::new(1, file.len, BLOCK);
    let mut buf = aligned(BLOCK);
    let start = Instant::now();
    let mut ops = 0;
    while start.elapsed() < duration {
        f.read_exact_at(&mut buf[..], offsets.next_offset())?;
        ops += 1;
    }
    Ok(Sample {
        ops,
        elapsed: start.elapsed(),
        bytes_per_op: Some(BLOCK as f64),
        ..Sample::default()
    })
}

/// Random reads at QD 1/32/128, cached then O_DIRECT.
pub fn random_reads(run: &mut Run<'_>, file: &TestFile) -> io::Result<Vec<Workload>> {
    let d = run.config.short_duration;
    let mut out = Vec::new();
    for qd in [1, 32, 128] {
        out.push(run.ab(
            "fs",
            &format!("4 KiB random reads, page cache, QD {qd}"),
            "reads/s",
            vec![
                (
                    "ringio",
                    Box::new(move || ringio_random(file, qd, false, d)),
                ),
                ("tokio::fs", Box::new(move || tokio_random(file, qd, d))),
                (
                    "std pread loop",
                    Box::new(move || pread_random(file, false, d)),
                ),
            ],
        )?);
    }
    if !file.direct_ok() {
        run.progress
            .note("O_DIRECT is not supported where $TMPDIR lives (tmpfs?): O_DIRECT rows skipped");
        return Ok(out);
    }
    for qd in [1, 32, 128] {
        let mut w = run.ab(
            "fs",
            &format!("4 KiB random reads, O_DIRECT, QD {qd}"),
            "reads/s",
            vec![
                ("ringio", Box::new(move || ringio_random(file, qd, true, d))),
                (
                    "std pread loop",
                    Box::new(move || pread_random(file, true, d)),
                ),
            ],
        )?;
        w.note =
            (qd == 1).then(|| "tokio::fs cannot do O_DIRECT (its buffers are not aligned)".into());
        out.push(w);
    }
    Ok(out)
}

fn ringio_sequential(file: &TestFile, duration: Duration) -> io::Result<Sample> {
    let path = file.path.clone();
    let len = file.len;
    ringio::Runtime::new()?.block_on(async move {
        let f = ringio::fs::File::open(&path).await?;
        let before = ringio::stats();
        let start = Instant::now();
        let mut buf = Vec::with_capacity(SEQ_CHUNK);
        let (mut ops, mut pos) = (0u64, 0u64);
        while start.elapsed() < duration {
            let (res, b) = f.read_at(buf, pos).await;
            buf = b;
            let n = res? as u64;
            pos = if n == 0 || pos + n >= len { 0 } else { pos + n };
            ops += 1;
        }
        let used = stats_since(before);
        Ok(Sample {
            ops,
            elapsed: start.elapsed(),
            bytes_per_op: Some(SEQ_CHUNK as f64),
            enters: Some(used.enters),
            sqes: Some(used.sqes_submitted),
            ..Sample::default()
        })
    })
}

fn tokio_sequential(file: &TestFile, duration: Duration) -> io::Result<Sample> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let path = file.path.clone();
    let rt = tokio_current_thread()?;
    rt.block_on(async move {
        let mut f = tokio::fs::File::open(&path).await?;
        let mut buf = vec![0u8; SEQ_CHUNK];
        let start = Instant::now();
        let mut ops = 0;
        while start.elapsed() < duration {
            if f.read(&mut buf).await? == 0 {
                f.seek(io::SeekFrom::Start(0)).await?;
            }
            ops += 1;
        }
        Ok(Sample {
            ops,
            elapsed: start.elapsed(),
            bytes_per_op: Some(SEQ_CHUNK as f64),
            ..Sample::default()
        })
    })
}

fn std_sequential(file: &TestFile, duration: Duration) -> io::Result<Sample> {
    use std::io::{Read, Seek};
    let mut f = open_std(&file.path, false)?;
    let mut buf = vec![0u8; SEQ_CHUNK];
    let start = Instant::now();
    let mut ops = 0;
    while start.elapsed() < duration {
        if f.read(&mut buf)? == 0 {
            f.seek(io::SeekFrom::Start(0))?;
        }
        ops += 1;
    }
    Ok(Sample {
        ops,
        elapsed: start.elapsed(),
        bytes_per_op: Some(SEQ_CHUNK as f64),
        ..Sample::default()
    })
}

/// Sequential 128 KiB reads through the (cached) file, wrapping around.
pub fn sequential(run: &mut Run<'_>, file: &TestFile) -> io::Result<Vec<Workload>> {
    let d = run.config.short_duration;
    Ok(vec![run.ab(
        "fs",
        "sequential 128 KiB reads, page cache",
        "reads/s",
        vec![
            ("ringio", Box::new(move || ringio_sequential(file, d))),
            ("tokio::fs", Box::new(move || tokio_sequential(file, d))),
            ("std read loop", Box::new(move || std_sequential(file, d))),
        ],
    )?])
}
