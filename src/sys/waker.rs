//! A waker lent for the length of a poll, costing no allocation.
//!
//! The executor polls a task that has never cloned its waker with a
//! [`BorrowedWaker`]: one per runtime, pointing at a shared context that
//! knows which task is being polled. Waking it by reference schedules that
//! task; cloning it asks the context for an owned waker (the task's own,
//! made on that first clone). Tasks that only await ring operations and
//! join handles, which record task tokens instead of wakers, never make one.
//!
//! This is the one place that builds a `Waker` from a raw vtable.

use std::sync::Arc;
use std::task::{RawWaker, RawWakerVTable, Waker};

/// What a borrowed waker does, on whatever thread uses it.
pub(crate) trait RefWake: Send + Sync + 'static {
    /// Wakes the task being polled.
    fn wake_by_ref(&self);

    /// An owned waker for the task being polled.
    fn to_owned_waker(&self) -> Waker;
}

/// A `Waker` that refers to `target` without owning a reference of its own:
/// it can only be lent (`&Waker`), and every clone is an owned waker that
/// [`RefWake::to_owned_waker`] makes.
pub(crate) struct BorrowedWaker<T: RefWake> {
    /// Keeps the target alive for as long as the waker can be lent.
    target: Arc<T>,
    waker: Waker,
}

impl<T: RefWake> BorrowedWaker<T> {
    pub(crate) fn new(target: Arc<T>) -> BorrowedWaker<T> {
        let raw = RawWaker::new(Arc::as_ptr(&target).cast(), vtable::<T>());
        // SAFETY: `RawWaker` contract: the vtable functions below are
        // thread-safe (`T: Send + Sync`, and they only call `RefWake`
        // methods through a shared reference). The data pointer is valid
        // whenever they run: the `Waker` is only reachable as `&Waker`
        // borrowed from this struct, which holds `target`'s `Arc`, so every
        // call through a reference ends before `target` can be freed. A
        // clone does not point at `target` at all (it is the owned waker
        // `to_owned_waker` returns), and drop does nothing.
        let waker = unsafe { Waker::from_raw(raw) };
        BorrowedWaker { target, waker }
    }

    /// The waker to poll with.
    #[inline]
    pub(crate) fn waker(&self) -> &Waker {
        &self.waker
    }

    /// The context it refers to.
    #[inline]
    pub(crate) fn target(&self) -> &Arc<T> {
        &self.target
    }
}

impl<T: RefWake> std::fmt::Debug for BorrowedWaker<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BorrowedWaker")
    }
}

fn vtable<T: RefWake>() -> &'static RawWakerVTable {
    &VTable::<T>::VTABLE
}

struct VTable<T>(std::marker::PhantomData<T>);

impl<T: RefWake> VTable<T> {
    const VTABLE: RawWakerVTable =
        RawWakerVTable::new(clone::<T>, wake::<T>, wake_by_ref::<T>, drop_waker);
}

/// # Safety
///
/// `data` is the `Arc::as_ptr` of a live `Arc<T>` (see `BorrowedWaker::new`).
unsafe fn clone<T: RefWake>(data: *const ()) -> RawWaker {
    // SAFETY: per this function's contract, `data` points at a live `T`.
    let target = unsafe { &*data.cast::<T>() };
    let owned = std::mem::ManuallyDrop::new(target.to_owned_waker());
    // The owned waker's own raw parts, handed over without a refcount change
    // (`ManuallyDrop` keeps its drop from running).
    RawWaker::new(owned.data(), owned.vtable())
}

/// Only an owned waker can be woken by value, and an owned one is never a
/// borrowed one; kept correct anyway: wake by reference (drop is a no-op).
///
/// # Safety
///
/// As for [`clone`].
unsafe fn wake<T: RefWake>(data: *const ()) {
    // SAFETY: as for `clone`.
    unsafe { wake_by_ref::<T>(data) }
}

/// # Safety
///
/// As for [`clone`].
unsafe fn wake_by_ref<T: RefWake>(data: *const ()) {
    // SAFETY: per this function's contract, `data` points at a live `T`.
    let target = unsafe { &*data.cast::<T>() };
    target.wake_by_ref();
}

/// A borrowed waker owns nothing.
unsafe fn drop_waker(_data: *const ()) {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    #[derive(Default)]
    struct Counter {
        by_ref: AtomicUsize,
        owned: Arc<OwnedCounter>,
    }

    #[derive(Default)]
    struct OwnedCounter(AtomicUsize);

    impl Wake for OwnedCounter {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    impl RefWake for Counter {
        fn wake_by_ref(&self) {
            self.by_ref.fetch_add(1, Ordering::SeqCst);
        }
        fn to_owned_waker(&self) -> Waker {
            Waker::from(self.owned.clone())
        }
    }

    #[test]
    fn wakes_by_reference_and_clones_into_owned_wakers() {
        let target = Arc::new(Counter::default());
        let borrowed = BorrowedWaker::new(target.clone());
        borrowed.waker().wake_by_ref();
        assert_eq!(target.by_ref.load(Ordering::SeqCst), 1);

        let owned = borrowed.waker().clone();
        assert_eq!(
            Arc::strong_count(&target.owned),
            2,
            "the clone owns a reference"
        );
        assert!(!owned.will_wake(borrowed.waker()));
        // From another thread, as a `Waker` may be.
        std::thread::spawn(move || owned.wake()).join().unwrap();
        assert_eq!(target.owned.0.load(Ordering::SeqCst), 1);
        assert_eq!(Arc::strong_count(&target.owned), 1);

        drop(borrowed);
        assert_eq!(Arc::strong_count(&target), 1, "the borrowed waker let go");
    }
}
