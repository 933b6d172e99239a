//! The PersistentVolume controller and the scheduler's volume plugins, end to end: the
//! example scenario's claims and pods, reclaim and protection, local volumes pinning
//! their pods, ReadWriteOncePod claims and a node's attach limit.

use crate::common::*;

/// The messages of a pod's `FailedScheduling` events, a series' rows once (the
/// events.k8s.io recorder writes its start and its end with the first failure's words).
fn failures(o: &Outcome, pod: &str) -> Vec<String> {
    let mut out: Vec<String> = o
        .event_rows(&format!(",FailedScheduling,Pod,default,{pod},"))
        .iter()
        .map(|r| r.splitn(8, ',').nth(7).unwrap().trim_matches('"').to_string())
        .collect();
    out.dedup();
    out
}

/// (time, node) of a pod's `Scheduled` event.
fn scheduled(o: &Outcome, pod: &str) -> Option<(u64, String)> {
    let rows = o.event_rows(&format!(",Scheduled,Pod,default,{pod},"));
    let f: Vec<&str> = rows.first()?.splitn(8, ',').collect();
    Some((f[0].parse().unwrap(), f[6].to_string()))
}

/// The events about a claim: (time, reason).
fn claim_events(o: &Outcome, claim: &str) -> Vec<(u64, String)> {
    o.event_rows(&format!(",PersistentVolumeClaim,default,{claim},"))
        .iter()
        .map(|r| {
            let f: Vec<&str> = r.splitn(8, ',').collect();
            (f[0].parse().unwrap(), f[2].to_string())
        })
        .collect()
}

#[test]
fn wait_for_first_consumer_provisions_in_the_zone_the_scheduler_picked() {
    let o = run(load_scenario("storage-wait-for-first-consumer"));
    // The static PVs: `logs` (8Gi) takes the smallest that fits, 10Gi, at once.
    assert_eq!(o.rows("PersistentVolume,,medium,Available,Bound"), ["0,PersistentVolume,,medium,Available,Bound,,"]);
    assert_eq!(o.rows("PersistentVolumeClaim,default,logs,Pending,Bound").len(), 1);
    assert!(o.rows(",small,Available,Bound").is_empty() && o.rows(",large,Available,Bound").is_empty());
    assert_eq!(scheduled(&o, "shipper").unwrap().0, 30_000);

    // `data` waits for its first consumer, then for it to be scheduled.
    let events = claim_events(&o, "data");
    let reasons: Vec<&str> = events.iter().map(|(_, r)| r.as_str()).collect();
    assert_eq!(&reasons[..3], ["WaitForFirstConsumer", "WaitForFirstConsumer", "WaitForPodScheduled"], "{events:?}");
    assert_eq!((events[0].0, events[1].0, events[2].0), (0, 15_000, 30_000), "at creation, then each resync");
    // The scheduler picks zone-b-0 and writes it on the claim; the provisioner takes 7.5 s.
    assert!(o.objects.contains(r#""volume.kubernetes.io/selected-node":"zone-b-0""#));
    assert!(events.contains(&(30_000, "Provisioning".into())));
    assert!(events.contains(&(37_500, "ProvisioningSucceeded".into())));
    let pv = o.rows("PersistentVolumeClaim,default,data,Pending,Bound");
    assert_eq!(times(&pv), [37_500]);
    let created = o.rows(",Pending,Bound,,").iter().find(|r| r.contains(",pvc-")).map(|r| r.to_string()).unwrap();
    assert!(created.starts_with("37500,PersistentVolume,,pvc-"), "{created}");
    // The PV is made in zone b, where the pod was placed.
    let line =
        o.objects.lines().find(|l| l.contains(r#""op":"PersistentVolumeCreated""#) && l.contains("pvc-")).unwrap();
    assert!(line.contains(r#""key":"topology.kubernetes.io/zone","operator":"In","values":["b"]"#), "{line}");
    // The pod is bound at the scheduler's first poll after the claim is: PreBind began at
    // 30 s, polls each second.
    assert_eq!(scheduled(&o, "db"), Some((38_000, "zone-b-0".into())));
    // Then the attach/detach controller attaches the disk (the default 10 s); the kubelet,
    // whose check that the disk is attached failed at 38 s, retries on its operations'
    // exponential back-off (0.5 s doubling: 38.5, 39.5, 41.5, 45.5, 53.5 s) and its
    // reconciler's next 100 ms tick mounts it; the image pull (2 s) and start (1 s) follow.
    let attached = o.event_rows(",SuccessfulAttachVolume,Pod,default,db,");
    assert_eq!(times(&attached), [48_000]);
    assert_eq!(o.rows("Pod,default,db,Pending,Running"), ["56600,Pod,default,db,Pending,Running,,zone-b-0"]);

    // `archive` fits no PV and no provisioner makes one.
    let want = "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. \
                preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    assert_eq!(failures(&o, "archiver"), [want]);
    assert!(o.rows("PersistentVolumeClaim,default,archive,Pending,").is_empty(), "archive stays Pending");
    let archive = claim_events(&o, "archive");
    assert!(archive.iter().all(|(_, r)| r == "ProvisioningFailed"), "{archive:?}");
    assert!(o.events.contains("no volume plugin matched name: kubernetes.io/no-provisioner"));
}

const RECLAIM: &str = r#"
name: reclaim
seed: 1
duration: 5m
nodes: [{name: worker, count: 1, capacity: {cpu: "4", memory: 16Gi}}]
storage: {classes: [{name: "*", provision: 2s}]}
workloads:
  - object: {apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: fast}, provisioner: ebs.csi.aws.com}
  - object: {apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: keep}, provisioner: ebs.csi.aws.com, reclaimPolicy: Retain}
  - object:
      {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: scratch},
       spec: {storageClassName: fast, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}
  - object:
      {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: kept},
       spec: {storageClassName: keep, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}
  - at: 10s
    object:
      apiVersion: v1
      kind: Pod
      metadata: {name: user}
      spec:
        volumes: [{name: v, persistentVolumeClaim: {claimName: scratch}}]
        containers: [{name: app, image: busybox:1.36}]
actions:
  - {at: 1m, delete: pvc/scratch}
  - {at: 1m, delete: pvc/kept}
  - {at: 2m, delete: pod/user}
"#;

#[test]
fn a_claim_in_use_waits_for_its_pod_and_its_volume_is_reclaimed_as_its_policy_says() {
    let o = run(load_text(RECLAIM));
    // Both claims provisioned and bound after 2 s.
    assert_eq!(times(&o.rows("PersistentVolumeClaim,default,scratch,Pending,Bound")), [2_000]);
    assert_eq!(times(&o.rows("PersistentVolumeClaim,default,kept,Pending,Bound")), [2_000]);
    // `kept`: no pod uses it, it goes at 1m; its PV is Released and stays (Retain).
    assert_eq!(times(&o.rows("PersistentVolumeClaim,default,kept,Bound,Deleted")), [60_000]);
    let released = o.rows(",Bound,Released,,");
    assert_eq!(released.len(), 2, "{released:?}");
    assert_eq!(times(&released[..1]), [60_000]);
    // `scratch` is Terminating while the pod uses it (pvc-protection): it goes with the
    // pod object, then its PV is released and deleted (Delete).
    let gone = times(&o.rows("Pod,default,user,Running,"))[0];
    assert!(gone >= 120_000);
    let deleted = o.rows("PersistentVolumeClaim,default,scratch,Bound,Deleted");
    assert_eq!(deleted.len(), 1);
    let at = times(&deleted)[0];
    assert!(at >= gone, "the claim leaves once the pod is gone ({at} < {gone})");
    let pv_deleted = o.rows(",Released,Deleted,,");
    assert_eq!(times(&pv_deleted), [at], "the provisioned PV goes with the claim: {pv_deleted:?}");
    assert_eq!(times(&released[1..]), [at]);
}

const LOCAL: &str = r#"
name: local
seed: 1
duration: 6m
nodes: [{name: worker, count: 3, capacity: {cpu: "4", memory: 16Gi}}]
workloads:
  - object:
      {apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: local},
       provisioner: kubernetes.io/no-provisioner, volumeBindingMode: WaitForFirstConsumer}
  - object:
      apiVersion: v1
      kind: PersistentVolume
      metadata: {name: disk-1}
      spec:
        storageClassName: local
        capacity: {storage: 100Gi}
        accessModes: [ReadWriteOnce]
        local: {path: /mnt/disks/1}
        nodeAffinity:
          required:
            nodeSelectorTerms:
              - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [worker-1]}]
  - object:
      {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: data},
       spec: {storageClassName: local, accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}}
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {name: db}
      spec:
        volumes: [{name: v, persistentVolumeClaim: {claimName: data}}]
        containers: [{name: app, image: busybox:1.36}]
  - at: 2m
    object:
      apiVersion: v1
      kind: Pod
      metadata: {name: db-2}
      spec:
        volumes: [{name: v, persistentVolumeClaim: {claimName: data}}]
        containers: [{name: app, image: busybox:1.36}]
faults:
  - {at: 1m, node: worker-1, action: cordon, for: 3m}
"#;

#[test]
fn a_local_volume_pins_its_pods_to_its_node() {
    let o = run(load_text(LOCAL));
    // The only PV is on worker-1: the scheduler reserves it for the claim there, the PV
    // controller binds them, and the pod is bound at the scheduler's first poll (1 s).
    assert_eq!(scheduled(&o, "db"), Some((1_000, "worker-1".into())));
    assert_eq!(times(&o.rows("PersistentVolumeClaim,default,data,Pending,Bound")), [0]);
    // With worker-1 cordoned, a second pod of the claim fits nowhere: the other nodes are
    // not in the PV's node affinity.
    let want = "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match PersistentVolume's node affinity. \
                preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    assert_eq!(failures(&o, "db-2"), [want]);
    // Uncordoned at 4m, it goes to worker-1.
    assert_eq!(scheduled(&o, "db-2"), Some((240_000, "worker-1".into())));
}

const RWOP_AND_LIMITS: &str = r#"
name: rwop
seed: 1
duration: 2m
nodes:
  - {name: worker, count: 2, capacity: {cpu: "4", memory: 16Gi, attachable-volumes-csi-ebs.csi.aws.com: "1"}}
storage: {classes: [{name: "*", provision: 1s}]}
workloads:
  - object: {apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: fast}, provisioner: ebs.csi.aws.com}
  - object:
      {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: solo},
       spec: {storageClassName: fast, accessModes: [ReadWriteOncePod], resources: {requests: {storage: 1Gi}}}}
  - object:
      {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: other},
       spec: {storageClassName: fast, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}
  - object:
      {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: third},
       spec: {storageClassName: fast, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}
  - at: 10s
    object:
      apiVersion: v1
      kind: Pod
      metadata: {name: first}
      spec:
        volumes: [{name: v, persistentVolumeClaim: {claimName: solo}}]
        containers: [{name: app, image: busybox:1.36}]
  - at: 20s
    object:
      apiVersion: v1
      kind: Pod
      metadata: {name: second}
      spec:
        volumes: [{name: v, persistentVolumeClaim: {claimName: solo}}]
        containers: [{name: app, image: busybox:1.36}]
  - at: 30s
    object:
      apiVersion: v1
      kind: Pod
      metadata: {name: b}
      spec:
        volumes: [{name: v, persistentVolumeClaim: {claimName: other}}]
        containers: [{name: app, image: busybox:1.36}]
  - at: 40s
    object:
      apiVersion: v1
      kind: Pod
      metadata: {name: c}
      spec:
        volumes: [{name: v, persistentVolumeClaim: {claimName: third}}]
        containers: [{name: app, image: busybox:1.36}]
"#;

#[test]
fn a_read_write_once_pod_claim_takes_one_pod_and_a_node_attaches_its_limit() {
    let o = run(load_text(RWOP_AND_LIMITS));
    assert!(scheduled(&o, "first").is_some());
    let want = "0/2 nodes are available: 2 node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode. \
                preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.";
    assert_eq!(failures(&o, "second"), [want]);
    assert!(scheduled(&o, "second").is_none());
    // One volume of the driver per node: `b` takes the node `first` left free, and `c`
    // finds none.
    let (_, first_node) = scheduled(&o, "first").unwrap();
    let (_, b_node) = scheduled(&o, "b").unwrap();
    assert_ne!(first_node, b_node);
    let want = "0/2 nodes are available: 2 node(s) exceed max volume count. \
                preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.";
    assert_eq!(failures(&o, "c"), [want]);
}
