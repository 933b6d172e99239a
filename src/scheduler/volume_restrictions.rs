//! VolumeRestrictions (`pkg/scheduler/framework/plugins/volumerestrictions/volume_restrictions.go`):
//! an inline disk that another pod on the node already mounts (GCE PD, AWS EBS, RBD,
//! iSCSI), and a ReadWriteOncePod claim that a scheduled pod anywhere already uses.
//!
//! Both are `Unschedulable` (not `...AndUnresolvable`): removing the other pod would
//! help. PreFilter counts the ReadWriteOncePod conflicts once for the whole cluster, so
//! Filter rejects every node alike.

use serde_json::Value;

/// `ErrReasonDiskConflict`.
pub const DISK_CONFLICT: &str = "node(s) had no available disk";
/// `ErrReasonReadWriteOncePodConflict`.
pub const READ_WRITE_ONCE_POD_CONFLICT: &str =
    "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode";

/// An inline disk whose sharing VolumeRestrictions restricts (`needsRestrictionsCheck`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Disk {
    Gce { pd_name: String, read_only: bool },
    Aws { volume_id: String },
    Rbd { monitors: Vec<String>, pool: String, image: String, read_only: bool },
    Iscsi { iqn: String, read_only: bool },
}

impl Disk {
    /// The disk of a pod volume's source, by the source's field name and value as written
    /// (`gcePersistentDisk`, `awsElasticBlockStore`, `rbd`, `iscsi`); `None` for others.
    pub fn of(source: &str, value: &Value) -> Option<Disk> {
        let text = |k: &str| value[k].as_str().unwrap_or("").to_string();
        let read_only = value["readOnly"] == true;
        Some(match source {
            "gcePersistentDisk" => Disk::Gce { pd_name: text("pdName"), read_only },
            "awsElasticBlockStore" => Disk::Aws { volume_id: text("volumeID") },
            "rbd" => Disk::Rbd {
                monitors: value["monitors"]
                    .as_array()
                    .map(|m| m.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                    .unwrap_or_default(),
                // `SetDefaults_RBDVolumeSource`: pool `rbd`.
                pool: value["pool"].as_str().unwrap_or("rbd").to_string(),
                image: text("image"),
                read_only,
            },
            "iscsi" => Disk::Iscsi { iqn: text("iqn"), read_only },
            _ => return None,
        })
    }

    /// `isVolumeConflict` for one pair: the same disk, unless both mount it read-only
    /// (an EBS volume conflicts even then).
    pub fn conflicts(&self, other: &Disk) -> bool {
        match (self, other) {
            (Disk::Gce { pd_name: a, read_only: ra }, Disk::Gce { pd_name: b, read_only: rb }) => {
                a == b && !(*ra && *rb)
            }
            (Disk::Aws { volume_id: a }, Disk::Aws { volume_id: b }) => a == b,
            (Disk::Iscsi { iqn: a, read_only: ra }, Disk::Iscsi { iqn: b, read_only: rb }) => a == b && !(*ra && *rb),
            (
                Disk::Rbd { monitors: ma, pool: pa, image: ia, read_only: ra },
                Disk::Rbd { monitors: mb, pool: pb, image: ib, read_only: rb },
            ) => ma.iter().any(|m| mb.contains(m)) && pa == pb && ia == ib && !(*ra && *rb),
            _ => false,
        }
    }
}

/// One of the pod's claims as PreFilter sees it: whether it exists, and if so whether
/// it asks for ReadWriteOncePod and a scheduled pod already uses it.
#[derive(Clone, Copy, Debug)]
pub struct ClaimUse<'a> {
    pub name: &'a str,
    /// `None`: no such claim.
    pub found: Option<RwopUse>,
}

#[derive(Clone, Copy, Debug)]
pub struct RwopUse {
    pub read_write_once_pod: bool,
    /// `StorageInfos().IsPVCUsedByPods`: a pod on a node uses the claim.
    pub used: bool,
}

/// What PreFilter keeps for Filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    /// ReadWriteOncePod claims of the pod that a scheduled pod already uses.
    pub conflicting_claims: usize,
}

/// PreFilter: `Err` with the message of an `UnschedulableAndUnresolvable` status (a
/// claim that does not exist); `Ok(None)` skips the plugin (no restricted disk and no
/// ReadWriteOncePod conflict).
pub fn prefilter<'a>(has_disks: bool, claims: impl IntoIterator<Item = ClaimUse<'a>>) -> Result<Option<State>, String> {
    let mut state = State::default();
    for claim in claims {
        let Some(found) = claim.found else {
            return Err(format!("persistentvolumeclaim {:?} not found", claim.name));
        };
        if found.read_write_once_pod && found.used {
            state.conflicting_claims += 1;
        }
    }
    Ok((has_disks || state.conflicting_claims > 0).then_some(state))
}

/// Filter on one node: `Err` with the reason when a disk of the pod is one a pod on the
/// node mounts (`satisfyVolumeConflicts`), or the pod's ReadWriteOncePod claim is in use.
pub fn filter<'a>(
    state: &State,
    disks: &[Disk],
    on_node: impl IntoIterator<Item = &'a Disk>,
) -> Result<(), &'static str> {
    if !disks.is_empty() && on_node.into_iter().any(|d| disks.iter().any(|mine| mine.conflicts(d))) {
        return Err(DISK_CONFLICT);
    }
    if state.conflicting_claims > 0 {
        return Err(READ_WRITE_ONCE_POD_CONFLICT);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disks(list: &Value) -> Vec<Disk> {
        let mut out = Vec::new();
        for v in list.as_array().unwrap() {
            if let Some(map) = v.as_object() {
                out.extend(map.iter().filter_map(|(k, v)| Disk::of(k, v)));
            }
        }
        out
    }

    /// The cases of `volume_restrictions_test.go` (testdata/kubernetes/storage.json, group 5).
    #[test]
    fn conflicts_follow_volume_restrictions_test() {
        let all: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/kubernetes/storage.json"
        )))
        .unwrap();
        let cases = all["5_scheduler_volumerestrictions"].as_array().unwrap();
        for case in cases {
            let name = format!("{} / {}", case["test_func"], case["name"]);
            let (mine, on_node, claims_used) = if case["test_func"] == "TestAccessModeConflicts" {
                (Vec::new(), Vec::new(), true)
            } else {
                let node: Vec<Disk> = case["nodePodsVolumes"].as_array().unwrap().iter().flat_map(disks).collect();
                (disks(&case["podVolumes"]), node, false)
            };
            let claims: Vec<ClaimUse> = if claims_used {
                let pvcs = case["pvcs"].as_object().unwrap();
                let used: Vec<&str> = case["existingPods"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|p| p["pvcs"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()))
                    .collect();
                case["pod"]["pvcs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| {
                        let c = c.as_str().unwrap();
                        let found = pvcs.get(c).map(|modes| RwopUse {
                            read_write_once_pod: modes.as_array().unwrap().iter().any(|m| m == "RWOP"),
                            used: used.contains(&c),
                        });
                        ClaimUse { name: c, found }
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let pre = prefilter(!mine.is_empty(), claims);
            let want_pre = &case["wantPreFilterStatus"];
            match (&pre, want_pre["code"].as_str()) {
                (Ok(None), Some("Skip")) => continue,
                (Err(m), Some("UnschedulableAndUnresolvable")) => {
                    assert_eq!(Some(m.as_str()), want_pre["message"].as_str(), "{name}");
                    continue;
                }
                (Ok(Some(_)), None) => {}
                other => panic!("{name}: prefilter {other:?}"),
            }
            let state = pre.unwrap().unwrap();
            let got = filter(&state, &mine, &on_node);
            let want = &case["wantFilterStatus"];
            match got {
                Ok(()) => assert!(want.is_null(), "{name}: passed, wanted {want}"),
                Err(reason) => {
                    assert_eq!(want["code"], "Unschedulable", "{name}");
                    assert_eq!(Some(reason), want["message"].as_str(), "{name}");
                }
            }
        }
        assert_eq!(cases.len(), 22);
    }
}
