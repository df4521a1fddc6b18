//! Wake costs: two tasks ping-ponging through wakers, and two tasks yielding.
//! ringio vs tokio current-thread. `cargo bench --bench wake_pingpong`

mod common;
#[path = "../examples/support/pingpong.rs"]
mod pingpong;

use common::{ab, header, rate, selected, tokio_rt};
use pingpong::players;
use std::future::Future;
use std::pin::Pin;

const ROUND_TRIPS: u64 = 1_000_000;
const YIELDS: u64 = 2_000_000;

fn ping_pong<J>(spawn: impl Fn(Pin<Box<dyn Future<Output = ()> + Send>>) -> J) -> [J; 2] {
    players(ROUND_TRIPS).map(|p| spawn(Box::pin(p)))
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
