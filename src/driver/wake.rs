//! Cross-thread unpark: an eventfd read kept armed in the ring.
//!
//! Another thread that schedules work for this ring writes to the eventfd
//! ([`Unparker::unpark`]); the armed read completes with [`WAKE_TOKEN`], which
//! ends a blocking `io_uring_enter`. The reaper re-arms the read.

use super::cqe::WAKE_TOKEN;
use crate::sys::eventfd;
use io_uring::{opcode, squeue, types};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::Arc;

/// The ring side: the eventfd and the 8-byte buffer its read fills.
pub(crate) struct WakeSource {
    fd: Arc<OwnedFd>,
    /// Written by the kernel while a read is armed; boxed so its address is
    /// stable, and only freed once the driver saw the read's last CQE.
    buf: Box<u64>,
    /// Whether a read is in the ring.
    pub(crate) armed: bool,
}

/// The handle other threads use to interrupt a parked ring.
#[derive(Debug, Clone)]
pub(crate) struct Unparker {
    fd: Arc<OwnedFd>,
}

impl Unparker {
    /// Makes the ring's armed read complete; cheap and never blocks.
    pub(crate) fn unpark(&self) {
        eventfd::notify(self.fd.as_raw_fd());
    }
}

impl WakeSource {
    pub(crate) fn new() -> io::Result<WakeSource> {
        Ok(WakeSource {
            fd: Arc::new(eventfd::create()?),
            buf: Box::new(0),
            armed: false,
        })
    }

    pub(crate) fn unparker(&self) -> Unparker {
        Unparker {
            fd: self.fd.clone(),
        }
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
