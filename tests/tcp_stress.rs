//! TCP under pressure: multishot accept, a 64 MiB transfer over split
//! halves, peer reset, EMFILE on accept, and fd accounting over 10k
//! connections. Every test holds `serial()`: the fd counts must not see
//! another test's sockets.

mod common;

use common::{echo, fd_count, run_bounded, serial};
use futures_util::StreamExt;
use ringio::net::{TcpListener, TcpStream};
use std::io::ErrorKind;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn incoming_serves_every_connection() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = ringio::spawn(async move {
            let mut incoming = listener.incoming();
            while let Some(stream) = incoming.next().await {
                drop(ringio::spawn(echo(stream.unwrap())));
            }
        });
        let clients: Vec<_> = (0..300u32)
            .map(|i| {
                ringio::spawn(async move {
                    let stream = TcpStream::connect(addr).await.unwrap();
                    let (res, sent) = stream.write_all(i.to_le_bytes().to_vec()).await;
                    res.unwrap();
                    let (n, got) = stream.read(Vec::with_capacity(4)).await;
                    assert_eq!(n.unwrap(), 4);
                    assert_eq!(got, sent);
                })
            })
            .collect();
        for client in clients {
            client.await.unwrap();
        }
        server.abort();
    });
}

/// A deterministic byte stream (xorshift), so both ends can check it
/// without holding 64 MiB twice.
struct Pattern(u64);

impl Pattern {
    fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            chunk.copy_from_slice(&self.0.to_le_bytes()[..chunk.len()]);
        }
    }
}

#[test]
fn sixty_four_mib_round_trip_through_split_halves() {
    skip_unless_uring!();
    let _serial = serial();
    const TOTAL: usize = 64 << 20;
    const CHUNK: usize = 256 * 1024;
    run_bounded(LIMIT, || async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        // The server echoes with its own split halves: reads in one task,
        // writes in another, handing buffers over a channel.
        let server = ringio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (reader, writer) = stream.into_split();
            let (tx, mut rx) = futures::channel::mpsc::unbounded::<Vec<u8>>();
            let writing = ringio::spawn(async move {
                while let Some(buf) = rx.next().await {
                    let (res, _) = writer.write_all(buf).await;
                    res.unwrap();
                }
            });
            loop {
                let (n, buf) = reader.read(Vec::with_capacity(CHUNK)).await;
                if n.unwrap() == 0 {
                    break;
                }
                tx.unbounded_send(buf).unwrap();
            }
            drop(tx);
            writing.await.unwrap();
        });
        let stream = TcpStream::connect(addr).await.unwrap();
        let (reader, writer) = stream.into_split();
        let sending = ringio::spawn(async move {
            let mut pattern = Pattern(0x9E37_79B9_7F4A_7C15);
            let mut buf = vec![0u8; CHUNK];
            for _ in 0..TOTAL / CHUNK {
                pattern.fill(&mut buf);
                let (res, b) = writer.write_all(buf).await;
                res.unwrap();
                buf = b;
            }
            writer.shutdown().await.unwrap();
        });
        let mut expected = Pattern(0x9E37_79B9_7F4A_7C15);
        let mut want = vec![0u8; CHUNK];
        let mut want_pos = CHUNK;
        let mut received = 0;
        let mut buf = Vec::with_capacity(CHUNK);
        loop {
            let (n, b) = reader.read(buf).await;
            let n = n.unwrap();
            if n == 0 {
                break;
            }
            for &byte in &b[..n] {
                if want_pos == CHUNK {
                    expected.fill(&mut want);
                    want_pos = 0;
                }
                assert_eq!(byte, want[want_pos], "byte {received} differs");
                want_pos += 1;
                received += 1;
            }
            buf = b;
        }
        assert_eq!(received, TOTAL);
        sending.await.unwrap();
        server.await.unwrap();
    });
}

#[test]
fn peer_reset_mid_read_is_connection_reset() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let client = std::net::TcpStream::connect(addr).unwrap();
        let (server_side, _) = listener.accept().await.unwrap();
        let reading = ringio::spawn(async move { server_side.read(vec![0u8; 64]).await.0 });
        ringio::yield_now().await; // the read is in flight
                                   // SO_LINGER 0: close sends a RST instead of a FIN.
        socket2::SockRef::from(&client)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(client);
        let err = reading.await.unwrap().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    });
}

#[test]
fn accept_under_emfile_reports_it_and_recovers() {
    const CHILD: &str = "RINGIO_TEST_EMFILE_CHILD";
    if std::env::var_os(CHILD).is_some() {
        emfile_child();
        return;
    }
    skip_unless_uring!();
    let _serial = serial();
    common::run_in_child(
        "accept_under_emfile_reports_it_and_recovers",
        CHILD,
        "EMFILE-CHILD-OK",
    );
}

/// In a child process: lower RLIMIT_NOFILE so the next fd cannot be made,
/// then accept (plain and multishot) and free an fd in between.
fn emfile_child() {
    ringio::run(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        // Connected in the backlog before the limit drops.
        let _clients: Vec<_> = (0..4)
            .map(|_| std::net::TcpStream::connect(addr).unwrap())
            .collect();
        let mut spare: Vec<std::fs::File> = (0..2)
            .map(|_| std::fs::File::open("/dev/null").unwrap())
            .collect();
        let highest = std::fs::read_dir("/proc/self/fd")
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u64>().ok())
            .max()
            .unwrap();
        // The read_dir's own fd is closed again, so every number up to
        // `highest` is taken (or below it) and none above is allowed.
        let limit = libc::rlimit {
            rlim_cur: highest + 1,
            rlim_max: highest + 1,
        };
        // SAFETY: setrlimit reads a valid rlimit struct.
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);
        // Fill any hole below the limit.
        let mut filler = Vec::new();
        while let Ok(f) = std::fs::File::open("/dev/null") {
            filler.push(f);
        }

        let err = listener.accept().await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EMFILE), "{err}");
        drop(spare.pop());
        let _held = listener
            .accept()
            .await
            .expect("accept works once an fd is free");

        let mut incoming = listener.incoming();
        let err = incoming.next().await.unwrap().unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EMFILE), "{err}");
        drop(spare.pop());
        incoming
            .next()
            .await
            .unwrap()
            .expect("the stream goes on once an fd is free");
    });
    println!("EMFILE-CHILD-OK");
}

#[test]
fn ten_thousand_connections_leave_no_fds_behind() {
    skip_unless_uring!();
    let _serial = serial();
    let before = fd_count();
    run_bounded(LIMIT, || async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = ringio::spawn(async move {
            let mut incoming = listener.incoming();
            let mut n = 0u32;
            while let Some(stream) = incoming.next().await {
                let stream = stream.unwrap();
                n += 1;
                if n.is_multiple_of(2) {
                    // Every other connection is dropped with a read in
                    // flight: cancelled, closed after the kernel lets go.
                    let task = ringio::spawn(async move { stream.read(vec![0u8; 16]).await.0 });
                    ringio::yield_now().await;
                    task.abort();
                } else {
                    drop(ringio::spawn(echo(stream)));
                }
            }
        });
        for batch in 0..100 {
            let clients: Vec<_> = (0..100)
                .map(|_| {
                    ringio::spawn(async move {
                        let stream = TcpStream::connect(addr).await.unwrap();
                        let (res, _) = stream.write_all(b"x".to_vec()).await;
                        res.unwrap();
                        // The echo, or EOF / reset from an aborted one.
                        let _ = stream.read(vec![0u8; 1]).await;
                    })
                })
                .collect();
            for c in clients {
                c.await.unwrap();
            }
            let _ = batch;
        }
        server.abort();
    });
    assert_eq!(fd_count(), before, "fds leaked over 10k connections");
}
