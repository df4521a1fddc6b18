//! [`Incoming`]: the stream of connections of a [`TcpListener`].

use super::listener::TcpListener;
use super::stream::TcpStream;
use crate::net::acceptor::Acceptor;
use futures_util::Stream;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The connections accepted by a [`TcpListener`], from
/// [`TcpListener::incoming`]. Never ends; errors (such as `EMFILE`) are
/// items, and the stream goes on after them.
///
/// # Examples
///
/// ```no_run
/// use futures_util::StreamExt;
///
/// ringio::run(async {
///     let listener = ringio::net::TcpListener::bind("127.0.0.1:7000").unwrap();
///     let mut incoming = listener.incoming();
///     while let Some(stream) = incoming.next().await {
///         let stream = stream.unwrap();
///         drop(ringio::spawn(async move { drop(stream) }));
///     }
/// });
/// ```
pub struct Incoming<'a> {
    listener: &'a TcpListener,
    acceptor: Acceptor,
}

impl<'a> Incoming<'a> {
    pub(crate) fn new(listener: &'a TcpListener, acceptor: Acceptor) -> Incoming<'a> {
        Incoming { listener, acceptor }
    }
}

impl std::fmt::Debug for Incoming<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Incoming")
            .field("listener", self.listener)
            .finish()
    }
}

impl Stream for Incoming<'_> {
    type Item = io::Result<TcpStream>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        this.acceptor
            .poll_accept(cx)
            .map(|res| Some(res.map(TcpStream::from_owned_fd)))
    }
}
