//! The echo servers: one task per connection reading and writing back, on
//! ringio (a `read` per request, or one multishot receive into the
//! runtime's buffer pool) and on tokio's epoll reactor. Each runs until its
//! `stop` future resolves.

use crate::workloads::stats_since;
use futures_util::StreamExt;
use ringio::net::{TcpListener, TcpStream};

/// The ringio echo server: one task per connection, read then write back.
/// Runs until `stop` resolves (on the current ringio runtime); returns the
/// runtime counters it used (enters, SQEs) over that time.
pub async fn ringio_server(
    listener: TcpListener,
    stop: impl std::future::Future<Output = ()>,
) -> ringio::Stats {
    ringio_server_with(listener, stop, false).await
}

/// [`ringio_server`], choosing the echo loop: `multishot` receives into
/// the runtime's buffer pool, or one `read` per request.
pub async fn ringio_server_with(
    listener: TcpListener,
    stop: impl std::future::Future<Output = ()>,
    multishot: bool,
) -> ringio::Stats {
    let before = ringio::stats();
    let accept = async {
        let mut incoming = listener.incoming();
        while let Some(stream) = incoming.next().await {
            let Ok(stream) = stream else { continue };
            let _ = stream.set_nodelay(true);
            if multishot {
                drop(ringio::spawn(ringio_echo_multishot(stream)));
            } else {
                drop(ringio::spawn(ringio_echo(stream)));
            }
        }
    };
    futures_util::pin_mut!(accept, stop);
    futures_util::future::select(accept, stop).await;
    stats_since(before)
}

/// Echo with one multishot receive into the runtime's buffer pool: each
/// received chunk is sent back as it is (no copy).
async fn ringio_echo_multishot(stream: TcpStream) {
    let mut chunks = stream.recv_multishot();
    while let Some(Ok(chunk)) = chunks.next().await {
        let (res, _) = stream.write_all(chunk).await;
        if res.is_err() {
            return;
        }
    }
}

async fn ringio_echo(stream: TcpStream) {
    let mut buf = Vec::with_capacity(64 * 1024);
    loop {
        let (n, b) = stream.read(buf).await;
        match n {
            Ok(n) if n > 0 => {}
            _ => return,
        }
        let (res, b) = stream.write_all(b).await;
        if res.is_err() {
            return;
        }
        buf = b;
    }
}

/// The tokio echo server: the same work on tokio's epoll reactor.
pub async fn tokio_server(
    listener: std::net::TcpListener,
    stop: impl std::future::Future<Output = ()>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    listener.set_nonblocking(true).unwrap();
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    let accept = async {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    match stream.read(&mut buf).await {
                        Ok(n) if n > 0 => {
                            if stream.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                        _ => return,
                    }
                }
            });
        }
    };
    tokio::select! {
        () = accept => {}
        () = stop => {}
    }
}
