//! A study's folder, as `sweep`, `merge` and `compare` read and write it:
//!
//! ```text
//! sweep.json          the plan (written first: a folder holds one study)
//! runs/point-P/seed-S/ one folder per run: podsim run's files, or summary.json only
//!                      (--keep summary); failure.json instead for a run that failed
//! sweep.csv           one row per run            } written when every run has ended,
//! points.csv          one row per point and figure } the same bytes on any machine
//! invocation.json     the command line, threads and wall times (not deterministic)
//! ```
//!
//! Every file is written under a temporary name and renamed into place (`OutputDir`),
//! so an interrupted study leaves whole runs and no half-written file; started again,
//! it runs only the runs that have neither summary.json nor failure.json.

use super::Failure;
use super::output::OutputDir;
use podsim::study::figures;
use podsim::study::plan::{Plan, Run, Shard};
use podsim::study::table::{self, Outcome};
use std::path::{Path, PathBuf};

pub const PLAN: &str = "sweep.json";
pub const SWEEP_CSV: &str = "sweep.csv";
pub const POINTS_CSV: &str = "points.csv";
pub const INVOCATION: &str = "invocation.json";
pub const SUMMARY: &str = "summary.json";
pub const FAILURE: &str = "failure.json";

/// Every file a run's folder may hold (as `podsim run` writes them, and failure.json).
pub const RUN_FILES: [&str; 12] = [
    "transitions.csv",
    "events.csv",
    "metrics.csv",
    "nodes.csv",
    "pool_metrics.csv",
    "services.csv",
    "objects.jsonl",
    "containers.csv",
    "event_paths.csv",
    "event_series.csv",
    SUMMARY,
    FAILURE,
];

/// The files of the study folder itself.
const STUDY_FILES: [&str; 4] = [PLAN, SWEEP_CSV, POINTS_CSV, INVOCATION];

fn known(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

/// What `sweep.json` in `dir` says: the plan, its shard, and the podsim version that
/// wrote it; `None` when there is no sweep.json.
pub fn read_plan(dir: &Path) -> Result<Option<(Plan, Option<Shard>, String)>, Failure> {
    let path = dir.join(PLAN);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Failure::Input(vec![format!("{}: cannot read: {e}", path.display())])),
    };
    Plan::from_json(&text).map(Some).map_err(|e| Failure::Input(vec![format!("{}: {e}", path.display())]))
}

/// Whether `dir` holds a study (sweep.json).
pub fn is_study(dir: &Path) -> bool {
    dir.join(PLAN).is_file()
}

/// Writes `files` (name, bytes) into `dir` through temporary files.
pub fn write_files(dir: &Path, files: &[(&str, &[u8])]) -> Result<(), Failure> {
    let mut out = OutputDir::create(dir, &known(&STUDY_FILES))?;
    for (name, bytes) in files {
        if let Err(f) = out.write(name, bytes) {
            out.abandon();
            return Err(f);
        }
    }
    out.commit()
}

/// The outcome recorded in a run's folder, if it has ended.
pub fn run_outcome(study: &Path, run: &Run) -> Result<Option<Outcome>, Failure> {
    let dir = study.join(run.dir());
    let read = |name: &str| -> Result<Option<String>, Failure> {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Failure::Input(vec![format!("{}: cannot read: {e}", path.display())])),
        }
    };
    let corrupt = |name: &str, e: String| Failure::Input(vec![format!("{}: {e}", dir.join(name).display())]);
    if let Some(text) = read(SUMMARY)? {
        let summary = figures::parse(&text).map_err(|e| corrupt(SUMMARY, e))?;
        return Ok(Some(Outcome::Ok(figures::flatten(&summary))));
    }
    if let Some(text) = read(FAILURE)? {
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| corrupt(FAILURE, e.to_string()))?;
        let error = v.get("error").and_then(|e| e.as_str()).ok_or_else(|| corrupt(FAILURE, "no error".into()))?;
        return Ok(Some(Outcome::Failed(error.to_string())));
    }
    Ok(None)
}

/// failure.json: the run and why it failed (no wall-clock time: the same bytes every
/// time the run fails).
pub fn failure_json(plan: &Plan, run: &Run, error: &str) -> String {
    let parameters: serde_json::Map<String, serde_json::Value> = plan
        .parameters
        .iter()
        .zip(plan.point_values(run.point))
        .map(|(p, v)| (p.path.text.clone(), serde_json::Value::String(v.text.clone())))
        .collect();
    let v = serde_json::json!({
        "run": run.index,
        "point": run.point,
        "seed": run.seed,
        "parameters": parameters,
        "error": error,
    });
    serde_json::to_string_pretty(&v).expect("JSON always serializes") + "\n"
}

/// Writes sweep.csv, points.csv and invocation.json.
pub fn write_tables(dir: &Path, plan: &Plan, outcomes: &[(Run, Outcome)], invocation: &str) -> Result<(), Failure> {
    let sweep = table::sweep_csv(plan, outcomes);
    let points = table::points_csv(plan, outcomes);
    write_files(
        dir,
        &[(SWEEP_CSV, sweep.as_bytes()), (POINTS_CSV, points.as_bytes()), (INVOCATION, invocation.as_bytes())],
    )
}

/// The runs sweep.csv in `dir` records as invalid (their point's scenario was not
/// valid: no folder), with their messages.
pub fn invalid_runs(dir: &Path) -> Result<std::collections::BTreeMap<usize, String>, Failure> {
    let path = dir.join(SWEEP_CSV);
    let bad = |e: String| Failure::Input(vec![format!("{}: {e}", path.display())]);
    let mut reader = csv::Reader::from_path(&path).map_err(|e| bad(e.to_string()))?;
    let header = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
    let col = |name: &str| header.iter().position(|h| h == name).ok_or_else(|| bad(format!("no {name} column")));
    let (run, status, error) = (col("run")?, col("status")?, col("error")?);
    let mut out = std::collections::BTreeMap::new();
    for row in reader.records() {
        let row = row.map_err(|e| bad(e.to_string()))?;
        if row.get(status) == Some("invalid") {
            let n =
                row.get(run).and_then(|r| r.parse().ok()).ok_or_else(|| bad("a run number is not a number".into()))?;
            out.insert(n, row.get(error).unwrap_or_default().to_string());
        }
    }
    Ok(out)
}

/// The command line as given, for invocation.json.
pub fn command_line() -> Vec<String> {
    std::env::args().collect()
}

/// The default folder of a study of `scenario`.
pub fn default_dir(scenario: &str) -> PathBuf {
    PathBuf::from("results").join(scenario).join("sweep")
}

/// The wall-clock instant, for invocation.json.
pub fn now() -> String {
    jiff::Timestamp::now().round(jiff::Unit::Second).map(|t| t.to_string()).unwrap_or_default()
}
