//! 4 KiB random reads from a 256 MiB file on one thread: ringio vs tokio::fs
//! (current-thread, same number of concurrent tasks) vs a std pread loop vs
//! a raw io-uring loop at the same queue depth; then O_DIRECT, and a
//! sequential 128 KiB read vs std::fs::read.
//! `cargo bench --bench fs_random_read` (env `FS_BENCH_DIR` picks the
//! directory of the test file; default: the system temp dir).

mod common;

use common::{ab, header, rate, selected, tokio_rt};
use io_uring::{opcode, types, IoUring};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::rc::Rc;

const FILE_LEN: u64 = 256 << 20;
const BLOCK: usize = 4096;

fn offsets(n: usize, seed: u64) -> Vec<u64> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % (FILE_LEN / BLOCK as u64)) * BLOCK as u64
        })
        .collect()
}

fn make_file(dir: &Path) -> PathBuf {
    let path = dir.join("ringio-bench-256m");
    if std::fs::metadata(&path).map(|m| m.len()).ok() != Some(FILE_LEN) {
        let chunk: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
        let f = std::fs::File::create(&path).unwrap();
        for i in 0..(FILE_LEN >> 20) {
            f.write_all_at(&chunk, i << 20).unwrap();
        }
        f.sync_all().unwrap();
    }
    // Warm the page cache.
    let _ = std::fs::read(&path).unwrap();
    path
}

fn ringio_reads(path: &Path, qd: usize, ops: usize, direct: bool) -> f64 {
    ringio_reads_on(ringio::Runtime::new().unwrap(), path, qd, ops, direct)
}

fn ringio_reads_on(rt: ringio::Runtime, path: &Path, qd: usize, ops: usize, direct: bool) -> f64 {
    let path = path.to_path_buf();
    rt.block_on(async move {
        let mut options = ringio::fs::OpenOptions::new();
        options.read(true);
        if direct {
            options.custom_flags(libc::O_DIRECT);
        }
        let file = Rc::new(options.open(&path).await.unwrap());
        let start = std::time::Instant::now();
        let tasks: Vec<_> = (0..qd)
            .map(|t| {
                let file = file.clone();
                let offs = offsets(ops / qd, t as u64 + 1);
                ringio::spawn(async move {
                    let mut buf = aligned_buf();
                    for off in offs {
                        let (res, b) = file.read_at(buf, off).await;
                        assert_eq!(res.unwrap(), BLOCK);
                        buf = b;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        ops as f64 / start.elapsed().as_secs_f64()
    })
}

/// A 4 KiB buffer at a 4 KiB-aligned address (what O_DIRECT needs), as a
/// boxed slice carved out of an over-allocated Vec.
fn aligned_buf() -> ringio::buf::Slice<Vec<u8>> {
    use ringio::buf::IoBuf;
    let v = vec![0u8; 2 * BLOCK];
    let skew = v.as_ptr() as usize % BLOCK;
    let begin = if skew == 0 { 0 } else { BLOCK - skew };
    v.slice(begin..begin + BLOCK)
}

fn tokio_reads(path: &Path, qd: usize, ops: usize) -> f64 {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let rt = tokio_rt();
    let path = path.to_path_buf();
    rt.block_on(async move {
        let start = std::time::Instant::now();
        let tasks: Vec<_> = (0..qd)
            .map(|t| {
                let path = path.clone();
                let offs = offsets(ops / qd, t as u64 + 1);
                tokio::spawn(async move {
                    let mut file = tokio::fs::File::open(&path).await.unwrap();
                    let mut buf = vec![0u8; BLOCK];
                    for off in offs {
                        file.seek(std::io::SeekFrom::Start(off)).await.unwrap();
                        file.read_exact(&mut buf).await.unwrap();
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        ops as f64 / start.elapsed().as_secs_f64()
    })
}

fn pread_loop(path: &Path, ops: usize, direct: bool) -> f64 {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    if direct {
        options.custom_flags(libc::O_DIRECT);
    }
    let file = options.open(path).unwrap();
    let offs = offsets(ops, 7);
    let mut slice = aligned_buf();
    rate(ops as u64, || {
        for off in offs {
            use ringio::buf::IoBufMut;
            let ptr = slice.stable_mut_ptr();
            // SAFETY: `ptr` is valid for BLOCK bytes (the slice's range).
            let buf = unsafe { std::slice::from_raw_parts_mut(ptr, BLOCK) };
            assert_eq!(file.read_at(buf, off).unwrap(), BLOCK);
        }
    })
}

fn raw_ring_loop(path: &Path, qd: usize, ops: usize, direct: bool) -> f64 {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    if direct {
        options.custom_flags(libc::O_DIRECT);
    }
    let file = options.open(path).unwrap();
    // The flags ringio's driver tries first (`NO_SQARRAY` needs Linux 6.6).
    let mut ring = IoUring::builder()
        .setup_single_issuer()
        .setup_defer_taskrun()
        .setup_no_sqarray()
        .build(256)
        .or_else(|_| {
            IoUring::builder()
                .setup_single_issuer()
                .setup_defer_taskrun()
                .build(256)
        })
        .unwrap();
    let mut bufs: Vec<_> = (0..qd).map(|_| aligned_buf()).collect();
    let offs = offsets(ops, 11);
    let mut next = 0;
    let push =
        |ring: &mut IoUring, slot: usize, bufs: &mut Vec<ringio::buf::Slice<Vec<u8>>>, off: u64| {
            use ringio::buf::IoBufMut;
            let entry = opcode::Read::new(
                types::Fd(file.as_raw_fd()),
                bufs[slot].stable_mut_ptr(),
                BLOCK as u32,
            )
            .offset(off)
            .build()
            .user_data(slot as u64);
            // SAFETY: the buffer outlives the loop, which drains every read.
            unsafe { ring.submission().push(&entry).unwrap() };
        };
    rate(ops as u64, || {
        let mut done = 0;
        for slot in 0..qd {
            push(&mut ring, slot, &mut bufs, offs[next]);
            next += 1;
        }
        while done < ops {
            ring.submit_and_wait(1).unwrap();
            let completed: Vec<(usize, i32)> = ring
                .completion()
                .map(|c| (c.user_data() as usize, c.result()))
                .collect();
            for (slot, res) in completed {
                assert_eq!(res, BLOCK as i32);
                done += 1;
                if next < ops {
                    push(&mut ring, slot, &mut bufs, offs[next]);
                    next += 1;
                }
            }
        }
    })
}

fn fio_available() -> bool {
    std::process::Command::new("fio")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// fio's own io_uring engine on the same file: `ops` random 4 KiB O_DIRECT
/// reads at queue depth `qd`, pinned to the bench's core; its IOPS.
fn fio_reads(path: &Path, qd: usize, ops: usize) -> f64 {
    let out = std::process::Command::new("fio")
        .args([
            "--name=ringio-ab",
            "--rw=randread",
            "--bs=4k",
            "--direct=1",
            "--ioengine=io_uring",
            "--size=256M",
            "--cpus_allowed=0",
            "--output-format=json",
        ])
        .arg(format!("--filename={}", path.display()))
        .arg(format!("--iodepth={qd}"))
        .arg(format!("--io_size={}", ops * BLOCK))
        .output()
        .expect("fio runs");
    assert!(out.status.success(), "fio failed: {out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("fio JSON");
    json["jobs"][0]["read"]["iops"]
        .as_f64()
        .expect("fio reports read IOPS")
}

fn main() {
    common::pin_to_core(0);
    let dir = std::env::var("FS_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir());
    let path = make_file(&dir);
    header("4 KiB random reads, 256 MiB file, page cache warm");
    for qd in [1usize, 32, 128] {
        if !selected(&format!("qd{qd}")) {
            continue;
        }
        let ops = 128 * 1024;
        ab(
            &format!("QD {qd}: ringio vs tokio::fs"),
            "tokio::fs",
            || ringio_reads(&path, qd, ops, false),
            || tokio_reads(&path, qd, ops / 8),
        );
        ab(
            &format!("QD {qd}: ringio vs raw ring"),
            "raw io-uring",
            || ringio_reads(&path, qd, ops, false),
            || raw_ring_loop(&path, qd, ops, false),
        );
        ab(
            &format!("QD {qd}: ringio vs std pread loop"),
            "pread",
            || ringio_reads(&path, qd, ops, false),
            || pread_loop(&path, ops, false),
        );
    }
    if selected("direct") {
        header("4 KiB random reads, O_DIRECT");
        for qd in [1usize, 32] {
            let ops = if qd == 1 { 8 * 1024 } else { 32 * 1024 };
            ab(
                &format!("O_DIRECT QD {qd}: ringio vs std pread loop"),
                "pread",
                || ringio_reads(&path, qd, ops, true),
                || pread_loop(&path, ops, true),
            );
            ab(
                &format!("O_DIRECT QD {qd}: ringio vs raw ring"),
                "raw io-uring",
                || ringio_reads(&path, qd, ops, true),
                || raw_ring_loop(&path, qd, ops, true),
            );
            if fio_available() {
                ab(
                    &format!("O_DIRECT QD {qd}: ringio vs fio (io_uring engine)"),
                    "fio",
                    || ringio_reads(&path, qd, ops, true),
                    || fio_reads(&path, qd, ops),
                );
                // fio submits each request as soon as it is made (its
                // default `iodepth_batch_submit=1`); so does this row.
                ab(
                    &format!("O_DIRECT QD {qd}: ringio submit_batch(1) vs fio"),
                    "fio",
                    || {
                        let rt = ringio::Builder::new().submit_batch(1).build().unwrap();
                        ringio_reads_on(rt, &path, qd, ops, true)
                    },
                    || fio_reads(&path, qd, ops),
                );
            }
        }
    }
    if selected("sequential") {
        header("sequential read of the file, 128 KiB buffers (MiB/s)");
        let mib = (FILE_LEN >> 20) as f64;
        let ringio_seq = || {
            let rt = ringio::Runtime::new().unwrap();
            let start = std::time::Instant::now();
            rt.block_on(async {
                let file = ringio::fs::File::open(&path).await.unwrap();
                let mut buf = Vec::with_capacity(128 * 1024);
                let mut pos = 0;
                loop {
                    let (n, b) = file.read_at(buf, pos).await;
                    let n = n.unwrap();
                    if n == 0 {
                        break;
                    }
                    pos += n as u64;
                    buf = b;
                }
            });
            mib / start.elapsed().as_secs_f64()
        };
        ab(
            "sequential: ringio vs a std read loop, same 128 KiB buffer",
            "std read loop",
            ringio_seq,
            || {
                use std::io::Read;
                let start = std::time::Instant::now();
                let mut file = std::fs::File::open(&path).unwrap();
                let mut buf = vec![0u8; 128 * 1024];
                while file.read(&mut buf).unwrap() != 0 {}
                mib / start.elapsed().as_secs_f64()
            },
        );
        ab(
            "sequential: ringio vs std::fs::read",
            "std::fs::read",
            ringio_seq,
            || {
                let start = std::time::Instant::now();
                let data = std::fs::read(&path).unwrap();
                assert_eq!(data.len() as u64, FILE_LEN);
                mib / start.elapsed().as_secs_f64()
            },
        );
    }
}
