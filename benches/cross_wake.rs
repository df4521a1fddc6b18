//! Cross-core wakes: two workers on two cores ping-pong over channels, so
//! every message wakes a task on the other core (and, usually, its parked
//! ring). ringio's pool vs two tokio current-thread runtimes on two pinned
//! threads, same channel type (futures-channel), same work.
//!
//! ```text
//! cargo bench --bench cross_wake
//! ```

mod common;

use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use std::sync::{Arc, Mutex};
use std::time::Instant;

const ROUND_TRIPS: u64 = 100_000;

type Ends = (mpsc::Sender<u64>, mpsc::Receiver<u64>);

fn channels() -> [Ends; 2] {
    let (a_tx, a_rx) = mpsc::channel(1);
    let (b_tx, b_rx) = mpsc::channel(1);
    [(a_tx, b_rx), (b_tx, a_rx)]
}

/// Worker 0 sends and waits for the echo; worker 1 echoes.
async fn ping_pong(index: usize, (mut tx, mut rx): Ends) {
    if index == 0 {
        for i in 0..ROUND_TRIPS {
            tx.send(i).await.unwrap();
            assert_eq!(rx.next().await, Some(i));
        }
    } else {
        while let Some(i) = rx.next().await {
            if tx.send(i).await.is_err() {
                break;
            }
        }
    }
}

fn ringio_round(msg_ring: bool) -> f64 {
    let ends = Arc::new(Mutex::new(channels().map(Some)));
    let mut runtime = ringio::Builder::new();
    runtime.msg_ring(msg_ring);
    let start = Instant::now();
    ringio::Pool::new(2)
        .pin_cores(true)
        .runtime(runtime)
        .run(move |worker| {
            let ends = ends.lock().unwrap()[worker.index()].take().unwrap();
            ping_pong(worker.index(), ends)
        })
        .unwrap();
    ROUND_TRIPS as f64 / start.elapsed().as_secs_f64()
}

fn tokio_round() -> f64 {
    let start = Instant::now();
    let threads: Vec<_> = channels()
        .into_iter()
        .enumerate()
        .map(|(index, ends)| {
            std::thread::spawn(move || {
                common::pin_to_core(index);
                common::tokio_rt().block_on(ping_pong(index, ends));
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    ROUND_TRIPS as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    if ringio::available_cores() < 2 {
        println!("cross_wake needs two cores; skipped");
        return;
    }
    common::header("cross-core ping-pong (round trips/s; two wakes each)");
    common::ab(
        "2 workers, MSG_RING wakes",
        "tokio",
        || ringio_round(true),
        tokio_round,
    );
    common::ab(
        "2 workers, eventfd wakes",
        "tokio",
        || ringio_round(false),
        tokio_round,
    );
    common::ab(
        "2 workers, MSG_RING wakes",
        "ringio with eventfd wakes",
        || ringio_round(true),
        || ringio_round(false),
    );
}
