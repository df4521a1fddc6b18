//! Spawn + join throughput, ringio vs tokio current-thread.
//! `cargo bench --bench spawn`

mod common;

use common::{ab, header, rate, selected, tokio_rt};

const ONE_AT_A_TIME: u64 = 500_000;
const BATCH: usize = 1024;
const BATCHES: u64 = 500;

fn main() {
    common::pin_to_core(0);
    header("spawn");
    if selected("spawn_one_at_a_time") {
        ab(
            "spawn+await one at a time",
            "tokio",
            || {
                let rt = ringio::Runtime::new().unwrap();
                rate(ONE_AT_A_TIME, || {
                    rt.block_on(async {
                        for i in 0..ONE_AT_A_TIME {
                            let v = ringio::spawn(async move { i }).await.unwrap();
                            std::hint::black_box(v);
                        }
                    })
                })
            },
            || {
                let rt = tokio_rt();
                rate(ONE_AT_A_TIME, || {
                    rt.block_on(async {
                        for i in 0..ONE_AT_A_TIME {
                            let v = tokio::spawn(async move { i }).await.unwrap();
                            std::hint::black_box(v);
                        }
                    })
                })
            },
        );
    }
    if selected("spawn_batch") {
        let total = BATCH as u64 * BATCHES;
        ab(
            "spawn 1024 then await all",
            "tokio",
            || {
                let rt = ringio::Runtime::new().unwrap();
                rate(total, || {
                    rt.block_on(async {
                        let mut handles = Vec::with_capacity(BATCH);
                        for _ in 0..BATCHES {
                            handles.extend((0..BATCH).map(|i| ringio::spawn(async move { i })));
                            for h in handles.drain(..) {
                                std::hint::black_box(h.await.unwrap());
                            }
                        }
                    })
                })
            },
            || {
                let rt = tokio_rt();
                rate(total, || {
                    rt.block_on(async {
                        let mut handles = Vec::with_capacity(BATCH);
                        for _ in 0..BATCHES {
                            handles.extend((0..BATCH).map(|i| tokio::spawn(async move { i })));
                            for h in handles.drain(..) {
                                std::hint::black_box(h.await.unwrap());
                            }
                        }
                    })
                })
            },
        );
    }
}
