//! One worker thread's life, [`WorkerId`], and [`spawn_on`].

use super::shared::{self, PoolShared, WorkerExit};
use crate::runtime::{Builder, JoinHandle, Remote, TaskOutput};
use crate::sys::affinity;
use futures_util::FutureExt;
use std::cell::RefCell;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// Identifies one worker of a running [`Pool`](crate::Pool): passed to the
/// worker's closure, and the target of [`spawn_on`].
///
/// # Examples
///
/// ```
/// let ids = ringio::Pool::new(2).run(|worker| async move { worker }).unwrap();
/// assert_ne!(ids[0], ids[1]);
/// assert_eq!(ids[1].index(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkerId {
    pool: u64,
    index: usize,
    threads: usize,
}

impl WorkerId {
    pub(crate) fn new(pool: u64, index: usize, threads: usize) -> WorkerId {
        WorkerId {
            pool,
            index,
            threads,
        }
    }

    /// The worker at `index` in the same pool (`None` past its size): the
    /// way to name another worker for [`spawn_on`].
    ///
    /// # Examples
    ///
    /// ```
    /// let out = ringio::Pool::new(2)
    ///     .run(|me| async move { (me.sibling(1).map(|w| w.index()), me.sibling(2)) })
    ///     .unwrap();
    /// assert_eq!(out[0], (Some(1), None));
    /// ```
    pub fn sibling(&self, index: usize) -> Option<WorkerId> {
        (index < self.threads).then_some(WorkerId { index, ..*self })
    }

    /// How many workers the pool has.
    ///
    /// # Examples
    ///
    /// ```
    /// let out = ringio::Pool::new(3).run(|me| async move { me.pool_size() }).unwrap();
    /// assert_eq!(out, [3, 3, 3]);
    /// ```
    pub fn pool_size(&self) -> usize {
        self.threads
    }

    /// The worker's position in its pool, from 0.
    ///
    /// # Examples
    ///
    /// ```
    /// let out = ringio::Pool::new(3).run(|w| async move { w.index() }).unwrap();
    /// assert_eq!(out, [0, 1, 2]);
    /// ```
    pub fn index(&self) -> usize {
        self.index
    }
}

thread_local! {
    /// The pool this thread works for, if any: `spawn_on` from a worker
    /// needs no registry lookup.
    static CURRENT_POOL: RefCell<Option<Arc<PoolShared>>> = const { RefCell::new(None) };
}

/// A worker thread: pin, build the runtime, register, wait for the others,
/// run the future until it finishes or the pool stops.
pub(crate) fn main<F, Fut, T>(
    worker: WorkerId,
    core: Option<usize>,
    runtime: &Builder,
    shared: &Arc<PoolShared>,
    f: &F,
) -> WorkerExit<T>
where
    F: Fn(WorkerId) -> Fut,
    Fut: Future<Output = T>,
{
    let index = worker.index;
    let setup = core
        .map_or(Ok(()), |core| {
            affinity::pin_to(core)
                .map_err(|e| std::io::Error::new(e.kind(), format!("pinning to core {core}: {e}")))
        })
        .and_then(|()| runtime.build());
    let runtime = match setup {
        Ok(runtime) => {
            let _ = shared.workers[index].set(runtime.remote());
            Some(runtime)
        }
        Err(e) => {
            shared.stop();
            let _ = shared.arrive_and_wait();
            return WorkerExit::SetupFailed(e);
        }
    };
    if !shared.arrive_and_wait() {
        return WorkerExit::Stopped;
    }
    let runtime = runtime.expect("built above");
    CURRENT_POOL.with(|current| *current.borrow_mut() = Some(shared.clone()));
    let stop = shared.stop_signal(index);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let output = runtime.block_on(async {
            let work = std::pin::pin!(f(worker));
            match futures_util::future::select(work, stop).await {
                futures_util::future::Either::Left((output, _)) => Some(output),
                futures_util::future::Either::Right(((), _)) => None,
            }
        });
        if output.is_some() {
            // The runtime keeps serving its tasks (and `spawn_on` work from
            // the other workers) until every worker is through.
            shared.finish_one();
            runtime.block_on(shared.all_finished_signal(index));
        }
        output
    }));
    let exit = match outcome {
        Ok(Some(output)) => WorkerExit::Done(output),
        Ok(None) => WorkerExit::Stopped,
        Err(panic) => {
            shared.stop();
            WorkerExit::Panicked(format!(
                "worker {index} panicked: {}",
                panic_message(&*panic)
            ))
        }
    };
    drop(runtime);
    CURRENT_POOL.with(|current| current.borrow_mut().take());
    exit
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s
    } else {
        "(a non-string panic payload)"
    }
}

/// The inbox of `worker`, if its pool still runs.
fn remote_of(worker: WorkerId) -> Option<Arc<Remote>> {
    let from_here = CURRENT_POOL.with(|current| {
        let current = current.borrow();
        let shared = current.as_ref().filter(|s| s.id == worker.pool)?;
        shared.workers.get(worker.index)?.get().cloned()
    });
    from_here.or_else(|| {
        shared::lookup(worker.pool)?
            .workers
            .get(worker.index)?
            .get()
            .cloned()
    })
}

/// Runs a `Send` future on `worker`'s runtime (its thread and ring) and
/// returns its handle, from any thread. The future is polled on the target
/// worker every time it is woken, wherever the wake comes from.
///
/// If the pool has finished (or the worker has), the future is dropped and
/// the handle resolves to a cancelled [`JoinError`](crate::JoinError). A
/// panic is reported through the handle; the worker goes on.
///
/// The future must be `Send` because it crosses threads before it first
/// runs: it cannot hold the worker's sockets across an await, but it can
/// carry a `std` socket and [`spawn`](crate::spawn) a local task that wraps
/// it.
///
/// # Examples
///
/// ```
/// let out = ringio::Pool::new(2)
///     .run(|me| async move {
///         let other = me.sibling(1 - me.index()).unwrap();
///         let name = ringio::spawn_on(other, async {
///             std::thread::current().name().unwrap().to_string()
///         });
///         name.await.unwrap()
///     })
///     .unwrap();
/// assert_eq!(out, ["ringio-worker-1", "ringio-worker-0"]);
/// ```
pub fn spawn_on<F>(worker: WorkerId, future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let remote = remote_of(worker);
    let job = async move { AssertUnwindSafe(future).catch_unwind().await as TaskOutput<F::Output> };
    let (runnable, task) = async_task::spawn(job, move |runnable| match &remote {
        Some(remote) => remote.push_runnable(runnable),
        None => drop(runnable),
    });
    runnable.schedule();
    JoinHandle::sendable(task)
}
