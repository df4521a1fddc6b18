//! TCP: listener, stream, and the socket to set options on first.

pub(crate) mod incoming;
pub(crate) mod listener;
pub(crate) mod socket;
pub(crate) mod stream;
