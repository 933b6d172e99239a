//! PodDisruptionBudgets: their `kubectl get` row (`printPodDisruptionBudget`,
//! `pkg/printers/internalversion/printers.go`) and their API form for `-o yaml|json`.
//! `kubectl describe` is in `describe.rs`.

use super::files::RunDir;
use super::replay::BudgetState;
use super::yaml::timestamp;
use crate::api::apps::IntOrString;
use crate::kubectl::duration::translate_timestamp_since;
use serde_json::{Map, Value, json};

pub const HEADERS: [&str; 5] = ["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"];

/// `IntOrString.String()`: `2` or `50%`.
pub fn int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

pub fn row(b: &BudgetState, now: i64) -> Vec<String> {
    let spec = &b.api.spec;
    let or_na = |v: &Option<IntOrString>| v.as_ref().map_or_else(|| "N/A".to_string(), int_or_string);
    vec![
        b.api.metadata.name.clone(),
        or_na(&spec.min_available),
        or_na(&spec.max_unavailable),
        b.disruptions_allowed.to_string(),
        translate_timestamp_since(now, Some(b.created)),
    ]
}

/// The uid the views show for a budget.
pub fn uid(run: &RunDir, uid: u64) -> String {
    super::replay::Uids(run.seed).budget(uid)
}

/// The budget as the API server would return it.
pub fn value(run: &RunDir, b: &BudgetState) -> Value {
    let meta_api = &b.api.metadata;
    let mut meta = Map::new();
    meta.insert("name".into(), meta_api.name.clone().into());
    meta.insert("namespace".into(), meta_api.namespace().into());
    meta.insert("uid".into(), uid(run, b.uid).into());
    meta.insert("creationTimestamp".into(), timestamp(run, b.created));
    meta.insert("generation".into(), 1.into());
    if !meta_api.labels.is_empty() {
        meta.insert("labels".into(), json!(meta_api.labels));
    }
    if !meta_api.annotations.is_empty() {
        meta.insert("annotations".into(), json!(meta_api.annotations));
    }
    let mut status = Map::new();
    if let Some((ok, reason, message, at)) = &b.condition {
        status.insert(
            "conditions".into(),
            json!([{
                "lastTransitionTime": timestamp(run, *at),
                "message": message,
                "observedGeneration": 1,
                "reason": reason,
                "status": if *ok { "True" } else { "False" },
                "type": "DisruptionAllowed",
            }]),
        );
    }
    status.insert("currentHealthy".into(), b.current_healthy.into());
    status.insert("desiredHealthy".into(), b.desired_healthy.into());
    if !b.disrupted_pods.is_empty() {
        let pods: Map<String, Value> =
            b.disrupted_pods.iter().map(|(n, at)| (n.clone(), timestamp(run, *at))).collect();
        status.insert("disruptedPods".into(), pods.into());
    }
    status.insert("disruptionsAllowed".into(), b.disruptions_allowed.into());
    status.insert("expectedPods".into(), b.expected_pods.into());
    if b.observed {
        status.insert("observedGeneration".into(), 1.into());
    }
    json!({
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": meta,
        "spec": serde_json::to_value(&b.api.spec).expect("a budget's spec serializes"),
        "status": status,
    })
}
