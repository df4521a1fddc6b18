//! Wake costs: two tasks passing a turn back and forth through their
//! wakers ([`ping_pong`], built from [`players`]), and two tasks yielding
//! ([`yielders`]).

use super::on_side;
use crate::workloads::{Side, Tally};
use futures_util::task::AtomicWaker;
use std::future::{poll_fn, Future};
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::Instant;

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
/// both (on one runtime or on two threads) and await them.
pub fn players(round_trips: u64) -> [impl Future<Output = ()> + Send + 'static; 2] {
    let table = Arc::new(Table {
        turn: AtomicU64::new(0),
        wakers: [AtomicWaker::new(), AtomicWaker::new()],
    });
    let passes = round_trips * 2;
    [player(table.clone(), 0, passes), player(table, 1, passes)]
}

/// Both [`players`] spawned on one runtime and awaited: `round_trips`
/// round trips.
///
/// # Errors
///
/// When the runtime cannot be built or a player fails to join.
pub fn ping_pong(side: Side, round_trips: u64) -> io::Result<Tally> {
    on_side!(side, async move {
        let start = Instant::now();
        let [a, b] = players(round_trips);
        let (a, b) = (spawn(a), spawn(b));
        a.await.map_err(io::Error::other)?;
        b.await.map_err(io::Error::other)?;
        Ok(Tally {
            ops: round_trips,
            elapsed: start.elapsed(),
            ..Tally::default()
        })
    })
}

/// Two tasks yielding `yields / 2` times each: `yields` yields.
///
/// # Errors
///
/// When the runtime cannot be built or a task fails to join.
pub fn yielders(side: Side, yields: u64) -> io::Result<Tally> {
    on_side!(side, async move {
        let start = Instant::now();
        let yielder = || async move {
            for _ in 0..yields / 2 {
                yield_now().await;
            }
        };
        let (a, b) = (spawn(yielder()), spawn(yielder()));
        a.await.map_err(io::Error::other)?;
        b.await.map_err(io::Error::other)?;
        Ok(Tally {
            ops: yields,
            elapsed: start.elapsed(),
            ..Tally::default()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakes_run_to_the_end_on_both_sides() {
        for side in [Side::Ringio, Side::Tokio] {
            assert_eq!(ping_pong(side, 500).unwrap().ops, 500);
            assert_eq!(yielders(side, 100).unwrap().ops, 100);
        }
    }
}
