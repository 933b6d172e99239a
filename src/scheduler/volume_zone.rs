//! VolumeZone (`pkg/scheduler/framework/plugins/volumezone/volume_zone.go`, newest
//! revision): a pod whose bound PersistentVolumes carry zone or region labels fits only
//! nodes in those zones and regions. A node without any of the four labels fits (a
//! single-zone cluster need not label its nodes). PV node affinity is VolumeBinding's.

use std::collections::{BTreeMap, BTreeSet};

/// `ErrReasonConflict`.
pub const ZONE_CONFLICT: &str = "node(s) had no available volume zone";

/// `topologyLabels`, in upstream's order: the beta keys, then the GA ones.
pub const TOPOLOGY_LABELS: [&str; 4] = [
    "failure-domain.beta.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region",
    "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region",
];

/// One label of a PV the node must match: its key and the values it allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PvTopology {
    pub key: &'static str,
    pub values: BTreeSet<String>,
}

/// `getPVTopologies`: the PV's zone and region labels. A value may list several zones
/// separated by `__` (`LabelZonesToSet`); one that lists an empty zone is skipped, as
/// upstream skips a label it cannot parse.
pub fn pv_topologies(labels: &BTreeMap<String, String>, out: &mut Vec<PvTopology>) {
    for key in TOPOLOGY_LABELS {
        let Some(value) = labels.get(key) else { continue };
        if let Some(values) = label_zones(value) {
            out.push(PvTopology { key, values });
        }
    }
}

/// `LabelZonesToSet`: `a__b` is {a, b}; an empty value is the empty set; an empty zone
/// in a list is an error.
fn label_zones(value: &str) -> Option<BTreeSet<String>> {
    if value.is_empty() {
        return Some(BTreeSet::new());
    }
    value.split("__").map(|z| (!z.trim().is_empty()).then(|| z.trim().to_string())).collect()
}

/// `translateToGALabel`: a beta key's GA twin.
fn ga_label(key: &str) -> &str {
    match key {
        "failure-domain.beta.kubernetes.io/zone" => "topology.kubernetes.io/zone",
        "failure-domain.beta.kubernetes.io/region" => "topology.kubernetes.io/region",
        other => other,
    }
}

/// Filter: whether a node with these labels is in every zone and region the pod's PVs
/// are in.
pub fn filter(topologies: &[PvTopology], node: &BTreeMap<String, String>) -> Result<(), &'static str> {
    if !TOPOLOGY_LABELS.iter().any(|k| node.contains_key(*k)) {
        return Ok(());
    }
    for t in topologies {
        let value = node.get(t.key).or_else(|| node.get(ga_label(t.key)));
        if !value.is_some_and(|v| t.values.contains(v)) {
            return Err(ZONE_CONFLICT);
        }
    }
    Ok(())
}

/// What PreFilter reads of one of the pod's claims (`getPVbyPod`).
#[derive(Clone, Copy, Debug)]
pub enum ClaimZone<'a> {
    /// `pvc.Spec.VolumeName` is set: the PV's labels, `None` if there is no such PV.
    Bound { volume: &'a str, labels: Option<&'a BTreeMap<String, String>> },
    /// Unbound: the claim's class and, if it exists, whether its binding mode is
    /// WaitForFirstConsumer (`None` inside: the mode is not set).
    Unbound { class: &'a str, wait: Option<Option<bool>> },
}

/// PreFilter over the pod's claims (by name, with what was found; `None`: no such
/// claim): the PV topologies, `Ok(None)` to skip (no PV with zone labels), `Err` with
/// the message of an `UnschedulableAndUnresolvable` status.
pub fn prefilter<'a>(
    claims: impl IntoIterator<Item = (&'a str, Option<ClaimZone<'a>>)>,
) -> Result<Option<Vec<PvTopology>>, String> {
    let mut out = Vec::new();
    for (name, claim) in claims {
        if name.is_empty() {
            return Err("PersistentVolumeClaim had no name".into());
        }
        match claim.ok_or_else(|| format!("persistentvolumeclaim {name:?} not found"))? {
            ClaimZone::Bound { volume, labels } => {
                let labels = labels.ok_or_else(|| format!("persistentvolume {volume:?} not found"))?;
                pv_topologies(labels, &mut out);
            }
            ClaimZone::Unbound { class: "", .. } => {
                return Err("PersistentVolumeClaim had no pv name and storageClass name".into());
            }
            ClaimZone::Unbound { class, wait } => match wait {
                None => return Err(format!("storageclass.storage.k8s.io {class:?} not found")),
                Some(None) => return Err(format!("VolumeBindingMode not set for StorageClass {class:?}")),
                // Left to VolumeBinding, which picks a PV or provisions one for the node.
                Some(Some(true)) => {}
                Some(Some(false)) => return Err("PersistentVolume had no name".into()),
            },
        }
    }
    Ok((!out.is_empty()).then_some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_node_must_be_in_the_volumes_zone() {
        let pv = labels(&[("topology.kubernetes.io/zone", "a__b")]);
        let mut t = Vec::new();
        pv_topologies(&pv, &mut t);
        assert_eq!(filter(&t, &labels(&[("topology.kubernetes.io/zone", "b")])), Ok(()));
        assert_eq!(filter(&t, &labels(&[("topology.kubernetes.io/zone", "c")])), Err(ZONE_CONFLICT));
        assert_eq!(filter(&t, &labels(&[("kubernetes.io/hostname", "n")])), Ok(()), "an unlabelled node fits");
        // The beta key on the PV matches the GA key on the node.
        let beta = labels(&[("failure-domain.beta.kubernetes.io/zone", "a")]);
        let mut t = Vec::new();
        pv_topologies(&beta, &mut t);
        assert_eq!(filter(&t, &labels(&[("topology.kubernetes.io/zone", "a")])), Ok(()));
    }

    #[test]
    fn prefilter_refuses_as_upstream_words_it() {
        let wait = ClaimZone::Unbound { class: "wffc", wait: Some(Some(true)) };
        assert_eq!(prefilter([("data", Some(wait))]), Ok(None), "a delayed claim is left to VolumeBinding");
        let immediate = ClaimZone::Unbound { class: "fast", wait: Some(Some(false)) };
        assert_eq!(prefilter([("data", Some(immediate))]), Err("PersistentVolume had no name".into()));
        let none = ClaimZone::Unbound { class: "", wait: None };
        assert_eq!(
            prefilter([("data", Some(none))]),
            Err("PersistentVolumeClaim had no pv name and storageClass name".into())
        );
        assert_eq!(prefilter([("data", None)]), Err("persistentvolumeclaim \"data\" not found".into()));
        let gone = ClaimZone::Bound { volume: "pv-1", labels: None };
        assert_eq!(prefilter([("data", Some(gone))]), Err("persistentvolume \"pv-1\" not found".into()));
        let plain = labels(&[]);
        let bound = ClaimZone::Bound { volume: "pv-1", labels: Some(&plain) };
        assert_eq!(prefilter([("data", Some(bound))]), Ok(None), "no zone labels: skip");
    }
}
