//! A rate as people read it (`1.23M`, `45.6k`); shared by the `compare`
//! example and the benches.

/// `x` with an `M` or `k` suffix.
pub fn human(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else {
        format!("{x:.1}")
    }
}
