//! StatefulSets: their `kubectl get` rows (`printStatefulSet`,
//! `pkg/printers/internalversion/printers.go`: NAME, READY, AGE; CONTAINERS and IMAGES
//! with `-o wide`, no SELECTOR), and their API form for `-o yaml|json`.

use super::apps::uid;
use super::files::RunDir;
use super::replay::StatefulSetState;
use super::yaml::timestamp;
use crate::kubectl::duration::translate_timestamp_since;
use crate::labels::label_selector_as_selector;
use serde_json::{Map, Value, json};

pub const HEADERS: [&str; 3] = ["NAME", "READY", "AGE"];
pub const WIDE_HEADERS: [&str; 2] = ["CONTAINERS", "IMAGES"];

/// `spec.replicas` as the object says it (1 when unset, its default).
pub fn replicas(s: &StatefulSetState) -> i32 {
    s.api.spec.replicas.unwrap_or(1)
}

pub fn row(s: &StatefulSetState, now: i64, wide: bool) -> Vec<String> {
    let ready = s.status.as_ref().map_or(0, |x| x.ready);
    let mut cells = vec![
        s.api.metadata.name.clone(),
        format!("{ready}/{}", replicas(s)),
        translate_timestamp_since(now, Some(s.created)),
    ];
    if wide {
        let c = &s.api.spec.template.spec.containers;
        cells.push(c.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(","));
        cells.push(c.iter().map(|c| c.image.as_deref().unwrap_or("")).collect::<Vec<_>>().join(","));
    }
    cells
}

/// The StatefulSet as the API server would return it.
pub fn value(run: &RunDir, s: &StatefulSetState) -> Value {
    let mut meta = Map::new();
    meta.insert("name".into(), s.api.metadata.name.clone().into());
    meta.insert("namespace".into(), s.api.metadata.namespace().into());
    meta.insert("uid".into(), uid(run, s.uid).into());
    meta.insert("creationTimestamp".into(), timestamp(run, s.created));
    meta.insert("generation".into(), s.generation.into());
    if !s.api.metadata.labels.is_empty() {
        meta.insert("labels".into(), json!(s.api.metadata.labels));
    }
    if !s.api.metadata.annotations.is_empty() {
        meta.insert("annotations".into(), json!(s.api.metadata.annotations));
    }
    let mut status = Map::new();
    if let Some(st) = &s.status {
        // Go's `omitempty` leaves out zero counts, except `replicas`.
        status.insert("availableReplicas".into(), st.available.into());
        status.insert("collisionCount".into(), st.collision_count.into());
        if st.current > 0 {
            status.insert("currentReplicas".into(), st.current.into());
        }
        status.insert("currentRevision".into(), st.current_revision.as_ref().into());
        status.insert("observedGeneration".into(), st.observed_generation.into());
        if st.ready > 0 {
            status.insert("readyReplicas".into(), st.ready.into());
        }
        status.insert("replicas".into(), st.replicas.into());
        status.insert("updateRevision".into(), st.update_revision.as_ref().into());
        if st.updated > 0 {
            status.insert("updatedReplicas".into(), st.updated.into());
        }
    }
    json!({
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": meta,
        "spec": serde_json::to_value(&s.api.spec).expect("a statefulset spec serializes"),
        "status": status,
    })
}

/// The selector as describe prints it (`metav1.LabelSelectorAsSelector(...).String()`).
pub fn selector_text(s: &StatefulSetState) -> String {
    match label_selector_as_selector(s.api.spec.selector.as_ref()) {
        Ok(sel) => sel.to_string(),
        Err(e) => format!("Failed to get selector: {}", e.message()),
    }
}
