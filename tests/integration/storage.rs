//! The storage objects end to end: claims, PVs, classes, ConfigMaps and Secrets
//! submitted and deleted by a scenario, with the API server's admission (the newest
//! default class, the protection finalizers), their rows in transitions.csv (the PV
//! controller binding what it can) and their lines in objects.jsonl.

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
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {name: p}
      spec:
        volumes:
          - {name: data, persistentVolumeClaim: {claimName: early}}
          - {name: scratch, emptyDir: {medium: Memory, sizeLimit: 64Mi}}
          - {name: conf, configMap: {name: app, optional: true}}
          - {name: creds, secret: {secretName: db}}
          - {name: host, hostPath: {path: /var/log}}
          - {name: all, projected: {sources: [{configMap: {name: app}}, {downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}]}}
        containers:
          - name: c
            image: busybox
            volumeMounts:
              - {name: data, mountPath: /data}
              - {name: conf, mountPath: /etc/app, readOnly: true}
              - {name: scratch, mountPath: /cache, subPath: c}
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
    // Each claim and PV starts Pending. The PV controller makes pv-0 Available and has
    // `early` provisioned (standard, Immediate: 5 s); `late` (WaitForFirstConsumer) waits
    // for a pod, and deleted with none using it, its finalizer lets it go at once; pv-0,
    // not Bound, goes at once too.
    assert_eq!(
        o.rows(",PersistentVolumeClaim,"),
        [
            "0,PersistentVolumeClaim,default,early,,Pending,,",
            "5000,PersistentVolumeClaim,default,early,Pending,Bound,,",
            "120000,PersistentVolumeClaim,default,late,,Pending,,",
            "180000,PersistentVolumeClaim,default,late,Pending,Deleted,,"
        ]
    );
    assert_eq!(
        o.rows(",PersistentVolume,,pv-0,"),
        [
            "0,PersistentVolume,,pv-0,,Pending,,",
            "0,PersistentVolume,,pv-0,Pending,Available,,",
            "360000,PersistentVolume,,pv-0,Available,Deleted,,"
        ]
    );
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

/// `podsim get` and `describe` of the storage kinds, column for column as kubectl
/// prints them (`kubectl-printing.md` §12), and a pod's volumes and mounts.
#[test]
fn storage_views_print_kubectls_columns() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.yaml"), SCENARIO).unwrap();
    let podsim = |args: &str| {
        let args: Vec<&str> = args.split(' ').collect();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_podsim"))
            .current_dir(dir.path())
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    podsim("run s.yaml --out R -q");
    let cases = [
        (
            "get pvc R --at 2m30s",
            "NAME    STATUS    VOLUME                                     CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE\n\
             early   Bound     pvc-12e1ed73-380b-4cfb-9097-6f15bb60941d   1Gi        RWO            standard       <unset>                 2m30s\n\
             late    Pending                                                                        fast-ssd       <unset>                 30s\n",
        ),
        (
            "get persistentvolumes R --at 5m -o wide",
            "NAME                                       CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS      CLAIM           STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE     VOLUMEMODE\n\
             pv-0                                       10Gi       RWO            Retain           Available                                  <unset>                          5m      Filesystem\n\
             pvc-12e1ed73-380b-4cfb-9097-6f15bb60941d   1Gi        RWO            Delete           Bound       default/early   standard       <unset>                          4m55s   Filesystem\n",
        ),
        (
            "get sc R --at 3m30s",
            "NAME                 PROVISIONER       RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE\n\
             fast-ssd (default)   ebs.csi.aws.com   Delete          WaitForFirstConsumer   false                  2m30s\n\
             standard (default)   ebs.csi.aws.com   Delete          Immediate              false                  3m30s\n",
        ),
        ("get cm R --at 3m30s", "NAME   DATA   AGE\napp    1      3m30s\n"),
        ("get secrets R --at 3m30s", "NAME   TYPE     DATA   AGE\ndb     Opaque   1      3m30s\n"),
        (
            "describe pvc late R --at 2m30s",
            "Name:          late\nNamespace:     default\nStorageClass:  fast-ssd\nStatus:        Pending\n\
             Volume:        \nLabels:        <none>\nAnnotations:   <none>\nFinalizers:    [kubernetes.io/pvc-protection]\n\
             Capacity:      \nAccess Modes:  \nVolumeMode:    Filesystem\nUsed By:       <none>\nEvents:\n\
             \x20 Type    Reason                Age               From                         Message\n\
             \x20 ----    ------                ----              ----                         -------\n\
             \x20 Normal  WaitForFirstConsumer  0s (x3 over 30s)  persistentvolume-controller  waiting for first consumer to be created before binding\n",
        ),
        ("get secret db R -o name --at 3m30s", "secret/db\n"),
    ];
    for (args, want) in cases {
        assert_eq!(podsim(args), want, "podsim {args}");
    }
    let pod = podsim("describe pod p R --at 3m30s");
    let mounts = "    Mounts:\n      /cache from scratch (rw,path=\"c\")\n      /data from data (rw)\n      /etc/app from conf (ro)\n";
    assert!(pod.contains(mounts), "{pod}");
    let volumes = "Volumes:\n  data:\n    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:  early\n    ReadOnly:   false\n  scratch:\n    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:     Memory\n    SizeLimit:  64Mi\n";
    assert!(pod.contains(volumes), "{pod}");
    assert!(
        pod.contains(
            "    ConfigMapName:      app\n    ConfigMapOptional:  <nil>\n    DownwardAPI:        true\nQoS Class:  "
        ),
        "{pod}"
    );
    // The claim the pod uses lists it.
    assert!(podsim("describe pvc early R --at 3m30s").contains("Used By:       p\n"));
    let secret = podsim("get secret db R -o yaml --at 3m30s");
    assert!(
        secret.contains("data:\n  password: aHVudGVyMg==\nkind: Secret\n") && secret.contains("type: Opaque\n"),
        "{secret}"
    );
}
