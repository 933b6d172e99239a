//! Issue 17's busy clusters, simulated with the trace written to a sink that discards it.
//!
//! `day/day-1000-100k`: benches/scenarios/day-1000-100k.yaml, 1,000 nodes receiving
//! 100,000 pods of varied requests and durations over a simulated day (the scheduler's
//! node search and scoring, the kubelet, the trace rows); throughput in events.
//! `day/day-1000-100k-with-output`: the same day with the trace written as `podsim run`
//! writes it by default (CSV, `objects.jsonl` and the other view files, digested on the
//! writer thread) to `io::sink`: every pod draws a spec of its own, so this also times
//! writing and recognising 100,000 spec templates.
//!
//! `overload/<duration>`: benches/scenarios/overload-100.yaml, 100 nodes asked for 2.3
//! times their cpu, for its first 30 minutes and hour: the scheduling queue's retries of
//! a growing backlog (each ending pod sends the waiting templates it may help back
//! through their back-off, one of them binds and the others fail again). Throughput in
//! events; the failed attempts are most of the work.
//!
//! `overload-paced/24h`: benches/scenarios/overload-100-paced.yaml, the same cluster and
//! pods with scheduling cycles of 10 ms (`scheduler.cycleDuration`), for the whole day:
//! the scheduler's pace bounds the retries, so an hour costs about the same all day.
//!
//! `large/<scenario>`: one large object each (benches/scenarios/indexed-50k.yaml,
//! deployment-10k.yaml, statefulset-2k.yaml, daemonset-2k.yaml): an Indexed Job of
//! 50,000 completions, a Deployment of 10,000 pods behind a Service rolled once, a
//! StatefulSet of 2,000 pods rolled one pod at a time, a DaemonSet on 2,000 nodes rolled
//! ten nodes at a time; their syncs must cost about their pods, not their square.
//!
//! Whole-process timings with the CSV output and peak memory: `/usr/bin/time -v podsim
//! run ... --no-objects` (see README.md's speed table).

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use podsim::engine::SimTime;
use podsim::scenario::{Scenario, load};
use podsim::sim::Simulation;
use podsim::trace::NullSink;
use podsim::trace::csv::{CsvSink, ObjectFiles, SinkFiles};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

fn no_files(name: &str) -> Result<String, String> {
    Err(format!("{name}: no files here"))
}

fn load_bench(name: &str) -> Arc<Scenario> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let text = std::fs::read_to_string(dir.join(format!("{name}.yaml"))).expect("bench scenario");
    Arc::new(load(&format!("{name}.yaml"), &text, &no_files).expect("valid"))
}

/// Runs the scenario to `end` (or to its end); returns the events handled.
fn simulate(scenario: Arc<Scenario>, end: Option<SimTime>) -> u64 {
    let mut sim = Simulation::new(scenario, Box::new(NullSink));
    sim.run(end, &mut |_, _| {}).expect("no invariant checked").events
}

/// Benches the scenario run to `end` as `name` in `group`, its throughput in the events
/// one run handles (counted once first, and shown as `what`).
fn bench_run(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    what: &str,
    scenario: &Arc<Scenario>,
    end: Option<SimTime>,
) {
    let events = simulate(scenario.clone(), end);
    eprintln!("{what}: {events} events");
    group.throughput(Throughput::Elements(events));
    group.bench_function(name, |b| b.iter(|| simulate(scenario.clone(), end)));
}

fn day(c: &mut Criterion) {
    let mut group = c.benchmark_group("day");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    let scenario = load_bench("day-1000-100k");
    bench_run(&mut group, "day-1000-100k", "day-1000-100k", &scenario, None);
    group.bench_function("day-1000-100k-with-output", |b| b.iter(|| simulate_with_output(scenario.clone())));
    group.finish();
}

/// Runs the scenario with every output file written to `io::sink`, as `podsim run`
/// writes them by default; returns the events handled.
fn simulate_with_output(scenario: Arc<Scenario>) -> u64 {
    let sink = CsvSink::in_background(SinkFiles::discarded(), Some(ObjectFiles::discarded()));
    let mut sim = Simulation::new(scenario, Box::new(sink));
    let events = sim.run(None, &mut |_, _| {}).expect("no invariant checked").events;
    sim.finish_trace().expect("io::sink takes every byte");
    events
}

fn overload(c: &mut Criterion) {
    let mut group = c.benchmark_group("overload");
    group.sample_size(10).measurement_time(Duration::from_secs(30));
    let scenario = load_bench("overload-100");
    for (name, minutes) in [("30m", 30u64), ("1h", 60)] {
        let end = Some(SimTime::from_ms(minutes * 60_000));
        bench_run(&mut group, name, &format!("overload-100 for {name}"), &scenario, end);
    }
    group.finish();
}

fn overload_paced(c: &mut Criterion) {
    let mut group = c.benchmark_group("overload-paced");
    group.sample_size(10).measurement_time(Duration::from_secs(60));
    let scenario = load_bench("overload-100-paced");
    let end = Some(SimTime::from_ms(24 * 3_600_000));
    bench_run(&mut group, "24h", "overload-100-paced for 24h", &scenario, end);
    group.finish();
}

fn large(c: &mut Criterion) {
    let mut group = c.benchmark_group("large");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    for name in ["indexed-50k", "deployment-10k", "statefulset-2k", "daemonset-2k"] {
        bench_run(&mut group, name, name, &load_bench(name), None);
    }
    group.finish();
}

criterion_group!(benches, day, overload, overload_paced, large);
criterion_main!(benches);
