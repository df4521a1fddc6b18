//! The system call behind each submission entry, made by the epoll driver:
//! without blocking on this thread ([`attempt`]), or on a blocking-pool
//! thread ([`run_blocking`]) for what cannot be made non-blocking (path
//! operations, a regular file's page-cache miss, a tty, a splice with a
//! regular file on one side).

use super::sqe::Sqe;
use io_uring::{opcode, squeue};

/// Which readiness an operation waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Interest {
    Read,
    Write,
}

/// What a non-blocking attempt found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Attempt {
    /// The operation finished: its `res` (`-errno` on failure).
    Done(i32),
    /// It would block: retry once the fd is ready. The `u8` is the
    /// operation's progress, handed back to the retry (a connect that is
    /// under way).
    Wait(Interest, u8),
    /// It can only be done by blocking: run it on the blocking pool.
    Blocking,
}

/// How an fd's reads and writes are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FdKind {
    /// A regular file, block device or directory: positioned, never
    /// "ready" to epoll; a read that misses the page cache goes to the pool.
    File,
    /// A file open with `O_DIRECT`: every read and write waits for the
    /// device (`RWF_NOWAIT` does not stop that), so all go to the pool.
    Direct,
    /// A socket, pipe, eventfd, character device...: readiness-driven.
    Stream,
}

/// `IORING_RECV_MULTISHOT`, in a receive's `ioprio`.
const RECV_MULTISHOT: u16 = 1 << 1;
/// `IORING_ACCEPT_MULTISHOT`, in an accept's `ioprio`.
const ACCEPT_MULTISHOT: u16 = 1 << 0;
/// `IORING_FSYNC_DATASYNC`, in an fsync's flags.
const FSYNC_DATASYNC: u32 = 1 << 0;

/// A connect whose `EINPROGRESS` was seen: its retry asks `SO_ERROR`.
const CONNECTING: u8 = 1;

/// `SPLICE_F_FD_IN_FIXED`, in a splice's flags: a registered file, which
/// only a ring has.
const SPLICE_F_FD_IN_FIXED: u32 = 1 << 31;

/// The readiness an operation waits for when it would block, if it is one
/// that can wait for readiness.
pub(super) fn interest_of(sqe: &Sqe) -> Option<Interest> {
    match sqe.opcode {
        opcode::Read::CODE
        | opcode::Readv::CODE
        | opcode::Recv::CODE
        | opcode::RecvMsg::CODE
        | opcode::Accept::CODE => Some(Interest::Read),
        opcode::Write::CODE
        | opcode::Writev::CODE
        | opcode::Send::CODE
        | opcode::SendMsg::CODE
        | opcode::Connect::CODE => Some(Interest::Write),
        opcode::PollAdd::CODE if sqe.op_flags & libc::POLLOUT as u32 != 0 => Some(Interest::Write),
        opcode::PollAdd::CODE => Some(Interest::Read),
        _ => None,
    }
}

/// Whether the entry is a read or write of an fd (whose kind decides how).
pub(super) fn is_read_write(sqe: &Sqe) -> bool {
    matches!(
        sqe.opcode,
        opcode::Read::CODE | opcode::Readv::CODE | opcode::Write::CODE | opcode::Writev::CODE
    )
}

/// A splice's source fd (its destination is `sqe.fd`); `None` for every
/// other entry.
pub(super) fn splice_source(sqe: &Sqe) -> Option<i32> {
    (sqe.opcode == opcode::Splice::CODE).then_some(sqe.file_index as i32)
}

/// Whether the open file behind `fd` is in non-blocking mode.
fn is_nonblocking(fd: i32) -> bool {
    // SAFETY: a flag query on an fd the operation holds open; no pointers.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    flags >= 0 && flags & libc::O_NONBLOCK != 0
}

#[inline]
fn errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// A syscall's return as a completion's `res`.
#[inline]
fn res(ret: isize) -> i32 {
    if ret < 0 {
        -errno()
    } else {
        ret as i32
    }
}

/// Tries `sqe`'s system call without blocking. `kind` is its fd's kind
/// (for reads and writes), `progress` what an earlier attempt left.
///
/// # Safety
///
/// Every pointer in `sqe` must be valid for what its opcode does with it,
/// as for the kernel: the entry was built by an `OpCode` whose data is kept
/// alive until its completion is reaped.
pub(super) unsafe fn attempt(sqe: &Sqe, kind: FdKind, progress: u8) -> Attempt {
    let fd = sqe.fd;
    let dontwait = libc::MSG_DONTWAIT as u32;
    let nosignal = libc::MSG_NOSIGNAL as u32;
    let ret = match sqe.opcode {
        opcode::Nop::CODE => 0,
        opcode::Read::CODE | opcode::Readv::CODE | opcode::Write::CODE | opcode::Writev::CODE => {
            if kind == FdKind::Direct {
                return Attempt::Blocking;
            }
            // SAFETY: as this function's contract.
            let ret = unsafe { read_write(sqe, kind, true) };
            return match (ret, kind) {
                // A pipe that a `splice(2)` has used refuses `RWF_NOWAIT`
                // from then on; in non-blocking mode the plain call cannot
                // block either, and `EAGAIN` waits for readiness as usual.
                (r, FdKind::Stream) if r == -libc::EOPNOTSUPP && is_nonblocking(fd) => {
                    // SAFETY: as this function's contract.
                    match unsafe { read_write(sqe, kind, false) } {
                        r if r == -libc::EAGAIN => wait(sqe, 0),
                        r => Attempt::Done(r),
                    }
                }
                (r, _) if r == -libc::EOPNOTSUPP => Attempt::Blocking,
                (r, FdKind::File) if r == -libc::EAGAIN => Attempt::Blocking,
                (r, FdKind::Stream) if r == -libc::EAGAIN => wait(sqe, 0),
                (r, _) => Attempt::Done(r),
            };
        }
        // Multishot receives and provided buffers are io_uring's: refused
        // as a kernel without them refuses, and the callers fall back.
        opcode::Recv::CODE
            if sqe.ioprio & RECV_MULTISHOT != 0
                || sqe.flags & squeue::Flags::BUFFER_SELECT.bits() != 0 =>
        {
            return Attempt::Done(-libc::EINVAL)
        }
        // SAFETY: `addr`/`len` describe the operation's buffer.
        opcode::Recv::CODE => unsafe {
            libc::recv(
                fd,
                sqe.addr as *mut _,
                sqe.len as usize,
                (sqe.op_flags | dontwait) as i32,
            )
        },
        // SAFETY: `addr`/`len` describe the operation's buffer, `off` (addr2)
        // its destination address (or null) of `addr_len` bytes.
        opcode::Send::CODE => unsafe {
            libc::sendto(
                fd,
                sqe.addr as *const _,
                sqe.len as usize,
                (sqe.op_flags | dontwait | nosignal) as i32,
                sqe.off as *const libc::sockaddr,
                sqe.addr_len(),
            )
        },
        // SAFETY: `addr` is the operation's boxed `msghdr`.
        opcode::RecvMsg::CODE => unsafe {
            libc::recvmsg(
                fd,
                sqe.addr as *mut libc::msghdr,
                (sqe.op_flags | dontwait) as i32,
            )
        },
        // SAFETY: `addr` is the operation's boxed `msghdr`.
        opcode::SendMsg::CODE => unsafe {
            libc::sendmsg(
                fd,
                sqe.addr as *const libc::msghdr,
                (sqe.op_flags | dontwait | nosignal) as i32,
            )
        },
        opcode::Accept::CODE if sqe.ioprio & ACCEPT_MULTISHOT != 0 => {
            return Attempt::Done(-libc::EINVAL)
        }
        // SAFETY: `addr`/`off` (addr2) are the operation's boxed address
        // buffer and its length, or null.
        opcode::Accept::CODE => unsafe {
            libc::accept4(
                fd,
                sqe.addr as *mut libc::sockaddr,
                sqe.off as *mut libc::socklen_t,
                sqe.op_flags as i32,
            ) as isize
        },
        opcode::Connect::CODE if progress == CONNECTING => return connect_result(fd),
        opcode::Connect::CODE => {
            // SAFETY: `addr` is the operation's boxed address, `off` its length.
            let ret = unsafe {
                libc::connect(
                    fd,
                    sqe.addr as *const libc::sockaddr,
                    sqe.off as libc::socklen_t,
                )
            };
            return match res(ret as isize) {
                r if r == -libc::EINPROGRESS => Attempt::Wait(Interest::Write, CONNECTING),
                // A Unix socket's listener with a full backlog: no readiness
                // says when it has room, so the connect blocks on the pool.
                r if r == -libc::EAGAIN => Attempt::Blocking,
                r => Attempt::Done(r),
            };
        }
        opcode::PollAdd::CODE => {
            let mut pollfd = libc::pollfd {
                fd,
                events: sqe.op_flags as i16,
                revents: 0,
            };
            // SAFETY: one `pollfd` on this frame, no wait.
            let ret = unsafe { libc::poll(&mut pollfd, 1, 0) };
            return match ret {
                1 => Attempt::Done(i32::from(pollfd.revents as u16)),
                0 => wait(sqe, 0),
                _ => Attempt::Done(-errno()),
            };
        }
        opcode::Splice::CODE if sqe.op_flags & SPLICE_F_FD_IN_FIXED != 0 => {
            return Attempt::Done(-libc::EINVAL)
        }
        // A regular file's side can block (a page-cache miss, a write that
        // waits for the disk) whatever the flags say: the pool makes it.
        opcode::Splice::CODE if kind != FdKind::Stream => return Attempt::Blocking,
        // Both sides are pipes or sockets, in non-blocking mode (the driver
        // sets it, see `Epoll::start`): `EAGAIN` goes back to the caller,
        // which waits for the side that is not ready (no single fd's
        // readiness says when a splice can go on).
        // SAFETY: as this function's contract; a splice entry carries no
        // pointers.
        opcode::Splice::CODE => unsafe { splice(sqe, libc::SPLICE_F_NONBLOCK) },
        // SAFETY: no pointers.
        opcode::Shutdown::CODE => unsafe { libc::shutdown(fd, sqe.len as i32) as isize },
        // SAFETY: the close entry owns `fd` (nothing else closes it).
        opcode::Close::CODE => unsafe { libc::close(fd) as isize },
        opcode::OpenAt::CODE
        | opcode::Statx::CODE
        | opcode::UnlinkAt::CODE
        | opcode::RenameAt::CODE
        | opcode::MkDirAt::CODE
        | opcode::SymlinkAt::CODE
        | opcode::LinkAt::CODE
        | opcode::Fsync::CODE
        | opcode::Fallocate::CODE
        | opcode::Ftruncate::CODE => return Attempt::Blocking,
        // `WAITID`, `MSG_RING` and the rest: not offered by this driver
        // (their callers probe for them and take another path).
        _ => return Attempt::Done(-libc::EINVAL),
    };
    match res(ret as isize) {
        r if r == -libc::EAGAIN => wait(sqe, progress),
        r => Attempt::Done(r),
    }
}

fn wait(sqe: &Sqe, progress: u8) -> Attempt {
    match interest_of(sqe) {
        Some(interest) => Attempt::Wait(interest, progress),
        None => Attempt::Done(-libc::EAGAIN),
    }
}

/// An integer socket option at `SOL_SOCKET` (`SO_ERROR`, `SO_TYPE`).
pub(super) fn sockopt_int(fd: i32, option: libc::c_int) -> Option<i32> {
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `value` and `len` live on this frame; `len` is `value`'s size.
    let ret = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            option,
            (&mut value as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    (ret == 0).then_some(value)
}

/// The outcome of a connect under way, asked once the socket is writable.
fn connect_result(fd: i32) -> Attempt {
    match sockopt_int(fd, libc::SO_ERROR) {
        None => return Attempt::Done(-errno()),
        Some(0) => {}
        Some(err) => return Attempt::Done(-err),
    }
    // SAFETY: a zeroed `sockaddr_storage` is valid; `len` is its size.
    let mut peer: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    // SAFETY: `peer` and `len` live on this frame; `len` is `peer`'s size.
    let ret = unsafe {
        libc::getpeername(
            fd,
            (&mut peer as *mut libc::sockaddr_storage).cast(),
            &mut len,
        )
    };
    match res(ret as isize) {
        0 => Attempt::Done(0),
        // Writable before the handshake ended (a spurious edge): wait on.
        r if r == -libc::ENOTCONN => Attempt::Wait(Interest::Write, CONNECTING),
        r => Attempt::Done(r),
    }
}

/// A read or write entry as `preadv2`/`pwritev2`. A stream's offset is
/// ignored (it has none); `nowait` adds `RWF_NOWAIT`.
///
/// # Safety
///
/// As [`attempt`].
unsafe fn read_write(sqe: &Sqe, kind: FdKind, nowait: bool) -> i32 {
    let offset = match kind {
        FdKind::File | FdKind::Direct if sqe.off != u64::MAX => sqe.off as i64,
        _ => -1,
    };
    let flags = sqe.op_flags as i32 | if nowait { libc::RWF_NOWAIT } else { 0 };
    let single = libc::iovec {
        iov_base: sqe.addr as *mut _,
        iov_len: sqe.len as usize,
    };
    let (iov, count) = match sqe.opcode {
        opcode::Readv::CODE | opcode::Writev::CODE => {
            (sqe.addr as *const libc::iovec, sqe.len as i32)
        }
        _ => (&single as *const libc::iovec, 1),
    };
    let ret = match sqe.opcode {
        // SAFETY: `iov` is the operation's iovec array (or the one on this
        // frame describing its buffer), `count` entries long.
        opcode::Read::CODE | opcode::Readv::CODE => unsafe {
            libc::preadv2(sqe.fd, iov, count, offset, flags)
        },
        // SAFETY: as above.
        _ => unsafe { libc::pwritev2(sqe.fd, iov, count, offset, flags) },
    };
    res(ret as isize)
}

/// A splice entry as `splice(2)`, with `flags` added to its own: source
/// `splice_fd_in` at `splice_off_in` (in `addr`), destination `fd` at
/// `off`, an offset of -1 meaning the fd's position.
///
/// # Safety
///
/// As [`attempt`] (the entry holds no pointers; the offsets live here).
unsafe fn splice(sqe: &Sqe, flags: u32) -> isize {
    let mut off_in = sqe.addr as i64;
    let mut off_out = sqe.off as i64;
    let off_in_ptr: *mut i64 = if off_in == -1 {
        std::ptr::null_mut()
    } else {
        &mut off_in
    };
    let off_out_ptr: *mut i64 = if off_out == -1 {
        std::ptr::null_mut()
    } else {
        &mut off_out
    };
    // SAFETY: the offsets are this frame's (or null), the fds are held open
    // by the operation.
    unsafe {
        libc::splice(
            sqe.file_index as i32,
            off_in_ptr,
            sqe.fd,
            off_out_ptr,
            sqe.len as usize,
            sqe.op_flags | flags,
        )
    }
}

/// Makes `sqe`'s system call, blocking if it must; returns its `res`.
///
/// # Safety
///
/// As [`attempt`]; the data stays alive until the completion this result
/// becomes is reaped, on whichever thread this runs.
pub(super) unsafe fn run_blocking(sqe: &Sqe, kind: FdKind) -> i32 {
    let fd = sqe.fd;
    let path = sqe.addr as *const libc::c_char;
    let path2 = sqe.off as *const libc::c_char;
    // SAFETY: in every arm, `addr` and `off` (addr2) are the operation's
    // boxed, NUL-terminated paths, its statx buffer or its address (and the
    // address's length), as the kernel would read them; the rest are
    // integers.
    let ret = unsafe {
        match sqe.opcode {
            opcode::Read::CODE
            | opcode::Readv::CODE
            | opcode::Write::CODE
            | opcode::Writev::CODE => return read_write(sqe, kind, false),
            opcode::OpenAt::CODE => libc::openat(fd, path, sqe.op_flags as i32, sqe.len) as isize,
            opcode::Statx::CODE => libc::syscall(
                libc::SYS_statx,
                fd,
                path,
                sqe.op_flags as i32,
                sqe.len,
                sqe.off as *mut libc::statx,
            ) as isize,
            opcode::UnlinkAt::CODE => libc::unlinkat(fd, path, sqe.op_flags as i32) as isize,
            opcode::RenameAt::CODE => {
                libc::renameat2(fd, path, sqe.len as i32, path2, sqe.op_flags) as isize
            }
            opcode::MkDirAt::CODE => libc::mkdirat(fd, path, sqe.len) as isize,
            // (In blocking mode again: see `Epoll::offload`.)
            opcode::Connect::CODE => libc::connect(
                fd,
                sqe.addr as *const libc::sockaddr,
                sqe.off as libc::socklen_t,
            ) as isize,
            opcode::SymlinkAt::CODE => libc::symlinkat(path, fd, path2) as isize,
            opcode::LinkAt::CODE => {
                libc::linkat(fd, path, sqe.len as i32, path2, sqe.op_flags as i32) as isize
            }
            opcode::Fsync::CODE if sqe.op_flags & FSYNC_DATASYNC != 0 => {
                libc::fdatasync(fd) as isize
            }
            opcode::Fsync::CODE => libc::fsync(fd) as isize,
            opcode::Fallocate::CODE => {
                libc::fallocate(fd, sqe.len as i32, sqe.off as i64, sqe.addr as i64) as isize
            }
            opcode::Ftruncate::CODE => libc::ftruncate(fd, sqe.off as i64) as isize,
            // A file on one side: its read or write blocks here as it
            // must; the pipe side does not (`EAGAIN`, and the caller waits
            // for the pipe), so no pool thread waits on another task.
            opcode::Splice::CODE => splice(sqe, libc::SPLICE_F_NONBLOCK),
            _ => return -libc::EINVAL,
        }
    };
    res(ret)
}

/// A fixed-buffer read or write (`READ_FIXED`/`WRITE_FIXED`) as the plain
/// one, on the same path as every `READ`/`WRITE`: this driver registers no
/// buffers, and the entry's address and length already name the memory (its
/// `buf_index` is not needed).
pub(super) fn without_fixed_buffer(mut sqe: Sqe) -> Sqe {
    sqe.opcode = match sqe.opcode {
        opcode::ReadFixed::CODE => opcode::Read::CODE,
        opcode::WriteFixed::CODE => opcode::Write::CODE,
        other => other,
    };
    sqe
}
