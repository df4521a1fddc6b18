//! Thin wrappers over the few raw libc calls ringio makes outside the ring.
//!
//! - [`eventfd`]: the counter another thread writes to wake a parked ring.
//! - [`clock`]: `CLOCK_MONOTONIC` readings for absolute kernel timeouts.

pub(crate) mod clock;
pub(crate) mod eventfd;
