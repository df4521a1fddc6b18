//! [`Command`]: std's process builder, spawning children whose pipes and
//! exit run on the ring.
#![forbid(unsafe_code)]

use super::{Child, ExitStatus, Output, Stdio};
use std::ffi::OsStr;
use std::path::Path;
use std::{fmt, io};

/// A process builder: the methods of [`std::process::Command`] (which does
/// the spawning: fork/exec, and exec errors reported back), plus
/// [`kill_on_drop`](Command::kill_on_drop). The builder methods return
/// `&mut Command` for chaining.
///
/// [`as_std_mut`](Command::as_std_mut) reaches the std builder for the rest
/// (`CommandExt`: uid, process group, `pre_exec`, ...).
///
/// # Examples
///
/// ```
/// use ringio::process::Command;
///
/// ringio::run(async {
///     let out = Command::new("echo").arg("hello").output().await.unwrap();
///     assert!(out.status.success());
///     assert_eq!(out.stdout, b"hello\n");
/// });
/// ```
pub struct Command {
    std: std::process::Command,
    kill_on_drop: bool,
    stdin_set: bool,
    stdout_set: bool,
    stderr_set: bool,
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Command")
            .field("std", &self.std)
            .field("kill_on_drop", &self.kill_on_drop)
            .finish()
    }
}

impl Command {
    /// A builder for running `program` (a path, or a name looked up in
    /// `PATH`), with no arguments, the parent's environment and working
    /// directory, and inherited stdio.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let status = ringio::process::Command::new("true").status().await.unwrap();
    ///     assert!(status.success());
    /// });
    /// ```
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command::from(std::process::Command::new(program))
    }

    /// Adds an argument.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let out = ringio::process::Command::new("echo").arg("one").output().await.unwrap();
    ///     assert_eq!(out.stdout, b"one\n");
    /// });
    /// ```
    pub fn arg<S: AsRef<OsStr>>(&mut self, arg: S) -> &mut Command {
        self.std.arg(arg);
        self
    }

    /// Adds arguments, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let out = ringio::process::Command::new("echo").args(["a", "b"]).output().await.unwrap();
    ///     assert_eq!(out.stdout, b"a b\n");
    /// });
    /// ```
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.std.args(args);
        self
    }

    /// Sets an environment variable for the child.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let out = ringio::process::Command::new("sh")
    ///         .args(["-c", "echo $GREETING"])
    ///         .env("GREETING", "hi")
    ///         .output()
    ///         .await
    ///         .unwrap();
    ///     assert_eq!(out.stdout, b"hi\n");
    /// });
    /// ```
    pub fn env<K: AsRef<OsStr>, V: AsRef<OsStr>>(&mut self, key: K, value: V) -> &mut Command {
        self.std.env(key, value);
        self
    }

    /// Sets several environment variables for the child.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let out = ringio::process::Command::new("sh")
    ///         .args(["-c", "echo $A$B"])
    ///         .envs([("A", "1"), ("B", "2")])
    ///         .output()
    ///         .await
    ///         .unwrap();
    ///     assert_eq!(out.stdout, b"12\n");
    /// });
    /// ```
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.std.envs(vars);
        self
    }

    /// Removes an environment variable from the child's environment.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let out = ringio::process::Command::new("sh")
    ///         .args(["-c", "echo ${HOME:-unset}"])
    ///         .env_remove("HOME")
    ///         .output()
    ///         .await
    ///         .unwrap();
    ///     assert_eq!(out.stdout, b"unset\n");
    /// });
    /// ```
    pub fn env_remove<K: AsRef<OsStr>>(&mut self, key: K) -> &mut Command {
        self.std.env_remove(key);
        self
    }

    /// Clears the child's environment (nothing inherited, only what
    /// [`env`](Command::env) adds).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let out = ringio::process::Command::new("/bin/sh")
    ///         .args(["-c", "echo $ONLY ${HOME:-no-home}"])
    ///         .env_clear()
    ///         .env("ONLY", "this")
    ///         .output()
    ///         .await
    ///         .unwrap();
    ///     assert_eq!(out.stdout, b"this no-home\n");
    /// });
    /// ```
    pub fn env_clear(&mut self) -> &mut Command {
        self.std.env_clear();
        self
    }

    /// Sets the child's working directory.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let out = ringio::process::Command::new("pwd").current_dir("/").output().await.unwrap();
    ///     assert_eq!(out.stdout, b"/\n");
    /// });
    /// ```
    pub fn current_dir<P: AsRef<Path>>(&mut self, dir: P) -> &mut Command {
        self.std.current_dir(dir);
        self
    }

    /// Sets the child's stdin: [`Stdio::piped`] gives
    /// [`Child::stdin`](super::Child::stdin). Inherited by default
    /// ([`output`](Command::output): null).
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::process::{Command, Stdio};
    ///
    /// ringio::run(async {
    ///     let mut child = Command::new("cat").stdin(Stdio::piped()).spawn().unwrap();
    ///     assert!(child.stdin.is_some());
    ///     drop(child.stdin.take());
    ///     child.wait().await.unwrap();
    /// });
    /// ```
    pub fn stdin(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdin(cfg);
        self.stdin_set = true;
        self
    }

    /// Sets the child's stdout: [`Stdio::piped`] gives
    /// [`Child::stdout`](super::Child::stdout). Inherited by default
    /// ([`output`](Command::output): piped).
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::process::{Command, Stdio};
    ///
    /// ringio::run(async {
    ///     let status = Command::new("echo").stdout(Stdio::null()).status().await.unwrap();
    ///     assert!(status.success());
    /// });
    /// ```
    pub fn stdout(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdout(cfg);
        self.stdout_set = true;
        self
    }

    /// Sets the child's stderr: [`Stdio::piped`] gives
    /// [`Child::stderr`](super::Child::stderr). Inherited by default
    /// ([`output`](Command::output): piped).
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::process::{Command, Stdio};
    ///
    /// ringio::run(async {
    ///     let out = Command::new("sh")
    ///         .args(["-c", "echo oops >&2"])
    ///         .stderr(Stdio::null())
    ///         .output()
    ///         .await
    ///         .unwrap();
    ///     assert!(out.stderr.is_empty());
    /// });
    /// ```
    pub fn stderr(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stderr(cfg);
        self.stderr_set = true;
        self
    }

    /// Whether a [`Child`] dropped while still running gets `SIGKILL`
    /// (default `false`: it keeps running). Either way it is reaped in the
    /// background once it exits.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let child = ringio::process::Command::new("sleep")
    ///         .arg("60")
    ///         .kill_on_drop(true)
    ///         .spawn()
    ///         .unwrap();
    ///     drop(child); // killed, and reaped by a background task
    /// });
    /// ```
    pub fn kill_on_drop(&mut self, kill_on_drop: bool) -> &mut Command {
        self.kill_on_drop = kill_on_drop;
        self
    }

    /// The std builder inside.
    ///
    /// # Examples
    ///
    /// ```
    /// let cmd = ringio::process::Command::new("ls");
    /// assert_eq!(cmd.as_std().get_program(), "ls");
    /// ```
    pub fn as_std(&self) -> &std::process::Command {
        &self.std
    }

    /// The std builder inside, for what only it has (`CommandExt`).
    /// Stdio set through it is not seen by [`output`](Command::output),
    /// which then sets its own defaults.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::os::unix::process::CommandExt;
    ///
    /// ringio::run(async {
    ///     let mut cmd = ringio::process::Command::new("true");
    ///     cmd.as_std_mut().process_group(0);
    ///     assert!(cmd.status().await.unwrap().success());
    /// });
    /// ```
    pub fn as_std_mut(&mut self) -> &mut std::process::Command {
        &mut self.std
    }

    /// Starts the child. Its piped streams are in the returned [`Child`].
    /// No runtime is needed to spawn (only to wait, read or write).
    ///
    /// # Errors
    ///
    /// The error of the fork or exec, with the program named: `NotFound`
    /// ("cannot run \`prog\`: No such file or directory") when there is no
    /// such program, `PermissionDenied` when it is not executable, ...
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let err = ringio::process::Command::new("no-such-program").spawn().unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    ///     assert!(err.to_string().contains("no-such-program"));
    /// });
    /// ```
    pub fn spawn(&mut self) -> io::Result<Child> {
        match self.std.spawn() {
            Ok(child) => Ok(Child::new(child, self.kill_on_drop)),
            Err(e) => Err(spawn_error(self.std.get_program(), e)),
        }
    }

    /// Runs the child to completion and collects its stdout and stderr
    /// (read at once, so neither pipe fills up and stalls it). Unless set
    /// on this builder, stdin is null and stdout and stderr are piped, for
    /// this run only (later spawns still inherit them).
    ///
    /// # Errors
    ///
    /// As [`spawn`](Command::spawn) and
    /// [`Child::wait_with_output`](super::Child::wait_with_output).
    ///
    /// # Cancel safety
    ///
    /// Not cancel-safe: a drop loses the output. The child keeps running
    /// (or is killed, with `kill_on_drop`) and is reaped in the background.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let out = ringio::process::Command::new("sh")
    ///         .args(["-c", "echo out; echo err >&2; exit 3"])
    ///         .output()
    ///         .await
    ///         .unwrap();
    ///     assert_eq!(out.status.code(), Some(3));
    ///     assert_eq!(out.stdout, b"out\n");
    ///     assert_eq!(out.stderr, b"err\n");
    /// });
    /// ```
    pub async fn output(&mut self) -> io::Result<Output> {
        if !self.stdin_set {
            self.std.stdin(Stdio::null());
        }
        if !self.stdout_set {
            self.std.stdout(Stdio::piped());
        }
        if !self.stderr_set {
            self.std.stderr(Stdio::piped());
        }
        let child = self.spawn();
        // Back to the defaults of `spawn` and `status`.
        if !self.stdin_set {
            self.std.stdin(Stdio::inherit());
        }
        if !self.stdout_set {
            self.std.stdout(Stdio::inherit());
        }
        if !self.stderr_set {
            self.std.stderr(Stdio::inherit());
        }
        child?.wait_with_output().await
    }

    /// Runs the child to completion and returns its exit status. Streams
    /// left inherited stay inherited; pipes set on the builder are closed at
    /// once (nothing is written to or read from them).
    ///
    /// # Errors
    ///
    /// As [`spawn`](Command::spawn) and [`Child::wait`](super::Child::wait).
    ///
    /// # Cancel safety
    ///
    /// A dropped `status` leaves the child running (or killed, with
    /// `kill_on_drop`), to be reaped in the background.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let status = ringio::process::Command::new("sh")
    ///         .args(["-c", "exit 3"])
    ///         .status()
    ///         .await
    ///         .unwrap();
    ///     assert_eq!(status.code(), Some(3));
    /// });
    /// ```
    pub async fn status(&mut self) -> io::Result<ExitStatus> {
        let mut child = self.spawn()?;
        drop(child.stdin.take());
        drop(child.stdout.take());
        drop(child.stderr.take());
        child.wait().await
    }
}

impl From<std::process::Command> for Command {
    /// Wraps a std builder (with its stdio as set there).
    fn from(std: std::process::Command) -> Command {
        Command {
            std,
            kill_on_drop: false,
            stdin_set: false,
            stdout_set: false,
            stderr_set: false,
        }
    }
}

/// A spawn error that names the program, keeping the OS error's kind and
/// the error itself as the source.
fn spawn_error(program: &OsStr, source: io::Error) -> io::Error {
    let kind = source.kind();
    let program = program.to_string_lossy().into_owned();
    io::Error::new(kind, SpawnError { program, source })
}

#[derive(Debug)]
struct SpawnError {
    program: String,
    source: io::Error,
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot run `{}`: {}", self.program, self.source)
    }
}

impl std::error::Error for SpawnError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}
