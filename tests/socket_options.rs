//! Socket options read back after they are set (`TcpSocket`, `TcpStream`),
//! a `TcpSocket` listen/connect round trip, `peek`, `into_std` and `AsFd`
//! on every socket type, and option errors that come back as errors.

mod common;

use common::{fd_count, run_bounded, serial};
use ringio::net::{
    TcpListener, TcpSocket, TcpStream, UdpSocket, UnixDatagram, UnixListener, UnixStream,
};
use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

fn loopback_v4() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// An IPv6 socket bound to `[::1]:0`, where the machine has IPv6.
fn v6_socket() -> Option<TcpSocket> {
    let socket = TcpSocket::new_v6().ok()?;
    socket.bind("[::1]:0".parse().unwrap()).ok()?;
    Some(socket)
}

fn check_socket_options(socket: &TcpSocket) {
    for on in [true, false] {
        socket.set_reuseaddr(on).unwrap();
        assert_eq!(socket.reuseaddr().unwrap(), on);
        socket.set_reuseport(on).unwrap();
        assert_eq!(socket.reuseport().unwrap(), on);
        socket.set_keepalive(on).unwrap();
        assert_eq!(socket.keepalive().unwrap(), on);
        socket.set_nodelay(on).unwrap();
        assert_eq!(socket.nodelay().unwrap(), on);
    }
    // Linux doubles the size it is given.
    socket.set_send_buffer_size(32 * 1024).unwrap();
    assert!(socket.send_buffer_size().unwrap() >= 32 * 1024);
    socket.set_recv_buffer_size(48 * 1024).unwrap();
    assert!(socket.recv_buffer_size().unwrap() >= 48 * 1024);
    socket.set_linger(Some(Duration::from_secs(3))).unwrap();
    assert_eq!(socket.linger().unwrap(), Some(Duration::from_secs(3)));
    socket.set_linger(None).unwrap();
    assert_eq!(socket.linger().unwrap(), None);
    socket.set_ttl(17).unwrap();
    assert_eq!(socket.ttl().unwrap(), 17);
}

#[test]
fn tcp_socket_options_read_back() {
    let _serial = serial(); // the fd-counting test must see no other socket
    let socket = TcpSocket::new_v4().unwrap();
    assert!(!socket.reuseaddr().unwrap());
    assert!(!socket.nodelay().unwrap());
    check_socket_options(&socket);
    if let Some(v6) = v6_socket() {
        // On IPv6 the TTL is the hop limit.
        check_socket_options(&v6);
    }
}

#[test]
fn tcp_stream_options_read_back() {
    let _serial = serial(); // the fd-counting test must see no other socket
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (stream, accepted) = futures::join!(TcpStream::connect(addr), listener.accept());
        let (stream, (server, _)) = (stream.unwrap(), accepted.unwrap());
        for on in [true, false] {
            stream.set_nodelay(on).unwrap();
            assert_eq!(stream.nodelay().unwrap(), on);
        }
        stream.set_linger(Some(Duration::from_secs(2))).unwrap();
        assert_eq!(stream.linger().unwrap(), Some(Duration::from_secs(2)));
        stream.set_linger(None).unwrap();
        assert_eq!(stream.linger().unwrap(), None);
        stream.set_ttl(42).unwrap();
        assert_eq!(stream.ttl().unwrap(), 42);
        server.set_ttl(1).unwrap();
        assert_eq!(server.ttl().unwrap(), 1);

        // A value the kernel refuses is its error, and the stream goes on.
        let err = stream.set_ttl(256).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        assert_eq!(stream.ttl().unwrap(), 42);
        // Options still read after a shutdown.
        stream.shutdown(std::net::Shutdown::Both).await.unwrap();
        assert!(!stream.nodelay().unwrap());

        // Options set on a TcpSocket survive its connect.
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_nodelay(true).unwrap();
        socket.set_keepalive(true).unwrap();
        socket.set_linger(Some(Duration::ZERO)).unwrap();
        let (stream, _) = futures::join!(socket.connect(addr), listener.accept());
        let stream = stream.unwrap();
        assert!(stream.nodelay().unwrap());
        assert_eq!(stream.linger().unwrap(), Some(Duration::ZERO));
    });
}

#[test]
fn tcp_socket_bind_listen_accept_connect() {
    let _serial = serial(); // the fd-counting test must see no other socket
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        // Two listeners on one port through SO_REUSEPORT.
        let first = TcpSocket::new_v4().unwrap();
        first.set_reuseport(true).unwrap();
        first.bind(loopback_v4()).unwrap();
        let addr = first.local_addr().unwrap();
        assert_ne!(addr.port(), 0);
        let second = TcpSocket::new_v4().unwrap();
        second.set_reuseport(true).unwrap();
        second.bind(addr).unwrap();
        let listener = first.listen(16).unwrap();
        let _other = second.listen(16).unwrap();
        assert_eq!(listener.local_addr().unwrap(), addr);

        // Each connection lands on one of the two; this one serves a single
        // listener, so use a port with only one.
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(loopback_v4()).unwrap();
        let listener = socket.listen(16).unwrap();
        let addr = listener.local_addr().unwrap();
        let client = TcpSocket::new_v4().unwrap();
        let (stream, accepted) = futures::join!(client.connect(addr), listener.accept());
        let (stream, (server, peer)) = (stream.unwrap(), accepted.unwrap());
        assert_eq!(stream.local_addr().unwrap(), peer);
        assert_eq!(stream.peer_addr().unwrap(), addr);
        let (res, _) = stream.write_all(b"round trip".to_vec()).await;
        res.unwrap();
        let (n, buf) = server.read(Vec::with_capacity(32)).await;
        assert_eq!(&buf[..n.unwrap()], b"round trip");

        // An unbound socket listens on a port the kernel picks.
        let listener = TcpSocket::new_v4().unwrap().listen(8).unwrap();
        assert_ne!(listener.local_addr().unwrap().port(), 0);

        let refused = TcpSocket::new_v4().unwrap();
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap()
        };
        let err = refused.connect(closed).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err}");
    });
}

#[test]
fn bind_errors_name_the_address() {
    let _serial = serial(); // the fd-counting test must see no other socket
    skip_unless_uring!();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();

    let socket = TcpSocket::new_v4().unwrap();
    let err = socket.bind(addr).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddrInUse, "{err}");
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
    let err = TcpListener::bind(addr).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddrInUse, "{err}");
    assert!(err.to_string().contains(&addr.to_string()), "{err}");

    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let udp_addr = udp.local_addr().unwrap();
    let err = UdpSocket::bind(udp_addr).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddrInUse, "{err}");
    assert!(err.to_string().contains(&udp_addr.to_string()), "{err}");

    // A second bind, and an address of the other family: errors, no panic.
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(loopback_v4()).unwrap();
    let err = socket.bind(loopback_v4()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let err = TcpSocket::new_v4()
        .unwrap()
        .bind("[::1]:0".parse().unwrap())
        .unwrap_err();
    assert!(err.to_string().contains("[::1]:0"), "{err}");
    let err = TcpSocket::new_v4().unwrap().set_ttl(1000).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
}

#[test]
fn peek_then_read_returns_the_same_bytes() {
    let _serial = serial(); // the fd-counting test must see no other socket
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (stream, accepted) = futures::join!(TcpStream::connect(addr), listener.accept());
        let (stream, (server, _)) = (stream.unwrap(), accepted.unwrap());
        let (res, _) = stream.write_all(b"hello world".to_vec()).await;
        res.unwrap();

        // Peek until every byte has arrived (one send on loopback usually
        // arrives whole); nothing is consumed meanwhile.
        let mut peeked = Vec::new();
        for _ in 0..1000 {
            let (n, buf) = server.peek(Vec::with_capacity(64)).await;
            peeked = buf[..n.unwrap()].to_vec();
            if peeked.len() == 11 {
                break;
            }
        }
        assert_eq!(peeked, b"hello world");
        let (n, short) = server.peek(Vec::with_capacity(5)).await;
        assert_eq!(&short[..n.unwrap()], b"hello");
        let (n, read) = server.read(Vec::with_capacity(64)).await;
        assert_eq!(&read[..n.unwrap()], &peeked[..]);

        // EOF peeks as 0.
        drop(stream);
        let (n, _) = server.peek(Vec::with_capacity(8)).await;
        assert_eq!(n.unwrap(), 0);
    });
}

#[test]
fn into_std_round_trips() {
    skip_unless_uring!();
    let _serial = serial();
    let before = fd_count();
    run_bounded(LIMIT, || async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (stream, accepted) = futures::join!(TcpStream::connect(addr), listener.accept());
        let (stream, (server, _)) = (stream.unwrap(), accepted.unwrap());

        let raw = stream.as_raw_fd();
        let mut std_stream = stream.into_std().unwrap();
        assert_eq!(
            std_stream.as_raw_fd(),
            raw,
            "no op in flight: the fd itself"
        );
        std_stream.write_all(b"from std").unwrap();
        let (n, buf) = server.read(Vec::with_capacity(16)).await;
        assert_eq!(&buf[..n.unwrap()], b"from std");
        let back = TcpStream::from_std(std_stream);
        let (res, _) = back.write_all(b"back".to_vec()).await;
        res.unwrap();
        let (n, buf) = server.read(Vec::with_capacity(16)).await;
        assert_eq!(&buf[..n.unwrap()], b"back");

        // A receive still in flight on the fd: the std stream gets a
        // duplicate of it, which works.
        {
            let mut read = std::pin::pin!(back.read(Vec::with_capacity(8)));
            assert!(futures::poll!(read.as_mut()).is_pending());
        }
        let std_stream = back.into_std().unwrap();
        assert_eq!(
            std_stream.peer_addr().unwrap(),
            server.local_addr().unwrap()
        );

        let std_listener = listener.into_std().unwrap();
        assert_eq!(std_listener.local_addr().unwrap(), addr);
        let _client = std::net::TcpStream::connect(addr).unwrap();
        let (mut accepted, _) = std_listener.accept().unwrap();
        accepted.write_all(b"x").unwrap();

        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        let std_udp = udp.into_std().unwrap();
        std_udp
            .send_to(b"dgram", std_udp.local_addr().unwrap())
            .unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(std_udp.recv(&mut buf).unwrap(), 5);

        let (a, b) = UnixStream::pair().unwrap();
        let (mut a, mut b) = (a.into_std().unwrap(), b.into_std().unwrap());
        a.write_all(b"unix").unwrap();
        let mut buf = [0u8; 4];
        b.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"unix");

        let (a, b) = UnixDatagram::pair().unwrap();
        let (a, b) = (a.into_std().unwrap(), b.into_std().unwrap());
        a.send(b"ud").unwrap();
        assert_eq!(b.recv(&mut buf).unwrap(), 2);

        let name = format!("\0ringio-socket-options-{}", std::process::id());
        let std_unix_listener = UnixListener::bind(&name).unwrap().into_std().unwrap();
        assert!(std_unix_listener.local_addr().is_ok());

        let socket = TcpSocket::from_std_stream(std_stream);
        assert_eq!(socket.local_addr().unwrap().ip(), addr.ip());
        let fd = OwnedFd::from(socket);
        assert!(fd.as_raw_fd() >= 0);
    });
    assert_eq!(fd_count(), before, "every fd is closed again");
}

fn same_fd<T: AsFd + AsRawFd>(socket: &T) -> i32 {
    let raw = socket.as_raw_fd();
    assert_eq!(socket.as_fd().as_raw_fd(), raw);
    raw
}

#[test]
fn every_socket_type_lends_its_fd() {
    let _serial = serial(); // the fd-counting test must see no other socket
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (stream, _) = futures::join!(TcpStream::connect(addr), listener.accept());
        let (a, b) = UnixStream::pair().unwrap();
        let (c, _d) = UnixDatagram::pair().unwrap();
        let name = format!("\0ringio-as-fd-{}", std::process::id());
        let fds = [
            same_fd(&TcpSocket::new_v4().unwrap()),
            same_fd(&listener),
            same_fd(&stream.unwrap()),
            same_fd(&UdpSocket::bind("127.0.0.1:0").unwrap()),
            same_fd(&a),
            same_fd(&b),
            same_fd(&UnixListener::bind(&name).unwrap()),
            same_fd(&c),
        ];
        assert!(fds.iter().all(|&fd| fd >= 0), "{fds:?}");
    });
}
