//! A run's output folder as the views read it: its summary (start instant, end), and
//! its files, with errors that name the file and what is wrong.

use super::ViewError;
use std::path::{Path, PathBuf};

/// A finished run's folder.
#[derive(Clone, Debug)]
pub struct RunDir {
    pub dir: PathBuf,
    /// The wall-clock instant of simulated time 0.
    pub start: jiff::Timestamp,
    /// The simulated time the run reached (ms).
    pub end: i64,
    /// The minor version of the Kubernetes the run followed (`kubernetes.version`):
    /// kubectl's wording follows it where it changed.
    pub kubernetes_minor: u32,
    /// The run's seed: the objects' uids are drawn from it (`engine::rng::uuid`).
    pub seed: u64,
}

impl RunDir {
    /// Opens a run's folder: it must hold a summary.json written by `podsim run`.
    pub fn open(dir: &Path) -> Result<RunDir, ViewError> {
        if !dir.is_dir() {
            return Err(ViewError::input(format!(
                "{}: no such folder (expected the output folder of `podsim run`)",
                dir.display()
            )));
        }
        let path = dir.join("summary.json");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            ViewError::input(format!("{}: cannot read: {e} (is this a podsim run folder?)", path.display()))
        })?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| ViewError::input(format!("{}: not valid JSON: {e}", path.display())))?;
        let start = value["start"]
            .as_str()
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
            .ok_or_else(|| ViewError::input(format!("{}: no valid \"start\" instant", path.display())))?;
        let end = value["simulated_duration_ms"]
            .as_i64()
            .ok_or_else(|| ViewError::input(format!("{}: no \"simulated_duration_ms\"", path.display())))?;
        // Runs written before the summary said so followed the latest version.
        let kubernetes_minor = value["kubernetes_version"]
            .as_str()
            .and_then(|v| v.strip_prefix("1.")?.parse().ok())
            .unwrap_or(crate::scenario::ControlPlane::LATEST_MINOR);
        let seed = value["seed"].as_u64().unwrap_or(0);
        Ok(RunDir { dir: dir.to_path_buf(), start, end, kubernetes_minor, seed })
    }

    /// The path of one of the run's files, which must exist.
    pub fn file(&self, name: &str) -> Result<PathBuf, ViewError> {
        let path = self.dir.join(name);
        if path.is_file() {
            Ok(path)
        } else {
            Err(ViewError::input(format!(
                "{}: missing (`podsim run` writes it unless given --no-objects; run the scenario again without it)",
                path.display()
            )))
        }
    }

    /// Reads a whole file (the views read files of a few hundred MB at most).
    pub fn read(&self, name: &str) -> Result<Vec<u8>, ViewError> {
        let path = self.file(name)?;
        std::fs::read(&path).map_err(|e| ViewError::input(format!("{}: cannot read: {e}", path.display())))
    }

    /// The wall-clock instant of simulated time `ms`.
    pub fn instant(&self, ms: i64) -> jiff::Timestamp {
        self.start + jiff::SignedDuration::from_millis(ms)
    }
}

/// Splits `bytes` into lines (without their `\n`), with 1-based line numbers.
pub fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    bytes.split(|b| *b == b'\n').enumerate().filter(|(_, l)| !l.is_empty()).map(|(i, l)| (i + 1, l))
}
