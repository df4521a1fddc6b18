//! A provided-buffer ring (`IORING_REGISTER_PBUF_RING`, Linux 5.19): buffers
//! the kernel picks from when a receive completes, so a multishot receive
//! needs no buffer of its own while it waits.
//!
//! Memory: the ring (one 16-byte entry per buffer, page-aligned) and the
//! buffers are allocated once and freed only after the ring is unregistered;
//! if it never is (a leaking shutdown), they are leaked, never freed. The
//! kernel writes only into buffers that are in the ring; a buffer handed out
//! through a completion ([`RecvBuf`]) is ours until it goes back on drop.

use io_uring::types::BufRingEntry;
use io_uring::IoUring;
use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::cell::Cell;
use std::io;
use std::ptr::NonNull;
use std::rc::Rc;
use std::sync::atomic::{AtomicU16, Ordering};

/// One ring of `entries` buffers of `buf_size` bytes, group `bgid`.
pub(crate) struct BufRing {
    ring: NonNull<BufRingEntry>,
    ring_layout: Layout,
    bufs: NonNull<u8>,
    bufs_layout: Layout,
    entries: u16,
    buf_size: u32,
    pub(crate) bgid: u16,
    /// Our copy of the tail the kernel reads.
    tail: Cell<u16>,
    /// Registered with a ring: the memory may be in use by the kernel.
    registered: Cell<bool>,
}

impl BufRing {
    /// Allocates, fills and registers a ring on `ring`.
    pub(crate) fn new(
        ring: &IoUring,
        entries: u16,
        buf_size: u32,
        bgid: u16,
    ) -> io::Result<Rc<BufRing>> {
        assert!(
            entries.is_power_of_two(),
            "buffer ring sizes are powers of two"
        );
        let too_big = || io::Error::new(io::ErrorKind::InvalidInput, "buffer ring too large");
        let ring_layout = Layout::from_size_align(
            usize::from(entries) * std::mem::size_of::<BufRingEntry>(),
            4096,
        )
        .map_err(|_| too_big())?;
        let bufs_layout = Layout::from_size_align(usize::from(entries) * buf_size as usize, 64)
            .map_err(|_| too_big())?;
        // SAFETY: both layouts have a non-zero size (entries > 0, buf_size > 0
        // is checked by the caller's constants).
        let (ring_mem, bufs_mem) =
            unsafe { (alloc_zeroed(ring_layout), alloc_zeroed(bufs_layout)) };
        let (Some(ring_ptr), Some(bufs)) = (
            NonNull::new(ring_mem.cast::<BufRingEntry>()),
            NonNull::new(bufs_mem),
        ) else {
            std::alloc::handle_alloc_error(ring_layout);
        };
        let this = BufRing {
            ring: ring_ptr,
            ring_layout,
            bufs,
            bufs_layout,
            entries,
            buf_size,
            bgid,
            tail: Cell::new(0),
            registered: Cell::new(false),
        };
        for bid in 0..entries {
            this.provide(bid);
        }
        // SAFETY: the ring memory is page-aligned, holds `entries` entries and
        // stays allocated until `unregister` (or forever, see `Drop`).
        unsafe {
            ring.submitter().register_buf_ring_with_flags(
                ring_ptr.as_ptr() as u64,
                entries,
                bgid,
                0,
            )?;
        }
        this.registered.set(true);
        Ok(Rc::new(this))
    }

    /// Unregisters the ring (the driver's ring is idle: nothing in flight).
    pub(crate) fn unregister(&self, ring: &IoUring) {
        if ring.submitter().unregister_buf_ring(self.bgid).is_ok() {
            self.registered.set(false);
        }
    }

    /// The start of buffer `bid`.
    pub(crate) fn buf_ptr(&self, bid: u16) -> *mut u8 {
        // `bid < entries`, so the offset stays inside the buffers' block.
        self.bufs
            .as_ptr()
            .wrapping_add(usize::from(bid) * self.buf_size as usize)
    }

    /// Bytes per buffer.
    pub(crate) fn buf_size(&self) -> u32 {
        self.buf_size
    }

    /// Puts buffer `bid` (back) into the ring for the kernel to fill.
    pub(crate) fn provide(&self, bid: u16) {
        debug_assert!(bid < self.entries);
        let tail = self.tail.get();
        let slot = usize::from(tail & (self.entries - 1));
        // SAFETY: `slot < entries`: the entry lies inside the ring's memory,
        // which is allocated while `self` exists; the kernel only reads
        // entries between its head and the published tail, and this one is
        // past the tail until the store below.
        let entry = unsafe { &mut *self.ring.as_ptr().add(slot) };
        entry.set_addr(self.buf_ptr(bid) as u64);
        entry.set_len(self.buf_size);
        entry.set_bid(bid);
        let tail = tail.wrapping_add(1);
        self.tail.set(tail);
        // SAFETY: the tail field is the 16-bit `resv` of entry 0, inside the
        // ring's memory, suitably aligned for an `AtomicU16`; the release
        // store publishes the entry written above to the kernel.
        unsafe {
            let tail_ptr = BufRingEntry::tail(self.ring.as_ptr())
                .cast_mut()
                .cast::<AtomicU16>();
            (*tail_ptr).store(tail, Ordering::Release);
        }
    }
}

impl Drop for BufRing {
    fn drop(&mut self) {
        if self.registered.get() {
            // Still registered (a leaking shutdown): the kernel may write
            // into the buffers, so their memory is never freed.
            return;
        }
        // SAFETY: allocated in `new` with these layouts; unregistered, so
        // the kernel no longer uses them, and no `RecvBuf` is alive (each
        // holds an `Rc` of `self`).
        unsafe {
            dealloc(self.ring.as_ptr().cast(), self.ring_layout);
            dealloc(self.bufs.as_ptr(), self.bufs_layout);
        }
    }
}
