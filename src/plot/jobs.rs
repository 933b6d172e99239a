//! `jobs` (only for runs with Jobs): how long Jobs took, from their first row to
//! `Complete` or `Failed`, and how late each CronJob's Jobs started after the time they were
//! scheduled for.

use super::PlotFile;
use super::canvas::{self, Chart, DrawResult, Key, de};
use super::input::PlotError;
use super::latency::{Panel, cdf_keys, cdf_panel};
use super::model::Run;
use super::style::{self, BLACK, NOTE, SERIES};
use super::timeaxis::{DurationUnit, TimeAxis};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeMap;

pub(crate) fn render(run: &Run, out: &mut Vec<PlotFile>) -> Result<(), PlotError> {
    let mut durations: Vec<u64> = run.jobs.iter().filter_map(|j| j.end.map(|(t, _)| t - j.first.min(t))).collect();
    durations.sort_unstable();
    let unfinished = run.jobs.len() - durations.len();
    let mut late: BTreeMap<&str, Vec<(i64, i64)>> = BTreeMap::new();
    for job in &run.jobs {
        if let Some((cronjob, scheduled)) = &job.cron {
            let first = i64::try_from(job.first).unwrap_or(i64::MAX);
            late.entry(cronjob.as_str()).or_default().push((*scheduled, first.saturating_sub(*scheduled)));
        }
    }
    let chart = Jobs {
        run,
        durations: Panel {
            what: "duration (first row → Complete or Failed)",
            noun: "Jobs",
            measure: "duration",
            values: durations,
        },
        unfinished,
        late,
    };
    canvas::render("jobs", &chart, out)
}

struct Jobs<'a> {
    run: &'a Run,
    durations: Panel,
    unfinished: usize,
    /// Per CronJob, each Job's (scheduled time, lateness) in simulated ms.
    late: BTreeMap<&'a str, Vec<(i64, i64)>>,
}

impl Chart for Jobs<'_> {
    fn size(&self) -> (u32, u32) {
        (1400, 700)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let body = canvas::title(root, &self.run.title("Jobs"))?;
        let (w, _) = body.dim_in_pixel();
        let mut keys = cdf_keys();
        keys.extend(self.series().into_iter().map(|(i, name)| (Key::Fill(colour(i)), format!("CronJob {name}"))));
        let y = canvas::legend(&body, (20, 0), w as i32 - 20, &keys)?;
        let note = format!(
            "{} Job(s) never reached Complete or Failed (deleted first, as by a CronJob's Replace, or still running at the end) and are not in the durations. Lateness: a CronJob's Job's first row minus the time it was scheduled for (from its name).",
            self.unfinished
        );
        canvas::note(&body, &note, (20, y + 2), w as i32 - 40)?;
        let body = body.margin(y + 44, 0, 0, 0);
        let (left, right) = body.split_horizontally(w / 2);
        cdf_panel(&left, &self.durations)?;
        self.lateness(&right)
    }
}

/// CronJobs with a colour of their own; the rest share the last one.
const NAMED: usize = SERIES.len() - 1;

fn colour(i: usize) -> RGBColor {
    SERIES[i.min(NAMED)]
}

impl Jobs<'_> {
    /// The CronJobs in the legend, by name; beyond `NAMED` they are "other".
    fn series(&self) -> Vec<(usize, String)> {
        let mut out: Vec<(usize, String)> =
            self.late.keys().take(NAMED).enumerate().map(|(i, n)| (i, (*n).to_string())).collect();
        if self.late.len() > NAMED {
            out.push((NAMED, format!("others ({})", self.late.len() - NAMED)));
        }
        out
    }

    fn lateness<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult {
        let (head, body) = area.split_vertically(28);
        let total: usize = self.late.values().map(|v| v.len()).sum();
        let font = style::text(style::LABEL_SIZE);
        head.draw_text(&format!("CronJob start lateness by scheduled time, {total} Jobs"), &font, (90, 4))
            .map_err(de)?;
        if total == 0 {
            return canvas::empty(&body, "no Jobs created by a CronJob");
        }
        let points = self.late.values().flatten();
        let (lo, hi) = points.clone().fold((0i64, 0i64), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
        let unit = DurationUnit::for_max(hi.unsigned_abs().max(lo.unsigned_abs()).max(1));
        let (t0, t1) = points.fold((0i64, 1i64), |(a, b), p| (a.min(p.0), b.max(p.0)));
        let span = t1.saturating_sub(t0).max(1) as f64;
        let t0 = t0.max(0) as u64;
        let axis = TimeAxis::new(t0, t1.max(1) as u64, 8);
        // Lateness is drawn in the unit its largest value reads best in.
        let y = (lo as f64 * 1.1 / unit.ms)..(hi.max(1) as f64 * 1.1 / unit.ms);
        let x = (t0 as f64 - span * 0.02)..(t1 as f64 + span * 0.02);
        let mut chart = canvas::time_chart(&body, &axis, x, y, &format!("lateness ({})", unit.name))?;
        for (i, (_, list)) in self.late.iter().enumerate() {
            let c = colour(i);
            let at = |&(t, l): &(i64, i64)| (t as f64, l as f64 / unit.ms);
            let dots = list.iter().map(|p| Circle::new(at(p), 4, c.filled()));
            chart.draw_series(dots).map_err(de)?;
            let rings = list.iter().map(|p| Circle::new(at(p), 4, BLACK.mix(0.7)));
            chart.draw_series(rings).map_err(de)?;
        }
        let scale = format!("most late: {}", unit.format(hi as f64));
        let style = style::text_coloured(style::SMALL_SIZE, NOTE);
        chart.plotting_area().strip_coord_spec().draw_text(&scale, &style, (8, 6)).map_err(de)
    }
}
