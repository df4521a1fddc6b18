//! `ringio::sync`: each primitive on one runtime, and across Pool workers.

mod common;

use common::{bounded, run_bounded};
use ringio::sync::{
    broadcast, watch, Barrier, CancellationToken, Mutex, Notify, RwLock, Semaphore,
};
use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn a_mutex_serialises_tasks_across_awaits() {
    skip_unless_uring!();
    let total = run_bounded(LIMIT, || async {
        let counter = Rc::new(Mutex::new(0u64));
        let inside = Rc::new(Cell::new(0u32));
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let (counter, inside) = (counter.clone(), inside.clone());
                ringio::spawn(async move {
                    let mut guard = counter.lock().await;
                    inside.set(inside.get() + 1);
                    assert_eq!(inside.get(), 1, "two tasks inside the lock");
                    ringio::yield_now().await;
                    *guard += 1;
                    inside.set(inside.get() - 1);
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let total = *counter.lock().await;
        total
    });
    assert_eq!(total, 50);
}

#[test]
fn an_rwlock_admits_readers_together_and_writers_alone() {
    skip_unless_uring!();
    let (readers_max, value) = run_bounded(LIMIT, || async {
        let lock = Rc::new(RwLock::new(0u32));
        let readers = Rc::new(Cell::new(0u32));
        let readers_max = Rc::new(Cell::new(0u32));
        let mut tasks = Vec::new();
        for i in 0..20 {
            let (lock, readers, readers_max) = (lock.clone(), readers.clone(), readers_max.clone());
            tasks.push(ringio::spawn(async move {
                if i % 5 == 0 {
                    let mut w = lock.write().await;
                    assert_eq!(readers.get(), 0, "a writer beside readers");
                    ringio::yield_now().await;
                    *w += 1;
                } else {
                    let _r = lock.read().await;
                    readers.set(readers.get() + 1);
                    readers_max.set(readers_max.get().max(readers.get()));
                    ringio::yield_now().await;
                    readers.set(readers.get() - 1);
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let value = *lock.read().await;
        (readers_max.get(), value)
    });
    assert_eq!(value, 4);
    assert!(readers_max > 1, "readers never shared the lock");
}

#[test]
fn notify_wakes_a_waiter_and_keeps_one_permit() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let notify = Rc::new(Notify::new());
        // A permit stored before anyone waits is taken by the next waiter.
        notify.notify_one();
        notify.notified().await;
        let waiter = ringio::spawn({
            let notify = notify.clone();
            async move { notify.notified().await }
        });
        ringio::yield_now().await;
        notify.notify_waiters();
        ringio::time::timeout(LIMIT, waiter).await.unwrap().unwrap();
    });
}

#[test]
fn a_barrier_releases_all_at_once_with_one_leader() {
    skip_unless_uring!();
    let leaders = run_bounded(LIMIT, || async {
        let barrier = Rc::new(Barrier::new(5));
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let barrier = barrier.clone();
                ringio::spawn(async move { barrier.wait().await.is_leader() })
            })
            .collect();
        let mut leaders = 0;
        for task in tasks {
            leaders += task.await.unwrap() as u32;
        }
        leaders
    });
    assert_eq!(leaders, 1);
}

#[test]
fn broadcast_delivers_every_message_to_every_receiver() {
    skip_unless_uring!();
    let sums = run_bounded(LIMIT, || async {
        let (tx, _) = broadcast::channel::<u32>(128);
        let tasks: Vec<_> = (0..3)
            .map(|_| {
                let mut rx = tx.subscribe();
                ringio::spawn(async move {
                    let mut sum = 0;
                    while let Ok(v) = rx.recv().await {
                        sum += v;
                    }
                    sum
                })
            })
            .collect();
        for i in 0..100 {
            tx.send(i).unwrap();
        }
        drop(tx);
        let mut sums = Vec::new();
        for task in tasks {
            sums.push(task.await.unwrap());
        }
        sums
    });
    assert_eq!(sums, [4950, 4950, 4950]);
}

#[test]
fn a_semaphore_of_four_bounds_100_tasks_across_two_workers() {
    skip_unless_uring!();
    let permits = Arc::new(Semaphore::new(4));
    let inside = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let done = bounded(LIMIT, {
        let (permits, inside, most) = (permits.clone(), inside.clone(), most.clone());
        move || {
            ringio::Pool::new(2)
                .run(move |_| {
                    let (permits, inside, most) = (permits.clone(), inside.clone(), most.clone());
                    async move {
                        let tasks: Vec<_> = (0..50)
                            .map(|_| {
                                let (permits, inside, most) =
                                    (permits.clone(), inside.clone(), most.clone());
                                ringio::spawn(async move {
                                    let _permit = permits.acquire_owned().await.unwrap();
                                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                                    most.fetch_max(now, Ordering::SeqCst);
                                    ringio::time::sleep(Duration::from_micros(200)).await;
                                    inside.fetch_sub(1, Ordering::SeqCst);
                                })
                            })
                            .collect();
                        let mut done = 0;
                        for task in tasks {
                            task.await.unwrap();
                            done += 1;
                        }
                        done
                    }
                })
                .unwrap()
        }
    });
    assert_eq!(done, [50, 50]);
    let most = most.load(Ordering::SeqCst);
    assert!(most <= 4, "{most} tasks held a permit at once");
    assert!(most >= 2, "the workers never overlapped ({most})");
    assert_eq!(permits.available_permits(), 4);
}

#[test]
fn a_watch_is_seen_by_every_worker_and_a_token_stops_them() {
    skip_unless_uring!();
    let (tx, rx) = watch::channel(0u32);
    let token = CancellationToken::new();
    let ready = Arc::new(AtomicUsize::new(0));
    let pool = std::thread::spawn({
        let (token, ready) = (token.clone(), ready.clone());
        move || {
            ringio::Pool::new(2)
                .run(move |_| {
                    let (mut rx, token, ready) = (rx.clone(), token.child_token(), ready.clone());
                    async move {
                        ready.fetch_add(1, Ordering::SeqCst);
                        let seen = *rx.wait_for(|v| *v == 7).await.unwrap();
                        token.cancelled().await;
                        assert!(token.is_cancelled());
                        seen
                    }
                })
                .unwrap()
        }
    });
    let seen = bounded(LIMIT, move || {
        while ready.load(Ordering::SeqCst) < 2 {
            std::thread::yield_now();
        }
        tx.send(7).unwrap();
        token.cancel();
        pool.join().unwrap()
    });
    assert_eq!(seen, [7, 7]);
}

#[test]
fn a_child_token_is_cancelled_with_its_parent_only() {
    let parent = CancellationToken::new();
    let child = parent.child_token();
    child.cancel();
    assert!(!parent.is_cancelled());
    let other = parent.child_token();
    parent.cancel();
    assert!(other.is_cancelled());
}

#[test]
fn mutex_rwlock_notify_barrier_and_broadcast_work_across_two_workers() {
    skip_unless_uring!();
    let counter = Arc::new(Mutex::new(0u64));
    let table = Arc::new(RwLock::new(Vec::<usize>::new()));
    let barrier = Arc::new(Barrier::new(2));
    let notify = Arc::new(Notify::new());
    let (news, _) = broadcast::channel::<u32>(16);
    let out = bounded(LIMIT, move || {
        ringio::Pool::new(2)
            .run(move |worker| {
                let (counter, table, barrier, notify) = (
                    counter.clone(),
                    table.clone(),
                    barrier.clone(),
                    notify.clone(),
                );
                let (news, mut heard) = (news.clone(), news.subscribe());
                async move {
                    for _ in 0..1000 {
                        *counter.lock().await += 1;
                    }
                    table.write().await.push(worker.index());
                    // Both workers are through their increments here.
                    barrier.wait().await;
                    if worker.index() == 0 {
                        news.send(7).unwrap();
                        notify.notified().await; // worker 1's answer
                    } else {
                        assert_eq!(heard.recv().await.unwrap(), 7);
                        notify.notify_one();
                    }
                    let total = *counter.lock().await;
                    let workers = table.read().await.len();
                    (total, workers)
                }
            })
            .unwrap()
    });
    assert_eq!(out, [(2000, 2), (2000, 2)]);
}
