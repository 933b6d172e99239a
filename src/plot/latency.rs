//! `latency`: how long pods waited to be scheduled (created → `Scheduled` event) and to
//! start (created → first `Running`), with p50, p90 and p99.
//!
//! Each is drawn as the share of pods that waited longer than a time (the complementary
//! distribution), the share on a log scale: 2% of pods waiting 20 minutes is a plateau a
//! decade tall rather than a sliver at the top of a linear axis, and one pod in a million
//! still shows. A linear time axis starts a little left of zero, so that a run where
//! every pod binds at once shows its one step rather than a line hidden on the axis.

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

/// Thinning of the curve: a point closer than this share of the axes to the last one kept
/// (in both directions) is left out, so a million values draw as a few thousand points.
const THIN_X: f64 = 1.0 / 3000.0;
const THIN_Y: f64 = 1.0 / 1500.0;

pub(crate) fn render(run: &Run, out: &mut Vec<PlotFile>) -> Result<(), PlotError> {
    let mut scheduling: Vec<u64> =
        run.pods.iter().filter_map(|p| p.scheduled().map(|s| s.saturating_sub(p.created))).collect();
    let mut startup: Vec<u64> =
        run.pods.iter().filter_map(|p| p.running().map(|r| r.saturating_sub(p.created))).collect();
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
        (Key::Line(BLUE), "share above the value (log scale)".to_string()),
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

/// The empirical complementary distribution of sorted values: for each distinct value,
/// the share of values above it, in %.
fn ccdf_steps(sorted: &[u64]) -> Vec<(u64, f64)> {
    let n = sorted.len();
    let mut steps = Vec::new();
    let mut k = 0;
    while k < n {
        let v = sorted[k];
        let upto = k + sorted[k..].partition_point(|&x| x == v);
        steps.push((v, (n - upto) as f64 * 100.0 / n as f64));
        k = upto;
    }
    steps
}

/// The lowest share the y axis shows, as a power of ten of %: a decade below one value in
/// `n`, so that the last value's step stands clear of the bottom edge. (Counted in
/// integers: 10^k ≥ n for the smallest k.)
fn share_floor_decade(n: usize) -> i32 {
    let (mut p, mut k) = (1usize, 0);
    while p < n {
        p = p.saturating_mul(10);
        k += 1;
    }
    2 - k - 1
}

/// What a panel draws, in chart coordinates: x by the scale, y the log10 of the share in %.
#[derive(Debug)]
pub(crate) struct Curve {
    pub x: std::ops::Range<f64>,
    pub y: std::ops::Range<f64>,
    /// The steps of the distribution, thinned; a share of 0 sits on the bottom edge.
    pub points: Vec<(f64, f64)>,
}

impl Curve {
    fn of(sorted: &[u64], scale: &Scale) -> Curve {
        let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
            return Curve { x: 0.0..1.0, y: 0.0..2.0, points: Vec::new() };
        };
        let x = scale.range(min, max);
        let y = share_floor_decade(sorted.len()) as f64..2.0;
        let log_share = |s: f64| if s <= 0.0 { y.start } else { s.log10().max(y.start) };
        let (dx, dy) = ((x.end - x.start) * THIN_X, (y.end - y.start) * THIN_Y);
        let mut points: Vec<(f64, f64)> = vec![(x.start, 2.0)];
        let mut last_share = 2.0;
        for (v, share) in ccdf_steps(sorted) {
            let px = scale.x(v as f64);
            let py = log_share(share);
            for p in [(px, last_share), (px, py)] {
                let &(lx, ly) = points.last().unwrap_or(&p);
                if (p.0 - lx).abs() >= dx || (p.1 - ly).abs() >= dy {
                    points.push(p);
                }
            }
            last_share = py;
        }
        // The last step always reaches the bottom, whatever the thinning dropped.
        if let Some(&(lx, ly)) = points.last()
            && (ly > y.start || lx < scale.x(max as f64))
        {
            points.push((scale.x(max as f64), y.start));
        }
        Curve { x, y, points }
    }
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
        // A linear axis starts 3% of its width left of zero, so a step at 0 is not drawn
        // on the axis itself.
        let linear = |end: f64| -end * 0.03..end;
        match *self {
            Scale::Linear { .. } if max == 0 => linear(1.0),
            // All alike: the step stands in the middle rather than against the right edge.
            Scale::Linear { .. } if min == max => linear(self.x(max as f64) * 2.0),
            Scale::Linear { .. } => linear(self.x(max as f64) * 1.05),
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
    let curve = Curve::of(&panel.values, &scale);
    let x_range = curve.x.clone();
    let mut chart = ChartBuilder::on(&body)
        .margin(8)
        .margin_right(24)
        .x_label_area_size(48)
        .y_label_area_size(80)
        .build_cartesian_2d(x_range.clone(), curve.y.clone())
        .map_err(de)?;
    let x_fmt = |v: &f64| canvas::number(*v);
    chart
        .configure_mesh()
        .x_labels(if matches!(scale, Scale::Log { .. }) { 0 } else { 8 })
        .x_label_formatter(&x_fmt)
        .y_labels(0)
        .disable_y_mesh()
        .x_desc(x_desc)
        .y_desc(format!("share of {noun} above (log scale)"))
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
    share_ticks(&body, &chart)?;
    chart.draw_series(std::iter::once(PathElement::new(curve.points, BLUE.stroke_width(3)))).map_err(de)?;
    for (k, p) in [50u64, 90, 99].into_iter().enumerate() {
        if let Some(v) = percentile(&panel.values, p) {
            mark_percentile(&chart, p, k, (scale.x(v as f64), unit.format(v as f64)))?;
        }
    }
    Ok(())
}

/// The share axis's grid lines and labels at each power of ten: 100%, 10%, 1%, ...
fn share_ticks<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, chart: &canvas::TimeChart<'_, DB>) -> DrawResult {
    let (xr, yr) = (chart.x_range(), chart.y_range());
    let base = area.get_base_pixel();
    let font = style::text(style::SMALL_SIZE).pos(Pos::new(HPos::Right, VPos::Center));
    let mut decade = yr.end.round() as i32;
    while decade as f64 >= yr.start - 1e-9 {
        let y = decade as f64;
        chart.plotting_area().draw(&PathElement::new(vec![(xr.start, y), (xr.end, y)], style::GRID)).map_err(de)?;
        let (px, py) = chart.backend_coord(&(xr.start, y));
        let (px, py) = (px - base.0, py - base.1);
        area.draw(&PathElement::new(vec![(px - 5, py), (px, py)], style::AXIS)).map_err(de)?;
        area.draw_text(&share_label(decade), &font, (px - 8, py)).map_err(de)?;
        decade -= 1;
    }
    Ok(())
}

/// 10^decade per cent, as a reader writes it: 100%, 1%, 0.01%.
fn share_label(decade: i32) -> String {
    let digits = (-decade).max(0) as usize;
    format!("{:.*}%", digits, 10f64.powi(decade))
}

/// A dashed line at a percentile and its label on a white ground, the labels stepping
/// down the panel so that close percentiles do not overlap.
fn mark_percentile<DB: DrawingBackend>(
    chart: &canvas::TimeChart<'_, DB>,
    p: u64,
    k: usize,
    (x, value): (f64, String),
) -> DrawResult {
    let yr = chart.y_range();
    let line = DashedPathElement::new(vec![(x, yr.start), (x, yr.end)], 6, 4, BLACK.stroke_width(1));
    chart.plotting_area().draw(&line).map_err(de)?;
    let xr = chart.x_range();
    let right_half = x > xr.start + (xr.end - xr.start) * 0.6;
    let anchor = if right_half { HPos::Right } else { HPos::Left };
    let text = format!(" p{p} {value} ");
    let style = style::text(style::SMALL_SIZE).pos(Pos::new(anchor, VPos::Center));
    let yr = chart.y_range();
    let at_y = yr.start + (yr.end - yr.start) * (0.55 - 0.12 * k as f64);
    let (px, py) = chart.backend_coord(&(x, at_y));
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
    fn the_distribution_is_the_share_above_each_value() {
        assert_eq!(ccdf_steps(&[3, 5, 5, 9]), [(3, 75.0), (5, 25.0), (9, 0.0)]);
        assert_eq!(ccdf_steps(&[0, 0]), [(0, 0.0)]);
        let decades = [9, 1000, 1, 1001, 1_000_000].map(share_floor_decade);
        assert_eq!(decades, [0, -2, 1, -3, -5]);
        assert_eq!([2, 0, -2].map(share_label), ["100%", "1%", "0.01%"]);
    }

    #[test]
    fn every_pod_at_zero_draws_a_step_off_the_axis() {
        let v = vec![0u64; 9];
        let unit = DurationUnit::for_max(0);
        let scale = Scale::for_values(&v, &unit);
        let c = Curve::of(&v, &scale);
        assert!(c.x.start < 0.0 && c.x.end > 0.0, "{:?}", c.x);
        // From 100% at the left edge down to the bottom at 0.
        assert_eq!(c.points.first(), Some(&(c.x.start, 2.0)));
        assert!(c.points.contains(&(0.0, 2.0)) && c.points.contains(&(0.0, c.y.start)), "{:?}", c.points);
    }

    #[test]
    fn a_small_slow_tail_stands_a_decade_above_the_bottom() {
        // 98% bound at once, 2% waited 20 to 53 minutes.
        let mut v = vec![0u64; 980];
        v.extend((0..20).map(|k| 1_200_000 + k * 100_000));
        let unit = DurationUnit::for_max(*v.last().unwrap());
        let scale = Scale::for_values(&v, &unit);
        let c = Curve::of(&v, &scale);
        assert_eq!(c.y, -2.0..2.0, "1 in 1000 is 0.1%, a decade above the bottom");
        let at_2pct = c.points.iter().filter(|p| (p.1 - 2f64.log10()).abs() < 1e-9).count();
        assert!(at_2pct >= 2, "the plateau at 2%: {:?}", c.points);
        // It reaches 1 in 1000 before the last pod, and the bottom at the last.
        assert!(c.points.iter().any(|p| (p.1 - 0.1f64.log10()).abs() < 1e-9));
        assert_eq!(c.points.last().map(|p| p.1), Some(c.y.start));
    }

    #[test]
    fn long_curves_are_thinned() {
        let v: Vec<u64> = (0..1_000_000).collect();
        let scale = Scale::for_values(&v, &DurationUnit::for_max(1_000_000));
        let c = Curve::of(&v, &scale);
        assert!(c.points.len() < 20_000, "{} points", c.points.len());
        assert_eq!(c.points.last().map(|p| p.1), Some(c.y.start));
    }
}
