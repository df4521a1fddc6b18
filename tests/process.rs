//! `ringio::process`: output and status, piped stdio, kill, many children
//! at once, spawn errors, and reaping of dropped children.

mod common;

use common::{fd_count, run_bounded, serial};
use futures_util::AsyncReadExt;
use ringio::process::{Command, Stdio};
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(20);

#[test]
fn output_collects_stdout_and_status() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let out = Command::new("echo").arg("hello").output().await.unwrap();
        assert!(out.status.success());
        assert_eq!(out.stdout, b"hello\n");
        assert!(out.stderr.is_empty());

        let out = Command::new("sh")
            .args(["-c", "echo err >&2; exit 3"])
            .output()
            .await
            .unwrap();
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(out.stderr, b"err\n");

        let status = Command::new("sh")
            .args(["-c", "exit 3"])
            .status()
            .await
            .unwrap();
        assert_eq!(status.code(), Some(3));
    });
}

#[test]
fn output_gives_null_stdin_and_leaves_the_builder_inheriting() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let mut cmd = Command::new("cat");
        // cat reads null stdin: EOF at once, no output.
        let out = cmd.output().await.unwrap();
        assert!(out.status.success());
        assert!(out.stdout.is_empty());
        // A later spawn is back to inherited stdio: no pipes.
        let mut child = cmd.stdin(Stdio::null()).spawn().unwrap();
        assert!(child.stdout.is_none() && child.stderr.is_none());
        assert!(child.wait().await.unwrap().success());
    });
}

#[test]
fn one_mib_round_trip_through_cat() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let data: Vec<u8> = (0..1 << 20).map(|i: u32| (i ^ (i >> 8)) as u8).collect();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let writer = ringio::spawn({
            let data = data.clone();
            async move {
                let (res, _) = stdin.write_all(data).await;
                res.unwrap();
                // stdin drops here: cat sees EOF.
            }
        });
        let mut got = Vec::new();
        let mut buf = Vec::with_capacity(32 * 1024);
        loop {
            let (n, b) = stdout.read(buf).await;
            if n.unwrap() == 0 {
                break;
            }
            got.extend_from_slice(&b);
            buf = b;
        }
        writer.await.unwrap();
        assert_eq!(got.len(), data.len());
        assert!(got == data, "bytes differ");
        assert!(child.wait().await.unwrap().success());
    });
}

#[test]
fn killed_child_reports_signal_9() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let mut child = Command::new("sleep").arg("60").spawn().unwrap();
        assert!(child.try_wait().unwrap().is_none());
        let started = Instant::now();
        child.kill().await.unwrap();
        let status = child.wait().await.unwrap();
        assert_eq!(status.signal(), Some(9));
        assert_eq!(status.code(), None);
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(child.id(), None, "no pid once reaped");
        child.start_kill().unwrap(); // a no-op once reaped
    });
}

#[test]
fn two_hundred_children_from_one_thread() {
    skip_unless_uring!();
    let _serial = serial();
    let before = fd_count();
    run_bounded(LIMIT, || async {
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                ringio::spawn(async move {
                    let out = Command::new("sh")
                        .args(["-c", &format!("echo {i}; exit {}", i % 7)])
                        .output()
                        .await
                        .unwrap();
                    assert_eq!(out.stdout, format!("{i}\n").as_bytes());
                    assert_eq!(out.status.code(), Some(i % 7));
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    assert_eq!(fd_count(), before, "every pipe (and pidfd) closed");
}

#[test]
fn missing_program_is_not_found_and_named() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let err = Command::new("nosuch-prog").spawn().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        let text = err.to_string();
        assert!(text.contains("cannot run `nosuch-prog`"), "{text}");
        let err = Command::new("nosuch-prog").output().await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    });
}

/// Whether `pid` is gone or at least not a zombie.
fn reaped(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // The state follows the parenthesised command name.
        Ok(stat) => {
            let state = stat.rsplit(')').next().unwrap().split_whitespace().next();
            state != Some("Z")
        }
    }
}

/// `/proc/<pid>` is gone within `limit` (the zombie was reaped).
fn gone_within(pid: u32, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if std::fs::metadata(format!("/proc/{pid}")).is_err() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

#[test]
fn dropped_child_is_reaped_by_a_runtime_task() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let child = Command::new("sleep").arg("0.1").spawn().unwrap();
        let pid = child.id().unwrap();
        drop(child);
        let start = Instant::now();
        while std::fs::metadata(format!("/proc/{pid}")).is_ok() {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "pid {pid} left behind"
            );
            ringio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(reaped(pid));
    });
}

#[test]
fn dropped_child_with_kill_on_drop_is_killed_and_reaped() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let child = Command::new("sleep")
            .arg("60")
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let pid = child.id().unwrap();
        drop(child);
        let start = Instant::now();
        while std::fs::metadata(format!("/proc/{pid}")).is_ok() {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "pid {pid} left behind"
            );
            ringio::time::sleep(Duration::from_millis(5)).await;
        }
    });
}

#[test]
fn child_outliving_its_runtime_is_reaped_by_the_reaper_thread() {
    skip_unless_uring!();
    let _serial = serial();
    // The runtime ends with the child still running: its reaping task is
    // dropped, and the child goes to the reaper thread.
    let pid = run_bounded(LIMIT, || async {
        let child = Command::new("sleep").arg("0.1").spawn().unwrap();
        let pid = child.id().unwrap();
        drop(child);
        pid
    });
    assert!(
        gone_within(pid, Duration::from_secs(5)),
        "pid {pid} left behind"
    );

    // A child spawned and dropped where no runtime runs at all.
    let child = Command::new("sleep").arg("0.1").spawn().unwrap();
    let pid = child.id().unwrap();
    drop(child);
    assert!(
        gone_within(pid, Duration::from_secs(5)),
        "pid {pid} left behind"
    );
}

#[test]
fn child_stdout_reads_to_end_through_futures_io() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let mut child = Command::new("sh")
            .args(["-c", "for i in 1 2 3; do echo line $i; done"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut text = Vec::new();
        stdout.read_to_end(&mut text).await.unwrap();
        assert_eq!(text, b"line 1\nline 2\nline 3\n");
        assert!(child.wait().await.unwrap().success());
    });
}

#[test]
fn dropped_wait_loses_nothing() {
    skip_unless_uring!();
    let _serial = serial();
    run_bounded(LIMIT, || async {
        let mut child = Command::new("sh")
            .args(["-c", "sleep 0.05; exit 4"])
            .spawn()
            .unwrap();
        let early = ringio::time::timeout(Duration::from_millis(1), child.wait()).await;
        assert!(early.is_err(), "the child is still running");
        assert_eq!(child.wait().await.unwrap().code(), Some(4));
    });
}
