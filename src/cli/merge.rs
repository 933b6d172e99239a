//! `podsim merge`: joins the shards of a study (`sweep --shard I/N`, the pods of the
//! Job `--emit-k8s-job` writes) into one study folder, the same bytes as the study run
//! whole (but invocation.json).

use super::Failure;
use super::output::OutputDir;
use super::study_dir::{self, RUN_FILES};
use clap::Args;
use podsim::engine::time::{format_duration, parse_duration};
use podsim::study::plan::{Plan, Run, Shard};
use podsim::study::table::Outcome;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The shards' folders (whole studies of the same plan are accepted too).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// The merged study's folder.
    #[arg(long)]
    pub out: PathBuf,
    /// Waits until every folder holds a finished shard (the merge Job starts beside the
    /// shards' Job).
    #[arg(long)]
    pub wait: bool,
    /// With --wait: gives up after this long (90s, 1h30m, ...).
    #[arg(long)]
    pub timeout: Option<String>,
    /// Only the merged folder's path on stdout.
    #[arg(long, short)]
    pub quiet: bool,
}

/// How often `--wait` looks at the shards' folders.
const POLL: Duration = Duration::from_secs(2);

pub fn merge(args: MergeArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let input = |m: String| Failure::Input(vec![m]);
    let timeout = match &args.timeout {
        Some(t) if args.wait => {
            Some(Duration::from_millis(parse_duration(t).map_err(|e| input(format!("--timeout: {e}")))?))
        }
        Some(_) => return Err(input("--timeout goes with --wait".into())),
        None => None,
    };
    for d in &args.dirs {
        if same_folder(d, &args.out) {
            return Err(input(format!("{}: is one of the folders to merge; choose another --out", args.out.display())));
        }
    }
    if args.wait {
        wait_for(&args.dirs, timeout, args.quiet)?;
    }
    let mut shards: Vec<(PathBuf, Plan, Option<Shard>)> = Vec::new();
    for d in &args.dirs {
        let Some((plan, shard, _)) = study_dir::read_plan(d)? else {
            if d.join(super::capacity::SEARCH).is_file() {
                return Err(input(format!(
                    "{}: a capacity search's folder: the shards of `podsim capacity --shard I/N` share one --out, so there is nothing to merge",
                    d.display()
                )));
            }
            return Err(input(format!("{}: not a study's folder (no sweep.json)", d.display())));
        };
        if !d.join(study_dir::SWEEP_CSV).is_file() {
            return Err(input(format!(
                "{}: the study{} has not finished (no sweep.csv); run the same podsim sweep into it again to finish it",
                d.display(),
                shard.map(|s| format!("'s shard {s}")).unwrap_or_default()
            )));
        }
        shards.push((d.clone(), plan, shard));
    }
    let plan = shards[0].1.clone();
    let mut problems = Vec::new();
    for (d, p, _) in &shards[1..] {
        for diff in plan.differences(p) {
            problems.push(format!("{}: not a shard of the study in {}: {diff}", d.display(), shards[0].0.display()));
        }
    }
    if !problems.is_empty() {
        return Err(Failure::Input(problems));
    }
    let owners = owners(&plan, &shards)?;
    let out_plan = plan.to_json(None);
    if let Some((existing, shard, _)) = study_dir::read_plan(&args.out)?
        && (!existing.differences(&plan).is_empty() || shard.is_some())
    {
        return Err(input(format!(
            "{}: holds another study; choose another --out, or remove the folder",
            args.out.display()
        )));
    }
    study_dir::write_files(&args.out, &[(study_dir::PLAN, out_plan.as_bytes())])?;
    let mut invalid: Vec<std::collections::BTreeMap<usize, String>> = Vec::new();
    for (d, _, _) in &shards {
        invalid.push(study_dir::invalid_runs(d)?);
    }
    let mut outcomes = Vec::with_capacity(plan.runs());
    for (index, owner) in owners.iter().enumerate() {
        let run = plan.run(index);
        let from = &shards[*owner].0;
        let outcome = match invalid[*owner].get(&index) {
            Some(e) => Outcome::Invalid(e.clone()),
            None => copy_run(from, &args.out, &run)?,
        };
        outcomes.push((run, outcome));
    }
    let count = |status: &str| outcomes.iter().filter(|(_, o)| o.status() == status).count();
    let invocation = serde_json::json!({
        "command_line": study_dir::command_line(),
        "podsim_version": env!("CARGO_PKG_VERSION"),
        "finished_at": study_dir::now(),
        "wall_time_s": (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        "merged": args.dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>(),
        "runs": {"total": outcomes.len(), "ok": count("ok"), "failed": count("failed"), "invalid": count("invalid")},
    });
    let invocation = serde_json::to_string_pretty(&invocation).expect("JSON always serializes") + "\n";
    study_dir::write_tables(&args.out, &plan, &outcomes, &invocation)?;
    if args.quiet {
        println!("output: {}", args.out.display());
    } else {
        println!(
            "{}: {} runs from {} folder(s): {} ok, {} failed, {} invalid; merged into {}",
            plan.scenario,
            outcomes.len(),
            shards.len(),
            count("ok"),
            count("failed"),
            count("invalid"),
            args.out.display()
        );
    }
    Ok(())
}

/// Whether two paths name the same folder (either may not exist yet).
fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Which folder each run is taken from: the first that holds it.
fn owners(plan: &Plan, shards: &[(PathBuf, Plan, Option<Shard>)]) -> Result<Vec<usize>, Failure> {
    let mut owner = vec![None; plan.runs()];
    for (i, (_, _, shard)) in shards.iter().enumerate() {
        for (run, o) in owner.iter_mut().enumerate() {
            if o.is_none() && shard.is_none_or(|s| s.holds(run)) {
                *o = Some(i);
            }
        }
    }
    let missing: Vec<usize> = owner.iter().enumerate().filter(|(_, o)| o.is_none()).map(|(r, _)| r).collect();
    if missing.is_empty() {
        return Ok(owner.into_iter().map(|o| o.expect("checked")).collect());
    }
    let count = shards.iter().find_map(|(_, _, s)| *s).map_or(1, |s| s.count);
    let mut absent: Vec<u64> = missing.iter().map(|r| *r as u64 % count).collect();
    absent.dedup();
    absent.sort_unstable();
    absent.dedup();
    let shown: Vec<String> = missing.iter().take(10).map(|r| r.to_string()).collect();
    let (one, shards) = (missing.len() == 1, absent.len() == 1);
    Err(Failure::Input(vec![format!(
        "{} of the study's {} runs {} in none of the folders given ({} {}{}): {} {} {} missing",
        missing.len(),
        plan.runs(),
        if one { "is" } else { "are" },
        if one { "run" } else { "runs" },
        shown.join(", "),
        if missing.len() > 10 { ", ..." } else { "" },
        if shards { "shard" } else { "shards" },
        absent.iter().map(|s| format!("{s}/{count}")).collect::<Vec<_>>().join(", "),
        if shards { "is" } else { "are" },
    )]))
}

/// Copies a run's folder into the merged study, file by file through temporaries.
fn copy_run(from: &Path, to: &Path, run: &Run) -> Result<Outcome, Failure> {
    let outcome = study_dir::run_outcome(from, run)?.ok_or_else(|| {
        Failure::Input(vec![format!(
            "{}: run {} (point {}, seed {}) has not ended, though sweep.csv is there",
            from.join(run.dir()).display(),
            run.index,
            run.point,
            run.seed
        )])
    })?;
    let (src, dest) = (from.join(run.dir()), to.join(run.dir()));
    let known: Vec<String> = RUN_FILES.iter().map(|f| f.to_string()).collect();
    let mut out = OutputDir::create(&dest, &known)?;
    for name in RUN_FILES {
        let path = src.join(name);
        if !path.is_file() {
            out.remove(name);
            continue;
        }
        let copied = (|| {
            let mut w = out.file(name)?;
            let mut r = std::fs::File::open(&path)
                .map_err(|e| Failure::Input(vec![format!("{}: cannot read: {e}", path.display())]))?;
            std::io::copy(&mut r, &mut w)
                .and_then(|_| std::io::Write::flush(&mut w))
                .map_err(|e| super::output::failure(&dest, &e))
        })();
        if let Err(f) = copied {
            out.abandon();
            return Err(f);
        }
    }
    out.commit()?;
    Ok(outcome)
}

/// Waits until every folder holds a finished shard (sweep.json and sweep.csv).
fn wait_for(dirs: &[PathBuf], timeout: Option<Duration>, quiet: bool) -> Result<(), Failure> {
    let started = Instant::now();
    let mut said = Instant::now();
    loop {
        let waiting: Vec<&PathBuf> =
            dirs.iter().filter(|d| !(study_dir::is_study(d) && d.join(study_dir::SWEEP_CSV).is_file())).collect();
        if waiting.is_empty() {
            return Ok(());
        }
        if timeout.is_some_and(|t| started.elapsed() >= t) {
            let names: Vec<String> = waiting.iter().map(|d| d.display().to_string()).collect();
            return Err(Failure::Environment(format!(
                "gave up waiting after {}: {} folder(s) have no finished shard: {}",
                format_duration(timeout.map_or(0, |t| t.as_millis() as u64)),
                names.len(),
                names.join(", ")
            )));
        }
        if !quiet && said.elapsed() >= Duration::from_secs(60) {
            said = Instant::now();
            eprintln!("waiting for {} of {} shard(s), first {}", waiting.len(), dirs.len(), waiting[0].display());
        }
        let left = timeout.map_or(POLL, |t| t.saturating_sub(started.elapsed()));
        std::thread::sleep(POLL.min(left).max(Duration::from_millis(10)));
    }
}
