//! The background reaper: one thread that reaps children dropped without a
//! wait when no ringio runtime can (none on the dropping thread, or its
//! runtime shut down first), so no zombie is left behind.
//!
//! The thread sleeps in `poll(2)` on a pidfd per child and on a wake pipe
//! that [`adopt`] writes to; a child is reaped (std's `try_wait`) once its
//! pidfd says it exited. A child whose pidfd cannot be opened is checked
//! every 100 ms instead. The thread starts on first use and stays.
#![forbid(unsafe_code)]

use crate::sys::fd_flags::set_nonblocking;
use crate::sys::pidfd::{pidfd_open, wait_readable};
use std::io::{PipeReader, PipeWriter, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::process::Child;
use std::sync::{Mutex, OnceLock};

/// How often children without a pidfd are checked, in milliseconds.
const UNPOLLED_INTERVAL_MS: i32 = 100;

/// Children handed over and not yet taken by the thread.
static QUEUE: Mutex<Vec<Child>> = Mutex::new(Vec::new());

/// The wake pipe's write end (`None`: the thread could not start). One
/// byte per hand-over; non-blocking, as a full pipe already has a wake
/// pending.
static WAKE: OnceLock<Option<PipeWriter>> = OnceLock::new();

/// Hands `child` to the background reaper. A child that has already exited
/// is reaped on the spot. If the reaper thread cannot start, the child is
/// left as it is (a zombie once it exits, until this process ends).
pub(crate) fn adopt(mut child: Child) {
    if !matches!(child.try_wait(), Ok(None)) {
        return;
    }
    let Some(wake) = WAKE.get_or_init(start) else {
        return;
    };
    QUEUE.lock().unwrap_or_else(|e| e.into_inner()).push(child);
    let _ = (&*wake).write(&[1]);
}

fn start() -> Option<PipeWriter> {
    let (wake_rx, wake_tx) = std::io::pipe().ok()?;
    set_nonblocking(wake_tx.as_fd(), true).ok()?;
    std::thread::Builder::new()
        .name("ringio-reaper".into())
        .spawn(move || run(wake_rx))
        .ok()?;
    Some(wake_tx)
}

/// The thread: takes handed-over children, reaps those that exited,
/// sleeps until one of the rest exits or a new one comes.
fn run(mut wake: PipeReader) {
    let mut children: Vec<(Child, Option<OwnedFd>)> = Vec::new();
    loop {
        let queued = std::mem::take(&mut *QUEUE.lock().unwrap_or_else(|e| e.into_inner()));
        children.extend(queued.into_iter().map(|child| {
            let pidfd = pidfd_open(child.id()).ok();
            (child, pidfd)
        }));
        children.retain_mut(|(child, _)| matches!(child.try_wait(), Ok(None)));
        let mut fds = vec![wake.as_fd()];
        fds.extend(
            children
                .iter()
                .filter_map(|(_, fd)| fd.as_ref().map(AsFd::as_fd)),
        );
        let timeout = if children.iter().any(|(_, fd)| fd.is_none()) {
            UNPOLLED_INTERVAL_MS
        } else {
            -1
        };
        match wait_readable(&fds, timeout) {
            Ok(ready) if ready[0] => {
                let mut bytes = [0u8; 64];
                let _ = wake.read(&mut bytes);
            }
            Ok(_) => {}
            // Keep the children and try again, without spinning.
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(100)),
        }
    }
}
