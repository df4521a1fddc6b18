//! Spawn + join throughput, ringio vs tokio current-thread, and one at a
//! time vs glommio's executor.
//! `cargo bench --bench spawn`

mod common;

use common::{ab, header, rate_of, selected};
use ringio_bench::workloads::overhead::{
    spawn_batches, spawn_join, spawn_join_glommio, spawn_join_glommio_scheduled,
};
use ringio_bench::workloads::{Budget, Side};

const ONE_AT_A_TIME: u64 = 500_000;
const BATCH: usize = 1024;
const BATCHES: u64 = 500;

fn main() {
    common::pin_to_core(0);
    header("spawn");
    if selected("spawn_one_at_a_time") {
        let run = |side| rate_of(spawn_join(side, Budget::Ops(ONE_AT_A_TIME)));
        ab(
            "spawn+await one at a time",
            "tokio",
            || run(Side::Ringio),
            || run(Side::Tokio),
        );
        ab(
            "spawn+await one at a time",
            "glommio",
            || run(Side::Ringio),
            || rate_of(spawn_join_glommio(Budget::Ops(ONE_AT_A_TIME))),
        );
        // glommio's `spawn_local` polls the task inline, before it returns;
        // `spawn_local_into` schedules it, as ringio's `spawn` does.
        ab(
            "spawn+await one at a time",
            "glommio, scheduled",
            || run(Side::Ringio),
            || rate_of(spawn_join_glommio_scheduled(Budget::Ops(ONE_AT_A_TIME))),
        );
    }
    if selected("spawn_batch") {
        let run = |side| rate_of(spawn_batches(side, BATCH, BATCHES));
        ab(
            "spawn 1024 then await all",
            "tokio",
            || run(Side::Ringio),
            || run(Side::Tokio),
        );
    }
}
