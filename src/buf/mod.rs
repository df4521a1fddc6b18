//! Owned buffers for completion-based I/O.
//!
//! An io_uring operation reads into or writes from memory while the kernel
//! holds it, possibly after the future that started it was dropped. ringio
//! therefore takes buffers *by value*: an operation owns its buffer until the
//! kernel's completion arrives, then hands it back beside the result as a
//! [`BufResult`]. A dropped operation keeps the buffer alive until the kernel
//! is done with it, so the kernel never writes into freed memory.
//!
//! [`IoBuf`] is a buffer the kernel may read from (writes, sends), and
//! [`IoBufMut`] one it may write into (reads, receives). Both are implemented
//! for `Vec<u8>`, `Box<[u8]>`, `&'static [u8]`, `&'static str` (read-only),
//! and `String` (read-only); [`IoBuf::slice`] restricts an operation to a
//! sub-range while keeping ownership.
//! [`FixedBufPool`] hands out [`FixedBuf`]s, buffers registered with the
//! ring for the `*_fixed` reads and writes.
//!
//! One read or write uses at most the first `u32::MAX` bytes of a buffer
//! (an io_uring entry's length is 32 bits): a larger one gives a short read
//! or write.
//!
//! ```
//! use ringio::buf::IoBuf;
//!
//! let buf = vec![1u8, 2, 3, 4];
//! let middle = buf.slice(1..3);
//! assert_eq!(&middle[..], &[2, 3]);
//! let buf: Vec<u8> = middle.into_inner();
//! assert_eq!(buf.len(), 4);
//! ```

mod fixed;
mod io_buf;
mod io_buf_mut;
mod recv_buf;
mod slice;

pub use fixed::{FixedBuf, FixedBufPool};
pub use io_buf::IoBuf;
pub use io_buf_mut::IoBufMut;
pub use recv_buf::RecvBuf;
pub use slice::Slice;

/// The result of an operation that took ownership of a buffer: the I/O result
/// and the buffer, handed back whether the operation succeeded or not.
///
/// # Examples
///
/// ```
/// fn bytes_read(res: ringio::BufResult<usize, Vec<u8>>) -> usize {
///     let (n, _buf) = res;
///     n.unwrap_or(0)
/// }
/// assert_eq!(bytes_read((Ok(3), vec![0; 3])), 3);
/// ```
pub type BufResult<T, B> = (std::io::Result<T>, B);
