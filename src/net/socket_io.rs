//! The owned-buffer I/O every stream socket shares (TCP, Unix, split
//! halves): one ring operation per call.

use crate::buf::{BufResult, IoBuf, IoBufMut};
use crate::fd::SharedFd;
use crate::op::msg::{RecvMsg, SendMsg};
use crate::op::send_recv::{Peek, Recv, Send, Shutdown};
use crate::op::send_zc::{self, SendZc, SendZcFuture};
use crate::op::Op;
use std::io;

/// A connected stream socket's fd and its ring operations.
#[derive(Debug)]
pub struct SocketIo {
    pub(crate) fd: SharedFd,
}

impl SocketIo {
    pub(crate) fn new(fd: SharedFd) -> SocketIo {
        SocketIo { fd }
    }

    pub(crate) async fn read<B: IoBufMut>(&self, buf: B) -> BufResult<usize, B> {
        Op::submit(Recv::new(self.fd.clone(), buf)).await
    }

    pub(crate) async fn peek<B: IoBufMut>(&self, buf: B) -> BufResult<usize, B> {
        Op::submit(Peek::peek(self.fd.clone(), buf)).await
    }

    pub(crate) async fn write<B: IoBuf>(&self, buf: B) -> BufResult<usize, B> {
        Op::submit(Send::new(self.fd.clone(), buf)).await
    }

    /// A zero-copy send where the ring has one, else a plain one.
    pub(crate) async fn send_zc<B: IoBuf>(&self, buf: B) -> BufResult<usize, B> {
        if send_zc::supported() {
            let send = SendZc::new(self.fd.clone(), buf, libc::MSG_NOSIGNAL);
            SendZcFuture::submit(send).await
        } else {
            self.write(buf).await
        }
    }

    pub(crate) async fn write_all<B: IoBuf>(&self, buf: B) -> BufResult<(), B> {
        crate::io_util::write_all(buf, |rest, _| self.write(rest)).await
    }

    pub(crate) async fn readv<B: IoBufMut>(&self, bufs: Vec<B>) -> BufResult<usize, Vec<B>> {
        let (res, bufs) = Op::submit(RecvMsg::new(self.fd.clone(), bufs)).await;
        (res.map(|received| received.len), bufs)
    }

    pub(crate) async fn writev<B: IoBuf>(&self, bufs: Vec<B>) -> BufResult<usize, Vec<B>> {
        Op::submit(SendMsg::new(self.fd.clone(), bufs, None)).await
    }

    pub(crate) fn recv_multishot(&self) -> super::recv_stream::RecvStream<'_> {
        super::recv_stream::RecvStream::new(self.fd.clone())
    }

    pub(crate) async fn shutdown(&self, how: std::net::Shutdown) -> io::Result<()> {
        Op::submit(Shutdown::new(self.fd.clone(), how)).await
    }

    pub(crate) async fn read_fixed(
        &self,
        buf: crate::buf::FixedBuf,
    ) -> BufResult<usize, crate::buf::FixedBuf> {
        crate::op::fixed::read(&self.fd, buf, crate::op::fixed::Target::Stream).await
    }

    pub(crate) async fn write_fixed(
        &self,
        buf: crate::buf::FixedBuf,
    ) -> BufResult<usize, crate::buf::FixedBuf> {
        crate::op::fixed::write(&self.fd, buf, crate::op::fixed::Target::Stream).await
    }
}
