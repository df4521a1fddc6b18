//! The driver setting: every ringio runtime a workload measures follows
//! `set_ringio_driver`, and every workload runs on the epoll driver.
//!
//! One test in its own process, since the setting (and the environment it
//! sets) is process-wide. `RINGIO_DRIVER` holds a bad value here, so a
//! runtime built on `Auto` fails: a workload that measured a runtime built
//! anywhere but `ringio_builder` would fail too.

use ringio_bench::workloads::echo::{epoll_client, measure_multi_with, measure_with};
use ringio_bench::workloads::echo::{MultiServer, Server};
use ringio_bench::workloads::files::{ringio_random, ringio_sequential, TestFile};
use ringio_bench::workloads::overhead::{ping_pong, spawn_join, timers};
use ringio_bench::workloads::{
    load_runtime, ringio_driver, ringio_pool, ringio_runtime, set_ringio_driver,
    with_ringio_driver, Budget, DriverKind, Side,
};
use std::time::Duration;

#[test]
fn every_ringio_runtime_follows_the_setting() {
    std::env::set_var("RINGIO_DRIVER", "neither");
    assert_eq!(ringio_driver(), DriverKind::Auto, "the default");
    let auto = ringio_runtime().map(drop).unwrap_err();
    assert_eq!(auto.kind(), std::io::ErrorKind::InvalidInput, "{auto}");
    assert!(load_runtime().is_err(), "the load generators stay on Auto");

    let d = Duration::from_millis(30);
    let seen = with_ringio_driver(DriverKind::Epoll, || {
        assert_eq!(ringio_runtime().unwrap().driver_kind(), DriverKind::Epoll);
        let kinds = ringio_pool(2)
            .run(|_| async { ringio::driver_kind() })
            .unwrap();
        assert_eq!(kinds, [DriverKind::Epoll; 2]);

        assert_eq!(spawn_join(Side::Ringio, Budget::Ops(100)).unwrap().ops, 100);
        assert_eq!(ping_pong(Side::Ringio, 100).unwrap().ops, 100);
        let sleeps = timers(Side::Ringio, 100, Duration::from_millis(2), false).unwrap();
        assert_eq!((sleeps.tally.ops, sleeps.tally.errors), (100, 0));

        let file = TestFile::create(1 << 20).unwrap();
        let reads = ringio_sequential(&file, Budget::Ops(16)).unwrap();
        assert_eq!((reads.ops, reads.errors), (16, 0));
        let rt = ringio_runtime().unwrap();
        let reads = ringio_random(&rt, &file, 4, false, Budget::Ops(64)).unwrap();
        assert_eq!((reads.ops, reads.errors), (64, 0));

        // The servers, under a tokio load generator (the ring one is on
        // Auto, which fails here).
        for server in [Server::Ringio, Server::RingioMultishot] {
            let (report, _, stats) = measure_with(server, None, |addr, server_cpu| {
                epoll_client::run_load(addr, 4, 64, d, server_cpu)
            });
            let report = report.unwrap();
            assert!(report.requests > 0 && report.errors == 0, "{server:?}");
            assert!(stats.is_some());
        }
        let (report, cpu) = measure_multi_with(MultiServer::RingioPool(2), |addr, server_cpu| {
            epoll_client::run_load(addr, 8, 64, d, server_cpu)
        });
        let report = report.unwrap();
        assert!(report.requests > 0 && report.errors == 0 && cpu > Duration::ZERO);
        ringio_driver()
    });
    assert_eq!(seen, DriverKind::Epoll);
    assert_eq!(ringio_driver(), DriverKind::Auto, "put back");

    let panicked = std::panic::catch_unwind(|| {
        with_ringio_driver(DriverKind::Epoll, || panic!("inside"));
    });
    assert!(panicked.is_err());
    assert_eq!(ringio_driver(), DriverKind::Auto, "put back after a panic");
    assert_eq!(set_ringio_driver(DriverKind::IoUring), DriverKind::Auto);
    assert_eq!(set_ringio_driver(DriverKind::Auto), DriverKind::IoUring);
    std::env::remove_var("RINGIO_DRIVER");
}
