//! Zero-copy sends against plain ones: `TcpStream::send_zc` vs
//! `write_all` of 64 KiB to 1 MiB messages over loopback, one connection,
//! the receiver on a second ringio thread pinned to core 1.
//! `cargo bench --bench send_zc`
//!
//! Loopback is the worst case for zero copy: the kernel copies at delivery
//! (or holds the pages until the receiver reads), so this reports the cost
//! of the notification path rather than a saving.

mod common;

use common::{ab, header, pin_to_core};
use ringio::buf::IoBuf;
use ringio::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// Bytes sent per measured round.
const BYTES_PER_ROUND: usize = 256 << 20;

/// A receiver that reads and drops everything, on its own thread and ring.
fn spawn_sink() -> std::net::SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        pin_to_core(1);
        ringio::run(async move {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                drop(ringio::spawn(async move {
                    let mut buf = vec![0u8; 1 << 20];
                    loop {
                        buf.clear();
                        let (res, back) = stream.read(buf).await;
                        buf = back;
                        if !matches!(res, Ok(n) if n > 0) {
                            return;
                        }
                    }
                }));
            }
        });
    });
    rx.recv().unwrap()
}

/// MiB/s sending `BYTES_PER_ROUND` in messages of `size` bytes.
fn send_rate(addr: std::net::SocketAddr, size: usize, zero_copy: bool) -> f64 {
    ringio::run(async move {
        let stream = TcpStream::connect(addr).await.unwrap();
        let mut buf = vec![7u8; size];
        let start = Instant::now();
        let mut sent = 0;
        while sent < BYTES_PER_ROUND {
            if zero_copy {
                // A send may go out in part: send the rest of the same buffer.
                let mut done = 0;
                while done < size {
                    let (res, back) = stream.send_zc(buf.slice(done..)).await;
                    buf = back.into_inner();
                    done += res.unwrap();
                }
            } else {
                let (res, back) = stream.write_all(buf).await;
                res.unwrap();
                buf = back;
            }
            sent += size;
        }
        let elapsed = start.elapsed().max(Duration::from_nanos(1));
        sent as f64 / (1 << 20) as f64 / elapsed.as_secs_f64()
    })
}

fn main() {
    pin_to_core(0);
    header("send_zc vs write_all, loopback (MiB/s)");
    let addr = spawn_sink();
    for size in [64 << 10, 256 << 10, 1 << 20] {
        ab(
            &format!("{} KiB messages: send_zc", size >> 10),
            "write_all",
            || send_rate(addr, size, true),
            || send_rate(addr, size, false),
        );
    }
}
