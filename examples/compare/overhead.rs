//! Workload 5: runtime overhead on one thread pinned to the first core this
//! process may use (each side the same): spawn + join, a ping-pong
//! through wakers, and timers armed and fired (the workloads are
//! `ringio_bench::workloads::overhead`'s).

use super::fairness::on;
use super::results::{Sample, Workload};
use super::Run;
use ringio_bench::workloads::overhead::{ping_pong, spawn_join, timers};
use ringio_bench::workloads::{Budget, Side, Tally};
use ringio_bench::{allowed_cores, on_core};
use std::io;
use std::time::Duration;

/// Long enough that tokio's 1 ms timer granularity is a small error on the
/// time left once the delay is counted out.
const TIMER_DELAY: Duration = Duration::from_millis(50);

fn sample(tally: io::Result<Tally>) -> io::Result<Sample> {
    tally.map(Sample::from_tally)
}

/// The three overhead workloads.
pub fn runtime_overhead(run: &mut Run<'_>) -> io::Result<Vec<Workload>> {
    let d = Budget::Time(run.config.short_duration);
    let round_trips = run.config.ping_pongs;
    let timers_n = run.config.timers;
    let core = allowed_cores().first().copied();
    let spawns = move |side| move || on_core(core, || sample(spawn_join(side, d)));
    let passes = move |side| move || on_core(core, || sample(ping_pong(side, round_trips)));
    let sleeps = move |side| {
        move || {
            on_core(core, || {
                sample(timers(side, timers_n, TIMER_DELAY, false).map(|t| t.tally))
            })
        }
    };
    let one = on("1 thread", core);
    let sides = [one.clone(), one];
    Ok(vec![
        run.ab(
            "runtime",
            "spawn + await, one at a time",
            "tasks/s",
            vec![
                ("ringio", Box::new(spawns(Side::Ringio))),
                ("tokio current-thread", Box::new(spawns(Side::Tokio))),
            ],
            (&sides, None),
        )?,
        run.ab(
            "runtime",
            "ping-pong through wakers (round trips)",
            "round trips/s",
            vec![
                ("ringio", Box::new(passes(Side::Ringio))),
                ("tokio current-thread", Box::new(passes(Side::Tokio))),
            ],
            (&sides, None),
        )?,
        run.ab(
            "runtime",
            &format!(
                "timers: arm and fire {}k sleeps of 50 ms (delay counted out)",
                timers_n / 1000
            ),
            "timers/s",
            vec![
                ("ringio", Box::new(sleeps(Side::Ringio))),
                ("tokio current-thread", Box::new(sleeps(Side::Tokio))),
            ],
            (&sides, None),
        )?,
    ])
}
