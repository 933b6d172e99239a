//! Issue 15's speed target: a study of 64 short runs uses every core. The study runs as
//! `podsim sweep --keep summary` runs it (the library's `study::exec::run_all` on a
//! rayon pool, each run's trace encoded and digested but not written, its summary
//! flattened to the table's figures), on 1 and on 2 threads: the speed-up should be
//! at least 1.8x on 2 cores. Beside it, the same run alone (`study::run::simulate`, as
//! `podsim run` drives the simulation), to give the study's overhead per run.
//!
//! The runs: `scenarios/job-stream.yaml` (a Poisson stream of Jobs on four nodes) for
//! 2 simulated hours, seeds 1 to 64. At the end the bench prints the speed-up and the
//! overhead from its own timings (best of a few repetitions), since criterion reports
//! each case alone.

use criterion::{Criterion, Throughput, criterion_group};
use podsim::scenario::{Scenario, load};
use podsim::study::{exec, figures, run};
use podsim::trace::csv::{CsvSink, ObjectFiles, SinkFiles};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

const RUNS: u64 = 64;

fn scenario() -> Scenario {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let text = std::fs::read_to_string(dir.join("job-stream.yaml")).unwrap();
    let mut s = load("job-stream.yaml", &text, &|_: &str| Err("no files".to_string())).expect("valid scenario");
    s.duration = Some(2 * 3_600_000);
    s
}

/// One run as a study with `--keep summary` runs it: the trace digested, not written.
fn one_run(base: &Scenario, seed: u64) -> usize {
    let mut s = base.clone();
    s.seed = seed;
    let csv = CsvSink::new(SinkFiles::discarded()).with_objects(ObjectFiles::discarded());
    let summary = run::simulate(Arc::new(s), Box::new(csv), false, &|| false).expect("the run ends");
    let json = serde_json::to_string_pretty(&summary).unwrap();
    figures::flatten(&figures::parse(&json).unwrap()).len()
}

fn study(base: &Scenario, threads: usize) -> usize {
    let seeds: Vec<u64> = (1..=RUNS).collect();
    exec::run_all(seeds, threads, |seed| one_run(base, seed)).into_iter().sum()
}

fn sweep(c: &mut Criterion) {
    let base = scenario();
    assert!(study(&base, 2) > 30 * RUNS as usize, "each run's summary has its figures");
    let mut group = c.benchmark_group("sweep_64_runs");
    group.sample_size(10);
    group.throughput(Throughput::Elements(RUNS));
    for threads in [1, 2] {
        group.bench_function(format!("threads_{threads}"), |b| b.iter(|| study(&base, threads)));
    }
    group.finish();
    let mut alone = c.benchmark_group("one_run");
    alone.sample_size(20);
    alone.bench_function("job_stream_2h", |b| {
        let mut seed = 0;
        b.iter(|| {
            seed = seed % RUNS + 1;
            one_run(&base, seed)
        })
    });
    alone.finish();
}

/// The time `f` takes.
fn time(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Rounds of the report: each times the runs alone, the study on 1 thread and on 2,
/// back to back, so that the ratios pair timings taken a moment apart (this machine's
/// speed drifts by 20% or more from one minute to the next).
const ROUNDS: usize = 9;

/// The speed-up and the overhead per run, from timings of our own: the medians of the
/// per-round ratios.
fn report() {
    let base = scenario();
    let (mut speed_ups, mut overheads, mut ones, mut twos) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let alone = time(|| {
            for seed in 1..=RUNS {
                one_run(&base, seed);
            }
        });
        let one = time(|| {
            study(&base, 1);
        });
        let two = time(|| {
            study(&base, 2);
        });
        speed_ups.push(one / two);
        overheads.push(one / alone - 1.0);
        ones.push(one);
        twos.push(two);
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let ms = |s: f64| s * 1000.0;
    eprintln!(
        "sweep of {RUNS} runs, medians of {ROUNDS} rounds: {:.0} ms on 1 thread, {:.0} ms on 2 threads; \
         speed-up {:.2}x (per-round ratios {:.2}x to {:.2}x; {cores} cores)",
        ms(median(ones.clone())),
        ms(median(twos.clone())),
        median(speed_ups.clone()),
        speed_ups.iter().copied().fold(f64::INFINITY, f64::min),
        speed_ups.iter().copied().fold(0.0, f64::max),
    );
    eprintln!(
        "per run: {:.2} ms in the study on 1 thread; overhead against the runs alone {:+.1}% (median of the rounds)",
        ms(median(ones)) / RUNS as f64,
        median(overheads) * 100.0
    );
}

criterion_group!(benches, sweep);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    report();
}
