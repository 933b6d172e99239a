//! `podsim capacity`: the answers it finds (the capacity scenario's, checked by hand
//! against every node count), its folder (resumed, shared by shards, a sweep's reused),
//! and its bad input (exit 2) and "no value meets the targets" (exit 3).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn podsim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_podsim")).args(args).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

fn scenario() -> String {
    root().join("scenarios/capacity-batch.yaml").display().to_string()
}

const VARY: &str = "nodes[worker].count=1..32";
const TARGET: &str = "latency_ms.scheduling.p99 == 0";

/// The answer for seeds 1 to 3, checked by hand against every count from 1 to 8: with 5
/// nodes seed 2 still has pods waiting (107 s at p99), with 6 none of the seeds has.
const ANSWER: i64 = 6;
/// The points the search runs for it: the bracket 1, 2, 4, 8, then 6 and 5 (by value).
const TRIED: [&str; 6] = ["1", "2", "4", "5", "6", "8"];
/// The largest count at which every seed has some pod waiting.
const MAXIMUM: i64 = 4;

fn capacity(out: &Path, extra: &[&str]) -> (i32, String, String) {
    let s = scenario();
    let mut args = vec![
        "capacity",
        s.as_str(),
        "--vary",
        VARY,
        "--target",
        TARGET,
        "--seeds",
        "1..3",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    podsim(&args)
}

#[test]
fn the_capacity_scenario_needs_its_known_node_count() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("c");
    let (code, stdout, stderr) = capacity(&out, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.starts_with(&format!("capacity-batch: nodes[worker].count={ANSWER} is the smallest value in 1..32")),
        "{stdout}"
    );
    // The search: 1, 2, 4, 8 bracket it, then bisection; far fewer points than 32.
    let csv = std::fs::read_to_string(out.join("capacity.csv")).unwrap();
    let values: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(values, TRIED, "{csv}");
    assert!(csv.starts_with("nodes[worker].count,runs,failed,passes,target,figure,op,value,n,mean,sd,ci95_low,ci95_high,min,max,judged,holds\n"));
    assert!(out.join("capacity.png").is_file() && out.join("capacity.svg").is_file());
    assert!(out.join("capacity.json").is_file());

    // Started again: every point is there, nothing runs, the same table.
    let (code, again, _) = capacity(&out, &[]);
    assert_eq!(code, 0);
    assert!(again.contains("(0 run now,"), "{again}");
    assert_eq!(std::fs::read_to_string(out.join("capacity.csv")).unwrap(), csv);

    // The largest count at which every seed leaves some pod waiting, from the other end,
    // on the runs already there.
    let s = scenario();
    let o = out.to_str().unwrap();
    let (code, stdout, stderr) = podsim(&[
        "capacity",
        &s,
        "--vary",
        VARY,
        "--target",
        "latency_ms.scheduling.p99 > 0",
        "--seeds",
        "1..3",
        "--out",
        o,
        "--maximize",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.starts_with(&format!("capacity-batch: nodes[worker].count={MAXIMUM} is the largest value in 1..32")),
        "{stdout}"
    );
    // Contradictory targets: no value meets both.
    let (code, _, stderr) = capacity(&out, &["--target", "latency_ms.scheduling.p99 > 0"]);
    assert_eq!(code, 3, "{stderr}");

    // A bound on the mean at 95% rather than every seed.
    let (code, stdout, stderr) = capacity(&out, &["--confidence", "0.95"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn shards_share_the_folder_and_agree() {
    let tmp = tempfile::tempdir().unwrap();
    let (whole, shared) = (tmp.path().join("whole"), tmp.path().join("shared"));
    let (code, stdout, stderr) = capacity(&whole, &["--duration", "1h"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let s = scenario();
    let shard = |i: &str| {
        Command::new(env!("CARGO_BIN_EXE_podsim"))
            .args(["capacity", &s, "--vary", VARY, "--target", TARGET, "--seeds", "1..3", "--duration", "1h"])
            .args(["--shard", i, "--out", shared.to_str().unwrap(), "-q"])
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (shard("0/2"), shard("1/2"));
    assert!(a.wait().unwrap().success() && b.wait().unwrap().success());
    let read = |d: &Path| std::fs::read_to_string(d.join("capacity.csv")).unwrap();
    assert_eq!(read(&shared), read(&whole));
    // Nothing to merge: merge says so.
    let merged = tmp.path().join("merged");
    let (code, _, stderr) = podsim(&["merge", shared.to_str().unwrap(), "--out", merged.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("share one --out, so there is nothing to merge"), "{stderr}");
}

#[test]
fn a_sweep_of_the_parameter_is_reused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s");
    let s = scenario();
    let o = out.to_str().unwrap();
    let (code, stdout, stderr) = podsim(&[
        "sweep",
        &s,
        "--set",
        "nodes[worker].count=2,4,8",
        "--seeds",
        "1..3",
        "--duration",
        "1h",
        "--keep",
        "summary",
        "--out",
        o,
        "-q",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, stdout, stderr) = capacity(&out, &["--duration", "1h"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains("3 point(s) already run there, reused"), "{stderr}");
}

#[test]
fn bad_input_exits_2_and_no_answer_exits_3() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario();
    let out = tmp.path().join("bad");
    let o = out.to_str().unwrap();
    for (args, want) in [
        (
            vec!["--vary", VARY, "--target", "latency_ms.schedulng.p99 == 0"],
            "no figure latency_ms.schedulng.p99; figures such as: latency_ms.scheduling.p99",
        ),
        (vec!["--vary", VARY, "--target", "latency_ms.scheduling.p99 =< 0"], "not a comparison"),
        (vec!["--vary", VARY, "--target", "latency_ms.scheduling.p99"], "no comparison"),
        (vec!["--vary", VARY, "--target", "jobs.completed >= 5m"], "not in milliseconds"),
        (vec!["--vary", "behaviors[0].runFor=1..5", "--target", TARGET], "not a number"),
        (vec!["--vary", "nodes[worker].count=a..5", "--target", TARGET], "not a whole number"),
        (vec!["--vary", "nodes[worker].count=5..1", "--target", TARGET], "is empty"),
        (vec!["--vary", "nodes[web].count=1..5", "--target", TARGET], "no entry named \"web\""),
        (vec!["--vary", "nodes[worker].count=-1..5", "--target", TARGET], "is not a valid scenario"),
        (vec!["--vary", VARY, "--target", TARGET, "--confidence", "2"], "--confidence"),
        (vec!["--vary", VARY, "--target", TARGET, "--confidence", "0.95", "--seeds", "1"], "two seeds or more"),
        (vec!["--vary", VARY, "--target", TARGET, "--shard", "2/2"], "out of range"),
    ] {
        let mut all = vec!["capacity", s.as_str(), "--out", o, "--duration", "30m"];
        all.extend(args.iter());
        let (code, stdout, stderr) = podsim(&all);
        assert_eq!(code, 2, "{all:?}\n{stdout}{stderr}");
        assert!(stderr.contains(want), "{all:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // No value in range passes: exit 3, with the best point found.
    let out = tmp.path().join("none");
    let o = out.to_str().unwrap();
    let (code, stdout, stderr) = podsim(&[
        "capacity",
        &s,
        "--vary",
        "nodes[worker].count=1..3",
        "--target",
        TARGET,
        "--seeds",
        "1..2",
        "--duration",
        "1h",
        "--out",
        o,
    ]);
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(stderr.contains("no value of nodes[worker].count in 1..3 meets every target"), "{stderr}");
    assert!(stderr.contains("the best point tried: nodes[worker].count=3, 0 of 1 target(s) held"), "{stderr}");
    // A folder holding another search is refused.
    let (code, _, stderr) = podsim(&[
        "capacity",
        &s,
        "--vary",
        "nodes[worker].count=1..3",
        "--target",
        TARGET,
        "--seeds",
        "1..2",
        "--duration",
        "2h",
        "--out",
        o,
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("holds another search"), "{stderr}");
}
