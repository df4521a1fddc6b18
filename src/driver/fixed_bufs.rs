//! The ring's registered-buffer table (`IORING_REGISTER_BUFFERS2`, Linux
//! 5.13), shared by every pool of fixed buffers on the runtime.
//!
//! The first pool registers one sparse table of [`TABLE_SLOTS`] empty slots
//! (`IORING_RSRC_REGISTER_SPARSE`). Each pool then takes a free range of
//! slots and fills it with its buffers (`IORING_REGISTER_BUFFERS_UPDATE`, one
//! buffer per call: the kernel answers a partial update with a count, which
//! the io-uring crate does not hand back). A pool's range is emptied again
//! (`iov_base` NULL) and goes back to the free ranges when its
//! [`FixedBufRegistration`] drops, that is when the last handle and the last
//! buffer of the pool are gone: a buffer in flight is owned by its operation
//! until the completion, so the kernel is done with every slot it empties.
//!
//! Memory: one zeroed, page-aligned allocation per pool, freed only after
//! its slots are emptied, or once the ring is gone (closed, or leaked by a
//! shutdown that timed out; either way no operation uses the slots any
//! more, since any that did would still own one of the pool's buffers).
//!
//! Where there is no table (the epoll driver, or a ring whose probe lacks
//! `READ_FIXED`/`WRITE_FIXED`), a pool is plain memory and its buffers go
//! through the plain read and write operations.

use super::{Driver, Handle};
use io_uring::IoUring;
use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::cell::RefCell;
use std::fmt;
use std::io;
use std::ops::Range;
use std::ptr::NonNull;
use std::rc::Rc;

/// Slots in the table: the kernel's limit on registered buffers
/// (`IORING_MAX_REG_BUFFERS`), and so the most buffers one pool may have.
pub(crate) const TABLE_SLOTS: u32 = 1 << 14;

/// The largest buffer the kernel registers (1 GiB).
pub(crate) const MAX_BUF_SIZE: usize = 1 << 30;

/// The alignment of a pool's memory: a page, so `O_DIRECT` takes buffers
/// whose size is a multiple of the device's block size.
const PAGE: usize = 4096;

/// The driver's side of the table.
#[derive(Default)]
pub(crate) enum FixedBufTable {
    /// No pool asked yet.
    #[default]
    Untried,
    /// No registered buffers on this driver: pools are plain memory.
    Unavailable,
    Ready(Box<Slots>),
}

/// The slot ranges of a registered table.
pub(crate) struct Slots {
    /// Free slot ranges: sorted, disjoint, never adjacent.
    free: Vec<Range<u32>>,
    /// Pools released while the driver was busy, emptied at its next
    /// registration or release.
    deferred: Rc<Deferred>,
}

/// Pools whose release came while the driver was borrowed: their last
/// buffer was an abandoned operation's data, dropped by the driver itself.
type Deferred = RefCell<Vec<Released>>;

/// A pool's slots and memory on their way out.
struct Released {
    slots: Range<u32>,
    /// Freed once the slots are empty.
    _memory: PoolMemory,
}

/// One zeroed, page-aligned allocation holding a pool's buffers.
struct PoolMemory {
    ptr: NonNull<u8>,
    layout: Layout,
}

impl PoolMemory {
    fn new(total: usize) -> io::Result<PoolMemory> {
        let layout = Layout::from_size_align(total, PAGE).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("a fixed-buffer pool of {total} bytes is larger than memory can be"),
            )
        })?;
        // SAFETY: `total > 0` (count and size were checked non-zero).
        let ptr = unsafe { alloc_zeroed(layout) };
        let Some(ptr) = NonNull::new(ptr) else {
            return Err(io::Error::new(
                io::ErrorKind::OutOfMemory,
                format!("a fixed-buffer pool of {total} bytes could not be allocated"),
            ));
        };
        Ok(PoolMemory { ptr, layout })
    }
}

impl Drop for PoolMemory {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout. A `PoolMemory` drops
        // only once its slots are emptied or its ring is gone, and only
        // when no buffer of its pool is left (each holds the pool), so no
        // operation can still reach it.
        unsafe { dealloc(self.ptr.as_ptr(), self.layout) };
    }
}

/// A pool's buffers: `count` buffers of `size` bytes in one allocation,
/// and the table slots they fill (none for plain memory). Dropping it
/// empties the slots and frees the memory.
pub(crate) struct FixedBufRegistration {
    driver: Handle,
    /// `Some` until the drop.
    memory: Option<PoolMemory>,
    /// The first slot and the queue of releases the driver could not take
    /// at once; `None` for plain memory.
    slots: Option<(u32, Rc<Deferred>)>,
    count: u16,
    size: usize,
}

impl FixedBufRegistration {
    /// The start of buffer `index` (`index < count`), stable for the
    /// registration's life.
    pub(crate) fn buf_ptr(&self, index: u16) -> *mut u8 {
        debug_assert!(index < self.count);
        let memory = self.memory.as_ref().expect("memory lives until drop");
        memory
            .ptr
            .as_ptr()
            .wrapping_add(usize::from(index) * self.size)
    }

    /// The table slot of buffer `index`; `None` for plain memory.
    pub(crate) fn buf_index(&self, index: u16) -> Option<u16> {
        // `first + index < TABLE_SLOTS <= u16::MAX`.
        self.slots
            .as_ref()
            .map(|(first, _)| (*first + u32::from(index)) as u16)
    }

    /// Which runtime's driver the buffers belong to (see [`Handle::id`]).
    pub(crate) fn runtime_id(&self) -> usize {
        self.driver.id()
    }

    pub(crate) fn count(&self) -> u16 {
        self.count
    }

    pub(crate) fn size(&self) -> usize {
        self.size
    }
}

impl Drop for FixedBufRegistration {
    fn drop(&mut self) {
        let memory = self.memory.take().expect("memory lives until drop");
        let Some((first, deferred)) = self.slots.take() else {
            return; // plain memory: freed here
        };
        let mut released = Some(Released {
            slots: first..first + u32::from(self.count),
            _memory: memory,
        });
        let done = self
            .driver
            .try_with_driver(|driver| driver.release_fixed_bufs(released.take()));
        if done.is_none() {
            // The driver is mid-call (it is dropping an abandoned
            // operation's data, this pool's last buffer): it empties the
            // slots at its next registration or release, or with the ring.
            deferred.borrow_mut().extend(released);
        }
    }
}

impl fmt::Debug for FixedBufRegistration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FixedBufRegistration")
            .field("count", &self.count)
            .field("size", &self.size)
            .field("first_slot", &self.slots.as_ref().map(|(first, _)| first))
            .finish()
    }
}

impl Handle {
    /// Allocates `count` zeroed buffers of `size` bytes and registers them
    /// in this ring's table (plain memory where there is none).
    pub(crate) fn register_fixed_bufs(
        &self,
        count: usize,
        size: usize,
    ) -> io::Result<FixedBufRegistration> {
        let count = check_shape(count, size)?;
        let memory = PoolMemory::new(usize::from(count) * size)?;
        let slots = self.with_driver(|driver| driver.register_fixed_bufs(&memory, count, size))?;
        Ok(FixedBufRegistration {
            driver: self.clone(),
            memory: Some(memory),
            slots,
            count,
            size,
        })
    }
}

impl Driver {
    /// Fills a free range of the table with `memory`'s buffers; `None`
    /// where there is no table.
    fn register_fixed_bufs(
        &mut self,
        memory: &PoolMemory,
        count: u16,
        size: usize,
    ) -> io::Result<Option<(u32, Rc<Deferred>)>> {
        let Some(ring) = self.ring.as_ref() else {
            return Ok(None);
        };
        if matches!(self.fixed_bufs, FixedBufTable::Untried) {
            self.fixed_bufs = FixedBufTable::set_up(ring)?;
        }
        let FixedBufTable::Ready(slots) = &mut self.fixed_bufs else {
            return Ok(None);
        };
        slots.empty_deferred(ring);
        let first = slots.take(count)?;
        if let Err(e) = fill(ring, first, memory, count, size) {
            slots.put_back(first..first + u32::from(count));
            return Err(registration_error(e, count, size));
        }
        Ok(Some((first, slots.deferred.clone())))
    }

    /// Empties a dropped pool's slots (then its memory is freed); `None`
    /// in, after a release that went to the deferred queue instead.
    fn release_fixed_bufs(&mut self, released: Option<Released>) {
        let (Some(ring), FixedBufTable::Ready(slots)) = (self.ring.as_ref(), &mut self.fixed_bufs)
        else {
            // The ring is gone: no operation uses the slots, and the
            // memory may go (`released` drops here).
            return;
        };
        slots.empty_deferred(ring);
        if let Some(released) = released {
            slots.release(ring, released);
        }
    }
}

impl FixedBufTable {
    /// Registers the sparse table, or says there is none: a kernel whose
    /// probe lacks `READ_FIXED`/`WRITE_FIXED`, or that refuses a sparse
    /// table (`EINVAL`, before Linux 5.13).
    fn set_up(ring: &IoUring) -> io::Result<FixedBufTable> {
        if !supports_fixed_buffers(ring) {
            return Ok(FixedBufTable::Unavailable);
        }
        match ring.submitter().register_buffers_sparse(TABLE_SLOTS) {
            Ok(()) => Ok(FixedBufTable::Ready(Box::new(Slots {
                free: std::iter::once(0..TABLE_SLOTS).collect(),
                deferred: Rc::default(),
            }))),
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => Ok(FixedBufTable::Unavailable),
            Err(e) => Err(with_context(
                e,
                format!("registering a sparse table of {TABLE_SLOTS} buffers failed"),
            )),
        }
    }
}

impl Slots {
    /// The first slot of a free range of `count` slots (the lowest that fits).
    fn take(&mut self, count: u16) -> io::Result<u32> {
        let count = u32::from(count);
        let Some(at) = self.free.iter().position(|r| r.len() as u32 >= count) else {
            let room = self.free.iter().map(|r| r.len()).max().unwrap_or(0);
            return Err(io::Error::new(
                io::ErrorKind::OutOfMemory,
                format!(
                    "the ring's registered-buffer table ({TABLE_SLOTS} slots) has room for \
                     {room} more buffers in a row, not {count}: drop a pool first"
                ),
            ));
        };
        let first = self.free[at].start;
        self.free[at].start += count;
        if self.free[at].is_empty() {
            self.free.remove(at);
        }
        Ok(first)
    }

    /// Makes `range` free again, merged with its neighbours.
    fn put_back(&mut self, range: Range<u32>) {
        let at = self.free.partition_point(|r| r.start < range.start);
        self.free.insert(at, range);
        if at + 1 < self.free.len() && self.free[at].end == self.free[at + 1].start {
            self.free[at].end = self.free.remove(at + 1).end;
        }
        if at > 0 && self.free[at - 1].end == self.free[at].start {
            self.free[at - 1].end = self.free.remove(at).end;
        }
    }

    /// Empties a released pool's slots and frees them (and its memory).
    fn release(&mut self, ring: &IoUring, released: Released) {
        let range = released.slots.clone();
        // A failure here (the kernel out of memory for the update) leaves
        // the old buffers registered in slots no operation uses; a pool
        // that takes the range later overwrites them.
        let _ = empty(ring, range.start, range.len() as u32);
        self.put_back(range);
        drop(released);
    }

    fn empty_deferred(&mut self, ring: &IoUring) {
        let deferred = std::mem::take(&mut *self.deferred.borrow_mut());
        for released in deferred {
            self.release(ring, released);
        }
    }
}

/// Registers buffer `i` of `memory` in slot `first + i`, for each `i`;
/// on a failure, empties the slots filled so far.
fn fill(
    ring: &IoUring,
    first: u32,
    memory: &PoolMemory,
    count: u16,
    size: usize,
) -> io::Result<()> {
    for i in 0..u32::from(count) {
        let iov = [libc::iovec {
            iov_base: memory.ptr.as_ptr().wrapping_add(i as usize * size).cast(),
            iov_len: size,
        }];
        // SAFETY: the iovec lies inside `memory`, which stays allocated until
        // the slot is emptied again (`FixedBufRegistration`'s drop) or the
        // ring is gone.
        let res = unsafe {
            ring.submitter()
                .register_buffers_update(first + i, &iov, None)
        };
        if let Err(e) = res {
            let _ = empty(ring, first, i);
            return Err(e);
        }
    }
    Ok(())
}

/// Empties slots `first..first + count` (`iov_base` NULL).
fn empty(ring: &IoUring, first: u32, count: u32) -> io::Result<()> {
    if count == 0 {
        return Ok(());
    }
    let nulls = vec![
        libc::iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 0,
        };
        count as usize
    ];
    // SAFETY: null iovecs register no memory: they empty the slots.
    unsafe {
        ring.submitter()
            .register_buffers_update(first, &nulls, None)
    }
}

/// Whether the kernel has `IORING_OP_READ_FIXED` and `IORING_OP_WRITE_FIXED`
/// (asked with a probe, as for `WAITID`).
fn supports_fixed_buffers(ring: &IoUring) -> bool {
    use io_uring::opcode::{ReadFixed, WriteFixed};
    super::setup::supports_opcodes(ring, &[ReadFixed::CODE, WriteFixed::CODE])
}

/// Refuses a pool the kernel could not register: no buffers, empty
/// buffers, buffers over 1 GiB, more buffers than the table has slots.
fn check_shape(count: usize, size: usize) -> io::Result<u16> {
    let invalid = |what: String| Err(io::Error::new(io::ErrorKind::InvalidInput, what));
    if count == 0 || size == 0 {
        return invalid(format!(
            "a fixed-buffer pool needs at least one buffer of at least one byte, not \
             {count} buffers of {size} bytes"
        ));
    }
    if size > MAX_BUF_SIZE {
        return invalid(format!(
            "fixed buffers of {size} bytes are larger than the kernel registers (1 GiB)"
        ));
    }
    match u16::try_from(count) {
        Ok(count) if u32::from(count) <= TABLE_SLOTS => Ok(count),
        _ => invalid(format!(
            "a fixed-buffer pool of {count} buffers is larger than the ring's table \
             ({TABLE_SLOTS} slots)"
        )),
    }
}

/// The error of a failed registration. The kernel refuses to pin more
/// memory than `RLIMIT_MEMLOCK` allows (counted per user, over everything
/// it has pinned; root with `CAP_IPC_LOCK` is exempt) with `ENOMEM`, or
/// `EPERM` on some older kernels: the message says so.
fn registration_error(e: io::Error, count: u16, size: usize) -> io::Error {
    let context = match e.raw_os_error() {
        Some(libc::ENOMEM) | Some(libc::EPERM) => format!(
            "registering {count} buffers of {size} bytes failed: RLIMIT_MEMLOCK ({}) is too \
             low for the memory they pin (raise it with ulimit -l)",
            memlock_limit()
        ),
        _ => format!("registering {count} buffers of {size} bytes failed"),
    };
    with_context(e, context)
}

/// This process's `RLIMIT_MEMLOCK`, in words.
fn memlock_limit() -> String {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` lives on this frame and is the size getrlimit writes.
    if unsafe { libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut limit) } != 0 {
        return "unknown".to_string();
    }
    match limit.rlim_cur {
        libc::RLIM_INFINITY => "unlimited".to_string(),
        bytes => format!("{bytes} bytes"),
    }
}

/// A failed registration's error: says what failed, keeps the OS error
/// as its source (and its kind).
#[derive(Debug)]
struct RegisterError {
    context: String,
    source: io::Error,
}

impl fmt::Display for RegisterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.context, self.source)
    }
}

impl std::error::Error for RegisterError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

fn with_context(source: io::Error, context: String) -> io::Error {
    io::Error::new(source.kind(), RegisterError { context, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(free: Vec<Range<u32>>) -> Slots {
        Slots {
            free,
            deferred: Rc::default(),
        }
    }

    #[test]
    fn ranges_are_taken_lowest_first_and_merge_when_given_back() {
        let mut table = slots(std::iter::once(0..TABLE_SLOTS).collect());
        assert_eq!(table.take(4).unwrap(), 0);
        assert_eq!(table.take(4).unwrap(), 4);
        assert_eq!(table.take(8).unwrap(), 8);
        table.put_back(0..4);
        assert_eq!(table.take(2).unwrap(), 0, "the lowest range that fits");
        assert_eq!(table.take(4).unwrap(), 16, "too big for the hole at 2");
        table.put_back(8..16);
        assert_eq!(table.free, vec![2..4, 8..16, 20..TABLE_SLOTS]);
        table.put_back(4..8);
        assert_eq!(table.free, vec![2..16, 20..TABLE_SLOTS], "merged both ways");
        table.put_back(0..2);
        table.put_back(16..20);
        assert_eq!(table.free, vec![0..TABLE_SLOTS], "all merged back");
    }

    #[test]
    fn a_full_table_names_its_room() {
        let mut table = slots(vec![0..3, 10..12]);
        let err = table.take(4).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::OutOfMemory);
        let text = err.to_string();
        assert!(text.contains("room for 3 more"), "{text}");
        assert!(text.contains("not 4"), "{text}");
    }

    #[test]
    fn bad_shapes_are_invalid_input() {
        for (count, size) in [
            (0, 4096),
            (4, 0),
            (1, MAX_BUF_SIZE + 1),
            (TABLE_SLOTS as usize + 1, 16),
        ] {
            let err = check_shape(count, size).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{count} x {size}");
        }
        assert_eq!(check_shape(TABLE_SLOTS as usize, 4096).unwrap(), 1 << 14);
    }

    #[test]
    fn memlock_refusals_say_how_to_raise_the_limit_and_keep_the_source() {
        for errno in [libc::ENOMEM, libc::EPERM] {
            let err = registration_error(io::Error::from_raw_os_error(errno), 8, 65536);
            let text = err.to_string();
            assert!(
                text.starts_with("registering 8 buffers of 65536 bytes failed: RLIMIT_MEMLOCK"),
                "{text}"
            );
            assert!(text.contains("ulimit -l"), "{text}");
            let source = std::error::Error::source(err.get_ref().unwrap()).unwrap();
            let os = source.downcast_ref::<io::Error>().unwrap();
            assert_eq!(os.raw_os_error(), Some(errno));
        }
        let other = registration_error(io::Error::from_raw_os_error(libc::EFAULT), 1, 1);
        assert!(!other.to_string().contains("RLIMIT_MEMLOCK"), "{other}");
    }
}
