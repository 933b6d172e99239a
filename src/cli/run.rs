//! `podsim run`: simulate one scenario.

use super::output::OutputDir;
use super::{Failure, load_scenario_with};
use clap::Args;
use podsim::engine::time::{format_duration, parse_duration};
use podsim::sim::Simulation;
use podsim::trace::csv::{CsvSink, ObjectFiles, SinkFiles};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Overrides the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Sets a value of the scenario file, PATH=VALUE (`nodes[worker].count=10`); repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Output folder (default: results/<scenario name>/seed-<N>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Overrides the scenario's duration (90s, 5m, 1h30m, 7d).
    #[arg(long)]
    pub duration: Option<String>,
    /// Checks the simulation's invariants after every event (slower).
    #[arg(long)]
    pub check_invariants: bool,
    /// Draws the charts into the output folder's plots/ after the run (as `podsim plot`).
    #[arg(long)]
    pub plot: bool,
    /// Do not write objects.jsonl, containers.csv, event_paths.csv and event_series.csv, which `podsim get`
    /// and `describe` read: about half the output of a large run, and of its time.
    #[arg(long)]
    pub no_objects: bool,
    /// No progress, warnings or summary: only the output folder's path on stdout.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Every file `podsim run` may write: a run removes those an earlier run into the same
/// folder wrote and it does not, and the temporaries of one that was killed.
const RUN_FILES: [&str; 11] = [
    "transitions.csv",
    "events.csv",
    "metrics.csv",
    "nodes.csv",
    "pool_metrics.csv",
    "services.csv",
    "objects.jsonl",
    "containers.csv",
    "event_paths.csv",
    "event_series.csv",
    "summary.json",
];

pub fn run(args: RunArgs) -> Result<(), Failure> {
    let mut scenario = load_scenario_with(&args.scenario, &args.set)?;
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    if let Some(d) = &args.duration {
        let ms = parse_duration(d).map_err(|e| Failure::Input(vec![format!("--duration: {e}")]))?;
        if ms == 0 {
            return Err(Failure::Input(vec!["--duration: must be longer than 0s".into()]));
        }
        scenario.duration = Some(ms);
    }
    report_notes(&scenario, args.quiet);
    if let Some(warning) = super::estimate::heavy_output(&scenario) {
        // Said even with --quiet: a run that fills a disk deserves a word.
        eprintln!("warning: {warning}");
    }
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&scenario.name).join(format!("seed-{}", scenario.seed)));
    let reproduce = reproduce_command(&args, scenario.seed);
    let scenario = Arc::new(scenario);
    let known: Vec<String> = RUN_FILES.iter().map(|f| f.to_string()).collect();
    let mut out = OutputDir::create(&out_dir, &known)?;
    if !args.plot {
        // An earlier run's charts would describe another run.
        for name in super::plot::plot_files() {
            out.remove(&format!("{}/{name}", podsim::plot::PLOTS_DIR));
        }
    }
    match simulate(&scenario, &mut out, &args, &reproduce) {
        Ok(()) => {
            out.commit()?;
            // Gone if the earlier charts were all there was in it.
            let _ = std::fs::remove_dir(out_dir.join(podsim::plot::PLOTS_DIR));
            if args.quiet {
                println!("output: {}", out_dir.display());
            }
            if args.plot { super::plot::draw(&out_dir, args.quiet) } else { Ok(()) }
        }
        Err(f) => {
            out.abandon();
            Err(f)
        }
    }
}

/// Unwinds out of the simulation when its output can no longer be written: the
/// library's loop has no way to be stopped from outside, and simulating on for hours
/// after the disk filled up helps no one.
struct WriteStopped;

fn simulate(
    scenario: &Arc<podsim::scenario::Scenario>,
    out: &mut OutputDir,
    args: &RunArgs,
    reproduce: &str,
) -> Result<(), Failure> {
    let files = SinkFiles {
        transitions: out.file("transitions.csv")?,
        events: out.file("events.csv")?,
        metrics: out.file("metrics.csv")?,
        nodes: out.file("nodes.csv")?,
        pool_metrics: out.file("pool_metrics.csv")?,
        services: out.file("services.csv")?,
    };
    let objects = if args.no_objects {
        for name in ["objects.jsonl", "containers.csv", "event_paths.csv", "event_series.csv"] {
            out.remove(name);
        }
        None
    } else {
        Some(ObjectFiles {
            objects: out.file("objects.jsonl")?,
            containers: out.file("containers.csv")?,
            event_paths: out.file("event_paths.csv")?,
            event_series: out.file("event_series.csv")?,
        })
    };
    let sink = CsvSink::in_background(files, objects);
    let started = Instant::now();
    let end = scenario.duration.map(podsim::engine::SimTime::from_ms);
    let scenario_for_run = scenario.clone();
    let check = args.check_invariants;
    let quiet = args.quiet;
    let written = out.written();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let mut sim = Simulation::new(scenario_for_run, Box::new(sink));
        if check {
            sim = sim.with_invariant_checks();
        }
        let bar = progress_bar(end, quiet);
        let mut lines = ProgressLines::new(end, quiet || bar.is_some());
        let mut progress = |t: podsim::engine::SimTime, events: u64| {
            if written.failed() {
                std::panic::resume_unwind(Box::new(WriteStopped));
            }
            if let Some(b) = &bar {
                b.set_position(t.ms() / 1000);
                b.set_message(format!("{events} events"));
            }
            lines.report(t, events, written.bytes());
        };
        let report = sim.run(end, &mut progress);
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        (report, sim)
    }));
    let (report, mut sim) = match result {
        Ok(r) => r,
        Err(panic) if panic.is::<WriteStopped>() => {
            let what = out.written().error().unwrap_or_default();
            return Err(Failure::Environment(format!("{}: cannot write the output: {what}", out.path().display())));
        }
        Err(panic) => {
            let what =
                panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
            return Err(Failure::Internal(format!(
                "internal error: {}\nseed {}; reproduce with: {reproduce}",
                what.unwrap_or_default(),
                scenario.seed
            )));
        }
    };
    let report =
        report.map_err(|v| Failure::Internal(format!("{v}\nseed {}; reproduce with: {reproduce}", scenario.seed)))?;
    let digests = sim.finish_trace().map_err(|e| super::output::failure(out.path(), &e))?;
    let summary = sim.summary(digests);
    let json = serde_json::to_string_pretty(&summary).expect("a summary always serializes") + "\n";
    out.write("summary.json", json.as_bytes())?;
    if !args.quiet {
        print_summary(&summary, report.events, started.elapsed(), out.path());
    }
    sim.end_with_process();
    Ok(())
}

fn progress_bar(end: Option<podsim::engine::SimTime>, quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar =
        indicatif::ProgressBar::with_draw_target(end.map(|e| e.ms() / 1000), indicatif::ProgressDrawTarget::stderr());
    let style = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} simulated s, {msg} [{elapsed}]").ok()?;
    bar.set_style(style);
    Some(bar)
}

/// Progress as lines on stderr when it is not a terminal (a log, CI): at most one
/// every few seconds, so that a long run shows it is alive without flooding the log.
struct ProgressLines {
    end: Option<podsim::engine::SimTime>,
    off: bool,
    last: Instant,
}

impl ProgressLines {
    const EVERY: std::time::Duration = std::time::Duration::from_secs(5);

    fn new(end: Option<podsim::engine::SimTime>, off: bool) -> ProgressLines {
        ProgressLines { end, off, last: Instant::now() }
    }

    fn report(&mut self, t: podsim::engine::SimTime, events: u64, bytes: u64) {
        if self.off || self.last.elapsed() < Self::EVERY {
            return;
        }
        self.last = Instant::now();
        let of = self.end.map(|e| format!(" of {}", format_duration(e.ms()))).unwrap_or_default();
        eprintln!(
            "progress: simulated {}{of}, {events} events, {} written",
            format_duration(t.ms()),
            super::estimate::human_bytes(bytes as f64)
        );
    }
}

fn report_notes(scenario: &podsim::scenario::Scenario, quiet: bool) {
    if quiet {
        return;
    }
    for w in &scenario.warnings {
        eprintln!("warning: {w}");
    }
    let ignored = scenario.ignored.describe();
    if !ignored.is_empty() {
        eprintln!("note: {} manifest field(s) or kind(s) are read but not simulated:", ignored.len());
        for line in ignored.iter().take(12) {
            eprintln!("  {line}");
        }
        if ignored.len() > 12 {
            eprintln!("  ... and {} more", ignored.len() - 12);
        }
    }
}

fn reproduce_command(args: &RunArgs, seed: u64) -> String {
    let mut cmd = format!("podsim run {} --seed {seed} --check-invariants", args.scenario.display());
    for set in &args.set {
        cmd.push_str(&format!(" --set {}", super::sweep::shell_word(set)));
    }
    if let Some(d) = &args.duration {
        cmd.push_str(&format!(" --duration {d}"));
    }
    cmd
}

/// The end-of-run summary on stdout (a closed pipe, as with `| head`, is not an error).
fn print_summary(s: &podsim::trace::summary::Summary, events: u64, wall: std::time::Duration, out: &std::path::Path) {
    use std::io::Write;
    let _ = std::io::stdout().write_all(summary_text(s, events, wall, out).as_bytes());
}

fn summary_text(
    s: &podsim::trace::summary::Summary,
    events: u64,
    wall: std::time::Duration,
    out: &std::path::Path,
) -> String {
    use std::fmt::Write;
    let mut t = String::new();
    let secs = wall.as_secs_f64().max(1e-9);
    let _ = writeln!(
        t,
        "{} (seed {}): simulated {} in {:.3} s wall time",
        s.scenario,
        s.seed,
        format_duration(s.simulated_duration_ms),
        secs
    );
    let _ = writeln!(t, "  events: {events} ({:.0} events/s)", events as f64 / secs);
    let phase = |p: &str| s.pods.by_final_phase.get(p).copied().unwrap_or(0);
    let _ = writeln!(
        t,
        "  pods: {} created; Pending {}, Running {}, Succeeded {}, Failed {}; never scheduled {}",
        s.pods.created,
        phase("Pending"),
        phase("Running"),
        phase("Succeeded"),
        phase("Failed"),
        s.pods.never_scheduled
    );
    let _ = writeln!(t, "  restarts: {}, OOM kills: {}", s.pods.restarts, s.pods.oom_killed);
    let l = &s.latency_ms;
    let _ = writeln!(
        t,
        "  scheduling latency p50/p90/p99/max: {}; startup: {}",
        durations(&l.scheduling, |p| [p.p50, p.p90, p.p99, p.max]),
        durations(&l.startup, |p| [p.p50, p.p90, p.p99, p.max])
    );
    if let Some(j) = &s.jobs {
        let failed: u64 = j.failed.values().sum();
        let reasons: Vec<String> = j.failed.iter().map(|(r, n)| format!("{r} {n}")).collect();
        let _ = writeln!(
            t,
            "  jobs: {} created; {} complete, {} failed{}, {} unfinished, {} deleted; duration p50/p90/p99: {}",
            j.created,
            j.completed,
            failed,
            if reasons.is_empty() { String::new() } else { format!(" ({})", reasons.join(", ")) },
            j.unfinished,
            j.deleted,
            durations(&j.duration_ms, |p| [p.p50, p.p90, p.p99])
        );
    }
    if let Some(c) = &s.cronjobs {
        let _ = writeln!(
            t,
            "  cronjobs: {} runs; {} missed, {} skipped (Forbid); start lateness p50/p99: {}",
            c.runs,
            c.missed_starts,
            c.skipped_starts,
            durations(&c.start_lateness_ms, |p| [p.p50, p.p99])
        );
    }
    let f = &s.failures;
    if f.node_crashes > 0 || f.pods_evicted > 0 {
        let _ = writeln!(
            t,
            "  node failures: {} crashes, {} pods evicted, {:.1} pod-hours pending during outages",
            f.node_crashes,
            f.pods_evicted,
            f.pending_pod_ms_during_outages as f64 / 3_600_000.0
        );
    }
    for (message, n) in &f.unschedulable_at_end {
        let _ = writeln!(t, "  unschedulable at the end: {n} pod(s): {message}");
    }
    let _ = writeln!(t, "  output: {}", out.display());
    t
}

/// Percentiles as durations (`250ms/1.5s/2m3s`), or "none" when nothing was measured
/// (not `0/0/0 ms`, which reads as instant).
fn durations<const N: usize>(
    p: &podsim::trace::stats::Percentiles,
    pick: impl Fn(&podsim::trace::stats::Percentiles) -> [u64; N],
) -> String {
    if p.count == 0 {
        return "none".to_string();
    }
    pick(p).iter().map(|ms| format_duration(*ms)).collect::<Vec<_>>().join("/")
}
