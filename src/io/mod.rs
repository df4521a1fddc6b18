//! Owned-buffer I/O traits shared by ringio's stream types.
