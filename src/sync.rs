//! Channels between tasks, on one thread or across workers.
//!
//! These are the `futures-channel` types, re-exported: ringio's wakers are
//! `Send + Sync` and a wake from another thread reaches the receiving
//! runtime through its remote inbox (and interrupts its ring if it is
//! parked), so they work across rings as they are; ringio adds no channel of
//! its own. A wake costs a lock and, only when the receiving ring is parked,
//! one eventfd write: a busy receiver takes messages with no syscall at all.
//!
//! # Examples
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
