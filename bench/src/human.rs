//! A rate as people read it (`1.23M`, `45.6k`).

/// `x` with an `M` or `k` suffix: two decimals for millions, one for
/// thousands and below.
pub fn human(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else {
        format!("{x:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn suffixes() {
        assert_eq!(human(1_234_567.0), "1.23M");
        assert_eq!(human(45_600.0), "45.6k");
        assert_eq!(human(999.94), "999.9");
        assert_eq!(human(1_000.0), "1.0k");
        assert_eq!(human(0.0), "0.0");
    }
}
