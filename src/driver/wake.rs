//! Cross-thread unpark: an eventfd read kept armed in the ring, or a
//! `MSG_RING` completion posted by another ring.
//!
//! Another thread that schedules work for this ring writes to the eventfd
//! ([`Unparker::unpark`]); the armed read completes with [`WAKE_TOKEN`], which
//! ends a blocking `io_uring_enter`. The reaper re-arms the read. A thread
//! that runs a ringio runtime itself queues an `IORING_OP_MSG_RING` entry on
//! its own ring instead: submitted with its next enter (no syscall of its
//! own), it posts a completion here that ends the wait just the same.
//! Should the kernel fail that entry, the sending ring writes the eventfd
//! instead (`messages.rs`).

use super::cqe::WAKE_TOKEN;
use super::messages::Registration;
use crate::sys::eventfd;
use io_uring::{opcode, squeue, types};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};

use crate::runtime::context;
use std::sync::{Arc, Mutex, PoisonError};

/// The ring's fd as other rings' `MSG_RING` entries target it; emptied when
/// the runtime shuts down, so surviving wakers do not keep the ring open.
type RingTarget = Arc<Mutex<Option<Arc<OwnedFd>>>>;

/// The ring side: the eventfd and the 8-byte buffer its read fills.
pub(crate) struct WakeSource {
    fd: Arc<OwnedFd>,
    /// Written by the kernel while a read is armed; boxed so its address is
    /// stable, and only freed once the driver saw the read's last CQE.
    buf: Box<u64>,
    /// Whether a read is in the ring.
    pub(crate) armed: bool,
    /// A duplicate of the ring's fd for `MSG_RING` wakes (where the kernel
    /// has it): it keeps the ring's file alive while an unparker may send.
    ring: RingTarget,
    /// The eventfd's entry in the table of failed wakes' fallbacks.
    registration: Registration,
}

/// The handle other threads use to interrupt a parked ring.
#[derive(Debug, Clone)]
pub(crate) struct Unparker {
    fd: Arc<OwnedFd>,
    ring: RingTarget,
    /// The `user_data` of `MSG_RING` wakes to this ring.
    msg_user_data: u64,
}

impl Unparker {
    /// Ends the ring's wait; cheap and never blocks. From a thread with a
    /// runtime of its own: a `MSG_RING` entry on that runtime's ring.
    /// Otherwise: an eventfd write.
    pub(crate) fn unpark(&self) {
        let ring = self
            .ring
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(ring) = ring {
            if context::try_with_driver(|driver| driver.push_msg_ring(&ring, self.msg_user_data))
                .unwrap_or(false)
            {
                return;
            }
        }
        eventfd::notify(self.fd.as_raw_fd());
    }
}

impl WakeSource {
    /// `ring`: a duplicate of the ring's fd, if other rings may message it.
    pub(crate) fn new(ring: Option<OwnedFd>) -> io::Result<WakeSource> {
        let fd = Arc::new(eventfd::create()?);
        Ok(WakeSource {
            registration: Registration::new(&fd),
            fd,
            buf: Box::new(0),
            armed: false,
            ring: Arc::new(Mutex::new(ring.map(Arc::new))),
        })
    }

    pub(crate) fn unparker(&self) -> Unparker {
        Unparker {
            fd: self.fd.clone(),
            ring: self.ring.clone(),
            msg_user_data: self.registration.user_data(),
        }
    }

    /// Stops `MSG_RING` wakes and lets the ring's duplicate fd close (once
    /// entries already queued on other rings are submitted).
    pub(crate) fn close_ring_target(&self) {
        self.ring
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    /// Gives up the buffer without freeing it: the kernel may still write it.
    pub(crate) fn leak_buffer(&mut self) {
        std::mem::forget(std::mem::replace(&mut self.buf, Box::new(0)));
    }

    /// The read entry to push; the caller marks `armed` once it is queued.
    pub(crate) fn read_entry(&mut self) -> squeue::Entry {
        let buf: *mut u64 = &mut *self.buf;
        opcode::Read::new(types::Fd(self.fd.as_raw_fd()), buf.cast(), 8)
            .build()
            .user_data(WAKE_TOKEN)
    }
}
