//! The `MSG_RING` wakes this ring sends to other rings, each held until its
//! completion comes back here.
//!
//! A send that succeeds posts a completion on the target ring (which ends
//! its wait) and one here, which lets go of the target. A send that fails
//! (the target's completion queue could not take the entry, the kernel ran
//! out of memory, its task work could not be queued) posts only the one
//! here, with `-errno`: the wake is then made through the target's eventfd,
//! so it is never lost.
//!
//! Each send's `user_data` is [`SENT_BASE`] `| slot`, in the band above
//! every operation key and below the driver's other tokens.

use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::Arc;

/// The first `user_data` of a sent wake: operation keys stay below it
/// (their generations stay below `GENERATION_LIMIT`, `1 << 31`).
pub(crate) const SENT_BASE: u64 = 1 << 63;

/// Where a wake goes: the target ring (its file kept open until the kernel
/// has read the entry) and its eventfd (the fallback).
struct Sent {
    _ring: Arc<OwnedFd>,
    eventfd: Arc<OwnedFd>,
    /// The errno the send was rewritten to fail with ([`crate::fault`]).
    #[cfg(feature = "fault-injection")]
    injected: Option<i32>,
}

/// The sends whose completion has not come back yet.
#[derive(Default)]
pub(super) struct SentMessages {
    slots: Vec<Option<Sent>>,
    free: Vec<u32>,
    /// Whether a send waits in the submission queue: the runtime submits
    /// before it returns, so the wake goes out now.
    pub(super) unsubmitted: bool,
}

impl SentMessages {
    /// Holds a send to `ring` (falling back to `eventfd`) and returns its
    /// `user_data`.
    pub(super) fn hold(&mut self, ring: &Arc<OwnedFd>, eventfd: &Arc<OwnedFd>) -> u64 {
        let sent = Sent {
            _ring: ring.clone(),
            eventfd: eventfd.clone(),
            #[cfg(feature = "fault-injection")]
            injected: None,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(sent);
                slot
            }
            None => {
                self.slots.push(Some(sent));
                (self.slots.len() - 1) as u32
            }
        };
        self.unsubmitted = true;
        SENT_BASE | u64::from(slot)
    }

    /// Lets go of a send that never reached the queue.
    pub(super) fn release(&mut self, user_data: u64) {
        let slot = (user_data - SENT_BASE) as u32;
        if self.slots[slot as usize].take().is_some() {
            self.free.push(slot);
        }
    }

    /// Marks the send `user_data` as rewritten to fail with `errno`.
    #[cfg(feature = "fault-injection")]
    pub(super) fn inject(&mut self, user_data: u64, errno: i32) {
        if let Some(sent) = &mut self.slots[(user_data - SENT_BASE) as usize] {
            sent.injected = Some(errno);
        }
    }

    /// The send `user_data` completed with `res`: lets go of it, and on a
    /// failure wakes the target through its eventfd. Returns whether it
    /// fell back.
    pub(super) fn complete(&mut self, user_data: u64, res: i32) -> bool {
        let Some(slot) = user_data
            .checked_sub(SENT_BASE)
            .filter(|&slot| slot < self.slots.len() as u64)
        else {
            return false;
        };
        let Some(sent) = self.slots[slot as usize].take() else {
            return false;
        };
        self.free.push(slot as u32);
        #[cfg(feature = "fault-injection")]
        let res = sent.injected.map_or(res, |errno| -errno);
        if res < 0 {
            crate::sys::eventfd::notify(sent.eventfd.as_raw_fd());
            return true;
        }
        false
    }

    /// Sends still waiting for their completion.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
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
    fn a_failed_send_wakes_its_target_through_the_eventfd() {
        let ring = Arc::new(eventfd::create().unwrap());
        let fallback = Arc::new(eventfd::create().unwrap());
        let mut sent = SentMessages::default();
        let ok = sent.hold(&ring, &fallback);
        let failed = sent.hold(&ring, &fallback);
        assert!(ok >= SENT_BASE && failed >= SENT_BASE && ok != failed);
        assert!(!sent.complete(ok, 0));
        assert_eq!(counter(&fallback), 0, "a delivered wake needs no fallback");
        assert!(sent.complete(failed, -libc::ENOMEM));
        assert_eq!(counter(&fallback), 1);
        assert_eq!(sent.len(), 0);
        // A slot is reused, and a stale or foreign completion does nothing.
        assert!(!sent.complete(failed, -libc::EIO));
        let again = sent.hold(&ring, &fallback);
        assert!(again == ok || again == failed);
        sent.release(again);
        assert_eq!(sent.len(), 0);
        assert!(!sent.complete(SENT_BASE + 1000, -libc::EIO));
        assert_eq!(Arc::strong_count(&fallback), 1, "targets let go");
    }
}
