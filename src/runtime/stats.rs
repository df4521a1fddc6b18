//! [`Stats`] and [`stats`]: this thread's runtime counters.

use super::context;

/// Counters of the runtime on the current thread, since it was built.
///
/// Plain integers kept without atomics on the hot path; read them with
/// [`stats`]. The ratio `sqes_submitted / enters` is the batching factor.
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     let before = ringio::stats();
///     ringio::time::sleep(std::time::Duration::from_millis(1)).await;
///     let after = ringio::stats();
///     assert!(after.enters > before.enters);
/// });
/// ```
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// `io_uring_enter` system calls.
    pub enters: u64,
    /// Submission entries consumed by the kernel (internal ones included).
    pub sqes_submitted: u64,
    /// Completion entries reaped (internal ones included).
    pub cqes_reaped: u64,
    /// Task polls run by the executor (the `block_on` future not included).
    pub tasks_polled: u64,
    /// Operations in flight now (completed ones not yet taken included).
    pub ops_in_flight: u64,
    /// Operations dropped before completing (a cancel request was sent).
    pub ops_abandoned: u64,
    /// Operations dropped before their entry reached the kernel: withdrawn
    /// from the submission queue, they never started.
    pub ops_withdrawn: u64,
    /// Cancel requests sent for operations still awaited
    /// ([`Cancellable::timeout`](crate::Cancellable::timeout) and
    /// [`cancel_on`](crate::Cancellable::cancel_on)).
    pub ops_cancelled: u64,
    /// Sleeps waiting now (timers in the runtime's queue; they are not ring
    /// operations).
    pub timers_armed: u64,
    /// Wakes of another runtime sent from this one as `MSG_RING` entries
    /// that the kernel failed, and that went through the other runtime's
    /// eventfd instead (a wake is never lost to a failed `MSG_RING`).
    pub msg_ring_fallbacks: u64,
}

/// Reads this thread's runtime counters.
///
/// # Panics
///
/// Panics when called outside a ringio runtime.
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     ringio::nop().await.unwrap();
///     let s = ringio::stats();
///     assert!(s.sqes_submitted >= 1 && s.cqes_reaped >= 1);
/// });
/// ```
pub fn stats() -> Stats {
    let tasks_polled = context::with_executor(|executor| executor.tasks_polled.get());
    let (driver, in_flight, timers) = context::with_driver(|driver| driver.stats());
    Stats {
        enters: driver.enters,
        sqes_submitted: driver.sqes_submitted,
        cqes_reaped: driver.cqes_reaped,
        tasks_polled,
        ops_in_flight: in_flight as u64,
        ops_abandoned: driver.ops_abandoned,
        ops_withdrawn: driver.ops_withdrawn,
        ops_cancelled: driver.ops_cancelled,
        timers_armed: timers as u64,
        msg_ring_fallbacks: driver.msg_ring_fallbacks,
    }
}
