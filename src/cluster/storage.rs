//! The storage objects as the cluster holds them: PersistentVolumeClaims
//! ([`ClaimId`]), PersistentVolumes ([`PvId`]), StorageClasses, ConfigMaps and Secrets,
//! found by namespace and name ([`super::NameIndex`]; PVs and classes are
//! cluster-scoped and filed under the namespace `""`). Each keeps the API object as
//! admitted beside what its controllers write (phase, binding, annotations,
//! finalizers, deletion): the verbs of `apiserver/storage.rs` write it, and record each
//! change.

// The storage controllers (the PV controller, the scheduler's volume plugins, attach and
// detach, the kubelet's volume manager, StatefulSets) read and write what is here; until
// each lands, parts of it have no reader yet.
#![allow(dead_code)]

use super::NameIndex;
use super::slab::{Id, Slab};
use super::template::RequiredNodeAffinity;
use crate::api::config::{ConfigMap as ApiConfigMap, Secret as ApiSecret};
use crate::api::quantity::Quantity;
use crate::api::storage::{
    AccessModes, PersistentVolume as ApiPv, PersistentVolumeClaim as ApiClaim, PvSource, StorageClass as ApiClass, keys,
};
use crate::engine::{Distribution, SimTime};
use crate::labels::Selector;
use crate::scenario::glob::Glob;
use std::collections::BTreeMap;
use std::sync::Arc;

pub type ClaimId = Id;
pub type PvId = Id;
pub type ClassId = Id;
pub type ConfigMapId = Id;
pub type SecretId = Id;

/// `PersistentVolumeClaimPhase`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClaimPhase {
    #[default]
    Pending,
    Bound,
    /// Bound, and its PV is gone or bound elsewhere: the data is lost.
    Lost,
}

impl ClaimPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimPhase::Pending => "Pending",
            ClaimPhase::Bound => "Bound",
            ClaimPhase::Lost => "Lost",
        }
    }
}

/// `PersistentVolumePhase`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum PvPhase {
    /// As created, until the PV controller's first sync.
    #[default]
    Pending,
    Available,
    Bound,
    /// Its claim is gone; not yet reclaimed.
    Released,
    Failed,
}

impl PvPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            PvPhase::Pending => "Pending",
            PvPhase::Available => "Available",
            PvPhase::Bound => "Bound",
            PvPhase::Released => "Released",
            PvPhase::Failed => "Failed",
        }
    }
}

/// `persistentVolumeReclaimPolicy`, and a class's `reclaimPolicy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReclaimPolicy {
    /// The default of a PV made by hand.
    #[default]
    Retain,
    /// The default of a class, and so of the PVs it provisions.
    Delete,
    /// Deprecated: a scrubber empties the volume.
    Recycle,
}

impl ReclaimPolicy {
    pub fn parse(s: Option<&str>, default: ReclaimPolicy) -> ReclaimPolicy {
        match s {
            Some("Retain") => ReclaimPolicy::Retain,
            Some("Delete") => ReclaimPolicy::Delete,
            Some("Recycle") => ReclaimPolicy::Recycle,
            _ => default,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReclaimPolicy::Retain => "Retain",
            ReclaimPolicy::Delete => "Delete",
            ReclaimPolicy::Recycle => "Recycle",
        }
    }
}

/// `volumeMode`: `None` in the API means `Filesystem`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VolumeMode {
    #[default]
    Filesystem,
    Block,
}

impl VolumeMode {
    pub fn parse(s: Option<&str>) -> VolumeMode {
        if s == Some("Block") { VolumeMode::Block } else { VolumeMode::Filesystem }
    }
}

/// A class's `volumeBindingMode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BindingMode {
    #[default]
    Immediate,
    /// The scheduler picks the node first (`volume.kubernetes.io/selected-node`).
    WaitForFirstConsumer,
}

/// A claim's reference to the PV it is bound to, or a PV's to its claim
/// (`spec.claimRef`: namespace, name and uid).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimRef {
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    /// The claim's uid number (`None`: pre-bound by name only, as a user writes it).
    pub uid: Option<u64>,
}

/// What the API shows of a claim beyond its spec, as its controllers write it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClaimStatus {
    pub phase: ClaimPhase,
    /// `spec.volumeName`: the PV it is bound (or pre-bound) to.
    pub volume_name: Option<Arc<str>>,
    /// `status.capacity.storage` and `status.accessModes`, once bound.
    pub capacity: Option<Quantity>,
    pub access_modes: AccessModes,
    /// Every annotation: the manifest's and those the controllers add
    /// (`bind-completed`, `selected-node`, `storage-provisioner`, ...).
    pub annotations: BTreeMap<String, String>,
    /// `metadata.finalizers` (`kubernetes.io/pvc-protection`).
    pub finalizers: Vec<String>,
    /// `metadata.deletionTimestamp`: it shows `Terminating` until the finalizers go.
    pub deletion: Option<SimTime>,
}

impl ClaimStatus {
    /// Bound as the scheduler counts it: `volumeName` set and `bind-completed` present.
    pub fn fully_bound(&self) -> bool {
        self.volume_name.is_some() && self.annotations.contains_key(keys::BIND_COMPLETED)
    }

    /// `volume.kubernetes.io/selected-node`, when set.
    pub fn selected_node(&self) -> Option<&str> {
        self.annotations.get(keys::SELECTED_NODE).map(String::as_str)
    }
}

/// A PersistentVolumeClaim.
#[derive(Clone, Debug)]
pub struct Claim {
    /// Its number among the run's claims (its uid is drawn from it).
    pub uid: u64,
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    pub created: SimTime,
    /// The object as admitted (the default class filled in by admission).
    pub api: Arc<ApiClaim>,
    /// `spec.accessModes`.
    pub modes: AccessModes,
    /// `resources.requests.storage` in bytes (rounded up).
    pub request: i64,
    /// The class (`GetPersistentVolumeClaimClass`): `""` when it names none.
    pub class: Arc<str>,
    /// It names no class at all (field nor annotation): the PV controller may fill
    /// in the default later (RetroactiveDefaultStorageClass).
    pub no_class: bool,
    pub volume_mode: VolumeMode,
    /// `spec.selector`, compiled; `None`: no selector (every PV).
    pub selector: Option<Selector>,
    /// The pod that owns it, for a generic ephemeral volume's claim (`<pod>-<volume>`).
    pub owner_pod: Option<u64>,
    pub status: ClaimStatus,
    /// What transitions.csv and objects.jsonl last said.
    pub reported: Option<ClaimStatus>,
}

impl Claim {
    /// kubectl's STATUS: the phase, or `Terminating` while being deleted.
    pub fn shown_status(&self) -> &'static str {
        if self.status.deletion.is_some() { "Terminating" } else { self.status.phase.as_str() }
    }
}

/// What the API shows of a PV beyond its spec, as the controllers write it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PvStatus {
    pub phase: PvPhase,
    /// `spec.claimRef`.
    pub claim_ref: Option<ClaimRef>,
    pub annotations: BTreeMap<String, String>,
    pub finalizers: Vec<String>,
    pub deletion: Option<SimTime>,
    /// `status.reason` and `status.message` (a failed reclaim).
    pub reason: String,
    pub message: String,
}

/// A PersistentVolume.
#[derive(Clone, Debug)]
pub struct Volume {
    pub uid: u64,
    pub name: Arc<str>,
    pub created: SimTime,
    /// The object as created.
    pub api: Arc<ApiPv>,
    /// `capacity.storage` in bytes.
    pub capacity: i64,
    pub modes: AccessModes,
    /// `GetPersistentVolumeClass`: `""` for none.
    pub class: Arc<str>,
    pub reclaim: ReclaimPolicy,
    pub volume_mode: VolumeMode,
    pub source: PvSource,
    /// `spec.nodeAffinity.required`, compiled (`None`: any node).
    pub node_affinity: Option<RequiredNodeAffinity>,
    /// Its labels (VolumeZone reads the zone and region ones).
    pub labels: Arc<BTreeMap<String, String>>,
    pub status: PvStatus,
    pub reported: Option<PvStatus>,
}

impl Volume {
    /// Whether the PV can be used from a node with these labels (`CheckNodeAffinity`).
    pub fn fits_node(&self, labels: &BTreeMap<String, String>, node_name: &str) -> bool {
        self.node_affinity.as_ref().is_none_or(|a| a.matches(labels, node_name))
    }

    /// Whether its data lives on one node's disk (a local or hostPath PV).
    pub fn is_node_local(&self) -> bool {
        self.source.is_node_local()
    }

    /// kubectl's STATUS: the phase, or `Terminating` while being deleted.
    pub fn shown_status(&self) -> &'static str {
        if self.status.deletion.is_some() { "Terminating" } else { self.status.phase.as_str() }
    }
}

/// A StorageClass.
#[derive(Clone, Debug)]
pub struct Class {
    pub uid: u64,
    pub name: Arc<str>,
    pub created: SimTime,
    /// The object as created, defaulted (`reclaimPolicy`, `volumeBindingMode`).
    pub api: Arc<ApiClass>,
    pub provisioner: Arc<str>,
    pub reclaim: ReclaimPolicy,
    pub binding: BindingMode,
    /// Marked default (`storageclass.kubernetes.io/is-default-class: "true"`).
    pub is_default: bool,
    /// `allowedTopologies`: terms ORed, each a list of (key, values) ANDed; empty: anywhere.
    pub allowed_topologies: Vec<Vec<(String, Vec<String>)>>,
    /// The simulated times of its operations (the scenario's `storage:` key).
    pub timings: ClassTimings,
}

impl Class {
    /// Whether a node with these labels is in the class's allowed topologies.
    pub fn allows(&self, labels: &BTreeMap<String, String>) -> bool {
        self.allowed_topologies.is_empty()
            || self
                .allowed_topologies
                .iter()
                .any(|term| term.iter().all(|(k, values)| labels.get(k).is_some_and(|v| values.iter().any(|x| x == v))))
    }

    /// `creationTimestamp` as the API keeps it: whole seconds.
    pub fn created_seconds(&self) -> u64 {
        self.created.ms() / 1000
    }

    /// A class whose provisioner never provisions (`kubernetes.io/no-provisioner`, or none).
    pub fn never_provisions(&self) -> bool {
        self.provisioner.is_empty() || &*self.provisioner == keys::NO_PROVISIONER
    }
}

/// A ConfigMap: which keys it holds, for the volumes that project them.
#[derive(Clone, Debug)]
pub struct ConfigMap {
    pub uid: u64,
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    pub created: SimTime,
    pub api: Arc<ApiConfigMap>,
}

/// A Secret (its `stringData` merged into `data`, as the API stores it).
#[derive(Clone, Debug)]
pub struct Secret {
    pub uid: u64,
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    pub created: SimTime,
    pub api: Arc<ApiSecret>,
}

/// The simulated duration of each storage operation for one class.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassTimings {
    /// From the claim asking (or the scheduler selecting its node) to the PV created.
    pub provision: Distribution,
    /// A network volume's attach to a node (the CSI driver's ControllerPublish).
    pub attach: Distribution,
    /// Its detach.
    pub detach: Distribution,
    /// The kubelet's mount of the volume once attached (MountDevice and SetUp).
    pub mount: Distribution,
}

/// Defaults when the scenario says nothing of a class: provision 5 s, attach 10 s,
/// detach 5 s, mount 0 s (what a CSI driver in a cloud commonly takes; the mount of
/// a formatted disk is quick next to its attach).
impl Default for ClassTimings {
    fn default() -> Self {
        ClassTimings {
            provision: Distribution::Constant(5_000),
            attach: Distribution::Constant(10_000),
            detach: Distribution::Constant(5_000),
            mount: Distribution::Constant(0),
        }
    }
}

/// The scenario's `storage:` key: timings per class, the first entry whose glob
/// matches the class's name applying.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StorageTimings {
    pub classes: Vec<(Glob, ClassTimings)>,
}

impl StorageTimings {
    /// The timings of the class named `class` (`""`: volumes of no class, whose
    /// attach and detach still take time).
    pub fn of(&self, class: &str) -> ClassTimings {
        self.classes.iter().find(|(g, _)| g.matches(class)).map(|(_, t)| t.clone()).unwrap_or_default()
    }
}

/// The storage objects of the cluster.
#[derive(Default)]
pub struct StorageState {
    pub claims: Slab<Claim>,
    pub claim_by_name: NameIndex<ClaimId>,
    pub volumes: Slab<Volume>,
    /// PVs by name (namespace `""`).
    pub volume_by_name: NameIndex<PvId>,
    pub classes: Slab<Class>,
    pub class_by_name: NameIndex<ClassId>,
    pub config_maps: Slab<ConfigMap>,
    pub config_map_by_name: NameIndex<ConfigMapId>,
    pub secrets: Slab<Secret>,
    pub secret_by_name: NameIndex<SecretId>,
    /// Objects of each kind created so far (their uids): claims, PVs, classes,
    /// ConfigMaps, Secrets.
    pub created: [u64; 5],
    /// The scenario's timings per class.
    pub timings: StorageTimings,
}

impl StorageState {
    pub fn find_claim(&self, namespace: &str, name: &str) -> Option<ClaimId> {
        self.claim_by_name.get(namespace, name)
    }

    pub fn find_volume(&self, name: &str) -> Option<PvId> {
        self.volume_by_name.get("", name)
    }

    pub fn find_class(&self, name: &str) -> Option<ClassId> {
        self.class_by_name.get("", name)
    }

    pub fn find_config_map(&self, namespace: &str, name: &str) -> Option<ConfigMapId> {
        self.config_map_by_name.get(namespace, name)
    }

    pub fn find_secret(&self, namespace: &str, name: &str) -> Option<SecretId> {
        self.secret_by_name.get(namespace, name)
    }

    /// The class a claim of class `name` uses, if it exists.
    pub fn class(&self, name: &str) -> Option<&Class> {
        self.find_class(name).and_then(|id| self.classes.get(id))
    }

    /// The default class: of the classes marked default, the most recently created
    /// (the DefaultStorageClass admission plugin's choice since Kubernetes 1.26;
    /// `GetDefaultClass` in `pkg/volume/util/storageclass.go`: newest creation time,
    /// to the second as the API keeps it, ties to the first name).
    pub fn default_class(&self) -> Option<&Class> {
        self.classes
            .iter()
            .map(|(_, c)| c)
            .filter(|c| c.is_default)
            .max_by(|a, b| a.created_seconds().cmp(&b.created_seconds()).then_with(|| b.name.cmp(&a.name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timings_take_the_first_matching_entry_or_the_defaults() {
        let fast = ClassTimings { provision: Distribution::Constant(1_000), ..ClassTimings::default() };
        let t =
            StorageTimings { classes: vec![(Glob::new("fast-*"), fast.clone()), (Glob::new("*"), Default::default())] };
        assert_eq!(t.of("fast-ssd"), fast);
        assert_eq!(t.of("standard"), ClassTimings::default());
        assert_eq!(StorageTimings::default().of("x").attach, Distribution::Constant(10_000));
    }
}
