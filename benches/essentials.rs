//! The essentials a server needs besides sockets, ringio vs tokio
//! current-thread: name lookups and directory listings (both runtimes hand
//! them to a thread pool), child process spawn + wait, and a
//! semaphore-guarded spawn loop. No fixed target: the figures show what
//! each costs.
//! `cargo bench --bench essentials` (filter: lookup, read_dir, process,
//! semaphore)

mod common;

use common::{ab, header, selected, tokio_rt};
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

const LOOKUPS: u64 = 2_000;
const LOOKUP_CONCURRENCY: u64 = 16;
const DIR_ENTRIES: u64 = 1_000;
const LISTINGS: u64 = 20;
const CHILDREN: u64 = 400;
const CHILD_CONCURRENCY: u64 = 8;
const GUARDED_TASKS: u64 = 100_000;
const PERMITS: usize = 64;

fn ringio_lookups() -> f64 {
    ringio::run(async {
        let start = std::time::Instant::now();
        let tasks: Vec<_> = (0..LOOKUP_CONCURRENCY)
            .map(|_| {
                ringio::spawn(async {
                    for _ in 0..LOOKUPS / LOOKUP_CONCURRENCY {
                        let addrs = ringio::net::lookup_host("localhost:80").await.unwrap();
                        assert!(addrs.count() > 0);
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        LOOKUPS as f64 / start.elapsed().as_secs_f64()
    })
}

fn tokio_lookups() -> f64 {
    tokio_rt().block_on(async {
        let start = std::time::Instant::now();
        let tasks: Vec<_> = (0..LOOKUP_CONCURRENCY)
            .map(|_| {
                tokio::spawn(async {
                    for _ in 0..LOOKUPS / LOOKUP_CONCURRENCY {
                        let addrs = tokio::net::lookup_host("localhost:80").await.unwrap();
                        assert!(addrs.count() > 0);
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        LOOKUPS as f64 / start.elapsed().as_secs_f64()
    })
}

/// Entries listed per second over `LISTINGS` listings of `dir`.
fn ringio_read_dir(dir: &Path) -> f64 {
    let dir = dir.to_path_buf();
    ringio::run(async move {
        let start = std::time::Instant::now();
        let mut seen = 0;
        for _ in 0..LISTINGS {
            let mut entries = ringio::fs::read_dir(&dir).await.unwrap();
            while entries.next_entry().await.unwrap().is_some() {
                seen += 1;
            }
        }
        assert_eq!(seen, DIR_ENTRIES * LISTINGS);
        seen as f64 / start.elapsed().as_secs_f64()
    })
}

fn tokio_read_dir(dir: &Path) -> f64 {
    let dir = dir.to_path_buf();
    tokio_rt().block_on(async move {
        let start = std::time::Instant::now();
        let mut seen = 0;
        for _ in 0..LISTINGS {
            let mut entries = tokio::fs::read_dir(&dir).await.unwrap();
            while entries.next_entry().await.unwrap().is_some() {
                seen += 1;
            }
        }
        assert_eq!(seen, DIR_ENTRIES * LISTINGS);
        seen as f64 / start.elapsed().as_secs_f64()
    })
}

/// `true` spawned and awaited `CHILDREN` times, `CHILD_CONCURRENCY` at once.
fn ringio_children() -> f64 {
    ringio::run(async {
        let start = std::time::Instant::now();
        let tasks: Vec<_> = (0..CHILD_CONCURRENCY)
            .map(|_| {
                ringio::spawn(async {
                    for _ in 0..CHILDREN / CHILD_CONCURRENCY {
                        let status = ringio::process::Command::new("true").status().await;
                        assert!(status.unwrap().success());
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        CHILDREN as f64 / start.elapsed().as_secs_f64()
    })
}

fn tokio_children() -> f64 {
    tokio_rt().block_on(async {
        let start = std::time::Instant::now();
        let tasks: Vec<_> = (0..CHILD_CONCURRENCY)
            .map(|_| {
                tokio::spawn(async {
                    for _ in 0..CHILDREN / CHILD_CONCURRENCY {
                        let status = tokio::process::Command::new("true").status().await;
                        assert!(status.unwrap().success());
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        CHILDREN as f64 / start.elapsed().as_secs_f64()
    })
}

/// `GUARDED_TASKS` tasks spawned at once, each holding one of `PERMITS`
/// permits across a yield. Both sides use the same (tokio's) semaphore.
fn ringio_guarded_spawns() -> f64 {
    ringio::run(async {
        let permits = Rc::new(ringio::sync::Semaphore::new(PERMITS));
        let start = std::time::Instant::now();
        let tasks: Vec<_> = (0..GUARDED_TASKS)
            .map(|_| {
                let permits = permits.clone();
                ringio::spawn(async move {
                    let _permit = permits.acquire().await.unwrap();
                    ringio::yield_now().await;
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        GUARDED_TASKS as f64 / start.elapsed().as_secs_f64()
    })
}

fn tokio_guarded_spawns() -> f64 {
    tokio_rt().block_on(async {
        let permits = Arc::new(tokio::sync::Semaphore::new(PERMITS));
        let start = std::time::Instant::now();
        let tasks: Vec<_> = (0..GUARDED_TASKS)
            .map(|_| {
                let permits = permits.clone();
                tokio::spawn(async move {
                    let _permit = permits.acquire().await.unwrap();
                    tokio::task::yield_now().await;
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        GUARDED_TASKS as f64 / start.elapsed().as_secs_f64()
    })
}

fn main() {
    common::pin_to_core(0);
    header("essentials");
    if selected("lookup") {
        ab(
            "lookup_host(\"localhost:80\"), 16 at once",
            "tokio",
            ringio_lookups,
            tokio_lookups,
        );
    }
    if selected("read_dir") {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..DIR_ENTRIES {
            std::fs::write(dir.path().join(format!("entry-{i:05}")), b"").unwrap();
        }
        ab(
            "read_dir of 1,000 entries (entries/s)",
            "tokio",
            || ringio_read_dir(dir.path()),
            || tokio_read_dir(dir.path()),
        );
    }
    if selected("process") {
        ab(
            "spawn + wait `true`, 8 at once",
            "tokio",
            ringio_children,
            tokio_children,
        );
    }
    if selected("semaphore") {
        ab(
            "100k spawns guarded by a 64-permit semaphore",
            "tokio",
            ringio_guarded_spawns,
            tokio_guarded_spawns,
        );
    }
}
