//! [`Interval`]: ticks at a fixed period.

use super::sleep::{after, sleep_until, Sleep};
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::time::{Duration, Instant};

/// Ticks every `period`, the first tick at once.
///
/// Missed ticks are caught up in a burst (as tokio's default): each tick's
/// deadline is the previous one plus `period`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// ringio::run(async {
///     let mut ticks = ringio::time::interval(Duration::from_millis(1));
///     let first = ticks.tick().await;
///     let second = ticks.tick().await;
///     assert!(second - first >= Duration::from_millis(1));
/// });
/// ```
///
/// # Panics
///
/// Panics if `period` is zero.
pub fn interval(period: Duration) -> Interval {
    interval_at(Instant::now(), period)
}

/// Like [`interval`], with the first tick at `start`.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// ringio::run(async {
///     let start = Instant::now() + Duration::from_millis(1);
///     let mut ticks = ringio::time::interval_at(start, Duration::from_millis(1));
///     assert!(ticks.tick().await >= start);
/// });
/// ```
///
/// # Panics
///
/// Panics if `period` is zero.
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(!period.is_zero(), "interval period must be non-zero");
    Interval {
        period,
        sleep: sleep_until(start),
    }
}

/// The stream of ticks made by [`interval`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// ringio::run(async {
///     let mut ticks: ringio::time::Interval = ringio::time::interval(Duration::from_millis(2));
///     let first = ticks.tick().await; // the first tick is immediate
///     let second = ticks.tick().await;
///     assert_eq!(second - first, ticks.period());
/// });
/// ```
#[derive(Debug)]
pub struct Interval {
    period: Duration,
    sleep: Sleep,
}

impl Interval {
    /// Waits for the next tick and returns its scheduled instant.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a dropped `tick()` loses no tick.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// ringio::run(async {
    ///     let mut ticks = ringio::time::interval(Duration::from_millis(1));
    ///     let first = ticks.tick().await; // at once
    ///     assert!(first <= Instant::now());
    /// });
    /// ```
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| Pin::new(&mut self.sleep).poll(cx)).await;
        let this_tick = self.sleep.deadline();
        self.sleep.reset(after(this_tick, self.period));
        this_tick
    }

    /// The period between ticks.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let ticks = ringio::time::interval(Duration::from_millis(5));
    /// assert_eq!(ticks.period(), Duration::from_millis(5));
    /// ```
    pub fn period(&self) -> Duration {
        self.period
    }

    /// Restarts the ticks: the next one is one period from now.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// ringio::run(async {
    ///     let mut ticks = ringio::time::interval(Duration::from_millis(1));
    ///     ticks.tick().await;
    ///     ticks.reset();
    ///     ticks.tick().await;
    /// });
    /// ```
    pub fn reset(&mut self) {
        self.sleep.reset(after(Instant::now(), self.period));
    }
}
