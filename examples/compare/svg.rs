//! `--svg FILE`: a bar chart of the ringio ÷ baseline ratios (plotters' SVG
//! backend), one bar per baseline row and one per epoll-fallback row, a
//! line at 1.0×. A bar whose ringio side ran on the epoll driver is labelled
//! `[epoll]` and drawn paler. Where the workload has a limit (a raw-ring
//! loop), a black marker on the bar shows where ringio would stand if it
//! reached it: the limit's rate over the same baseline.

use super::results::{Results, Workload};
use plotters::prelude::*;
use std::path::Path;

/// Draws the ratios of `results` into an SVG file at `path`.
pub fn write(results: &Results, path: &Path) -> Result<(), String> {
    let bars: Vec<Bar> = results.workloads.iter().flat_map(bars_of).collect();
    if bars.is_empty() {
        return Err("nothing to draw".into());
    }
    let n = bars.len();
    let height = 80 + 22 * n as u32;
    // Decades at both ends, so the log axis's ticks are round numbers.
    let figures = || {
        bars.iter()
            .flat_map(|b| std::iter::once(b.ratio).chain(b.limit))
    };
    let max = 10f64.powf(figures().fold(2.0, f64::max).log10().ceil());
    let min = 10f64.powf(figures().fold(0.5, f64::min).log10().floor());
    let root = SVGBackend::new(path, (1180, height)).into_drawing_area();
    let err = |e: DrawingAreaErrorKind<_>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "ringio ÷ baseline, log scale (right of 1.0 = ringio faster; [epoll], paler: ringio on its epoll driver)",
            ("sans-serif", 18),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(600)
        // A discrete range holds both its ends: 0..n - 1 is n segments.
        .build_cartesian_2d((min..max).log_scale(), (0..n - 1).into_segmented())
        .map_err(err)?;
    // Bar i is drawn in segment n - 1 - i, so the first bar is on top.
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&|y| match y {
            SegmentValue::CenterOf(k) if *k < n => labels[n - 1 - *k].clone(),
            _ => String::new(),
        })
        .x_desc("ratio")
        .draw()
        .map_err(err)?;
    chart
        .draw_series(bars.iter().enumerate().map(|(i, bar)| {
            let (ratio, k) = (bar.ratio, n - 1 - i);
            let alpha = if bar.epoll { 0.35 } else { 0.7 };
            let color = if ratio >= 1.0 {
                GREEN.mix(alpha)
            } else {
                RED.mix(alpha)
            };
            let mut bar = Rectangle::new(
                [(min, SegmentValue::Exact(k)), (ratio, top(k, n))],
                color.filled(),
            );
            bar.set_margin(3, 3, 0, 0);
            bar
        }))
        .map_err(err)?;
    chart
        .draw_series(bars.iter().enumerate().filter_map(|(i, bar)| {
            let k = n - 1 - i;
            let limit = bar.limit?;
            Some(Rectangle::new(
                [
                    (limit / 1.015, SegmentValue::Exact(k)),
                    (limit * 1.015, top(k, n)),
                ],
                BLACK.filled(),
            ))
        }))
        .map_err(err)?;
    chart
        .draw_series(LineSeries::new(
            [(1.0, SegmentValue::Exact(0)), (1.0, SegmentValue::Last)],
            BLACK.stroke_width(1),
        ))
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

/// The upper edge of segment `k` of `n`.
fn top(k: usize, n: usize) -> SegmentValue<usize> {
    if k + 1 < n {
        SegmentValue::Exact(k + 1)
    } else {
        SegmentValue::Last
    }
}

/// One bar: a ratio of ringio's over a baseline.
struct Bar {
    label: String,
    ratio: f64,
    /// Whether ringio's side of the ratio ran on its epoll driver.
    epoll: bool,
    /// The limit's rate over the same baseline, where the workload has one.
    limit: Option<f64>,
}

/// The bars of `w`: one per baseline row and per epoll-fallback row (the
/// limit row is the marker, not a bar).
fn bars_of(w: &Workload) -> Vec<Bar> {
    let first_on_epoll = w.rows[0].driver.as_deref() == Some("epoll");
    let ratio_of = |runtime: &str| {
        w.rows
            .iter()
            .find(|r| r.runtime == runtime)
            .map(|r| r.ratio)
    };
    w.rows
        .iter()
        .skip(1)
        .filter(|r| r.role != "limit")
        .map(|r| {
            let (epoll, vs) = match &r.vs {
                Some(vs) => (r.driver.as_deref() == Some("epoll"), vs),
                None => (first_on_epoll, &r.runtime),
            };
            let tag = if epoll { "[epoll] " } else { "" };
            // ringio ÷ baseline over ringio ÷ limit: limit ÷ baseline.
            let limit = w
                .limit
                .as_ref()
                .and_then(|l| Some(ratio_of(vs)? / l.ringio_ratio));
            Bar {
                label: format!("{tag}{}: {} vs {vs}", w.group, w.name),
                ratio: r.ratio,
                epoll,
                limit,
            }
        })
        .collect()
}
