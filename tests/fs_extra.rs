//! ringio::fs beyond files: directories, links, copies, permissions.

mod common;

use common::run_bounded;
use futures::StreamExt;
use std::collections::HashSet;
use std::io::ErrorKind;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn read_dir_of_ten_thousand_entries_sees_each_once() {
    skip_unless_uring!();
    const N: usize = 10_000;
    let dir = tempfile::tempdir().unwrap();
    for i in 0..N {
        std::fs::File::create(dir.path().join(format!("f{i}"))).unwrap();
    }
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let base = dir.path().to_path_buf();
    run_bounded(LIMIT, move || async move {
        let started = Instant::now();
        let mut seen = HashSet::new();
        let mut entries = ringio::fs::read_dir(&base).await.unwrap();
        while let Some(entry) = entries.next_entry().await.unwrap() {
            assert_eq!(entry.path(), base.join(entry.file_name()));
            let name = entry.file_name().into_string().unwrap();
            let kind = entry.file_type().await.unwrap();
            assert_eq!(kind.is_dir(), name == "sub", "{name}");
            assert!(seen.insert(name), "an entry came twice");
        }
        assert!(
            entries.next_entry().await.unwrap().is_none(),
            "ended for good"
        );
        assert_eq!(seen.len(), N + 1);
        assert!((0..N).all(|i| seen.contains(&format!("f{i}"))));
        let took = started.elapsed();
        assert!(took < Duration::from_secs(5), "read_dir took {took:?}");

        // The same through the Stream impl, with per-entry metadata.
        let mut stream = ringio::fs::read_dir(&base).await.unwrap();
        let mut count = 0;
        while let Some(entry) = stream.next().await {
            let entry = entry.unwrap();
            if count < 100 {
                let meta = entry.metadata().await.unwrap();
                assert_eq!(meta.ino(), entry.ino());
                assert_eq!(meta.is_dir(), entry.file_name() == "sub");
            }
            count += 1;
        }
        assert_eq!(count, N + 1);
    });
}

#[test]
fn read_dir_errors_name_the_directory() {
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_path_buf();
    std::fs::write(base.join("file"), b"x").unwrap();
    run_bounded(LIMIT, move || async move {
        let missing = base.join("missing");
        let err = ringio::fs::read_dir(&missing).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let text = err.to_string();
        assert!(text.contains(&*missing.to_string_lossy()), "{text}");

        let err = ringio::fs::read_dir(base.join("file")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotADirectory);

        let mut empty = ringio::fs::read_dir(dir_with_nothing(&base)).await.unwrap();
        assert!(empty.next_entry().await.unwrap().is_none());
    });
}

fn dir_with_nothing(base: &std::path::Path) -> std::path::PathBuf {
    let empty = base.join("empty");
    std::fs::create_dir(&empty).unwrap();
    empty
}

/// A deterministic, non-repeating-looking byte pattern (xorshift64).
fn pattern(len: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

#[test]
fn copy_of_64_mib_is_byte_exact_and_keeps_permissions() {
    skip_unless_uring!();
    const LEN: usize = 64 << 20;
    let dir = tempfile::tempdir().unwrap();
    let from = dir.path().join("from");
    let to = dir.path().join("to");
    let data = pattern(LEN);
    std::fs::write(&from, &data).unwrap();
    std::fs::set_permissions(&from, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::fs::write(&to, b"old contents, longer than nothing").unwrap();
    let (from2, to2) = (from.clone(), to.clone());
    let copied = run_bounded(LIMIT, move || async move {
        ringio::fs::copy(&from2, &to2).await.unwrap()
    });
    assert_eq!(copied, LEN as u64);
    let back = std::fs::read(&to).unwrap();
    assert_eq!(back.len(), LEN);
    for (i, (a, b)) in data.chunks(1 << 20).zip(back.chunks(1 << 20)).enumerate() {
        assert!(a == b, "MiB {i} differs");
    }
    let mode = std::fs::metadata(&to).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);

    let missing = dir.path().join("missing");
    let to3 = to.clone();
    let err = run_bounded(LIMIT, move || async move {
        ringio::fs::copy(&missing, &to3).await.unwrap_err()
    });
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("missing"), "{err}");
}

#[test]
fn hard_link_shares_the_inode() {
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_path_buf();
    run_bounded(LIMIT, move || async move {
        let a = base.join("a");
        let b = base.join("b");
        ringio::fs::write(&a, "shared").await.unwrap();
        ringio::fs::hard_link(&a, &b).await.unwrap();
        let (ma, mb) = (
            ringio::fs::metadata(&a).await.unwrap(),
            ringio::fs::metadata(&b).await.unwrap(),
        );
        assert_eq!(ma.ino(), mb.ino());
        assert_eq!(ma.dev(), mb.dev());
        assert_eq!(mb.nlink(), 2);
        assert_eq!(ringio::fs::read(&b).await.unwrap(), b"shared");

        let err = ringio::fs::hard_link(&a, &b).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists);
        let err = ringio::fs::hard_link(base.join("nope"), base.join("c"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(err.to_string().contains("nope"), "{err}");
    });
}

#[test]
fn symlink_read_link_and_both_metadata() {
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_path_buf();
    run_bounded(LIMIT, move || async move {
        let target = base.join("target");
        let link = base.join("link");
        ringio::fs::write(&target, "12345").await.unwrap();
        ringio::fs::symlink("target", &link).await.unwrap();
        assert_eq!(
            ringio::fs::read_link(&link).await.unwrap(),
            std::path::Path::new("target")
        );

        let own = ringio::fs::symlink_metadata(&link).await.unwrap();
        assert!(own.is_symlink() && own.file_type().is_symlink());
        assert!(!own.is_file());
        assert_eq!(own.len(), "target".len() as u64);
        let followed = ringio::fs::metadata(&link).await.unwrap();
        assert!(followed.is_file() && !followed.is_symlink());
        assert_eq!(followed.len(), 5);
        assert_eq!(
            followed.ino(),
            std::fs::metadata(&target).unwrap().ino(),
            "metadata follows the link"
        );

        let mut entries = ringio::fs::read_dir(&base).await.unwrap();
        while let Some(entry) = entries.next_entry().await.unwrap() {
            let kind = entry.file_type().await.unwrap();
            let meta = entry.metadata().await.unwrap();
            if entry.file_name() == "link" {
                assert!(
                    kind.is_symlink() && meta.is_symlink(),
                    "entries do not follow"
                );
            } else {
                assert!(kind.is_file() && meta.is_file());
            }
        }

        let err = ringio::fs::symlink("elsewhere", &link).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists);
        let err = ringio::fs::read_link(&target).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "not a link");
        assert!(err.to_string().contains("target"), "{err}");
        let err = ringio::fs::symlink_metadata(base.join("none"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(err.to_string().contains("none"), "{err}");
    });
}

#[test]
fn canonicalize_resolves_a_symlink() {
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_path_buf();
    run_bounded(LIMIT, move || async move {
        let real = base.join("real");
        ringio::fs::create_dir_all(real.join("inner"))
            .await
            .unwrap();
        ringio::fs::symlink(&real, base.join("alias"))
            .await
            .unwrap();
        let got = ringio::fs::canonicalize(base.join("alias/./inner/../inner"))
            .await
            .unwrap();
        assert_eq!(got, std::fs::canonicalize(real.join("inner")).unwrap());
        assert!(got.is_absolute());
        let err = ringio::fs::canonicalize(base.join("alias/missing"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    });
}

#[test]
fn set_permissions_reads_back() {
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_path_buf();
    run_bounded(LIMIT, move || async move {
        let path = base.join("f");
        ringio::fs::write(&path, "x").await.unwrap();
        for mode in [0o600, 0o444, 0o751] {
            ringio::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
                .await
                .unwrap();
            let meta = ringio::fs::metadata(&path).await.unwrap();
            assert_eq!(meta.mode() & 0o7777, mode);
            assert_eq!(meta.permissions().mode() & 0o7777, mode);
            assert_eq!(meta.permissions().readonly(), mode & 0o222 == 0);
        }
        let err =
            ringio::fs::set_permissions(base.join("gone"), std::fs::Permissions::from_mode(0o600))
                .await
                .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    });
}

#[test]
fn remove_dir_all_removes_a_nested_tree() {
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    for d in ["a/b/c", "a/d", "e"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    for f in ["a/b/c/1", "a/b/2", "a/d/3", "e/4", "5"] {
        std::fs::write(root.join(f), f).unwrap();
    }
    // A link out of the tree is removed, its target left alone.
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("keep"), b"k").unwrap();
    std::os::unix::fs::symlink(&outside, root.join("a/out")).unwrap();
    let root2 = root.clone();
    run_bounded(LIMIT, move || async move {
        ringio::fs::remove_dir_all(&root2).await.unwrap();
        let err = ringio::fs::remove_dir_all(&root2).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(err.to_string().contains("tree"), "{err}");
    });
    assert!(!root.exists());
    assert!(outside.join("keep").exists());
}

#[test]
fn created_and_file_type() {
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_path_buf();
    run_bounded(LIMIT, move || async move {
        let before = std::time::SystemTime::now() - Duration::from_secs(2);
        let path = base.join("f");
        ringio::fs::write(&path, "x").await.unwrap();
        let meta = ringio::fs::metadata(&path).await.unwrap();
        match meta.created() {
            Ok(born) => {
                assert!(
                    born >= before && born <= std::time::SystemTime::now(),
                    "{born:?}"
                );
                let std_born = std::fs::metadata(&path).unwrap().created().unwrap();
                assert_eq!(born, std_born);
            }
            Err(e) if e.kind() == ErrorKind::Unsupported => {
                eprintln!("no birth time on this file system: {e}");
            }
            Err(e) => panic!("created: {e}"),
        }
        assert!(meta.file_type().is_file());
        assert!(ringio::fs::metadata(&base)
            .await
            .unwrap()
            .file_type()
            .is_dir());
        let null = ringio::fs::metadata("/dev/null").await.unwrap();
        assert!(null.file_type().is_char_device());
        assert!(!null.file_type().is_block_device());
        assert_eq!(null.rdev(), std::fs::metadata("/dev/null").unwrap().rdev());
    });
}

#[test]
fn metadata_ext_matches_std() {
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    std::fs::write(&path, vec![7u8; 10_000]).unwrap();
    let p = path.clone();
    let ours = run_bounded(LIMIT, move || async move {
        ringio::fs::metadata(&p).await.unwrap()
    });
    let std_meta = std::fs::metadata(&path).unwrap();
    assert_eq!(ours.dev(), std_meta.dev());
    assert_eq!(ours.ino(), std_meta.ino());
    assert_eq!(ours.mode(), std_meta.mode());
    assert_eq!(ours.nlink(), std_meta.nlink());
    assert_eq!(ours.uid(), std_meta.uid());
    assert_eq!(ours.gid(), std_meta.gid());
    assert_eq!(ours.size(), 10_000);
    assert_eq!(ours.blksize(), std_meta.blksize());
    assert_eq!(ours.blocks(), std_meta.blocks());
    assert_eq!(
        (ours.mtime(), ours.mtime_nsec()),
        (std_meta.mtime(), std_meta.mtime_nsec())
    );
    assert_eq!(
        (ours.ctime(), ours.ctime_nsec()),
        (std_meta.ctime(), std_meta.ctime_nsec())
    );
    assert_eq!(
        (ours.atime(), ours.atime_nsec()),
        (std_meta.atime(), std_meta.atime_nsec())
    );
    // The fifo and socket kinds.
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.map(|s| s.success()).unwrap_or(false) {
        let fifo2 = fifo.clone();
        let kind = run_bounded(LIMIT, move || async move {
            ringio::fs::metadata(&fifo2).await.unwrap().file_type()
        });
        assert!(kind.is_fifo() && !kind.is_file() && !kind.is_socket());
    }
    let sock = dir.path().join("sock");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let kind = run_bounded(LIMIT, move || async move {
        ringio::fs::symlink_metadata(&sock)
            .await
            .unwrap()
            .file_type()
    });
    assert!(kind.is_socket() && !kind.is_fifo());
}

#[test]
fn interior_nul_is_invalid_input_before_any_syscall() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let before = ringio::stats().sqes_submitted;
        for err in [
            ringio::fs::hard_link("a\0b", "c").await.unwrap_err(),
            ringio::fs::hard_link("c", "a\0b").await.unwrap_err(),
            ringio::fs::symlink("a\0b", "c").await.unwrap_err(),
            ringio::fs::symlink("c", "a\0b").await.unwrap_err(),
            ringio::fs::symlink_metadata("a\0b").await.unwrap_err(),
        ] {
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
            assert!(err.to_string().contains("NUL"), "{err}");
        }
        assert_eq!(
            ringio::stats().sqes_submitted,
            before,
            "nothing reached the ring"
        );
        // The pool-backed functions refuse it too, before the pool.
        for err in [
            ringio::fs::read_dir("a\0b").await.unwrap_err(),
            ringio::fs::copy("a\0b", "c").await.unwrap_err(),
            ringio::fs::read_link("a\0b").await.unwrap_err(),
            ringio::fs::canonicalize("a\0b").await.unwrap_err(),
            ringio::fs::set_permissions("a\0b", std::fs::Permissions::from_mode(0o600))
                .await
                .unwrap_err(),
            ringio::fs::remove_dir_all("a\0b").await.unwrap_err(),
        ] {
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
            assert!(err.to_string().contains("NUL"), "{err}");
        }
    });
}

#[test]
fn a_dropped_next_entry_loses_nothing() {
    skip_unless_uring!();
    const N: usize = 1_000;
    let dir = tempfile::tempdir().unwrap();
    for i in 0..N {
        std::fs::File::create(dir.path().join(i.to_string())).unwrap();
    }
    let base = dir.path().to_path_buf();
    let (seen, dropped) = run_bounded(LIMIT, move || async move {
        let mut entries = ringio::fs::read_dir(&base).await.unwrap();
        let mut seen = HashSet::new();
        let mut dropped = 0;
        loop {
            // Polled once: pending while a batch is on the pool, then dropped.
            match ringio::time::timeout(Duration::ZERO, entries.next_entry()).await {
                Ok(Ok(Some(entry))) => assert!(seen.insert(entry.file_name()), "came twice"),
                Ok(Ok(None)) => break,
                Ok(Err(e)) => panic!("{e}"),
                Err(_elapsed) => {
                    dropped += 1;
                    ringio::yield_now().await;
                }
            }
        }
        (seen.len(), dropped)
    });
    assert_eq!(seen, N);
    eprintln!("{dropped} next_entry futures dropped while a batch was read");
}
