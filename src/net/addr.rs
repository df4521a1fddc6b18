//! Socket addresses for connects, sends and binds: [`ToSocketAddrs`] (numeric
//! forms are parsed inline, names are looked up with `getaddrinfo(3)`) and
//! [`lookup_host`] (names resolved on the blocking pool, off the ring).

use std::any::Any;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// What ringio's connects and sends take as an address: the types std's
/// [`ToSocketAddrs`](std::net::ToSocketAddrs) takes, and nothing else (the
/// trait is sealed).
///
/// Numeric forms ([`SocketAddr`], `(IpAddr, u16)`, `"1.2.3.4:80"`,
/// `"[::1]:80"`, `("127.0.0.1", 80)`, a slice of addresses) are parsed
/// inline. A name (`"localhost:80"`, `("example.com", 443)`) is looked up
/// with `getaddrinfo(3)`: on the blocking pool by the async methods
/// ([`TcpStream::connect`](crate::net::TcpStream::connect),
/// [`UdpSocket::send_to`](crate::net::UdpSocket::send_to),
/// [`UdpSocket::connect`](crate::net::UdpSocket::connect)), so a slow
/// resolver never stalls the ring; on the calling thread by the synchronous
/// binds.
///
/// # Examples
///
/// ```
/// use ringio::net::{TcpListener, TcpStream};
///
/// ringio::run(async {
///     let listener = TcpListener::bind("127.0.0.1:0").unwrap();
///     let port = listener.local_addr().unwrap().port();
///     // A name, looked up off the ring, then connected to.
///     let stream = TcpStream::connect(("localhost", port)).await.unwrap();
///     assert_eq!(stream.peer_addr().unwrap().port(), port);
/// });
/// ```
pub trait ToSocketAddrs: sealed::Resolve {}

pub(crate) mod sealed {
    use super::{Addrs, Name};

    /// An address argument, split into what needs no lookup and what does.
    #[derive(Debug)]
    pub enum Resolved {
        /// Numeric: the addresses themselves.
        Ready(Addrs),
        /// A name to look up, owned so it can travel to the blocking pool.
        Lookup(Name),
    }

    /// The part of [`ToSocketAddrs`](super::ToSocketAddrs) outside code
    /// cannot name, which keeps the trait sealed.
    pub trait Resolve {
        /// The addresses, when numeric; the name to look up otherwise.
        fn resolve(&self) -> Resolved;
    }
}

use sealed::{Resolve, Resolved};

/// The addresses an argument stands for, in order.
#[derive(Debug)]
pub struct Addrs(AddrsInner);

#[derive(Debug)]
enum AddrsInner {
    One(Option<SocketAddr>),
    Many(std::vec::IntoIter<SocketAddr>),
}

impl Addrs {
    fn one(addr: SocketAddr) -> Addrs {
        Addrs(AddrsInner::One(Some(addr)))
    }

    fn many(addrs: Vec<SocketAddr>) -> Addrs {
        Addrs(AddrsInner::Many(addrs.into_iter()))
    }

    fn is_empty(&self) -> bool {
        match &self.0 {
            AddrsInner::One(addr) => addr.is_none(),
            AddrsInner::Many(addrs) => addrs.len() == 0,
        }
    }
}

impl Iterator for Addrs {
    type Item = SocketAddr;

    fn next(&mut self) -> Option<SocketAddr> {
        match &mut self.0 {
            AddrsInner::One(addr) => addr.take(),
            AddrsInner::Many(addrs) => addrs.next(),
        }
    }
}

/// A host name (with its port) to look up.
#[derive(Debug, Clone)]
pub enum Name {
    /// `"host:port"`.
    HostPort(String),
    /// `(host, port)`.
    Pair(String, u16),
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Name::HostPort(s) => f.write_str(s),
            Name::Pair(host, port) => write!(f, "{host}:{port}"),
        }
    }
}

impl Name {
    /// Looks the name up with `getaddrinfo(3)` on this thread.
    fn lookup(&self) -> io::Result<Vec<SocketAddr>> {
        use std::net::ToSocketAddrs as _;
        let found = match self {
            Name::HostPort(s) => s.as_str().to_socket_addrs(),
            Name::Pair(host, port) => (host.as_str(), *port).to_socket_addrs(),
        };
        let addrs: Vec<SocketAddr> = found.map_err(|e| self.error(e))?.collect();
        if addrs.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("`{self}` resolved to no address"),
            ));
        }
        Ok(addrs)
    }

    fn error(&self, e: io::Error) -> io::Error {
        io::Error::new(e.kind(), format!("failed to look up `{self}`: {e}"))
    }

    /// Looks the name up on the blocking pool.
    async fn lookup_off_ring(self) -> io::Result<Vec<SocketAddr>> {
        let shown = self.to_string();
        off_ring(move || self.lookup())
            .await
            .map_err(|e| io::Error::other(format!("failed to look up `{shown}`: {e}")))?
    }
}

/// Most lookups on the blocking pool at once, process-wide; more wait
/// their turn. The pool starts a thread per job it has no idle thread for,
/// on the thread that hands it the job: a thousand lookups at once would
/// otherwise stall that ring while hundreds of threads start, for lookups
/// a few cores cannot run in parallel anyway.
const MAX_LOOKUPS: usize = 16;

/// Runs the lookup `f` on the blocking pool, at most [`MAX_LOOKUPS`] at once.
async fn off_ring<R: Send + 'static>(
    f: impl FnOnce() -> R + Send + 'static,
) -> Result<R, crate::JoinError> {
    static LOOKUPS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_LOOKUPS);
    // The semaphore is never closed, so acquiring cannot fail; a permit
    // is held by the pool job, so a dropped future keeps the count right.
    let permit = LOOKUPS.acquire().await.ok();
    crate::spawn_blocking(move || {
        let value = f();
        drop(permit);
        value
    })
    .await
}

/// A `host` that parses as an IP address, with `port`; otherwise the pair
/// is a name (std's rule for `(&str, u16)`).
fn pair(host: &str, port: u16) -> Resolved {
    match host.parse::<IpAddr>() {
        Ok(ip) => Resolved::Ready(Addrs::one(SocketAddr::new(ip, port))),
        Err(_) => Resolved::Lookup(Name::Pair(host.to_owned(), port)),
    }
}

/// A string that parses as a socket address; otherwise a `"host:port"` name.
fn host_port(s: &str) -> Resolved {
    match s.parse::<SocketAddr>() {
        Ok(addr) => Resolved::Ready(Addrs::one(addr)),
        Err(_) => Resolved::Lookup(Name::HostPort(s.to_owned())),
    }
}

macro_rules! numeric {
    ($($ty:ty),* $(,)?) => {$(
        impl ToSocketAddrs for $ty {}
        impl Resolve for $ty {
            fn resolve(&self) -> Resolved {
                Resolved::Ready(Addrs::one(SocketAddr::from(*self)))
            }
        }
    )*};
}

numeric!(
    SocketAddr,
    SocketAddrV4,
    SocketAddrV6,
    (IpAddr, u16),
    (Ipv4Addr, u16),
    (Ipv6Addr, u16),
);

impl ToSocketAddrs for (&str, u16) {}
impl Resolve for (&str, u16) {
    fn resolve(&self) -> Resolved {
        pair(self.0, self.1)
    }
}

impl ToSocketAddrs for (String, u16) {}
impl Resolve for (String, u16) {
    fn resolve(&self) -> Resolved {
        pair(&self.0, self.1)
    }
}

impl ToSocketAddrs for str {}
impl Resolve for str {
    fn resolve(&self) -> Resolved {
        host_port(self)
    }
}

impl ToSocketAddrs for String {}
impl Resolve for String {
    fn resolve(&self) -> Resolved {
        host_port(self)
    }
}

impl ToSocketAddrs for &[SocketAddr] {}
impl Resolve for &[SocketAddr] {
    fn resolve(&self) -> Resolved {
        Resolved::Ready(Addrs::many(self.to_vec()))
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}
impl<T: Resolve + ?Sized> Resolve for &T {
    fn resolve(&self) -> Resolved {
        (**self).resolve()
    }
}

/// The addresses `addr` stands for, a name looked up on the blocking pool.
pub(crate) async fn resolve(addr: &(impl ToSocketAddrs + ?Sized)) -> io::Result<Addrs> {
    let addrs = match addr.resolve() {
        Resolved::Ready(addrs) => addrs,
        Resolved::Lookup(name) => Addrs::many(name.lookup_off_ring().await?),
    };
    non_empty(addrs)
}

/// The addresses `addr` stands for, a name looked up on this thread.
pub(crate) fn resolve_here(addr: &(impl ToSocketAddrs + ?Sized)) -> io::Result<Addrs> {
    let addrs = match addr.resolve() {
        Resolved::Ready(addrs) => addrs,
        Resolved::Lookup(name) => Addrs::many(name.lookup()?),
    };
    non_empty(addrs)
}

fn non_empty(addrs: Addrs) -> io::Result<Addrs> {
    if addrs.is_empty() {
        return Err(no_address());
    }
    Ok(addrs)
}

/// The error for an address argument that stands for no address.
pub(crate) fn no_address() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "no socket address was given")
}

/// The numeric form or the name of `host` when it is one of std's address
/// types; `None` for any other type.
fn known(host: &dyn Any) -> Option<Resolved> {
    macro_rules! try_as {
        ($($ty:ty),*) => {$(
            if let Some(host) = host.downcast_ref::<$ty>() {
                return Some(host.resolve());
            }
        )*};
    }
    try_as!(
        SocketAddr,
        SocketAddrV4,
        SocketAddrV6,
        (IpAddr, u16),
        (Ipv4Addr, u16),
        (Ipv6Addr, u16),
        &'static str,
        String,
        (&'static str, u16),
        (String, u16),
        &'static [SocketAddr]
    );
    None
}

/// Resolves `host` to its socket addresses with `getaddrinfo(3)` on the
/// blocking pool ([`spawn_blocking`](crate::spawn_blocking)), so the ring
/// keeps serving other tasks while a resolver is slow. Numeric forms of
/// std's address types (`"1.2.3.4:80"`, `"[::1]:80"`, `("10.0.0.1", 80)`,
/// [`SocketAddr`]) are parsed inline, with no thread hop.
///
/// # Errors
///
/// A name that does not resolve: an error naming it (`failed to look up
/// `host:port`: ...`, with the resolver's kind); `InvalidInput` when the
/// lookup yields no address or the string has no port.
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     let addrs: Vec<_> = ringio::net::lookup_host("localhost:80").await.unwrap().collect();
///     assert!(addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 80));
/// });
/// ```
pub async fn lookup_host<T>(host: T) -> io::Result<std::vec::IntoIter<SocketAddr>>
where
    T: std::net::ToSocketAddrs + Send + 'static,
{
    let addrs = match known(&host) {
        Some(Resolved::Ready(addrs)) => addrs.collect(),
        Some(Resolved::Lookup(name)) => name.lookup_off_ring().await?,
        None => off_ring(move || {
            host.to_socket_addrs()
                .map(Iterator::collect::<Vec<SocketAddr>>)
        })
        .await
        .map_err(|e| io::Error::other(format!("failed to look up an address: {e}")))??,
    };
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the lookup resolved to no address",
        ));
    }
    Ok(addrs.into_iter())
}

/// Tries `f` on each address `addr` stands for (a name looked up on this
/// thread); the last error if none works.
pub(crate) fn each_addr_here<T>(
    addr: &(impl ToSocketAddrs + ?Sized),
    mut f: impl FnMut(SocketAddr) -> io::Result<T>,
) -> io::Result<T> {
    let mut last = None;
    for addr in resolve_here(addr)? {
        match f(addr) {
            Ok(value) => return Ok(value),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(no_address))
}

/// `bind(2)`'s error, naming the address.
pub(crate) fn bind_error(addr: SocketAddr, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("could not bind to {addr}: {e}"))
}

/// The IP address of a socket address the kernel returned (a local or peer
/// address of an IP socket).
pub(crate) fn sock_addr(addr: socket2::SockAddr) -> io::Result<SocketAddr> {
    addr.as_socket()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "not an IP socket address"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready(r: Resolved) -> Vec<SocketAddr> {
        match r {
            Resolved::Ready(addrs) => addrs.collect(),
            Resolved::Lookup(name) => panic!("`{name}` would be looked up"),
        }
    }

    fn lookup(r: Resolved) -> String {
        match r {
            Resolved::Ready(addrs) => panic!("parsed inline: {:?}", addrs.collect::<Vec<_>>()),
            Resolved::Lookup(name) => name.to_string(),
        }
    }

    #[test]
    fn numeric_forms_need_no_lookup() {
        let v4: SocketAddr = "1.2.3.4:80".parse().unwrap();
        let v6: SocketAddr = "[::1]:80".parse().unwrap();
        assert_eq!(ready(v4.resolve()), [v4]);
        assert_eq!(ready("1.2.3.4:80".resolve()), [v4]);
        assert_eq!(ready("[::1]:80".to_string().resolve()), [v6]);
        assert_eq!(ready(("1.2.3.4", 80).resolve()), [v4]);
        assert_eq!(ready(("::1".to_string(), 80).resolve()), [v6]);
        assert_eq!(ready((v4.ip(), 80).resolve()), [v4]);
        assert_eq!(ready((Ipv6Addr::LOCALHOST, 80).resolve()), [v6]);
        assert_eq!(ready((&[v4, v6][..]).resolve()), [v4, v6]);
        assert_eq!(ready((&&v6).resolve()), [v6]);
        assert_eq!(ready(known(&"1.2.3.4:80").unwrap()), [v4]);
        assert_eq!(ready(known(&(String::from("::1"), 80u16)).unwrap()), [v6]);
    }

    #[test]
    fn names_are_looked_up() {
        assert_eq!(lookup("localhost:80".resolve()), "localhost:80");
        assert_eq!(lookup(("example.com", 443).resolve()), "example.com:443");
        assert_eq!(lookup(known(&"localhost:80").unwrap()), "localhost:80");
        assert!(known(&vec![1u8]).is_none());
    }

    #[test]
    fn an_unresolvable_name_is_named_in_the_error() {
        let err = Name::HostPort("nosuch.invalid:80".into())
            .lookup()
            .unwrap_err();
        assert!(err.to_string().contains("`nosuch.invalid:80`"), "{err}");
        let err = resolve_here(&(&[][..] as &[SocketAddr])).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
