//! Pods and nodes that go away: pods bound to a node whose kubelet is down, and runs
//! whose only remaining activity is random node failures, and a zone outage.

use crate::common::{load_scenario, load_text, run, times};

const CLUSTER: &str = r#"
name: bound-while-down
seed: 3
nodes:
  - name: worker
    count: 2
    capacity: {cpu: "4", memory: 8Gi, pods: 110}
"#;

/// A pod that arrives at 10 s for worker-0.
const LATE_POD: &str = r#"workloads:
  - at: 10s
    object:
      apiVersion: v1
      kind: Pod
      metadata: {name: late}
      spec:
        restartPolicy: Never
        nodeSelector: {kubernetes.io/hostname: worker-0}
        containers: [{name: c, image: busybox}]
"#;

/// A pod bound in the 40 s before the node is marked Unknown (the scheduler does not
/// know yet) is seen by the kubelet only when it comes back: then it starts and runs.
#[test]
fn a_pod_bound_to_a_crashed_node_runs_when_the_kubelet_returns() {
    let text = format!(
        "{CLUSTER}{LATE_POD}behaviors:
  - match: {{container: c}}
    runFor: 1m
faults:
  - {{at: 5s, node: worker-0, action: crash, for: 2m}}
"
    );
    let o = run(load_text(&text));
    assert_eq!(o.event_rows("Scheduled").len(), 1, "{}", o.events);
    let pod: Vec<&str> = o.rows("Pod,default,late,");
    assert_eq!(
        pod,
        vec![
            "10000,Pod,default,late,,Pending,,",
            "125000,Pod,default,late,Pending,Running,,worker-0",
            "185000,Pod,default,late,Running,Succeeded,,worker-0"
        ],
        "{}",
        o.transitions
    );
}

/// Evicted while its node is away, such a pod stays Terminating: the API server waits
/// for the kubelet, which on its return reports the never-started container as
/// ContainerStatusUnknown and the pod Failed, and the object goes.
#[test]
fn a_pod_evicted_from_a_crashed_node_fails_when_the_kubelet_returns() {
    let text = format!(
        "{CLUSTER}{LATE_POD}faults:
  - {{at: 5s, node: worker-0, action: crash, for: 20m}}
"
    );
    let o = run(load_text(&text));
    assert_eq!(o.event_rows("TaintManagerEviction,Pod,default,late").len(), 1, "{}", o.events);
    let back = 1_205_000;
    assert_eq!(
        o.rows("default,late"),
        vec![
            "10000,Pod,default,late,,Pending,,",
            &format!("{back},Container,default,late/c,,Terminated,ContainerStatusUnknown,worker-0"),
            &format!("{back},Pod,default,late,Pending,Failed,,worker-0"),
        ],
        "{}",
        o.transitions
    );
    assert!(o.summary.contains("\"deleted\": 1"), "{}", o.summary);
}

/// Without a duration, a run ends once the workload is done even though random failures
/// would go on for ever.
#[test]
fn random_failures_do_not_keep_a_finished_run_going() {
    let text = format!(
        "{CLUSTER}
workloads:
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {{name: short}}
      spec:
        restartPolicy: Never
        containers: [{{name: c, image: busybox}}]
behaviors:
  - match: {{container: c}}
    runFor: 10m
faults:
  - random: {{nodes: \"*\", timeBetween: {{exponential: {{mean: 1h}}}}, repairTime: {{constant: 5m}}}}
"
    );
    let o = run(load_text(&text));
    let summary: serde_json::Value = serde_json::from_str(&o.summary).unwrap();
    let end = summary["simulated_duration_ms"].as_u64().unwrap();
    assert!(end < 86_400_000, "ran for {end} ms");
    let last = *o.rows("Pod,default,short,").last().unwrap();
    assert!(last.contains(",Succeeded,") || last.contains(",Failed,"), "{}", o.transitions);
}

/// zone-outage.yaml: a zone fully down still evicts at the normal rate (one node every
/// 10 s: `enterFullDisruptionFunc` is `HealthyQPSFunc` while another zone is up); the
/// default spreading's replicas are replaced in the other zones at once, the hard
/// spread's wait for zone a.
#[test]
fn a_zone_outage_evicts_at_the_normal_rate_and_a_hard_spread_waits_for_the_zone() {
    let o = run(load_scenario("zone-outage"));
    let not_ready: Vec<&str> =
        o.event_rows(",NodeNotReady,Node,").into_iter().map(|r| r.split(',').next().unwrap()).collect();
    assert_eq!(not_ready, ["655000", "655000", "655000"]);
    let evictions = times(&o.event_rows(",TaintManagerEviction,"));
    assert_eq!(evictions, [960_000, 970_000, 980_000, 980_000]);
    let scheduled = |prefix: &str| -> Vec<(u64, String)> {
        o.event_rows(",Scheduled,")
            .into_iter()
            .filter(|r| r.contains(prefix))
            .map(|r| (r.split(',').next().unwrap().parse().unwrap(), r.rsplit(" to ").next().unwrap().to_string()))
            .filter(|(t, _)| *t > 0)
            .collect()
    };
    assert_eq!(scheduled("web-soft"), [(970_000, "c-0".to_string()), (980_000, "b-0".to_string())]);
    assert_eq!(scheduled("web-hard"), [(2_410_000, "a-0".to_string()), (2_410_000, "a-1".to_string())]);
    let summary: serde_json::Value = serde_json::from_str(&o.summary).unwrap();
    let all_ready = |name: &str| {
        summary["services"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["all_ready_fraction"]
            .as_f64()
            .unwrap()
    };
    assert_eq!((all_ready("web-soft"), all_ready("web-hard")), (0.906, 0.509));
}
