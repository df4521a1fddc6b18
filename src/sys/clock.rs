//! `CLOCK_MONOTONIC`, the clock behind both `std::time::Instant` and io_uring timeouts.

use std::time::{Duration, Instant};

/// Converts `deadline` to an absolute `CLOCK_MONOTONIC` time for an
/// `IORING_TIMEOUT_ABS` timeout.
///
/// `Instant` is read before the clock, so the result is never earlier than the
/// deadline: a timer armed with it cannot fire early.
pub(crate) fn monotonic_deadline(deadline: Instant) -> Duration {
    let before = Instant::now();
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec on this stack frame.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    let now = Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
    now + deadline.saturating_duration_since(before)
}
