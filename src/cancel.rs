//! Operations that hand their buffer back when cancelled.
//!
//! Dropping an operation's future cancels it, but the buffer goes with the
//! future (the runtime frees it once the kernel lets go). The futures of
//! ringio's owned-buffer methods (every method that returns a
//! [`BufResult`]) implement [`Cancellable`] instead: [`timeout`] and
//! [`cancel_on`] cancel the operation in the kernel, *wait* for the kernel
//! to let go, and resolve to the buffer with the result:
//!
//! - `Err` of kind [`TimedOut`](io::ErrorKind::TimedOut) (`timeout`) or
//!   [`Interrupted`](io::ErrorKind::Interrupted) (`cancel_on`) when the
//!   operation was cancelled before it did anything;
//! - the operation's own result when it completed first, bytes included:
//!   a read that completed as the timer fired is `Ok(n)` with its `n`
//!   bytes, a write that went out is `Ok(n)`.
//!
//! Three limits, each because the kernel cannot give an answer sooner:
//!
//! - A method that loops over several operations (`write_all`,
//!   `write_all_at`, `read_exact_at`) stops at the operation that was
//!   cancelled; the ones before it stand. Its `TimedOut` may then come after
//!   some bytes moved, and how many is not reported, as when it is dropped.
//! - On the epoll driver, an operation running on the blocking pool (a
//!   regular file's page-cache miss, a tty read) cannot be stopped: the
//!   future resolves when it completes, with its result.
//! - A zero-copy send ([`send_zc`](crate::net::TcpStream::send_zc)) holds
//!   its buffer until the kernel's notification, which no cancel hastens.
//!
//! [`timeout`]: Cancellable::timeout
//! [`cancel_on`]: Cancellable::cancel_on
//!
//! # Examples
//!
//! ```no_run
//! use ringio::Cancellable;
//! use std::time::Duration;
//!
//! ringio::run(async {
//!     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
//!     let (res, buf) = stream
//!         .read(vec![0u8; 4096])
//!         .timeout(Duration::from_secs(1))
//!         .await;
//!     match res {
//!         Ok(n) => println!("{:?}", &buf[..n]),
//!         Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
//!             // Nothing was read; `buf` is back for the next try.
//!         }
//!         Err(e) => eprintln!("{e}"),
//!     }
//! });
//! ```

use crate::buf::BufResult;
use crate::runtime::context;
use crate::time::sleep;
use pin_project_lite::pin_project;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

mod sealed {
    pub trait Sealed {}
}

/// The future of an owned-buffer operation, which can be cancelled with its
/// buffer handed back (see [the module](crate::cancel)).
///
/// Implemented by the futures of every ringio method that returns a
/// [`BufResult`]; sealed.
pub trait Cancellable: Future + Sized + sealed::Sealed {
    /// Runs the operation for at most `duration`. On expiry the operation
    /// is cancelled in the kernel and awaited: the result is `Err` of kind
    /// [`TimedOut`](io::ErrorKind::TimedOut) with the buffer back, or the
    /// operation's own result if it completed first (its bytes kept).
    ///
    /// Dropping the returned future drops the operation (cancelled as any
    /// dropped operation is; the buffer goes with it).
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::Cancellable;
    /// use std::time::Duration;
    ///
    /// ringio::run(async {
    ///     let (reader, _writer) = ringio::io::pipe().unwrap();
    ///     // Nobody writes: the read times out and the buffer comes back.
    ///     let (res, buf) = reader
    ///         .read(Vec::with_capacity(64))
    ///         .timeout(Duration::from_millis(5))
    ///         .await;
    ///     assert_eq!(res.unwrap_err().kind(), std::io::ErrorKind::TimedOut);
    ///     assert_eq!(buf.capacity(), 64);
    /// });
    /// ```
    fn timeout(self, duration: Duration) -> impl Future<Output = Self::Output>;

    /// Runs the operation until `canceller` is cancelled (from any task or
    /// thread). Then the operation is cancelled in the kernel and awaited:
    /// the result is `Err` of kind [`Interrupted`](io::ErrorKind::Interrupted)
    /// with the buffer back, or the operation's own result if it completed
    /// first.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::{Cancellable, Canceller};
    ///
    /// ringio::run(async {
    ///     let (reader, _writer) = ringio::io::pipe().unwrap();
    ///     let canceller = Canceller::new();
    ///     let stop = canceller.clone();
    ///     drop(ringio::spawn(async move { stop.cancel() }));
    ///     let (res, buf) = reader.read(vec![0u8; 64]).cancel_on(&canceller).await;
    ///     assert_eq!(res.unwrap_err().kind(), std::io::ErrorKind::Interrupted);
    ///     assert_eq!(buf.len(), 64);
    /// });
    /// ```
    fn cancel_on(self, canceller: &Canceller) -> impl Future<Output = Self::Output>;
}

/// Cancels the operations awaited with [`Cancellable::cancel_on`] on it.
/// Clones share one state; `cancel` is sticky and works from any thread.
///
/// # Examples
///
/// ```
/// let canceller = ringio::Canceller::new();
/// assert!(!canceller.is_cancelled());
/// canceller.clone().cancel();
/// assert!(canceller.is_cancelled());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Canceller {
    token: CancellationToken,
}

impl Canceller {
    /// A canceller not yet cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// let canceller = ringio::Canceller::new();
    /// # assert!(!canceller.is_cancelled());
    /// ```
    pub fn new() -> Canceller {
        Canceller::default()
    }

    /// Cancels every operation awaited on this canceller (or a clone), now
    /// and later.
    ///
    /// # Examples
    ///
    /// ```
    /// let canceller = ringio::Canceller::new();
    /// canceller.cancel();
    /// # assert!(canceller.is_cancelled());
    /// ```
    pub fn cancel(&self) {
        self.token.cancel();
    }

    /// Whether [`cancel`](Canceller::cancel) was called.
    ///
    /// # Examples
    ///
    /// ```
    /// let canceller = ringio::Canceller::new();
    /// assert!(!canceller.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }
}

impl From<CancellationToken> for Canceller {
    /// A canceller cancelled with `token` (and its parents).
    fn from(token: CancellationToken) -> Canceller {
        Canceller { token }
    }
}

pin_project! {
    /// An owned-buffer operation's future, [`Cancellable`].
    #[must_use = "futures do nothing unless polled"]
    pub(crate) struct CancellableOp<F> {
        #[pin]
        op: F,
    }
}

/// Makes `op` (an owned-buffer operation's future) [`Cancellable`].
#[inline]
pub(crate) fn cancellable<F, T, B>(op: F) -> CancellableOp<F>
where
    F: Future<Output = BufResult<T, B>>,
{
    CancellableOp { op }
}

impl<F: Future> Future for CancellableOp<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.project().op.poll(cx)
    }
}

impl<F> sealed::Sealed for CancellableOp<F> {}

impl<F, T, B> Cancellable for CancellableOp<F>
where
    F: Future<Output = BufResult<T, B>>,
{
    fn timeout(self, duration: Duration) -> impl Future<Output = Self::Output> {
        CancelWhen {
            op: self.op,
            signal: sleep(duration),
            fired: false,
            reason: Reason::TimedOut(duration),
        }
    }

    fn cancel_on(self, canceller: &Canceller) -> impl Future<Output = Self::Output> {
        CancelWhen {
            op: self.op,
            signal: canceller.token.clone().cancelled_owned(),
            fired: false,
            reason: Reason::Cancelled,
        }
    }
}

/// Why an operation was cancelled.
#[derive(Debug, Clone, Copy)]
enum Reason {
    TimedOut(Duration),
    Cancelled,
}

impl Reason {
    fn error(self) -> io::Error {
        match self {
            Reason::TimedOut(after) => io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the operation timed out after {after:?} and was cancelled"),
            ),
            Reason::Cancelled => io::Error::new(
                io::ErrorKind::Interrupted,
                "the operation was cancelled by its Canceller",
            ),
        }
    }
}

pin_project! {
    /// Runs `op` until `signal` fires, then cancels it and waits for it.
    struct CancelWhen<F, S> {
        #[pin]
        op: F,
        #[pin]
        signal: S,
        fired: bool,
        reason: Reason,
    }
}

impl<F, S, T, B> Future for CancelWhen<F, S>
where
    F: Future<Output = BufResult<T, B>>,
    S: Future,
{
    type Output = BufResult<T, B>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<BufResult<T, B>> {
        let mut this = self.project();
        if !*this.fired {
            if let Poll::Ready(done) = this.op.as_mut().poll(cx) {
                return Poll::Ready(done);
            }
            ready!(this.signal.poll(cx));
            *this.fired = true;
        }
        // Every operation the future waits on from now on is cancelled in
        // the kernel as it is polled; the future then completes with what
        // the kernel reports.
        let (res, buf) = ready!(context::cancelling(|| this.op.poll(cx)));
        let res = match res {
            Err(e) if is_cancellation(&e) => Err(this.reason.error()),
            other => other,
        };
        Poll::Ready((res, buf))
    }
}

/// Runs `step` (a part of an operation with nothing in the kernel, such as
/// a name lookup) unless a [`Cancellable`] cancels it: then it is dropped
/// and reports `ECANCELED`, as a cancelled ring operation does.
pub(crate) async fn unless_cancelled<T>(
    step: impl Future<Output = io::Result<T>>,
) -> io::Result<T> {
    let mut step = std::pin::pin!(step);
    std::future::poll_fn(|cx| match step.as_mut().poll(cx) {
        Poll::Pending if context::cancel_requested() => {
            Poll::Ready(Err(io::Error::from_raw_os_error(libc::ECANCELED)))
        }
        poll => poll,
    })
    .await
}

/// Whether `e` is what a cancelled operation completes with: `ECANCELED`,
/// or `EINTR` from an operation the kernel was running on a worker thread.
fn is_cancellation(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ECANCELED | libc::EINTR))
}
