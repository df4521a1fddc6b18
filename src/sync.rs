//! Locks, channels and cancellation between tasks, on one thread or across
//! workers.
//!
//! ringio adds no synchronisation primitive of its own. Everything here is a
//! re-export of a well-kept, runtime-agnostic crate, and works on ringio as
//! it is: ringio's wakers are `Send + Sync`, and a wake from another thread
//! reaches the receiving runtime through its remote inbox (interrupting its
//! ring if it is parked). A busy receiver takes wakes with no syscall at all.
//!
//! | type | from | what for |
//! |---|---|---|
//! | [`Mutex`], [`RwLock`] | `tokio::sync` | data shared across awaits |
//! | [`Semaphore`] (and [`Semaphore::acquire_owned`]) | `tokio::sync` | bounding concurrency |
//! | [`Notify`], [`Barrier`] | `tokio::sync` | events, rendezvous |
//! | [`broadcast`], [`watch`] | `tokio::sync` | one-to-many messages, a shared latest value |
//! | [`CancellationToken`] | `tokio_util::sync` | shutdown that spreads through a tree of tasks |
//! | [`mpsc`], [`oneshot`], [`channel`], [`unbounded`] | `futures-channel` | queues between tasks |
//!
//! tokio's primitives are compiled with tokio's `sync` feature only: no
//! tokio runtime, reactor or timer comes with them, and they need none.
//! The `!Send` tasks of one runtime may use them as freely as `Send` tasks
//! on several [`Pool`](crate::Pool) workers.
//!
//! # Examples
//!
//! A semaphore bounds how many tasks work at once:
//!
//! ```
//! use ringio::sync::Semaphore;
//! use std::sync::Arc;
//!
//! ringio::run(async {
//!     let permits = Arc::new(Semaphore::new(2));
//!     let tasks: Vec<_> = (0..10)
//!         .map(|i| {
//!             let permits = permits.clone();
//!             ringio::spawn(async move {
//!                 let _permit = permits.acquire_owned().await.unwrap();
//!                 ringio::yield_now().await; // at most 2 tasks are here at once
//!                 i
//!             })
//!         })
//!         .collect();
//!     let mut sum = 0;
//!     for task in tasks {
//!         sum += task.await.unwrap();
//!     }
//!     assert_eq!(sum, 45);
//! });
//! ```
//!
//! A watch carries the latest configuration to every worker of a pool, and
//! a cancellation token stops them all:
//!
//! ```
//! use ringio::sync::{watch, CancellationToken};
//!
//! let (config_tx, config_rx) = watch::channel(1u32);
//! let stop = CancellationToken::new();
//! let seen = ringio::Pool::new(2)
//!     .run({
//!         let (config_tx, stop) = (std::sync::Mutex::new(Some(config_tx)), stop.clone());
//!         move |worker| {
//!             let mut config = config_rx.clone();
//!             let (stop, tx) = (stop.clone(), config_tx.lock().unwrap().take());
//!             async move {
//!                 if let Some(tx) = tx {
//!                     tx.send(2).unwrap(); // worker 0 publishes the new config
//!                 }
//!                 let value = *config.wait_for(|v| *v == 2).await.unwrap();
//!                 if worker.index() == 0 {
//!                     stop.cancel();
//!                 }
//!                 stop.cancelled().await;
//!                 value
//!             }
//!         }
//!     })
//!     .unwrap();
//! assert_eq!(seen, [2, 2]);
//! ```
//!
//! Channels between workers:
//!
//! ```
//! use futures_util::{SinkExt, StreamExt};
//!
//! let out = ringio::Pool::new(2)
//!     .run({
//!         let (tx, rx) = ringio::sync::channel::<u32>(16);
//!         let tx = std::sync::Mutex::new(Some(tx));
//!         let rx = std::sync::Mutex::new(Some(rx));
//!         move |worker| {
//!             let sender = worker.index() == 0;
//!             let tx = if sender { tx.lock().unwrap().take() } else { None };
//!             let rx = if sender { None } else { rx.lock().unwrap().take() };
//!             async move {
//!                 if sender {
//!                     let mut tx = tx.unwrap();
//!                     for i in 0..100 {
//!                         tx.send(i).await.unwrap();
//!                     }
//!                     0
//!                 } else {
//!                     rx.unwrap().fold(0, |sum, i| async move { sum + i }).await
//!                 }
//!             }
//!         }
//!     })
//!     .unwrap();
//! assert_eq!(out[1], 4950);
//! ```

pub use futures_channel::mpsc;
pub use futures_channel::mpsc::{channel, unbounded};
pub use futures_channel::oneshot;

pub use tokio::sync::{broadcast, watch};
pub use tokio::sync::{
    AcquireError, Barrier, BarrierWaitResult, MappedMutexGuard, Mutex, MutexGuard, Notify,
    OwnedMutexGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard, OwnedSemaphorePermit, RwLock,
    RwLockReadGuard, RwLockWriteGuard, Semaphore, SemaphorePermit, TryAcquireError, TryLockError,
};

pub use tokio_util::sync::{
    CancellationToken, DropGuard, WaitForCancellationFuture, WaitForCancellationFutureOwned,
};
