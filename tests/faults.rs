//! Fault injection (`--features fault-injection`): every op-backed method
//! under each errno a kernel can hand back, and seeded random failures of
//! the echo and file-serving workloads. Each failed call must return an
//! `io::Error` carrying the injected errno (or, for EINTR and EAGAIN, may
//! be retried inside ringio and succeed), a retry must work, and nothing
//! may leak: the fd count and the operations in flight come back to where
//! they were, and the runtime keeps serving.
#![cfg(feature = "fault-injection")]

mod common;

use common::{settle, uring_runtime};
mod fault_cases;

use fault_cases::{cases, Fixture, LONG};
use ringio::fault;
use ringio::fs::File;
use ringio::net::{TcpListener, TcpStream};
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// The errnos every case is failed with.
const ERRNOS: [i32; 7] = common::FAULT_ERRNOS;

/// Whether `e` is the OS error `errno`, or says it with its context (a
/// path, an address).
fn carries(e: &io::Error, errno: i32) -> bool {
    let os = io::Error::from_raw_os_error(errno);
    e.raw_os_error() == Some(errno)
        || (e.kind() == os.kind() && e.to_string().contains(&os.to_string()))
}

#[test]
fn every_op_backed_method_fails_cleanly_under_every_errno() {
    let _serial = common::serial();
    let fds_before = common::fd_count();
    let tested = common::bounded(Duration::from_secs(120), || {
        let Some(rt) = uring_runtime() else { return 0 };
        let tested = rt.block_on(async {
            let f = Fixture::new().await;
            let baseline = settle(0).await;
            let timers = ringio::stats().timers_armed;
            let mut tested = 0;
            for case in cases() {
                for errno in ERRNOS {
                    fault::clear();
                    (case.prepare)(&f);
                    fault::fail_next(0, errno);
                    let started = Instant::now();
                    let res = (case.call)(&f).await;
                    assert!(
                        started.elapsed() < LONG / 3,
                        "{} under errno {errno}: took {:?}",
                        case.name,
                        started.elapsed()
                    );
                    assert_eq!(
                        fault::injected(),
                        1,
                        "{}: the call pushed no operation to fail",
                        case.name
                    );
                    match &res {
                        Err(e) => assert!(
                            carries(e, errno),
                            "{} under errno {errno}: {e} ({e:?})",
                            case.name
                        ),
                        // Retried inside ringio: only a transient errno may
                        // be swallowed.
                        Ok(()) => assert!(
                            matches!(errno, libc::EINTR | libc::EAGAIN),
                            "{} swallowed errno {errno}",
                            case.name
                        ),
                    }
                    if res.is_err() {
                        // Nothing was lost: the retry finds the same state
                        // (the pending connection, the unread bytes).
                        let retry = (case.call)(&f).await;
                        assert!(
                            retry.is_ok(),
                            "{}: retry after {errno}: {retry:?}",
                            case.name
                        );
                    }
                    let in_flight = settle(baseline).await;
                    assert_eq!(in_flight, baseline, "{} under {errno}: ops left", case.name);
                    assert_eq!(
                        ringio::stats().timers_armed,
                        timers,
                        "{} under {errno}: a timer left armed",
                        case.name
                    );
                    tested += 1;
                }
            }
            // The runtime still serves.
            ringio::nop().await.unwrap();
            tested
        });
        drop(rt);
        tested
    });
    if tested > 0 {
        assert_eq!(tested, cases().len() * ERRNOS.len());
        assert_eq!(common::fd_count(), fds_before, "descriptors leaked");
    }
}

/// Echo server and clients on one ring for `for_how_long`, with a seeded
/// `per_million` share of every operation failing: every error the
/// clients see is an injected errno or the close that follows one, every
/// echoed byte that arrives is right, the server still answers once the
/// faults stop, and no descriptor is left.
#[test]
fn a_seeded_random_run_of_echo_and_file_serving_loses_nothing() {
    let _serial = common::serial();
    let fds_before = common::fd_count();
    let seed = std::env::var("RINGIO_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    println!("RINGIO_FAULT_SEED={seed}");
    let ran = common::bounded(Duration::from_secs(90), move || {
        let Some(rt) = uring_runtime() else {
            return false;
        };
        rt.block_on(async move {
            for workload in [Workload::Echo, Workload::Serve] {
                let report = random_run(workload, seed, Duration::from_secs(5)).await;
                println!("{workload:?} under faults (seed {seed}): {report:?}");
                assert!(report.injected > 0, "{workload:?}: no fault was injected");
                assert!(report.round_trips > 0, "{workload:?}: nothing was served");
                assert_eq!(report.unexplained, 0, "{workload:?}: {report:?}");
                assert_eq!(report.corrupt, 0, "{workload:?}: wrong bytes");
            }
        });
        drop(rt);
        true
    });
    if ran {
        assert_eq!(common::fd_count(), fds_before, "descriptors leaked");
    }
}

#[derive(Debug, Clone, Copy)]
enum Workload {
    /// The server writes back what it reads.
    Echo,
    /// Each request is an 8-byte offset; the server sends 512 bytes of a
    /// file from there.
    Serve,
}

#[derive(Debug, Default)]
struct Report {
    injected: u64,
    round_trips: u64,
    /// Errors that were the injected errnos, or the close or reset of the
    /// connection whose other end failed.
    explained: u64,
    unexplained: u64,
    corrupt: u64,
}

const CLIENTS: usize = 8;
const PIECE: usize = 512;

/// Whether `e` is one of the errnos injected, or what a client sees after
/// the server closed its connection on one.
fn explained(e: &io::Error) -> bool {
    e.raw_os_error()
        .is_some_and(|n| ERRNOS.contains(&n) || n == libc::EPIPE)
        || e.kind() == io::ErrorKind::UnexpectedEof
}

async fn random_run(workload: Workload, seed: u64, for_how_long: Duration) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let content: Vec<u8> = (0..64 * 1024u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(dir.path().join("content"), &content).unwrap();
    let file = Rc::new(File::open(dir.path().join("content")).await.unwrap());
    let content = Rc::new(content);
    let listener = Rc::new(TcpListener::bind("127.0.0.1:0").unwrap());
    let addr = listener.local_addr().unwrap();
    let baseline = settle(0).await;
    let report = Rc::new(std::cell::RefCell::new(Report::default()));
    let stop = Rc::new(std::cell::Cell::new(false));

    fault::clear();
    fault::fail_random(seed, 10_000, &ERRNOS);
    let server = {
        let (listener, file, stop) = (listener.clone(), file.clone(), stop.clone());
        ringio::spawn(async move {
            let mut conns = ringio::task::JoinSet::new();
            while !stop.get() {
                let Ok((stream, _)) = listener.accept().await else {
                    continue; // an injected accept failure: accept again
                };
                let file = file.clone();
                conns.spawn(serve_one(stream, file, workload));
            }
            conns.abort_all();
        })
    };
    let deadline = Instant::now() + for_how_long;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (report, content) = (report.clone(), content.clone());
            ringio::spawn(async move {
                let mut n = 0u64;
                while Instant::now() < deadline {
                    let res = client_session(addr, workload, c, &mut n, &content, deadline).await;
                    let mut report = report.borrow_mut();
                    match res {
                        Ok(trips) => report.round_trips += trips,
                        Err(Failure::Io(e, trips)) => {
                            report.round_trips += trips;
                            if explained(&e) {
                                report.explained += 1;
                            } else {
                                eprintln!("unexplained: {e} ({e:?})");
                                report.unexplained += 1;
                            }
                        }
                        Err(Failure::Corrupt) => report.corrupt += 1,
                    }
                }
            })
        })
        .collect();
    for client in clients {
        client.await.unwrap();
    }
    let injected = fault::injected();
    fault::clear();
    // Faults off: the server still answers.
    let mut n = 0;
    let last = client_session(addr, workload, 0, &mut n, &content, Instant::now()).await;
    assert!(
        matches!(last, Ok(1)),
        "{workload:?}: no answer once faults stop"
    );
    stop.set(true);
    drop(TcpStream::connect(addr).await);
    server.await.unwrap();
    drop(listener);
    assert_eq!(
        settle(baseline).await,
        baseline,
        "operations left in flight"
    );
    let mut report = std::mem::take(&mut *report.borrow_mut());
    report.injected = injected;
    report
}

enum Failure {
    /// An error, after this many good round trips.
    Io(io::Error, u64),
    Corrupt,
}

/// One connection: round trips until `deadline` (one at least); how many.
async fn client_session(
    addr: SocketAddr,
    workload: Workload,
    client: usize,
    n: &mut u64,
    content: &[u8],
    deadline: Instant,
) -> Result<u64, Failure> {
    let mut trips = 0;
    let io = |trips| move |e| Failure::Io(e, trips);
    let stream = TcpStream::connect(addr).await.map_err(io(trips))?;
    loop {
        *n += 1;
        let (request, expected): (Vec<u8>, Vec<u8>) = match workload {
            Workload::Echo => {
                let msg: Vec<u8> = (0..64)
                    .map(|i| (i as u64 + *n + client as u64) as u8)
                    .collect();
                (msg.clone(), msg)
            }
            Workload::Serve => {
                let offset = (*n * 4099 + client as u64 * 131) % (content.len() - PIECE) as u64;
                let at = offset as usize;
                (
                    offset.to_le_bytes().to_vec(),
                    content[at..at + PIECE].to_vec(),
                )
            }
        };
        let (res, _) = stream.write_all(request).await;
        res.map_err(io(trips))?;
        let got = read_exact(&stream, expected.len())
            .await
            .map_err(io(trips))?;
        if got != expected {
            return Err(Failure::Corrupt);
        }
        trips += 1;
        if Instant::now() >= deadline {
            return Ok(trips);
        }
    }
}

/// The server's side of one connection, until an error or the peer's close.
async fn serve_one(stream: TcpStream, file: Rc<File>, workload: Workload) {
    let mut buf = Vec::with_capacity(4096);
    loop {
        match workload {
            Workload::Echo => {
                let (n, b) = stream.read(buf).await;
                match n {
                    Ok(n) if n > 0 => {}
                    _ => return,
                }
                let (res, b) = stream.write_all(b).await;
                if res.is_err() {
                    return;
                }
                buf = b;
                buf.clear();
            }
            Workload::Serve => {
                let Ok(b) = read_exact(&stream, 8).await else {
                    return;
                };
                let offset = u64::from_le_bytes(b[..8].try_into().unwrap());
                let (res, piece) = file.read_exact_at(Vec::with_capacity(PIECE), offset).await;
                if res.is_err() {
                    return;
                }
                let (res, _) = stream.write_all(piece).await;
                if res.is_err() {
                    return;
                }
            }
        }
    }
}

/// Reads exactly `n` bytes from `stream` (an early close is `UnexpectedEof`).
async fn read_exact(stream: &TcpStream, n: usize) -> io::Result<Vec<u8>> {
    let mut got = Vec::with_capacity(n);
    while got.len() < n {
        let (res, chunk) = stream.read(Vec::with_capacity(n - got.len())).await;
        if res? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        got.extend_from_slice(&chunk);
    }
    Ok(got)
}
