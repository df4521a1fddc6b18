//! Unix signals by number: [`SignalKind`] names one, [`signal`] listens for
//! it, [`Signal::recv`] waits for the next delivery.
//!
//! See the [module docs of `ringio::signal`](super) for how deliveries
//! reach listeners and what happens to a handler the application had
//! installed.

use super::registry::{self, Listener};
use crate::sys::signal as sys;
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A Unix signal, by number.
///
/// The constructors name the common ones; [`SignalKind::from_raw`] takes
/// any number. Whether ringio may listen for it is checked by [`signal`].
///
/// # Examples
///
/// ```
/// use ringio::signal::unix::SignalKind;
///
/// assert_eq!(SignalKind::interrupt().as_raw_value(), libc::SIGINT);
/// assert_eq!(SignalKind::from_raw(libc::SIGTERM), SignalKind::terminate());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SignalKind(i32);

impl SignalKind {
    /// The signal numbered `signum`, unchecked (see [`signal`] for which
    /// numbers are accepted).
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::signal::unix::SignalKind;
    ///
    /// let winch = SignalKind::from_raw(libc::SIGWINCH);
    /// assert_eq!(winch.as_raw_value(), libc::SIGWINCH);
    /// ```
    pub const fn from_raw(signum: i32) -> SignalKind {
        SignalKind(signum)
    }

    /// This signal's number.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::signal::unix::SignalKind;
    ///
    /// assert_eq!(SignalKind::hangup().as_raw_value(), libc::SIGHUP);
    /// ```
    pub const fn as_raw_value(&self) -> i32 {
        self.0
    }

    /// `SIGINT`: the terminal's interrupt key (Ctrl-C).
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::signal::unix::SignalKind;
    ///
    /// assert_eq!(SignalKind::interrupt().as_raw_value(), libc::SIGINT);
    /// ```
    pub const fn interrupt() -> SignalKind {
        SignalKind(libc::SIGINT)
    }

    /// `SIGTERM`: a polite request to terminate (what `kill` sends).
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::signal::unix::SignalKind;
    ///
    /// assert_eq!(SignalKind::terminate().as_raw_value(), libc::SIGTERM);
    /// ```
    pub const fn terminate() -> SignalKind {
        SignalKind(libc::SIGTERM)
    }

    /// `SIGHUP`: the terminal hung up; daemons often take it as "reload".
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::signal::unix::SignalKind;
    ///
    /// assert_eq!(SignalKind::hangup().as_raw_value(), libc::SIGHUP);
    /// ```
    pub const fn hangup() -> SignalKind {
        SignalKind(libc::SIGHUP)
    }

    /// `SIGUSR1`: the first application-defined signal.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::signal::unix::SignalKind;
    ///
    /// assert_eq!(SignalKind::user_defined1().as_raw_value(), libc::SIGUSR1);
    /// ```
    pub const fn user_defined1() -> SignalKind {
        SignalKind(libc::SIGUSR1)
    }

    /// `SIGUSR2`: the second application-defined signal.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::signal::unix::SignalKind;
    ///
    /// assert_eq!(SignalKind::user_defined2().as_raw_value(), libc::SIGUSR2);
    /// ```
    pub const fn user_defined2() -> SignalKind {
        SignalKind(libc::SIGUSR2)
    }

    /// `SIGQUIT`: the terminal's quit key (Ctrl-\\).
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::signal::unix::SignalKind;
    ///
    /// assert_eq!(SignalKind::quit().as_raw_value(), libc::SIGQUIT);
    /// ```
    pub const fn quit() -> SignalKind {
        SignalKind(libc::SIGQUIT)
    }

    /// `SIGALRM`: a timer set with `alarm(2)` or `setitimer(2)` expired.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::signal::unix::SignalKind;
    ///
    /// assert_eq!(SignalKind::alarm().as_raw_value(), libc::SIGALRM);
    /// ```
    pub const fn alarm() -> SignalKind {
        SignalKind(libc::SIGALRM)
    }

    /// `SIGCHLD`: a child process stopped or exited.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::signal::unix::SignalKind;
    ///
    /// assert_eq!(SignalKind::child().as_raw_value(), libc::SIGCHLD);
    /// ```
    pub const fn child() -> SignalKind {
        SignalKind(libc::SIGCHLD)
    }

    /// `SIGPIPE`: a write to a pipe or socket with no reader.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::signal::unix::SignalKind;
    ///
    /// assert_eq!(SignalKind::pipe().as_raw_value(), libc::SIGPIPE);
    /// ```
    pub const fn pipe() -> SignalKind {
        SignalKind(libc::SIGPIPE)
    }

    /// `SIGWINCH`: the terminal's window size changed.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::signal::unix::SignalKind;
    ///
    /// assert_eq!(SignalKind::window_change().as_raw_value(), libc::SIGWINCH);
    /// ```
    pub const fn window_change() -> SignalKind {
        SignalKind(libc::SIGWINCH)
    }

    /// The signal's name (`"SIGINT"`), or `None` for a number without one.
    fn name(self) -> Option<&'static str> {
        NAMES
            .iter()
            .find(|(signum, _)| *signum == self.0)
            .map(|(_, name)| *name)
    }

    /// A description for messages: `SIGINT (signal 2)` or `signal 40`.
    fn describe(self) -> String {
        match self.name() {
            Some(name) => format!("{name} (signal {})", self.0),
            None if (libc::SIGRTMIN()..=libc::SIGRTMAX()).contains(&self.0) => {
                format!("SIGRTMIN+{} (signal {})", self.0 - libc::SIGRTMIN(), self.0)
            }
            None => format!("signal {}", self.0),
        }
    }

    /// Refuses the signals ringio will not listen for.
    fn check(self) -> io::Result<()> {
        let refuse = |why: String| Err(io::Error::new(io::ErrorKind::InvalidInput, why));
        let max = sys::max_signal();
        match self.0 {
            n if !(1..=max).contains(&n) => refuse(format!(
                "signal number {n} is out of range: this system's signals are 1 to {max}"
            )),
            libc::SIGKILL | libc::SIGSTOP => refuse(format!(
                "{} cannot be caught, so it cannot be listened for",
                self.describe()
            )),
            libc::SIGSEGV | libc::SIGBUS | libc::SIGILL | libc::SIGFPE => refuse(format!(
                "{} reports a fault in the running code and cannot be listened for \
                 (the faulting instruction would run again after the handler)",
                self.describe()
            )),
            _ => Ok(()),
        }
    }
}

/// Shows the signal's name when it has one: `SignalKind(SIGINT)`.
impl fmt::Debug for SignalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "SignalKind({name})"),
            None => write!(f, "SignalKind({})", self.0),
        }
    }
}

impl From<i32> for SignalKind {
    fn from(signum: i32) -> SignalKind {
        SignalKind::from_raw(signum)
    }
}

impl From<SignalKind> for i32 {
    fn from(kind: SignalKind) -> i32 {
        kind.as_raw_value()
    }
}

/// The standard Linux signals by number.
const NAMES: &[(i32, &str)] = &[
    (libc::SIGHUP, "SIGHUP"),
    (libc::SIGINT, "SIGINT"),
    (libc::SIGQUIT, "SIGQUIT"),
    (libc::SIGILL, "SIGILL"),
    (libc::SIGTRAP, "SIGTRAP"),
    (libc::SIGABRT, "SIGABRT"),
    (libc::SIGBUS, "SIGBUS"),
    (libc::SIGFPE, "SIGFPE"),
    (libc::SIGKILL, "SIGKILL"),
    (libc::SIGUSR1, "SIGUSR1"),
    (libc::SIGSEGV, "SIGSEGV"),
    (libc::SIGUSR2, "SIGUSR2"),
    (libc::SIGPIPE, "SIGPIPE"),
    (libc::SIGALRM, "SIGALRM"),
    (libc::SIGTERM, "SIGTERM"),
    (libc::SIGSTKFLT, "SIGSTKFLT"),
    (libc::SIGCHLD, "SIGCHLD"),
    (libc::SIGCONT, "SIGCONT"),
    (libc::SIGSTOP, "SIGSTOP"),
    (libc::SIGTSTP, "SIGTSTP"),
    (libc::SIGTTIN, "SIGTTIN"),
    (libc::SIGTTOU, "SIGTTOU"),
    (libc::SIGURG, "SIGURG"),
    (libc::SIGXCPU, "SIGXCPU"),
    (libc::SIGXFSZ, "SIGXFSZ"),
    (libc::SIGVTALRM, "SIGVTALRM"),
    (libc::SIGPROF, "SIGPROF"),
    (libc::SIGWINCH, "SIGWINCH"),
    (libc::SIGIO, "SIGIO"),
    (libc::SIGPWR, "SIGPWR"),
    (libc::SIGSYS, "SIGSYS"),
];

/// Starts listening for `kind`: every delivery from now on is seen by the
/// returned [`Signal`] (and by every other listener of the signal, on any
/// thread).
///
/// The first listener of a signal installs ringio's handler for it,
/// replacing the signal's current action; when the last listener of the
/// signal is dropped, that action is put back (see the [module
/// docs](super)). The first listener of any signal also starts the
/// `ringio-signal` thread, which lives as long as the process.
///
/// No runtime is needed: the listener is registered before this returns,
/// and [`Signal::recv`] can be awaited on any executor.
///
/// # Errors
///
/// `InvalidInput`, naming the signal, for a number outside `1..=SIGRTMAX`,
/// for `SIGKILL` and `SIGSTOP` (they cannot be caught), and for `SIGSEGV`,
/// `SIGBUS`, `SIGILL` and `SIGFPE` (they report faults in the running code).
/// The error of `sigaction(2)` (for instance `InvalidInput` for the two
/// real-time signals glibc reserves), or of starting the thread, with the
/// step that failed.
///
/// # Examples
///
/// ```
/// use ringio::signal::unix::{signal, SignalKind};
///
/// ringio::run(async {
///     let mut usr1 = signal(SignalKind::user_defined1()).unwrap();
///     // SAFETY: raising a signal this process has a handler for.
///     unsafe { libc::kill(libc::getpid(), libc::SIGUSR1) };
///     usr1.recv().await;
///
///     let err = signal(SignalKind::from_raw(libc::SIGKILL)).unwrap_err();
///     assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
/// });
/// ```
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    kind.check()?;
    let listener = registry::register(kind.0, &kind.describe())?;
    let seen = listener.delivered();
    Ok(Signal {
        kind,
        listener,
        seen,
    })
}

/// A listener of one signal, made by [`signal`]: [`recv`](Signal::recv)
/// waits for the next delivery.
///
/// Deliveries that arrive while nobody waits are kept as one pending
/// notification: several deliveries before a `recv` make that `recv` return
/// once, at once. Dropping the `Signal` stops listening (and, for the
/// signal's last listener, restores the action ringio's handler replaced).
///
/// Also a [`Stream`](futures_util::Stream) of `()`, one item per
/// notification.
///
/// # Examples
///
/// ```no_run
/// use ringio::signal::unix::{signal, SignalKind};
///
/// ringio::run(async {
///     let mut hangups = signal(SignalKind::hangup()).unwrap();
///     while hangups.recv().await.is_some() {
///         println!("reloading the configuration");
///     }
/// });
/// ```
pub struct Signal {
    kind: SignalKind,
    listener: Arc<Listener>,
    /// The listener's delivery count the last notification accounted for.
    seen: u64,
}

impl Signal {
    /// Waits for the next delivery of the signal; deliveries since the last
    /// `recv` (or since [`signal`] made this listener) return at once, as one.
    ///
    /// `None` only when the `ringio-signal` thread has stopped (its pipe
    /// failed), after which no delivery can come.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a dropped `recv` future consumes nothing, and a delivery
    /// that arrived meanwhile is returned by the next `recv`.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::signal::unix::{signal, SignalKind};
    ///
    /// ringio::run(async {
    ///     let mut usr2 = signal(SignalKind::user_defined2()).unwrap();
    ///     // SAFETY: raising a signal this process has a handler for.
    ///     unsafe { libc::kill(libc::getpid(), libc::SIGUSR2) };
    ///     assert_eq!(usr2.recv().await, Some(()));
    /// });
    /// ```
    pub async fn recv(&mut self) -> Option<()> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next delivery: [`recv`](Signal::recv) as a poll
    /// function, for hand-written futures and streams. On `Pending`, `cx`'s
    /// waker is woken by the next delivery (only the last polled waker is).
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::signal::unix::{signal, SignalKind};
    /// use std::future::poll_fn;
    ///
    /// ringio::run(async {
    ///     let mut usr1 = signal(SignalKind::user_defined1()).unwrap();
    ///     // SAFETY: raising a signal this process has a handler for.
    ///     unsafe { libc::kill(libc::getpid(), libc::SIGUSR1) };
    ///     assert_eq!(poll_fn(|cx| usr1.poll_recv(cx)).await, Some(()));
    /// });
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        if self.take_delivery() {
            return Poll::Ready(Some(()));
        }
        self.listener.set_waker(cx.waker());
        // A delivery between the first check and storing the waker found no
        // waker to wake: look again.
        if self.take_delivery() {
            return Poll::Ready(Some(()));
        }
        if registry::closed() {
            return Poll::Ready(None);
        }
        Poll::Pending
    }

    /// The signal this listener listens for.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::signal::unix::{signal, SignalKind};
    ///
    /// let usr1 = signal(SignalKind::user_defined1()).unwrap();
    /// assert_eq!(usr1.kind(), SignalKind::user_defined1());
    /// ```
    pub fn kind(&self) -> SignalKind {
        self.kind
    }

    /// Accounts for the deliveries not yet returned, if any.
    fn take_delivery(&mut self) -> bool {
        let delivered = self.listener.delivered();
        if delivered == self.seen {
            return false;
        }
        self.seen = delivered;
        true
    }
}

impl futures_util::Stream for Signal {
    type Item = ();

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<()>> {
        self.get_mut().poll_recv(cx)
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signal")
            .field("kind", &self.kind)
            .field("pending", &(self.listener.delivered() != self.seen))
            .finish()
    }
}

impl Drop for Signal {
    fn drop(&mut self) {
        registry::deregister(self.kind.0, &self.listener);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_signals_name_themselves() {
        for (signum, name) in [
            (libc::SIGKILL, "SIGKILL"),
            (libc::SIGSTOP, "SIGSTOP"),
            (libc::SIGSEGV, "SIGSEGV"),
            (libc::SIGBUS, "SIGBUS"),
            (libc::SIGILL, "SIGILL"),
            (libc::SIGFPE, "SIGFPE"),
        ] {
            let err = SignalKind::from_raw(signum).check().unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
            assert!(err.to_string().contains(name), "{err}");
        }
        for signum in [0, -1, 65, 1000] {
            let err = SignalKind::from_raw(signum).check().unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
            assert!(err.to_string().contains(&signum.to_string()), "{err}");
        }
    }

    #[test]
    fn catchable_signals_pass_the_check() {
        for kind in [
            SignalKind::interrupt(),
            SignalKind::terminate(),
            SignalKind::hangup(),
            SignalKind::user_defined1(),
            SignalKind::user_defined2(),
            SignalKind::from_raw(libc::SIGRTMAX()),
        ] {
            kind.check().unwrap();
        }
    }

    #[test]
    fn debug_and_descriptions_use_names() {
        assert_eq!(
            format!("{:?}", SignalKind::interrupt()),
            "SignalKind(SIGINT)"
        );
        assert_eq!(
            format!("{:?}", SignalKind::from_raw(1000)),
            "SignalKind(1000)"
        );
        let rt = SignalKind::from_raw(libc::SIGRTMIN() + 2).describe();
        assert!(rt.starts_with("SIGRTMIN+2 "), "{rt}");
    }
}
