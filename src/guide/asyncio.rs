//! Coming from asyncio: each concept an asyncio program uses, mapped to
//! ringio.
//!
//! The model is the same: one thread runs an event loop, tasks are
//! coroutines that yield at each `await`, and nothing runs in parallel on
//! that thread. Two differences matter. A ringio task is polled only when
//! awaited or spawned (a future that nobody awaits does nothing, like a
//! coroutine object that was never scheduled), and I/O operations own their
//! buffers: `read(buf)` takes the buffer and hands it back with the result.
//!
//! | asyncio | ringio |
//! |---|---|
//! | `asyncio.run(main())` | [`ringio::run`](crate::run), or `#[ringio::main]` on `async fn main` |
//! | `asyncio.create_task(coro)` | [`ringio::spawn`](crate::spawn) → [`JoinHandle`](crate::JoinHandle) |
//! | `asyncio.gather(*aws)` | `futures_util::future::join_all`, or a [`JoinSet`](crate::task::JoinSet) |
//! | `asyncio.wait_for(aw, t)` | [`ringio::time::timeout`](crate::time::timeout) |
//! | `asyncio.as_completed(aws)` | [`JoinSet::join_next`](crate::task::JoinSet::join_next) |
//! | `loop.run_in_executor(None, f)` | [`ringio::spawn_blocking`](crate::spawn_blocking) |
//! | `asyncio.sleep(s)` | [`ringio::time::sleep`](crate::time::sleep) |
//! | `Lock`, `Semaphore` | [`sync::Mutex`](crate::sync::Mutex), [`sync::Semaphore`](crate::sync::Semaphore) |
//! | `Event` | [`sync::watch`](crate::sync::watch) of a `bool` (or a [`CancellationToken`](crate::sync::CancellationToken) for a one-way event) |
//! | `Condition` | [`sync::Mutex`](crate::sync::Mutex) + [`sync::Notify`](crate::sync::Notify) |
//! | `Queue` | [`sync::channel`](crate::sync::channel) (bounded) or [`sync::unbounded`](crate::sync::unbounded) |
//! | `StreamReader.readline` / `readexactly` | futures-io `BufReader::read_line`, `read_exact` on a [`TcpStream`](crate::net::TcpStream) |
//! | `start_server` / `open_connection` | [`TcpListener`](crate::net::TcpListener) / [`TcpStream::connect`](crate::net::TcpStream::connect) |
//! | `create_subprocess_exec` | [`process::Command`](crate::process::Command) |
//! | `loop.add_signal_handler` | [`signal::unix::signal`](crate::signal::unix::signal), [`signal::ctrl_c`](crate::signal::ctrl_c) |
//! | `multiprocessing` for more cores | a [`Pool`](crate::Pool): one thread, ring and run queue per core |
//!
//! # `asyncio.run`, `create_task`, `gather`
//!
//! ```
//! use futures_util::future::join_all;
//!
//! async fn square(x: u64) -> u64 {
//!     ringio::yield_now().await;
//!     x * x
//! }
//!
//! ringio::run(async {
//!     // create_task: starts at once, runs concurrently with this task.
//!     let task = ringio::spawn(square(3));
//!     // gather: await several futures together, results in order.
//!     let all = join_all((0..4).map(square)).await;
//!     assert_eq!(all, [0, 1, 4, 9]);
//!     assert_eq!(task.await.unwrap(), 9);
//! });
//! ```
//!
//! # `wait_for`, `as_completed`, `run_in_executor`
//!
//! ```
//! use ringio::task::JoinSet;
//! use ringio::time::{sleep, timeout};
//! use std::time::Duration;
//!
//! ringio::run(async {
//!     // wait_for: the inner future is dropped (cancelled) on timeout.
//!     let slow = timeout(Duration::from_millis(5), sleep(Duration::from_secs(60))).await;
//!     assert!(slow.is_err());
//!
//!     // as_completed: results in the order the tasks finish.
//!     let mut set = JoinSet::new();
//!     for ms in [20u64, 5, 10] {
//!         set.spawn(async move {
//!             sleep(Duration::from_millis(ms)).await;
//!             ms
//!         });
//!     }
//!     let mut order = Vec::new();
//!     while let Some(done) = set.join_next().await {
//!         order.push(done.unwrap());
//!     }
//!     assert_eq!(order, [5, 10, 20]);
//!
//!     // run_in_executor: blocking code on a thread pool, awaited here.
//!     let digest = ringio::spawn_blocking(|| (1..=1000u64).sum::<u64>()).await.unwrap();
//!     assert_eq!(digest, 500_500);
//! });
//! ```
//!
//! # `Lock`, `Semaphore`, `Event`, `Condition`, `Queue`
//!
//! ```
//! use futures_util::{SinkExt, StreamExt};
//! use ringio::sync::{watch, Mutex, Notify, Semaphore};
//! use std::rc::Rc;
//! use std::sync::Arc;
//!
//! ringio::run(async {
//!     // Lock
//!     let counter = Rc::new(Mutex::new(0));
//!     *counter.lock().await += 1;
//!
//!     // Semaphore: at most 2 holders.
//!     let slots = Arc::new(Semaphore::new(2));
//!     let permit = slots.clone().acquire_owned().await.unwrap();
//!     assert_eq!(slots.available_permits(), 1);
//!     drop(permit);
//!
//!     // Event: set() / wait() on a watch of a bool.
//!     let (event, mut waiter) = watch::channel(false);
//!     let task = ringio::spawn(async move { waiter.wait_for(|set| *set).await.is_ok() });
//!     event.send_replace(true); // event.set()
//!     assert!(task.await.unwrap());
//!
//!     // Condition: a lock for the state, a Notify for "it changed".
//!     let state = Rc::new((Mutex::new(Vec::<u32>::new()), Notify::new()));
//!     let consumer = ringio::spawn({
//!         let state = state.clone();
//!         async move {
//!             loop {
//!                 let notified = state.1.notified();
//!                 if let Some(item) = state.0.lock().await.pop() {
//!                     return item;
//!                 }
//!                 notified.await; // cond.wait()
//!             }
//!         }
//!     });
//!     state.0.lock().await.push(7);
//!     state.1.notify_one(); // cond.notify()
//!     assert_eq!(consumer.await.unwrap(), 7);
//!
//!     // Queue(maxsize=8)
//!     let (mut queue, mut items) = ringio::sync::channel::<u32>(8);
//!     queue.send(1).await.unwrap(); // await queue.put(1)
//!     assert_eq!(items.next().await, Some(1)); // await queue.get()
//! });
//! ```
//!
//! # Streams: `start_server`, `open_connection`, `readline`, `readexactly`
//!
//! ```
//! use futures_util::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
//! use ringio::net::{TcpListener, TcpStream};
//!
//! ringio::run(async {
//!     // start_server: accept in a loop, one task per connection.
//!     let listener = TcpListener::bind("127.0.0.1:0").unwrap();
//!     let addr = listener.local_addr().unwrap();
//!     drop(ringio::spawn(async move {
//!         let (stream, _) = listener.accept().await.unwrap();
//!         let mut reader = BufReader::new(stream);
//!         let mut line = String::new();
//!         reader.read_line(&mut line).await.unwrap(); // await reader.readline()
//!         let mut four = [0u8; 4];
//!         reader.read_exact(&mut four).await.unwrap(); // await reader.readexactly(4)
//!         let reply = format!("{}|{}", line.trim(), String::from_utf8_lossy(&four));
//!         let (written, _) = reader.into_inner().write_all(reply).await; // writer.write()
//!         written.unwrap();
//!     })); // the stream closes when the task ends
//!
//!     // open_connection
//!     let mut stream = TcpStream::connect(addr).await.unwrap();
//!     let (written, _) = stream.write_all(&b"hello\nabcd"[..]).await;
//!     written.unwrap();
//!     let mut reply = String::new();
//!     AsyncReadExt::read_to_string(&mut stream, &mut reply).await.unwrap();
//!     assert_eq!(reply, "hello|abcd");
//! });
//! ```
//!
//! The owned-buffer methods are the direct route (no copy through an
//! internal buffer): `let (n, buf) = stream.read(buf).await;`.
//!
//! # `create_subprocess_exec`
//!
//! ```
//! use ringio::process::{Command, Stdio};
//!
//! ringio::run(async {
//!     let output = Command::new("echo").arg("hi").output().await.unwrap();
//!     assert!(output.status.success());
//!     assert_eq!(output.stdout, b"hi\n");
//!
//!     let mut child = Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
//!     let stdin = child.stdin.take().unwrap();
//!     let (written, _) = stdin.write_all(b"through cat".to_vec()).await;
//!     written.unwrap();
//!     drop(stdin); // EOF for cat
//!     let output = child.wait_with_output().await.unwrap();
//!     assert_eq!(output.stdout, b"through cat");
//! });
//! ```
//!
//! # `add_signal_handler`
//!
//! ```no_run
//! use ringio::signal::unix::{signal, SignalKind};
//!
//! ringio::run(async {
//!     let mut hangup = signal(SignalKind::hangup()).unwrap();
//!     drop(ringio::spawn(async move {
//!         while hangup.recv().await.is_some() {
//!             println!("reloading the configuration");
//!         }
//!     }));
//!     ringio::signal::ctrl_c().await.unwrap(); // until Ctrl-C
//! });
//! ```
//!
//! # More cores: a `Pool` instead of `multiprocessing`
//!
//! One runtime per core, each with its own listener on the same port
//! (`SO_REUSEPORT`): the kernel spreads the connections.
//!
//! ```
//! let per_worker = ringio::Pool::new(2)
//!     .run(|worker| async move {
//!         // Each worker is a whole asyncio-style loop of its own.
//!         ringio::spawn(async move { worker.index() * 100 }).await.unwrap()
//!     })
//!     .unwrap();
//! assert_eq!(per_worker, [0, 100]);
//! ```
