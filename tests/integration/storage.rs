//! The storage objects end to end, before their controllers: claims, PVs, classes,
//! ConfigMaps and Secrets submitted and deleted by a scenario, with the API server's
//! admission (the newest default class, the protection finalizers), their rows in
//! transitions.csv and their lines in objects.jsonl.

use crate::common::*;

const SCENARIO: &str = r#"
name: storage-objects
duration: 10m
nodes:
  - {name: worker, count: 1, capacity: {cpu: "4", memory: 16Gi, pods: 110}}
storage:
  classes:
    - {name: "fast-*", provision: 2s, attach: {uniform: {min: 5s, max: 15s}}}
workloads:
  - object: {apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: standard, annotations: {storageclass.kubernetes.io/is-default-class: "true"}}, provisioner: ebs.csi.aws.com}
  - at: 1m
    object: {apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: fast-ssd, annotations: {storageclass.kubernetes.io/is-default-class: "true"}}, provisioner: ebs.csi.aws.com, volumeBindingMode: WaitForFirstConsumer}
  - object: {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: early}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}
  - at: 2m
    object: {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: late}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}
  - object: {apiVersion: v1, kind: PersistentVolume, metadata: {name: pv-0}, spec: {capacity: {storage: 10Gi}, accessModes: [ReadWriteOnce], nfs: {server: nfs.local, path: /exports/a}}}
  - object: {apiVersion: v1, kind: ConfigMap, metadata: {name: app}, data: {a: "1"}}
  - object: {apiVersion: v1, kind: Secret, metadata: {name: db}, stringData: {password: hunter2}}
  - object: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: busybox}]}}
actions:
  - {at: 3m, delete: pvc/late}
  - {at: 4m, delete: configmap/app}
  - {at: 4m, delete: secret/db}
  - {at: 5m, delete: storageclass/standard}
  - {at: 6m, delete: pv/pv-0}
"#;

#[test]
fn storage_objects_are_admitted_recorded_and_deleted() {
    let o = run(load_text(SCENARIO));
    // Each claim and PV starts Pending; nothing binds them without the PV controller.
    assert_eq!(
        o.rows(",PersistentVolumeClaim,"),
        ["0,PersistentVolumeClaim,default,early,,Pending,,", "120000,PersistentVolumeClaim,default,late,,Pending,,"]
    );
    assert_eq!(o.rows(",PersistentVolume,"), ["0,PersistentVolume,,pv-0,,Pending,,"]);
    let lines: Vec<&str> = o.objects.lines().collect();
    let line = |op: &str, needle: &str| {
        lines.iter().find(|l| l.contains(&format!("\"op\":\"{op}\"")) && l.contains(needle)).copied()
    };
    // DefaultStorageClass: the claim made before fast-ssd existed gets standard, the
    // later one the newest default.
    assert!(
        line("PersistentVolumeClaimCreated", "\"name\":\"early\"")
            .unwrap()
            .contains("\"storageClassName\":\"standard\"")
    );
    assert!(
        line("PersistentVolumeClaimCreated", "\"name\":\"late\"")
            .unwrap()
            .contains("\"storageClassName\":\"fast-ssd\"")
    );
    // StorageObjectInUseProtection's finalizers; the deleted claim is held Terminating.
    assert!(
        line("PersistentVolumeClaimStatus", "\"t\":0,")
            .unwrap()
            .contains("\"finalizers\":[\"kubernetes.io/pvc-protection\"]")
    );
    assert!(line("PersistentVolumeClaimStatus", "\"deletion\":180000").is_some(), "{lines:#?}");
    assert!(line("PersistentVolumeStatus", "\"deletion\":360000").unwrap().contains("kubernetes.io/pv-protection"));
    // The others leave at once; a Secret is stored with its stringData as data.
    assert!(line("SecretCreated", "\"data\":{\"password\":\"aHVudGVyMg==\"}").is_some(), "{lines:#?}");
    assert!(line("SecretCreated", "stringData").is_none());
    for op in ["ConfigMapRemoved", "SecretRemoved"] {
        assert!(line(op, "\"t\":240000").is_some(), "{op}");
    }
    assert!(line("StorageClassRemoved", "\"t\":300000").is_some());
}

#[test]
fn deleting_what_does_not_exist_is_a_warning() {
    let text = SCENARIO.replace("delete: pvc/late", "delete: pvc/missing");
    let scenario = load_text(&text);
    let o = run(scenario);
    assert!(
        o.summary.contains("delete persistentvolumeclaim/default/missing: no such PersistentVolumeClaim"),
        "{}",
        o.summary
    );
}
