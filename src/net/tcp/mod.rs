//! TCP: listener and stream.

pub(crate) mod incoming;
pub(crate) mod listener;
pub(crate) mod stream;
