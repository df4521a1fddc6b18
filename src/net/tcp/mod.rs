//! TCP: listener and stream.

pub(crate) mod listener;
pub(crate) mod stream;
