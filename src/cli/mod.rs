//! The command line: the only part of podsim that touches files, clocks and threads.

pub mod estimate;
pub mod get;
pub mod interrupt;
pub mod output;
pub mod plot;
pub mod run;
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
}

impl Failure {
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Input(_) | Failure::Verbatim(_) | Failure::Environment(_) => 2,
            Failure::Internal(_) => 1,
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
    podsim::scenario::load(&shown, &text, &read)
        .map_err(|e| Failure::Input(e.0.iter().map(|e| e.to_string()).collect()))
}
