//! Registered buffers: `FixedBufPool` exhaustion and waiting, a pool's
//! registration outliving its handles while a buffer is in flight,
//! `read_fixed_at`/`write_fixed_at` on files (page cache and `O_DIRECT`) and
//! `read_fixed`/`write_fixed` on TCP, byte-checked; the errors for another
//! runtime's buffer, bad sizes, a full table and `RLIMIT_MEMLOCK`.

mod common;

use common::run_bounded;
use ringio::buf::{FixedBuf, FixedBufPool};
use ringio::fs::{File, OpenOptions};
use ringio::net::{TcpListener, TcpStream};
use std::cell::Cell;
use std::io;
use std::rc::Rc;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8 ^ (i >> 8) as u8).wrapping_add(seed))
        .collect()
}

fn on_io_uring() -> bool {
    ringio::driver_kind() == ringio::DriverKind::IoUring
}

async fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (client, accepted) = futures::join!(TcpStream::connect(addr), listener.accept());
    (client.unwrap(), accepted.unwrap().0)
}

/// A buffer of `pool` holding `bytes`.
async fn filled(pool: &FixedBufPool, bytes: &[u8]) -> FixedBuf {
    let mut buf = pool.get().await;
    buf.extend_from_slice(bytes);
    buf
}

#[test]
fn an_exhausted_pool_says_none_and_get_waits_for_a_returned_buffer() {
    run_bounded(LIMIT, || async {
        let pool = FixedBufPool::new(2, 4096).unwrap();
        let first = pool.try_get().unwrap();
        let second = pool.try_get().unwrap();
        assert!(pool.try_get().is_none(), "both buffers are out");

        // Two waiters, served in the order they asked: the second is
        // spawned once the first has asked (whatever order tasks run in).
        let order = Rc::new(Cell::new(0u32));
        let waiter = |tag: u32| {
            let (pool, order) = (pool.clone(), order.clone());
            let asked = Rc::new(Cell::new(false));
            let asking = asked.clone();
            let task = ringio::spawn(async move {
                asking.set(true);
                let buf = pool.get().await;
                order.set(order.get() * 10 + tag);
                buf
            });
            (task, asked)
        };
        let asked_first = |asked: Rc<Cell<bool>>| async move {
            while !asked.get() {
                ringio::yield_now().await;
            }
        };
        let (a, asked) = waiter(1);
        asked_first(asked).await;
        let (b, asked) = waiter(2);
        asked_first(asked).await;
        ringio::yield_now().await;
        assert_eq!(order.get(), 0, "no buffer yet: both still wait");
        assert!(pool.try_get().is_none());

        let first_index = first.buf_index();
        drop(first);
        let got = a.await.unwrap();
        assert_eq!(order.get(), 1, "the older waiter got the returned buffer");
        assert_eq!(
            got.buf_index(),
            first_index,
            "the very buffer that came back"
        );
        assert!(pool.try_get().is_none(), "handed over, not put in the pool");
        drop(second);
        let other = b.await.unwrap();
        assert_eq!(order.get(), 12);
        drop((got, other));
        assert!(pool.try_get().is_some(), "both back in the pool");
    });
}

#[test]
fn a_dropped_get_passes_its_buffer_on() {
    run_bounded(LIMIT, || async {
        let pool = FixedBufPool::new(1, 512).unwrap();
        let only = pool.try_get().unwrap();
        let quitter = {
            let pool = pool.clone();
            ringio::spawn(async move { pool.get().await })
        };
        let patient = {
            let pool = pool.clone();
            ringio::spawn(async move { pool.get().await.capacity() })
        };
        ringio::yield_now().await;
        // The buffer is handed to the first waiter, which is aborted before
        // it runs again: its share goes to the next one.
        drop(only);
        quitter.abort();
        assert!(quitter.await.unwrap_err().is_cancelled());
        assert_eq!(patient.await.unwrap(), 512);
        assert!(pool.try_get().is_some(), "back in the pool");
    });
}

#[test]
fn a_pool_dropped_with_a_buffer_in_flight_stays_registered_until_it_completes() {
    run_bounded(LIMIT, || async {
        let (client, server) = tcp_pair().await;
        let pool = FixedBufPool::new(4, 4096).unwrap();
        let buf = pool.get().await;
        let slot = buf.buf_index();
        assert_eq!(slot.is_some(), on_io_uring(), "registered on a ring only");
        let read = ringio::spawn(async move { server.read_fixed(buf).await });
        ringio::yield_now().await; // the receive is in the kernel now
        drop(pool);

        // The in-flight buffer keeps its pool's slots: a new pool gets others.
        let second = FixedBufPool::new(4, 4096).unwrap();
        let other = second.try_get().unwrap().buf_index();
        if let (Some(slot), Some(other)) = (slot, other) {
            assert!(
                !(slot..slot + 4).contains(&other),
                "slot {other} reused while slot {slot} is in flight"
            );
        }
        drop(second);

        let (res, _) = client.write(b"after the pool".to_vec()).await;
        assert_eq!(res.unwrap(), 14);
        let (n, buf) = read.await.unwrap();
        assert_eq!(n.unwrap(), 14);
        assert_eq!(&buf[..], b"after the pool", "byte-correct into the buffer");
        drop(buf); // the last of the pool: its slots are emptied now

        let third = FixedBufPool::new(4, 4096).unwrap();
        assert_eq!(
            third.try_get().unwrap().buf_index(),
            slot,
            "the slots are free again once the buffer is back"
        );
    });
}

#[test]
fn a_pool_whose_last_buffer_is_dropped_by_a_cancelled_read_gives_its_slots_back() {
    run_bounded(LIMIT, || async {
        let (_client, server) = tcp_pair().await;
        let pool = FixedBufPool::new(4, 4096).unwrap();
        let buf = pool.get().await;
        let slot = buf.buf_index();
        assert_eq!(slot.is_some(), on_io_uring(), "registered on a ring only");
        drop(pool);
        {
            // Polled once (submitted), then dropped: the driver keeps the
            // buffer until the cancel completes and drops it itself.
            let mut read = std::pin::pin!(server.read_fixed(buf));
            assert!(futures::poll!(read.as_mut()).is_pending());
            ringio::yield_now().await;
        }
        for _ in 0..1000 {
            if ringio::stats().ops_in_flight == 0 {
                break;
            }
            ringio::yield_now().await;
        }
        assert_eq!(ringio::stats().ops_in_flight, 0, "the cancel completed");
        let next = FixedBufPool::new(4, 4096).unwrap();
        assert_eq!(next.try_get().unwrap().buf_index(), slot, "slots reused");
    });
}

#[test]
fn fixed_reads_and_writes_of_a_file_are_byte_exact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    run_bounded(LIMIT, move || async move {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .await
            .unwrap();
        let pool = FixedBufPool::new(4, 8192).unwrap();
        let data = pattern(3 * 8192, 7);
        for (k, chunk) in data.chunks(8192).enumerate() {
            let buf = filled(&pool, chunk).await;
            let (n, _) = file.write_fixed_at(buf, (k * 8192) as u64).await;
            assert_eq!(n.unwrap(), 8192);
        }
        assert_eq!(std::fs::read(&path).unwrap(), data, "written as sent");

        // Unaligned, short at the end of the file.
        let (n, buf) = file.read_fixed_at(pool.get().await, 100).await;
        assert_eq!(n.unwrap(), 8192);
        assert_eq!(&buf[..], &data[100..100 + 8192]);
        let (n, buf) = file.read_fixed_at(buf, (3 * 8192 - 50) as u64).await;
        assert_eq!(n.unwrap(), 50);
        assert_eq!(&buf[..], &data[3 * 8192 - 50..], "length is what was read");
        let (n, buf) = file.read_fixed_at(buf, 1 << 20).await;
        assert_eq!(n.unwrap(), 0, "end of file");
        assert!(buf.is_empty());

        let (res, _) = file.read_fixed_at(buf, u64::MAX).await;
        assert_eq!(res.unwrap_err().kind(), io::ErrorKind::InvalidInput);
    });
}

#[test]
fn fixed_reads_and_writes_work_with_o_direct() {
    // The target directory is on a disk file system (a tmpfs may refuse
    // O_DIRECT).
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let path = dir.path().join("direct");
    run_bounded(LIMIT, move || async move {
        let file = match OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .custom_flags(libc::O_DIRECT)
            .open(&path)
            .await
        {
            Ok(file) => file,
            Err(e) => {
                eprintln!("skipped: this file system refuses O_DIRECT ({e})");
                return;
            }
        };
        let pool = FixedBufPool::new(8, 4096).unwrap();
        let data = pattern(8 * 4096, 3);
        let mut writes = Vec::new();
        for (k, chunk) in data.chunks(4096).enumerate() {
            let buf = filled(&pool, chunk).await;
            writes.push(file.write_fixed_at(buf, (k * 4096) as u64));
        }
        for (n, _) in futures::future::join_all(writes).await {
            assert_eq!(n.unwrap(), 4096);
        }
        // Eight reads in flight at once, in reverse order.
        let reads = (0..8u64).rev().map(|k| {
            let (pool, file) = (&pool, &file);
            async move {
                let (n, buf) = file.read_fixed_at(pool.get().await, k * 4096).await;
                assert_eq!(n.unwrap(), 4096);
                (k as usize, buf)
            }
        });
        for (k, buf) in futures::future::join_all(reads).await {
            assert_eq!(&buf[..], &data[k * 4096..(k + 1) * 4096], "block {k}");
        }
        let (res, _) = file.read_fixed_at(pool.get().await, 100).await;
        let err = res.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EINVAL), "unaligned: {err}");
    });
}

#[test]
fn fixed_reads_and_writes_of_tcp_are_byte_exact() {
    run_bounded(LIMIT, || async {
        let (client, server) = tcp_pair().await;
        let pool = FixedBufPool::new(4, 64 * 1024).unwrap();
        let data = pattern(1 << 20, 11);
        let sender = {
            let (pool, data) = (pool.clone(), data.clone());
            ringio::spawn(async move {
                for chunk in data.chunks(64 * 1024) {
                    let mut buf = filled(&pool, chunk).await;
                    loop {
                        let (n, b) = client.write_fixed(buf).await;
                        let n = n.unwrap();
                        if n == b.len() {
                            break;
                        }
                        // A short send: the rest goes next.
                        let rest = b[n..].to_vec();
                        buf = b;
                        buf.clear();
                        buf.extend_from_slice(&rest);
                    }
                }
            })
        };
        let mut got = Vec::with_capacity(data.len());
        while got.len() < data.len() {
            let (n, buf) = server.read_fixed(pool.get().await).await;
            let n = n.unwrap();
            assert!(n > 0, "closed after {} bytes", got.len());
            assert_eq!(buf.len(), n);
            got.extend_from_slice(&buf);
        }
        sender.await.unwrap();
        assert!(got == data, "the stream arrived byte for byte");
    });
}

#[test]
fn a_buffer_of_another_runtime_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    std::fs::write(&path, b"contents").unwrap();
    let first = ringio::Runtime::new().unwrap();
    let (pool, buf) = first.block_on(async {
        let pool = FixedBufPool::new(2, 4096).unwrap();
        let buf = pool.try_get().unwrap();
        (pool, buf)
    });
    let second = ringio::Runtime::new().unwrap();
    second.block_on(async {
        let file = File::open(&path).await.unwrap();
        let (res, buf) = file.read_fixed_at(buf, 0).await;
        let err = res.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("another runtime"), "{err}");
        let (res, buf) = file.write_fixed_at(buf, 0).await;
        assert_eq!(res.unwrap_err().kind(), io::ErrorKind::InvalidInput);
        let (client, _server) = tcp_pair().await;
        let (res, _buf) = client.write_fixed(buf).await;
        assert_eq!(res.unwrap_err().kind(), io::ErrorKind::InvalidInput);
        // This runtime's own pool works on the same file.
        let own = FixedBufPool::new(1, 4096).unwrap();
        let (n, buf) = file.read_fixed_at(own.get().await, 0).await;
        assert_eq!(n.unwrap(), 8);
        assert_eq!(&buf[..], b"contents");
    });
    // Back on its own runtime, the buffer works.
    first.block_on(async {
        let file = File::open(&path).await.unwrap();
        let (n, buf) = file.read_fixed_at(pool.get().await, 0).await;
        assert_eq!(n.unwrap(), 8);
        assert_eq!(&buf[..], b"contents");
    });
}

#[test]
fn bad_sizes_are_invalid_input() {
    run_bounded(LIMIT, || async {
        for (count, size) in [(0, 4096), (4, 0), (1, (1 << 30) + 1), (16_385, 16)] {
            let err = FixedBufPool::new(count, size).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{count} x {size}");
            assert!(err.to_string().contains(&count.to_string()), "{err}");
        }
        // The runtime is fine afterwards.
        let pool = FixedBufPool::new(1, 16).unwrap();
        assert_eq!(pool.try_get().unwrap().capacity(), 16);
    });
}

#[test]
fn a_full_table_says_how_much_room_is_left() {
    run_bounded(LIMIT, || async {
        if !on_io_uring() {
            eprintln!("skipped under the epoll driver: it has no buffer table");
            return;
        }
        // 16,384 one-byte buffers fill the kernel's table (each pins a
        // page: more than a non-root RLIMIT_MEMLOCK allows).
        let all = match FixedBufPool::new(16_384, 1) {
            Ok(pool) => pool,
            Err(e) if e.to_string().contains("RLIMIT_MEMLOCK") => {
                eprintln!("skipped: {e}");
                return;
            }
            Err(e) => panic!("{e}"),
        };
        let err = FixedBufPool::new(1, 4096).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::OutOfMemory);
        assert!(err.to_string().contains("room for 0 more"), "{err}");
        drop(all);
        let pool = FixedBufPool::new(1, 4096).unwrap();
        assert_eq!(pool.try_get().unwrap().buf_index(), Some(0));
    });
}

#[test]
fn registration_over_rlimit_memlock_names_the_limit() {
    const CHILD: &str = "RINGIO_TEST_MEMLOCK_CHILD";
    if std::env::var_os(CHILD).is_some() {
        memlock_child();
        return;
    }
    let _serial = common::serial();
    common::run_in_child(
        "registration_over_rlimit_memlock_names_the_limit",
        CHILD,
        "MEMLOCK-CHILD-OK",
    );
}

/// In a child process: `RLIMIT_MEMLOCK` 4 MiB, and no `CAP_IPC_LOCK`
/// (root is exempt from the limit, so the child becomes `nobody` when it is
/// root). The ring itself fits (it counts against the limit too); a pool of
/// 8 MiB does not, and its registration fails with the error that says so,
/// leaving nothing pinned behind: a 2 MiB pool fits afterwards (within a
/// few seconds: see below).
fn memlock_child() {
    const LIMIT: u64 = 4 << 20;
    let limit = libc::rlimit {
        rlim_cur: LIMIT,
        rlim_max: LIMIT,
    };
    // SAFETY: plain system calls on values on this frame.
    unsafe {
        assert_eq!(libc::setrlimit(libc::RLIMIT_MEMLOCK, &limit), 0);
        if libc::geteuid() == 0 {
            assert_eq!(libc::setgid(65534), 0, "{}", io::Error::last_os_error());
            assert_eq!(libc::setuid(65534), 0, "{}", io::Error::last_os_error());
        }
    }
    let rt = ringio::Runtime::new().unwrap();
    let why = rt.driver_fallback_reason().map(ToString::to_string);
    rt.block_on(async {
        if !on_io_uring() {
            eprintln!("skipped: no ring here ({why:?}); epoll pools pin no memory");
            FixedBufPool::new(8, 1 << 20).expect("plain memory needs no memlock");
            return;
        }
        let err = FixedBufPool::new(8, 1 << 20).unwrap_err();
        let text = err.to_string();
        eprintln!("refused as expected: {text}");
        assert!(
            text.starts_with("registering 8 buffers of 1048576 bytes failed: RLIMIT_MEMLOCK"),
            "{text}"
        );
        assert!(text.contains(&format!("{LIMIT} bytes")), "{text}");
        assert!(text.contains("ulimit -l"), "{text}");
        assert_eq!(err.kind(), io::ErrorKind::OutOfMemory);
        // The runtime survives, and the buffers registered before the
        // refusal are let go: half as much fits. Linux 6.1 un-accounts the
        // pages of unregistered buffers from a delayed work that runs up to
        // a second after the update that empties their slots (newer kernels
        // do it in the update itself), so the pool may be refused for
        // RLIMIT_MEMLOCK until then: retried until a deadline.
        ringio::nop().await.unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(3);
        let pool = loop {
            match FixedBufPool::new(2, 1 << 20) {
                Ok(pool) => break pool,
                Err(e)
                    if e.kind() == io::ErrorKind::OutOfMemory
                        && e.to_string().starts_with(
                            "registering 2 buffers of 1048576 bytes failed: RLIMIT_MEMLOCK",
                        )
                        && std::time::Instant::now() < deadline =>
                {
                    ringio::time::sleep(Duration::from_millis(10)).await;
                }
                Err(e) => panic!("2 MiB of buffers do not fit after the refusal: {e}"),
            }
        };
        assert!(pool.try_get().unwrap().buf_index().is_some());
    });
    println!("MEMLOCK-CHILD-OK");
}
