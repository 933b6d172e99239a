//! The PostgreSQL StatefulSet examples (`scenarios/postgres-*.yaml`): three replicas on
//! ReadWriteOnce disks through a node crash, with nothing done, with the dead Node object
//! deleted, with the `node.kubernetes.io/out-of-service` taint, and on local disks. The
//! times are upstream's constants at work:
//! - the node lifecycle controller (`pkg/controller/nodelifecycle`) notices a silent node
//!   at its first 5 s pass (`--node-monitor-period`) more than 50 s
//!   (`--node-monitor-grace-period`, 1.32+) after its last Lease renewal, and taints it
//!   `unreachable:NoExecute` one pass later;
//! - the taint eviction controller deletes the pod when the 300 s toleration the
//!   DefaultTolerationSeconds admission plugin gave it runs out;
//! - the pod garbage collector (`pkg/controller/podgc`) passes every 20 s
//!   (`gcCheckPeriod`), deletes the pods of a Node that has been gone for its 40 s
//!   quarantine, and the terminating pods of a NotReady node with the out-of-service taint;
//! - the attach/detach controller's reconciler (`pkg/controller/volume/attachdetach`,
//!   every 100 ms) force-detaches a volume no pod wants from a node that is not healthy
//!   after `maxWaitForUnmountDuration` (6 min), at once from an out-of-service node;
//! - the kubelet's check that the volume is attached backs off as its volume operations
//!   do (`nestedpendingoperations`: 500 ms doubling, at most 2 min 2 s).

use crate::common::*;

/// The scenario's times, shared by the three network-disk variants: the class provisions
/// in 5 s, attaches in 10 s, detaches in 5 s, mounts in 1 s; the image pulls in 10 s, the
/// container starts in 3 s and its probe (every 5 s) passes 2 s after the start.
const CRASH: u64 = 600_000;
/// The monitor pass that finds db-1's node silent for more than 50 s.
const NOT_READY: u64 = CRASH + 55_000;
/// The NoExecute taint one pass later, then the 300 s toleration.
const EVICTED: u64 = NOT_READY + 5_000 + 300_000;

/// The pods' rows of transitions.csv (not the containers'): (time, name, from, to, node).
fn pod_rows(o: &Outcome, pod: &str) -> Vec<(u64, String, String, String)> {
    o.rows(&format!(",Pod,default,{pod},"))
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].parse().unwrap(), f[4].to_string(), f[5].to_string(), f[7].to_string())
        })
        .collect()
}

fn row(t: u64, from: &str, to: &str, node: &str) -> (u64, String, String, String) {
    (t, from.into(), to.into(), node.into())
}

fn set_rows(o: &Outcome) -> Vec<(u64, String)> {
    o.rows(",StatefulSet,default,db,")
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].parse().unwrap(), f[5].to_string())
        })
        .collect()
}

fn statefulset_summary(o: &Outcome) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(&o.summary).unwrap();
    v["statefulsets"][0].clone()
}

/// What every variant shares before the crash: OrderedReady, each ordinal after the one
/// before is Ready, each claim provisioned where its pod was scheduled.
fn assert_the_start(o: &Outcome) {
    // db-0: the claim waits for its consumer; the scheduler picks worker-1 and the CSI
    // driver provisions there (5 s), the pod is bound at the scheduler's next 1 s poll;
    // attached 10 s later, seen by the kubelet's check at 15.5 s after admission (5 s + 0,
    // 0.5, 1.5, 3.5, 7.5, 15.5), mounted in 1 s, pulled 10 s, started 3 s: Running at
    // 34.5 s, Ready at the probe at 39.5 s, when db-1 is created; and so on.
    for (pod, created, running, node) in
        [("db-0", 0, 34_500, "worker-1"), ("db-1", 39_500, 74_000, "worker-3"), ("db-2", 79_000, 113_500, "worker-0")]
    {
        let rows = pod_rows(o, pod);
        assert_eq!(rows[..2], [row(created, "", "Pending", ""), row(running, "Pending", "Running", node)], "{pod}");
        let claim = format!("data-{pod}");
        assert_eq!(times(&o.rows(&format!(",PersistentVolumeClaim,default,{claim},Pending,Bound"))), [created + 5_000]);
    }
    assert_eq!(set_rows(o)[..4].iter().map(|r| r.0).collect::<Vec<_>>(), [0, 39_500, 79_000, 118_500]);
    assert!(!o.summary.contains("data_loss"), "the disks are on the network: {}", o.summary);
}

#[test]
fn nothing_done_the_ordinal_stays_down_while_its_old_pod_exists() {
    let o = run(load_scenario("postgres-node-crash"));
    assert_the_start(&o);
    assert_eq!(times(&o.rows(",Node,,worker-3,Ready,Unknown,NodeStatusUnknown")), [NOT_READY]);
    assert_eq!(times(&o.event_rows(",TaintManagerEviction,Pod,default,db-1,")), [EVICTED]);
    // No kubelet confirms db-1's end: it stays (Terminating), and no second db-1 is made.
    assert_eq!(pod_rows(&o, "db-1").len(), 2, "{:?}", pod_rows(&o, "db-1"));
    assert_eq!(o.event_rows(",create Pod db-1 ").len(), 1);
    assert_eq!(set_rows(&o)[4..], [(NOT_READY, "2/3".to_string())]);
    // The disk is never asked for elsewhere: no attach error.
    assert!(o.event_rows("FailedAttachVolume").is_empty());
    let s = statefulset_summary(&o);
    assert_eq!(s["longest_ordinal_down_ms"], 1_800_000 - NOT_READY, "{s}");
    assert_eq!(s["longest_down_ordinal"], 1);
}

#[test]
fn with_the_node_deleted_the_replacement_waits_for_the_force_detach() {
    let o = run(load_scenario("postgres-node-deleted"));
    assert_the_start(&o);
    const DELETED: u64 = 660_000;
    assert_eq!(times(&o.rows(",Node,,worker-3,Unknown,Deleted,")), [DELETED]);
    // Pod GC's pass at 11m sees db-1's node gone; after the 40 s quarantine it marks the
    // pod Failed and deletes it; the StatefulSet makes db-1 again at once, its claim
    // already bound, so the scheduler binds it at once to worker-2 (the free node).
    const GC: u64 = DELETED + 40_000;
    let rows = pod_rows(&o, "db-1");
    assert_eq!(
        rows[2..],
        [
            row(GC, "Running", "Failed", "worker-3"),
            row(GC, "", "Pending", ""),
            row(1_207_700, "Pending", "Running", "worker-2")
        ]
    );
    // The disk is still attached to worker-3, which never said it was unmounted.
    let multi = o.event_rows(",FailedAttachVolume,Pod,default,db-1,worker-2,");
    assert_eq!(times(&multi), [GC]);
    assert!(
        multi[0].ends_with("Volume is already exclusively attached to one node and can't be attached to another\"")
    );
    // The reconciler marks the detach wanted at GC; its first pass more than 6 min later
    // force-detaches (5 s), then attaches to worker-2 (10 s).
    let attached = GC + 360_000 + 100 + 5_000 + 10_000;
    assert_eq!(times(&o.event_rows(",SuccessfulAttachVolume,Pod,default,db-1,worker-2,")), [attached]);
    // The kubelet's checks since admission at GC: 0, 0.5, 1.5, ... 371.5 s (the cap of
    // 2 m 2 s reached), 493.5 s: seen then, mounted 1 s later, the pod worker's next look
    // (every 300 ms) at 494.7 s, pull 10 s, start 3 s.
    assert_eq!(times(&o.event_rows(",Pulling,Pod,default,db-1,worker-2,")), [GC + 494_700]);
    // Back (Ready) 10 min 12.7 s after the crash: 1 min until the node was deleted,
    // 40 s quarantine, 6 min before the force detach, 15 s detach and attach, then the
    // kubelet's backed-off check (1 min 58.6 s) and the start.
    assert_eq!(set_rows(&o)[4..], [(NOT_READY, "2/3".to_string()), (1_212_700, "3/3".to_string())]);
    let s = statefulset_summary(&o);
    assert_eq!(s["longest_ordinal_down_ms"], 1_212_700 - NOT_READY, "{s}");
}

#[test]
fn with_the_out_of_service_taint_the_ordinal_is_back_in_under_a_minute() {
    let o = run(load_scenario("postgres-out-of-service"));
    assert_the_start(&o);
    const TAINTED: u64 = 660_000;
    // The taint evicts db-1 at once; pod GC's pass at 11m (NotReady node, out-of-service
    // taint, terminating pod) marks it Failed and deletes it; db-1 is made again at once.
    assert_eq!(times(&o.event_rows(",TaintManagerEviction,Pod,default,db-1,")), [TAINTED]);
    let rows = pod_rows(&o, "db-1");
    assert_eq!(
        rows[2..],
        [
            row(TAINTED, "Running", "Failed", "worker-3"),
            row(TAINTED, "", "Pending", ""),
            row(689_500, "Pending", "Running", "worker-2")
        ]
    );
    // No 6-minute wait: detached (5 s) and attached (10 s) at once, no Multi-Attach error.
    assert!(o.event_rows("FailedAttachVolume").is_empty());
    assert_eq!(times(&o.event_rows(",SuccessfulAttachVolume,Pod,default,db-1,worker-2,")), [TAINTED + 15_000]);
    // The kubelet's check at 15.5 s, mount 1 s, pull 10 s, start 3 s, Ready at the probe
    // 5 s later: 34.5 s after the taint.
    assert_eq!(set_rows(&o)[4..], [(NOT_READY, "2/3".to_string()), (TAINTED + 34_500, "3/3".to_string())]);
    let s = statefulset_summary(&o);
    assert_eq!(s["longest_ordinal_down_ms"], TAINTED + 34_500 - NOT_READY, "{s}");
    // Ready 94.5 s after the crash: 34.5 s, under a minute, after the taint.
}

#[test]
fn on_local_disks_the_ordinal_waits_for_its_node_and_loses_its_data_with_it() {
    let o = run(load_scenario("postgres-local-volumes"));
    // No provisioning, no attach: each ordinal's claim binds the PV of the node the
    // scheduler picked, the pod is bound at the next 1 s poll and starts (pull 10 s,
    // start 3 s); Ready 5 s later, when the next ordinal is created.
    for (pod, created, node) in [("db-0", 0, "worker-1"), ("db-1", 19_000, "worker-3"), ("db-2", 38_000, "worker-0")] {
        let rows = pod_rows(&o, pod);
        assert_eq!(rows[..2], [row(created, "", "Pending", ""), row(created + 14_000, "Pending", "Running", node)]);
    }
    assert!(o.event_rows("AttachVolume").is_empty());
    // worker-3 (db-1) crashes at 10m for 10 minutes: evicted, Terminating until the node
    // is back; its kubelet then ends the pod and db-1 is made again, and can go nowhere
    // but worker-3 (its PV's node affinity), still tainted until the next monitor pass.
    assert_eq!(times(&o.event_rows(",TaintManagerEviction,Pod,default,db-1,")), [EVICTED]);
    let rows = pod_rows(&o, "db-1");
    assert_eq!(
        rows[2..],
        [
            row(1_200_000, "Running", "Failed", "worker-3"),
            row(1_200_000, "", "Pending", ""),
            row(1_208_000, "Pending", "Running", "worker-3")
        ]
    );
    let refused = o.event_rows(",FailedScheduling,Pod,default,db-1,");
    assert!(refused[0].contains("1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 3 node(s) didn't match PersistentVolume's node affinity."), "{refused:?}");
    assert_eq!(times(&o.event_rows(",Scheduled,Pod,default,db-1,worker-3,"))[1], 1_205_000);
    // worker-0 (db-2) crashes at 25m and its Node is deleted at 26m: pod GC removes db-2
    // 40 s later; the new db-2 fits no node, and its data went with worker-0.
    let rows = pod_rows(&o, "db-2");
    assert_eq!(rows[2..], [row(1_600_000, "Running", "Failed", "worker-0"), row(1_600_000, "", "Pending", "")]);
    let refused = o.event_rows(",FailedScheduling,Pod,default,db-2,");
    assert!(refused[0].contains("0/3 nodes are available: 3 node(s) didn't match PersistentVolume's node affinity."));
    let v: serde_json::Value = serde_json::from_str(&o.summary).unwrap();
    assert_eq!(
        v["data_loss"],
        serde_json::json!({"incidents": 1, "by_cause": {"node_removed": {"localPersistentVolume": 1}}})
    );
    let s = statefulset_summary(&o);
    // db-2 is down from 25m55s to the end.
    assert_eq!(s["longest_ordinal_down_ms"], 2_400_000 - 1_555_000, "{s}");
    assert_eq!(s["longest_down_ordinal"], 2);
    assert_eq!(s["ordinal_outages"], 2);
}

/// The headless Service `db` (the StatefulSet's `serviceName`): each pod has its hostname
/// and subdomain, cluster DNS answers `db-N.db.default.svc.cluster.local`, and with
/// `publishNotReadyAddresses` the Terminating db-1 on the dead node stays a ready address
/// of the EndpointSlice (serving false, terminating true) and keeps its DNS name.
#[test]
fn the_headless_service_names_each_ordinal() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let scenario = scenarios_dir().join("postgres-node-crash.yaml");
    let podsim = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_podsim")).args(args).output().unwrap();
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    podsim(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"]);
    let out = out.to_str().unwrap();
    let pod = podsim(&["get", "pod", "db-1", out, "--at", "5m", "-o", "yaml"]);
    assert!(pod.contains("  hostname: db-1\n") && pod.contains("  subdomain: db\n"), "{pod}");
    let svc = podsim(&["describe", "svc", "db", out, "--at", "20m"]);
    for (i, ip) in [(0, "10.64.1.2"), (1, "10.64.3.2"), (2, "10.64.0.2")] {
        assert!(svc.contains(&format!("db-{i}.db.default.svc.cluster.local -> {ip}\n")), "{svc}");
    }
    let slices = podsim(&["get", "endpointslices", out, "--at", "20m", "-o", "yaml"]);
    assert!(
        slices.contains(
            "    conditions:\n      ready: true\n      serving: false\n      terminating: true\n    hostname: db-1\n    nodeName: worker-3\n"
        ),
        "{slices}"
    );
}
