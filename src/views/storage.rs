//! PersistentVolumeClaims, PersistentVolumes, StorageClasses, ConfigMaps and Secrets:
//! their `kubectl get` rows (`printPersistentVolumeClaim`, `printPersistentVolume`,
//! `printStorageClass`, `printConfigMap`, `printSecret` in
//! `pkg/printers/internalversion/printers.go`; `kubectl-printing.md` §12) and their API
//! form for `-o yaml|json`. `kubectl describe` of each is in `describe_storage.rs`.

use super::files::RunDir;
use super::replay::{ClaimState, Created, Uids, VolumeState};
use super::yaml::timestamp;
use crate::api::config::{ConfigMap, Secret};
use crate::api::storage::{AccessModes, StorageClass, keys};
use crate::kubectl::duration::translate_timestamp_since;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

pub const CLAIM_HEADERS: [&str; 8] =
    ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE"];
pub const VOLUME_HEADERS: [&str; 10] = [
    "NAME",
    "CAPACITY",
    "ACCESS MODES",
    "RECLAIM POLICY",
    "STATUS",
    "CLAIM",
    "STORAGECLASS",
    "VOLUMEATTRIBUTESCLASS",
    "REASON",
    "AGE",
];
/// The wide column of claims and PVs.
pub const VOLUME_MODE_HEADER: [&str; 1] = ["VOLUMEMODE"];
pub const CLASS_HEADERS: [&str; 6] =
    ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"];
pub const CONFIG_MAP_HEADERS: [&str; 3] = ["NAME", "DATA", "AGE"];
pub const SECRET_HEADERS: [&str; 4] = ["NAME", "TYPE", "DATA", "AGE"];

/// `GetAccessModesAsString`: `RWO,ROX,RWX,RWOP` in that order, duplicates dropped.
pub fn access_modes(modes: &[String]) -> String {
    AccessModes::from_names(modes).abbreviated()
}

/// The class a claim or PV shows: the beta annotation if present (even empty), else
/// `storageClassName`.
fn class_of(annotations: &BTreeMap<String, String>, field: Option<&str>) -> String {
    match annotations.get(keys::BETA_STORAGE_CLASS) {
        Some(c) => c.clone(),
        None => field.unwrap_or("").to_string(),
    }
}

fn or_unset(v: Option<&str>) -> String {
    v.map_or_else(|| "<unset>".to_string(), str::to_string)
}

impl ClaimState {
    /// STATUS: the phase, `Terminating` while being deleted.
    pub fn shown_status(&self) -> &str {
        if self.deletion.is_some() { "Terminating" } else { &self.phase }
    }

    pub fn class(&self) -> String {
        class_of(&self.annotations, self.api.spec.storage_class_name.as_deref())
    }

    /// `spec.volumeName`, empty when unbound.
    pub fn volume(&self) -> &str {
        self.volume_name.as_deref().unwrap_or("")
    }
}

impl VolumeState {
    pub fn shown_status(&self) -> &str {
        if self.deletion.is_some() { "Terminating" } else { &self.phase }
    }

    pub fn class(&self) -> String {
        class_of(&self.annotations, self.api.spec.storage_class_name.as_deref())
    }

    /// CLAIM: `<namespace>/<name>` of `claimRef`, or empty.
    pub fn claim(&self) -> String {
        self.claim_ref.as_ref().map_or_else(String::new, |(ns, name, _)| format!("{ns}/{name}"))
    }

    pub fn capacity(&self) -> String {
        self.api.spec.storage().map_or_else(|| "0".to_string(), |q| q.to_string())
    }
}

pub fn claim_row(c: &ClaimState, now: i64, wide: bool) -> Vec<String> {
    // CAPACITY and ACCESS MODES only once `spec.volumeName` is set (the zero quantity
    // while the status is not yet written).
    let (capacity, modes) = match c.volume() {
        "" => (String::new(), String::new()),
        _ => (c.capacity.clone().unwrap_or_else(|| "0".into()), access_modes(&c.access_modes)),
    };
    let mut row = vec![
        c.api.metadata.name.clone(),
        c.shown_status().to_string(),
        c.volume().to_string(),
        capacity,
        modes,
        c.class(),
        or_unset(c.api.spec.volume_attributes_class_name.as_deref()),
        translate_timestamp_since(now, Some(c.created)),
    ];
    if wide {
        row.push(or_unset(c.api.spec.volume_mode.as_deref()));
    }
    row
}

pub fn volume_row(v: &VolumeState, now: i64, wide: bool) -> Vec<String> {
    let spec = &v.api.spec;
    let mut row = vec![
        v.api.metadata.name.clone(),
        v.capacity(),
        access_modes(&spec.access_modes),
        spec.persistent_volume_reclaim_policy.clone().unwrap_or_default(),
        v.shown_status().to_string(),
        v.claim(),
        v.class(),
        or_unset(spec.volume_attributes_class_name.as_deref()),
        v.reason.clone(),
        translate_timestamp_since(now, Some(v.created)),
    ];
    if wide {
        row.push(or_unset(spec.volume_mode.as_deref()));
    }
    row
}

/// NAME gets ` (default)` when the class is annotated default (every such class, as
/// kubectl up to 1.35 marks them).
pub fn class_row(c: &Created<StorageClass>, now: i64) -> Vec<String> {
    let api = &c.api;
    let name = if api.is_default() { format!("{} (default)", api.metadata.name) } else { api.metadata.name.clone() };
    vec![
        name,
        api.provisioner.clone(),
        api.reclaim_policy.clone().unwrap_or_else(|| "Delete".into()),
        api.volume_binding_mode.clone().unwrap_or_else(|| "Immediate".into()),
        api.allow_volume_expansion.unwrap_or(false).to_string(),
        translate_timestamp_since(now, Some(c.created)),
    ]
}

pub fn config_map_row(c: &Created<ConfigMap>, now: i64) -> Vec<String> {
    vec![c.api.metadata.name.clone(), c.api.data_count().to_string(), translate_timestamp_since(now, Some(c.created))]
}

pub fn secret_row(s: &Created<Secret>, now: i64) -> Vec<String> {
    vec![
        s.api.metadata.name.clone(),
        s.api.type_name().to_string(),
        s.api.data_count().to_string(),
        translate_timestamp_since(now, Some(s.created)),
    ]
}

/// `metadata` as the API returns it: name, namespace (namespaced kinds), uid,
/// creation time, labels and annotations, finalizers and deletion timestamp.
fn metadata(
    run: &RunDir,
    meta: &crate::api::ObjectMeta,
    namespaced: bool,
    uid: String,
    created: i64,
    annotations: &BTreeMap<String, String>,
) -> Map<String, Value> {
    let mut m = Map::new();
    if !annotations.is_empty() {
        m.insert("annotations".into(), json!(annotations));
    }
    m.insert("creationTimestamp".into(), timestamp(run, created));
    if !meta.labels.is_empty() {
        m.insert("labels".into(), json!(meta.labels));
    }
    m.insert("name".into(), meta.name.clone().into());
    if namespaced {
        m.insert("namespace".into(), meta.namespace().into());
    }
    m.insert("uid".into(), uid.into());
    m
}

fn finalizers_and_deletion(run: &RunDir, m: &mut Map<String, Value>, finalizers: &[String], deletion: Option<i64>) {
    if let Some(d) = deletion {
        m.insert("deletionGracePeriodSeconds".into(), 0.into());
        m.insert("deletionTimestamp".into(), timestamp(run, d));
    }
    if !finalizers.is_empty() {
        m.insert("finalizers".into(), json!(finalizers));
    }
}

/// The spec of an object as serde wrote it, the fields a controller writes put back.
fn spec_value<T: serde::Serialize>(spec: &T) -> Map<String, Value> {
    match serde_json::to_value(spec) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

pub fn claim_value(run: &RunDir, c: &ClaimState) -> Value {
    let uids = Uids(run.seed);
    let mut meta = metadata(run, &c.api.metadata, true, uids.claim(c.uid), c.created, &c.annotations);
    finalizers_and_deletion(run, &mut meta, &c.finalizers, c.deletion);
    let mut spec = spec_value(&c.api.spec);
    if let Some(v) = &c.volume_name {
        spec.insert("volumeName".into(), v.clone().into());
    }
    let mut status = Map::new();
    if !c.access_modes.is_empty() {
        status.insert("accessModes".into(), json!(c.access_modes));
    }
    if let Some(q) = &c.capacity {
        status.insert("capacity".into(), json!({ "storage": q }));
    }
    status.insert("phase".into(), c.phase.clone().into());
    json!({
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": meta,
        "spec": spec,
        "status": status,
    })
}

pub fn volume_value(run: &RunDir, v: &VolumeState) -> Value {
    let uids = Uids(run.seed);
    let mut meta = metadata(run, &v.api.metadata, false, uids.volume(v.uid), v.created, &v.annotations);
    finalizers_and_deletion(run, &mut meta, &v.finalizers, v.deletion);
    let mut spec = spec_value(&v.api.spec);
    match &v.claim_ref {
        Some((ns, name, uid)) => {
            let mut r = Map::new();
            r.insert("apiVersion".into(), "v1".into());
            r.insert("kind".into(), "PersistentVolumeClaim".into());
            r.insert("name".into(), name.clone().into());
            r.insert("namespace".into(), ns.clone().into());
            if let Some(n) = uid {
                r.insert("uid".into(), uids.claim(*n).into());
            }
            spec.insert("claimRef".into(), r.into());
        }
        None => {
            spec.remove("claimRef");
        }
    }
    let mut status = Map::new();
    if !v.message.is_empty() {
        status.insert("message".into(), v.message.clone().into());
    }
    status.insert("phase".into(), v.phase.clone().into());
    if !v.reason.is_empty() {
        status.insert("reason".into(), v.reason.clone().into());
    }
    json!({
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": meta,
        "spec": spec,
        "status": status,
    })
}

/// An object whose fields are all at the top level (classes, ConfigMaps, Secrets).
fn top_level<T: serde::Serialize>(
    run: &RunDir,
    api: &T,
    meta: &crate::api::ObjectMeta,
    kind: (&str, &str),
    namespaced: bool,
    uid: String,
    created: i64,
) -> Value {
    let mut m = spec_value(api);
    m.insert("apiVersion".into(), kind.0.into());
    m.insert("kind".into(), kind.1.into());
    m.insert("metadata".into(), metadata(run, meta, namespaced, uid, created, &meta.annotations).into());
    Value::Object(m)
}

pub fn class_value(run: &RunDir, c: &Created<StorageClass>) -> Value {
    let uid = Uids(run.seed).class(c.uid);
    top_level(run, c.api.as_ref(), &c.api.metadata, ("storage.k8s.io/v1", "StorageClass"), false, uid, c.created)
}

pub fn config_map_value(run: &RunDir, c: &Created<ConfigMap>) -> Value {
    let uid = Uids(run.seed).config_map(c.uid);
    top_level(run, c.api.as_ref(), &c.api.metadata, ("v1", "ConfigMap"), true, uid, c.created)
}

pub fn secret_value(run: &RunDir, s: &Created<Secret>) -> Value {
    let uid = Uids(run.seed).secret(s.uid);
    top_level(run, s.api.as_ref(), &s.api.metadata, ("v1", "Secret"), true, uid, s.created)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn claim(volume: Option<&str>, capacity: Option<&str>) -> ClaimState {
        let api: crate::api::storage::PersistentVolumeClaim = serde_saphyr::from_str(
            "metadata: {name: data-db-0}\nspec: {accessModes: [ReadWriteOnce], storageClassName: standard, resources: {requests: {storage: 10Gi}}}",
        )
        .unwrap();
        ClaimState {
            uid: 1,
            api: Arc::new(api),
            created: 0,
            phase: if volume.is_some() { "Bound" } else { "Pending" }.into(),
            volume_name: volume.map(str::to_string),
            capacity: capacity.map(str::to_string),
            access_modes: vec!["ReadWriteOnce".into(), "ReadOnlyMany".into()],
            annotations: BTreeMap::new(),
            finalizers: Vec::new(),
            deletion: None,
        }
    }

    /// `printPersistentVolumeClaim`: CAPACITY and ACCESS MODES only once `volumeName` is
    /// set, `0` while the status is not yet written; the beta annotation wins the class.
    #[test]
    fn claim_rows_fill_capacity_and_modes_once_bound() {
        let row = claim_row(&claim(Some("pvc-3f0c"), Some("10Gi")), 300_000, false);
        assert_eq!(row, ["data-db-0", "Bound", "pvc-3f0c", "10Gi", "RWO,ROX", "standard", "<unset>", "5m"]);
        let row = claim_row(&claim(Some("pvc-3f0c"), None), 300_000, false);
        assert_eq!(&row[3..5], ["0", "RWO,ROX"]);
        let row = claim_row(&claim(None, None), 12_000, true);
        assert_eq!(row, ["data-db-0", "Pending", "", "", "", "standard", "<unset>", "12s", "<unset>"]);
        let mut beta = claim(None, None);
        beta.annotations.insert(keys::BETA_STORAGE_CLASS.into(), "old".into());
        assert_eq!(beta.class(), "old");
        let mut gone = claim(None, None);
        gone.deletion = Some(1);
        assert_eq!(claim_row(&gone, 2_000, false)[1], "Terminating");
    }

    #[test]
    fn access_modes_are_abbreviated_in_kubectls_order() {
        let m = |v: &[&str]| access_modes(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(m(&["ReadWriteMany", "ReadWriteOnce", "ReadOnlyMany"]), "RWO,ROX,RWX");
        assert_eq!(m(&["ReadWriteOncePod"]), "RWOP");
        assert_eq!(m(&[]), "");
    }
}
