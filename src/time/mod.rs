//! Timers on the ring: [`sleep`], [`sleep_until`], [`timeout`], [`interval`].
//!
//! A sleep is an `IORING_OP_TIMEOUT` with an absolute `CLOCK_MONOTONIC`
//! deadline, armed on first poll: no helper thread, no timer wheel, and a
//! dropped sleep cancels its kernel timer. A sleep never completes before its
//! deadline.
#![forbid(unsafe_code)]

mod interval;
mod sleep;
mod timeout;

pub use interval::{interval, interval_at, Interval};
pub use sleep::{sleep, sleep_until, Sleep};
pub use timeout::{timeout, timeout_at, Elapsed, Timeout};
