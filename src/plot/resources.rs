//! `resources`: for each pool, the CPU and memory requested by the pods on its nodes
//! against what the nodes can allocate, over time (pool_metrics.csv).

use super::PlotFile;
use super::canvas::{self, Chart, DrawResult, Key, de};
use super::input::PlotError;
use super::model::{PoolSample, Run};
use super::style::{BLACK, BLUE, SKY_BLUE};
use super::thin;
use super::timeaxis::TimeAxis;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Pools drawn at most (the largest by CPU); a note names how many are left out.
const MAX_POOLS: usize = 6;
const PANEL_H: u32 = 330;

pub(crate) fn render(run: &Run, out: &mut Vec<PlotFile>) -> Result<(), PlotError> {
    let Some(pools) = &run.pools else { return Ok(()) };
    let mut shown: Vec<(&str, &[PoolSample])> = pools.iter().map(|(k, v)| (k.as_str(), v.as_slice())).collect();
    // Largest pools first (by CPU they can allocate), then by name.
    shown.sort_by_key(|(name, s)| (std::cmp::Reverse(s.iter().map(|x| x.cpu_allocatable_milli).max()), *name));
    let left_out = shown.len().saturating_sub(MAX_POOLS);
    shown.truncate(MAX_POOLS);
    canvas::render("resources", &Resources { run, pools: shown, left_out }, out)
}

struct Resources<'a> {
    run: &'a Run,
    pools: Vec<(&'a str, &'a [PoolSample])>,
    left_out: usize,
}

#[derive(Clone, Copy)]
enum Resource {
    Cpu,
    /// Memory in GiB, or in TiB for pools of more than 10 TiB.
    Memory {
        tib: bool,
    },
}

impl Resource {
    fn memory(samples: &[PoolSample]) -> Resource {
        let most = samples.iter().map(|s| s.memory_allocatable.max(s.memory_requested)).max().unwrap_or(0);
        Resource::Memory { tib: most >= 10 << 40 }
    }

    /// (requested, allocatable) in the unit drawn: cores, GiB or TiB.
    fn values(self, s: &PoolSample) -> (f64, f64) {
        match self {
            Resource::Cpu => (s.cpu_requested_milli as f64 / 1000.0, s.cpu_allocatable_milli as f64 / 1000.0),
            Resource::Memory { tib } => {
                let unit = (1u64 << if tib { 40 } else { 30 }) as f64;
                (s.memory_requested as f64 / unit, s.memory_allocatable as f64 / unit)
            }
        }
    }

    fn axis_name(self) -> &'static str {
        match self {
            Resource::Cpu => "CPU (cores)",
            Resource::Memory { tib: false } => "memory (GiB)",
            Resource::Memory { tib: true } => "memory (TiB)",
        }
    }
}

impl Chart for Resources<'_> {
    fn size(&self) -> (u32, u32) {
        (1400, canvas::TITLE_H + 60 + PANEL_H * self.pools.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let body = canvas::title(root, &self.run.title("requested and allocatable resources per pool"))?;
        let (w, _) = body.dim_in_pixel();
        let keys = [(Key::Line(BLACK), "allocatable".to_string()), (Key::Fill(SKY_BLUE), "requested".to_string())];
        let y = canvas::legend(&body, (20, 0), w as i32 - 20, &keys)?;
        let mut note = "requested: the requests of the pods holding resources on the pool's nodes".to_string();
        if self.left_out > 0 {
            note.push_str(&format!("; {} smaller pool(s) not shown", self.left_out));
        }
        canvas::note(&body, &note, (20, y + 2), w as i32 - 40)?;
        let body = body.margin(60, 0, 0, 0);
        if self.pools.is_empty() {
            return canvas::empty(&body, "pool_metrics.csv has no samples");
        }
        let rows = body.split_evenly((self.pools.len(), 2));
        for (i, (name, samples)) in self.pools.iter().enumerate() {
            for (j, r) in [Resource::Cpu, Resource::memory(samples)].into_iter().enumerate() {
                if let Some(area) = rows.get(i * 2 + j) {
                    self.panel(area, name, samples, r)?;
                }
            }
        }
        Ok(())
    }
}

impl Resources<'_> {
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        pool: &str,
        samples: &[PoolSample],
        r: Resource,
    ) -> DrawResult {
        let (title, body) = area.split_vertically(26);
        let font = super::style::text(super::style::LABEL_SIZE);
        title.draw_text(&format!("pool {pool}: {}", r.axis_name()), &font, (90, 4)).map_err(de)?;
        let all: Vec<(f64, f64, f64)> = samples
            .iter()
            .map(|s| {
                let (req, alloc) = r.values(s);
                (s.t as f64, req, alloc)
            })
            .collect();
        let times: Vec<u64> = samples.iter().map(|s| s.t).collect();
        let thinned = |y: fn(&(f64, f64, f64)) -> f64| -> Vec<(f64, f64, f64)> {
            thin::keep(&times, |i| y(&all[i])).into_iter().map(|i| all[i]).collect()
        };
        let values = thinned(|v| v.1);
        let alloc_values = thinned(|v| v.2);
        let top = all.iter().map(|v| v.1.max(v.2)).fold(0.0, f64::max);
        let axis = TimeAxis::new(0, self.run.end, 8);
        let y = 0.0..(if top > 0.0 { top * 1.08 } else { 1.0 });
        let mut chart = canvas::time_chart(&body, &axis, 0.0..self.run.end as f64, y, r.axis_name())?;
        let requested: Vec<(f64, f64)> = values.iter().map(|v| (v.0, v.1)).collect();
        let mut outline = requested.clone();
        if let (Some(first), Some(last)) = (values.first(), values.last()) {
            outline.push((last.0, 0.0));
            outline.push((first.0, 0.0));
        }
        chart.draw_series(std::iter::once(Polygon::new(outline, SKY_BLUE.filled()))).map_err(de)?;
        chart.draw_series(std::iter::once(PathElement::new(requested, BLUE.stroke_width(2)))).map_err(de)?;
        let allocatable: Vec<(f64, f64)> = alloc_values.iter().map(|v| (v.0, v.2)).collect();
        chart.draw_series(std::iter::once(PathElement::new(allocatable, BLACK.stroke_width(2)))).map_err(de)?;
        Ok(())
    }
}
