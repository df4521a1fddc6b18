//! The round runner and the ratio rule, one of each for every harness.
//!
//! **Order.** With `warmup`, each contender runs once first, in order, and
//! those samples are dropped. Then round `i` runs the contenders in order
//! when `i` is even and in reverse when it is odd: for two, A B, B A, A B,
//! B A, ... (A/B/B/A within each pair of rounds), so neither side always
//! runs first on a machine that has just warmed up or cooled down.
//!
//! **Ratio.** A round's ratio is A's rate over B's from that round (the two
//! ran back to back, in the same phase of a drifting machine); the reported
//! ratio is the median of the per-round ratios, with their min–max. Each
//! side also gets its median rate with min–max. Medians of an even count
//! take the upper middle value.

use std::convert::Infallible;
use std::time::Instant;

/// Which run a sample is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The one warm-up run of a contender; its sample is dropped.
    Warmup,
    /// Measured round `n` (from 0).
    Round(usize),
}

/// The contender indices of `round` out of `n`: `0..n` when `round` is
/// even, reversed when it is odd.
pub fn order(round: usize, n: usize) -> impl Iterator<Item = usize> {
    (0..n).map(move |k| {
        if round.is_multiple_of(2) {
            k
        } else {
            n - 1 - k
        }
    })
}

/// Runs `n` contenders for `rounds` rounds in the [module](self)'s order,
/// after one warm-up each when `warmup`. `take(phase, i)` takes one sample
/// of contender `i`; the first error stops the run. Returns the measured
/// samples per contender: `samples[i][round]`.
pub fn try_rounds<S, E>(
    rounds: usize,
    warmup: bool,
    n: usize,
    mut take: impl FnMut(Phase, usize) -> Result<S, E>,
) -> Result<Vec<Vec<S>>, E> {
    if warmup {
        for i in 0..n {
            take(Phase::Warmup, i)?;
        }
    }
    let mut samples: Vec<Vec<S>> = (0..n).map(|_| Vec::with_capacity(rounds)).collect();
    for round in 0..rounds {
        for i in order(round, n) {
            samples[i].push(take(Phase::Round(round), i)?);
        }
    }
    Ok(samples)
}

/// Two contenders, `a` and `b`, for `rounds` rounds in the [module](self)'s
/// order (after one warm-up each when `warmup`). Returns each round's pair
/// `(a's sample, b's sample)`.
pub fn paired_rounds<S>(
    rounds: usize,
    warmup: bool,
    mut a: impl FnMut() -> S,
    mut b: impl FnMut() -> S,
) -> Vec<(S, S)> {
    let Ok(mut samples) = try_rounds(rounds, warmup, 2, |_, i| {
        Ok::<S, Infallible>(if i == 0 { a() } else { b() })
    });
    let (b, a) = (samples.pop().unwrap(), samples.pop().unwrap());
    a.into_iter().zip(b).collect()
}

/// Runs `ops` operations through `f` and returns operations per second.
pub fn rate(ops: u64, f: impl FnOnce()) -> f64 {
    let start = Instant::now();
    f();
    ops as f64 / start.elapsed().as_secs_f64().max(1e-9)
}

/// A and B over the rounds, by the [module](self)'s ratio rule. All zero
/// when there were no rounds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Summary {
    /// A's median rate.
    pub median_a: f64,
    /// A's slowest round.
    pub min_a: f64,
    /// A's fastest round.
    pub max_a: f64,
    /// B's median rate.
    pub median_b: f64,
    /// B's slowest round.
    pub min_b: f64,
    /// B's fastest round.
    pub max_b: f64,
    /// The median of the per-round ratios A/B: the figure to read.
    pub ratio: f64,
    /// The smallest per-round ratio.
    pub ratio_min: f64,
    /// The largest per-round ratio.
    pub ratio_max: f64,
}

/// Summarizes paired rounds (as [`paired_rounds`] returns them); `rate`
/// reads a sample's rate (higher is better).
pub fn summarize<S>(pairs: &[(S, S)], rate: impl Fn(&S) -> f64) -> Summary {
    summary(pairs.iter().map(|(a, b)| (rate(a), rate(b))))
}

/// Summarizes two sides' samples, round `i` of `a` paired with round `i` of
/// `b` (as [`try_rounds`] returns them: `samples[0]` and `samples[k]`);
/// extra rounds on the longer side are ignored.
pub fn summarize_sides<S>(a: &[S], b: &[S], rate: impl Fn(&S) -> f64) -> Summary {
    summary(a.iter().zip(b).map(|(a, b)| (rate(a), rate(b))))
}

fn summary(rates: impl Iterator<Item = (f64, f64)>) -> Summary {
    let (a, b): (Vec<f64>, Vec<f64>) = rates.unzip();
    // B's rate is floored at 1e-9 so a round where B did nothing gives a
    // huge ratio rather than infinity.
    let ratios: Vec<f64> = a.iter().zip(&b).map(|(a, b)| a / b.max(1e-9)).collect();
    let spread = |v: &[f64]| {
        let (lo, hi) = min_max(v).unwrap_or((0.0, 0.0));
        (median(v).unwrap_or(0.0), lo, hi)
    };
    let (median_a, min_a, max_a) = spread(&a);
    let (median_b, min_b, max_b) = spread(&b);
    let (ratio, ratio_min, ratio_max) = spread(&ratios);
    Summary {
        median_a,
        min_a,
        max_a,
        median_b,
        min_b,
        max_b,
        ratio,
        ratio_min,
        ratio_max,
    }
}

/// The median of `v` (the upper middle value for an even count); `None`
/// when `v` is empty.
pub fn median(v: &[f64]) -> Option<f64> {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

/// The smallest and largest of `v`; `None` when `v` is empty.
pub fn min_max(v: &[f64]) -> Option<(f64, f64)> {
    let first = *v.first()?;
    Some(
        v.iter()
            .fold((first, first), |(lo, hi), &x| (lo.min(x), hi.max(x))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[test]
    fn two_sides_alternate_a_b_b_a_after_one_warm_up_each() {
        let calls = RefCell::new(Vec::new());
        let pairs = paired_rounds(
            4,
            true,
            || {
                calls.borrow_mut().push('A');
                calls.borrow().len()
            },
            || {
                calls.borrow_mut().push('B');
                calls.borrow().len()
            },
        );
        let calls: String = calls.into_inner().into_iter().collect();
        assert_eq!(
            calls,
            "AB" /* warm-up */
                .to_owned()
                + "AB"
                + "BA"
                + "AB"
                + "BA"
        );
        // Each pair is (A's sample, B's sample) of one round, warm-ups
        // dropped: call numbers 3,4 then 6,5 then 7,8 then 10,9.
        assert_eq!(pairs, vec![(3, 4), (6, 5), (7, 8), (10, 9)]);
    }

    #[test]
    fn no_warm_up_when_not_asked() {
        let calls = RefCell::new(String::new());
        let pairs = paired_rounds(
            3,
            false,
            || calls.borrow_mut().push('A'),
            || calls.borrow_mut().push('B'),
        );
        assert_eq!(calls.into_inner(), "ABBAAB");
        assert_eq!(pairs.len(), 3);
    }

    #[test]
    fn many_contenders_reverse_on_odd_rounds_and_stop_at_an_error() {
        let mut seen = Vec::new();
        let samples = try_rounds(3, true, 3, |phase, i| {
            seen.push((phase, i));
            Ok::<_, ()>(i * 10)
        })
        .unwrap();
        let order: Vec<usize> = seen.iter().map(|&(_, i)| i).collect();
        assert_eq!(order, [0, 1, 2, 0, 1, 2, 2, 1, 0, 0, 1, 2]);
        assert_eq!(seen[..3].iter().filter(|s| s.0 == Phase::Warmup).count(), 3);
        assert_eq!(seen[5], (Phase::Round(0), 2));
        assert_eq!(seen[6], (Phase::Round(1), 2));
        assert_eq!(samples, vec![vec![0; 3], vec![10; 3], vec![20; 3]]);

        let mut taken = 0;
        let failed = try_rounds(5, false, 2, |phase, _| {
            taken += 1;
            if phase == Phase::Round(1) {
                Err("boom")
            } else {
                Ok(())
            }
        });
        assert_eq!(failed, Err("boom"));
        assert_eq!(taken, 3, "stopped at the first error");
    }

    /// The machine turns fast between round 1's two samples: the medians
    /// alone would say 1×, two rounds of three say 2×.
    #[test]
    fn ratio_is_the_median_of_paired_rounds() {
        // Slow, slow, fast for A; slow, fast, fast for B.
        let pairs = [(100.0, 50.0), (100.0, 100.0), (200.0, 100.0)];
        let s = summarize(&pairs, |&r| r);
        assert_eq!((s.median_a, s.min_a, s.max_a), (100.0, 100.0, 200.0));
        assert_eq!((s.median_b, s.min_b, s.max_b), (100.0, 50.0, 100.0));
        assert_eq!((s.ratio, s.ratio_min, s.ratio_max), (2.0, 1.0, 2.0));
        assert_ne!(s.ratio, s.median_a / s.median_b);

        let a = [100.0, 100.0, 200.0];
        let b = [50.0, 100.0, 100.0, 7.0];
        assert_eq!(summarize_sides(&a, &b, |&r| r), s);
    }

    #[test]
    fn the_runner_and_the_rule_together() {
        // Rates by call number: the machine doubles its speed after the
        // third call, between round 1's two samples.
        let calls = RefCell::new(0u32);
        let speed = || {
            *calls.borrow_mut() += 1;
            if *calls.borrow() <= 3 {
                1.0
            } else {
                2.0
            }
        };
        let pairs = paired_rounds(3, false, || 300.0 * speed(), || 100.0 * speed());
        // Round 0: A=300 B=100; round 1: B=100 A=600; round 2: A=600 B=200.
        assert_eq!(pairs, vec![(300.0, 100.0), (600.0, 100.0), (600.0, 200.0)]);
        let s = summarize(&pairs, |&r| r);
        assert_eq!(s.ratio, 3.0);
        assert_eq!((s.ratio_min, s.ratio_max), (3.0, 6.0));
    }

    #[test]
    fn empty_and_degenerate() {
        assert_eq!(summarize::<f64>(&[], |&r| r), Summary::default());
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0]), Some(3.0));
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(min_max(&[2.0, -1.0, 5.0]), Some((-1.0, 5.0)));
        let s = summarize(&[(5.0, 0.0)], |&r| r);
        assert!(s.ratio.is_finite() && s.ratio > 1e9);
        assert!(rate(10, || {}) > 0.0);
    }
}
