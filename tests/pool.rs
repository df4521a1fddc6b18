//! Thread-per-core: reuse-port serving across workers, spawn_on, channels
//! across rings, worker panics and bad configurations.

mod common;

use common::bounded;
use futures_util::{SinkExt, StreamExt};
use ringio::net::{ListenOptions, TcpListener};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

/// Hands each worker its own item from a shared list (the closure is `Fn`).
fn per_worker<T: Send>(items: Vec<T>) -> Arc<Mutex<Vec<Option<T>>>> {
    Arc::new(Mutex::new(items.into_iter().map(Some).collect()))
}

#[test]
fn four_workers_on_one_reuse_port_answer_every_connection() {
    skip_unless_uring!();
    const CONNECTIONS: usize = 400;
    // Holds the port (bound, not listening: it takes no connections).
    let holder = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    holder.set_reuse_address(true).unwrap();
    holder.set_reuse_port(true).unwrap();
    holder
        .bind(
            &"127.0.0.1:0"
                .parse::<std::net::SocketAddr>()
                .unwrap()
                .into(),
        )
        .unwrap();
    let addr = holder.local_addr().unwrap().as_socket().unwrap();

    let (stops, stop_rxs): (Vec<_>, Vec<_>) = (0..4)
        .map(|_| ringio::sync::oneshot::channel::<()>())
        .unzip();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let stop_rxs = per_worker(stop_rxs);
    let client = std::thread::spawn(move || {
        for _ in 0..4 {
            ready_rx.recv().unwrap();
        }
        for i in 0..CONNECTIONS {
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            stream.set_read_timeout(Some(LIMIT)).unwrap();
            stream.write_all(format!("hello {i}").as_bytes()).unwrap();
            stream.shutdown(std::net::Shutdown::Write).unwrap();
            let mut reply = String::new();
            stream.read_to_string(&mut reply).unwrap();
            assert!(reply.ends_with(&format!(": hello {i}")), "{reply}");
        }
        for stop in stops {
            stop.send(()).unwrap();
        }
    });
    let counts = bounded(LIMIT, move || {
        ringio::Pool::new(4)
            .run(move |worker| {
                let stop = stop_rxs.lock().unwrap()[worker.index()].take().unwrap();
                let ready = ready_tx.clone();
                async move {
                    let options = ListenOptions {
                        reuse_port: true,
                        ..ListenOptions::default()
                    };
                    let listener = TcpListener::bind_with(addr, options).unwrap();
                    ready.send(()).unwrap();
                    let served = std::rc::Rc::new(std::cell::Cell::new(0usize));
                    let accept = async {
                        let mut incoming = listener.incoming();
                        while let Some(stream) = incoming.next().await {
                            let stream = stream.unwrap();
                            let served = served.clone();
                            drop(ringio::spawn(async move {
                                let (n, msg) = stream.read(Vec::with_capacity(64)).await;
                                n.unwrap();
                                let mut reply = format!("worker {}: ", worker.index()).into_bytes();
                                reply.extend_from_slice(&msg);
                                let (res, _) = stream.write_all(reply).await;
                                res.unwrap();
                                served.set(served.get() + 1);
                            }));
                        }
                    };
                    futures_util::pin_mut!(accept);
                    futures_util::future::select(accept, stop).await;
                    served.get()
                }
            })
            .unwrap()
    });
    client.join().unwrap();
    drop(holder);
    assert_eq!(counts.iter().sum::<usize>(), CONNECTIONS, "{counts:?}");
    assert!(
        counts.iter().all(|&c| c > 0),
        "the kernel balanced nothing: {counts:?}"
    );
}

#[test]
fn spawn_on_runs_on_the_target_worker() {
    skip_unless_uring!();
    let (done_tx, done_rx) = ringio::sync::oneshot::channel::<()>();
    let ends = per_worker(vec![(Some(done_tx), None), (None, Some(done_rx))]);
    let out = bounded(LIMIT, move || {
        ringio::Pool::new(2)
            .name("target")
            .run(move |me| {
                let (done_tx, done_rx) = ends.lock().unwrap()[me.index()].take().unwrap();
                async move {
                    if let Some(done_rx) = done_rx {
                        // Worker 1 serves until worker 0 is through.
                        done_rx.await.unwrap();
                        return (me, String::new());
                    }
                    let other = me.sibling(1).unwrap();
                    let there = ringio::spawn_on(other, async {
                        std::thread::current().name().map(str::to_owned)
                    });
                    let name = there.await.unwrap().unwrap();
                    let panicked = ringio::spawn_on(other, async { panic!("remote boom") });
                    assert!(panicked.await.unwrap_err().is_panic());
                    // The target survives its task's panic.
                    let again = ringio::spawn_on(other, async { 7 }).await.unwrap();
                    assert_eq!(again, 7);
                    done_tx.unwrap().send(()).unwrap();
                    (me, name)
                }
            })
            .unwrap()
    });
    assert_eq!(out[0].1, "target-1");
    // The pool is gone: work sent to it is cancelled, not lost in silence.
    let late = ringio::run(ringio::spawn_on(out[0].0, async { 1 }));
    assert!(late.unwrap_err().is_cancelled());
}

#[test]
fn a_million_messages_cross_rings_in_order() {
    skip_unless_uring!();
    const MESSAGES: u64 = 1_000_000;
    let (tx, rx) = ringio::sync::channel::<u64>(1024);
    let ends = per_worker(vec![(Some(tx), None), (None, Some(rx))]);
    let out = bounded(LIMIT, move || {
        ringio::Pool::new(2)
            .run(move |worker| {
                let (tx, rx) = ends.lock().unwrap()[worker.index()].take().unwrap();
                async move {
                    if let Some(mut tx) = tx {
                        for i in 0..MESSAGES {
                            tx.feed(i).await.unwrap();
                        }
                        tx.flush().await.unwrap();
                        return MESSAGES;
                    }
                    let mut rx = rx.unwrap();
                    let mut expected = 0;
                    while let Some(i) = rx.next().await {
                        assert_eq!(i, expected, "out of order");
                        expected += 1;
                    }
                    expected
                }
            })
            .unwrap()
    });
    assert_eq!(out, [MESSAGES, MESSAGES]);
}

#[test]
fn a_panicking_worker_is_named_and_stops_the_others() {
    skip_unless_uring!();
    let err = bounded(LIMIT, || {
        ringio::Pool::new(3)
            .run(|worker| async move {
                if worker.index() == 2 {
                    ringio::time::sleep(Duration::from_millis(5)).await;
                    panic!("worker two gives up");
                }
                // Would run forever: the pool's stop signal ends it.
                ringio::time::sleep(Duration::from_secs(3600)).await;
            })
            .unwrap_err()
    });
    assert_eq!(err.to_string(), "worker 2 panicked: worker two gives up");
}

#[test]
fn bad_configurations_are_clear_errors() {
    skip_unless_uring!();
    let err = ringio::Pool::new(0).run(|_| async {}).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    let too_many = ringio::available_cores() + 1;
    let err = ringio::Pool::new(too_many)
        .pin_cores(true)
        .run(|_| async {})
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("pin_cores"), "{err}");
    // Pinned workers really run on distinct cores.
    let n = ringio::available_cores();
    let cores = ringio::Pool::new(n)
        .pin_cores(true)
        .run(|_| async {
            // SAFETY: sched_getcpu has no preconditions.
            unsafe { libc::sched_getcpu() }
        })
        .unwrap();
    let mut distinct = cores.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), n, "{cores:?}");
}
