//! [`HyperTimer`] and [`HyperSleep`]: hyper's timers on the runtime's
//! timer queue.

use crate::driver::timers::deadline_after;
use crate::time::timer::{DetachedTimer, SleepState};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// hyper's `Timer` on ringio: each sleep is an entry in the runtime's timer
/// queue (no submission entry, no system call). `reset` to a later
/// deadline, what hyper does with its header-read timer on every request,
/// keeps the queued entry: it touches no queue until the old deadline.
///
/// # Examples
///
/// ```no_run
/// use std::time::Duration;
///
/// ringio::run(async {
///     let listener = ringio::net::TcpListener::bind("127.0.0.1:8080").unwrap();
///     let (stream, _) = listener.accept().await.unwrap();
///     let service = hyper::service::service_fn(|_req| async {
///         Ok::<_, std::convert::Infallible>(hyper::Response::new(String::from("hi")))
///     });
///     let _ = hyper::server::conn::http1::Builder::new()
///         .timer(ringio::hyper::HyperTimer::new())
///         .header_read_timeout(Duration::from_secs(5))
///         .serve_connection(ringio::hyper::HyperIo::new(stream), service)
///         .await;
/// });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct HyperTimer {
    _private: (),
}

impl HyperTimer {
    /// A timer for the current thread's runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// let _timer = ringio::hyper::HyperTimer::new();
    /// ```
    pub fn new() -> HyperTimer {
        HyperTimer::default()
    }
}

impl ::hyper::rt::Timer for HyperTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn ::hyper::rt::Sleep>> {
        Box::pin(HyperSleep::until(deadline_after(Instant::now(), duration)))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn ::hyper::rt::Sleep>> {
        Box::pin(HyperSleep::until(deadline))
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn ::hyper::rt::Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<HyperSleep>() {
            Some(ours) => ours.get_mut().reset(new_deadline),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

/// The sleep [`HyperTimer`] makes: like [`time::Sleep`](crate::time::Sleep),
/// and `Send + Sync` as hyper requires (it holds no handle to the runtime,
/// only its timer's place in the queue). It is polled on the thread of the
/// runtime that armed it; polled elsewhere it is ready at once.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// ringio::run(async {
///     let start = Instant::now();
///     ringio::hyper::HyperSleep::until(start + Duration::from_millis(2)).await;
///     assert!(start.elapsed() >= Duration::from_millis(2));
/// });
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct HyperSleep {
    state: SleepState<DetachedTimer>,
}

impl HyperSleep {
    /// A sleep until `deadline` (queued on first poll).
    ///
    /// # Examples
    ///
    /// ```
    /// let sleep = ringio::hyper::HyperSleep::until(std::time::Instant::now());
    /// assert!(sleep.deadline() <= std::time::Instant::now());
    /// ```
    pub fn until(deadline: Instant) -> HyperSleep {
        HyperSleep {
            state: SleepState::new(deadline),
        }
    }

    /// The instant this sleep completes at.
    ///
    /// # Examples
    ///
    /// ```
    /// let at = std::time::Instant::now();
    /// assert_eq!(ringio::hyper::HyperSleep::until(at).deadline(), at);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.state.deadline()
    }

    /// Moves the deadline; as [`time::Sleep::reset`](crate::time::Sleep::reset),
    /// a queued timer for an earlier instant stays queued.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// ringio::run(async {
    ///     let mut sleep = ringio::hyper::HyperSleep::until(Instant::now() + Duration::from_secs(60));
    ///     sleep.reset(Instant::now() + Duration::from_millis(1));
    ///     sleep.await;
    /// });
    /// ```
    pub fn reset(&mut self, deadline: Instant) {
        self.state.reset(deadline);
    }
}

impl Future for HyperSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.get_mut().state.poll(cx.waker())
    }
}

impl ::hyper::rt::Sleep for HyperSleep {}
