//! `IORING_OP_SENDMSG` / `IORING_OP_RECVMSG`: vectored socket I/O, with a
//! peer address for datagram sockets.

use super::vectored::{filled_in_order, iovecs_to_fill, iovecs_to_send};
use super::OpCode;
use crate::buf::{BufResult, IoBuf, IoBufMut};
use crate::driver::cqe::Cqe;
use crate::fd::SharedFd;
use io_uring::{opcode, squeue, types};
use socket2::{SockAddr, SockAddrStorage};

/// A `msghdr` and everything it points to, in one heap block that does not
/// move while the kernel uses it.
struct SendHeader {
    hdr: libc::msghdr,
    iovecs: Box<[libc::iovec]>,
    addr: Option<SockAddr>,
}

/// Sends the initialized bytes of `bufs` in order (to `addr` if given);
/// `MSG_NOSIGNAL`. Requires Linux 5.3.
pub(crate) struct SendMsg<B> {
    fd: SharedFd,
    bufs: Vec<B>,
    header: Box<SendHeader>,
    /// `sendmsg(2)` flags: `MSG_NOSIGNAL`, and `MSG_DONTWAIT` for [`now`](Self::now).
    flags: i32,
}

impl<B: IoBuf> SendMsg<B> {
    pub(crate) fn new(fd: SharedFd, bufs: Vec<B>, addr: Option<SockAddr>) -> Self {
        let iovecs = iovecs_to_send(&bufs);
        // SAFETY: `msghdr` is plain data; all-zero is a valid empty header.
        let hdr: libc::msghdr = unsafe { std::mem::zeroed() };
        let mut header = Box::new(SendHeader { hdr, iovecs, addr });
        let header_ref = &mut *header;
        header_ref.hdr.msg_iov = header_ref.iovecs.as_mut_ptr();
        header_ref.hdr.msg_iovlen = header_ref.iovecs.len();
        if let Some(addr) = &header_ref.addr {
            header_ref.hdr.msg_name = addr.as_ptr().cast_mut().cast();
            header_ref.hdr.msg_namelen = addr.len();
        }
        SendMsg {
            fd,
            bufs,
            header,
            flags: libc::MSG_NOSIGNAL,
        }
    }

    /// Fails with `EAGAIN` rather than wait (`MSG_DONTWAIT`; see
    /// [`SendNow`](super::send_recv::SendNow)).
    pub(crate) fn now(mut self) -> Self {
        self.flags |= libc::MSG_DONTWAIT;
        self
    }
}

// SAFETY: the msghdr, its iovec array and its address live in the boxed
// header, and the iovecs point at the buffers in `bufs` (stable heap
// pointers); `self` owns all of them for the whole operation.
unsafe impl<B: IoBuf> OpCode for SendMsg<B> {
    type Output = BufResult<usize, Vec<B>>;

    fn sqe(&mut self) -> squeue::Entry {
        opcode::SendMsg::new(types::Fd(self.fd.raw()), &self.header.hdr)
            .flags(self.flags as u32)
            .build()
    }

    fn complete(self, cqe: Cqe) -> BufResult<usize, Vec<B>> {
        (cqe.result().map(|n| n as usize), self.bufs)
    }
}

struct RecvHeader {
    hdr: libc::msghdr,
    iovecs: Box<[libc::iovec]>,
    addr: SockAddrStorage,
}

/// What a `recvmsg` reported besides the data.
#[derive(Debug)]
pub(crate) struct Received {
    /// Bytes stored in the buffers.
    pub(crate) len: usize,
    /// The sender (unspecified for connected stream sockets).
    pub(crate) addr: SockAddr,
    /// The message was longer than the buffers (`MSG_TRUNC`).
    pub(crate) truncated: bool,
}

/// Receives into `bufs` in order, with the sender's address.
/// Requires Linux 5.3.
pub(crate) struct RecvMsg<B> {
    fd: SharedFd,
    bufs: Vec<B>,
    header: Box<RecvHeader>,
}

impl<B: IoBufMut> RecvMsg<B> {
    pub(crate) fn new(fd: SharedFd, mut bufs: Vec<B>) -> Self {
        let iovecs = iovecs_to_fill(&mut bufs);
        // SAFETY: `msghdr` is plain data; all-zero is a valid empty header.
        let hdr: libc::msghdr = unsafe { std::mem::zeroed() };
        let mut header = Box::new(RecvHeader {
            hdr,
            iovecs,
            addr: SockAddrStorage::zeroed(),
        });
        let header_ref = &mut *header;
        header_ref.hdr.msg_iov = header_ref.iovecs.as_mut_ptr();
        header_ref.hdr.msg_iovlen = header_ref.iovecs.len();
        header_ref.hdr.msg_namelen = header_ref.addr.size_of();
        header_ref.hdr.msg_name = std::ptr::from_mut(&mut header_ref.addr).cast();
        RecvMsg { fd, bufs, header }
    }
}

// SAFETY: the msghdr, its iovec array and the address storage live in the
// boxed header, and the iovecs point at the buffers in `bufs` (stable heap
// pointers, whole capacity); `self` owns all of them for the whole operation.
unsafe impl<B: IoBufMut> OpCode for RecvMsg<B> {
    type Output = BufResult<Received, Vec<B>>;

    fn sqe(&mut self) -> squeue::Entry {
        opcode::RecvMsg::new(types::Fd(self.fd.raw()), &mut self.header.hdr).build()
    }

    fn complete(self, cqe: Cqe) -> BufResult<Received, Vec<B>> {
        let RecvMsg {
            mut bufs, header, ..
        } = self;
        let res = cqe.result().map(|n| {
            let n = n as usize;
            // SAFETY: the kernel filled `n` bytes through the iovecs.
            unsafe { filled_in_order(&mut bufs, n) };
            let RecvHeader { hdr, addr, .. } = *header;
            // SAFETY: the kernel wrote an address of `msg_namelen` bytes
            // into the storage (zero bytes for an unnamed sender).
            let addr = unsafe { SockAddr::new(addr, hdr.msg_namelen) };
            Received {
                len: n,
                addr,
                truncated: hdr.msg_flags & libc::MSG_TRUNC != 0,
            }
        });
        (res, bufs)
    }
}
