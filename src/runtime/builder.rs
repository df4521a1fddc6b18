//! [`Builder`]: the runtime's knobs.

use super::Runtime;
use crate::driver::{DriverKind, RingConfig};
use std::io;
use std::time::Duration;

/// Default submission queue size.
pub(crate) const DEFAULT_ENTRIES: u32 = 256;
/// Default number of task polls between two looks at the ring.
pub(crate) const DEFAULT_BUDGET: usize = 64;
/// Default bound on waiting for in-flight operations when a runtime drops.
pub(crate) const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(1);

/// Default number of buffers in the pool behind `recv_multishot`.
pub(crate) const DEFAULT_RECV_BUFFERS: u16 = 256;
/// Default size of each of those buffers.
pub(crate) const DEFAULT_RECV_BUFFER_SIZE: u32 = 16 * 1024;

/// The environment variable that overrides the default ring size.
pub(crate) const ENTRIES_ENV: &str = "RINGIO_ENTRIES";

/// The largest size `RINGIO_ENTRIES` may ask for (the kernel's limit).
const MAX_ENV_ENTRIES: u32 = 32_768;

/// The default submission queue size as `RINGIO_ENTRIES` overrides it,
/// whether it did, and why a value set there is not a size.
fn entries_from_env() -> (u32, bool, Option<String>) {
    let Some(value) = std::env::var_os(ENTRIES_ENV) else {
        return (DEFAULT_ENTRIES, false, None);
    };
    let value = value.to_string_lossy();
    match value.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_ENV_ENTRIES).contains(&n) => (n, true, None),
        _ if value.trim().is_empty() => (DEFAULT_ENTRIES, false, None),
        _ => (
            DEFAULT_ENTRIES,
            false,
            Some(format!(
                "{ENTRIES_ENV} must be a ring size from 1 to {MAX_ENV_ENTRIES}, not {value:?}"
            )),
        ),
    }
}

/// Configures and builds a [`Runtime`]. The defaults are those of
/// [`ringio::run`](crate::run).
///
/// # Examples
///
/// ```
/// let rt = ringio::Builder::new().entries(64).build().unwrap();
/// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    pub(crate) ring: RingConfig,
    pub(crate) budget: usize,
    pub(crate) shutdown_timeout: Duration,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl Builder {
    /// The default configuration.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = ringio::Builder::new().build().unwrap();
    /// assert_eq!(rt.block_on(async { 3 }), 3);
    /// ```
    pub fn new() -> Builder {
        let (entries, exact_cq, entries_error) = entries_from_env();
        Builder {
            ring: RingConfig {
                entries,
                exact_cq,
                entries_error,
                sqpoll_idle: None,
                defer_taskrun: true,
                msg_ring: true,
                register_ring_fd: true,
                submit_batch: u32::MAX,
                kind: DriverKind::Auto,
                recv_buffers: (DEFAULT_RECV_BUFFERS, DEFAULT_RECV_BUFFER_SIZE),
                wait_batch: None,
            },
            budget: DEFAULT_BUDGET,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
        }
    }

    /// Submission queue size (rounded up to a power of two by the kernel;
    /// the completion queue gets twice as many). More operations than this may
    /// be in flight: a full queue is submitted and refilled. Default 256, or
    /// `RINGIO_ENTRIES=<n>` from the environment (which also makes the
    /// completion queue exactly 2n, so that a test suite run with a tiny
    /// ring overflows both queues on every path); a size set here wins
    /// over the variable.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = ringio::Builder::new().entries(1024).build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn entries(&mut self, entries: u32) -> &mut Builder {
        self.ring.entries = entries.max(1);
        // An explicit size wins over `RINGIO_ENTRIES`.
        self.ring.exact_cq = false;
        self.ring.entries_error = None;
        self
    }

    /// How many task polls run between two looks at the ring. Default 64.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = ringio::Builder::new().budget(16).build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn budget(&mut self, polls: usize) -> &mut Builder {
        self.budget = polls.max(1);
        self
    }

    /// Uses a kernel thread that polls the submission queue (`SQPOLL`), which
    /// sleeps after `idle` without work. Costs a core; off by default.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// // SQPOLL may need privileges on older kernels: handle the error.
    /// if let Ok(rt) = ringio::Builder::new().sqpoll(Duration::from_millis(10)).build() {
    ///     rt.block_on(async { ringio::nop().await.unwrap() });
    /// }
    /// ```
    pub fn sqpoll(&mut self, idle: Duration) -> &mut Builder {
        self.ring.sqpoll_idle = Some(idle.as_millis().try_into().unwrap_or(u32::MAX));
        self
    }

    /// Whether to try `SINGLE_ISSUER | DEFER_TASKRUN` (falling back to
    /// `COOP_TASKRUN` or no flags when the kernel refuses). Default `true`.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = ringio::Builder::new().defer_taskrun(false).build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn defer_taskrun(&mut self, enabled: bool) -> &mut Builder {
        self.ring.defer_taskrun = enabled;
        self
    }

    /// Whether other ringio threads wake this runtime's parked ring with an
    /// `IORING_OP_MSG_RING` entry (queued on their own ring, submitted with
    /// their next `io_uring_enter`: no extra syscall) instead of an eventfd
    /// write. Used only where the kernel has `MSG_RING`; wakes from threads
    /// without a ringio runtime always use the eventfd. Default `true`.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = ringio::Builder::new().msg_ring(false).build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn msg_ring(&mut self, enabled: bool) -> &mut Builder {
        self.ring.msg_ring = enabled;
        self
    }

    /// Submits queued entries as soon as `limit` of them wait (one
    /// `io_uring_enter` that does not wait), instead of once per tick.
    /// Default: no limit, one enter per tick. A `limit` of 0 counts as 1.
    ///
    /// Batching saves syscalls, and is what sockets and cached files want.
    /// But the kernel *plugs* a block-device batch of more than two entries
    /// and dispatches it to the device in one go; on disks whose queue
    /// works better fed one request at a time (this project's virtual
    /// disk: about 1.2× more `O_DIRECT` random reads at queue depth 32),
    /// `submit_batch(1)` sends each request as soon as it is made, as fio
    /// does by default.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = ringio::Builder::new().submit_batch(1).build().unwrap();
    /// rt.block_on(async { ringio::nop().await.unwrap() });
    /// ```
    pub fn submit_batch(&mut self, limit: u32) -> &mut Builder {
        self.ring.submit_batch = limit.max(1);
        self
    }

    /// How long dropping the runtime waits for cancelled operations to
    /// complete before leaking their buffers. Default one second.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = ringio::Builder::new()
    ///     .shutdown_timeout(Duration::from_millis(100))
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn shutdown_timeout(&mut self, timeout: Duration) -> &mut Builder {
        self.shutdown_timeout = timeout;
        self
    }

    /// Which I/O driver to run on (see [`DriverKind`]). Default
    /// [`DriverKind::Auto`]: io_uring where it works, epoll where it does
    /// not, and `RINGIO_DRIVER=io_uring|epoll` in the environment
    /// overrides it.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::{Builder, DriverKind};
    ///
    /// let rt = Builder::new().driver(DriverKind::Epoll).build().unwrap();
    /// let n = rt.block_on(async { ringio::spawn(async { 7 }).await.unwrap() });
    /// assert_eq!(n, 7);
    /// ```
    pub fn driver(&mut self, kind: DriverKind) -> &mut Builder {
        self.ring.kind = kind;
        self
    }

    /// The provided-buffer pool behind
    /// [`recv_multishot`](crate::net::TcpStream::recv_multishot): `count`
    /// buffers of `size` bytes, registered with the ring on first use and
    /// shared by every multishot receive of the runtime. A chunk is at most
    /// `size` bytes; when all `count` are held, receives go on through
    /// plain buffers of `size` bytes until some come back. The epoll driver
    /// has no pool: its chunks are plain buffers of `size` bytes. Default
    /// 256 buffers of 16 KiB.
    ///
    /// `count` must be a power of two up to 32,768, `size` from 1 byte to
    /// 16 MiB, and the pool at most 1 GiB; [`build`](Builder::build) says
    /// which is wrong (`InvalidInput`) otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// // Many connections with small messages: smaller, more numerous buffers.
    /// let rt = ringio::Builder::new().recv_buffers(1024, 4096).build().unwrap();
    /// # drop(rt);
    /// let err = ringio::Builder::new().recv_buffers(100, 4096).build().unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// ```
    pub fn recv_buffers(&mut self, count: u16, size: u32) -> &mut Builder {
        self.ring.recv_buffers = (count, size);
        self
    }

    /// Parks in batches: when the runtime has nothing to run and waits for
    /// the kernel, it asks for `completions` completions; those that come
    /// within `max_delay` of the park are held until the batch is there or
    /// the delay has passed, and after the delay any completion ends the
    /// wait at once (`IORING_FEAT_MIN_TIMEOUT`, Linux 6.12). Default: off,
    /// every completion wakes the runtime at once.
    ///
    /// A server whose load generator sets the pace spends much of its CPU
    /// on wake-ups that each find a few connections ready; batching them
    /// spends less per request, and a completion, or a wake from another
    /// thread, that comes soon after a park waits up to `max_delay` for
    /// the runtime to see it. A timer due sooner than `max_delay` ends the
    /// wait on time: such a wait is not batched. Batching needs a
    /// `DEFER_TASKRUN` ring (the default; not with
    /// [`sqpoll`](Builder::sqpoll) or `defer_taskrun(false)`) and a kernel
    /// with the feature; elsewhere, and on the epoll driver, the runtime
    /// waits as without it, and
    /// [`Runtime::waits_in_batches`](crate::Runtime::waits_in_batches)
    /// says which.
    ///
    /// `completions` must be at least 1 and `max_delay` from 1 µs to 1 s;
    /// [`build`](Builder::build) says which is wrong (`InvalidInput`)
    /// otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = ringio::Builder::new()
    ///     .wait_batch(16, Duration::from_micros(50))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(rt.block_on(async { ringio::spawn(async { 5 }).await.unwrap() }), 5);
    /// let err = ringio::Builder::new()
    ///     .wait_batch(0, Duration::from_micros(50))
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// ```
    pub fn wait_batch(&mut self, completions: u32, max_delay: Duration) -> &mut Builder {
        self.ring.wait_batch = Some((completions, max_delay));
        self
    }

    /// Builds the runtime.
    ///
    /// # Errors
    ///
    /// With [`DriverKind::IoUring`], fails when io_uring is unavailable;
    /// the message says "io_uring unavailable" and why, and the OS error is
    /// its source. Fails when `RINGIO_DRIVER` holds anything but
    /// `io_uring` or `epoll` (`InvalidInput`, naming the value), and when
    /// [`recv_buffers`](Builder::recv_buffers) or
    /// [`wait_batch`](Builder::wait_batch) are out of range
    /// (`InvalidInput`).
    ///
    /// # Examples
    ///
    /// ```
    /// match ringio::Builder::new().build() {
    ///     Ok(rt) => assert_eq!(rt.block_on(async { 1 }), 1),
    ///     Err(e) => eprintln!("no ring here: {e}"),
    /// }
    /// ```
    pub fn build(&self) -> io::Result<Runtime> {
        self.ring.validate()?;
        Runtime::with_builder(self)
    }
}
