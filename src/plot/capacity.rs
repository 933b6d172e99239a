//! `capacity` (from `podsim capacity`, not a run's folder): each target's figure against
//! the parameter searched, one panel per target. Per point tried: the mean (filled when
//! the target holds there, hollow when not), its 95% confidence interval as a bar, the
//! seeds' range as a thin line; the target's value as a dashed line, and the answer as a
//! vertical line.

use super::PlotFile;
use super::canvas::{self, Chart, DrawResult, Key, de};
use super::input::PlotError;
use super::style::{self, BLACK, BLUE, GREEN, NOTE, VERMILLION};
use plotters::coord::Shift;
use plotters::prelude::*;

/// What the chart shows: the search's points, per target.
#[derive(Clone, Debug, PartialEq)]
pub struct CapacityChart {
    pub title: String,
    /// The parameter's path, the x axis.
    pub parameter: String,
    pub answer: Option<i64>,
    pub panels: Vec<CapacityPanel>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CapacityPanel {
    /// `FIGURE OP VALUE`, in the figure's unit.
    pub target: String,
    pub value: f64,
    pub points: Vec<CapacityPoint>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CapacityPoint {
    pub x: f64,
    pub mean: f64,
    /// The 95% interval of the mean (the mean itself with one seed).
    pub low: f64,
    pub high: f64,
    /// The seeds' smallest and largest values.
    pub min: f64,
    pub max: f64,
    pub holds: bool,
}

/// `capacity.png` and `capacity.svg`.
pub fn render_capacity(chart: &CapacityChart) -> Result<Vec<PlotFile>, PlotError> {
    let mut out = Vec::new();
    canvas::render("capacity", chart, &mut out)?;
    Ok(out)
}

const PANEL_H: u32 = 420;

impl Chart for CapacityChart {
    fn size(&self) -> (u32, u32) {
        (1200, canvas::TITLE_H + 70 + PANEL_H * self.panels.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let body = canvas::title(root, &self.title)?;
        let (w, _) = body.dim_in_pixel();
        let keys = vec![
            (Key::Fill(GREEN), "mean, the target holds".to_string()),
            (Key::Fill(VERMILLION), "mean, the target fails".to_string()),
            (Key::Fill(BLUE), "answer".to_string()),
        ];
        let y = canvas::legend(&body, (20, 0), w as i32 - 20, &keys)?;
        let note = "Bars: the 95% confidence interval of the mean; thin lines: the seeds' range; dashed: the target.";
        let y = canvas::note(&body, note, (20, y + 2), w as i32 - 40)?;
        let body = body.margin(y + 8, 0, 0, 0);
        if self.panels.is_empty() {
            return canvas::empty(&body, "no target");
        }
        let areas = body.split_evenly((self.panels.len(), 1));
        for (panel, area) in self.panels.iter().zip(&areas) {
            self.panel(panel, area)?;
        }
        Ok(())
    }
}

impl CapacityChart {
    fn panel<DB: DrawingBackend>(&self, p: &CapacityPanel, area: &DrawingArea<DB, Shift>) -> DrawResult {
        let (head, body) = area.split_vertically(28);
        head.draw_text(&format!("target {}", p.target), &style::text(style::LABEL_SIZE), (90, 4)).map_err(de)?;
        if p.points.is_empty() {
            return canvas::empty(&body, "no point gave this figure");
        }
        let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
        let (x0, x1) = p.points.iter().fold((f64::MAX, f64::MIN), |(a, b), q| (a.min(q.x), b.max(q.x)));
        let (y0, y1) = p
            .points
            .iter()
            .flat_map(|q| [q.min, q.max, q.low, q.high])
            .chain([p.value])
            .map(finite)
            .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
        let xpad = ((x1 - x0) * 0.05).max(0.5);
        let ypad = ((y1 - y0) * 0.08).max(y1.abs().max(1.0) * 0.02);
        let mut chart = ChartBuilder::on(&body)
            .margin(8)
            .margin_right(24)
            .x_label_area_size(48)
            .y_label_area_size(80)
            .build_cartesian_2d((x0 - xpad)..(x1 + xpad), (y0 - ypad)..(y1 + ypad))
            .map_err(de)?;
        let fmt = |v: &f64| canvas::number(*v);
        chart
            .configure_mesh()
            .x_desc(self.parameter.as_str())
            .x_labels(12)
            .x_label_formatter(&fmt)
            .y_labels(8)
            .y_label_formatter(&fmt)
            .label_style(style::text(style::SMALL_SIZE))
            .axis_desc_style(style::text(style::LABEL_SIZE))
            .bold_line_style(style::GRID)
            .light_line_style(style::WHITE.mix(0.0))
            .axis_style(style::AXIS)
            .draw()
            .map_err(de)?;
        let (xs, ys) = (chart.x_range(), chart.y_range());
        if let Some(a) = self.answer {
            let a = a as f64;
            chart
                .draw_series([PathElement::new(vec![(a, ys.start), (a, ys.end)], BLUE.stroke_width(2))])
                .map_err(de)?;
        }
        // The target: dashed across.
        let mut x = xs.start;
        let dash = (xs.end - xs.start) / 80.0;
        let mut dashes = Vec::new();
        while x < xs.end {
            dashes.push(PathElement::new(
                vec![(x, p.value), ((x + dash * 0.6).min(xs.end), p.value)],
                BLACK.stroke_width(2),
            ));
            x += dash;
        }
        chart.draw_series(dashes).map_err(de)?;
        for q in &p.points {
            let c = if q.holds { GREEN } else { VERMILLION };
            let range = PathElement::new(vec![(q.x, finite(q.min)), (q.x, finite(q.max))], NOTE.stroke_width(1));
            let bar = PathElement::new(vec![(q.x, finite(q.low)), (q.x, finite(q.high))], c.stroke_width(5));
            chart.draw_series([range, bar]).map_err(de)?;
            let mean = (q.x, finite(q.mean));
            let dot = if q.holds { Circle::new(mean, 6, c.filled()) } else { Circle::new(mean, 6, WHITE.filled()) };
            chart.draw_series([dot, Circle::new(mean, 6, c.stroke_width(2))]).map_err(de)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_is_drawn_and_the_same_bytes_twice() {
        let point = |x: f64, mean: f64, holds| CapacityPoint {
            x,
            mean,
            low: mean - 1.0,
            high: mean + 1.0,
            min: mean - 2.0,
            max: mean + 2.0,
            holds,
        };
        let chart = CapacityChart {
            title: "t".into(),
            parameter: "nodes[worker].count".into(),
            answer: Some(7),
            panels: vec![
                CapacityPanel {
                    target: "latency_ms.scheduling.p99 <= 0".into(),
                    value: 0.0,
                    points: vec![point(1.0, 90.0, false), point(7.0, 0.0, true), point(8.0, 0.0, true)],
                },
                CapacityPanel { target: "x > 1".into(), value: 1.0, points: vec![] },
            ],
        };
        let a = render_capacity(&chart).unwrap();
        assert_eq!(a.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["capacity.png", "capacity.svg"]);
        assert_eq!(a, render_capacity(&chart).unwrap());
        let svg = String::from_utf8(a[1].1.clone()).unwrap();
        assert!(
            svg.contains("target latency_ms.scheduling.p99 &lt;= 0")
                || svg.contains("target latency_ms.scheduling.p99 <= 0")
        );
    }
}
