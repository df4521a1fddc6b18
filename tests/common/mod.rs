//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::time::Duration;

/// Skips the test (returns early, with a note) when io_uring is unavailable
/// on this machine, io-uring-test style: such a machine cannot run ringio,
/// which is not a test failure.
#[macro_export]
macro_rules! skip_unless_uring {
    () => {
        // The probe runtime's fds must not show up in another test's fd
        // count: probe under the same lock the counting tests hold.
        let probe = {
            let _serial = $crate::common::serial();
            ringio::Runtime::new().map(drop)
        };
        if let Err(e) = probe {
            eprintln!("skipped: {e}");
            return;
        }
    };
}

/// Returns from the test, saying why, when the suite runs on the epoll
/// driver (`RINGIO_DRIVER=epoll`) and the test checks a mechanism only
/// io_uring has.
#[macro_export]
macro_rules! io_uring_only {
    ($what:expr) => {
        if $crate::common::on_epoll() {
            eprintln!("skipped under the epoll driver: {}", $what);
            return;
        }
    };
}

/// Whether a default runtime here runs on the epoll driver. (Takes the fd
/// lock: inside a runtime, ask `ringio::driver_kind()` instead.)
#[allow(dead_code)]
pub fn on_epoll() -> bool {
    let _serial = serial();
    ringio::Runtime::new().is_ok_and(|rt| rt.driver_kind() == ringio::DriverKind::Epoll)
}

/// Whether the suite runs with shuffled schedules (`RINGIO_SHUFFLE` in a
/// debug build): a test of task or wake order then checks what still
/// holds (every task ran) rather than the order.
pub fn shuffled() -> bool {
    cfg!(debug_assertions) && std::env::var_os("RINGIO_SHUFFLE").is_some()
}

/// The errnos the fault-injection tests fail each fault point with: the
/// ones a kernel hands back to ring operations.
pub const FAULT_ERRNOS: [i32; 7] = [
    libc::EINTR,
    libc::EAGAIN,
    libc::ECANCELED,
    libc::ENOMEM,
    libc::EIO,
    libc::ECONNRESET,
    libc::EBADF,
];

/// A runtime on the io_uring driver, or `None` (saying why) where this
/// machine cannot set one up.
pub fn uring_runtime() -> Option<ringio::Runtime> {
    ringio::Builder::new()
        .driver(ringio::DriverKind::IoUring)
        .build()
        .map_err(|e| eprintln!("skipped: {e}"))
        .ok()
}

/// Waits (a bounded number of turns) for the operations in flight to come
/// back to `baseline`, and says where they stood.
pub async fn settle(baseline: u64) -> u64 {
    for _ in 0..1000 {
        if ringio::stats().ops_in_flight <= baseline {
            break;
        }
        ringio::task::yield_now().await;
    }
    ringio::stats().ops_in_flight
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
/// one failing test does not fail the others. Re-entrant on one thread (a
/// test that holds it may still run `skip_unless_uring!`, which takes it).
pub fn serial() -> SerialGuard {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    thread_local! {
        static HELD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if HELD.with(|held| held.get()) {
        return SerialGuard(None);
    }
    let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    HELD.with(|held| held.set(true));
    SerialGuard(Some((guard, &HELD)))
}

/// Holds [`serial`]'s lock (or nothing, when the thread already held it).
pub struct SerialGuard(
    Option<(
        std::sync::MutexGuard<'static, ()>,
        &'static std::thread::LocalKey<std::cell::Cell<bool>>,
    )>,
);

impl Drop for SerialGuard {
    fn drop(&mut self) {
        if let Some((_, held)) = &self.0 {
            let _ = held.try_with(|held| held.set(false));
        }
    }
}

/// Runs test `name` of this test binary again in a child process with the
/// environment variable `env` set (the test checks it and plays the child),
/// and asserts that the child passed and printed `marker`.
pub fn run_in_child(name: &str, env: &str, marker: &str) {
    run_in_child_with(name, &[(env, "1")], marker);
}

/// [`run_in_child`] with the environment variables `vars` set in the child.
pub fn run_in_child_with(name: &str, vars: &[(&str, &str)], marker: &str) {
    let mut child = std::process::Command::new(std::env::current_exe().unwrap());
    child.args(["--exact", name, "--nocapture", "--test-threads=1"]);
    for (key, value) in vars {
        child.env(key, value);
    }
    let out = child.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(marker), "child did not run:\n{stdout}");
}

/// An echo client: `rounds` messages of `size` bytes (round `r` filled
/// with `seed ^ r`) to `addr`, each read back whole and checked.
pub async fn echo_rounds(addr: std::net::SocketAddr, seed: u8, rounds: u8, size: usize) {
    let stream = ringio::net::TcpStream::connect(addr).await.unwrap();
    for round in 0..rounds {
        let msg = vec![seed ^ round; size];
        let (res, _) = stream.write_all(msg.clone()).await;
        res.unwrap();
        let mut got = Vec::new();
        while got.len() < msg.len() {
            let (n, chunk) = stream.read(Vec::with_capacity(size)).await;
            assert!(n.unwrap() > 0, "early close");
            got.extend_from_slice(&chunk);
        }
        assert_eq!(got, msg);
    }
}

/// A TCP echo: sends back what it reads until the peer closes its side.
pub async fn echo(stream: ringio::net::TcpStream) {
    let mut buf = Vec::with_capacity(64 * 1024);
    loop {
        let (n, b) = stream.read(buf).await;
        if n.unwrap() == 0 {
            return;
        }
        let (res, b) = stream.write_all(b).await;
        res.unwrap();
        buf = b;
    }
}
