//! [`RecvBuf`]: bytes a multishot receive handed over, in a buffer of the
//! driver's provided-buffer pool or in a fresh `Vec`.

use super::IoBuf;
use crate::driver::buf_ring::BufRing;
use std::rc::Rc;

/// Bytes received into a buffer the runtime owns (a provided buffer of the
/// ring's pool, returned to it on drop), or into a fresh `Vec` where no pool
/// buffer was free. Read it through `Deref`, or send it on: it is an
/// [`IoBuf`], so `write_all(recv_buf)` sends it without a copy.
///
/// # Examples
///
/// ```no_run
/// use futures_util::StreamExt;
///
/// ringio::run(async {
///     let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
///     let mut chunks = stream.recv_multishot();
///     while let Some(chunk) = chunks.next().await {
///         let chunk: ringio::net::RecvBuf = chunk.unwrap();
///         println!("{} bytes: {:?}", chunk.len(), &chunk[..]);
///     }
/// });
/// ```
pub struct RecvBuf {
    inner: Inner,
}

enum Inner {
    Pooled {
        ring: Rc<BufRing>,
        bid: u16,
        len: usize,
    },
    Owned(Vec<u8>),
}

impl RecvBuf {
    pub(crate) fn pooled(ring: Rc<BufRing>, bid: u16, len: usize) -> RecvBuf {
        debug_assert!(len <= ring.buf_size() as usize);
        RecvBuf {
            inner: Inner::Pooled { ring, bid, len },
        }
    }

    pub(crate) fn owned(buf: Vec<u8>) -> RecvBuf {
        RecvBuf {
            inner: Inner::Owned(buf),
        }
    }

    /// Copies the bytes into a `Vec` (a pooled buffer goes back to the pool).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use futures_util::StreamExt;
    /// # ringio::run(async {
    /// # let stream = ringio::net::TcpStream::connect("127.0.0.1:7000").await.unwrap();
    /// let chunk = stream.recv_multishot().next().await.unwrap().unwrap();
    /// let bytes: Vec<u8> = chunk.into_vec();
    /// # drop(bytes);
    /// # });
    /// ```
    pub fn into_vec(mut self) -> Vec<u8> {
        match &mut self.inner {
            Inner::Owned(v) => std::mem::take(v),
            Inner::Pooled { .. } => self.to_vec(),
        }
    }
}

impl std::ops::Deref for RecvBuf {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &self.inner {
            Inner::Owned(v) => v,
            Inner::Pooled { ring, bid, len } => {
                // SAFETY: the kernel filled the first `len` bytes of buffer
                // `bid` and gave it to us with the completion; it is not in
                // the ring again until `self` drops, so nothing writes it.
                unsafe { std::slice::from_raw_parts(ring.buf_ptr(*bid), *len) }
            }
        }
    }
}

impl Drop for RecvBuf {
    fn drop(&mut self) {
        if let Inner::Pooled { ring, bid, .. } = &self.inner {
            ring.provide(*bid);
        }
    }
}

impl std::fmt::Debug for RecvBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecvBuf")
            .field("len", &self.len())
            .field("pooled", &matches!(self.inner, Inner::Pooled { .. }))
            .finish()
    }
}

// SAFETY: the pointer is a pooled buffer's start (stable: the pool's memory
// never moves and the buffer is not handed to the kernel while `self`
// exists) or a `Vec`'s heap block; `len` bytes are initialized.
unsafe impl IoBuf for RecvBuf {
    fn stable_ptr(&self) -> *const u8 {
        match &self.inner {
            Inner::Owned(v) => v.as_ptr(),
            Inner::Pooled { ring, bid, .. } => ring.buf_ptr(*bid),
        }
    }

    fn bytes_init(&self) -> usize {
        self.len()
    }

    fn bytes_total(&self) -> usize {
        self.len()
    }
}
