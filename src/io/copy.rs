//! [`copy`] and [`copy_bidirectional`]: stream to stream through one owned
//! buffer per direction.

use super::{OwnedRead, OwnedWrite};
use std::io;

/// The buffer each direction reads into and writes from.
const COPY_BUF: usize = 64 * 1024;

/// Reads from `reader` until EOF and writes every chunk to `writer`;
/// returns the number of bytes copied. Each chunk is read into a 64 KiB
/// owned buffer and that same buffer is written (`write_all`): no copy
/// between buffers. `writer` is left open (see [`copy_bidirectional`] for a
/// copy that shuts it down).
///
/// # Errors
///
/// The first read or write error.
///
/// # Cancel safety
///
/// Not cancel-safe: a drop loses how far the copy got, and a chunk read but
/// not yet written is lost. Each read and write in it follows the rules of
/// the stream's own methods.
///
/// # Examples
///
/// ```no_run
/// ringio::run(async {
///     let upstream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
///     let (local, _) = ringio::net::UnixStream::pair().unwrap();
///     let n = ringio::io::copy(&upstream, &local).await.unwrap();
///     println!("{n} bytes");
/// });
/// ```
pub async fn copy<R, W>(reader: &R, writer: &W) -> io::Result<u64>
where
    R: OwnedRead + ?Sized,
    W: OwnedWrite + ?Sized,
{
    let mut buf = Vec::with_capacity(COPY_BUF);
    let mut total = 0u64;
    loop {
        let (res, filled) = reader.read(buf).await;
        let n = res?;
        if n == 0 {
            return Ok(total);
        }
        let (res, written) = writer.write_all(filled).await;
        res?;
        total += n as u64;
        buf = written;
    }
}

/// Copies `a` to `b` and `b` to `a` at once, each direction until its EOF,
/// then shuts down the write direction of the side it was writing to (so
/// that peer reads EOF too). Returns the bytes copied `a` → `b` and `b` →
/// `a`. Each direction reads into its own 64 KiB owned buffer and writes
/// that buffer on, as [`copy`].
///
/// A shutdown that finds the other side no longer connected (its peer left)
/// counts as done.
///
/// # Errors
///
/// The first error of either direction: it ends both (the other
/// direction's operations are cancelled) and is returned.
///
/// # Cancel safety
///
/// Not cancel-safe, as [`copy`]: a drop ends both directions and loses how
/// far they got.
///
/// # Examples
///
/// A TCP proxy: each client is relayed to the upstream server.
///
/// ```no_run
/// use ringio::net::{TcpListener, TcpStream};
///
/// ringio::run(async {
///     let listener = TcpListener::bind("127.0.0.1:8000").unwrap();
///     loop {
///         let (client, _) = listener.accept().await.unwrap();
///         // Detached: the task relays until both sides are done.
///         drop(ringio::spawn(async move {
///             let upstream = TcpStream::connect("127.0.0.1:7000").await?;
///             let (up, down) = ringio::io::copy_bidirectional(&client, &upstream).await?;
///             println!("{up} bytes up, {down} bytes down");
///             std::io::Result::Ok(())
///         }));
///     }
/// });
/// ```
pub async fn copy_bidirectional<A, B>(a: &A, b: &B) -> io::Result<(u64, u64)>
where
    A: OwnedRead + OwnedWrite + ?Sized,
    B: OwnedRead + OwnedWrite + ?Sized,
{
    futures_util::future::try_join(copy_and_shutdown(a, b), copy_and_shutdown(b, a)).await
}

/// [`copy`], then `writer.shutdown()` (`NotConnected` counting as done).
async fn copy_and_shutdown<R, W>(reader: &R, writer: &W) -> io::Result<u64>
where
    R: OwnedRead + ?Sized,
    W: OwnedWrite + ?Sized,
{
    let n = copy(reader, writer).await?;
    match writer.shutdown().await {
        Err(e) if e.kind() != io::ErrorKind::NotConnected => Err(e),
        _ => Ok(n),
    }
}
