//! Regressions from an outside stress probe, one test per defect.

use super::common::run_bounded;
use crate::skip_unless_uring;
use std::time::Duration;

/// `UnixListener::bind("sock\0suffix")` bound `sock`, and a connect to
/// `"sock\0other"` reached it: the path was cut at the NUL. Such a path is
/// now refused with `InvalidInput` naming it (a leading NUL still names an
/// abstract socket).
#[test]
fn unix_socket_paths_with_an_interior_nul_are_refused() {
    skip_unless_uring!();
    run_bounded(Duration::from_secs(10), || async {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("sock");
        let cut = dir.path().join("sock\0suffix");
        let err = ringio::net::UnixListener::bind(&cut).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("sock\\0suffix"), "{err}");
        assert!(!real.exists(), "nothing was bound at the cut path");

        let _listener = ringio::net::UnixListener::bind(&real).unwrap();
        let err = ringio::net::UnixStream::connect(dir.path().join("sock\0other"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);

        let err = ringio::net::UnixDatagram::bind(dir.path().join("d\0x")).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(!dir.path().join("d").exists());
        let socket = ringio::net::UnixDatagram::unbound().unwrap();
        let (res, _) = socket.send_to(b"hi".to_vec(), &cut).await;
        assert_eq!(res.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
        let err = socket.connect(&cut).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);

        // A leading NUL is an abstract name, NULs after it included.
        let name = format!("\0ringio-nul-test-{}\0tail", std::process::id());
        let abstract_socket = ringio::net::UnixDatagram::bind(&name).unwrap();
        let addr = abstract_socket.local_addr().unwrap();
        assert_eq!(addr.as_abstract_name(), Some(&name.as_bytes()[1..]));
    });
}

/// io_uring reads offset `-1` as "the file's current position", so
/// `read_at(buf, u64::MAX)` returned the file's first bytes and `write_at`
/// there overwrote bytes after the cursor. `pread(2)` says `EINVAL`; ringio
/// now says `InvalidInput` before anything reaches the kernel.
#[test]
fn offset_u64_max_is_refused_not_read_as_the_file_cursor() {
    skip_unless_uring!();
    run_bounded(Duration::from_secs(10), || async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data");
        std::fs::write(&path, b"0123456789").unwrap();
        let file = ringio::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .await
            .unwrap();
        for pos in [u64::MAX, i64::MAX as u64 + 1] {
            let (res, buf) = file.read_at(Vec::with_capacity(4), pos).await;
            let err = res.unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{err}");
            assert!(err.to_string().contains(&pos.to_string()), "{err}");
            assert!(buf.is_empty(), "nothing was read");
            let (res, _) = file.write_at(b"XY".to_vec(), pos).await;
            assert_eq!(res.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
            let (res, _) = file.readv_at(vec![Vec::with_capacity(4)], pos).await;
            assert_eq!(res.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
            let (res, _) = file.writev_at(vec![b"XY".to_vec()], pos).await;
            assert_eq!(res.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
            let (res, _) = file.read_exact_at(Vec::with_capacity(4), pos).await;
            assert_eq!(res.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
            let (res, _) = file.write_all_at(b"XY".to_vec(), pos).await;
            assert_eq!(res.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
        }
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"0123456789",
            "nothing written"
        );
        // An offset past the end is still an offset: end of file.
        let (res, _) = file.read_at(Vec::with_capacity(4), 1 << 40).await;
        assert_eq!(res.unwrap(), 0);
    });
}
