//! Deployments and ReplicaSets: their `kubectl get` rows (`printDeployment`,
//! `printReplicaSet`, `pkg/printers/internalversion/printers.go`), their API form for
//! `-o yaml|json`, and `kubectl describe`.

use super::describe::{
    Out, annotations_multiline, events_or_none, finish, labels_multiline, pod_template, rfc1123z, w,
};
use super::files::RunDir;
use super::model::Event;
use super::replay::{DeploymentState, ReplicaSetState};
use super::yaml::timestamp;
use crate::api::apps::IntOrString;
use crate::api::pod::PodTemplateSpec;
use crate::cluster::apps::REVISION_ANNOTATION;
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

/// The uid the views show for a ReplicaSet, Deployment or DaemonSet.
pub fn uid(run: &RunDir, uid: u64) -> String {
    super::replay::Uids(run.seed).apps(uid)
}

/// The Deployment as the API server would return it.
pub fn deployment_value(run: &RunDir, d: &DeploymentState) -> Value {
    let mut meta = Map::new();
    meta.insert("name".into(), d.api.metadata.name.clone().into());
    meta.insert("namespace".into(), d.api.metadata.namespace().into());
    meta.insert("uid".into(), uid(run, d.uid).into());
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
    meta.insert("uid".into(), uid(run, r.uid).into());
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
            json!([{"apiVersion": "apps/v1", "kind": o.kind, "name": o.name, "uid": uid(run, o.uid),
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

/// `findNewReplicaSet` (`kubectl/pkg/util/deployment/deployment.go`): the oldest owned
/// ReplicaSet whose template equals the Deployment's, ignoring `pod-template-hash`.
fn is_new(d: &DeploymentState, r: &ReplicaSetState) -> bool {
    let mut template = r.template.clone();
    template.metadata.labels.remove(crate::cluster::apps::POD_TEMPLATE_HASH_LABEL);
    template == d.api.spec.template
}

/// `printReplicaSetsByLabels`: `name (status/spec replicas created)`, comma-separated.
fn replica_sets_cell(list: &[&ReplicaSetState]) -> String {
    if list.is_empty() {
        return "<none>".into();
    }
    list.iter()
        .map(|r| format!("{} ({}/{} replicas created)", r.name, r.replicas, r.desired))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `kubectl describe deployment` (`describeDeployment`, `kubectl/pkg/describe/describe.go`).
/// `owned`: the ReplicaSets it controls. Unset strategy fields show the API server's
/// defaults (`apps/v1` `SetDefaults_Deployment`), as the API returns them.
pub fn describe_deployment(
    run: &RunDir,
    now: i64,
    d: &DeploymentState,
    owned: &[&ReplicaSetState],
    events: &[&Event],
) -> String {
    let mut out = Out::default();
    let (meta, spec) = (&d.api.metadata, &d.api.spec);
    w!(out, 0, "Name:\t{}\n", meta.name);
    w!(out, 0, "Namespace:\t{}\n", meta.namespace());
    w!(out, 0, "CreationTimestamp:\t{}\n", rfc1123z(run, Some(d.created)));
    labels_multiline(&mut out, "", "Labels", &meta.labels);
    let mut annotations = meta.annotations.clone();
    if d.revision > 0 {
        annotations.insert(REVISION_ANNOTATION.into(), d.revision.to_string());
    }
    out.text.push_str(&annotations_multiline("", "Annotations", &annotations));
    w!(out, 0, "Selector:\t{}\n", selector_cell(spec.selector.as_ref()));
    w!(
        out,
        0,
        "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
        spec.replicas.unwrap_or(1),
        d.updated,
        d.replicas,
        d.available,
        d.unavailable
    );
    let strategy = spec.strategy.clone().unwrap_or_default();
    let kind = strategy.type_.as_deref().unwrap_or("RollingUpdate");
    w!(out, 0, "StrategyType:\t{kind}\n");
    w!(out, 0, "MinReadySeconds:\t{}\n", spec.min_ready_seconds.unwrap_or(0));
    if kind == "RollingUpdate" {
        let rolling = strategy.rolling_update.unwrap_or_default();
        let quarter = IntOrString::String("25%".into());
        let unavailable = rolling.max_unavailable.unwrap_or_else(|| quarter.clone());
        let surge = rolling.max_surge.unwrap_or(quarter);
        w!(out, 0, "RollingUpdateStrategy:\t{unavailable} max unavailable, {surge} max surge\n");
    }
    pod_template(&mut out, run, &spec.template);
    if !d.conditions.is_empty() {
        w!(out, 0, "Conditions:\n  Type\tStatus\tReason\n");
        w!(out, 1, "----\t------\t------\n");
        for (kind, status, reason, ..) in &d.conditions {
            w!(out, 1, "{kind} \t{status}\t{reason}\n");
        }
    }
    // `findNewReplicaSet` and `findOldReplicaSets` over the list sorted by creation,
    // names breaking ties; every old one is shown, scaled to zero or not.
    let mut sorted = owned.to_vec();
    sorted.sort_by(|a, b| (a.created, &a.name).cmp(&(b.created, &b.name)));
    let new = sorted.iter().position(|r| is_new(d, r));
    if !sorted.is_empty() {
        let old: Vec<&ReplicaSetState> =
            sorted.iter().enumerate().filter(|(i, _)| Some(*i) != new).map(|(_, r)| *r).collect();
        let new: Vec<&ReplicaSetState> = new.map(|i| sorted[i]).into_iter().collect();
        w!(out, 0, "OldReplicaSets:\t{}\n", replica_sets_cell(&old));
        w!(out, 0, "NewReplicaSet:\t{}\n", replica_sets_cell(&new));
    }
    let events = events_or_none(&mut out, now, events);
    finish(out, events)
}

/// How many of a controller's pods are in each phase (`getPodStatusForController`):
/// running, waiting (Pending), succeeded, failed.
pub type PodPhases = [u32; 4];

/// `kubectl describe replicaset` (`describeReplicaSet`).
pub fn describe_replicaset(
    run: &RunDir,
    now: i64,
    r: &ReplicaSetState,
    phases: PodPhases,
    events: &[&Event],
) -> String {
    let mut out = Out::default();
    w!(out, 0, "Name:\t{}\n", r.name);
    w!(out, 0, "Namespace:\t{}\n", r.namespace);
    w!(out, 0, "Selector:\t{}\n", format_label_selector(Some(&r.selector)));
    labels_multiline(&mut out, "", "Labels", &r.labels);
    out.text.push_str(&annotations_multiline("", "Annotations", &r.annotations));
    if let Some(o) = &r.owner {
        w!(out, 0, "Controlled By:\t{}/{}\n", o.kind, o.name);
    }
    w!(out, 0, "Replicas:\t{} current / {} desired\n", r.replicas, r.desired);
    let [running, waiting, succeeded, failed] = phases;
    w!(out, 0, "Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n");
    pod_template(&mut out, run, &r.template);
    if r.failure.is_some() {
        // The one condition a ReplicaSet has (`ReplicaFailure`, reason `FailedCreate`).
        w!(out, 0, "Conditions:\n  Type\tStatus\tReason\n");
        w!(out, 1, "----\t------\t------\n");
        w!(out, 1, "ReplicaFailure \tTrue\tFailedCreate\n");
    }
    let events = events_or_none(&mut out, now, events);
    finish(out, events)
}
