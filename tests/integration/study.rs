//! Studies end to end, through the binary: `podsim sweep` (the same bytes on any number
//! of threads, resumed after an interruption, shards merged, the Kubernetes Job run as
//! the cluster would run it), `podsim compare`, and bad input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scenario(name: &str) -> String {
    root().join("scenarios").join(format!("{name}.yaml")).display().to_string()
}

/// Runs podsim in `cwd`: exit code, stdout, stderr.
fn podsim(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_podsim")).args(args).current_dir(cwd).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

fn ok(cwd: &Path, args: &[&str]) -> String {
    let (code, out, err) = podsim(cwd, args);
    assert_eq!(code, 0, "podsim {}\n{out}{err}", args.join(" "));
    out
}

/// Every file under `dir` (relative path -> bytes), but invocation.json (wall times).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else if p.file_name().unwrap() != "invocation.json" {
                out.insert(p.strip_prefix(base).unwrap().display().to_string(), std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn assert_same_study(a: &Path, b: &Path) {
    let (fa, fb) = (files(a), files(b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>(), "{} and {}", a.display(), b.display());
    for (name, bytes) in &fa {
        assert!(*bytes == fb[name], "{name} differs between {} and {}", a.display(), b.display());
    }
}

fn temporaries(dir: &Path) -> Vec<String> {
    files(dir).into_keys().filter(|f| f.rsplit('/').next().unwrap().ends_with(".tmp")).collect()
}

/// Twenty pods on ten nodes, 20 minutes: a few hundred events a run.
const PACKING: [&str; 6] = ["--set", "nodes[node].count=5,10", "--seeds", "1..3", "--duration", "15m"];

fn sweep_args<'a>(out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["sweep"];
    args.extend(PACKING);
    args.extend(["--out", out, "-q"]);
    args.extend(extra);
    args
}

#[test]
fn a_sweep_writes_the_same_bytes_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let least = scenario("bin-packing-least");
    for (out, threads) in [("one", "1"), ("two", "2")] {
        let mut args = vec!["sweep", least.as_str()];
        args.extend(&sweep_args(out, &["--threads", threads])[1..]);
        ok(dir.path(), &args);
    }
    let one = dir.path().join("one");
    assert_same_study(&one, &dir.path().join("two"));
    // 2 points x 3 seeds, each run a full output folder.
    let sweep = std::fs::read_to_string(one.join("sweep.csv")).unwrap();
    let rows: Vec<&str> = sweep.lines().collect();
    assert_eq!(rows.len(), 7, "{sweep}");
    assert!(
        rows[0].starts_with("run,point,nodes[node].count,seed,status,error,simulated_duration_ms,events_processed,"),
        "{}",
        rows[0]
    );
    assert!(rows[0].contains(",nodes.with_pods_at_end,") && rows[0].contains(",latency_ms.scheduling.p99,"));
    assert!(rows[4].starts_with("3,1,10,1,ok,,"), "{}", rows[4]);
    for f in ["transitions.csv", "objects.jsonl", "summary.json"] {
        assert!(one.join("runs/point-1/seed-3").join(f).is_file(), "{f}");
    }
    let summary = std::fs::read_to_string(one.join("runs/point-1/seed-3/summary.json")).unwrap();
    assert!(summary.contains("\"parameters\": {\n    \"nodes[node].count\": \"10\"\n  },"), "{summary}");
    assert!(summary.contains("\"scenario_digest\": \""), "{summary}");
    let points = std::fs::read_to_string(one.join("points.csv")).unwrap();
    assert!(points.starts_with("point,nodes[node].count,runs,failed,figure,n,mean,sd,ci95_low,ci95_high\n"));
    assert!(points.contains("\n1,10,3,0,pods.created,3,20,0,20,20\n"), "{points}");
    let invocation = std::fs::read_to_string(one.join("invocation.json")).unwrap();
    assert!(invocation.contains("\"threads\": 1") && invocation.contains("\"command_line\""), "{invocation}");
}

#[test]
fn a_sweep_started_again_runs_only_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let least = scenario("bin-packing-least");
    let mut args = vec!["sweep", least.as_str()];
    args.extend(&sweep_args("whole", &["--keep", "summary"])[1..]);
    ok(dir.path(), &args);
    let whole = dir.path().join("whole");
    // A study killed outright after two runs: the others' folders are gone, one run
    // left temporaries behind.
    let again = dir.path().join("again");
    copy_dir(&whole, &again);
    for run in ["point-0/seed-3", "point-1/seed-1", "point-1/seed-2", "point-1/seed-3"] {
        std::fs::remove_dir_all(again.join("runs").join(run)).unwrap();
    }
    std::fs::remove_file(again.join("sweep.csv")).unwrap();
    std::fs::create_dir_all(again.join("runs/point-1/seed-1")).unwrap();
    std::fs::write(again.join("runs/point-1/seed-1/.summary.json.tmp"), "{\"half").unwrap();
    let mut args = vec!["sweep", least.as_str()];
    args.extend(&sweep_args("again", &["--keep", "summary"])[1..]);
    let (code, _, _) = podsim(dir.path(), &args);
    assert_eq!(code, 0);
    assert_same_study(&whole, &again);
    let invocation = std::fs::read_to_string(again.join("invocation.json")).unwrap();
    assert!(invocation.contains("\"done_before\": 2") && invocation.contains("\"run_now\": 4"), "{invocation}");
    // Started once more, it has nothing to run and writes the same tables.
    ok(dir.path(), &args);
    assert_same_study(&whole, &again);
}

#[test]
fn an_interrupted_sweep_leaves_whole_runs_and_finishes_when_started_again() {
    let dir = tempfile::tempdir().unwrap();
    let stream = scenario("job-stream");
    let args = ["sweep", stream.as_str(), "--seeds", "1..40", "--duration", "3h", "--threads", "1", "--out", "S"];
    let mut child = Command::new(env!("CARGO_BIN_EXE_podsim"))
        .args(args)
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let runs = dir.path().join("S/runs/point-0");
    let finished = || (1..=40).filter(|s| runs.join(format!("seed-{s}/summary.json")).exists()).count();
    while finished() < 2 {
        assert!(started.elapsed() < Duration::from_secs(120), "no run finished");
        std::thread::sleep(Duration::from_millis(20));
    }
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    assert_eq!(child.wait().unwrap().code(), Some(130));
    let out = dir.path().join("S");
    assert_eq!(temporaries(&out), Vec::<String>::new());
    assert!(!out.join("sweep.csv").exists(), "the tables come when every run has ended");
    let done = finished();
    assert!((2..40).contains(&done), "{done} runs done");
    // Every run folder there is whole.
    for s in 1..=40 {
        let d = runs.join(format!("seed-{s}"));
        if d.exists() {
            assert!(d.join("summary.json").exists(), "seed {s}: a run folder without its summary");
        }
    }
    let (code, _, err) = podsim(dir.path(), &args);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(&format!("{done} of 40 runs already done")), "{err}");
    ok(dir.path(), &["sweep", stream.as_str(), "--seeds", "1..40", "--duration", "3h", "--out", "W", "-q"]);
    assert_same_study(&dir.path().join("W"), &out);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

#[test]
fn shards_merge_into_the_study_run_whole() {
    let dir = tempfile::tempdir().unwrap();
    let least = scenario("bin-packing-least");
    let mut whole = vec!["sweep", least.as_str()];
    whole.extend(&sweep_args("whole", &["--keep", "trace"])[1..]);
    ok(dir.path(), &whole);
    let shards = ["0/4", "1/4", "2/4", "3/4"];
    let names = ["s0", "s1", "s2", "s3"];
    for (shard, name) in shards.iter().zip(names) {
        let mut args = vec!["sweep", least.as_str()];
        args.extend(&sweep_args(name, &["--keep", "trace", "--shard", shard])[1..]);
        ok(dir.path(), &args);
    }
    let s1 = std::fs::read_to_string(dir.path().join("s1/sweep.csv")).unwrap();
    assert_eq!(s1.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect::<Vec<_>>(), ["1", "5"]);
    // A shard missing: said, and nothing merged.
    let (code, _, err) = podsim(dir.path(), &["merge", "s0", "s1", "s3", "--out", "M"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("1 of the study's 6 runs is in none of the folders given (run 2): shard 2/4 is missing"),
        "{err}"
    );
    ok(dir.path(), &["merge", "s0", "s1", "s2", "s3", "--out", "merged", "-q"]);
    assert_same_study(&dir.path().join("whole"), &dir.path().join("merged"));
    // Shards of another study do not merge.
    let mut other =
        vec!["sweep", least.as_str(), "--seeds", "1..3", "--duration", "15m", "--out", "x", "--shard", "0/4"];
    other.extend(["-q", "--set", "nodes[node].count=5,11", "--keep", "trace"]);
    ok(dir.path(), &other);
    let (code, _, err) = podsim(dir.path(), &["merge", "s1", "x", "--out", "M"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "x: not a shard of the study in s1: parameters: nodes[node].count=5,10 against nodes[node].count=5,11"
        ),
        "{err}"
    );
}

/// The Job `--emit-k8s-job` writes, run as Kubernetes would: each completion index a
/// pod with `$(JOB_COMPLETION_INDEX)` expanded, the ConfigMap's items as files under
/// /study, the claim as /results; then the merge Job. The merged study is the study run
/// here in one piece, and `podsim validate` accepts the manifest.
#[test]
fn the_kubernetes_job_runs_the_study_in_shards() {
    let dir = tempfile::tempdir().unwrap();
    let stream = scenario("job-stream");
    let study = ["--seeds", "1..5", "--duration", "1h", "--set", "nodes[worker].count=3,4", "--keep", "summary"];
    let mut emit = vec!["sweep", stream.as_str()];
    emit.extend(study);
    emit.extend(["--emit-k8s-job", "--shards", "3", "--out", "k8s"]);
    let out = ok(dir.path(), &emit);
    assert!(out.contains("10 runs in 3 shards"), "{out}");
    let manifest = dir.path().join("k8s/study.yaml");
    ok(dir.path(), &["validate", manifest.to_str().unwrap()]);
    let text = std::fs::read_to_string(&manifest).unwrap();
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&text).unwrap();
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ConfigMap", "PersistentVolumeClaim", "Job", "Job"]);
    let (config, shards, merge) = (&docs[0], &docs[2], &docs[3]);
    assert_eq!(shards["spec"]["completionMode"], "Indexed");
    let completions = shards["spec"]["completions"].as_u64().unwrap();
    assert_eq!(completions, 3);

    // The volumes: the ConfigMap's items under /study, the claim under /results.
    let input = dir.path().join("study");
    let pod = &shards["spec"]["template"]["spec"];
    for item in pod["volumes"][0]["configMap"]["items"].as_array().unwrap() {
        let path = input.join(item["path"].as_str().unwrap());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, config["data"][item["key"].as_str().unwrap()].as_str().unwrap()).unwrap();
    }
    let results = dir.path().join("results");
    std::fs::create_dir_all(&results).unwrap();
    let mount = |arg: &str| match (arg.strip_prefix("/study"), arg.strip_prefix("/results")) {
        (Some(rest), _) => format!("{}{rest}", input.display()),
        (_, Some(rest)) => format!("{}{rest}", results.display()),
        _ => arg.to_string(),
    };
    let container = |spec: &serde_json::Value| -> Vec<String> {
        let c = &spec["containers"][0];
        assert_eq!(c["command"][0], "podsim");
        c["args"].as_array().unwrap().iter().map(|a| mount(a.as_str().unwrap())).collect()
    };
    for index in 0..completions {
        let args: Vec<String> =
            container(pod).iter().map(|a| a.replace("$(JOB_COMPLETION_INDEX)", &index.to_string())).collect();
        let (code, out, err) = podsim(dir.path(), &args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(code, 0, "index {index}: {args:?}\n{out}{err}");
    }
    let args = container(&merge["spec"]["template"]["spec"]);
    ok(dir.path(), &args.iter().map(String::as_str).collect::<Vec<_>>());

    let mut here = vec!["sweep", stream.as_str()];
    here.extend(study);
    here.extend(["--out", "here", "-q"]);
    ok(dir.path(), &here);
    assert_same_study(&dir.path().join("here"), &results.join("study"));

    // podsim simulates the Job that runs its own study: three shard pods, then the merge.
    // The claim names no class: the cluster's default (a shared-filesystem driver, as the
    // ReadWriteMany claim needs) provisions it.
    std::fs::write(
        dir.path().join("cluster.yaml"),
        "name: study-job\nduration: 1h\nnodes:\n  - {name: worker, count: 2, capacity: {cpu: \"4\", memory: 16Gi, pods: 110}}\n\
         workloads:\n  - object: {apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: efs, annotations: \
         {storageclass.kubernetes.io/is-default-class: \"true\"}}, provisioner: efs.csi.aws.com}\n  \
         - manifest: k8s/study.yaml\nbehaviors:\n  - {match: {container: podsim}, runFor: 10m}\n  \
         - {match: {container: merge}, runFor: 1m}\n",
    )
    .unwrap();
    ok(dir.path(), &["run", "cluster.yaml", "--out", "cluster", "-q", "--check-invariants"]);
    let transitions = std::fs::read_to_string(dir.path().join("cluster/transitions.csv")).unwrap();
    let complete: Vec<&str> = transitions.lines().filter(|l| l.contains(",Job,") && l.contains(",Complete,")).collect();
    assert_eq!(complete.len(), 2, "both Jobs complete:\n{transitions}");
}

#[test]
fn compare_two_runs() {
    let dir = tempfile::tempdir().unwrap();
    let quick = scenario("bin-packing-least");
    for (out, seed) in [("a", "1"), ("b", "1"), ("c", "2")] {
        ok(dir.path(), &["run", quick.as_str(), "--seed", seed, "--out", out, "-q"]);
    }
    let same = ok(dir.path(), &["compare", "a", "b"]);
    assert!(same.starts_with("identical: a and b have the same trace"), "{same}");
    let out = ok(dir.path(), &["compare", "a", "c"]);
    assert!(out.contains("  figure ") && out.contains("B - A"), "{out}");
    assert!(out.contains("The traces part at transitions.csv line "), "{out}");
    ok(dir.path(), &["run", quick.as_str(), "--set", "nodes[node].count=2", "--out", "d", "-q"]);
    let (code, out, err) = podsim(dir.path(), &["compare", "a", "d", "--fail-on", "pods.never_scheduled>0"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(err.contains("fail-on pods.never_scheduled>0: pods.never_scheduled went from 0 to "), "{err}");
    assert!(out.contains("nodes[node].count=2"), "{out}");
    let (code, _, err) = podsim(dir.path(), &["compare", "a", "d", "--fail-on", "pods.never_schedule>0"]);
    assert_eq!(code, 2);
    assert!(err.contains("no figure pods.never_schedule in either summary; figures such as:"), "{err}");
}

#[test]
fn compare_two_studies_with_statistics() {
    let dir = tempfile::tempdir().unwrap();
    for (name, out) in [("bin-packing-least", "least"), ("bin-packing-most", "most")] {
        ok(dir.path(), &["sweep", &scenario(name), "--seeds", "1..4", "--keep", "summary", "--out", out, "-q"]);
    }
    let out = ok(dir.path(), &["compare", "least", "most"]);
    assert!(out.contains("note: A and B ran different scenario files"), "{out}");
    let line = out.lines().find(|l| l.trim_start().starts_with("nodes.with_pods_at_end ")).unwrap();
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(cells[1..5], ["10", "3", "-7", "-7"], "{line}");
    assert!(line.ends_with("<0.0001 *"), "{line}");
    // Packing worse is fewer nodes used: the rule that fails says so with `<`.
    let (code, _, err) = podsim(dir.path(), &["compare", "least", "most", "--fail-on", "nodes.with_pods_at_end<2"]);
    assert_eq!(code, 3);
    assert!(
        err.contains("nodes.with_pods_at_end at point 0 (the scenario as written): mean 10 in A, 3 in B, -7"),
        "{err}"
    );
    ok(dir.path(), &["compare", "least", "most", "--fail-on", "nodes.with_pods_at_end>0"]);
    let csv = ok(dir.path(), &["compare", "least", "most", "--csv", "--changed"]);
    assert!(csv.starts_with("point,figure,a_n,a_mean,a_sd,b_n,b_mean,b_sd,difference,ci95_low,ci95_high,p_value\n"));
    assert!(csv.contains("\n0,nodes.with_pods_at_end,4,10,0,4,3,0,-7,-7,-7,0.000000\n"), "{csv}");
    let same = ok(dir.path(), &["compare", "least", "least", "--changed"]);
    assert!(same.contains("no figure differs"), "{same}");
}

#[test]
fn folders_that_are_not_comparable_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let least = scenario("bin-packing-least");
    ok(dir.path(), &["run", least.as_str(), "--out", "run", "-q"]);
    ok(dir.path(), &["sweep", least.as_str(), "--keep", "summary", "--out", "plain", "-q"]);
    ok(
        dir.path(),
        &["sweep", least.as_str(), "--set", "nodes[node].count=4", "--keep", "summary", "--out", "four", "-q"],
    );
    ok(
        dir.path(),
        &["sweep", least.as_str(), "--set", "nodes[node].count=5", "--keep", "summary", "--out", "five", "-q"],
    );
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    for (a, b, want) in [
        ("run", "plain", "not comparable: one is a run's folder (summary.json), the other a study's (sweep.json)"),
        ("plain", "four", "not comparable: A varies no parameter, B varies nodes[node].count"),
        ("four", "five", "their points differ:\n  only in A: nodes[node].count=4\n  only in B: nodes[node].count=5"),
        ("run", "empty", "empty: neither a run's output folder (no summary.json) nor a study's (no sweep.json)"),
    ] {
        let (code, _, err) = podsim(dir.path(), &["compare", a, b]);
        assert_eq!(code, 2, "{a} {b}: {err}");
        assert!(err.contains(want), "{a} {b}: {err}");
    }
}

#[test]
fn bad_studies_exit_2_and_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let least = scenario("bin-packing-least");
    let l = least.as_str();
    for (args, want) in [
        (
            vec!["--set", "nodes[nodes].count=1,2"],
            "--set nodes[nodes].count: nodes has no entry named \"nodes\" (names: node)",
        ),
        (vec!["--set", "nodes[node].count"], "expected PATH=VALUE[,VALUE...]"),
        (vec!["--set", "seed=1,2"], "\"seed\" cannot be a parameter: the seeds are given with --seeds"),
        (vec!["--set", "nodes[node].count=a,b"], "no point of the study is a valid scenario:"),
        (vec!["--set", "nodes[node].cont=1"], "unknown field `cont`"),
        (vec!["--seeds", "3..1"], "--seeds \"3..1\": 3..1 is empty"),
        (vec!["--shard", "4/4"], "--shard \"4/4\": shard 4 is out of range: shards are numbered from 0 to 3"),
        (vec!["--shard", "1/0"], "the number of shards must be 1 or more"),
        (vec!["--keep", "some"], "--keep \"some\": expected all, trace or summary"),
        (vec!["--duration", "0s"], "--duration: must be longer than 0s"),
        (vec!["--emit-k8s-job", "--shards", "5"], "--shards 5: the study has 1 runs; give 1 to 1 shards"),
    ] {
        let mut all = vec!["sweep", l, "--out", "bad", "-q"];
        all.extend(args.iter());
        let (code, out, err) = podsim(dir.path(), &all);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert!(!dir.path().join("bad/sweep.csv").exists());

    // A bad value at one point: its runs are rows with the error, the others ran.
    let (code, _, err) = podsim(dir.path(), &["sweep", l, "--set", "nodes[node].count=3,many", "--out", "half", "-q"]);
    assert_eq!(code, 2);
    assert!(err.contains("1 run(s) of 1 point(s) not run: their scenario is not valid"), "{err}");
    assert!(err.contains("point 1 (nodes[node].count=many): "), "{err}");
    assert!(err.contains("bin-packing-least.yaml with nodes[node].count=many: nodes[0].count: invalid"), "{err}");
    let sweep = std::fs::read_to_string(dir.path().join("half/sweep.csv")).unwrap();
    let rows: Vec<&str> = sweep.lines().collect();
    assert!(rows[1].starts_with("0,0,3,1,ok,,"), "{sweep}");
    assert!(rows[2].starts_with("1,1,many,1,invalid,"), "{sweep}");

    // A folder that holds another study is not overwritten.
    let (code, _, err) = podsim(dir.path(), &["sweep", l, "--seeds", "1..2", "--out", "half", "-q"]);
    assert_eq!(code, 2);
    assert!(err.contains("half: holds another study; choose another --out"), "{err}");
    assert!(err.contains("seeds: 1 against 1..2"), "{err}");

    // A run's folder is not a study's.
    ok(dir.path(), &["run", l, "--out", "one-run", "-q"]);
    let (code, _, err) = podsim(dir.path(), &["sweep", l, "--out", "one-run", "-q"]);
    assert_eq!(code, 2);
    assert!(err.contains("one-run: holds a run's output (summary.json), not a study"), "{err}");

    // A merge that waits for a shard that never comes gives up when told to.
    let (code, _, err) = podsim(dir.path(), &["merge", "half", "nowhere", "--out", "m", "--wait", "--timeout", "1s"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("gave up waiting after 1s: 1 folder(s) have no finished shard: nowhere"), "{err}");

    // podsim run --set takes one value.
    let (code, _, err) = podsim(dir.path(), &["run", l, "--set", "nodes[node].count=1,2", "--out", "r"]);
    assert_eq!(code, 2);
    assert!(err.contains("podsim run takes one value per parameter"), "{err}");
}

#[test]
fn a_sweep_file_is_a_study_written_down() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("study.yaml"),
        format!(
            "scenario: {}\nseeds: 1..2\nduration: 15m\nkeep: summary\nparameters:\n  - path: nodes[node].count\n    values: [5, 10]\n",
            scenario("bin-packing-least")
        ),
    )
    .unwrap();
    ok(dir.path(), &["sweep", "study.yaml", "--out", "file", "-q"]);
    let least = scenario("bin-packing-least");
    let args = ["sweep", least.as_str(), "--set", "nodes[node].count=5,10", "--seeds", "1..2", "--duration", "15m"];
    let mut args = args.to_vec();
    args.extend(["--keep", "summary", "--out", "flags", "-q"]);
    ok(dir.path(), &args);
    assert_same_study(&dir.path().join("file"), &dir.path().join("flags"));
}

/// A point's scenario is the file read as YAML, the values set, and the result loaded
/// as JSON: every example scenario, set to a value it already has, must load exactly as
/// the file does (no YAML scalar read differently on the way).
#[test]
fn a_scenario_through_a_parameter_is_the_scenario() {
    use podsim::study::param::Parameter;
    use podsim::study::point::Base;
    let dir = root().join("scenarios");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    names.sort();
    assert!(names.len() >= 10);
    for path in names {
        let text = std::fs::read_to_string(&path).unwrap();
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).map_err(|e| e.to_string());
        let shown = path.display().to_string();
        let plain = podsim::scenario::load(&shown, &text, &read).unwrap();
        let base = Base::new(&shown, &text, plain.digest.clone()).unwrap();
        let same = Parameter::parse(&format!("name={}", plain.name)).unwrap();
        let mut through = base.scenario(&[(&same.path, &same.values[0])], &read).unwrap();
        assert_eq!(through.parameters, [("name".to_string(), plain.name.clone())]);
        through.parameters.clear();
        assert_eq!(format!("{through:?}"), format!("{plain:?}"), "{shown}");
    }
}

/// A run that panics is a failed run with the panic's message, not the end of a study.
#[test]
fn a_run_that_panics_is_a_failed_run() {
    use podsim::study::run::{RunError, simulate};
    struct Broken;
    impl podsim::trace::TraceSink for Broken {
        fn transition(&mut self, _: &podsim::trace::Transition) {
            panic!("the sink broke");
        }
        fn event(&mut self, _: &podsim::trace::EventRecord) {}
        fn metrics(&mut self, _: &podsim::trace::MetricsRow) {}
    }
    let scenario = crate::common::load_scenario("bin-packing-least");
    let result = simulate(std::sync::Arc::new(scenario.clone()), Box::new(Broken), false, &|| false);
    match result {
        Err(RunError::Failed(m)) => assert_eq!(m, "internal error: the sink broke"),
        other => panic!("{other:?}"),
    }
    let stopped = simulate(std::sync::Arc::new(scenario), Box::new(podsim::trace::NullSink), false, &|| true);
    assert!(matches!(stopped, Err(RunError::Stopped)), "{stopped:?}");
}
