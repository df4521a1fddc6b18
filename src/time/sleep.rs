//! [`Sleep`]: a future that completes at a deadline.

use crate::op::timeout::Timeout as TimeoutOp;
use crate::op::Op;
use crate::sys::clock;
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
/// Dropping the future cancels its kernel timer; nothing else is held.
///
/// # Panics
///
/// Polling it outside a ringio runtime panics.
pub fn sleep(duration: Duration) -> Sleep {
    let now = Instant::now();
    sleep_until(now.checked_add(duration).unwrap_or_else(far_future))
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
/// Dropping the future cancels its kernel timer.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        timer: None,
    }
}

/// About 30 years from now: "never", for durations too large for `Instant`.
fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(86400 * 365 * 30)
}

/// The future of [`sleep`] and [`sleep_until`].
///
/// The kernel timer is armed on first poll (a sleep never polled costs no
/// system resource) and cancelled when the `Sleep` is dropped or reset.
#[must_use = "futures do nothing unless polled"]
pub struct Sleep {
    deadline: Instant,
    timer: Option<Op<TimeoutOp>>,
}

impl std::fmt::Debug for Sleep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("armed", &self.timer.is_some())
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
        self.deadline
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
        Instant::now() >= self.deadline
    }

    /// Moves the deadline; an armed timer is cancelled and re-armed on the
    /// next poll.
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
        self.deadline = deadline;
        self.timer = None;
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        loop {
            let timer = match &mut this.timer {
                Some(timer) => timer,
                None => {
                    if Instant::now() >= this.deadline {
                        return Poll::Ready(());
                    }
                    let at = clock::monotonic_deadline(this.deadline);
                    this.timer.insert(Op::submit(TimeoutOp::at(at)))
                }
            };
            let fired = std::task::ready!(Pin::new(timer).poll(cx));
            this.timer = None;
            if let Err(e) = fired {
                panic!("ringio: a kernel timer failed: {e}");
            }
            // The timer fired: loop to re-check the deadline against `Instant`.
        }
    }
}
