//! `podsim get pods` on a run of 100,000 pods (benches/scenarios/views-100k.yaml): the
//! views replay the run's objects.jsonl and containers.csv up to T and print the table.
//! Target (issue 5): under 1 s at any T. The run is simulated once, into a temporary
//! folder, before the timings.

use criterion::{Criterion, criterion_group, criterion_main};
use podsim::scenario::load;
use podsim::sim::Simulation;
use podsim::trace::csv::{CsvSink, ObjectFiles, SinkFiles};
use podsim::views::get::{GetRequest, get};
use podsim::views::{Output, Resource, RunDir};
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::sync::Arc;

fn simulate(dir: &Path) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/views-100k.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let scenario = load("views-100k.yaml", &text, &|_: &str| Err("no files".to_string())).expect("valid scenario");
    let file = |name: &str| BufWriter::with_capacity(1 << 17, File::create(dir.join(name)).unwrap());
    let sink = CsvSink::new(SinkFiles {
        transitions: file("transitions.csv"),
        events: file("events.csv"),
        metrics: file("metrics.csv"),
        nodes: file("nodes.csv"),
        pool_metrics: file("pool_metrics.csv"),
        services: file("services.csv"),
    })
    .with_objects(ObjectFiles {
        objects: file("objects.jsonl"),
        containers: file("containers.csv"),
        event_paths: file("event_paths.csv"),
        event_series: file("event_series.csv"),
    });
    let end = scenario.duration.map(podsim::engine::SimTime::from_ms);
    let mut sim = Simulation::new(Arc::new(scenario), Box::new(sink));
    sim.run(end, &mut |_, _| {}).expect("no invariant is checked here");
    let digests = sim.finish_trace().unwrap();
    let summary = sim.summary(digests);
    assert_eq!(summary.pods.created, 100_000);
    std::fs::write(dir.join("summary.json"), serde_json::to_string_pretty(&summary).unwrap()).unwrap();
}

fn request(at: i64) -> GetRequest {
    GetRequest {
        resource: Resource::Pods,
        names: Vec::new(),
        namespace: "default".into(),
        all_namespaces: false,
        selector: None,
        at,
        output: Output::Table,
        show_labels: false,
        field_selector: None,
        sort_by: None,
    }
}

fn views(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    simulate(tmp.path());
    let run = RunDir::open(tmp.path()).unwrap();
    for at in [run.end / 2, run.end] {
        let rows = get(&run, &request(at)).unwrap().stdout.lines().count() - 1;
        eprintln!("views-100k: get pods --at {} ms lists {rows} pods", at);
    }
    let mut group = c.benchmark_group("views_100k");
    group.sample_size(10);
    group.bench_function("get_pods_middle", |b| b.iter(|| get(&run, &request(run.end / 2)).unwrap()));
    group.bench_function("get_pods_end", |b| b.iter(|| get(&run, &request(run.end)).unwrap()));
    group.finish();
}

criterion_group!(benches, views);
criterion_main!(benches);
