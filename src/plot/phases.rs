//! `phases`: pods by phase over time, from metrics.csv, in three panels sharing the time
//! axis: active pods (Running and Pending, stacked), finished pods (Succeeded and Failed,
//! stacked: they pile up and would flatten the active ones if stacked with them), and
//! the pending pods with those not yet bound to a node.

use super::PlotFile;
use super::canvas::{self, Chart, DrawResult, Key, de};
use super::input::PlotError;
use super::model::{Run, Sample};
use super::style::{self, BLACK, FAILED, PENDING, RUNNING, SUCCEEDED};
use super::thin;
use super::timeaxis::TimeAxis;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

pub(crate) fn render(run: &Run, out: &mut Vec<PlotFile>) -> Result<(), PlotError> {
    let all = &run.samples;
    let times: Vec<u64> = all.iter().map(|s| s.t).collect();
    let pick = |y: &dyn Fn(&Sample) -> u64| -> Vec<Sample> {
        thin::keep(&times, |i| y(&all[i]) as f64).into_iter().map(|i| all[i]).collect()
    };
    let chart = Phases {
        run,
        active: pick(&|s| s.running.saturating_add(s.pending)),
        finished: pick(&|s| s.succeeded.saturating_add(s.failed)),
        pending: pick(&|s| s.pending),
        unbound: pick(&|s| s.unscheduled.unwrap_or(0)),
    };
    canvas::render("phases", &chart, out)
}

/// The samples of metrics.csv, thinned for each panel.
struct Phases<'a> {
    run: &'a Run,
    active: Vec<Sample>,
    finished: Vec<Sample>,
    pending: Vec<Sample>,
    unbound: Vec<Sample>,
}

/// A layer of a stack: its colour and its value in a sample.
type Layer = (RGBColor, fn(&Sample) -> u64);

/// Bottom first; in each stack the lower layer is darker, so they differ in grey too.
const ACTIVE: [Layer; 2] = [(RUNNING, |s| s.running), (PENDING, |s| s.pending)];
const FINISHED: [Layer; 2] = [(FAILED, |s| s.failed), (SUCCEEDED, |s| s.succeeded)];
const PENDING_ONLY: [Layer; 1] = [(PENDING, |s| s.pending)];

impl Chart for Phases<'_> {
    fn size(&self) -> (u32, u32) {
        (1400, 1000)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let body = canvas::title(root, &self.run.title("pods by phase"))?;
        let (w, _) = body.dim_in_pixel();
        let keys = vec![
            (Key::Fill(RUNNING), "Running".to_string()),
            (Key::Fill(PENDING), "Pending".to_string()),
            (Key::Fill(SUCCEEDED), "Succeeded".to_string()),
            (Key::Fill(FAILED), "Failed".to_string()),
            (Key::Dashed(BLACK), "not yet bound to a node".to_string()),
        ];
        let top = canvas::legend(&body, (20, 0), w as i32 - 20, &keys)?;
        let body = body.margin(top + 4, 0, 0, 0);
        if self.run.samples.is_empty() {
            return canvas::empty(&body, "metrics.csv has no samples");
        }
        let h = body.dim_in_pixel().1;
        let (first, rest) = body.split_vertically(h * 36 / 100);
        let (second, third) = rest.split_vertically(h * 32 / 100);
        self.stack(&first, "active pods (stacked)", &self.active, &ACTIVE)?;
        self.stack(&second, "finished pods, still in the API (stacked)", &self.finished, &FINISHED)?;
        self.stack(&third, "pending pods", &self.pending, &PENDING_ONLY)
    }
}

impl Phases<'_> {
    /// A panel of stacked areas; the pending panel (one layer) also shows the pods not
    /// yet bound to a node.
    fn stack<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        what: &str,
        samples: &[Sample],
        layers: &[Layer],
    ) -> DrawResult {
        let (head, area) = area.split_vertically(24);
        head.draw_text(what, &style::text(style::LABEL_SIZE), (90, 4)).map_err(de)?;
        let sum = |s: &Sample| layers.iter().fold(0u64, |sum, (_, v)| sum.saturating_add(v(s)));
        let mut top = samples.iter().map(sum).max().unwrap_or(0);
        if layers.len() == 1 {
            top = top.max(self.unbound.iter().filter_map(|s| s.unscheduled).max().unwrap_or(0));
        }
        let axis = TimeAxis::new(0, self.run.end, 12);
        let y = 0.0..(top.max(1) as f64 * 1.08);
        let mut chart = canvas::time_chart(&area, &axis, 0.0..self.run.end as f64, y, "pods")?;
        let mut below = vec![0u64; samples.len()];
        for (colour, value) in layers {
            let above: Vec<u64> = samples.iter().zip(&below).map(|(s, b)| b.saturating_add(value(s))).collect();
            let upper: Vec<(f64, f64)> = samples.iter().zip(&above).map(|(s, v)| (s.t as f64, *v as f64)).collect();
            let mut outline = upper.clone();
            outline.extend(samples.iter().zip(&below).rev().map(|(s, v)| (s.t as f64, *v as f64)));
            chart.draw_series(std::iter::once(Polygon::new(outline, colour.filled()))).map_err(de)?;
            chart.draw_series(std::iter::once(PathElement::new(upper, BLACK.mix(0.6)))).map_err(de)?;
            below = above;
        }
        if layers.len() > 1 {
            return Ok(());
        }
        let unbound: Vec<(f64, f64)> =
            self.unbound.iter().filter_map(|s| s.unscheduled.map(|u| (s.t as f64, u as f64))).collect();
        if unbound.len() >= 2 {
            let line = DashedPathElement::new(unbound, 8, 5, BLACK.stroke_width(2));
            chart.draw_series(std::iter::once(line)).map_err(de)?;
        }
        Ok(())
    }
}
