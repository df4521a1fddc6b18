//! [`Slice`]: an owned view of a sub-range of a buffer.

use super::{IoBuf, IoBufMut};
use std::ops;

/// An owned sub-range `begin..end` of a buffer, made by [`IoBuf::slice`].
///
/// An operation on a `Slice` reads or writes only inside the range; the whole
/// buffer comes back through [`Slice::into_inner`].
///
/// # Examples
///
/// ```
/// use ringio::buf::IoBuf;
///
/// let slice = vec![0u8; 8].slice(2..6);
/// assert_eq!((slice.begin(), slice.end()), (2, 6));
/// assert_eq!(slice.into_inner().len(), 8);
/// ```
#[derive(Debug)]
pub struct Slice<B> {
    buf: B,
    begin: usize,
    end: usize,
}

impl<B: IoBuf> Slice<B> {
    pub(super) fn new(buf: B, begin: usize, end: usize) -> Self {
        Slice { buf, begin, end }
    }

    /// Offset of the range's start in the underlying buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::buf::IoBuf;
    ///
    /// assert_eq!(vec![0u8; 4].slice(1..).begin(), 1);
    /// ```
    pub fn begin(&self) -> usize {
        self.begin
    }

    /// Offset one past the range's end in the underlying buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::buf::IoBuf;
    ///
    /// assert_eq!(vec![0u8; 4].slice(..3).end(), 3);
    /// ```
    pub fn end(&self) -> usize {
        self.end
    }

    /// A reference to the underlying buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::buf::IoBuf;
    ///
    /// let slice = vec![7u8; 4].slice(1..2);
    /// assert_eq!(slice.get_ref().len(), 4);
    /// ```
    pub fn get_ref(&self) -> &B {
        &self.buf
    }

    /// Gives back the underlying buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::buf::IoBuf;
    ///
    /// let buf = vec![1u8, 2, 3].slice(1..).into_inner();
    /// assert_eq!(buf, [1, 2, 3]);
    /// ```
    pub fn into_inner(self) -> B {
        self.buf
    }

    fn init_end(&self) -> usize {
        self.buf.bytes_init().clamp(self.begin, self.end)
    }
}

impl<B: IoBuf> ops::Deref for Slice<B> {
    type Target = [u8];

    /// The initialized bytes inside the range.
    fn deref(&self) -> &[u8] {
        let len = self.init_end() - self.begin;
        if len == 0 {
            return &[];
        }
        // SAFETY: `begin..init_end` lies inside the buffer's initialized
        // prefix (IoBuf contract), which stays valid while `self` is borrowed.
        unsafe { std::slice::from_raw_parts(self.buf.stable_ptr().add(self.begin), len) }
    }
}

impl<B: IoBufMut> ops::DerefMut for Slice<B> {
    /// The initialized bytes inside the range, writable.
    ///
    /// ```
    /// use ringio::buf::IoBuf;
    ///
    /// let mut middle = vec![0u8; 4].slice(1..3);
    /// middle.copy_from_slice(b"ab");
    /// assert_eq!(middle.into_inner(), b"\0ab\0");
    /// ```
    fn deref_mut(&mut self) -> &mut [u8] {
        let len = self.init_end() - self.begin;
        if len == 0 {
            return &mut [];
        }
        // SAFETY: as for `deref`; `&mut self` makes the access exclusive, and
        // an `IoBufMut` may be written through its stable pointer.
        unsafe { std::slice::from_raw_parts_mut(self.buf.stable_mut_ptr().add(self.begin), len) }
    }
}

// SAFETY: the pointer is the underlying buffer's stable pointer offset by
// `begin <= bytes_total()`, so it inherits that buffer's stability.
unsafe impl<B: IoBuf> IoBuf for Slice<B> {
    fn stable_ptr(&self) -> *const u8 {
        self.buf.stable_ptr().wrapping_add(self.begin)
    }
    fn bytes_init(&self) -> usize {
        self.init_end() - self.begin
    }
    fn bytes_total(&self) -> usize {
        self.end - self.begin
    }
}

// SAFETY: as above; writes stay inside `begin..end`, within the buffer.
unsafe impl<B: IoBufMut> IoBufMut for Slice<B> {
    fn stable_mut_ptr(&mut self) -> *mut u8 {
        self.buf.stable_mut_ptr().wrapping_add(self.begin)
    }

    unsafe fn set_init(&mut self, n: usize) {
        let init = self.begin + n;
        let before = self.buf.bytes_init();
        // Only a write that starts inside (or right at the end of) the
        // initialized prefix may extend it: a gap would expose uninitialized
        // bytes.
        if before >= self.begin && before < init {
            // SAFETY: `0..begin` was already initialized (checked above) and the
            // caller vouches for `begin..begin + n`.
            unsafe { self.buf.set_init(init) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_bounds_and_deref() {
        let s = b"abcdef".to_vec().slice(1..=3);
        assert_eq!(&s[..], b"bcd");
        assert_eq!(s.bytes_total(), 3);
        let s = vec![1u8, 2].slice(..);
        assert_eq!(&s[..], &[1, 2]);
    }

    #[test]
    #[should_panic(expected = "past the buffer's capacity")]
    fn slice_past_capacity_panics() {
        let _ = Vec::<u8>::with_capacity(4).slice(0..100);
    }
}
