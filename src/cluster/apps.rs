//! ReplicaSets and Deployments as the cluster holds them: the spec as compiled, the
//! status their controllers write, and the controllers' per-object state (sync
//! timers), which only the owning controller writes.

use super::template::PodTemplate;
use super::{DeploymentId, PodId, ReplicaSetId};
use crate::api::apps::IntOrString;
use crate::api::pod::PodTemplateSpec;
use crate::engine::{Millis, SimTime, Timer};
use crate::labels::{LabelSelector, Selector};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// `deployment.kubernetes.io/revision`, `desired-replicas`, `max-replicas`
/// (`pkg/controller/deployment/util/deployment_util.go`).
pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
pub const DESIRED_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/desired-replicas";
pub const MAX_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/max-replicas";
/// `DefaultDeploymentUniqueLabelKey`.
pub const POD_TEMPLATE_HASH_LABEL: &str = "pod-template-hash";

/// A ReplicaSet's status (`calculateStatus`, `pkg/controller/replicaset/replica_set_utils.go`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplicaSetStatus {
    pub replicas: u32,
    pub fully_labeled: u32,
    pub ready: u32,
    pub available: u32,
    pub terminating: u32,
}

#[derive(Clone, Debug)]
pub struct ReplicaSet {
    pub uid: u64,
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    pub labels: BTreeMap<String, String>,
    /// The Deployment's revision and replica annotations, when it has an owner.
    pub annotations: BTreeMap<String, String>,
    pub api_selector: LabelSelector,
    /// `api_selector` compiled: the scheduler's default spreading adds its requirements.
    pub selector: Selector,
    /// The pod template as the API shows it, and compiled.
    pub pod_template: Arc<PodTemplateSpec>,
    pub template: Arc<PodTemplate>,
    pub pod_labels: Arc<BTreeMap<String, String>>,
    pub pod_annotations: Arc<BTreeMap<String, String>>,
    /// `spec.replicas`.
    pub replicas: u32,
    pub min_ready: Millis,
    pub owner: Option<DeploymentId>,
    pub created: SimTime,
    /// Every pod of the ReplicaSet still in the API.
    pub pods: BTreeSet<PodId>,
    pub status: ReplicaSetStatus,
    /// The `ReplicaFailure` condition's message, while creating pods fails.
    pub failure: Option<String>,
    pub sync_timer: Timer,
    pub sync_at: Option<SimTime>,
    /// Syncs in a row that failed to create a pod: the work queue's per-key back-off.
    pub create_failures: u32,
    /// What objects.jsonl last said of it.
    pub reported: Option<(u32, ReplicaSetStatus)>,
}

impl ReplicaSet {
    /// The revision its Deployment gave it (0 when none).
    pub fn revision(&self) -> i64 {
        annotation_number(&self.annotations, REVISION_ANNOTATION).unwrap_or(0)
    }
}

/// `getNonNegativeInt32FromAnnotation`: the annotation as a non-negative int32.
pub fn annotation_number(annotations: &BTreeMap<String, String>, key: &str) -> Option<i64> {
    let v: i64 = annotations.get(key)?.parse().ok()?;
    (0..=i64::from(i32::MAX)).contains(&v).then_some(v)
}

/// `spec.strategy`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Strategy {
    Recreate,
    RollingUpdate { max_surge: IntOrString, max_unavailable: IntOrString },
}

/// A condition's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionStatus {
    True,
    False,
    Unknown,
}

impl ConditionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionStatus::True => "True",
            ConditionStatus::False => "False",
            ConditionStatus::Unknown => "Unknown",
        }
    }
}

/// A Deployment's `Available` or `Progressing` condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub status: ConditionStatus,
    pub reason: &'static str,
    pub message: String,
    pub last_update: SimTime,
    pub last_transition: SimTime,
}

/// A Deployment's status (`calculateStatus`, `pkg/controller/deployment/sync.go`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeploymentStatus {
    pub replicas: u32,
    pub updated: u32,
    pub ready: u32,
    pub available: u32,
    pub unavailable: u32,
}

#[derive(Clone, Debug)]
pub struct Deployment {
    pub uid: u64,
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    /// The object as last written (by its manifest, or a `kubectl` change).
    pub api: Arc<crate::api::apps::Deployment>,
    /// Its revision annotation.
    pub annotations: BTreeMap<String, String>,
    pub api_selector: LabelSelector,
    /// The current pod template (changed by a rollout).
    pub template: Arc<PodTemplateSpec>,
    pub replicas: u32,
    pub strategy: Strategy,
    pub min_ready: Millis,
    pub revision_history_limit: u32,
    /// `progressDeadlineSeconds` (none: no deadline).
    pub progress_deadline: Option<Millis>,
    pub paused: bool,
    pub created: SimTime,
    /// `metadata.generation`, bumped by every change of the spec.
    pub generation: u64,
    pub observed_generation: u64,
    pub collision_count: u32,
    /// Its ReplicaSets.
    pub replicasets: BTreeSet<ReplicaSetId>,
    pub status: DeploymentStatus,
    pub available: Option<Condition>,
    pub progressing: Option<Condition>,
    pub sync_timer: Timer,
    pub sync_at: Option<SimTime>,
    /// What objects.jsonl last said of it.
    pub reported: Option<ReportedDeployment>,
}

/// A Deployment's status fields as last recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportedDeployment {
    pub status: DeploymentStatus,
    pub replicas: u32,
    pub paused: bool,
    pub available: Option<Condition>,
    pub progressing: Option<Condition>,
    pub revision: i64,
}

impl Deployment {
    pub fn revision(&self) -> i64 {
        annotation_number(&self.annotations, REVISION_ANNOTATION).unwrap_or(0)
    }
}
