//! hyper 1.x on ringio (feature `hyper`): the I/O, executor and timer
//! traits hyper's connections need.
//!
//! - [`HyperIo`] wraps a ringio stream ([`TcpStream`](crate::net::TcpStream),
//!   [`UnixStream`](crate::net::UnixStream), or a split half) as
//!   `hyper::rt::Read` + `hyper::rt::Write`. Reads go through the stream's
//!   internal owned buffer, one copy into hyper's buffer (never zeroing it);
//!   a write is copied in and its send started at once, so a response
//!   reaches the socket without a flush.
//! - [`HyperExecutor`] spawns hyper's background futures (HTTP/2
//!   connection tasks) as local ringio tasks: `!Send` futures welcome.
//! - [`HyperTimer`] makes hyper's sleeps entries in the runtime's timer
//!   queue (no submission entry, no system call); resetting one to a later
//!   deadline, as hyper does per request, touches no queue at all.
//!
//! Everything here is used on the runtime's thread: serve each connection
//! from a task spawned on it.
//!
//! # Examples
//!
//! ```no_run
//! use http_body_util::Full;
//! use hyper::body::Bytes;
//! use hyper::server::conn::http1;
//! use hyper::service::service_fn;
//! use ringio::hyper::{HyperIo, HyperTimer};
//!
//! ringio::run(async {
//!     let listener = ringio::net::TcpListener::bind("127.0.0.1:8080").unwrap();
//!     loop {
//!         let (stream, _) = listener.accept().await.unwrap();
//!         drop(ringio::spawn(async move {
//!             let service = service_fn(|_req| async {
//!                 Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(Bytes::from("hello"))))
//!             });
//!             let _ = http1::Builder::new()
//!                 .timer(HyperTimer::new())
//!                 .serve_connection(HyperIo::new(stream), service)
//!                 .await;
//!         }));
//!     }
//! });
//! ```

mod executor;
mod io;
mod timer;

pub use executor::HyperExecutor;
pub use io::HyperIo;
pub use timer::{HyperSleep, HyperTimer};
