//! Workload 3b: file serving. Each request is an 8-byte offset; the server
//! sends back the 16 KiB (or 256 KiB) of the test file there. ringio:
//! `read_at` and a send on one ring, and `send_file` (file → pipe → socket
//! in the kernel, no copy). tokio: `tokio::fs` (its blocking pool), and
//! `spawn_blocking(pread)`. The server thread is pinned to core 0 (threads it
//! starts inherit that), the load generator to core 1; server CPU is the
//! process's CPU time minus the load generator's.

use super::fairness::on;
use super::results::{Sample, Workload};
use super::Run;
use futures_util::StreamExt;
use ringio::buf::IoBuf;
use ringio_bench::workloads::echo::ring_client::run_requests;
use ringio_bench::workloads::files::{Offsets, TestFile, BLOCK};
use ringio_bench::workloads::{
    ringio_builder, stats_since, tokio_current_thread, with_ringio_driver,
};
use ringio_bench::{pin_to_core, process_cpu, thread_cpu};
use std::io;
use std::net::SocketAddr;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

const CONNECTIONS: usize = 64;
/// Bytes served per request, one workload each.
const PIECES: [usize; 2] = [16 * 1024, 256 * 1024];

#[derive(Clone, Copy, Debug)]
enum Server {
    /// `read_at` into a buffer, then `write_all` of it.
    Ringio,
    /// `send_file`.
    RingioSendFile,
    TokioFs,
    TokioBlocking,
}

fn offset_of(request: &[u8]) -> u64 {
    u64::from_le_bytes(request[..8].try_into().unwrap())
}

async fn ringio_server(
    listener: ringio::net::TcpListener,
    path: PathBuf,
    piece_len: usize,
    send_file: bool,
    stop: impl std::future::Future<Output = ()>,
) -> io::Result<()> {
    let file = Rc::new(ringio::fs::File::open(&path).await?);
    let accept = async {
        let mut incoming = listener.incoming();
        while let Some(Ok(stream)) = incoming.next().await {
            let _ = stream.set_nodelay(true);
            let file = file.clone();
            drop(ringio::spawn(async move {
                let mut request = Vec::with_capacity(8);
                let mut piece: Vec<u8> = Vec::with_capacity(if send_file { 0 } else { piece_len });
                loop {
                    request.clear();
                    while request.len() < 8 {
                        let filled = request.len();
                        let (n, r) = stream.read(request.slice(filled..)).await;
                        request = r.into_inner();
                        if !matches!(n, Ok(n) if n > 0) {
                            return;
                        }
                    }
                    if send_file {
                        let sent = stream
                            .send_file(&file, offset_of(&request), piece_len)
                            .await;
                        if !matches!(sent, Ok(n) if n == piece_len) {
                            return;
                        }
                        continue;
                    }
                    let (res, p) = file
                        .read_exact_at(piece.slice(..piece_len), offset_of(&request))
                        .await;
                    piece = p.into_inner();
                    if res.is_err() {
                        return;
                    }
                    let (res, p) = stream.write_all(piece).await;
                    piece = p;
                    if res.is_err() {
                        return;
                    }
                }
            }));
        }
    };
    futures_util::pin_mut!(accept, stop);
    futures_util::future::select(accept, stop).await;
    Ok(())
}

async fn tokio_server(
    listener: std::net::TcpListener,
    path: PathBuf,
    piece_len: usize,
    blocking: bool,
    stop: impl std::future::Future<Output = ()>,
) -> io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let shared = Arc::new(std::fs::File::open(&path)?);
    let accept = async {
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            let (path, shared) = (path.clone(), shared.clone());
            tokio::spawn(async move {
                let mut file = if blocking {
                    None
                } else {
                    Some(tokio::fs::File::open(&path).await?)
                };
                let mut request = [0u8; 8];
                let mut piece = vec![0u8; piece_len];
                loop {
                    if stream.read_exact(&mut request).await.is_err() {
                        return Ok::<(), io::Error>(());
                    }
                    let offset = offset_of(&request);
                    if let Some(file) = &mut file {
                        file.seek(io::SeekFrom::Start(offset)).await?;
                        file.read_exact(&mut piece).await?;
                    } else {
                        let shared = shared.clone();
                        piece = tokio::task::spawn_blocking(move || {
                            shared.read_exact_at(&mut piece, offset).map(|()| piece)
                        })
                        .await??;
                    }
                    stream.write_all(&piece).await?;
                }
            });
        }
    };
    tokio::select! {
        () = accept => {}
        () = stop => {}
    }
    Ok(())
}

fn measure(
    server: Server,
    file: &TestFile,
    piece_len: usize,
    duration: Duration,
) -> io::Result<Sample> {
    let cores = (ringio::available_cores() >= 2).then_some((0, 1));
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr: SocketAddr = listener.local_addr()?;
    let path = file.path.clone();
    let len = file.len;
    let (stop_tx, stop_rx) = futures::channel::oneshot::channel::<()>();
    let cpu_before = process_cpu();
    let ringio = ringio_builder();
    let server_thread = std::thread::spawn(move || -> io::Result<Option<ringio::Stats>> {
        if let Some((core, _)) = cores {
            pin_to_core(core);
        }
        let stop = async move {
            let _ = stop_rx.await;
        };
        match server {
            Server::Ringio | Server::RingioSendFile => ringio.build()?.block_on(async move {
                let before = ringio::stats();
                let listener = ringio::net::TcpListener::from_std(listener);
                let send_file = matches!(server, Server::RingioSendFile);
                ringio_server(listener, path, piece_len, send_file, stop).await?;
                Ok(Some(stats_since(before)))
            }),
            Server::TokioFs | Server::TokioBlocking => {
                let rt = tokio_current_thread()?;
                rt.block_on(tokio_server(
                    listener,
                    path,
                    piece_len,
                    matches!(server, Server::TokioBlocking),
                    stop,
                ))?;
                Ok(None)
            }
        }
    });
    let (report, client_cpu) = std::thread::spawn(move || {
        if let Some((_, core)) = cores {
            pin_to_core(core);
        }
        let before = thread_cpu();
        let request = move |n: u64| {
            // Each connection's n-th request; the connection is unknown
            // here, so mix in a per-closure random start.
            let mut offsets = Offsets::new(n.wrapping_add(1), len - piece_len as u64, BLOCK);
            offsets.next_offset().to_le_bytes().to_vec()
        };
        let report = run_requests(addr, CONNECTIONS, duration, request, piece_len);
        (report, thread_cpu() - before)
    })
    .join()
    .map_err(|_| io::Error::other("the load generator panicked"))?;
    let _ = stop_tx.send(());
    let stats = server_thread
        .join()
        .map_err(|_| io::Error::other("the server panicked"))??;
    let server_cpu = process_cpu()
        .saturating_sub(cpu_before)
        .saturating_sub(client_cpu);
    Ok(Sample::from_load(&report, server_cpu, piece_len, stats))
}

/// The file-serving workloads, 16 KiB and 256 KiB per request: ringio
/// (`read_at` + `write_all`, with its epoll row), the two tokio servers,
/// and ringio's `send_file` (last among the baselines, on the ringio row's
/// driver setting; its ratio is the ringio row's rate over its own).
pub fn serving(run: &mut Run<'_>, file: &TestFile) -> io::Result<Vec<Workload>> {
    let d = run.config.duration;
    let main = run.drivers.main;
    let send_file = super::Drivers::label("ringio send_file", run.drivers.main_resolved);
    let cores = (ringio::available_cores() >= 2).then_some((0, 1));
    let one = on("1 server thread", cores.map(|c| c.0));
    let pool = on("server thread and blocking pool", cores.map(|c| c.0));
    let sides = [one.clone(), pool.clone(), pool, one];
    let load = Some(on("1 ring client thread", cores.map(|c| c.1)));
    let mut workloads = Vec::new();
    for piece in PIECES {
        let name = format!("{} KiB at a random offset, 64 connections", piece / 1024);
        let mut w = run.ab(
            "serve",
            &name,
            "req/s",
            vec![
                (
                    "ringio",
                    Box::new(move || measure(Server::Ringio, file, piece, d)),
                ),
                (
                    "tokio::fs",
                    Box::new(move || measure(Server::TokioFs, file, piece, d)),
                ),
                (
                    "tokio spawn_blocking(pread)",
                    Box::new(move || measure(Server::TokioBlocking, file, piece, d)),
                ),
                (
                    &send_file,
                    Box::new(move || {
                        with_ringio_driver(main, || measure(Server::RingioSendFile, file, piece, d))
                    }),
                ),
            ],
            (&sides, load.clone()),
        )?;
        w.note = Some(
            "ringio: read_at + write_all; the send_file row's ratio is ringio's over it \
             (below 1: send_file serves more)"
                .into(),
        );
        workloads.push(w);
    }
    Ok(workloads)
}
