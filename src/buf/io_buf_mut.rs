//! [`IoBufMut`]: a buffer the kernel may write into.

use super::IoBuf;

/// An owned buffer the kernel may write into, from its start up to
/// `bytes_total()`.
///
/// After an operation writes `n` bytes at the start of the buffer, the runtime
/// calls [`set_init(n)`](IoBufMut::set_init): for a `Vec<u8>` its length becomes
/// exactly `n`, so a reused buffer never shows stale bytes.
///
/// # Safety
///
/// While the runtime owns the buffer, `stable_mut_ptr()` must keep returning the
/// same pointer, valid for writes of `bytes_total()` bytes, even if the value is
/// moved.
///
/// The runtime calls these methods while it writes the operation's entry
/// into the ring: they must not start ringio operations of their own (that
/// panics). If one panics, the operation is not started and its buffer is
/// dropped.
///
/// # Examples
///
/// ```
/// use ringio::buf::{IoBuf, IoBufMut};
///
/// let mut buf = Vec::<u8>::with_capacity(16);
/// assert_eq!(buf.bytes_total(), 16);
/// let _ptr = buf.stable_mut_ptr();
/// ```
pub unsafe trait IoBufMut: IoBuf {
    /// A pointer to the first byte, stable and writable while the runtime owns
    /// the buffer.
    fn stable_mut_ptr(&mut self) -> *mut u8;

    /// Records that the first `n` bytes now hold data written by the kernel.
    ///
    /// # Safety
    ///
    /// The first `n` bytes must be initialized, and `n <= bytes_total()`.
    unsafe fn set_init(&mut self, n: usize);
}

// SAFETY: the Vec's heap block is `capacity()` bytes long and does not move
// while it is not resized.
unsafe impl IoBufMut for Vec<u8> {
    fn stable_mut_ptr(&mut self) -> *mut u8 {
        self.as_mut_ptr()
    }

    unsafe fn set_init(&mut self, n: usize) {
        // SAFETY: the caller promises `n <= capacity()` and that the first `n`
        // bytes are initialized.
        unsafe { self.set_len(n) };
    }
}

// SAFETY: a boxed slice's heap block is `len()` bytes long and never moves.
unsafe impl IoBufMut for Box<[u8]> {
    fn stable_mut_ptr(&mut self) -> *mut u8 {
        self.as_mut_ptr()
    }

    unsafe fn set_init(&mut self, _n: usize) {
        // A boxed slice is always fully initialized: nothing to record.
    }
}
