//! kube-scheduler's repeated FailedScheduling, as the events.k8s.io recorder writes it
//! (`k8s.io/client-go/tools/events/event_broadcaster.go`): the first failure, the
//! series' start (count 2), and one last row with the final count when the series ends.

use crate::common::{load_text, run};
use std::process::Command;

/// One node of 4 cores: `blocker` takes it for 17 minutes; `waiter` fails at 0, 5, 10 and
/// 15 minutes (the leftover flush), is bound at 17 minutes when the blocker ends, and
/// its series, last observed at 15 minutes, ends at the first 6-minute tick more than 6
/// minutes later (24 minutes).
const SCENARIO: &str = r#"
name: series
duration: 30m
nodes:
  - name: worker
    capacity: {cpu: "4", memory: 8Gi}
workloads:
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {name: blocker}
      spec:
        restartPolicy: Never
        containers: [{name: blocker, image: busybox, resources: {requests: {cpu: "4"}}}]
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {name: waiter}
      spec:
        restartPolicy: Never
        containers: [{name: waiter, image: busybox, resources: {requests: {cpu: "4"}}}]
behaviors:
  - match: {container: blocker}
    runFor: 17m
"#;

const MESSAGE: &str = "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: \
                       1 No preemption victims found for incoming pod.";

#[test]
fn a_repeated_failed_scheduling_is_three_rows_with_the_series_count() {
    let o = run(load_text(SCENARIO));
    let rows: Vec<&str> = o
        .event_rows(",Pod,default,waiter,")
        .into_iter()
        .filter(|r| r.contains(",FailedScheduling,") || r.contains(",Scheduled,"))
        .collect();
    let failed = |t: u64| format!("{t},Warning,FailedScheduling,Pod,default,waiter,,{MESSAGE}");
    let scheduled =
        "1020000,Normal,Scheduled,Pod,default,waiter,worker-0,Successfully assigned default/waiter to worker-0";
    assert_eq!(rows, [failed(0), failed(300_000), scheduled.to_string(), failed(1_440_000)], "{}", o.events);
    // The rows that write a series, by their index in events.csv.
    let index = |row: &str| o.events.lines().skip(1).position(|l| l == row).unwrap();
    let expected = format!(
        "event_index,count,first_ms,last_ms\n{},2,0,300000\n{},4,0,900000\n",
        index(&failed(300_000)),
        index(&failed(1_440_000))
    );
    assert_eq!(o.event_series, expected);
}

#[test]
fn get_events_and_describe_show_the_series_count() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("series.yaml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let out = tmp.path().join("out");
    assert!(crate::common::podsim_run(&scenario, &out));
    let view = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_podsim")).args(args).arg(&out).output().unwrap();
        String::from_utf8(o.stdout).unwrap()
    };
    // At 16 minutes the series has started (count 2 written at 5 minutes).
    let at16 = view(&["describe", "pod", "waiter", "--at", "16m"]);
    assert!(at16.contains("Warning  FailedScheduling  11m (x2 over 16m)  default-scheduler"), "{at16}");
    // At 25 minutes its last write says 4, last seen at 15 minutes.
    let at25 = view(&["get", "events", "-o", "wide", "--at", "25m"]);
    let line = at25.lines().find(|l| l.contains("FailedScheduling")).unwrap();
    assert!(line.starts_with("10m "), "{at25}");
    assert!(line.contains(" 25m ") && line.contains(" 4 "), "{at25}");
}
