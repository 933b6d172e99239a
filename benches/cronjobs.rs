//! 100 CronJobs firing every 5 minutes for 30 simulated days: about 864,000 Jobs and
//! as many pods, each created, scheduled, run, completed and deleted by the history
//! limits. Target (issue 3): under 10 s of wall time with memory flat over the run.
//!
//! The trace is written (CSV formatting, and SHA-256 digests on the writer thread as
//! `podsim run` does) to `io::sink`, so the bench times the simulation and the trace, not
//! the disk: `run_with_trace` as `podsim run --no-objects` writes it, `run_with_view_files`
//! with `objects.jsonl`, `containers.csv` and the events' paths too, as `podsim run`
//! writes it by default. Throughput is in simulation events.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use podsim::scenario::{Scenario, load};
use podsim::sim::Simulation;
use podsim::trace::csv::{CsvSink, ObjectFiles, SinkFiles};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

fn scenario() -> Scenario {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let text = std::fs::read_to_string(dir.join("cronjob-fleet.yaml")).unwrap();
    load("cronjob-fleet.yaml", &text, &|_: &str| Err("no files".to_string())).expect("valid scenario")
}

/// Runs the month; `views`: the view files are written too. Returns the events and the
/// Jobs created.
fn simulate(scenario: Arc<Scenario>, views: bool) -> (u64, u64) {
    let end = scenario.duration.map(podsim::engine::SimTime::from_ms);
    let sink = CsvSink::in_background(SinkFiles::discarded(), views.then(ObjectFiles::discarded));
    let mut sim = Simulation::new(scenario, Box::new(sink));
    let report = sim.run(end, &mut |_, _| {}).expect("no invariant is checked here");
    let digests: BTreeMap<String, String> = sim.finish_trace().unwrap_or_default();
    let summary = sim.summary(digests);
    (report.events, summary.jobs.map_or(0, |j| j.created))
}

fn cronjobs(c: &mut Criterion) {
    let scenario = Arc::new(scenario());
    let (events, jobs) = simulate(scenario.clone(), false);
    assert!(jobs > 860_000, "only {jobs} Jobs were created");
    eprintln!("cronjob-fleet: {jobs} Jobs, {events} events in 30 simulated days");
    let mut group = c.benchmark_group("cronjob_fleet_30d");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events));
    group.bench_function("run_with_trace", |b| b.iter(|| simulate(scenario.clone(), false)));
    group.bench_function("run_with_view_files", |b| b.iter(|| simulate(scenario.clone(), true)));
    group.finish();
}

criterion_group!(benches, cronjobs);
criterion_main!(benches);
