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
use std::time::{Duration, Instant};

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
    let sink = std::io::sink;
    let files = SinkFiles {
        transitions: sink(),
        events: sink(),
        metrics: sink(),
        nodes: sink(),
        pool_metrics: sink(),
        services: sink(),
    };
    let csv =
        CsvSink::new(files).with_objects(ObjectFiles { objects: sink(), containers: sink(), event_paths: sink() });
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

/// The best of `n` timings of `f`.
fn best(n: usize, mut f: impl FnMut()) -> Duration {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .expect("n > 0")
}

/// The speed-up and the overhead per run, from timings of our own.
fn report() {
    let base = scenario();
    let one = best(3, || {
        study(&base, 1);
    });
    let two = best(3, || {
        study(&base, 2);
    });
    // Every seed alone, one after the other: what 64 `podsim run`s would simulate.
    let alone = best(3, || {
        for seed in 1..=RUNS {
            one_run(&base, seed);
        }
    });
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_run = |d: Duration| d.as_secs_f64() * 1000.0 / RUNS as f64;
    eprintln!(
        "sweep of {RUNS} runs: {:.0} ms on 1 thread, {:.0} ms on 2 threads: speed-up {:.2}x ({cores} cores)",
        one.as_secs_f64() * 1000.0,
        two.as_secs_f64() * 1000.0,
        one.as_secs_f64() / two.as_secs_f64()
    );
    eprintln!(
        "per run: {:.2} ms in the study on 1 thread, {:.2} ms alone: overhead {:.3} ms ({:+.1}%)",
        per_run(one),
        per_run(alone),
        per_run(one) - per_run(alone),
        (one.as_secs_f64() / alone.as_secs_f64() - 1.0) * 100.0
    );
}

criterion_group!(benches, sweep);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    report();
}
