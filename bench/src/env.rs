//! The knobs every bench reads: the round count (`BENCH_ROUNDS`) and the
//! workload filter on the command line.

/// Rounds when `BENCH_ROUNDS` is unset or not a number.
pub const DEFAULT_ROUNDS: usize = 5;

/// Rounds per workload: env `BENCH_ROUNDS`, default [`DEFAULT_ROUNDS`].
pub fn rounds() -> usize {
    rounds_from(std::env::var("BENCH_ROUNDS").ok().as_deref())
}

/// Rounds from a `BENCH_ROUNDS` value: its number, else [`DEFAULT_ROUNDS`].
pub fn rounds_from(value: Option<&str>) -> usize {
    value
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_ROUNDS)
}

/// Whether the workload `name` was selected by this process's command-line
/// filter (`cargo bench --bench spawn -- one_at_a_time`).
pub fn selected(name: &str) -> bool {
    selected_by(name, std::env::args().skip(1))
}

/// Whether `name` is selected by `args` (the arguments after the program):
/// arguments starting with `--` are flags and ignored; with no filter left
/// every name is selected, otherwise those containing any filter.
pub fn selected_by(name: &str, args: impl IntoIterator<Item = String>) -> bool {
    let filters: Vec<String> = args.into_iter().filter(|a| !a.starts_with("--")).collect();
    filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn rounds_default_and_parse() {
        assert_eq!(rounds_from(None), DEFAULT_ROUNDS);
        assert_eq!(rounds_from(Some("3")), 3);
        assert_eq!(rounds_from(Some(" 1 ")), 1);
        assert_eq!(rounds_from(Some("many")), DEFAULT_ROUNDS);
    }

    #[test]
    fn filter_by_substring_ignoring_flags() {
        assert!(selected_by("spawn_batch", args(&[])));
        assert!(selected_by("spawn_batch", args(&["--bench"])));
        assert!(selected_by("spawn_batch", args(&["--bench", "batch"])));
        assert!(!selected_by("spawn_one_at_a_time", args(&["batch"])));
        assert!(selected_by("64x64", args(&["nope", "64x"])));
    }
}
