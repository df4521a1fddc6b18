//! ringio: a completion-based async runtime for Linux, built on io_uring.
//!
//! # Getting started
//!
//! [`run`] starts a runtime on the current thread and drives a future to
//! completion. Inside it, [`spawn`] starts more tasks; they need not be `Send`
//! because each runtime owns one thread, one ring and one run queue.
//!
//! ```
//! use std::time::Duration;
//!
//! ringio::run(async {
//!     let task = ringio::spawn(async {
//!         ringio::time::sleep(Duration::from_millis(1)).await;
//!         21 * 2
//!     });
//!     assert_eq!(task.await.unwrap(), 42);
//! });
//! ```
//!
//! # Submit-based operations
//!
//! Every operation (timers, file opens, reads, writes, syncs, metadata and
//! path operations today; sockets as the crate grows) is an io_uring
//! submission queue entry. Creating the operation
//! queues the entry without a system call; the runtime submits all queued
//! entries and waits for completions in a single `io_uring_enter` per tick.
//!
//! Because the kernel works on memory while the operation is in flight, an
//! operation *owns* its buffer and hands it back with the result (see
//! [`buf`] and [`BufResult`]). Dropping an operation's future before it
//! completes cancels it: the runtime keeps the buffer alive until the
//! kernel's completion arrives, then frees it. No use-after-free is possible
//! from safe code.
//!
//! # Closing resources
//!
//! Dropping the [`Runtime`] drops every task still alive, cancels every
//! operation in flight and waits (bounded, see
//! [`Builder::shutdown_timeout`]) for the kernel to hand their memory back.
//! Whatever it still holds after that is leaked on purpose, never freed.
//!
//! # Kernel requirements
//!
//! Linux 5.19 or newer. `SINGLE_ISSUER | DEFER_TASKRUN` (6.1) and
//! `COOP_TASKRUN` (5.19) are used when the kernel accepts them. When io_uring
//! is unavailable, [`Runtime::new`] returns an error that says so and why.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub,
    clippy::undocumented_unsafe_blocks,
    clippy::missing_safety_doc
)]
#![doc(test(attr(deny(warnings))))]

#[cfg(not(target_os = "linux"))]
compile_error!("ringio runs on Linux only (it is built on io_uring)");

#[macro_use]
mod macros;

pub mod buf;
mod driver;
mod fd;
pub mod fs;
mod io_util;
pub mod net;
mod op;
mod pool;
mod runtime;
pub mod sync;
mod sys;
pub mod time;

pub use buf::BufResult;
pub use op::nop::nop;
pub use pool::{available_cores, spawn_on, Pool, PoolBuilder, WorkerId};
pub use runtime::{
    run, spawn, spawn_blocking, stats, yield_now, Builder, JoinError, JoinHandle, Runtime, Stats,
};
