//! `availability` (only for runs with Services): a panel per Service over the run, its
//! ready endpoints against the backends it should have (the desired replicas of what
//! backs it), the stretches with no ready endpoint shaded, and the summary's figures in
//! the panel's heading. With more Services than fit, the least available are shown.

use super::PlotFile;
use super::canvas::{self, Chart, DrawResult, Key, Marker, de};
use super::input::PlotError;
use super::model::Run;
use super::services::{Service, Step};
use super::style::{self, BLACK, BLUE, OUTAGE, SKY_BLUE};
use super::thin;
use super::timeaxis::TimeAxis;
use crate::engine::time::format_duration;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

/// Panels drawn at most: more and each is too low to read.
const MAX_PANELS: usize = 10;
const PANEL_H: u32 = 200;
const WIDTH: u32 = 1400;

pub(crate) fn render(run: &Run, out: &mut Vec<PlotFile>) -> Result<(), PlotError> {
    let mut shown: Vec<&Service> = run.services.iter().collect();
    let left_out = shown.len().saturating_sub(MAX_PANELS);
    if left_out > 0 {
        // Which Services to show is the question the chart answers: the worst ones.
        shown.sort_by(|a, b| a.rank().cmp(&b.rank()));
        shown.truncate(MAX_PANELS);
    }
    canvas::render("availability", &Availability { run, shown, left_out }, out)
}

struct Availability<'a> {
    run: &'a Run,
    /// In the summary's order, or least available first when some are left out.
    shown: Vec<&'a Service>,
    left_out: usize,
}

impl Availability<'_> {
    fn keys() -> Vec<(Key, String)> {
        vec![
            (Key::Fill(SKY_BLUE), "ready endpoints".to_string()),
            (Key::Dashed(BLACK), "desired backends".to_string()),
            (Key::Marker(Marker::Outage), "no ready endpoint".to_string()),
        ]
    }

    fn note(&self) -> String {
        let mut note = "Percentages: the time from the Service's creation (to its deletion or the end) with at least one ready endpoint, and with every desired backend ready (summary.json).".to_string();
        if self.left_out > 0 {
            note.push_str(&format!(
                " The {} least available of {} Services are shown, worst first (by time with a ready endpoint); {} more are not.",
                self.shown.len(),
                self.shown.len() + self.left_out,
                self.left_out
            ));
        }
        note
    }
}

impl Chart for Availability<'_> {
    fn size(&self) -> (u32, u32) {
        let header = canvas::header_height(&Self::keys(), Some(&self.note()), WIDTH as i32);
        (WIDTH, canvas::TITLE_H + header as u32 + PANEL_H * self.shown.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let body = canvas::title(root, &self.run.title("Service availability"))?;
        let (w, _) = body.dim_in_pixel();
        let y = canvas::legend(&body, (20, 0), w as i32 - 20, &Self::keys())?;
        let y = canvas::note(&body, &self.note(), (20, y + 2), w as i32 - 40)?;
        let body = body.margin(y + 6, 0, 0, 0);
        let panels = body.split_evenly((self.shown.len().max(1), 1));
        for (service, area) in self.shown.iter().zip(&panels) {
            self.panel(area, service)?;
        }
        Ok(())
    }
}

impl Availability<'_> {
    fn panel<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, s: &Service) -> DrawResult {
        let (head, body) = area.split_vertically(24);
        head.draw_text(&heading(s, self.run.end), &style::text(style::LABEL_SIZE), (90, 4)).map_err(de)?;
        // Everything is clamped to the run: plotters overflows on far-off coordinates.
        let created = s.created.min(self.run.end);
        let end = s.deleted.unwrap_or(self.run.end).min(self.run.end).max(created);
        let ready = steps(s, (created, end), |st| st.ready);
        let desired = steps(s, (created, end), |st| st.desired);
        let top = s.steps.iter().map(|st| st.desired.max(st.ready)).max().unwrap_or(0).max(1);
        let axis = TimeAxis::new(0, self.run.end, 12);
        let y = 0.0..top as f64 * 1.15;
        let mut chart = canvas::time_chart(&body, &axis, 0.0..self.run.end as f64, y.clone(), "endpoints")?;
        // Outages closer than a pixel column are one band: a flapping Service stays a
        // few rectangles however many times it flapped.
        let gap = self.run.end / 1500;
        let mut bands: Vec<(u64, u64)> = Vec::new();
        for (from, to) in s.outages(end).into_iter().map(|(a, b)| (a.min(end), b.min(end))) {
            match bands.last_mut() {
                Some(last) if from <= last.1.saturating_add(gap) => last.1 = last.1.max(to),
                _ => bands.push((from, to)),
            }
        }
        let shade = bands.iter().map(|&(a, b)| {
            let b = b.max(a.saturating_add(gap)).min(self.run.end);
            Rectangle::new([(a as f64, y.start), (b as f64, y.end)], OUTAGE.mix(0.45).filled())
        });
        chart.draw_series(shade).map_err(de)?;
        if ready.len() >= 2 {
            let mut outline = ready.clone();
            outline.push((end as f64, 0.0));
            outline.push((created as f64, 0.0));
            chart.draw_series(std::iter::once(Polygon::new(outline, SKY_BLUE.filled()))).map_err(de)?;
            chart.draw_series(std::iter::once(PathElement::new(ready, BLUE.stroke_width(2)))).map_err(de)?;
        }
        if desired.len() >= 2 {
            let line = DashedPathElement::new(desired, 8, 5, BLACK.stroke_width(2));
            chart.draw_series(std::iter::once(line)).map_err(de)?;
        }
        Ok(())
    }
}

/// "default/web: ≥ 1 ready 97.5% · all ready 91.2% · longest outage 5m10s (2 outages)".
fn heading(s: &Service, run_end: u64) -> String {
    let Some(f) = s.figures else {
        let lost: u64 = s.outages(run_end).iter().map(|(a, b)| b - a).sum();
        return format!("{}: no ready endpoint for {} in all (not in summary.json)", s.key, format_duration(lost));
    };
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    let mut text = format!("{}: ≥ 1 ready {} · all ready {}", s.key, pct(f.any_ready), pct(f.all_ready));
    if f.longest_outage_ms > 0 {
        let times = if f.outages == 1 { "1 outage".to_string() } else { format!("{} outages", f.outages) };
        text.push_str(&format!(" · longest outage {} ({times})", format_duration(f.longest_outage_ms)));
    } else {
        text.push_str(" · never without a ready endpoint");
    }
    if let Some(d) = s.deleted {
        text.push_str(&format!(" · deleted at {}", super::timeaxis::format_span(d)));
    }
    text
}

/// A step line of `value` from `created` to `end` (0 until the Service's first row;
/// thinned for long runs), in chart coordinates.
fn steps(s: &Service, (created, end): (u64, u64), value: fn(&Step) -> u64) -> Vec<(f64, f64)> {
    let rows: Vec<&Step> = s.steps.iter().filter(|st| st.t <= end).collect();
    let times: Vec<u64> = rows.iter().map(|st| st.t).collect();
    let kept = thin::keep(&times, |i| value(rows[i]) as f64);
    let mut points = Vec::with_capacity(kept.len() * 2 + 2);
    let mut last = 0.0;
    points.push((created as f64, last));
    for i in kept {
        let (t, v) = (rows[i].t.max(created) as f64, value(rows[i]) as f64);
        points.push((t, last));
        points.push((t, v));
        last = v;
    }
    points.push((end as f64, last));
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::services::Figures;

    fn service(figures: Option<Figures>) -> Service {
        let step = |t, desired, ready| Step { t, desired, ready };
        Service {
            key: "default/web".into(),
            created: 1000,
            deleted: None,
            figures,
            steps: vec![step(2000, 3, 0), step(4000, 3, 2), step(6000, 3, 3)],
        }
    }

    #[test]
    fn steps_hold_each_value_until_the_next_row() {
        let ready = steps(&service(None), (1000, 10_000), |s| s.ready);
        assert_eq!(
            ready,
            [
                (1000.0, 0.0),
                (2000.0, 0.0),
                (2000.0, 0.0),
                (4000.0, 0.0),
                (4000.0, 2.0),
                (6000.0, 2.0),
                (6000.0, 3.0),
                (10_000.0, 3.0)
            ]
        );
    }

    #[test]
    fn headings_give_the_summary_figures() {
        let f = Figures { any_ready: 0.975, all_ready: 0.9123, longest_outage_ms: 310_000, outages: 2 };
        assert_eq!(
            heading(&service(Some(f)), 10_000),
            "default/web: ≥ 1 ready 97.5% · all ready 91.2% · longest outage 5m10s (2 outages)"
        );
        assert_eq!(
            heading(&service(None), 10_000),
            "default/web: no ready endpoint for 3s in all (not in summary.json)"
        );
    }
}
