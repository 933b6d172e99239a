//! `podsim plot` on a run of 100,000 pods (50 nodes, 16 h, random node crashes).
//! Target: under 5 s to draw every chart (PNG and SVG) from the files' text.
//!
//! The run is simulated once, into memory, before measuring; `render` is what
//! `podsim plot` does after reading the files.

use criterion::{Criterion, criterion_group, criterion_main};
use podsim::plot::{RunFiles, render};
use podsim::sim::Simulation;
use podsim::trace::csv::{CsvSink, SinkFiles};
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::sync::Arc;

const SCENARIO: &str = r#"
name: plot-100k
seed: 7
duration: 16h
nodes:
  - {name: node, count: 50, capacity: {cpu: "16", memory: 64Gi, pods: 110}}
workloads:
  - arrivals:
      interarrival: {exponential: {mean: 500ms}}
      count: 100000
      object:
        apiVersion: v1
        kind: Pod
        metadata: {generateName: task-}
        spec:
          restartPolicy: OnFailure
          containers: [{name: task, image: task:1, resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {memory: 2Gi}}}]
behaviors:
  - match: {container: task}
    imagePull: 10s
    startup: 1s
    runFor: {lognormal: {median: 2m, sigma: 0.7}}
    exitCode: [{code: 0, weight: 95}, {code: 1, weight: 5}]
faults:
  - random: {nodes: "node-*", timeBetween: {exponential: {mean: 48h}}, repairTime: {constant: 20m}}
"#;

#[derive(Clone, Default)]
struct Buf(Rc<RefCell<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The run's files as text: summary, transitions, events, metrics, nodes, pool metrics.
fn simulate() -> [String; 6] {
    let scenario = podsim::scenario::load("plot-100k.yaml", SCENARIO, &|_: &str| Err("no files".into())).unwrap();
    let bufs: Vec<Buf> = (0..6).map(|_| Buf::default()).collect();
    let sink = CsvSink::new(SinkFiles {
        transitions: bufs[0].clone(),
        events: bufs[1].clone(),
        metrics: bufs[2].clone(),
        nodes: bufs[3].clone(),
        pool_metrics: bufs[4].clone(),
        services: bufs[5].clone(),
    });
    let end = scenario.duration.map(podsim::engine::SimTime::from_ms);
    let mut sim = Simulation::new(Arc::new(scenario), Box::new(sink));
    sim.run(end, &mut |_, _| {}).unwrap();
    let digests = sim.finish_trace().unwrap();
    let summary = serde_json::to_string_pretty(&sim.summary(digests)).unwrap();
    let text = |i: usize| String::from_utf8(bufs[i].0.borrow().clone()).unwrap();
    [summary, text(0), text(1), text(2), text(3), text(4)]
}

fn bench(c: &mut Criterion) {
    let [s, t, e, m, n, p] = simulate();
    let files = RunFiles {
        summary: &s,
        transitions: &t,
        events: &e,
        metrics: &m,
        nodes: Some(&n),
        pool_metrics: Some(&p),
        services: None,
    };
    let mut group = c.benchmark_group("plot");
    group.sample_size(10);
    group.bench_function("100k_pods", |b| b.iter(|| render(&files).unwrap()));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
