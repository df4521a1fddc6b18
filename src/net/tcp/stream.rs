//! [`TcpStream`]: connect, send and receive through the ring.

use crate::buf::{BufResult, IoBuf, IoBufMut};
use crate::cancel::{cancellable, Cancellable};
use crate::fd::SharedFd;
use crate::fs::File;
use crate::net::addr::sock_addr;
use crate::net::addr::{no_address, resolve};
use crate::net::poll_io::{PollRead, PollWrite};
use crate::net::recv_stream::RecvStream;
use crate::net::socket_io::SocketIo;
use crate::net::split::{split, OwnedReadHalf, OwnedWriteHalf, SplitStream};
use crate::net::ToSocketAddrs;
use crate::op::connect::Connect;
use crate::op::Op;
use socket2::{Domain, Protocol, SockRef, Socket, Type};
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::time::Duration;

/// A TCP connection. All I/O methods take `&self` and owned buffers.
///
/// # Examples
///
/// ```no_run
/// use ringio::net::TcpStream;
///
/// ringio::run(async {
///     let stream = TcpStream::connect("127.0.0.1:7000").await.unwrap();
///     let (res, _) = stream.write_all(b"hello".to_vec()).await;
///     res.unwrap();
///     let (n, reply) = stream.read(vec![0u8; 64]).await;
///     println!("{:?}", &reply[..n.unwrap()]);
/// });
/// ```
///
/// It also implements futures-io's [`AsyncRead`](futures_util::io::AsyncRead)
/// and [`AsyncWrite`](futures_util::io::AsyncWrite) (through
/// an internal buffer: one copy) for codecs written against those traits.
/// Bytes the adapter has buffered are seen only through the adapter. With
/// feature `tokio-io` it implements tokio's `AsyncRead` and `AsyncWrite` too,
/// over the same buffer and cancel-safe like the futures-io ones (a dropped
/// poll loses no byte). [`OwnedRead`](crate::io::OwnedRead) and
/// [`OwnedWrite`](crate::io::OwnedWrite) give its owned-buffer methods to
/// generic code.
///
/// Options ringio does not wrap are reachable through its fd
/// ([`AsFd`]), e.g. with `socket2::SockRef::from(&stream)`.
pub struct TcpStream {
    io: SocketIo,
    reader: PollRead,
    writer: PollWrite,
}

impl std::fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpStream")
            .field("fd", &self.io.fd.raw())
            .field("local_addr", &self.local_addr().ok())
            .field("peer_addr", &self.peer_addr().ok())
            .finish()
    }
}

impl TcpStream {
    pub(crate) fn from_owned_fd(fd: OwnedFd) -> TcpStream {
        TcpStream::from_shared(SharedFd::new(fd))
    }

    fn from_shared(fd: SharedFd) -> TcpStream {
        TcpStream {
            io: SocketIo::new(fd),
            reader: PollRead::default(),
            writer: PollWrite::default(),
        }
    }

    /// Connects to `addr` (`IORING_OP_CONNECT`), trying each address it
    /// stands for in turn. A numeric address is parsed inline; a name is
    /// resolved on the blocking pool first (see
    /// [`ToSocketAddrs`](crate::net::ToSocketAddrs)).
    ///
    /// # Errors
    ///
    /// `ConnectionRefused` when nothing listens, `TimedOut`, or another OS
    /// error (the last address's); a name that does not resolve, named;
    /// `InvalidInput` if `addr` stands for no address.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, no connection is attempted.
    /// Dropped after, the connection may have been made; either way the socket
    /// closes with the future. Dropped during a name's lookup, the lookup
    /// finishes on its pool thread and its result is dropped. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     # drop(stream);
    /// });
    /// ```
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        let mut last = None;
        for addr in resolve(&addr).await? {
            let socket = match TcpStream::socket_for(addr) {
                Ok(socket) => socket,
                Err(e) => {
                    last = Some(e);
                    continue;
                }
            };
            match TcpStream::connect_with(socket, addr).await {
                Ok(stream) => return Ok(stream),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(no_address))
    }

    fn socket_for(addr: SocketAddr) -> io::Result<Socket> {
        Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
    }

    /// Connects `socket` to `addr` through the ring.
    pub(crate) async fn connect_with(socket: Socket, addr: SocketAddr) -> io::Result<TcpStream> {
        let fd = SharedFd::new(OwnedFd::from(socket));
        Op::submit(Connect::new(fd.clone(), addr.into())).await?;
        Ok(TcpStream::from_shared(fd))
    }

    /// Receives into `buf` (from its start, up to its capacity); 0 means the
    /// peer closed its side (EOF).
    ///
    /// # Errors
    ///
    /// `ConnectionReset` when the peer reset the connection, or another OS
    /// error.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, the receive never starts and the
    /// socket keeps its bytes. Dropped after, it may have completed: the bytes
    /// it received are consumed and lost. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let (n, buf) = stream.read(Vec::with_capacity(4096)).await;
    ///     assert_eq!(buf.len(), n.unwrap());
    /// });
    /// ```
    pub fn read<B: IoBufMut>(&self, buf: B) -> impl Cancellable<Output = BufResult<usize, B>> + '_ {
        cancellable(async move { self.io.read(buf).await })
    }

    /// Receives into `buf` like [`read`](TcpStream::read), but leaves the
    /// bytes queued (`MSG_PEEK`): the next read returns them again. Waits
    /// until there is at least one byte (or EOF: 0). Bytes the futures-io
    /// adapter has already taken in are not seen.
    ///
    /// # Errors
    ///
    /// As [`read`](TcpStream::read).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a peek consumes nothing, so dropping it at any point
    /// loses no byte. See [the crate docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let (n, peeked) = stream.peek(Vec::with_capacity(4)).await;
    ///     let n = n.unwrap();
    ///     let (m, read) = stream.read(Vec::with_capacity(n)).await;
    ///     assert_eq!(&read[..m.unwrap()], &peeked[..n]);
    /// });
    /// ```
    pub fn peek<B: IoBufMut>(&self, buf: B) -> impl Cancellable<Output = BufResult<usize, B>> + '_ {
        cancellable(async move { self.io.peek(buf).await })
    }

    /// Sends `buf`'s initialized bytes; returns how many were sent (possibly
    /// fewer).
    ///
    /// # Errors
    ///
    /// `BrokenPipe` when the peer is gone (never a SIGPIPE), or another OS
    /// error.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, nothing is sent. Dropped after,
    /// some or all of the bytes may have been sent. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let (n, _buf) = stream.write(b"hi".to_vec()).await;
    ///     assert!(n.unwrap() <= 2);
    /// });
    /// ```
    pub fn write<B: IoBuf>(&self, buf: B) -> impl Cancellable<Output = BufResult<usize, B>> + '_ {
        cancellable(async move { self.io.write(buf).await })
    }

    /// Sends all of `buf`'s initialized bytes, looping over short sends.
    ///
    /// # Errors
    ///
    /// `WriteZero` if the socket takes no more bytes, or as
    /// [`write`](TcpStream::write).
    ///
    /// # Cancel safety
    ///
    /// Not cancel-safe as a whole: a drop loses how much was sent. Each send in
    /// it follows the rules of [`write`](TcpStream::write).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let (res, _buf) = stream.write_all(vec![0u8; 1 << 20]).await;
    ///     res.unwrap();
    /// });
    /// ```
    pub fn write_all<B: IoBuf>(&self, buf: B) -> impl Cancellable<Output = BufResult<(), B>> + '_ {
        cancellable(async move { self.io.write_all(buf).await })
    }

    /// Sends `buf`'s initialized bytes without copying them
    /// (`IORING_OP_SEND_ZC`): the kernel sends from `buf`'s pages, and the
    /// future resolves, handing `buf` back, only once the kernel's
    /// notification says it no longer reads them. Returns the bytes sent,
    /// which may be fewer than `buf` holds, as for [`write`](TcpStream::write).
    ///
    /// The kernel keeps the pages until the bytes have left the host (over
    /// loopback: until the receiver has read them), so the future may
    /// resolve well after the bytes are sent; a
    /// [`timeout`](crate::Cancellable::timeout) cancels the send but still
    /// waits for the kernel to let go. Worth it for large buffers (tens of
    /// KiB and up) to a real network device. Where the ring has no `SEND_ZC`
    /// (Linux before 6.0) and on the epoll driver, this is
    /// [`write`](TcpStream::write).
    ///
    /// # Errors
    ///
    /// As [`write`](TcpStream::write).
    ///
    /// # Cancel safety
    ///
    /// As [`write`](TcpStream::write): dropped before the runtime submits
    /// it, nothing is sent; dropped after, some or all of the bytes may have
    /// been sent (the buffer is kept until the kernel lets go of it).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let (n, buf) = stream.send_zc(vec![0u8; 1 << 20]).await;
    ///     println!("sent {} of {}", n.unwrap(), buf.len());
    /// });
    /// ```
    pub fn send_zc<B: IoBuf>(&self, buf: B) -> impl Cancellable<Output = BufResult<usize, B>> + '_ {
        cancellable(async move { self.io.send_zc(buf).await })
    }

    /// Receives into `bufs` in order (`IORING_OP_RECVMSG`), each from its
    /// start up to its capacity; returns the total (0 = EOF).
    ///
    /// # Errors
    ///
    /// As [`read`](TcpStream::read); `EMSGSIZE` for more than 1024 buffers.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, the receive never starts and the
    /// socket keeps its bytes. Dropped after, it may have completed: the bytes
    /// it received are consumed and lost. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let (n, bufs) = stream.readv(vec![vec![0u8; 4], vec![0u8; 4096]]).await;
    ///     assert_eq!(bufs[0].len() + bufs[1].len(), n.unwrap());
    /// });
    /// ```
    pub fn readv<B: IoBufMut>(
        &self,
        bufs: Vec<B>,
    ) -> impl Cancellable<Output = BufResult<usize, Vec<B>>> + '_ {
        cancellable(async move { self.io.readv(bufs).await })
    }

    /// Sends the initialized bytes of `bufs` in order (`IORING_OP_SENDMSG`,
    /// `MSG_NOSIGNAL`); returns how many were sent (possibly fewer).
    ///
    /// # Errors
    ///
    /// As [`write`](TcpStream::write).
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, nothing is sent. Dropped after,
    /// some or all of the bytes may have been sent. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let header = b"len: 5\n".to_vec();
    ///     let (n, _bufs) = stream.writev(vec![header, b"hello".to_vec()]).await;
    ///     assert!(n.unwrap() <= 12);
    /// });
    /// ```
    pub fn writev<B: IoBuf>(
        &self,
        bufs: Vec<B>,
    ) -> impl Cancellable<Output = BufResult<usize, Vec<B>>> + '_ {
        cancellable(async move { self.io.writev(bufs).await })
    }

    /// Sends `len` bytes of `file` from `offset` without copying them
    /// through user memory: the kernel splices them from the page cache
    /// into a pipe and from the pipe into the socket (`IORING_OP_SPLICE`,
    /// Linux 5.7: two linked entries per chunk of up to the pipe's size, 1
    /// MiB where the kernel allows it; the pipes are kept per runtime). The
    /// file's position is neither used nor moved. Returns the count sent:
    /// `len`, or less when the file ends first (0 from its end on); `len` 0
    /// returns 0 at once.
    ///
    /// Below 40 KiB of a regular file, and where the kernel has no
    /// `IORING_OP_SPLICE`, the bytes go through a buffer instead (a read,
    /// then a send, 64 KiB at a time), with the same results: for small
    /// responses that costs the kernel less than two splices (the
    /// crossover measured on loopback lies between 32 and 48 KiB). Under the epoll driver each chunk's file side is
    /// spliced on the blocking pool, its socket side on this thread.
    ///
    /// As with `sendfile(2)`, a splice into a socket whose peer is gone
    /// raises `SIGPIPE` unless the process ignores it (Rust programs do from
    /// the start; C code embedding ringio may need `signal(SIGPIPE,
    /// SIG_IGN)`).
    ///
    /// # Errors
    ///
    /// `InvalidInput`, naming it, for an offset past `i64::MAX`; the
    /// kernel's error for a file that cannot be spliced from (`EINVAL` for
    /// a directory, `ESPIPE` for a FIFO) or is not open for reading
    /// (`EBADF`); `ConnectionReset` or `BrokenPipe` when the peer is gone;
    /// `EMFILE` when no fd is left for a pipe.
    ///
    /// # Cancel safety
    ///
    /// Not cancel-safe: dropped midway, some of the bytes may have been
    /// sent, and how many is lost. The dropped call's pipe is closed once
    /// the kernel is done with it, never reused. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let file = ringio::fs::File::open("index.html").await.unwrap();
    ///     let len = file.metadata().await.unwrap().len() as usize;
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let sent = stream.send_file(&file, 0, len).await.unwrap();
    ///     assert!(sent <= len, "less only if the file shrank meanwhile");
    /// });
    /// ```
    pub async fn send_file(&self, file: &File, offset: u64, len: usize) -> io::Result<usize> {
        crate::io::send_file(&self.io.fd, file, offset, len).await
    }

    /// The bytes received from now on, as a stream of chunks in buffers of
    /// the runtime's pool (one multishot receive into provided buffers, Linux
    /// 6.0; plain receives on older kernels or when the pool is empty). Ends
    /// at EOF. A chunk can be sent on as it is (it is an `IoBuf`); dropping
    /// it returns its buffer to the pool.
    ///
    /// # Cancel safety
    ///
    /// A dropped `next()` loses nothing: the receive lives in the stream.
    /// Dropping the stream cancels the receive: bytes the kernel received for
    /// it that it has not yielded are lost. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    ///
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let mut total = 0;
    ///     let mut chunks = stream.recv_multishot();
    ///     while let Some(chunk) = chunks.next().await {
    ///         total += chunk.unwrap().len();
    ///     }
    ///     println!("{total} bytes until EOF");
    /// });
    /// ```
    pub fn recv_multishot(&self) -> RecvStream<'_> {
        self.io.recv_multishot()
    }

    /// Splits the stream into a read half and a write half, to read and
    /// write from two tasks at once. Dropping the write half shuts down the
    /// write direction; the socket closes when both halves are gone.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let (reader, writer) = stream.into_split();
    ///     let sender = ringio::spawn(async move {
    ///         let (res, _) = writer.write_all(vec![1u8; 1 << 20]).await;
    ///         res.unwrap();
    ///     });
    ///     let (n, _buf) = reader.read(vec![0u8; 4096]).await;
    ///     n.unwrap();
    ///     sender.await.unwrap();
    /// });
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf<TcpStream>, OwnedWriteHalf<TcpStream>) {
        let TcpStream { io, reader, writer } = self;
        split(TcpStream::from_shared(io.fd), reader, writer)
    }

    /// Shuts down the read, write or both halves (`IORING_OP_SHUTDOWN`);
    /// after `Shutdown::Write` the peer reads EOF.
    ///
    /// # Errors
    ///
    /// `NotConnected`, or another OS error.
    ///
    /// # Cancel safety
    ///
    /// Dropped before the runtime submits it, nothing is shut down. Dropped
    /// after, the shutdown may have been made. See [the crate
    /// docs](crate#cancellation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use std::net::Shutdown;
    ///
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     stream.shutdown(Shutdown::Write).await.unwrap();
    /// });
    /// ```
    pub async fn shutdown(&self, how: std::net::Shutdown) -> io::Result<()> {
        self.io.shutdown(how).await
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm).
    ///
    /// # Errors
    ///
    /// The OS error of `setsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     stream.set_nodelay(true).unwrap();
    ///     assert!(stream.nodelay().unwrap());
    /// });
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        SockRef::from(&self.io.fd).set_tcp_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    ///
    /// # Errors
    ///
    /// The OS error of `getsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let _ = stream.nodelay().unwrap();
    /// });
    /// ```
    pub fn nodelay(&self) -> io::Result<bool> {
        SockRef::from(&self.io.fd).tcp_nodelay()
    }

    /// Sets `SO_LINGER`: with `Some(t)`, dropping the stream waits up to `t`
    /// for unsent bytes to go out (`Some(Duration::ZERO)` resets the
    /// connection instead); `None` closes in the background (the default).
    /// The close runs on the thread that drops the stream's last handle, so
    /// a linger time can block that ring.
    ///
    /// # Errors
    ///
    /// The OS error of `setsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use std::time::Duration;
    ///
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     stream.set_linger(Some(Duration::ZERO)).unwrap();
    ///     assert_eq!(stream.linger().unwrap(), Some(Duration::ZERO));
    /// });
    /// ```
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        SockRef::from(&self.io.fd).set_linger(linger)
    }

    /// The `SO_LINGER` setting (see [`set_linger`](TcpStream::set_linger)).
    ///
    /// # Errors
    ///
    /// The OS error of `getsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     assert_eq!(stream.linger().unwrap(), None);
    /// });
    /// ```
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        SockRef::from(&self.io.fd).linger()
    }

    /// Sets the time-to-live of outgoing packets: `IP_TTL` on an IPv4
    /// socket, the hop limit (`IPV6_UNICAST_HOPS`) on an IPv6 one.
    ///
    /// # Errors
    ///
    /// `InvalidInput` (`EINVAL`) for a value above 255, or another OS error
    /// of `setsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     stream.set_ttl(32).unwrap();
    ///     assert_eq!(stream.ttl().unwrap(), 32);
    /// });
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        crate::net::sockopt::set_ttl(SockRef::from(&self.io.fd), ttl)
    }

    /// The time-to-live of outgoing packets (see
    /// [`set_ttl`](TcpStream::set_ttl)).
    ///
    /// # Errors
    ///
    /// The OS error of `getsockopt(2)`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     assert!(stream.ttl().unwrap() > 0);
    /// });
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        crate::net::sockopt::ttl(SockRef::from(&self.io.fd))
    }

    /// The local address of the connection.
    ///
    /// # Errors
    ///
    /// The OS error of `getsockname(2)`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     println!("{}", stream.local_addr().unwrap());
    /// });
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        sock_addr(SockRef::from(&self.io.fd).local_addr()?)
    }

    /// The peer's address.
    ///
    /// # Errors
    ///
    /// `NotConnected`, or another OS error of `getpeername(2)`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     assert_eq!(stream.peer_addr().unwrap().port(), 7000);
    /// });
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        sock_addr(SockRef::from(&self.io.fd).peer_addr()?)
    }

    /// Wraps a connected `std::net::TcpStream`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let std_stream = std::net::TcpStream::connect("127.0.0.1:7000").unwrap();
    /// let stream = ringio::net::TcpStream::from_std(std_stream);
    /// # drop(stream);
    /// ```
    pub fn from_std(stream: std::net::TcpStream) -> TcpStream {
        TcpStream::from_owned_fd(OwnedFd::from(stream))
    }

    /// Turns the stream into a `std::net::TcpStream` (in blocking mode, as
    /// std's are).
    ///
    /// Bytes the futures-io adapter holds are dropped: those it read ahead
    /// and those a `poll_write` took that no flush has sent (flush first). If
    /// an operation dropped earlier is still in flight, the std stream gets a
    /// duplicate of the fd (`dup`), and bytes that operation receives are
    /// lost.
    ///
    /// # Errors
    ///
    /// The OS error of `dup(2)` (`EMFILE`), when a duplicate is needed.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let listener = ringio::net::TcpListener::bind("127.0.0.1:0").unwrap();
    ///     let addr = listener.local_addr().unwrap();
    ///     let stream = ringio::net::TcpStream::connect(addr).await.unwrap();
    ///     let std_stream = stream.into_std().unwrap();
    ///     assert_eq!(std_stream.peer_addr().unwrap(), addr);
    /// });
    /// ```
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        let TcpStream { io, reader, writer } = self;
        drop((reader, writer));
        crate::net::into_owned_fd(io.fd).map(std::net::TcpStream::from)
    }

    /// Receives into `buf` (from its start, up to its capacity) through its
    /// registered slot (`IORING_OP_READ_FIXED` on the socket, offset -1:
    /// `RECV` takes no registered buffer); 0 means the peer closed its
    /// side. The bytes received become the buffer's length. Where the pool
    /// is plain memory (the epoll driver) it is a plain receive.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a buffer of another runtime's pool; as
    /// [`read`](TcpStream::read) otherwise.
    ///
    /// # Cancel safety
    ///
    /// As [`read`](TcpStream::read); a dropped receive keeps the buffer (and
    /// its registration) until the kernel is done with it.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let pool = ringio::buf::FixedBufPool::new(16, 16 * 1024).unwrap();
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let (n, buf) = stream.read_fixed(pool.get().await).await;
    ///     assert_eq!(buf.len(), n.unwrap());
    /// });
    /// ```
    pub fn read_fixed(
        &self,
        buf: crate::buf::FixedBuf,
    ) -> impl Cancellable<Output = BufResult<usize, crate::buf::FixedBuf>> + '_ {
        cancellable(async move { self.io.read_fixed(buf).await })
    }

    /// Sends `buf`'s bytes (up to its length) through its registered slot
    /// (`IORING_OP_WRITE_FIXED` on the socket); returns how many were sent
    /// (possibly fewer). Where the pool is plain memory (the epoll driver)
    /// it is a plain send.
    ///
    /// A write on a socket cannot carry `MSG_NOSIGNAL`: sending to a peer
    /// that is gone raises `SIGPIPE`, as `write(2)` does. Rust programs
    /// ignore `SIGPIPE` (the standard library sets it so before `main`), so
    /// there it is a `BrokenPipe` error, as for [`write`](TcpStream::write).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a buffer of another runtime's pool; as
    /// [`write`](TcpStream::write) otherwise.
    ///
    /// # Cancel safety
    ///
    /// As [`write`](TcpStream::write); a dropped send keeps the buffer
    /// until the kernel is done with it.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// ringio::run(async {
    ///     let pool = ringio::buf::FixedBufPool::new(16, 16 * 1024).unwrap();
    ///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    ///     let mut buf = pool.get().await;
    ///     buf.extend_from_slice(b"hello");
    ///     let (n, _buf) = stream.write_fixed(buf).await;
    ///     assert!(n.unwrap() <= 5);
    /// });
    /// ```
    pub fn write_fixed(
        &self,
        buf: crate::buf::FixedBuf,
    ) -> impl Cancellable<Output = BufResult<usize, crate::buf::FixedBuf>> + '_ {
        cancellable(async move { self.io.write_fixed(buf).await })
    }
}

impl AsRawFd for TcpStream {
    fn as_raw_fd(&self) -> RawFd {
        self.io.fd.raw()
    }
}

impl AsFd for TcpStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.fd.as_fd()
    }
}

impl SplitStream for TcpStream {
    fn socket(&self) -> &SocketIo {
        &self.io
    }
}

crate::net::poll_io::impl_async_io!(TcpStream);
