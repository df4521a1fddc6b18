//! What makes a row a fair fight, and what stands beside it: how each side
//! ran ([`on`], [`Workload::pin`]), the raw-ring limit of a workload
//! ([`LIMIT`], [`Workload::mark_limit`]), and the footnote rule: a ratio
//! whose two sides differ by more than [`FOOTNOTE_RATIO`] gets a footnote
//! saying what dominates the baseline, from a figure measured in the run
//! ([`apply_footnote_rule`]).

use super::results::{Footnote, Limit, Row, Workload};

/// The name of a workload's limit row: a raw io-uring loop, no executor.
pub const LIMIT: &str = "raw io_uring loop (limit)";

/// Two sides differing by more than this factor need a footnote.
pub const FOOTNOTE_RATIO: f64 = 20.0;

/// "`what` on core N", or "`what`, unpinned" without a core.
pub fn on(what: &str, core: Option<usize>) -> String {
    match core {
        Some(core) => format!("{what} on core {core}"),
        None => format!("{what}, unpinned"),
    }
}

/// Whether a ratio's two sides differ by more than [`FOOTNOTE_RATIO`].
pub fn differs_too_much(ratio: f64) -> bool {
    !(1.0 / FOOTNOTE_RATIO..=FOOTNOTE_RATIO).contains(&ratio)
}

impl Workload {
    /// Sets how each row ran: `sides[i]` for row `i` (a row past the end,
    /// the epoll-fallback row, ran as ringio's: `sides[0]`), and where the
    /// load generator ran, for every row.
    pub fn pin(&mut self, sides: &[String], load: Option<String>) {
        for (i, row) in self.rows.iter_mut().enumerate() {
            row.pinning = sides.get(i).unwrap_or(&sides[0]).clone();
            row.load_pinning = load.clone();
        }
    }

    /// Marks the row named [`LIMIT`] as the limit and records it; without
    /// such a row, records `why` there is none.
    pub fn mark_limit(&mut self, why_none: &str) {
        match self.rows.iter_mut().find(|r| r.runtime == LIMIT) {
            Some(row) => {
                row.role = "limit".into();
                self.limit = Some(Limit {
                    runtime: row.runtime.clone(),
                    median: row.median,
                    ringio_ratio: row.ratio,
                    pinning: row.pinning.clone(),
                });
            }
            None => self.no_limit = Some(why_none.into()),
        }
    }
}

/// The row whose rate is the denominator of `r`'s ratio: its `vs` row, or
/// itself.
fn baseline_of<'a>(w: &'a Workload, r: &'a Row) -> &'a Row {
    r.vs.as_ref()
        .and_then(|vs| w.rows.iter().find(|b| &b.runtime == vs))
        .unwrap_or(r)
}

/// Adds a footnote to every row after the first whose ratio
/// [`differs_too_much`]: `explain(workload, baseline)`'s measured account
/// of what dominates the ratio's baseline (the row itself, or the row its
/// `vs` names), or, where it has none, a line saying it was
/// not measured (so such a ratio never stands unexplained and silent).
pub fn apply_footnote_rule(w: &mut Workload, explain: &dyn Fn(&Workload, &Row) -> Option<String>) {
    let notes: Vec<Footnote> = w
        .rows
        .iter()
        .skip(1)
        .filter(|r| differs_too_much(r.ratio))
        .map(|r| Footnote {
            runtime: r.runtime.clone(),
            // A row over another baseline (the epoll-fallback row) is
            // explained by that baseline's account.
            text: explain(w, baseline_of(w, r)).unwrap_or_else(|| {
                format!(
                    "{} differs from {} by more than {FOOTNOTE_RATIO}× ({:.1}×); what dominates \
                     {} was not measured in this run",
                    if r.vs.is_some() { r } else { &w.rows[0] }.runtime,
                    baseline_of(w, r).runtime,
                    r.ratio,
                    baseline_of(w, r).runtime
                )
            }),
        })
        .collect();
    w.footnotes = notes;
}
