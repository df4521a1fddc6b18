//! A submission entry's fields, read back by the epoll driver: the entry an
//! operation builds for the ring is also its description of the system
//! call to make when its fd is ready.

use io_uring::squeue;

/// The kernel's `struct io_uring_sqe` (64 bytes), every union read as its
/// first integer member. The field comments name the unions' other members
/// the epoll driver reads through them.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub(super) struct Sqe {
    pub(super) opcode: u8,
    pub(super) flags: u8,
    /// `ioprio`; the multishot bits of accept and receive.
    pub(super) ioprio: u16,
    pub(super) fd: i32,
    /// `off`, `addr2`.
    pub(super) off: u64,
    /// `addr`.
    pub(super) addr: u64,
    pub(super) len: u32,
    /// `rw_flags`, `msg_flags`, `accept_flags`, `open_flags`, `poll32_events`, ...
    pub(super) op_flags: u32,
    pub(super) user_data: u64,
    /// `buf_index`, `buf_group`.
    pub(super) buf_index: u16,
    pub(super) personality: u16,
    /// `file_index`, `splice_fd_in`, `addr_len` (its low 16 bits).
    pub(super) file_index: u32,
    pub(super) addr3: u64,
    pub(super) pad: u64,
}

const _: () = assert!(std::mem::size_of::<Sqe>() == 64);
const _: () = assert!(std::mem::size_of::<squeue::Entry>() == 64);
const _: () = assert!(std::mem::align_of::<Sqe>() == std::mem::align_of::<squeue::Entry>());

impl Sqe {
    /// The fields of `entry`.
    pub(super) fn read(entry: &squeue::Entry) -> Sqe {
        // SAFETY: `squeue::Entry` is `#[repr(C)]` around the kernel's
        // `io_uring_sqe`, whose layout (the kernel ABI) `Sqe` spells field by
        // field; size and alignment are asserted equal above, and every bit
        // pattern is a valid `Sqe` (integers only). Reading copies the entry;
        // the pointers it holds are only dereferenced by the system calls of
        // `syscalls.rs`, under the same contract as the kernel's.
        unsafe { std::ptr::read((entry as *const squeue::Entry).cast::<Sqe>()) }
    }

    /// The `addr_len` of a send with a destination address.
    pub(super) fn addr_len(&self) -> u32 {
        self.file_index & 0xffff
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use io_uring::{opcode, types};

    #[test]
    fn an_entry_reads_back_field_by_field() {
        let mut buf = [0u8; 16];
        let entry = opcode::Read::new(types::Fd(7), buf.as_mut_ptr(), 16)
            .offset(4096)
            .build()
            .user_data(0xdead_beef);
        let sqe = Sqe::read(&entry);
        assert_eq!(sqe.opcode, opcode::Read::CODE);
        assert_eq!(sqe.fd, 7);
        assert_eq!(sqe.addr, buf.as_mut_ptr() as u64);
        assert_eq!(sqe.len, 16);
        assert_eq!(sqe.off, 4096);
        assert_eq!(sqe.user_data, 0xdead_beef);

        let entry = opcode::Send::new(types::Fd(3), buf.as_ptr(), 5)
            .flags(libc::MSG_MORE)
            .build();
        let sqe = Sqe::read(&entry);
        assert_eq!(sqe.opcode, opcode::Send::CODE);
        assert_eq!(sqe.op_flags, libc::MSG_MORE as u32);
        assert_eq!(sqe.addr_len(), 0);
    }
}
