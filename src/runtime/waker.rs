//! The waker of the `block_on` future: a flag plus a ring wake-up.

use super::remote::Remote;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::Wake;

/// Marks the `block_on` future as woken; from another thread (or while the
/// ring is parked) it also interrupts the ring.
#[derive(Debug)]
pub(crate) struct MainWaker {
    woken: AtomicBool,
    remote: Arc<Remote>,
}

impl MainWaker {
    pub(crate) fn new(remote: Arc<Remote>) -> Arc<MainWaker> {
        Arc::new(MainWaker {
            woken: AtomicBool::new(true),
            remote,
        })
    }

    /// Takes the woken flag.
    pub(crate) fn take_woken(&self) -> bool {
        self.woken.swap(false, Ordering::SeqCst)
    }

    pub(crate) fn is_woken(&self) -> bool {
        self.woken.load(Ordering::SeqCst)
    }
}

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // Only the first wake since the last poll may need to unpark.
        if !self.woken.swap(true, Ordering::SeqCst) {
            self.remote.notify();
        }
    }
}
