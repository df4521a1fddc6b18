//! The test-suite knobs: `RINGIO_ENTRIES` (the default ring size, tiny to
//! make both queues overflow) and `RINGIO_SHUFFLE` (a seeded random task
//! order, in debug builds). Each is checked in a child process that has the
//! variable set, so the rest of this binary keeps its own setting.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

const CHILD: &str = "RINGIO_SCHEDULES_CHILD";

fn in_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

/// Runs test `name` in a child with `CHILD` and `vars` set; asserts it
/// passed.
fn child(name: &str, vars: &[(&str, &str)]) {
    let mut all = vec![(CHILD, "1")];
    all.extend_from_slice(vars);
    common::run_in_child_with(name, &all, "1 passed");
}

/// With a one-entry ring (and a two-entry completion queue), 256 NOPs in
/// flight at once, and TCP round trips over 16 connections at once, still
/// all complete: a full submission queue is submitted and refilled, an
/// overflowing completion queue is drained.
#[test]
fn a_one_entry_ring_from_ringio_entries_still_runs_everything() {
    skip_unless_uring!();
    if !in_child() {
        child(
            "a_one_entry_ring_from_ringio_entries_still_runs_everything",
            &[("RINGIO_ENTRIES", "1")],
        );
        return;
    }
    common::run_bounded(std::time::Duration::from_secs(60), || async {
        let before = ringio::stats();
        let nops: Vec<_> = (0..256).map(|_| ringio::spawn(ringio::nop())).collect();
        for nop in nops {
            nop.await.unwrap().unwrap();
        }
        let enters = ringio::stats().enters - before.enters;
        if ringio::driver_kind() == ringio::DriverKind::IoUring {
            // One entry per enter, at most: 256 entries take 256 enters.
            assert!(enters >= 200, "{enters} enters for 256 NOPs");
        }
        let listener = ringio::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = ringio::spawn(async move {
            for _ in 0..16 {
                let (stream, _) = listener.accept().await.unwrap();
                drop(ringio::spawn(common::echo(stream)));
            }
        });
        let clients: Vec<_> = (0..16u8)
            .map(|c| ringio::spawn(common::echo_rounds(addr, c, 20, 1000)))
            .collect();
        for client in clients {
            client.await.unwrap();
        }
        server.await.unwrap();
    });
    println!("ran with a one-entry ring");
}

/// A `RINGIO_ENTRIES` that is not a size fails the build and says so; a
/// size set on the builder wins over the variable.
#[test]
fn a_bad_ringio_entries_is_refused_with_its_name() {
    if !in_child() {
        child(
            "a_bad_ringio_entries_is_refused_with_its_name",
            &[("RINGIO_ENTRIES", "lots")],
        );
        return;
    }
    let err = ringio::Builder::new().build().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("RINGIO_ENTRIES"), "{err}");
    assert!(err.to_string().contains("lots"), "{err}");
    let rt = ringio::Builder::new().entries(64).build().unwrap();
    rt.block_on(async { ringio::nop().await }).unwrap();
}

/// The order 64 tasks spawned at once run in.
fn spawn_order() -> Vec<usize> {
    ringio::run(async {
        let order = Rc::new(RefCell::new(Vec::new()));
        let tasks: Vec<_> = (0..64)
            .map(|i| {
                let order = order.clone();
                ringio::spawn(async move { order.borrow_mut().push(i) })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let order = order.borrow().clone();
        order
    })
}

/// Under `RINGIO_SHUFFLE`, a debug build runs ready tasks in a seeded
/// random order (the same seed, the same order); a release build ignores
/// the variable and keeps spawn order.
#[test]
fn ringio_shuffle_reorders_ready_tasks_in_debug_builds() {
    if !in_child() {
        if std::env::var_os("RINGIO_SHUFFLE").is_none() {
            assert_eq!(spawn_order(), (0..64).collect::<Vec<_>>(), "FIFO");
        }
        child(
            "ringio_shuffle_reorders_ready_tasks_in_debug_builds",
            &[("RINGIO_SHUFFLE", "12345")],
        );
        return;
    }
    let first = spawn_order();
    let mut sorted = first.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..64).collect::<Vec<_>>(), "every task ran once");
    if cfg!(debug_assertions) {
        assert_ne!(first, sorted, "shuffled");
    } else {
        assert_eq!(first, sorted, "release builds keep spawn order");
    }
}
