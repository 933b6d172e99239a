//! `core/v1` Volume and VolumeMount: a pod's `spec.volumes` and its containers'
//! `volumeMounts` (`staging/src/k8s.io/api/core/v1/types.go`). The sources podsim
//! simulates are typed; the network and in-tree sources it only needs to tell apart
//! (`iscsi`, `rbd`, `gcePersistentDisk`, ...) are kept as written.

use super::Quantity;
use super::meta::ObjectMeta;
use super::storage::PersistentVolumeClaimSpec;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// `VolumeSource`'s default mode for projected files (`0644`, `SetDefaults_*VolumeSource`).
pub const DEFAULT_MODE: i32 = 0o644;

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty_dir: Option<EmptyDirVolumeSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_path: Option<HostPathVolumeSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map: Option<ConfigMapVolumeSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<SecretVolumeSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projected: Option<ProjectedVolumeSource>,
    #[serde(default, rename = "downwardAPI", skip_serializing_if = "Option::is_none")]
    pub downward_api: Option<DownwardApiVolumeSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_volume_claim: Option<PersistentVolumeClaimVolumeSource>,
    /// A generic ephemeral volume: a claim made for the pod from the template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ephemeral: Option<EphemeralVolumeSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nfs: Option<NfsVolumeSource>,
    /// An inline CSI volume (CSI ephemeral volume).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csi: Option<CsiVolumeSource>,
    /// The other in-tree sources, as written: podsim knows which they are, not their details.
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
    pub git_repo: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glusterfs: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Value>,
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

/// What a volume is, as podsim tells sources apart.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum VolumeSourceRef<'a> {
    EmptyDir(&'a EmptyDirVolumeSource),
    HostPath(&'a HostPathVolumeSource),
    ConfigMap(&'a ConfigMapVolumeSource),
    Secret(&'a SecretVolumeSource),
    Projected(&'a ProjectedVolumeSource),
    DownwardApi(&'a DownwardApiVolumeSource),
    PersistentVolumeClaim(&'a PersistentVolumeClaimVolumeSource),
    Ephemeral(&'a EphemeralVolumeSource),
    Nfs(&'a NfsVolumeSource),
    Csi(&'a CsiVolumeSource),
    /// Another in-tree source, by its field name (`gcePersistentDisk`).
    Other(&'static str, &'a Value),
}

impl Volume {
    /// Every source set on this volume, in the order upstream's `validateVolumeSource`
    /// checks them (its "more than 1 volume type" errors name the later ones).
    pub fn sources<'a>(&'a self) -> Vec<VolumeSourceRef<'a>> {
        use VolumeSourceRef as S;
        let other = |name: &'static str, v: &'a Option<Value>| v.as_ref().map(|v| S::Other(name, v));
        let all = [
            self.empty_dir.as_ref().map(S::EmptyDir),
            self.host_path.as_ref().map(S::HostPath),
            other("gitRepo", &self.git_repo),
            other("gcePersistentDisk", &self.gce_persistent_disk),
            other("awsElasticBlockStore", &self.aws_elastic_block_store),
            self.secret.as_ref().map(S::Secret),
            self.nfs.as_ref().map(S::Nfs),
            other("iscsi", &self.iscsi),
            other("glusterfs", &self.glusterfs),
            other("flocker", &self.flocker),
            self.persistent_volume_claim.as_ref().map(S::PersistentVolumeClaim),
            other("rbd", &self.rbd),
            other("cinder", &self.cinder),
            other("cephFS", &self.cephfs),
            other("quobyte", &self.quobyte),
            self.downward_api.as_ref().map(S::DownwardApi),
            other("fc", &self.fc),
            other("flexVolume", &self.flex_volume),
            self.config_map.as_ref().map(S::ConfigMap),
            other("azureFile", &self.azure_file),
            other("vsphereVolume", &self.vsphere_volume),
            other("photonPersistentDisk", &self.photon_persistent_disk),
            other("portworxVolume", &self.portworx_volume),
            other("azureDisk", &self.azure_disk),
            other("storageos", &self.storageos),
            self.projected.as_ref().map(S::Projected),
            other("scaleIO", &self.scale_io),
            self.csi.as_ref().map(S::Csi),
            self.ephemeral.as_ref().map(S::Ephemeral),
            other("image", &self.image),
        ];
        all.into_iter().flatten().collect()
    }

    /// The one source of a valid volume (validation refuses none or several; the API
    /// server defaults none to an emptyDir).
    pub fn source(&self) -> Option<VolumeSourceRef<'_>> {
        self.sources().into_iter().next()
    }

    /// Whether no source is set (`SetDefaults_Volume` then makes it an emptyDir).
    pub fn has_no_source(&self) -> bool {
        self.sources().is_empty()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmptyDirVolumeSource {
    /// `""` (the node's disk), `Memory` (tmpfs), `HugePages`, `HugePages-<size>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_limit: Option<Quantity>,
}

impl EmptyDirVolumeSource {
    /// Whether the directory is a tmpfs, its bytes counted as memory.
    pub fn is_memory(&self) -> bool {
        self.medium.as_deref() == Some("Memory")
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HostPathVolumeSource {
    #[serde(default)]
    pub path: String,
    /// `""` (no check, the default), `DirectoryOrCreate`, `Directory`, `FileOrCreate`,
    /// `File`, `Socket`, `CharDevice`, `BlockDevice`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
}

/// `KeyToPath`: one key of a ConfigMap or Secret projected as a file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyToPath {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<i32>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigMapVolumeSource {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<KeyToPath>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_mode: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretVolumeSource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<KeyToPath>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_mode: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectedVolumeSource {
    #[serde(default)]
    pub sources: Vec<VolumeProjection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_mode: Option<i32>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeProjection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map: Option<ConfigMapProjection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<SecretProjection>,
    #[serde(default, rename = "downwardAPI", skip_serializing_if = "Option::is_none")]
    pub downward_api: Option<DownwardApiProjection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_token: Option<ServiceAccountTokenProjection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_trust_bundle: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_certificate: Option<Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigMapProjection {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<KeyToPath>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretProjection {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<KeyToPath>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

/// The downward API's files: their field references are kept as written.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DownwardApiProjection {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DownwardApiVolumeSource {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_mode: Option<i32>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccountTokenProjection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_seconds: Option<i64>,
    #[serde(default)]
    pub path: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersistentVolumeClaimVolumeSource {
    #[serde(default)]
    pub claim_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EphemeralVolumeSource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_claim_template: Option<PersistentVolumeClaimTemplate>,
}

/// The claim a generic ephemeral volume makes, named `<pod>-<volume>`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersistentVolumeClaimTemplate {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: PersistentVolumeClaimSpec,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NfsVolumeSource {
    #[serde(default)]
    pub server: String,
    #[serde(default)]
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CsiVolumeSource {
    #[serde(default)]
    pub driver: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub volume_attributes: BTreeMap<String, String>,
}

/// A container's `volumeMounts` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeMount {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub mount_path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_path: Option<String>,
}

impl VolumeMount {
    pub fn is_read_only(&self) -> bool {
        self.read_only == Some(true)
    }
}
