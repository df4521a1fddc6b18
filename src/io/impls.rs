//! [`OwnedRead`] and [`OwnedWrite`] for the whole streams, delegating to
//! their inherent methods (the split halves' impls are beside them, in
//! `net/split.rs`).

use super::{OwnedRead, OwnedWrite};
use crate::buf::{BufResult, IoBuf, IoBufMut};
use crate::net::{TcpStream, UnixStream};
use std::future::Future;
use std::io;

macro_rules! impl_owned_io {
    ($stream:ty) => {
        impl OwnedRead for $stream {
            fn read<B: IoBufMut>(&self, buf: B) -> impl Future<Output = BufResult<usize, B>> {
                <$stream>::read(self, buf)
            }

            fn readv<B: IoBufMut>(
                &self,
                bufs: Vec<B>,
            ) -> impl Future<Output = BufResult<usize, Vec<B>>> {
                <$stream>::readv(self, bufs)
            }
        }

        impl OwnedWrite for $stream {
            fn write<B: IoBuf>(&self, buf: B) -> impl Future<Output = BufResult<usize, B>> {
                <$stream>::write(self, buf)
            }

            fn write_all<B: IoBuf>(&self, buf: B) -> impl Future<Output = BufResult<(), B>> {
                <$stream>::write_all(self, buf)
            }

            fn writev<B: IoBuf>(
                &self,
                bufs: Vec<B>,
            ) -> impl Future<Output = BufResult<usize, Vec<B>>> {
                <$stream>::writev(self, bufs)
            }

            fn shutdown(&self) -> impl Future<Output = io::Result<()>> {
                <$stream>::shutdown(self, std::net::Shutdown::Write)
            }
        }
    };
}

impl_owned_io!(TcpStream);
impl_owned_io!(UnixStream);
