//! [`Child`]: a running child process, its pipes, and its exit.
#![forbid(unsafe_code)]

use super::wait::Process;
use super::{ChildStderr, ChildStdin, ChildStdout};
use crate::buf::IoBuf;
use crate::runtime::context;
use std::io;
use std::process::{ExitStatus, Output};

/// A child process started by [`Command::spawn`](super::Command::spawn).
///
/// The pipes asked for with [`Stdio::piped`](super::Stdio::piped) are in
/// [`stdin`](Child::stdin), [`stdout`](Child::stdout) and
/// [`stderr`](Child::stderr), ready to [`take`](Option::take).
///
/// Waiting costs no thread: the ring reports the exit (see the [module
/// docs](super)). A `Child` dropped before its exit was seen keeps running
/// (unless [`kill_on_drop`](super::Command::kill_on_drop) was set: then it
/// gets `SIGKILL`) and is reaped in the background once it exits: by a
/// task on the current runtime, or by a reaper thread when there is no
/// runtime or it shuts down first. No zombie is left behind.
///
/// # Examples
///
/// ```
/// use ringio::process::{Command, Stdio};
///
/// ringio::run(async {
///     let mut child = Command::new("cat")
///         .stdin(Stdio::piped())
///         .stdout(Stdio::piped())
///         .spawn()
///         .unwrap();
///     let stdin = child.stdin.take().unwrap();
///     let (res, _) = stdin.write_all(b"echo".to_vec()).await;
///     res.unwrap();
///     drop(stdin); // cat sees EOF
///     let out = child.wait_with_output().await.unwrap();
///     assert_eq!(out.stdout, b"echo");
/// });
/// ```
#[derive(Debug)]
pub struct Child {
    process: Process,
    kill_on_drop: bool,
    /// The write end of the child's stdin pipe, if it was piped.
    pub stdin: Option<ChildStdin>,
    /// The read end of the child's stdout pipe, if it was piped.
    pub stdout: Option<ChildStdout>,
    /// The read end of the child's stderr pipe, if it was piped.
    pub stderr: Option<ChildStderr>,
}

impl Child {
    pub(crate) fn new(mut std: std::process::Child, kill_on_drop: bool) -> Child {
        let stdin = std.stdin.take().map(ChildStdin::from);
        let stdout = std.stdout.take().map(ChildStdout::from);
        let stderr = std.stderr.take().map(ChildStderr::from);
        Child {
            process: Process::new(std),
            kill_on_drop,
            stdin,
            stdout,
            stderr,
        }
    }

    /// The child's process id, or `None` once it has been reaped (after a
    /// wait saw its exit: the number may belong to another process then).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut child = ringio::process::Command::new("true").spawn().unwrap();
    ///     assert!(child.id().is_some());
    ///     child.wait().await.unwrap();
    ///     assert_eq!(child.id(), None);
    /// });
    /// ```
    pub fn id(&self) -> Option<u32> {
        self.process.id()
    }

    /// Waits for the child to exit and returns its status (the same status
    /// again on later calls). Closes nothing: drop or take
    /// [`stdin`](Child::stdin) first if the child reads it until EOF.
    ///
    /// A child killed by a signal has a status that says which
    /// (`ExitStatusExt::signal`, `code()` is `None`).
    ///
    /// # Errors
    ///
    /// The OS error of the wait (`ECHILD` if something else reaped the
    /// child, e.g. with `SIGCHLD` ignored).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: the child is reaped only once its exit is seen, and a
    /// dropped wait leaves it for the next `wait`, `try_wait` or the
    /// background reaper.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut child = ringio::process::Command::new("sh")
    ///         .args(["-c", "exit 3"])
    ///         .spawn()
    ///         .unwrap();
    ///     assert_eq!(child.wait().await.unwrap().code(), Some(3));
    /// });
    /// ```
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        self.process.wait().await
    }

    /// Reaps the child if it has exited, without waiting: `Ok(None)` while
    /// it runs.
    ///
    /// # Errors
    ///
    /// The OS error of `waitpid(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut child = ringio::process::Command::new("sleep").arg("5").spawn().unwrap();
    ///     assert!(child.try_wait().unwrap().is_none());
    ///     child.kill().await.unwrap();
    ///     assert!(child.try_wait().unwrap().is_some());
    /// });
    /// ```
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        self.process.try_wait()
    }

    /// Sends `SIGKILL` to the child and returns at once (nothing is sent
    /// once the child has been reaped). [`wait`](Child::wait) then reports
    /// the kill.
    ///
    /// # Errors
    ///
    /// The OS error of `kill(2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::os::unix::process::ExitStatusExt;
    ///
    /// ringio::run(async {
    ///     let mut child = ringio::process::Command::new("sleep").arg("60").spawn().unwrap();
    ///     child.start_kill().unwrap();
    ///     assert_eq!(child.wait().await.unwrap().signal(), Some(9));
    /// });
    /// ```
    pub fn start_kill(&mut self) -> io::Result<()> {
        self.process.start_kill()
    }

    /// Sends `SIGKILL` to the child, then waits for it to exit (see
    /// [`start_kill`](Child::start_kill) and [`wait`](Child::wait)).
    ///
    /// # Errors
    ///
    /// As `start_kill` and `wait`.
    ///
    /// # Cancel safety
    ///
    /// The signal is sent before the first await; dropped after that, the
    /// child is killed but not yet reaped (the next wait, or the
    /// background reaper, reaps it).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let mut child = ringio::process::Command::new("sleep").arg("60").spawn().unwrap();
    ///     child.kill().await.unwrap();
    ///     assert!(!child.wait().await.unwrap().success());
    /// });
    /// ```
    pub async fn kill(&mut self) -> io::Result<()> {
        self.start_kill()?;
        self.wait().await.map(drop)
    }

    /// Closes the child's stdin, reads its stdout and stderr to EOF (both
    /// at once, so neither pipe fills up and stalls the child), waits for
    /// it to exit, and returns all three. A stream that was not piped comes
    /// back empty.
    ///
    /// # Errors
    ///
    /// The first read error, or the wait's.
    ///
    /// # Cancel safety
    ///
    /// Not cancel-safe: a drop loses the output read so far. The child
    /// itself is reaped as for a dropped `Child`.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::process::{Command, Stdio};
    ///
    /// ringio::run(async {
    ///     let child = Command::new("sh")
    ///         .args(["-c", "echo out; echo err >&2"])
    ///         .stdout(Stdio::piped())
    ///         .stderr(Stdio::piped())
    ///         .spawn()
    ///         .unwrap();
    ///     let out = child.wait_with_output().await.unwrap();
    ///     assert_eq!(out.stdout, b"out\n");
    ///     assert_eq!(out.stderr, b"err\n");
    /// });
    /// ```
    pub async fn wait_with_output(mut self) -> io::Result<Output> {
        drop(self.stdin.take());
        let stdout = self.stdout.take();
        let stderr = self.stderr.take();
        let (stdout, stderr) =
            futures_util::future::try_join(read_all(stdout), read_all(stderr)).await?;
        let status = self.wait().await?;
        Ok(Output {
            status,
            stdout,
            stderr,
        })
    }
}

/// Everything until EOF (nothing for a stream that was not piped).
async fn read_all(reader: Option<ChildStdout>) -> io::Result<Vec<u8>> {
    const CHUNK: usize = 64 * 1024;
    let mut out = Vec::new();
    let Some(reader) = reader else {
        return Ok(out);
    };
    loop {
        if out.capacity() - out.len() < CHUNK / 4 {
            out.reserve(CHUNK);
        }
        let len = out.len();
        // The read appends: a slice that starts at the end of the bytes.
        let (res, slice) = reader.read(out.slice(len..)).await;
        out = slice.into_inner();
        if res? == 0 {
            return Ok(out);
        }
    }
}

impl Drop for Child {
    /// Leaves a child whose exit was not seen to be reaped in the
    /// background; kills it first with `kill_on_drop`.
    fn drop(&mut self) {
        if self.process.status().is_some() {
            return;
        }
        if self.kill_on_drop {
            let _ = self.process.start_kill();
        }
        let mut process = self.process.take();
        if context::try_with_driver(|_| ()).is_some() {
            // Detached. Dropped unfinished (the runtime shuts down), the
            // process goes to the reaper thread.
            drop(crate::spawn(async move {
                let _ = process.wait().await;
            }));
        } else {
            drop(process); // to the reaper thread
        }
    }
}
