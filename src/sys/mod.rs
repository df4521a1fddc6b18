//! Thin wrappers over the few raw libc calls ringio makes outside the ring.
//!
//! - [`eventfd`]: the counter another thread writes to wake a parked ring.
//! - [`signal`]: `sigaction(2)`, the signal handler and its wake-up pipe.
//! - `raw_fd`: `FromRawFd` impls for the public fd-owning types.
//! - [`affinity`]: the cores a thread may use, and pinning to one.
//! - [`waker`]: the waker a task is polled with until it clones one (built
//!   from a raw vtable, hence here).
//! - [`pidfd`]: process file descriptors, and a blocking poll on them.
//! - [`fd_flags`]: `O_NONBLOCK` and `FD_CLOEXEC`, pipes, and the standard
//!   streams as descriptors that are never closed.
//! - [`scoped_rc`]: a thread-local slot naming an `Rc` for the length of a
//!   call (the runtime context's driver and executor).

pub(crate) mod affinity;
pub(crate) mod eventfd;
pub(crate) mod fd_flags;
pub(crate) mod pidfd;
mod raw_fd;
pub(crate) mod scoped_rc;
pub(crate) mod signal;
pub(crate) mod waker;
