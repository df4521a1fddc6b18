//! Workload 5: runtime overhead on one thread: spawn + join, a ping-pong
//! through wakers, and timers armed and fired.

use super::results::{Sample, Workload};
use super::support::tokio_current_thread;
use super::Run;
use std::future::Future;
use std::io;
use std::time::{Duration, Instant};

/// Spawn a task and await it, one at a time, for `d`.
fn spawn_join(ringio_side: bool, d: Duration) -> io::Result<Sample> {
    if ringio_side {
        let rt = ringio::Runtime::new()?;
        Ok(rt.block_on(async {
            let start = Instant::now();
            let mut n = 0u64;
            while start.elapsed() < d {
                for _ in 0..256 {
                    n += ringio::spawn(async { 1u64 }).await.unwrap();
                }
            }
            Sample {
                ops: n,
                elapsed: start.elapsed(),
                ..Sample::default()
            }
        }))
    } else {
        let rt = tokio_current_thread()?;
        Ok(rt.block_on(async {
            let start = Instant::now();
            let mut n = 0u64;
            while start.elapsed() < d {
                for _ in 0..256 {
                    n += tokio::spawn(async { 1u64 }).await.unwrap();
                }
            }
            Sample {
                ops: n,
                elapsed: start.elapsed(),
                ..Sample::default()
            }
        }))
    }
}

fn ping_pong(ringio_side: bool, round_trips: u64) -> io::Result<Sample> {
    let [a, b] = super::pingpong::players(round_trips);
    if ringio_side {
        let rt = ringio::Runtime::new()?;
        Ok(rt.block_on(async {
            timed_async(async {
                let (a, b) = (ringio::spawn(a), ringio::spawn(b));
                a.await.unwrap();
                b.await.unwrap();
                round_trips
            })
            .await
        }))
    } else {
        let rt = tokio_current_thread()?;
        Ok(rt.block_on(async {
            timed_async(async {
                let (a, b) = (tokio::spawn(a), tokio::spawn(b));
                a.await.unwrap();
                b.await.unwrap();
                round_trips
            })
            .await
        }))
    }
}

async fn timed_async(f: impl Future<Output = u64>) -> Sample {
    let start = Instant::now();
    let ops = f.await;
    Sample {
        ops,
        elapsed: start.elapsed(),
        ..Sample::default()
    }
}

/// Long enough that tokio's 1 ms timer granularity is a small error on the
/// time left once the delay is counted out.
const TIMER_DELAY: Duration = Duration::from_millis(50);

/// `n` tasks each sleeping 50 ms, all awaited; the fixed delay is counted
/// out of the time, leaving the cost of arming and firing.
fn timers(ringio_side: bool, n: u64) -> io::Result<Sample> {
    let mut sample = if ringio_side {
        ringio::Runtime::new()?.block_on(timed_async(async move {
            let handles: Vec<_> = (0..n)
                .map(|_| ringio::spawn(ringio::time::sleep(TIMER_DELAY)))
                .collect();
            for h in handles {
                h.await.unwrap();
            }
            n
        }))
    } else {
        tokio_current_thread()?.block_on(timed_async(async move {
            let handles: Vec<_> = (0..n)
                .map(|_| tokio::spawn(tokio::time::sleep(TIMER_DELAY)))
                .collect();
            for h in handles {
                h.await.unwrap();
            }
            n
        }))
    };
    sample.elapsed = sample
        .elapsed
        .saturating_sub(TIMER_DELAY)
        .max(Duration::from_micros(1));
    Ok(sample)
}

/// The three overhead workloads.
pub fn runtime_overhead(run: &mut Run<'_>) -> io::Result<Vec<Workload>> {
    let d = run.config.short_duration;
    let round_trips = run.config.ping_pongs;
    let timers_n = run.config.timers;
    Ok(vec![
        run.ab(
            "runtime",
            "spawn + await, one at a time",
            "tasks/s",
            vec![
                ("ringio", Box::new(move || spawn_join(true, d))),
                (
                    "tokio current-thread",
                    Box::new(move || spawn_join(false, d)),
                ),
            ],
        )?,
        run.ab(
            "runtime",
            "ping-pong through wakers (round trips)",
            "round trips/s",
            vec![
                ("ringio", Box::new(move || ping_pong(true, round_trips))),
                (
                    "tokio current-thread",
                    Box::new(move || ping_pong(false, round_trips)),
                ),
            ],
        )?,
        run.ab(
            "runtime",
            &format!(
                "timers: arm and fire {}k sleeps of 50 ms (delay counted out)",
                timers_n / 1000
            ),
            "timers/s",
            vec![
                ("ringio", Box::new(move || timers(true, timers_n))),
                (
                    "tokio current-thread",
                    Box::new(move || timers(false, timers_n)),
                ),
            ],
        )?,
    ])
}
