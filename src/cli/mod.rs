//! The command line: the only part of podsim that touches files, clocks and threads.

pub mod capacity;
pub mod compare;
pub mod estimate;
pub mod get;
pub mod interrupt;
pub mod k8s_job;
pub mod merge;
pub mod output;
pub mod plot;
pub mod progress;
pub mod run;
pub mod study_dir;
pub mod sweep;
pub mod validate;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "podsim", version, about = "A deterministic discrete-event simulator of a Kubernetes cluster")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate one scenario and write its trace, metrics and summary.
    Run(run::RunArgs),
    /// Draw the charts of a run's output folder into DIR/plots/ (PNG and SVG).
    Plot(plot::PlotArgs),
    /// Check scenarios and manifests; simulate nothing.
    Validate {
        /// Scenario files or Kubernetes manifest files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// What `kubectl get` would have printed at a simulated instant of a finished run.
    Get(get::ViewArgs),
    /// What `kubectl describe` would have printed at a simulated instant of a finished run.
    Describe(get::ViewArgs),
    /// Many runs of one scenario: seeds times parameter values, on every core.
    Sweep(sweep::SweepArgs),
    /// Joins the shards of a study (`sweep --shard I/N`) into one study folder.
    Merge(merge::MergeArgs),
    /// Two runs, or two studies, side by side with statistics.
    Compare(compare::CompareArgs),
    /// The smallest (or largest) value of a parameter that meets every target, by a search.
    Capacity(capacity::CapacityArgs),
}

/// How a command ends: the exit codes of interface.md.
#[derive(Debug)]
pub enum Failure {
    /// Bad input (exit 2): every message names its file, line or field path.
    Input(Vec<String>),
    /// A bug or broken invariant (exit 1), with a command that reproduces it.
    Internal(String),
    /// Bad input (exit 2) whose messages are printed as they are (kubectl's
    /// `Error from server (NotFound): ...`).
    Verbatim(Vec<String>),
    /// The user's environment (exit 2): an output folder that cannot be written (a
    /// file in the way, no permission, a read-only or full file system).
    Environment(String),
    /// A study's verdict is negative (exit 3): `compare --fail-on`; `capacity` finding no
    /// value that meets the targets.
    Verdict(Vec<String>),
}

impl Failure {
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Input(_) | Failure::Verbatim(_) | Failure::Environment(_) => 2,
            Failure::Internal(_) => 1,
            Failure::Verdict(_) => compare::VERDICT,
        }
    }
}

pub fn main(cli: Cli) -> Result<(), Failure> {
    interrupt::install();
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Plot(args) => plot::plot(args),
        Command::Validate { files } => validate::validate(&files),
        Command::Get(args) => get::get_command(args),
        Command::Describe(args) => get::describe_command(args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Merge(args) => merge::merge(args),
        Command::Compare(args) => compare::compare(args),
        Command::Capacity(args) => capacity::capacity(args),
    }
}

/// Reads a scenario and validates it, resolving the files it names against its folder.
pub fn load_scenario(path: &std::path::Path) -> Result<podsim::scenario::Scenario, Failure> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Failure::Input(vec![format!("{shown}: cannot read: {e}")]))?;
    let dir = path.parent().map(|p| p.to_path_buf()).unwrap_or_default();
    let read = |name: &str| {
        let p = dir.join(name);
        std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))
    };
    podsim::scenario::load_with(&shown, &text, &read, parse_threads())
        .map_err(|e| Failure::Input(e.0.iter().map(|e| e.to_string()).collect()))
}

/// Threads for parsing a large manifest file: every core (the objects, their order and
/// any error are the same for any number; `api::object::parse_file_with`).
pub fn parse_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Reads a scenario and sets the values `--set PATH=VALUE` gives (one value each: a
/// study of several is `podsim sweep`).
pub fn load_scenario_with(path: &std::path::Path, sets: &[String]) -> Result<podsim::scenario::Scenario, Failure> {
    if sets.is_empty() {
        return load_scenario(path);
    }
    let input = |e: String| Failure::Input(vec![e]);
    let mut parameters: Vec<podsim::study::param::Parameter> = Vec::new();
    for set in sets {
        let p = podsim::study::param::Parameter::parse(set).map_err(|e| input(format!("--set {e}")))?;
        if p.values.len() > 1 {
            return Err(input(format!(
                "--set {set}: podsim run takes one value per parameter; podsim sweep runs each of several"
            )));
        }
        if parameters.iter().any(|q| q.path.text == p.path.text) {
            return Err(input(format!("--set {}: this path is set twice", p.path)));
        }
        parameters.push(p);
    }
    let base = load_scenario(path)?;
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| input(format!("{shown}: cannot read: {e}")))?;
    let dir = path.parent().map(|p| p.to_path_buf()).unwrap_or_default();
    let read = |name: &str| {
        let p = dir.join(name);
        std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))
    };
    let values: Vec<_> = parameters.iter().map(|p| (&p.path, &p.values[0])).collect();
    let point = podsim::study::point::Base::new(&shown, &text, base.digest).map_err(input)?;
    point.scenario(&values, &read).map_err(|e| match e {
        podsim::study::point::PointError::Path(m) => input(format!("--set {m}")),
        podsim::study::point::PointError::Invalid(m) => Failure::Input(m),
    })
}
