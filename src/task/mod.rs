//! Task sets and abort handles.
