//! The raw-ring server's tests: echo, HTTP, stopping, and the echo
//! measurement through it.

use super::*;
use crate::workloads::echo::{epoll_client, measure, measure_with, Server};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(20);
const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";

struct Running {
    addr: SocketAddr,
    stop: StopSignal,
    done: mpsc::Receiver<io::Result<RawStats>>,
}

fn start(protocol: Protocol) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = StopSignal::new().unwrap();
    let signal = stop.clone();
    let (tx, done) = mpsc::channel();
    std::thread::spawn(move || {
        let result = serve(listener, protocol, &signal);
        // The eventfd closes with the last clone: before the result
        // says the server is done.
        drop(signal);
        let _ = tx.send(result);
    });
    Running { addr, stop, done }
}

impl Running {
    fn finish(self) -> RawStats {
        self.stop.stop();
        let result = self.done.recv_timeout(LIMIT).expect("serve returns");
        result.expect("serve succeeds")
    }
}

fn client(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(LIMIT)).unwrap();
    stream.set_write_timeout(Some(LIMIT)).unwrap();
    stream
}

#[test]
fn finds_complete_requests() {
    assert_eq!(complete_requests(b"", 0), (0, 0));
    assert_eq!(complete_requests(REQUEST, 0), (1, REQUEST.len()));
    let three = [REQUEST, REQUEST, REQUEST].concat();
    assert_eq!(complete_requests(&three, 0), (3, three.len()));
    let tail = [REQUEST, b"GET / HT"].concat();
    assert_eq!(complete_requests(&tail, 0), (1, REQUEST.len()));
    // The terminator split across receives: the old bytes are not
    // searched again, the new ones end it.
    let split = REQUEST.len() - 1;
    assert_eq!(complete_requests(REQUEST, split), (1, REQUEST.len()));
    assert_eq!(complete_requests(b"\r\n\r\n\r\n", 0), (1, 4));
}

#[test]
fn echoes_every_size_to_concurrent_clients() {
    let server = start(Protocol::Echo);
    let addr = server.addr;
    std::thread::scope(|s| {
        for c in 0..3usize {
            s.spawn(move || {
                let mut stream = client(addr);
                for size in [1, 1024, 200 * 1024] {
                    let msg: Vec<u8> = (0..size).map(|i| (i * 7 + c * 13 + size) as u8).collect();
                    let mut back = vec![0u8; size];
                    let mut writer = stream.try_clone().unwrap();
                    std::thread::scope(|w| {
                        w.spawn(|| writer.write_all(&msg).unwrap());
                        stream.read_exact(&mut back).unwrap();
                    });
                    assert!(back == msg, "client {c}, {size} B: echoed bytes differ");
                }
            });
        }
    });
    let stats = server.finish();
    assert_eq!(stats.accepted, 3);
    assert!(stats.enters > 0 && stats.sqes >= 3 * 3 * 2, "{stats:?}");
}

#[test]
fn answers_pipelined_and_split_requests() {
    let server = start(Protocol::Http { response: RESPONSE });
    let mut stream = client(server.addr);
    // Three requests in one write: three responses.
    stream
        .write_all(&[REQUEST, REQUEST, REQUEST].concat())
        .unwrap();
    let mut back = vec![0u8; 3 * RESPONSE.len()];
    stream.read_exact(&mut back).unwrap();
    assert!(back == [RESPONSE, RESPONSE, RESPONSE].concat());
    // A request split across two writes, its first part after a whole
    // one: the first answered, the part kept until the rest comes.
    let split = REQUEST.len() - 2;
    stream
        .write_all(&[REQUEST, &REQUEST[..split]].concat())
        .unwrap();
    let mut one = vec![0u8; RESPONSE.len()];
    stream.read_exact(&mut one).unwrap();
    assert!(one == RESPONSE);
    stream.write_all(&REQUEST[split..]).unwrap();
    stream.read_exact(&mut one).unwrap();
    assert!(one == RESPONSE);
    // Nothing more: after the stop the server closes the connection.
    let stats = server.finish();
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "{} bytes more", rest.len());
    assert_eq!(stats.accepted, 1);
}

/// The process's open descriptors and what each is.
fn open_fds() -> Vec<String> {
    let mut fds: Vec<String> = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .flatten()
        .map(|entry| {
            let target = std::fs::read_link(entry.path()).unwrap_or_default();
            format!("{:?} -> {}", entry.file_name(), target.display())
        })
        .collect();
    fds.sort();
    fds
}

/// Stops a server with connections open: `serve` returns Ok with the
/// connections counted, every client sees the server close, and (with
/// `count_fds`, alone in a process) no descriptor is left open.
fn stop_with_open_connections(count_fds: bool) {
    let before = open_fds();
    let server = start(Protocol::Echo);
    let mut clients: Vec<TcpStream> = (0..3).map(|_| client(server.addr)).collect();
    for stream in &mut clients {
        // One round trip: the connection is accepted and served.
        stream.write_all(b"hi").unwrap();
        let mut back = [0u8; 2];
        stream.read_exact(&mut back).unwrap();
        assert_eq!(&back, b"hi");
    }
    let stats = server.finish();
    assert_eq!(stats.accepted, 3);
    for stream in &mut clients {
        let mut rest = Vec::new();
        assert_eq!(stream.read_to_end(&mut rest).unwrap(), 0);
    }
    drop(clients);
    if count_fds {
        let after = open_fds();
        assert_eq!(after.len(), before.len(), "{after:#?} vs {before:#?}");
    }
}

/// Set in the child process that counts descriptors alone.
const ALONE: &str = "RINGIO_BENCH_RAW_SERVER_ALONE";

#[test]
fn stops_with_connections_open_and_closes_every_descriptor() {
    if std::env::var_os(ALONE).is_some() {
        stop_with_open_connections(true);
        return;
    }
    stop_with_open_connections(false);
    // Other tests open descriptors in this process: count them in a
    // process running this test alone.
    let exe = std::env::current_exe().unwrap();
    let path = concat!(
        module_path!(),
        "::stops_with_connections_open_and_closes_every_descriptor"
    );
    let name = path.split_once("::").unwrap().1;
    let out = std::process::Command::new(exe)
        .env(ALONE, "1")
        .args(["--exact", name, "--test-threads=1"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn serves_the_echo_measurement() {
    let d = Duration::from_millis(200);
    let (report, cpu, stats) = measure(Server::RawRing, 4, 64, d, None);
    assert!(report.requests > 0 && report.errors == 0, "{report:?}");
    assert!(cpu > Duration::ZERO);
    let stats = stats.expect("the raw ring reports its enters");
    assert!(stats.enters > 0 && stats.sqes_submitted > 0, "{stats:?}");
    let (report, _, _) = measure_with(Server::RawRing, None, |addr, server_cpu| {
        epoll_client::run_load(addr, 4, 1024, d, server_cpu)
    });
    let report = report.unwrap();
    assert!(report.requests > 0 && report.errors == 0, "{report:?}");
}
