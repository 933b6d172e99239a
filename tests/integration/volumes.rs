//! A pod's volumes on its node: emptyDirs shared by the containers and their writes, the
//! eviction of a pod whose emptyDir grows over its `sizeLimit`, ConfigMaps and Secrets
//! mounted (or waited for), attach and detach of network volumes, and the data that is
//! lost as it would be in Kubernetes.

use crate::common::*;

#[test]
fn an_emptydir_over_its_size_limit_gets_its_pod_evicted() {
    let o = run(load_scenario("web-sidecar-emptydir"));
    let evicted = o.event_rows(",Warning,Evicted,Pod,default,web-verbose-");
    assert!(evicted.len() >= 5, "{evicted:?}");
    assert!(
        evicted
            .iter()
            .all(|e| e.ends_with("\"Usage of EmptyDir volume \"\"logs\"\" exceeds the limit \"\"256Mi\"\". \""))
    );
    // The first pod's nginx runs from 11.5 s and writes 2Mi/s: over 256Mi after 128 s.
    // Its stats calculator measures every 1 to 2 minutes, the eviction manager syncs every
    // 10 s: the eviction follows within 2 min 10 s.
    let first = times(&evicted)[0];
    assert!((139_501..=139_501 + 130_000).contains(&first), "{first}");
    assert_eq!(first % 10_000, 0, "on the eviction manager's 10 s loop");
    // The pod stops within its 1 s grace and ends Failed, Evicted; no DisruptionTarget.
    let failed = o.rows(",Running,Failed,Evicted,");
    assert_eq!(failed.len(), evicted.len());
    assert!(times(&failed)[0] <= first + 2_000);
    // The quiet server (100Ki/s into 500Mi) is never evicted, and nothing restarts: the
    // replacements are new pods with new, empty volumes.
    assert!(o.event_rows("Evicted,Pod,default,web,").is_empty());
    assert!(o.summary.contains(&format!(
        "\"data_loss\": {{\n    \"incidents\": {n},\n    \"by_cause\": {{\n      \"pod_evicted\": {{\n        \"emptyDir\": {n}\n      }}\n    }}\n  }}",
        n = evicted.len()
    )), "{}", o.summary);
}

#[test]
fn a_memory_backed_emptydir_counts_in_its_nodes_memory() {
    let text = "name: tmpfs\nduration: 10m\nnodes:\n  - name: worker\n    count: 1\n    capacity: {cpu: \"4\", memory: 4Gi, pods: 110}\nworkloads:\n  - object:\n      apiVersion: v1\n      kind: Pod\n      metadata: {name: shm}\n      spec:\n        volumes: [{name: scratch, emptyDir: {medium: Memory}}]\n        containers:\n          - name: app\n            image: app:1\n            volumeMounts: [{name: scratch, mountPath: /scratch}]\n            resources: {requests: {cpu: 100m, memory: 64Mi}}\nbehaviors:\n  - match: {container: app}\n    writes: {volume: scratch, rate: 50Mi/s}\n";
    let o = run(load_text(text));
    // 4Gi minus 100Mi is passed after (4096 - 100) / 50 s = 79.92 s: the eviction manager
    // (every 10 s from the node's start) sees the threshold met at 80 s.
    let met = o.event_rows(",Warning,EvictionThresholdMet,Node,,worker-0,");
    assert_eq!(times(&met)[0], 80_000, "{met:?}");
    let evicted = o.event_rows(",Warning,Evicted,Pod,default,shm,");
    assert_eq!(times(&evicted), vec![80_000]);
    assert!(evicted[0].contains("The node was low on resource: memory."), "{evicted:?}");
    assert!(o.summary.contains("\"emptyDirMemory\": 1"), "its tmpfs is lost with the pod: {}", o.summary);
}

#[test]
fn a_missing_configmap_keeps_its_pod_container_creating_until_it_exists() {
    let o = run(load_scenario("volume-missing-configmap"));
    let failed = o.event_rows(",Warning,FailedMount,Pod,default,web,");
    assert!(failed.iter().all(|e| {
        e.ends_with("\"MountVolume.SetUp failed for volume \"\"config\"\" : configmap \"\"web-config\"\" not found\"")
    }));
    // The volume operations' back-off: 500 ms doubling, every attempt an event, until the
    // ConfigMap appears at 5 minutes.
    assert_eq!(times(&failed), vec![0, 500, 1_500, 3_500, 7_500, 15_500, 31_500, 63_500, 127_500, 249_500]);
    // The attempt at 371.5 s mounts it; the pod worker (waits of 123 s, 10 s apart: the
    // third began at 266 s) looks every 300 ms: it starts the pod at 371.6 s.
    assert_eq!(times(&o.event_rows("Pulling image \"\"nginx:1.27\"\"")), vec![371_600]);
    assert_eq!(o.rows("web/nginx,,Waiting,ContainerCreating").len(), 1);
    assert_eq!(times(&o.rows("Pod,default,web,Pending,Running")), vec![376_100]);
    // An optional ConfigMap that does not exist is set up empty.
    assert!(o.event_rows("FailedMount,Pod,default,worker,").is_empty());
    assert_eq!(times(&o.rows("Pod,default,worker,Pending,Running")), vec![2_200]);
}

/// The replacement's events and rows in `deployment-db-node-crash`.
fn db_pods(o: &Outcome) -> (String, String) {
    let mut names: Vec<String> = o
        .rows(",Pod,default,db-")
        .iter()
        .filter(|r| r.contains(",,Pending,"))
        .map(|r| r.split(',').nth(3).unwrap().to_string())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let replacement = names.pop().unwrap();
    (names.pop().unwrap(), replacement)
}

#[test]
fn a_deployments_database_waits_for_its_disk_through_a_node_crash() {
    let o = run(load_scenario("deployment-db-node-crash"));
    let (old, new) = db_pods(&o);
    // Attached in the class's 10 s; the kubelet's checks of the attach back off (0, 0.5,
    // 1.5 ... 15.5 s), the mount takes 1 s, then the pull (10 s) and start (3 s).
    assert_eq!(times(&o.event_rows(&format!("SuccessfulAttachVolume,Pod,default,{old},"))), vec![10_000]);
    assert_eq!(times(&o.rows(&format!("Pod,default,{old},Pending,Running"))), vec![29_500]);
    // The crash at 2m: NotReady at 175 s, the unreachable taint at 180 s, the eviction 300 s
    // later; the replacement is created then and cannot attach the disk.
    let multi = o.event_rows(&format!("FailedAttachVolume,Pod,default,{new},standby-0,"));
    assert_eq!(times(&multi), vec![480_000], "reported once");
    assert!(
        multi[0].ends_with(&format!(
            "\"Multi-Attach error for volume \"\"db-disk\"\" Volume is already used by pod(s) {old}\""
        )),
        "{multi:?}"
    );
    // The node is deleted at 15m; pod GC removes the old pod 40 s later; the next pass sees
    // the volume unwanted, and the first pass more than 6 minutes after it force-detaches
    // it (5 s), the next attaches it to the standby node (10 s).
    let attached = 900_000 + 40_000 + 360_100 + 5_000 + 10_000;
    assert_eq!(times(&o.event_rows(&format!("SuccessfulAttachVolume,Pod,default,{new},"))), vec![attached]);
    // The kubelet's check of the attach has backed off to 2 m 2 s: it succeeds at the
    // attempt 859.5 s after the pod's admission (480 s), the mount ends 1 s later, the pod
    // worker looks at 1340.7 s; pull and start take 13 s.
    assert_eq!(times(&o.rows(&format!("Pod,default,{new},Pending,Running"))), vec![1_353_700]);
    assert!(!o.summary.contains("data_loss"), "the disk is on the network: nothing is lost");
}

#[test]
fn the_out_of_service_taint_frees_the_disk_at_once() {
    let text = std::fs::read_to_string(scenarios_dir().join("deployment-db-node-crash.yaml")).unwrap().replace(
        "  - {at: 15m, delete: node/primary-0}",
        "  - {at: 10m, taint: node/primary-0, key: node.kubernetes.io/out-of-service, value: nodeshutdown, effect: NoExecute}",
    );
    let o = run(load_text(&text));
    let (old, new) = db_pods(&o);
    // Pod GC's pass at 600 s force-deletes the terminating pod; the detach starts in the
    // same pass without waiting for an unmount (5 s), the attach follows (10 s).
    assert_eq!(times(&o.rows(&format!("Pod,default,{old},Running,Failed"))), vec![600_000]);
    assert_eq!(times(&o.event_rows(&format!("SuccessfulAttachVolume,Pod,default,{new},"))), vec![615_000]);
    // The kubelet's next check (249.5 s after 480 s), the mount, the look, pull and start.
    assert_eq!(times(&o.rows(&format!("Pod,default,{new},Pending,Running"))), vec![743_600]);
}

/// A StatefulSet of one on a ReadWriteOnce disk (`disk`: a CSI or a local PV, bound by
/// hand to the ordinal's claim), its node crashing at 1m; `actions` follow.
fn statefulset_db(pv_source: &str, actions: &str) -> String {
    format!(
        "name: sts-db\nduration: 30m\nnodes:\n  - name: primary\n    count: 1\n    labels: {{tier: primary}}\n    capacity: {{cpu: \"4\", memory: 16Gi, pods: 110}}\n  - name: standby\n    count: 1\n    capacity: {{cpu: \"4\", memory: 16Gi, pods: 110}}\n\
workloads:\n\
  - object:\n      apiVersion: v1\n      kind: PersistentVolume\n      metadata: {{name: disk}}\n      spec:\n        capacity: {{storage: 10Gi}}\n        accessModes: [ReadWriteOnce]\n        storageClassName: \"\"\n        claimRef: {{namespace: default, name: data-db-0}}\n{pv_source}\
  - object:\n      apiVersion: apps/v1\n      kind: StatefulSet\n      metadata: {{name: db}}\n      spec:\n        serviceName: db\n        replicas: 1\n        selector: {{matchLabels: {{app: db}}}}\n        template:\n          metadata: {{labels: {{app: db}}}}\n          spec:\n            affinity: {{nodeAffinity: {{preferredDuringSchedulingIgnoredDuringExecution: [{{weight: 100, preference: {{matchExpressions: [{{key: tier, operator: In, values: [primary]}}]}}}}]}}}}\n            containers:\n              - name: db\n                image: postgres:17\n                volumeMounts: [{{name: data, mountPath: /data}}]\n                resources: {{requests: {{cpu: 500m, memory: 1Gi}}}}\n        volumeClaimTemplates:\n          - metadata: {{name: data}}\n            spec:\n              accessModes: [ReadWriteOnce]\n              storageClassName: \"\"\n              resources: {{requests: {{storage: 10Gi}}}}\n\
faults:\n  - {{at: 1m, node: primary-0, action: crash}}\n\
actions:\n{actions}"
    )
}

#[test]
fn a_statefulset_pod_force_deleted_waits_for_the_force_detach() {
    let csi = "        csi: {driver: pd.csi.storage.gke.io, volumeHandle: disk-1}\n";
    let o = run(load_text(&statefulset_db(csi, "  - {at: 10m, delete: pod/db-0, force: true}\n")));
    // The ordinal is created again at once; no pod wants the disk on the dead node any more,
    // yet it is attached there: the error names no pod.
    let multi = o.event_rows("FailedAttachVolume,Pod,default,db-0,standby-0,");
    assert_eq!(times(&multi), vec![600_000]);
    assert!(multi[0].ends_with(
        "\"Multi-Attach error for volume \"\"disk\"\" Volume is already exclusively attached to one node and can't be attached to another\""
    ));
    // The force detach 6 minutes and a pass later (the default 5 s), the attach (10 s).
    let attached = times(&o.event_rows("SuccessfulAttachVolume,Pod,default,db-0,standby-0,"));
    assert_eq!(attached, vec![600_000 + 360_100 + 5_000 + 10_000]);
    assert!(!o.summary.contains("data_loss"));
}

#[test]
fn a_local_volume_is_lost_with_its_node() {
    let local = "        local: {path: /mnt/disks/ssd0}\n        nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [primary-0]}]}]}}\n";
    let o = run(load_text(&statefulset_db(local, "  - {at: 10m, delete: node/primary-0}\n")));
    // Not attachable: no attach, no Multi-Attach. The pod GC removes the old pod after the
    // node is deleted; the ordinal's new pod cannot leave for another node (the PV's node
    // affinity), and the data that lived on the node's disk is counted lost.
    assert!(o.event_rows("AttachVolume").is_empty());
    assert!(o.summary.contains("\"node_removed\": {\n        \"localPersistentVolume\": 1\n      }"), "{}", o.summary);
}
