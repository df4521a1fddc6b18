//! Per-operation overhead: 1M `IORING_OP_NOP`s through the executor vs a raw
//! io-uring loop with the same batch size and the same ring flags.
//! `cargo bench --bench nop`

mod common;

use common::{ab, header, rate};
use io_uring::{opcode, IoUring};
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::Poll;

const OPS: u64 = 1_000_000;
const BATCH: usize = 32;

/// The raw loop: push a batch, one `submit_and_wait`, drain the CQ.
fn raw_loop(ring: &mut IoUring) {
    let mut done = 0u64;
    while done < OPS {
        {
            let mut sq = ring.submission();
            for i in 0..BATCH {
                let entry = opcode::Nop::new().build().user_data(i as u64);
                // SAFETY: a NOP entry carries no pointers.
                unsafe { sq.push(&entry).unwrap() };
            }
        }
        ring.submit_and_wait(BATCH).unwrap();
        for cqe in ring.completion() {
            assert!(cqe.result() >= 0);
            done += 1;
        }
    }
}

fn raw_ring() -> IoUring {
    // The flags ringio's driver tries first (`NO_SQARRAY` needs Linux 6.6).
    IoUring::builder()
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
        .or_else(|_| IoUring::new(256))
        .unwrap()
}

async fn batches() {
    let mut ops = Vec::with_capacity(BATCH);
    for _ in 0..OPS / BATCH as u64 {
        ops.extend((0..BATCH).map(|_| ringio::nop()));
        poll_fn(|cx| {
            ops.retain_mut(|op| match Pin::new(op).poll(cx) {
                Poll::Ready(res) => {
                    res.unwrap();
                    false
                }
                Poll::Pending => true,
            });
            if ops.is_empty() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
    }
}

fn main() {
    common::pin_to_core(0);
    header("NOP round trips, batch 32");
    let mut ring = raw_ring();
    let ratio = ab(
        "1M NOPs, executor vs raw loop",
        "raw io-uring",
        || {
            let rt = ringio::Runtime::new().unwrap();
            rate(OPS, || rt.block_on(batches()))
        },
        || rate(OPS, || raw_loop(&mut ring)),
    );
    let rt = ringio::Runtime::new().unwrap();
    let stats = rt.block_on(async {
        let before = ringio::stats();
        batches().await;
        let after = ringio::stats();
        (after.sqes_submitted - before.sqes_submitted) as f64
            / (after.enters - before.enters) as f64
    });
    println!("\nSQEs per io_uring_enter in the executor: {stats:.1}; ratio to raw: {ratio:.2}×");
}
