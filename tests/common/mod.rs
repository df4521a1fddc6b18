//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::time::Duration;

/// Skips the test (returns early, with a note) when io_uring is unavailable
/// on this machine, io-uring-test style: such a machine cannot run ringio,
/// which is not a test failure.
#[macro_export]
macro_rules! skip_unless_uring {
    () => {
        if let Err(e) = ringio::Runtime::new() {
            eprintln!("skipped: {e}");
            return;
        }
    };
}

/// Open file descriptors of this process.
pub fn fd_count() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Runs `f` on its own thread and fails the test if it takes longer than
/// `limit`: a hung test is a failure, not a stuck CI job.
pub fn bounded<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(value) => {
            worker.join().unwrap();
            value
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            // The closure panicked: surface its panic.
            match worker.join() {
                Err(panic) => std::panic::resume_unwind(panic),
                Ok(()) => unreachable!(),
            }
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("test did not finish within {limit:?}")
        }
    }
}

/// Runs `fut` on a fresh ringio runtime on its own thread, bounded by `limit`.
pub fn run_bounded<F, Fut, T>(limit: Duration, make: F) -> T
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = T>,
    T: Send + 'static,
{
    bounded(limit, move || ringio::run(make()))
}

/// Resident set size of this process in bytes (from /proc/self/statm).
pub fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// Serializes the tests of one binary that count fds: any test of that
/// binary opening a ring meanwhile would skew the count. Poison is ignored so
/// one failing test does not fail the others.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs test `name` of this test binary again in a child process with the
/// environment variable `env` set (the test checks it and plays the child),
/// and asserts that the child passed and printed `marker`.
pub fn run_in_child(name: &str, env: &str, marker: &str) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env(env, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(marker), "child did not run:\n{stdout}");
}
