//! hyper 1.x on ringio.
