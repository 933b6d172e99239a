//! `podsim plot DIR`: draws the charts of a run's output folder into `DIR/plots/`.

use super::Failure;
use super::output::OutputDir;
use clap::Args;
use podsim::plot::{PLOTS_DIR, PlotError, RunStreams};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Args, Debug)]
pub struct PlotArgs {
    /// The output folder of `podsim run` (it holds transitions.csv, metrics.csv, ...).
    pub dir: PathBuf,
    /// Prints nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn plot(args: PlotArgs) -> Result<(), Failure> {
    draw(&args.dir, args.quiet)
}

/// Every chart that may be drawn, so that charts a previous drawing left and this one
/// does not make (say `jobs.png`) are removed rather than left stale.
const KNOWN: [&str; 7] = ["timeline", "timeline-detail", "phases", "resources", "latency", "jobs", "availability"];

/// The names of every file the charts may be written to.
pub fn plot_files() -> Vec<String> {
    KNOWN.iter().flat_map(|stem| ["png", "svg"].map(|ext| format!("{stem}.{ext}"))).collect()
}

/// Reads the run in `dir`, draws its charts and writes them into `dir/plots/`.
pub fn draw(dir: &Path, quiet: bool) -> Result<(), Failure> {
    let started = Instant::now();
    if !dir.is_dir() {
        return Err(input(format!("{}: not a folder (expected the output folder of `podsim run`)", dir.display())));
    }
    let summary = read(dir, "summary.json")?;
    // The two large files are read as they are replayed, not held whole.
    let mut transitions = open(dir, "transitions.csv")?;
    let mut events = open(dir, "events.csv")?;
    let metrics = read(dir, "metrics.csv")?;
    let nodes = read_optional(dir, "nodes.csv")?;
    let pool_metrics = read_optional(dir, "pool_metrics.csv")?;
    let services = read_optional(dir, "services.csv")?;
    let files = RunStreams {
        summary: &summary,
        transitions: &mut transitions,
        events: &mut events,
        metrics: &metrics,
        nodes: nodes.as_deref(),
        pool_metrics: pool_metrics.as_deref(),
        services: services.as_deref(),
    };
    // The library is not expected to panic; if it does, that is a bug (exit 1), not bad input.
    let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| podsim::plot::render_streams(files)))
        .map_err(|_| Failure::Internal(format!("internal error while drawing the charts of {}", dir.display())))?;
    let plots = rendered.map_err(|e| plot_failure(dir, &e))?;
    let out_dir = dir.join(PLOTS_DIR);
    write(&out_dir, &plots)?;
    if !quiet {
        let secs = started.elapsed().as_secs_f64();
        println!("  plots: {} ({} files, {secs:.2} s)", out_dir.display(), plots.len());
    }
    Ok(())
}

fn input(message: String) -> Failure {
    Failure::Input(vec![message])
}

fn read(dir: &Path, name: &str) -> Result<String, Failure> {
    let path = dir.join(name);
    std::fs::read_to_string(&path).map_err(|e| input(format!("{}: cannot read: {e}", path.display())))
}

fn open(dir: &Path, name: &str) -> Result<std::io::BufReader<std::fs::File>, Failure> {
    let path = dir.join(name);
    let file = std::fs::File::open(&path).map_err(|e| input(format!("{}: cannot read: {e}", path.display())))?;
    Ok(std::io::BufReader::with_capacity(1 << 16, file))
}

/// nodes.csv, pool_metrics.csv and services.csv are podsim's additions: older runs lack them.
fn read_optional(dir: &Path, name: &str) -> Result<Option<String>, Failure> {
    if dir.join(name).exists() { read(dir, name).map(Some) } else { Ok(None) }
}

fn plot_failure(dir: &Path, e: &PlotError) -> Failure {
    let shown = PlotError { file: dir.join(&e.file).display().to_string(), ..e.clone() };
    if e.drawing { Failure::Internal(shown.to_string()) } else { input(shown.to_string()) }
}

/// Writes every chart under a temporary name, then renames them all into place.
fn write(out_dir: &Path, plots: &[podsim::plot::PlotFile]) -> Result<(), Failure> {
    let mut out = OutputDir::create(out_dir, &plot_files())?;
    for (name, bytes) in plots {
        if let Err(e) = out.write(name, bytes) {
            out.abandon();
            return Err(e);
        }
    }
    for name in plot_files() {
        if !plots.iter().any(|(n, _)| *n == name) {
            out.remove(&name);
        }
    }
    out.commit()
}
