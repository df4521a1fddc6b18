//! splitmix64, the seeded generator behind shuffled schedules and
//! `fault::fail_random`: small, fast, and a function of its seed alone.

/// Advances `state` and returns the next draw.
pub(crate) fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_draws_are_a_function_of_the_seed() {
        let walk = |mut state: u64| (0..8).map(|_| next(&mut state) % 10).collect::<Vec<_>>();
        assert_eq!(walk(7), walk(7));
        assert_ne!(walk(7), walk(8));
    }
}
