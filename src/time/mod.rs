//! Timers on the ring: [`sleep`], [`sleep_until`], [`timeout`], [`interval`].
//!
//! A sleep is a timer in its runtime's queue, armed on first poll. The ring
//! is the clock: a parked runtime's `io_uring_enter` waits at most until the
//! earliest deadline (an `EXT_ARG` timeout), and each turn fires the timers
//! that are due, earliest first. No helper thread, no kernel timer per
//! sleep, no system call to arm or drop one. A sleep never completes before
//! its deadline.
//!
//! ```
//! use std::time::Duration;
//! use ringio::time::{sleep, timeout};
//!
//! ringio::run(async {
//!     sleep(Duration::from_millis(1)).await;
//!     let late = timeout(Duration::from_millis(1), sleep(Duration::from_secs(60))).await;
//!     assert!(late.is_err());
//! });
//! ```
#![forbid(unsafe_code)]

mod interval;
mod sleep;
mod timeout;
pub(crate) mod timer;

pub use interval::{interval, interval_at, Interval};
pub use sleep::{sleep, sleep_until, Sleep};
pub use timeout::{timeout, timeout_at, Elapsed, Timeout};
