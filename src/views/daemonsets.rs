//! DaemonSets: their `kubectl get` rows (`printDaemonSet`,
//! `pkg/printers/internalversion/printers.go`), their API form for `-o yaml|json`, and
//! `kubectl describe daemonset` (`DaemonSetDescriber`, kubectl `describe.go`).

use super::apps::uid;
use super::files::RunDir;
use super::replay::DaemonSetState;
use super::yaml::timestamp;
use crate::kubectl::duration::translate_timestamp_since;
use crate::labels::{format_label_selector, label_selector_as_selector};
use serde_json::{Map, Value, json};

pub const HEADERS: [&str; 8] =
    ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"];

/// `labels.FormatLabels` of the template's node selector: `<none>` when empty.
pub fn node_selector(d: &DaemonSetState) -> String {
    let s = &d.api.spec.template.spec.node_selector;
    if s.is_empty() {
        return "<none>".into();
    }
    s.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

pub fn row(d: &DaemonSetState, now: i64, wide: bool) -> Vec<String> {
    let s = d.status.as_ref();
    let n = |f: fn(&crate::trace::lines::DaemonSetStatus) -> u32| s.map_or(0, f).to_string();
    let mut cells = vec![
        d.api.metadata.name.clone(),
        n(|s| s.desired),
        n(|s| s.current),
        n(|s| s.ready),
        n(|s| s.updated),
        n(|s| s.available),
        node_selector(d),
        translate_timestamp_since(now, Some(d.created)),
    ];
    if wide {
        let c = &d.api.spec.template.spec.containers;
        cells.push(c.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(","));
        cells.push(c.iter().map(|c| c.image.as_deref().unwrap_or("")).collect::<Vec<_>>().join(","));
        cells.push(format_label_selector(d.api.spec.selector.as_ref()));
    }
    cells
}

/// The DaemonSet as the API server would return it.
pub fn value(run: &RunDir, d: &DaemonSetState) -> Value {
    let mut meta = Map::new();
    meta.insert("name".into(), d.api.metadata.name.clone().into());
    meta.insert("namespace".into(), d.api.metadata.namespace().into());
    meta.insert("uid".into(), uid(run, d.uid).into());
    meta.insert("creationTimestamp".into(), timestamp(run, d.created));
    meta.insert("generation".into(), d.generation.into());
    if !d.api.metadata.labels.is_empty() {
        meta.insert("labels".into(), json!(d.api.metadata.labels));
    }
    if !d.api.metadata.annotations.is_empty() {
        meta.insert("annotations".into(), json!(d.api.metadata.annotations));
    }
    let mut status = Map::new();
    if let Some(s) = &d.status {
        // Zero counts are omitted as Go's `omitempty` does, except the four required ones.
        status.insert("currentNumberScheduled".into(), s.current.into());
        status.insert("desiredNumberScheduled".into(), s.desired.into());
        status.insert("numberMisscheduled".into(), s.misscheduled.into());
        status.insert("numberReady".into(), s.ready.into());
        for (k, v) in [
            ("numberAvailable", s.available),
            ("numberUnavailable", s.unavailable),
            ("updatedNumberScheduled", s.updated),
        ] {
            if v > 0 {
                status.insert(k.into(), v.into());
            }
        }
        status.insert("observedGeneration".into(), s.observed_generation.into());
    }
    json!({
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": meta,
        "spec": serde_json::to_value(&d.api.spec).expect("a daemonset spec serializes"),
        "status": status,
    })
}

/// The selector as describe prints it (`metav1.LabelSelectorAsSelector(...).String()`).
pub fn selector_text(d: &DaemonSetState) -> String {
    match label_selector_as_selector(d.api.spec.selector.as_ref()) {
        Ok(s) => s.to_string(),
        Err(e) => format!("Failed to get selector: {}", e.message()),
    }
}
