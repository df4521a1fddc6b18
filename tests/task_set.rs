//! `ringio::task`: JoinSet, AbortHandle, and stopping a Pool from outside.

mod common;

use common::{bounded, run_bounded};
use ringio::task::JoinSet;
use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

/// Counts the drops of the futures it is attached to.
struct DropCount(Rc<Cell<u32>>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn join_next_yields_results_in_the_order_tasks_finish() {
    skip_unless_uring!();
    let (order, finished) = run_bounded(LIMIT, || async {
        let mut set = JoinSet::new();
        let finished = Rc::new(std::cell::RefCell::new(Vec::new()));
        // Task i finishes after 3 - i yields: the last spawned first (in
        // FIFO order; shuffled schedules finish them in another).
        for i in 0..4u32 {
            let finished = finished.clone();
            set.spawn(async move {
                for _ in 0..(3 - i) * 2 {
                    ringio::yield_now().await;
                }
                finished.borrow_mut().push(i);
                i
            });
        }
        assert_eq!(set.len(), 4);
        let mut order = Vec::new();
        while let Some(done) = set.join_next().await {
            order.push(done.unwrap());
        }
        assert!(set.is_empty());
        let finished = finished.borrow().clone();
        (order, finished)
    });
    assert_eq!(order, finished, "results in the order the tasks finished");
    if !common::shuffled() {
        assert_eq!(order, [3, 2, 1, 0]);
    }
}

#[test]
fn abort_all_cancels_every_pending_task_and_keeps_finished_outputs() {
    skip_unless_uring!();
    let (cancelled, finished, dropped) = run_bounded(LIMIT, || async {
        let drops = Rc::new(Cell::new(0));
        let mut set = JoinSet::new();
        set.spawn(async { 1u32 });
        for _ in 0..10 {
            let guard = DropCount(drops.clone());
            set.spawn(async move {
                let _guard = guard;
                std::future::pending::<u32>().await
            });
        }
        ringio::yield_now().await; // the first task completes
        set.abort_all();
        let (mut cancelled, mut finished) = (0, 0);
        while let Some(result) = set.join_next().await {
            match result {
                Ok(v) => finished += v,
                Err(e) => cancelled += e.is_cancelled() as u32,
            }
        }
        (cancelled, finished, drops.get())
    });
    assert_eq!((cancelled, finished, dropped), (10, 1, 10));
}

#[test]
fn dropping_a_join_set_aborts_its_tasks() {
    skip_unless_uring!();
    let dropped = run_bounded(LIMIT, || async {
        let drops = Rc::new(Cell::new(0));
        let mut set = JoinSet::new();
        for _ in 0..5 {
            let guard = DropCount(drops.clone());
            set.spawn(async move {
                let _guard = guard;
                ringio::time::sleep(Duration::from_secs(3600)).await;
            });
        }
        ringio::yield_now().await;
        drop(set);
        // Aborted tasks are dropped when the executor next reaches them.
        for _ in 0..10 {
            ringio::yield_now().await;
        }
        drops.get()
    });
    assert_eq!(dropped, 5);
}

#[test]
fn shutdown_empties_the_set_and_detach_all_keeps_tasks_running() {
    skip_unless_uring!();
    let ran = run_bounded(LIMIT, || async {
        let mut set = JoinSet::new();
        set.spawn(std::future::pending::<()>());
        set.shutdown().await;
        assert!(set.is_empty());
        let ran = Rc::new(Cell::new(false));
        let flag = ran.clone();
        set.spawn(async move {
            ringio::yield_now().await;
            flag.set(true);
        });
        set.detach_all();
        for _ in 0..4 {
            ringio::yield_now().await;
        }
        ran.get()
    });
    assert!(ran, "a detached task was stopped");
}

#[test]
fn a_panicking_member_is_reported_and_the_rest_go_on() {
    skip_unless_uring!();
    let (panics, sum) = run_bounded(LIMIT, || async {
        let mut set = JoinSet::new();
        set.spawn(async { panic!("member failed") });
        for i in 1..=3u32 {
            set.spawn(async move { i });
        }
        let (mut panics, mut sum) = (0, 0);
        while let Some(result) = set.join_next().await {
            match result {
                Ok(v) => sum += v,
                Err(e) => {
                    assert_eq!(e.to_string(), "task panicked: member failed");
                    panics += 1;
                }
            }
        }
        (panics, sum)
    });
    assert_eq!((panics, sum), (1, 6));
}

#[test]
fn an_abort_handle_stops_a_task_another_handle_awaits() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let handle = ringio::spawn(std::future::pending::<()>());
        let abort = handle.abort_handle();
        let waiter = ringio::spawn(handle);
        ringio::yield_now().await;
        assert!(!abort.is_finished());
        abort.abort();
        let joined = waiter.await.unwrap();
        assert!(joined.unwrap_err().is_cancelled());
        assert!(abort.is_finished());
        // Aborting again, or a finished task, is a no-op.
        abort.abort();
        let done = ringio::spawn(async { 9 });
        let late = done.abort_handle();
        ringio::yield_now().await;
        late.abort();
        assert_eq!(done.await.unwrap(), 9);
    });
}

#[test]
fn an_abort_handle_of_a_blocking_job_cancels_it_before_it_starts() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        // A job aborted at once may have started on the pool already: it
        // then runs to completion, else it reports cancellation.
        let handle = ringio::spawn_blocking(|| 5);
        let abort = handle.abort_handle();
        abort.abort();
        match handle.await {
            Ok(v) => assert_eq!(v, 5),
            Err(e) => assert!(e.is_cancelled()),
        }
        assert!(abort.is_finished());
        let joined = ringio::spawn_blocking(|| 6);
        let abort = joined.abort_handle();
        assert_eq!(joined.await.unwrap(), 6);
        assert!(abort.is_finished(), "the handle is gone: nothing to abort");
    });
}

#[test]
fn a_pool_stops_from_another_thread_through_its_shutdown_handle() {
    skip_unless_uring!();
    let builder = ringio::Pool::new(2);
    let stop = builder.shutdown_handle();
    let started = Arc::new(AtomicUsize::new(0));
    let result = bounded(LIMIT, {
        let started = started.clone();
        move || {
            let stopper = std::thread::spawn({
                let started = started.clone();
                move || {
                    while started.load(Ordering::SeqCst) < 2 {
                        std::thread::yield_now();
                    }
                    stop.shutdown();
                    stop.is_shutdown()
                }
            });
            let result = builder.run(move |_| {
                let started = started.clone();
                async move {
                    // A task that would keep the runtime alive forever.
                    drop(ringio::spawn(std::future::pending::<()>()));
                    started.fetch_add(1, Ordering::SeqCst);
                    std::future::pending::<u32>().await
                }
            });
            assert!(stopper.join().unwrap());
            result
        }
    });
    let err = result.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::Interrupted);
    assert!(err.to_string().contains("shut down"), "{err}");
    assert_eq!(started.load(Ordering::SeqCst), 2);
}

#[test]
fn a_pool_whose_futures_finished_returns_their_outputs_despite_a_late_shutdown() {
    skip_unless_uring!();
    let builder = ringio::Pool::new(2);
    let stop = builder.shutdown_handle();
    let out = bounded(LIMIT, move || builder.run(|w| async move { w.index() }));
    stop.shutdown();
    assert_eq!(out.unwrap(), [0, 1]);
}
