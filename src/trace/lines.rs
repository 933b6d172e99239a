//! The schema of `objects.jsonl`: one type per line, written by the run
//! (`trace::objects`) and read by the views (`views::replay`), so the two cannot
//! drift apart. A line is `{"op":"<Op>","t":<ms>,...}`; [`Line::parse`] reads a line
//! whose op is known and refuses the others. Strings are borrowed from the line where
//! they can be; specs and nodes are owned once read.

use crate::api::cronjob::CronJob as ApiCronJob;
use crate::api::job::JobSpec as ApiJobSpec;
use crate::api::node::{Node as ApiNode, Taint};
use crate::api::pod::PodSpec;
use crate::api::service::Service as ApiService;
use crate::labels::LabelSelector;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::collections::BTreeMap;

pub(super) mod json;
pub(super) mod packed;

/// Labels or annotations: the simulation's map when written, the line's strings when
/// read (no allocation for strings without escapes), a packed line's pairs when it is
/// unpacked to be written (`lines/packed.rs`).
#[derive(Clone, Debug)]
pub enum Map<'a> {
    Of(&'a BTreeMap<String, String>),
    Read(BTreeMap<Cow<'a, str>, Cow<'a, str>>),
    Packed(packed::PackedMap<'a>),
}

impl Default for Map<'_> {
    fn default() -> Self {
        Map::Read(BTreeMap::new())
    }
}

impl<'a> Map<'a> {
    pub fn is_empty(&self) -> bool {
        match self {
            Map::Of(m) => m.is_empty(),
            Map::Read(m) => m.is_empty(),
            Map::Packed(m) => m.len() == 0,
        }
    }

    pub fn iter(&self) -> Box<dyn Iterator<Item = (&str, &str)> + '_> {
        match self {
            Map::Of(m) => Box::new(m.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
            Map::Read(m) => Box::new(m.iter().map(|(k, v)| (&**k, &**v))),
            Map::Packed(m) => Box::new(m.pairs()),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Map::Of(m) => m.len(),
            Map::Read(m) => m.len(),
            Map::Packed(m) => m.len(),
        }
    }

    pub fn to_owned_map(&self) -> BTreeMap<String, String> {
        self.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }
}

impl Serialize for Map<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Map::Of(m) => m.serialize(s),
            Map::Read(m) => m.serialize(s),
            Map::Packed(m) => s.collect_map(m.pairs()),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Map<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let m = BTreeMap::<Cow<'a, str>, Cow<'a, str>>::deserialize(d)?;
        Ok(Map::Read(m))
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_empty_str(s: &&str) -> bool {
    s.is_empty()
}

// serde hands `skip_serializing_if` a reference to the field's own type.
#[allow(clippy::ptr_arg)]
fn is_empty_text(s: &Cow<str>) -> bool {
    s.is_empty()
}

/// The object that owns another (`metadata.ownerReferences[0]`, a controller).
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Owner<'a> {
    #[serde(borrow)]
    pub kind: &'a str,
    #[serde(borrow)]
    pub name: &'a str,
    pub uid: u64,
}

/// A spec written once and referred to by id (`PodTemplate`, `JobTemplate`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: Clone + Deserialize<'de>"))]
pub struct Template<'a, T: Clone> {
    pub t: i64,
    pub id: u32,
    pub spec: Cow<'a, T>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodCreated<'a> {
    pub t: i64,
    pub uid: u64,
    #[serde(borrow)]
    pub namespace: &'a str,
    #[serde(borrow)]
    pub name: &'a str,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub generate_name: Option<&'a str>,
    pub template: u32,
    #[serde(default)]
    pub priority: i32,
    /// `preemptionPolicy: Never`, as the Priority admission plugin set it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub preempt_never: bool,
    #[serde(default, borrow, skip_serializing_if = "Map::is_empty")]
    pub labels: Map<'a>,
    #[serde(default, borrow, skip_serializing_if = "Map::is_empty")]
    pub annotations: Map<'a>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner<'a>>,
}

/// `spec.nodeName` is set (by the scheduler's binding, or by the manifest).
#[derive(Debug, Serialize, Deserialize)]
pub struct PodBound<'a> {
    pub t: i64,
    pub uid: u64,
    #[serde(borrow)]
    pub node: &'a str,
}

/// The pod-level status fields (containers are in `containers.csv`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodStatus<'a> {
    pub t: i64,
    pub uid: u64,
    #[serde(borrow)]
    pub phase: &'a str,
    #[serde(default, borrow, skip_serializing_if = "is_empty_str")]
    pub reason: &'a str,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    /// The reason of the `DisruptionTarget` condition, when set.
    #[serde(default, borrow, skip_serializing_if = "is_empty_str")]
    pub disruption: &'a str,
    /// `status.podIP`, once the sandbox's network is up.
    #[serde(default, borrow, rename = "podIP", skip_serializing_if = "is_empty_str")]
    pub pod_ip: &'a str,
    /// `status.nominatedNodeName`, while set.
    #[serde(default, borrow, skip_serializing_if = "is_empty_str")]
    pub nominated_node_name: &'a str,
}

/// A graceful deletion was asked for: `deletionTimestamp` = t + grace.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodDeleted {
    pub t: i64,
    pub uid: u64,
    pub grace_ms: i64,
}

/// An object known by its uid left the API.
#[derive(Debug, Serialize, Deserialize)]
pub struct Removed {
    pub t: i64,
    pub uid: u64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct NodeCreated<'a> {
    pub t: i64,
    #[serde(borrow)]
    pub pool: Cow<'a, str>,
    pub node: Cow<'a, ApiNode>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeStatus<'a> {
    pub t: i64,
    #[serde(borrow)]
    pub name: &'a str,
    /// The Ready condition: `True`, `False` or `Unknown`.
    #[serde(borrow)]
    pub ready: &'a str,
    pub kubelet_up: bool,
    pub unschedulable: bool,
    #[serde(default)]
    pub taints: Cow<'a, [Taint]>,
    /// The `MemoryPressure` condition: True since this time (ms), absent when False.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_pressure: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct NodeRemoved<'a> {
    pub t: i64,
    #[serde(borrow)]
    pub name: &'a str,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct JobCreated<'a> {
    pub t: i64,
    pub uid: u64,
    #[serde(borrow)]
    pub namespace: &'a str,
    #[serde(borrow)]
    pub name: &'a str,
    #[serde(default, borrow, skip_serializing_if = "Map::is_empty")]
    pub labels: Map<'a>,
    pub template: u32,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner<'a>>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobStatus<'a> {
    pub t: i64,
    pub uid: u64,
    /// What the Job's transition rows say: `Active`, `Suspended`, `Complete`, ...
    #[serde(borrow)]
    pub phase: &'a str,
    #[serde(default, borrow, skip_serializing_if = "is_empty_str")]
    pub reason: &'a str,
    #[serde(default, borrow, skip_serializing_if = "is_empty_text")]
    pub message: Cow<'a, str>,
    pub active: u32,
    pub succeeded: u32,
    pub failed: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_time: Option<i64>,
    pub parallelism: u32,
    pub suspend: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct CronJobCreated<'a> {
    pub t: i64,
    pub uid: u64,
    pub cronjob: Cow<'a, ApiCronJob>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CronJobStatus<'a> {
    pub t: i64,
    pub uid: u64,
    /// Uids of the active Jobs.
    pub active: Cow<'a, [u64]>,
    /// ms since the run's start (negative before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_schedule_time: Option<i64>,
    pub suspend: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaSetCreated<'a> {
    pub t: i64,
    pub uid: u64,
    #[serde(borrow)]
    pub namespace: &'a str,
    #[serde(borrow)]
    pub name: &'a str,
    #[serde(default, borrow, skip_serializing_if = "Map::is_empty")]
    pub labels: Map<'a>,
    #[serde(default, borrow, skip_serializing_if = "Map::is_empty")]
    pub annotations: Map<'a>,
    pub selector: Cow<'a, LabelSelector>,
    /// The pod template's spec (a `PodTemplate` line), labels and annotations.
    pub template: u32,
    #[serde(default, borrow, skip_serializing_if = "Map::is_empty")]
    pub template_labels: Map<'a>,
    #[serde(default, borrow, skip_serializing_if = "Map::is_empty")]
    pub template_annotations: Map<'a>,
    pub replicas: u32,
    #[serde(default)]
    pub min_ready_seconds: u64,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner<'a>>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaSetStatus<'a> {
    pub t: i64,
    pub uid: u64,
    /// `spec.replicas`.
    pub desired: u32,
    #[serde(default)]
    pub revision: i64,
    pub replicas: u32,
    pub fully_labeled: u32,
    pub ready: u32,
    pub available: u32,
    #[serde(default)]
    pub terminating: u32,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Cow<'a, str>>,
}

/// A Deployment as created or changed (its whole spec).
#[derive(Debug, Serialize, Deserialize)]
pub struct DeploymentSpecLine<'a> {
    pub t: i64,
    pub uid: u64,
    pub deployment: Cow<'a, crate::api::apps::Deployment>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionLine<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: &'a str,
    #[serde(borrow)]
    pub status: &'a str,
    #[serde(borrow)]
    pub reason: &'a str,
    #[serde(borrow)]
    pub message: Cow<'a, str>,
    pub last_update: i64,
    pub last_transition: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct DeploymentStatus<'a> {
    pub t: i64,
    pub uid: u64,
    pub revision: i64,
    pub replicas: u32,
    pub updated: u32,
    pub ready: u32,
    pub available: u32,
    pub unavailable: u32,
    #[serde(borrow)]
    pub conditions: Vec<ConditionLine<'a>>,
}

/// A DaemonSet as created or changed (its whole object, the template generation annotated).
#[derive(Debug, Serialize, Deserialize)]
pub struct DaemonSetSpecLine<'a> {
    pub t: i64,
    pub uid: u64,
    pub generation: u64,
    pub daemonset: Cow<'a, crate::api::daemonset::DaemonSet>,
}

/// A DaemonSet's status (`kubectl get ds` columns and the misscheduled count).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSetStatus {
    pub t: i64,
    pub uid: u64,
    pub desired: u32,
    pub current: u32,
    pub misscheduled: u32,
    pub ready: u32,
    pub updated: u32,
    pub available: u32,
    pub unavailable: u32,
    pub observed_generation: u64,
}

/// A StatefulSet as created or changed (its whole object, defaulted).
#[derive(Debug, Serialize, Deserialize)]
pub struct StatefulSetSpecLine<'a> {
    pub t: i64,
    pub uid: u64,
    pub generation: u64,
    pub statefulset: Cow<'a, crate::api::statefulset::StatefulSet>,
}

/// A StatefulSet's status, as the API shows it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatefulSetStatus<'a> {
    pub t: i64,
    pub uid: u64,
    pub replicas: u32,
    pub ready: u32,
    pub current: u32,
    pub updated: u32,
    pub available: u32,
    pub current_revision: Cow<'a, str>,
    pub update_revision: Cow<'a, str>,
    pub collision_count: u32,
    pub observed_generation: u64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ServiceCreated<'a> {
    pub t: i64,
    pub uid: u64,
    /// The defaulted Service, with its ClusterIP and node ports.
    pub service: Cow<'a, ApiService>,
}

/// An EndpointSlice as the controller last wrote it (whole, at each change).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointSlice<'a> {
    pub t: i64,
    pub uid: u64,
    #[serde(borrow)]
    pub namespace: &'a str,
    #[serde(borrow)]
    pub name: &'a str,
    /// The owning Service (`kubernetes.io/service-name`) and its uid.
    #[serde(borrow)]
    pub service: &'a str,
    pub service_uid: u64,
    #[serde(borrow)]
    pub ports: Vec<SlicePort<'a>>,
    #[serde(borrow)]
    pub endpoints: Vec<SliceEndpoint<'a>>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlicePort<'a> {
    #[serde(default, borrow, skip_serializing_if = "is_empty_text")]
    pub name: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    #[serde(borrow)]
    pub protocol: Cow<'a, str>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<Cow<'a, str>>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SliceEndpoint<'a> {
    #[serde(borrow)]
    pub ip: Cow<'a, str>,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
    #[serde(borrow)]
    pub node: Cow<'a, str>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub zone: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<Cow<'a, str>>,
    /// The pod (`targetRef`) and its uid.
    #[serde(borrow)]
    pub pod: Cow<'a, str>,
    pub pod_uid: u64,
}

/// A PodDisruptionBudget as created (its defaulted object).
#[derive(Debug, Serialize, Deserialize)]
pub struct BudgetCreated<'a> {
    pub t: i64,
    pub uid: u64,
    pub budget: Cow<'a, crate::api::policy::PodDisruptionBudget>,
}

/// A PodDisruptionBudget's status, whole, at each change.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BudgetStatus<'a> {
    pub t: i64,
    pub uid: u64,
    /// `observedGeneration` caught up (the controller synced it).
    pub observed: bool,
    pub disruptions_allowed: i64,
    pub current_healthy: i64,
    pub desired_healthy: i64,
    pub expected_pods: i64,
    /// `disruptedPods`: (pod name, time).
    #[serde(default, borrow, skip_serializing_if = "Vec::is_empty")]
    pub disrupted_pods: Vec<(Cow<'a, str>, i64)>,
    /// `DisruptionAllowed`, once written.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub condition: Option<BudgetCondition<'a>>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BudgetCondition<'a> {
    pub status: bool,
    #[serde(borrow)]
    pub reason: &'a str,
    #[serde(default, borrow, skip_serializing_if = "is_empty_text")]
    pub message: Cow<'a, str>,
    pub last_transition: i64,
}

/// A PersistentVolumeClaim as admitted.
#[derive(Debug, Serialize, Deserialize)]
pub struct ClaimCreated<'a> {
    pub t: i64,
    pub uid: u64,
    pub claim: Cow<'a, crate::api::storage::PersistentVolumeClaim>,
}

/// What the API shows of a claim beyond its spec (phase, binding, annotations,
/// finalizers, deletion), whole, at each change.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimStatusLine<'a> {
    pub t: i64,
    pub uid: u64,
    #[serde(borrow)]
    pub phase: &'a str,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub volume_name: Option<Cow<'a, str>>,
    /// `status.capacity.storage`, as `Quantity.String()` prints it.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Vec::is_empty")]
    pub access_modes: Vec<&'a str>,
    #[serde(default, borrow, skip_serializing_if = "Map::is_empty")]
    pub annotations: Map<'a>,
    #[serde(default, borrow, skip_serializing_if = "Vec::is_empty")]
    pub finalizers: Vec<Cow<'a, str>>,
    /// `deletionTimestamp`, in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion: Option<i64>,
}

impl<'a> ClaimStatusLine<'a> {
    pub fn of(t: i64, uid: u64, s: &'a crate::cluster::storage::ClaimStatus) -> ClaimStatusLine<'a> {
        ClaimStatusLine {
            t,
            uid,
            phase: s.phase.as_str(),
            volume_name: s.volume_name.as_deref().map(Cow::Borrowed),
            capacity: s.capacity.as_ref().map(|q| Cow::Owned(q.to_string())),
            access_modes: s.access_modes.iter().map(|m| m.as_str()).collect(),
            annotations: Map::Of(&s.annotations),
            finalizers: s.finalizers.iter().map(|f| Cow::Borrowed(f.as_str())).collect(),
            deletion: s.deletion.map(|d| d.ms() as i64),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct VolumeCreated<'a> {
    pub t: i64,
    pub uid: u64,
    pub volume: Cow<'a, crate::api::storage::PersistentVolume>,
}

/// A PV's `claimRef` (uid: the claim's number; none when pre-bound by name).
#[derive(Debug, Serialize, Deserialize)]
pub struct ClaimRefLine<'a> {
    #[serde(borrow)]
    pub namespace: Cow<'a, str>,
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u64>,
}

/// What the API shows of a PV beyond its spec, whole, at each change.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeStatusLine<'a> {
    pub t: i64,
    pub uid: u64,
    #[serde(borrow)]
    pub phase: &'a str,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub claim_ref: Option<ClaimRefLine<'a>>,
    #[serde(default, borrow, skip_serializing_if = "Map::is_empty")]
    pub annotations: Map<'a>,
    #[serde(default, borrow, skip_serializing_if = "Vec::is_empty")]
    pub finalizers: Vec<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion: Option<i64>,
    #[serde(default, borrow, skip_serializing_if = "is_empty_text")]
    pub reason: Cow<'a, str>,
    #[serde(default, borrow, skip_serializing_if = "is_empty_text")]
    pub message: Cow<'a, str>,
}

impl<'a> VolumeStatusLine<'a> {
    pub fn of(t: i64, uid: u64, s: &'a crate::cluster::storage::PvStatus) -> VolumeStatusLine<'a> {
        VolumeStatusLine {
            t,
            uid,
            phase: s.phase.as_str(),
            claim_ref: s.claim_ref.as_ref().map(|c| ClaimRefLine {
                namespace: Cow::Borrowed(&c.namespace),
                name: Cow::Borrowed(&c.name),
                uid: c.uid,
            }),
            annotations: Map::Of(&s.annotations),
            finalizers: s.finalizers.iter().map(|f| Cow::Borrowed(f.as_str())).collect(),
            deletion: s.deletion.map(|d| d.ms() as i64),
            reason: Cow::Borrowed(&s.reason),
            message: Cow::Borrowed(&s.message),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct StorageClassCreated<'a> {
    pub t: i64,
    pub uid: u64,
    pub class: Cow<'a, crate::api::storage::StorageClass>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigMapCreated<'a> {
    pub t: i64,
    pub uid: u64,
    pub config_map: Cow<'a, crate::api::config::ConfigMap>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SecretCreated<'a> {
    pub t: i64,
    pub uid: u64,
    pub secret: Cow<'a, crate::api::config::Secret>,
}

macro_rules! lines {
    ($($op:ident($ty:ty)),* $(,)?) => {
        /// One line of `objects.jsonl`. Uids are per kind: pods are numbered in order of
        /// creation, Jobs and CronJobs share one numbering; nodes are known by name.
        // A line lives while it is written or read, one at a time: its size does not matter.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Serialize)]
        #[serde(tag = "op")]
        pub enum Line<'a> {
            $($op($ty)),*
        }

        impl<'a> Line<'a> {
            /// Every op, as lines name them.
            pub const OPS: &'static [&'static str] = &[$(stringify!($op)),*];

            /// Appends the line's JSON to `out` (the lines written most without serde's
            /// machinery, the same bytes: `lines/json.rs`).
            pub fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
                if json::write(self, out) { Ok(()) } else { serde_json::to_writer(out, self) }
            }

            /// Reads a line whose op is `op`; `None` for an op that is not one of [`Self::OPS`].
            pub fn parse(op: &str, line: &'a [u8]) -> Option<serde_json::Result<Line<'a>>> {
                match op {
                    $(stringify!($op) => Some(serde_json::from_slice::<$ty>(line).map(Line::$op)),)*
                    _ => None,
                }
            }
        }
    };
}

lines! {
    PodTemplate(Template<'a, PodSpec>),
    JobTemplate(Template<'a, ApiJobSpec>),
    PodCreated(PodCreated<'a>),
    PodBound(PodBound<'a>),
    PodStatus(PodStatus<'a>),
    PodDeleted(PodDeleted),
    PodRemoved(Removed),
    NodeCreated(NodeCreated<'a>),
    NodeStatus(NodeStatus<'a>),
    NodeRemoved(NodeRemoved<'a>),
    JobCreated(JobCreated<'a>),
    JobStatus(JobStatus<'a>),
    JobRemoved(Removed),
    CronJobCreated(CronJobCreated<'a>),
    CronJobStatus(CronJobStatus<'a>),
    CronJobRemoved(Removed),
    ReplicaSetCreated(ReplicaSetCreated<'a>),
    ReplicaSetStatus(ReplicaSetStatus<'a>),
    ReplicaSetRemoved(Removed),
    DeploymentCreated(DeploymentSpecLine<'a>),
    DeploymentUpdated(DeploymentSpecLine<'a>),
    DeploymentStatus(DeploymentStatus<'a>),
    DeploymentRemoved(Removed),
    DaemonSetCreated(DaemonSetSpecLine<'a>),
    DaemonSetUpdated(DaemonSetSpecLine<'a>),
    DaemonSetStatus(DaemonSetStatus),
    DaemonSetRemoved(Removed),
    StatefulSetCreated(StatefulSetSpecLine<'a>),
    StatefulSetUpdated(StatefulSetSpecLine<'a>),
    StatefulSetStatus(StatefulSetStatus<'a>),
    StatefulSetRemoved(Removed),
    ServiceCreated(ServiceCreated<'a>),
    ServiceRemoved(Removed),
    EndpointSlice(EndpointSlice<'a>),
    EndpointSliceRemoved(Removed),
    PodDisruptionBudgetCreated(BudgetCreated<'a>),
    PodDisruptionBudgetStatus(BudgetStatus<'a>),
    PersistentVolumeClaimCreated(ClaimCreated<'a>),
    PersistentVolumeClaimStatus(ClaimStatusLine<'a>),
    PersistentVolumeClaimRemoved(Removed),
    PersistentVolumeCreated(VolumeCreated<'a>),
    PersistentVolumeStatus(VolumeStatusLine<'a>),
    PersistentVolumeRemoved(Removed),
    StorageClassCreated(StorageClassCreated<'a>),
    StorageClassRemoved(Removed),
    ConfigMapCreated(ConfigMapCreated<'a>),
    ConfigMapRemoved(Removed),
    SecretCreated(SecretCreated<'a>),
    SecretRemoved(Removed),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the writer writes, the reader reads back as the same line.
    #[test]
    fn every_line_reads_back_as_written() {
        let labels: BTreeMap<String, String> = [("app".to_string(), "web".to_string())].into();
        let lines = [
            Line::PodCreated(PodCreated {
                t: 5,
                uid: 1,
                namespace: "default",
                name: "web-0",
                generate_name: None,
                template: 1,
                priority: 0,
                preempt_never: true,
                labels: Map::Of(&labels),
                annotations: Map::default(),
                owner: Some(Owner { kind: "Job", name: "j", uid: 2 }),
            }),
            Line::PodStatus(PodStatus {
                t: 6,
                uid: 1,
                phase: "Running",
                reason: "",
                start_time: Some(5),
                disruption: "",
                pod_ip: "10.64.0.2",
                nominated_node_name: "",
            }),
            Line::JobStatus(JobStatus {
                t: 7,
                uid: 2,
                phase: "Failed",
                reason: "BackoffLimitExceeded",
                message: "Job has reached the specified \"backoff\" limit".into(),
                active: 0,
                succeeded: 1,
                failed: 7,
                start_time: Some(0),
                completion_time: None,
                parallelism: 1,
                suspend: false,
            }),
            Line::CronJobRemoved(Removed { t: 8, uid: 3 }),
            Line::PodDisruptionBudgetStatus(BudgetStatus {
                t: 10,
                uid: 1,
                observed: true,
                disruptions_allowed: 0,
                current_healthy: 2,
                desired_healthy: 2,
                expected_pods: 3,
                disrupted_pods: vec![("web-1".into(), 9)],
                condition: Some(BudgetCondition {
                    status: false,
                    reason: "InsufficientPods",
                    message: "".into(),
                    last_transition: 9,
                }),
            }),
            Line::EndpointSlice(EndpointSlice {
                t: 9,
                uid: 1,
                namespace: "default",
                name: "web-x7k2p",
                service: "web",
                service_uid: 1,
                ports: vec![SlicePort {
                    name: "http".into(),
                    port: Some(8080),
                    protocol: "TCP".into(),
                    app_protocol: None,
                }],
                endpoints: vec![SliceEndpoint {
                    ip: "10.64.0.2".into(),
                    ready: true,
                    serving: true,
                    terminating: false,
                    node: "n-0".into(),
                    zone: Some("a".into()),
                    hostname: None,
                    pod: "web-1".into(),
                    pod_uid: 1,
                }],
            }),
        ];
        let claim_status = crate::cluster::storage::ClaimStatus {
            phase: crate::cluster::storage::ClaimPhase::Bound,
            volume_name: Some("pv-1".into()),
            capacity: Some(crate::api::Quantity::parse("10Gi").unwrap()),
            access_modes: crate::api::storage::AccessModes::from_names(&["ReadWriteOnce".to_string()]),
            annotations: labels.clone(),
            finalizers: vec!["kubernetes.io/pvc-protection".into()],
            deletion: Some(crate::engine::SimTime::from_ms(7)),
        };
        let pv_status = crate::cluster::storage::PvStatus {
            phase: crate::cluster::storage::PvPhase::Released,
            claim_ref: Some(crate::cluster::storage::ClaimRef {
                namespace: "default".into(),
                name: "data".into(),
                uid: Some(3),
            }),
            reason: "Failed".into(),
            ..Default::default()
        };
        let claim: crate::api::storage::PersistentVolumeClaim =
            serde_json::from_str(r#"{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"]}}"#).unwrap();
        let secret: crate::api::config::Secret =
            serde_json::from_str(r#"{"metadata":{"name":"s"},"type":"Opaque","data":{"a":"eA=="}}"#).unwrap();
        let storage_lines = [
            Line::PersistentVolumeClaimCreated(ClaimCreated { t: 1, uid: 1, claim: Cow::Borrowed(&claim) }),
            Line::PersistentVolumeClaimStatus(ClaimStatusLine::of(2, 1, &claim_status)),
            Line::PersistentVolumeStatus(VolumeStatusLine::of(3, 1, &pv_status)),
            Line::SecretCreated(SecretCreated { t: 4, uid: 1, secret: Cow::Borrowed(&secret) }),
            Line::PersistentVolumeRemoved(Removed { t: 5, uid: 1 }),
        ];
        for line in lines.into_iter().chain(storage_lines) {
            let text = serde_json::to_string(&line).unwrap();
            let op = text.split('"').nth(3).unwrap();
            assert!(Line::OPS.contains(&op), "{op}");
            let back = Line::parse(op, text.as_bytes()).unwrap().unwrap();
            assert_eq!(serde_json::to_string(&back).unwrap(), text);
        }
        assert!(Line::parse("PodExploded", b"{}").is_none(), "an unknown op is refused");
    }
}
