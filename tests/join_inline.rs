//! A task awaited through its handle while it is the only one in the run
//! queue is polled there and then, inside its awaiter's poll: the order of
//! tasks stays the queue's, whatever the awaited task does (finish, wait,
//! panic, await another task) comes out as it would from the run queue,
//! the awaiter is still the polled task afterwards, and the ring still
//! turns.

mod common;

use common::run_bounded;
use futures::FutureExt;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

/// Counts the polls of the future it wraps.
struct CountPolls<F> {
    future: Pin<Box<F>>,
    polls: Rc<Cell<u32>>,
}

impl<F: Future> Future for CountPolls<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls.set(self.polls.get() + 1);
        self.future.as_mut().poll(cx)
    }
}

fn counted<F: Future>(future: F) -> (CountPolls<F>, Rc<Cell<u32>>) {
    let polls = Rc::new(Cell::new(0));
    let counted = CountPolls {
        future: Box::pin(future),
        polls: polls.clone(),
    };
    (counted, polls)
}

#[test]
fn a_task_spawned_and_awaited_at_once_finishes_in_its_awaiters_poll() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        // From the block_on future and from a spawned task alike.
        let (awaiter, polls) = counted(async { ringio::spawn(async { 7 }).await.unwrap() });
        assert_eq!(awaiter.await, 7);
        assert_eq!(polls.get(), 1, "the awaiter returned Pending");
        let in_task = ringio::spawn(async {
            let (awaiter, polls) = counted(async { ringio::spawn(async { 8 }).await.unwrap() });
            (awaiter.await, polls.get())
        });
        // Run from the queue (awaited at once, it would run inside this
        // poll, and such polls do not nest).
        ringio::yield_now().await;
        assert_eq!(in_task.await.unwrap(), (8, 1));
    });
}

#[test]
fn a_task_behind_others_in_the_queue_waits_its_turn() {
    skip_unless_uring!();
    let log = run_bounded(LIMIT, || async {
        let log = Rc::new(RefCell::new(Vec::new()));
        let first = {
            let log = log.clone();
            ringio::spawn(async move { log.borrow_mut().push("first") })
        };
        let second = {
            let log = log.clone();
            ringio::spawn(async move { log.borrow_mut().push("second") })
        };
        second.await.unwrap();
        first.await.unwrap();
        Rc::try_unwrap(log).unwrap().into_inner()
    });
    if common::shuffled() {
        assert_eq!(log.len(), 2);
    } else {
        assert_eq!(log, ["first", "second"]);
    }
}

#[test]
fn a_handle_asked_without_waiting_does_not_run_its_task() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let ran = Rc::new(Cell::new(false));
        let mut handle = {
            let ran = ran.clone();
            ringio::spawn(async move { ran.set(true) })
        };
        // `now_or_never` polls with a waker of its own: no task's await.
        assert!((&mut handle).now_or_never().is_none());
        assert!(!ran.get());
        handle.await.unwrap();
        assert!(ran.get());
    });
}

#[test]
fn an_awaited_task_that_waits_wakes_its_awaiter_when_done() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let (awaiter, polls) = counted(async {
            ringio::spawn(async {
                ringio::time::sleep(Duration::from_millis(5)).await;
                9
            })
            .await
            .unwrap()
        });
        assert_eq!(awaiter.await, 9);
        assert_eq!(polls.get(), 2, "polled, then woken once by the task's end");
    });
}

#[test]
fn an_awaited_task_that_panics_reports_it_through_the_handle() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let err = ringio::spawn(async { panic!("inside the awaited task") })
            .await
            .unwrap_err();
        assert!(err.is_panic());
        // The awaiter and the runtime go on.
        assert_eq!(ringio::spawn(async { 1 }).await.unwrap(), 1);
    });
}

#[test]
fn an_awaited_task_awaiting_its_own_child_gets_its_output() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let total = ringio::spawn(async {
            let inner = ringio::spawn(async { 20 }).await.unwrap();
            inner + ringio::spawn(async { 2 }).await.unwrap()
        })
        .await
        .unwrap();
        assert_eq!(total, 22);
    });
}

/// A task that awaits a task spawned just now, inside its own poll, then
/// in the same poll awaits more with its own identity: a ring operation
/// and a sleep (which record the polled task's token), and a oneshot from
/// another thread (which clones the polled task's waker). Each must wake
/// the awaiter, not the task that ran inside its poll.
#[test]
fn the_awaiter_is_still_the_polled_task_after_the_awaited_one_ran() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let awaiter = ringio::spawn(async {
            let (join, polls) = counted(async { ringio::spawn(async { 3 }).await.unwrap() });
            assert_eq!(join.await, 3);
            assert_eq!(polls.get(), 1, "the awaited task did not run in place");
            ringio::nop().await.unwrap();
            ringio::time::sleep(Duration::from_millis(1)).await;
            let (join, polls) = counted(async { ringio::spawn(async { 4 }).await.unwrap() });
            assert_eq!(join.await, 4);
            assert_eq!(polls.get(), 1);
            let (tx, rx) = futures::channel::oneshot::channel();
            let sender = std::thread::spawn(move || tx.send(5).unwrap());
            let got = rx.await.unwrap();
            sender.join().unwrap();
            got
        });
        // Polled from the queue, not in this poll (such polls do not nest).
        ringio::yield_now().await;
        assert_eq!(awaiter.await.unwrap(), 5);
    });
}

/// Every task polled in place spends one of the tick's polls: a task that
/// spawns and awaits in a loop still lets the ring turn (a sleep fires).
#[test]
fn a_task_spawning_and_awaiting_in_a_loop_lets_the_ring_turn() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let stop = Rc::new(Cell::new(false));
        let spawner = {
            let stop = stop.clone();
            ringio::spawn(async move {
                let mut joined = 0u64;
                while !stop.get() {
                    ringio::spawn(async {}).await.unwrap();
                    joined += 1;
                }
                joined
            })
        };
        ringio::time::sleep(Duration::from_millis(5)).await;
        stop.set(true);
        assert!(spawner.await.unwrap() > 0);
        // The same from the block_on future itself.
        let started = std::time::Instant::now();
        let mut joined = 0u64;
        let ticker = ringio::spawn(ringio::time::sleep(Duration::from_millis(5)));
        while !ticker.is_finished() {
            ringio::spawn(async {}).await.unwrap();
            joined += 1;
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the sleep never fired"
            );
        }
        assert!(joined > 0);
    });
}

#[test]
fn an_aborted_task_awaited_at_once_is_cancelled() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let ran = Rc::new(Cell::new(false));
        let handle = {
            let ran = ran.clone();
            ringio::spawn(async move { ran.set(true) })
        };
        handle.abort();
        assert!(handle.await.unwrap_err().is_cancelled());
        assert!(!ran.get());
    });
}
