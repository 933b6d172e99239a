//! VolumeBinding (`pkg/scheduler/framework/plugins/volumebinding/volume_binding.go` and
//! `binder.go`): a pod's claims must be bound to a PV its node can reach, or be bindable
//! there: a WaitForFirstConsumer claim to an available PV whose node affinity admits the
//! node (the smallest that fits, `FindMatchingVolume` on the scheduler's path), or to a
//! volume its class can provision in the node's topology. A claim still unbound whose
//! class binds at once waits for the PV controller.
//!
//! The plugin is pure over [`Listers`] (the scheduler's PVC, PV and StorageClass
//! informers, as its assume cache shows them); the scheduler carries out what Reserve
//! and PreBind decide.

use crate::api::storage::{StorageClass, TopologySelectorTerm, keys};
use crate::controllers::persistentvolume::matching::{self, ClaimFacts, VolumeFacts};
use std::collections::BTreeMap;

/// `ErrReasonBindConflict`.
pub const BIND_CONFLICT: &str = "node(s) didn't find available persistent volumes to bind";
/// `ErrReasonNodeConflict` until Kubernetes 1.32.
pub const NODE_CONFLICT_OLD: &str = "node(s) had volume node affinity conflict";
/// `ErrReasonNodeConflict` since 1.33 (kubernetes/kubernetes#129887, ⚠ release read
/// from the PR's date, not its milestone).
pub const NODE_CONFLICT: &str = "node(s) didn't match PersistentVolume's node affinity";
/// `ErrReasonPVNotExist`.
pub const PV_NOT_EXIST: &str = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
// (`ErrReasonNotEnoughSpace`, "node(s) did not have enough free storage", needs
// CSIStorageCapacity objects, which podsim does not model.)

/// PreFilter's refusal of a pod whose immediate claims are not bound yet.
pub const UNBOUND_IMMEDIATE: &str = "pod has unbound immediate PersistentVolumeClaims";
/// `VolumeBindingArgs.bindTimeoutSeconds`' default (`SetDefaults_VolumeBindingArgs`).
pub const BIND_TIMEOUT_MS: u64 = 600_000;
/// PreBind polls the claims this often (`BindPodVolumes`: `wait.Poll(time.Second, ...)`).
pub const BIND_POLL_MS: u64 = 1_000;

/// Why a node does not suit the pod's volumes, in the order `FindPodVolumes` appends them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Conflict {
    /// A bound PV's node affinity rejects the node.
    Node,
    /// An unbound claim finds no PV there and cannot be provisioned there.
    Bind,
    /// A bound claim's PV does not exist.
    PvNotExist,
}

impl Conflict {
    /// The reason's words; `minor`: the Kubernetes version followed (1.`minor`).
    pub fn message(self, minor: u32) -> &'static str {
        match self {
            Conflict::Node if minor >= 33 => NODE_CONFLICT,
            Conflict::Node => NODE_CONFLICT_OLD,
            Conflict::Bind => BIND_CONFLICT,
            Conflict::PvNotExist => PV_NOT_EXIST,
        }
    }
}

/// A claim as the scheduler's listers show it.
#[derive(Clone, Copy, Debug)]
pub struct Claim<'a> {
    pub facts: ClaimFacts<'a>,
    /// `spec.volumeName` ("" when unset).
    pub volume_name: &'a str,
    /// The `pv.kubernetes.io/bind-completed` annotation.
    pub bind_completed: bool,
    /// `status.phase == Lost`.
    pub lost: bool,
    /// It has a deletion timestamp.
    pub deleting: bool,
    /// The `volume.kubernetes.io/selected-node` annotation.
    pub selected_node: Option<&'a str>,
    /// The uid number of the pod that owns it (a generic ephemeral volume's claim).
    pub owner: Option<u64>,
}

impl Claim<'_> {
    /// `isPVCFullyBound`.
    pub fn fully_bound(&self) -> bool {
        !self.volume_name.is_empty() && self.bind_completed
    }
}

/// The informers the plugin reads.
pub trait Listers {
    fn claim(&self, namespace: &str, name: &str) -> Option<Claim<'_>>;
    fn volume(&self, name: &str) -> Option<VolumeFacts<'_>>;
    fn class(&self, name: &str) -> Option<&StorageClass>;
    /// The PVs of a class, in the order the PV cache lists them.
    fn class_volumes(&self, class: &str) -> Vec<VolumeFacts<'_>>;

    /// The PVs of the claim's class that may match it on some node, in the PV cache's
    /// order. (A lister may skip the PVs bound to other claims before reading them: they
    /// never match.)
    fn candidates(&self, claim: &ClaimFacts) -> Vec<VolumeFacts<'_>> {
        let volumes = self.class_volumes(claim.class);
        volumes.into_iter().filter(|v| matching::may_match_on_some_node(claim, v)).collect()
    }
}

/// One of the pod's claims: a `persistentVolumeClaim` volume's claim, or a generic
/// ephemeral volume's (`<pod>-<volume>`, which the pod must own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodClaim {
    pub name: String,
    pub ephemeral: bool,
}

/// The pod being scheduled.
#[derive(Clone, Copy, Debug)]
pub struct Pod<'a> {
    pub namespace: &'a str,
    pub name: &'a str,
    /// Its uid number (what owns an ephemeral volume's claim).
    pub uid: u64,
    pub claims: &'a [PodClaim],
}

/// What PreFilter keeps: the claims bound (with their PV) and those whose binding waits
/// for this pod's node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    pub bound: Vec<(String, String)>,
    pub delayed: Vec<String>,
    /// Per delayed claim, the PVs of its class that may match it on some node, in the
    /// cache's order (`may_match_on_some_node`): Filter checks only their node affinity.
    pub candidates: BTreeMap<String, Vec<String>>,
}

/// `podHasPVCs`: `Err` with the message of an `UnschedulableAndUnresolvable` status.
fn check_claims(l: &impl Listers, pod: &Pod) -> Result<(), String> {
    for c in pod.claims {
        let Some(claim) = l.claim(pod.namespace, &c.name) else {
            return Err(match c.ephemeral {
                true => {
                    format!("waiting for ephemeral volume controller to create the persistentvolumeclaim {:?}", c.name)
                }
                false => format!("persistentvolumeclaim {:?} not found", c.name),
            });
        };
        if claim.lost {
            return Err(format!(
                "persistentvolumeclaim {:?} bound to non-existent persistentvolume {:?}",
                c.name, claim.volume_name
            ));
        }
        if claim.deleting {
            return Err(format!("persistentvolumeclaim {:?} is being deleted", c.name));
        }
        if c.ephemeral && claim.owner != Some(pod.uid) {
            // `ephemeral.VolumeIsForPod`.
            return Err(format!(
                "PVC {}/{} was not created for pod {}/{} (pod is not owner)",
                pod.namespace, c.name, pod.namespace, pod.name
            ));
        }
    }
    Ok(())
}

/// Whether the claim's class delays binding (`IsDelayBindingMode`).
fn delays(l: &impl Listers, claim: &Claim) -> Result<bool, String> {
    let class =
        l.class(claim.facts.class).map(|c| c.volume_binding_mode.as_deref().map(|m| m == "WaitForFirstConsumer"));
    matching::is_delay_binding_mode(claim.facts.class, class)
}

/// PreFilter: `Ok(None)` skips (no claim); `Err` carries the message of an
/// `UnschedulableAndUnresolvable` status; a claim bound to its PV with the binding
/// completed is bound, one whose class waits for a consumer (and names no PV) is
/// delayed, any other refuses the pod until the PV controller binds it.
pub fn prefilter(l: &impl Listers, pod: &Pod) -> Result<Option<State>, String> {
    if pod.claims.is_empty() {
        return Ok(None);
    }
    check_claims(l, pod)?;
    let mut state = State::default();
    let mut immediate = false;
    for c in pod.claims {
        let Some(claim) = l.claim(pod.namespace, &c.name) else { continue };
        if claim.fully_bound() {
            state.bound.push((c.name.clone(), claim.volume_name.to_string()));
        } else if delays(l, &claim)? && claim.volume_name.is_empty() {
            state.delayed.push(c.name.clone());
            let fit = l.candidates(&claim.facts);
            state.candidates.insert(c.name.clone(), fit.iter().map(|v| v.name.to_string()).collect());
        } else {
            immediate = true;
        }
    }
    if immediate {
        return Err(UNBOUND_IMMEDIATE.into());
    }
    Ok(Some(state))
}

/// What the pod's volumes need on a node (`PodVolumes`): claims to bind to a chosen PV,
/// claims to provision there.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeVolumes {
    /// (claim, PV).
    pub static_bindings: Vec<(String, String)>,
    pub provisions: Vec<String>,
}

impl NodeVolumes {
    /// Nothing to bind: PreBind has nothing to do.
    pub fn is_empty(&self) -> bool {
        self.static_bindings.is_empty() && self.provisions.is_empty()
    }
}

/// `v1helper.MatchTopologySelectorTerms`: no terms match every node; otherwise a term
/// whose every requirement holds (the node has the key, with one of the values).
pub fn match_topology(terms: &[TopologySelectorTerm], labels: &BTreeMap<String, String>) -> bool {
    terms.is_empty()
        || terms
            .iter()
            .any(|t| t.match_label_expressions.iter().all(|r| labels.get(&r.key).is_some_and(|v| r.values.contains(v))))
}

/// Whether the claims can be provisioned for the node (`checkVolumeProvisions`): the
/// class has a provisioner and its allowed topologies admit the node. (A claim without
/// a class, or whose class is gone, is upstream's `Error`; neither is a delayed claim.)
fn provisionable(l: &impl Listers, pod: &Pod, claims: &[String], labels: &BTreeMap<String, String>) -> bool {
    claims.iter().all(|name| {
        let Some(claim) = l.claim(pod.namespace, name) else { return false };
        let Some(class) = l.class(claim.facts.class) else { return false };
        let provisioner = class.provisioner.as_str();
        !provisioner.is_empty()
            && provisioner != keys::NO_PROVISIONER
            && match_topology(&class.allowed_topologies, labels)
    })
}

/// Filter (`FindPodVolumes`) on one node: what binding the pod there needs, or the
/// conflicts (status `UnschedulableAndUnresolvable`).
pub fn filter(
    l: &impl Listers,
    pod: &Pod,
    state: &State,
    node_name: &str,
    labels: &BTreeMap<String, String>,
) -> Result<NodeVolumes, Vec<Conflict>> {
    let mut out = NodeVolumes::default();
    // `checkBoundClaims`: the first PV missing or not admitting the node decides.
    let (mut bound_ok, mut pv_found) = (true, true);
    for (_, pv) in &state.bound {
        match l.volume(pv) {
            None => pv_found = false,
            Some(v) if matching::check_node_affinity(v.node_affinity, labels).is_err() => bound_ok = false,
            Some(_) => continue,
        }
        break;
    }
    let unbound_ok = bind_unbound(l, pod, state, node_name, labels, &mut out);
    // The reasons in the order `FindPodVolumes` appends them.
    let conflicts: Vec<Conflict> =
        [(bound_ok, Conflict::Node), (unbound_ok, Conflict::Bind), (pv_found, Conflict::PvNotExist)]
            .into_iter()
            .filter(|(ok, _)| !ok)
            .map(|(_, c)| c)
            .collect();
    if conflicts.is_empty() { Ok(out) } else { Err(conflicts) }
}

/// The delayed claims on the node: each matched to an available PV there, or to be
/// provisioned there; `false` when one can be neither.
fn bind_unbound(
    l: &impl Listers,
    pod: &Pod,
    state: &State,
    node_name: &str,
    labels: &BTreeMap<String, String>,
    out: &mut NodeVolumes,
) -> bool {
    let mut to_match = Vec::new();
    for name in &state.delayed {
        let Some(claim) = l.claim(pod.namespace, name) else { return false };
        match claim.selected_node {
            // Another pod of the claim was placed on another node: only that node will do.
            Some(selected) if selected != node_name => return false,
            Some(_) => out.provisions.push(name.clone()),
            None => to_match.push(claim),
        }
    }
    // `findMatchingVolumes`: the smallest requests first, so they take the smallest PVs
    // (upstream sorts unstably; equal requests keep the pod's order here).
    to_match.sort_by_key(|c| c.facts.request);
    let mut chosen: Vec<String> = Vec::new();
    for claim in &to_match {
        let names = state.candidates.get(claim.facts.name).map_or(&[][..], |v| &v[..]);
        let volumes: Vec<VolumeFacts> = names.iter().filter_map(|n| l.volume(n)).collect();
        let excluded: Vec<&str> = chosen.iter().map(String::as_str).collect();
        let found = matching::find_matching_volume(
            &claim.facts,
            &volumes,
            Some(labels),
            &excluded,
            true,
            matching::ATTRIBUTES_CLASS_ENABLED,
        );
        match found {
            Ok(Some(i)) => {
                let pv = volumes[i].name.to_string();
                out.static_bindings.push((claim.facts.name.to_string(), pv.clone()));
                chosen.push(pv);
            }
            _ => out.provisions.push(claim.facts.name.to_string()),
        }
    }
    out.provisions.is_empty() || provisionable(l, pod, &out.provisions, labels)
}

#[cfg(test)]
mod tests;
