//! [`splice`], and what `send_file` runs on: file → pipe → socket inside
//! the kernel, through pipes kept per runtime (see DESIGN.md, "Sending a
//! file").
#![forbid(unsafe_code)]

use crate::buf::IoBuf;
use crate::driver::Handle;
use crate::fd::SharedFd;
use crate::fs::File;
use crate::op::poll::PollAdd;
use crate::op::read::ReadAt;
use crate::op::send_recv::Send;
use crate::op::splice::{resize_pipe, Splice, NO_OFFSET};
use crate::op::Op;
use crate::runtime::context;
use crate::DriverKind;
use std::cell::RefCell;
use std::io;
use std::os::fd::AsFd;
use std::sync::OnceLock;

/// Bytes a send-file pipe is asked to hold (`F_SETPIPE_SZ`); one pair of
/// splices moves at most what the pipe holds.
const PIPE_SIZE: usize = 1 << 20;
/// Idle pipes kept for the next `send_file` calls of a runtime.
const IDLE_PIPES: usize = 16;
/// The page size the pipe's buffers are counted in (where pages are
/// larger, a chunk that starts inside one comes back short and is sent by
/// the drain: slower, as correct).
const PAGE: usize = 4096;
/// The buffer of the copying path (no splice in the ring, or a small file).
const COPY_BUFFER: usize = 64 * 1024;
/// The smallest `send_file` that splices; a smaller one is read into a
/// buffer and sent.
const SPLICE_FROM: usize = 40 * 1024;

/// Moves up to `len` bytes from `from` to `to` inside the kernel, without
/// copying them through user memory (`IORING_OP_SPLICE`, Linux 5.7; under
/// the epoll driver, `splice(2)`, on the blocking pool when one side is a
/// regular file). One of the two must be a pipe.
///
/// `None` as an offset reads or writes at the fd's own position and moves
/// it; `Some(offset)` reads or writes there and leaves the position alone.
/// A pipe takes only `None`. Returns the count moved, which may be less
/// than `len` (one call is one splice; loop for more): 0 when `from` is at
/// its end (the end of a file, every writer of a pipe gone) or `len` is 0
/// (then nothing is asked of the kernel). A non-blocking pipe or socket
/// that is not ready (`EAGAIN`) is waited for and the splice made again, so
/// the call never fails with `WouldBlock`.
///
/// The operation works on duplicates of both fds (`dup`), closed when the
/// kernel is done with them: a future dropped mid-flight, and an fd closed
/// right after, cannot send the splice to a file opened later under the
/// same number. Under the epoll driver a pipe or socket side is switched
/// to non-blocking mode: the flag belongs to the open file, so the
/// caller's fd shares it from then on.
///
/// # Errors
///
/// The kernel's `EINVAL` when neither fd is a pipe, or a side cannot be
/// spliced (a directory), or the kernel has no `IORING_OP_SPLICE`;
/// `ESPIPE` for an offset given for a pipe; `EBADF` for an fd not open in
/// the direction used; `InvalidInput`, naming it, for an offset past
/// `i64::MAX`; the OS error of `dup(2)` (`EMFILE`).
///
/// # Cancel safety
///
/// Dropped before the runtime submits it, nothing moves. Dropped after,
/// the splice may have completed: its bytes have left `from` and reached
/// `to`, and the count is lost. See [the crate docs](crate#cancellation).
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     let path = std::env::temp_dir().join(format!("ringio-splice-{}", std::process::id()));
///     std::fs::write(&path, b"straight from the page cache").unwrap();
///     let file = ringio::fs::File::open(&path).await.unwrap();
///     let (reader, writer) = ringio::io::pipe().unwrap();
///     // File → pipe at offset 18, then the pipe's bytes come out as usual.
///     let n = ringio::io::splice(&file, Some(18), &writer, None, 4).await.unwrap();
///     assert_eq!(n, 4);
///     let (n, buf) = reader.read(Vec::with_capacity(16)).await;
///     assert_eq!(&buf[..n.unwrap()], b"page");
///     std::fs::remove_file(&path).unwrap();
/// });
/// ```
pub async fn splice(
    from: &impl AsFd,
    from_off: Option<u64>,
    to: &impl AsFd,
    to_off: Option<u64>,
    len: usize,
) -> io::Result<usize> {
    let from_off = offset_arg("from_off", from_off)?;
    let to_off = offset_arg("to_off", to_off)?;
    if len == 0 {
        return Ok(0);
    }
    let from = SharedFd::new(from.as_fd().try_clone_to_owned()?);
    let to = SharedFd::new(to.as_fd().try_clone_to_owned()?);
    splice_when_ready((&from, from_off), (&to, to_off), len, 0).await
}

/// An offset as the splice entry takes it (-1: the fd's position).
fn offset_arg(name: &str, offset: Option<u64>) -> io::Result<i64> {
    match offset {
        None => Ok(NO_OFFSET),
        Some(offset) => i64::try_from(offset).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("splice: {name} {offset} is past the largest file offset, i64::MAX"),
            )
        }),
    }
}

/// One splice, made again after a readiness wait of each side (a poll of
/// a side that is ready completes at once) while the kernel says `EAGAIN`
/// (a non-blocking pipe or socket), and after `EINTR`.
async fn splice_when_ready(
    from: (&SharedFd, i64),
    to: (&SharedFd, i64),
    len: usize,
    flags: u32,
) -> io::Result<usize> {
    loop {
        let splice = Splice::new((from.0.clone(), from.1), (to.0.clone(), to.1), len, flags);
        match Op::submit(splice).await {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                Op::submit(PollAdd::new(from.0.clone(), libc::POLLIN)).await?;
                Op::submit(PollAdd::new(to.0.clone(), libc::POLLOUT)).await?;
            }
            Err(e)
                if e.kind() == io::ErrorKind::Interrupted
                    && !crate::runtime::context::cancel_requested() => {}
            other => return other,
        }
    }
}

/// `send_file` of every stream socket: `len` bytes of `file` from `offset`
/// into `socket`, until they are sent or the file ends; the count sent.
pub(crate) async fn send_file(
    socket: &SharedFd,
    file: &File,
    offset: u64,
    len: usize,
) -> io::Result<usize> {
    if len == 0 {
        return Ok(0);
    }
    let start = i64::try_from(offset).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("send_file: offset {offset} is past the largest file offset, i64::MAX"),
        )
    })?;
    // No file has bytes at or past i64::MAX: a range that runs there ends
    // there.
    let len = len.min(usize::try_from(i64::MAX - start).unwrap_or(usize::MAX));
    if len == 0 {
        return Ok(0);
    }
    // Below `SPLICE_FROM` bytes of a regular file, a read and a send cost
    // the kernel less than two splices and their pipe (measured:
    // BENCHMARKS.md, File serving). Anything else splices, and the kernel
    // says what is wrong with it.
    let small = len < SPLICE_FROM && file.is_regular().unwrap_or(false);
    let file = file.shared_fd();
    let driver = context::current_driver();
    if small || !can_splice(&driver) {
        return copy_through_buffer(socket, file, offset, len).await;
    }
    // The epoll driver reads no link flag: there the send waits for the
    // fill's count.
    let linked = driver.kind() != DriverKind::Epoll;
    let runtime = driver.id();
    drop(driver);
    let pipe = take_pipe(runtime)?;
    let res = pump(&pipe, socket, file, offset, len, linked).await;
    // A pipe with bytes left in it (a send that failed) is closed, never
    // reused; so is one dropped with its future, operations in flight.
    match res {
        Ok(sent) => {
            put_back(runtime, pipe);
            Ok(sent)
        }
        Err(Stopped { error, pipe_empty }) => {
            if pipe_empty {
                put_back(runtime, pipe);
            }
            Err(error)
        }
    }
}

/// Whether `send_file` can splice on `driver`: always on epoll (the driver
/// makes `splice(2)` itself), on a ring if the kernel has
/// `IORING_OP_SPLICE` (probed once per process: every ring of one kernel
/// has the same opcodes).
fn can_splice(driver: &Handle) -> bool {
    #[cfg(test)]
    if FORCE_COPY.with(std::cell::Cell::get) {
        return false;
    }
    if driver.kind() == DriverKind::Epoll {
        return true;
    }
    static RING_SPLICE: OnceLock<bool> = OnceLock::new();
    *RING_SPLICE.get_or_init(|| driver.with_driver(|d| d.supports_splice()))
}

#[cfg(test)]
thread_local! {
    /// Forces the copying path on this thread (tests of the fallback).
    static FORCE_COPY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Why a pump stopped before the end: the error, and whether the pipe is
/// still empty (fit for the next call).
struct Stopped {
    error: io::Error,
    pipe_empty: bool,
}

/// Splices `len` bytes of `file` from `offset` into `socket` through
/// `pipe`, a chunk of at most the pipe's size at a time: file → pipe, then
/// pipe → socket. With `linked`, both entries go out together and the
/// second (`IOSQE_IO_LINK`) starts only once the first moved its whole
/// chunk; a short or failed first one fails it with `ECANCELED`. The
/// second is `SPLICE_F_NONBLOCK`, so should it run on its own (the two
/// entries submitted apart, when the queue filled between them) it cannot
/// wait for bytes that never come. Whatever it left in the pipe is then
/// sent by [`drain`], so the pipe is empty again before the next chunk.
async fn pump(
    pipe: &SplicePipe,
    socket: &SharedFd,
    file: &SharedFd,
    offset: u64,
    len: usize,
    linked: bool,
) -> Result<usize, Stopped> {
    let mut sent = 0;
    while sent < len {
        // At most i64::MAX: `send_file` cut `len` to end there.
        let at = (offset + sent as u64) as i64;
        // Each pipe buffer holds (a part of) one page of the file: from
        // inside a page the pipe takes that much less, so such a chunk ends
        // on a page boundary (a fill cut short would cancel its send).
        let room = pipe.capacity - (at as usize % PAGE).min(pipe.capacity - 1);
        let chunk = (len - sent).min(room);
        let fill = Splice::new(
            (file.clone(), at),
            (pipe.write.clone(), NO_OFFSET),
            chunk,
            libc::SPLICE_F_MOVE,
        );
        let (filled, moved) = if linked {
            let fill = Op::submit(fill.linked());
            let send = Op::submit(Splice::new(
                (pipe.read.clone(), NO_OFFSET),
                (socket.clone(), NO_OFFSET),
                chunk,
                libc::SPLICE_F_MOVE | libc::SPLICE_F_NONBLOCK,
            ));
            let filled = fill.await;
            (filled, send.await)
        } else {
            (Op::submit(fill).await, Ok(0))
        };
        // A failed fill moved nothing, so its send found the pipe empty.
        let filled = match filled {
            Ok(0) => break,
            Ok(n) => n,
            Err(e)
                if e.kind() == io::ErrorKind::Interrupted
                    && !crate::runtime::context::cancel_requested() =>
            {
                continue
            }
            Err(error) => {
                return Err(Stopped {
                    error,
                    pipe_empty: true,
                })
            }
        };
        let moved = match moved {
            Ok(n) => n,
            // Cancelled by the short fill's link, or run before the fill:
            // nothing moved.
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::ECANCELED | libc::EAGAIN | libc::EINTR)
                ) =>
            {
                0
            }
            Err(error) => {
                return Err(Stopped {
                    error,
                    pipe_empty: false,
                })
            }
        };
        drain(pipe, socket, filled.saturating_sub(moved))
            .await
            .map_err(|error| Stopped {
                error,
                pipe_empty: false,
            })?;
        sent += filled;
    }
    Ok(sent)
}

/// Sends the `left` bytes waiting in `pipe` into `socket`.
async fn drain(pipe: &SplicePipe, socket: &SharedFd, mut left: usize) -> io::Result<()> {
    while left > 0 {
        let to = (socket, NO_OFFSET);
        match splice_when_ready((&pipe.read, NO_OFFSET), to, left, libc::SPLICE_F_MOVE).await? {
            0 => {
                return Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "send_file: the socket took no more bytes",
                ))
            }
            n => left -= n.min(left),
        }
    }
    Ok(())
}

/// `send_file` where the ring has no splice: a read into one buffer, then
/// a send of it, until `len` bytes are sent or the file ends.
async fn copy_through_buffer(
    socket: &SharedFd,
    file: &SharedFd,
    offset: u64,
    len: usize,
) -> io::Result<usize> {
    let mut buf = Vec::with_capacity(len.min(COPY_BUFFER));
    let mut sent = 0;
    while sent < len {
        let want = (len - sent).min(buf.capacity());
        buf.clear();
        let read = ReadAt::new(file.clone(), buf.slice(..want), offset + sent as u64);
        let (res, slice) = Op::submit(read).await;
        buf = slice.into_inner();
        match res {
            Ok(0) => break,
            Ok(_) => {}
            Err(e)
                if e.kind() == io::ErrorKind::Interrupted
                    && !crate::runtime::context::cancel_requested() =>
            {
                continue
            }
            Err(e) => return Err(e),
        }
        let (res, back) =
            crate::io_util::write_all(buf, |rest, _| Op::submit(Send::new(socket.clone(), rest)))
                .await;
        buf = back;
        res?;
        sent += buf.len();
    }
    Ok(sent)
}

/// A pipe `send_file` splices through; empty whenever no call holds it.
struct SplicePipe {
    read: SharedFd,
    write: SharedFd,
    /// Bytes it holds (1 MiB, or less where the kernel refused to grow it).
    capacity: usize,
}

impl SplicePipe {
    fn new() -> io::Result<SplicePipe> {
        let (read, write) = crate::sys::fd_flags::nonblocking_pipe()?;
        let capacity = resize_pipe(write.as_fd(), PIPE_SIZE)?;
        Ok(SplicePipe {
            read: SharedFd::new(read),
            write: SharedFd::new(write),
            capacity,
        })
    }
}

/// The idle pipes of the runtime that last sent a file on this thread.
struct IdlePipes {
    /// That runtime's driver id (0: none yet).
    runtime: usize,
    pipes: Vec<SplicePipe>,
}

thread_local! {
    static IDLE: RefCell<IdlePipes> = const {
        RefCell::new(IdlePipes {
            runtime: 0,
            pipes: Vec::new(),
        })
    };
}

/// An idle pipe of `runtime`, or a new one; another runtime's idle pipes
/// are closed.
fn take_pipe(runtime: usize) -> io::Result<SplicePipe> {
    let (pipe, others) = IDLE.with(|idle| {
        let mut idle = idle.borrow_mut();
        let others = if idle.runtime == runtime {
            Vec::new()
        } else {
            idle.runtime = runtime;
            std::mem::take(&mut idle.pipes)
        };
        (idle.pipes.pop(), others)
    });
    drop(others);
    pipe.map_or_else(SplicePipe::new, Ok)
}

/// Keeps `pipe` (empty, nothing in flight on it) for `runtime`'s next call,
/// unless enough are kept already.
fn put_back(runtime: usize, pipe: SplicePipe) {
    let refused = IDLE
        .try_with(|idle| {
            let mut idle = idle.borrow_mut();
            if idle.runtime == runtime && idle.pipes.len() < IDLE_PIPES {
                idle.pipes.push(pipe);
                None
            } else {
                Some(pipe)
            }
        })
        .ok()
        .flatten();
    drop(refused);
}

/// Closes the idle pipes of `runtime`, which is ending (its driver's id).
pub(crate) fn close_idle_pipes(runtime: usize) {
    let pipes = IDLE
        .try_with(|idle| {
            let mut idle = idle.borrow_mut();
            if idle.runtime == runtime {
                std::mem::take(&mut idle.pipes)
            } else {
                Vec::new()
            }
        })
        .unwrap_or_default();
    drop(pipes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::fd::OwnedFd;

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn without_splice_the_bytes_go_through_a_buffer() {
        let data = pattern(200_000);
        let mut tmp = tempfile::tempfile().unwrap();
        tmp.write_all(&data).unwrap();
        let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        crate::run(async move {
            FORCE_COPY.with(|force| force.set(true));
            let file = File::from_std(tmp);
            let socket = SharedFd::new(OwnedFd::from(a));
            let reader = std::thread::spawn(move || {
                let mut got = Vec::new();
                std::io::Read::read_to_end(&mut &b, &mut got).unwrap();
                got
            });
            let sent = send_file(&socket, &file, 7, 150_001).await.unwrap();
            assert_eq!(sent, 150_001);
            let past_end = send_file(&socket, &file, 199_990, 100).await.unwrap();
            assert_eq!(past_end, 10, "the copy stops at the end of the file");
            drop(socket);
            let got = reader.join().unwrap();
            assert_eq!(&got[..150_001], &data[7..150_008]);
            assert_eq!(&got[150_001..], &data[199_990..]);
            let no_pipe = IDLE.with(|idle| idle.borrow().pipes.len());
            assert_eq!(no_pipe, 0, "the copying path takes no pipe");
        });
    }
}
