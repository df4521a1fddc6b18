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
