//! Issue 14's speed target: 300 nodes in three zones, 200 StatefulSets of 3 replicas
//! with two volumes each (`volumeClaimTemplates`: data and WAL claims, provisioned by a
//! CSI StorageClass in the zone of the node the scheduler picked, attached before each
//! pod starts), behind their headless Services, and random node failures (each node
//! about once a week, repaired in 10 to 60 minutes) over a simulated week: an ordinal
//! on a failed node stays Terminating until its node is back (at most one pod per
//! ordinal), then comes back on its claims' disks. The trace goes to a sink that
//! discards it; the whole process (CSV output, peak memory) is measured with
//! `/usr/bin/time -v podsim run` on the scenario this file writes with
//! `PODSIM_BENCH_WRITE=FILE` (see README.md's Speed section).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use podsim::scenario::{Scenario, load};
use podsim::sim::Simulation;
use podsim::trace::NullSink;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;
use std::time::Duration;

const NODES: usize = 300;
const SETS: usize = 200;
const REPLICAS: usize = 3;
const DAYS: usize = 7;

fn scenario_text() -> String {
    let mut s = String::new();
    let per_zone = NODES / 3;
    let _ = write!(s, "name: statefulsets-week\nseed: 1\nduration: {DAYS}d\nmetricsEvery: 10m\nnodes:\n");
    for zone in ["a", "b", "c"] {
        let _ = write!(
            s,
            "  - name: zone-{zone}\n    count: {per_zone}\n    capacity: {{cpu: \"8\", memory: 32Gi, pods: 110}}\n    \
             labels: {{topology.kubernetes.io/zone: {zone}}}\n"
        );
    }
    s.push_str(
        "storage:\n  classes:\n    - {name: network-ssd, provision: 5s, attach: {uniform: {min: 5s, max: 15s}}, detach: 5s, mount: 1s}\n\
         workloads:\n  - object:\n      apiVersion: storage.k8s.io/v1\n      kind: StorageClass\n      \
         metadata: {name: network-ssd, annotations: {storageclass.kubernetes.io/is-default-class: \"true\"}}\n      \
         provisioner: ebs.csi.aws.com\n      volumeBindingMode: WaitForFirstConsumer\n",
    );
    for i in 0..SETS {
        let _ = write!(
            s,
            "  - object:\n      apiVersion: v1\n      kind: Service\n      metadata: {{name: db-{i}}}\n      \
             spec: {{clusterIP: None, selector: {{app: db-{i}}}, ports: [{{port: 5432}}]}}\n  \
             - object:\n      apiVersion: apps/v1\n      kind: StatefulSet\n      metadata: {{name: db-{i}}}\n      \
             spec:\n        serviceName: db-{i}\n        replicas: {REPLICAS}\n        \
             selector: {{matchLabels: {{app: db-{i}}}}}\n        \
             template:\n          metadata: {{labels: {{app: db-{i}}}}}\n          spec:\n            containers:\n              \
             - {{name: postgres, image: \"postgres:17\", resources: {{requests: {{cpu: 500m, memory: 2Gi}}}}, \
             readinessProbe: {{exec: {{command: [pg_isready]}}, periodSeconds: 5}}, \
             volumeMounts: [{{name: data, mountPath: /var/lib/postgresql/data}}, {{name: wal, mountPath: /wal}}]}}\n        \
             volumeClaimTemplates:\n          \
             - {{metadata: {{name: data}}, spec: {{accessModes: [ReadWriteOnce], resources: {{requests: {{storage: 50Gi}}}}}}}}\n          \
             - {{metadata: {{name: wal}}, spec: {{accessModes: [ReadWriteOnce], resources: {{requests: {{storage: 10Gi}}}}}}}}\n"
        );
    }
    s.push_str(
        "behaviors:\n  - match: {container: postgres}\n    imagePull: 10s\n    startup: 3s\n    readyAfter: 2s\n    \
         terminationTime: 2s\n    writes: {volume: data, rate: 100Ki/s}\n\
         faults:\n  - random: {nodes: \"*\", timeBetween: {exponential: {mean: 7d}}, repairTime: {uniform: {min: 10m, max: 1h}}}\n",
    );
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

fn statefulsets(c: &mut Criterion) {
    let text = scenario_text();
    if let Some(path) = std::env::var_os("PODSIM_BENCH_WRITE") {
        std::fs::write(&path, &text).expect("the scenario is written");
    }
    let scenario = Arc::new(load("statefulsets-week.yaml", &text, &no_files).expect("valid"));
    let (events, pods) = simulate(scenario.clone());
    eprintln!("statefulsets-week: {events} events, {pods} pods created");
    let mut group = c.benchmark_group("statefulsets");
    group.sample_size(10).measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Elements(events));
    group.bench_function("week-300-nodes-200-sets-2-volumes", |b| b.iter(|| simulate(scenario.clone())));
    group.finish();
}

criterion_group!(benches, statefulsets);
criterion_main!(benches);
