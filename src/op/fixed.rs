//! `IORING_OP_READ_FIXED` / `IORING_OP_WRITE_FIXED`: reads and writes
//! through a buffer of the ring's registered-buffer table.
//!
//! Files and sockets alike: a socket's read or write is a `READ_FIXED` /
//! `WRITE_FIXED` at offset -1 (the kernel's socket read and write ignore
//! the position), since `SEND`/`RECV` take registered buffers only as
//! zero-copy sends. A buffer of plain memory (no table: the epoll driver, a
//! kernel without fixed buffers) goes through the plain operations instead.

use super::read::ReadAt;
use super::send_recv::{Recv, Send};
use super::write::WriteAt;
use super::{Op, OpCode};
use crate::buf::{BufResult, FixedBuf, IoBuf, IoBufMut};
use crate::driver::cqe::Cqe;
use crate::fd::SharedFd;
use crate::runtime::context;
use io_uring::{opcode, squeue, types};

/// Where a fixed-buffer read or write goes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target {
    /// A file, at this offset.
    File(u64),
    /// A socket (no offset).
    Stream,
}

impl Target {
    /// The entry's offset: -1 (`u64::MAX`) for a socket.
    fn offset(self) -> u64 {
        match self {
            Target::File(pos) => pos,
            Target::Stream => u64::MAX,
        }
    }
}

/// Reads into `buf` (from its start, up to its capacity) through its
/// registered slot, or with the plain read where it has none.
pub(crate) async fn read(
    fd: &SharedFd,
    buf: FixedBuf,
    target: Target,
) -> BufResult<usize, FixedBuf> {
    let fd = fd.clone();
    match slot(&buf) {
        Err(e) => (Err(e), buf),
        Ok(Some(buf_index)) => {
            let pos = target.offset();
            Op::submit(ReadFixed::new(fd, buf, pos, buf_index)).await
        }
        Ok(None) => match target {
            Target::File(pos) => Op::submit(ReadAt::new(fd, buf, pos)).await,
            Target::Stream => Op::submit(Recv::new(fd, buf)).await,
        },
    }
}

/// Writes `buf`'s bytes through its registered slot, or with the plain
/// write (a socket: the plain send) where it has none.
pub(crate) async fn write(
    fd: &SharedFd,
    buf: FixedBuf,
    target: Target,
) -> BufResult<usize, FixedBuf> {
    let fd = fd.clone();
    match slot(&buf) {
        Err(e) => (Err(e), buf),
        Ok(Some(buf_index)) => {
            let pos = target.offset();
            Op::submit(WriteFixed::new(fd, buf, pos, buf_index)).await
        }
        Ok(None) => match target {
            Target::File(pos) => Op::submit(WriteAt::new(fd, buf, pos)).await,
            Target::Stream => Op::submit(Send::new(fd, buf)).await,
        },
    }
}

/// `buf`'s table slot, checked before anything is pushed: a buffer of
/// another runtime's pool names a slot of another ring (here empty, or
/// someone else's memory), so it is refused with a clear error instead.
fn slot(buf: &FixedBuf) -> std::io::Result<Option<u16>> {
    buf.buf_index_on(context::with_driver(|driver| driver.id()))
}

/// Reads into a registered buffer at `pos` (`u64::MAX`: a socket's or
/// pipe's stream). Requires Linux 5.1.
pub(crate) struct ReadFixed {
    /// Held so the fd cannot be closed and reused while the read is in flight.
    fd: SharedFd,
    buf: FixedBuf,
    pos: u64,
    buf_index: u16,
}

impl ReadFixed {
    pub(crate) fn new(fd: SharedFd, buf: FixedBuf, pos: u64, buf_index: u16) -> ReadFixed {
        ReadFixed {
            fd,
            buf,
            pos,
            buf_index,
        }
    }
}

// SAFETY: the entry points at the start of `buf`, `bytes_total()` bytes of
// the pool's memory registered in slot `buf_index` (the kernel checks the
// range against the slot); the memory stays allocated and registered while
// `self` owns `buf`, which holds the pool.
unsafe impl OpCode for ReadFixed {
    type Output = BufResult<usize, FixedBuf>;

    fn sqe(&mut self) -> squeue::Entry {
        let len = u32::try_from(self.buf.bytes_total()).unwrap_or(u32::MAX);
        let fd = types::Fd(self.fd.raw());
        opcode::ReadFixed::new(fd, self.buf.stable_mut_ptr(), len, self.buf_index)
            .offset(self.pos)
            .build()
    }

    fn complete(mut self, cqe: Cqe) -> BufResult<usize, FixedBuf> {
        let res = cqe.result().map(|n| n as usize);
        if let Ok(n) = res {
            // SAFETY: the kernel wrote `n <= bytes_total()` bytes at the start.
            unsafe { self.buf.set_init(n) };
        }
        (res, self.buf)
    }
}

/// Writes a registered buffer's bytes at `pos` (`u64::MAX`: a socket's or
/// pipe's stream, or the end under `O_APPEND`). Requires Linux 5.1.
pub(crate) struct WriteFixed {
    /// Held so the fd cannot be closed and reused while the write is in flight.
    fd: SharedFd,
    buf: FixedBuf,
    pos: u64,
    buf_index: u16,
}

impl WriteFixed {
    pub(crate) fn new(fd: SharedFd, buf: FixedBuf, pos: u64, buf_index: u16) -> WriteFixed {
        WriteFixed {
            fd,
            buf,
            pos,
            buf_index,
        }
    }
}

// SAFETY: the entry points at the start of `buf`, `bytes_init()` bytes of
// the pool's memory registered in slot `buf_index`; the memory stays
// allocated and registered while `self` owns `buf`, which holds the pool.
unsafe impl OpCode for WriteFixed {
    type Output = BufResult<usize, FixedBuf>;

    fn sqe(&mut self) -> squeue::Entry {
        let len = u32::try_from(self.buf.bytes_init()).unwrap_or(u32::MAX);
        let fd = types::Fd(self.fd.raw());
        opcode::WriteFixed::new(fd, self.buf.stable_ptr(), len, self.buf_index)
            .offset(self.pos)
            .build()
    }

    fn complete(self, cqe: Cqe) -> BufResult<usize, FixedBuf> {
        (cqe.result().map(|n| n as usize), self.buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buf::FixedBufPool;
    use crate::{Builder, DriverKind};
    use std::os::fd::OwnedFd;

    /// The epoll driver has no table, but a `READ_FIXED`/`WRITE_FIXED`
    /// entry still runs there: as the plain read and write of the memory it
    /// names (its `buf_index` is not looked at).
    #[test]
    fn epoll_runs_fixed_entries_as_plain_reads_and_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        let fd = SharedFd::new(OwnedFd::from(file));
        let rt = Builder::new().driver(DriverKind::Epoll).build().unwrap();
        rt.block_on(async {
            let pool = FixedBufPool::new(2, 4096).unwrap();
            let mut buf = pool.try_get().unwrap();
            assert_eq!(buf.buf_index(), None, "plain memory on epoll");
            buf.extend_from_slice(b"through a fixed entry");
            let (n, _) = Op::submit(WriteFixed::new(fd.clone(), buf, 3, 7)).await;
            assert_eq!(n.unwrap(), 21);
            let buf = pool.try_get().unwrap();
            let (n, buf) = Op::submit(ReadFixed::new(fd.clone(), buf, 3, 7)).await;
            assert_eq!(n.unwrap(), 21);
            assert_eq!(&buf[..], b"through a fixed entry");
        });
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"\0\0\0through a fixed entry"
        );
    }
}
