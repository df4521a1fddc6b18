//! `examples/http_server.rs` under load stops on SIGTERM gracefully: it
//! exits 0 within its grace period, and every request it answered reached
//! its client whole. The server runs in a child process (this test binary
//! re-run with an environment variable), so the signal goes to it alone.

mod common;
#[path = "../examples/http_server.rs"]
#[allow(dead_code)]
mod http_server;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "RINGIO_HTTP_GRACEFUL_SERVER";
const TEST: &str = "sigterm_under_load_drops_no_answered_request";
const CLIENTS: usize = 16;
const LIMIT: Duration = Duration::from_secs(60);

/// The child: serves on an ephemeral port until SIGTERM, then prints how
/// many requests it answered and exits 0.
fn be_the_server(threads: usize) -> ! {
    let options = http_server::Options {
        addr: "127.0.0.1:0".to_string(),
        threads,
        grace: Duration::from_secs(10),
    };
    let served = ringio::run(http_server::run(options, |addr| {
        println!("ready {addr}");
        std::io::stdout().flush().unwrap();
    }));
    println!("served {served}");
    std::process::exit(0)
}

/// One keep-alive client: requests `/` until the server closes the
/// connection; returns (whole answers, answers cut short).
fn client(addr: SocketAddr, answers: Arc<AtomicU64>, stop: Arc<AtomicBool>) -> (u64, u64) {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(LIMIT)).unwrap();
    let (mut whole, mut cut) = (0, 0);
    let mut buf = Vec::with_capacity(512);
    while !stop.load(Ordering::Relaxed) {
        if (&stream)
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .is_err()
        {
            break;
        }
        buf.clear();
        let mut chunk = [0u8; 512];
        let complete = loop {
            match (&stream).read(&mut chunk) {
                Ok(0) | Err(_) => break false,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
            if buf.ends_with(b"Hello, world!") {
                break true;
            }
        };
        if complete {
            assert!(
                buf.starts_with(b"HTTP/1.1 200"),
                "{:?}",
                String::from_utf8_lossy(&buf)
            );
            whole += 1;
            answers.fetch_add(1, Ordering::Relaxed);
        } else {
            // Closed between answers (graceful) or in the middle of one.
            cut += (!buf.is_empty()) as u64;
            break;
        }
    }
    (whole, cut)
}

fn sigterm_under_load(threads: usize) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, threads.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr: SocketAddr = loop {
        let line = lines
            .next()
            .expect("the server exited before it was ready")
            .unwrap();
        // libtest may have printed "test NAME ... " on the same line.
        if let Some((_, addr)) = line.split_once("ready ") {
            break addr.parse().unwrap();
        }
    };
    let answers = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (answers, stop) = (answers.clone(), stop.clone());
            std::thread::spawn(move || client(addr, answers, stop))
        })
        .collect();
    // Under load: every client has had answers before the signal.
    let start = Instant::now();
    while answers.load(Ordering::Relaxed) < 50 * CLIENTS as u64 {
        assert!(start.elapsed() < LIMIT, "the server answers too slowly");
        std::thread::yield_now();
    }
    // SAFETY: kill(2) on the child's pid, which has not been reaped yet.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let results: Vec<(u64, u64)> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    stop.store(true, Ordering::Relaxed);
    let served: u64 = loop {
        let line = lines
            .next()
            .expect("the server exited without a count")
            .unwrap();
        if let Some((_, n)) = line.split_once("served ") {
            break n.parse().unwrap();
        }
    };
    let status = child.wait().unwrap();
    assert!(status.success(), "the server exited with {status}");
    let whole: u64 = results.iter().map(|r| r.0).sum();
    let cut: u64 = results.iter().map(|r| r.1).sum();
    assert_eq!(cut, 0, "answers cut short by the shutdown");
    assert_eq!(whole, served, "requests answered but never received");
    assert!(start.elapsed() < LIMIT);
}

#[test]
fn sigterm_under_load_drops_no_answered_request() {
    if let Ok(threads) = std::env::var(CHILD_ENV) {
        be_the_server(threads.parse().unwrap());
    }
    skip_unless_uring!();
    common::bounded(LIMIT, || sigterm_under_load(1));
}

#[test]
fn sigterm_stops_a_two_worker_pool_gracefully() {
    skip_unless_uring!();
    common::bounded(LIMIT, || sigterm_under_load(2));
}
