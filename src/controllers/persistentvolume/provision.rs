//! What an external CSI provisioner (the `csi-provisioner` sidecar with
//! `sig-storage-lib-external-provisioner`) decides for a claim: whether it acts
//! (`shouldProvision`), the zone the volume is made in (`GenerateAccessibilityRequirements`
//! in `pkg/controller/topology.go`), and the PV it saves. Pure; the controller carries it
//! out after the class's provisioning time.
//!
//! Topology, as podsim models it: a driver reports the zone
//! (`topology.kubernetes.io/zone`) of the nodes it runs on, so in a cluster whose nodes
//! are labelled with zones every provisioned volume is made in one zone and carries a
//! node affinity to it; where nodes have no zone label, volumes have no affinity.

use std::collections::BTreeSet;

/// The zone label podsim's drivers report as their topology key.
pub const ZONE: &str = "topology.kubernetes.io/zone";

/// The finalizer the external provisioner puts on the PVs it provisions with reclaim
/// policy `Delete` (HonorPVReclaimPolicy), so the disk is deleted with the PV object.
pub const PROVISIONER_FINALIZER: &str = "external-provisioner.volume.kubernetes.io/finalizer";

/// `getProvisionedVolumeNameForClaim`: `pvc-<claim uid>`.
pub fn volume_name(claim_uid: &str) -> String {
    format!("pvc-{claim_uid}")
}

/// FNV-1a, 32 bits (Go's `hash/fnv` `New32a`), which the provisioner hashes the claim's
/// name with to spread claims over zones.
pub fn fnv32a(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// Where the volume is made.
///
/// With a selected node (WaitForFirstConsumer) the node's zone: the requisite topology is
/// the node's, first among the preferred. Otherwise the requisite topologies are the
/// class's allowed zones, or else every node's zone; sorted, rotated by the hash of the
/// claim's name, the first is preferred and the driver creates the volume there (⚠ the
/// hash's input, the claim's name, recalled from `topology.go`). `None`: no zone (the
/// nodes have none).
pub fn zone<'a>(
    selected_node_zone: Option<Option<&'a str>>,
    allowed_zones: &[&'a str],
    node_zones: impl IntoIterator<Item = &'a str>,
    claim_name: &str,
) -> Option<&'a str> {
    if let Some(zone) = selected_node_zone {
        return zone;
    }
    let requisite: BTreeSet<&str> = match allowed_zones {
        [] => node_zones.into_iter().collect(),
        allowed => allowed.iter().copied().collect(),
    };
    if requisite.is_empty() {
        return None;
    }
    let sorted: Vec<&str> = requisite.into_iter().collect();
    Some(sorted[fnv32a(claim_name) as usize % sorted.len()])
}

/// The zones a class's `allowedTopologies` admit (values of its zone requirements).
pub fn allowed_zones(terms: &[Vec<(String, Vec<String>)>]) -> Vec<&str> {
    terms
        .iter()
        .flat_map(|t| t.iter())
        .filter(|(k, _)| k == ZONE)
        .flat_map(|(_, vs)| vs.iter().map(String::as_str))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv32a_is_gos() {
        // hash/fnv New32a of "" and "a".
        assert_eq!(fnv32a(""), 0x811c9dc5);
        assert_eq!(fnv32a("a"), 0xe40c292c);
        assert_eq!(fnv32a("foobar"), 0xbf9cf968);
    }

    #[test]
    fn the_selected_nodes_zone_wins_else_a_hash_of_the_claim_spreads_them() {
        assert_eq!(zone(Some(Some("b")), &["a"], ["a", "b", "c"], "data"), Some("b"));
        assert_eq!(zone(Some(None), &[], ["a"], "data"), None, "a selected node without zone");
        let z = zone(None, &[], ["c", "a", "b", "a"], "data");
        assert_eq!(z, Some(["a", "b", "c"][fnv32a("data") as usize % 3]));
        assert_eq!(zone(None, &["c"], ["a", "b", "c"], "data"), Some("c"), "allowedTopologies");
        assert_eq!(zone(None, &[], [], "data"), None);
        assert_eq!(volume_name("0b0e"), "pvc-0b0e");
    }
}
