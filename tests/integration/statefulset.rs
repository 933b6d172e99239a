//! StatefulSets end to end: ordered creation and scale-down, Parallel, a rolling update
//! held at its partition, OnDelete, rollback, the maxUnavailable gate, and the
//! at-most-one rule through a node crash (a force delete, the out-of-service taint, the
//! Node object removed).

use crate::common::*;

/// The rows of one kind: (time, name, from, to, node).
fn rows_of(o: &Outcome, kind: &str) -> Vec<(u64, String, String, String, String)> {
    o.transitions
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1] == kind).then(|| (f[0].parse().unwrap(), f[3].into(), f[4].into(), f[5].into(), f[7].into()))
        })
        .collect()
}

/// (time, pod) of every pod created.
fn created(o: &Outcome) -> Vec<(u64, String)> {
    rows_of(o, "Pod").into_iter().filter(|r| r.2.is_empty()).map(|(t, name, ..)| (t, name)).collect()
}

/// (time, message) of the StatefulSet's events of one reason.
fn set_events(o: &Outcome, reason: &str) -> Vec<(u64, String)> {
    o.event_rows(&format!(",{reason},StatefulSet,"))
        .into_iter()
        .map(|l| (l.split(',').next().unwrap().parse().unwrap(), l.rsplit(',').next().unwrap().to_string()))
        .collect()
}

fn pods(list: &[(u64, &str)]) -> Vec<(u64, String)> {
    list.iter().map(|(t, n)| (*t, n.to_string())).collect()
}

fn summary_figures(o: &Outcome) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(&o.summary).unwrap();
    v["statefulsets"][0].clone()
}

#[test]
fn statefulset_web_keeps_one_pod_per_ordinal_through_updates_and_node_crashes() {
    let o = run(load_scenario("statefulset-web"));
    let sts: Vec<(u64, String, String)> =
        rows_of(&o, "StatefulSet").into_iter().map(|(t, _, from, to, _)| (t, from, to)).collect();
    let row = |t: u64, from: &str, to: &str| (t, from.to_string(), to.to_string());
    assert_eq!(
        sts,
        vec![
            // OrderedReady: each pod once the one before is Running and Ready (pull 5 s
            // for the first only, start 1 s, ready at the probe 5 s later).
            row(0, "", "0/3"),
            row(6_000, "0/3", "1/3"),
            row(12_000, "1/3", "2/3"),
            row(18_000, "2/3", "3/3"),
            // Scaled to 5 at 5m: web-3, then web-4.
            row(300_000, "3/3", "3/5"),
            row(306_000, "3/5", "4/5"),
            row(312_000, "4/5", "5/5"),
            // The image at 10m with partition 3: web-4, then web-3 (a deleted pod counts
            // ready until it is gone, 2 s after SIGTERM).
            row(602_000, "5/5", "4/5"),
            row(613_000, "4/5", "5/5"),
            row(615_000, "5/5", "4/5"),
            row(626_000, "4/5", "5/5"),
            // Partition 0 at 15m: web-2, web-1, web-0.
            row(902_000, "5/5", "4/5"),
            row(908_000, "4/5", "5/5"),
            row(910_000, "5/5", "4/5"),
            row(921_000, "4/5", "5/5"),
            row(923_000, "5/5", "4/5"),
            row(934_000, "4/5", "5/5"),
            // worker-3 (web-1) crashes at 25m: not ready at the first monitor pass after
            // 50 s; back only after the force delete at 40m.
            row(1_555_000, "5/5", "4/5"),
            row(2_406_000, "4/5", "5/5"),
            // worker-1 (web-0) crashes at 45m; out of service at 48m.
            row(2_755_000, "5/5", "4/5"),
            row(2_886_000, "4/5", "5/5"),
        ]
    );
    assert_eq!(
        created(&o),
        pods(&[
            (0, "web-0"),
            (6_000, "web-1"),
            (12_000, "web-2"),
            (300_000, "web-3"),
            (306_000, "web-4"),
            (602_000, "web-4"),
            (615_000, "web-3"),
            (902_000, "web-2"),
            (910_000, "web-1"),
            (923_000, "web-0"),
            (2_400_000, "web-1"),
            (2_880_000, "web-0"),
        ])
    );
    // The controller's events in stateful_pod_control.go's words: the updated pods
    // deleted highest ordinal first; no delete for the pods lost with their nodes.
    let deletes: Vec<(u64, String)> = set_events(&o, "SuccessfulDelete");
    let del = |t: u64, pod: &str| (t, format!("delete Pod {pod} in StatefulSet web successful"));
    assert_eq!(
        deletes,
        vec![
            del(600_000, "web-4"),
            del(613_000, "web-3"),
            del(900_000, "web-2"),
            del(908_000, "web-1"),
            del(921_000, "web-0")
        ]
    );
    assert_eq!(set_events(&o, "SuccessfulCreate")[0], (0, "create Pod web-0 in StatefulSet web successful".into()));
    // web-1 is evicted 300 s after the NoExecute taint and stays Terminating: nothing
    // creates web-1 again until the force delete at 40m.
    let evicted = o.event_rows(",TaintManagerEviction,Pod,default,web-1,");
    assert_eq!(times(&evicted), [1_860_000]);
    // The out-of-service taint at 48m: the taint manager evicts web-0 at once, and pod
    // GC's pass at 48m00s (on its 20 s grid) marks it Failed and deletes it.
    assert_eq!(times(&o.event_rows(",TaintManagerEviction,Pod,default,web-0,")), [2_880_000]);
    let gc = o.rows(",Pod,default,web-0,Running,Failed,,worker-1");
    assert_eq!(times(&gc), [923_000, 2_880_000], "the rolling update's, then pod GC's");
    // The longest an ordinal was down: web-1, from 25m55s to 40m06s.
    let s = summary_figures(&o);
    assert_eq!(s["longest_ordinal_down_ms"], 851_000, "{s}");
    assert_eq!(s["longest_down_ordinal"], 1);
    assert_eq!(s["replicas"], 5);
}

const NODES: &str = "nodes:\n  - name: worker\n    count: 3\n    capacity: {cpu: \"4\", memory: 16Gi, pods: 110}\n";

/// A StatefulSet `web` of `replicas` with `extra` spec lines; ready 2 s after start.
fn scenario(duration: &str, replicas: u32, extra: &str, rest: &str) -> String {
    format!(
        "name: sts\nseed: 1\nduration: {duration}\n{NODES}workloads:\n  - object:\n      apiVersion: apps/v1\n      kind: StatefulSet\n      metadata: {{name: web}}\n      spec:\n        replicas: {replicas}\n        selector: {{matchLabels: {{app: web}}}}\n{extra}        template:\n          metadata: {{labels: {{app: web}}}}\n          spec: {{containers: [{{name: c, image: nginx:1.27}}]}}\nbehaviors:\n  - match: {{container: c}}\n    startup: 1s\n{rest}"
    )
}

#[test]
fn parallel_creates_and_deletes_every_pod_at_once() {
    let o = run(load_text(&scenario(
        "3m",
        4,
        "        podManagementPolicy: Parallel\n",
        "actions:\n  - {at: 1m, scale: statefulset/web, replicas: 1}\n",
    )));
    assert_eq!(created(&o), pods(&[(0, "web-0"), (0, "web-1"), (0, "web-2"), (0, "web-3")]));
    let deletes = set_events(&o, "SuccessfulDelete");
    assert_eq!(deletes.iter().map(|(t, _)| *t).collect::<Vec<_>>(), [60_000, 60_000, 60_000]);
    assert!(deletes[0].1.contains("web-3") && deletes[2].1.contains("web-1"), "highest first: {deletes:?}");
}

#[test]
fn ordered_ready_scales_down_one_pod_at_a_time_from_the_highest() {
    let o = run(load_text(&scenario(
        "3m",
        3,
        "",
        "    terminationTime: 5s\nactions:\n  - {at: 1m, scale: statefulset/web, replicas: 1}\n",
    )));
    let deletes: Vec<u64> = set_events(&o, "SuccessfulDelete").into_iter().map(|(t, _)| t).collect();
    // web-2 first; web-1 once web-2 is gone 5 s later.
    assert_eq!(deletes, [60_000, 65_000]);
}

#[test]
fn on_delete_waits_for_the_user_and_undo_goes_back() {
    let o = run(load_text(&scenario(
        "5m",
        2,
        "        updateStrategy: {type: OnDelete}\n",
        "actions:\n  - {at: 1m, setImage: statefulset/web, images: {c: \"nginx:1.28\"}}\n  - {at: 2m, delete: pod/web-1}\n  - {at: 3m, rollout: undo statefulset/web}\n  - {at: 4m, delete: pod/web-0}\n",
    )));
    // Nothing deleted by the controller; the deleted pods come back at the revision of
    // the moment: web-1 at the new one, web-0 (after the undo) at the first.
    assert!(set_events(&o, "SuccessfulDelete").is_empty());
    let revisions: Vec<(String, String)> = o
        .objects
        .lines()
        .filter(|l| l.contains("\"op\":\"PodCreated\""))
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let label = v["labels"]["controller-revision-hash"].as_str().unwrap().to_string();
            (v["name"].as_str().unwrap().to_string(), label)
        })
        .collect();
    let names: Vec<&str> = revisions.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["web-0", "web-1", "web-1", "web-0"]);
    let first = &revisions[0].1;
    assert_eq!(&revisions[1].1, first);
    assert_ne!(&revisions[2].1, first, "web-1 recreated at the new revision");
    assert_eq!(&revisions[3].1, first, "web-0 recreated after the undo, at the first revision again");
}

#[test]
fn with_the_gate_max_unavailable_pods_update_at_once() {
    let text = scenario(
        "3m",
        4,
        "        updateStrategy: {rollingUpdate: {maxUnavailable: 2}}\n",
        "actions:\n  - {at: 1m, setImage: statefulset/web, images: {c: \"nginx:1.28\"}}\nkubernetes: {featureGates: {MaxUnavailableStatefulSet: true}}\n",
    );
    let deletes: Vec<u64> =
        set_events(&run(load_text(&text)), "SuccessfulDelete").into_iter().map(|(t, _)| t).collect();
    assert_eq!(&deletes[..2], [60_000, 60_000], "{deletes:?}");
    // Without the gate the field is dropped (a warning) and the update goes one by one.
    let scenario = load_text(&text.replace("kubernetes: {featureGates: {MaxUnavailableStatefulSet: true}}\n", ""));
    assert!(scenario.warnings.iter().any(|w| w.contains("maxUnavailable is dropped")), "{:?}", scenario.warnings);
    let deletes: Vec<u64> = set_events(&run(scenario), "SuccessfulDelete").into_iter().map(|(t, _)| t).collect();
    assert_eq!(deletes.iter().filter(|t| **t == 60_000).count(), 1, "{deletes:?}");
}

#[test]
fn a_removed_node_frees_its_ordinal_after_the_pod_gc_quarantine() {
    let o = run(load_text(&scenario("5m", 3, "", "faults:\n  - {at: 1m, node: worker-2, action: remove}\n")));
    let lost =
        rows_of(&o, "Pod").into_iter().find(|r| r.4 == "worker-2" && r.3 == "Failed").expect("a pod on worker-2");
    // Orphaned, Failed and deleted 40 s after the node went; recreated at once.
    assert_eq!(lost.0, 100_000);
    assert!(created(&o).contains(&(100_000, lost.1.clone())), "{:?}", created(&o));
}

#[test]
fn a_pod_stuck_on_a_lost_node_is_not_replaced_without_help() {
    let o = run(load_text(&scenario("20m", 3, "", "faults:\n  - {at: 1m, node: worker-2, action: crash}\n")));
    let lost = rows_of(&o, "Pod").into_iter().find(|r| r.4 == "worker-2").expect("a pod on worker-2").1;
    // Evicted after 50 s + 5 s + 300 s, never replaced: one pod of that name.
    let evicted = o.event_rows(&format!(",TaintManagerEviction,Pod,default,{lost},"));
    assert_eq!(times(&evicted), [420_000]);
    assert_eq!(created(&o).iter().filter(|(_, n)| *n == lost).count(), 1);
    let s = summary_figures(&o);
    // Down from the monitor pass at 1m55s to the end.
    assert_eq!(s["longest_ordinal_down_ms"], 1_200_000 - 115_000, "{s}");
}

/// `volumeClaimTemplates`: a claim per ordinal (`data-db-0`, ...) made before its pod,
/// with the template's labels and the selector's; the pod's volume names it. With
/// `whenScaled: Delete` the claims of the ordinals scaled away go with their pods;
/// with `whenDeleted: Delete` the rest go with the set.
#[test]
fn claims_are_made_per_ordinal_and_follow_the_retention_policy() {
    let o = run(load_text(
        r#"
name: sts-claims
seed: 1
duration: 10m
nodes:
  - name: worker
    count: 3
    capacity: {cpu: "4", memory: 16Gi, pods: 110}
workloads:
  - object:
      apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata: {name: standard, annotations: {storageclass.kubernetes.io/is-default-class: "true"}}
      provisioner: pd.csi.storage.gke.io
  - object:
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        serviceName: db
        replicas: 3
        selector: {matchLabels: {app: db}}
        persistentVolumeClaimRetentionPolicy: {whenScaled: Delete, whenDeleted: Delete}
        volumeClaimTemplates:
          - metadata: {name: data, labels: {tier: storage}}
            spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}
        template:
          metadata: {labels: {app: db}}
          spec:
            containers:
              - name: postgres
                image: postgres:17
                volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
behaviors:
  - match: {container: postgres}
    startup: 2s
actions:
  - {at: 3m, scale: statefulset/db, replicas: 1}
  - {at: 6m, delete: statefulset/db}
"#,
    ));
    let claim_events = o.event_rows(",SuccessfulCreate,StatefulSet,default,db,,create Claim ");
    let msgs: Vec<&str> = claim_events.iter().map(|l| l.rsplit(',').next().unwrap()).collect();
    assert_eq!(
        msgs,
        [
            "create Claim data-db-0 Pod db-0 in StatefulSet db success",
            "create Claim data-db-1 Pod db-1 in StatefulSet db success",
            "create Claim data-db-2 Pod db-2 in StatefulSet db success",
        ]
    );
    // Each claim just before its pod, each pod once the one before is ready: the
    // class provisions in 5 s, the volume attaches in 10 s (the defaults).
    assert_eq!(times(&claim_events), [0, 22_600, 45_200]);
    // The claims as created: the template's labels and the selector's.
    let created: Vec<serde_json::Value> = o
        .objects
        .lines()
        .filter(|l| l.contains("\"op\":\"PersistentVolumeClaimCreated\""))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(created[0]["claim"]["metadata"]["labels"], serde_json::json!({"app": "db", "tier": "storage"}));
    // Each pod's volume names its ordinal's claim.
    assert!(o.objects.contains("\"persistentVolumeClaim\":{\"claimName\":\"data-db-2\"}"), "{}", o.objects);
    // Deleted: db-2's and db-1's with their pods at 3m, db-0's with the set at 6m (each
    // gone once no pod uses it, its PV with it: the class's reclaim policy is Delete).
    let deleted: Vec<(u64, String)> = rows_of(&o, "PersistentVolumeClaim")
        .into_iter()
        .filter(|r| r.3 == "Deleted")
        .map(|(t, name, ..)| (t, name))
        .collect();
    assert_eq!(deleted, pods(&[(180_000, "data-db-2"), (180_000, "data-db-1"), (360_000, "data-db-0")]));
}

/// With the default policy (Retain), claims outlive the set's pods and the set, and a
/// pod created again for an ordinal uses the claim it had.
#[test]
fn retained_claims_are_used_again_by_the_ordinal() {
    let o = run(load_text(
        r#"
name: sts-retain
seed: 1
duration: 5m
nodes:
  - name: worker
    count: 2
    capacity: {cpu: "4", memory: 16Gi, pods: 110}
workloads:
  - object:
      apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata: {name: standard, annotations: {storageclass.kubernetes.io/is-default-class: "true"}}
      provisioner: pd.csi.storage.gke.io
  - object:
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        replicas: 2
        selector: {matchLabels: {app: db}}
        volumeClaimTemplates:
          - metadata: {name: data}
            spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
        template:
          metadata: {labels: {app: db}}
          spec: {containers: [{name: c, image: postgres:17, volumeMounts: [{name: data, mountPath: /data}]}]}
behaviors:
  - match: {container: c}
    startup: 1s
actions:
  - {at: 1m, scale: statefulset/db, replicas: 1}
  - {at: 2m, scale: statefulset/db, replicas: 2}
"#,
    ));
    // Two claims made, never deleted; db-1 made twice, the second time on its claim.
    assert_eq!(o.event_rows(",create Claim ").len(), 2);
    assert!(rows_of(&o, "PersistentVolumeClaim").iter().all(|r| r.3 != "Deleted"));
    assert_eq!(created(&o).iter().filter(|(_, n)| n == "db-1").count(), 2);
    assert_eq!(rows_of(&o, "Pod").iter().filter(|r| r.1 == "db-1" && r.3 == "Running").count(), 2);
}
