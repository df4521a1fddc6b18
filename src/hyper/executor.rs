//! [`HyperExecutor`]: hyper's background futures as local ringio tasks.

use std::future::Future;

/// Spawns the futures hyper hands it (an HTTP/2 connection's tasks) on the
/// current thread's ringio runtime, detached. They need not be `Send`.
///
/// # Panics
///
/// `execute` panics when no ringio runtime runs on the calling thread.
///
/// # Examples
///
/// ```no_run
/// use ringio::hyper::{HyperExecutor, HyperIo};
///
/// ringio::run(async {
///     let stream = ringio::net::TcpStream::connect("127.0.0.1:8080").await.unwrap();
///     let (mut sender, conn) =
///         hyper::client::conn::http2::handshake::<_, _, String>(HyperExecutor::new(), HyperIo::new(stream))
///             .await
///             .unwrap();
///     drop(ringio::spawn(conn));
///     let response = sender.send_request(hyper::Request::new(String::new())).await.unwrap();
///     println!("{}", response.status());
/// });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct HyperExecutor {
    _private: (),
}

impl HyperExecutor {
    /// An executor for the current thread's runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// let _executor = ringio::hyper::HyperExecutor::new();
    /// ```
    pub fn new() -> HyperExecutor {
        HyperExecutor::default()
    }
}

impl<F> ::hyper::rt::Executor<F> for HyperExecutor
where
    F: Future + 'static,
    F::Output: 'static,
{
    fn execute(&self, future: F) {
        drop(crate::spawn(future));
    }
}
