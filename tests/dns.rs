//! Names resolved off the ring: `lookup_host`, connects and sends to a name,
//! errors that name the host, a ticker that stays on time through a
//! thousand lookups, and numeric addresses that never reach the pool.

mod common;

use common::{run_bounded, run_in_child};
use ringio::net::{lookup_host, TcpListener, TcpStream, UdpSocket};
use std::cell::Cell;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::rc::Rc;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(30);
const UNRESOLVABLE: &str = "nosuch.invalid:80";

fn is_localhost(addr: &SocketAddr) -> bool {
    addr.ip() == IpAddr::V4(Ipv4Addr::LOCALHOST) || addr.ip() == "::1".parse::<IpAddr>().unwrap()
}

#[test]
fn lookup_host_finds_localhost() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let addrs: Vec<_> = lookup_host("localhost:80").await.unwrap().collect();
        assert!(addrs.iter().any(is_localhost), "{addrs:?}");
        assert!(addrs.iter().all(|a| a.port() == 80), "{addrs:?}");

        let addrs: Vec<_> = lookup_host((String::from("localhost"), 443))
            .await
            .unwrap()
            .collect();
        assert!(addrs.iter().any(is_localhost), "{addrs:?}");

        let numeric: Vec<_> = lookup_host("[::1]:9").await.unwrap().collect();
        assert_eq!(numeric, ["[::1]:9".parse::<SocketAddr>().unwrap()]);
    });
}

/// A `std::net::ToSocketAddrs` type ringio does not know, resolved on the
/// pool through std's trait.
struct Custom;

impl std::net::ToSocketAddrs for Custom {
    type Iter = std::vec::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> std::io::Result<Self::Iter> {
        ("localhost", 7).to_socket_addrs()
    }
}

#[test]
fn lookup_host_takes_any_std_address_type() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let addrs: Vec<_> = lookup_host(Custom).await.unwrap().collect();
        assert!(
            addrs.iter().any(|a| is_localhost(a) && a.port() == 7),
            "{addrs:?}"
        );
    });
}

#[test]
fn connect_and_send_to_a_name() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let accept = ringio::spawn(async move { listener.accept().await.unwrap() });
        let stream = TcpStream::connect(("localhost", port)).await.unwrap();
        let (server, _) = accept.await.unwrap();
        assert_eq!(stream.peer_addr().unwrap(), server.local_addr().unwrap());
        let (res, _) = stream.write_all(b"by name".to_vec()).await;
        res.unwrap();
        let (n, buf) = server.read(Vec::with_capacity(16)).await;
        assert_eq!(&buf[..n.unwrap()], b"by name");

        // A borrowed, non-'static "host:port" string works too.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let name = format!("localhost:{}", listener.local_addr().unwrap().port());
        let (stream, accepted) =
            futures::join!(TcpStream::connect(name.as_str()), listener.accept());
        assert_eq!(stream.unwrap().local_addr().unwrap(), accepted.unwrap().1);

        let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = receiver.local_addr().unwrap().port();
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        let (res, _) = sender.send_to(b"dgram".to_vec(), ("localhost", port)).await;
        assert_eq!(res.unwrap(), 5);
        let (res, buf) = receiver.recv_from(vec![0u8; 16]).await;
        let (n, from) = res.unwrap();
        assert_eq!(
            (&buf[..n], from),
            (&b"dgram"[..], sender.local_addr().unwrap())
        );

        sender.connect(format!("localhost:{port}")).await.unwrap();
        assert_eq!(sender.peer_addr().unwrap(), receiver.local_addr().unwrap());
    });
}

#[test]
fn an_unresolvable_name_is_named_in_the_error() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let err = lookup_host(UNRESOLVABLE).await.unwrap_err();
        assert!(err.to_string().contains("`nosuch.invalid:80`"), "{err}");

        let err = TcpStream::connect(UNRESOLVABLE).await.unwrap_err();
        assert!(err.to_string().contains("nosuch.invalid"), "{err}");
        let err = TcpStream::connect(("nosuch.invalid", 80))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("`nosuch.invalid:80`"), "{err}");

        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let (res, buf) = socket.send_to(b"x".to_vec(), UNRESOLVABLE).await;
        let err = res.unwrap_err();
        assert!(err.to_string().contains("nosuch.invalid"), "{err}");
        assert_eq!(buf, b"x", "the buffer comes back");
        let err = socket.connect(UNRESOLVABLE).await.unwrap_err();
        assert!(err.to_string().contains("nosuch.invalid"), "{err}");

        // The synchronous binds resolve on the calling thread, same error.
        let err = TcpListener::bind("nosuch.invalid:0").unwrap_err();
        assert!(err.to_string().contains("`nosuch.invalid:0`"), "{err}");
        let err = UdpSocket::bind("nosuch.invalid:0").unwrap_err();
        assert!(err.to_string().contains("`nosuch.invalid:0`"), "{err}");

        // A string that is no "host:port" at all.
        let err = TcpStream::connect("no-port-here").await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{err}");
        assert!(err.to_string().contains("no-port-here"), "{err}");
    });
}

#[test]
fn a_ticker_stays_on_time_through_a_thousand_lookups() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let done = Rc::new(Cell::new(false));
        let ticker = ringio::spawn({
            let done = done.clone();
            async move {
                let mut interval = ringio::time::interval(Duration::from_millis(1));
                interval.tick().await;
                let (mut last, mut max_gap, mut ticks) = (Instant::now(), Duration::ZERO, 0u32);
                while !done.get() {
                    interval.tick().await;
                    let now = Instant::now();
                    max_gap = max_gap.max(now - last);
                    last = now;
                    ticks += 1;
                }
                (max_gap, ticks)
            }
        });
        ringio::time::sleep(Duration::from_millis(5)).await;

        let start = Instant::now();
        let lookups: Vec<_> = (0..1000)
            .map(|_| ringio::spawn(lookup_host("localhost:80")))
            .collect();
        for lookup in lookups {
            let addrs: Vec<_> = lookup.await.unwrap().unwrap().collect();
            assert!(addrs.iter().any(is_localhost), "{addrs:?}");
        }
        // Keep ticking a little past the lookups, so a short run still
        // has ticks to count.
        ringio::time::sleep(Duration::from_millis(20)).await;
        let elapsed = start.elapsed();
        done.set(true);
        let (max_gap, ticks) = ticker.await.unwrap();
        eprintln!("1000 lookups: {elapsed:?}, {ticks} ticks, longest gap {max_gap:?}");
        // Bounds for a noisy 2-core box: the ring never waits on a lookup.
        assert!(
            max_gap < Duration::from_millis(50),
            "a tick came {max_gap:?} late"
        );
        let expected = elapsed.as_millis() as u32;
        assert!(ticks >= expected / 4, "{ticks} ticks in {elapsed:?}");
    });
}

/// Threads of the blocking pool in this process.
fn pool_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter(|task| {
            let comm = task.as_ref().unwrap().path().join("comm");
            std::fs::read_to_string(comm).is_ok_and(|name| name.trim() == "ringio-blocking")
        })
        .count()
}

#[test]
fn numeric_addresses_make_no_thread_hop() {
    const CHILD: &str = "RINGIO_DNS_NUMERIC_CHILD";
    if std::env::var_os(CHILD).is_some() {
        numeric_child();
        return;
    }
    skip_unless_uring!();
    run_in_child(
        "numeric_addresses_make_no_thread_hop",
        CHILD,
        "NUMERIC-CHILD-OK",
    );
}

/// In a fresh child process, where the pool starts its first thread on
/// first use: every numeric form, then a name as the control.
fn numeric_child() {
    ringio::run(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let port = addr.port();
        let server = ringio::spawn(async move {
            loop {
                drop(listener.accept().await.unwrap());
            }
        });
        let text = addr.to_string();
        TcpStream::connect(addr).await.unwrap();
        TcpStream::connect(text.as_str()).await.unwrap();
        TcpStream::connect(text.clone()).await.unwrap();
        TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        TcpStream::connect((Ipv4Addr::LOCALHOST, port))
            .await
            .unwrap();
        TcpStream::connect(&[addr][..]).await.unwrap();
        let numeric: Vec<_> = lookup_host(text).await.unwrap().collect();
        assert_eq!(numeric, [addr]);
        lookup_host(("127.0.0.1", 1)).await.unwrap();

        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let (res, _) = socket.send_to(b"x".to_vec(), "127.0.0.1:9").await;
        res.unwrap();
        socket.connect(("127.0.0.1", 9)).await.unwrap();
        assert_eq!(pool_threads(), 0, "a numeric address went to the pool");

        // The control: a name does go there (pool threads stay idle a
        // while before they exit).
        lookup_host("localhost:80").await.unwrap();
        assert!(pool_threads() > 0, "the lookup ran on a pool thread");
        server.abort();
    });
    println!("NUMERIC-CHILD-OK");
}
