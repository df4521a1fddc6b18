//! The process-wide table of signal listeners, and the `ringio-signal`
//! thread that turns handler wake-ups into listener wakes.
//!
//! The signal handler (in `sys::signal`) only sets a pending flag and writes
//! a byte to a pipe. The thread blocks reading that pipe; on each wake-up it
//! takes every pending flag and, for each signal that arrived, bumps the
//! delivery count of every listener of that signal, then wakes their wakers
//! (all counts first, then all wakes: a listener that sees its wake can rely
//! on every other listener's count being bumped already).

use crate::sys::signal as sys;
use std::collections::BTreeMap;
use std::io;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;

/// One `Signal`'s shared half: what the thread bumps and wakes.
#[derive(Debug, Default)]
pub(crate) struct Listener {
    /// Deliveries since the listener was registered.
    delivered: AtomicU64,
    /// The waker of the task waiting in `recv`, if any.
    waker: Mutex<Option<Waker>>,
}

impl Listener {
    /// Deliveries so far.
    pub(crate) fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::SeqCst)
    }

    /// Stores `waker` to be woken by the next delivery (keeps the stored one
    /// when it would wake the same task).
    pub(crate) fn set_waker(&self, waker: &Waker) {
        let mut slot = lock(&self.waker);
        let replaced = match &*slot {
            Some(stored) if stored.will_wake(waker) => None,
            _ => slot.replace(waker.clone()),
        };
        drop(slot);
        // Dropped after the lock: a waker's drop may run a task's drop,
        // which may drop a `Signal` and take the registry's lock.
        drop(replaced);
    }
}

/// The listeners of one signal and the action its handler replaced.
struct Slot {
    listeners: Vec<Arc<Listener>>,
    saved: sys::SavedAction,
}

/// Every signal with at least one listener.
struct Registry {
    slots: BTreeMap<i32, Slot>,
    /// The `ringio-signal` thread runs (it is started once, on the first
    /// registration, and never stops unless its pipe fails).
    thread_started: bool,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    slots: BTreeMap::new(),
    thread_started: false,
});

/// Set when the thread stopped: no signal can be delivered any more.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Locks `mutex`, ignoring poison: every critical section here leaves the
/// data consistent (a panic inside one is a waker's, after the update).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether the thread stopped (then `recv` ends with `None`).
pub(crate) fn closed() -> bool {
    CLOSED.load(Ordering::SeqCst)
}

/// Registers a listener of `signum` (already checked to be a signal that
/// may be caught), installing ringio's handler if it is the signal's first
/// listener. `name` names the signal in error messages.
pub(crate) fn register(signum: i32, name: &str) -> io::Result<Arc<Listener>> {
    let mut registry = lock(&REGISTRY);
    if closed() {
        return Err(io::Error::other(
            "ringio's signal thread has stopped: no signal can be delivered",
        ));
    }
    if !registry.thread_started {
        start_thread().map_err(|e| {
            io::Error::new(e.kind(), format!("starting ringio's signal thread: {e}"))
        })?;
        registry.thread_started = true;
    }
    let listener = Arc::new(Listener::default());
    if let Some(slot) = registry.slots.get_mut(&signum) {
        slot.listeners.push(listener.clone());
    } else {
        let saved = sys::install(signum).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("installing a handler for {name} (signal {signum}): {e}"),
            )
        })?;
        let slot = Slot {
            listeners: vec![listener.clone()],
            saved,
        };
        registry.slots.insert(signum, slot);
    }
    Ok(listener)
}

/// Removes `listener` of `signum`. The last listener's removal puts back the
/// action ringio's handler replaced, unless something else replaced
/// ringio's handler meanwhile (that one is left in place).
pub(crate) fn deregister(signum: i32, listener: &Arc<Listener>) {
    let mut registry = lock(&REGISTRY);
    let Some(slot) = registry.slots.get_mut(&signum) else {
        return;
    };
    slot.listeners.retain(|l| !Arc::ptr_eq(l, listener));
    if slot.listeners.is_empty() {
        if let Some(slot) = registry.slots.remove(&signum) {
            // A failure here cannot be reported from a drop; both calls only
            // fail for a signal number the kernel refuses, and this one was
            // accepted at install.
            if sys::is_installed(signum).unwrap_or(false) {
                let _ = sys::restore(signum, &slot.saved);
            }
        }
    }
}

/// Creates the wake-up pipe and starts the thread that reads it; the
/// handler gets the pipe only once the thread owns its read end.
fn start_thread() -> io::Result<()> {
    let (read, write) = sys::create_wake_pipe()?;
    std::thread::Builder::new()
        .name("ringio-signal".to_string())
        .spawn(move || dispatch(read))?;
    sys::publish_wake_fd(write);
    Ok(())
}

/// The `ringio-signal` thread: waits for the handler's bytes and delivers.
fn dispatch(read: OwnedFd) {
    while sys::wait_for_signals(&read).is_ok() {
        deliver();
    }
    // The handler may still write to the pipe: keep the read end open so
    // those writes never raise SIGPIPE, and end every listener's stream.
    std::mem::forget(read);
    CLOSED.store(true, Ordering::SeqCst);
    let registry = lock(&REGISTRY);
    let wakers: Vec<Waker> = registry
        .slots
        .values()
        .flat_map(|slot| &slot.listeners)
        .filter_map(|l| lock(&l.waker).take())
        .collect();
    drop(registry);
    wakers.into_iter().for_each(Waker::wake);
}

/// Takes every pending flag and delivers each arrived signal to all of its
/// listeners. A signal nobody listens for any more is dropped.
fn deliver() {
    let arrived: Vec<i32> = (1..=sys::max_signal())
        .filter(|&signum| sys::take_pending(signum))
        .collect();
    if arrived.is_empty() {
        return;
    }
    let mut wakers = Vec::new();
    {
        let registry = lock(&REGISTRY);
        for signum in arrived {
            let Some(slot) = registry.slots.get(&signum) else {
                continue;
            };
            for listener in &slot.listeners {
                listener.delivered.fetch_add(1, Ordering::SeqCst);
                wakers.extend(lock(&listener.waker).take());
            }
        }
    }
    wakers.into_iter().for_each(Waker::wake);
}
