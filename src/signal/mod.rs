//! Unix signals as async streams: [`ctrl_c`] for the common case,
//! [`unix::signal`] for any signal that may be caught.
//!
//! # How a signal reaches a listener
//!
//! Every [`Signal`](unix::Signal) in the process, on any thread, runtime or
//! [`Pool`](crate::Pool) worker, is told of every delivery of its signal;
//! threads that do not listen are not affected. A runtime parked with
//! nothing to do but wait for a signal is woken at once.
//!
//! ringio's handler does only async-signal-safe work: it marks the signal
//! pending and writes a byte to a pipe. A thread named `ringio-signal`,
//! started by the first [`unix::signal`] call and kept for the life of the
//! process (with the pipe's two fds), reads the pipe and wakes the
//! listeners. Deliveries that arrive before a listener's next `recv` are
//! kept as one pending notification: they coalesce, as with any Unix
//! signal, so a listener learns that the signal arrived, not how often.
//!
//! # The process's signal actions
//!
//! A signal's disposition is process-wide. While at least one listener of a
//! signal exists, ringio's handler is the signal's action:
//!
//! - The first listener installs it with `sigaction(2)` (`SA_RESTART`),
//!   saving the action it replaces: `SIG_DFL`, `SIG_IGN` or a handler the
//!   application installed. That handler does **not** run while ringio
//!   listens, and the signal's default action (for `SIGINT`, `SIGTERM` and
//!   `SIGHUP`: terminating the process) does not happen either.
//! - When the last listener of the signal is dropped, the saved action is
//!   put back exactly: the application's handler runs again, an ignored
//!   signal is ignored again, and a signal that had its default action
//!   takes it again. So after [`ctrl_c`] resolves, and with no other
//!   `SIGINT` listener alive, a second Ctrl-C terminates the process, but
//!   only if `SIGINT` had its default action when ringio installed its
//!   handler; with the application's own handler saved, that handler gets
//!   the second Ctrl-C.
//! - If something else replaced ringio's handler while ringio listened, the
//!   last listener's drop leaves that newer action in place.
//!
//! Signals that cannot be caught (`SIGKILL`, `SIGSTOP`) or that report a
//! fault in the running code (`SIGSEGV`, `SIGBUS`, `SIGILL`, `SIGFPE`) are
//! refused with `InvalidInput`, as are numbers outside `1..=SIGRTMAX`.
//!
//! # Runtimes
//!
//! None is needed: [`unix::signal`] registers the listener before it
//! returns, and [`Signal::recv`](unix::Signal::recv) needs only a waker, so
//! it works on any executor.
//!
//! # Examples
//!
//! ```no_run
//! ringio::run(async {
//!     let work = ringio::spawn(async {
//!         // the application's work
//!     });
//!     ringio::signal::ctrl_c().await.unwrap();
//!     println!("Ctrl-C: shutting down");
//!     drop(work); // leaving `run` drops every task still alive
//! });
//! ```

mod registry;
pub mod unix;

use std::io;

/// Waits for the next Ctrl-C (`SIGINT`).
///
/// The listener is registered when the returned future is **first polled**,
/// not when `ctrl_c()` is called (it is an `async fn`): a `SIGINT` before
/// that first poll is not seen, and takes the signal's action at that
/// moment (by default, the process terminates). While the future exists
/// and has been polled, `SIGINT` does not terminate the process; once it
/// resolves or is dropped, and no other `SIGINT` listener exists, the
/// signal's previous action is back (see the [module docs](self)).
///
/// # Errors
///
/// Those of [`unix::signal`] for `SIGINT` (installing the handler or
/// starting the `ringio-signal` thread failed), and an error if that thread
/// has stopped, so that no signal can arrive.
///
/// # Cancel safety
///
/// Dropping the future stops listening; a `SIGINT` it had seen but not yet
/// returned is lost.
///
/// # Examples
///
/// ```no_run
/// ringio::run(async {
///     ringio::signal::ctrl_c().await.unwrap();
///     println!("interrupted");
/// });
/// ```
pub async fn ctrl_c() -> io::Result<()> {
    let mut interrupt = unix::signal(unix::SignalKind::interrupt())?;
    match interrupt.recv().await {
        Some(()) => Ok(()),
        None => Err(io::Error::other(
            "ringio's signal thread has stopped: no Ctrl-C can arrive",
        )),
    }
}
