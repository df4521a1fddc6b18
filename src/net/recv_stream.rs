//! [`RecvStream`]: a socket's incoming bytes as a stream of pooled buffers,
//! served by one multishot receive (re-armed when the kernel ends it), or by
//! one plain receive per chunk where the kernel lacks multishot receive or
//! the pool is empty.

use crate::buf::RecvBuf;
use crate::fd::SharedFd;
use crate::op::multishot::MultiOp;
use crate::op::recv_multi::RecvMulti;
use crate::op::send_recv::Recv;
use crate::op::Op;
use crate::runtime::context;
use futures_util::Stream;
use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

enum State {
    Idle,
    Multi(MultiOp<RecvMulti>),
    Single(Op<Recv<Vec<u8>>>),
    Eof,
}

/// The chunks a stream socket receives, each in a [`RecvBuf`]; ends at EOF.
/// From [`TcpStream::recv_multishot`](crate::net::TcpStream::recv_multishot)
/// and the same method of `UnixStream` and `OwnedReadHalf`.
///
/// Do not mix it with `read` calls on the same socket while it is alive:
/// both would receive, in an order nobody chose.
///
/// # Examples
///
/// ```no_run
/// use futures_util::StreamExt;
///
/// ringio::run(async {
///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
///     let mut chunks = stream.recv_multishot();
///     while let Some(chunk) = chunks.next().await {
///         let (res, _) = stream.write_all(chunk.unwrap()).await; // echo, no copy
///         res.unwrap();
///     }
/// });
/// ```
pub struct RecvStream<'a> {
    fd: SharedFd,
    state: State,
    multishot: bool,
    /// Whether the current multishot receive has produced anything yet.
    produced: bool,
    _socket: PhantomData<&'a ()>,
}

impl RecvStream<'_> {
    pub(crate) fn new(fd: SharedFd) -> Self {
        RecvStream {
            fd,
            state: State::Idle,
            multishot: true,
            produced: false,
            _socket: PhantomData,
        }
    }

    /// A plain receive of one chunk (of the pool's buffer size).
    fn single(&self) -> State {
        let size = context::with_driver(|driver| driver.recv_chunk_size());
        State::Single(Op::submit(Recv::new(
            self.fd.clone(),
            Vec::with_capacity(size),
        )))
    }
}

impl std::fmt::Debug for RecvStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecvStream")
            .field("fd", &self.fd.raw())
            .field("multishot", &self.multishot)
            .finish()
    }
}

impl Stream for RecvStream<'_> {
    type Item = io::Result<RecvBuf>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Eof => return Poll::Ready(None),
                State::Idle => {
                    let pool = if this.multishot {
                        context::with_driver(|driver| driver.buf_ring())
                    } else {
                        None
                    };
                    this.state = match pool {
                        Some(pool) => {
                            this.produced = false;
                            State::Multi(MultiOp::submit(RecvMulti::new(this.fd.clone(), pool)))
                        }
                        None => {
                            this.multishot = false;
                            this.single()
                        }
                    };
                }
                State::Multi(op) => {
                    let Some(res) = ready!(op.poll_next(cx)) else {
                        this.state = State::Idle;
                        continue;
                    };
                    let first = !std::mem::replace(&mut this.produced, true);
                    if op.is_finished() {
                        this.state = State::Idle;
                    }
                    match res {
                        Ok(chunk) if chunk.is_empty() => {
                            this.state = State::Eof;
                            return Poll::Ready(None);
                        }
                        Ok(chunk) => return Poll::Ready(Some(Ok(chunk))),
                        // The pool ran dry: this chunk comes through a plain
                        // receive; the next poll re-arms the multishot.
                        Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                            this.state = this.single()
                        }
                        // No multishot receive in this kernel.
                        Err(e) if first && e.raw_os_error() == Some(libc::EINVAL) => {
                            this.multishot = false;
                            this.state = this.single();
                        }
                        Err(e) => return Poll::Ready(Some(Err(e))),
                    }
                }
                State::Single(op) => {
                    let (res, buf) = ready!(Pin::new(op).poll(cx));
                    this.state = State::Idle;
                    return Poll::Ready(match res {
                        Ok(0) => {
                            this.state = State::Eof;
                            None
                        }
                        Ok(_) => Some(Ok(RecvBuf::owned(buf))),
                        Err(e) => Some(Err(e)),
                    });
                }
            }
        }
    }
}
