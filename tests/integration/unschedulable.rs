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
