//! [`JoinSet`]: a set of tasks awaited in the order they finish.

use crate::runtime::{AbortHandle, JoinError, JoinHandle};
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::FutureExt;
use std::fmt;
use std::future::Future;
use std::task::{Context, Poll};

/// A set of tasks on the current runtime, whose results are taken in the
/// order the tasks finish (asyncio's `as_completed`, tokio's `JoinSet`).
///
/// Dropping the set aborts every task still in it. Only tasks that have
/// woken their join handle are polled by [`join_next`](JoinSet::join_next),
/// so waiting on a large set costs per finished task, not per task.
///
/// # Examples
///
/// ```
/// use ringio::task::JoinSet;
/// use std::time::Duration;
///
/// ringio::run(async {
///     let mut set = JoinSet::new();
///     for ms in [30u64, 10, 20] {
///         set.spawn(async move {
///             ringio::time::sleep(Duration::from_millis(ms)).await;
///             ms
///         });
///     }
///     let mut order = Vec::new();
///     while let Some(done) = set.join_next().await {
///         order.push(done.unwrap());
///     }
///     assert_eq!(order, [10, 20, 30]);
/// });
/// ```
pub struct JoinSet<T> {
    tasks: FuturesUnordered<JoinHandle<T>>,
}

impl<T: 'static> JoinSet<T> {
    /// An empty set.
    ///
    /// # Examples
    ///
    /// ```
    /// let set = ringio::task::JoinSet::<()>::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> JoinSet<T> {
        JoinSet {
            tasks: FuturesUnordered::new(),
        }
    }

    /// How many tasks are in the set (running, or finished and not yet
    /// taken by [`join_next`](JoinSet::join_next)).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut set = ringio::task::JoinSet::new();
    ///     set.spawn(async {});
    ///     assert_eq!(set.len(), 1);
    /// });
    /// ```
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Whether the set holds no task.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut set = ringio::task::JoinSet::new();
    ///     set.spawn(async {});
    ///     set.join_next().await.unwrap().unwrap();
    ///     assert!(set.is_empty());
    /// });
    /// ```
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Spawns `future` on the current runtime (see [`spawn`](crate::spawn):
    /// it need not be `Send`) into the set.
    ///
    /// # Panics
    ///
    /// Outside a ringio runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut set = ringio::task::JoinSet::new();
    ///     let abort = set.spawn(std::future::pending::<()>());
    ///     abort.abort();
    ///     assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.insert(crate::spawn(future))
    }

    /// Runs `f` on the blocking pool (see
    /// [`spawn_blocking`](crate::spawn_blocking)) as a member of the set.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut set = ringio::task::JoinSet::new();
    ///     set.spawn_blocking(|| 7);
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), 7);
    /// });
    /// ```
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send,
    {
        self.insert(crate::spawn_blocking(f))
    }

    /// Adds an already spawned task to the set.
    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        self.tasks.push(handle);
        abort
    }

    /// Waits for the next task of the set to finish and takes its result;
    /// `None` once the set is empty.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a dropped `join_next` future takes nothing out of the
    /// set, and the next call sees every task still there.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut set = ringio::task::JoinSet::new();
    ///     set.spawn(async { panic!("boom") });
    ///     assert!(set.join_next().await.unwrap().unwrap_err().is_panic());
    ///     assert!(set.join_next().await.is_none());
    /// });
    /// ```
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.tasks.next().await
    }

    /// The poll behind [`join_next`](JoinSet::join_next), for hand-written
    /// futures: `Ready(None)` when the set is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut set = ringio::task::JoinSet::new();
    ///     set.spawn(async { 3 });
    ///     let out = std::future::poll_fn(|cx| set.poll_join_next(cx)).await;
    ///     assert_eq!(out.unwrap().unwrap(), 3);
    /// });
    /// ```
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        self.tasks.poll_next_unpin(cx)
    }

    /// The result of a task that has already finished, without waiting;
    /// `None` if none has (or the set is empty).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut set = ringio::task::JoinSet::new();
    ///     set.spawn(async { 5 });
    ///     assert!(set.try_join_next().is_none()); // not run yet
    ///     ringio::yield_now().await;
    ///     assert_eq!(set.try_join_next().unwrap().unwrap(), 5);
    /// });
    /// ```
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.tasks.next().now_or_never().flatten()
    }

    /// Waits for every task and returns their outputs in the order they
    /// finished.
    ///
    /// # Panics
    ///
    /// If a task panicked, the panic is resumed here; an aborted task
    /// panics with its [`JoinError`] (as tokio's `join_all`). Use
    /// [`join_next`](JoinSet::join_next) to handle failures one by one.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut set = ringio::task::JoinSet::new();
    ///     set.spawn(async { 1 });
    ///     set.spawn(async { 2 });
    ///     let mut all = set.join_all().await;
    ///     all.sort();
    ///     assert_eq!(all, [1, 2]);
    /// });
    /// ```
    pub async fn join_all(mut self) -> Vec<T> {
        let mut outputs = Vec::with_capacity(self.len());
        while let Some(result) = self.join_next().await {
            match result {
                Ok(value) => outputs.push(value),
                Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
                Err(err) => panic!("a task of the JoinSet failed: {err}"),
            }
        }
        outputs
    }

    /// Aborts every task in the set. They stay in it until taken by
    /// [`join_next`](JoinSet::join_next) (as cancelled, unless they had
    /// finished first).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut set = ringio::task::JoinSet::new();
    ///     for _ in 0..3 {
    ///         set.spawn(std::future::pending::<()>());
    ///     }
    ///     set.abort_all();
    ///     while let Some(result) = set.join_next().await {
    ///         assert!(result.unwrap_err().is_cancelled());
    ///     }
    /// });
    /// ```
    pub fn abort_all(&mut self) {
        for task in self.tasks.iter() {
            task.abort();
        }
    }

    /// Aborts every task and waits until each has stopped; the set is empty
    /// afterwards.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut set = ringio::task::JoinSet::new();
    ///     set.spawn(std::future::pending::<()>());
    ///     set.shutdown().await;
    ///     assert!(set.is_empty());
    /// });
    /// ```
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// Empties the set without aborting: every task keeps running, detached.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut set = ringio::task::JoinSet::new();
    ///     set.spawn(async {});
    ///     set.detach_all();
    ///     assert!(set.is_empty());
    /// });
    /// ```
    pub fn detach_all(&mut self) {
        self.tasks.clear();
    }
}

impl<T: 'static> Default for JoinSet<T> {
    fn default() -> JoinSet<T> {
        JoinSet::new()
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        for task in self.tasks.iter() {
            task.abort();
        }
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet")
            .field("len", &self.tasks.len())
            .finish()
    }
}
