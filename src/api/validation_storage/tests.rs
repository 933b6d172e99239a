//! Table tests of the storage kinds' validation: each case is a manifest the API server
//! refuses, with the first message it prints (`pkg/apis/core/validation/validation.go`,
//! `pkg/apis/storage/validation/validation.go`).

use super::*;
use crate::api::pod::PodSpec;

fn errors(validate: impl Fn(&mut Vec<FieldError>)) -> Vec<String> {
    let mut errs = Vec::new();
    validate(&mut errs);
    errs.iter().map(|e| e.to_string()).collect()
}

fn pvc_errors(yaml: &str) -> Vec<String> {
    let mut pvc: PersistentVolumeClaim = serde_saphyr::from_str(yaml).unwrap();
    default_pvc(&mut pvc);
    errors(|e| validate_pvc(&pvc, e))
}

fn pv_errors(yaml: &str) -> Vec<String> {
    let mut pv: PersistentVolume = serde_saphyr::from_str(yaml).unwrap();
    default_pv(&mut pv);
    errors(|e| validate_pv(&pv, e))
}

fn sc_errors(yaml: &str) -> Vec<String> {
    let mut sc: StorageClass = serde_saphyr::from_str(yaml).unwrap();
    default_storage_class(&mut sc);
    errors(|e| validate_storage_class(&sc, e))
}

fn pod_errors(yaml: &str) -> Vec<String> {
    let mut spec: PodSpec = serde_saphyr::from_str(yaml).unwrap();
    crate::api::validation::default_pod_spec(&mut spec);
    errors(|e| crate::api::validation::validate_pod_spec(&spec, &FieldPath::root("spec"), e))
}

fn check(cases: &[(&str, &str)], run: impl Fn(&str) -> Vec<String>) {
    for (yaml, want) in cases {
        let got = run(yaml);
        if want.is_empty() {
            assert!(got.is_empty(), "{yaml}\nwant no error\ngot {got:#?}");
        } else {
            assert!(got.iter().any(|e| e == want), "{yaml}\nwant {want}\ngot {got:#?}");
        }
    }
}

#[test]
fn claims() {
    let ok = "metadata: {name: data}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}";
    check(
        &[
            (ok, ""),
            (
                "metadata: {name: data}\nspec: {resources: {requests: {storage: 1Gi}}}",
                "spec.accessModes: Required value: at least 1 access mode is required",
            ),
            (
                "metadata: {name: data}\nspec: {accessModes: [ReadWriteOnce, ReadWriteOncePod], resources: {requests: {storage: 1Gi}}}",
                "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes",
            ),
            (
                "metadata: {name: data}\nspec: {accessModes: [ReadWriteSometimes], resources: {requests: {storage: 1Gi}}}",
                "spec.accessModes: Unsupported value: \"ReadWriteSometimes\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"",
            ),
            ("metadata: {name: data}\nspec: {accessModes: [ReadWriteOnce]}", "spec.resources[storage]: Required value"),
            (
                "metadata: {name: data}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: \"0\"}}}",
                "spec.resources[storage]: Invalid value: \"0\": must be greater than zero",
            ),
            (
                "metadata: {name: data}\nspec: {accessModes: [ReadWriteOnce], volumeMode: Raw, resources: {requests: {storage: 1Gi}}}",
                "spec.volumeMode: Unsupported value: \"Raw\": supported values: \"Block\", \"Filesystem\"",
            ),
            (
                "metadata: {name: data}\nspec: {accessModes: [ReadWriteOnce], storageClassName: Fast_SSD, resources: {requests: {storage: 1Gi}}}",
                &format!("spec.storageClassName: Invalid value: \"Fast_SSD\": {DNS1123_SUBDOMAIN_MSG}"),
            ),
            (
                "metadata: {name: data}\nspec: {accessModes: [ReadWriteOnce], selector: {matchLabels: {tier: \"-x\"}}, resources: {requests: {storage: 1Gi}}}",
                "spec.selector.matchLabels: Invalid value: \"-x\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ),
        ],
        pvc_errors,
    );
}

#[test]
fn volumes() {
    let base = "metadata: {name: pv0}\nspec: {accessModes: [ReadWriteOnce], capacity: {storage: 10Gi}, ";
    check(
        &[
            (&format!("{base}csi: {{driver: ebs.csi.aws.com, volumeHandle: vol-1}}}}"), ""),
            (&format!("{base}}}"), "spec: Required value: must specify a volume type"),
            (
                &format!("{base}hostPath: {{path: /a}}, nfs: {{server: s, path: /b}}}}"),
                "spec.nfs: Forbidden: may not specify more than 1 volume type",
            ),
            (
                &format!("{base}local: {{path: /mnt/disk}}}}"),
                "spec.nodeAffinity: Required value: Local volume requires node affinity",
            ),
            (
                &format!("{base}persistentVolumeReclaimPolicy: Keep, hostPath: {{path: /a}}}}"),
                "spec.persistentVolumeReclaimPolicy: Unsupported value: \"Keep\": supported values: \"Delete\", \"Recycle\", \"Retain\"",
            ),
            (
                "metadata: {name: pv0}\nspec: {accessModes: [ReadWriteOnce], hostPath: {path: /a}}",
                "spec.capacity: Required value",
            ),
            (
                "metadata: {name: pv0}\nspec: {capacity: {storage: 1Gi}, hostPath: {path: /a}}",
                "spec.accessModes: Required value",
            ),
            (&format!("{base}csi: {{driver: ebs.csi.aws.com}}}}"), "spec.csi.volumeHandle: Required value"),
            (
                &format!("{base}local: {{path: /mnt}}, nodeAffinity: {{}}}}"),
                "spec.nodeAffinity.required: Required value: must specify required node constraints",
            ),
        ],
        pv_errors,
    );
}

#[test]
fn classes() {
    check(
        &[
            ("metadata: {name: fast}\nprovisioner: ebs.csi.aws.com", ""),
            ("metadata: {name: fast}", "provisioner: Required value"),
            (
                "metadata: {name: fast}\nprovisioner: p\nreclaimPolicy: Recycle",
                "reclaimPolicy: Unsupported value: \"Recycle\": supported values: \"Delete\", \"Retain\"",
            ),
            (
                "metadata: {name: fast}\nprovisioner: p\nvolumeBindingMode: Later",
                "volumeBindingMode: Unsupported value: \"Later\": supported values: \"Immediate\", \"WaitForFirstConsumer\"",
            ),
            (
                "metadata: {name: fast}\nprovisioner: p\nallowedTopologies: [{matchLabelExpressions: [{key: topology.kubernetes.io/zone, values: []}]}]",
                "allowedTopologies[0].matchLabelExpressions[0].values: Required value",
            ),
        ],
        sc_errors,
    );
}

#[test]
fn config_maps_and_secrets() {
    let cm = |yaml: &str| {
        let c: ConfigMap = serde_saphyr::from_str(yaml).unwrap();
        errors(|e| validate_config_map(&c, e))
    };
    check(
        &[
            ("metadata: {name: app}\ndata: {app.conf: x}\nbinaryData: {logo: aGVsbG8=}", ""),
            (
                "metadata: {name: app}\ndata: {a: x}\nbinaryData: {a: aGVsbG8=}",
                "data[a]: Invalid value: \"a\": duplicate of key present in binaryData",
            ),
            (
                "metadata: {name: app}\ndata: {\"a b\": x}",
                "data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
            ),
            ("metadata: {name: app}\ndata: {\"..\": x}", "data[..]: Invalid value: \"..\": must not be '..'"),
            (
                "metadata: {name: app}\nbinaryData: {b: \"aGVs!G8=\"}",
                "binaryData[b]: illegal base64 data at input byte 4",
            ),
        ],
        cm,
    );
    let big = format!("metadata: {{name: app}}\ndata: {{a: {}}}", "x".repeat(MAX_DATA_BYTES + 1));
    assert_eq!(cm(&big), [": Too long: may not be more than 1048576 bytes"]);
    let secret = |yaml: &str| {
        let mut s: Secret = serde_saphyr::from_str(yaml).unwrap();
        default_secret(&mut s);
        errors(|e| validate_secret(&s, e))
    };
    check(
        &[
            ("metadata: {name: db}\ndata: {password: cGFzcw==}\nstringData: {user: admin}", ""),
            ("metadata: {name: tls}\ntype: kubernetes.io/tls\ndata: {tls.crt: eA==}", "data[tls.key]: Required value"),
            ("metadata: {name: db}\ndata: {password: cGFzcw}", "data[password]: illegal base64 data at input byte 6"),
            // Upstream's emptiness checks: an SSH key and a service account name present
            // but empty are missing; a basic-auth username may be empty.
            (
                "metadata: {name: k}\ntype: kubernetes.io/ssh-auth\ndata: {ssh-privatekey: \"\"}",
                "data[ssh-privatekey]: Required value",
            ),
            ("metadata: {name: k}\ntype: kubernetes.io/ssh-auth\nstringData: {ssh-privatekey: key}", ""),
            (
                "metadata: {name: t, annotations: {kubernetes.io/service-account.name: \"\"}}\ntype: kubernetes.io/service-account-token",
                "metadata.annotations[kubernetes.io/service-account.name]: Required value",
            ),
            ("metadata: {name: b}\ntype: kubernetes.io/basic-auth\nstringData: {username: \"\"}", ""),
        ],
        secret,
    );
    // The TLS pair in upstream's order: the certificate, then the key.
    assert_eq!(
        secret("metadata: {name: tls}\ntype: kubernetes.io/tls"),
        ["data[tls.crt]: Required value", "data[tls.key]: Required value"]
    );
}

#[test]
fn base64_lengths_and_errors() {
    assert_eq!(base64_decoded_len(""), Ok(0));
    assert_eq!(base64_decoded_len("aGVsbG8="), Ok(5));
    assert_eq!(base64_decoded_len("aGVsbA=="), Ok(4));
    assert_eq!(base64_decoded_len("aGVs\nbG8h"), Ok(6));
    assert_eq!(base64_decoded_len("aGVsbG8=x"), Err(8));
    assert_eq!(base64_decoded_len("a==="), Err(1));
}

#[test]
fn pod_volumes_and_mounts() {
    let c = "containers: [{name: app, image: nginx, volumeMounts: [{name: data, mountPath: /data}]}]";
    check(
        &[
            (&format!("volumes: [{{name: data, emptyDir: {{}}}}]\n{c}"), ""),
            (&format!("volumes: [{{name: data}}]\n{c}"), ""),
            (
                &format!("volumes: [{{name: other, emptyDir: {{}}}}]\n{c}"),
                "spec.containers[0].volumeMounts[0].name: Not found: \"data\"",
            ),
            (
                &format!("volumes: [{{name: Data, emptyDir: {{}}}}]\n{c}"),
                &format!("spec.volumes[0].name: Invalid value: \"Data\": {DNS1123_LABEL_MSG}"),
            ),
            (
                &format!("volumes: [{{name: data, emptyDir: {{}}}}, {{name: data, emptyDir: {{}}}}]\n{c}"),
                "spec.volumes[1].name: Duplicate value: \"data\"",
            ),
            (
                &format!("volumes: [{{name: data, emptyDir: {{}}, configMap: {{name: c}}}}]\n{c}"),
                "spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type",
            ),
            (
                &format!("volumes: [{{name: data, emptyDir: {{sizeLimit: \"-1Gi\"}}}}]\n{c}"),
                "spec.volumes[0].emptyDir.sizeLimit: Forbidden: SizeLimit field must be a valid resource quantity",
            ),
            (
                &format!("volumes: [{{name: data, configMap: {{}}}}]\n{c}"),
                "spec.volumes[0].configMap.name: Required value",
            ),
            (
                &format!("volumes: [{{name: data, secret: {{}}}}]\n{c}"),
                "spec.volumes[0].secret.secretName: Required value",
            ),
            (
                &format!("volumes: [{{name: data, persistentVolumeClaim: {{}}}}]\n{c}"),
                "spec.volumes[0].persistentVolumeClaim.claimName: Required value",
            ),
            (
                &format!("volumes: [{{name: data, hostPath: {{path: \"\"}}}}]\n{c}"),
                "spec.volumes[0].hostPath.path: Required value",
            ),
            (
                &format!("volumes: [{{name: data, hostPath: {{path: /x, type: Dir}}}}]\n{c}"),
                "spec.volumes[0].hostPath.type: Unsupported value: \"Dir\": supported values: \"\", \"BlockDevice\", \"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", \"FileOrCreate\", \"Socket\"",
            ),
            (
                &format!(
                    "volumes: [{{name: data, ephemeral: {{volumeClaimTemplate: {{spec: {{resources: {{requests: {{storage: 1Gi}}}}}}}}}}}}]\n{c}"
                ),
                "spec.volumes[0].ephemeral.volumeClaimTemplate.spec.accessModes: Required value: at least 1 access mode is required",
            ),
            (
                "volumes: [{name: data, emptyDir: {}}]\ncontainers: [{name: app, image: nginx, volumeMounts: [{name: data}]}]",
                "spec.containers[0].volumeMounts[0].mountPath: Required value",
            ),
            (
                "volumes: [{name: data, emptyDir: {}}]\ncontainers: [{name: app, image: nginx, volumeMounts: [{name: data, mountPath: /d}, {name: data, mountPath: /d}]}]",
                "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/d\": must be unique",
            ),
            (
                "volumes: [{name: data, emptyDir: {}}]\ninitContainers: [{name: init, image: busybox, volumeMounts: [{name: cache, mountPath: /c}]}]\ncontainers: [{name: app, image: nginx}]",
                "spec.initContainers[0].volumeMounts[0].name: Not found: \"cache\"",
            ),
        ],
        pod_errors,
    );
}

#[test]
fn defaults() {
    let mut spec: PodSpec = serde_saphyr::from_str(
        "volumes: [{name: a}, {name: b, configMap: {name: c}}, {name: h, hostPath: {path: /x}}]\ncontainers: [{name: c}]",
    )
    .unwrap();
    crate::api::validation::default_pod_spec(&mut spec);
    assert!(spec.volumes[0].empty_dir.is_some());
    assert_eq!(spec.volumes[1].config_map.as_ref().unwrap().default_mode, Some(420));
    assert_eq!(spec.volumes[2].host_path.as_ref().unwrap().type_.as_deref(), Some(""));
    let mut sc: StorageClass = serde_saphyr::from_str("metadata: {name: s}\nprovisioner: p").unwrap();
    default_storage_class(&mut sc);
    assert_eq!((sc.reclaim_policy.as_deref(), sc.volume_binding_mode.as_deref()), (Some("Delete"), Some("Immediate")));
}
