//! DaemonSets as the cluster holds them: the object as last written, what its
//! controller derives from the template (the revision hash, the rules that say which
//! nodes get a pod, each node's compiled pod), the status it writes, and its per-object
//! state (sync timer, failed-pod back-off), which only the controller writes.

use super::template::{PodTemplate, RequiredNodeAffinity};
use super::{NodeId, PodId};
use crate::api::apps::IntOrString;
use crate::api::daemonset::DaemonSet as ApiDaemonSet;
use crate::api::pod::{PodTemplateSpec, Toleration};
use crate::engine::{Millis, SimTime, Timer};
use std::collections::BTreeMap;
use std::sync::Arc;

pub type DaemonSetId = super::slab::Id;

/// `apps.ControllerRevisionHashLabelKey`: the hash of the pod's revision.
pub const CONTROLLER_REVISION_HASH_LABEL: &str = "controller-revision-hash";
/// `extensions.DaemonSetTemplateGenerationKey` (deprecated, still set).
pub const TEMPLATE_GENERATION_LABEL: &str = "pod-template-generation";
/// The annotation the API server keeps the template generation in.
pub const TEMPLATE_GENERATION_ANNOTATION: &str = "deprecated.daemonset.template.generation";

/// `spec.updateStrategy`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UpdateStrategy {
    OnDelete,
    RollingUpdate { max_unavailable: IntOrString, max_surge: IntOrString },
}

/// What `nodeShouldRunDaemonPod` reads of the template: its `nodeName`, node selector
/// and required affinity, and its tolerations with the daemon ones added.
#[derive(Clone, Debug, Default)]
pub struct DaemonRules {
    pub node_name: Option<String>,
    pub affinity: RequiredNodeAffinity,
    pub tolerations: Vec<Toleration>,
}

/// A DaemonSet's status (`updateDaemonSetStatus`, `pkg/controller/daemon/daemon_controller.go`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DaemonSetStatus {
    pub desired: u32,
    pub current: u32,
    pub misscheduled: u32,
    pub ready: u32,
    pub updated: u32,
    pub available: u32,
    pub unavailable: u32,
    pub observed_generation: u64,
}

/// A ControllerRevision: the template of one revision and its hash.
#[derive(Clone, Debug)]
pub struct Revision {
    pub number: i64,
    pub hash: String,
    pub template: Arc<PodTemplateSpec>,
}

/// The failed-pod back-off of one node (client-go `flowcontrol.Backoff` entry).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FailedBackoff {
    /// The generation the entry belongs to (the key is `<uid>/<generation>/<node>`).
    pub generation: u64,
    pub duration: Millis,
    pub last_update: SimTime,
}

#[derive(Clone, Debug)]
pub struct DaemonSet {
    pub uid: u64,
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    /// The object as last written (defaulted; the template generation annotated).
    pub api: Arc<ApiDaemonSet>,
    pub strategy: UpdateStrategy,
    pub min_ready: Millis,
    /// `metadata.generation`: every change of the spec.
    pub generation: u64,
    /// The template generation: every change of the template.
    pub template_generation: u64,
    /// The current revision's hash and the labels its pods get.
    pub hash: String,
    pub pod_labels: Arc<BTreeMap<String, String>>,
    pub pod_annotations: Arc<BTreeMap<String, String>>,
    pub rules: DaemonRules,
    /// Every revision, oldest first.
    pub revisions: Vec<Revision>,
    /// The current revision's pod for each node, compiled once.
    pub node_templates: BTreeMap<NodeId, Arc<PodTemplate>>,
    /// Every pod of the DaemonSet still in the API, with the node it is for.
    pub pods: BTreeMap<PodId, NodeId>,
    pub status: DaemonSetStatus,
    pub failed_backoff: BTreeMap<NodeId, FailedBackoff>,
    pub sync_timer: Timer,
    pub sync_at: Option<SimTime>,
    /// What objects.jsonl last said of it.
    pub reported: Option<DaemonSetStatus>,
}
