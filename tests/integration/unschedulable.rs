//! The summary says which pods never found a node, and why, in kube-scheduler's words.

use crate::common::{load_text, run};

#[test]
fn pods_left_unscheduled_are_counted_by_their_failed_scheduling_message() {
    let o = run(load_text(
        r#"
name: too-big
duration: 10m
nodes:
  - name: worker
    count: 2
    capacity: {cpu: "4", memory: 8Gi}
  - name: gpu
    capacity: {cpu: "64", memory: 8Gi}
    taints: [{key: dedicated, value: gpu, effect: NoSchedule}]
workloads:
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {name: big}
      spec:
        containers: [{name: c, image: busybox, resources: {requests: {cpu: "8"}}}]
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {name: small}
      spec:
        containers: [{name: c, image: busybox, resources: {requests: {cpu: "1"}}}]
"#,
    ));
    let summary: serde_json::Value = serde_json::from_str(&o.summary).unwrap();
    let failures = &summary["failures"];
    assert_eq!(failures["pods_ever_unschedulable"], 1);
    let expected = "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. \
                    preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, \
                    2 No preemption victims found for incoming pod.";
    assert_eq!(failures["unschedulable_at_end"][expected], 1, "{failures}");
    let events = o.event_rows("FailedScheduling");
    assert!(events[0].starts_with("0,Warning,FailedScheduling,Pod,default,big,,"), "{}", o.events);
    assert!(events.iter().all(|e| e.contains(expected)), "{}", o.events);
}

/// Preemption does not evict pods to satisfy pod anti-affinity (its dry run does not
/// re-run InterPodAffinity): the high-priority pod waits, no one is preempted.
#[test]
fn no_preemption_for_anti_affinity() {
    let o = run(load_text(
        r#"
name: anti-affinity-priority
duration: 5m
nodes:
  - name: worker
    capacity: {cpu: "4", memory: 8Gi}
workloads:
  - object: {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: high}, value: 1000}
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {name: low, labels: {app: x}}
      spec:
        containers: [{name: c, image: busybox}]
  - at: 1m
    object:
      apiVersion: v1
      kind: Pod
      metadata: {name: high}
      spec:
        priorityClassName: high
        affinity:
          podAntiAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
              - {labelSelector: {matchLabels: {app: x}}, topologyKey: kubernetes.io/hostname}
        containers: [{name: c, image: busybox}]
"#,
    ));
    assert!(o.event_rows("Preempted").is_empty(), "{}", o.events);
    let failed = o.event_rows("FailedScheduling,Pod,default,high");
    assert!(
        failed[0].ends_with(
            "0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules. \
             preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
        ),
        "{}",
        o.events
    );
}

/// Back in the activeQ, pods of one priority are taken by the time of their last failure,
/// not of their creation: `AddUnschedulableIfNotPresent` refreshes the queue timestamp
/// that `PrioritySort` orders by. `first` was created before `second` but failed again
/// later (when the end of `small-hog` let a higher-priority pod take the room it freed);
/// when `hog` ends, both fit its node and `second`, whose last failure is the older,
/// takes it.
#[test]
fn retried_pods_are_taken_by_their_last_failure() {
    let o = run(load_text(
        r#"
name: queue-timestamp
duration: 5m
nodes:
  - {name: big, capacity: {cpu: "4", memory: 8Gi}}
  - {name: small, capacity: {cpu: "2", memory: 8Gi}}
workloads:
  - object: {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: high}, value: 1000, preemptionPolicy: Never}
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {name: hog}
      spec:
        restartPolicy: Never
        nodeSelector: {kubernetes.io/hostname: big-0}
        containers: [{name: hog, image: busybox, resources: {requests: {cpu: "4"}}}]
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {name: small-hog}
      spec:
        restartPolicy: Never
        nodeSelector: {kubernetes.io/hostname: small-0}
        containers: [{name: small-hog, image: busybox, resources: {requests: {cpu: "2"}}}]
  - at: 1s
    object:
      apiVersion: v1
      kind: Pod
      metadata: {name: first}
      spec:
        containers: [{name: c, image: busybox, resources: {requests: {cpu: "2"}}}]
  - at: 2s
    object:
      apiVersion: v1
      kind: Pod
      metadata: {name: second}
      spec:
        containers: [{name: c, image: busybox, resources: {requests: {cpu: "4"}}}]
  - at: 3s
    object:
      apiVersion: v1
      kind: Pod
      metadata: {name: urgent}
      spec:
        priorityClassName: high
        containers: [{name: c, image: busybox, resources: {requests: {cpu: "2"}}}]
behaviors:
  - match: {container: small-hog}
    runFor: 20s
  - match: {container: hog}
    runFor: 100s
"#,
    ));
    let scheduled = o.event_rows(",Scheduled,");
    let on = |pod: &str| scheduled.iter().find(|r| r.contains(&format!("default/{pod} to"))).copied();
    assert!(on("urgent").is_some_and(|r| r.ends_with("to small-0")), "{}", o.events);
    assert!(on("second").is_some_and(|r| r.ends_with("to big-0")), "{}", o.events);
    assert!(on("first").is_none(), "{}", o.events);
}
