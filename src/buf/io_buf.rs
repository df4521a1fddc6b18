//! [`IoBuf`]: a buffer the kernel may read from.

use super::Slice;
use std::ops::{Bound, RangeBounds};

/// An owned buffer whose initialized bytes the kernel may read.
///
/// # Safety
///
/// While the runtime owns the buffer (from the operation's start until its
/// completion hands it back), `stable_ptr()` must keep returning the same
/// pointer, valid for reads of `bytes_init()` bytes, even if the value itself
/// is moved. Heap-backed buffers (`Vec`, `Box<[u8]>`, `String`) and `'static`
/// data satisfy this; a stack array would not.
///
/// The runtime calls these methods while it writes the operation's entry
/// into the ring: they must not start ringio operations of their own (that
/// panics). If one panics, the operation is not started and its buffer is
/// dropped.
///
/// # Examples
///
/// ```
/// use ringio::buf::IoBuf;
///
/// let buf = String::from("hello");
/// assert_eq!(buf.bytes_init(), 5);
/// assert!(buf.bytes_total() >= 5);
/// ```
pub unsafe trait IoBuf: Unpin + 'static {
    /// A pointer to the first byte, stable while the runtime owns the buffer.
    fn stable_ptr(&self) -> *const u8;

    /// How many bytes are initialized (for a `Vec<u8>`, its length).
    fn bytes_init(&self) -> usize;

    /// How many bytes the buffer can hold (for a `Vec<u8>`, its capacity).
    fn bytes_total(&self) -> usize;

    /// Restricts the buffer to `range`, keeping ownership of the whole.
    ///
    /// # Panics
    ///
    /// Panics if the range is decreasing or ends past `bytes_total()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::buf::IoBuf;
    ///
    /// let slice = b"hello world".to_vec().slice(6..);
    /// assert_eq!(&slice[..], b"world");
    /// ```
    fn slice(self, range: impl RangeBounds<usize>) -> Slice<Self>
    where
        Self: Sized,
    {
        let begin = match range.start_bound() {
            Bound::Included(&n) => n,
            Bound::Excluded(&n) => n + 1,
            Bound::Unbounded => 0,
        };
        let end = match range.end_bound() {
            Bound::Included(&n) => n + 1,
            Bound::Excluded(&n) => n,
            Bound::Unbounded => self.bytes_total(),
        };
        assert!(
            begin <= end,
            "slice range starts at {begin} but ends at {end}"
        );
        assert!(
            end <= self.bytes_total(),
            "slice range ends at {end} past the buffer's capacity {}",
            self.bytes_total()
        );
        Slice::new(self, begin, end)
    }
}

// SAFETY: a Vec's heap pointer does not change while it is not resized, and the
// runtime never resizes a buffer it owns.
unsafe impl IoBuf for Vec<u8> {
    fn stable_ptr(&self) -> *const u8 {
        self.as_ptr()
    }
    fn bytes_init(&self) -> usize {
        self.len()
    }
    fn bytes_total(&self) -> usize {
        self.capacity()
    }
}

// SAFETY: a boxed slice's heap pointer is fixed for its whole life.
unsafe impl IoBuf for Box<[u8]> {
    fn stable_ptr(&self) -> *const u8 {
        self.as_ptr()
    }
    fn bytes_init(&self) -> usize {
        self.len()
    }
    fn bytes_total(&self) -> usize {
        self.len()
    }
}

// SAFETY: 'static data never moves or goes away.
unsafe impl IoBuf for &'static [u8] {
    fn stable_ptr(&self) -> *const u8 {
        self.as_ptr()
    }
    fn bytes_init(&self) -> usize {
        self.len()
    }
    fn bytes_total(&self) -> usize {
        self.len()
    }
}

// SAFETY: 'static data never moves or goes away.
unsafe impl IoBuf for &'static str {
    fn stable_ptr(&self) -> *const u8 {
        self.as_ptr()
    }
    fn bytes_init(&self) -> usize {
        self.len()
    }
    fn bytes_total(&self) -> usize {
        self.len()
    }
}

// SAFETY: a String's heap pointer does not change while it is not resized, and
// the runtime never resizes a buffer it owns.
unsafe impl IoBuf for String {
    fn stable_ptr(&self) -> *const u8 {
        self.as_ptr()
    }
    fn bytes_init(&self) -> usize {
        self.len()
    }
    fn bytes_total(&self) -> usize {
        self.capacity()
    }
}
