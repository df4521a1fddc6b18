//! Plain counters the driver keeps (no atomics: one thread owns them).

/// Driver-side counters for one ring.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct DriverStats {
    /// `io_uring_enter` calls made.
    pub(crate) enters: u64,
    /// SQEs the kernel consumed.
    pub(crate) sqes_submitted: u64,
    /// CQEs reaped, internal ones included.
    pub(crate) cqes_reaped: u64,
    /// Operations dropped before their completion (cancel requests sent).
    pub(crate) ops_abandoned: u64,
    /// Operations dropped before the kernel read their entry (rewritten as
    /// NOPs: never started).
    pub(crate) ops_withdrawn: u64,
    /// Cancel requests sent for operations still awaited (`Cancellable`).
    pub(crate) ops_cancelled: u64,
    /// `MSG_RING` wakes the kernel failed, made through the target's eventfd
    /// instead.
    pub(crate) msg_ring_fallbacks: u64,
}
