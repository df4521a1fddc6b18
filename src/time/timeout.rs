//! [`timeout`]: race a future against a deadline.

use super::sleep::{after, sleep_until, Sleep};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// Runs `future` for at most `duration`: `Ok(output)` if it completes first,
/// `Err(Elapsed)` otherwise (the future is then dropped with the `Timeout`).
///
/// Any future works, including `!Unpin` ones that borrow. The future is
/// polled before the timer, and the timer is armed only if the future is
/// still pending, so a future that is ready at once queues no timer.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ringio::time::{sleep, timeout};
///
/// ringio::run(async {
///     assert_eq!(timeout(Duration::from_secs(1), async { 7 }).await, Ok(7));
///     let slow = timeout(Duration::from_millis(1), sleep(Duration::from_secs(60)));
///     assert!(slow.await.is_err());
/// });
/// ```
///
/// # Cancel safety
///
/// Dropping the `Timeout` drops the inner future and cancels the timer. An
/// I/O operation dropped this way, or when the deadline passes, follows [the
/// crate docs](crate#cancellation).
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    timeout_at(after(Instant::now(), duration), future)
}

/// Like [`timeout`], with an absolute deadline.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// ringio::run(async {
///     let deadline = Instant::now() + Duration::from_secs(1);
///     assert_eq!(ringio::time::timeout_at(deadline, async { 1 }).await, Ok(1));
/// });
/// ```
pub fn timeout_at<F: Future>(deadline: Instant, future: F) -> Timeout<F> {
    Timeout {
        future,
        sleep: sleep_until(deadline),
    }
}

pin_project_lite::pin_project! {
    /// The future of [`timeout`] and [`timeout_at`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ringio::time::{timeout, Timeout};
    ///
    /// ringio::run(async {
    ///     let quick: Timeout<_> = timeout(Duration::from_secs(5), async { 7 });
    ///     assert_eq!(quick.await.unwrap(), 7);
    ///     let slow = timeout(Duration::from_millis(1), std::future::pending::<()>());
    ///     assert!(slow.await.is_err());
    /// });
    /// ```
    #[must_use = "futures do nothing unless polled"]
    #[derive(Debug)]
    pub struct Timeout<F> {
        #[pin]
        future: F,
        sleep: Sleep,
    }
}

impl<F> Timeout<F> {
    /// The inner future.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let t = ringio::time::timeout(Duration::from_secs(1), std::future::ready(5));
    /// let _inner: &std::future::Ready<i32> = t.get_ref();
    /// ```
    pub fn get_ref(&self) -> &F {
        &self.future
    }

    /// Gives back the inner future.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// ringio::run(async {
    ///     let t = ringio::time::timeout(Duration::from_secs(1), std::future::ready(5));
    ///     assert_eq!(t.into_inner().await, 5);
    /// });
    /// ```
    pub fn into_inner(self) -> F {
        self.future
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(output) = this.future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        Pin::new(this.sleep).poll(cx).map(|()| Err(Elapsed(())))
    }
}

/// The error of a [`timeout`] whose deadline passed first.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// ringio::run(async {
///     let err = ringio::time::timeout(Duration::ZERO, std::future::pending::<()>())
///         .await
///         .unwrap_err();
///     assert_eq!(err.to_string(), "deadline has elapsed");
/// });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(_: Elapsed) -> std::io::Error {
        std::io::ErrorKind::TimedOut.into()
    }
}
