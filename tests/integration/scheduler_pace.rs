//! `scheduler.cycleDuration`: scheduling cycles that take simulated time. The scheduler
//! takes one pod per cycle, so the pods the queue holds wait their turn, and a failed
//! attempt holds it as long as a successful one.

use crate::common::*;

/// `count` one-core pods, all created at the start, on one node of 64 cores.
fn pods_at_once(cycle: &str, count: usize, first: &str) -> Outcome {
    let mut text = format!(
        "name: pace\nduration: 1m\nnodes:\n  - {{name: n, capacity: {{cpu: \"64\", memory: 64Gi, pods: 110}}}}\n\
         scheduler:\n  cycleDuration: {cycle}\nworkloads:\n"
    );
    let pod = |name: &str, cpu: &str| {
        format!(
            "  - object:\n      apiVersion: v1\n      kind: Pod\n      metadata: {{name: {name}}}\n      spec:\n        \
             containers: [{{name: c, image: busybox, resources: {{requests: {{cpu: \"{cpu}\"}}}}}}]\n"
        )
    };
    if !first.is_empty() {
        text.push_str(&pod(first, "100"));
    }
    for i in 0..count {
        text.push_str(&pod(&format!("p{i}"), "1"));
    }
    run(load_text(&text))
}

/// When each pod's `Scheduled` event was written, in order.
fn scheduled_at(o: &Outcome) -> Vec<u64> {
    times(&o.event_rows(",Scheduled,Pod,"))
}

#[test]
fn cycles_of_100ms_place_the_pods_one_after_the_other() {
    let o = pods_at_once("100ms", 5, "");
    assert_eq!(scheduled_at(&o), [0, 100, 200, 300, 400], "{}", o.events);
    let names: Vec<&str> = o.event_rows(",Scheduled,Pod,").iter().map(|r| r.split(',').nth(5).unwrap()).collect();
    assert_eq!(names, ["p0", "p1", "p2", "p3", "p4"]);
    // Five cycles of 100 ms in a minute.
    let summary: serde_json::Value = serde_json::from_str(&o.summary).unwrap();
    let scheduler = &summary["scheduler"];
    assert_eq!(scheduler["attempts"], serde_json::json!({"scheduled": 5, "unschedulable": 0, "error": 0}));
    assert_eq!(scheduler["busy_fraction"], 0.008, "{scheduler}");
}

/// Cycles shorter than the simulation's millisecond: four of 250 µs fit in one; cycles
/// of 1.5 ms keep their pace, each run in the millisecond it starts in (0, 1.5, 3,
/// 4.5, 6 ms).
#[test]
fn cycles_finer_than_a_millisecond_keep_their_pace() {
    assert_eq!(scheduled_at(&pods_at_once("250us", 6, "")), [0, 0, 0, 0, 1, 1]);
    assert_eq!(scheduled_at(&pods_at_once("1.5ms", 5, "")), [0, 2, 3, 5, 6]);
    assert_eq!(scheduled_at(&pods_at_once("0s", 3, "")), [0, 0, 0]);
}

/// A pod that fits nowhere holds the scheduler for its cycle too: the next pod is
/// placed a cycle later.
#[test]
fn a_failed_attempt_takes_a_cycle() {
    let o = pods_at_once("1s", 2, "huge");
    let failed = o.event_rows(",FailedScheduling,Pod,default,huge,");
    assert!(failed[0].starts_with("0,"), "{}", o.events);
    assert_eq!(scheduled_at(&o), [1_000, 2_000], "{}", o.events);
    let summary: serde_json::Value = serde_json::from_str(&o.summary).unwrap();
    assert_eq!(summary["scheduler"]["attempts"], serde_json::json!({"scheduled": 2, "unschedulable": 1, "error": 0}));
    assert_eq!(summary["scheduler"]["busy_fraction"], 0.05, "3 cycles of 1 s in a minute");
}

/// `hog` holds the node until it ends at 5 s; `late` arrives at 4.5 s, fails, and would
/// wait out its 1 s back-off until 5.5 s. Since 1.33 (`SchedulerPopFromBackoffQ`) a
/// scheduler with nothing in its activeQ pops the backoffQ: `late` is tried the moment
/// the end of `hog` sends it there, and placed then; Kubernetes 1.32 waits for the
/// back-off to end.
fn pops_from_backoff(version: &str) -> Outcome {
    run(load_text(&format!(
        r#"
name: pop-from-backoff
duration: 1m
kubernetes: {{version: "{version}"}}
scheduler: {{cycleDuration: 1ms}}
nodes:
  - {{name: n, capacity: {{cpu: "4", memory: 8Gi}}}}
workloads:
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {{name: hog}}
      spec:
        restartPolicy: Never
        containers: [{{name: hog, image: busybox, resources: {{requests: {{cpu: "4"}}}}}}]
  - at: 4500ms
    object:
      apiVersion: v1
      kind: Pod
      metadata: {{name: late}}
      spec:
        containers: [{{name: c, image: busybox, resources: {{requests: {{cpu: "4"}}}}}}]
behaviors:
  - match: {{container: hog}}
    runFor: 5s
"#
    )))
}

#[test]
fn an_idle_scheduler_pops_the_backoff_queue_since_1_33() {
    let ended = |o: &Outcome| {
        times(&o.rows("default,hog,").iter().filter(|r| r.contains("Succeeded")).copied().collect::<Vec<_>>())
    };
    let placed = |o: &Outcome| times(&o.event_rows(",Scheduled,Pod,default,late,"));
    let new = pops_from_backoff("1.34");
    let end = ended(&new)[0];
    assert!(end < 5_500, "{}", new.transitions);
    assert_eq!(placed(&new), [end], "{}", new.events);
    let old = pops_from_backoff("1.32");
    assert_eq!(ended(&old), [end]);
    assert_eq!(placed(&old), [5_500], "{}", old.events);
}
