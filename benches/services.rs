//! Issue 13's speed target: 1,000 nodes in three zones, 500 Deployments of 20
//! replicas, each behind its own Service, random node failures (each node about once a
//! week, repaired in 10 to 60 minutes) over a simulated week, and a rolling update of
//! every Deployment each day (`kubectl set image` at a time of day of its own). The
//! trace goes to a sink that discards it, so that the simulation is measured; peak
//! memory and the run with CSV output are measured with `/usr/bin/time -v podsim run`
//! on the scenario this file writes with `PODSIM_BENCH_WRITE=FILE` (see README.md).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use podsim::scenario::{Scenario, load};
use podsim::sim::Simulation;
use podsim::trace::NullSink;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;
use std::time::Duration;

const NODES: usize = 1000;
const DEPLOYMENTS: usize = 500;
const REPLICAS: usize = 20;
const DAYS: usize = 7;

fn scenario_text() -> String {
    let mut s = String::new();
    let per_zone = NODES / 3;
    let _ = write!(s, "name: services-week\nseed: 1\nduration: {DAYS}d\nmetricsEvery: 10m\nnodes:\n");
    for (zone, count) in [("a", per_zone), ("b", per_zone), ("c", NODES - 2 * per_zone)] {
        let _ = write!(
            s,
            "  - name: zone-{zone}\n    count: {count}\n    capacity: {{cpu: \"8\", memory: 32Gi, pods: 110}}\n    \
             labels: {{topology.kubernetes.io/zone: {zone}}}\n"
        );
    }
    s.push_str("workloads:\n");
    for i in 0..DEPLOYMENTS {
        let _ = write!(
            s,
            "  - object:\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata: {{name: web-{i}}}\n      \
             spec:\n        replicas: {REPLICAS}\n        selector: {{matchLabels: {{app: web-{i}}}}}\n        \
             template:\n          metadata: {{labels: {{app: web-{i}}}}}\n          spec:\n            containers:\n              \
             - {{name: web, image: \"web:0\", resources: {{requests: {{cpu: 250m, memory: 512Mi}}}}, \
             readinessProbe: {{httpGet: {{path: /, port: 80}}, periodSeconds: 5}}}}\n  \
             - object:\n      apiVersion: v1\n      kind: Service\n      metadata: {{name: web-{i}}}\n      \
             spec: {{selector: {{app: web-{i}}}, ports: [{{port: 80}}]}}\n"
        );
    }
    s.push_str(
        "behaviors:\n  - match: {container: web}\n    imagePull: 2s\n    startup: 1s\n    readyAfter: 5s\n\
         faults:\n  - random: {nodes: \"*\", timeBetween: {exponential: {mean: 7d}}, repairTime: {uniform: {min: 10m, max: 1h}}}\n\
         actions:\n",
    );
    // Each Deployment rolls at its own time of day (spread over the day), to a new image.
    for day in 0..DAYS {
        for i in 0..DEPLOYMENTS {
            let at_minutes = day * 1440 + 60 + i * 1380 / DEPLOYMENTS;
            let _ = writeln!(
                s,
                "  - {{at: {at_minutes}m, setImage: deployment/web-{i}, images: {{web: \"web:{}\"}}}}",
                day + 1
            );
        }
    }
    s
}

fn no_files(name: &str) -> Result<String, String> {
    Err(format!("{name}: no files here"))
}

/// Runs the week; returns the events handled and the pods created.
fn simulate(scenario: Arc<Scenario>) -> (u64, u64) {
    let end = scenario.duration.map(podsim::engine::SimTime::from_ms);
    let mut sim = Simulation::new(scenario, Box::new(NullSink));
    let events = sim.run(end, &mut |_, _| {}).expect("no invariant checked").events;
    (events, sim.summary(BTreeMap::new()).pods.created)
}

fn services(c: &mut Criterion) {
    let text = scenario_text();
    if let Some(path) = std::env::var_os("PODSIM_BENCH_WRITE") {
        std::fs::write(&path, &text).expect("the scenario is written");
    }
    let scenario = Arc::new(load("services-week.yaml", &text, &no_files).expect("valid"));
    let (events, pods) = simulate(scenario.clone());
    eprintln!("services-week: {events} events, {pods} pods created");
    let mut group = c.benchmark_group("services");
    group.sample_size(10).measurement_time(Duration::from_secs(60));
    group.throughput(Throughput::Elements(events));
    group.bench_function("week-1000-nodes-500-deployments", |b| b.iter(|| simulate(scenario.clone())));
    group.finish();
}

criterion_group!(benches, services);
criterion_main!(benches);
