//! TCP on the ring: echo, half-close, refused, address in use, broken pipe,
//! interop with a tokio client.

mod common;

use common::{echo, run_bounded};
use ringio::net::{TcpListener, TcpStream};
use std::io::ErrorKind;
use std::net::Shutdown;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn echo_with_one_and_with_a_thousand_clients() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = ringio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                drop(ringio::spawn(echo(stream)));
            }
        });
        for clients in [1usize, 1000] {
            let handles: Vec<_> = (0..clients)
                .map(|i| {
                    ringio::spawn(async move {
                        let stream = TcpStream::connect(addr).await.unwrap();
                        stream.set_nodelay(true).unwrap();
                        let msg = format!("client {i} says hello").into_bytes();
                        let (res, sent) = stream.write_all(msg).await;
                        res.unwrap();
                        let (res, got) = read_exact(&stream, sent.len()).await;
                        res.unwrap();
                        assert_eq!(got, sent);
                    })
                })
                .collect();
            for h in handles {
                h.await.unwrap();
            }
        }
        server.abort();
    });
}

async fn read_exact(stream: &TcpStream, len: usize) -> (std::io::Result<()>, Vec<u8>) {
    let mut got = Vec::with_capacity(len);
    while got.len() < len {
        let (n, chunk) = stream.read(vec![0u8; len - got.len()]).await;
        match n {
            Ok(0) => return (Err(ErrorKind::UnexpectedEof.into()), got),
            Ok(n) => got.extend_from_slice(&chunk[..n]),
            Err(e) => return (Err(e), got),
        }
    }
    (Ok(()), got)
}

#[test]
fn half_close_reads_to_eof() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = ringio::spawn(async move {
            let (stream, peer) = listener.accept().await.unwrap();
            assert_eq!(stream.peer_addr().unwrap(), peer);
            echo(stream).await;
        });
        let stream = TcpStream::connect(addr).await.unwrap();
        let (res, _) = stream.write_all(b"last words".to_vec()).await;
        res.unwrap();
        stream.shutdown(Shutdown::Write).await.unwrap();
        let mut all = Vec::new();
        loop {
            let (n, buf) = stream.read(vec![0u8; 64]).await;
            let n = n.unwrap();
            if n == 0 {
                break;
            }
            all.extend_from_slice(&buf[..n]);
        }
        assert_eq!(all, b"last words");
        server.await.unwrap();
    });
}

#[test]
fn connect_to_a_closed_port_is_refused() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let err = TcpStream::connect(("127.0.0.1", port)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    });
}

#[test]
fn bind_to_an_address_in_use_fails() {
    skip_unless_uring!();
    let first = TcpListener::bind("127.0.0.1:0").unwrap();
    let err = TcpListener::bind(first.local_addr().unwrap()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddrInUse);
}

#[test]
fn write_to_a_closed_peer_is_broken_pipe_not_sigpipe() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let client = TcpStream::connect(addr).await.unwrap();
        let (server_side, _) = listener.accept().await.unwrap();
        drop(server_side);
        let mut last = Ok(());
        for _ in 0..100 {
            let (res, _) = client.write_all(vec![1u8; 65536]).await;
            if res.is_err() {
                last = res;
                break;
            }
        }
        let kind = last.unwrap_err().kind();
        assert!(
            matches!(kind, ErrorKind::BrokenPipe | ErrorKind::ConnectionReset),
            "{kind:?}"
        );
    });
}

#[test]
fn a_tokio_client_talks_to_a_ringio_server() {
    skip_unless_uring!();
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let client = std::thread::spawn(move || {
        let addr: std::net::SocketAddr = addr_rx.recv().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            stream.write_all(b"from tokio").await.unwrap();
            stream.shutdown().await.unwrap();
            let mut reply = Vec::new();
            stream.read_to_end(&mut reply).await.unwrap();
            reply
        })
    });
    run_bounded(LIMIT, move || async move {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        addr_tx.send(listener.local_addr().unwrap()).unwrap();
        let (stream, _) = listener.accept().await.unwrap();
        echo(stream).await;
    });
    assert_eq!(client.join().unwrap(), b"from tokio");
}
