//! The Alibaba GPU trace, 600 nodes and 5,537 pods: every pod placed and running.
//! Target (issue 2): under 1 s of wall time, including reading the manifests.
//!
//! `load_and_run` measures what `podsim run` does (parse and validate the manifests,
//! build the cluster, simulate 5 minutes, by when every pod that fits is running);
//! `run` measures the simulation alone. Throughput is in simulation events.
//! `alibaba_600_read` measures reading alone (parse, default and validate the 2.8 MB of
//! manifests into a `Scenario`), in bytes of YAML per second (issue 17: 100 MB/s), on
//! every core as `podsim run` does and on one thread.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use podsim::scenario::{Scenario, load_with};
use podsim::sim::Simulation;
use podsim::trace::NullSink;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

fn read_all() -> (String, BTreeMap<String, String>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let text = std::fs::read_to_string(dir.join("alibaba-600.yaml")).unwrap();
    let mut files = BTreeMap::new();
    for f in ["data/alibaba-gpu-2023/nodes-600.yaml", "data/alibaba-gpu-2023/pods-600.yaml"] {
        files.insert(f.to_string(), std::fs::read_to_string(dir.join(f)).unwrap());
    }
    (text, files)
}

fn load_scenario(text: &str, files: &BTreeMap<String, String>) -> Scenario {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    load_on(text, files, threads)
}

fn load_on(text: &str, files: &BTreeMap<String, String>, threads: usize) -> Scenario {
    let read = |name: &str| files.get(name).cloned().ok_or_else(|| format!("{name} not loaded"));
    let mut s = load_with("alibaba-600.yaml", text, &read, threads).expect("valid scenario");
    s.duration = Some(5 * 60_000);
    s
}

fn simulate(scenario: Arc<Scenario>) -> (u64, u64) {
    let end = scenario.duration.map(podsim::engine::SimTime::from_ms);
    let mut sim = Simulation::new(scenario, Box::new(NullSink));
    let report = sim.run(end, &mut |_, _| {}).expect("no invariant is checked here");
    let summary = sim.summary(BTreeMap::new());
    (report.events, summary.pods.by_final_phase["Running"])
}

fn alibaba(c: &mut Criterion) {
    let (text, files) = read_all();
    let scenario = Arc::new(load_scenario(&text, &files));
    // Check once that the bench simulates what it claims.
    let (events, running) = simulate(scenario.clone());
    assert_eq!(scenario.submissions.len(), 5537);
    assert!(running > 5400, "only {running} pods running");
    eprintln!("alibaba-600: {events} events, {running} of 5537 pods running after 5 simulated minutes");

    let mut group = c.benchmark_group("alibaba_600");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events));
    group.bench_function("load_and_run", |b| b.iter(|| simulate(Arc::new(load_scenario(&text, &files)))));
    group.bench_function("run", |b| b.iter(|| simulate(scenario.clone())));
    group.finish();

    let bytes = text.len() + files.values().map(String::len).sum::<usize>();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut group = c.benchmark_group("alibaba_600_read");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes as u64));
    // The scenario read is freed outside the timing, as `podsim run` never frees it.
    group.bench_function("read", |b| b.iter_with_large_drop(|| load_on(&text, &files, threads)));
    group.bench_function("read_1_thread", |b| b.iter_with_large_drop(|| load_on(&text, &files, 1)));
    group.finish();
}

criterion_group!(benches, alibaba);
criterion_main!(benches);
