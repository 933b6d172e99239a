//! Filter plugins: can this pod run on this node? Each returns why not, in
//! kube-scheduler's words (the FailedScheduling message counts these reasons).

use crate::api::node::Taint;
use crate::api::pod::Toleration;
use crate::cluster::Node;
use crate::cluster::resources::ResourceNames;
use crate::cluster::template::PodTemplate;
use std::fmt;

/// Why a node does not fit a pod.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// NodeUnschedulable
    Unschedulable,
    /// NodeName
    NodeName,
    /// TaintToleration: the first untolerated taint (key, value).
    Taint(String, String),
    /// NodeAffinity
    Affinity,
    /// NodePorts
    Ports,
    /// NodeResourcesFit: too little of a resource (its index in `ResourceNames`).
    Insufficient(usize),
    /// NodeResourcesFit: the pod count is at `pods`.
    TooManyPods,
    /// PodTopologySpread: the node's domain would be too far above the least full one.
    SpreadConstraints,
    /// PodTopologySpread: the node lacks a constraint's topology key.
    SpreadMissingLabel,
    /// InterPodAffinity: the pod's required affinity is not met in the node's domains.
    PodAffinity,
    /// InterPodAffinity: a pod the pod's required anti-affinity selects is in the domain.
    PodAntiAffinity,
    /// InterPodAffinity: a bound pod's required anti-affinity selects the pod there.
    ExistingAntiAffinity,
}

/// Which cluster events may make a pod that failed for a reason schedulable
/// (kube-scheduler's QueueingHints, one bit per kind of event).
pub mod hint {
    /// A pod on some node ended or left (resources and ports freed).
    pub const POD_GONE: u16 = 1;
    /// A pod was bound (pod affinity may now be satisfied).
    pub const POD_BOUND: u16 = 1 << 1;
    /// A node was uncordoned.
    pub const NODE_SCHEDULABLE: u16 = 1 << 2;
    /// A node lost a taint.
    pub const NODE_UNTAINTED: u16 = 1 << 3;
    /// A node was added (any pod may fit on it).
    pub const NODE_ADDED: u16 = 1 << 4;
    /// Never an event: marks reasons that depend on where other pods sit (spread,
    /// inter-pod affinity), so a pod leaving helps every node of its domain and a freed
    /// node is not judged by its resources alone.
    pub const POD_TOPOLOGY: u16 = 1 << 5;
    pub const ANY: u16 = u16::MAX;
}

impl Reason {
    /// The cluster events that may resolve this reason.
    pub fn hint(&self) -> u16 {
        use hint::*;
        match self {
            Reason::Unschedulable => NODE_SCHEDULABLE | NODE_ADDED,
            Reason::NodeName | Reason::Affinity => NODE_ADDED,
            Reason::Taint(..) => NODE_UNTAINTED | NODE_ADDED,
            Reason::Ports | Reason::Insufficient(_) | Reason::TooManyPods => POD_GONE | NODE_ADDED,
            Reason::SpreadConstraints => POD_GONE | POD_BOUND | NODE_ADDED | POD_TOPOLOGY,
            Reason::SpreadMissingLabel => NODE_ADDED,
            Reason::PodAffinity => POD_BOUND | NODE_ADDED | POD_TOPOLOGY,
            Reason::PodAntiAffinity | Reason::ExistingAntiAffinity => POD_GONE | NODE_ADDED | POD_TOPOLOGY,
            #[allow(unreachable_patterns)]
            _ => ANY,
        }
    }

    /// Whether evicting pods could help (`Unschedulable` vs `UnschedulableAndUnresolvable`).
    pub fn resolvable_by_preemption(&self) -> bool {
        matches!(
            self,
            Reason::Insufficient(_)
                | Reason::TooManyPods
                | Reason::Ports
                | Reason::SpreadConstraints
                | Reason::PodAntiAffinity
                | Reason::ExistingAntiAffinity
        )
    }
}

impl Reason {
    /// kube-scheduler's wording of the reason.
    pub fn message(&self, names: &ResourceNames) -> String {
        match self {
            Reason::Insufficient(r) => format!("Insufficient {}", names.name(*r)),
            other => other.to_string(),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Unschedulable => f.write_str("node(s) were unschedulable"),
            Reason::NodeName => f.write_str("node(s) didn't match the requested node name"),
            Reason::Taint(k, v) => write!(f, "node(s) had untolerated taint {{{k}: {v}}}"),
            Reason::Affinity => f.write_str("node(s) didn't match Pod's node affinity/selector"),
            Reason::Ports => f.write_str("node(s) didn't have free ports for the requested pod ports"),
            Reason::Insufficient(r) => write!(f, "Insufficient resource #{r}"),
            Reason::TooManyPods => f.write_str("Too many pods"),
            // podtopologyspread/plugin.go, interpodaffinity/filtering.go
            Reason::SpreadConstraints => f.write_str("node(s) didn't match pod topology spread constraints"),
            Reason::SpreadMissingLabel => {
                f.write_str("node(s) didn't match pod topology spread constraints (missing required label)")
            }
            Reason::PodAffinity => f.write_str("node(s) didn't match pod affinity rules"),
            Reason::PodAntiAffinity => f.write_str("node(s) didn't match pod anti-affinity rules"),
            Reason::ExistingAntiAffinity => f.write_str("node(s) didn't satisfy existing pods anti-affinity rules"),
        }
    }
}

/// `ToleratesTaint` (`core/v1/toleration.go`): effect, key and value (or `Exists`).
pub fn tolerates(t: &Toleration, taint: &Taint) -> bool {
    let effect_ok = t.effect.as_deref().is_none_or(|e| e.is_empty() || e == taint.effect);
    let key = t.key.as_deref().unwrap_or("");
    let exists = t.operator.as_deref() == Some("Exists");
    if !effect_ok || (!key.is_empty() && key != taint.key) || (key.is_empty() && !exists) {
        return false;
    }
    exists || t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or("")
}

/// The first taint with effect NoSchedule or NoExecute that no toleration tolerates.
pub fn untolerated<'a>(taints: &'a [Taint], tolerations: &[Toleration]) -> Option<&'a Taint> {
    taints
        .iter()
        .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
        .find(|taint| !tolerations.iter().any(|t| tolerates(t, taint)))
}

/// The NodeUnschedulable filter: a cordoned node takes only pods that tolerate
/// `node.kubernetes.io/unschedulable:NoSchedule`.
fn schedulable(node: &Node, tolerations: &[Toleration]) -> bool {
    if !node.unschedulable {
        return true;
    }
    let taint = Taint { key: "node.kubernetes.io/unschedulable".into(), value: None, effect: "NoSchedule".into() };
    tolerations.iter().any(|t| tolerates(t, &taint))
}

/// Runs every filter; all reasons a node fails are kept (the resources filter may
/// report several), as kube-scheduler's diagnosis does.
pub fn check(template: &PodTemplate, tolerations: &[Toleration], node: &Node, out: &mut Vec<Reason>) -> bool {
    let before = out.len();
    if !schedulable(node, tolerations) {
        out.push(Reason::Unschedulable);
        return false;
    }
    if let Some(name) = &template.spec.node_name
        && **name != *node.name
    {
        out.push(Reason::NodeName);
        return false;
    }
    if let Some(taint) = untolerated(&node.taints, tolerations) {
        out.push(Reason::Taint(taint.key.clone(), taint.value.clone().unwrap_or_default()));
        return false;
    }
    if !template.node_affinity.matches(&node.labels, &node.name) {
        out.push(Reason::Affinity);
        return false;
    }
    if template.host_ports.iter().any(|p| port_conflict(p, &node.host_ports)) {
        out.push(Reason::Ports);
        return false;
    }
    fits(template, node, out);
    out.len() == before
}

/// Two host ports clash on the same protocol and port when either IP is 0.0.0.0 or
/// the IPs are equal (`NodePorts`).
fn port_conflict(wanted: &(String, String, i32), used: &[(String, String, i32)]) -> bool {
    used.iter().any(|(proto, ip, port)| {
        *port == wanted.2 && *proto == wanted.0 && (ip == "0.0.0.0" || wanted.1 == "0.0.0.0" || *ip == wanted.1)
    })
}

/// NodeResourcesFit: pod count, then each requested resource against what is left.
pub fn fits(template: &PodTemplate, node: &Node, out: &mut Vec<Reason>) {
    if node.pod_count() + 1 > node.allocatable_pods {
        out.push(Reason::TooManyPods);
    }
    for (r, want) in template.requests.nonzero() {
        if want > node.allocatable.get(r) - node.requested.get(r) {
            out.push(Reason::Insufficient(r));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tol(key: &str, op: &str, value: &str, effect: &str) -> Toleration {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Toleration {
            key: opt(key),
            operator: opt(op),
            value: opt(value),
            effect: opt(effect),
            toleration_seconds: None,
        }
    }

    #[test]
    fn toleration_matching_follows_kubernetes() {
        let taint = Taint { key: "dedicated".into(), value: Some("batch".into()), effect: "NoSchedule".into() };
        assert!(tolerates(&tol("dedicated", "Equal", "batch", "NoSchedule"), &taint));
        assert!(tolerates(&tol("dedicated", "Equal", "batch", ""), &taint), "empty effect matches all");
        assert!(tolerates(&tol("dedicated", "Exists", "", ""), &taint));
        assert!(tolerates(&tol("", "Exists", "", ""), &taint), "empty key with Exists tolerates everything");
        assert!(!tolerates(&tol("dedicated", "Equal", "web", "NoSchedule"), &taint));
        assert!(!tolerates(&tol("dedicated", "Equal", "batch", "NoExecute"), &taint));
        assert!(!tolerates(&tol("other", "Exists", "", ""), &taint));
        let soft = Taint { key: "k".into(), value: None, effect: "PreferNoSchedule".into() };
        assert!(untolerated(&[soft], &[]).is_none(), "PreferNoSchedule only scores");
    }

    #[test]
    fn reasons_read_like_kube_scheduler() {
        assert_eq!(
            Reason::Taint("dedicated".into(), "batch".into()).to_string(),
            "node(s) had untolerated taint {dedicated: batch}"
        );
        assert_eq!(Reason::Insufficient(0).message(&ResourceNames::default()), "Insufficient cpu");
    }
}
