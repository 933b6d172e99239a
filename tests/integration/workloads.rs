//! ReplicaSets and Deployments end to end: a rollout stalled by a crashing version,
//! its progress deadline, `rollout undo`, and replicas replaced after a node dies or
//! random failures.

use crate::common::*;

/// The rows of one kind of object (`Deployment`, `ReplicaSet`): (time, name, from, to, reason).
fn rows_of(o: &Outcome, kind: &str) -> Vec<(u64, String, String, String, String)> {
    o.transitions
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1] == kind).then(|| (f[0].parse().unwrap(), f[3].into(), f[4].into(), f[5].into(), f[6].into()))
        })
        .collect()
}

#[test]
fn a_rollout_to_a_crashing_version_stalls_within_its_budget_and_rolls_back() {
    let o = run(load_scenario("web-rollout"));
    let rs = rows_of(&o, "ReplicaSet");
    let (v1, v2) = (rs[0].1.clone(), rs[1].1.clone());
    assert!(v1.starts_with("web-") && v2.starts_with("web-") && v1 != v2);
    let r = |t: u64, name: &str, from: &str, to: &str| {
        (t, name.to_string(), from.to_string(), to.to_string(), String::new())
    };
    assert_eq!(
        rs,
        vec![
            r(0, &v1, "", "4"),
            // 5m: set image. maxSurge 25% of 4 = 1 (rounded up), maxUnavailable 1
            // (rounded down): the new set gets 1, the old one goes to 3, the new to 2.
            r(300_000, &v2, "", "1"),
            r(300_000, &v1, "4", "3"),
            r(300_000, &v2, "1", "2"),
            // 10m: rollout undo. The unhealthy new pods go at once, the old set is
            // the newest revision again and grows back.
            r(600_000, &v2, "2", "0"),
            r(600_000, &v1, "3", "4"),
        ]
    );
    let d: Vec<(u64, String, String, String)> =
        rows_of(&o, "Deployment").into_iter().map(|(t, _, from, to, why)| (t, from, to, why)).collect();
    let row = |t: u64, from: &str, to: &str, why: &str| (t, from.to_string(), to.to_string(), why.to_string());
    assert_eq!(
        d,
        vec![
            row(0, "", "Progressing", ""),
            // Pull 3 s, start 1 s, ready 5 s later.
            row(9_000, "Progressing", "Complete", "NewReplicaSetAvailable"),
            // Created at 5m; no progress for progressDeadlineSeconds (120 s); the
            // controller looks again 1 s after the deadline.
            row(421_000, "Progressing", "Stalled", "ProgressDeadlineExceeded"),
            row(600_000, "Stalled", "Progressing", "ReplicaSetUpdated"),
            // The image is on the nodes: start 1 s, ready 5 s.
            row(606_000, "Progressing", "Complete", "NewReplicaSetAvailable"),
        ]
    );
    // Three old pods kept serving throughout: never fewer than maxUnavailable allows.
    let scaled: Vec<&str> = o.events.lines().filter(|l| l.contains(",ScalingReplicaSet,")).collect();
    assert_eq!(scaled.len(), 6, "{scaled:#?}");
    assert!(scaled[2].ends_with(&format!("Scaled down replica set {v1} from 4 to 3")), "{}", scaled[2]);
}

const NODE_LOSS: &str = r#"
name: replicas-after-node-loss
seed: 2
duration: 12m
nodes:
  - name: w
    count: 3
    capacity: {cpu: "4", memory: 8Gi, pods: 110}
workloads:
  - object:
      apiVersion: apps/v1
      kind: ReplicaSet
      metadata: {name: cache}
      spec:
        replicas: 3
        selector: {matchLabels: {app: cache}}
        template:
          metadata: {labels: {app: cache}}
          spec:
            containers: [{name: redis, image: redis:7, resources: {requests: {cpu: "1"}}}]
behaviors:
  - match: {image: "redis:*"}
    startup: 1s
faults:
  - {at: 1m, node: w-0, action: crash}
actions:
  - {at: 11m, scale: replicaset/cache, replicas: 1}
"#;

#[test]
fn a_replicaset_replaces_pods_evicted_from_a_dead_node_and_scales_down_the_cheapest() {
    let o = run(load_text(NODE_LOSS));
    let created: Vec<u64> = times(&o.event_rows(",SuccessfulCreate,ReplicaSet,default,cache,"));
    // Three at once; the replacement the moment the evicted pod begins terminating:
    // crash at 60 s, Unknown at 115 s (50 s grace, 5 s passes), NoExecute taint at
    // 120 s, 300 s toleration: 420 s.
    assert_eq!(created, vec![0, 0, 0, 420_000]);
    let deleted: Vec<&str> = o.event_rows(",SuccessfulDelete,ReplicaSet,default,cache,");
    assert_eq!(deleted.len(), 2, "{deleted:?}");
    assert!(deleted.iter().all(|l| l.starts_with("660000,")));
}

/// random-failures.yaml: the 600 API replicas are a Deployment's, so every pod evicted
/// from a crashed node is replaced; the day ends with all 600 running and the Service
/// never without a ready endpoint for long.
#[test]
fn random_failures_replace_every_evicted_replica() {
    let o = run(load_scenario("random-failures"));
    let summary: serde_json::Value = serde_json::from_str(&o.summary).unwrap();
    let evicted = summary["failures"]["pods_evicted"].as_u64().unwrap();
    assert!(evicted > 200, "{evicted}");
    let api = &summary["services"][0];
    assert_eq!(api["name"], "api");
    assert_eq!(api["any_ready_fraction"], 1.0);
    // Each evicted replica was replaced: 600 created at the start, one more per eviction
    // of an API pod; the rollout is Complete again at the end.
    let pods = rows_of(&o, "Pod");
    let created = pods.iter().filter(|r| r.1.starts_with("api-") && r.2.is_empty()).count();
    let evicted_api = o.event_rows(",TaintManagerEviction,").iter().filter(|r| r.contains(",api-")).count();
    assert!(evicted_api > 100, "{evicted_api}");
    assert_eq!(created, 600 + evicted_api);
    let deployment = rows_of(&o, "Deployment");
    assert_eq!(deployment.last().unwrap().3, "Complete", "{deployment:?}");
}
