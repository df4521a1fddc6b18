//! Unix signals as async streams.
