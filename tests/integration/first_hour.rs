//! A newcomer's first hour: a Job that never finishes says so, the summary reads as
//! durations, and `podsim get`/`describe` take kubectl's habits.

use crate::robustness::podsim;
use std::path::Path;

const NODES: &str = "nodes:\n  - name: worker\n    count: 2\n    capacity: {cpu: \"4\", memory: 16Gi, pods: 110}\n";

/// The documentation's `pi` Job and `hello` CronJob, with no behavior for them.
fn endless() -> String {
    format!(
        "name: endless\nduration: 10m\n{NODES}workloads:\n  - object: {{apiVersion: batch/v1, kind: Job, metadata: {{name: pi}}, spec: {{template: {{spec: {{restartPolicy: Never, containers: [{{name: pi, image: perl}}]}}}}}}}}\n  - object: {{apiVersion: batch/v1, kind: CronJob, metadata: {{name: hello}}, spec: {{schedule: \"*/2 * * * *\", jobTemplate: {{spec: {{template: {{spec: {{restartPolicy: OnFailure, containers: [{{name: hello, image: busybox}}, {{name: side, image: busybox}}]}}}}}}}}}}}}\n  - object: {{apiVersion: batch/v1, kind: Job, metadata: {{name: done}}, spec: {{template: {{spec: {{restartPolicy: Never, containers: [{{name: side, image: x}}]}}}}}}}}\nbehaviors:\n  - match: {{container: side}}\n    runFor: 30s\n"
    )
}

#[test]
fn jobs_whose_containers_never_exit_are_warned_about_once_each() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.yaml"), endless()).unwrap();
    let (code, stdout, stderr) = podsim(dir.path(), &["validate", "s.yaml"]);
    assert_eq!(code, 0, "{stderr}");
    let warnings: Vec<&str> = stdout.lines().filter(|l| l.contains("never exit")).collect();
    assert_eq!(warnings.len(), 2, "{stdout}");
    assert!(warnings[0].contains("Job default/pi: container(s) pi never exit, so the Job never completes"));
    assert!(warnings[0].contains("runFor"));
    assert!(warnings[1].contains("CronJob default/hello: container(s) hello never exit, so its Jobs never complete"));
    let (code, _, stderr) = podsim(dir.path(), &["run", "s.yaml", "--out", "R"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr.matches("never exit").count(), 2, "{stderr}");
}

#[test]
fn the_summary_prints_durations_and_none_for_what_was_not_measured() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.yaml"), endless()).unwrap();
    let (code, stdout, stderr) = podsim(dir.path(), &["run", "s.yaml", "--out", "R"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("scheduling latency p50/p90/p99/max: 0s/0s/0s/0s; startup: 0s/0s/0s/0s"), "{stdout}");
    // One Job completes (its container runs 30s, from 1s after it starts); the others never do.
    assert!(
        stdout.contains(
            "jobs: 6 created; 1 complete, 0 failed, 5 unfinished, 0 deleted; duration p50/p90/p99: 31s/31s/31s"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("start lateness p50/p99: 100ms/100ms"), "{stdout}");
    assert!(!stdout.contains(" ms"), "raw milliseconds: {stdout}");
    let none = format!(
        "name: none\nduration: 10m\n{NODES}workloads:\n  - object: {{apiVersion: batch/v1, kind: Job, metadata: {{name: pi}}, spec: {{template: {{spec: {{restartPolicy: Never, containers: [{{name: pi, image: perl}}]}}}}}}}}\n"
    );
    std::fs::write(dir.path().join("none.yaml"), none).unwrap();
    let (code, stdout, stderr) = podsim(dir.path(), &["run", "none.yaml", "--out", "N"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("duration p50/p90/p99: none"), "{stdout}");
}

/// A finished run of the CronJob example in `dir/R`.
fn cronjob_run(dir: &Path) {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/cronjob-forbid.yaml");
    let (code, _, stderr) = podsim(dir, &["run", scenario.to_str().unwrap(), "--out", "R", "-q"]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn get_and_describe_take_kubectls_habits() {
    let dir = tempfile::tempdir().unwrap();
    cronjob_run(dir.path());
    let run = |args: &[&str]| {
        let (code, stdout, stderr) = podsim(dir.path(), args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        stdout
    };
    // --at takes the instants describe prints, and agrees with the duration they stand for.
    let by_duration = run(&["get", "jobs", "R", "--at", "1h"]);
    assert_eq!(run(&["get", "jobs", "R", "--at", "Thu, 01 Jan 2026 01:00:00 +0000"]), by_duration);
    assert_eq!(run(&["get", "jobs", "R", "--at", "2026-01-01T01:00:00Z"]), by_duration);
    let (code, _, stderr) = podsim(dir.path(), &["get", "jobs", "R", "--at", "Wed, 31 Dec 2025 23:00:00 +0000"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("before the run's start"), "{stderr}");
    // --show-labels adds a LABELS column.
    let pods = run(&["get", "pods", "R", "--show-labels"]);
    assert!(pods.lines().next().unwrap().ends_with("LABELS"), "{pods}");
    assert!(pods.lines().nth(1).unwrap().contains("batch.kubernetes.io/job-name="), "{pods}");
    // --field-selector on status.phase and spec.nodeName.
    let running = run(&["get", "pods", "R", "--field-selector", "status.phase=Running", "-o", "name"]);
    let all = run(&["get", "pods", "R", "-o", "name"]);
    let other = run(&["get", "pods", "R", "--field-selector", "status.phase!=Running", "-o", "name"]);
    assert_eq!(running.lines().count() + other.lines().count(), all.lines().count());
    assert!(running.lines().count() > 0);
    let nodes: Vec<String> =
        run(&["get", "nodes", "R", "-o", "name"]).lines().map(|l| l.trim_start_matches("node/").to_string()).collect();
    let on_first = run(&["get", "pods", "R", "--field-selector", &format!("spec.nodeName={}", nodes[0]), "-o", "wide"]);
    assert!(on_first.lines().skip(1).all(|l| l.contains(&nodes[0])), "{on_first}");
    let (code, _, stderr) = podsim(dir.path(), &["get", "pods", "R", "--field-selector", "spec.image=x"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("field label not supported: spec.image"), "{stderr}");
    // --sort-by a JSONPath: creation time, newest last, as the list shows it.
    // Jobs are named after the minute they were scheduled for: creation order is that
    // order (ties keep the list's order, by name).
    let sorted = run(&["get", "jobs", "R", "--sort-by", "{.metadata.creationTimestamp}", "-o", "name"]);
    let by_name = run(&["get", "jobs", "R", "-o", "name"]);
    let mut expected: Vec<&str> = by_name.lines().collect();
    expected.sort_by_key(|n| n.rsplit('-').next().unwrap().parse::<u64>().unwrap());
    assert_eq!(sorted.lines().collect::<Vec<_>>(), expected);
    assert!(expected.len() > 2, "{by_name}");
    // Jobs deleted by a CronJob (history limits, and `Replace` of a running Job) count.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("R/summary.json")).unwrap()).unwrap();
    let events = std::fs::read_to_string(dir.path().join("R/events.csv")).unwrap();
    let deleted = events.lines().filter(|l| l.contains("Deleted job ")).count() as u64;
    assert!(events.contains("Deleted job sync-replace-"));
    assert_eq!(summary["jobs"]["deleted"].as_u64(), Some(deleted));
    // describe cronjob, as kubectl prints it.
    let described = run(&["describe", "cronjob", "sync-forbid", "R"]);
    for line in [
        "Name:                          sync-forbid",
        "Schedule:                      */10 * * * *",
        "Concurrency Policy:            Forbid",
        "Active Jobs:",
        "Pod Template:",
        "Events:",
    ] {
        assert!(described.contains(line), "{line:?} in:\n{described}");
    }
}

#[test]
fn usage_errors_name_the_missing_argument() {
    let dir = tempfile::tempdir().unwrap();
    for (args, says) in [
        (&["get", "pods"][..], "missing the run's output folder after \"pods\""),
        (&["describe"][..], "missing the resource type and the run's output folder"),
        (&["describe", "pods", "R", "--sort-by", ".metadata.name"][..], "describe has no --sort-by option"),
    ] {
        let (code, _, stderr) = podsim(dir.path(), args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(stderr.contains("usage: podsim") || says.contains("option"), "{stderr}");
    }
}

/// A scenario whose every object is of a kind podsim does not simulate would run empty:
/// the run and `validate` say so, naming the kinds; one simulated object silences it.
#[test]
fn a_run_with_nothing_to_simulate_is_a_warning_naming_the_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let skipped = format!(
        "name: nothing\n{NODES}workloads:\n  - object: {{apiVersion: v1, kind: ServiceAccount, metadata: {{name: c}}}}\n  - object: {{apiVersion: v1, kind: Namespace, metadata: {{name: team}}}}\n"
    );
    std::fs::write(dir.path().join("s.yaml"), &skipped).unwrap();
    let expected = "warning: nothing to simulate: every object of the workloads is of a kind podsim does not simulate (Namespace, ServiceAccount)";
    let (code, _, stderr) = podsim(dir.path(), &["run", "s.yaml", "--out", "R"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains(expected), "{stderr}");
    let (code, stdout, stderr) = podsim(dir.path(), &["validate", "s.yaml"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("nothing to simulate"), "{stdout}");
    let with_pod = format!(
        "{skipped}  - object: {{apiVersion: v1, kind: Pod, metadata: {{name: p}}, spec: {{containers: [{{name: c, image: i}}]}}}}\n"
    );
    std::fs::write(dir.path().join("s.yaml"), with_pod).unwrap();
    let (code, _, stderr) = podsim(dir.path(), &["run", "s.yaml", "--out", "R", "--duration", "1m"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("nothing to simulate"), "{stderr}");
}
