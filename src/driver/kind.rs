//! [`DriverKind`]: which driver a runtime runs on, and how `Auto` chooses.

use std::io;

/// The environment variable that overrides [`DriverKind::Auto`].
pub(crate) const DRIVER_ENV: &str = "RINGIO_DRIVER";

/// Which I/O driver a runtime uses (see [`Builder::driver`](crate::Builder::driver)).
///
/// - `IoUring`: every operation is a submission entry of the thread's ring.
/// - `Epoll`: the same API on edge-triggered epoll and non-blocking system
///   calls, files and path operations on the blocking pool; for hosts where
///   io_uring is blocked (Docker's default seccomp profile, Kubernetes'
///   `RuntimeDefault`, `kernel.io_uring_disabled`, a low `RLIMIT_MEMLOCK`).
/// - `Auto` (the default): io_uring when it sets up and the kernel has every
///   opcode ringio needs (probed, never guessed from the version), epoll
///   otherwise; [`Runtime::driver_fallback_reason`](crate::Runtime::driver_fallback_reason)
///   then says why. The environment variable `RINGIO_DRIVER=io_uring|epoll`
///   overrides `Auto` (an explicit choice wins over it).
///
/// # Examples
///
/// ```
/// use ringio::{Builder, DriverKind};
///
/// let rt = Builder::new().driver(DriverKind::Epoll).build().unwrap();
/// assert_eq!(rt.driver_kind(), DriverKind::Epoll);
/// rt.block_on(async {
///     assert_eq!(ringio::driver_kind(), DriverKind::Epoll);
///     ringio::nop().await.unwrap();
/// });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DriverKind {
    /// io_uring where it works, epoll where it does not.
    #[default]
    Auto,
    /// io_uring only: building fails where it is unavailable.
    IoUring,
    /// Edge-triggered epoll, non-blocking system calls and the blocking pool.
    Epoll,
}

impl DriverKind {
    /// `Auto` as `RINGIO_DRIVER` overrides it; any other kind as it is.
    pub(crate) fn resolve(self) -> io::Result<DriverKind> {
        if self != DriverKind::Auto {
            return Ok(self);
        }
        match std::env::var_os(DRIVER_ENV) {
            None => Ok(DriverKind::Auto),
            Some(value) => parse(&value.to_string_lossy()),
        }
    }
}

/// A `RINGIO_DRIVER` value; empty counts as unset.
fn parse(value: &str) -> io::Result<DriverKind> {
    match value {
        "" => Ok(DriverKind::Auto),
        "io_uring" | "io-uring" | "iouring" => Ok(DriverKind::IoUring),
        "epoll" => Ok(DriverKind::Epoll),
        other => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{DRIVER_ENV} must be `io_uring` or `epoll`, not {other:?}"),
        )),
    }
}

/// The opcodes the io_uring driver cannot do without; a kernel (or a
/// backport) that lacks one runs `Auto` on epoll. Those with a fallback of
/// their own (`WAITID`, `FTRUNCATE`, `MSG_RING`, `SPLICE`) are not listed.
pub(crate) const REQUIRED_OPCODES: &[(u8, &str)] = {
    use io_uring::opcode::*;
    &[
        (Nop::CODE, "NOP"),
        (Read::CODE, "READ"),
        (Write::CODE, "WRITE"),
        (Readv::CODE, "READV"),
        (Writev::CODE, "WRITEV"),
        (Recv::CODE, "RECV"),
        (Send::CODE, "SEND"),
        (RecvMsg::CODE, "RECVMSG"),
        (SendMsg::CODE, "SENDMSG"),
        (Accept::CODE, "ACCEPT"),
        (Connect::CODE, "CONNECT"),
        (OpenAt::CODE, "OPENAT"),
        (Close::CODE, "CLOSE"),
        (Statx::CODE, "STATX"),
        (Fsync::CODE, "FSYNC"),
        (Fallocate::CODE, "FALLOCATE"),
        (UnlinkAt::CODE, "UNLINKAT"),
        (RenameAt::CODE, "RENAMEAT"),
        (MkDirAt::CODE, "MKDIRAT"),
        (SymlinkAt::CODE, "SYMLINKAT"),
        (LinkAt::CODE, "LINKAT"),
        (Shutdown::CODE, "SHUTDOWN"),
        (PollAdd::CODE, "POLL_ADD"),
        (AsyncCancel::CODE, "ASYNC_CANCEL"),
    ]
};

impl super::Driver {
    /// Whether this driver can run `IORING_OP_SPLICE` (Linux 5.7): asked
    /// with one `io_uring_register` probe per call on a ring (callers cache
    /// it); always on epoll, which makes the `splice(2)` call itself.
    pub(crate) fn supports_splice(&self) -> bool {
        self.epoll.is_some() || self.supports_opcode(io_uring::opcode::Splice::CODE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn driver_values_parse_and_others_are_refused_by_name() {
        assert_eq!(parse("epoll").unwrap(), DriverKind::Epoll);
        assert_eq!(parse("io_uring").unwrap(), DriverKind::IoUring);
        assert_eq!(parse("").unwrap(), DriverKind::Auto);
        let err = parse("kqueue").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("RINGIO_DRIVER"), "{err}");
        assert!(err.to_string().contains("kqueue"), "{err}");
    }
}
