//! Child processes whose pipes and exit run on the ring.
//!
//! [`Command`] is std's process builder (std does the fork and exec, and
//! reports exec errors); [`Command::spawn`] gives a [`Child`] whose piped
//! streams are ringio pipes ([`ChildStdin`] is a
//! [`PipeWriter`](crate::io::PipeWriter), [`ChildStdout`] and
//! [`ChildStderr`] are [`PipeReader`](crate::io::PipeReader)s): owned-buffer
//! reads and writes, [`OwnedRead`](crate::io::OwnedRead) /
//! [`OwnedWrite`](crate::io::OwnedWrite), and futures-io (and, with feature
//! `tokio-io`, tokio) `AsyncRead`/`AsyncWrite`. The parent's pipe ends are
//! put in non-blocking mode (the child's ends are left as std made them):
//! the kernel then waits for them by arming a poll rather than in a worker
//! thread.
//!
//! # Waiting for a child
//!
//! [`Child::wait`] costs no thread. On Linux 6.7 and later (probed once per
//! process) it is one `IORING_OP_WAITID` operation that completes when the
//! child exits; on older kernels, a pidfd (`pidfd_open`, Linux 5.3) polled
//! on the ring. Either way std's `Child` then reaps the child and reads its
//! status, so the status is std's [`ExitStatus`] (`code()`, or
//! `ExitStatusExt::signal()` for a child killed by a signal).
//!
//! A [`Child`] dropped before its exit was seen is reaped in the
//! background (by a task of the current runtime, or by a reaper thread
//! when there is none or it shuts down first): no zombie is left behind.
//! [`Command::kill_on_drop`] kills it first.
//!
//! # Examples
//!
//! ```
//! use ringio::process::{Command, Stdio};
//!
//! ringio::run(async {
//!     // Run to completion and collect the output.
//!     let out = Command::new("echo").arg("hi").output().await.unwrap();
//!     assert_eq!(out.stdout, b"hi\n");
//!
//!     // Talk to a child through its pipes.
//!     let mut child = Command::new("tr")
//!         .arg("a-z")
//!         .arg("A-Z")
//!         .stdin(Stdio::piped())
//!         .stdout(Stdio::piped())
//!         .spawn()
//!         .unwrap();
//!     let stdin = child.stdin.take().unwrap();
//!     let (res, _) = stdin.write_all(b"shout".to_vec()).await;
//!     res.unwrap();
//!     drop(stdin);
//!     let out = child.wait_with_output().await.unwrap();
//!     assert_eq!(out.stdout, b"SHOUT");
//! });
//! ```

mod child;
mod command;
mod reaper;
mod wait;

pub use child::Child;
pub use command::Command;
pub use std::process::{ExitStatus, Output, Stdio};

/// The write end of a child's stdin pipe (a
/// [`PipeWriter`](crate::io::PipeWriter)).
pub type ChildStdin = crate::io::PipeWriter;

/// The read end of a child's stdout pipe (a
/// [`PipeReader`](crate::io::PipeReader)).
pub type ChildStdout = crate::io::PipeReader;

/// The read end of a child's stderr pipe (a
/// [`PipeReader`](crate::io::PipeReader)).
pub type ChildStderr = crate::io::PipeReader;
