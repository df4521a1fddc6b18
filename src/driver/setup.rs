//! Ring construction: the best flags this kernel accepts, with clean fallbacks.

use io_uring::IoUring;
use std::{fmt, io};

/// The knobs the runtime builder passes down.
#[derive(Debug, Clone)]
pub(crate) struct RingConfig {
    /// Submission queue size; the completion queue gets twice as many, and
    /// at least 8,192 (see `CANCEL_HASH_CQ`) unless `exact_cq`.
    pub(crate) entries: u32,
    /// Whether the completion queue is exactly twice `entries` (a size from
    /// `RINGIO_ENTRIES`, there to make the queues overflow in tests).
    pub(crate) exact_cq: bool,
    /// A `RINGIO_ENTRIES` value that is not a size, reported at build.
    pub(crate) entries_error: Option<String>,
    /// `Some(idle_ms)` asks for a kernel submission-polling thread.
    pub(crate) sqpoll_idle: Option<u32>,
    /// Whether to try `SINGLE_ISSUER | DEFER_TASKRUN` first.
    pub(crate) defer_taskrun: bool,
    /// Whether other rings may wake this one with `MSG_RING` (when the
    /// kernel has it) instead of an eventfd write.
    pub(crate) msg_ring: bool,
    /// Whether to register the ring's fd with itself for cheaper enters.
    pub(crate) register_ring_fd: bool,
    /// Submit as soon as this many entries are queued (`u32::MAX`: once
    /// per tick).
    pub(crate) submit_batch: u32,
    /// Which driver to build.
    pub(crate) kind: super::DriverKind,
    /// Buffers in the provided-buffer pool behind `recv_multishot`, and the
    /// bytes of each (also the chunk size of its plain-receive fallback).
    pub(crate) recv_buffers: (u16, u32),
    /// A parked wait asks for this many completions, holding those that
    /// come within this long of the park (`IORING_FEAT_MIN_TIMEOUT`).
    pub(crate) wait_batch: Option<(u32, std::time::Duration)>,
}

impl RingConfig {
    /// Checks what a builder cannot check as it is set.
    pub(crate) fn validate(&self) -> std::io::Result<()> {
        let (count, size) = self.recv_buffers;
        let invalid = |why: String| Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, why));
        if let Some(why) = &self.entries_error {
            return invalid(why.clone());
        }
        if !count.is_power_of_two() || count > MAX_RECV_BUFFERS {
            return invalid(format!(
                "recv_buffers: a count of {count} is not a power of two from 1 to {MAX_RECV_BUFFERS}"
            ));
        }
        if size == 0 || size > MAX_RECV_BUFFER_SIZE {
            return invalid(format!(
                "recv_buffers: a size of {size} bytes is not from 1 to {MAX_RECV_BUFFER_SIZE}"
            ));
        }
        if let Some((completions, max_delay)) = self.wait_batch {
            if completions == 0 {
                return invalid("wait_batch: a batch of 0 completions".into());
            }
            if max_delay < MIN_WAIT_BATCH_DELAY || max_delay > MAX_WAIT_BATCH_DELAY {
                return invalid(format!(
                    "wait_batch: a delay of {max_delay:?} is not from \
                     {MIN_WAIT_BATCH_DELAY:?} to {MAX_WAIT_BATCH_DELAY:?}"
                ));
            }
        }
        let total = u64::from(count) * u64::from(size);
        if total > MAX_RECV_POOL_BYTES {
            return invalid(format!(
                "recv_buffers: {count} buffers of {size} bytes ({total} bytes) exceed \
                 the pool's limit of {MAX_RECV_POOL_BYTES} bytes"
            ));
        }
        Ok(())
    }
}

/// The shortest batch delay (the kernel counts it in whole microseconds).
const MIN_WAIT_BATCH_DELAY: std::time::Duration = std::time::Duration::from_micros(1);
/// The longest batch delay: a wake-up held longer than this is a stall.
const MAX_WAIT_BATCH_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

/// The most buffers a buffer ring holds (the kernel's limit).
const MAX_RECV_BUFFERS: u16 = 1 << 15;
/// The largest pool buffer.
const MAX_RECV_BUFFER_SIZE: u32 = 16 << 20;
/// The most memory one pool takes.
const MAX_RECV_POOL_BYTES: u64 = 1 << 30;

/// Which set of setup flags the kernel accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetupMode {
    /// `SINGLE_ISSUER | DEFER_TASKRUN`: completions run only when we ask.
    DeferTaskrun,
    /// `COOP_TASKRUN | TASKRUN_FLAG`: no IPIs to interrupt the thread.
    CoopTaskrun,
    /// `SQPOLL` (with `SINGLE_ISSUER` when accepted).
    SqPoll,
    /// No optional flags.
    Plain,
    /// No ring: the epoll driver.
    Epoll,
}

/// The first opcode ringio needs that the kernel lacks (asked with
/// `IORING_REGISTER_PROBE`: backported kernels make versions lie), or
/// `"a probe"` itself if the kernel refuses to be probed.
pub(crate) fn missing_opcode(ring: &IoUring) -> Option<&'static str> {
    let mut probe = io_uring::Probe::new();
    if ring.submitter().register_probe(&mut probe).is_err() {
        return Some("PROBE (io_uring_register refused the probe)");
    }
    super::kind::REQUIRED_OPCODES
        .iter()
        .find(|(code, _)| !probe.is_supported(*code))
        .map(|&(_, name)| name)
}

/// Whether the kernel has every opcode in `codes` (one
/// `IORING_REGISTER_PROBE`; callers cache the answer).
pub(crate) fn supports_opcodes(ring: &IoUring, codes: &[u8]) -> bool {
    let mut probe = io_uring::Probe::new();
    ring.submitter().register_probe(&mut probe).is_ok()
        && codes.iter().all(|&code| probe.is_supported(code))
}

/// Builds a ring, trying the fastest flag set first.
pub(crate) fn build(config: &RingConfig) -> io::Result<(IoUring, SetupMode)> {
    let entries = config.entries.max(1);
    let mut last_err = None;
    // Each flag set first with `NO_SQARRAY` (Linux 6.6: the kernel reads
    // entries by ring index, no indirection array), then without it.
    let attempts = candidates(config)
        .into_iter()
        .flat_map(|mode| [(mode, true), (mode, false)]);
    for (mode, no_sqarray) in attempts {
        let mut builder = IoUring::builder();
        let cq = if config.exact_cq {
            entries.saturating_mul(2)
        } else {
            cq_entries(entries)
        };
        builder.setup_cqsize(cq).setup_clamp();
        if no_sqarray {
            builder.setup_no_sqarray();
        }
        match mode {
            SetupMode::DeferTaskrun => {
                builder.setup_single_issuer().setup_defer_taskrun();
            }
            SetupMode::CoopTaskrun => {
                builder.setup_coop_taskrun().setup_taskrun_flag();
            }
            SetupMode::SqPoll => {
                builder.setup_sqpoll(config.sqpoll_idle.unwrap_or(1000));
            }
            SetupMode::Plain | SetupMode::Epoll => {}
        }
        match builder.build(entries) {
            Ok(ring) => {
                if !ring.params().is_feature_nodrop() {
                    return Err(unavailable(
                        "the kernel lacks IORING_FEAT_NODROP (Linux 5.5+ is needed; ringio targets 5.19+)",
                        io::Error::from_raw_os_error(libc::ENOTSUP),
                    ));
                }
                // The timer queue bounds a parked enter with its timeout.
                if !ring.params().is_feature_ext_arg() {
                    return Err(unavailable(
                        "the kernel lacks IORING_FEAT_EXT_ARG (Linux 5.11+ is needed; ringio targets 5.19+)",
                        io::Error::from_raw_os_error(libc::ENOTSUP),
                    ));
                }
                return Ok((ring, mode));
            }
            // EINVAL: this kernel does not know a flag; try the next set.
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => last_err = Some(e),
            Err(e) => return Err(unavailable(reason_for(&e), e)),
        }
    }
    let err = last_err.unwrap_or_else(|| io::Error::from_raw_os_error(libc::EINVAL));
    Err(unavailable("io_uring_setup rejected every flag set", err))
}

/// The completion queue's size: twice the submission queue, and at least
/// [`CANCEL_HASH_CQ`].
fn cq_entries(sq_entries: u32) -> u32 {
    sq_entries.saturating_mul(2).max(CANCEL_HASH_CQ)
}

/// The kernel sizes its cancel hash (pending polls, found by `user_data`
/// when an operation is cancelled) from the completion queue: 2 to the
/// power log2(CQ) minus 5 buckets, at most 256, reached at 8,192 entries
/// (128 KiB of CQ). A cancel walks one bucket's list: with 512 entries (16
/// buckets) and 30k reads pending, about 1,900 requests; with 256 buckets,
/// about 120.
const CANCEL_HASH_CQ: u32 = 8192;

fn candidates(config: &RingConfig) -> Vec<SetupMode> {
    if config.sqpoll_idle.is_some() {
        vec![SetupMode::SqPoll]
    } else if config.defer_taskrun {
        vec![
            SetupMode::DeferTaskrun,
            SetupMode::CoopTaskrun,
            SetupMode::Plain,
        ]
    } else {
        vec![SetupMode::CoopTaskrun, SetupMode::Plain]
    }
}

fn reason_for(err: &io::Error) -> &'static str {
    match err.raw_os_error() {
        Some(libc::ENOSYS) => {
            "the kernel has no io_uring_setup (too old, or built without io_uring)"
        }
        Some(libc::EPERM) => {
            "io_uring_setup was denied (kernel.io_uring_disabled, or a seccomp filter)"
        }
        Some(libc::EACCES) => "io_uring_setup was denied by a security policy",
        Some(libc::ENOMEM) => "not enough locked memory for the ring (see RLIMIT_MEMLOCK)",
        Some(libc::EMFILE) | Some(libc::ENFILE) => "no file descriptor left for the ring",
        _ => "io_uring_setup failed",
    }
}

/// The error behind a failed setup: says why, keeps the OS error as source.
#[derive(Debug)]
struct Unavailable {
    reason: &'static str,
    source: io::Error,
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "io_uring unavailable: {}: {}", self.reason, self.source)
    }
}

impl std::error::Error for Unavailable {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

fn unavailable(reason: &'static str, source: io::Error) -> io::Error {
    io::Error::new(source.kind(), Unavailable { reason, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unavailable_error_names_the_cause_and_keeps_the_source() {
        let os = io::Error::from_raw_os_error(libc::EPERM);
        let err = unavailable(reason_for(&os), os);
        let text = err.to_string();
        assert!(text.starts_with("io_uring unavailable"), "{text}");
        assert!(text.contains("io_uring_disabled"), "{text}");
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
        let source = std::error::Error::source(err.get_ref().unwrap()).unwrap();
        let os = source.downcast_ref::<io::Error>().unwrap();
        assert_eq!(os.raw_os_error(), Some(libc::EPERM));
    }
}
