//! Two tasks passing a turn back and forth through their wakers: the wake
//! ping-pong the `wake_pingpong` bench and the `compare` example run on both
//! runtimes (the same code on each).
#![allow(dead_code)]

use futures_util::task::AtomicWaker;
use std::future::{poll_fn, Future};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::Poll;

/// Shared state: `turn` counts passes; player `me` may move when
/// `turn % 2 == me`.
struct Table {
    turn: AtomicU64,
    wakers: [AtomicWaker; 2],
}

async fn player(table: Arc<Table>, me: u64, passes: u64) {
    let mut mine = me;
    while mine < passes {
        poll_fn(|cx| {
            table.wakers[me as usize].register(cx.waker());
            if table.turn.load(Ordering::Acquire) == mine {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
        table.turn.store(mine + 1, Ordering::Release);
        table.wakers[1 - me as usize].wake();
        mine += 2;
    }
}

/// The two players of `round_trips` round trips (two wakes each); spawn
/// both and await them.
pub fn players(round_trips: u64) -> [impl Future<Output = ()> + Send + 'static; 2] {
    let table = Arc::new(Table {
        turn: AtomicU64::new(0),
        wakers: [AtomicWaker::new(), AtomicWaker::new()],
    });
    let passes = round_trips * 2;
    [player(table.clone(), 0, passes), player(table, 1, passes)]
}
