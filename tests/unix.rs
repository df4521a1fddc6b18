//! Unix domain sockets on the ring: streams and datagrams, filesystem and
//! abstract addresses.

mod common;

use common::run_bounded;
use ringio::net::{UnixDatagram, UnixListener, UnixStream};
use std::io::ErrorKind;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

async fn echo_once(stream: &UnixStream) {
    let (n, buf) = stream.read(Vec::with_capacity(256)).await;
    n.unwrap();
    let (res, _) = stream.write_all(buf).await;
    res.unwrap();
}

#[test]
fn stream_echo_at_a_filesystem_path() {
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("echo.sock");
    run_bounded(LIMIT, move || async move {
        let listener = UnixListener::bind(&path).unwrap();
        assert_eq!(listener.local_addr().unwrap().as_pathname(), Some(&*path));
        let server = ringio::spawn(async move {
            for _ in 0..10 {
                let (stream, addr) = listener.accept().await.unwrap();
                assert!(addr.is_unnamed(), "clients do not bind: {addr:?}");
                echo_once(&stream).await;
            }
        });
        for i in 0..10 {
            let stream = UnixStream::connect(&path).await.unwrap();
            assert_eq!(stream.peer_addr().unwrap().as_pathname(), Some(&*path));
            let msg = format!("unix {i}").into_bytes();
            let (res, msg) = stream.write_all(msg).await;
            res.unwrap();
            let (n, got) = stream.read(Vec::with_capacity(256)).await;
            assert_eq!(&got[..n.unwrap()], &msg[..]);
        }
        server.await.unwrap();
    });
}

#[test]
fn stream_echo_at_an_abstract_name() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let name = format!("\0ringio-test-{}", std::process::id());
        let listener = UnixListener::bind(&name).unwrap();
        let local = listener.local_addr().unwrap();
        assert_eq!(local.as_abstract_name(), Some(&name.as_bytes()[1..]));
        assert_eq!(local.as_pathname(), None);
        let server = ringio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            echo_once(&stream).await;
        });
        let stream = UnixStream::connect(&name).await.unwrap();
        let (res, _) = stream.write_all(b"abstract".to_vec()).await;
        res.unwrap();
        let (n, got) = stream.read(Vec::with_capacity(64)).await;
        assert_eq!(&got[..n.unwrap()], b"abstract");
        server.await.unwrap();
    });
}

#[test]
fn stream_pair_splits_and_vectors() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let (a, b) = UnixStream::pair().unwrap();
        let (reader, writer) = a.into_split();
        let (res, _) = writer.writev(vec![b"one ".to_vec(), b"two".to_vec()]).await;
        assert_eq!(res.unwrap(), 7);
        drop(writer); // shuts down the write direction
        let mut got = Vec::new();
        loop {
            let (n, bufs) = b.readv(vec![vec![0u8; 2], vec![0u8; 3]]).await;
            let n = n.unwrap();
            if n == 0 {
                break;
            }
            assert!(bufs[0].len() + bufs[1].len() == n);
            got.extend(bufs.concat());
        }
        assert_eq!(got, b"one two");
        let (res, _) = b.write_all(b"back".to_vec()).await;
        res.unwrap();
        let (n, buf) = reader.read(vec![0u8; 16]).await;
        assert_eq!(&buf[..n.unwrap()], b"back");
    });
}

#[test]
fn datagrams_carry_their_sender_path() {
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let server_path = dir.path().join("server.dgram");
    let client_path = dir.path().join("client.dgram");
    run_bounded(LIMIT, move || async move {
        let server = UnixDatagram::bind(&server_path).unwrap();
        let client = UnixDatagram::bind(&client_path).unwrap();
        let (res, _) = client.send_to(b"ping".to_vec(), &server_path).await;
        assert_eq!(res.unwrap(), 4);
        let (res, buf) = server.recv_from(vec![0u8; 64]).await;
        let (n, from) = res.unwrap();
        assert_eq!(&buf[..n], b"ping");
        assert_eq!(from.as_pathname(), Some(&*client_path));
        let (res, _) = server
            .send_to(b"pong".to_vec(), from.as_pathname().unwrap())
            .await;
        res.unwrap();
        let (meta, buf) = client.recv_msg(vec![0u8; 2]).await;
        let meta = meta.unwrap();
        assert!(meta.truncated);
        assert_eq!(buf, b"po");

        let (a, b) = UnixDatagram::pair().unwrap();
        let (res, _) = a.send(b"paired".to_vec()).await;
        res.unwrap();
        let (n, buf) = b.recv(vec![0u8; 64]).await;
        assert_eq!(&buf[..n.unwrap()], b"paired");
    });
}

#[test]
fn bad_paths_are_clear_errors() {
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nobody.sock");
    let taken = dir.path().join("taken.sock");
    run_bounded(LIMIT, move || async move {
        let err = UnixStream::connect(&missing).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let _first = UnixListener::bind(&taken).unwrap();
        let err = UnixListener::bind(&taken).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        let too_long = dir.path().join("x".repeat(200));
        let err = UnixListener::bind(&too_long).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        let socket = UnixDatagram::unbound().unwrap();
        let (res, buf) = socket.send_to(b"x".to_vec(), &missing).await;
        assert_eq!(res.unwrap_err().kind(), ErrorKind::NotFound);
        assert_eq!(buf, b"x");
    });
}
