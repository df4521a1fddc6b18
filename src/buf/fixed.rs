//! [`FixedBufPool`] and [`FixedBuf`]: buffers registered with the ring
//! once, so each read or write through one skips the kernel's mapping and
//! pinning of user memory (`IORING_OP_READ_FIXED` / `WRITE_FIXED`).

use super::{IoBuf, IoBufMut};
use crate::driver::fixed_bufs::FixedBufRegistration;
use crate::runtime::context;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// A pool of buffers registered with the current runtime's ring: `count`
/// buffers of `size` bytes in one page-aligned allocation, for
/// [`File::read_fixed_at`](crate::fs::File::read_fixed_at),
/// [`File::write_fixed_at`](crate::fs::File::write_fixed_at),
/// [`TcpStream::read_fixed`](crate::net::TcpStream::read_fixed) and
/// [`TcpStream::write_fixed`](crate::net::TcpStream::write_fixed).
///
/// The kernel maps a registered buffer's pages once, at registration,
/// instead of on every operation; that matters most for `O_DIRECT` file
/// I/O. Buffer `i` starts `i × size` bytes after a page boundary, so for
/// `O_DIRECT` choose a `size` that is a multiple of the device's block
/// size.
///
/// Cloning gives another handle to the same pool. A buffer taken with
/// [`try_get`](FixedBufPool::try_get) or [`get`](FixedBufPool::get) goes
/// back to the pool when dropped. The registration ends once the last
/// handle *and* the last buffer are gone, so a buffer still in an operation
/// keeps its memory registered until the kernel is done with it.
///
/// Registration needs Linux 5.19 (a sparse buffer table). On the epoll
/// driver, or a kernel without fixed buffers, the pool is plain memory and
/// its buffers go through the plain read and write operations: the same
/// code runs everywhere.
///
/// # Examples
///
/// ```no_run
/// use ringio::buf::FixedBufPool;
///
/// ringio::run(async {
///     let pool = FixedBufPool::new(8, 4096).unwrap();
///     let file = ringio::fs::File::open("Cargo.toml").await.unwrap();
///     let buf = pool.get().await;
///     let (n, buf) = file.read_fixed_at(buf, 0).await;
///     println!("{:?}", &buf[..n.unwrap()]);
/// });
/// ```
#[derive(Clone)]
pub struct FixedBufPool {
    shared: Rc<Shared>,
}

/// What the pool's handles and buffers share.
struct Shared {
    registration: FixedBufRegistration,
    /// Buffers in the pool, lowest index last (taken first).
    free: RefCell<Vec<u16>>,
    /// Callers of `get` waiting for a buffer, oldest first.
    waiters: RefCell<VecDeque<Rc<Waiter>>>,
}

/// One `get` waiting: a returned buffer is handed straight to it.
#[derive(Default)]
struct Waiter {
    waker: Cell<Option<Waker>>,
    handed: Cell<Option<u16>>,
}

impl FixedBufPool {
    /// Allocates `count` zeroed buffers of `size` bytes and registers them
    /// with the current runtime's ring.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for `count` or `size` 0, `size` over 1 GiB, or
    /// `count` over 16,384 (the kernel's limit on registered buffers, shared
    /// by all pools of a runtime); `OutOfMemory` when the runtime's other
    /// pools leave too few slots; an error naming `RLIMIT_MEMLOCK` when the
    /// kernel refuses to pin that much memory (raise it with `ulimit -l`).
    ///
    /// # Panics
    ///
    /// Panics when called outside a ringio runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringio::buf::FixedBufPool;
    ///
    /// ringio::run(async {
    ///     let pool = FixedBufPool::new(4, 4096).unwrap();
    ///     assert_eq!(pool.buf_size(), 4096);
    ///     let err = FixedBufPool::new(0, 4096).unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// });
    /// ```
    pub fn new(count: usize, size: usize) -> io::Result<FixedBufPool> {
        let registration = context::with_driver(|driver| driver.register_fixed_bufs(count, size))?;
        let free = (0..registration.count()).rev().collect();
        Ok(FixedBufPool {
            shared: Rc::new(Shared {
                registration,
                free: RefCell::new(free),
                waiters: RefCell::default(),
            }),
        })
    }

    /// A buffer from the pool, or `None` if all are out. It starts empty
    /// (length 0); its bytes past the length hold what its last use left.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let pool = ringio::buf::FixedBufPool::new(1, 512).unwrap();
    ///     let buf = pool.try_get().unwrap();
    ///     assert!(pool.try_get().is_none(), "the only buffer is out");
    ///     drop(buf);
    ///     assert!(pool.try_get().is_some());
    /// });
    /// ```
    pub fn try_get(&self) -> Option<FixedBuf> {
        let index = self.shared.free.borrow_mut().pop()?;
        Some(FixedBuf::new(self.shared.clone(), index))
    }

    /// A buffer from the pool, waiting until one is returned if all are
    /// out. Waiters are served in the order they asked.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a dropped `get` takes no buffer (one handed to it in
    /// the meantime goes to the next waiter, or back to the pool).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let pool = ringio::buf::FixedBufPool::new(1, 512).unwrap();
    ///     let first = pool.get().await;
    ///     let other = pool.clone();
    ///     let waiter = ringio::spawn(async move { other.get().await.capacity() });
    ///     ringio::yield_now().await;
    ///     drop(first); // wakes the waiter
    ///     assert_eq!(waiter.await.unwrap(), 512);
    /// });
    /// ```
    pub async fn get(&self) -> FixedBuf {
        match self.try_get() {
            Some(buf) => buf,
            None => {
                Get {
                    shared: self.shared.clone(),
                    waiter: None,
                }
                .await
            }
        }
    }

    /// The size of each buffer, in bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let pool = ringio::buf::FixedBufPool::new(2, 8192).unwrap();
    ///     assert_eq!(pool.buf_size(), 8192);
    /// });
    /// ```
    pub fn buf_size(&self) -> usize {
        self.shared.registration.size()
    }
}

impl fmt::Debug for FixedBufPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FixedBufPool")
            .field("registration", &self.shared.registration)
            .field("free", &self.shared.free.borrow().len())
            .finish()
    }
}

impl Shared {
    /// Takes buffer `index` back: to the oldest waiter, else into the pool.
    fn give_back(&self, index: u16) {
        let waiter = self.waiters.borrow_mut().pop_front();
        match waiter {
            Some(waiter) => {
                waiter.handed.set(Some(index));
                if let Some(waker) = waiter.waker.take() {
                    waker.wake();
                }
            }
            None => self.free.borrow_mut().push(index),
        }
    }
}

/// [`FixedBufPool::get`] once the pool is empty: queued until a buffer is
/// handed to it.
struct Get {
    shared: Rc<Shared>,
    waiter: Option<Rc<Waiter>>,
}

impl Future for Get {
    type Output = FixedBuf;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<FixedBuf> {
        let this = &mut *self;
        let Some(waiter) = &this.waiter else {
            if let Some(index) = this.shared.free.borrow_mut().pop() {
                return Poll::Ready(FixedBuf::new(this.shared.clone(), index));
            }
            let waiter = Rc::new(Waiter::default());
            waiter.waker.set(Some(cx.waker().clone()));
            this.shared.waiters.borrow_mut().push_back(waiter.clone());
            this.waiter = Some(waiter);
            return Poll::Pending;
        };
        match waiter.handed.take() {
            Some(index) => {
                this.waiter = None;
                Poll::Ready(FixedBuf::new(this.shared.clone(), index))
            }
            None => {
                waiter.waker.set(Some(cx.waker().clone()));
                Poll::Pending
            }
        }
    }
}

impl Drop for Get {
    fn drop(&mut self) {
        let Some(waiter) = self.waiter.take() else {
            return;
        };
        match waiter.handed.take() {
            Some(index) => self.shared.give_back(index),
            None => self
                .shared
                .waiters
                .borrow_mut()
                .retain(|queued| !Rc::ptr_eq(queued, &waiter)),
        }
    }
}

/// A buffer of a [`FixedBufPool`], registered with the ring of the runtime
/// that made the pool; back in the pool when dropped.
///
/// Its bytes up to its length (`len()`, through `Deref`) are the
/// data: what a read filled in, or what a write sends. It is an
/// [`IoBuf`] and an [`IoBufMut`], so the plain operations take it too.
/// Every byte of its memory is initialized (the pool's memory starts
/// zeroed), so [`set_len`](FixedBuf::set_len) is safe.
///
/// # Examples
///
/// ```
/// ringio::run(async {
///     let pool = ringio::buf::FixedBufPool::new(1, 16).unwrap();
///     let mut buf = pool.try_get().unwrap();
///     buf.extend_from_slice(b"hello");
///     assert_eq!(&buf[..], b"hello");
///     buf[0] = b'j';
///     assert_eq!(&buf[..], b"jello");
///     buf.clear();
///     assert!(buf.is_empty());
/// });
/// ```
pub struct FixedBuf {
    shared: Rc<Shared>,
    index: u16,
    len: usize,
}

impl FixedBuf {
    fn new(shared: Rc<Shared>, index: u16) -> FixedBuf {
        FixedBuf {
            shared,
            index,
            len: 0,
        }
    }

    /// How many bytes the buffer holds at most (the pool's buffer size).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let pool = ringio::buf::FixedBufPool::new(1, 4096).unwrap();
    ///     assert_eq!(pool.try_get().unwrap().capacity(), 4096);
    /// });
    /// ```
    pub fn capacity(&self) -> usize {
        self.shared.registration.size()
    }

    /// Sets the length: the first `len` bytes become the data (bytes past
    /// the old length hold what the buffer's last use left, or zeros).
    ///
    /// # Panics
    ///
    /// Panics if `len` exceeds the capacity.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let pool = ringio::buf::FixedBufPool::new(1, 64).unwrap();
    ///     let mut buf = pool.try_get().unwrap();
    ///     buf.set_len(64);
    ///     assert_eq!(buf.len(), 64);
    /// });
    /// ```
    pub fn set_len(&mut self, len: usize) {
        assert!(
            len <= self.capacity(),
            "length {len} past the fixed buffer's capacity {}",
            self.capacity()
        );
        self.len = len;
    }

    /// Appends `bytes` after the data.
    ///
    /// # Panics
    ///
    /// Panics if they do not fit in the capacity.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let pool = ringio::buf::FixedBufPool::new(1, 64).unwrap();
    ///     let mut buf = pool.try_get().unwrap();
    ///     buf.extend_from_slice(b"ab");
    ///     buf.extend_from_slice(b"cd");
    ///     assert_eq!(&buf[..], b"abcd");
    /// });
    /// ```
    pub fn extend_from_slice(&mut self, bytes: &[u8]) {
        let start = self.len;
        self.set_len(start + bytes.len());
        self[start..].copy_from_slice(bytes);
    }

    /// Sets the length to 0.
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let pool = ringio::buf::FixedBufPool::new(1, 64).unwrap();
    ///     let mut buf = pool.try_get().unwrap();
    ///     buf.extend_from_slice(b"ab");
    ///     buf.clear();
    ///     assert_eq!(buf.len(), 0);
    /// });
    /// ```
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The buffer's slot in the ring's registered-buffer table (the
    /// `buf_index` of its `READ_FIXED`/`WRITE_FIXED` entries); `None` for
    /// plain memory (the epoll driver, or a kernel without fixed buffers).
    ///
    /// # Examples
    ///
    /// ```
    /// ringio::run(async {
    ///     let pool = ringio::buf::FixedBufPool::new(2, 64).unwrap();
    ///     let buf = pool.try_get().unwrap();
    ///     if ringio::driver_kind() == ringio::DriverKind::Epoll {
    ///         assert_eq!(buf.buf_index(), None);
    ///     }
    /// });
    /// ```
    pub fn buf_index(&self) -> Option<u16> {
        self.shared.registration.buf_index(self.index)
    }

    /// The table slot for an operation on the runtime whose driver is
    /// `runtime` (`None`: plain memory, use a plain operation).
    pub(crate) fn buf_index_on(&self, runtime: usize) -> io::Result<Option<u16>> {
        if self.shared.registration.runtime_id() != runtime {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "this FixedBuf belongs to a FixedBufPool of another runtime: a buffer is \
                 registered with the ring of the runtime that made its pool, and only \
                 that runtime's operations may use it",
            ));
        }
        Ok(self.buf_index())
    }

    fn ptr(&self) -> *mut u8 {
        self.shared.registration.buf_ptr(self.index)
    }
}

impl Drop for FixedBuf {
    fn drop(&mut self) {
        self.shared.give_back(self.index);
    }
}

impl std::ops::Deref for FixedBuf {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        // SAFETY: the buffer is `capacity()` initialized bytes of the pool's
        // memory, alive while `self` holds the pool; `len <= capacity()`.
        // Nothing else reaches this buffer while `self` exists: the pool
        // hands each index to one `FixedBuf` at a time, and the kernel
        // writes it only while an operation owns `self`.
        unsafe { std::slice::from_raw_parts(self.ptr(), self.len) }
    }
}

impl std::ops::DerefMut for FixedBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `deref`, and `&mut self` makes this the only view.
        unsafe { std::slice::from_raw_parts_mut(self.ptr(), self.len) }
    }
}

impl fmt::Debug for FixedBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FixedBuf")
            .field("len", &self.len)
            .field("capacity", &self.capacity())
            .field("buf_index", &self.buf_index())
            .finish()
    }
}

// SAFETY: the pointer is the buffer's start in the pool's memory, which
// does not move and stays allocated while `self` holds the pool; `len`
// bytes are initialized (all of them are).
unsafe impl IoBuf for FixedBuf {
    fn stable_ptr(&self) -> *const u8 {
        self.ptr()
    }

    fn bytes_init(&self) -> usize {
        self.len
    }

    fn bytes_total(&self) -> usize {
        self.capacity()
    }
}

// SAFETY: as for `IoBuf`; the buffer is `capacity()` bytes long.
unsafe impl IoBufMut for FixedBuf {
    fn stable_mut_ptr(&mut self) -> *mut u8 {
        self.ptr()
    }

    unsafe fn set_init(&mut self, n: usize) {
        self.len = n;
    }
}
