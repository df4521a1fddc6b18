//! The executor: spawn, join, abort, panics, detach, wakes, fairness.

mod common;

use common::{bounded, run_bounded};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn run_returns_the_output() {
    skip_unless_uring!();
    assert_eq!(run_bounded(LIMIT, || async { 40 + 2 }), 42);
}

#[test]
fn spawn_and_join_100k_tasks() {
    skip_unless_uring!();
    let sum = run_bounded(LIMIT, || async {
        let handles: Vec<_> = (0..100_000u64)
            .map(|i| ringio::spawn(async move { i }))
            .collect();
        let mut sum = 0;
        for handle in handles {
            sum += handle.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, (0..100_000u64).sum());
}

#[test]
fn abort_a_sleeping_task() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let dropped = Rc::new(Cell::new(false));
        struct SetOnDrop(Rc<Cell<bool>>);
        impl Drop for SetOnDrop {
            fn drop(&mut self) {
                self.0.set(true);
            }
        }
        let guard = SetOnDrop(dropped.clone());
        let handle = ringio::spawn(async move {
            let _guard = guard;
            ringio::time::sleep(Duration::from_secs(3600)).await;
        });
        ringio::yield_now().await; // let it start sleeping
        assert!(!handle.is_finished());
        handle.abort();
        let err = handle.await.unwrap_err();
        assert!(err.is_cancelled(), "{err}");
        ringio::yield_now().await;
        assert!(dropped.get(), "the aborted task's future was dropped");
        assert_eq!(ringio::stats().timers_armed, 0, "its timer was removed");
    });
}

#[test]
fn abort_after_completion_keeps_the_output() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let handle = ringio::spawn(async { 5 });
        ringio::yield_now().await;
        assert!(handle.is_finished());
        handle.abort();
        assert_eq!(handle.await.unwrap(), 5);
    });
}

#[test]
fn panic_in_a_task_is_caught_and_others_go_on() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let bad = ringio::spawn(async { panic!("task exploded") });
        let good = ringio::spawn(async {
            ringio::yield_now().await;
            7
        });
        let err = bad.await.unwrap_err();
        assert!(err.is_panic());
        assert_eq!(err.to_string(), "task panicked: task exploded");
        assert_eq!(
            *err.into_panic().downcast::<&str>().unwrap(),
            "task exploded"
        );
        assert_eq!(good.await.unwrap(), 7);
    });
}

#[test]
fn panic_in_block_on_propagates() {
    skip_unless_uring!();
    let result = std::panic::catch_unwind(|| ringio::run(async { panic!("main exploded") }));
    let payload = result.unwrap_err();
    assert_eq!(*payload.downcast::<&str>().unwrap(), "main exploded");
}

#[test]
fn dropped_handle_detaches_the_task() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let (tx, rx) = futures::channel::oneshot::channel();
        drop(ringio::spawn(async move {
            ringio::time::sleep(Duration::from_millis(2)).await;
            tx.send(99).unwrap();
        }));
        assert_eq!(rx.await.unwrap(), 99);
    });
}

#[test]
fn nested_spawn() {
    skip_unless_uring!();
    let out = run_bounded(LIMIT, || async {
        ringio::spawn(async {
            ringio::spawn(async { ringio::spawn(async { 3 }).await.unwrap() * 2 })
                .await
                .unwrap()
                + 1
        })
        .await
        .unwrap()
    });
    assert_eq!(out, 7);
}

#[test]
fn cross_thread_wake_from_a_std_thread() {
    skip_unless_uring!();
    let elapsed = run_bounded(LIMIT, || async {
        let start = Instant::now();
        let done = Arc::new(AtomicBool::new(false));
        let waker_slot: Arc<std::sync::Mutex<Option<std::task::Waker>>> = Default::default();
        let thread = {
            let done = done.clone();
            let waker_slot = waker_slot.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                done.store(true, Ordering::SeqCst);
                if let Some(w) = waker_slot.lock().unwrap().take() {
                    w.wake();
                }
            })
        };
        let task = ringio::spawn(std::future::poll_fn(move |cx| {
            *waker_slot.lock().unwrap() = Some(cx.waker().clone());
            if done.load(Ordering::SeqCst) {
                std::task::Poll::Ready(())
            } else {
                std::task::Poll::Pending
            }
        }));
        task.await.unwrap();
        thread.join().unwrap();
        start.elapsed()
    });
    assert!(elapsed >= Duration::from_millis(50));
}

#[test]
fn a_waker_lent_to_another_thread_during_a_poll_wakes_the_task() {
    skip_unless_uring!();
    // Until a task clones its waker it is polled with a borrowed one; that
    // one may be used by reference, or cloned, from other threads while the
    // poll lasts (here: scoped threads).
    let polls = run_bounded(LIMIT, || async {
        let by_ref = ringio::spawn(async {
            let mut polls = 0;
            std::future::poll_fn(|cx| {
                polls += 1;
                if polls == 1 {
                    let waker = cx.waker();
                    std::thread::scope(|s| {
                        s.spawn(|| waker.wake_by_ref());
                    });
                    std::task::Poll::Pending
                } else {
                    std::task::Poll::Ready(polls)
                }
            })
            .await
        });
        let cloned = ringio::spawn(async {
            let mut polls = 0;
            let mut waker_thread = None;
            let polls = std::future::poll_fn(|cx| {
                polls += 1;
                if polls == 1 {
                    let waker = cx.waker();
                    let owned = std::thread::scope(|s| s.spawn(|| waker.clone()).join()).unwrap();
                    waker_thread = Some(std::thread::spawn(move || owned.wake()));
                    std::task::Poll::Pending
                } else {
                    std::task::Poll::Ready(polls)
                }
            })
            .await;
            waker_thread.unwrap().join().unwrap();
            polls
        });
        (by_ref.await.unwrap(), cloned.await.unwrap())
    });
    assert_eq!(polls, (2, 2));
}

#[test]
fn main_future_woken_from_another_thread() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let out = ringio::spawn_blocking(|| {
            std::thread::sleep(Duration::from_millis(20));
            "from the pool"
        })
        .await
        .unwrap();
        assert_eq!(out, "from the pool");
    });
}

#[test]
fn spawn_blocking_panic_is_reported() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let err = ringio::spawn_blocking(|| panic!("blocking boom"))
            .await
            .unwrap_err();
        assert!(err.is_panic());
    });
}

#[test]
fn yield_now_interleaves_tasks_fairly() {
    skip_unless_uring!();
    let log = run_bounded(LIMIT, || async {
        let log = Rc::new(RefCell::new(Vec::new()));
        let tasks: Vec<_> = (0..2)
            .map(|id| {
                let log = log.clone();
                ringio::spawn(async move {
                    for _ in 0..3 {
                        log.borrow_mut().push(id);
                        ringio::yield_now().await;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        Rc::try_unwrap(log).unwrap().into_inner()
    });
    if common::shuffled() {
        // A random order: each task still ran its three turns.
        let mut sorted = log.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, vec![0, 0, 0, 1, 1, 1]);
    } else {
        assert_eq!(log, vec![0, 1, 0, 1, 0, 1]);
    }
}

#[test]
fn a_busy_task_does_not_starve_the_ring() {
    skip_unless_uring!();
    // One task yields forever; a timer must still fire.
    run_bounded(LIMIT, || async {
        let stop = Rc::new(Cell::new(false));
        let spinner = {
            let stop = stop.clone();
            ringio::spawn(async move {
                while !stop.get() {
                    ringio::yield_now().await;
                }
            })
        };
        ringio::time::sleep(Duration::from_millis(5)).await;
        stop.set(true);
        spinner.await.unwrap();
    });
}

#[test]
fn block_on_returns_while_tasks_are_pending_and_drops_them() {
    skip_unless_uring!();
    bounded(LIMIT, || {
        let dropped = Arc::new(AtomicUsize::new(0));
        struct Count(Arc<AtomicUsize>);
        impl Drop for Count {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let rt = ringio::Runtime::new().unwrap();
        let count = dropped.clone();
        rt.block_on(async move {
            for _ in 0..10 {
                let c = Count(count.clone());
                drop(ringio::spawn(async move {
                    let _c = c;
                    ringio::time::sleep(Duration::from_secs(3600)).await;
                }));
            }
            ringio::yield_now().await;
        });
        assert_eq!(dropped.load(Ordering::SeqCst), 0);
        drop(rt);
        assert_eq!(dropped.load(Ordering::SeqCst), 10);
    });
}

#[test]
#[should_panic(expected = "cannot start a ringio runtime from within a runtime")]
fn nested_run_panics_with_a_clear_message() {
    ringio::run(async {
        ringio::run(async {});
    });
}

#[test]
#[should_panic(expected = "there is no ringio runtime on this thread")]
fn spawn_outside_a_runtime_panics() {
    drop(ringio::spawn(async {}));
}

#[test]
fn runtime_is_reusable_across_block_on_calls() {
    skip_unless_uring!();
    bounded(LIMIT, || {
        let rt = ringio::Builder::new().entries(8).build().unwrap();
        #[allow(clippy::async_yields_async)] // the handle is awaited by the next block_on
        let handle = rt.block_on(async { ringio::spawn(async { 1 }) });
        assert_eq!(rt.block_on(handle).unwrap(), 1);
    });
}

#[test]
fn wakers_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>(_: &T) {}
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let waker = ringio::spawn(std::future::poll_fn(|cx| {
            std::task::Poll::Ready(cx.waker().clone())
        }))
        .await
        .unwrap();
        assert_send_sync(&waker);
        // Waking a finished task's waker from another thread is harmless.
        std::thread::spawn(move || waker.wake()).join().unwrap();
        ringio::yield_now().await;
    });
    fn assert_send_sync_type<T: Send + Sync>() {}
    assert_send_sync_type::<ringio::JoinError>();
    assert_send_sync_type::<ringio::time::Elapsed>();
}

#[test]
fn runtime_debug_names_the_ring_setup() {
    skip_unless_uring!();
    let rt = ringio::Runtime::new().unwrap();
    let text = format!("{rt:?}");
    assert!(
        ["DeferTaskrun", "CoopTaskrun", "SqPoll", "Plain", "Epoll"]
            .iter()
            .any(|mode| text.contains(mode)),
        "{text}"
    );
}

/// Counts drops of the values it is cloned into.
#[derive(Clone)]
struct DropCount(Rc<Cell<usize>>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn reused_task_cells_keep_outputs_apart_across_future_types() {
    skip_unless_uring!();
    // Joined tasks' cells are re-armed for the next task of the same type;
    // interleaving two types and several rounds must never mix outputs.
    run_bounded(LIMIT, || async {
        for round in 0..5u64 {
            let numbers: Vec<_> = (0..300u64)
                .map(|i| ringio::spawn(async move { round * 1000 + i }))
                .collect();
            let words: Vec<_> = (0..300u64)
                .map(|i| ringio::spawn(async move { format!("{round}:{i}") }))
                .collect();
            for (i, handle) in numbers.into_iter().enumerate() {
                assert_eq!(handle.await.unwrap(), round * 1000 + i as u64);
            }
            for (i, handle) in words.into_iter().enumerate() {
                assert_eq!(handle.await.unwrap(), format!("{round}:{i}"));
            }
        }
    });
}

#[test]
fn reused_task_cells_drop_every_future_and_output_once() {
    skip_unless_uring!();
    let (futures_dropped, outputs_dropped) = run_bounded(LIMIT, || async {
        let f = Rc::new(Cell::new(0));
        let o = Rc::new(Cell::new(0));
        for _ in 0..4 {
            // One task type, finishing three ways: output, panic, abort.
            let handles: Vec<_> = (0..100usize)
                .map(|i| {
                    let guard = DropCount(f.clone());
                    let output = DropCount(o.clone());
                    ringio::spawn(async move {
                        let _guard = guard;
                        if i % 10 == 1 {
                            panic!("task {i} fails");
                        }
                        if i % 10 == 2 {
                            std::future::pending::<()>().await;
                        }
                        output
                    })
                })
                .collect();
            ringio::yield_now().await;
            for (i, handle) in handles.into_iter().enumerate() {
                if i % 10 == 2 {
                    handle.abort();
                }
                match handle.await {
                    Ok(output) => drop(output),
                    Err(e) => assert!(e.is_panic() || e.is_cancelled()),
                }
            }
        }
        (f.get(), o.get())
    });
    // Every future was dropped once (finished, panicked or aborted) and
    // every output value too: those of unwound or aborted tasks with their
    // futures, the rest when the test dropped them.
    assert_eq!(futures_dropped, 400);
    assert_eq!(outputs_dropped, 400);
}
