//! `IORING_OP_SEND_ZC` (Linux 6.0): a send the kernel makes from the
//! caller's pages, without copying them. Two completions: the result
//! (`IORING_CQE_F_MORE` set when a notification follows), then the
//! notification (`IORING_CQE_F_NOTIF`) once the kernel no longer reads the
//! buffer. The future resolves, and hands the buffer back, only after it.

use super::multishot::{MultiOp, MultishotCode};
use crate::buf::{BufResult, IoBuf};
use crate::driver::cqe::Cqe;
use crate::fd::SharedFd;
use io_uring::{cqueue, opcode, squeue, types};
use socket2::SockAddr;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{ready, Context, Poll};

/// Whether this thread's runtime can send zero-copy: an io_uring ring on a
/// kernel with `IORING_OP_SEND_ZC` (probed once per process, the answer
/// being the kernel's). `false` on the epoll driver.
///
/// # Panics
///
/// Panics when called outside a ringio runtime.
pub(crate) fn supported() -> bool {
    const UNKNOWN: u8 = 0;
    const NO: u8 = 1;
    const YES: u8 = 2;
    static PROBED: AtomicU8 = AtomicU8::new(UNKNOWN);
    crate::runtime::context::with_driver(|driver| {
        if driver.kind() != crate::DriverKind::IoUring {
            return false;
        }
        match PROBED.load(Ordering::Relaxed) {
            UNKNOWN => {
                let yes = driver.with_driver(|d| d.supports_opcode(opcode::SendZc::CODE));
                PROBED.store(if yes { YES } else { NO }, Ordering::Relaxed);
                yes
            }
            probed => probed == YES,
        }
    })
}

/// A zero-copy send of `buf` (to `addr`, for an unconnected datagram socket).
pub(crate) struct SendZc<B> {
    /// Held so the fd cannot be closed and reused while the send is in flight.
    fd: SharedFd,
    buf: B,
    /// Boxed: the entry points at it.
    addr: Option<Box<SockAddr>>,
    /// `send(2)` flags.
    flags: i32,
}

impl<B: IoBuf> SendZc<B> {
    /// A send on a connected socket.
    pub(crate) fn new(fd: SharedFd, buf: B, flags: i32) -> SendZc<B> {
        SendZc {
            fd,
            buf,
            addr: None,
            flags,
        }
    }

    /// A send to `addr`.
    pub(crate) fn to(fd: SharedFd, buf: B, addr: SockAddr, flags: i32) -> SendZc<B> {
        SendZc {
            fd,
            buf,
            addr: Some(Box::new(addr)),
            flags,
        }
    }
}

// SAFETY: the entry points at `buf`'s stable heap pointer (valid for
// `bytes_init()` bytes while `self` owns `buf`) and at the boxed address;
// the runtime keeps `self` until the final completion, the notification
// that says the kernel has let go of the pages.
unsafe impl<B: IoBuf> MultishotCode for SendZc<B> {
    /// The send's result; `None` for the notification.
    type Item = Option<io::Result<usize>>;

    fn sqe(&mut self) -> squeue::Entry {
        let len = u32::try_from(self.buf.bytes_init()).unwrap_or(u32::MAX);
        let mut send = opcode::SendZc::new(types::Fd(self.fd.raw()), self.buf.stable_ptr(), len)
            .flags(self.flags);
        if let Some(addr) = &self.addr {
            send = send
                .dest_addr(addr.as_ptr().cast())
                .dest_addr_len(addr.len());
        }
        send.build()
    }

    fn item(&mut self, cqe: Cqe) -> Option<io::Result<usize>> {
        if cqueue::notif(cqe.flags) {
            None
        } else {
            Some(cqe.result().map(|n| n as usize))
        }
    }
}

/// Resolves to the send's result and the buffer, after the notification.
pub(crate) struct SendZcFuture<B: IoBuf> {
    op: MultiOp<SendZc<B>>,
    res: Option<io::Result<usize>>,
}

impl<B: IoBuf> SendZcFuture<B> {
    /// Pushes `send` on this thread's ring (no syscall).
    pub(crate) fn submit(send: SendZc<B>) -> SendZcFuture<B> {
        SendZcFuture {
            op: MultiOp::submit(send),
            res: None,
        }
    }
}

impl<B: IoBuf> Future for SendZcFuture<B> {
    type Output = BufResult<usize, B>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<BufResult<usize, B>> {
        let this = self.get_mut();
        loop {
            let Some((item, done)) = ready!(this.op.poll_next_owned(cx)) else {
                unreachable!("a zero-copy send was polled after it resolved");
            };
            if let Some(res) = item {
                this.res.get_or_insert(res);
            }
            if let Some(send) = done {
                let res = this.res.take().unwrap_or(Ok(0));
                return Poll::Ready((res, send.buf));
            }
        }
    }
}
