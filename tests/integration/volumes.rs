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
