//! `podsim capacity`: the smallest (or, `--maximize`, the largest) whole value of one
//! parameter for which every target holds over the seeds, by a search (a galloping
//! bracket, then bisection; `podsim::study::capacity`) rather than a grid.
//!
//! The folder (`--out`, default `results/<scenario name>/capacity/`):
//!
//! ```text
//! capacity.json                    the search: scenario, parameter, range, seeds, targets
//! runs/value-V/seed-S/summary.json each run (or failure.json), as `sweep --keep summary`
//! capacity.csv                     one row per point tried and target
//! capacity.png, capacity.svg       each target's figure against the parameter
//! ```
//!
//! A run is kept by its value and seed, so a search started again (other targets, a
//! wider range, more seeds) runs only what is not there yet; a sweep's folder of the
//! same scenario varying the same parameter is read too (`runs/point-P/seed-S`).
//!
//! Shards (`--shard I/N`) share one folder (a shared volume, as the Kubernetes Job's):
//! each point's seeds are split among them (the I-th of every N), each shard runs its
//! share and waits for the others' runs of that point to appear, and every shard then
//! takes the same next step, since the verdicts are the same bytes. Shard 0 writes the
//! tables and the chart.

use super::Failure;
use super::output::OutputDir;
use super::study_dir::{self, FAILURE, SUMMARY};
use super::sweep::{Runner, SweepArgs, prepare};
use clap::Args;
use podsim::study::capacity::{self, Check, Confidence, Goal, Step, Target, Vary};
use podsim::study::figures::{self, Ordered};
use podsim::study::plan::{Plan, Run, Shard};
use podsim::study::table::{number, readable};
use podsim::study::{exec, seeds, sweepfile};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

#[derive(Args, Debug)]
pub struct CapacityArgs {
    /// The scenario file.
    pub file: PathBuf,
    /// The parameter and its range, PATH=LO..HI (`nodes[worker].count=1..64`): whole
    /// values, both ends included.
    #[arg(long, value_name = "PATH=LO..HI")]
    pub vary: String,
    /// FIGURE OP VALUE (`'latency_ms.scheduling.p99 <= 60s'`, `'jobs.failed == 0'`): OP
    /// one of < <= == >= >; given several times, every target must hold.
    #[arg(long = "target", value_name = "FIGURE OP VALUE", required = true)]
    pub targets: Vec<String>,
    /// The seeds of every point: `1..10`, `1,5,9` (default: the scenario's).
    #[arg(long)]
    pub seeds: Option<String>,
    /// Judges a target by the one-sided bound on the mean at this level (0.95) instead of
    /// every seed.
    #[arg(long)]
    pub confidence: Option<String>,
    /// The largest passing value instead of the smallest.
    #[arg(long)]
    pub maximize: bool,
    /// Overrides the scenario's duration in every run.
    #[arg(long)]
    pub duration: Option<String>,
    /// The search's folder (default: results/<scenario name>/capacity/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Runs at once (default: one per core).
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Runs only share I of N of each point's seeds; the shards share --out.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Checks the simulation's invariants after every event in every run (slower).
    #[arg(long)]
    pub check_invariants: bool,
    /// Only the answer on stdout.
    #[arg(long, short)]
    pub quiet: bool,
}

pub const SEARCH: &str = "capacity.json";
pub const CSV: &str = "capacity.csv";
const CHART: &str = "capacity";

/// How often a shard looks for the other shards' runs.
const POLL: Duration = Duration::from_millis(500);

/// A point of the search: its runs' summaries (or failures) and the targets' checks.
struct Point {
    value: i64,
    runs: usize,
    failed: Vec<String>,
    checks: Vec<Check>,
    passes: bool,
}

/// What the search is, as capacity.json writes it: what the runs depend on first (a
/// folder of another scenario or parameter is refused), then the rest.
fn search_json(plan: &Plan, vary: &Vary, goal: Goal, targets: &[Target], confidence: Confidence) -> String {
    let v = serde_json::json!({
        "podsim_version": env!("CARGO_PKG_VERSION"),
        "scenario": plan.scenario,
        "scenario_file": plan.scenario_file,
        "scenario_digest": plan.scenario_digest,
        "duration": plan.duration,
        "check_invariants": plan.check_invariants,
        "parameter": vary.path.text,
        "range": format!("{}..{}", vary.lo, vary.hi),
        "goal": match goal { Goal::Smallest => "smallest", Goal::Largest => "largest" },
        "seeds": seeds::format(&plan.seeds),
        "targets": targets.iter().map(|t| t.text.clone()).collect::<Vec<_>>(),
        "confidence": match confidence { Confidence::EverySeed => serde_json::Value::Null, Confidence::Mean(l) => l.into() },
    });
    serde_json::to_string_pretty(&v).expect("JSON always serializes") + "\n"
}

/// The fields of capacity.json the runs depend on.
const RUN_KEYS: [&str; 5] = ["scenario_digest", "duration", "check_invariants", "parameter", "podsim_version"];

pub fn capacity(args: CapacityArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let input = |e: String| Failure::Input(vec![e]);
    let vary = Vary::parse(&args.vary).map_err(input)?;
    let targets: Vec<Target> =
        args.targets.iter().map(|t| Target::parse(t)).collect::<Result<_, _>>().map_err(input)?;
    let confidence = args.confidence.as_deref().map(Confidence::parse).transpose().map_err(input)?;
    let confidence = confidence.unwrap_or(Confidence::EverySeed);
    let goal = if args.maximize { Goal::Largest } else { Goal::Smallest };
    let shard = args.shard.as_deref().map(Shard::parse).transpose().map_err(input)?;
    let text =
        std::fs::read_to_string(&args.file).map_err(|e| input(format!("{}: cannot read: {e}", args.file.display())))?;
    if sweepfile::is_sweep_file(&text) {
        return Err(input(format!(
            "{}: a sweep file; podsim capacity takes a scenario (--vary gives the parameter)",
            args.file.display()
        )));
    }
    check_numeric(&args.file, &text, &vary)?;

    // The study of one point, as `podsim sweep --set PATH=V --keep summary` prepares it.
    let study_of = |value: i64| {
        prepare(&SweepArgs {
            file: args.file.clone(),
            set: vec![format!("{}={value}", vary.path)],
            seeds: args.seeds.clone(),
            duration: args.duration.clone(),
            out: None,
            keep: Some("summary".into()),
            threads: None,
            shard: None,
            check_invariants: args.check_invariants,
            quiet: true,
            emit_k8s_job: false,
            shards: None,
            image: None,
        })
    };
    let first = study_of(vary.lo).map_err(|f| match f {
        Failure::Input(mut m) => {
            m.insert(0, format!("--vary {}: {}={} is not a valid scenario:", args.vary, vary.path, vary.lo));
            Failure::Input(m.into_iter().filter(|l| l != "no point of the study is a valid scenario:").collect())
        }
        other => other,
    })?;
    let plan = first.plan.clone();
    if matches!(confidence, Confidence::Mean(_)) && plan.seeds.len() < 2 {
        return Err(input(format!(
            "--confidence needs two seeds or more per point (--seeds {}): a bound on the mean needs a spread",
            seeds::format(&plan.seeds)
        )));
    }
    let dir = args.out.clone().unwrap_or_else(|| PathBuf::from("results").join(&plan.scenario).join("capacity"));
    let sweep_points = open_folder(&dir, &plan, &vary)?;
    if shard.is_none_or(|s| s.index == 0) {
        let json = search_json(&plan, &vary, goal, &targets, confidence);
        let mut out = OutputDir::create(&dir, &[SEARCH.to_string()])?;
        if let Err(f) = out.write(SEARCH, json.as_bytes()) {
            out.abandon();
            return Err(f);
        }
        out.commit()?;
    }
    let threads = exec::threads(args.threads.unwrap_or(0));
    let search = Search { dir: &dir, plan: &plan, targets: &targets, confidence, sweep_points: &sweep_points };

    // Points done before (an earlier search, a sweep): their verdicts first.
    let mut points: BTreeMap<i64, Point> = BTreeMap::new();
    for value in search.finished_values()? {
        if (vary.lo..=vary.hi).contains(&value) {
            let p = search.judge(value)?;
            points.insert(value, p);
        }
    }
    let reused = points.len();
    if reused > 0 && !args.quiet {
        eprintln!("{}: {reused} point(s) already run there, reused", dir.display());
    }
    let mut order: Vec<i64> = Vec::new();
    let mut checked_names = false;
    if let Some(p) = points.values().next() {
        search.check_figures(p.value)?;
        checked_names = true;
    }
    let answer = loop {
        let known: BTreeMap<i64, bool> = points.iter().map(|(v, p)| (*v, p.passes)).collect();
        match capacity::next(vary.lo, vary.hi, goal, &known) {
            Step::Done(answer) => break answer,
            Step::Try(value) => {
                let study = if value == vary.lo { None } else { Some(study_of(value)?) };
                let study = study.as_ref().unwrap_or(&first);
                search.run_point(study, value, shard, threads)?;
                if shard.is_some() {
                    search.wait_for(value)?;
                }
                if !checked_names {
                    search.check_figures(value)?;
                    checked_names = true;
                }
                let p = search.judge(value)?;
                if !args.quiet {
                    eprintln!("{}", point_line(&vary, &targets, &p));
                }
                order.push(value);
                points.insert(value, p);
            }
        }
    };

    let writer = shard.is_none_or(|s| s.index == 0);
    if writer {
        let csv = capacity_csv(&vary, &targets, &points);
        let chart = podsim::plot::render_capacity(&chart_input(&plan, &vary, &targets, &points, answer))
            .map_err(|e| Failure::Internal(e.to_string()))?;
        let mut files: Vec<(&str, &[u8])> = vec![(CSV, csv.as_bytes())];
        files.extend(chart.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
        let names: Vec<String> = files.iter().map(|(n, _)| n.to_string()).collect();
        let mut out = OutputDir::create(&dir, &names)?;
        for (name, bytes) in &files {
            if let Err(f) = out.write(name, bytes) {
                out.abandon();
                return Err(f);
            }
        }
        out.commit()?;
    }
    report(&args, &vary, goal, &targets, confidence, &plan, &dir, &points, &order, answer, started, threads)
}

/// A parameter that is not a number in the scenario file cannot be searched.
fn check_numeric(file: &Path, text: &str, vary: &Vary) -> Result<(), Failure> {
    let doc: serde_json::Value =
        serde_saphyr::from_str(text).map_err(|e| Failure::Input(vec![format!("{}: {e}", file.display())]))?;
    match vary.path.get(&doc) {
        None | Some(serde_json::Value::Number(_)) | Some(serde_json::Value::Null) => Ok(()),
        Some(serde_json::Value::String(s)) if s.trim().parse::<f64>().is_ok() => Ok(()),
        Some(other) => Err(Failure::Input(vec![format!(
            "--vary {}: {} is {} in {}, not a number: capacity varies a numeric parameter (a node count, a replica count, a size)",
            vary.path,
            vary.path,
            serde_json::to_string(other).unwrap_or_default(),
            file.display()
        )])),
    }
}

/// Checks the folder: a new one, one of this search (or of another search of the same
/// scenario and parameter), or a sweep of the same scenario varying this parameter alone
/// (its points by value). Anything else is refused.
fn open_folder(dir: &Path, plan: &Plan, vary: &Vary) -> Result<BTreeMap<i64, usize>, Failure> {
    let refuse = |what: String| {
        Failure::Input(vec![format!("{}: {what}; choose another --out, or remove the folder", dir.display())])
    };
    if dir.join(SUMMARY).exists() {
        return Err(refuse("holds a run's output (summary.json), not a search".into()));
    }
    let mut sweep_points = BTreeMap::new();
    if let Some((sweep, _, version)) = study_dir::read_plan(dir)? {
        let same = sweep.parameters.len() == 1
            && sweep.parameters[0].path.text == vary.path.text
            && sweep.scenario_digest == plan.scenario_digest
            && sweep.duration == plan.duration
            && sweep.check_invariants == plan.check_invariants
            && version == env!("CARGO_PKG_VERSION");
        if !same {
            return Err(refuse(format!(
                "holds a sweep that is not of {} varying {} alone",
                plan.scenario_file, vary.path
            )));
        }
        for (i, v) in sweep.parameters[0].values.iter().enumerate() {
            if let Some(n) = v.value.as_i64() {
                sweep_points.insert(n, i);
            }
        }
    }
    let path = dir.join(SEARCH);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let there: serde_json::Value =
                serde_json::from_str(&text).map_err(|_| refuse(format!("its {SEARCH} is not one podsim wrote")))?;
            let here: serde_json::Value =
                serde_json::from_str(&search_json(plan, vary, Goal::Smallest, &[], Confidence::EverySeed))
                    .expect("our own JSON");
            let differ: Vec<String> = RUN_KEYS
                .iter()
                .filter(|k| there.get(**k) != here.get(**k))
                .map(|k| {
                    format!("  {k}: {} there, {} here", there.get(*k).unwrap_or(&serde_json::Value::Null), here[*k])
                })
                .collect();
            if !differ.is_empty() {
                let mut m = vec![format!(
                    "{}: holds another search (its runs would not be this one's); choose another --out, or remove the folder:",
                    dir.display()
                )];
                m.extend(differ);
                return Err(Failure::Input(m));
            }
        }
        // A new search (shard 0 writes capacity.json; the others may start first).
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Failure::Input(vec![format!("{}: cannot read: {e}", path.display())])),
    }
    Ok(sweep_points)
}

/// The search's folder and what judges a point.
struct Search<'a> {
    dir: &'a Path,
    plan: &'a Plan,
    targets: &'a [Target],
    confidence: Confidence,
    /// A sweep's points in the same folder, by value.
    sweep_points: &'a BTreeMap<i64, usize>,
}

/// A run's end, as its folder records it.
enum Ended {
    Summary(Ordered),
    Failed(String),
}

impl Search<'_> {
    fn run_dir(&self, value: i64, seed: u64) -> PathBuf {
        self.dir.join(format!("runs/value-{value}/seed-{seed}"))
    }

    /// The run's end, from this search's folder or the sweep's.
    fn ended(&self, value: i64, seed: u64) -> Result<Option<Ended>, Failure> {
        let mut dirs = vec![self.run_dir(value, seed)];
        if let Some(point) = self.sweep_points.get(&value) {
            dirs.push(self.dir.join(format!("runs/point-{point}/seed-{seed}")));
        }
        for d in dirs {
            let corrupt = |name: &str, e: String| Failure::Input(vec![format!("{}: {e}", d.join(name).display())]);
            if let Ok(text) = std::fs::read_to_string(d.join(SUMMARY)) {
                return Ok(Some(Ended::Summary(figures::parse(&text).map_err(|e| corrupt(SUMMARY, e))?)));
            }
            if let Ok(text) = std::fs::read_to_string(d.join(FAILURE)) {
                let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| corrupt(FAILURE, e.to_string()))?;
                let error = v.get("error").and_then(|e| e.as_str()).unwrap_or("failed").to_string();
                return Ok(Some(Ended::Failed(error)));
            }
        }
        Ok(None)
    }

    /// The values whose every seed has ended, in this folder.
    fn finished_values(&self) -> Result<Vec<i64>, Failure> {
        let mut values: Vec<i64> = self.sweep_points.keys().copied().collect();
        if let Ok(entries) = std::fs::read_dir(self.dir.join("runs")) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if let Some(v) = name.strip_prefix("value-").and_then(|v| v.parse::<i64>().ok()) {
                    values.push(v);
                }
            }
        }
        values.sort_unstable();
        values.dedup();
        let mut out = Vec::new();
        for v in values {
            let mut all = true;
            for seed in &self.plan.seeds {
                if self.ended(v, *seed)?.is_none() {
                    all = false;
                    break;
                }
            }
            if all {
                out.push(v);
            }
        }
        Ok(out)
    }

    /// Runs the seeds of `value` that have not ended (this shard's share of them).
    fn run_point(
        &self,
        study: &super::sweep::Study,
        value: i64,
        shard: Option<Shard>,
        threads: usize,
    ) -> Result<(), Failure> {
        let mut pending: Vec<Run> = Vec::new();
        for r in 0..study.plan.runs() {
            let run = study.plan.run(r);
            if shard.is_none_or(|s| s.holds(r)) && self.ended(value, run.seed)?.is_none() {
                pending.push(run);
            }
        }
        let stop = AtomicBool::new(false);
        let runner = Runner { study, dir: self.dir, check: study.plan.check_invariants, stop: &stop };
        let results = exec::run_all(pending, threads, |run| {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return Ok(());
            }
            let r = runner.run_in(&run, &self.run_dir(value, run.seed)).map(|_| ());
            if r.is_err() {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            r
        });
        results.into_iter().collect()
    }

    /// Waits until every seed of `value` has ended (the other shards' share).
    fn wait_for(&self, value: i64) -> Result<(), Failure> {
        loop {
            let mut missing = 0;
            for seed in &self.plan.seeds {
                if self.ended(value, *seed)?.is_none() {
                    missing += 1;
                }
            }
            if missing == 0 {
                return Ok(());
            }
            std::thread::sleep(POLL);
        }
    }

    /// The runs' ends of `value`, seed by seed.
    fn ends(&self, value: i64) -> Result<Vec<Ended>, Failure> {
        let mut out = Vec::new();
        for seed in &self.plan.seeds {
            let end = self.ended(value, *seed)?.ok_or_else(|| {
                Failure::Internal(format!("{}: the run has not ended", self.run_dir(value, *seed).display()))
            })?;
            out.push(end);
        }
        Ok(out)
    }

    /// A target whose figure no run of the point has (and that is not a reason that did
    /// not occur) is a mistake: bad input, with the figures of that name's kind.
    fn check_figures(&self, value: i64) -> Result<(), Failure> {
        let ends = self.ends(value)?;
        let summaries: Vec<&Ordered> = ends
            .iter()
            .filter_map(|e| match e {
                Ended::Summary(s) => Some(s),
                Ended::Failed(_) => None,
            })
            .collect();
        let Some(first) = summaries.first() else { return Ok(()) };
        let names = capacity::figure_names(first);
        let mut problems = Vec::new();
        for t in self.targets {
            if summaries.iter().all(|s| capacity::figure_value(s, &t.figure).is_none()) {
                problems.push(format!(
                    "--target {:?}: summary.json has no figure {}; figures such as: {}",
                    t.text,
                    t.figure,
                    podsim::study::compare::suggestions(&t.figure, &names).join(", ")
                ));
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(Failure::Input(problems)) }
    }

    fn judge(&self, value: i64) -> Result<Point, Failure> {
        let ends = self.ends(value)?;
        let failed: Vec<String> = ends
            .iter()
            .zip(&self.plan.seeds)
            .filter_map(|(e, seed)| match e {
                Ended::Failed(m) => Some(format!("seed {seed}: {m}")),
                Ended::Summary(_) => None,
            })
            .collect();
        let checks: Vec<Check> = self
            .targets
            .iter()
            .map(|t| {
                let values: Vec<Option<f64>> = ends
                    .iter()
                    .map(|e| match e {
                        Ended::Summary(s) => capacity::figure_value(s, &t.figure),
                        Ended::Failed(_) => None,
                    })
                    .collect();
                capacity::check(t, &values, self.confidence)
            })
            .collect();
        let passes = checks.iter().all(|c| c.holds);
        Ok(Point { value, runs: ends.len(), failed, checks, passes })
    }
}

/// One line per point as the search goes.
fn point_line(vary: &Vary, targets: &[Target], p: &Point) -> String {
    let parts: Vec<String> = targets.iter().zip(&p.checks).map(|(t, c)| figure_text(t, c)).collect();
    format!("  {}={}: {} ({})", vary.path, p.value, if p.passes { "passes" } else { "fails" }, parts.join("; "))
}

/// A target's figure at a point: mean, interval and range over the seeds.
fn figure_text(t: &Target, c: &Check) -> String {
    let m = &c.moments;
    let mut s = format!("{} {}", t.figure, if c.holds { "holds" } else { "fails" });
    if m.n == 0 {
        s.push_str(": no value");
        return s;
    }
    s.push_str(&format!(": mean {}", readable(m.mean)));
    if let Some((lo, hi)) = c.interval {
        s.push_str(&format!(", 95% CI {} .. {}", readable(lo), readable(hi)));
    }
    if let (Some(lo), Some(hi)) = (c.min, c.max) {
        s.push_str(&format!(", seeds {} .. {}", readable(lo), readable(hi)));
    }
    if c.missing > 0 {
        s.push_str(&format!(", {} run(s) without it", c.missing));
    }
    s
}

/// capacity.csv: one row per point (by value) and target.
fn capacity_csv(vary: &Vary, targets: &[Target], points: &BTreeMap<i64, Point>) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let mut header = vec![vary.path.text.clone()];
    header.extend(
        [
            "runs",
            "failed",
            "passes",
            "target",
            "figure",
            "op",
            "value",
            "n",
            "mean",
            "sd",
            "ci95_low",
            "ci95_high",
            "min",
            "max",
            "judged",
            "holds",
        ]
        .map(String::from),
    );
    let opt = |x: Option<f64>| x.map(number).unwrap_or_default();
    let mut rows = vec![header];
    for p in points.values() {
        for (t, c) in targets.iter().zip(&p.checks) {
            rows.push(vec![
                p.value.to_string(),
                p.runs.to_string(),
                p.failed.len().to_string(),
                p.passes.to_string(),
                t.text.clone(),
                t.figure.clone(),
                t.op.as_str().to_string(),
                number(t.value),
                c.moments.n.to_string(),
                if c.moments.n > 0 { number(c.moments.mean) } else { String::new() },
                opt(c.moments.sd),
                opt(c.interval.map(|i| i.0)),
                opt(c.interval.map(|i| i.1)),
                opt(c.min),
                opt(c.max),
                opt(c.judged),
                c.holds.to_string(),
            ]);
        }
    }
    for r in rows {
        w.write_record(&r).expect("writing CSV to memory cannot fail");
    }
    String::from_utf8(w.into_inner().expect("a Vec takes every byte")).expect("the cells are UTF-8")
}

/// The chart's input, handed to `podsim::plot::capacity`.
fn chart_input(
    plan: &Plan,
    vary: &Vary,
    targets: &[Target],
    points: &BTreeMap<i64, Point>,
    answer: Option<i64>,
) -> podsim::plot::CapacityChart {
    podsim::plot::CapacityChart {
        title: format!("{}: {} against {}", plan.scenario, "targets", vary.path),
        parameter: vary.path.text.clone(),
        answer,
        panels: targets
            .iter()
            .enumerate()
            .map(|(i, t)| podsim::plot::CapacityPanel {
                target: t.to_string(),
                value: t.value,
                points: points
                    .values()
                    .filter(|p| p.checks[i].moments.n > 0)
                    .map(|p| {
                        let c = &p.checks[i];
                        podsim::plot::CapacityPoint {
                            x: p.value as f64,
                            mean: c.moments.mean,
                            low: c.interval.map_or(c.moments.mean, |i| i.0),
                            high: c.interval.map_or(c.moments.mean, |i| i.1),
                            min: c.min.unwrap_or(c.moments.mean),
                            max: c.max.unwrap_or(c.moments.mean),
                            holds: c.holds,
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[allow(clippy::too_many_arguments)]
fn report(
    args: &CapacityArgs,
    vary: &Vary,
    goal: Goal,
    targets: &[Target],
    confidence: Confidence,
    plan: &Plan,
    dir: &Path,
    points: &BTreeMap<i64, Point>,
    order: &[i64],
    answer: Option<i64>,
    started: Instant,
    threads: usize,
) -> Result<(), Failure> {
    let known: BTreeMap<i64, bool> = points.iter().map(|(v, p)| (*v, p.passes)).collect();
    let pairs = capacity::not_monotone(goal, &known);
    let which = match goal {
        Goal::Smallest => "smallest",
        Goal::Largest => "largest",
    };
    if let Some(v) = answer {
        println!(
            "{}: {}={v} is the {which} value in {}..{} meeting every target ({} seed(s) a point, judged by {})",
            plan.scenario,
            vary.path,
            vary.lo,
            vary.hi,
            plan.seeds.len(),
            confidence.describe()
        );
    }
    if !args.quiet {
        let runs: usize = points.values().map(|p| p.runs).sum();
        println!(
            "  {} point(s) ({} run now, {} reused), {runs} runs; {:.1} s on {threads} thread(s)",
            points.len(),
            order.len(),
            points.len() - order.len(),
            started.elapsed().as_secs_f64()
        );
        for p in points.values() {
            let tried =
                order.iter().position(|v| *v == p.value).map_or("reused".to_string(), |i| format!("#{}", i + 1));
            println!(
                "  {}={} [{tried}] {}{}",
                vary.path,
                p.value,
                if p.passes { "passes" } else { "fails" },
                if p.failed.is_empty() { String::new() } else { format!(", {} run(s) failed", p.failed.len()) }
            );
            for (t, c) in targets.iter().zip(&p.checks) {
                println!("      {}", figure_text(t, c));
            }
        }
        println!("  table: {}, chart: {}", dir.join(CSV).display(), dir.join(format!("{CHART}.png")).display());
    }
    for (pass, fail) in &pairs {
        eprintln!(
            "warning: not monotone: {}={pass} passes but {}={fail} fails; the answer is the {which} value past every failure (more seeds may settle it)",
            vary.path, vary.path
        );
    }
    let failed: Vec<String> =
        points.values().flat_map(|p| p.failed.iter().map(move |f| format!("{}={}: {f}", vary.path, p.value))).collect();
    if answer.is_none() {
        let best = best_point(goal, points);
        let mut m = vec![format!(
            "no value of {} in {}..{} meets every target ({} seed(s) a point, judged by {})",
            vary.path,
            vary.lo,
            vary.hi,
            plan.seeds.len(),
            confidence.describe()
        )];
        if let Some(p) = best {
            let held = p.checks.iter().filter(|c| c.holds).count();
            m.push(format!(
                "the best point tried: {}={}, {held} of {} target(s) held:",
                vary.path,
                p.value,
                targets.len()
            ));
            for (t, c) in targets.iter().zip(&p.checks) {
                m.push(format!("  {}", figure_text(t, c)));
            }
        }
        return Err(Failure::Verdict(m));
    }
    if !failed.is_empty() {
        return Err(Failure::Internal(format!(
            "{} run(s) failed (they count as not meeting the targets):\n{}",
            failed.len(),
            failed.join("\n")
        )));
    }
    Ok(())
}

/// The point closest to passing: the most targets held, then the far end of the range
/// (the most capacity).
fn best_point(goal: Goal, points: &BTreeMap<i64, Point>) -> Option<&Point> {
    points.values().max_by_key(|p| {
        let held = p.checks.iter().filter(|c| c.holds).count();
        (held, if goal == Goal::Smallest { p.value } else { -p.value })
    })
}
