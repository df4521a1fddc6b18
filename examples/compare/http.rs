//! The `http` group: HTTP/1.1 keep-alive hello world.
//!
//! One server thread pinned to core 0, the load generator pinned to core 1:
//! hyper on ringio vs hyper on a tokio current-thread runtime, and a
//! hand-rolled responder on each (the runtimes' cost without hyper's), at
//! each connection count; with wrk on PATH, wrk as a second client of the
//! hyper servers. Then 2 threads: a ringio `Pool` (one `SO_REUSEPORT`
//! listener per worker) vs tokio's multi-thread runtime with 2 workers,
//! the client unpinned on the same cores.
//!
//! Every server thread's CPU clock (`pthread_getcpuclockid`) is read when
//! the measurement window opens and when it closes; busy fractions are CPU
//! time over the window's wall time, the server's summed over its threads
//! (so up to 2 with two workers).

use super::fairness::{on, LIMIT};
use super::http_client::run_load;
use super::http_server::{listener, ringio_accept, tokio_accept, App, RESPONSE};
use super::results::{busy, Sample, Workload};
use super::wrk::{self, WrkReport};
use super::Run;
use futures::channel::{mpsc, oneshot};
use futures::{FutureExt, StreamExt};
use ringio_bench::cpu::clocks_sum;
use ringio_bench::workloads::echo::LoadReport;
use ringio_bench::workloads::raw_server::{self, Protocol, StopSignal};
use ringio_bench::workloads::{
    reuse_port_reservation, ringio_builder, ringio_pool, tokio_current_thread,
};
use ringio_bench::{pin_to_core, ThreadClock};
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Workers of the 2-thread workload.
const POOL_THREADS: usize = 2;

#[derive(Clone, Copy, Debug)]
enum Server {
    /// One ringio thread.
    Ringio(App),
    /// One tokio current-thread runtime.
    Tokio(App),
    /// `ringio::Pool`, hyper.
    RingioPool(usize),
    /// tokio multi-thread runtime, hyper.
    TokioMulti(usize),
    /// One thread, a raw io-uring loop answering with the hand-rolled
    /// responder's response (`ringio_bench`'s `raw_server`): the limit.
    RawRing,
}

/// A server running on its own thread(s).
struct Running {
    addr: SocketAddr,
    /// The CPU clocks of every server thread.
    clocks: Arc<Mutex<Vec<ThreadClock>>>,
    /// Marks for a one-thread ringio server: it reads its ring counters at
    /// each.
    marks: Option<mpsc::UnboundedSender<()>>,
    stop: oneshot::Sender<()>,
    /// The raw-ring server's stop (it waits on an eventfd, not a channel).
    raw_stop: Option<StopSignal>,
    thread: JoinHandle<io::Result<Option<ringio::Stats>>>,
}

impl Running {
    /// Server CPU time so far; marks the ring counters.
    fn snapshot(&self) -> Duration {
        if let Some(marks) = &self.marks {
            let _ = marks.unbounded_send(());
        }
        clocks_sum(&self.clocks)
    }

    /// Stops the server; its ring counters between the first two marks.
    fn stop(self) -> io::Result<Option<ringio::Stats>> {
        let _ = self.stop.send(());
        if let Some(signal) = &self.raw_stop {
            signal.stop();
        }
        self.thread
            .join()
            .map_err(|_| io::Error::other("the server panicked"))?
    }
}

/// Starts `server` (a one-thread server pinned to `core`), and waits until
/// it listens with all of its threads' clocks known.
fn start(server: Server, core: Option<usize>) -> io::Result<Running> {
    let clocks = Arc::new(Mutex::new(Vec::new()));
    let (stop, stop_rx) = oneshot::channel::<()>();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
    let (marks, mut marks_rx) = mpsc::unbounded::<()>();
    let mine = clocks.clone();
    // A port that the pool's listeners share, reserved until they all hold it.
    let mut holder = None;
    let mut raw_stop = None;
    let (addr, threads, thread): (_, _, JoinHandle<io::Result<Option<ringio::Stats>>>) =
        match server {
            Server::Ringio(app) | Server::Tokio(app) => {
                let std_listener = listener("127.0.0.1:0".parse().unwrap(), false)?;
                let addr = std_listener.local_addr()?;
                let ringio = ringio_builder();
                let thread = std::thread::spawn(move || {
                    if let Some(core) = core {
                        pin_to_core(core);
                    }
                    mine.lock().unwrap().push(ThreadClock::current());
                    let _ = ready_tx.send(());
                    if let Server::Tokio(_) = server {
                        std_listener.set_nonblocking(true)?;
                        let rt = tokio_current_thread()?;
                        rt.block_on(async move {
                            let listener = tokio::net::TcpListener::from_std(std_listener)?;
                            tokio::select! {
                                () = tokio_accept(listener, app) => {}
                                _ = stop_rx => {}
                            }
                            Ok::<_, io::Error>(None)
                        })
                    } else {
                        let listener = ringio::net::TcpListener::from_std(std_listener);
                        ringio.build()?.block_on(async move {
                            let mut taken = Vec::new();
                            {
                                let marks = async {
                                    while marks_rx.next().await.is_some() {
                                        taken.push(ringio::stats());
                                    }
                                };
                                let serve = ringio_accept(listener, app);
                                futures::pin_mut!(marks, serve);
                                let serving = futures::future::select(marks, serve);
                                futures::future::select(serving, stop_rx).await;
                            }
                            // A mark sent before the stop is queued by now.
                            while let Ok(()) = marks_rx.try_recv() {
                                taken.push(ringio::stats());
                            }
                            Ok(match taken[..] {
                                [before, mut after, ..] => {
                                    after.enters -= before.enters;
                                    after.sqes_submitted -= before.sqes_submitted;
                                    Some(after)
                                }
                                _ => None,
                            })
                        })
                    }
                });
                (addr, 1, thread)
            }
            Server::RawRing => {
                let std_listener = listener("127.0.0.1:0".parse().unwrap(), false)?;
                let addr = std_listener.local_addr()?;
                let signal = StopSignal::new()?;
                raw_stop = Some(signal.clone());
                let thread = std::thread::spawn(move || {
                    if let Some(core) = core {
                        pin_to_core(core);
                    }
                    mine.lock().unwrap().push(ThreadClock::current());
                    let _ = ready_tx.send(());
                    let protocol = Protocol::Http { response: RESPONSE };
                    let raw = raw_server::serve(std_listener, protocol, &signal)?;
                    // Over the loop's whole life, not the measured window.
                    Ok(Some(raw.ringio_stats()))
                });
                (addr, 1, thread)
            }
            Server::RingioPool(threads) => {
                let (reservation, addr) = reuse_port_reservation();
                holder = Some(reservation);
                let stop_rx = stop_rx.shared();
                let pool = ringio_pool(threads);
                let thread = std::thread::spawn(move || {
                    let workers = pool.run(move |_worker| {
                        let (clocks, stop, ready) =
                            (mine.clone(), stop_rx.clone(), ready_tx.clone());
                        async move {
                            clocks.lock().unwrap().push(ThreadClock::current());
                            let listener =
                                ringio::net::TcpListener::from_std(listener(addr, true)?);
                            let _ = ready.send(());
                            let serve = ringio_accept(listener, App::Hyper);
                            futures::pin_mut!(serve);
                            futures::future::select(serve, stop).await;
                            Ok::<(), io::Error>(())
                        }
                    })?;
                    workers.into_iter().collect::<io::Result<Vec<()>>>()?;
                    Ok(None)
                });
                (addr, threads, thread)
            }
            Server::TokioMulti(threads) => {
                let std_listener = listener("127.0.0.1:0".parse().unwrap(), false)?;
                let addr = std_listener.local_addr()?;
                let thread = std::thread::spawn(move || {
                    let on_start = mine.clone();
                    let rt = tokio::runtime::Builder::new_multi_thread()
                        .worker_threads(threads)
                        .enable_all()
                        .on_thread_start(move || {
                            on_start.lock().unwrap().push(ThreadClock::current())
                        })
                        .build()?;
                    mine.lock().unwrap().push(ThreadClock::current());
                    std_listener.set_nonblocking(true)?;
                    let listener =
                        rt.block_on(async { tokio::net::TcpListener::from_std(std_listener) })?;
                    rt.spawn(tokio_accept(listener, App::Hyper));
                    let _ = ready_tx.send(());
                    let _ = rt.block_on(stop_rx);
                    Ok(None)
                });
                (addr, threads + 1, thread)
            }
        };
    let deadline = Instant::now() + Duration::from_secs(10);
    let expected_ready = if let Server::RingioPool(n) = server {
        n
    } else {
        1
    };
    for _ in 0..expected_ready {
        if ready_rx.recv_timeout(Duration::from_secs(10)).is_err() {
            let _ = stop.send(());
            return Err(match thread.join() {
                Ok(Err(e)) => e,
                _ => io::Error::other("the server did not start"),
            });
        }
    }
    drop(holder);
    while clocks.lock().unwrap().len() < threads {
        if Instant::now() > deadline {
            return Err(io::Error::other("the server's threads did not start"));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let marks = matches!(server, Server::Ringio(_)).then_some(marks);
    Ok(Running {
        addr,
        clocks,
        marks,
        stop,
        raw_stop,
        thread,
    })
}

/// The load generator.
#[derive(Clone, Debug)]
enum Client {
    /// compare's own (`http_client`).
    Compare,
    /// wrk at this path.
    Wrk(PathBuf),
}

fn measure(
    server: Server,
    client: &Client,
    connections: usize,
    duration: Duration,
    cores: Option<(usize, usize)>,
) -> io::Result<Sample> {
    let one_thread = matches!(
        server,
        Server::Ringio(_) | Server::Tokio(_) | Server::RawRing
    );
    let cores = cores.filter(|_| one_thread);
    let running = start(server, cores.map(|c| c.0))?;
    let addr = running.addr;
    let warmup = (duration / 10).clamp(Duration::from_millis(20), Duration::from_millis(250));
    let sample = match client {
        Client::Compare => {
            let load = std::thread::scope(|s| {
                s.spawn(|| {
                    if let Some((_, core)) = cores {
                        pin_to_core(core);
                    }
                    run_load(addr, connections, warmup, duration, || running.snapshot())
                })
                .join()
            })
            .map_err(|_| io::Error::other("the load generator panicked"))?;
            from_load(&load)
        }
        Client::Wrk(wrk) => {
            let secs = duration.as_secs_f64().ceil().max(1.0) as u64;
            let before = running.snapshot();
            let report = wrk::run(wrk, addr, connections, secs, cores.map(|c| c.1));
            let server_cpu = running.snapshot().saturating_sub(before);
            from_wrk(&report?, server_cpu)
        }
    };
    let stats = running.stop()?;
    Ok(Sample {
        enters: stats.map(|s| s.enters),
        sqes: stats.map(|s| s.sqes_submitted),
        ..sample
    })
}

fn from_load(load: &LoadReport) -> Sample {
    Sample {
        ops: load.requests,
        elapsed: load.elapsed,
        cpu: Some(load.server_cpu),
        p50_us: Some(load.p50_us),
        p99_us: Some(load.p99_us),
        errors: load.errors,
        server_busy: busy(load.server_cpu, load.elapsed),
        client_busy: busy(load.client_cpu, load.elapsed),
        ..Sample::default()
    }
}

/// wrk's rate is over its own run; the busy fractions are over wrk's
/// process lifetime (its connects and exit included).
fn from_wrk(report: &WrkReport, server_cpu: Duration) -> Sample {
    Sample {
        ops: report.requests,
        elapsed: Duration::from_secs_f64(report.requests as f64 / report.rate.max(1e-9)),
        cpu: Some(server_cpu),
        p50_us: Some(report.p50_us),
        p99_us: Some(report.p99_us),
        errors: report.errors,
        server_busy: busy(server_cpu, report.wall),
        client_busy: busy(report.cpu, report.wall),
        ..Sample::default()
    }
}

/// The wrk binary, when it is on PATH.
pub fn wrk_binary() -> Option<PathBuf> {
    wrk::on_path("wrk")
}

/// Every workload of the group.
pub fn http(run: &mut Run<'_>) -> io::Result<Vec<Workload>> {
    let cores = (ringio::available_cores() >= 2).then_some((0, 1));
    let duration = run.config.duration;
    let wrk = wrk_binary();
    let mut out = Vec::new();
    let server = on("1 server thread", cores.map(|c| c.0));
    let sides = [server.clone(), server.clone(), server];
    let pair = |run: &mut Run<'_>, name: String, app: App, client: Client, connections: usize| {
        let load = match &client {
            Client::Compare => on("1 ring client thread", cores.map(|c| c.1)),
            Client::Wrk(_) => on("wrk -t1", cores.map(|c| c.1)),
        };
        let one = |server: Server| {
            let client = client.clone();
            move || measure(server, &client, connections, duration, cores)
        };
        run.ab(
            "http",
            &name,
            "req/s",
            vec![
                ("ringio", Box::new(one(Server::Ringio(app)))),
                ("tokio current-thread", Box::new(one(Server::Tokio(app)))),
                (LIMIT, Box::new(one(Server::RawRing))),
            ],
            (&sides, Some(load)),
        )
    };
    for &c in &run.config.http_connections.clone() {
        let mut w = pair(
            run,
            format!("hyper, {c} conns"),
            App::Hyper,
            Client::Compare,
            c,
        )?;
        if wrk.is_none() && out.is_empty() {
            w.note = Some("wrk is not on PATH: no wrk rows".into());
        }
        out.push(w);
        let name = format!("hand-rolled responder (no hyper), {c} conns");
        out.push(pair(run, name, App::Raw, Client::Compare, c)?);
        if let Some(wrk) = &wrk {
            let name = format!("hyper, {c} conns, wrk client");
            let mut w = pair(run, name, App::Hyper, Client::Wrk(wrk.clone()), c)?;
            w.note = Some(wrk_note(c, duration));
            out.push(w);
        }
    }
    let c = run.config.http_pool_connections;
    let workers = on(&format!("{POOL_THREADS} workers"), None);
    let one = |server: Server| move || measure(server, &Client::Compare, c, duration, None);
    let mut w = run.ab(
        "http",
        &format!("hyper, {POOL_THREADS} threads, {c} conns"),
        "req/s",
        vec![
            (
                "ringio Pool",
                Box::new(one(Server::RingioPool(POOL_THREADS))),
            ),
            (
                "tokio multi-thread",
                Box::new(one(Server::TokioMulti(POOL_THREADS))),
            ),
        ],
        (
            &[workers.clone(), workers],
            Some(on("1 ring client thread", None)),
        ),
    )?;
    w.note = Some("server and client unpinned, sharing the cores".into());
    out.push(w);
    Ok(out)
}

fn wrk_note(connections: usize, duration: Duration) -> String {
    let secs = duration.as_secs_f64().ceil().max(1.0) as u64;
    format!(
        "wrk -t1 -c {connections} -d {secs}s --latency, pinned to core 1; rate over wrk's run, \
         server CPU and both busy fractions over wrk's process lifetime"
    )
}
