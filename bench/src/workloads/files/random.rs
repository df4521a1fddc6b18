//! 4 KiB reads at random block-aligned offsets of a [`TestFile`]: `qd`
//! concurrent tasks (ringio, tokio::fs), one pread loop, or one raw
//! io-uring loop keeping `qd` reads in flight. Task `t` reads the offsets of
//! seed `t + 1`; the timed part starts once the file is open (tokio's tasks
//! open their own handles inside it) and ends when every reader is done.

use super::{aligned, open_std, Offsets, TestFile, BLOCK};
use crate::workloads::raw_ring;
use crate::workloads::{join_counts, stats_since, tokio_current_thread, Budget, Tally};
use io_uring::{opcode, types, IoUring};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::rc::Rc;
use std::time::Instant;

/// ringio: `qd` tasks on `rt` (the caller's, [`crate::workloads::ringio_runtime`]
/// or a variation of [`crate::workloads::ringio_builder`]), each reading into its own aligned buffer
/// with `read_at` on one shared file (`O_DIRECT` when `direct`). The tally
/// carries ringio's counters.
///
/// # Errors
///
/// When the file cannot be opened; a failed or short read counts as an
/// error of its task.
pub fn ringio_random(
    rt: &ringio::Runtime,
    file: &TestFile,
    qd: usize,
    direct: bool,
    budget: Budget,
) -> io::Result<Tally> {
    let (path, len) = (file.path.clone(), file.len);
    rt.block_on(async move {
        let mut options = ringio::fs::OpenOptions::new();
        options.read(true);
        if direct {
            options.custom_flags(libc::O_DIRECT);
        }
        let file = Rc::new(options.open(&path).await?);
        let before = ringio::stats();
        let start = Instant::now();
        let tasks: Vec<_> = (0..qd)
            .map(|t| {
                let file = file.clone();
                let limit = budget.share(qd, start);
                ringio::spawn(async move {
                    let mut offsets = Offsets::new(t as u64 + 1, len, BLOCK);
                    let mut buf = aligned(BLOCK);
                    let mut done = 0u64;
                    while limit.allows(done) {
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
        let mut tally = join_counts(tasks).await;
        tally.elapsed = start.elapsed();
        tally.stats = Some(stats_since(before));
        Ok(tally)
    })
}

/// tokio::fs on a current-thread runtime: `qd` tasks, each with its own
/// file handle, `seek` then `read_exact` per read.
///
/// # Errors
///
/// When tokio's runtime cannot be built; a failed open or read counts as an
/// error of its task.
pub fn tokio_random(file: &TestFile, qd: usize, budget: Budget) -> io::Result<Tally> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let (path, len) = (file.path.clone(), file.len);
    let rt = tokio_current_thread()?;
    rt.block_on(async move {
        let start = Instant::now();
        let tasks: Vec<_> = (0..qd)
            .map(|t| {
                let path = path.clone();
                let limit = budget.share(qd, start);
                tokio::spawn(async move {
                    let mut file = tokio::fs::File::open(&path).await?;
                    let mut offsets = Offsets::new(t as u64 + 1, len, BLOCK);
                    let mut buf = vec![0u8; BLOCK];
                    let mut done = 0u64;
                    // One read at least: the open is inside the timed part,
                    // and on one busy core it can outlast a short budget.
                    loop {
                        file.seek(io::SeekFrom::Start(offsets.next_offset()))
                            .await?;
                        file.read_exact(&mut buf).await?;
                        done += 1;
                        if !limit.allows(done) {
                            break;
                        }
                    }
                    Ok::<u64, io::Error>(done)
                })
            })
            .collect();
        let mut tally = join_counts(tasks).await;
        tally.elapsed = start.elapsed();
        Ok(tally)
    })
}

/// A std `read_exact_at` loop on the calling thread (queue depth 1) into an
/// aligned buffer.
///
/// # Errors
///
/// When the file cannot be opened or a read fails.
pub fn pread_random(file: &TestFile, direct: bool, budget: Budget) -> io::Result<Tally> {
    let f = open_std(&file.path, direct)?;
    let mut offsets = Offsets::new(1, file.len, BLOCK);
    let mut buf = aligned(BLOCK);
    let start = Instant::now();
    let limit = budget.share(1, start);
    let mut ops = 0;
    while limit.allows(ops) {
        f.read_exact_at(&mut buf[..], offsets.next_offset())?;
        ops += 1;
    }
    Ok(Tally {
        ops,
        elapsed: start.elapsed(),
        ..Tally::default()
    })
}

/// A raw io-uring loop with the setup flags ringio's driver tries first
/// (single issuer, deferred task running, no SQ array where the kernel has
/// it): `qd` reads in flight, each completion replaced by the next read,
/// one `submit_and_wait(1)` per pass. A read that fails or comes back short
/// counts as an error.
///
/// # Errors
///
/// When the file cannot be opened, the ring cannot be built or a submit
/// fails.
pub fn raw_ring_random(
    file: &TestFile,
    qd: usize,
    direct: bool,
    budget: Budget,
) -> io::Result<Tally> {
    let f = open_std(&file.path, direct)?;
    let fd = types::Fd(f.as_raw_fd());
    let entries = (qd as u32).next_power_of_two().max(256);
    let mut ring = raw_ring(entries, 2 * entries)?;
    let mut bufs: Vec<_> = (0..qd).map(|_| aligned(BLOCK)).collect();
    let mut offsets = Offsets::new(11, file.len, BLOCK);
    let mut push = |ring: &mut IoUring, buf: &mut [u8], slot: usize| {
        let entry = opcode::Read::new(fd, buf.as_mut_ptr(), BLOCK as u32)
            .offset(offsets.next_offset())
            .build()
            .user_data(slot as u64);
        // SAFETY: the buffer stays allocated until the kernel is done with
        // it: the loop below waits for every read it pushed, and an error
        // return leaks the buffers. At most `qd` <= `entries` reads are
        // pushed between submits, so the queue has room.
        unsafe { ring.submission().push(&entry) }.expect("the queue holds qd entries");
    };
    let start = Instant::now();
    let limit = budget.share(1, start);
    let (mut started, mut finished) = (0u64, 0u64);
    let mut tally = Tally::default();
    for (slot, buf) in bufs.iter_mut().enumerate() {
        if !limit.allows(started) {
            break;
        }
        push(&mut ring, buf, slot);
        started += 1;
    }
    while finished < started {
        if let Err(e) = ring.submit_and_wait(1) {
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            std::mem::forget(bufs);
            return Err(e);
        }
        let completed: Vec<(usize, i32)> = ring
            .completion()
            .map(|c| (c.user_data() as usize, c.result()))
            .collect();
        for (slot, res) in completed {
            finished += 1;
            if res == BLOCK as i32 {
                tally.ops += 1;
            } else {
                tally.errors += 1;
            }
            if limit.allows(started) {
                push(&mut ring, &mut bufs[slot], slot);
                started += 1;
            }
        }
    }
    tally.elapsed = start.elapsed();
    Ok(tally)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn every_reader_reads_its_budget() {
        let file = TestFile::create(1 << 20).unwrap();
        let rt = crate::workloads::ringio_runtime().unwrap();
        for qd in [1, 8] {
            let ops = Budget::Ops(64);
            let runs = [
                ringio_random(&rt, &file, qd, false, ops).unwrap(),
                tokio_random(&file, qd, ops).unwrap(),
                raw_ring_random(&file, qd, false, ops).unwrap(),
                pread_random(&file, false, ops).unwrap(),
            ];
            for (i, tally) in runs.iter().enumerate() {
                assert_eq!((tally.ops, tally.errors), (64, 0), "reader {i}, QD {qd}");
            }
            assert!(runs[0].stats.unwrap().sqes_submitted >= 64);
        }
        let timed = raw_ring_random(&file, 4, false, Budget::Time(Duration::from_millis(5)));
        let timed = timed.unwrap();
        assert!(timed.ops > 0 && timed.errors == 0);
        assert!(timed.elapsed >= Duration::from_millis(5));
    }
}
