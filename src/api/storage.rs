//! PersistentVolumeClaim and PersistentVolume (`core/v1`) and StorageClass
//! (`storage.k8s.io/v1`): the fields podsim models (`staging/src/k8s.io/api/core/v1/types.go`,
//! `staging/src/k8s.io/api/storage/v1/types.go`), the annotations and finalizers the
//! storage controllers write, and the access modes as kubectl abbreviates them.

use super::ResourceList;
use super::meta::ObjectMeta;
use super::pod::NodeSelector;
use super::quantity::Quantity;
use crate::labels::LabelSelector;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Annotations and finalizers of the storage objects (`pv_controller.go`,
/// `component-helpers/storage/volume/helpers.go`, `pvc_protection_controller.go`).
pub mod keys {
    /// On a claim: the PV controller finished binding it.
    pub const BIND_COMPLETED: &str = "pv.kubernetes.io/bind-completed";
    /// On a claim and a PV: the binding was made by the controller.
    pub const BOUND_BY_CONTROLLER: &str = "pv.kubernetes.io/bound-by-controller";
    /// On a claim: the node the scheduler chose for WaitForFirstConsumer provisioning.
    pub const SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
    /// On a claim: the provisioner expected to act (with its beta twin).
    pub const STORAGE_PROVISIONER: &str = "volume.kubernetes.io/storage-provisioner";
    pub const BETA_STORAGE_PROVISIONER: &str = "volume.beta.kubernetes.io/storage-provisioner";
    /// On a PV: the provisioner that made it.
    pub const PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";
    /// The legacy class annotation on a claim or PV: it wins over `storageClassName`.
    pub const BETA_STORAGE_CLASS: &str = "volume.beta.kubernetes.io/storage-class";
    /// On a StorageClass: `"true"` makes it a default class (the beta key too).
    pub const IS_DEFAULT_CLASS: &str = "storageclass.kubernetes.io/is-default-class";
    pub const BETA_IS_DEFAULT_CLASS: &str = "storageclass.beta.kubernetes.io/is-default-class";
    /// The StorageObjectInUseProtection finalizers.
    pub const PVC_PROTECTION: &str = "kubernetes.io/pvc-protection";
    pub const PV_PROTECTION: &str = "kubernetes.io/pv-protection";
    /// The provisioner name of a class that never provisions (local static PVs).
    pub const NO_PROVISIONER: &str = "kubernetes.io/no-provisioner";
}

/// `core/v1` PersistentVolumeAccessMode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AccessMode {
    ReadWriteOnce,
    ReadOnlyMany,
    ReadWriteMany,
    ReadWriteOncePod,
}

impl AccessMode {
    /// In the order kubectl prints them and the PV controller's index keys them.
    pub const ALL: [AccessMode; 4] =
        [AccessMode::ReadWriteOnce, AccessMode::ReadOnlyMany, AccessMode::ReadWriteMany, AccessMode::ReadWriteOncePod];

    pub fn parse(s: &str) -> Option<AccessMode> {
        AccessMode::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccessMode::ReadWriteOnce => "ReadWriteOnce",
            AccessMode::ReadOnlyMany => "ReadOnlyMany",
            AccessMode::ReadWriteMany => "ReadWriteMany",
            AccessMode::ReadWriteOncePod => "ReadWriteOncePod",
        }
    }

    /// `GetAccessModesAsString`'s abbreviation (`pkg/apis/core/helper/helpers.go`).
    pub fn abbreviation(self) -> &'static str {
        match self {
            AccessMode::ReadWriteOnce => "RWO",
            AccessMode::ReadOnlyMany => "ROX",
            AccessMode::ReadWriteMany => "RWX",
            AccessMode::ReadWriteOncePod => "RWOP",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of access modes: what a claim asks for or a PV offers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccessModes(u8);

impl AccessModes {
    /// The modes named in a list (names that are not modes are left out: validation refuses them).
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a String>) -> AccessModes {
        let mut set = AccessModes::default();
        for m in names.into_iter().filter_map(|n| AccessMode::parse(n)) {
            set.insert(m);
        }
        set
    }

    pub fn insert(&mut self, m: AccessMode) {
        self.0 |= m.bit();
    }

    pub fn contains(self, m: AccessMode) -> bool {
        self.0 & m.bit() != 0
    }

    /// Whether every mode of `other` is among these (`CheckAccessModes`).
    pub fn contains_all(self, other: AccessModes) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn iter(self) -> impl Iterator<Item = AccessMode> {
        AccessMode::ALL.into_iter().filter(move |m| self.contains(*m))
    }

    /// `RWO,ROX,RWX,RWOP` in that fixed order, as kubectl's ACCESS MODES column.
    pub fn abbreviated(self) -> String {
        self.iter().map(AccessMode::abbreviation).collect::<Vec<_>>().join(",")
    }
}

/// `PersistentVolumeMode`; `None` in the spec means `Filesystem`.
pub const VOLUME_MODES: &[&str] = &["Block", "Filesystem"];
/// `PersistentVolumeReclaimPolicy`, sorted.
pub const RECLAIM_POLICIES: &[&str] = &["Delete", "Recycle", "Retain"];
/// `VolumeBindingMode`, sorted.
pub const BINDING_MODES: &[&str] = &["Immediate", "WaitForFirstConsumer"];

// ---------------------------------------------------------------------------------
// PersistentVolumeClaim

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersistentVolumeClaim {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: PersistentVolumeClaimSpec,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersistentVolumeClaimSpec {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_modes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
    #[serde(default, skip_serializing_if = "VolumeResourceRequirements::is_empty")]
    pub resources: VolumeResourceRequirements,
    /// A claim pre-bound to a PV by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_name: Option<String>,
    /// `None` (the DefaultStorageClass admission plugin may fill it) is not `""` (no class).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_attributes_class_name: Option<String>,
}

impl PersistentVolumeClaimSpec {
    pub fn access_mode_set(&self) -> AccessModes {
        AccessModes::from_names(&self.access_modes)
    }

    /// `resources.requests.storage`.
    pub fn storage_request(&self) -> Option<&Quantity> {
        self.resources.requests.get("storage")
    }
}

impl PersistentVolumeClaim {
    /// `GetPersistentVolumeClaimClass`: the beta annotation wins over the field; `""`
    /// when neither is set.
    pub fn class(&self) -> &str {
        match self.metadata.annotations.get(keys::BETA_STORAGE_CLASS) {
            Some(c) => c,
            None => self.spec.storage_class_name.as_deref().unwrap_or(""),
        }
    }

    /// Whether the claim names no class at all (neither field nor annotation), which the
    /// DefaultStorageClass admission plugin and the PV controller fill with the default.
    pub fn has_no_class(&self) -> bool {
        self.spec.storage_class_name.is_none() && !self.metadata.annotations.contains_key(keys::BETA_STORAGE_CLASS)
    }
}

/// `VolumeResourceRequirements`: a claim asks for `storage`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeResourceRequirements {
    #[serde(default, skip_serializing_if = "ResourceList::is_empty")]
    pub requests: ResourceList,
    #[serde(default, skip_serializing_if = "ResourceList::is_empty")]
    pub limits: ResourceList,
}

impl VolumeResourceRequirements {
    pub fn is_empty(&self) -> bool {
        self.requests.is_empty() && self.limits.is_empty()
    }
}

// ---------------------------------------------------------------------------------
// PersistentVolume

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersistentVolume {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: PersistentVolumeSpec,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersistentVolumeSpec {
    #[serde(default, skip_serializing_if = "ResourceList::is_empty")]
    pub capacity: ResourceList,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_modes: Vec<String>,
    /// `Retain` (the default for a PV created by hand), `Delete`, `Recycle`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_volume_reclaim_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
    /// The claim this PV is bound, or reserved, to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_ref: Option<ObjectReference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_affinity: Option<VolumeNodeAffinity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_attributes_class_name: Option<String>,
    // The volume's source: one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csi: Option<CsiPersistentVolumeSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<LocalVolumeSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_path: Option<super::volume::HostPathVolumeSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nfs: Option<super::volume::NfsVolumeSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_elastic_block_store: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_disk: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_file: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cephfs: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cinder: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fc: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flex_volume: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flocker: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gce_persistent_disk: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glusterfs: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iscsi: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photon_persistent_disk: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portworx_volume: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quobyte: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rbd: Option<Value>,
    #[serde(default, rename = "scaleIO", skip_serializing_if = "Option::is_none")]
    pub scale_io: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storageos: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vsphere_volume: Option<Value>,
}

/// A PV's source as podsim tells them apart: where the data lives (on one node or on
/// the network) and, for the volume limits and attach, which CSI driver serves it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PvSource {
    Csi {
        driver: String,
        volume_handle: String,
    },
    Local {
        path: String,
    },
    HostPath {
        path: String,
    },
    Nfs {
        server: String,
        path: String,
    },
    /// An in-tree source, by its field name (`awsElasticBlockStore`).
    InTree(&'static str),
}

impl PvSource {
    /// Whether the data lives on one node's disk (lost with the node).
    pub fn is_node_local(&self) -> bool {
        matches!(self, PvSource::Local { .. } | PvSource::HostPath { .. })
    }

    /// The CSI driver that serves this volume, in-tree sources translated as CSI
    /// migration translates them (`csi-translation-lib`): what NodeVolumeLimits counts
    /// per driver. `None` for sources no driver serves (local, hostPath, nfs, ...).
    pub fn csi_driver(&self) -> Option<&str> {
        match self {
            PvSource::Csi { driver, .. } => Some(driver),
            PvSource::InTree(name) => migrated_driver(name),
            _ => None,
        }
    }

    /// The source's kind as `describe pv` names it (`CSI`, `LocalVolume`, ...).
    pub fn type_name(&self) -> &str {
        match self {
            PvSource::Csi { .. } => "CSI",
            PvSource::Local { .. } => "LocalVolume",
            PvSource::HostPath { .. } => "HostPath",
            PvSource::Nfs { .. } => "NFS",
            PvSource::InTree(name) => name,
        }
    }
}

/// The CSI driver an in-tree plugin migrates to (`csi-translation-lib/plugins`).
pub fn migrated_driver(in_tree: &str) -> Option<&'static str> {
    Some(match in_tree {
        "awsElasticBlockStore" => "ebs.csi.aws.com",
        "gcePersistentDisk" => "pd.csi.storage.gke.io",
        "azureDisk" => "disk.csi.azure.com",
        "azureFile" => "file.csi.azure.com",
        "cinder" => "cinder.csi.openstack.org",
        "vsphereVolume" => "csi.vsphere.vmware.com",
        "portworxVolume" => "pxd.portworx.com",
        _ => return None,
    })
}

impl PersistentVolumeSpec {
    pub fn access_mode_set(&self) -> AccessModes {
        AccessModes::from_names(&self.access_modes)
    }

    /// `capacity.storage`.
    pub fn storage(&self) -> Option<&Quantity> {
        self.capacity.get("storage")
    }

    /// Every source set, by field name, in `ValidatePersistentVolumeSpec`'s order.
    pub fn source_names(&self) -> Vec<&'static str> {
        let typed = [
            ("hostPath", self.host_path.is_some()),
            ("nfs", self.nfs.is_some()),
            ("local", self.local.is_some()),
            ("csi", self.csi.is_some()),
        ];
        let others = [
            ("gcePersistentDisk", &self.gce_persistent_disk),
            ("awsElasticBlockStore", &self.aws_elastic_block_store),
            ("glusterfs", &self.glusterfs),
            ("flocker", &self.flocker),
            ("rbd", &self.rbd),
            ("quobyte", &self.quobyte),
            ("cephfs", &self.cephfs),
            ("iscsi", &self.iscsi),
            ("cinder", &self.cinder),
            ("fc", &self.fc),
            ("flexVolume", &self.flex_volume),
            ("azureFile", &self.azure_file),
            ("vsphereVolume", &self.vsphere_volume),
            ("photonPersistentDisk", &self.photon_persistent_disk),
            ("portworxVolume", &self.portworx_volume),
            ("azureDisk", &self.azure_disk),
            ("scaleIO", &self.scale_io),
            ("storageos", &self.storageos),
        ];
        // The order upstream checks them in: hostPath first, csi last, local after scaleIO.
        let order = [
            "hostPath",
            "gcePersistentDisk",
            "awsElasticBlockStore",
            "glusterfs",
            "flocker",
            "nfs",
            "rbd",
            "quobyte",
            "cephfs",
            "iscsi",
            "cinder",
            "fc",
            "flexVolume",
            "azureFile",
            "vsphereVolume",
            "photonPersistentDisk",
            "portworxVolume",
            "azureDisk",
            "scaleIO",
            "local",
            "storageos",
            "csi",
        ];
        let set = |name: &str| {
            typed.iter().any(|(n, s)| *n == name && *s) || others.iter().any(|(n, v)| *n == name && v.is_some())
        };
        order.into_iter().filter(|n| set(n)).collect()
    }

    /// The volume's source (the first, for a valid PV the only one).
    pub fn source(&self) -> Option<PvSource> {
        if let Some(csi) = &self.csi {
            return Some(PvSource::Csi { driver: csi.driver.clone(), volume_handle: csi.volume_handle.clone() });
        }
        if let Some(l) = &self.local {
            return Some(PvSource::Local { path: l.path.clone() });
        }
        if let Some(h) = &self.host_path {
            return Some(PvSource::HostPath { path: h.path.clone() });
        }
        if let Some(n) = &self.nfs {
            return Some(PvSource::Nfs { server: n.server.clone(), path: n.path.clone() });
        }
        self.source_names().first().map(|n| PvSource::InTree(n))
    }
}

impl PersistentVolume {
    /// `GetPersistentVolumeClass`: the beta annotation wins over the field.
    pub fn class(&self) -> &str {
        match self.metadata.annotations.get(keys::BETA_STORAGE_CLASS) {
            Some(c) => c,
            None => self.spec.storage_class_name.as_deref().unwrap_or(""),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectReference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
}

/// `VolumeNodeAffinity`: the nodes a PV can be used from.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeNodeAffinity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<NodeSelector>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CsiPersistentVolumeSource {
    #[serde(default)]
    pub driver: String,
    #[serde(default)]
    pub volume_handle: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub volume_attributes: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalVolumeSource {
    #[serde(default)]
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
}

// ---------------------------------------------------------------------------------
// StorageClass

/// `storage.k8s.io/v1` StorageClass: its fields sit at the top level (no spec).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageClass {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub provisioner: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, String>,
    /// `Delete` when unset (`SetDefaults_StorageClass`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reclaim_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_volume_expansion: Option<bool>,
    /// `Immediate` when unset (`SetDefaults_StorageClass`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_binding_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_topologies: Vec<TopologySelectorTerm>,
}

impl StorageClass {
    /// Whether the class is marked default (`IsDefaultAnnotation`: the GA or beta key, `"true"`).
    pub fn is_default(&self) -> bool {
        let a = &self.metadata.annotations;
        a.get(keys::IS_DEFAULT_CLASS).map(String::as_str) == Some("true")
            || a.get(keys::BETA_IS_DEFAULT_CLASS).map(String::as_str) == Some("true")
    }

    /// Whether binding waits for the first pod (`volumeBindingMode: WaitForFirstConsumer`).
    pub fn waits_for_first_consumer(&self) -> bool {
        self.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer")
    }
}

/// `TopologySelectorTerm`: requirements ANDed; a class's terms are ORed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TopologySelectorTerm {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_label_expressions: Vec<TopologySelectorLabelRequirement>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TopologySelectorLabelRequirement {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub values: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_modes_print_in_kubectls_order() {
        let names: Vec<String> = ["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce", "ReadWriteOncePod"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let set = AccessModes::from_names(&names);
        assert_eq!(set.abbreviated(), "RWO,RWX,RWOP");
        assert_eq!(set.len(), 3);
        assert!(set.contains_all(AccessModes::from_names(&["ReadWriteOnce".to_string()])));
        assert!(!set.contains(AccessMode::ReadOnlyMany));
        assert_eq!(AccessModes::default().abbreviated(), "");
    }

    #[test]
    fn class_and_source() {
        let pvc: PersistentVolumeClaim = serde_saphyr::from_str(
            "metadata: {name: c, annotations: {volume.beta.kubernetes.io/storage-class: old}}\nspec: {storageClassName: new}",
        )
        .unwrap();
        assert_eq!(pvc.class(), "old");
        assert!(!pvc.has_no_class());
        let pv: PersistentVolume =
            serde_saphyr::from_str("spec: {awsElasticBlockStore: {volumeID: v}, capacity: {storage: 1Gi}}").unwrap();
        assert_eq!(pv.spec.source(), Some(PvSource::InTree("awsElasticBlockStore")));
        assert_eq!(pv.spec.source().unwrap().csi_driver(), Some("ebs.csi.aws.com"));
        assert_eq!(pv.class(), "");
    }
}
