//! Tasks: spawning, joining, aborting, and [`JoinSet`] for a group of tasks
//! awaited as they finish.
//!
//! The free functions and handle types are the crate root's, gathered here
//! under the names tokio users look for.
//!
//! # Examples
//!
//! ```
//! use ringio::task::JoinSet;
//!
//! ringio::run(async {
//!     let mut set = JoinSet::new();
//!     for i in 0..4u64 {
//!         set.spawn(async move { i * i });
//!     }
//!     let mut sum = 0;
//!     while let Some(result) = set.join_next().await {
//!         sum += result.unwrap();
//!     }
//!     assert_eq!(sum, 14);
//! });
//! ```
#![forbid(unsafe_code)]

mod join_set;

pub use crate::runtime::AbortHandle;
pub use crate::{spawn, spawn_blocking, yield_now, JoinError, JoinHandle};
pub use join_set::JoinSet;
