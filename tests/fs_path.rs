//! ringio::fs path operations behave like std's.

mod common;

use common::run_bounded;
use std::io::ErrorKind;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn write_read_rename_remove() {
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_path_buf();
    run_bounded(LIMIT, move || async move {
        let a = base.join("a.txt");
        let b = base.join("b.txt");
        ringio::fs::write(&a, "alpha").await.unwrap();
        ringio::fs::rename(&a, &b).await.unwrap();
        assert!(!a.exists());
        assert_eq!(ringio::fs::read(&b).await.unwrap(), b"alpha");
        ringio::fs::write(&a, "beta").await.unwrap();
        ringio::fs::rename(&a, &b).await.unwrap(); // replaces, like std
        assert_eq!(std::fs::read(&b).unwrap(), b"beta");
        ringio::fs::remove_file(&b).await.unwrap();
        let err = ringio::fs::remove_file(&b).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let err = ringio::fs::rename(&a, &b).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    });
}

#[test]
fn directories_like_std() {
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_path_buf();
    run_bounded(LIMIT, move || async move {
        let d = base.join("d");
        ringio::fs::create_dir(&d).await.unwrap();
        assert!(std::fs::metadata(&d).unwrap().is_dir());
        let err = ringio::fs::create_dir(&d).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists);
        let err = ringio::fs::create_dir(base.join("x/y")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);

        let deep = base.join("p/q/r");
        ringio::fs::create_dir_all(&deep).await.unwrap();
        ringio::fs::create_dir_all(&deep).await.unwrap(); // existing is fine
        assert!(deep.is_dir());
        std::fs::write(base.join("file"), b"").unwrap();
        let err = ringio::fs::create_dir_all(base.join("file"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists);

        std::fs::write(d.join("inner"), b"x").unwrap();
        let err = ringio::fs::remove_dir(&d).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DirectoryNotEmpty);
        ringio::fs::remove_file(d.join("inner")).await.unwrap();
        ringio::fs::remove_dir(&d).await.unwrap();
        assert!(!d.exists());
        let err = ringio::fs::remove_file(base.join("p")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::IsADirectory);
    });
}

#[test]
fn paths_with_nul_are_rejected_before_any_syscall() {
    skip_unless_uring!();
    run_bounded(LIMIT, || async {
        let before = ringio::stats().sqes_submitted;
        for err in [
            ringio::fs::remove_file("a\0b").await.unwrap_err(),
            ringio::fs::create_dir("a\0b").await.unwrap_err(),
            ringio::fs::rename("a\0b", "c").await.unwrap_err(),
            ringio::fs::metadata("a\0b").await.unwrap_err(),
        ] {
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
        }
        assert_eq!(
            ringio::stats().sqes_submitted,
            before,
            "nothing reached the ring"
        );
    });
}

#[test]
fn path_errors_name_the_path_and_keep_their_kind() {
    skip_unless_uring!();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_path_buf();
    run_bounded(LIMIT, move || async move {
        let gone = base.join("gone");
        let named = |err: std::io::Error, what: &str| {
            let expected = format!("{what} `{}`", gone.display());
            assert!(err.to_string().starts_with(&expected), "{err}");
            err.kind()
        };
        let err = ringio::fs::remove_file(&gone).await.unwrap_err();
        assert_eq!(named(err, "cannot remove file"), ErrorKind::NotFound);
        let err = ringio::fs::remove_dir(&gone).await.unwrap_err();
        assert_eq!(named(err, "cannot remove directory"), ErrorKind::NotFound);
        let err = ringio::fs::metadata(&gone).await.unwrap_err();
        assert_eq!(
            named(err, "cannot read the metadata of"),
            ErrorKind::NotFound
        );
        let err = ringio::fs::read(&gone).await.unwrap_err();
        assert_eq!(named(err, "cannot open"), ErrorKind::NotFound);
        let err = ringio::fs::rename(&gone, base.join("b")).await.unwrap_err();
        assert_eq!(named(err, "cannot rename"), ErrorKind::NotFound);
        assert!(err_mentions_both(&gone, &base.join("b")).await);
        ringio::fs::create_dir(&gone).await.unwrap();
        let err = ringio::fs::create_dir(&gone).await.unwrap_err();
        assert_eq!(
            named(err, "cannot create directory"),
            ErrorKind::AlreadyExists
        );
    });
}

/// A failed rename names both paths.
async fn err_mentions_both(from: &std::path::Path, to: &std::path::Path) -> bool {
    let err = ringio::fs::rename(from, to).await.unwrap_err().to_string();
    err.contains(&from.display().to_string()) && err.contains(&to.display().to_string())
}
