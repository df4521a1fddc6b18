//! The driver's side of [`crate::fault`]: rewriting a chosen operation's
//! entry before it is pushed, and giving its completion the injected errno.

use super::cqe::{Cqe, OpKey};
use io_uring::{opcode, squeue, types};

/// Entries that were rewritten, by key (an operation's, or a `MSG_RING`
/// wake's `user_data`), with the errno each completes with (a handful at a
/// time: injected entries complete at once).
pub(super) struct Injected<K = OpKey>(Vec<(K, i32)>);

impl<K> Default for Injected<K> {
    fn default() -> Self {
        Injected(Vec::new())
    }
}

impl<K: Copy + PartialEq> Injected<K> {
    /// Remembers that `key`'s entry was rewritten to fail with `errno`.
    pub(super) fn note(&mut self, key: K, errno: i32) {
        self.0.push((key, errno));
    }

    /// `cqe`, or, for an operation that was to fail, its injected error.
    #[inline]
    pub(super) fn apply(&mut self, key: K, cqe: Cqe) -> Cqe {
        if self.0.is_empty() {
            return cqe;
        }
        match self.0.iter().position(|&(k, _)| k == key) {
            Some(i) => Cqe {
                res: -self.0.swap_remove(i).1,
                flags: 0,
            },
            None => cqe,
        }
    }

    /// Forgets `key` (its entry was withdrawn before the kernel read it).
    pub(super) fn forget(&mut self, key: K) {
        self.0.retain(|&(k, _)| k != key);
    }
}

/// Whether `entry` carries `IOSQE_IO_LINK`.
fn linked(entry: &squeue::Entry) -> bool {
    // SAFETY: `squeue::Entry` is `repr(C)` around the kernel's
    // `io_uring_sqe`, whose second byte is `flags` (the kernel ABI); the
    // read stays inside the entry, and no memory the kernel sees is touched.
    let flags = unsafe { *(entry as *const squeue::Entry).cast::<u8>().add(1) };
    flags & squeue::Flags::IO_LINK.bits() != 0
}

/// The opcode of `entry`.
fn opcode_of(entry: &squeue::Entry) -> u8 {
    entry.get_opcode() as u8
}

/// The entry submitted in place of `entry`, which is to fail: a `NOP`, or,
/// for an entry linked to the next, a read of fd -1 (which the kernel fails
/// with `EBADF`, so the rest of the chain is cancelled as after a real
/// failure) keeping the link. It points at no memory. A close is submitted
/// as it is (only its result is replaced): Linux lets go of the descriptor
/// whatever `close` returns, so a failed close that kept it open would be
/// no real failure, and the descriptor would leak.
pub(super) fn rewrite(entry: &squeue::Entry) -> squeue::Entry {
    if opcode_of(entry) == opcode::Close::CODE {
        entry.clone()
    } else if linked(entry) {
        opcode::Read::new(types::Fd(-1), std::ptr::null_mut(), 0)
            .build()
            .flags(squeue::Flags::IO_LINK)
    } else {
        opcode::Nop::new().build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linked_entry_keeps_its_link() {
        let plain = opcode::Nop::new().build();
        assert!(!linked(&plain));
        assert!(linked(&plain.clone().flags(squeue::Flags::IO_LINK)));
        assert!(!linked(
            &plain
                .clone()
                .flags(squeue::Flags::ASYNC | squeue::Flags::IO_DRAIN)
        ));
        assert!(linked(&rewrite(
            &plain.clone().flags(squeue::Flags::IO_LINK)
        )));
        assert!(!linked(&rewrite(&plain)));
    }

    #[test]
    fn a_close_is_submitted_as_it_is() {
        let close = opcode::Close::new(types::Fd(5)).build().user_data(9);
        assert_eq!(opcode_of(&close), opcode::Close::CODE);
        assert_eq!(opcode_of(&rewrite(&close)), opcode::Close::CODE);
        let read = opcode::Read::new(types::Fd(5), std::ptr::null_mut(), 0).build();
        assert_eq!(opcode_of(&rewrite(&read)), opcode::Nop::CODE);
    }

    #[test]
    fn an_injected_completion_replaces_the_real_one_once() {
        let mut injected = Injected::default();
        let (a, b) = (OpKey::new(1, 0), OpKey::new(2, 0));
        injected.note(a, libc::EIO);
        let real = Cqe { res: 0, flags: 0 };
        assert_eq!(injected.apply(b, real), real);
        assert_eq!(injected.apply(a, real).res, -libc::EIO);
        assert_eq!(injected.apply(a, real), real);
        injected.note(b, libc::EINTR);
        injected.forget(b);
        assert_eq!(injected.apply(b, real), real);
    }
}
