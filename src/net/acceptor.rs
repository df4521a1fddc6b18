//! The accept loop behind `incoming()`: one multishot accept kept armed on
//! the listener, re-armed when the kernel ends it, and a single-shot accept
//! per connection where the kernel lacks multishot (before 5.19).

use crate::fd::SharedFd;
use crate::op::accept::{Accept, AcceptMulti};
use crate::op::multishot::MultiOp;
use crate::op::Op;
use std::future::Future;
use std::io;
use std::os::fd::OwnedFd;
use std::pin::Pin;
use std::task::{Context, Poll};

enum State {
    Idle,
    Multi(MultiOp<AcceptMulti>),
    Single(Op<Accept>),
}

/// Accepts connections on one listening socket, one `poll_accept` at a time.
pub(crate) struct Acceptor {
    fd: SharedFd,
    state: State,
    multishot: bool,
    /// Whether the current multishot accept has produced anything yet.
    produced: bool,
}

impl Acceptor {
    pub(crate) fn new(fd: SharedFd) -> Acceptor {
        Acceptor {
            fd,
            state: State::Idle,
            multishot: true,
            produced: false,
        }
    }

    /// The next accepted connection (or accept error).
    pub(crate) fn poll_accept(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<OwnedFd>> {
        loop {
            match &mut self.state {
                State::Idle if self.multishot => {
                    self.state = State::Multi(MultiOp::submit(AcceptMulti::new(self.fd.clone())));
                    self.produced = false;
                }
                State::Idle => self.state = State::Single(Op::submit(Accept::new(self.fd.clone()))),
                State::Multi(op) => {
                    let Some(res) = std::task::ready!(op.poll_next(cx)) else {
                        self.state = State::Idle;
                        continue;
                    };
                    let first = !std::mem::replace(&mut self.produced, true);
                    if op.is_finished() {
                        // The kernel ended the multishot (an error, or an
                        // overflowing CQ): the next poll arms a new one.
                        self.state = State::Idle;
                        let unsupported = res
                            .as_ref()
                            .is_err_and(|e| e.raw_os_error() == Some(libc::EINVAL));
                        if first && unsupported {
                            // No multishot accept here (or a socket that is
                            // not listening, which a plain accept reports).
                            self.multishot = false;
                            continue;
                        }
                    }
                    return Poll::Ready(res);
                }
                State::Single(op) => {
                    let res = std::task::ready!(Pin::new(op).poll(cx));
                    self.state = State::Idle;
                    return Poll::Ready(res.map(|(fd, _addr)| fd));
                }
            }
        }
    }
}
