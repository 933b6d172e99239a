//! Issue 16's speed target: `podsim capacity` on `scenarios/job-stream.yaml`, varying the
//! node count from 1 to 64 with 10 seeds per point, against the full grid a sweep would
//! run (64 points x 10 seeds): the search should take under a third of the grid's time.
//!
//! Both are run as the command runs them (each point's seeds on a rayon pool through
//! `study::exec::run_all`, each run's trace digested, not written, and its summary's
//! figure read), for 2 simulated hours a run as benches/sweep.rs does. The target is the
//! issue's: p99 scheduling delay zero on every seed. At the end the bench prints the
//! points each tried and the ratio from timings of its own.

use criterion::{Criterion, criterion_group};
use podsim::scenario::{Scenario, load};
use podsim::study::capacity::{self, Confidence, Goal, Step, Target};
use podsim::study::param::Parameter;
use podsim::study::point::Base;
use podsim::study::{exec, figures, run};
use podsim::trace::csv::{CsvSink, ObjectFiles, SinkFiles};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

const SEEDS: u64 = 10;
const LO: i64 = 1;
const HI: i64 = 64;

fn text() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    std::fs::read_to_string(dir.join("job-stream.yaml")).unwrap()
}

/// The scenario with `count` worker nodes.
fn scenario(text: &str, count: i64) -> Scenario {
    let no_files = |_: &str| Err("no files".to_string());
    let plain = load("job-stream.yaml", text, &no_files).expect("valid scenario");
    let base = Base::new("job-stream.yaml", text, plain.digest).unwrap();
    let p = Parameter::parse(&format!("nodes[worker].count={count}")).unwrap();
    let mut s = base.scenario(&[(&p.path, &p.values[0])], &no_files).expect("valid point");
    s.duration = Some(2 * 3_600_000);
    s
}

/// One run's figure, as `--keep summary` runs it.
fn one_run(base: &Scenario, seed: u64, target: &Target) -> Option<f64> {
    let mut s = base.clone();
    s.seed = seed;
    let csv = CsvSink::new(SinkFiles::discarded()).with_objects(ObjectFiles::discarded());
    let summary = run::simulate(Arc::new(s), Box::new(csv), false, &|| false).expect("the run ends");
    let json = serde_json::to_string_pretty(&summary).unwrap();
    capacity::figure_value(&figures::parse(&json).unwrap(), &target.figure)
}

/// Whether every seed of `count` meets the target.
fn point(text: &str, count: i64, target: &Target) -> bool {
    let s = scenario(text, count);
    let values = exec::run_all((1..=SEEDS).collect(), 0, |seed| one_run(&s, seed, target));
    capacity::check(target, &values, Confidence::EverySeed).holds
}

/// The search: the answer and the points it ran.
fn search(text: &str, target: &Target) -> (Option<i64>, usize) {
    let mut known = BTreeMap::new();
    loop {
        match capacity::next(LO, HI, Goal::Smallest, &known) {
            Step::Try(v) => {
                known.insert(v, point(text, v, target));
            }
            Step::Done(answer) => return (answer, known.len()),
        }
    }
}

/// Every point of the range, as a sweep would run them; the answer by the same rule.
fn grid(text: &str, target: &Target) -> Option<i64> {
    let known: BTreeMap<i64, bool> = (LO..=HI).map(|v| (v, point(text, v, target))).collect();
    match capacity::next(LO, HI, Goal::Smallest, &known) {
        Step::Done(answer) => answer,
        Step::Try(v) => unreachable!("every value is known, {v} too"),
    }
}

fn bench(c: &mut Criterion) {
    let text = text();
    let target = Target::parse("latency_ms.scheduling.p99 <= 0").unwrap();
    let mut group = c.benchmark_group("capacity_job_stream_1_64_10_seeds");
    group.sample_size(10);
    group.bench_function("search", |b| b.iter(|| search(&text, &target)));
    group.bench_function("grid", |b| b.iter(|| grid(&text, &target)));
    group.finish();
}

fn report() {
    let text = text();
    let target = Target::parse("latency_ms.scheduling.p99 <= 0").unwrap();
    let t = Instant::now();
    let (answer, points) = search(&text, &target);
    let search_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let grid_answer = grid(&text, &target);
    let grid_s = t.elapsed().as_secs_f64();
    assert_eq!(answer, grid_answer, "the search finds the grid's answer");
    eprintln!(
        "capacity: answer {answer:?}; search {points} points in {search_s:.2} s, grid {} points in {grid_s:.2} s: {:.1}% of the grid's time",
        HI - LO + 1,
        search_s / grid_s * 100.0
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    report();
}
