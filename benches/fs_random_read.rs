//! 4 KiB random reads from a 256 MiB file on one thread: ringio vs tokio::fs
//! (current-thread, same number of concurrent tasks) vs a std pread loop vs
//! a raw io-uring loop at the same queue depth; then O_DIRECT, and a
//! sequential 128 KiB read vs std::fs::read.
//! `cargo bench --bench fs_random_read` (env `FS_BENCH_DIR` picks the
//! directory of the test file; default: the system temp dir).

mod common;

use common::{ab, header, rate_of, selected};
use ringio_bench::workloads::files::{
    pread_random, raw_ring_random, ringio_random, ringio_sequential, std_sequential, tokio_random,
    TestFile, BLOCK, SEQ_CHUNK,
};
use ringio_bench::workloads::{ringio_builder, ringio_runtime, Budget};
use std::path::{Path, PathBuf};

const FILE_LEN: u64 = 256 << 20;

/// ringio's random reads on a default runtime (`ringio_runtime`: Auto, so
/// `RINGIO_DRIVER=epoll` runs them on the epoll driver): reads per second.
fn ringio_reads(file: &TestFile, qd: usize, ops: u64, direct: bool) -> f64 {
    let rt = ringio_runtime().unwrap();
    rate_of(ringio_random(&rt, file, qd, direct, Budget::Ops(ops)))
}

fn fio_available() -> bool {
    std::process::Command::new("fio")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// fio's own io_uring engine on the same file: `ops` random 4 KiB O_DIRECT
/// reads at queue depth `qd`, pinned to the bench's core; its IOPS.
fn fio_reads(path: &Path, qd: usize, ops: u64) -> f64 {
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
        .arg(format!("--io_size={}", ops * BLOCK as u64))
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
    let file = TestFile::keep_at(dir.join("ringio-bench-256m"), FILE_LEN).unwrap();
    let file = &file;
    header("4 KiB random reads, 256 MiB file, page cache warm");
    for qd in [1usize, 32, 128] {
        if !selected(&format!("qd{qd}")) {
            continue;
        }
        let ops = 128 * 1024;
        ab(
            &format!("QD {qd}: ringio vs tokio::fs"),
            "tokio::fs",
            || ringio_reads(file, qd, ops, false),
            || rate_of(tokio_random(file, qd, Budget::Ops(ops / 8))),
        );
        ab(
            &format!("QD {qd}: ringio vs raw ring"),
            "raw io-uring",
            || ringio_reads(file, qd, ops, false),
            || rate_of(raw_ring_random(file, qd, false, Budget::Ops(ops))),
        );
        ab(
            &format!("QD {qd}: ringio vs std pread loop"),
            "pread",
            || ringio_reads(file, qd, ops, false),
            || rate_of(pread_random(file, false, Budget::Ops(ops))),
        );
    }
    if selected("direct") {
        header("4 KiB random reads, O_DIRECT");
        for qd in [1usize, 32] {
            let ops = if qd == 1 { 8 * 1024 } else { 32 * 1024 };
            ab(
                &format!("O_DIRECT QD {qd}: ringio vs std pread loop"),
                "pread",
                || ringio_reads(file, qd, ops, true),
                || rate_of(pread_random(file, true, Budget::Ops(ops))),
            );
            ab(
                &format!("O_DIRECT QD {qd}: ringio vs raw ring"),
                "raw io-uring",
                || ringio_reads(file, qd, ops, true),
                || rate_of(raw_ring_random(file, qd, true, Budget::Ops(ops))),
            );
            if fio_available() {
                ab(
                    &format!("O_DIRECT QD {qd}: ringio vs fio (io_uring engine)"),
                    "fio",
                    || ringio_reads(file, qd, ops, true),
                    || fio_reads(&file.path, qd, ops),
                );
                // fio submits each request as soon as it is made (its
                // default `iodepth_batch_submit=1`); so does this row.
                ab(
                    &format!("O_DIRECT QD {qd}: ringio submit_batch(1) vs fio"),
                    "fio",
                    || {
                        let rt = ringio_builder().submit_batch(1).build().unwrap();
                        rate_of(ringio_random(&rt, file, qd, true, Budget::Ops(ops)))
                    },
                    || fio_reads(&file.path, qd, ops),
                );
            }
        }
    }
    if selected("sequential") {
        header("sequential read of the file, 128 KiB buffers (MiB/s)");
        // One pass over the file; reads per second to MiB/s.
        let once = Budget::Ops(FILE_LEN / SEQ_CHUNK as u64);
        let mib_per_s = |reads_per_s: f64| reads_per_s * SEQ_CHUNK as f64 / (1 << 20) as f64;
        let ringio_seq = || mib_per_s(rate_of(ringio_sequential(file, once)));
        ab(
            "sequential: ringio vs a std read loop, same 128 KiB buffer",
            "std read loop",
            ringio_seq,
            || mib_per_s(rate_of(std_sequential(file, once))),
        );
        ab(
            "sequential: ringio vs std::fs::read",
            "std::fs::read",
            ringio_seq,
            || {
                let start = std::time::Instant::now();
                let data = std::fs::read(&file.path).unwrap();
                assert_eq!(data.len() as u64, FILE_LEN);
                (FILE_LEN >> 20) as f64 / start.elapsed().as_secs_f64()
            },
        );
    }
}
