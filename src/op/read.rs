//! `IORING_OP_READ`: read into an owned buffer.

use super::OpCode;
use crate::buf::{BufResult, IoBufMut};
use crate::driver::cqe::Cqe;
use crate::fd::SharedFd;
use io_uring::{opcode, squeue, types};

/// Reads into `buf` from offset `pos` (`u64::MAX`: the file position, as for
/// pipes and sockets). Requires Linux 5.6.
pub(crate) struct ReadAt<B> {
    /// Held so the fd cannot be closed and reused while the read is in flight.
    fd: SharedFd,
    buf: B,
    pos: u64,
}

impl<B: IoBufMut> ReadAt<B> {
    pub(crate) fn new(fd: SharedFd, buf: B, pos: u64) -> Self {
        ReadAt { fd, buf, pos }
    }
}

// SAFETY: the entry points at `buf`'s stable heap pointer, valid for
// `bytes_total()` bytes while `self` owns `buf` (IoBufMut contract).
unsafe impl<B: IoBufMut> OpCode for ReadAt<B> {
    type Output = BufResult<usize, B>;

    fn sqe(&mut self) -> squeue::Entry {
        let len = u32::try_from(self.buf.bytes_total()).unwrap_or(u32::MAX);
        opcode::Read::new(types::Fd(self.fd.raw()), self.buf.stable_mut_ptr(), len)
            .offset(self.pos)
            .build()
    }

    fn complete(mut self, cqe: Cqe) -> BufResult<usize, B> {
        let res = cqe.result().map(|n| n as usize);
        if let Ok(n) = res {
            // SAFETY: the kernel wrote `n <= bytes_total()` bytes at the start.
            unsafe { self.buf.set_init(n) };
        }
        (res, self.buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buf::IoBuf;
    use crate::op::Op;
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::sync::Arc;

    /// A buffer that counts its owners through an `Arc` (tokio-uring's trick):
    /// when the count is back to 1, the runtime has freed its copy.
    struct CountedBuf {
        data: Vec<u8>,
        _owner: Arc<()>,
    }

    // SAFETY: delegates to the Vec, whose heap block does not move.
    unsafe impl IoBuf for CountedBuf {
        fn stable_ptr(&self) -> *const u8 {
            self.data.stable_ptr()
        }
        fn bytes_init(&self) -> usize {
            self.data.bytes_init()
        }
        fn bytes_total(&self) -> usize {
            self.data.bytes_total()
        }
    }

    // SAFETY: delegates to the Vec.
    unsafe impl IoBufMut for CountedBuf {
        fn stable_mut_ptr(&mut self) -> *mut u8 {
            self.data.stable_mut_ptr()
        }
        unsafe fn set_init(&mut self, n: usize) {
            // SAFETY: forwarded from the caller.
            unsafe { self.data.set_init(n) }
        }
    }

    fn pipe() -> (SharedFd, OwnedFd) {
        let mut fds = [0; 2];
        syscall!(pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC)).unwrap();
        // SAFETY: pipe2 just created both fds and nothing else owns them.
        let (r, w) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        (SharedFd::new(r), w)
    }

    #[test]
    fn buffer_outlives_a_dropped_read_until_its_cqe() {
        let owner = Arc::new(());
        let (reader, _writer) = pipe();
        let rt = crate::Runtime::new().unwrap();
        rt.block_on(async {
            let buf = CountedBuf {
                data: Vec::with_capacity(64),
                _owner: owner.clone(),
            };
            let mut read = Op::submit(ReadAt::new(reader.clone(), buf, u64::MAX));
            // Poll once so the read reaches the kernel, then drop it.
            assert!(futures_util::poll!(&mut read).is_pending());
            crate::yield_now().await;
            drop(read);
            assert_eq!(Arc::strong_count(&owner), 2, "the table holds the buffer");
            for _ in 0..10 {
                crate::yield_now().await;
            }
        });
        drop(rt);
        assert_eq!(Arc::strong_count(&owner), 1, "freed after the cancel's CQE");
    }

    #[test]
    fn read_sets_the_length_to_what_was_read() {
        let (reader, writer) = pipe();
        crate::run(async move {
            syscall!(write(
                std::os::fd::AsRawFd::as_raw_fd(&writer),
                b"hey".as_ptr().cast(),
                3
            ))
            .unwrap();
            let stale = vec![9u8; 16];
            let (n, buf) = Op::submit(ReadAt::new(reader, stale, u64::MAX)).await;
            assert_eq!(n.unwrap(), 3);
            assert_eq!(buf, b"hey", "no stale bytes past the read");
        });
    }

    #[test]
    fn read_from_a_write_only_fd_is_ebadf() {
        let (_reader, writer) = pipe();
        let writer = SharedFd::new(writer);
        crate::run(async {
            let (res, buf) = Op::submit(ReadAt::new(writer, vec![0u8; 4], u64::MAX)).await;
            assert_eq!(res.unwrap_err().raw_os_error(), Some(libc::EBADF));
            assert_eq!(buf.capacity(), 4, "the buffer comes back on error");
        });
    }
}
