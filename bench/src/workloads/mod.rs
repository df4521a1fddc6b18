//! The workloads the benches and the `compare` example measure, one
//! implementation each: file reads ([`files`]), runtime overhead (spawn,
//! wakes, timers; [`overhead`]) and TCP echo with its load generators
//! ([`echo`]).
//!
//! A workload runs one side ([`Side`]: ringio, or the tokio baseline) for a
//! [`Budget`] (a count of operations, as the benches use, or a duration, as
//! `compare` uses) and returns what it measured: a [`Tally`] for the simple
//! ones, an [`echo::LoadReport`] for network loads. The callers pair the
//! sides with [`crate::runner`] and present the figures their own way.
//!
//! Every ringio runtime a workload measures comes from [`ringio_builder`]
//! (or [`ringio_runtime`], [`ringio_pool`]): one process-wide setting,
//! [`set_ringio_driver`] (default [`DriverKind::Auto`]: io_uring where it
//! works, `RINGIO_DRIVER` overriding it), picks the driver of all of them.
//! The load generators are not measured and stay on [`load_runtime`]
//! (Auto), so every row of a workload faces the same client.

pub mod echo;
pub mod files;
pub mod overhead;
pub mod raw_server;

pub use ringio::DriverKind;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The runtime a workload runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// A ringio runtime on the calling thread, from [`ringio_runtime`] (its
    /// driver is [`set_ringio_driver`]'s).
    Ringio,
    /// A tokio current-thread runtime ([`tokio_current_thread`]), the
    /// baseline.
    Tokio,
}

/// How much of a workload to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    /// This many operations; a workload of several tasks gives each an even
    /// share (`n / tasks`).
    Ops(u64),
    /// Operations until this much time has passed since the measured time
    /// started (each task checks the clock before each operation).
    Time(Duration),
}

impl Budget {
    /// One task's share when `tasks` tasks split the budget and the measured
    /// time started at `start`.
    pub fn share(self, tasks: usize, start: Instant) -> Limit {
        match self {
            Budget::Ops(n) => Limit::Ops(n / tasks.max(1) as u64),
            Budget::Time(d) => Limit::Until(start + d),
        }
    }
}

/// One task's end: a count of operations or a deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// This many operations.
    Ops(u64),
    /// Until this instant.
    Until(Instant),
}

impl Limit {
    /// Whether another operation may start after `done` of them.
    pub fn allows(self, done: u64) -> bool {
        match self {
            Limit::Ops(n) => done < n,
            Limit::Until(deadline) => Instant::now() < deadline,
        }
    }

    /// How many operations are left after `done` (unbounded, `u64::MAX`,
    /// for a deadline).
    pub fn left(self, done: u64) -> u64 {
        match self {
            Limit::Ops(n) => n.saturating_sub(done),
            Limit::Until(_) => u64::MAX,
        }
    }
}

/// What a workload measured.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tally {
    /// Operations completed.
    pub ops: u64,
    /// The measured time.
    pub elapsed: Duration,
    /// Tasks or operations that failed (never silently dropped).
    pub errors: u64,
    /// ringio's counters over the measured time, on the ringio side of the
    /// workloads that read them.
    pub stats: Option<ringio::Stats>,
}

impl Tally {
    /// Operations per second (a zero `elapsed` counts as one nanosecond).
    pub fn rate(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The driver of the ringio runtimes the workloads build (see
/// [`set_ringio_driver`]).
static RINGIO_DRIVER: Mutex<DriverKind> = Mutex::new(DriverKind::Auto);

/// Sets the driver of every ringio runtime the workloads build from now on
/// (servers, pools, the file and overhead workloads; not the load
/// generators, see [`load_runtime`]), process-wide; returns the previous
/// setting. Default [`DriverKind::Auto`]. A workload reads it when it
/// starts, before it starts any thread.
pub fn set_ringio_driver(kind: DriverKind) -> DriverKind {
    let mut driver = RINGIO_DRIVER.lock().unwrap_or_else(|e| e.into_inner());
    std::mem::replace(&mut *driver, kind)
}

/// The driver [`set_ringio_driver`] set ([`DriverKind::Auto`] unless it
/// was called).
pub fn ringio_driver() -> DriverKind {
    *RINGIO_DRIVER.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f` with [`set_ringio_driver`]`(kind)`, then puts the previous
/// setting back (also when `f` panics). The setting is process-wide: the
/// caller runs one measurement at a time.
pub fn with_ringio_driver<T>(kind: DriverKind, f: impl FnOnce() -> T) -> T {
    struct Restore(DriverKind);
    impl Drop for Restore {
        fn drop(&mut self) {
            set_ringio_driver(self.0);
        }
    }
    let _restore = Restore(set_ringio_driver(kind));
    f()
}

/// A raw ring of `sq_entries` (and `cq_entries` completions) with the setup
/// flags ringio's driver tries first: single issuer, deferred task
/// running, and no SQ array where the kernel has it (Linux 6.6); without
/// that one, then without flags, where the kernel refuses them. The raw
/// loops that stand as the limits of the workloads run on it.
///
/// # Errors
///
/// When the kernel refuses every set.
pub fn raw_ring(sq_entries: u32, cq_entries: u32) -> io::Result<io_uring::IoUring> {
    let build = |flags: bool, no_sqarray: bool| {
        let mut builder = io_uring::IoUring::builder();
        builder.setup_cqsize(cq_entries);
        if flags {
            builder.setup_single_issuer().setup_defer_taskrun();
        }
        if no_sqarray {
            builder.setup_no_sqarray();
        }
        builder.build(sq_entries)
    };
    build(true, true)
        .or_else(|_| build(true, false))
        .or_else(|_| build(false, false))
}

/// The environment variable that makes every measured ringio runtime park
/// in batches: `RINGIO_BENCH_WAIT_BATCH=<completions>,<max delay in µs>`
/// ([`ringio::Builder::wait_batch`]). The load generators never batch.
pub const WAIT_BATCH_ENV: &str = "RINGIO_BENCH_WAIT_BATCH";

/// The batch [`WAIT_BATCH_ENV`] asks for, if it is set.
///
/// # Panics
///
/// When the variable is set to anything but two numbers split by a comma.
pub fn wait_batch() -> Option<(u32, Duration)> {
    let value = std::env::var(WAIT_BATCH_ENV).ok()?;
    let parsed = value.split_once(',').and_then(|(n, us)| {
        Some((
            n.trim().parse().ok()?,
            Duration::from_micros(us.trim().parse().ok()?),
        ))
    });
    Some(parsed.unwrap_or_else(|| {
        panic!("{WAIT_BATCH_ENV}={value:?}: expected <completions>,<max delay in µs>")
    }))
}

/// The builder of every ringio runtime a workload measures: the defaults,
/// on [`ringio_driver`]'s driver, parking in batches where
/// [`WAIT_BATCH_ENV`] says so.
pub fn ringio_builder() -> ringio::Builder {
    let mut builder = ringio::Builder::new();
    builder.driver(ringio_driver());
    if let Some((completions, max_delay)) = wait_batch() {
        builder.wait_batch(completions, max_delay);
    }
    builder
}

/// A ringio runtime from [`ringio_builder`].
///
/// # Errors
///
/// When the runtime cannot be built (io_uring asked for and unavailable).
pub fn ringio_runtime() -> io::Result<ringio::Runtime> {
    ringio_builder().build()
}

/// A `ringio::Pool` of `threads` workers, each on a runtime from
/// [`ringio_builder`].
pub fn ringio_pool(threads: usize) -> ringio::PoolBuilder {
    ringio::Pool::new(threads).runtime(ringio_builder())
}

/// The runtime of the ringio load generators: [`DriverKind::Auto`] (io_uring
/// where it works; `RINGIO_DRIVER` overrides it), whatever
/// [`set_ringio_driver`] says, so the client is the same for every row.
///
/// # Errors
///
/// When the runtime cannot be built.
pub fn load_runtime() -> io::Result<ringio::Runtime> {
    ringio::Builder::new().build()
}

/// A tokio current-thread runtime with I/O and timers: the baseline.
///
/// # Errors
///
/// When tokio cannot build its runtime (its reactor's epoll instance).
pub fn tokio_current_thread() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// This thread's ringio counters since `before` (`enters` and
/// `sqes_submitted` are the differences; the other fields are as now).
///
/// # Panics
///
/// Outside a ringio runtime.
pub fn stats_since(before: ringio::Stats) -> ringio::Stats {
    let mut now = ringio::stats();
    now.enters -= before.enters;
    now.sqes_submitted -= before.sqes_submitted;
    now
}

/// A port that several `SO_REUSEPORT` listeners can share: reserved by a
/// bound (not listening) socket, which the caller drops once they are bound.
///
/// # Panics
///
/// When no socket can be made or bound on 127.0.0.1.
pub fn reuse_port_reservation() -> (socket2::Socket, SocketAddr) {
    let holder = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    holder.set_reuse_address(true).unwrap();
    holder.set_reuse_port(true).unwrap();
    holder
        .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    let addr = holder.local_addr().unwrap().as_socket().unwrap();
    (holder, addr)
}

/// Awaits tasks (of either runtime) that each return how many operations
/// they made; a failed or panicked task counts as an error.
pub(crate) async fn join_counts<E>(
    tasks: Vec<impl Future<Output = Result<io::Result<u64>, E>>>,
) -> Tally {
    let mut tally = Tally::default();
    for task in tasks {
        match task.await {
            Ok(Ok(n)) => tally.ops += n,
            _ => tally.errors += 1,
        }
    }
    tally
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_split_into_limits() {
        let start = Instant::now();
        assert_eq!(Budget::Ops(128).share(32, start), Limit::Ops(4));
        assert_eq!(Budget::Ops(7).share(0, start), Limit::Ops(7));
        let limit = Budget::Ops(10).share(1, start);
        assert!(limit.allows(9) && !limit.allows(10));
        assert_eq!((limit.left(3), limit.left(12)), (7, 0));
        let until = Budget::Time(Duration::from_secs(60)).share(4, start);
        assert_eq!(until, Limit::Until(start + Duration::from_secs(60)));
        assert!(until.allows(u64::MAX - 1));
        assert_eq!(until.left(5), u64::MAX);
        assert!(!Budget::Time(Duration::ZERO).share(1, start).allows(0));
    }

    #[test]
    fn a_tally_rates_ops_over_time() {
        let tally = Tally {
            ops: 500,
            elapsed: Duration::from_millis(250),
            ..Tally::default()
        };
        assert_eq!(tally.rate(), 2000.0);
        assert!(Tally::default().rate() == 0.0);
    }
}
