//! `podsim sweep`: many runs of one scenario, over seeds and parameter values, on
//! every core (or one shard of them, or as a Kubernetes Job).

use super::output::OutputDir;
use super::study_dir::{self, FAILURE, RUN_FILES, SUMMARY};
use super::{Failure, progress::StudyProgress};
use clap::Args;
use podsim::engine::time::parse_duration;
use podsim::scenario::Scenario;
use podsim::study::param::Parameter;
use podsim::study::plan::{Keep, Plan, Run, Shard};
use podsim::study::point::{Base, PointError};
use podsim::study::run::{RunError, simulate};
use podsim::study::table::Outcome;
use podsim::study::{exec, figures, seeds, sweepfile};
use podsim::trace::TraceSink;
use podsim::trace::csv::{CsvSink, ObjectFiles, SinkFiles};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// A scenario file, or a sweep file (`scenario:`, `seeds:`, `parameters:`).
    pub file: PathBuf,
    /// A parameter and its values, PATH=V1,V2,... (`nodes[worker].count=10,20,40`); given
    /// several times, the study runs every combination.
    #[arg(long = "set", value_name = "PATH=V1,V2,...")]
    pub set: Vec<String>,
    /// The seeds: `1..20` (both ends included), `1,5,9`, or a mix (default: the scenario's).
    #[arg(long)]
    pub seeds: Option<String>,
    /// Overrides the scenario's duration in every run (90s, 5m, 1h30m, 7d).
    #[arg(long)]
    pub duration: Option<String>,
    /// The study's folder (default: results/<scenario name>/sweep/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// What each run keeps in its folder: all (as podsim run), trace (all but the files
    /// get and describe read) or summary (summary.json only).
    #[arg(long, value_name = "all|trace|summary")]
    pub keep: Option<String>,
    /// Runs at once (default: one per core).
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Runs only share I of N of the runs (I from 0); `podsim merge` joins the shards.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Checks the simulation's invariants after every event in every run (slower).
    #[arg(long)]
    pub check_invariants: bool,
    /// No progress or summary: only the study folder's path on stdout.
    #[arg(long, short)]
    pub quiet: bool,
    /// Writes a Kubernetes Indexed Job that runs the study in shards on a cluster, and a
    /// Job that merges them, instead of running it here.
    #[arg(long)]
    pub emit_k8s_job: bool,
    /// With --emit-k8s-job: the number of shards (pods); default: the runs, at most 10.
    #[arg(long)]
    pub shards: Option<u64>,
    /// With --emit-k8s-job: the podsim image (default: podsim:<version>).
    #[arg(long)]
    pub image: Option<String>,
}

/// A study ready to run: its plan, the scenario of each point (or why it is not
/// valid), and the files the scenario read.
pub struct Study {
    pub plan: Plan,
    /// The scenario file as given on the command line (or named by the sweep file).
    pub scenario_path: PathBuf,
    pub points: Vec<Result<Arc<Scenario>, String>>,
    /// Every file the scenario named, by the name it gives them, with their text.
    pub files_read: Vec<(String, String)>,
    pub scenario_text: String,
}

pub fn sweep(args: SweepArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let study = prepare(&args)?;
    if args.emit_k8s_job {
        return super::k8s_job::emit(&args, &study);
    }
    if args.shards.is_some() || args.image.is_some() {
        return Err(Failure::Input(vec!["--shards and --image go with --emit-k8s-job".into()]));
    }
    let shard = args.shard.as_deref().map(Shard::parse).transpose().map_err(|e| Failure::Input(vec![e]))?;
    let dir = args.out.clone().unwrap_or_else(|| study_dir::default_dir(&study.plan.scenario));
    open_folder(&dir, &study.plan, shard)?;
    let threads = exec::threads(args.threads.unwrap_or(0));
    let runs: Vec<Run> =
        (0..study.plan.runs()).filter(|r| shard.is_none_or(|s| s.holds(*r))).map(|r| study.plan.run(r)).collect();

    // What is there already: runs that ended (a study started again), and invalid
    // points (no folder).
    let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(runs.len());
    for run in &runs {
        outcomes.push(match &study.points[run.point] {
            Err(e) => Some(Outcome::Invalid(e.clone())),
            Ok(_) => study_dir::run_outcome(&dir, run)?,
        });
    }
    let pending: Vec<usize> = (0..runs.len()).filter(|i| outcomes[*i].is_none()).collect();
    let done_before = runs.len() - pending.len();
    let progress = StudyProgress::new(runs.len() as u64, done_before as u64, args.quiet);
    if done_before > 0 && !pending.is_empty() && !args.quiet {
        progress.note(&format!(
            "{}: {done_before} of {} runs already done; running the other {}",
            dir.display(),
            runs.len(),
            pending.len()
        ));
    }

    let stop = AtomicBool::new(false);
    let environment: Mutex<Option<Failure>> = Mutex::new(None);
    let runner = Runner { study: &study, dir: &dir, check: study.plan.check_invariants, stop: &stop };
    let results = exec::run_all(pending.clone(), threads, |i| {
        let run = runs[i];
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        let t0 = Instant::now();
        match runner.run(&run) {
            Ok(outcome) => {
                progress.finished(!matches!(outcome, Outcome::Ok(_)));
                Some((outcome, t0.elapsed().as_secs_f64()))
            }
            Err(f) => {
                stop.store(true, Ordering::Relaxed);
                environment.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(f);
                None
            }
        }
    });
    progress.clear();
    if let Some(f) = environment.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(f);
    }
    let mut wall = Vec::new();
    for (i, result) in pending.iter().zip(results) {
        let (outcome, secs) = result.ok_or_else(|| Failure::Internal("a run did not end".into()))?;
        wall.push((runs[*i].index, secs));
        outcomes[*i] = Some(outcome);
    }
    let outcomes: Vec<(Run, Outcome)> =
        runs.iter().copied().zip(outcomes.into_iter().map(|o| o.expect("every run has ended"))).collect();
    let invocation = invocation_json(threads, shard, &outcomes, done_before, &wall, started);
    study_dir::write_tables(&dir, &study.plan, &outcomes, &invocation)?;
    report(&study, &dir, &outcomes, done_before, started, threads, args.quiet)
}

/// Reads the sweep file or scenario, the parameters and seeds, and every point's
/// scenario.
pub fn prepare(args: &SweepArgs) -> Result<Study, Failure> {
    let input = |e: String| Failure::Input(vec![e]);
    let text = read_text(&args.file)?;
    let file = if sweepfile::is_sweep_file(&text) {
        let shown = args.file.display().to_string();
        Some(sweepfile::parse(&shown, &text).map_err(input)?)
    } else {
        None
    };
    let scenario_path = match &file {
        Some(f) => args.file.parent().unwrap_or(Path::new("")).join(&f.scenario),
        None => args.file.clone(),
    };
    let mut parameters: Vec<Parameter> = file.as_ref().map(|f| f.parameters.clone()).unwrap_or_default();
    for set in &args.set {
        let p = Parameter::parse(set).map_err(|e| input(format!("--set {e}")))?;
        if parameters.iter().any(|q| q.path.text == p.path.text) {
            return Err(input(format!("--set {}: this path is a parameter already", p.path)));
        }
        parameters.push(p);
    }
    let duration = args.duration.clone().or_else(|| file.as_ref().and_then(|f| f.duration.clone()));
    let duration_ms = match &duration {
        Some(d) => {
            let ms = parse_duration(d).map_err(|e| input(format!("--duration: {e}")))?;
            if ms == 0 {
                return Err(input("--duration: must be longer than 0s".into()));
            }
            Some(ms)
        }
        None => None,
    };
    let keep = match &args.keep {
        Some(k) => Keep::parse(k).map_err(input)?,
        None => file.as_ref().and_then(|f| f.keep).unwrap_or(Keep::All),
    };

    let scenario_text = read_text(&scenario_path)?;
    let shown = scenario_path.display().to_string();
    let folder = scenario_path.parent().map(Path::to_path_buf).unwrap_or_default();
    let files_read: Mutex<std::collections::BTreeMap<String, String>> = Mutex::default();
    let read = |name: &str| {
        let p = folder.join(name);
        let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        files_read.lock().unwrap_or_else(|e| e.into_inner()).insert(name.to_string(), text.clone());
        Ok(text)
    };
    let base_scenario = podsim::scenario::load(&shown, &scenario_text, &read)
        .map_err(|e| Failure::Input(e.0.iter().map(|e| e.to_string()).collect()))?;
    let seeds = match &args.seeds {
        Some(s) => seeds::parse(s).map_err(input)?,
        None => file.as_ref().and_then(|f| f.seeds.clone()).unwrap_or_else(|| vec![base_scenario.seed]),
    };
    let plan = Plan {
        scenario: base_scenario.name.clone(),
        scenario_file: scenario_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        scenario_digest: base_scenario.digest.clone(),
        duration,
        parameters,
        seeds,
        keep,
        check_invariants: args.check_invariants || file.as_ref().is_some_and(|f| f.check_invariants),
    };
    plan.check_size().map_err(input)?;

    let base = Base::new(&shown, &scenario_text, base_scenario.digest.clone()).map_err(input)?;
    let mut points = Vec::with_capacity(plan.points());
    for p in 0..plan.points() {
        let values: Vec<_> = plan.parameters.iter().map(|q| &q.path).zip(plan.point_values(p)).collect();
        let scenario = if values.is_empty() { Ok(base_scenario.clone()) } else { base.scenario(&values, &read) };
        points.push(match scenario {
            Ok(mut s) => {
                if let Some(ms) = duration_ms {
                    s.duration = Some(ms);
                }
                Ok(Arc::new(s))
            }
            Err(PointError::Path(e)) => return Err(input(format!("--set {e}"))),
            Err(PointError::Invalid(messages)) => Err(messages.join("\n")),
        });
    }
    if !points.is_empty() && points.iter().all(Result::is_err) {
        let mut messages: Vec<String> = Vec::new();
        for m in points.iter().filter_map(|p| p.as_ref().err()) {
            if !messages.contains(m) {
                messages.push(m.clone());
            }
        }
        messages.insert(0, "no point of the study is a valid scenario:".to_string());
        return Err(Failure::Input(messages));
    }
    let files_read = files_read.into_inner().unwrap_or_else(|e| e.into_inner()).into_iter().collect();
    Ok(Study { plan, scenario_path, points, files_read, scenario_text })
}

fn read_text(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| Failure::Input(vec![format!("{}: cannot read: {e}", path.display())]))
}

/// Writes sweep.json into a new study folder, or checks that the folder holds this
/// study (and this shard of it) to go on with.
fn open_folder(dir: &Path, plan: &Plan, shard: Option<Shard>) -> Result<(), Failure> {
    let text = plan.to_json(shard);
    match study_dir::read_plan(dir) {
        Ok(None) if dir.join(SUMMARY).exists() => {
            return Err(Failure::Input(vec![format!(
                "{}: holds a run's output (summary.json), not a study; choose another --out",
                dir.display()
            )]));
        }
        Ok(None) => {}
        Ok(Some((existing, existing_shard, version))) => {
            let mut differences = existing.differences(plan);
            if version != env!("CARGO_PKG_VERSION") {
                differences.insert(0, format!("podsim version: {version} against {}", env!("CARGO_PKG_VERSION")));
            }
            if existing_shard != shard {
                let s = |s: Option<Shard>| s.map_or("the whole study".to_string(), |s| format!("shard {s}"));
                differences.push(format!("shard: {} against {}", s(existing_shard), s(shard)));
            }
            if !differences.is_empty() {
                let mut m = vec![format!(
                    "{}: holds another study; choose another --out, or remove the folder to start this one there:",
                    dir.display()
                )];
                m.extend(differences.into_iter().map(|d| format!("  {d} (there, against this one)")));
                return Err(Failure::Input(m));
            }
            if std::fs::read_to_string(dir.join(study_dir::PLAN)).ok().as_deref() == Some(text.as_str()) {
                return Ok(());
            }
        }
        Err(_) if dir.join(study_dir::PLAN).exists() => {
            return Err(Failure::Input(vec![format!(
                "{}: its sweep.json is not one podsim wrote; choose another --out",
                dir.display()
            )]));
        }
        Err(f) => return Err(f),
    }
    study_dir::write_files(dir, &[(study_dir::PLAN, text.as_bytes())])
}

/// What a run needs that all runs share.
pub(crate) struct Runner<'a> {
    pub(crate) study: &'a Study,
    pub(crate) dir: &'a Path,
    pub(crate) check: bool,
    pub(crate) stop: &'a AtomicBool,
}

impl Runner<'_> {
    /// Simulates one run into its folder. A failed run is an outcome; an output that
    /// cannot be written, or the study stopping, is the error.
    fn run(&self, run: &Run) -> Result<Outcome, Failure> {
        self.run_in(run, &self.dir.join(run.dir()))
    }

    /// [`Runner::run`] into the folder `dir` (`podsim capacity` names its runs by value).
    pub(crate) fn run_in(&self, run: &Run, dir: &Path) -> Result<Outcome, Failure> {
        let plan = &self.study.plan;
        let Ok(point) = &self.study.points[run.point] else {
            return Err(Failure::Internal("an invalid point was run".into()));
        };
        let mut scenario = Scenario::clone(point);
        scenario.seed = run.seed;
        let dir = dir.to_path_buf();
        let known: Vec<String> = RUN_FILES.iter().map(|f| f.to_string()).collect();
        let mut out = OutputDir::create(&dir, &known)?;
        let sink = match self.sink(&mut out, plan.keep) {
            Ok(s) => s,
            Err(f) => {
                out.abandon();
                return Err(f);
            }
        };
        let written = out.written();
        let stop = || self.stop.load(Ordering::Relaxed) || written.failed();
        match simulate(Arc::new(scenario), sink, self.check, &stop) {
            Ok(summary) => {
                let json = serde_json::to_string_pretty(&summary).expect("a summary always serializes") + "\n";
                out.remove(FAILURE);
                if let Err(f) = out.write(SUMMARY, json.as_bytes()) {
                    out.abandon();
                    return Err(f);
                }
                out.commit()?;
                let parsed = figures::parse(&json).map_err(Failure::Internal)?;
                Ok(Outcome::Ok(figures::flatten(&parsed)))
            }
            Err(RunError::Failed(message)) => {
                out.abandon();
                let error = format!("{message}\nseed {}; reproduce with: {}", run.seed, self.reproduce(run));
                let mut out = OutputDir::create(&dir, &known)?;
                for name in RUN_FILES.iter().filter(|f| **f != FAILURE) {
                    out.remove(name);
                }
                if let Err(f) = out.write(FAILURE, study_dir::failure_json(plan, run, &error).as_bytes()) {
                    out.abandon();
                    return Err(f);
                }
                out.commit()?;
                Ok(Outcome::Failed(error))
            }
            Err(RunError::Stopped) => {
                let what = written.error();
                out.abandon();
                Err(match what {
                    Some(e) => Failure::Environment(format!("{}: cannot write the output: {e}", dir.display())),
                    None => Failure::Internal("stopped".into()),
                })
            }
            Err(RunError::Write(e)) => {
                out.abandon();
                Err(super::output::failure(&dir, &e))
            }
        }
    }

    /// The trace sink for what the run keeps: files in its folder, or digests only.
    fn sink(&self, out: &mut OutputDir, keep: Keep) -> Result<Box<dyn TraceSink>, Failure> {
        if keep == Keep::Summary {
            for name in RUN_FILES.iter().filter(|f| **f != SUMMARY) {
                out.remove(name);
            }
            // The digests are of the bytes that would have been written.
            return Ok(Box::new(CsvSink::new(SinkFiles::discarded()).with_objects(ObjectFiles::discarded())));
        }
        let files = SinkFiles {
            transitions: out.file("transitions.csv")?,
            events: out.file("events.csv")?,
            metrics: out.file("metrics.csv")?,
            nodes: out.file("nodes.csv")?,
            pool_metrics: out.file("pool_metrics.csv")?,
            services: out.file("services.csv")?,
        };
        let sink = CsvSink::new(files);
        if keep == Keep::Trace {
            for name in ["objects.jsonl", "containers.csv", "event_paths.csv", "event_series.csv"] {
                out.remove(name);
            }
            return Ok(Box::new(sink));
        }
        let objects = ObjectFiles {
            objects: out.file("objects.jsonl")?,
            containers: out.file("containers.csv")?,
            event_paths: out.file("event_paths.csv")?,
            event_series: out.file("event_series.csv")?,
        };
        Ok(Box::new(sink.with_objects(objects)))
    }

    /// The `podsim run` command that runs this run alone, invariants checked.
    fn reproduce(&self, run: &Run) -> String {
        let plan = &self.study.plan;
        let mut cmd =
            format!("podsim run {} --seed {}", shell_word(&self.study.scenario_path.display().to_string()), run.seed);
        for (p, v) in plan.parameters.iter().zip(plan.point_values(run.point)) {
            cmd.push_str(&format!(" --set {}", shell_word(&format!("{}={}", p.path, v.text))));
        }
        if let Some(d) = &plan.duration {
            cmd.push_str(&format!(" --duration {d}"));
        }
        cmd.push_str(" --check-invariants");
        cmd
    }
}

/// A word as a shell reads it back: quoted when it holds anything but the plainest
/// characters.
pub fn shell_word(w: &str) -> String {
    if !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c)) {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

fn invocation_json(
    threads: usize,
    shard: Option<Shard>,
    outcomes: &[(Run, Outcome)],
    done_before: usize,
    wall: &[(usize, f64)],
    started: Instant,
) -> String {
    let count = |status: &str| outcomes.iter().filter(|(_, o)| o.status() == status).count();
    let v = serde_json::json!({
        "command_line": study_dir::command_line(),
        "podsim_version": env!("CARGO_PKG_VERSION"),
        "finished_at": study_dir::now(),
        "wall_time_s": (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        "threads": threads,
        "shard": shard.map(|s| s.to_string()),
        "runs": {
            "total": outcomes.len(),
            "done_before": done_before,
            "run_now": wall.len(),
            "ok": count("ok"),
            "failed": count("failed"),
            "invalid": count("invalid"),
        },
        "run_wall_time_s": wall.iter().map(|(r, s)| serde_json::json!([r, (s * 1000.0).round() / 1000.0])).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&v).expect("JSON always serializes") + "\n"
}

/// The end of a study: a line on stdout, the failed runs on stderr, and the exit code
/// (2 when a point was not valid, 1 when a run failed).
fn report(
    study: &Study,
    dir: &Path,
    outcomes: &[(Run, Outcome)],
    done_before: usize,
    started: Instant,
    threads: usize,
    quiet: bool,
) -> Result<(), Failure> {
    let count = |status: &str| outcomes.iter().filter(|(_, o)| o.status() == status).count();
    let (failed, invalid) = (count("failed"), count("invalid"));
    if quiet {
        println!("output: {}", dir.display());
    } else {
        let plural = |n: usize, word: &str| if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") };
        let mut line = format!(
            "{}: {} ({} x {}",
            study.plan.scenario,
            plural(outcomes.len(), "run"),
            plural(study.plan.points(), "point"),
            plural(study.plan.seeds.len(), "seed")
        );
        if outcomes.len() != study.plan.runs() {
            line.push_str(&format!(", a share of the study's {}", study.plan.runs()));
        }
        line.push_str(&format!(
            "): {} ok, {failed} failed, {invalid} invalid; {} run now on {threads} thread(s) in {:.1} s",
            count("ok"),
            outcomes.len() - done_before,
            started.elapsed().as_secs_f64()
        ));
        println!("{line}");
        println!(
            "  tables: {}, {}",
            dir.join(study_dir::SWEEP_CSV).display(),
            dir.join(study_dir::POINTS_CSV).display()
        );
    }
    let mut invalid_points: Vec<String> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    for (run, o) in outcomes {
        match o {
            Outcome::Invalid(e) if !invalid_points.iter().any(|p| p.ends_with(e.as_str())) => {
                invalid_points.push(format!("point {} ({}): {e}", run.point, study.plan.point_label(run.point)));
            }
            Outcome::Failed(e) => {
                failures.push(format!("run {} (point {}, seed {}): {e}", run.index, run.point, run.seed))
            }
            _ => {}
        }
    }
    if invalid > 0 {
        let mut m =
            vec![format!("{invalid} run(s) of {} point(s) not run: their scenario is not valid", invalid_points.len())];
        m.extend(invalid_points);
        return Err(Failure::Input(m));
    }
    if failed > 0 {
        let shown: Vec<String> = failures.iter().take(5).cloned().collect();
        let more =
            if failed > 5 { format!("\n... and {} more (sweep.csv has them all)", failed - 5) } else { String::new() };
        return Err(Failure::Internal(format!("{failed} run(s) failed:\n{}{more}", shown.join("\n"))));
    }
    Ok(())
}
