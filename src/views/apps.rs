//! Deployments and ReplicaSets: their `kubectl get` rows (`printDeployment`,
//! `printReplicaSet`, `pkg/printers/internalversion/printers.go`), their API form for
//! `-o yaml|json`, and `kubectl describe`.

use super::files::RunDir;
use super::replay::{DeploymentState, ReplicaSetState};
use super::yaml::timestamp;
use crate::api::pod::PodTemplateSpec;
use crate::kubectl::duration::translate_timestamp_since;
use crate::labels::{LabelSelector, format_label_selector, label_selector_as_selector};
use serde_json::{Map, Value, json};

pub const DEPLOYMENT_HEADERS: [&str; 5] = ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"];
pub const REPLICASET_HEADERS: [&str; 5] = ["NAME", "DESIRED", "CURRENT", "READY", "AGE"];
pub const WIDE_HEADERS: [&str; 3] = ["CONTAINERS", "IMAGES", "SELECTOR"];

/// `layoutContainerCells`: the names and images of the template's containers.
fn container_cells(template: &PodTemplateSpec) -> [String; 2] {
    let c = &template.spec.containers;
    [
        c.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(","),
        c.iter().map(|c| c.image.as_deref().unwrap_or("")).collect::<Vec<_>>().join(","),
    ]
}

/// `metav1.LabelSelectorAsSelector(...).String()`: empty for no selector,
/// `<invalid>` for one that cannot be read.
fn selector_cell(selector: Option<&LabelSelector>) -> String {
    match label_selector_as_selector(selector) {
        Ok(s) => s.to_string(),
        Err(_) => "<invalid>".into(),
    }
}

pub fn deployment_row(d: &DeploymentState, now: i64, wide: bool) -> Vec<String> {
    let spec = &d.api.spec;
    let desired = spec.replicas.unwrap_or(1);
    let mut cells = vec![
        d.api.metadata.name.clone(),
        format!("{}/{desired}", d.ready),
        d.updated.to_string(),
        d.available.to_string(),
        translate_timestamp_since(now, Some(d.created)),
    ];
    if wide {
        cells.extend(container_cells(&spec.template));
        cells.push(selector_cell(spec.selector.as_ref()));
    }
    cells
}

pub fn replicaset_row(r: &ReplicaSetState, now: i64, wide: bool) -> Vec<String> {
    let mut cells = vec![
        r.name.clone(),
        r.desired.to_string(),
        r.replicas.to_string(),
        r.ready.to_string(),
        translate_timestamp_since(now, Some(r.created)),
    ];
    if wide {
        cells.extend(container_cells(&r.template));
        cells.push(format_label_selector(Some(&r.selector)));
    }
    cells
}

/// The uid the views show for a ReplicaSet or Deployment.
pub fn uid(uid: u64) -> String {
    format!("apps-{uid}")
}

/// The Deployment as the API server would return it.
pub fn deployment_value(run: &RunDir, d: &DeploymentState) -> Value {
    let mut meta = Map::new();
    meta.insert("name".into(), d.api.metadata.name.clone().into());
    meta.insert("namespace".into(), d.api.metadata.namespace().into());
    meta.insert("uid".into(), uid(d.uid).into());
    meta.insert("creationTimestamp".into(), timestamp(run, d.created));
    meta.insert("generation".into(), 1.into());
    if !d.api.metadata.labels.is_empty() {
        meta.insert("labels".into(), json!(d.api.metadata.labels));
    }
    let mut annotations = d.api.metadata.annotations.clone();
    if d.revision > 0 {
        annotations.insert("deployment.kubernetes.io/revision".into(), d.revision.to_string());
    }
    if !annotations.is_empty() {
        meta.insert("annotations".into(), json!(annotations));
    }
    let conditions: Vec<Value> = d
        .conditions
        .iter()
        .map(|(kind, status, reason, message, update, transition)| {
            json!({
                "type": kind,
                "status": status,
                "reason": reason,
                "message": message,
                "lastUpdateTime": timestamp(run, *update),
                "lastTransitionTime": timestamp(run, *transition),
            })
        })
        .collect();
    let mut status = Map::new();
    for (k, v) in [
        ("replicas", d.replicas),
        ("updatedReplicas", d.updated),
        ("readyReplicas", d.ready),
        ("availableReplicas", d.available),
        ("unavailableReplicas", d.unavailable),
    ] {
        if v > 0 {
            status.insert(k.into(), v.into());
        }
    }
    status.insert("observedGeneration".into(), 1.into());
    if !conditions.is_empty() {
        status.insert("conditions".into(), conditions.into());
    }
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta,
        "spec": serde_json::to_value(&d.api.spec).expect("a deployment spec serializes"),
        "status": status,
    })
}

/// The ReplicaSet as the API server would return it.
pub fn replicaset_value(run: &RunDir, r: &ReplicaSetState) -> Value {
    let mut meta = Map::new();
    meta.insert("name".into(), r.name.clone().into());
    meta.insert("namespace".into(), r.namespace.to_string().into());
    meta.insert("uid".into(), uid(r.uid).into());
    meta.insert("creationTimestamp".into(), timestamp(run, r.created));
    if !r.labels.is_empty() {
        meta.insert("labels".into(), json!(r.labels));
    }
    if !r.annotations.is_empty() {
        meta.insert("annotations".into(), json!(r.annotations));
    }
    if let Some(o) = &r.owner {
        meta.insert(
            "ownerReferences".into(),
            json!([{"apiVersion": "apps/v1", "kind": o.kind, "name": o.name, "uid": uid(o.uid),
                    "controller": true, "blockOwnerDeletion": true}]),
        );
    }
    let mut status = Map::new();
    status.insert("replicas".into(), r.replicas.into());
    for (k, v) in
        [("fullyLabeledReplicas", r.fully_labeled), ("readyReplicas", r.ready), ("availableReplicas", r.available)]
    {
        if v > 0 {
            status.insert(k.into(), v.into());
        }
    }
    let mut spec = Map::new();
    spec.insert("replicas".into(), r.desired.into());
    if r.min_ready_seconds > 0 {
        spec.insert("minReadySeconds".into(), r.min_ready_seconds.into());
    }
    spec.insert("selector".into(), serde_json::to_value(&r.selector).expect("a selector serializes"));
    spec.insert("template".into(), serde_json::to_value(&r.template).expect("a template serializes"));
    json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta, "spec": spec, "status": status})
}
