//! UDP on the ring: round trips, truncation, connected sockets.

mod common;

use common::run_bounded;
use ringio::net::UdpSocket;
use std::io::ErrorKind;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn datagrams_round_trip_with_their_sender() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        let server_addr = server.local_addr().unwrap();
        let client = UdpSocket::bind("127.0.0.1:0").unwrap();
        let echo = ringio::spawn(async move {
            for _ in 0..100 {
                let (res, buf) = server.recv_from(Vec::with_capacity(1500)).await;
                let (n, from) = res.unwrap();
                assert_eq!(buf.len(), n);
                let (res, _) = server.send_to(buf, from).await;
                assert_eq!(res.unwrap(), n);
            }
        });
        for i in 0..100u32 {
            let msg = format!("datagram {i}").into_bytes();
            let (res, msg) = client.send_to(msg, server_addr).await;
            assert_eq!(res.unwrap(), msg.len());
            let (res, reply) = client.recv_from(vec![0u8; 1500]).await;
            let (n, from) = res.unwrap();
            assert_eq!(from, server_addr);
            assert_eq!(&reply[..n], &msg[..]);
        }
        echo.await.unwrap();
    });
}

#[test]
fn a_datagram_longer_than_the_buffer_is_reported_truncated() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let a = UdpSocket::bind("127.0.0.1:0").unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").unwrap();
        let (res, _) = a.send_to(vec![7u8; 1000], b.local_addr().unwrap()).await;
        assert_eq!(res.unwrap(), 1000);
        let (meta, buf) = b.recv_msg(Vec::with_capacity(100)).await;
        let meta = meta.unwrap();
        assert!(meta.truncated, "MSG_TRUNC must be reported");
        assert_eq!(meta.len, 100);
        assert_eq!(buf, vec![7u8; 100]);
        assert_eq!(meta.addr, a.local_addr().unwrap());

        let (res, _) = a.send_to(vec![8u8; 10], b.local_addr().unwrap()).await;
        res.unwrap();
        let (meta, _) = b.recv_msg(Vec::with_capacity(100)).await;
        assert!(!meta.unwrap().truncated);
    });
}

#[test]
fn connected_sockets_send_and_recv() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let a = UdpSocket::bind("127.0.0.1:0").unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").unwrap();
        a.connect(b.local_addr().unwrap()).await.unwrap();
        b.connect(a.local_addr().unwrap()).await.unwrap();
        assert_eq!(a.peer_addr().unwrap(), b.local_addr().unwrap());
        let (res, _) = a.send(b"hello".to_vec()).await;
        assert_eq!(res.unwrap(), 5);
        let (n, buf) = b.recv(vec![0u8; 64]).await;
        assert_eq!(&buf[..n.unwrap()], b"hello");
    });
}

#[test]
fn bad_input_is_a_clear_error() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let a = UdpSocket::bind("127.0.0.1:0").unwrap();
        // Not connected: no default peer.
        let (res, buf) = a.send(b"x".to_vec()).await;
        let err = res.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EDESTADDRREQ), "{err}");
        assert_eq!(buf, b"x", "the buffer comes back");
        // Too large for one datagram.
        let (res, _) = a.send_to(vec![0u8; 70_000], "127.0.0.1:9").await;
        assert_eq!(res.unwrap_err().raw_os_error(), Some(libc::EMSGSIZE));
        // Resolves to nothing.
        let none: &[std::net::SocketAddr] = &[];
        let (res, _) = a.send_to(b"x".to_vec(), none).await;
        assert_eq!(res.unwrap_err().kind(), ErrorKind::InvalidInput);
        // Address in use.
        let err = UdpSocket::bind(a.local_addr().unwrap()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
    });
}
