//! Runtime-agnostic ecosystem primitives work on ringio unchanged.

mod common;

use common::run_bounded;
use futures::channel::{mpsc, oneshot};
use futures::future::{join_all, select, Either};
use futures::lock::Mutex;
use futures::{SinkExt, StreamExt};
use std::rc::Rc;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn mpsc_between_tasks_in_order() {
    skip_unless_uring!();
    let got = run_bounded(LIMIT, || async {
        let (mut tx, rx) = mpsc::channel::<u32>(8);
        let producer = ringio::spawn(async move {
            for i in 0..10_000 {
                tx.send(i).await.unwrap();
            }
        });
        let got: Vec<u32> = rx.collect().await;
        producer.await.unwrap();
        got
    });
    assert_eq!(got, (0..10_000).collect::<Vec<_>>());
}

#[test]
fn mpsc_from_std_threads_wakes_the_ring() {
    skip_unless_uring!();
    let total = run_bounded(LIMIT, || async {
        let (tx, mut rx) = mpsc::unbounded::<u64>();
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let tx = tx.clone();
                std::thread::spawn(move || {
                    for i in 0..1000 {
                        tx.unbounded_send(t * 1000 + i).unwrap();
                    }
                })
            })
            .collect();
        drop(tx);
        let mut total = 0;
        while let Some(v) = rx.next().await {
            total += v;
        }
        for t in threads {
            t.join().unwrap();
        }
        total
    });
    assert_eq!(total, (0..4000).sum());
}

#[test]
fn oneshot_across_tasks() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let (tx, rx) = oneshot::channel();
        ringio::spawn(async move {
            ringio::time::sleep(Duration::from_millis(1)).await;
            tx.send("hello").unwrap();
        })
        .await
        .unwrap();
        assert_eq!(rx.await.unwrap(), "hello");
    });
}

#[test]
fn futures_mutex_serializes_tasks() {
    skip_unless_uring!();
    let value = run_bounded(LIMIT, || async {
        let counter = Rc::new(Mutex::new(0u32));
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let counter = counter.clone();
                ringio::spawn(async move {
                    let mut guard = counter.lock().await;
                    let seen = *guard;
                    ringio::yield_now().await; // hold the lock across a yield
                    *guard = seen + 1;
                })
            })
            .collect();
        for t in join_all(tasks).await {
            t.unwrap();
        }
        let v = *counter.lock().await;
        v
    });
    assert_eq!(value, 100);
}

#[test]
fn join_all_and_select() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let sleeps = (1..=5u64).map(|ms| async move {
            ringio::time::sleep(Duration::from_millis(ms)).await;
            ms
        });
        assert_eq!(join_all(sleeps).await, vec![1, 2, 3, 4, 5]);

        let fast = Box::pin(ringio::time::sleep(Duration::from_millis(1)));
        let slow = Box::pin(ringio::time::sleep(Duration::from_secs(3600)));
        match select(fast, slow).await {
            Either::Left(((), _slow)) => {}
            Either::Right(_) => panic!("the hour-long sleep won"),
        }
    });
}

/// A tokio runtime and a ringio runtime on two threads talk through futures
/// channels, both ways: each side's waker wakes the other runtime.
#[test]
fn tokio_and_ringio_exchange_messages_both_ways() {
    skip_unless_uring!();
    let (to_ringio, mut from_tokio) = futures::channel::mpsc::channel::<u32>(8);
    let (mut to_tokio, mut from_ringio) = futures::channel::mpsc::channel::<u32>(8);
    let tokio_side = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let mut to_ringio = to_ringio;
            let mut sum = 0;
            for i in 0..1000 {
                to_ringio.send(i).await.unwrap();
                sum += from_ringio.next().await.unwrap();
            }
            sum
        })
    });
    let ringio_side = common::bounded(std::time::Duration::from_secs(30), move || {
        ringio::run(async move {
            let mut echoed = 0;
            while let Some(i) = from_tokio.next().await {
                to_tokio.send(i * 2).await.unwrap();
                echoed += 1;
            }
            echoed
        })
    });
    assert_eq!(ringio_side, 1000);
    assert_eq!(tokio_side.join().unwrap(), 2 * (0..1000).sum::<u32>());
}
