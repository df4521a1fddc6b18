//! The executor: runtime, tasks, join handles. Safe code only; no io_uring
//! types appear here: the ring is reached through `driver::Handle`.
//!
//! One tick of [`Runtime::block_on`]:
//! 1. poll the `block_on` future if it was woken;
//! 2. poll up to *budget* ready tasks (their operations queue SQEs, no syscall);
//! 3. one `io_uring_enter`: submit everything queued and, if nothing is
//!    runnable, wait for a completion (or a wake from another thread);
//! 4. wake the tasks whose operations completed.
#![forbid(unsafe_code)]

mod abort;
mod blocking;
mod builder;
pub(crate) mod context;
mod executor;
mod join;
mod remote;
mod stats;
mod task;
mod task_context;
mod task_table;
mod waker;
mod yield_now;

pub use abort::AbortHandle;
pub(crate) use blocking::run_detached;
pub use blocking::spawn_blocking;
pub use builder::Builder;
pub(crate) use join::TaskOutput;
pub use join::{JoinError, JoinHandle};
pub(crate) use remote::Remote;
pub use stats::{stats, Stats};
pub(crate) use task_context::{task_token, waiter_for};
pub use yield_now::yield_now;

use crate::driver::{DriverKind, Handle, Waiter};
use executor::{Executor, MAIN_TASK};
use std::future::Future;
use std::io;
use std::pin::pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use waker::MainWaker;

/// A ringio runtime: one io_uring and one local task queue, owned by the
/// thread that built it (`Runtime` is not `Send`).
///
/// # Examples
///
/// ```
/// let rt = ringio::Runtime::new().unwrap();
/// let answer = rt.block_on(async {
///     ringio::spawn(async { 42 }).await.unwrap()
/// });
/// assert_eq!(answer, 42);
/// ```
///
/// A runtime stays on the thread that built it (its ring is set up with
/// `SINGLE_ISSUER`):
///
/// ```compile_fail
/// fn assert_send<T: Send>() {}
/// assert_send::<ringio::Runtime>();
/// ```
pub struct Runtime {
    driver: Handle,
    /// Why `DriverKind::Auto` runs on epoll, if it does.
    fallback_reason: Option<io::Error>,
    executor: Rc<Executor>,
    budget: usize,
    shutdown_timeout: Duration,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("id", &self.executor.remote.id)
            .field("driver", &self.driver.kind())
            .field("ring", &self.driver.mode())
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

impl Runtime {
    /// A runtime with the default configuration (see [`Builder`]).
    ///
    /// # Errors
    ///
    /// Where io_uring is unavailable (too old a kernel, a seccomp filter,
    /// `kernel.io_uring_disabled`) the runtime runs on epoll
    /// ([`DriverKind::Auto`]). Fails when neither driver can be set up (no
    /// fd left for the epoll set), or when `RINGIO_DRIVER` holds anything
    /// but `io_uring` or `epoll`.
    ///
    /// # Examples
    ///
    /// ```
    /// match ringio::Runtime::new() {
    ///     Ok(rt) => rt.block_on(async { ringio::yield_now().await }),
    ///     Err(e) => eprintln!("{e}"),
    /// }
    /// ```
    pub fn new() -> io::Result<Runtime> {
        Builder::new().build()
    }

    pub(crate) fn with_builder(builder: &Builder) -> io::Result<Runtime> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let (driver, fallback_reason) = Handle::new(&builder.ring)?;
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let remote = Arc::new(Remote::new(id, driver.unparker()));
        Ok(Runtime {
            executor: Rc::new(Executor::new(remote, driver.clone())),
            driver,
            fallback_reason,
            budget: builder.budget,
            shutdown_timeout: builder.shutdown_timeout,
        })
    }

    /// The driver this runtime runs on: [`DriverKind::IoUring`] or
    /// [`DriverKind::Epoll`] (never `Auto`).
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::DriverKind;
    ///
    /// let rt = ringio::Runtime::new().unwrap();
    /// assert!(matches!(rt.driver_kind(), DriverKind::IoUring | DriverKind::Epoll));
    /// ```
    pub fn driver_kind(&self) -> DriverKind {
        self.driver.kind()
    }

    /// Whether this runtime's parked waits are batched as
    /// [`Builder::wait_batch`](crate::Builder::wait_batch) asked: `false`
    /// when it was not asked, on the epoll driver, on a ring without
    /// `DEFER_TASKRUN` (SQPOLL, `defer_taskrun(false)`), and where the
    /// kernel lacks `IORING_FEAT_MIN_TIMEOUT` (before Linux 6.12).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = ringio::Runtime::new().unwrap();
    /// assert!(!rt.waits_in_batches());
    /// let rt = ringio::Builder::new()
    ///     .wait_batch(16, Duration::from_micros(50))
    ///     .build()
    ///     .unwrap();
    /// println!("batched waits: {}", rt.waits_in_batches());
    /// ```
    pub fn waits_in_batches(&self) -> bool {
        self.driver.waits_in_batches()
    }

    /// Why [`DriverKind::Auto`] chose epoll: io_uring's setup error (its
    /// message starts with "io_uring unavailable"), or the opcode the
    /// kernel lacks. `None` on io_uring, and where epoll was asked for.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = ringio::Runtime::new().unwrap();
    /// if let Some(why) = rt.driver_fallback_reason() {
    ///     eprintln!("ringio runs on epoll: {why}");
    /// }
    /// ```
    pub fn driver_fallback_reason(&self) -> Option<&io::Error> {
        self.fallback_reason.as_ref()
    }

    /// Runs `future` to completion on this thread, driving spawned tasks and
    /// the ring meanwhile. Returns as soon as `future` completes, even if
    /// spawned tasks are still pending (they stay with the runtime and are
    /// dropped with it).
    ///
    /// # Panics
    ///
    /// Panics if called from inside a runtime (a task or `block_on` future),
    /// if `future` panics, or if `io_uring_enter` fails in a way the runtime
    /// cannot recover from.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = ringio::Runtime::new().unwrap();
    /// let n = rt.block_on(async { ringio::spawn(async { 2 }).await.unwrap() });
    /// assert_eq!(n, 2);
    /// ```
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        assert!(
            !context::is_entered(),
            "cannot start a ringio runtime from within a runtime: \
             `block_on`/`ringio::run` was called inside a task; \
             await the future instead, or use `ringio::spawn`"
        );
        context::enter(&self.driver, &self.executor, || self.run_main(future))
    }

    /// The ticks of [`block_on`](Self::block_on), inside the runtime's
    /// context.
    fn run_main<F: Future>(&self, future: F) -> F::Output {
        let remote = &self.executor.remote;
        let waker = Waker::from(MainWaker::new(remote.clone()));
        let mut cx = Context::from_waker(&waker);
        let mut future = pin!(future);
        let mut woken = Vec::new();
        // The first tick polls the future.
        remote.wake_main_here();
        loop {
            // The tick's task polls, spent by `run_ready` and by tasks
            // polled in place of a wait on their handle.
            self.executor.start_tick(self.budget);
            if remote.take_main_woken() {
                task_context::set_task(MAIN_TASK, &waker);
                let poll = future.as_mut().poll(&mut cx);
                task_context::clear_task();
                if let Poll::Ready(output) = poll {
                    // Wakes this tick queued for other rings (MSG_RING) go
                    // out now, not whenever this runtime next runs.
                    if self.driver.has_queued_messages() {
                        self.turn_without_park(&mut woken);
                    }
                    return output;
                }
            }
            self.executor.drain_remote();
            self.executor.run_ready();
            self.executor.drain_remote();
            self.turn(&mut woken);
        }
    }

    /// One enter that never waits, then wakes.
    fn turn_without_park(&self, woken: &mut Vec<Waiter>) {
        let res = self.driver.turn(false, woken);
        for waiter in woken.drain(..) {
            self.executor.wake(waiter);
        }
        if let Err(e) = res {
            panic!("ringio: io_uring_enter failed: {e}");
        }
    }

    /// Step 3 and 4 of a tick: at most one `io_uring_enter`, then wakes.
    fn turn(&self, woken: &mut Vec<Waiter>) {
        let remote = &self.executor.remote;
        let busy = self.executor.has_ready() || remote.is_main_woken();
        let res = if !busy {
            // `prepare_park` publishes `parked`, then fences, before this
            // reads `main_woken`; a waker sets `main_woken`, then fences,
            // before it reads `parked` (remote.rs), so a wake of the
            // block_on future is never missed.
            let park = remote.prepare_park() && !remote.is_main_woken();
            let res = self.driver.turn(park, woken);
            remote.unpark_done();
            res
        } else {
            self.driver.turn_busy(woken)
        };
        // Most busy ticks wake nothing: no drain to set up and tear down.
        if !woken.is_empty() {
            for waiter in woken.drain(..) {
                self.executor.wake(waiter);
            }
        }
        if let Err(e) = res {
            panic!("ringio: io_uring_enter failed: {e}");
        }
    }
}

impl Runtime {
    /// The inbox other threads use to schedule work here.
    pub(crate) fn remote(&self) -> Arc<Remote> {
        self.executor.remote.clone()
    }
}

impl Drop for Runtime {
    /// Drops every task still alive (their in-flight operations are
    /// cancelled), then cancels and drains the ring (bounded by the
    /// builder's `shutdown_timeout`).
    fn drop(&mut self) {
        context::enter(&self.driver, &self.executor, || {
            self.driver.begin_shutdown();
            self.executor.shutdown();
            self.driver.shutdown(self.shutdown_timeout);
        });
        crate::io::close_idle_pipes(self.driver.id());
    }
}

/// Runs `future` on a new default runtime on this thread and returns its
/// output; the runtime (and any task still pending) is dropped afterwards.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let out = ringio::run(async {
///     ringio::time::sleep(Duration::from_millis(1)).await;
///     "done"
/// });
/// assert_eq!(out, "done");
/// ```
///
/// # Panics
///
/// Panics if no runtime can be built (with the message of
/// [`Runtime::new`]'s error), if called inside a runtime, or if `future`
/// panics.
pub fn run<F: Future>(future: F) -> F::Output {
    assert!(
        !context::is_entered(),
        "cannot start a ringio runtime from within a runtime: \
         `ringio::run` was called inside a task; await the future instead"
    );
    match Runtime::new() {
        Ok(runtime) => runtime.block_on(future),
        Err(e) => panic!("{e}"),
    }
}

/// The driver of the current thread's runtime: [`DriverKind::IoUring`] or
/// [`DriverKind::Epoll`].
///
/// # Panics
///
/// Panics when called outside a ringio runtime.
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     println!("running on {:?}", ringio::driver_kind());
/// });
/// ```
pub fn driver_kind() -> DriverKind {
    context::with_driver(Handle::kind)
}

/// Spawns a task on the current thread's runtime and returns its handle.
///
/// The future need not be `Send`: it runs on this thread only. Dropping the
/// handle detaches the task. A panic inside the task is caught and reported
/// through the handle; the runtime and other tasks go on.
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
///
/// ringio::run(async {
///     let shared = Rc::new(5); // !Send is fine
///     let handle = ringio::spawn({
///         let shared = shared.clone();
///         async move { *shared * 2 }
///     });
///     assert_eq!(handle.await.unwrap(), 10);
/// });
/// ```
///
/// # Panics
///
/// Panics with a clear message when called outside a ringio runtime.
#[inline]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    context::spawn_local(future)
}
