//! What a pool's workers share: their inboxes (for `spawn_on`), the start
//! gate, and the stop signal.

use crate::runtime::Remote;
use futures_util::task::AtomicWaker;
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError, Weak};
use std::task::{Context, Poll};

/// One pool's shared state.
pub(crate) struct PoolShared {
    pub(crate) id: u64,
    /// Each worker's remote inbox, set once its runtime is built.
    pub(crate) workers: Vec<OnceLock<Arc<Remote>>>,
    stopping: AtomicBool,
    /// Workers whose future has finished.
    finished: AtomicUsize,
    /// Each worker's stop-signal waker.
    signals: Vec<AtomicWaker>,
    gate: Mutex<Gate>,
    gate_changed: Condvar,
}

#[derive(Default)]
struct Gate {
    arrived: usize,
    open: bool,
}

/// How one worker ended.
pub(crate) enum WorkerExit<T> {
    Done(T),
    /// Stopped by the pool (another worker failed) before finishing.
    Stopped,
    /// Its runtime could not be built.
    SetupFailed(io::Error),
    /// Its future panicked; the message says which worker and why.
    Panicked(String),
}

impl PoolShared {
    pub(crate) fn new(threads: usize) -> PoolShared {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        PoolShared {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            workers: (0..threads).map(|_| OnceLock::new()).collect(),
            stopping: AtomicBool::new(false),
            finished: AtomicUsize::new(0),
            signals: (0..threads).map(|_| AtomicWaker::new()).collect(),
            gate: Mutex::new(Gate::default()),
            gate_changed: Condvar::new(),
        }
    }

    fn lock_gate(&self) -> std::sync::MutexGuard<'_, Gate> {
        self.gate.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A worker is set up (or failed to be); waits until the gate opens and
    /// returns whether to go on.
    pub(crate) fn arrive_and_wait(&self) -> bool {
        let mut gate = self.lock_gate();
        gate.arrived += 1;
        self.gate_changed.notify_all();
        while !gate.open {
            gate = self
                .gate_changed
                .wait(gate)
                .unwrap_or_else(PoisonError::into_inner);
        }
        !self.is_stopping()
    }

    /// Waits until `workers` workers arrived, then lets them all go.
    pub(crate) fn open_gate(&self, workers: usize) {
        let mut gate = self.lock_gate();
        while gate.arrived < workers {
            gate = self
                .gate_changed
                .wait(gate)
                .unwrap_or_else(PoisonError::into_inner);
        }
        gate.open = true;
        self.gate_changed.notify_all();
    }

    /// Tells every worker to stop: their futures are dropped.
    pub(crate) fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        for signal in &self.signals {
            signal.wake();
        }
    }

    pub(crate) fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Worker `index`'s future finished; the last one lets every worker's
    /// runtime go.
    pub(crate) fn finish_one(&self) {
        if self.finished.fetch_add(1, Ordering::SeqCst) + 1 == self.workers.len() {
            for signal in &self.signals {
                signal.wake();
            }
        }
    }

    fn all_finished(&self) -> bool {
        self.finished.load(Ordering::SeqCst) == self.workers.len()
    }

    /// Resolves once the pool stops worker `index`.
    pub(crate) fn stop_signal(self: &Arc<Self>, index: usize) -> Signal {
        Signal {
            shared: self.clone(),
            index,
            until_all_finished: false,
        }
    }

    /// Resolves once every worker's future finished (or the pool stops).
    pub(crate) fn all_finished_signal(self: &Arc<Self>, index: usize) -> Signal {
        Signal {
            shared: self.clone(),
            index,
            until_all_finished: true,
        }
    }
}

/// Resolves when the pool tells its worker to stop (or, for the drain phase,
/// when every worker is through).
pub(crate) struct Signal {
    shared: Arc<PoolShared>,
    index: usize,
    until_all_finished: bool,
}

impl Future for Signal {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.shared.signals[self.index].register(cx.waker());
        let done =
            self.shared.is_stopping() || (self.until_all_finished && self.shared.all_finished());
        if done {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// Every running pool, by id, for `spawn_on` from threads outside it.
fn registry() -> &'static Mutex<HashMap<u64, Weak<PoolShared>>> {
    static REGISTRY: OnceLock<Mutex<HashMap<u64, Weak<PoolShared>>>> = OnceLock::new();
    REGISTRY.get_or_init(Mutex::default)
}

/// The pool `id`, if it is still running.
pub(crate) fn lookup(id: u64) -> Option<Arc<PoolShared>> {
    let pools = registry().lock().unwrap_or_else(PoisonError::into_inner);
    pools.get(&id)?.upgrade()
}

/// Keeps a pool in the registry while it runs.
pub(crate) struct Registration(u64);

impl Registration {
    pub(crate) fn new(shared: &Arc<PoolShared>) -> Registration {
        let mut pools = registry().lock().unwrap_or_else(PoisonError::into_inner);
        pools.insert(shared.id, Arc::downgrade(shared));
        Registration(shared.id)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut pools = registry().lock().unwrap_or_else(PoisonError::into_inner);
        pools.remove(&self.0);
    }
}

/// The outputs in worker order, or the first failure (`shut_down`: the
/// pool's shutdown handle was used).
pub(crate) fn collect<T>(exits: Vec<WorkerExit<T>>, shut_down: bool) -> io::Result<Vec<T>> {
    let mut outputs = Vec::with_capacity(exits.len());
    let mut stopped = None;
    for (index, exit) in exits.into_iter().enumerate() {
        match exit {
            WorkerExit::Done(value) => outputs.push(value),
            WorkerExit::SetupFailed(e) => {
                return Err(io::Error::new(e.kind(), format!("worker {index}: {e}")));
            }
            WorkerExit::Panicked(message) => return Err(io::Error::other(message)),
            WorkerExit::Stopped => stopped = stopped.or(Some(index)),
        }
    }
    match stopped {
        Some(_) if shut_down => Err(io::Error::new(
            io::ErrorKind::Interrupted,
            "the pool was shut down through its shutdown handle",
        )),
        // Only stops without a cause: cannot happen, but say so plainly.
        Some(index) => Err(io::Error::other(format!("worker {index} was stopped"))),
        None => Ok(outputs),
    }
}
