//! Sequential reads of a [`TestFile`] in 128 KiB pieces ([`SEQ_CHUNK`]),
//! one after another from the start, wrapping around at the end (a read
//! that returns nothing counts as one too). `Budget::Ops(len / SEQ_CHUNK)`
//! reads the file once. The timed part starts once the file is open.

use super::{open_std, TestFile, SEQ_CHUNK};
use crate::workloads::raw_ring;
use crate::workloads::{ringio_runtime, stats_since, tokio_current_thread, Budget, Tally};
use io_uring::{opcode, types};
use std::io;
use std::os::fd::AsRawFd;
use std::time::Instant;

/// ringio, on a runtime from [`ringio_runtime`]: `read_at` at the next
/// position into one reused buffer. The tally carries ringio's counters.
///
/// # Errors
///
/// When the runtime cannot be built, or the file opened or read.
pub fn ringio_sequential(file: &TestFile, budget: Budget) -> io::Result<Tally> {
    let (path, len) = (file.path.clone(), file.len);
    ringio_runtime()?.block_on(async move {
        let f = ringio::fs::File::open(&path).await?;
        let before = ringio::stats();
        let start = Instant::now();
        let limit = budget.share(1, start);
        let mut buf = Vec::with_capacity(SEQ_CHUNK);
        let (mut ops, mut pos) = (0u64, 0u64);
        while limit.allows(ops) {
            let (res, b) = f.read_at(buf, pos).await;
            buf = b;
            let n = res? as u64;
            pos = if n == 0 || pos + n >= len { 0 } else { pos + n };
            ops += 1;
        }
        Ok(Tally {
            ops,
            elapsed: start.elapsed(),
            errors: 0,
            stats: Some(stats_since(before)),
        })
    })
}

/// tokio::fs on a current-thread runtime: `read` into one buffer, a `seek`
/// to the start at the end.
///
/// # Errors
///
/// When the runtime cannot be built, or the file opened or read.
pub fn tokio_sequential(file: &TestFile, budget: Budget) -> io::Result<Tally> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let path = file.path.clone();
    let rt = tokio_current_thread()?;
    rt.block_on(async move {
        let mut f = tokio::fs::File::open(&path).await?;
        let mut buf = vec![0u8; SEQ_CHUNK];
        let start = Instant::now();
        let limit = budget.share(1, start);
        let mut ops = 0;
        while limit.allows(ops) {
            if f.read(&mut buf).await? == 0 {
                f.seek(io::SeekFrom::Start(0)).await?;
            }
            ops += 1;
        }
        Ok(Tally {
            ops,
            elapsed: start.elapsed(),
            ..Tally::default()
        })
    })
}

/// A std `read` loop into one buffer, a `seek` to the start at the end.
///
/// # Errors
///
/// When the file cannot be opened or read.
pub fn std_sequential(file: &TestFile, budget: Budget) -> io::Result<Tally> {
    use std::io::{Read, Seek};
    let mut f = open_std(&file.path, false)?;
    let mut buf = vec![0u8; SEQ_CHUNK];
    let start = Instant::now();
    let limit = budget.share(1, start);
    let mut ops = 0;
    while limit.allows(ops) {
        if f.read(&mut buf)? == 0 {
            f.seek(io::SeekFrom::Start(0))?;
        }
        ops += 1;
    }
    Ok(Tally {
        ops,
        elapsed: start.elapsed(),
        ..Tally::default()
    })
}

/// A raw io-uring loop ([`raw_ring`]'s flags, no executor): one `Read` at
/// the next position into one buffer, one `submit_and_wait(1)` per read.
///
/// # Errors
///
/// When the file cannot be opened, the ring cannot be built, or a submit
/// or a read fails.
pub fn raw_ring_sequential(file: &TestFile, budget: Budget) -> io::Result<Tally> {
    let f = open_std(&file.path, false)?;
    let fd = types::Fd(f.as_raw_fd());
    let mut ring = raw_ring(8, 16)?;
    let mut buf = vec![0u8; SEQ_CHUNK];
    let start = Instant::now();
    let limit = budget.share(1, start);
    let (mut ops, mut pos) = (0u64, 0u64);
    while limit.allows(ops) {
        let entry = opcode::Read::new(fd, buf.as_mut_ptr(), SEQ_CHUNK as u32)
            .offset(pos)
            .build();
        // SAFETY: `buf` outlives the read: the loop waits for its completion
        // before the next push or the return, and an error from the wait
        // leaks the buffer. One entry in an 8-entry queue always fits.
        unsafe { ring.submission().push(&entry) }.expect("an empty queue has room");
        let res = loop {
            match ring.submit_and_wait(1) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    std::mem::forget(buf);
                    return Err(e);
                }
                Ok(_) => {
                    if let Some(cqe) = ring.completion().next() {
                        break cqe.result();
                    }
                }
            }
        };
        if res < 0 {
            return Err(io::Error::from_raw_os_error(-res));
        }
        let n = res as u64;
        pos = if n == 0 || pos + n >= file.len {
            0
        } else {
            pos + n
        };
        ops += 1;
    }
    Ok(Tally {
        ops,
        elapsed: start.elapsed(),
        ..Tally::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reader_wraps_around_the_file() {
        let file = TestFile::create(3 * SEQ_CHUNK as u64).unwrap();
        // One pass, then wrapping: 3 reads, an EOF read (std and tokio) or
        // a restart (ringio), and more.
        for run in [
            ringio_sequential,
            tokio_sequential,
            std_sequential,
            raw_ring_sequential,
        ] {
            let tally = run(&file, Budget::Ops(8)).unwrap();
            assert_eq!((tally.ops, tally.errors), (8, 0));
        }
        let ringio = ringio_sequential(&file, Budget::Ops(3)).unwrap();
        assert!(ringio.stats.unwrap().sqes_submitted >= 3);
    }
}
