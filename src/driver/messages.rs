//! Where a failed `MSG_RING` wake goes instead.
//!
//! Every ring that other rings may wake registers its eventfd here under a
//! number. The `MSG_RING` entries that wake it carry that number in their
//! `user_data` ([`SENT_BASE`] `| number`, in the band above every operation
//! key and below the driver's other tokens) and `IOSQE_CQE_SKIP_SUCCESS`:
//! a wake that succeeds posts a completion on the target ring only, and one
//! that fails (the target's completion queue could not take the entry, the
//! kernel ran out of memory, its task work could not be queued) posts one
//! on the sender's ring, with `-errno`. The sender then looks the number up
//! and writes the target's eventfd, so the wake is not lost. A target gone
//! meanwhile has unregistered: nobody is left to wake.

use std::collections::BTreeMap;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::{Arc, Mutex, PoisonError, Weak};

/// The first `user_data` of a sent wake: operation keys stay below it
/// (their generations stay below `GENERATION_LIMIT`, `1 << 31`).
pub(crate) const SENT_BASE: u64 = 1 << 63;

/// The eventfds of the rings other rings may wake, by number.
static TARGETS: Mutex<Targets> = Mutex::new(Targets {
    next: 0,
    by_number: BTreeMap::new(),
});

struct Targets {
    next: u32,
    by_number: BTreeMap<u32, Weak<OwnedFd>>,
}

/// A ring's entry in the table, removed on drop.
#[derive(Debug)]
pub(crate) struct Registration(u32);

impl Registration {
    /// Registers `eventfd`, the fallback of wakes sent to its ring.
    pub(crate) fn new(eventfd: &Arc<OwnedFd>) -> Registration {
        let mut targets = TARGETS.lock().unwrap_or_else(PoisonError::into_inner);
        // A number still in use after the counter wrapped is skipped.
        let mut number = targets.next;
        while targets.by_number.contains_key(&number) {
            number = number.wrapping_add(1);
        }
        targets.next = number.wrapping_add(1);
        targets.by_number.insert(number, Arc::downgrade(eventfd));
        Registration(number)
    }

    /// The `user_data` of the `MSG_RING` entries that wake this ring.
    pub(crate) fn user_data(&self) -> u64 {
        SENT_BASE | u64::from(self.0)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        TARGETS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .by_number
            .remove(&self.0);
    }
}

/// A wake with this `user_data` failed: wakes its target through its
/// eventfd. Returns whether a target was still there to wake.
pub(super) fn fall_back(user_data: u64) -> bool {
    let Some(number) = user_data
        .checked_sub(SENT_BASE)
        .and_then(|n| u32::try_from(n).ok())
    else {
        return false;
    };
    // The upgraded `Arc` keeps the eventfd open (its number cannot be
    // reused) until the write is done.
    let eventfd = TARGETS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .by_number
        .get(&number)
        .and_then(Weak::upgrade);
    match eventfd {
        Some(eventfd) => {
            crate::sys::eventfd::notify(eventfd.as_raw_fd());
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::eventfd;

    fn counter(fd: &OwnedFd) -> u64 {
        let mut value = 0u64;
        // SAFETY: `value` lives on this frame and the length is its size.
        let n = unsafe { libc::read(fd.as_raw_fd(), (&mut value as *mut u64).cast(), 8) };
        if n == 8 {
            value
        } else {
            0
        }
    }

    #[test]
    fn a_failed_wake_reaches_its_target_through_the_eventfd() {
        let one = Arc::new(eventfd::create().unwrap());
        let other = Arc::new(eventfd::create().unwrap());
        let (a, b) = (Registration::new(&one), Registration::new(&other));
        assert_ne!(a.user_data(), b.user_data());
        assert!(a.user_data() >= SENT_BASE && a.user_data() < super::super::cqe::MSG_TOKEN);
        assert!(fall_back(b.user_data()));
        assert_eq!((counter(&one), counter(&other)), (0, 1));
        // Gone: nobody to wake, and nothing written.
        let gone = a.user_data();
        drop(a);
        assert!(!fall_back(gone));
        assert_eq!(counter(&one), 0);
        assert!(!fall_back(0));
        drop(b);
        assert_eq!(Arc::strong_count(&other), 1, "the table holds no eventfd");
    }
}
