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
    /// VolumeRestrictions: a disk a pod on the node mounts, or a ReadWriteOncePod claim
    /// a pod uses (its words, `volume_restrictions.rs`).
    VolumeRestrictions(&'static str),
    /// NodeVolumeLimits: the node's attach limit of a driver would be passed.
    VolumeLimits,
    /// NodeVolumeLimits: the pod's claim does not exist (the lister's words).
    VolumeLimitsLookup(String),
    /// VolumeBinding: one of `FindPodVolumes`' conflicts, worded for the version
    /// followed (`volume_binding.rs`).
    VolumeBinding(&'static str),
    /// VolumeZone: the node is not in a zone of the pod's volumes.
    VolumeZone,
    /// NodeAffinity's PreFilter result left the node out: the pod's required terms name
    /// other nodes (`UnschedulableAndUnresolvable`, worded for the version followed,
    /// `node_affinity.rs`).
    NotNamed(&'static str),
}

/// QueueingHints: which cluster events may make a pod that failed for a reason
/// schedulable. Each bit is one plugin's registration for one kind of event (its
/// `EventsToRegister`); an event is the union of the bits registered for it. A pod goes
/// back to the queue when an event shares a bit with the reasons it failed for and the
/// plugin behind that bit, looking at the change (its `QueueingHintFn`, see
/// `requeue.rs`), finds that it may help.
pub mod hint {
    /// NodeResourcesFit, NodePorts: a pod released its node (looked at: the pod fits it now).
    pub const FIT_POD_GONE: u16 = 1;
    /// NodeUnschedulable: a node was uncordoned.
    pub const CORDON_LIFTED: u16 = 1 << 1;
    /// TaintToleration: a node lost a taint.
    pub const TAINT_LIFTED: u16 = 1 << 2;
    /// Every node filter: a node was added.
    pub const ANY_NODE_ADDED: u16 = 1 << 3;
    /// NodeAffinity's registrations (a node added; podsim does not look whether it
    /// matches): for a node that did not match, for nodes a PreFilter result left out,
    /// and for terms that conflict.
    pub const NODE_AFFINITY: u16 = ANY_NODE_ADDED;
    /// PodTopologySpread: a pod was bound or released its node (looked at: it is in the
    /// pod's namespace and a DoNotSchedule constraint's selector matches it).
    pub const SPREAD_POD: u16 = 1 << 4;
    /// PodTopologySpread: a node was added, removed or lost a taint (looked at: it has
    /// every DoNotSchedule constraint's topology key, so it is or was in a domain).
    pub const SPREAD_NODE: u16 = 1 << 5;
    /// InterPodAffinity: a pod was bound (looked at: it matches every required affinity term).
    pub const AFFINITY_POD_BOUND: u16 = 1 << 6;
    /// InterPodAffinity: a pod released its node (looked at: the pod's required
    /// anti-affinity selects it, or its required anti-affinity selects the pod).
    pub const AFFINITY_POD_GONE: u16 = 1 << 7;
    /// InterPodAffinity: a node was added (looked at: it has a required affinity term's
    /// key, or the pod has required anti-affinity, which a new domain may satisfy).
    pub const AFFINITY_NODE_ADDED: u16 = 1 << 8;
    /// The volume plugins: a claim was created (looked at: the pod uses it).
    pub const CLAIM_ADDED: u16 = 1 << 9;
    /// VolumeBinding, VolumeZone: a claim changed (looked at: the pod uses it).
    pub const CLAIM_UPDATED: u16 = 1 << 10;
    /// VolumeBinding, VolumeZone: a PersistentVolume was created or changed.
    pub const VOLUME_CHANGED: u16 = 1 << 11;
    /// VolumeBinding, VolumeZone: a StorageClass was created.
    pub const CLASS_ADDED: u16 = 1 << 12;
    /// VolumeRestrictions, NodeVolumeLimits: a pod with volumes released its node (looked
    /// at: it had a claim or an inline disk).
    pub const VOLUME_POD_GONE: u16 = 1 << 13;
    /// The bits whose plugin looks at the change before the pod goes back.
    pub const LOOKED_AT: u16 = FIT_POD_GONE
        | SPREAD_POD
        | SPREAD_NODE
        | AFFINITY_POD_BOUND
        | AFFINITY_POD_GONE
        | AFFINITY_NODE_ADDED
        | CLAIM_ADDED
        | CLAIM_UPDATED
        | VOLUME_POD_GONE;

    /// The event: a pod on a node ended or left (its resources, ports and place in its
    /// topology domains are freed).
    pub const POD_GONE: u16 = FIT_POD_GONE | SPREAD_POD | AFFINITY_POD_GONE | VOLUME_POD_GONE;
    /// The event: a pod was bound to a node.
    pub const POD_BOUND: u16 = SPREAD_POD | AFFINITY_POD_BOUND;
    /// The event: a node was added.
    pub const NODE_ADDED: u16 = ANY_NODE_ADDED | SPREAD_NODE | AFFINITY_NODE_ADDED;
    /// The event: a node was removed.
    pub const NODE_REMOVED: u16 = SPREAD_NODE;
    /// The event: a node was uncordoned (which lifts its `unschedulable` taint).
    pub const NODE_SCHEDULABLE: u16 = CORDON_LIFTED | SPREAD_NODE;
    /// The event: a node lost a taint.
    pub const NODE_UNTAINTED: u16 = TAINT_LIFTED | SPREAD_NODE;

    /// What VolumeBinding and VolumeZone register for (`EventsToRegister`: claims and PVs
    /// added or updated, classes added, nodes added).
    pub const BINDING: u16 = CLAIM_ADDED | CLAIM_UPDATED | VOLUME_CHANGED | CLASS_ADDED | ANY_NODE_ADDED;
    /// What VolumeRestrictions registers for: an assigned pod deleted, a node or a claim added.
    pub const RESTRICTIONS: u16 = VOLUME_POD_GONE | ANY_NODE_ADDED | CLAIM_ADDED;
    /// What NodeVolumeLimits registers for: an assigned pod deleted, a claim or a CSINode
    /// added (a CSINode comes with its node).
    pub const LIMITS: u16 = VOLUME_POD_GONE | CLAIM_ADDED | ANY_NODE_ADDED;
}

impl Reason {
    /// The registrations of the reason's plugin: the events that may resolve it.
    pub fn hint(&self) -> u16 {
        use hint::*;
        match self {
            Reason::Unschedulable => CORDON_LIFTED | ANY_NODE_ADDED,
            Reason::NodeName => ANY_NODE_ADDED,
            Reason::Affinity | Reason::NotNamed(_) => NODE_AFFINITY,
            Reason::Taint(..) => TAINT_LIFTED | ANY_NODE_ADDED,
            Reason::Ports | Reason::Insufficient(_) | Reason::TooManyPods => FIT_POD_GONE | ANY_NODE_ADDED,
            // podtopologyspread/plugin.go and interpodaffinity/plugin.go register per
            // plugin, not per reason: a node missing a key is retried on pod events too.
            Reason::SpreadConstraints | Reason::SpreadMissingLabel => SPREAD_POD | SPREAD_NODE,
            Reason::PodAffinity | Reason::PodAntiAffinity | Reason::ExistingAntiAffinity => {
                AFFINITY_POD_BOUND | AFFINITY_POD_GONE | AFFINITY_NODE_ADDED
            }
            Reason::VolumeRestrictions(_) => RESTRICTIONS,
            Reason::VolumeLimits | Reason::VolumeLimitsLookup(_) => LIMITS,
            Reason::VolumeBinding(_) | Reason::VolumeZone => BINDING,
        }
    }

    /// Given by a plugin that preemption's dry run does not re-run (PodTopologySpread,
    /// InterPodAffinity, which look at other pods, and VolumeRestrictions and
    /// NodeVolumeLimits, which count other pods' volumes): the dry run finds no victims
    /// on such a node (see ARCHITECTURE.md).
    pub fn is_beyond_dry_run(&self) -> bool {
        matches!(
            self,
            Reason::SpreadConstraints
                | Reason::SpreadMissingLabel
                | Reason::PodAffinity
                | Reason::PodAntiAffinity
                | Reason::ExistingAntiAffinity
                | Reason::VolumeRestrictions(_)
                | Reason::VolumeLimits
        )
    }

    pub fn resolvable_by_preemption(&self) -> bool {
        matches!(
            self,
            Reason::Insufficient(_)
                | Reason::TooManyPods
                | Reason::Ports
                | Reason::SpreadConstraints
                | Reason::PodAntiAffinity
                | Reason::ExistingAntiAffinity
                | Reason::VolumeRestrictions(_)
                | Reason::VolumeLimits
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
            Reason::VolumeRestrictions(words) | Reason::VolumeBinding(words) | Reason::NotNamed(words) => {
                f.write_str(words)
            }
            Reason::VolumeLimits => f.write_str(super::volume_limits::MAX_VOLUME_COUNT),
            Reason::VolumeLimitsLookup(words) => f.write_str(words),
            Reason::VolumeZone => f.write_str(super::volume_zone::ZONE_CONFLICT),
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
        let opt = |s: &str| (!s.is_empty()).then(|| s.into());
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
    fn events_reach_the_reasons_whose_plugins_registered_for_them() {
        use hint::*;
        let heard = |r: Reason, event: u16| r.hint() & event != 0;
        let taint = Reason::Taint("k".into(), "v".into());
        let cases = [
            (Reason::Insufficient(0), [true, false, true, false, false, false]),
            (Reason::Ports, [true, false, true, false, false, false]),
            (taint, [false, false, true, false, false, true]),
            (Reason::Unschedulable, [false, false, true, false, true, false]),
            (Reason::Affinity, [false, false, true, false, false, false]),
            (Reason::SpreadConstraints, [true, true, true, true, true, true]),
            (Reason::SpreadMissingLabel, [true, true, true, true, true, true]),
            (Reason::PodAffinity, [true, true, true, false, false, false]),
            (Reason::PodAntiAffinity, [true, true, true, false, false, false]),
            (Reason::ExistingAntiAffinity, [true, true, true, false, false, false]),
        ];
        let events = [POD_GONE, POD_BOUND, NODE_ADDED, NODE_REMOVED, NODE_SCHEDULABLE, NODE_UNTAINTED];
        for (reason, want) in cases {
            let got: Vec<bool> = events.iter().map(|e| heard(reason.clone(), *e)).collect();
            assert_eq!(got, want, "{reason:?}: gone, bound, added, removed, uncordoned, untainted");
        }
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
