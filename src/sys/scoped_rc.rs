//! A thread-local slot that names an `Rc` for the length of a call.
//!
//! [`ScopedRc::set`] points the slot at an `Rc`'s allocation while a
//! closure runs and puts the previous pointer back when it returns or
//! unwinds; [`ScopedRc::with`] lends the `Rc` to whoever asks meanwhile.
//! The slot is a raw pointer in a `Cell`: reading it is one load, and a
//! thread-local made of such slots needs no destructor.

use std::cell::Cell;
use std::mem::ManuallyDrop;
use std::ptr;
use std::rc::Rc;

/// Names the `Rc<T>` lent by the innermost running [`ScopedRc::set`].
pub(crate) struct ScopedRc<T>(Cell<*const T>);

impl<T> ScopedRc<T> {
    /// An empty slot.
    pub(crate) const fn new() -> ScopedRc<T> {
        ScopedRc(Cell::new(ptr::null()))
    }

    /// Runs `f` with the slot naming `rc`.
    pub(crate) fn set<R>(&self, rc: &Rc<T>, f: impl FnOnce() -> R) -> R {
        /// Puts the previous pointer back, on return and on unwind alike.
        struct Restore<'a, T> {
            slot: &'a Cell<*const T>,
            previous: *const T,
        }
        impl<T> Drop for Restore<'_, T> {
            fn drop(&mut self) {
                self.slot.set(self.previous);
            }
        }
        let _restore = Restore {
            slot: &self.0,
            previous: self.0.replace(Rc::as_ptr(rc)),
        };
        f()
    }

    /// Runs `f` with the `Rc` the slot names; `None` when it names none.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&Rc<T>) -> R) -> Option<R> {
        let raw = self.0.get();
        if raw.is_null() {
            return None;
        }
        // SAFETY: a non-null pointer was stored by a `set` that is still
        // running (each `set` restores the previous pointer before it
        // returns, unwinding included), and that `set` borrows an `Rc` of
        // this allocation for its whole run: the allocation is alive. The
        // `Rc` made here is lent by reference only and never dropped, so the
        // strong count stays the borrowed one's; a clone made through the
        // reference adds a count of its own.
        let rc = ManuallyDrop::new(unsafe { Rc::from_raw(raw) });
        Some(f(&rc))
    }

    /// Whether a `set` of this slot is running.
    pub(crate) fn is_set(&self) -> bool {
        !self.0.get().is_null()
    }
}

#[cfg(test)]
mod tests {
    use super::ScopedRc;
    use std::rc::Rc;

    #[test]
    fn a_slot_names_the_innermost_rc_and_restores_the_outer_one() {
        let slot = ScopedRc::new();
        let outer = Rc::new(1);
        let inner = Rc::new(2);
        assert_eq!(slot.with(|rc| **rc), None);
        slot.set(&outer, || {
            assert_eq!(slot.with(|rc| **rc), Some(1));
            slot.set(&inner, || assert_eq!(slot.with(|rc| **rc), Some(2)));
            assert_eq!(slot.with(|rc| **rc), Some(1));
            // A clone taken through the slot holds a count of its own.
            let clone = slot.with(Rc::clone).unwrap();
            assert_eq!(Rc::strong_count(&outer), 2);
            drop(clone);
        });
        assert!(!slot.is_set());
        assert_eq!(Rc::strong_count(&outer), 1);
    }

    #[test]
    fn a_panic_inside_set_restores_the_slot() {
        let slot = ScopedRc::new();
        let rc = Rc::new(());
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            slot.set(&rc, || panic!("inside"));
        }));
        assert!(caught.is_err());
        assert!(!slot.is_set());
    }
}
