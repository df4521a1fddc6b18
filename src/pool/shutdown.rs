//! [`PoolShutdown`]: stops a running pool from outside it.

use super::shared::PoolShared;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};

/// Stops a pool from any thread: what
/// [`PoolBuilder::shutdown_handle`](crate::PoolBuilder::shutdown_handle)
/// returns.
///
/// [`shutdown`](PoolShutdown::shutdown) drops every worker's future at its
/// worker's next tick, then each runtime with the tasks still on it (their
/// operations are cancelled, see the crate docs on closing resources), and
/// [`PoolBuilder::run`](crate::PoolBuilder::run) returns an error of kind
/// `Interrupted`. A handle taken before `run` also stops a pool that has not
/// started yet: `run` then starts no future.
///
/// For a *graceful* stop, where each worker finishes its in-flight work and
/// returns an output, share a [`CancellationToken`](crate::sync::CancellationToken)
/// with the workers instead, and let their futures return once it is
/// cancelled; `shutdown` is the hard stop behind it (after a deadline).
///
/// `Clone + Send + Sync`: clones stop the same pool.
///
/// # Examples
///
/// ```
/// let builder = ringio::Pool::new(2);
/// let stop = builder.shutdown_handle();
/// let err = builder
///     .run(move |worker| {
///         let stop = stop.clone();
///         async move {
///             if worker.index() == 1 {
///                 stop.shutdown(); // or from a signal handler's task, another thread...
///             }
///             std::future::pending::<()>().await
///         }
///     })
///     .unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::Interrupted);
/// ```
#[derive(Clone, Default)]
pub struct PoolShutdown {
    state: Arc<State>,
}

#[derive(Default)]
struct State {
    requested: AtomicBool,
    /// The pools run with this handle and still running.
    pools: Mutex<Vec<Weak<PoolShared>>>,
}

impl PoolShutdown {
    /// Stops the pool (see the type's docs). Idempotent; returns at once
    /// without waiting for the workers to stop.
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = ringio::Pool::new(1);
    /// let stop = builder.shutdown_handle();
    /// stop.shutdown(); // before `run`: the pool stops at once
    /// let err = builder.run(|_| std::future::pending::<()>()).unwrap_err();
    /// assert!(err.to_string().contains("shut down"));
    /// ```
    pub fn shutdown(&self) {
        self.state.requested.store(true, Ordering::SeqCst);
        let pools = self.lock().clone();
        for pool in pools.iter().filter_map(Weak::upgrade) {
            pool.stop();
        }
    }

    /// Whether [`shutdown`](PoolShutdown::shutdown) was called.
    ///
    /// # Examples
    ///
    /// ```
    /// let stop = ringio::Pool::new(1).shutdown_handle();
    /// assert!(!stop.is_shutdown());
    /// stop.shutdown();
    /// assert!(stop.is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.state.requested.load(Ordering::SeqCst)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Weak<PoolShared>>> {
        self.state
            .pools
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Ties a starting pool to this handle; stops it at once if shutdown
    /// was already requested.
    pub(crate) fn attach(&self, pool: &Arc<PoolShared>) {
        {
            let mut pools = self.lock();
            pools.retain(|p| p.strong_count() > 0);
            pools.push(Arc::downgrade(pool));
        }
        // Checked after registering: a concurrent `shutdown` either sees the
        // pool in the list or has set the flag this load sees.
        if self.is_shutdown() {
            pool.stop();
        }
    }
}

impl fmt::Debug for PoolShutdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolShutdown")
            .field("shutdown", &self.is_shutdown())
            .finish()
    }
}
