//! Wake costs: two tasks ping-ponging through wakers, and two tasks yielding.
//! ringio vs tokio current-thread. `cargo bench --bench wake_pingpong`

mod common;

use common::{ab, header, rate, selected, tokio_rt};
use futures_util::task::AtomicWaker;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::Poll;

const ROUND_TRIPS: u64 = 1_000_000;
const YIELDS: u64 = 2_000_000;

/// Shared state of a ping-pong: `turn` counts passes; player `me` may move
/// when `turn % 2 == me`. The same code runs on both runtimes.
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

fn ping_pong<J>(spawn: impl Fn(Pin<Box<dyn Future<Output = ()> + Send>>) -> J) -> [J; 2] {
    let table = Arc::new(Table {
        turn: AtomicU64::new(0),
        wakers: [AtomicWaker::new(), AtomicWaker::new()],
    });
    let passes = ROUND_TRIPS * 2;
    [
        spawn(Box::pin(player(table.clone(), 0, passes))),
        spawn(Box::pin(player(table, 1, passes))),
    ]
}

async fn yielder_ringio() {
    for _ in 0..YIELDS / 2 {
        ringio::yield_now().await;
    }
}

async fn yielder_tokio() {
    for _ in 0..YIELDS / 2 {
        tokio::task::yield_now().await;
    }
}

fn main() {
    common::pin_to_core(0);
    header("wakes");
    if selected("ping_pong") {
        ab(
            "ping-pong through a waker (round trips)",
            "tokio",
            || {
                let rt = ringio::Runtime::new().unwrap();
                rate(ROUND_TRIPS, || {
                    rt.block_on(async {
                        for h in ping_pong(ringio::spawn) {
                            h.await.unwrap();
                        }
                    })
                })
            },
            || {
                let rt = tokio_rt();
                rate(ROUND_TRIPS, || {
                    rt.block_on(async {
                        for h in ping_pong(tokio::spawn) {
                            h.await.unwrap();
                        }
                    })
                })
            },
        );
    }
    if selected("yield") {
        ab(
            "two tasks yielding (yields)",
            "tokio",
            || {
                let rt = ringio::Runtime::new().unwrap();
                rate(YIELDS, || {
                    rt.block_on(async {
                        let a = ringio::spawn(yielder_ringio());
                        let b = ringio::spawn(yielder_ringio());
                        a.await.unwrap();
                        b.await.unwrap();
                    })
                })
            },
            || {
                let rt = tokio_rt();
                rate(YIELDS, || {
                    rt.block_on(async {
                        let a = tokio::spawn(yielder_tokio());
                        let b = tokio::spawn(yielder_tokio());
                        a.await.unwrap();
                        b.await.unwrap();
                    })
                })
            },
        );
    }
}
