//! `ringio::io::pipe` and the standard streams: round trips, EOF, broken
//! pipes, the futures-io adapters, generic owned I/O, and fd hygiene.

mod common;

use common::{fd_count, run_bounded, serial};
use futures_util::{AsyncReadExt, AsyncWriteExt};
use ringio::io::{pipe, OwnedRead, OwnedWrite};
use std::io;
use std::os::fd::AsRawFd;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(20);

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i ^ (i >> 8) ^ (i >> 16)) as u8).collect()
}

#[test]
fn pipe_round_trip_larger_than_the_pipe() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let (reader, writer) = pipe().unwrap();
        let data = pattern(512 * 1024);
        // The pipe holds 64 KiB: the write waits for the reader.
        let sender = ringio::spawn({
            let data = data.clone();
            async move {
                let (res, _) = writer.write_all(data).await;
                res.unwrap();
            }
        });
        let mut got = Vec::new();
        let mut buf = Vec::with_capacity(10_000);
        loop {
            let (n, b) = reader.read(buf).await;
            if n.unwrap() == 0 {
                break;
            }
            got.extend_from_slice(&b);
            buf = b;
        }
        sender.await.unwrap();
        assert!(
            got == data,
            "bytes differ ({} of {})",
            got.len(),
            data.len()
        );
    });
}

#[test]
fn reader_gets_eof_once_the_writer_is_dropped() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let (reader, writer) = pipe().unwrap();
        // A read waiting on an empty pipe ends when the writer goes.
        let pending = ringio::spawn(async move { reader.read(Vec::with_capacity(8)).await.0 });
        ringio::yield_now().await;
        drop(writer);
        assert_eq!(pending.await.unwrap().unwrap(), 0);
    });
}

#[test]
fn writer_gets_broken_pipe_once_the_reader_is_dropped() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let (reader, writer) = pipe().unwrap();
        drop(reader);
        let (res, buf) = writer.write(b"nobody listens".to_vec()).await;
        assert_eq!(res.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
        assert_eq!(buf, b"nobody listens", "the buffer comes back");

        // A write waiting on a full pipe fails when the reader goes.
        let (reader, writer) = pipe().unwrap();
        let pending = ringio::spawn(async move { writer.write_all(vec![0u8; 1 << 20]).await.0 });
        ringio::yield_now().await;
        drop(reader);
        let err = pending.await.unwrap().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    });
}

#[test]
fn futures_io_adapters_round_trip() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let (mut reader, mut writer) = pipe().unwrap();
        let data = pattern(300 * 1024);
        let sender = ringio::spawn({
            let data = data.clone();
            async move {
                AsyncWriteExt::write_all(&mut writer, &data).await.unwrap();
                writer.close().await.unwrap(); // flushes
            }
        });
        let mut got = Vec::new();
        reader.read_to_end(&mut got).await.unwrap();
        sender.await.unwrap();
        assert!(
            got == data,
            "bytes differ ({} of {})",
            got.len(),
            data.len()
        );
    });
}

#[test]
fn generic_owned_io_and_vectored_calls() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        async fn send(w: &impl OwnedWrite, data: Vec<u8>) {
            let (res, _) = w.write_all(data).await;
            res.unwrap();
            w.shutdown().await.unwrap(); // a pipe: a no-op
        }
        let (reader, writer) = pipe().unwrap();
        send(&writer, b"generic".to_vec()).await;
        let (n, buf) = OwnedRead::read(&reader, Vec::with_capacity(16)).await;
        assert_eq!(&buf[..n.unwrap()], b"generic");

        let (n, _) = writer.writev(vec![b"ab".to_vec(), b"cde".to_vec()]).await;
        assert_eq!(n.unwrap(), 5);
        let (n, bufs) = reader
            .readv(vec![Vec::with_capacity(3), Vec::with_capacity(8)])
            .await;
        assert_eq!(n.unwrap(), 5);
        assert_eq!(bufs, [b"abc".to_vec(), b"de".to_vec()]);
    });
}

#[test]
fn pipes_close_their_fds_and_stdio_never_does() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let before = fd_count();
        for _ in 0..50 {
            let (reader, writer) = pipe().unwrap();
            let (res, _) = writer.write_all(b"x".to_vec()).await;
            res.unwrap();
            let (n, _) = reader.read(Vec::with_capacity(1)).await;
            assert_eq!(n.unwrap(), 1);
        }
        assert_eq!(fd_count(), before, "every pipe end closed");

        for _ in 0..3 {
            let (stdin, stdout, stderr) = (
                ringio::io::stdin(),
                ringio::io::stdout(),
                ringio::io::stderr(),
            );
            assert_eq!(
                (stdin.as_raw_fd(), stdout.as_raw_fd(), stderr.as_raw_fd()),
                (0, 1, 2)
            );
        }
        // Still open: fcntl on them succeeds.
        for fd in 0..3 {
            assert!(
                std::fs::metadata(format!("/proc/self/fd/{fd}")).is_ok(),
                "fd {fd} closed"
            );
        }
        assert_eq!(fd_count(), before);
    });
}

#[test]
fn into_blocking_fd_hands_the_pipe_to_a_child() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let (reader, writer) = pipe().unwrap();
        let status = ringio::process::Command::new("sh")
            .args(["-c", "echo via fd"])
            .stdout(writer.into_blocking_fd().unwrap())
            .status()
            .await
            .unwrap();
        assert!(status.success());
        let (n, buf) = reader.read(Vec::with_capacity(64)).await;
        assert_eq!(&buf[..n.unwrap()], b"via fd\n");
        let (n, _) = reader.read(Vec::with_capacity(64)).await;
        assert_eq!(n.unwrap(), 0, "the child's copy closed with it");
    });
}

#[test]
fn stdout_and_stderr_writes_succeed() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let (res, _) = ringio::io::stdout()
            .write_all(b"ringio stdout test\n".to_vec())
            .await;
        res.unwrap();
        let (n, _) = ringio::io::stderr()
            .write(b"ringio stderr test\n".to_vec())
            .await;
        assert!(n.unwrap() > 0);
        let mut out = ringio::io::stdout();
        AsyncWriteExt::write_all(&mut out, b"through futures-io\n")
            .await
            .unwrap();
        out.flush().await.unwrap();
    });
}

/// A child runs this test binary with `RINGIO_STDIO_CHILD` set and its
/// stdin and stdout piped: it copies stdin to stdout through ringio.
#[test]
fn stdin_to_stdout_in_a_child_process() {
    if std::env::var_os("RINGIO_STDIO_CHILD").is_some() {
        ringio::run(async {
            let n = ringio::io::copy(&ringio::io::stdin(), &ringio::io::stdout())
                .await
                .unwrap();
            let (res, _) = ringio::io::stderr()
                .write_all(format!("copied {n}\n").into_bytes())
                .await;
            res.unwrap();
        });
        return;
    }
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let mut child = ringio::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "stdin_to_stdout_in_a_child_process",
                "--nocapture",
                "--test-threads=1",
                "-q",
            ])
            .env("RINGIO_STDIO_CHILD", "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let data = pattern(200 * 1024);
        let feeder = ringio::spawn({
            let data = data.clone();
            async move {
                let (res, _) = stdin.write_all(data).await;
                res.unwrap();
            }
        });
        let out = child.wait_with_output().await.unwrap();
        feeder.await.unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "child failed: {stderr}");
        assert!(
            stderr.contains(&format!("copied {}", data.len())),
            "{stderr}"
        );
        // The harness prints its own lines around the test's output.
        let start = out
            .stdout
            .windows(16)
            .position(|w| w == &data[..16])
            .expect("data in stdout");
        assert!(out.stdout[start..].starts_with(&data), "bytes differ");
    });
}
