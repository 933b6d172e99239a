//! The baselines: `results/baselines/<scenario>/` holds a study of each example
//! scenario (its sweep.json, sweep.csv and points.csv). The study is run again here and
//! must give the same tables: a change of outcome fails this test with `podsim compare`'s
//! account of what changed, and is kept on purpose with
//! `PODSIM_BLESS=1 cargo test --test integration baselines` and a word in the commit.

use std::path::{Path, PathBuf};
use std::process::Command;

const BLESS: &str = "PODSIM_BLESS";

/// Scenarios too slow to run a study of in the tests (each run takes seconds even
/// optimised): their outcome is pinned by `testdata/pinned/examples.txt` alone.
const TOO_SLOW: &[&str] = &["alibaba-100", "alibaba-600", "cronjob-nightly-dst", "random-failures"];

/// The study a new baseline runs.
const SEEDS: &str = "1..5";

const FILES: [&str; 3] = ["sweep.json", "sweep.csv", "points.csv"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn podsim(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_podsim")).args(args).current_dir(cwd).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// The sweep arguments a baseline's sweep.json stands for.
fn study_args(plan: &serde_json::Value) -> Vec<String> {
    let mut args = vec!["--seeds".to_string(), plan["seeds"].as_str().unwrap().to_string()];
    if let Some(d) = plan["duration"].as_str() {
        args.extend(["--duration".to_string(), d.to_string()]);
    }
    for p in plan["parameters"].as_array().unwrap() {
        let values: Vec<&str> = p["values"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        args.extend(["--set".to_string(), format!("{}={}", p["path"].as_str().unwrap(), values.join(","))]);
    }
    args.extend(["--keep".to_string(), plan["keep"].as_str().unwrap().to_string()]);
    args
}

#[test]
fn every_example_scenario_gives_its_baseline() {
    let bless = std::env::var_os(BLESS).is_some_and(|v| v == "1");
    let baselines = root().join("results/baselines");
    let mut names: Vec<String> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|n| !TOO_SLOW.contains(&n.as_str()))
        .collect();
    names.sort();
    assert!(names.len() >= 20, "{names:?}");
    let tmp = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for name in &names {
        let baseline = baselines.join(name);
        let plan: Option<serde_json::Value> = std::fs::read_to_string(baseline.join("sweep.json"))
            .ok()
            .map(|t| serde_json::from_str(&t).unwrap_or_else(|e| panic!("{}: {e}", baseline.display())));
        let args = match &plan {
            Some(p) => study_args(p),
            None if bless => ["--seeds", SEEDS, "--keep", "summary"].map(String::from).to_vec(),
            None => {
                problems.push(format!("{name}: no baseline in results/baselines/{name}/"));
                continue;
            }
        };
        let out = tmp.path().join(name);
        let scenario = root().join("scenarios").join(format!("{name}.yaml"));
        let mut all = vec!["sweep".to_string(), scenario.display().to_string()];
        all.extend(args);
        all.extend(["--out".to_string(), out.display().to_string(), "-q".to_string()]);
        let (code, stdout, stderr) = podsim(tmp.path(), &all.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(code, 0, "podsim {}\n{stdout}{stderr}", all.join(" "));
        if bless {
            std::fs::create_dir_all(&baseline).unwrap();
            for f in FILES {
                std::fs::copy(out.join(f), baseline.join(f)).unwrap();
            }
            continue;
        }
        let differing: Vec<&str> = FILES
            .into_iter()
            .filter(|f| std::fs::read(out.join(f)).ok() != std::fs::read(baseline.join(f)).ok())
            .collect();
        if !differing.is_empty() {
            let (_, report, err) =
                podsim(tmp.path(), &["compare", baseline.to_str().unwrap(), out.to_str().unwrap(), "--changed"]);
            problems.push(format!("{name}: {} differ from the baseline:\n{report}{err}", differing.join(", ")));
        }
    }
    assert!(
        problems.is_empty(),
        "{}\nIf the change is meant, bless it with {BLESS}=1 cargo test --test integration baselines and say why in the commit.",
        problems.join("\n")
    );
}

/// `podsim compare` against a baseline, as a CI job would run it: the same study passes
/// `--fail-on`, a worse one (three nodes instead of four: Jobs wait far longer) exits 3.
#[test]
fn a_regression_against_a_baseline_exits_3() {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = root().join("results/baselines/job-stream");
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(baseline.join("sweep.json")).unwrap()).unwrap();
    let text = std::fs::read_to_string(root().join("scenarios/job-stream.yaml")).unwrap();
    std::fs::write(tmp.path().join("job-stream.yaml"), &text).unwrap();
    std::fs::create_dir(tmp.path().join("smaller")).unwrap();
    let smaller = text.replace("    count: 4\n", "    count: 3\n");
    assert_ne!(smaller, text);
    std::fs::write(tmp.path().join("smaller/job-stream.yaml"), smaller).unwrap();
    let rules = ["--fail-on", "latency_ms.scheduling.p99>10%", "--fail-on", "jobs.completed<2%"];
    for (file, out, expected) in [("job-stream.yaml", "same", 0), ("smaller/job-stream.yaml", "worse", 3)] {
        let mut sweep = vec!["sweep".to_string(), file.to_string()];
        sweep.extend(study_args(&plan));
        sweep.extend(["--out".into(), out.into(), "-q".into()]);
        let (code, _, err) = podsim(tmp.path(), &sweep.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(code, 0, "{err}");
        let mut check = vec!["compare", baseline.to_str().unwrap(), out];
        check.extend(rules);
        let (code, stdout, err) = podsim(tmp.path(), &check);
        assert_eq!(code, expected, "{out}: {stdout}{err}");
        if expected == 3 {
            assert!(
                err.contains("fail-on latency_ms.scheduling.p99>10%: latency_ms.scheduling.p99 at point 0"),
                "{err}"
            );
            assert!(stdout.contains("note: A and B ran different scenario files"), "{stdout}");
        }
    }
}
