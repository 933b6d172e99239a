//! Charts of a run's output folder (`podsim plot`).
//!
//! Pure: it takes the text of the output files and returns the bytes of each chart, as
//! PNG and SVG, so the binary alone touches files. The same text gives the same bytes:
//! no clock, no randomness, no hash-map order (everything keyed is in `BTreeMap`s or in
//! vectors in file order), and the font is embedded rather than looked up on the system.
//!
//! Charts, each `<stem>.png` and `<stem>.svg`:
//! - `timeline`: pods per node over time (one bar per pod) or, for a run too large for
//!   bars, a heat map of pods per node; `timeline-detail` then shows the busiest nodes
//!   over the first stretch of the run, pod by pod. Pods of ReplicaSets carry a stripe
//!   in their ReplicaSet's colour, so a rollout's old and new pods read apart.
//! - `phases`: pods by phase (stacked) and pending pods, from metrics.csv.
//! - `resources`: requested against allocatable CPU and memory per pool (pool_metrics.csv).
//! - `latency`: distributions of scheduling and start-up latency.
//! - `jobs`: Job durations and CronJob start lateness, only when the run has Jobs.
//! - `availability`: each Service's ready endpoints against its desired backends, with
//!   its outages shaded, only when the run has Services (services.csv and summary.json).

mod availability;
mod canvas;
mod capacity;
mod glyphs;
mod input;
mod jobs;
mod latency;
mod model;
mod phases;
mod resources;
mod services;
mod style;
mod thin;
mod timeaxis;
mod timeline;

pub use capacity::{CapacityChart, CapacityPanel, CapacityPoint, render_capacity};
pub use input::PlotError;

/// The text of a run's output files. `nodes`, `pool_metrics` and `services` are podsim's
/// additions to the interface: without them the node list comes from transitions.csv,
/// and the per-pool chart (and the availability chart, unless summary.json names
/// Services) is left out.
#[derive(Clone, Copy, Debug)]
pub struct RunFiles<'a> {
    pub summary: &'a str,
    pub transitions: &'a str,
    pub events: &'a str,
    pub metrics: &'a str,
    pub nodes: Option<&'a str>,
    pub pool_metrics: Option<&'a str>,
    pub services: Option<&'a str>,
}

/// The same files, with the two large ones (transitions.csv and events.csv, hundreds of
/// megabytes on a long run) read as they are replayed rather than held whole.
pub struct RunStreams<'a> {
    pub summary: &'a str,
    pub transitions: &'a mut dyn std::io::Read,
    pub events: &'a mut dyn std::io::Read,
    pub metrics: &'a str,
    pub nodes: Option<&'a str>,
    pub pool_metrics: Option<&'a str>,
    pub services: Option<&'a str>,
}

/// One file to write into `plots/`: its name and its bytes.
pub type PlotFile = (String, Vec<u8>);

/// The folder, under the run's output folder, where the charts go.
pub const PLOTS_DIR: &str = "plots";

impl RunFiles<'_> {
    /// `f` given the files as streams, the large two read from memory.
    pub(crate) fn as_streams<R>(&self, f: impl FnOnce(RunStreams<'_>) -> R) -> R {
        let (mut transitions, mut events) = (self.transitions.as_bytes(), self.events.as_bytes());
        f(RunStreams {
            summary: self.summary,
            transitions: &mut transitions,
            events: &mut events,
            metrics: self.metrics,
            nodes: self.nodes,
            pool_metrics: self.pool_metrics,
            services: self.services,
        })
    }
}

/// Draws every chart the run's files allow, in a fixed order.
pub fn render(files: &RunFiles<'_>) -> Result<Vec<PlotFile>, PlotError> {
    files.as_streams(render_streams)
}

/// [`render`], reading transitions.csv and events.csv from readers: the same bytes out.
pub fn render_streams(files: RunStreams<'_>) -> Result<Vec<PlotFile>, PlotError> {
    let run = model::Run::read_streams(files)?;
    let mut out = Vec::new();
    timeline::render(&run, &mut out)?;
    phases::render(&run, &mut out)?;
    if run.pools.is_some() {
        resources::render(&run, &mut out)?;
    }
    latency::render(&run, &mut out)?;
    if !run.jobs.is_empty() {
        jobs::render(&run, &mut out)?;
    }
    if !run.services.is_empty() {
        availability::render(&run, &mut out)?;
    }
    Ok(out)
}
