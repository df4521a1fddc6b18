//! `sigaction(2)`, the signal handler and its wake-up pipe, behind
//! `ringio::signal`.
//!
//! The handler does only async-signal-safe work: it sets the signal's
//! pending flag (an atomic store) and writes one byte to a non-blocking pipe
//! (`write(2)`), saving and restoring `errno` around the write. The thread
//! that reads the pipe takes the pending flags and does everything else.

use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// Entries in the pending table: Linux signal numbers run from 1 to
/// `SIGRTMAX` (64), so index 0 stays unused.
pub(crate) const TABLE_LEN: usize = 65;

/// One flag per signal number, set by the handler and taken by the reader.
static PENDING: [AtomicBool; TABLE_LEN] = [const { AtomicBool::new(false) }; TABLE_LEN];

/// The pipe's write end the handler writes to (`-1` until the pipe exists).
static WAKE_FD: AtomicI32 = AtomicI32::new(-1);

/// The highest signal number this system defines (`SIGRTMAX`).
pub(crate) fn max_signal() -> i32 {
    libc::SIGRTMAX().min(TABLE_LEN as i32 - 1)
}

/// The action a signal had before ringio installed its handler.
pub(crate) struct SavedAction(libc::sigaction);

// SAFETY: `libc::sigaction` is plain data (a handler address, a flag word, a
// mask and a restorer address); moving it between threads is sound.
unsafe impl Send for SavedAction {}

/// The signal handler: marks `signum` pending and wakes the reader.
extern "C" fn on_signal(signum: libc::c_int) {
    // SAFETY: `__errno_location` returns this thread's errno slot, valid for
    // the thread's lifetime; reading and writing it is async-signal-safe.
    let errno = unsafe { libc::__errno_location() };
    // SAFETY: as above, the pointer is valid and aligned.
    let saved_errno = unsafe { *errno };
    if let Some(flag) = usize::try_from(signum).ok().and_then(|i| PENDING.get(i)) {
        flag.store(true, Ordering::SeqCst);
    }
    let fd = WAKE_FD.load(Ordering::SeqCst);
    if fd >= 0 {
        let byte = 1u8;
        // SAFETY: `write(2)` is async-signal-safe; `byte` lives on this stack
        // frame for the call and the length is its size. The fd is the
        // pipe's write end, which is never closed once published. A full
        // pipe fails with EAGAIN (non-blocking), and then the reader has
        // bytes to wake on anyway.
        let _ = unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
    }
    // SAFETY: as above; restores the interrupted code's errno.
    unsafe { *errno = saved_errno };
}

/// Creates the wake-up pipe: `(read end, write end)`, both close-on-exec.
///
/// The read end blocks (the reader thread sleeps on it); the write end is
/// non-blocking, as the handler must never block. Hand the write end to
/// [`publish_wake_fd`] once a reader owns the read end.
pub(crate) fn create_wake_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: `fds` is an array of two ints, as `pipe2` requires.
    syscall!(pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC))?;
    // SAFETY: `pipe2` just returned these descriptors and nothing else owns
    // them.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    let flags = syscall!(fcntl(write.as_raw_fd(), libc::F_GETFL))?;
    syscall!(fcntl(
        write.as_raw_fd(),
        libc::F_SETFL,
        flags | libc::O_NONBLOCK
    ))?;
    Ok((read, write))
}

/// Makes `write` the fd the handler writes to. It stays open for the life
/// of the process (a handler may run at any moment after this), so its
/// reader must never close the read end either.
pub(crate) fn publish_wake_fd(write: OwnedFd) {
    let write = std::mem::ManuallyDrop::new(write);
    WAKE_FD.store(write.as_raw_fd(), Ordering::SeqCst);
}

/// Blocks until the handler has written to the pipe, and drains what is
/// there. `Interrupted` is retried.
pub(crate) fn wait_for_signals(read: &OwnedFd) -> io::Result<()> {
    let mut buf = [0u8; 256];
    loop {
        // SAFETY: `buf` outlives the call and the length passed is its size.
        match syscall!(read(read.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len())) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the signal wake-up pipe was closed",
                ))
            }
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Takes `signum`'s pending flag: whether the signal arrived since the last
/// call.
pub(crate) fn take_pending(signum: i32) -> bool {
    usize::try_from(signum)
        .ok()
        .and_then(|i| PENDING.get(i))
        .is_some_and(|flag| flag.swap(false, Ordering::SeqCst))
}

/// Installs ringio's handler for `signum` (`SA_RESTART`, so interrupted
/// system calls on other threads restart) and returns the previous action.
pub(crate) fn install(signum: i32) -> io::Result<SavedAction> {
    let handler: extern "C" fn(libc::c_int) = on_signal;
    // SAFETY: an all-zero `sigaction` is a valid value (SIG_DFL, no flags,
    // empty mask), filled in below.
    let mut action: libc::sigaction = unsafe { MaybeUninit::zeroed().assume_init() };
    action.sa_sigaction = handler as libc::sighandler_t;
    action.sa_flags = libc::SA_RESTART;
    // SAFETY: `sa_mask` is a valid `sigset_t` to initialise.
    unsafe { libc::sigemptyset(&mut action.sa_mask) };
    let mut old = MaybeUninit::<libc::sigaction>::zeroed();
    // SAFETY: both pointers point to live `sigaction` values; the handler
    // only touches atomics, errno and `write(2)`.
    syscall!(sigaction(signum, &action, old.as_mut_ptr()))?;
    // SAFETY: `sigaction` filled `old` in on success (and it was zeroed).
    Ok(SavedAction(unsafe { old.assume_init() }))
}

/// Whether ringio's handler is the one installed for `signum`.
pub(crate) fn is_installed(signum: i32) -> io::Result<bool> {
    let mut current = MaybeUninit::<libc::sigaction>::zeroed();
    // SAFETY: a null new action only queries; `current` is a live value.
    syscall!(sigaction(signum, std::ptr::null(), current.as_mut_ptr()))?;
    // SAFETY: filled in by `sigaction` on success (and zeroed before).
    let current = unsafe { current.assume_init() };
    let handler: extern "C" fn(libc::c_int) = on_signal;
    Ok(current.sa_sigaction == handler as libc::sighandler_t)
}

/// Puts `saved` back as `signum`'s action.
pub(crate) fn restore(signum: i32, saved: &SavedAction) -> io::Result<()> {
    // SAFETY: `saved.0` is an action the kernel handed out for this signal;
    // a null old pointer asks for nothing back.
    syscall!(sigaction(signum, &saved.0, std::ptr::null_mut()))?;
    Ok(())
}
