//! The plugins' closer look at a cluster change before an unschedulable pod goes back to
//! the queue (kube-scheduler's `QueueingHintFn`s). `filter::hint` says which events a
//! failure waits for; this says, for the bits an event and the failure share, whether
//! the change may help. A bit without a closer look always may.

use super::cycle::{Incoming, PodView, SimView};
use super::filter::{self, hint};
use super::{interpod_affinity, topology_spread};
use crate::cluster::{NodeId, Pod};

/// What changed: a node, and the pod bound to it or gone from it (as it was), if the
/// event is a pod's; the claim (namespace, name), if a claim's. Either may be unknown,
/// which the closer looks read as "may help".
#[derive(Clone, Copy, Debug, Default)]
pub struct Change<'a> {
    pub node: Option<NodeId>,
    pub pod: Option<PodView<'a>>,
    /// The pod that left had volumes (a claim or an inline volume).
    pub pod_volumes: bool,
    pub claim: Option<(&'a str, &'a str)>,
}

/// Whether `change` may help `waiting`, by any plugin behind `shared` (the bits the
/// event and the pod's failure have in common).
pub fn may_help(view: &SimView, waiting: &Pod, shared: u16, change: Change) -> bool {
    if shared & !hint::LOOKED_AT != 0 {
        return true;
    }
    let pod = Incoming {
        namespace: &waiting.namespace,
        labels: &waiting.labels,
        template: &waiting.template,
        tolerations: &waiting.template.spec.tolerations,
    };
    let looks = [
        (hint::FIT_POD_GONE, fits_freed_node as Look),
        (hint::SPREAD_POD, spread_pod),
        (hint::SPREAD_NODE, spread_node),
        (hint::AFFINITY_POD_BOUND, affinity_pod_bound),
        (hint::AFFINITY_POD_GONE, affinity_pod_gone),
        (hint::AFFINITY_NODE_ADDED, affinity_node_added),
        (hint::VOLUME_POD_GONE, gone_with_volumes),
    ];
    looks.iter().any(|(bit, look)| shared & bit != 0 && look(view, &pod, change))
        || (shared & (hint::CLAIM_ADDED | hint::CLAIM_UPDATED) != 0 && uses_claim(waiting, change))
}

/// The volume plugins' `isSchedulableAfterPersistentVolumeClaimChange` (and `...Added`):
/// the claim is one of the pod's.
fn uses_claim(waiting: &Pod, change: Change) -> bool {
    change.claim.is_none_or(|(namespace, name)| {
        *waiting.namespace == *namespace && waiting.template.volumes.uses_claim(&waiting.name, name)
    })
}

/// VolumeRestrictions' and NodeVolumeLimits' `isSchedulableAfterPodDeleted`: the pod that
/// left had volumes that may have held the disk, the claim or the attach slots.
fn gone_with_volumes(_: &SimView, _: &Incoming, change: Change) -> bool {
    change.pod.is_none() || change.pod_volumes
}

type Look = fn(&SimView, &Incoming, Change) -> bool;

/// NodeResourcesFit and NodePorts: podsim looks closer than upstream (which retries on
/// any bound pod's deletion) and retries only if the pod fits the freed node now, so a
/// big cluster's stream of ending pods does not wake every waiting pod.
fn fits_freed_node(view: &SimView, pod: &Incoming, change: Change) -> bool {
    let Some(node) = change.node else { return true };
    let mut reasons = Vec::new();
    filter::fits(pod.template, view.cluster.node(node), &mut reasons);
    reasons.is_empty()
}

/// Runs `look` on the changed pod, or says "may help" if it is not known.
fn with_pod(change: Change, look: impl Fn(&PodView) -> bool) -> bool {
    match change.pod {
        Some(p) => look(&p),
        None => true,
    }
}

fn spread_pod(_: &SimView, pod: &Incoming, change: Change) -> bool {
    with_pod(change, |changed| topology_spread::pod_change_may_help(pod, changed))
}

fn spread_node(view: &SimView, pod: &Incoming, change: Change) -> bool {
    change.node.is_none_or(|n| topology_spread::node_change_may_help(pod, &view.cluster.node(n).labels))
}

fn affinity_pod_bound(view: &SimView, pod: &Incoming, change: Change) -> bool {
    with_pod(change, |bound| interpod_affinity::bound_pod_may_help(view, pod, bound))
}

fn affinity_pod_gone(view: &SimView, pod: &Incoming, change: Change) -> bool {
    with_pod(change, |gone| interpod_affinity::gone_pod_may_help(view, pod, gone))
}

fn affinity_node_added(view: &SimView, pod: &Incoming, change: Change) -> bool {
    change.node.is_none_or(|n| interpod_affinity::added_node_may_help(pod, &view.cluster.node(n).labels))
}
