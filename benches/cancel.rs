//! What cancelling costs with many operations pending.
//!
//! - `drop`: a runtime dropped with N reads pending on idle sockets (each
//!   task awaits one read); the time of the drop, which cancels them all.
//!   Target: < 100 ms with 40k pending. Baseline: a tokio current-thread
//!   runtime dropped with N tasks awaiting `readable()` on the same sockets.
//! - `single`: N reads pending; each round aborts the oldest reading task
//!   (its read is cancelled in the kernel), starts a new one, and waits
//!   until the cancelled read's completion is reaped. Time per round, which
//!   also holds a spawn and a new read; the cancel alone is the difference
//!   from the 100-pending row. Target: < 10 µs per cancel with 30k pending.
//!
//! Reads are spread round-robin over up to 10,000 socket pairs (the fd
//! limit is raised as far as the hard limit allows).
//!
//! ```text
//! cargo bench --bench cancel
//! ```

mod common;

use std::collections::VecDeque;
use std::os::unix::net::UnixStream as StdUnixStream;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Socket pairs to spread the pending reads over, as the fd limit allows
/// (each side's first socket is duplicated and the copy kept past the
/// runtime's drop: the drop then closes an fd, not a socket, and times the
/// cancelling rather than the kernel's socket teardown).
fn socket_pairs(wanted: usize) -> Vec<(StdUnixStream, StdUnixStream)> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid rlimit struct. Raising the
    // hard limit needs privilege; without it the soft one goes to the hard.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
        let raised = libc::rlimit {
            rlim_cur: 1 << 16,
            rlim_max: limit.rlim_max.max(1 << 16),
        };
        if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) != 0 {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
    }
    let budget = (limit.rlim_cur as usize).saturating_sub(512) / 3;
    (0..wanted.min(budget).clamp(1, 10_000))
        .map(|_| StdUnixStream::pair().unwrap())
        .collect()
}

/// A task that awaits one read on the `i`-th stream, round-robin.
fn read_on(streams: &[Rc<ringio::net::UnixStream>], i: usize) -> ringio::JoinHandle<()> {
    let stream = streams[i % streams.len()].clone();
    ringio::spawn(async move {
        let _ = stream.read(Vec::with_capacity(16)).await;
    })
}

/// Runs `pending` reads on a fresh ringio runtime and times its drop.
fn drop_ringio(pending: usize) -> Duration {
    let (ours, _peers): (Vec<_>, Vec<_>) = socket_pairs(pending).into_iter().unzip();
    let _kept: Vec<_> = ours.iter().map(|a| a.try_clone().unwrap()).collect();
    let rt = ringio::Runtime::new().unwrap();
    rt.block_on(async {
        let streams: Vec<Rc<ringio::net::UnixStream>> = ours
            .into_iter()
            .map(|a| Rc::new(ringio::net::UnixStream::from_std(a)))
            .collect();
        for i in 0..pending {
            drop(read_on(&streams, i));
        }
        while ringio::stats().ops_in_flight < pending as u64 {
            ringio::yield_now().await;
        }
    });
    let start = Instant::now();
    drop(rt);
    start.elapsed()
}

fn drop_tokio(pending: usize) -> Duration {
    let (ours, _peers): (Vec<_>, Vec<_>) = socket_pairs(pending).into_iter().unzip();
    let _kept: Vec<_> = ours.iter().map(|a| a.try_clone().unwrap()).collect();
    let rt = common::tokio_rt();
    let local = tokio::task::LocalSet::new();
    rt.block_on(async {
        let streams: Vec<Rc<tokio::net::UnixStream>> = ours
            .into_iter()
            .map(|a| {
                a.set_nonblocking(true).unwrap();
                Rc::new(tokio::net::UnixStream::from_std(a).unwrap())
            })
            .collect();
        for i in 0..pending {
            let stream = streams[i % streams.len()].clone();
            local.spawn_local(async move {
                let _ = stream.readable().await;
            });
        }
        // Every task runs once and registers its interest.
        local
            .run_until(async {
                for _ in 0..4 {
                    tokio::task::yield_now().await;
                }
            })
            .await;
    });
    // The tasks die with the runtime, as ringio's do.
    let start = Instant::now();
    drop(local);
    drop(rt);
    start.elapsed()
}

/// Per round: abort the oldest of `pending` reading tasks, start a new one,
/// and wait until the cancelled read's completion is reaped.
fn single_cancel_ringio(pending: usize, rounds: usize) -> Duration {
    let (ours, _peers): (Vec<_>, Vec<_>) = socket_pairs(pending).into_iter().unzip();
    let _kept: Vec<_> = ours.iter().map(|a| a.try_clone().unwrap()).collect();
    let rt = ringio::Runtime::new().unwrap();
    rt.block_on(async {
        let streams: Vec<Rc<ringio::net::UnixStream>> = ours
            .into_iter()
            .map(|a| Rc::new(ringio::net::UnixStream::from_std(a)))
            .collect();
        let mut tasks: VecDeque<_> = (0..pending).map(|i| read_on(&streams, i)).collect();
        while ringio::stats().ops_in_flight < pending as u64 {
            ringio::yield_now().await;
        }
        let start = Instant::now();
        for round in 0..rounds {
            let reaped = ringio::stats().cqes_reaped;
            tasks.pop_front().unwrap().abort();
            tasks.push_back(read_on(&streams, pending + round));
            // The abort drops the task's future at the next tick; its read's
            // cancel goes out with that tick's submit.
            while ringio::stats().cqes_reaped == reaped {
                ringio::yield_now().await;
            }
        }
        let elapsed = start.elapsed();
        for task in tasks {
            task.abort();
        }
        elapsed / rounds as u32
    })
}

fn micros(d: Duration) -> String {
    format!("{:.2} µs", d.as_secs_f64() * 1e6)
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    common::pin_to_core(0);
    let rounds = common::rounds();
    if common::selected("drop") {
        println!("\n### Runtime drop with N reads pending (median of {rounds} rounds)\n");
        println!("| pending | ringio | tokio | target |");
        println!("|---|---|---|---|");
        for pending in [10_000, 20_000, 40_000] {
            // The shared order: one warm-up each, then A B, B A, ...
            let settled = |d: Duration| {
                common::settle();
                d
            };
            let (a, b) = ringio_bench::paired_rounds(
                rounds,
                true,
                || settled(drop_ringio(pending)),
                || settled(drop_tokio(pending)),
            )
            .into_iter()
            .unzip();
            let target = if pending == 40_000 { "< 100 ms" } else { "" };
            println!(
                "| {pending} | {} | {} | {target} |",
                millis(median(a)),
                millis(median(b))
            );
        }
    }
    if common::selected("single") {
        println!(
            "\n### Cancel the oldest of N pending reads, start a new one, reap \
             (per round, median of {rounds} rounds of 2,000)\n"
        );
        println!("| pending | per round | minus the 100-pending round | target |");
        println!("|---|---|---|---|");
        let mut base = None;
        for pending in [100, 2_000, 30_000] {
            let per_round = median(
                (0..rounds)
                    .map(|_| single_cancel_ringio(pending, 2_000))
                    .collect(),
            );
            let base = *base.get_or_insert(per_round);
            let target = if pending == 30_000 { "< 10 µs" } else { "" };
            println!(
                "| {pending} | {} | {} | {target} |",
                micros(per_round),
                micros(per_round.saturating_sub(base))
            );
        }
    }
}
