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
//! Every I/O operation (file opens, reads, writes, syncs, metadata and path
//! operations; socket accepts, connects, sends and receives) is an io_uring
//! submission queue entry. Creating the operation queues the entry without a
//! system call; the runtime submits all queued entries and waits for
//! completions in a single `io_uring_enter` per tick (or submits sooner, see
//! [`Builder::submit_batch`]).
//!
//! Because the kernel works on memory while the operation is in flight, an
//! operation *owns* its buffer and hands it back with the result (see
//! [`buf`] and [`BufResult`]). One operation moves at most `u32::MAX` bytes
//! (an io_uring entry's length is 32 bits): a larger buffer gives a short
//! read or write, which the looping methods (`write_all`, `read_exact_at`,
//! ...) continue.
//!
//! # Cancellation
//!
//! Dropping an operation's future cancels it. What the drop means depends on
//! whether the kernel has seen the operation yet:
//!
//! 1. The operation's entry is queued in the submission ring when its future
//!    is first polled, and reaches the kernel at the runtime's next
//!    submission: when the task yields back to the runtime (the end of the
//!    executor tick), or earlier when the [`Builder::submit_batch`] limit is
//!    reached.
//! 2. **Dropped before that submission**, the queued entry is rewritten into
//!    a no-op in place, so the operation never starts: nothing is read,
//!    written, sent, received, accepted, connected or opened, and the buffer
//!    is dropped at once.
//! 3. **Dropped after it**, the runtime asks the kernel to cancel the
//!    operation. The operation may have completed already, or complete
//!    before the cancel lands; its effect then stands and its result is lost.
//!    Bytes written or sent have reached the file or the peer; bytes read or
//!    received are consumed and thrown away; an accepted connection or an
//!    opened file is closed by the runtime; a stream's connect may have
//!    connected (its socket closes with the future). The buffer is freed
//!    only after the kernel's final completion, never earlier.
//!
//! On a runtime built with [`Builder::sqpoll`], a kernel thread polls the
//! submission queue and may take an entry at any moment, so every drop
//! follows rule 3.
//!
//! To cancel an operation *without* losing its result or its buffer, don't
//! drop it: every owned-buffer method's future is [`Cancellable`], and
//! [`timeout`](Cancellable::timeout) or [`cancel_on`](Cancellable::cancel_on)
//! cancel it in the kernel and wait for the kernel's answer: the buffer back
//! with `TimedOut`/`Interrupted`, or the operation's own result (bytes
//! included) if it completed first.
//!
//! Methods that loop over several operations (`write_all`, `read_exact_at`,
//! `write_all_at`, [`fs::read`], [`fs::write`], ...) are not cancel-safe as a
//! whole: a drop loses how far they got, and each step follows the rules
//! above. The futures-io `AsyncRead`/`AsyncWrite` impls of the stream types,
//! and the streams of [`TcpListener::incoming`](net::TcpListener::incoming)
//! and [`TcpStream::recv_multishot`](net::TcpStream::recv_multishot), keep
//! their operation inside the stream: a dropped read, write or `next()`
//! future loses nothing, and the next call picks up where it left off.
//!
//! No use-after-free is possible from safe code.
//!
//! With [`run`]'s default settings, `timeout(Duration::ZERO, op)` polls `op`
//! once (queueing its entry), returns `Elapsed` in the same poll and drops
//! `op` before the runtime submits anything: the write below sends nothing,
//! and the read leaves the socket's bytes for the next read.
//!
//! ```no_run
//! use ringio::net::TcpStream;
//! use ringio::time::timeout;
//! use std::time::Duration;
//!
//! ringio::run(async {
//!     let stream = TcpStream::connect("127.0.0.1:7000").await.unwrap();
//!
//!     let write = timeout(Duration::ZERO, stream.write(b"never sent".to_vec())).await;
//!     assert!(write.is_err()); // Elapsed: the peer receives nothing
//!
//!     let read = timeout(Duration::ZERO, stream.read(Vec::with_capacity(64))).await;
//!     assert!(read.is_err()); // Elapsed: nothing was received
//!
//!     let (n, buf) = stream.read(Vec::with_capacity(64)).await; // the first bytes
//!     println!("{:?}", &buf[..n.unwrap()]);
//! });
//! ```
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
//! `COOP_TASKRUN` (5.19) are used when the kernel accepts them. Where
//! io_uring is unavailable (a seccomp profile, `kernel.io_uring_disabled`,
//! a missing opcode), the runtime runs the same API on epoll (see
//! [`DriverKind`]); [`Runtime::driver_fallback_reason`] says why.
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
pub mod cancel;
mod driver;
#[cfg(feature = "fault-injection")]
pub mod fault;
mod fd;
pub mod fs;
pub mod guide;
#[cfg(feature = "hyper")]
pub mod hyper;
pub mod io;
mod io_util;
pub mod net;
mod op;
mod pool;
pub mod process;
mod runtime;
#[cfg(debug_assertions)]
mod shuffle;
pub mod signal;
#[cfg(any(debug_assertions, feature = "fault-injection"))]
mod splitmix;
pub mod sync;
mod sys;
pub mod task;
pub mod time;

pub use buf::BufResult;
pub use cancel::{Cancellable, Canceller};
pub use driver::DriverKind;
pub use op::nop::nop;
pub use pool::{available_cores, spawn_on, Pool, PoolBuilder, PoolShutdown, WorkerId};
#[cfg(feature = "macros")]
pub use ringio_macros::{main, test};
pub use runtime::{
    driver_kind, run, spawn, spawn_blocking, stats, yield_now, Builder, JoinError, JoinHandle,
    Runtime, Stats,
};

/// The README's examples, compiled as doc tests (never documented).
#[cfg(all(doctest, feature = "macros", feature = "hyper"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
