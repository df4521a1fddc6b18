//! Zero-copy sends (`IORING_OP_SEND_ZC`; a plain send where the ring lacks
//! it and on the epoll driver): every byte arrives, and the buffer comes
//! back whole once the kernel lets go of it.

mod common;

use common::run_bounded;
use ringio::net::{TcpListener, TcpStream, UdpSocket};
use ringio::Cancellable;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn a_mebibyte_sent_zero_copy_arrives_byte_for_byte() {
    run_bounded(LIMIT, || async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let len = 1 << 20;
        let reader = ringio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let mut got = Vec::with_capacity(len);
            loop {
                let (res, buf) = stream.read(Vec::with_capacity(64 * 1024)).await;
                let n = res.unwrap();
                if n == 0 {
                    return got;
                }
                got.extend_from_slice(&buf[..n]);
            }
        });
        let stream = TcpStream::connect(addr).await.unwrap();
        let data = pattern(len);
        let mut sent = 0;
        let mut sends = 0;
        while sent < len {
            // Each send hands back the buffer it took, untouched.
            let chunk = data[sent..].to_vec();
            let (res, back) = stream.send_zc(chunk).await;
            let n = res.unwrap();
            assert!(n > 0, "a send took nothing");
            assert_eq!(back, data[sent..], "the buffer came back changed");
            sent += n;
            sends += 1;
        }
        assert_eq!(sent, len);
        stream.shutdown(std::net::Shutdown::Write).await.unwrap();
        let got = reader.await.unwrap();
        assert_eq!(
            ringio::stats().ops_in_flight,
            0,
            "a notification is still due"
        );
        assert_eq!(got.len(), len);
        assert!(got == data, "bytes lost or reordered");
        println!("1 MiB in {sends} zero-copy sends");
    });
}

#[test]
fn a_zero_copy_datagram_arrives_whole() {
    run_bounded(LIMIT, || async {
        let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        let to = receiver.local_addr().unwrap();
        let data = pattern(60_000);
        let (res, back) = sender.send_to_zc(data.clone(), to).await;
        assert_eq!(res.unwrap(), 60_000);
        assert_eq!(back, data);
        let (res, buf) = receiver.recv_from(Vec::with_capacity(65_536)).await;
        let (n, from) = res.unwrap();
        assert_eq!(from, sender.local_addr().unwrap());
        assert_eq!(n, 60_000);
        assert!(buf == data);
        // An unresolvable address is an error naming it, with the buffer back.
        let (res, back) = sender
            .send_to_zc(vec![1u8; 3], "no-such-host.invalid:9")
            .await;
        assert!(res
            .unwrap_err()
            .to_string()
            .contains("no-such-host.invalid"));
        assert_eq!(back, vec![1u8; 3]);
    });
}

#[test]
fn a_zero_copy_send_to_a_closed_peer_reports_the_error() {
    run_bounded(LIMIT, || async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stream = TcpStream::connect(addr).await.unwrap();
        let (peer, _) = listener.accept().await.unwrap();
        drop(peer);
        // The peer's reset arrives after the first send at most; a send after
        // it fails, and the buffer comes back.
        let mut failed = None;
        for _ in 0..100 {
            let (res, back) = stream.send_zc(vec![5u8; 4096]).await;
            assert_eq!(back, vec![5u8; 4096]);
            if let Err(e) = res {
                failed = Some(e);
                break;
            }
            ringio::time::sleep(Duration::from_millis(1)).await;
        }
        let e = failed.expect("sends to a closed peer kept succeeding");
        assert!(
            matches!(
                e.kind(),
                std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
            ),
            "{e}"
        );
        assert_eq!(ringio::stats().ops_in_flight, 0);
    });
}

/// A send to a peer that reads nothing yet: its timer cancels it, and the
/// buffer comes back once the kernel lets go of its pages (over loopback:
/// once the peer has read what was sent). The peer gets exactly the count
/// the send reports.
#[test]
fn a_zero_copy_send_cancelled_by_its_timeout_reports_what_went() {
    run_bounded(LIMIT, || async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stream = TcpStream::connect(addr).await.unwrap();
        let (peer, _) = listener.accept().await.unwrap();
        let len = 64 << 20;
        // Far more than the socket buffers hold, so the send is still under
        // way when its timer fires; the reader starts after that.
        let started = std::rc::Rc::new(ringio::sync::Notify::new());
        let reader = ringio::spawn({
            let started = started.clone();
            async move {
                started.notified().await;
                let mut total = 0;
                loop {
                    let (res, buf) = peer.read(Vec::with_capacity(1 << 20)).await;
                    let n = res.unwrap();
                    if n == 0 {
                        return total;
                    }
                    assert!(buf.iter().all(|&byte| byte == 3));
                    total += n;
                }
            }
        });
        let send = stream
            .send_zc(vec![3u8; len])
            .timeout(Duration::from_millis(20));
        let timer = ringio::spawn(async move {
            ringio::time::sleep(Duration::from_millis(40)).await;
            started.notify_one();
        });
        let (res, back) = send.await;
        assert_eq!(back.len(), len);
        let sent = match res {
            Ok(n) => n,
            Err(e) => {
                assert_eq!(e.kind(), std::io::ErrorKind::TimedOut, "{e}");
                0
            }
        };
        assert!(sent < len, "all {len} bytes cannot fit the socket buffers");
        timer.await.unwrap();
        drop(stream);
        assert_eq!(reader.await.unwrap(), sent);
        assert_eq!(ringio::stats().ops_in_flight, 0);
    });
}
