//! One test per fixed bug, named after what broke.

mod common;

use common::bounded;
use std::time::Duration;

/// The `block_on` future could miss a wake from another thread that landed
/// between the executor's "anything runnable?" check and its park: the main
/// waker did not bump the inbox's `pending` flag, so the park went ahead and
/// waited forever. A sender thread that never pauses keeps hitting the window.
#[test]
fn main_future_wake_between_idle_check_and_park_is_not_lost() {
    skip_unless_uring!();
    bounded(Duration::from_secs(60), || {
        ringio::run(async {
            use futures::StreamExt;
            let (tx, mut rx) = futures::channel::mpsc::unbounded();
            let sender = std::thread::spawn(move || {
                for i in 0..200_000u32 {
                    tx.unbounded_send(i).unwrap();
                }
            });
            let mut expected = 0;
            while let Some(i) = rx.next().await {
                assert_eq!(i, expected);
                expected += 1;
            }
            assert_eq!(expected, 200_000);
            sender.join().unwrap();
        });
    });
}

/// The same window for a spawned task woken from another thread.
#[test]
fn task_wake_between_idle_check_and_park_is_not_lost() {
    skip_unless_uring!();
    bounded(Duration::from_secs(60), || {
        ringio::run(async {
            ringio::spawn(async {
                use futures::StreamExt;
                let (tx, mut rx) = futures::channel::mpsc::unbounded();
                let sender = std::thread::spawn(move || {
                    for i in 0..200_000u32 {
                        tx.unbounded_send(i).unwrap();
                    }
                });
                let mut received = 0u32;
                while rx.next().await.is_some() {
                    received += 1;
                }
                sender.join().unwrap();
                received
            })
            .await
            .map(|received| assert_eq!(received, 200_000))
            .unwrap();
        });
    });
}

/// Sleeps armed while a CPU hog preempted the runtime's thread fired out of
/// deadline order: each deadline conversion read `Instant` and
/// `CLOCK_MONOTONIC` separately, and a preemption between the two reads made
/// that one timer late (see also `sys::clock` unit tests, which check the
/// conversion deterministically).
#[test]
fn sleeps_armed_under_preemption_keep_deadline_order() {
    skip_unless_uring!();
    bounded(Duration::from_secs(60), || {
        // SAFETY: plain libc calls on a zeroed cpu_set_t.
        let cpu = unsafe { libc::sched_getcpu() } as usize;
        let pin = move || {
            // SAFETY: as above.
            unsafe {
                let mut set: libc::cpu_set_t = std::mem::zeroed();
                libc::CPU_SET(cpu, &mut set);
                libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set);
            }
        };
        pin();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let hog = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                pin();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            })
        };
        let order = ringio::run(async {
            let start = std::time::Instant::now() + Duration::from_millis(300);
            let order = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
            let handles: Vec<_> = (0..3000u32)
                .rev()
                .map(|i| {
                    let order = order.clone();
                    let at = start + Duration::from_micros(20 * u64::from(i));
                    ringio::spawn(async move {
                        ringio::time::sleep_until(at).await;
                        order.borrow_mut().push(i);
                    })
                })
                .collect();
            while ringio::stats().ops_in_flight < 3000 {
                ringio::yield_now().await;
            }
            assert!(std::time::Instant::now() < start, "arming took over 300 ms");
            for h in handles {
                h.await.unwrap();
            }
            std::rc::Rc::try_unwrap(order).unwrap().into_inner()
        });
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        hog.join().unwrap();
        let inversions = order.windows(2).filter(|w| w[0] > w[1]).count();
        assert_eq!(inversions, 0);
    });
}
