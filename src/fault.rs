//! Fault injection, for tests (feature `fault-injection`, off by default):
//! make an operation this thread pushes complete with an error of the test's
//! choosing, through the same path as a real failure.
//!
//! The chosen operation's entry is still submitted, rewritten in place: a
//! `NOP` under the operation's own `user_data` (for an entry linked to the
//! next one, an entry that fails in the kernel, so the rest of its chain is
//! cancelled as after a real failure). Its completion is reaped as any
//! other, the operation's slot is released by it, and the operation sees
//! `-errno` as its result. What the operation pointed to is untouched, so a
//! retry finds its data where it was. A close is the exception: it is
//! submitted as it is and only its result replaced, since Linux lets go of
//! the descriptor whatever `close` returns.
//!
//! Only operations on the io_uring driver are counted and failed: reads,
//! writes, sends, receives, accepts and multishot accepts and receives,
//! connects, opens, closes, path operations, fsyncs, splices, registered
//! buffer and zero-copy operations, NOPs. The driver's own entries are not
//! counted among them; two of them, the wake paths, are failed on request:
//! the ring's wake-up read ([`fail_next_wake_read`]: how a `spawn_blocking`
//! job, or a task woken from a thread without a runtime, reaches its
//! runtime) and the `MSG_RING` entries that wake another runtime
//! ([`fail_next_msg_ring`]). Cancel requests are not failed. Sleeps are
//! entries in the runtime's timer queue, not operations: they cannot fail
//! (the waits they bound end early on a signal or a completion, and the
//! sleep still fires at its deadline). On the epoll driver nothing is
//! failed.
//!
//! # Examples
//!
//! ```
//! # #[cfg(feature = "fault-injection")] {
//! ringio::run(async {
//!     ringio::fault::fail_next(0, libc::EIO);
//!     let err = ringio::nop().await.unwrap_err();
//!     assert_eq!(err.raw_os_error(), Some(libc::EIO));
//!     ringio::nop().await.unwrap(); // the next one is not failed
//! });
//! # }
//! ```

use std::cell::RefCell;

/// What this thread was asked to fail.
#[derive(Default)]
struct Plan {
    /// Operations still to let through before failing one, and the errno
    /// to fail it with, in the order asked.
    next: Vec<(u32, i32)>,
    /// A seeded share of every operation.
    random: Option<Random>,
    /// Wake-up reads to fail, with their errnos, in the order asked.
    wake_reads: Vec<i32>,
    /// `MSG_RING` wakes to fail, with their errnos, in the order asked.
    msg_rings: Vec<i32>,
    /// Faults injected since the last [`clear`].
    injected: u64,
}

/// [`fail_random`]'s generator and odds.
struct Random {
    state: u64,
    per_million: u32,
    errnos: Vec<i32>,
}

thread_local! {
    static PLAN: RefCell<Plan> = RefCell::new(Plan::default());
}

fn check(errno: i32, from: &str) {
    assert!(
        errno > 0,
        "ringio::fault::{from}: an errno is a positive error number (libc::EIO, ...), not {errno}"
    );
}

/// Fails the operation this thread pushes after `ops_ahead` others (0: the
/// very next one) with `errno`. Several calls add up: each counts from its
/// own call.
///
/// # Panics
///
/// When `errno` is not positive.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "fault-injection")] {
/// ringio::run(async {
///     ringio::fault::fail_next(1, libc::EINTR);
///     ringio::nop().await.unwrap(); // let through
///     assert_eq!(ringio::nop().await.unwrap_err().raw_os_error(), Some(libc::EINTR));
/// });
/// # }
/// ```
pub fn fail_next(ops_ahead: u32, errno: i32) {
    check(errno, "fail_next");
    PLAN.with(|plan| plan.borrow_mut().next.push((ops_ahead, errno)));
}

/// Fails a seeded random `per_million` share of the operations this thread
/// pushes from now on, each with an errno drawn from `errnos`: the same
/// seed fails the same operations of the same run. Replaces an earlier
/// `fail_random` (`per_million` 0 or no errnos turns it off).
///
/// # Panics
///
/// When an errno is not positive.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "fault-injection")] {
/// ringio::run(async {
///     ringio::fault::fail_random(7, 500_000, &[libc::EIO, libc::EAGAIN]);
///     let failed = {
///         let mut failed = 0;
///         for _ in 0..100 {
///             failed += ringio::nop().await.is_err() as u32;
///         }
///         failed
///     };
///     ringio::fault::clear();
///     assert!(failed > 20 && failed < 80, "{failed}");
/// });
/// # }
/// ```
pub fn fail_random(seed: u64, per_million: u32, errnos: &[i32]) {
    for &errno in errnos {
        check(errno, "fail_random");
    }
    PLAN.with(|plan| {
        plan.borrow_mut().random = (per_million > 0 && !errnos.is_empty()).then(|| Random {
            state: seed,
            per_million: per_million.min(1_000_000),
            errnos: errnos.to_vec(),
        })
    });
}

/// Fails this thread's ring's next wake-up read with `errno`: the read of
/// the eventfd that other threads write to end its wait (a `spawn_blocking`
/// job done, a task woken from a thread without a runtime). The read armed
/// after the next wake is replaced by an entry that completes with
/// `-errno` at once; the driver arms a real read again, so no wake is lost.
/// Several calls add up, one read each.
///
/// # Panics
///
/// When `errno` is not positive.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "fault-injection")] {
/// ringio::run(async {
///     ringio::fault::fail_next_wake_read(libc::EIO);
///     // Blocking jobs wake the ring through its eventfd; their results
///     // arrive all the same.
///     while ringio::fault::injected() == 0 {
///         assert_eq!(ringio::spawn_blocking(|| 7).await.unwrap(), 7);
///     }
/// });
/// # }
/// ```
pub fn fail_next_wake_read(errno: i32) {
    check(errno, "fail_next_wake_read");
    PLAN.with(|plan| plan.borrow_mut().wake_reads.push(errno));
}

/// Fails the next `MSG_RING` entry this thread's runtime queues to wake
/// another runtime (a task of that runtime woken from here), with `errno`:
/// the entry is replaced by one that completes here with `-errno`, and the
/// driver then wakes the other runtime through its eventfd, as it does
/// for any failed `MSG_RING` ([`Stats::msg_ring_fallbacks`](crate::Stats)).
/// Several calls add up, one entry each.
///
/// # Panics
///
/// When `errno` is not positive.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "fault-injection")] {
/// ringio::run(async {
///     ringio::fault::fail_next_msg_ring(libc::ENOMEM);
///     ringio::fault::clear(); // never mind
///     assert_eq!(ringio::fault::injected(), 0);
/// });
/// # }
/// ```
pub fn fail_next_msg_ring(errno: i32) {
    check(errno, "fail_next_msg_ring");
    PLAN.with(|plan| plan.borrow_mut().msg_rings.push(errno));
}

/// Forgets every fault this thread was asked for, and its count.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "fault-injection")] {
/// ringio::run(async {
///     ringio::fault::fail_next(0, libc::EIO);
///     ringio::fault::clear();
///     ringio::nop().await.unwrap();
/// });
/// # }
/// ```
pub fn clear() {
    PLAN.with(|plan| *plan.borrow_mut() = Plan::default());
}

/// How many faults this thread injected since the last [`clear`]:
/// operations failed, and wake-up reads and `MSG_RING` wakes failed.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "fault-injection")] {
/// ringio::run(async {
///     ringio::fault::clear();
///     ringio::fault::fail_next(0, libc::EIO);
///     let _ = ringio::nop().await;
///     assert_eq!(ringio::fault::injected(), 1);
/// });
/// # }
/// ```
pub fn injected() -> u64 {
    PLAN.with(|plan| plan.borrow().injected)
}

/// Called once per operation the driver pushes: the errno to fail it
/// with, if it is to fail.
pub(crate) fn take() -> Option<i32> {
    PLAN.with(|plan| {
        let mut plan = plan.borrow_mut();
        // The first one due fires; the rest count this operation.
        let due = plan.next.iter().position(|&(ahead, _)| ahead == 0);
        for (i, (ahead, _)) in plan.next.iter_mut().enumerate() {
            if Some(i) != due && *ahead > 0 {
                *ahead -= 1;
            }
        }
        let mut hit = due.map(|i| plan.next.remove(i).1);
        if let (None, Some(random)) = (hit, &mut plan.random) {
            let draw = crate::splitmix::next(&mut random.state);
            if draw % 1_000_000 < u64::from(random.per_million) {
                let which = (crate::splitmix::next(&mut random.state) % random.errnos.len() as u64)
                    as usize;
                hit = Some(random.errnos[which]);
            }
        }
        if hit.is_some() {
            plan.injected += 1;
        }
        hit
    })
}

/// Called once per wake-up read the driver arms: the errno to fail it
/// with, if it is to fail.
pub(crate) fn take_wake_read() -> Option<i32> {
    take_queued(|plan| &mut plan.wake_reads)
}

/// Called once per `MSG_RING` wake the driver queues: the errno to fail it
/// with, if it is to fail.
pub(crate) fn take_msg_ring() -> Option<i32> {
    take_queued(|plan| &mut plan.msg_rings)
}

/// A `MSG_RING` wake taken to fail could not be queued: its fault goes
/// back, first in line, for the next one.
pub(crate) fn give_back_msg_ring(errno: i32) {
    PLAN.with(|plan| {
        let mut plan = plan.borrow_mut();
        plan.msg_rings.insert(0, errno);
        plan.injected -= 1;
    })
}

fn take_queued(queue: impl FnOnce(&mut Plan) -> &mut Vec<i32>) -> Option<i32> {
    PLAN.with(|plan| {
        let mut plan = plan.borrow_mut();
        let queue = queue(&mut plan);
        let hit = (!queue.is_empty()).then(|| queue.remove(0));
        if hit.is_some() {
            plan.injected += 1;
        }
        hit
    })
}
