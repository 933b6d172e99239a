//! What `kubectl get` needs to rebuild any object at any instant of a finished run:
//! `objects.jsonl` (objects created, bound, changed, deleted, removed; one JSON object
//! per line, in time order) and `containers.csv` (every change of a container's status
//! as the API shows it). Pod and Job specs are written once per distinct content
//! (`PodTemplate` / `JobTemplate` lines) and referred to by id: the pods of a run share a
//! handful of specs.

use super::lines::{self, Line, Map, Removed, packed};
use super::out::{CHUNK, Hashing, TraceOut};
use super::templates::ObjectsChunk;
use crate::api::apps::Deployment as ApiDeployment;
use crate::api::cronjob::CronJob as ApiCronJob;
use crate::api::daemonset::DaemonSet as ApiDaemonSet;
use crate::api::job::JobSpec as ApiJobSpec;
use crate::api::node::{Node as ApiNode, Taint};
use crate::api::pod::PodSpec;
use crate::api::pod::PodTemplateSpec;
use crate::cluster::apps::Condition;
use crate::cluster::job::JobPhase;
use crate::cluster::node::NodeReady;
use crate::cluster::pod::PodPhase;
use crate::engine::SimTime;
use crate::labels::LabelSelector;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::Arc;

/// The object that owns another (`metadata.ownerReferences[0]`, a controller).
#[derive(Clone, Copy, Debug)]
pub struct OwnerRecord<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub uid: u64,
}

/// One line of `objects.jsonl`. Uids are per kind: pods are numbered in order of
/// creation, Jobs and CronJobs share one numbering; nodes are known by name.
#[derive(Clone, Copy, Debug)]
pub enum ObjectRecord<'a> {
    PodCreated {
        time: SimTime,
        uid: u64,
        namespace: &'a str,
        name: &'a str,
        generate_name: Option<&'a str>,
        spec: &'a Arc<PodSpec>,
        priority: i32,
        preempt_never: bool,
        labels: &'a BTreeMap<String, String>,
        annotations: &'a BTreeMap<String, String>,
        owner: Option<OwnerRecord<'a>>,
    },
    /// `spec.nodeName` is set (by the scheduler's binding, or by the manifest).
    PodBound {
        time: SimTime,
        uid: u64,
        node: &'a str,
    },
    /// The pod-level status fields (containers are in `containers.csv`).
    PodStatus {
        time: SimTime,
        uid: u64,
        phase: PodPhase,
        reason: &'a str,
        start_time: Option<SimTime>,
        /// The reason of the `DisruptionTarget` condition, when set.
        disruption: &'a str,
        /// `status.podIP`.
        ip: Option<crate::cluster::network::Ipv4>,
        /// `status.nominatedNodeName`.
        nominated: &'a str,
    },
    /// A graceful deletion was asked for: `deletionTimestamp` = time + grace.
    PodDeleted {
        time: SimTime,
        uid: u64,
        grace_ms: u64,
    },
    /// The object left the API.
    PodRemoved {
        time: SimTime,
        uid: u64,
    },
    NodeCreated {
        time: SimTime,
        pool: &'a str,
        node: &'a ApiNode,
    },
    NodeStatus {
        time: SimTime,
        name: &'a str,
        ready: NodeReady,
        kubelet_up: bool,
        unschedulable: bool,
        taints: &'a [Taint],
        /// The `MemoryPressure` condition: True since then (ms), or False.
        memory_pressure: Option<i64>,
    },
    NodeRemoved {
        time: SimTime,
        name: &'a str,
    },
    JobCreated {
        time: SimTime,
        uid: u64,
        namespace: &'a str,
        name: &'a str,
        labels: &'a BTreeMap<String, String>,
        spec: &'a Arc<ApiJobSpec>,
        owner: Option<OwnerRecord<'a>>,
    },
    JobStatus {
        time: SimTime,
        uid: u64,
        phase: JobPhase,
        reason: &'a str,
        message: &'a str,
        active: u32,
        succeeded: u32,
        failed: u32,
        start_time: Option<SimTime>,
        completion_time: Option<SimTime>,
        parallelism: u32,
        suspend: bool,
    },
    JobRemoved {
        time: SimTime,
        uid: u64,
    },
    CronJobCreated {
        time: SimTime,
        uid: u64,
        cronjob: &'a ApiCronJob,
    },
    CronJobStatus {
        time: SimTime,
        uid: u64,
        /// Uids of the active Jobs.
        active: &'a [u64],
        /// ms since the run's start (negative before it).
        last_schedule: Option<i64>,
        suspend: bool,
    },
    CronJobRemoved {
        time: SimTime,
        uid: u64,
    },
    ReplicaSetCreated {
        time: SimTime,
        uid: u64,
        namespace: &'a str,
        name: &'a str,
        labels: &'a BTreeMap<String, String>,
        annotations: &'a BTreeMap<String, String>,
        selector: &'a LabelSelector,
        template: &'a Arc<PodTemplateSpec>,
        replicas: u32,
        min_ready_seconds: u64,
        owner: Option<OwnerRecord<'a>>,
    },
    ReplicaSetStatus {
        time: SimTime,
        uid: u64,
        /// `spec.replicas`.
        desired: u32,
        revision: i64,
        replicas: u32,
        fully_labeled: u32,
        ready: u32,
        available: u32,
        terminating: u32,
        /// The `ReplicaFailure` condition's message, if set.
        failure: Option<&'a str>,
    },
    ReplicaSetRemoved {
        time: SimTime,
        uid: u64,
    },
    DeploymentCreated {
        time: SimTime,
        uid: u64,
        deployment: &'a ApiDeployment,
    },
    /// The spec changed (a rollout, a scale, a pause).
    DeploymentUpdated {
        time: SimTime,
        uid: u64,
        deployment: &'a ApiDeployment,
    },
    DeploymentStatus {
        time: SimTime,
        uid: u64,
        revision: i64,
        replicas: u32,
        updated: u32,
        ready: u32,
        available: u32,
        unavailable: u32,
        conditions: &'a [(&'a str, &'a Condition)],
    },
    DeploymentRemoved {
        time: SimTime,
        uid: u64,
    },
    DaemonSetCreated {
        time: SimTime,
        uid: u64,
        generation: u64,
        daemonset: &'a ApiDaemonSet,
    },
    /// The spec changed (a rollout).
    DaemonSetUpdated {
        time: SimTime,
        uid: u64,
        generation: u64,
        daemonset: &'a ApiDaemonSet,
    },
    DaemonSetStatus {
        time: SimTime,
        uid: u64,
        status: crate::cluster::daemonset::DaemonSetStatus,
    },
    DaemonSetRemoved {
        time: SimTime,
        uid: u64,
    },
    StatefulSetCreated {
        time: SimTime,
        uid: u64,
        generation: u64,
        statefulset: &'a crate::api::statefulset::StatefulSet,
    },
    /// The spec changed (scale, a new template, the strategy).
    StatefulSetUpdated {
        time: SimTime,
        uid: u64,
        generation: u64,
        statefulset: &'a crate::api::statefulset::StatefulSet,
    },
    StatefulSetStatus {
        time: SimTime,
        uid: u64,
        status: &'a crate::cluster::statefulset::StatefulSetStatus,
    },
    StatefulSetRemoved {
        time: SimTime,
        uid: u64,
    },
    ServiceCreated {
        time: SimTime,
        uid: u64,
        service: &'a crate::api::service::Service,
    },
    ServiceRemoved {
        time: SimTime,
        uid: u64,
    },
    /// A slice as it is now (created or updated).
    EndpointSlice {
        time: SimTime,
        namespace: &'a str,
        service: &'a str,
        service_uid: u64,
        slice: &'a crate::cluster::service::EndpointSlice,
    },
    EndpointSliceRemoved {
        time: SimTime,
        uid: u64,
    },
    BudgetCreated {
        time: SimTime,
        uid: u64,
        budget: &'a crate::api::policy::PodDisruptionBudget,
    },
    BudgetStatus {
        time: SimTime,
        uid: u64,
        status: &'a crate::cluster::budget::BudgetStatus,
    },
    /// A PersistentVolumeClaim as admitted (its class filled in by admission).
    ClaimCreated {
        time: SimTime,
        uid: u64,
        claim: &'a crate::api::storage::PersistentVolumeClaim,
    },
    /// What the API shows of a claim beyond its spec, whole, at each change.
    ClaimStatus {
        time: SimTime,
        uid: u64,
        status: &'a crate::cluster::storage::ClaimStatus,
    },
    ClaimRemoved {
        time: SimTime,
        uid: u64,
    },
    VolumeCreated {
        time: SimTime,
        uid: u64,
        volume: &'a crate::api::storage::PersistentVolume,
    },
    VolumeStatus {
        time: SimTime,
        uid: u64,
        status: &'a crate::cluster::storage::PvStatus,
    },
    VolumeRemoved {
        time: SimTime,
        uid: u64,
    },
    StorageClassCreated {
        time: SimTime,
        uid: u64,
        class: &'a crate::api::storage::StorageClass,
    },
    StorageClassRemoved {
        time: SimTime,
        uid: u64,
    },
    ConfigMapCreated {
        time: SimTime,
        uid: u64,
        config_map: &'a crate::api::config::ConfigMap,
    },
    ConfigMapRemoved {
        time: SimTime,
        uid: u64,
    },
    /// A Secret as stored (`stringData` merged into `data`).
    SecretCreated {
        time: SimTime,
        uid: u64,
        secret: &'a crate::api::config::Secret,
    },
    SecretRemoved {
        time: SimTime,
        uid: u64,
    },
}

/// One row of `containers.csv`: a container's status after a change.
#[derive(Clone, Copy, Debug)]
pub struct ContainerRecord<'a> {
    pub time: SimTime,
    pub namespace: &'a str,
    pub pod: &'a str,
    pub uid: u64,
    pub container: &'a str,
    /// `Waiting`, `Running` or `Terminated`.
    pub state: &'a str,
    pub reason: &'a str,
    pub message: &'a str,
    pub exit_code: Option<i32>,
    pub started_at: Option<SimTime>,
    pub finished_at: Option<SimTime>,
    pub restart_count: u32,
    pub ready: bool,
    pub started: bool,
    /// `lastState.terminated`.
    pub last: Option<LastTerminated<'a>>,
}

#[derive(Clone, Copy, Debug)]
pub struct LastTerminated<'a> {
    pub reason: &'a str,
    pub exit_code: i32,
    pub started_at: Option<SimTime>,
    pub finished_at: SimTime,
}

pub const CONTAINERS_HEADER: &[&str] = &[
    "time_ms",
    "namespace",
    "pod",
    "uid",
    "container",
    "state",
    "reason",
    "message",
    "exit_code",
    "started_at_ms",
    "finished_at_ms",
    "restart_count",
    "ready",
    "started",
    "last_reason",
    "last_exit_code",
    "last_started_at_ms",
    "last_finished_at_ms",
];

impl<O: TraceOut> Drop for ObjectsWriter<O> {
    fn drop(&mut self) {
        // Lines still buffered reach the file even when `finish` was not called.
        let _ = self.out.take_objects(&mut self.chunk);
    }
}

/// The specs no other object shares a chunk holds at most: where an arrival stream
/// draws each copy's resources, a chunk of 256 KiB names some 750 specs of its own (a
/// megabyte and a half), most of them of pods already gone by the time it is written.
const OWN_SPECS: usize = 256;

/// Writes `objects.jsonl`.
pub struct ObjectsWriter<O: TraceOut> {
    out: O,
    /// Lines not yet handed to `out`, packed (`lines/packed.rs`) with the specs they
    /// name: written as JSON where the chunk is taken, on the writer thread for
    /// `podsim run`, with the specs' template ids (`templates.rs`).
    chunk: ObjectsChunk,
}

impl<W: Write> ObjectsWriter<Hashing<W>> {
    /// A writer that digests and writes on the caller's thread.
    pub fn new(w: W) -> Self {
        ObjectsWriter::to(Hashing::new(w))
    }
}

impl<O: TraceOut> ObjectsWriter<O> {
    pub fn to(out: O) -> Self {
        let lines = Vec::with_capacity(CHUNK + 4096);
        ObjectsWriter { out, chunk: ObjectsChunk::in_buffer(lines) }
    }

    pub fn write(&mut self, record: &ObjectRecord) -> io::Result<()> {
        let t = |time: SimTime| time.ms() as i64;
        let mut text = [0u8; 15];
        let line = match *record {
            ObjectRecord::PodCreated {
                time,
                uid,
                namespace,
                name,
                generate_name,
                spec,
                priority,
                preempt_never,
                labels,
                annotations,
                owner: o,
            } => {
                let line = Line::PodCreated(lines::PodCreated {
                    t: t(time),
                    uid,
                    namespace,
                    name,
                    generate_name,
                    template: 0,
                    priority,
                    preempt_never,
                    labels: Map::Of(labels),
                    annotations: Map::Of(annotations),
                    owner: o.map(|o| lines::Owner { kind: o.kind, name: o.name, uid: o.uid }),
                });
                let spec = self.chunk.name_pod_spec(spec);
                packed::push_naming_spec(&line, spec, &mut self.chunk.lines);
                return self.end_line();
            }
            ObjectRecord::PodBound { time, uid, node } => Line::PodBound(lines::PodBound { t: t(time), uid, node }),
            ObjectRecord::PodStatus { time, uid, phase, reason, start_time, disruption, ip, nominated } => {
                Line::PodStatus(lines::PodStatus {
                    t: t(time),
                    uid,
                    phase: phase.as_str(),
                    reason,
                    start_time: start_time.map(t),
                    disruption,
                    pod_ip: ip.map_or("", |ip| ip.write_into(&mut text)),
                    nominated_node_name: nominated,
                })
            }
            ObjectRecord::PodDeleted { time, uid, grace_ms } => {
                Line::PodDeleted(lines::PodDeleted { t: t(time), uid, grace_ms: grace_ms as i64 })
            }
            ObjectRecord::PodRemoved { time, uid } => Line::PodRemoved(Removed { t: t(time), uid }),
            ObjectRecord::NodeCreated { time, pool, node } => {
                Line::NodeCreated(lines::NodeCreated { t: t(time), pool: pool.into(), node: Cow::Borrowed(node) })
            }
            ObjectRecord::NodeStatus { time, name, ready, kubelet_up, unschedulable, taints, memory_pressure } => {
                Line::NodeStatus(lines::NodeStatus {
                    t: t(time),
                    name,
                    ready: match ready {
                        NodeReady::True => "True",
                        NodeReady::False => "False",
                        NodeReady::Unknown => "Unknown",
                    },
                    kubelet_up,
                    unschedulable,
                    taints: Cow::Borrowed(taints),
                    memory_pressure,
                })
            }
            ObjectRecord::NodeRemoved { time, name } => Line::NodeRemoved(lines::NodeRemoved { t: t(time), name }),
            ObjectRecord::JobCreated { time, uid, namespace, name, labels, spec, owner: o } => {
                let line = Line::JobCreated(lines::JobCreated {
                    t: t(time),
                    uid,
                    namespace,
                    name,
                    labels: Map::Of(labels),
                    template: 0,
                    owner: o.map(|o| lines::Owner { kind: o.kind, name: o.name, uid: o.uid }),
                });
                let spec = self.chunk.name_job_spec(spec);
                packed::push_naming_spec(&line, spec, &mut self.chunk.lines);
                return self.end_line();
            }
            ObjectRecord::JobStatus {
                time,
                uid,
                phase,
                reason,
                message,
                active,
                succeeded,
                failed,
                start_time,
                completion_time,
                parallelism,
                suspend,
            } => Line::JobStatus(lines::JobStatus {
                t: t(time),
                uid,
                phase: phase.as_str(),
                reason,
                message: message.into(),
                active,
                succeeded,
                failed,
                start_time: start_time.map(t),
                completion_time: completion_time.map(t),
                parallelism,
                suspend,
            }),
            ObjectRecord::JobRemoved { time, uid } => Line::JobRemoved(Removed { t: t(time), uid }),
            ObjectRecord::CronJobCreated { time, uid, cronjob } => {
                Line::CronJobCreated(lines::CronJobCreated { t: t(time), uid, cronjob: Cow::Borrowed(cronjob) })
            }
            ObjectRecord::CronJobStatus { time, uid, active, last_schedule, suspend } => {
                Line::CronJobStatus(lines::CronJobStatus {
                    t: t(time),
                    uid,
                    active: Cow::Borrowed(active),
                    last_schedule_time: last_schedule,
                    suspend,
                })
            }
            ObjectRecord::CronJobRemoved { time, uid } => Line::CronJobRemoved(Removed { t: t(time), uid }),
            ObjectRecord::ReplicaSetCreated {
                time,
                uid,
                namespace,
                name,
                labels,
                annotations,
                selector,
                template,
                replicas,
                min_ready_seconds,
                owner: o,
            } => {
                let line = |id| {
                    Line::ReplicaSetCreated(lines::ReplicaSetCreated {
                        t: t(time),
                        uid,
                        namespace,
                        name,
                        labels: Map::Of(labels),
                        annotations: Map::Of(annotations),
                        selector: Cow::Borrowed(selector),
                        template: id,
                        template_labels: Map::Of(&template.metadata.labels),
                        template_annotations: Map::Of(&template.metadata.annotations),
                        replicas,
                        min_ready_seconds,
                        owner: o.map(|o| lines::Owner { kind: o.kind, name: o.name, uid: o.uid }),
                    })
                };
                let spec = self.chunk.name_pod_spec(&Arc::new(template.spec.clone()));
                let write = |id, out: &mut Vec<u8>| line(id).write_json(out);
                packed::push_json_naming_pod_spec(&mut self.chunk.lines.items, t(time), spec, write)
                    .map_err(io::Error::other)?;
                return self.end_line();
            }
            ObjectRecord::ReplicaSetStatus {
                time,
                uid,
                desired,
                revision,
                replicas,
                fully_labeled,
                ready,
                available,
                terminating,
                failure,
            } => Line::ReplicaSetStatus(lines::ReplicaSetStatus {
                t: t(time),
                uid,
                desired,
                revision,
                replicas,
                fully_labeled,
                ready,
                available,
                terminating,
                failure: failure.map(Cow::Borrowed),
            }),
            ObjectRecord::ReplicaSetRemoved { time, uid } => Line::ReplicaSetRemoved(Removed { t: t(time), uid }),
            ObjectRecord::DeploymentCreated { time, uid, deployment } => {
                Line::DeploymentCreated(lines::DeploymentSpecLine {
                    t: t(time),
                    uid,
                    deployment: Cow::Borrowed(deployment),
                })
            }
            ObjectRecord::DeploymentUpdated { time, uid, deployment } => {
                Line::DeploymentUpdated(lines::DeploymentSpecLine {
                    t: t(time),
                    uid,
                    deployment: Cow::Borrowed(deployment),
                })
            }
            ObjectRecord::DeploymentStatus {
                time,
                uid,
                revision,
                replicas,
                updated,
                ready,
                available,
                unavailable,
                conditions,
            } => Line::DeploymentStatus(lines::DeploymentStatus {
                t: t(time),
                uid,
                revision,
                replicas,
                updated,
                ready,
                available,
                unavailable,
                conditions: conditions
                    .iter()
                    .map(|(kind, c)| lines::ConditionLine {
                        kind,
                        status: c.status.as_str(),
                        reason: c.reason,
                        message: Cow::Borrowed(&c.message),
                        last_update: c.last_update.ms() as i64,
                        last_transition: c.last_transition.ms() as i64,
                    })
                    .collect(),
            }),
            ObjectRecord::DeploymentRemoved { time, uid } => Line::DeploymentRemoved(Removed { t: t(time), uid }),
            ObjectRecord::DaemonSetCreated { time, uid, generation, daemonset } => {
                Line::DaemonSetCreated(lines::DaemonSetSpecLine {
                    t: t(time),
                    uid,
                    generation,
                    daemonset: Cow::Borrowed(daemonset),
                })
            }
            ObjectRecord::DaemonSetUpdated { time, uid, generation, daemonset } => {
                Line::DaemonSetUpdated(lines::DaemonSetSpecLine {
                    t: t(time),
                    uid,
                    generation,
                    daemonset: Cow::Borrowed(daemonset),
                })
            }
            ObjectRecord::DaemonSetStatus { time, uid, status: s } => Line::DaemonSetStatus(lines::DaemonSetStatus {
                t: t(time),
                uid,
                desired: s.desired,
                current: s.current,
                misscheduled: s.misscheduled,
                ready: s.ready,
                updated: s.updated,
                available: s.available,
                unavailable: s.unavailable,
                observed_generation: s.observed_generation,
            }),
            ObjectRecord::DaemonSetRemoved { time, uid } => Line::DaemonSetRemoved(Removed { t: t(time), uid }),
            ObjectRecord::StatefulSetCreated { time, uid, generation, statefulset } => {
                Line::StatefulSetCreated(lines::StatefulSetSpecLine {
                    t: t(time),
                    uid,
                    generation,
                    statefulset: Cow::Borrowed(statefulset),
                })
            }
            ObjectRecord::StatefulSetUpdated { time, uid, generation, statefulset } => {
                Line::StatefulSetUpdated(lines::StatefulSetSpecLine {
                    t: t(time),
                    uid,
                    generation,
                    statefulset: Cow::Borrowed(statefulset),
                })
            }
            ObjectRecord::StatefulSetStatus { time, uid, status: s } => {
                Line::StatefulSetStatus(lines::StatefulSetStatus {
                    t: t(time),
                    uid,
                    replicas: s.replicas,
                    ready: s.ready,
                    current: s.current,
                    updated: s.updated,
                    available: s.available,
                    current_revision: Cow::Borrowed(&s.current_revision),
                    update_revision: Cow::Borrowed(&s.update_revision),
                    collision_count: s.collision_count,
                    observed_generation: s.observed_generation,
                })
            }
            ObjectRecord::StatefulSetRemoved { time, uid } => Line::StatefulSetRemoved(Removed { t: t(time), uid }),
            ObjectRecord::ServiceCreated { time, uid, service } => {
                Line::ServiceCreated(lines::ServiceCreated { t: t(time), uid, service: Cow::Borrowed(service) })
            }
            ObjectRecord::ServiceRemoved { time, uid } => Line::ServiceRemoved(Removed { t: t(time), uid }),
            ObjectRecord::EndpointSlice { time, namespace, service, service_uid, slice } => {
                Line::EndpointSlice(lines::EndpointSlice {
                    t: t(time),
                    uid: slice.uid,
                    namespace,
                    name: &slice.name,
                    service,
                    service_uid,
                    ports: slice
                        .ports
                        .iter()
                        .map(|p| lines::SlicePort {
                            name: Cow::Borrowed(&p.name),
                            port: p.port,
                            protocol: Cow::Borrowed(&p.protocol),
                            app_protocol: p.app_protocol.as_deref().map(Cow::Borrowed),
                        })
                        .collect(),
                    endpoints: slice
                        .endpoints
                        .iter()
                        .map(|e| lines::SliceEndpoint {
                            ip: Cow::Owned(e.ip.to_string()),
                            ready: e.ready,
                            serving: e.serving,
                            terminating: e.terminating,
                            node: Cow::Borrowed(&e.node),
                            zone: e.zone.as_deref().map(Cow::Borrowed),
                            hostname: e.hostname.as_deref().map(Cow::Borrowed),
                            pod: Cow::Borrowed(&e.pod_name),
                            pod_uid: e.pod_uid,
                        })
                        .collect(),
                })
            }
            ObjectRecord::EndpointSliceRemoved { time, uid } => Line::EndpointSliceRemoved(Removed { t: t(time), uid }),
            ObjectRecord::BudgetCreated { time, uid, budget } => {
                Line::PodDisruptionBudgetCreated(lines::BudgetCreated {
                    t: t(time),
                    uid,
                    budget: Cow::Borrowed(budget),
                })
            }
            ObjectRecord::BudgetStatus { time, uid, status } => Line::PodDisruptionBudgetStatus(lines::BudgetStatus {
                t: t(time),
                uid,
                observed: status.observed,
                disruptions_allowed: status.disruptions_allowed,
                current_healthy: status.current_healthy,
                desired_healthy: status.desired_healthy,
                expected_pods: status.expected_pods,
                disrupted_pods: status
                    .disrupted_pods
                    .iter()
                    .map(|(name, at)| (Cow::Borrowed(&**name), t(*at)))
                    .collect(),
                condition: status.condition.as_ref().map(|c| lines::BudgetCondition {
                    status: c.status,
                    reason: c.reason,
                    message: Cow::Borrowed(&c.message),
                    last_transition: t(c.last_transition),
                }),
            }),
            ObjectRecord::ClaimCreated { time, uid, claim } => {
                Line::PersistentVolumeClaimCreated(lines::ClaimCreated { t: t(time), uid, claim: Cow::Borrowed(claim) })
            }
            ObjectRecord::ClaimStatus { time, uid, status } => {
                Line::PersistentVolumeClaimStatus(lines::ClaimStatusLine::of(t(time), uid, status))
            }
            ObjectRecord::ClaimRemoved { time, uid } => Line::PersistentVolumeClaimRemoved(Removed { t: t(time), uid }),
            ObjectRecord::VolumeCreated { time, uid, volume } => {
                Line::PersistentVolumeCreated(lines::VolumeCreated { t: t(time), uid, volume: Cow::Borrowed(volume) })
            }
            ObjectRecord::VolumeStatus { time, uid, status } => {
                Line::PersistentVolumeStatus(lines::VolumeStatusLine::of(t(time), uid, status))
            }
            ObjectRecord::VolumeRemoved { time, uid } => Line::PersistentVolumeRemoved(Removed { t: t(time), uid }),
            ObjectRecord::StorageClassCreated { time, uid, class } => {
                Line::StorageClassCreated(lines::StorageClassCreated { t: t(time), uid, class: Cow::Borrowed(class) })
            }
            ObjectRecord::StorageClassRemoved { time, uid } => Line::StorageClassRemoved(Removed { t: t(time), uid }),
            ObjectRecord::ConfigMapCreated { time, uid, config_map } => {
                Line::ConfigMapCreated(lines::ConfigMapCreated {
                    t: t(time),
                    uid,
                    config_map: Cow::Borrowed(config_map),
                })
            }
            ObjectRecord::ConfigMapRemoved { time, uid } => Line::ConfigMapRemoved(Removed { t: t(time), uid }),
            ObjectRecord::SecretCreated { time, uid, secret } => {
                Line::SecretCreated(lines::SecretCreated { t: t(time), uid, secret: Cow::Borrowed(secret) })
            }
            ObjectRecord::SecretRemoved { time, uid } => Line::SecretRemoved(Removed { t: t(time), uid }),
        };
        self.line(&line)
    }

    fn line(&mut self, line: &Line) -> io::Result<()> {
        let lines = &mut self.chunk.lines;
        let pushed = if O::ENCODES_ELSEWHERE {
            packed::push(line, lines)
        } else {
            packed::push_json(&mut lines.items, |out| line.write_json(out))
        };
        pushed.map_err(io::Error::other)?;
        self.end_line()
    }

    /// Hands the chunk over when it is full, or holds [`OWN_SPECS`] specs that their
    /// objects alone hold.
    fn end_line(&mut self) -> io::Result<()> {
        if self.chunk.lines.len() >= CHUNK || self.chunk.own_specs() >= OWN_SPECS {
            self.out.take_objects(&mut self.chunk)
        } else {
            Ok(())
        }
    }

    /// Flushes and returns the SHA-256 of what was written.
    pub fn finish(&mut self) -> io::Result<String> {
        self.out.take_objects(&mut self.chunk)?;
        self.out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file whose bytes the test reads.
    #[derive(Clone, Default)]
    struct File(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

    impl Write for File {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A destination that counts the chunks of lines it is handed and writes them.
    struct Counting {
        chunks: usize,
        inner: Hashing<File>,
    }

    impl TraceOut for Counting {
        const ENCODES_ELSEWHERE: bool = true;

        fn take(&mut self, chunk: &mut Vec<u8>) -> io::Result<()> {
            self.inner.take(chunk)
        }
        fn take_rows(&mut self, chunk: &mut Vec<u8>) -> io::Result<()> {
            self.inner.take_rows(chunk)
        }
        fn take_objects(&mut self, chunk: &mut ObjectsChunk) -> io::Result<()> {
            self.chunks += usize::from(!chunk.is_empty());
            self.inner.take_objects(chunk)
        }
        fn finish(&mut self) -> io::Result<String> {
            self.inner.finish()
        }
    }

    fn spec(cpu: u32) -> Arc<PodSpec> {
        let json =
            format!(r#"{{"containers":[{{"name":"a","image":"b","resources":{{"requests":{{"cpu":"{cpu}m"}}}}}}]}}"#);
        Arc::new(serde_json::from_str(&json).unwrap())
    }

    /// Writes `pods` PodCreated lines, the spec of pod `i` from `spec_of`; answers with
    /// the chunks handed over before `finish` and the file's lines.
    fn created(pods: u32, spec_of: impl Fn(u32) -> Arc<PodSpec>) -> (usize, Vec<String>) {
        let labels = BTreeMap::new();
        let file = File::default();
        let mut w = ObjectsWriter::to(Counting { chunks: 0, inner: Hashing::new(file.clone()) });
        for i in 0..pods {
            let spec = spec_of(i);
            let name = format!("pod-{i}");
            w.write(&ObjectRecord::PodCreated {
                time: SimTime::from_ms(u64::from(i)),
                uid: u64::from(i),
                namespace: "default",
                name: &name,
                generate_name: None,
                spec: &spec,
                priority: 0,
                preempt_never: false,
                labels: &labels,
                annotations: &labels,
                owner: None,
            })
            .unwrap();
        }
        let before = w.out.chunks;
        w.finish().unwrap();
        let text = String::from_utf8(file.0.borrow().clone()).unwrap();
        (before, text.lines().map(str::to_string).collect())
    }

    /// Pods of a shared spec: one template line and every pod naming it, in one chunk.
    /// Pods each of a spec of its own (dropped with the pod, here at once): handed over
    /// every [`OWN_SPECS`] of them, each pod's template line just before it.
    #[test]
    fn specs_of_their_own_are_handed_over_a_few_at_a_time() {
        let shared = spec(100);
        let (chunks, lines) = created(600, |_| shared.clone());
        assert_eq!(chunks, 0);
        assert_eq!(lines.len(), 601);
        assert!(lines[0].starts_with(r#"{"op":"PodTemplate","t":0,"id":1,"spec":"#), "{}", lines[0]);
        assert!(lines[1..].iter().all(|l| l.contains(r#""template":1,"#)));

        let (chunks, lines) = created(600, |i| spec(100 + i));
        assert_eq!(chunks, 600 / OWN_SPECS);
        assert_eq!(lines.len(), 1200);
        for (i, pair) in lines.chunks(2).enumerate() {
            let id = i + 1;
            assert!(pair[0].starts_with(&format!(r#"{{"op":"PodTemplate","t":{i},"id":{id},"#)), "{}", pair[0]);
            assert!(pair[0].contains(&format!(r#""cpu":"{}m""#, 100 + i)), "{}", pair[0]);
            assert!(pair[1].contains(&format!(r#""name":"pod-{i}","template":{id},"#)), "{}", pair[1]);
        }
    }
}
