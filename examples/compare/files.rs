//! Workloads 3 and 4: 4 KiB random reads (page cache warm, and O_DIRECT)
//! at queue depths 1/32/128, and sequential 128 KiB reads; the readers are
//! `ringio_bench::workloads::files`', each run for the short duration.

use super::results::{Sample, Workload};
use super::Run;
use ringio_bench::workloads::files::{
    pread_random, ringio_random, ringio_sequential, std_sequential, tokio_random, tokio_sequential,
    TestFile, BLOCK, SEQ_CHUNK,
};
use ringio_bench::workloads::{ringio_runtime, Budget, Tally};
use std::io;

/// A sample of a run whose every operation moved `bytes_per_op` bytes.
fn sample(tally: io::Result<Tally>, bytes_per_op: usize) -> io::Result<Sample> {
    Ok(Sample {
        bytes_per_op: Some(bytes_per_op as f64),
        ..Sample::from_tally(tally?)
    })
}

/// ringio's random reads on a default runtime (of the run's driver).
fn ringio_reads(file: &TestFile, qd: usize, direct: bool, budget: Budget) -> io::Result<Sample> {
    let rt = ringio_runtime()?;
    sample(ringio_random(&rt, file, qd, direct, budget), BLOCK)
}

/// Random reads at QD 1/32/128, cached then O_DIRECT.
pub fn random_reads(run: &mut Run<'_>, file: &TestFile) -> io::Result<Vec<Workload>> {
    let d = Budget::Time(run.config.short_duration);
    let mut out = Vec::new();
    for qd in [1, 32, 128] {
        out.push(run.ab(
            "fs",
            &format!("4 KiB random reads, page cache, QD {qd}"),
            "reads/s",
            vec![
                ("ringio", Box::new(move || ringio_reads(file, qd, false, d))),
                (
                    "tokio::fs",
                    Box::new(move || sample(tokio_random(file, qd, d), BLOCK)),
                ),
                (
                    "std pread loop",
                    Box::new(move || sample(pread_random(file, false, d), BLOCK)),
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
                ("ringio", Box::new(move || ringio_reads(file, qd, true, d))),
                (
                    "std pread loop",
                    Box::new(move || sample(pread_random(file, true, d), BLOCK)),
                ),
            ],
        )?;
        w.note =
            (qd == 1).then(|| "tokio::fs cannot do O_DIRECT (its buffers are not aligned)".into());
        out.push(w);
    }
    Ok(out)
}

/// Sequential 128 KiB reads through the (cached) file, wrapping around.
pub fn sequential(run: &mut Run<'_>, file: &TestFile) -> io::Result<Vec<Workload>> {
    let d = Budget::Time(run.config.short_duration);
    Ok(vec![run.ab(
        "fs",
        "sequential 128 KiB reads, page cache",
        "reads/s",
        vec![
            (
                "ringio",
                Box::new(move || sample(ringio_sequential(file, d), SEQ_CHUNK)),
            ),
            (
                "tokio::fs",
                Box::new(move || sample(tokio_sequential(file, d), SEQ_CHUNK)),
            ),
            (
                "std read loop",
                Box::new(move || sample(std_sequential(file, d), SEQ_CHUNK)),
            ),
        ],
    )?])
}
