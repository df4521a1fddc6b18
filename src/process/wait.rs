//! [`Process`]: a spawned child and the wait for its exit on the ring.
//!
//! std's `Child` stays the one that reaps: it keeps the exit status and
//! knows the pid is gone once it has reaped, so its `kill` never signals a
//! recycled pid. The ring only says *when* to ask it:
//!
//! - `IORING_OP_WAITID` (Linux 6.7, probed once per process):
//!   `waitid(P_PID, pid, WEXITED | WNOWAIT)` completes when the child has
//!   exited and leaves it a zombie (`WNOWAIT`); std's `try_wait` then reaps
//!   it and reads the status.
//! - Otherwise a pidfd (`pidfd_open`, Linux 5.3) polled readable with
//!   `IORING_OP_POLL_ADD`, then the same `try_wait`.
//!
//! Neither path costs a thread, and a dropped wait loses nothing (the
//! child is not reaped until `try_wait` runs). A child nobody waited for
//! is reaped in the background (see `Child`'s drop and [`super::reaper`]).
#![forbid(unsafe_code)]

use crate::fd::SharedFd;
use crate::op::poll::PollAdd;
use crate::op::waitid::WaitExit;
use crate::op::Op;
use crate::runtime::context;
use crate::sys::pidfd::pidfd_open;
use std::io;
use std::process::ExitStatus;
use std::sync::OnceLock;

/// Which way [`Process::wait`] learns of the exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaitPath {
    /// `IORING_OP_WAITID` with `WNOWAIT`.
    WaitId,
    /// A pidfd polled with `IORING_OP_POLL_ADD`.
    PidfdPoll,
}

#[cfg(test)]
thread_local! {
    /// Forces the pidfd path on this thread (tests of the fallback).
    pub(crate) static FORCE_PIDFD_POLL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The path this kernel allows (the probe runs once, on the current
/// thread's ring: every ring of one kernel has the same opcodes); always
/// the pidfd under the epoll driver.
///
/// # Panics
///
/// Panics, as every ring operation, outside a ringio runtime.
pub(crate) fn wait_path() -> WaitPath {
    #[cfg(test)]
    if FORCE_PIDFD_POLL.with(|force| force.get()) {
        return WaitPath::PidfdPoll;
    }
    // The epoll driver has no WAITID: its runtimes poll a pidfd, whatever
    // an io_uring runtime of the process found.
    if context::with_driver(|driver| driver.kind()) == crate::DriverKind::Epoll {
        return WaitPath::PidfdPoll;
    }
    static PATH: OnceLock<WaitPath> = OnceLock::new();
    *PATH.get_or_init(|| {
        match context::with_driver(|driver| {
            driver.with_driver(|d| d.supports_opcode(io_uring::opcode::WaitId::CODE))
        }) {
            true => WaitPath::WaitId,
            false => WaitPath::PidfdPoll,
        }
    })
}

/// A spawned child: std's handle (its pipes taken out) and, on the pidfd
/// path, its pidfd.
#[derive(Debug)]
pub(crate) struct Process {
    /// `None` once moved out by [`take`](Process::take).
    std: Option<std::process::Child>,
    pidfd: Option<SharedFd>,
    /// The exit status, once reaped.
    status: Option<ExitStatus>,
}

impl Process {
    pub(crate) fn new(std: std::process::Child) -> Process {
        Process {
            std: Some(std),
            pidfd: None,
            status: None,
        }
    }

    /// Moves the child out, leaving a husk that drops as nothing.
    pub(crate) fn take(&mut self) -> Process {
        Process {
            std: self.std.take(),
            pidfd: self.pidfd.take(),
            status: self.status,
        }
    }

    fn std(&mut self) -> &mut std::process::Child {
        self.std
            .as_mut()
            .expect("a Process was used after it was moved out")
    }

    /// The pid, until the child is reaped (the number may be reused after).
    pub(crate) fn id(&self) -> Option<u32> {
        match (&self.std, self.status) {
            (Some(std), None) => Some(std.id()),
            _ => None,
        }
    }

    pub(crate) fn status(&self) -> Option<ExitStatus> {
        self.status
    }

    /// Reaps the child if it has exited (no wait).
    pub(crate) fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if self.status.is_none() {
            self.status = self.std().try_wait()?;
        }
        Ok(self.status)
    }

    /// Sends `SIGKILL` (nothing once the child is reaped).
    pub(crate) fn start_kill(&mut self) -> io::Result<()> {
        if self.status.is_some() {
            return Ok(());
        }
        self.std().kill()
    }

    /// Waits for the child to exit and reaps it.
    pub(crate) async fn wait(&mut self) -> io::Result<ExitStatus> {
        loop {
            if let Some(status) = self.try_wait()? {
                return Ok(status);
            }
            self.exited().await?;
        }
    }

    /// Resolves once the child has exited (it is not reaped yet).
    async fn exited(&mut self) -> io::Result<()> {
        let pid = self.std().id();
        match wait_path() {
            WaitPath::WaitId => Op::submit(WaitExit::new(pid)).await,
            WaitPath::PidfdPoll => {
                let pidfd = match &self.pidfd {
                    Some(fd) => fd.clone(),
                    None => self.pidfd.insert(SharedFd::new(pidfd_open(pid)?)).clone(),
                };
                Op::submit(PollAdd::new(pidfd, libc::POLLIN))
                    .await
                    .map(drop)
            }
        }
    }
}

impl Drop for Process {
    /// A child still running goes to the background reaper.
    fn drop(&mut self) {
        if let Some(std) = self.std.take() {
            if self.status.is_none() {
                super::reaper::adopt(std);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;
    use std::time::Duration;

    /// Runs `f` on a fresh runtime with the wait path forced to the pidfd
    /// poll (`true`) or left to the probe (`false`).
    fn on_path(force_pidfd: bool, f: impl std::future::Future<Output = ()>) {
        FORCE_PIDFD_POLL.with(|force| force.set(force_pidfd));
        crate::run(f);
        FORCE_PIDFD_POLL.with(|force| force.set(false));
    }

    fn spawn(script: &str) -> Process {
        let child = std::process::Command::new("sh")
            .args(["-c", script])
            .spawn()
            .unwrap();
        Process::new(child)
    }

    fn exit_code_and_no_busy_loop(force_pidfd: bool) {
        on_path(force_pidfd, async move {
            let expected = if force_pidfd {
                WaitPath::PidfdPoll
            } else {
                WaitPath::WaitId
            };
            if !force_pidfd && wait_path() != WaitPath::WaitId {
                eprintln!("this kernel has no IORING_OP_WAITID: the probe chose the pidfd poll");
            } else {
                assert_eq!(wait_path(), expected);
            }
            let mut process = spawn("sleep 0.1; exit 3");
            let before = crate::stats().sqes_submitted;
            let status = process.wait().await.unwrap();
            assert_eq!(status.code(), Some(3));
            // One wait operation (waitid or poll), not a loop of them.
            let ops = crate::stats().sqes_submitted - before;
            assert!(ops <= 2, "{ops} entries for one wait");
            assert_eq!(process.id(), None);
        });
    }

    #[test]
    fn waitid_path_reports_the_exit_code_with_one_operation() {
        exit_code_and_no_busy_loop(false);
    }

    #[test]
    fn pidfd_path_reports_the_exit_code_with_one_operation() {
        exit_code_and_no_busy_loop(true);
    }

    fn kill_and_dropped_wait(force_pidfd: bool) {
        on_path(force_pidfd, async {
            let mut process = spawn("sleep 60");
            let early = crate::time::timeout(Duration::from_millis(5), process.wait()).await;
            assert!(early.is_err(), "still running");
            process.start_kill().unwrap();
            let status = process.wait().await.unwrap();
            assert_eq!(status.signal(), Some(libc::SIGKILL));
            assert_eq!(
                process.wait().await.unwrap(),
                status,
                "the same status again"
            );
        });
    }

    #[test]
    fn waitid_path_sees_a_kill_after_a_dropped_wait() {
        kill_and_dropped_wait(false);
    }

    #[test]
    fn pidfd_path_sees_a_kill_after_a_dropped_wait() {
        kill_and_dropped_wait(true);
    }

    #[test]
    fn pidfd_path_waits_for_many_children_at_once() {
        on_path(true, async {
            let tasks: Vec<_> = (0..20)
                .map(|i| {
                    crate::spawn(async move {
                        let mut process = spawn(&format!("exit {i}"));
                        assert_eq!(process.wait().await.unwrap().code(), Some(i));
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
        });
    }
}
