//! [`Sleep`]: a future that completes at a deadline.

use super::timer::{SleepState, Timer};
pub(crate) use crate::driver::timers::deadline_after as after;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// Waits until `duration` has elapsed.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// ringio::run(async {
///     let start = Instant::now();
///     ringio::time::sleep(Duration::from_millis(5)).await;
///     assert!(start.elapsed() >= Duration::from_millis(5));
/// });
/// ```
///
/// # Cancel safety
///
/// Dropping the future removes its timer; nothing else is held.
///
/// # Panics
///
/// Polling it outside a ringio runtime panics.
pub fn sleep(duration: Duration) -> Sleep {
    sleep_until(after(Instant::now(), duration))
}

/// Waits until `deadline`; never completes before it. Requires Linux 5.4.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// ringio::run(async {
///     let deadline = Instant::now() + Duration::from_millis(2);
///     ringio::time::sleep_until(deadline).await;
///     assert!(Instant::now() >= deadline);
/// });
/// ```
///
/// # Cancel safety
///
/// Dropping the future removes its timer.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        state: SleepState::new(deadline),
    }
}

/// The future of [`sleep`] and [`sleep_until`].
///
/// The timer is queued in the runtime on first poll (a sleep never polled
/// costs nothing) and removed when the `Sleep` is dropped or reset. No
/// system call either way: the runtime bounds its wait for completions by
/// the earliest deadline.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// ringio::run(async {
///     let start = Instant::now();
///     let sleep: ringio::time::Sleep = ringio::time::sleep(Duration::from_millis(5));
///     let deadline = sleep.deadline();
///     sleep.await;
///     assert!(Instant::now() >= deadline);
///     assert!(start.elapsed() >= Duration::from_millis(5));
/// });
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Sleep {
    state: SleepState<Timer>,
}

impl std::fmt::Debug for Sleep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.state.deadline())
            .field("armed", &self.state.is_armed())
            .finish()
    }
}

impl Sleep {
    /// The instant this sleep completes at.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let at = Instant::now() + Duration::from_secs(1);
    /// assert_eq!(ringio::time::sleep_until(at).deadline(), at);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.state.deadline()
    }

    /// Whether the deadline has passed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// assert!(ringio::time::sleep(Duration::ZERO).is_elapsed());
    /// assert!(!ringio::time::sleep(Duration::from_secs(60)).is_elapsed());
    /// ```
    pub fn is_elapsed(&self) -> bool {
        Instant::now() >= self.state.deadline()
    }

    /// Moves the deadline. A queued timer for an earlier (or the same)
    /// instant stays queued: when it fires the sleep finds its deadline
    /// not reached and queues itself again, so pushing a deadline back (a
    /// timer reset on every request) costs no queue operation. A timer for a
    /// later instant is removed, and queued anew on the next poll.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// ringio::run(async {
    ///     let mut sleep = ringio::time::sleep(Duration::from_secs(60));
    ///     sleep.reset(Instant::now() + Duration::from_millis(1));
    ///     sleep.await;
    /// });
    /// ```
    pub fn reset(&mut self, deadline: Instant) {
        self.state.reset(deadline);
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.get_mut().state.poll(cx.waker())
    }
}
