//! Issue 4's scale targets.
//!
//! `scheduling/<n>-nodes`: kube-scheduler's placement throughput, pods placed per
//! second, on an empty cluster of 1,000 and 5,000 nodes receiving 20,000 pods, one a
//! simulated millisecond, each started by its kubelet (the adaptive share of nodes examined: 420 of 1,000 and 500 of 5,000 per pod).
//!
//! `scale/<fraction>`: benches/scenarios/scale-*.yaml (5,000 nodes, 150,000 pods
//! running at once, 1,000,000 pods over a simulated day with random node failures, and
//! the same at 1/2, 1/4 and 1/8 size), with the trace written to a sink that discards
//! it, so that the simulation is measured. The full and half sizes take tens of
//! seconds a run: they run only with `PODSIM_BENCH_FULL=1`. Peak memory and the run
//! with CSV output are measured with `/usr/bin/time -v podsim run` (see README.md).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use podsim::scenario::{Scenario, load};
use podsim::sim::Simulation;
use podsim::trace::NullSink;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

fn scenario_text(nodes: usize, pods: usize) -> String {
    format!(
        r#"
name: scheduling-{nodes}
seed: 1
nodes:
  - name: node
    count: {nodes}
    capacity: {{cpu: "64", memory: 256Gi, pods: 110}}
    images: [app:1]
workloads:
  - arrivals:
      count: {pods}
      interarrival: 1ms
      object:
        apiVersion: v1
        kind: Pod
        metadata: {{name: app}}
        spec:
          containers: [{{name: app, image: "app:1", resources: {{requests: {{cpu: 100m, memory: 256Mi}}}}}}]
"#
    )
}

fn no_files(name: &str) -> Result<String, String> {
    Err(format!("{name}: no files here"))
}

/// Runs until the last pod has arrived (one a millisecond) and been placed; returns
/// the pods still pending.
fn place_all(scenario: Arc<Scenario>, pods: u64) -> u64 {
    let mut sim = Simulation::new(scenario, Box::new(NullSink));
    sim.run(Some(podsim::engine::SimTime::from_ms(pods)), &mut |_, _| {}).expect("no invariant checked");
    let summary = sim.summary(BTreeMap::new());
    summary.pods.by_final_phase.get("Pending").copied().unwrap_or(0)
}

fn scheduling(c: &mut Criterion) {
    let mut group = c.benchmark_group("scheduling");
    group.sample_size(10);
    for nodes in [1000usize, 5000] {
        let pods = 20_000;
        let scenario = Arc::new(load("bench.yaml", &scenario_text(nodes, pods), &no_files).expect("valid"));
        assert_eq!(place_all(scenario.clone(), pods as u64), 0, "every pod is placed as it arrives");
        group.throughput(Throughput::Elements(pods as u64));
        group.bench_function(format!("{nodes}-nodes"), |b| b.iter(|| place_all(scenario.clone(), pods as u64)));
    }
    group.finish();
}

fn load_scale(name: &str) -> Arc<Scenario> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let text = std::fs::read_to_string(dir.join(format!("{name}.yaml"))).expect("bench scenario");
    Arc::new(load(&format!("{name}.yaml"), &text, &no_files).expect("valid"))
}

fn simulate(scenario: Arc<Scenario>) -> u64 {
    let end = scenario.duration.map(podsim::engine::SimTime::from_ms);
    let mut sim = Simulation::new(scenario, Box::new(NullSink));
    sim.run(end, &mut |_, _| {}).expect("no invariant checked").events
}

fn scale(c: &mut Criterion) {
    let full = std::env::var_os("PODSIM_BENCH_FULL").is_some();
    let mut group = c.benchmark_group("scale");
    group.sample_size(10).measurement_time(Duration::from_secs(30));
    for (name, size) in [("scale-625", "1/8"), ("scale-1250", "1/4"), ("scale-2500", "1/2"), ("scale-5000", "full")] {
        if !full && (size == "1/2" || size == "full") {
            continue;
        }
        let scenario = load_scale(name);
        let events = simulate(scenario.clone());
        eprintln!("{name} ({size}): {events} events");
        group.throughput(Throughput::Elements(events));
        group.bench_function(name, |b| b.iter(|| simulate(scenario.clone())));
    }
    group.finish();
}

criterion_group!(benches, scheduling, scale);
criterion_main!(benches);
