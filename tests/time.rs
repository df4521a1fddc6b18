//! Timers: sleep, sleep_until, timeout, interval.

mod common;

use common::run_bounded;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn ten_thousand_sleeps_fire_in_deadline_order_and_on_time() {
    skip_unless_uring!();
    let (fired, deadlines) = run_bounded(LIMIT, || {
        // Pinned, as a thread-per-core server is (this also kept the order
        // when sleeps were kernel timers, each on its arming CPU's base).
        pin_to_current_cpu();
        async {
            let start = Instant::now() + Duration::from_millis(500);
            let fired = Rc::new(RefCell::new(Vec::with_capacity(10_000)));
            // Spawn in a shuffled order so that submission order is not deadline order.
            let mut order: Vec<u32> = (0..10_000).collect();
            let mut seed = 0x2545_f491_u32;
            for i in (1..order.len()).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                order.swap(i, seed as usize % (i + 1));
            }
            let deadlines: Vec<Instant> = (0..10_000)
                .map(|i| start + Duration::from_micros(20 * i as u64))
                .collect();
            let handles: Vec<_> = order
                .iter()
                .map(|&i| {
                    let fired = fired.clone();
                    let deadline = deadlines[i as usize];
                    ringio::spawn(async move {
                        ringio::time::sleep_until(deadline).await;
                        fired.borrow_mut().push((i, Instant::now()));
                    })
                })
                .collect();
            // Every timer must be armed before the first deadline, or a late first
            // poll (not the ring) would decide the order.
            while ringio::stats().timers_armed < 10_000 {
                ringio::yield_now().await;
            }
            assert!(Instant::now() < start, "arming 10k timers took over 500 ms");
            for h in handles {
                h.await.unwrap();
            }
            let fired = Rc::try_unwrap(fired).unwrap().into_inner();
            (fired, deadlines)
        }
    });
    assert_eq!(fired.len(), 10_000);
    let mut max_late = Duration::ZERO;
    for &(i, at) in &fired {
        let deadline = deadlines[i as usize];
        assert!(at >= deadline, "sleep {i} fired before its deadline");
        max_late = max_late.max(at - deadline);
    }
    assert!(
        max_late < Duration::from_millis(500),
        "a sleep fired {max_late:?} late"
    );
    let order: Vec<u32> = fired.iter().map(|&(i, _)| i).collect();
    let inversions = order.windows(2).filter(|w| w[0] > w[1]).count();
    // Shuffled schedules wake a tick's timers in a random order.
    if !common::shuffled() {
        assert_eq!(inversions, 0, "sleeps completed out of deadline order");
    }
}

fn pin_to_current_cpu() {
    // SAFETY: plain libc calls on a zeroed, properly sized cpu_set_t.
    unsafe {
        let cpu = libc::sched_getcpu();
        assert!(cpu >= 0);
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu as usize, &mut set);
        assert_eq!(
            libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set),
            0
        );
    }
}

#[test]
fn sleep_until_never_returns_early() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        for i in 0..200u64 {
            let deadline = Instant::now() + Duration::from_micros(i * 37 % 1000);
            ringio::time::sleep_until(deadline).await;
            assert!(Instant::now() >= deadline, "iteration {i} woke early");
        }
    });
}

#[test]
fn sleep_in_the_past_is_ready_at_once() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let before = ringio::stats();
        ringio::time::sleep_until(Instant::now() - Duration::from_millis(1)).await;
        ringio::time::sleep(Duration::ZERO).await;
        let after = ringio::stats();
        assert_eq!(after.ops_in_flight, before.ops_in_flight);
        assert_eq!(after.timers_armed, 0, "a due sleep queues no timer");
        assert_eq!(after.enters, before.enters, "nor waits for the ring");
    });
}

#[test]
fn timeout_completes_when_the_future_is_faster() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let out = ringio::time::timeout(Duration::from_secs(10), async {
            ringio::time::sleep(Duration::from_millis(1)).await;
            "fast"
        })
        .await;
        assert_eq!(out, Ok("fast"));
        let stats = ringio::stats();
        assert_eq!(stats.timers_armed, 0, "the timeout's timer was removed");
        assert_eq!(stats.ops_in_flight, 0);
    });
}

#[test]
fn timeout_elapses_when_the_future_is_slower() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let start = Instant::now();
        let out = ringio::time::timeout(
            Duration::from_millis(10),
            ringio::time::sleep(Duration::from_secs(3600)),
        )
        .await;
        let err = out.unwrap_err();
        assert_eq!(err.to_string(), "deadline has elapsed");
        assert!(start.elapsed() >= Duration::from_millis(10));
        let io: std::io::Error = err.into();
        assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
    });
}

#[test]
fn timeout_accepts_a_borrowing_unpin_less_future() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let mut local = 1;
        let borrowed = &mut local;
        let fut = async move {
            std::future::ready(()).await;
            *borrowed += 1;
            *borrowed
        };
        assert_eq!(
            ringio::time::timeout(Duration::from_secs(1), fut).await,
            Ok(2)
        );
    });
}

#[test]
fn interval_ticks_at_the_period() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let period = Duration::from_millis(5);
        let mut interval = ringio::time::interval(period);
        let first = interval.tick().await;
        let mut last = first;
        for n in 1..=4u32 {
            let tick = interval.tick().await;
            assert_eq!(
                tick,
                first + period * n,
                "ticks are scheduled, not drifting"
            );
            assert!(Instant::now() >= tick);
            last = tick;
        }
        assert_eq!(interval.period(), period);
        assert!(last - first == period * 4);
    });
}

#[test]
#[should_panic(expected = "interval period must be non-zero")]
fn zero_interval_panics() {
    let _ = ringio::time::interval(Duration::ZERO);
}

#[test]
fn sleep_reset_moves_the_deadline() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let mut sleep = Box::pin(ringio::time::sleep(Duration::from_secs(3600)));
        // Arm it, then move it close.
        assert!(futures::poll!(sleep.as_mut()).is_pending());
        let deadline = Instant::now() + Duration::from_millis(2);
        sleep.reset(deadline);
        sleep.await;
        assert!(Instant::now() >= deadline);
    });
}

#[test]
fn sleeps_fire_while_other_tasks_keep_the_runtime_busy() {
    skip_unless_uring!();
    // A task that never stops yielding keeps every tick busy: the runtime
    // never parks, so the due timers must fire without a parked wait.
    run_bounded(LIMIT, || async {
        let done = Rc::new(std::cell::Cell::new(false));
        let spinner = ringio::spawn({
            let done = done.clone();
            async move {
                let mut spins = 0u64;
                while !done.get() {
                    ringio::yield_now().await;
                    spins += 1;
                }
                spins
            }
        });
        let start = Instant::now();
        ringio::time::sleep(Duration::from_millis(20)).await;
        assert!(start.elapsed() >= Duration::from_millis(20));
        done.set(true);
        assert!(spinner.await.unwrap() > 0, "the spinner ran meanwhile");
    });
}

#[test]
fn sleeps_polled_through_their_own_wakers_fire() {
    skip_unless_uring!();
    // `FuturesUnordered` polls each sleep with a waker of its own, not the
    // task's: the timer queue keeps a clone of that waker.
    run_bounded(LIMIT, || async {
        use futures::stream::{FuturesUnordered, StreamExt};
        let start = Instant::now();
        let mut sleeps: FuturesUnordered<_> = (1..=20u64)
            .rev()
            .map(|ms| async move {
                ringio::time::sleep(Duration::from_millis(ms)).await;
                ms
            })
            .collect();
        // (No order check: on a slow machine some deadlines pass before
        // the first poll, and `FuturesUnordered` then yields in poll order.)
        let mut done = Vec::new();
        while let Some(ms) = sleeps.next().await {
            assert!(
                start.elapsed() >= Duration::from_millis(ms),
                "{ms} ms woke early"
            );
            done.push(ms);
        }
        done.sort_unstable();
        assert_eq!(done, (1..=20).collect::<Vec<_>>());
        assert_eq!(ringio::stats().timers_armed, 0);
    });
}

#[test]
fn a_sleep_that_outlives_its_runtime_rearms_on_the_next() {
    skip_unless_uring!();
    common::bounded(LIMIT, || {
        let first = ringio::Runtime::new().unwrap();
        let mut sleep = Box::pin(ringio::time::sleep(Duration::from_millis(30)));
        // Armed on the first runtime, which is then dropped with it queued.
        first.block_on(async {
            let pending = futures::poll!(sleep.as_mut());
            assert!(pending.is_pending());
            assert_eq!(ringio::stats().timers_armed, 1);
        });
        drop(first);
        let second = ringio::Runtime::new().unwrap();
        second.block_on(async {
            sleep.as_mut().await;
            assert_eq!(ringio::stats().timers_armed, 0);
        });
        assert!(sleep.is_elapsed());
    });
}

#[test]
fn timeouts_that_never_fire_leave_nothing_queued() {
    skip_unless_uring!();
    // The server pattern: a long timeout around every operation, almost
    // never reached. Each one's timer must leave the queue with it.
    run_bounded(LIMIT, || async {
        let before = ringio::stats();
        for _ in 0..10_000 {
            let out = ringio::time::timeout(Duration::from_secs(30), ringio::nop()).await;
            assert!(matches!(out, Ok(Ok(()))));
        }
        let after = ringio::stats();
        assert_eq!(after.timers_armed, 0);
        assert_eq!(after.ops_in_flight, 0);
        // One NOP per timeout and nothing else: the timers cost no SQEs.
        assert!(
            after.sqes_submitted - before.sqes_submitted <= 10_000 + 10,
            "{} SQEs for 10,000 timed NOPs",
            after.sqes_submitted - before.sqes_submitted
        );
    });
}

#[test]
fn busy_ticks_with_timers_queued_do_not_enter_the_kernel() {
    skip_unless_uring!();
    // Tasks that only yield keep every tick busy; a queued far-off timer
    // must not turn those ticks into `io_uring_enter` calls.
    run_bounded(LIMIT, || async {
        let sleeper = ringio::spawn(ringio::time::sleep(Duration::from_secs(3600)));
        ringio::yield_now().await;
        assert_eq!(ringio::stats().timers_armed, 1);
        let before = ringio::stats();
        for _ in 0..1000 {
            ringio::yield_now().await;
        }
        let after = ringio::stats();
        assert_eq!(
            after.enters, before.enters,
            "yield-only ticks entered the kernel"
        );
        sleeper.abort();
        assert!(sleeper.await.unwrap_err().is_cancelled());
        assert_eq!(ringio::stats().timers_armed, 0);
    });
}
