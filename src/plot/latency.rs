//! `latency`: how long pods waited to be scheduled (created → `Scheduled` event) and to
//! start (created → first `Running`), as cumulative distributions with p50, p90 and p99.

use super::PlotFile;
use super::canvas::{self, Chart, DrawResult, Key, de};
use super::input::PlotError;
use super::model::Run;
use super::style::{self, BLACK, BLUE};
use super::timeaxis::DurationUnit;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Points drawn per curve at most: beyond this the curve is drawn through its quantiles.
const MAX_POINTS: usize = 2000;

pub(crate) fn render(run: &Run, out: &mut Vec<PlotFile>) -> Result<(), PlotError> {
    let mut scheduling: Vec<u64> =
        run.pods.iter().filter_map(|p| p.scheduled.map(|s| s.saturating_sub(p.created))).collect();
    let mut startup: Vec<u64> =
        run.pods.iter().filter_map(|p| p.running.map(|r| r.saturating_sub(p.created))).collect();
    scheduling.sort_unstable();
    startup.sort_unstable();
    let panels = [
        Panel { what: "scheduling (created → Scheduled)", noun: "pods", measure: "latency", values: scheduling },
        Panel { what: "start-up (created → Running)", noun: "pods", measure: "latency", values: startup },
    ];
    canvas::render("latency", &Latency { run, panels }, out)
}

/// Sorted durations in ms and what they measure.
pub(crate) struct Panel {
    pub what: &'static str,
    /// What is counted: "pods", "Jobs".
    pub noun: &'static str,
    /// What the duration is: "latency", "duration".
    pub measure: &'static str,
    pub values: Vec<u64>,
}

struct Latency<'a> {
    run: &'a Run,
    panels: [Panel; 2],
}

impl Chart for Latency<'_> {
    fn size(&self) -> (u32, u32) {
        (1400, 700)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let body = canvas::title(root, &self.run.title("pod latency distributions"))?;
        let (w, _) = body.dim_in_pixel();
        let y = canvas::legend(&body, (20, 0), w as i32 - 20, &cdf_keys())?;
        let note = "Pods created with spec.nodeName have no Scheduled event and are not in the scheduling latency.";
        canvas::note(&body, note, (20, y + 2), w as i32 - 40)?;
        let body = body.margin(48, 0, 0, 0);
        let (left, right) = body.split_horizontally(w / 2);
        cdf_panel(&left, &self.panels[0])?;
        cdf_panel(&right, &self.panels[1])
    }
}

pub(crate) fn cdf_keys() -> Vec<(Key, String)> {
    vec![
        (Key::Line(BLUE), "share at or below".to_string()),
        (Key::Dashed(BLACK), "p50, p90, p99 (nearest rank)".to_string()),
    ]
}

/// The nearest-rank percentile of sorted values.
pub(crate) fn percentile(sorted: &[u64], p: u64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as u64).div_ceil(100).max(1) as usize;
    sorted.get(rank - 1).copied()
}

/// The steps of the empirical CDF: (value, share in %), thinned to quantiles when long.
fn cdf_points(sorted: &[u64]) -> Vec<(u64, f64)> {
    let n = sorted.len();
    let ranks: Vec<usize> = if n <= MAX_POINTS {
        (1..=n).collect()
    } else {
        (1..=MAX_POINTS).map(|k| (k * n).div_ceil(MAX_POINTS)).collect()
    };
    let mut points = Vec::with_capacity(ranks.len() * 2 + 1);
    let mut share = 0.0;
    points.push((sorted[0], 0.0));
    for rank in ranks {
        let v = sorted[rank - 1];
        points.push((v, share));
        share = rank as f64 * 100.0 / n as f64;
        points.push((v, share));
    }
    points
}

/// How durations map to x: linearly, or by their logarithm when a long tail would squeeze
/// most pods against the left edge.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Scale {
    Linear {
        unit_ms: f64,
    },
    /// log10 of the value in ms; values below `floor_ms` (zeros) sit at `floor_ms`.
    Log {
        floor_ms: f64,
    },
}

impl Scale {
    fn for_values(sorted: &[u64], unit: &DurationUnit) -> Scale {
        let max = sorted.last().copied().unwrap_or(0);
        let smallest = sorted.iter().copied().find(|&v| v > 0).unwrap_or(0);
        let median = percentile(sorted, 50).unwrap_or(0);
        if smallest > 0 && max / smallest >= 50 && median < max / 10 {
            Scale::Log { floor_ms: 10f64.powf((smallest as f64).log10().floor()) }
        } else {
            Scale::Linear { unit_ms: unit.ms }
        }
    }

    fn x(&self, ms: f64) -> f64 {
        match *self {
            Scale::Linear { unit_ms } => ms / unit_ms,
            Scale::Log { floor_ms } => ms.max(floor_ms).log10(),
        }
    }

    /// The x range for values from `min` to `max` ms.
    fn range(&self, min: u64, max: u64) -> std::ops::Range<f64> {
        match *self {
            Scale::Linear { .. } if max == 0 => 0.0..1.0,
            // All alike: the step stands in the middle rather than against the right edge.
            Scale::Linear { .. } if min == max => 0.0..self.x(max as f64) * 2.0,
            Scale::Linear { .. } => 0.0..self.x(max as f64) * 1.05,
            Scale::Log { floor_ms } => floor_ms.log10()..(max as f64).log10() + 0.05,
        }
    }

    /// Ticks of a log axis at 1, 2 and 5 times powers of ten of `unit`.
    fn log_ticks(&self, range: &std::ops::Range<f64>, unit: &DurationUnit) -> Vec<(f64, String)> {
        let shift = unit.ms.log10();
        let mut ticks = Vec::new();
        let mut decade = (range.start - shift).floor() as i32;
        while decade as f64 + shift <= range.end {
            for m in [1.0, 2.0, 5.0] {
                let v = m * 10f64.powi(decade);
                let x = v.log10() + shift;
                if x >= range.start - 1e-9 && x <= range.end {
                    ticks.push((x, canvas::number(v)));
                }
            }
            decade += 1;
        }
        ticks
    }
}

/// One cumulative distribution with its percentiles marked.
pub(crate) fn cdf_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, panel: &Panel) -> DrawResult {
    let (head, body) = area.split_vertically(28);
    let n = panel.values.len();
    let Some(&max) = panel.values.last() else {
        let text = format!("{}, no {}", panel.what, panel.noun);
        head.draw_text(&text, &style::text(style::LABEL_SIZE), (90, 4)).map_err(de)?;
        return canvas::empty(&body, &format!("no {} to measure", panel.noun));
    };
    let unit = DurationUnit::for_max(max);
    let scale = Scale::for_values(&panel.values, &unit);
    let (what, noun, measure) = (panel.what, panel.noun, panel.measure);
    let (head_text, x_desc) = match scale {
        Scale::Log { floor_ms } => (
            format!("{what}, {n} {noun}; below {} at the left edge", unit.format(floor_ms)),
            format!("{measure} ({}, log scale)", unit.name),
        ),
        Scale::Linear { .. } => (format!("{what}, {n} {noun}"), format!("{measure} ({})", unit.name)),
    };
    head.draw_text(&head_text, &style::text(style::LABEL_SIZE), (90, 4)).map_err(de)?;
    let x_range = scale.range(panel.values[0], max);
    let mut chart = ChartBuilder::on(&body)
        .margin(8)
        .margin_right(24)
        .x_label_area_size(48)
        .y_label_area_size(80)
        .build_cartesian_2d(x_range.clone(), 0.0..100.0)
        .map_err(de)?;
    let x_fmt = |v: &f64| canvas::number(*v);
    chart
        .configure_mesh()
        .x_labels(if matches!(scale, Scale::Log { .. }) { 0 } else { 8 })
        .x_label_formatter(&x_fmt)
        .y_labels(6)
        .y_label_formatter(&|v: &f64| format!("{v:.0}%"))
        .x_desc(x_desc)
        .y_desc(format!("{noun} at or below"))
        .label_style(style::text(style::SMALL_SIZE))
        .axis_desc_style(style::text(style::LABEL_SIZE))
        .bold_line_style(style::GRID)
        .light_line_style(style::WHITE.mix(0.0))
        .axis_style(style::AXIS)
        .draw()
        .map_err(de)?;
    if matches!(scale, Scale::Log { .. }) {
        canvas::x_ticks(&body, &chart, &scale.log_ticks(&x_range, &unit))?;
    }
    let points: Vec<(f64, f64)> = cdf_points(&panel.values).into_iter().map(|(v, s)| (scale.x(v as f64), s)).collect();
    chart.draw_series(std::iter::once(PathElement::new(points, BLUE.stroke_width(3)))).map_err(de)?;
    for (k, p) in [50u64, 90, 99].into_iter().enumerate() {
        if let Some(v) = percentile(&panel.values, p) {
            mark_percentile(&chart, p, k, (scale.x(v as f64), unit.format(v as f64)))?;
        }
    }
    Ok(())
}

/// A dashed line at a percentile and its label on a white ground, the labels stepping
/// down the panel so that close percentiles do not overlap.
fn mark_percentile<DB: DrawingBackend>(
    chart: &canvas::TimeChart<'_, DB>,
    p: u64,
    k: usize,
    (x, value): (f64, String),
) -> DrawResult {
    let line = DashedPathElement::new(vec![(x, 0.0), (x, 100.0)], 6, 4, BLACK.stroke_width(1));
    chart.plotting_area().draw(&line).map_err(de)?;
    let xr = chart.x_range();
    let right_half = x > xr.start + (xr.end - xr.start) * 0.6;
    let anchor = if right_half { HPos::Right } else { HPos::Left };
    let text = format!(" p{p} {value} ");
    let style = style::text(style::SMALL_SIZE).pos(Pos::new(anchor, VPos::Center));
    let (px, py) = chart.backend_coord(&(x, 40.0 - 12.0 * k as f64));
    let plot = chart.plotting_area().strip_coord_spec();
    let base = plot.get_base_pixel();
    let at = (px - base.0 + if right_half { -3 } else { 3 }, py - base.1);
    let (tw, th) = plot.estimate_text_size(&text, &style).map_err(de)?;
    let (tw, th) = (tw as i32, th as i32);
    let x0 = if right_half { at.0 - tw } else { at.0 };
    plot.draw(&Rectangle::new([(x0, at.1 - th / 2 - 2), (x0 + tw, at.1 + th / 2 + 2)], WHITE.filled())).map_err(de)?;
    plot.draw_text(&text, &style, at).map_err(de)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<u64> = (1..=10).collect();
        assert_eq!(percentile(&v, 50), Some(5));
        assert_eq!(percentile(&v, 90), Some(9));
        assert_eq!(percentile(&v, 99), Some(10));
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[7], 1), Some(7));
    }

    #[test]
    fn long_curves_are_thinned_to_quantiles() {
        let v: Vec<u64> = (0..100_000).collect();
        let points = cdf_points(&v);
        assert!(points.len() <= 2 * MAX_POINTS + 1);
        assert_eq!(points.last().map(|p| p.1), Some(100.0));
        let short = cdf_points(&[3, 5]);
        assert_eq!(short, [(3, 0.0), (3, 0.0), (3, 50.0), (5, 50.0), (5, 100.0)]);
    }
}
