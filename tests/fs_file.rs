//! ringio::fs::File: round trips, concurrency, options, bad input.

mod common;

use common::{fd_count, run_bounded, serial};
use ringio::fs::{File, OpenOptions};
use std::io::ErrorKind;
use std::rc::Rc;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn round_trips_of_many_sizes() {
    let _serial = serial(); // fd counts in this binary need quiet neighbours
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_path_buf();
    run_bounded(LIMIT, move || async move {
        for len in [0usize, 1, 4095, 4096, (1 << 20) + 3] {
            let path = base.join(format!("f{len}"));
            let data = pattern(len);
            let file = File::create(&path).await.unwrap();
            let (res, back) = file.write_all_at(data.clone(), 0).await;
            res.unwrap();
            assert_eq!(back, data, "the buffer comes back unchanged");
            file.sync_data().await.unwrap();
            file.close().await.unwrap();
            assert_eq!(
                std::fs::read(&path).unwrap(),
                data,
                "std sees what ringio wrote"
            );

            let file = File::open(&path).await.unwrap();
            let (res, got) = file.read_exact_at(Vec::with_capacity(len), 0).await;
            res.unwrap();
            assert_eq!(got, data);
            let (n, _) = file.read_at(Vec::with_capacity(16), len as u64).await;
            assert_eq!(n.unwrap(), 0, "end of file");
            assert_eq!(ringio::fs::read(&path).await.unwrap(), data);
        }
    });
}

#[test]
fn concurrent_reads_at_256_offsets_match_std() {
    let _serial = serial(); // fd counts in this binary need quiet neighbours
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big");
    let data = pattern(256 * 4096);
    std::fs::write(&path, &data).unwrap();
    run_bounded(LIMIT, move || async move {
        let file = Rc::new(File::open(&path).await.unwrap());
        let handles: Vec<_> = (0..256u64)
            .map(|i| {
                let file = file.clone();
                ringio::spawn(async move {
                    let pos = (i * 4093) % (255 * 4096);
                    let (res, buf) = file.read_exact_at(vec![0u8; 4096], pos).await;
                    res.unwrap();
                    (pos, buf)
                })
            })
            .collect();
        for h in handles {
            let (pos, buf) = h.await.unwrap();
            assert_eq!(&buf[..], &data[pos as usize..pos as usize + 4096]);
        }
    });
}

#[test]
fn append_mode_writes_at_the_end() {
    let _serial = serial(); // fd counts in this binary need quiet neighbours
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    std::fs::write(&path, b"one\n").unwrap();
    let p = path.clone();
    run_bounded(LIMIT, move || async move {
        let log = OpenOptions::new().append(true).open(&p).await.unwrap();
        for line in ["two\n", "three\n"] {
            let (res, _) = log.write_all_at(line, 0).await;
            res.unwrap();
        }
    });
    assert_eq!(std::fs::read(&path).unwrap(), b"one\ntwo\nthree\n");
}

#[test]
fn create_new_on_an_existing_file_is_already_exists() {
    let _serial = serial(); // fd counts in this binary need quiet neighbours
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("taken");
    std::fs::write(&path, b"x").unwrap();
    let err = run_bounded(LIMIT, move || async move {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .unwrap_err()
    });
    assert_eq!(err.kind(), ErrorKind::AlreadyExists);
}

#[test]
fn bad_input_gets_clear_errors() {
    let _serial = serial(); // fd counts in this binary need quiet neighbours
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_path_buf();
    run_bounded(LIMIT, move || async move {
        let missing = File::open(base.join("nope")).await.unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::NotFound);
        let named = format!("cannot open `{}`", base.join("nope").display());
        assert!(missing.to_string().starts_with(&named), "{missing}");

        let dir_for_write = OpenOptions::new()
            .write(true)
            .open(&base)
            .await
            .unwrap_err();
        assert_eq!(dir_for_write.kind(), ErrorKind::IsADirectory);
        let os = std::error::Error::source(&dir_for_write)
            .and_then(|e| e.downcast_ref::<std::io::Error>())
            .and_then(std::io::Error::raw_os_error);
        assert_eq!(os, Some(libc::EISDIR), "the OS error stays reachable");

        let nul = File::open("bad\0path").await.unwrap_err();
        assert_eq!(nul.kind(), ErrorKind::InvalidInput);
        assert!(nul.to_string().contains("NUL"), "{nul}");

        let nothing = OpenOptions::new().open(base.join("x")).await.unwrap_err();
        assert_eq!(nothing.kind(), ErrorKind::InvalidInput);
        let contradiction = OpenOptions::new()
            .append(true)
            .truncate(true)
            .open(base.join("x"))
            .await
            .unwrap_err();
        assert_eq!(contradiction.kind(), ErrorKind::InvalidInput);
        let read_create = OpenOptions::new()
            .read(true)
            .create(true)
            .open(base.join("x"))
            .await;
        assert_eq!(read_create.unwrap_err().kind(), ErrorKind::InvalidInput);

        let write_only = File::create(base.join("wo")).await.unwrap();
        let (res, buf) = write_only.read_at(vec![0u8; 8], 0).await;
        assert_eq!(res.unwrap_err().raw_os_error(), Some(libc::EBADF));
        assert_eq!(buf.len(), 8, "the buffer comes back on error");

        std::fs::write(base.join("short"), b"abc").unwrap();
        let short = File::open(base.join("short")).await.unwrap();
        let (res, buf) = short.read_exact_at(Vec::with_capacity(10), 0).await;
        assert_eq!(res.unwrap_err().kind(), ErrorKind::UnexpectedEof);
        assert_eq!(buf, b"abc", "what was read is kept");
    });
}

#[test]
fn metadata_agrees_with_std() {
    let _serial = serial(); // fd counts in this binary need quiet neighbours
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("meta");
    std::fs::write(&path, pattern(12345)).unwrap();
    let std_meta = std::fs::metadata(&path).unwrap();
    let (by_path, by_fd, of_dir) = run_bounded(LIMIT, {
        let path = path.clone();
        let dir = dir.path().to_path_buf();
        move || async move {
            let by_path = ringio::fs::metadata(&path).await.unwrap();
            let by_fd = File::open(&path).await.unwrap().metadata().await.unwrap();
            let of_dir = ringio::fs::metadata(&dir).await.unwrap();
            (by_path.len(), by_fd, of_dir.is_dir())
        }
    });
    assert_eq!(by_path, std_meta.len());
    assert_eq!(by_fd.len(), 12345);
    assert!(by_fd.is_file() && !by_fd.is_dir());
    assert!(of_dir);
    assert_eq!(by_fd.modified().unwrap(), std_meta.modified().unwrap());
    assert_eq!(by_fd.permissions(), std_meta.permissions());
}

#[test]
fn fd_count_unchanged_after_10k_open_close_cycles() {
    let _serial = serial(); // fd counts in this binary need quiet neighbours
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cycle");
    std::fs::write(&path, b"x").unwrap();
    let before = fd_count();
    run_bounded(LIMIT, move || async move {
        for i in 0..10_000 {
            let file = File::open(&path).await.unwrap();
            if i % 2 == 0 {
                file.close().await.unwrap();
            } // odd rounds: dropped, closed synchronously
        }
    });
    assert_eq!(fd_count(), before);
}

#[test]
fn dropped_read_frees_its_buffer_and_fd_after_the_kernel() {
    let _serial = serial(); // fd counts in this binary need quiet neighbours
    skip_unless_uring!();
    let before = fd_count();
    run_bounded(LIMIT, || async {
        // A FIFO nobody writes: the read stays in flight until cancelled.
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: plain mkfifo call on a valid C string.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo)
            .await
            .unwrap();
        // A writer end keeps the read from returning EOF at once.
        let _writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        let read = Box::pin(file.read_at(vec![0u8; 64], u64::MAX));
        let _ = ringio::time::timeout(Duration::from_millis(20), read).await;
        drop(file);
        for _ in 0..10 {
            ringio::yield_now().await;
        }
        assert_eq!(ringio::stats().ops_in_flight, 0);
    });
    assert_eq!(fd_count(), before);
}

#[test]
fn vectored_round_trip_hands_buffers_back() {
    let _serial = serial();
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vec");
    run_bounded(LIMIT, move || async move {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .open(&path)
            .await
            .unwrap();
        let parts = vec![b"alpha-".to_vec(), b"beta-".to_vec(), b"gamma".to_vec()];
        let (n, back) = file.writev_at(parts.clone(), 0).await;
        assert_eq!(n.unwrap(), 16);
        assert_eq!(back, parts);
        let bufs = vec![
            Vec::with_capacity(3),
            Vec::with_capacity(10),
            Vec::with_capacity(10),
        ];
        let (n, got) = file.readv_at(bufs, 0).await;
        assert_eq!(n.unwrap(), 16);
        assert_eq!(
            got,
            vec![b"alp".to_vec(), b"ha-beta-ga".to_vec(), b"mma".to_vec()]
        );
    });
}

#[test]
fn set_len_and_fallocate() {
    let _serial = serial();
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sized");
    let p = path.clone();
    run_bounded(LIMIT, move || async move {
        let file = File::create(&p).await.unwrap();
        file.set_len(10_000).await.unwrap();
        assert_eq!(file.metadata().await.unwrap().len(), 10_000);
        file.set_len(10).await.unwrap();
        assert_eq!(file.metadata().await.unwrap().len(), 10);
        file.fallocate(0, 1 << 16, 0).await.unwrap();
        assert_eq!(file.metadata().await.unwrap().len(), 1 << 16);
        let read_only = File::open(&p).await.unwrap();
        assert!(read_only.set_len(0).await.is_err(), "not open for writing");
    });
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 1 << 16);
}

#[test]
fn one_gib_read_into_one_gib_buffer() {
    let _serial = serial();
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gib");
    let len = 1usize << 30;
    {
        let f = std::fs::File::create(&path).unwrap();
        f.set_len(len as u64).unwrap(); // sparse: reads as zeros
        std::os::unix::fs::FileExt::write_all_at(&f, b"end", len as u64 - 3).unwrap();
    }
    run_bounded(LIMIT, move || async move {
        let file = File::open(&path).await.unwrap();
        let (res, buf) = file.read_exact_at(Vec::with_capacity(len), 0).await;
        res.unwrap();
        assert_eq!(buf.len(), len);
        assert_eq!(&buf[len - 3..], b"end");
        assert!(buf[..4096].iter().all(|&b| b == 0));
    });
}

#[test]
fn o_direct_round_trip_with_aligned_buffers() {
    let _serial = serial();
    skip_unless_uring!();
    // Under the target dir: tmpfs (a common /tmp) has no O_DIRECT.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let path = dir.path().join("direct");
    run_bounded(LIMIT, move || async move {
        use ringio::buf::IoBuf;
        const ALIGN: usize = 4096;
        let file = match OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .custom_flags(libc::O_DIRECT)
            .open(&path)
            .await
        {
            Ok(file) => file,
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
                eprintln!("skipped: this file system has no O_DIRECT");
                return;
            }
            Err(e) => panic!("{e}"),
        };
        // An aligned window inside an over-allocated Vec.
        let aligned = |mut v: Vec<u8>, len: usize| {
            let skew = v.as_ptr() as usize % ALIGN;
            let begin = if skew == 0 { 0 } else { ALIGN - skew };
            v.resize(begin + len, 0);
            (v, begin)
        };
        let (mut out, begin) = aligned(vec![0u8; 3 * ALIGN], 2 * ALIGN);
        for (i, b) in out[begin..].iter_mut().enumerate() {
            *b = (i % 256) as u8;
        }
        let (res, out) = file
            .write_all_at(out.slice(begin..begin + 2 * ALIGN), 0)
            .await;
        res.unwrap();
        let out = out.into_inner();
        let (inb, begin_in) = aligned(vec![0u8; 3 * ALIGN], 2 * ALIGN);
        let (res, inb) = file
            .read_exact_at(inb.slice(begin_in..begin_in + 2 * ALIGN), 0)
            .await;
        res.unwrap();
        assert_eq!(&inb[..], &out[begin..begin + 2 * ALIGN]);
        // A misaligned buffer is refused by the kernel with EINVAL.
        let (inb, begin_in) = aligned(inb.into_inner(), 2 * ALIGN);
        let (res, _) = file
            .read_at(inb.slice(begin_in + 1..begin_in + 1 + ALIGN), 0)
            .await;
        assert_eq!(res.unwrap_err().raw_os_error(), Some(libc::EINVAL));
    });
}
