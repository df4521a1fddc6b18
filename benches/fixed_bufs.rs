//! Registered (fixed) buffers against plain ones, on the same ringio
//! runtime and file: 4 KiB random reads at queue depth 32 with `O_DIRECT`
//! and from the page cache, and a sequential pass in 64 KiB reads. The
//! ratio is fixed / plain (A: `read_fixed_at` with buffers of a
//! `FixedBufPool`; B: `read_at` with page-aligned `Vec`s).
//! `cargo bench --bench fixed_bufs` (env `FS_BENCH_DIR` picks the directory
//! of the test file; default: the system temp dir).

mod common;

use common::{ab, header, selected};
use ringio::buf::FixedBufPool;
use ringio::fs::{File, OpenOptions};
use ringio_bench::workloads::files::{aligned, Offsets, TestFile, BLOCK};
use ringio_bench::workloads::ringio_runtime;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Instant;

const FILE_LEN: u64 = 256 << 20;
const QD: usize = 32;
const SEQ_CHUNK: usize = 64 * 1024;

async fn open(file: &TestFile, direct: bool) -> File {
    let mut options = OpenOptions::new();
    options.read(true);
    if direct {
        options.custom_flags(libc::O_DIRECT);
    }
    options.open(&file.path).await.unwrap()
}

/// `QD` tasks, each reading `ops / QD` random 4 KiB blocks into its own
/// buffer (from a pool when `fixed`); reads per second.
fn random_reads(file: &TestFile, ops: u64, direct: bool, fixed: bool) -> f64 {
    let rt = ringio_runtime().unwrap();
    let len = file.len;
    rt.block_on(async {
        let handle = Rc::new(open(file, direct).await);
        let pool = FixedBufPool::new(QD, BLOCK).unwrap();
        let per_task = ops / QD as u64;
        let start = Instant::now();
        let tasks: Vec<_> = (0..QD)
            .map(|t| {
                let (file, pool) = (handle.clone(), pool.clone());
                ringio::spawn(async move {
                    let mut offsets = Offsets::new(t as u64 + 1, len, BLOCK);
                    if fixed {
                        let mut buf = pool.try_get().unwrap();
                        for _ in 0..per_task {
                            let (n, b) = file.read_fixed_at(buf, offsets.next_offset()).await;
                            assert_eq!(n.unwrap(), BLOCK);
                            buf = b;
                        }
                    } else {
                        let mut buf = aligned(BLOCK);
                        for _ in 0..per_task {
                            let (n, b) = file.read_at(buf, offsets.next_offset()).await;
                            assert_eq!(n.unwrap(), BLOCK);
                            buf = b;
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        (per_task * QD as u64) as f64 / start.elapsed().as_secs_f64()
    })
}

/// One pass over the file (page cache warm) in 64 KiB reads into one
/// buffer (from a pool when `fixed`); MiB per second.
fn sequential(file: &TestFile, fixed: bool) -> f64 {
    let rt = ringio_runtime().unwrap();
    rt.block_on(async {
        let handle = open(file, false).await;
        let pool = FixedBufPool::new(1, SEQ_CHUNK).unwrap();
        let chunks = file.len / SEQ_CHUNK as u64;
        let start = Instant::now();
        if fixed {
            let mut buf = pool.try_get().unwrap();
            for k in 0..chunks {
                let (n, b) = handle.read_fixed_at(buf, k * SEQ_CHUNK as u64).await;
                assert_eq!(n.unwrap(), SEQ_CHUNK);
                buf = b;
            }
        } else {
            let mut buf = Vec::with_capacity(SEQ_CHUNK);
            for k in 0..chunks {
                let (n, b) = handle.read_at(buf, k * SEQ_CHUNK as u64).await;
                assert_eq!(n.unwrap(), SEQ_CHUNK);
                buf = b;
            }
        }
        (file.len >> 20) as f64 / start.elapsed().as_secs_f64()
    })
}

fn main() {
    common::pin_to_core(0);
    let dir = std::env::var("FS_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir());
    let file = TestFile::keep_at(dir.join("ringio-bench-256m"), FILE_LEN).unwrap();
    let file = &file;
    header("fixed vs plain buffers (ratio: fixed / plain)");
    if selected("direct") {
        if file.direct_ok() {
            ab(
                &format!("O_DIRECT 4 KiB random reads, QD {QD}: fixed vs plain"),
                "plain",
                || random_reads(file, 32 * 1024, true, true),
                || random_reads(file, 32 * 1024, true, false),
            );
        } else {
            println!("| O_DIRECT: skipped, this file system refuses it | | | |");
        }
    }
    if selected("cached") {
        ab(
            &format!("page-cache 4 KiB random reads, QD {QD}: fixed vs plain"),
            "plain",
            || random_reads(file, 128 * 1024, false, true),
            || random_reads(file, 128 * 1024, false, false),
        );
    }
    if selected("sequential") {
        ab(
            "sequential 64 KiB reads (MiB/s): fixed vs plain",
            "plain",
            || sequential(file, true),
            || sequential(file, false),
        );
    }
}
