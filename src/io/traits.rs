//! [`OwnedRead`] and [`OwnedWrite`]: the owned-buffer methods of ringio's
//! streams as traits.

use crate::buf::{BufResult, IoBuf, IoBufMut};
use std::future::Future;
use std::io;

/// The owned-buffer reads of a stream: implemented by
/// [`TcpStream`](crate::net::TcpStream), [`UnixStream`](crate::net::UnixStream)
/// and [`OwnedReadHalf`](crate::net::OwnedReadHalf), whose inherent methods
/// of the same names these delegate to (same semantics, errors and cancel
/// safety).
///
/// The methods take `&self`, so one task may read while another writes. The
/// returned futures need not be `Send` (ringio's are not: each runtime is
/// one thread), so generic code spawns them with [`spawn`](crate::spawn),
/// not onto a multi-threaded executor.
///
/// The trait is not sealed: a wrapper around a ringio stream (one that
/// counts bytes, say) may implement it. The inherent methods take
/// precedence in method-call syntax on a concrete type; generic code and
/// `OwnedRead::read(&stream, buf)` reach the trait's.
///
/// # Examples
///
/// ```no_run
/// use ringio::io::OwnedRead;
///
/// /// Reads until EOF; returns the byte count.
/// async fn drain(reader: &impl OwnedRead) -> std::io::Result<usize> {
///     let mut total = 0;
///     let mut buf = Vec::with_capacity(16 * 1024);
///     loop {
///         let (n, b) = reader.read(buf).await;
///         match n? {
///             0 => return Ok(total),
///             n => total += n,
///         }
///         buf = b;
///     }
/// }
///
/// ringio::run(async {
///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
///     println!("{} bytes", drain(&stream).await.unwrap());
/// });
/// ```
pub trait OwnedRead {
    /// Receives into `buf` (from its start, up to its capacity); 0 means the
    /// peer closed its side (EOF). See
    /// [`TcpStream::read`](crate::net::TcpStream::read).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use ringio::io::OwnedRead;
    ///
    /// ringio::run(async {
    ///     let (a, b) = ringio::net::UnixStream::pair().unwrap();
    ///     let (res, _) = a.write_all(b"hi".to_vec()).await;
    ///     res.unwrap();
    ///     let (n, buf) = OwnedRead::read(&b, Vec::with_capacity(64)).await;
    ///     assert_eq!(&buf[..n.unwrap()], b"hi");
    /// });
    /// ```
    fn read<B: IoBufMut>(&self, buf: B) -> impl Future<Output = BufResult<usize, B>>;

    /// Receives into `bufs` in order, each from its start up to its
    /// capacity; returns the total (0 = EOF). See
    /// [`TcpStream::readv`](crate::net::TcpStream::readv).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use ringio::io::OwnedRead;
    ///
    /// ringio::run(async {
    ///     let (a, b) = ringio::net::UnixStream::pair().unwrap();
    ///     let (res, _) = a.write_all(b"header+body".to_vec()).await;
    ///     res.unwrap();
    ///     let bufs = vec![Vec::with_capacity(7), Vec::with_capacity(64)];
    ///     let (n, bufs) = OwnedRead::readv(&b, bufs).await;
    ///     assert_eq!(bufs[0].len() + bufs[1].len(), n.unwrap());
    /// });
    /// ```
    fn readv<B: IoBufMut>(&self, bufs: Vec<B>) -> impl Future<Output = BufResult<usize, Vec<B>>>;
}

/// The owned-buffer writes of a stream: implemented by
/// [`TcpStream`](crate::net::TcpStream), [`UnixStream`](crate::net::UnixStream)
/// and [`OwnedWriteHalf`](crate::net::OwnedWriteHalf), whose inherent
/// methods these delegate to (same semantics, errors and cancel safety).
///
/// As for [`OwnedRead`]: the methods take `&self`, the futures need not be
/// `Send`, and the trait is open to wrappers.
///
/// # Examples
///
/// ```no_run
/// use ringio::io::OwnedWrite;
///
/// /// Sends `reply`, then the end of the stream.
/// async fn answer(writer: &impl OwnedWrite, reply: Vec<u8>) -> std::io::Result<()> {
///     let (res, _reply) = writer.write_all(reply).await;
///     res?;
///     writer.shutdown().await
/// }
///
/// ringio::run(async {
///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
///     answer(&stream, b"bye".to_vec()).await.unwrap();
/// });
/// ```
pub trait OwnedWrite {
    /// Sends `buf`'s initialized bytes; returns how many were sent (possibly
    /// fewer). See [`TcpStream::write`](crate::net::TcpStream::write).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use ringio::io::OwnedWrite;
    ///
    /// ringio::run(async {
    ///     let (a, _b) = ringio::net::UnixStream::pair().unwrap();
    ///     let (n, _buf) = OwnedWrite::write(&a, b"hi".to_vec()).await;
    ///     assert!(n.unwrap() <= 2);
    /// });
    /// ```
    fn write<B: IoBuf>(&self, buf: B) -> impl Future<Output = BufResult<usize, B>>;

    /// Sends all of `buf`'s initialized bytes, looping over short sends. See
    /// [`TcpStream::write_all`](crate::net::TcpStream::write_all).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use ringio::io::OwnedWrite;
    ///
    /// ringio::run(async {
    ///     let (a, _b) = ringio::net::UnixStream::pair().unwrap();
    ///     let (res, _buf) = OwnedWrite::write_all(&a, vec![7u8; 1024]).await;
    ///     res.unwrap();
    /// });
    /// ```
    fn write_all<B: IoBuf>(&self, buf: B) -> impl Future<Output = BufResult<(), B>>;

    /// Sends the initialized bytes of `bufs` in order; returns how many were
    /// sent (possibly fewer). See
    /// [`TcpStream::writev`](crate::net::TcpStream::writev).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use ringio::io::OwnedWrite;
    ///
    /// ringio::run(async {
    ///     let (a, _b) = ringio::net::UnixStream::pair().unwrap();
    ///     let bufs = vec![b"len: 5\n".to_vec(), b"hello".to_vec()];
    ///     let (n, _bufs) = OwnedWrite::writev(&a, bufs).await;
    ///     assert!(n.unwrap() <= 12);
    /// });
    /// ```
    fn writev<B: IoBuf>(&self, bufs: Vec<B>) -> impl Future<Output = BufResult<usize, Vec<B>>>;

    /// Shuts down the write direction (the peer reads EOF): for a whole
    /// stream `shutdown(Shutdown::Write)`, for a write half its
    /// [`shutdown`](crate::net::OwnedWriteHalf::shutdown).
    ///
    /// # Errors
    ///
    /// `NotConnected`, or another OS error.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use ringio::io::OwnedWrite;
    ///
    /// ringio::run(async {
    ///     let (a, _b) = ringio::net::UnixStream::pair().unwrap();
    ///     OwnedWrite::shutdown(&a).await.unwrap();
    /// });
    /// ```
    fn shutdown(&self) -> impl Future<Output = io::Result<()>>;
}
