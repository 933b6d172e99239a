//! Objects as the API server would return them at one instant: the shapes the
//! printers read. Times are milliseconds since the run's start (`None`: unset); the
//! printers truncate them to whole seconds as `metav1.Time` does.

use crate::api::pod::PodSpec;
use std::collections::BTreeMap;
use std::sync::Arc;

/// `metadata`, the part the views show.
#[derive(Clone, Debug, Default)]
pub struct Meta {
    pub name: String,
    pub namespace: String,
    pub uid: String,
    pub generate_name: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub created: Option<i64>,
    /// `deletionTimestamp` (a graceful deletion lies in the future until it ends).
    pub deletion: Option<i64>,
    pub deletion_grace_seconds: Option<i64>,
    pub owner: Option<OwnerRef>,
}

#[derive(Clone, Debug, Default)]
pub struct OwnerRef {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub uid: String,
}

/// `metav1.Condition`-like pod, node and job conditions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Condition {
    pub kind: String,
    pub status: String,
    pub reason: String,
    pub message: String,
    pub last_transition: Option<i64>,
    /// Nodes only.
    pub last_heartbeat: Option<i64>,
}

impl Condition {
    pub fn new(kind: &str, status: &str) -> Condition {
        Condition { kind: kind.into(), status: status.into(), ..Default::default() }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Terminated {
    pub exit_code: i32,
    pub signal: i32,
    pub reason: String,
    pub message: String,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

/// `v1.ContainerState`: at most one of the three is set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ContainerState {
    #[default]
    None,
    Waiting {
        reason: String,
        message: String,
    },
    Running {
        started_at: Option<i64>,
    },
    Terminated(Terminated),
}

#[derive(Clone, Debug, Default)]
pub struct ContainerStatus {
    pub name: String,
    pub image: String,
    pub state: ContainerState,
    pub last_terminated: Option<Terminated>,
    pub ready: bool,
    pub started: Option<bool>,
    pub restart_count: u32,
}

#[derive(Clone, Debug, Default)]
pub struct PodStatus {
    pub phase: String,
    pub reason: String,
    pub message: String,
    pub conditions: Vec<Condition>,
    pub init_container_statuses: Vec<ContainerStatus>,
    pub container_statuses: Vec<ContainerStatus>,
    pub start_time: Option<i64>,
    pub host_ip: String,
    pub pod_ips: Vec<String>,
    pub nominated_node_name: String,
    pub qos_class: String,
}

#[derive(Clone, Debug, Default)]
pub struct Pod {
    pub meta: Meta,
    pub spec: Arc<PodSpec>,
    pub node_name: Option<String>,
    pub priority: Option<i32>,
    /// `spec.preemptionPolicy` as the Priority admission plugin set it.
    pub preemption_policy: Option<&'static str>,
    pub status: PodStatus,
}

impl Pod {
    /// The first condition of this type (the printers look at the first only).
    pub fn condition(&self, kind: &str) -> Option<&Condition> {
        self.status.conditions.iter().find(|c| c.kind == kind)
    }
}

#[derive(Clone, Debug, Default)]
pub struct NodeAddress {
    pub kind: String,
    pub address: String,
}

#[derive(Clone, Debug, Default)]
pub struct Node {
    pub meta: Meta,
    pub unschedulable: bool,
    pub taints: Vec<crate::api::node::Taint>,
    pub capacity: BTreeMap<String, String>,
    pub allocatable: BTreeMap<String, String>,
    pub conditions: Vec<Condition>,
    pub addresses: Vec<NodeAddress>,
    /// `spec.podCIDR` (and `spec.podCIDRs`), from node IPAM.
    pub pod_cidr: Option<String>,
    /// `status.nodeInfo` as the manifest gave it (fields as in the API).
    pub node_info: BTreeMap<String, String>,
    pub images: Vec<crate::api::node::ContainerImage>,
    /// The pool it belongs to (podsim's).
    pub pool: String,
}

#[derive(Clone, Debug, Default)]
pub struct JobStatus {
    pub conditions: Vec<Condition>,
    pub start_time: Option<i64>,
    pub completion_time: Option<i64>,
    pub active: u32,
    pub succeeded: u32,
    pub failed: u32,
}

#[derive(Clone, Debug, Default)]
pub struct Job {
    pub meta: Meta,
    /// The defaulted spec, with the selector and template labels the API server adds.
    pub spec: crate::api::job::JobSpec,
    pub status: JobStatus,
}

impl Job {
    /// Whether the first condition of this type is `True` (printJob's rule).
    pub fn has_condition(&self, kind: &str) -> bool {
        self.status.conditions.iter().find(|c| c.kind == kind).is_some_and(|c| c.status == "True")
    }
}

#[derive(Clone, Debug, Default)]
pub struct JobReference {
    pub name: String,
    pub namespace: String,
    pub uid: String,
}

#[derive(Clone, Debug, Default)]
pub struct CronJob {
    pub meta: Meta,
    pub spec: crate::api::cronjob::CronJobSpec,
    pub active: Vec<JobReference>,
    pub last_schedule: Option<i64>,
    pub last_successful: Option<i64>,
}

/// A `core/v1` Event as `kubectl get events` lists it, repeats folded into a count.
#[derive(Clone, Debug, Default)]
pub struct Event {
    /// `<involvedObject.name>.<first timestamp in Unix ns, hex>`.
    pub name: String,
    pub namespace: String,
    pub kind: String,
    pub object: String,
    pub field_path: String,
    pub warning: bool,
    pub reason: String,
    pub message: String,
    pub component: String,
    pub host: String,
    pub first: i64,
    pub last: i64,
    pub count: u32,
    /// The position of the last occurrence in events.csv (orders Events seen at the same instant).
    pub seq: u64,
}
