//! Which PersistentVolume a claim may bind to. `find_matching_volume` is
//! `FindMatchingVolume` (component-helpers `storage/volume/pv_helpers.go`, v1.35), shared
//! by the PV controller (no node) and the scheduler's VolumeBinding (a node);
//! `find_best_match_for_claim` is the controller's `findBestMatchForClaim`
//! (`pkg/controller/volume/persistentvolume/index.go`), which tries the volumes grouped
//! by their set of access modes, the smallest sets first.
//!
//! The rules read small views of the objects (`VolumeFacts`, `ClaimFacts`), so the table
//! tests of `index_test.go` and `pv_helpers_test.go` run on them directly.

use crate::api::storage::AccessModes;
use crate::cluster::template::RequiredNodeAffinity;
use crate::labels::Selector;
use std::collections::BTreeMap;

/// A PV's `spec.claimRef`: the claim it is bound or reserved to. No `uid` is a
/// reservation made by a user before the claim was bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimRef<'a> {
    pub namespace: &'a str,
    pub name: &'a str,
    /// The claim's uid (its number in the run).
    pub uid: Option<u64>,
}

/// What matching reads of a PersistentVolume.
#[derive(Clone, Copy, Debug)]
pub struct VolumeFacts<'a> {
    pub name: &'a str,
    /// `spec.capacity.storage` in bytes (wide enough for upstream's 800E cases).
    pub capacity: i128,
    pub modes: AccessModes,
    /// `spec.volumeMode: Block` (unset is `Filesystem`).
    pub block: bool,
    /// `GetPersistentVolumeClass`: the beta annotation, else `spec.storageClassName`, else "".
    pub class: &'a str,
    pub labels: &'a BTreeMap<String, String>,
    pub claim_ref: Option<ClaimRef<'a>>,
    /// `status.phase == Available`.
    pub available: bool,
    /// It has a deletion timestamp.
    pub deleting: bool,
    /// `spec.nodeAffinity`, compiled (`None`: no affinity).
    pub node_affinity: Option<&'a RequiredNodeAffinity>,
    /// `spec.volumeAttributesClassName` ("" when unset).
    pub attributes_class: &'a str,
}

/// What matching reads of a PersistentVolumeClaim.
#[derive(Clone, Copy, Debug)]
pub struct ClaimFacts<'a> {
    pub namespace: &'a str,
    pub name: &'a str,
    pub uid: u64,
    /// `spec.resources.requests.storage` in bytes.
    pub request: i128,
    pub modes: AccessModes,
    pub block: bool,
    /// `GetPersistentVolumeClaimClass`: the beta annotation, else `spec.storageClassName`, else "".
    pub class: &'a str,
    /// `spec.selector`, compiled (`None`: no selector, every volume's labels pass).
    pub selector: Option<&'a Selector>,
    pub attributes_class: &'a str,
}

/// `IsVolumeBoundToClaim`: the claimRef names this claim (and its uid, if it has one).
pub fn is_bound_to(volume: &VolumeFacts, claim: &ClaimFacts) -> bool {
    volume
        .claim_ref
        .is_some_and(|r| r.name == claim.name && r.namespace == claim.namespace && r.uid.is_none_or(|u| u == claim.uid))
}

/// `CheckVolumeModeMismatches`: unset on either side reads as `Filesystem`.
pub fn volume_mode_mismatch(claim_block: bool, volume_block: bool) -> bool {
    claim_block != volume_block
}

/// `CheckAccessModes`: every mode the claim asks for is among the volume's.
pub fn check_access_modes(claim: AccessModes, volume: AccessModes) -> bool {
    volume.contains_all(claim)
}

/// The error `CheckNodeAffinity` returns (component-helpers `storage/volume/helpers.go`).
pub const NO_MATCHING_TERMS: &str = "no matching NodeSelectorTerms";

/// `CheckNodeAffinity`: whether a node with these labels satisfies the volume's
/// required node affinity. The node is seen by its labels only, as upstream builds it
/// (a `matchFields` term on `metadata.name` sees an empty name). No affinity, or no
/// `required`, matches every node; `required` with no terms matches none.
pub fn check_node_affinity(
    affinity: Option<&RequiredNodeAffinity>,
    labels: &BTreeMap<String, String>,
) -> Result<(), &'static str> {
    match affinity {
        Some(a) if !a.matches(labels, "") => Err(NO_MATCHING_TERMS),
        _ => Ok(()),
    }
}

/// `checkVolumeSatisfyClaim`: why a PV a claim names by `volumeName` cannot be bound to
/// it, in upstream's words (the VolumeAttributesClass check as its gate is on, ⚠ its
/// wording recalled).
pub fn check_volume_satisfy_claim(claim: &ClaimFacts, volume: &VolumeFacts) -> Result<(), String> {
    if volume.deleting {
        return Err(format!("the volume is marked for deletion {:?}", volume.name));
    }
    let why = if volume.capacity < claim.request {
        "requested PV is too small"
    } else if volume.class != claim.class {
        "storageClassName does not match"
    } else if ATTRIBUTES_CLASS_ENABLED && volume.attributes_class != claim.attributes_class {
        "volumeAttributesClassName does not match"
    } else if volume_mode_mismatch(claim.block, volume.block) {
        "incompatible volumeMode"
    } else if !check_access_modes(claim.modes, volume.modes) {
        "incompatible accessMode"
    } else {
        return Ok(());
    };
    Err(why.to_string())
}

/// Whether the VolumeAttributesClass feature gate is on (GA in 1.34, which podsim follows).
pub const ATTRIBUTES_CLASS_ENABLED: bool = true;

/// `FindMatchingVolume`: the index in `volumes` of the volume for `claim`, or `None`.
///
/// A volume reserved for the claim (its claimRef names it) wins at once, whatever its
/// size; but on the scheduler's path (`node` given) a reserved volume whose node
/// affinity rejects the node means no match at all. Otherwise the smallest available
/// volume of the claim's class, labels and (on the scheduler's path) access modes and
/// node affinity; the first in list order among equals. The PV controller (`node`
/// `None`) leaves delayed-binding claims to the scheduler. `excluded`: volume names
/// already chosen for the pod's other claims.
pub fn find_matching_volume(
    claim: &ClaimFacts,
    volumes: &[VolumeFacts],
    node: Option<&BTreeMap<String, String>>,
    excluded: &[&str],
    delay_binding: bool,
    attributes_class_enabled: bool,
) -> Result<Option<usize>, String> {
    if !attributes_class_enabled && !claim.attributes_class.is_empty() {
        return Err(format!(
            "unsupported volumeAttributesClassName is set on claim {}/{} when the feature-gate VolumeAttributesClass is disabled",
            claim.namespace, claim.name
        ));
    }
    let mut smallest: Option<usize> = None;
    for (i, volume) in volumes.iter().enumerate() {
        if excluded.contains(&volume.name)
            || (volume.claim_ref.is_some() && !is_bound_to(volume, claim))
            || volume.capacity < claim.request
            || volume_mode_mismatch(claim.block, volume.block)
            || !attributes_class_matches(claim, volume, attributes_class_enabled)
            || volume.deleting
        {
            continue;
        }
        // The costliest check, so after the cheap ones (as upstream orders them).
        let affinity_ok = node.is_none_or(|labels| check_node_affinity(volume.node_affinity, labels).is_ok());
        if is_bound_to(volume, claim) {
            return Ok(affinity_ok.then_some(i));
        }
        if node.is_none() && delay_binding {
            continue;
        }
        let fits = volume.available
            && claim.selector.is_none_or(|s| s.matches(volume.labels))
            && volume.class == claim.class
            && affinity_ok
            && (node.is_none() || check_access_modes(claim.modes, volume.modes));
        if fits && smallest.is_none_or(|s| volumes[s].capacity > volume.capacity) {
            smallest = Some(i);
        }
    }
    Ok(smallest)
}

/// What `find_matching_volume` checks on the scheduler's path (a node given, binding
/// delayed) that does not depend on the node: whether the volume may match the claim on
/// some node. The scheduler keeps these once per cycle and checks only the node affinity
/// per node; the result is the same.
pub fn may_match_on_some_node(claim: &ClaimFacts, volume: &VolumeFacts) -> bool {
    if (volume.claim_ref.is_some() && !is_bound_to(volume, claim))
        || volume.capacity < claim.request
        || volume_mode_mismatch(claim.block, volume.block)
        || !attributes_class_matches(claim, volume, ATTRIBUTES_CLASS_ENABLED)
        || volume.deleting
    {
        return false;
    }
    is_bound_to(volume, claim)
        || (volume.available
            && claim.selector.is_none_or(|s| s.matches(volume.labels))
            && volume.class == claim.class
            && check_access_modes(claim.modes, volume.modes))
}

/// With the gate on, the classes must be equal ("" for unset); with it off, a volume
/// with a class is never matched.
fn attributes_class_matches(claim: &ClaimFacts, volume: &VolumeFacts, enabled: bool) -> bool {
    if enabled { claim.attributes_class == volume.attributes_class } else { volume.attributes_class.is_empty() }
}

/// `allPossibleMatchingAccessModes`: the index keys (the distinct mode sets of the
/// volumes) that hold every mode the claim asks for, fewest modes first. Upstream sorts
/// them unstably from a map's keys, so two sets of the same size come in no set order;
/// podsim orders those as their keys read (`RWO,ROX` before `RWO,RWX` before `ROX,RWX`).
pub fn possible_mode_sets(volumes: &[VolumeFacts], wanted: AccessModes) -> Vec<AccessModes> {
    let mut sets: Vec<AccessModes> = volumes.iter().map(|v| v.modes).filter(|m| m.contains_all(wanted)).collect();
    sets.sort_by_key(|m| (m.len(), m.iter().collect::<Vec<_>>()));
    sets.dedup();
    sets
}

/// `findBestMatchForClaim`: the first group of volumes (by mode set, fewest modes first)
/// in which `find_matching_volume` finds one, so a volume with exactly the claim's modes
/// is taken before a smaller one with more. Within a group the volumes keep their order
/// in `volumes` (upstream's index lists them in a map's order).
pub fn find_best_match_for_claim(
    claim: &ClaimFacts,
    volumes: &[VolumeFacts],
    delay_binding: bool,
) -> Result<Option<usize>, String> {
    for modes in possible_mode_sets(volumes, claim.modes) {
        let group: Vec<usize> = (0..volumes.len()).filter(|&i| volumes[i].modes == modes).collect();
        let listed: Vec<VolumeFacts> = group.iter().map(|&i| volumes[i]).collect();
        if let Some(k) = find_matching_volume(claim, &listed, None, &[], delay_binding, ATTRIBUTES_CLASS_ENABLED)? {
            return Ok(Some(group[k]));
        }
    }
    Ok(None)
}

/// `IsDelayBindingMode`: whether the claim's class binds when a pod is scheduled.
/// `class`: the class found by the claim's class name, with its `volumeBindingMode`
/// (`Some(true)` for WaitForFirstConsumer; `None` inside when unset). No class name, or
/// a class that does not exist, is immediate binding.
pub fn is_delay_binding_mode(class_name: &str, class: Option<Option<bool>>) -> Result<bool, String> {
    if class_name.is_empty() {
        return Ok(false);
    }
    match class {
        None => Ok(false),
        Some(None) => Err(format!("VolumeBindingMode not set for StorageClass {class_name:?}")),
        Some(Some(wait)) => Ok(wait),
    }
}

#[cfg(test)]
pub(crate) mod tests;
