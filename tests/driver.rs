//! The ring driver: cancel on drop, more ops than entries, shutdown with ops
//! in flight, batching, and the error when io_uring is unavailable.

mod common;

use common::{bounded, fd_count, serial};
use futures::future::join_all;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn dropping_1000_in_flight_ops_leaks_nothing() {
    let _serial = serial();
    skip_unless_uring!();
    bounded(LIMIT, || {
        let fds_before = fd_count();
        let token = Arc::new(());
        let rt = ringio::Runtime::new().unwrap();
        rt.block_on(async {
            // Reads on a socket nobody writes to: they stay in the kernel
            // until cancelled.
            let (reader, _writer) = ringio::net::UnixStream::pair().unwrap();
            let reader = Rc::new(reader);
            for _round in 0..3 {
                let handles: Vec<_> = (0..1000)
                    .map(|_| {
                        let token = token.clone();
                        let reader = reader.clone();
                        ringio::spawn(async move {
                            let _token = token;
                            let _ = reader.read(Vec::with_capacity(64)).await;
                        })
                    })
                    .collect();
                while ringio::stats().ops_in_flight < 1000 {
                    ringio::yield_now().await;
                }
                for h in &handles {
                    h.abort();
                }
                for h in handles {
                    assert!(h.await.unwrap_err().is_cancelled());
                }
                // Every cancel is acknowledged within a few ticks.
                for _ in 0..100 {
                    if ringio::stats().ops_in_flight == 0 {
                        break;
                    }
                    ringio::yield_now().await;
                }
                assert_eq!(ringio::stats().ops_in_flight, 0);
                assert_eq!(Arc::strong_count(&token), 1, "every future was dropped");
            }
            assert!(ringio::stats().ops_abandoned >= 3000);
        });
        drop(rt);
        assert_eq!(
            fd_count(),
            fds_before,
            "the ring and its eventfd were closed"
        );
    });
}

#[test]
fn more_in_flight_ops_than_entries() {
    let _serial = serial();
    skip_unless_uring!();
    bounded(LIMIT, || {
        let rt = ringio::Builder::new().entries(4).build().unwrap();
        rt.block_on(async {
            // 1000 NOPs complete at once: far more than the 8-entry CQ holds.
            let results = join_all((0..1000).map(|_| ringio::nop())).await;
            assert!(results.iter().all(|r| r.is_ok()));
            // 1000 timers queued together.
            let sleeps = (0..1000).map(|i| ringio::time::sleep(Duration::from_micros(i)));
            join_all(sleeps).await;
            assert_eq!(ringio::stats().ops_in_flight, 0);
        });
    });
}

/// A buffer whose length query panics, as a buggy `IoBuf` might.
#[derive(Debug)]
struct PanickingBuf;

// SAFETY: never read by the kernel: its `bytes_init` panics before any
// entry is pushed.
unsafe impl ringio::buf::IoBuf for PanickingBuf {
    fn stable_ptr(&self) -> *const u8 {
        std::ptr::NonNull::dangling().as_ptr()
    }
    fn bytes_init(&self) -> usize {
        panic!("a buggy IoBuf")
    }
    fn bytes_total(&self) -> usize {
        0
    }
}

#[test]
fn a_buffer_that_panics_while_its_entry_is_built_leaves_no_slot_behind() {
    let _serial = serial(); // other tests here count fds
    skip_unless_uring!();
    bounded(LIMIT, || {
        let rt = ringio::Builder::new()
            .shutdown_timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        rt.block_on(async {
            let (a, b) = ringio::net::UnixStream::pair().unwrap();
            let a = Rc::new(a);
            let writer = a.clone();
            let failed = ringio::spawn(async move { writer.write(PanickingBuf).await.1 }).await;
            assert!(failed.unwrap_err().is_panic());
            assert_eq!(ringio::stats().ops_in_flight, 0, "no slot was taken");
            // The ring goes on working.
            let (res, _) = a.write(b"ping".to_vec()).await;
            assert_eq!(res.unwrap(), 4);
            let (res, buf) = b.read(Vec::with_capacity(8)).await;
            assert_eq!((res.unwrap(), &buf[..]), (4, &b"ping"[..]));
        });
        // Nothing left for the shutdown to wait on: it does not leak the ring.
        let started = std::time::Instant::now();
        drop(rt);
        assert!(started.elapsed() < Duration::from_secs(10));
    });
}

#[test]
fn runtime_drop_with_ops_in_flight_closes_everything() {
    let _serial = serial();
    skip_unless_uring!();
    bounded(LIMIT, || {
        let fds_before = fd_count();
        for _ in 0..50 {
            let rt = ringio::Runtime::new().unwrap();
            rt.block_on(async {
                let (reader, writer) = ringio::net::UnixStream::pair().unwrap();
                let reader = Rc::new(reader);
                for _ in 0..20 {
                    let reader = reader.clone();
                    drop(ringio::spawn(async move {
                        let _ = reader.read(vec![0u8; 16]).await;
                    }));
                }
                ringio::yield_now().await;
                assert_eq!(ringio::stats().ops_in_flight, 20);
                drop(writer);
            });
        }
        assert_eq!(fd_count(), fds_before);
    });
}

#[test]
fn one_enter_per_tick_batches_submissions() {
    let _serial = serial();
    skip_unless_uring!();
    // A ring that holds a tick's 32 entries (whatever RINGIO_ENTRIES says).
    let rt = || ringio::Builder::new().entries(256).build().unwrap();
    bounded(LIMIT, move || {
        rt().block_on(async {
            let before = ringio::stats();
            for _ in 0..100 {
                join_all((0..32).map(|_| ringio::nop())).await;
            }
            let after = ringio::stats();
            let enters = after.enters - before.enters;
            let sqes = after.sqes_submitted - before.sqes_submitted;
            assert!(sqes >= 3200);
            assert!(
                enters <= 110,
                "{enters} enters for 100 batches of 32 NOPs: not one enter per tick"
            );
        })
    });
}

#[test]
fn submit_batch_limits_how_many_entries_wait() {
    let _serial = serial();
    skip_unless_uring!();
    bounded(LIMIT, || {
        for (limit, min_enters, max_enters) in [(1, 3200, 3400), (8, 400, 600)] {
            let rt = ringio::Builder::new()
                .entries(256)
                .submit_batch(limit)
                .build()
                .unwrap();
            rt.block_on(async {
                let before = ringio::stats();
                for _ in 0..100 {
                    let results = join_all((0..32).map(|_| ringio::nop())).await;
                    assert!(results.iter().all(Result::is_ok));
                }
                let after = ringio::stats();
                let enters = after.enters - before.enters;
                assert!(after.sqes_submitted - before.sqes_submitted >= 3200);
                assert!(
                    (min_enters..=max_enters).contains(&enters),
                    "submit_batch({limit}): {enters} enters for 100 batches of 32 NOPs"
                );
                assert_eq!(after.ops_in_flight, 0);
            });
        }
    });
}

#[test]
fn io_uring_blocked_by_seccomp_falls_back_to_epoll() {
    const CHILD: &str = "RINGIO_TEST_SECCOMP_CHILD";
    if std::env::var_os(CHILD).is_some() {
        seccomp_child();
        return;
    }
    let _serial = serial(); // its pipes to the child would skew fd counts
    common::run_in_child(
        "io_uring_blocked_by_seccomp_falls_back_to_epoll",
        CHILD,
        "SECCOMP-CHILD-OK",
    );
}

/// In a child process: forbid the io_uring system calls with a seccomp
/// filter (EPERM, as Docker's default profile does). `DriverKind::IoUring`
/// fails with the clear error; `Auto` comes up on epoll and serves an echo,
/// reads and writes a file, sleeps, and runs a Pool.
fn seccomp_child() {
    use ringio::{Builder, DriverKind};
    deny_io_uring();
    let err = Builder::new()
        .driver(DriverKind::IoUring)
        .build()
        .unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("io_uring unavailable"), "{text}");
    assert!(text.contains("seccomp"), "{text}");
    assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied);
    let source = std::error::Error::source(err.get_ref().unwrap()).unwrap();
    assert_eq!(
        source
            .downcast_ref::<std::io::Error>()
            .unwrap()
            .raw_os_error(),
        Some(libc::EPERM)
    );

    let rt = ringio::Runtime::new().expect("Auto falls back to epoll");
    assert_eq!(rt.driver_kind(), DriverKind::Epoll);
    if std::env::var_os("RINGIO_DRIVER").is_none() {
        let why = rt.driver_fallback_reason().expect("a fallback says why");
        assert!(why.to_string().starts_with("io_uring unavailable"), "{why}");
    }
    let dir = tempfile::tempdir().unwrap();
    rt.block_on(async {
        let listener = ringio::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = ringio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            common::echo(stream).await;
        });
        let client = ringio::net::TcpStream::connect(addr).await.unwrap();
        let (res, _) = client.write_all(b"through epoll".to_vec()).await;
        res.unwrap();
        let mut got = Vec::new();
        while got.len() < 13 {
            let (res, buf) = client.read(Vec::with_capacity(64)).await;
            assert!(res.unwrap() > 0, "the echo closed early");
            got.extend_from_slice(&buf);
        }
        assert_eq!(got, b"through epoll");
        drop(client);
        server.await.unwrap();

        let path = dir.path().join("f");
        ringio::fs::write(&path, vec![7u8; 100_000]).await.unwrap();
        assert_eq!(ringio::fs::read(&path).await.unwrap(), vec![7u8; 100_000]);

        let start = std::time::Instant::now();
        ringio::time::sleep(Duration::from_millis(20)).await;
        assert!(start.elapsed() >= Duration::from_millis(20));
    });
    drop(rt);

    let kinds = ringio::Pool::new(2)
        .run(|_| async {
            ringio::nop().await.unwrap();
            ringio::time::sleep(Duration::from_millis(1)).await;
            ringio::driver_kind()
        })
        .unwrap();
    assert_eq!(kinds, vec![DriverKind::Epoll; 2]);
    println!("SECCOMP-CHILD-OK");
}

fn deny_io_uring() {
    const BPF_LD_W_ABS: u16 = 0x20;
    const BPF_JMP_JEQ_K: u16 = 0x15;
    const BPF_RET_K: u16 = 0x06;
    const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
    const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
    let filter = [
        // Load the syscall number (offset 0 of struct seccomp_data).
        libc::sock_filter {
            code: BPF_LD_W_ABS,
            jt: 0,
            jf: 0,
            k: 0,
        },
        // Each io_uring call jumps to the EPERM return.
        libc::sock_filter {
            code: BPF_JMP_JEQ_K,
            jt: 3,
            jf: 0,
            k: libc::SYS_io_uring_setup as u32,
        },
        libc::sock_filter {
            code: BPF_JMP_JEQ_K,
            jt: 2,
            jf: 0,
            k: libc::SYS_io_uring_enter as u32,
        },
        libc::sock_filter {
            code: BPF_JMP_JEQ_K,
            jt: 1,
            jf: 0,
            k: libc::SYS_io_uring_register as u32,
        },
        libc::sock_filter {
            code: BPF_RET_K,
            jt: 0,
            jf: 0,
            k: SECCOMP_RET_ALLOW,
        },
        libc::sock_filter {
            code: BPF_RET_K,
            jt: 0,
            jf: 0,
            k: SECCOMP_RET_ERRNO | libc::EPERM as u32,
        },
    ];
    let prog = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_ptr() as *mut libc::sock_filter,
    };
    // SAFETY: plain prctl calls; `prog` and `filter` outlive them.
    unsafe {
        assert_eq!(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
        assert_eq!(
            libc::prctl(
                libc::PR_SET_SECCOMP,
                libc::SECCOMP_MODE_FILTER,
                &prog as *const libc::sock_fprog
            ),
            0,
            "seccomp filter refused: {}",
            std::io::Error::last_os_error()
        );
    }
}

/// Auto is on io_uring, or says why not; where the environment says
/// io_uring must work (`RINGIO_EXPECT_IO_URING`, set by the kernel-matrix
/// guest), it is on io_uring: a kernel that lacked an opcode ringio needs
/// would otherwise pass the whole suite on the epoll driver unnoticed.
#[test]
fn auto_is_on_io_uring_or_says_why_not() {
    let _serial = serial();
    let rt = ringio::Runtime::new().unwrap();
    let why = rt.driver_fallback_reason().map(|e| e.to_string());
    if std::env::var_os("RINGIO_EXPECT_IO_URING").is_some() {
        assert_eq!(rt.driver_kind(), ringio::DriverKind::IoUring, "{why:?}");
    } else if rt.driver_kind() == ringio::DriverKind::Epoll
        && std::env::var_os("RINGIO_DRIVER").is_none()
    {
        assert!(why.is_some(), "a fallback to epoll says why");
    } else {
        assert!(matches!(
            rt.driver_kind(),
            ringio::DriverKind::IoUring | ringio::DriverKind::Epoll
        ));
    }
}
