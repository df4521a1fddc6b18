//! The ring operations datagram sockets share (UDP, Unix datagram).

use crate::buf::{BufResult, IoBuf, IoBufMut};
use crate::fd::SharedFd;
use crate::io_util::when_ready;
use crate::op::connect::Connect;
use crate::op::msg::{Received, RecvMsg, SendMsg};
use crate::op::send_recv::{Recv, SendNow};
use crate::op::send_zc::{self, SendZc, SendZcFuture};
use crate::op::Op;
use socket2::SockAddr;
use std::io;

/// What a datagram receive reported besides the bytes: how many were
/// stored, who sent them, and whether the datagram was longer than the
/// buffer (`MSG_TRUNC`: the rest of it is discarded, as with `recvmsg(2)`).
///
/// # Examples
///
/// ```no_run
/// ringio::run(async {
///     let socket = ringio::net::UdpSocket::bind("127.0.0.1:0").unwrap();
///     let (meta, buf) = socket.recv_msg(vec![0u8; 8]).await;
///     let meta = meta.unwrap();
///     if meta.truncated {
///         println!("{} sent more than the {} bytes kept", meta.addr, buf.len());
///     }
/// });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecvMeta<A> {
    /// Bytes stored in the buffer.
    pub len: usize,
    /// The sender's address.
    pub addr: A,
    /// The datagram did not fit: only its first `len` bytes were kept.
    pub truncated: bool,
}

/// A datagram socket's fd and its ring operations.
#[derive(Debug)]
pub(crate) struct DatagramIo {
    pub(crate) fd: SharedFd,
}

impl DatagramIo {
    pub(crate) fn new(fd: SharedFd) -> DatagramIo {
        DatagramIo { fd }
    }

    pub(crate) async fn connect(&self, addr: SockAddr) -> io::Result<()> {
        Op::submit(Connect::new(self.fd.clone(), addr)).await
    }

    /// Sends one datagram to `addr`.
    ///
    /// Every datagram send asks the kernel not to wait (`MSG_DONTWAIT`) and
    /// waits for room itself (a one-shot `POLL_ADD` for `POLLOUT`), then
    /// sends again with a fresh entry. Left to wait in the kernel, a Unix
    /// datagram send to a full receiver is retried by io_uring with the
    /// message its first try had already consumed: it completes `Ok(0)` and
    /// the receiver gets an empty datagram (seen on Linux 6.18).
    pub(crate) async fn send_to<B: IoBuf>(&self, buf: B, addr: SockAddr) -> BufResult<usize, B> {
        let (res, mut bufs) = when_ready(&self.fd, libc::POLLOUT, vec![buf], |fd, bufs| {
            Op::submit(SendMsg::new(fd, bufs, Some(addr.clone())).now())
        })
        .await;
        (res, bufs.pop().expect("the one buffer comes back"))
    }

    /// A zero-copy datagram to `addr` where the ring has one, else a plain
    /// one; waits for room as [`send_to`](Self::send_to) does.
    pub(crate) async fn send_to_zc<B: IoBuf>(&self, buf: B, addr: SockAddr) -> BufResult<usize, B> {
        if !send_zc::supported() {
            return self.send_to(buf, addr).await;
        }
        when_ready(&self.fd, libc::POLLOUT, buf, |fd, buf| {
            let flags = libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT;
            SendZcFuture::submit(SendZc::to(fd, buf, addr.clone(), flags))
        })
        .await
    }

    pub(crate) async fn recv_msg<B: IoBufMut>(&self, buf: B) -> BufResult<Received, B> {
        let (res, mut bufs) = Op::submit(RecvMsg::new(self.fd.clone(), vec![buf])).await;
        (res, bufs.pop().expect("the one buffer comes back"))
    }

    /// Sends one datagram to the connected peer (waiting for room as
    /// [`send_to`](Self::send_to) does).
    pub(crate) async fn send<B: IoBuf>(&self, buf: B) -> BufResult<usize, B> {
        when_ready(&self.fd, libc::POLLOUT, buf, |fd, buf| {
            Op::submit(SendNow::now(fd, buf))
        })
        .await
    }

    pub(crate) async fn recv<B: IoBufMut>(&self, buf: B) -> BufResult<usize, B> {
        Op::submit(Recv::new(self.fd.clone(), buf)).await
    }
}
