//! The ring operations datagram sockets share (UDP, Unix datagram).

use crate::buf::{BufResult, IoBuf, IoBufMut};
use crate::fd::SharedFd;
use crate::op::connect::Connect;
use crate::op::msg::{Received, RecvMsg, SendMsg};
use crate::op::send_recv::{Recv, Send};
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

    pub(crate) async fn send_to<B: IoBuf>(&self, buf: B, addr: SockAddr) -> BufResult<usize, B> {
        let op = SendMsg::new(self.fd.clone(), vec![buf], Some(addr));
        let (res, mut bufs) = Op::submit(op).await;
        (res, bufs.pop().expect("the one buffer comes back"))
    }

    pub(crate) async fn recv_msg<B: IoBufMut>(&self, buf: B) -> BufResult<Received, B> {
        let (res, mut bufs) = Op::submit(RecvMsg::new(self.fd.clone(), vec![buf])).await;
        (res, bufs.pop().expect("the one buffer comes back"))
    }

    pub(crate) async fn send<B: IoBuf>(&self, buf: B) -> BufResult<usize, B> {
        Op::submit(Send::new(self.fd.clone(), buf)).await
    }

    pub(crate) async fn recv<B: IoBufMut>(&self, buf: B) -> BufResult<usize, B> {
        Op::submit(Recv::new(self.fd.clone(), buf)).await
    }
}
