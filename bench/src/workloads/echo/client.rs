//! The two echo load generators behind one name, so the benches and
//! `compare` run the same pair: [`Client::Ring`] ([`ring_client`], one
//! ringio ring driving every connection) and [`Client::Epoll`]
//! ([`epoll_client`], one tokio current-thread runtime driving every
//! connection), with the same protocol.

use super::{epoll_client, ring_client, LoadReport};
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

/// An echo load generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Client {
    /// One ringio ring ([`ring_client`]).
    Ring,
    /// One tokio current-thread runtime, on epoll ([`epoll_client`]).
    Epoll,
}

/// Both clients, in the order their measurements run.
pub const CLIENTS: [Client; 2] = [Client::Ring, Client::Epoll];

impl Client {
    /// Its name in a table: "ring client" or "epoll client".
    pub fn label(self) -> &'static str {
        match self {
            Client::Ring => "ring client",
            Client::Epoll => "epoll client",
        }
    }

    /// One word for filters: "ring" or "epoll".
    pub fn short(self) -> &'static str {
        match self {
            Client::Ring => "ring",
            Client::Epoll => "epoll",
        }
    }

    /// Runs this client's ping-pong load (`connections` connections,
    /// `size`-byte messages, for `duration`) against `addr` on the calling
    /// thread; `server_cpu` reads the server's CPU clock when the measured
    /// time starts and when it ends.
    ///
    /// # Errors
    ///
    /// When the epoll client's runtime cannot be built; connection failures
    /// are counted in the report.
    pub fn load(
        self,
        addr: SocketAddr,
        connections: usize,
        size: usize,
        duration: Duration,
        server_cpu: &mut dyn FnMut() -> Duration,
    ) -> io::Result<LoadReport> {
        match self {
            Client::Ring => Ok(ring_client::run_load_observed(
                addr,
                connections,
                size,
                duration,
                server_cpu,
            )),
            Client::Epoll => epoll_client::run_load(addr, connections, size, duration, server_cpu),
        }
    }
}
