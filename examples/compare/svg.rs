//! `--svg FILE`: a bar chart of the ringio ÷ baseline ratios (plotters' SVG
//! backend), one bar per baseline row and one per epoll-fallback row, a
//! line at 1.0×. A bar whose ringio side ran on the epoll driver is labelled
//! `[epoll]` and drawn paler.

use super::results::Results;
use plotters::prelude::*;
use std::path::Path;

/// Draws the ratios of `results` into an SVG file at `path`.
pub fn write(results: &Results, path: &Path) -> Result<(), String> {
    // (label, ratio, whether ringio's side of the ratio ran on epoll)
    let bars: Vec<(String, f64, bool)> = results
        .workloads
        .iter()
        .flat_map(|w| {
            let first_on_epoll = w.rows[0].driver.as_deref() == Some("epoll");
            w.rows.iter().skip(1).map(move |r| {
                let (epoll, vs) = match &r.vs {
                    Some(vs) => (r.driver.as_deref() == Some("epoll"), vs),
                    None => (first_on_epoll, &r.runtime),
                };
                let tag = if epoll { "[epoll] " } else { "" };
                (
                    format!("{tag}{}: {} vs {vs}", w.group, w.name),
                    r.ratio,
                    epoll,
                )
            })
        })
        .collect();
    if bars.is_empty() {
        return Err("nothing to draw".into());
    }
    let n = bars.len();
    let height = 80 + 22 * n as u32;
    let max = bars.iter().map(|b| b.1).fold(2.0, f64::max) * 1.5;
    let min = bars.iter().map(|b| b.1).fold(0.5, f64::min) / 1.5;
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
        .build_cartesian_2d((min..max).log_scale(), (0..n).into_segmented())
        .map_err(err)?;
    // Bar i is drawn in segment n - 1 - i, so the first bar is on top.
    let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
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
        .draw_series(bars.iter().enumerate().map(|(i, (_, ratio, epoll))| {
            let k = n - 1 - i;
            let alpha = if *epoll { 0.35 } else { 0.7 };
            let color = if *ratio >= 1.0 {
                GREEN.mix(alpha)
            } else {
                RED.mix(alpha)
            };
            let mut bar = Rectangle::new(
                [
                    (min, SegmentValue::Exact(k)),
                    (*ratio, SegmentValue::Exact(k + 1)),
                ],
                color.filled(),
            );
            bar.set_margin(3, 3, 0, 0);
            bar
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
