//! Completion entries as the rest of the crate sees them, and the `user_data`
//! encoding that routes each completion to its operation.
//!
//! `user_data` is `generation << 32 | slot`. Values at the very top of the
//! `u64` range form a reserved band for the driver's own entries (the wake-up
//! read, cancel requests, `MSG_RING` wakes sent to other rings); the reaper
//! checks that band before any slab lookup.

use super::messages::SENT_BASE;
use std::io;

/// The result and flags of one completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cqe {
    /// The kernel's `res`: a count or fd on success, `-errno` on failure.
    pub(crate) res: i32,
    /// The kernel's `flags` (`IORING_CQE_F_MORE`, buffer ids, ...).
    pub(crate) flags: u32,
}

impl Cqe {
    /// A completion that carries `err` (used when an entry could not be queued).
    pub(crate) fn from_error(err: &io::Error) -> Cqe {
        Cqe {
            res: -err.raw_os_error().unwrap_or(libc::EIO),
            flags: 0,
        }
    }

    /// `res` as an `io::Result`: negative values become the matching OS error.
    #[inline]
    pub(crate) fn result(&self) -> io::Result<u32> {
        if self.res < 0 {
            Err(io::Error::from_raw_os_error(-self.res))
        } else {
            Ok(self.res as u32)
        }
    }

    /// Whether more completions will follow for the same entry (multishot).
    pub(crate) fn has_more(&self) -> bool {
        io_uring::cqueue::more(self.flags)
    }
}

impl From<&io_uring::cqueue::Entry> for Cqe {
    #[inline]
    fn from(e: &io_uring::cqueue::Entry) -> Self {
        Cqe {
            res: e.result(),
            flags: e.flags(),
        }
    }
}

/// The key of an operation's slot in the in-flight table, with the generation
/// tag that keeps a stale completion from reaching a reused slot: the
/// entry's `user_data`, `generation << 32 | index`. (One `u64`, written and
/// read whole: two `u32` halves stored apart and loaded as one word stall
/// the CPU's store forwarding on every operation.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OpKey(u64);

/// `user_data` of the armed eventfd read that wakes a parked ring.
pub(crate) const WAKE_TOKEN: u64 = u64::MAX;
/// `user_data` of `AsyncCancel` entries; their completions are ignored.
pub(crate) const CANCEL_TOKEN: u64 = u64::MAX - 1;
/// `user_data` of the completion another ring posts here (`MSG_RING`) to
/// end a parked `io_uring_enter`; nothing else to do with it.
pub(crate) const MSG_TOKEN: u64 = u64::MAX - 2;
/// Generations stay below this, so op tokens never reach the reserved band.
pub(crate) const GENERATION_LIMIT: u32 = 1 << 31;

/// What a completion's `user_data` designates.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Token {
    Wake,
    Cancel,
    Msg,
    /// A `MSG_RING` wake this ring sent, completing here only if it failed
    /// (see `messages.rs`): its `user_data`.
    Sent(u64),
    Op(OpKey),
}

impl OpKey {
    /// The key of an entry that never reached the ring: it names no slot
    /// (no table holds `u32::MAX` slots, and generation 0 is a vacant one's).
    pub(crate) const UNPUSHED: OpKey = OpKey(u32::MAX as u64);

    #[inline]
    pub(crate) fn new(index: u32, generation: u32) -> OpKey {
        OpKey((u64::from(generation) << 32) | u64::from(index))
    }

    #[inline]
    pub(crate) fn index(self) -> u32 {
        self.0 as u32
    }

    #[inline]
    pub(crate) fn generation(self) -> u32 {
        (self.0 >> 32) as u32
    }

    #[inline]
    pub(crate) fn user_data(self) -> u64 {
        self.0
    }
}

impl Token {
    #[inline]
    pub(crate) fn decode(user_data: u64) -> Token {
        // One comparison for the common case: every op key sits below the
        // reserved band.
        if user_data < SENT_BASE {
            return Token::Op(OpKey(user_data));
        }
        match user_data {
            WAKE_TOKEN => Token::Wake,
            CANCEL_TOKEN => Token::Cancel,
            MSG_TOKEN => Token::Msg,
            _ => Token::Sent(user_data),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        let key = OpKey::new(7, GENERATION_LIMIT - 1);
        assert_eq!((key.index(), key.generation()), (7, GENERATION_LIMIT - 1));
        assert_eq!(Token::decode(key.user_data()), Token::Op(key));
        assert_eq!(Token::decode(WAKE_TOKEN), Token::Wake);
        assert_eq!(Token::decode(CANCEL_TOKEN), Token::Cancel);
        assert_eq!(Token::decode(MSG_TOKEN), Token::Msg);
        assert_eq!(Token::decode(SENT_BASE | 3), Token::Sent(SENT_BASE | 3));
        let newest = OpKey::new(u32::MAX, GENERATION_LIMIT - 1).user_data();
        assert_eq!(Token::decode(newest), Token::Op(OpKey(newest)));
    }

    #[test]
    fn negative_results_are_os_errors() {
        let cqe = Cqe {
            res: -libc::ECANCELED,
            flags: 0,
        };
        assert_eq!(
            cqe.result().unwrap_err().raw_os_error(),
            Some(libc::ECANCELED)
        );
        assert_eq!(Cqe { res: 5, flags: 0 }.result().unwrap(), 5);
    }
}
