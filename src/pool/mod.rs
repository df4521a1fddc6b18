//! Thread-per-core: one thread, one ring and one run queue per core, no work
//! stealing, no shared lock on the hot path (the glommio/monoio model).
//!
//! [`Pool::new`] gives a [`PoolBuilder`]; [`PoolBuilder::run`] starts the
//! workers, runs one future per worker on its own runtime, and joins them.
//! A server binds one `SO_REUSEPORT` listener per worker
//! ([`ListenOptions::reuse_port`](crate::net::ListenOptions)) and the kernel
//! balances connections; each connection lives on the core that accepted it.
//! [`spawn_on`] sends a `Send` future to another worker.
#![forbid(unsafe_code)]

mod shared;
mod shutdown;
mod worker;

pub use shutdown::PoolShutdown;
pub use worker::{spawn_on, WorkerId};

use crate::runtime::Builder;
use crate::sys::affinity;
use shared::{PoolShared, Registration, WorkerExit};
use std::future::Future;
use std::io;
use std::sync::Arc;

/// Entry point of the thread-per-core API: `Pool::new(threads)` returns a
/// [`PoolBuilder`].
///
/// # Examples
///
/// ```
/// let indexes = ringio::Pool::new(2)
///     .run(|worker| async move { worker.index() })
///     .unwrap();
/// assert_eq!(indexes, [0, 1]);
/// ```
#[derive(Debug)]
pub struct Pool {
    _private: (),
}

impl Pool {
    /// A builder for a pool of `threads` workers.
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = ringio::Pool::new(ringio::available_cores()).name("server");
    /// # drop(builder);
    /// ```
    #[allow(clippy::new_ret_no_self)]
    pub fn new(threads: usize) -> PoolBuilder {
        PoolBuilder {
            threads,
            pin_cores: false,
            runtime: Builder::new(),
            name: "ringio-worker".to_string(),
            shutdown: PoolShutdown::default(),
        }
    }
}

/// Configures and runs a pool of worker threads, each with its own runtime.
///
/// # Examples
///
/// ```
/// let sums = ringio::Pool::new(2)
///     .entries(128)
///     .name("adder")
///     .run(|worker| async move {
///         let task = ringio::spawn(async move { worker.index() * 10 });
///         task.await.unwrap()
///     })
///     .unwrap();
/// assert_eq!(sums, [0, 10]);
/// ```
#[derive(Debug, Clone)]
pub struct PoolBuilder {
    threads: usize,
    pin_cores: bool,
    runtime: Builder,
    name: String,
    shutdown: PoolShutdown,
}

impl PoolBuilder {
    /// Pins worker `i` to the `i`-th core this thread may run on
    /// (`sched_setaffinity`). [`run`](PoolBuilder::run) fails with a clear
    /// error when there are fewer cores than workers. Default: off.
    ///
    /// # Examples
    ///
    /// ```
    /// let n = ringio::available_cores();
    /// let ids = ringio::Pool::new(n).pin_cores(true).run(|w| async move { w }).unwrap();
    /// assert_eq!(ids.len(), n);
    /// ```
    pub fn pin_cores(mut self, pin: bool) -> PoolBuilder {
        self.pin_cores = pin;
        self
    }

    /// The submission queue size of every worker's ring (see
    /// [`Builder::entries`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let out = ringio::Pool::new(1).entries(64).run(|_| async { 1 }).unwrap();
    /// assert_eq!(out, [1]);
    /// ```
    pub fn entries(mut self, entries: u32) -> PoolBuilder {
        self.runtime.entries(entries);
        self
    }

    /// The runtime configuration every worker is built with (ring size,
    /// budget, flags); [`entries`](PoolBuilder::entries) edits the same.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut runtime = ringio::Builder::new();
    /// runtime.budget(32).msg_ring(false);
    /// let out = ringio::Pool::new(1).runtime(runtime).run(|_| async { 1 }).unwrap();
    /// assert_eq!(out, [1]);
    /// ```
    pub fn runtime(mut self, runtime: Builder) -> PoolBuilder {
        self.runtime = runtime;
        self
    }

    /// The worker threads' name prefix: threads are named `{prefix}-{index}`.
    ///
    /// # Examples
    ///
    /// ```
    /// let names = ringio::Pool::new(1)
    ///     .name("io")
    ///     .run(|_| async { std::thread::current().name().unwrap().to_string() })
    ///     .unwrap();
    /// assert_eq!(names, ["io-0"]);
    /// ```
    pub fn name(mut self, prefix: impl Into<String>) -> PoolBuilder {
        self.name = prefix.into();
        self
    }

    /// A handle that stops the pool from any thread (see [`PoolShutdown`]).
    /// It is shared by this builder's clones: one handle stops every pool
    /// run from them.
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = ringio::Pool::new(2);
    /// let stop = builder.shutdown_handle();
    /// let stopper = std::thread::spawn(move || stop.shutdown());
    /// let result = builder.run(|_| std::future::pending::<()>());
    /// stopper.join().unwrap();
    /// assert_eq!(result.unwrap_err().kind(), std::io::ErrorKind::Interrupted);
    /// ```
    pub fn shutdown_handle(&self) -> PoolShutdown {
        self.shutdown.clone()
    }

    /// Starts the workers, runs `f(worker)` on each worker's own runtime
    /// (the future may be `!Send`: it never leaves its thread), and returns
    /// the outputs in worker order once every worker's future finished. A
    /// worker whose future is done keeps running its tasks (and work sent
    /// to it with [`spawn_on`]) until all are; then every runtime is dropped
    /// with the tasks still left on it.
    ///
    /// # Errors
    ///
    /// - `InvalidInput` for zero threads, or for `pin_cores(true)` with fewer
    ///   cores than threads (nothing is started then);
    /// - a worker's runtime could not be built (`DriverKind::IoUring` where
    ///   io_uring is unavailable, ...):
    ///   the error names the worker, and the other workers stop;
    /// - a worker's future panicked: the error names the worker and carries
    ///   the panic message; the other workers' futures are dropped (their
    ///   shutdown signal) so nothing hangs;
    /// - `Interrupted`: the pool was stopped through its
    ///   [`shutdown_handle`](PoolBuilder::shutdown_handle).
    ///
    /// # Examples
    ///
    /// ```
    /// let err = ringio::Pool::new(2)
    ///     .run(|worker| async move {
    ///         if worker.index() == 1 {
    ///             panic!("bad request");
    ///         }
    ///         std::future::pending::<()>().await // stopped when worker 1 fails
    ///     })
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("worker 1 panicked: bad request"));
    /// ```
    pub fn run<F, Fut, T>(self, f: F) -> io::Result<Vec<T>>
    where
        F: Fn(WorkerId) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = T> + 'static,
        T: Send + 'static,
    {
        let threads = self.threads;
        if threads == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a pool needs at least one thread",
            ));
        }
        let cores = if self.pin_cores {
            let allowed = affinity::allowed_cores()?;
            if allowed.len() < threads {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "pin_cores: {threads} workers need {threads} cores, but this thread may \
                         run on only {} ({allowed:?})",
                        allowed.len()
                    ),
                ));
            }
            Some(allowed)
        } else {
            None
        };
        let runtime = self.runtime;
        let shared = Arc::new(PoolShared::new(threads));
        let registration = Registration::new(&shared);
        self.shutdown.attach(&shared);
        let f = Arc::new(f);
        let mut handles = Vec::with_capacity(threads);
        for index in 0..threads {
            let worker = WorkerId::new(shared.id, index, threads);
            let (worker_shared, f, runtime) = (shared.clone(), f.clone(), runtime.clone());
            let core = cores.as_ref().map(|c| c[index]);
            let spawned = std::thread::Builder::new()
                .name(format!("{}-{index}", self.name))
                .spawn(move || worker::main(worker, core, &runtime, &worker_shared, &*f));
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(e) => {
                    // The workers already started wait at the gate: open it
                    // with the stop flag set.
                    shared.stop();
                    shared.open_gate(handles.len());
                    for handle in handles {
                        let _ = handle.join();
                    }
                    return Err(io::Error::new(
                        e.kind(),
                        format!("starting worker {index}: {e}"),
                    ));
                }
            }
        }
        // Every worker runs its future only once all of them are registered,
        // so `spawn_on` from any of them finds every other.
        shared.open_gate(threads);
        let exits: Vec<WorkerExit<T>> = handles
            .into_iter()
            .enumerate()
            .map(|(index, handle)| {
                handle.join().unwrap_or_else(|_| {
                    WorkerExit::Panicked(format!("worker {index}: its thread panicked"))
                })
            })
            .collect();
        drop(registration);
        shared::collect(exits, self.shutdown.is_shutdown())
    }
}

/// How many cores this thread may run on (`sched_getaffinity`), at least 1:
/// the natural worker count for a [`Pool`].
///
/// # Examples
///
/// ```
/// assert!(ringio::available_cores() >= 1);
/// ```
pub fn available_cores() -> usize {
    affinity::allowed_cores().map_or(1, |cores| cores.len().max(1))
}
