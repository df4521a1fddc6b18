//! Wake costs: two tasks ping-ponging through wakers, and two tasks yielding.
//! ringio vs tokio current-thread. `cargo bench --bench wake_pingpong`

mod common;

use common::{ab, header, rate_of, selected};
use ringio_bench::workloads::overhead::{ping_pong, yielders};
use ringio_bench::workloads::Side;

const ROUND_TRIPS: u64 = 1_000_000;
const YIELDS: u64 = 2_000_000;

fn main() {
    common::pin_to_core(0);
    header("wakes");
    if selected("ping_pong") {
        let run = |side| rate_of(ping_pong(side, ROUND_TRIPS));
        ab(
            "ping-pong through a waker (round trips)",
            "tokio",
            || run(Side::Ringio),
            || run(Side::Tokio),
        );
    }
    if selected("yield") {
        let run = |side| rate_of(yielders(side, YIELDS));
        ab(
            "two tasks yielding (yields)",
            "tokio",
            || run(Side::Ringio),
            || run(Side::Tokio),
        );
    }
}
