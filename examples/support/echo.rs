//! TCP echo pieces shared by `echo_server`, `echo_client`, the echo bench
//! and the `compare` example: a ringio server, a tokio server doing the same
//! work, and a load generator that drives every connection from one ringio
//! ring (so one client core is not the ceiling).
#![allow(dead_code)]

use futures_util::StreamExt;
use ringio::net::{TcpListener, TcpStream};
use std::cell::RefCell;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// What one load run measured.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Completed request/response round trips.
    pub requests: u64,
    /// Connections that failed (connect, read or write errors).
    pub errors: u64,
    /// Measured time.
    pub elapsed: Duration,
    /// Latency percentiles in microseconds.
    pub p50_us: f64,
    /// 99th percentile latency in microseconds.
    pub p99_us: f64,
    /// The load generator thread's CPU time over `elapsed`.
    pub client_cpu: Duration,
    /// The server's CPU time over `elapsed`, from the caller's reader (zero
    /// without one).
    pub server_cpu: Duration,
}

impl LoadReport {
    /// Requests per second.
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

/// Ping-pong load: `connections` connections each send `size` bytes and wait
/// for the echo, for `duration` (after connecting all of them). Runs a ringio
/// runtime on the calling thread.
pub fn run_load(
    addr: SocketAddr,
    connections: usize,
    size: usize,
    duration: Duration,
) -> LoadReport {
    run_load_observed(addr, connections, size, duration, || Duration::ZERO)
}

/// [`run_load`], reading the server's CPU time with `server_cpu` when the
/// measured time starts and when it ends.
pub fn run_load_observed(
    addr: SocketAddr,
    connections: usize,
    size: usize,
    duration: Duration,
    server_cpu: impl FnMut() -> Duration,
) -> LoadReport {
    run_requests_observed(
        addr,
        connections,
        duration,
        move |_| vec![0xA5u8; size],
        size,
        server_cpu,
    )
}

/// Request/response load: each connection sends `request(n)` (for its n-th
/// request) and waits for `response_len` bytes back, for `duration`.
pub fn run_requests<R>(
    addr: SocketAddr,
    connections: usize,
    duration: Duration,
    request: R,
    response_len: usize,
) -> LoadReport
where
    R: Fn(u64) -> Vec<u8> + Clone + 'static,
{
    run_requests_observed(addr, connections, duration, request, response_len, || {
        Duration::ZERO
    })
}

/// [`run_requests`], reading the server's CPU time with `server_cpu` when
/// the measured time starts (all connections made) and when it ends (every
/// connection's last request done).
pub fn run_requests_observed<R>(
    addr: SocketAddr,
    connections: usize,
    duration: Duration,
    request: R,
    response_len: usize,
    mut server_cpu: impl FnMut() -> Duration,
) -> LoadReport
where
    R: Fn(u64) -> Vec<u8> + Clone + 'static,
{
    let size = response_len;
    ringio::run(async move {
        let mut streams = Vec::with_capacity(connections);
        let mut errors = 0;
        for _ in 0..connections {
            match TcpStream::connect(addr).await {
                Ok(s) => {
                    s.set_nodelay(true).unwrap();
                    streams.push(s);
                }
                Err(_) => errors += 1,
            }
        }
        let latencies = Rc::new(RefCell::new(Vec::<u32>::with_capacity(1 << 20)));
        let (start, client0, server0) = (Instant::now(), thread_cpu(), server_cpu());
        let deadline = start + duration;
        let tasks: Vec<_> = streams
            .into_iter()
            .map(|stream| {
                let latencies = latencies.clone();
                let request = request.clone();
                ringio::spawn(async move {
                    let mut back = Vec::with_capacity(size);
                    let mut done = 0u64;
                    let mut mine = Vec::with_capacity(4096);
                    loop {
                        let t0 = Instant::now();
                        if t0 >= deadline {
                            break;
                        }
                        let (res, _) = stream.write_all(request(done)).await;
                        res?;
                        let mut got = 0;
                        while got < size {
                            back.clear();
                            let (n, b) = stream.read(back).await;
                            back = b;
                            match n? {
                                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                                n => got += n,
                            }
                        }
                        mine.push(t0.elapsed().as_micros() as u32);
                        done += 1;
                    }
                    latencies.borrow_mut().extend_from_slice(&mine);
                    Ok::<u64, io::Error>(done)
                })
            })
            .collect();
        let mut requests = 0;
        for t in tasks {
            match t.await {
                Ok(Ok(n)) => requests += n,
                _ => errors += 1,
            }
        }
        let (client1, server1) = (thread_cpu(), server_cpu());
        let elapsed = start.elapsed();
        let mut lat = std::mem::take(&mut *latencies.borrow_mut());
        let (p50_us, p99_us) = percentiles(&mut lat);
        LoadReport {
            requests,
            errors,
            elapsed,
            p50_us,
            p99_us,
            client_cpu: client1.saturating_sub(client0),
            server_cpu: server1.saturating_sub(server0),
        }
    })
}

/// The median and 99th percentile of `latencies` (sorted in place); zeros
/// when empty.
pub fn percentiles(latencies: &mut [u32]) -> (f64, f64) {
    latencies.sort_unstable();
    let pct = |p: f64| {
        if latencies.is_empty() {
            0.0
        } else {
            f64::from(latencies[((latencies.len() - 1) as f64 * p) as usize])
        }
    };
    (pct(0.50), pct(0.99))
}

/// The ringio echo server: one task per connection, read then write back.
/// Runs until `stop` resolves (on the current ringio runtime); returns the
/// runtime counters it used (enters, SQEs) over that time.
pub async fn ringio_server(
    listener: TcpListener,
    stop: impl std::future::Future<Output = ()>,
) -> ringio::Stats {
    ringio_server_with(listener, stop, false).await
}

/// [`ringio_server`], choosing the echo loop: `multishot` receives into
/// the runtime's buffer pool, or one `read` per request.
pub async fn ringio_server_with(
    listener: TcpListener,
    stop: impl std::future::Future<Output = ()>,
    multishot: bool,
) -> ringio::Stats {
    let before = ringio::stats();
    let accept = async {
        let mut incoming = listener.incoming();
        while let Some(stream) = incoming.next().await {
            let Ok(stream) = stream else { continue };
            let _ = stream.set_nodelay(true);
            if multishot {
                drop(ringio::spawn(ringio_echo_multishot(stream)));
            } else {
                drop(ringio::spawn(ringio_echo(stream)));
            }
        }
    };
    futures_util::pin_mut!(accept, stop);
    futures_util::future::select(accept, stop).await;
    stats_since(before)
}

/// This thread's runtime counters since `before`.
pub fn stats_since(before: ringio::Stats) -> ringio::Stats {
    let mut now = ringio::stats();
    now.enters -= before.enters;
    now.sqes_submitted -= before.sqes_submitted;
    now
}

/// Echo with one multishot receive into the runtime's buffer pool: each
/// received chunk is sent back as it is (no copy).
async fn ringio_echo_multishot(stream: TcpStream) {
    let mut chunks = stream.recv_multishot();
    while let Some(Ok(chunk)) = chunks.next().await {
        let (res, _) = stream.write_all(chunk).await;
        if res.is_err() {
            return;
        }
    }
}

async fn ringio_echo(stream: TcpStream) {
    let mut buf = Vec::with_capacity(64 * 1024);
    loop {
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
    }
}

/// The tokio echo server: the same work on tokio's epoll reactor.
pub async fn tokio_server(
    listener: std::net::TcpListener,
    stop: impl std::future::Future<Output = ()>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    listener.set_nonblocking(true).unwrap();
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    let accept = async {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    match stream.read(&mut buf).await {
                        Ok(n) if n > 0 => {
                            if stream.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                        _ => return,
                    }
                }
            });
        }
    };
    tokio::select! {
        () = accept => {}
        () = stop => {}
    }
}

/// A tokio current-thread runtime with I/O and timers: the baseline.
pub fn tokio_current_thread() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

// The CPU clocks and pinning live in the shared harness crate; re-exported
// for the echo pieces and the `compare` example (each includer uses some).
#[allow(unused_imports)]
pub use ringio_bench::cpu::{clocks_sum, pin_to_core, process_cpu, thread_cpu, ThreadClock};

/// Which server a measurement runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// ringio, one thread: `read` then `write_all` per request.
    Ringio,
    /// ringio, one thread: `recv_multishot` into pooled buffers.
    RingioMultishot,
    /// tokio current-thread runtime.
    Tokio,
}

/// One echo measurement: server on its own thread (pinned to `server_core`),
/// load from this thread (pinned to `client_core`). Returns the load report
/// and the server thread's CPU time over the whole run.
pub fn measure(
    server: Server,
    connections: usize,
    size: usize,
    duration: Duration,
    cores: Option<(usize, usize)>,
) -> (LoadReport, Duration) {
    let (report, cpu, _) = measure_with_stats(server, connections, size, duration, cores);
    (report, cpu)
}

/// As [`measure`], also returning ringio's server-side counters.
pub fn measure_with_stats(
    server: Server,
    connections: usize,
    size: usize,
    duration: Duration,
    cores: Option<(usize, usize)>,
) -> (LoadReport, Duration, Option<ringio::Stats>) {
    measure_with(server, cores, |addr, server_cpu| {
        run_load_observed(addr, connections, size, duration, server_cpu)
    })
}

/// One echo measurement with the caller's load generator: `server` on its
/// own thread (pinned to the first of `cores`), `load(addr, server_cpu)` on
/// another (pinned to the second); `server_cpu` reads the server thread's
/// CPU clock. Returns what `load` returned, the server thread's CPU time
/// over its whole life, and ringio's server-side counters.
pub fn measure_with<T: Send>(
    server: Server,
    cores: Option<(usize, usize)>,
    load: impl FnOnce(SocketAddr, &mut dyn FnMut() -> Duration) -> T + Send,
) -> (T, Duration, Option<ringio::Stats>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = futures::channel::oneshot::channel::<()>();
    let (clock_tx, clock_rx) = std::sync::mpsc::channel::<ThreadClock>();
    let server_thread = std::thread::Builder::new()
        .name(format!("echo-{server:?}"))
        .spawn(move || {
            if let Some((core, _)) = cores {
                pin_to_core(core);
            }
            clock_tx.send(ThreadClock::current()).unwrap();
            let before = thread_cpu();
            let stop = async move {
                let _ = stop_rx.await;
            };
            let stats = match server {
                Server::Ringio => Some(ringio::run(ringio_server(
                    TcpListener::from_std(listener),
                    stop,
                ))),
                Server::RingioMultishot => Some(ringio::run(ringio_server_with(
                    TcpListener::from_std(listener),
                    stop,
                    true,
                ))),
                Server::Tokio => {
                    tokio_current_thread()
                        .unwrap()
                        .block_on(tokio_server(listener, stop));
                    None
                }
            };
            (thread_cpu() - before, stats)
        })
        .unwrap();
    let clock = clock_rx.recv().unwrap();
    // The load runs on its own thread, so pinning it leaves the caller's
    // affinity alone.
    let report = std::thread::scope(|s| {
        s.spawn(move || {
            if let Some((_, core)) = cores {
                pin_to_core(core);
            }
            load(addr, &mut || clock.read())
        })
        .join()
        .unwrap()
    });
    let _ = stop_tx.send(());
    let (cpu, stats) = server_thread.join().unwrap();
    (report, cpu, stats)
}

/// A port that several `SO_REUSEPORT` listeners can share: reserved by a
/// bound (not listening) socket, which the caller drops once they are bound.
pub fn reuse_port_reservation() -> (socket2::Socket, SocketAddr) {
    let holder = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    holder.set_reuse_address(true).unwrap();
    holder.set_reuse_port(true).unwrap();
    holder
        .bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into())
        .unwrap();
    let addr = holder.local_addr().unwrap().as_socket().unwrap();
    (holder, addr)
}

/// A multi-threaded server: ringio's thread-per-core pool (one
/// `SO_REUSEPORT` listener per worker) or tokio's multi-thread runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MultiServer {
    /// `ringio::Pool` with this many workers.
    RingioPool(usize),
    /// tokio multi-thread runtime with this many workers.
    TokioMulti(usize),
}

/// One multi-threaded echo measurement (no pinning: on a small box the
/// client shares the cores). Returns the load report and the server
/// threads' total CPU time.
pub fn measure_multi(
    server: MultiServer,
    connections: usize,
    size: usize,
    duration: Duration,
) -> (LoadReport, Duration) {
    measure_multi_with(server, |addr, server_cpu| {
        run_load_observed(addr, connections, size, duration, server_cpu)
    })
}

/// [`measure_multi`] with the caller's load generator, run on the calling
/// thread: `load(addr, server_cpu)`, where `server_cpu` reads the summed CPU
/// clocks of the server's threads. Returns what `load` returned and the
/// server threads' total CPU time over their lives.
pub fn measure_multi_with<T>(
    server: MultiServer,
    load: impl FnOnce(SocketAddr, &mut dyn FnMut() -> Duration) -> T,
) -> (T, Duration) {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};
    let clocks = Arc::new(Mutex::new(Vec::<ThreadClock>::new()));
    let (stop_tx, stop_rx) = futures::channel::oneshot::channel::<()>();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
    let mine = clocks.clone();
    let (addr, server_thread, expected) = match server {
        MultiServer::RingioPool(threads) => {
            let (holder, addr) = reuse_port_reservation();
            let stops: Vec<_> = (0..threads)
                .map(|_| futures::channel::oneshot::channel::<()>())
                .collect();
            let (stop_txs, stop_rxs): (Vec<_>, Vec<_>) = stops.into_iter().unzip();
            let stop_rxs = Arc::new(Mutex::new(
                stop_rxs.into_iter().map(Some).collect::<Vec<_>>(),
            ));
            let thread = std::thread::spawn(move || {
                // Fan the one stop out to every worker.
                std::thread::spawn(move || {
                    let _ = futures::executor::block_on(stop_rx);
                    for tx in stop_txs {
                        let _ = tx.send(());
                    }
                });
                let cpus = ringio::Pool::new(threads)
                    .run(move |worker| {
                        let stop = stop_rxs.lock().unwrap()[worker.index()].take().unwrap();
                        let (ready, clocks) = (ready_tx.clone(), mine.clone());
                        async move {
                            clocks.lock().unwrap().push(ThreadClock::current());
                            let options = ringio::net::ListenOptions {
                                reuse_port: true,
                                ..Default::default()
                            };
                            let listener = TcpListener::bind_with(addr, options).unwrap();
                            ready.send(()).unwrap();
                            let _ = ringio_server(listener, async move {
                                let _ = stop.await;
                            })
                            .await;
                            thread_cpu()
                        }
                    })
                    .unwrap();
                cpus.into_iter().sum::<Duration>()
            });
            for _ in 0..threads {
                ready_rx.recv().unwrap();
            }
            drop(holder);
            (addr, thread, threads)
        }
        MultiServer::TokioMulti(threads) => {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let thread = std::thread::spawn(move || {
                let cpu_ns = Arc::new(AtomicU64::new(0));
                let on_stop = cpu_ns.clone();
                let on_start = mine.clone();
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(threads)
                    .enable_all()
                    .on_thread_start(move || on_start.lock().unwrap().push(ThreadClock::current()))
                    .on_thread_stop(move || {
                        on_stop.fetch_add(thread_cpu().as_nanos() as u64, Ordering::SeqCst);
                    })
                    .build()
                    .unwrap();
                mine.lock().unwrap().push(ThreadClock::current());
                let before = thread_cpu();
                rt.block_on(tokio_server(listener, async move {
                    let _ = stop_rx.await;
                }));
                let own = thread_cpu() - before;
                drop(rt);
                own + Duration::from_nanos(cpu_ns.load(Ordering::SeqCst))
            });
            // The workers and the thread that accepts (`block_on`'s).
            (addr, thread, threads + 1)
        }
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while clocks.lock().unwrap().len() < expected {
        assert!(
            Instant::now() < deadline,
            "{server:?}: the server's threads did not start"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let report = load(addr, &mut || clocks_sum(&clocks));
    let _ = stop_tx.send(());
    let cpu = server_thread.join().unwrap();
    (report, cpu)
}
