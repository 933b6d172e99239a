//! Nodes: the API object at T and the `kubectl get nodes` row (`printNode`,
//! `findNodeRoles`).

use super::model::{self, Condition, Node};
use super::replay::NodeState;
use crate::kubectl::duration::translate_timestamp_since;
use std::collections::BTreeSet;

pub const HEADERS: [&str; 5] = ["NAME", "STATUS", "ROLES", "AGE", "VERSION"];
pub const WIDE_HEADERS: [&str; 5] = ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"];

/// The kubelet posts its status this often when nothing changes
/// (`nodeStatusReportFrequency`); the heartbeat time follows it.
const REPORT_EVERY: i64 = 5 * 60_000;

/// The node as the API server would return it at `at`.
pub fn to_api(n: &NodeState, at: i64) -> Node {
    let api = &n.api;
    let quantities = |list: &crate::api::ResourceList| list.iter().map(|(k, q)| (k.clone(), q.canonical())).collect();
    let node_info = api
        .status
        .node_info
        .as_ref()
        .and_then(|v| v.as_object())
        .map(|o| o.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect())
        .unwrap_or_default();
    Node {
        meta: model::Meta {
            name: n.name.clone(),
            labels: api.metadata.labels.clone(),
            annotations: api.metadata.annotations.clone(),
            created: Some(n.created),
            ..Default::default()
        },
        unschedulable: n.unschedulable,
        taints: n.taints.clone(),
        capacity: quantities(&api.status.capacity),
        allocatable: quantities(&api.status.allocatable),
        conditions: conditions(n, at),
        addresses: api
            .status
            .addresses
            .iter()
            .map(|a| model::NodeAddress { kind: a.kind.clone(), address: a.address.clone() })
            .collect(),
        pod_cidr: api.spec.pod_cidr.clone(),
        node_info,
        images: api.status.images.clone(),
        pool: n.pool.clone(),
    }
}

/// The kubelet's four conditions; all `Unknown` once the node lifecycle controller
/// found the kubelet silent (`tryUpdateNodeHealth`).
fn conditions(n: &NodeState, at: i64) -> Vec<Condition> {
    // The last status the kubelet posted: at its report period while it runs; when
    // it stopped, once it is down.
    let heartbeat =
        if n.kubelet_up { (at - (at - n.kubelet_since) % REPORT_EVERY).max(n.ready_since) } else { n.kubelet_since };
    let kinds = [
        ("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "KubeletReady", "kubelet is posting ready status"),
    ];
    kinds
        .iter()
        .map(|(kind, reason, message)| {
            let (status, reason, message) = match (n.ready.as_str(), *kind) {
                ("Unknown", _) => ("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."),
                ("False", "Ready") => ("False", "KubeletNotReady", "container runtime is down"),
                ("True", "Ready") => ("True", *reason, *message),
                // `MemoryPressureCondition` (`pkg/kubelet/nodestatus/setters.go`).
                (_, "MemoryPressure") if n.memory_pressure => {
                    ("True", "KubeletHasInsufficientMemory", "kubelet has insufficient memory available")
                }
                _ => ("False", *reason, *message),
            };
            let since = match (*kind, n.memory_since) {
                _ if *kind == "Ready" || n.ready == "Unknown" => n.ready_since,
                ("MemoryPressure", Some(t)) => t,
                _ => n.created,
            };
            Condition {
                kind: kind.to_string(),
                status: status.into(),
                reason: reason.into(),
                message: message.into(),
                last_transition: Some(since),
                last_heartbeat: Some(heartbeat.max(n.created)),
            }
        })
        .collect()
}

/// NAME STATUS ROLES AGE VERSION (+ wide columns).
pub fn row(node: &Node, now: i64, wide: bool) -> Vec<String> {
    let ready = node.conditions.iter().rev().find(|c| c.kind == "Ready");
    let mut status = match ready.map(|c| c.status.as_str()) {
        Some("True") => "Ready".to_string(),
        Some(_) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    if node.unschedulable {
        status.push_str(",SchedulingDisabled");
    }
    let info = |k: &str| node.node_info.get(k).cloned().unwrap_or_default();
    let mut cells = vec![
        node.meta.name.clone(),
        status,
        roles(&node.meta.labels),
        translate_timestamp_since(now, node.meta.created),
        info("kubeletVersion"),
    ];
    if wide {
        let address = |kind: &str| {
            node.addresses.iter().find(|a| a.kind == kind).map_or("<none>".to_string(), |a| a.address.clone())
        };
        let or_unknown = |s: String| if s.is_empty() { "<unknown>".to_string() } else { s };
        cells.push(address("InternalIP"));
        cells.push(address("ExternalIP"));
        cells.push(or_unknown(info("osImage")));
        cells.push(or_unknown(info("kernelVersion")));
        cells.push(or_unknown(info("containerRuntimeVersion")));
    }
    cells
}

/// `findNodeRoles`: `node-role.kubernetes.io/<role>` keys and the `kubernetes.io/role`
/// value, sorted, de-duplicated.
pub fn roles(labels: &std::collections::BTreeMap<String, String>) -> String {
    let mut roles = BTreeSet::new();
    for (k, v) in labels {
        if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
            if !role.is_empty() {
                roles.insert(role.to_string());
            }
        } else if k == "kubernetes.io/role" && !v.is_empty() {
            roles.insert(v.clone());
        }
    }
    if roles.is_empty() { "<none>".into() } else { roles.into_iter().collect::<Vec<_>>().join(",") }
}
