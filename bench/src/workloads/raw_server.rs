//! A TCP server on one raw `io_uring` ring, with no runtime around it: the
//! limit a runtime's echo and HTTP servers can approach. No executor, no
//! tasks, no futures; one ring set up with `SINGLE_ISSUER | DEFER_TASKRUN`
//! (and `NO_SQARRAY` where the kernel has it), one `io_uring_enter` per pass
//! over the completion queue, one operation in flight per connection, and no
//! allocation per request.
//!
//! [`serve`] accepts with a multishot accept (a plain accept re-armed after
//! each connection on a kernel without it) and gives each connection one
//! owned 64 KiB buffer. A connection alternates between a receive and the
//! send of its answer ([`Protocol`]: the bytes received, or one canned HTTP
//! response per complete request); a receive that follows a short one (less
//! than it asked for) carries `IORING_RECVSEND_POLL_FIRST`, so the kernel
//! waits for data instead of trying a read that would find none. A
//! [`StopSignal`] (an eventfd the ring reads) ends the run: every connection
//! is shut down, every operation still in flight is waited for, and
//! [`serve`] returns its counters ([`RawStats`]).

use io_uring::cqueue::{self, CompletionQueue};
use io_uring::squeue::{self, SubmissionQueue};
use io_uring::{opcode, types, Submitter};
use std::io;
use std::net::TcpListener;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Arc;

/// Each connection's receive buffer.
const BUF: usize = 64 * 1024;
/// Submission queue entries: one operation per connection is pushed per
/// pass, and a full queue is submitted on the spot, so this bounds no
/// connection count.
const SQ_ENTRIES: u32 = 4096;
/// Completion queue entries: room for one completion each of ~16k
/// connections between two passes.
const CQ_ENTRIES: u32 = 16384;
/// `IORING_RECVSEND_POLL_FIRST`: the receive waits for readiness before it
/// tries to read.
const RECVSEND_POLL_FIRST: u16 = 1;

/// The kind of an operation, in the top byte of its `user_data`; the low
/// bits hold the connection's slot.
const KIND_SHIFT: u32 = 56;
const ACCEPT: u64 = 1;
const RECV: u64 = 2;
const SEND: u64 = 3;
const STOP: u64 = 4;
const CANCEL: u64 = 5;

fn user_data(kind: u64, slot: usize) -> u64 {
    kind << KIND_SHIFT | slot as u64
}

fn kind_of(user_data: u64) -> u64 {
    user_data >> KIND_SHIFT
}

fn slot_of(user_data: u64) -> usize {
    (user_data & ((1 << KIND_SHIFT) - 1)) as usize
}

/// What [`serve`] answers on each connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Write back every byte received (what the echo servers do).
    Echo,
    /// HTTP/1.1 keep-alive: each complete request (ending at `\r\n\r\n`;
    /// several when pipelined) in what was received is answered with
    /// `response`, in one send of that many copies back to back; an
    /// incomplete request is kept for the next receive. Requests carry no
    /// body (a `Content-Length` is not read), and one larger than the 64 KiB
    /// buffer closes the connection.
    Http {
        /// The whole response to every request: status line, headers, body.
        response: &'static [u8],
    },
}

/// Tells a running [`serve`] to stop: an eventfd the server's ring reads;
/// [`stop`](StopSignal::stop) writes 1 to it. Clones share the eventfd, so
/// one can go to the server's thread and one stay with the caller.
///
/// A signal wakes one `serve` once: the read that sees it resets the
/// eventfd. A `stop` before `serve` starts makes it return at once.
#[derive(Debug, Clone)]
pub struct StopSignal {
    fd: Arc<OwnedFd>,
}

impl StopSignal {
    /// A new signal, not raised.
    ///
    /// # Errors
    ///
    /// When the eventfd cannot be made (out of file descriptors).
    pub fn new() -> io::Result<StopSignal> {
        // SAFETY: eventfd takes no pointers; the result is checked.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just opened and nothing else owns it.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(StopSignal { fd: Arc::new(fd) })
    }

    /// Raises the signal: the [`serve`] watching it shuts its connections
    /// down and returns.
    pub fn stop(&self) {
        let one: u64 = 1;
        loop {
            // SAFETY: writes 8 bytes from a live `u64` to an eventfd this
            // signal owns.
            let n = unsafe {
                libc::write(
                    self.fd.as_raw_fd(),
                    (&one as *const u64).cast(),
                    std::mem::size_of::<u64>(),
                )
            };
            // An eventfd write fails only on a counter at its maximum (a
            // signal already raised, many times over) or a signal.
            if n >= 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                return;
            }
        }
    }

    fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// What a [`serve`] run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RawStats {
    /// `io_uring_enter` calls (the submits of a full queue included).
    pub enters: u64,
    /// Submission entries the kernel consumed.
    pub sqes: u64,
    /// Connections accepted.
    pub accepted: u64,
}

impl RawStats {
    /// The counters a ringio runtime would report for the same work
    /// (`enters`, `sqes_submitted`), for the tables that show both.
    pub fn ringio_stats(&self) -> ringio::Stats {
        let mut stats = ringio::Stats::default();
        stats.enters = self.enters;
        stats.sqes_submitted = self.sqes;
        stats
    }
}

/// Serves `protocol` on every connection `listener` accepts, on one raw
/// io_uring ring on the calling thread, until `stop` is raised; then shuts
/// every connection down, waits for every operation still in flight, closes
/// the connections and the listener, and returns the run's counters.
///
/// The ring is `SINGLE_ISSUER | DEFER_TASKRUN` (with `NO_SQARRAY` first,
/// then without it, then with no flags where the kernel refuses them); the
/// listener is put in blocking mode (the ring polls it), and accepted
/// sockets get `TCP_NODELAY`.
///
/// # Errors
///
/// When the ring cannot be set up or an `io_uring_enter` fails (then the
/// connections are closed and their buffers leaked, as operations may still
/// be in flight), or the read of the stop signal failed.
pub fn serve(listener: TcpListener, protocol: Protocol, stop: &StopSignal) -> io::Result<RawStats> {
    listener.set_nonblocking(false)?;
    // Everything an operation points into lives in `conns` and `stop_buf`,
    // declared before the ring: on every path they outlive it.
    let mut conns = Conns::default();
    let mut stop_buf = Box::new(0u64);
    let mut ring = crate::workloads::raw_ring(SQ_ENTRIES, CQ_ENTRIES)?;
    let (result, stats, stop_result) = {
        let (submitter, sq, cq) = ring.split();
        let mut server = Server {
            submitter,
            sq,
            cq,
            conns: &mut conns,
            protocol,
            listener: listener.as_raw_fd(),
            stats: RawStats::default(),
            in_flight: 0,
            multishot: true,
            accept_armed: false,
            accept_broken: false,
            stopping: false,
            stop_result: 0,
        };
        let result = server.run(stop.raw_fd(), &mut stop_buf);
        (result, server.stats, server.stop_result)
    };
    match result {
        Ok(()) => {
            // `run` returned after the completion of every operation it
            // pushed: nothing in flight, every connection closed.
            drop(ring);
            if stop_result < 0 {
                return Err(io::Error::from_raw_os_error(-stop_result));
            }
            Ok(stats)
        }
        Err(e) => {
            // Operations may still be in flight, and closing the ring tears
            // them down asynchronously: close it, close the sockets, and
            // leak every buffer an operation may point into.
            drop(ring);
            for conn in conns.slab.drain(..).flatten() {
                close(conn.fd);
                std::mem::forget(conn);
            }
            std::mem::forget(stop_buf);
            Err(e)
        }
    }
}

/// One connection: its socket and the buffers its operations point into.
struct Conn {
    fd: RawFd,
    /// What is received. Echo: `..filled` is what the last receive got, to
    /// send back. HTTP: `..filled` is an incomplete request kept for the
    /// next receive, which appends to it.
    buf: Box<[u8]>,
    filled: usize,
    /// HTTP: the responses of the send in flight (reused, so it grows only
    /// to the largest pipelined batch).
    out: Vec<u8>,
    /// How much of the send in flight is done.
    sent: usize,
    /// Whether the last receive got less than it asked for.
    short: bool,
}

/// Connections by slot, the slot in each operation's `user_data`.
#[derive(Default)]
struct Conns {
    slab: Vec<Option<Conn>>,
    free: Vec<usize>,
}

impl Conns {
    fn insert(&mut self, conn: Conn) -> usize {
        match self.free.pop() {
            Some(slot) => {
                self.slab[slot] = Some(conn);
                slot
            }
            None => {
                self.slab.push(Some(conn));
                self.slab.len() - 1
            }
        }
    }

    fn get(&mut self, slot: usize) -> &mut Conn {
        self.slab[slot]
            .as_mut()
            .expect("a completion names an open connection")
    }
}

fn close(fd: RawFd) {
    // SAFETY: `fd` is a socket this server owns and closes once.
    unsafe { libc::close(fd) };
}

fn set_nodelay(fd: RawFd) {
    let on: libc::c_int = 1;
    // SAFETY: passes a live `c_int` and its size. A failure leaves Nagle
    // on, which changes timing only.
    unsafe {
        libc::setsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
}

/// The complete requests (each ending at `\r\n\r\n`) at the front of `buf`,
/// where the bytes before `new` were already searched: their count and the
/// length they cover.
fn complete_requests(buf: &[u8], new: usize) -> (usize, usize) {
    let (mut count, mut consumed) = (0, 0);
    let mut from = new;
    while let Some(at) = buf[from..].iter().position(|&b| b == b'\n') {
        let end = from + at;
        if end >= consumed + 3 && &buf[end - 3..=end] == b"\r\n\r\n" {
            count += 1;
            consumed = end + 1;
        }
        from = end + 1;
    }
    (count, consumed)
}

/// A running server: the ring's three parts and what it keeps per run.
struct Server<'r> {
    submitter: Submitter<'r>,
    sq: SubmissionQueue<'r>,
    cq: CompletionQueue<'r>,
    conns: &'r mut Conns,
    protocol: Protocol,
    listener: RawFd,
    stats: RawStats,
    /// Operations pushed whose last completion has not been reaped.
    in_flight: u64,
    /// Whether the accept is a multishot one (false after a kernel refused
    /// it).
    multishot: bool,
    accept_armed: bool,
    /// The listener refused a plain accept too: accept no more.
    accept_broken: bool,
    /// The stop signal arrived: connections are shut down and closed as
    /// their operations complete.
    stopping: bool,
    /// The stop read's result.
    stop_result: i32,
}

impl Server<'_> {
    /// Serves until the stop signal, then until every pushed operation has
    /// completed.
    fn run(&mut self, stop_fd: RawFd, stop_buf: &mut u64) -> io::Result<()> {
        self.arm_accept()?;
        let read = opcode::Read::new(
            types::Fd(stop_fd),
            (stop_buf as *mut u64).cast(),
            std::mem::size_of::<u64>() as u32,
        )
        .build()
        .user_data(user_data(STOP, 0));
        // SAFETY: `stop_buf` is a box `serve` keeps until after the ring is
        // closed (and leaks when `run` fails); the eventfd stays open as long
        // as `stop` is borrowed, which is longer than `serve` runs.
        unsafe { self.push(&read) }?;
        loop {
            self.sq.sync();
            match self.submitter.submit_and_wait(1) {
                Ok(n) => {
                    self.stats.enters += 1;
                    self.stats.sqes += n as u64;
                }
                // Interrupted, or completions to reap first: reap them.
                Err(e) if matches!(e.raw_os_error(), Some(libc::EINTR | libc::EBUSY)) => {
                    self.stats.enters += 1;
                }
                Err(e) => return Err(e),
            }
            self.cq.sync();
            while let Some(cqe) = self.cq.next() {
                let (data, result, flags) = (cqe.user_data(), cqe.result(), cqe.flags());
                if !(kind_of(data) == ACCEPT && cqueue::more(flags)) {
                    self.in_flight -= 1;
                }
                self.complete(data, result, flags)?;
            }
            self.cq.sync();
            if self.stopping && self.in_flight == 0 {
                return Ok(());
            }
        }
    }

    /// Pushes `entry`, handing a full queue to the kernel first.
    ///
    /// # Safety
    ///
    /// Every buffer `entry` points into stays allocated, and is not touched
    /// by this thread, until `entry`'s last completion is reaped.
    unsafe fn push(&mut self, entry: &squeue::Entry) -> io::Result<()> {
        loop {
            // SAFETY: the caller keeps the entry's buffers alive until its
            // completion.
            if unsafe { self.sq.push(entry) }.is_ok() {
                self.in_flight += 1;
                return Ok(());
            }
            self.sq.sync();
            self.cq.sync();
            match self.submitter.submit() {
                Ok(n) => {
                    self.stats.enters += 1;
                    self.stats.sqes += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => self.stats.enters += 1,
                Err(e) => return Err(e),
            }
            self.sq.sync();
        }
    }

    fn arm_accept(&mut self) -> io::Result<()> {
        let fd = types::Fd(self.listener);
        let entry = if self.multishot {
            opcode::AcceptMulti::new(fd)
                .flags(libc::SOCK_CLOEXEC)
                .build()
        } else {
            opcode::Accept::new(fd, std::ptr::null_mut(), std::ptr::null_mut())
                .flags(libc::SOCK_CLOEXEC)
                .build()
        };
        // SAFETY: the accept points into no memory (no peer address asked
        // for); the listener stays open until `serve` returns, after the
        // ring is closed.
        unsafe { self.push(&entry.user_data(user_data(ACCEPT, 0))) }?;
        self.accept_armed = true;
        Ok(())
    }

    fn complete(&mut self, data: u64, result: i32, flags: u32) -> io::Result<()> {
        let slot = slot_of(data);
        match kind_of(data) {
            ACCEPT => self.accepted(result, cqueue::more(flags)),
            RECV => self.received(slot, result),
            SEND => self.sent(slot, result),
            STOP => {
                self.stop_result = result;
                self.begin_stop()
            }
            _ => Ok(()), // CANCEL: the accept's own completion says the rest.
        }
    }

    fn accepted(&mut self, result: i32, more: bool) -> io::Result<()> {
        if !more {
            self.accept_armed = false;
        }
        if result >= 0 {
            self.stats.accepted += 1;
            if self.stopping {
                close(result);
            } else {
                set_nodelay(result);
                let slot = self.conns.insert(Conn {
                    fd: result,
                    buf: vec![0; BUF].into_boxed_slice(),
                    filled: 0,
                    out: Vec::new(),
                    sent: 0,
                    short: false,
                });
                self.push_recv(slot)?;
            }
        } else if result == -libc::EINVAL && !more {
            // A kernel without multishot accept refuses it; a listener that
            // refuses a plain accept too is not listening.
            if self.multishot {
                self.multishot = false;
            } else {
                self.accept_broken = true;
            }
        }
        // Other errors (a peer gone before the accept, out of descriptors)
        // drop that one connection.
        if !self.accept_armed && !self.accept_broken && !self.stopping {
            self.arm_accept()?;
        }
        Ok(())
    }

    fn push_recv(&mut self, slot: usize) -> io::Result<()> {
        let conn = self.conns.get(slot);
        let start = match self.protocol {
            Protocol::Echo => 0,
            Protocol::Http { .. } => conn.filled,
        };
        let free = &mut conn.buf[start..];
        let mut recv = opcode::Recv::new(types::Fd(conn.fd), free.as_mut_ptr(), free.len() as u32);
        if conn.short {
            recv = recv.ioprio(RECVSEND_POLL_FIRST);
        }
        let entry = recv.build().user_data(user_data(RECV, slot));
        // SAFETY: the receive writes into `conn.buf`, which is freed only
        // when the connection is closed, and a connection is closed only
        // when the completion of its one operation in flight (this one) has
        // arrived, or, after a failed `serve`, leaked.
        unsafe { self.push(&entry) }
    }

    fn push_send(&mut self, slot: usize) -> io::Result<()> {
        let conn = self.conns.get(slot);
        let rest = match self.protocol {
            Protocol::Echo => &conn.buf[conn.sent..conn.filled],
            Protocol::Http { .. } => &conn.out[conn.sent..],
        };
        let entry = opcode::Send::new(types::Fd(conn.fd), rest.as_ptr(), rest.len() as u32)
            .flags(libc::MSG_NOSIGNAL)
            .build()
            .user_data(user_data(SEND, slot));
        // SAFETY: the send reads `conn.buf` or `conn.out`, neither touched
        // until its completion arrives (the connection's one operation in
        // flight), and freed only when the connection is closed after that
        // completion (or leaked by a failed `serve`).
        unsafe { self.push(&entry) }
    }

    fn received(&mut self, slot: usize, result: i32) -> io::Result<()> {
        if result <= 0 || self.stopping {
            self.close(slot);
            return Ok(());
        }
        let n = result as usize;
        let protocol = self.protocol;
        let conn = self.conns.get(slot);
        match protocol {
            Protocol::Echo => {
                conn.short = n < BUF;
                conn.filled = n;
                conn.sent = 0;
                self.push_send(slot)
            }
            Protocol::Http { response } => {
                let old = conn.filled;
                conn.short = n < BUF - old;
                conn.filled = old + n;
                let (count, consumed) = complete_requests(&conn.buf[..conn.filled], old);
                if count == 0 {
                    if conn.filled == BUF {
                        // A request larger than the buffer.
                        self.close(slot);
                        return Ok(());
                    }
                    return self.push_recv(slot);
                }
                conn.buf.copy_within(consumed..conn.filled, 0);
                conn.filled -= consumed;
                conn.out.clear();
                for _ in 0..count {
                    conn.out.extend_from_slice(response);
                }
                conn.sent = 0;
                self.push_send(slot)
            }
        }
    }

    fn sent(&mut self, slot: usize, result: i32) -> io::Result<()> {
        if result <= 0 || self.stopping {
            self.close(slot);
            return Ok(());
        }
        let protocol = self.protocol;
        let conn = self.conns.get(slot);
        conn.sent += result as usize;
        let total = match protocol {
            Protocol::Echo => conn.filled,
            Protocol::Http { .. } => conn.out.len(),
        };
        if conn.sent < total {
            return self.push_send(slot);
        }
        if protocol == Protocol::Echo {
            conn.filled = 0;
        }
        self.push_recv(slot)
    }

    /// Closes a connection whose one operation has completed, and frees its
    /// buffers.
    fn close(&mut self, slot: usize) {
        let conn = self.conns.slab[slot]
            .take()
            .expect("a completion names an open connection");
        close(conn.fd);
        self.conns.free.push(slot);
    }

    /// Shuts every connection down, so that its operation in flight
    /// completes at once (a receive with 0, a send with an error) and the
    /// connection is closed, and cancels the accept.
    fn begin_stop(&mut self) -> io::Result<()> {
        self.stopping = true;
        for conn in self.conns.slab.iter().flatten() {
            // SAFETY: takes no pointers; `conn.fd` is an open socket.
            unsafe { libc::shutdown(conn.fd, libc::SHUT_RDWR) };
        }
        if self.accept_armed {
            let cancel = opcode::AsyncCancel::new(user_data(ACCEPT, 0))
                .build()
                .user_data(user_data(CANCEL, 0));
            // SAFETY: a cancel points into no memory.
            unsafe { self.push(&cancel) }?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "raw_server_tests.rs"]
mod tests;
