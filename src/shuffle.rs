//! Shuffled schedules for tests: in debug builds, `RINGIO_SHUFFLE=<seed>`
//! makes every runtime pop its run queue in a seeded random order, and wake
//! the waiters of each batch of completions in a shuffled order, so that a
//! test leaning on one task order fails under some seed. Each thread draws
//! from its own generator, seeded from the variable and the thread's number
//! (the order threads first ask); a failing seed reproduces the same
//! choices on the same interleaving of threads. Release builds never read
//! the variable: none of this is compiled there.

use crate::splitmix::next;
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The environment variable that holds the seed.
pub(crate) const SHUFFLE_ENV: &str = "RINGIO_SHUFFLE";

/// The seed, read once: `None` when unset (or not a number).
fn seed() -> Option<u64> {
    static SEED: OnceLock<Option<u64>> = OnceLock::new();
    *SEED.get_or_init(|| std::env::var(SHUFFLE_ENV).ok()?.trim().parse().ok())
}

thread_local! {
    /// This thread's generator state, `None` when shuffling is off.
    static STATE: Cell<Option<u64>> = Cell::new(seed().map(|seed| {
        static THREADS: AtomicU64 = AtomicU64::new(0);
        seed ^ next(&mut THREADS.fetch_add(1, Ordering::Relaxed))
    }));
}

/// A draw from `0..n` when shuffling is on (and `n > 1`); `None` otherwise.
pub(crate) fn below(n: usize) -> Option<usize> {
    if n < 2 {
        return None;
    }
    STATE.with(|state| {
        let mut s = state.get()?;
        let draw = next(&mut s);
        state.set(Some(s));
        Some((draw % n as u64) as usize)
    })
}

/// Shuffles `items` in place (Fisher–Yates) when shuffling is on.
pub(crate) fn shuffle<T>(items: &mut [T]) {
    for i in (1..items.len()).rev() {
        match below(i + 1) {
            Some(j) => items.swap(i, j),
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_without_the_variable_and_for_short_lists() {
        assert_eq!(below(1), None);
        assert_eq!(below(0), None);
        if seed().is_none() {
            assert_eq!(below(10), None);
            let mut v = [1, 2, 3, 4];
            shuffle(&mut v);
            assert_eq!(v, [1, 2, 3, 4]);
        } else {
            assert!(below(10).unwrap() < 10);
            let mut v: Vec<u32> = (0..100).collect();
            shuffle(&mut v);
            let mut sorted = v.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..100).collect::<Vec<_>>(), "a permutation");
            assert_ne!(v, sorted, "100 items keep their order with odds 1/100!");
        }
    }
}
