//! Withdrawing an entry the kernel has not read yet: an operation dropped
//! between its push and the tick's submit never starts.
//!
//! Entries pushed during a tick wait in the submission queue until the
//! tick's `io_uring_enter`. Without `SQPOLL` the kernel reads them only
//! inside that call, made by this thread, so an entry between the kernel's
//! head and our tail is still ours: rewriting it in place as a NOP (whose
//! completion, if any, carries the reserved [`CANCEL_TOKEN`]) means the
//! kernel never sees the operation, and its memory may be freed at once.
//! Under `SQPOLL` a kernel thread may read the entry at any moment, so
//! there is no view and a dropped operation is cancelled as usual.

use super::cqe::{OpKey, CANCEL_TOKEN};
use super::Driver;
use io_uring::{opcode, squeue, IoUring};
use std::io;
use std::os::fd::AsRawFd;
use std::ptr::NonNull;

/// `IORING_OFF_SQES`: where the entry array sits in the ring fd's mmap
/// space.
const OFF_SQES: libc::off_t = 0x1000_0000;

/// A second mapping of the ring's submission entries (the io-uring crate
/// keeps its own to itself): the same pages, so a rewrite here is what the
/// kernel reads at the next enter.
pub(super) struct QueuedEntries {
    sqes: NonNull<squeue::Entry>,
    /// Entries in the array: a power of two, the ring's size.
    entries: u32,
    /// Flags of the NOP written over a withdrawn entry: `SKIP_SUCCESS`
    /// (no completion at all) where the kernel has it.
    nop_flags: squeue::Flags,
}

impl QueuedEntries {
    /// Maps `ring`'s entry array, unless a kernel thread polls it.
    pub(super) fn map(ring: &IoUring) -> io::Result<Option<QueuedEntries>> {
        if ring.params().is_setup_sqpoll() {
            return Ok(None);
        }
        let entries = ring.params().sq_entries();
        debug_assert!(entries.is_power_of_two());
        let len = entries as usize * std::mem::size_of::<squeue::Entry>();
        // SAFETY: a fresh shared mapping of the ring fd's entry array (no
        // address hint, so no existing mapping is replaced); the kernel
        // keeps the pages alive while any mapping of them exists.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_POPULATE,
                ring.as_raw_fd(),
                OFF_SQES,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let nop_flags = if ring.params().is_feature_skip_cqe_on_success() {
            squeue::Flags::SKIP_SUCCESS
        } else {
            squeue::Flags::empty()
        };
        Ok(NonNull::new(ptr.cast()).map(|sqes| QueuedEntries {
            sqes,
            entries,
            nop_flags,
        }))
    }

    /// Rewrites the entry at queue position `position` as a NOP if it still
    /// carries `user_data`; whether it did.
    ///
    /// The caller has checked that the kernel has not read `position` yet.
    fn withdraw(&mut self, position: u32, user_data: u64) -> bool {
        let index = (position & (self.entries - 1)) as usize;
        // SAFETY: `index < entries`, inside the mapping. The kernel has not
        // read this entry and reads none outside `io_uring_enter`, which
        // only this thread calls (no SQPOLL here), and the io-uring crate
        // writes only at its tail, past this entry: nothing else touches it
        // now.
        let entry = unsafe { self.sqes.as_ptr().add(index) };
        // SAFETY: as above; `squeue::Entry` is `repr(C)` over the kernel's
        // `io_uring_sqe`, the array's element type.
        if unsafe { (*entry).get_user_data() } != user_data {
            return false;
        }
        let nop = opcode::Nop::new()
            .build()
            .flags(self.nop_flags)
            .user_data(CANCEL_TOKEN);
        // SAFETY: as above. The NOP points at no memory, so the operation's
        // data may be freed as soon as this returns.
        unsafe { entry.write(nop) };
        true
    }

    fn len(&self) -> usize {
        self.entries as usize * std::mem::size_of::<squeue::Entry>()
    }
}

impl Drop for QueuedEntries {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `map`, of this length; nothing refers
        // to it past this point (the driver drops this view with the ring).
        unsafe { libc::munmap(self.sqes.as_ptr().cast(), self.len()) };
    }
}

impl Driver {
    /// Withdraws `key`'s entry if the kernel has not read it yet (see the
    /// module docs) and frees its slot; whether it did. The operation then
    /// never starts.
    pub(super) fn withdraw_queued(&mut self, key: OpKey) -> bool {
        let (Some(view), Some(ring)) = (self.queued.as_mut(), self.ring.as_mut()) else {
            return self.withdraw_without_ring(key);
        };
        let Some(position) = self.table.sq_position(key) else {
            return false;
        };
        // Entries the kernel has not read: the last `waiting` pushed.
        let waiting = ring.submission().len() as u32;
        let age = self.sq_pushed.wrapping_sub(position);
        if age == 0 || age > waiting || !view.withdraw(position, key.user_data()) {
            return false;
        }
        self.table.remove_withdrawn(key);
        #[cfg(feature = "fault-injection")]
        self.injected.forget(key);
        self.stats.ops_withdrawn += 1;
        true
    }
}
