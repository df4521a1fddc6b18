//! The ring's own fd registered with the ring (`IORING_REGISTER_RING_FDS`,
//! Linux 5.18): each `io_uring_enter` then passes the registered index with
//! `IORING_ENTER_REGISTERED_RING`, sparing the kernel an fd lookup (and, in a
//! multi-threaded process, its atomic reference count) on every enter.
//!
//! A registration belongs to the registering thread; a runtime never leaves
//! the thread that built it. It is undone before the ring is closed, or the
//! registration would keep the ring alive until the thread exits.

use io_uring::types::SubmitArgs;
use std::io;
use std::os::fd::RawFd;

// From <linux/io_uring.h>; the io-uring crate does not export them.
const IORING_REGISTER_RING_FDS: libc::c_long = 20;
const IORING_UNREGISTER_RING_FDS: libc::c_long = 21;
const IORING_ENTER_REGISTERED_RING: u32 = 1 << 4;

/// `struct io_uring_rsrc_update`.
#[repr(C)]
struct RsrcUpdate {
    offset: u32,
    resv: u32,
    data: u64,
}

/// Registers `ring_fd` with its own ring; the index, or `None` where the
/// kernel cannot (then plain enters are used).
pub(crate) fn register(ring_fd: RawFd) -> Option<u32> {
    let mut update = RsrcUpdate {
        offset: u32::MAX, // let the kernel pick a slot
        resv: 0,
        data: ring_fd as u64,
    };
    // SAFETY: `update` is a valid io_uring_rsrc_update for the duration of
    // the call, and the count passed is 1; the kernel writes the chosen slot
    // into `offset`.
    let res = unsafe {
        libc::syscall(
            libc::SYS_io_uring_register,
            ring_fd,
            IORING_REGISTER_RING_FDS,
            &mut update as *mut RsrcUpdate,
            1,
        )
    };
    (res == 1).then_some(update.offset)
}

/// Undoes [`register`] (before the ring's fd is closed).
pub(crate) fn unregister(ring_fd: RawFd, index: u32) {
    let mut update = RsrcUpdate {
        offset: index,
        resv: 0,
        data: 0,
    };
    // SAFETY: as in `register`; a failure leaves the registration, which the
    // kernel drops when this thread exits.
    let _ = unsafe {
        libc::syscall(
            libc::SYS_io_uring_register,
            ring_fd,
            IORING_UNREGISTER_RING_FDS,
            &mut update as *mut RsrcUpdate,
            1,
        )
    };
}

/// `io_uring_enter` through the registered index, with an `EXT_ARG`
/// argument (a wait timeout) when `arg` is given.
///
/// # Safety
///
/// The entries being submitted must obey `push_entry`'s contract (their
/// memory stays valid until their final CQE), `index` must be this thread's
/// registration of the ring, and `flags` must hold `IORING_ENTER_EXT_ARG`
/// exactly when `arg` is `Some` (the timespec it points to must be live).
pub(crate) unsafe fn enter(
    index: u32,
    to_submit: u32,
    min_complete: u32,
    flags: u32,
    arg: Option<&SubmitArgs<'_, '_>>,
) -> io::Result<usize> {
    let (arg_ptr, arg_size) = match arg {
        Some(arg) => (
            std::ptr::from_ref(arg).cast::<libc::c_void>(),
            std::mem::size_of::<SubmitArgs<'_, '_>>(),
        ),
        None => (std::ptr::null(), 0),
    };
    // SAFETY: the argument is null (size 0) or a live `SubmitArgs`, which is
    // `repr(transparent)` over the kernel's `io_uring_getevents_arg`; the
    // caller vouches for the entries and the flags.
    let res = unsafe {
        libc::syscall(
            libc::SYS_io_uring_enter,
            index,
            to_submit,
            min_complete,
            flags | IORING_ENTER_REGISTERED_RING,
            arg_ptr,
            arg_size,
        )
    };
    if res < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(res as usize)
    }
}
