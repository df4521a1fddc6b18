//! One echo measurement: a server on its own threads, a load generator
//! against it, and the server's CPU time. [`measure`] runs one server
//! thread (pinned, with the load on another core); [`measure_multi`] runs a
//! multi-threaded server (unpinned); the `_with` forms take the caller's
//! load generator and give it a reader of the server's CPU clocks. A
//! ringio server runs on [`ringio_builder`]'s driver, read when the
//! measurement starts.

use super::ring_client::run_load_observed;
use super::server::{ringio_server, ringio_server_with, tokio_server};
use super::LoadReport;
use crate::cpu::{clocks_sum, pin_to_core, thread_cpu, ThreadClock};
use crate::workloads::raw_server::{self, Protocol, StopSignal};
use crate::workloads::{reuse_port_reservation, ringio_builder, ringio_pool, tokio_current_thread};
use ringio::net::TcpListener;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Which server a measurement runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// ringio, one thread: `read` then `write_all` per request (on
    /// [`ringio_builder`]'s driver, as every ringio server here).
    Ringio,
    /// ringio, one thread: `recv_multishot` into pooled buffers.
    RingioMultishot,
    /// tokio current-thread runtime.
    Tokio,
    /// A raw io-uring loop, no executor ([`raw_server`]): the limit.
    RawRing,
}

/// One echo measurement with the ring load generator: `server` on its own
/// thread (pinned to the first of `cores`), the load on another (pinned to
/// the second). Returns the load report, the server thread's CPU time over
/// its whole life, and ringio's server-side counters.
pub fn measure(
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
    // Read the driver setting here, not on the server's thread.
    let ringio = ringio_builder();
    let raw_stop = (server == Server::RawRing)
        .then(|| StopSignal::new().unwrap_or_else(|e| panic!("{server:?}: no stop signal: {e}")));
    let raw_stop_server = raw_stop.clone();
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
                Server::Ringio | Server::RingioMultishot => {
                    let rt = ringio
                        .build()
                        .unwrap_or_else(|e| panic!("{server:?}: no ringio runtime: {e}"));
                    let listener = TcpListener::from_std(listener);
                    let multishot = server == Server::RingioMultishot;
                    Some(rt.block_on(ringio_server_with(listener, stop, multishot)))
                }
                Server::Tokio => {
                    tokio_current_thread()
                        .unwrap()
                        .block_on(tokio_server(listener, stop));
                    None
                }
                Server::RawRing => {
                    let signal = raw_stop_server.expect("made for the raw server");
                    let raw = raw_server::serve(listener, Protocol::Echo, &signal)
                        .unwrap_or_else(|e| panic!("{server:?}: {e}"));
                    Some(raw.ringio_stats())
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
    if let Some(signal) = &raw_stop {
        signal.stop();
    }
    let (cpu, stats) = server_thread.join().unwrap();
    (report, cpu, stats)
}

/// A multi-threaded server: ringio's thread-per-core pool (one
/// `SO_REUSEPORT` listener per worker) or tokio's multi-thread runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MultiServer {
    /// `ringio::Pool` with this many workers ([`ringio_pool`]).
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
            let pool = ringio_pool(threads);
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
                let cpus = pool
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::echo::epoll_client;

    #[test]
    fn every_server_echoes_for_both_clients() {
        let d = Duration::from_millis(50);
        for server in [Server::Ringio, Server::RingioMultishot, Server::Tokio] {
            let (report, cpu, stats) = measure(server, 4, 64, d, None);
            assert!(
                report.requests > 0 && report.errors == 0,
                "{server:?}: {report:?}"
            );
            assert!(cpu > Duration::ZERO && report.server_cpu > Duration::ZERO);
            assert_eq!(stats.is_some(), server != Server::Tokio);
            let (report, _, _) = measure_with(server, None, |addr, server_cpu| {
                epoll_client::run_load(addr, 4, 1024, d, server_cpu)
            });
            let report = report.unwrap();
            assert!(
                report.requests > 0 && report.errors == 0,
                "{server:?}: {report:?}"
            );
            assert!(report.p50_us > 0.0 || report.p99_us >= report.p50_us);
        }
        for server in [MultiServer::RingioPool(2), MultiServer::TokioMulti(2)] {
            let (report, cpu) = measure_multi(server, 8, 64, d);
            assert!(
                report.requests > 0 && report.errors == 0,
                "{server:?}: {report:?}"
            );
            assert!(cpu > Duration::ZERO);
        }
    }
}
