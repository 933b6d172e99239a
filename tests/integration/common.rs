//! Helpers shared by the integration tests: load a scenario from `scenarios/`, run it
//! in-process with the CSV sink writing to memory, return the files' bytes.

#![allow(dead_code)]

use podsim::scenario::{Scenario, load};
use podsim::sim::Simulation;
use podsim::trace::csv::{CsvSink, ObjectFiles, SinkFiles};
use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

/// A writer whose bytes can be read after the simulation that owns it is done.
#[derive(Clone, Default)]
pub struct SharedBuf(pub Rc<RefCell<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// Runs `podsim run SCENARIO --out OUT -q` as a user would; whether it exited 0.
pub fn podsim_run(scenario: &Path, out: &Path) -> bool {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_podsim"));
    command.arg("run").arg(scenario).arg("--out").arg(out).arg("-q");
    command.status().unwrap().success()
}

pub fn load_file(path: &Path) -> Scenario {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let dir = path.parent().unwrap().to_path_buf();
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).map_err(|e| e.to_string());
    load(&path.display().to_string(), &text, &read).unwrap_or_else(|e| panic!("{e}"))
}

pub fn load_scenario(name: &str) -> Scenario {
    load_file(&scenarios_dir().join(format!("{name}.yaml")))
}

pub fn load_text(text: &str) -> Scenario {
    load("test.yaml", text, &|_: &str| Err("no files in this test".to_string())).unwrap_or_else(|e| panic!("{e}"))
}

/// The outcome of a run: the three CSV files and the summary, as text.
pub struct Outcome {
    pub transitions: String,
    pub events: String,
    pub metrics: String,
    pub nodes: String,
    pub pool_metrics: String,
    pub services: String,
    pub summary: String,
    pub objects: String,
    pub containers: String,
    pub event_paths: String,
    pub event_series: String,
    pub events_processed: u64,
    /// The SHA-256 of each file, as summary.json reports them.
    pub digests: std::collections::BTreeMap<String, String>,
}

impl Outcome {
    /// Transition rows (without the header) that mention `needle`.
    pub fn rows(&self, needle: &str) -> Vec<&str> {
        self.transitions.lines().skip(1).filter(|l| l.contains(needle)).collect()
    }

    pub fn event_rows(&self, needle: &str) -> Vec<&str> {
        self.events.lines().skip(1).filter(|l| l.contains(needle)).collect()
    }
}

/// Runs a scenario with invariant checks after every event; a broken invariant fails
/// the test with the seed and the command that reproduces it.
pub fn run(scenario: Scenario) -> Outcome {
    let (t, e, m, n, p, s) = (
        SharedBuf::default(),
        SharedBuf::default(),
        SharedBuf::default(),
        SharedBuf::default(),
        SharedBuf::default(),
        SharedBuf::default(),
    );
    let sink = CsvSink::new(SinkFiles {
        transitions: t.clone(),
        events: e.clone(),
        metrics: m.clone(),
        nodes: n.clone(),
        pool_metrics: p.clone(),
        services: s.clone(),
    });
    let (o, c, ep, es) = (SharedBuf::default(), SharedBuf::default(), SharedBuf::default(), SharedBuf::default());
    let sink = sink.with_objects(ObjectFiles {
        objects: o.clone(),
        containers: c.clone(),
        event_paths: ep.clone(),
        event_series: es.clone(),
    });
    let name = scenario.name.clone();
    let seed = scenario.seed;
    let end = scenario.duration.map(podsim::engine::SimTime::from_ms);
    let mut sim = Simulation::new(Arc::new(scenario), Box::new(sink)).with_invariant_checks();
    let report = sim.run(end, &mut |_, _| {}).unwrap_or_else(|v| {
        panic!("{v}\nscenario {name}, seed {seed}; reproduce with: podsim run scenarios/{name}.yaml --seed {seed} --check-invariants")
    });
    let digests = sim.finish_trace().unwrap();
    let summary = serde_json::to_string_pretty(&sim.summary(digests.clone())).unwrap();
    let text = |b: &SharedBuf| String::from_utf8(b.0.borrow().clone()).unwrap();
    Outcome {
        transitions: text(&t),
        events: text(&e),
        metrics: text(&m),
        nodes: text(&n),
        pool_metrics: text(&p),
        services: text(&s),
        summary,
        objects: text(&o),
        containers: text(&c),
        event_paths: text(&ep),
        event_series: text(&es),
        events_processed: report.events,
        digests,
    }
}

/// The times (ms) of the rows matching all `needles`.
pub fn times(rows: &[&str]) -> Vec<u64> {
    rows.iter().map(|r| r.split(',').next().unwrap().parse().unwrap()).collect()
}
