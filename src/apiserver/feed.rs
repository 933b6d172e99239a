//! The change feed, as Kubernetes' informers deliver it: every change the API shows is
//! queued where it is recorded, as a typed [`Change`], and the loop hands the queued
//! changes to the subsystems that watch their kind, in a fixed order, after each event.
//! A controller learns of a pod's end from the feed, never from a call the kubelet
//! makes. Only kinds somebody watches are queued (see [`Watches`]).

use crate::cluster::budget::BudgetId;
use crate::cluster::pod::PodPhase;
use crate::cluster::service::ServiceId;
use crate::cluster::storage::{Claim, ClaimId, ClassId, ConfigMapId, PvId, SecretId, Volume};
use crate::cluster::template::PodTemplate;
use crate::cluster::{CronJobId, DaemonSetId, DeploymentId, JobId, NodeId, Pod, PodId, ReplicaSetId, StatefulSetId};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One change, as a watch event would carry it.
#[derive(Debug)]
pub enum Change {
    /// A pod object was created (unbound, or with `spec.nodeName`).
    PodCreated(PodId),
    /// `spec.nodeName` was set (by the scheduler's binding or at creation).
    PodBound {
        pod: PodId,
        node: NodeId,
    },
    /// The pod's phase changed.
    PodPhase {
        pod: PodId,
        phase: PodPhase,
    },
    /// The pod's `Ready` condition changed (what endpoints follow).
    PodReady {
        pod: PodId,
        #[allow(dead_code)] // its watchers read the pod itself
        ready: bool,
    },
    /// A graceful deletion began (`deletionTimestamp` set).
    PodDeleting(PodId),
    /// The pod no longer holds its node's resources (terminal, or gone): what the
    /// scheduler needs to know of it, since the object may be gone when it looks.
    PodReleased(Released),
    /// A container of the pod restarted (its `restartCount` went up).
    ContainerRestarted(PodId),
    /// The pod object left the API; the last state it had.
    PodRemoved {
        id: PodId,
        pod: Box<Pod>,
    },
    NodeAdded(NodeId),
    /// The Node object was deleted.
    NodeRemoved(NodeId),
    /// The node's kubelet stopped (`false`) or resumed (`true`) renewing its lease.
    NodeHeartbeat {
        node: NodeId,
        up: bool,
    },
    /// `spec.unschedulable` was cleared.
    NodeSchedulable(NodeId),
    /// Taints were removed from the node.
    NodeUntainted(NodeId),
    /// A taint was added to the node by a user (`kubectl taint`); the node lifecycle
    /// controller's own taints are acted on where it adds them.
    NodeTainted(NodeId),
    /// The node's `MemoryPressure` condition changed.
    NodeMemoryPressure(NodeId),
    /// The node's `Ready` condition changed (what the attach/detach controller's
    /// `nodeIsHealthy` reads).
    NodeReady(NodeId),
    /// The kubelet published a new `status.volumesInUse`.
    NodeVolumesInUse(NodeId),
    JobCreated(JobId),
    /// A Job reached `Complete` or `Failed`.
    JobFinished(JobId),
    CronJobCreated(CronJobId),
    /// `status.podIP` was set or changed (the sandbox's network is up).
    PodNetwork(PodId),
    ServiceCreated(ServiceId),
    /// The Service object was deleted (its EndpointSlices with it).
    ServiceDeleted(ServiceId),
    ReplicaSetCreated(ReplicaSetId),
    /// `spec.replicas` of a ReplicaSet changed.
    ReplicaSetScaled(ReplicaSetId),
    /// A ReplicaSet's status changed.
    ReplicaSetStatus(ReplicaSetId),
    DeploymentCreated(DeploymentId),
    /// A Deployment's spec changed (template, replicas, paused).
    DeploymentUpdated(DeploymentId),
    BudgetCreated(BudgetId),
    DaemonSetCreated(DaemonSetId),
    /// A DaemonSet's spec changed (a new template: a rollout).
    DaemonSetUpdated(DaemonSetId),
    StatefulSetCreated(StatefulSetId),
    /// A StatefulSet's spec changed (template, replicas, strategy).
    StatefulSetUpdated(StatefulSetId),
    #[allow(dead_code)] // read by the storage controllers as they land
    ClaimCreated(ClaimId),
    /// What the API shows of a claim changed: its phase, `volumeName`, annotations,
    /// finalizers or deletion timestamp.
    #[allow(dead_code)] // read by the storage controllers as they land
    ClaimUpdated(ClaimId),
    /// The claim object left the API; the last state it had.
    #[allow(dead_code)] // read by the storage controllers as they land
    ClaimRemoved {
        id: ClaimId,
        claim: Box<Claim>,
    },
    #[allow(dead_code)] // read by the storage controllers as they land
    VolumeCreated(PvId),
    /// A PV's phase, `claimRef`, annotations, finalizers or deletion timestamp changed.
    #[allow(dead_code)] // read by the storage controllers as they land
    VolumeUpdated(PvId),
    #[allow(dead_code)] // read by the storage controllers as they land
    VolumeRemoved {
        id: PvId,
        volume: Box<Volume>,
    },
    #[allow(dead_code)] // read by the storage controllers as they land
    StorageClassCreated(ClassId),
    #[allow(dead_code)] // read by the storage controllers as they land
    StorageClassRemoved {
        name: Arc<str>,
    },
    #[allow(dead_code)] // read by the storage controllers as they land
    ConfigMapCreated(ConfigMapId),
    #[allow(dead_code)] // read by the storage controllers as they land
    ConfigMapRemoved {
        namespace: Arc<str>,
        name: Arc<str>,
    },
    #[allow(dead_code)] // read by the storage controllers as they land
    SecretCreated(SecretId),
    #[allow(dead_code)] // read by the storage controllers as they land
    SecretRemoved {
        namespace: Arc<str>,
        name: Arc<str>,
    },
}

/// The pod a [`Change::PodReleased`] is about, as the scheduler's QueueingHints read it.
#[derive(Debug)]
pub struct Released {
    pub node: NodeId,
    pub namespace: Arc<str>,
    pub labels: Arc<BTreeMap<String, String>>,
    pub template: Arc<PodTemplate>,
    /// It had a deletion timestamp.
    pub terminating: bool,
}

/// The kinds of change, as bits of a [`Watches`] mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Kind {
    PodCreated = 1 << 0,
    PodBound = 1 << 1,
    PodPhase = 1 << 2,
    PodReady = 1 << 3,
    PodDeleting = 1 << 4,
    PodReleased = 1 << 5,
    ContainerRestarted = 1 << 6,
    PodRemoved = 1 << 7,
    NodeAdded = 1 << 8,
    NodeRemoved = 1 << 9,
    NodeHeartbeat = 1 << 10,
    NodeSchedulable = 1 << 11,
    NodeUntainted = 1 << 12,
    JobCreated = 1 << 13,
    JobFinished = 1 << 14,
    CronJobCreated = 1 << 15,
    PodNetwork = 1 << 16,
    ServiceCreated = 1 << 17,
    ServiceDeleted = 1 << 18,
    ReplicaSetCreated = 1 << 19,
    ReplicaSetScaled = 1 << 20,
    ReplicaSetStatus = 1 << 21,
    DeploymentCreated = 1 << 22,
    DeploymentUpdated = 1 << 23,
    BudgetCreated = 1 << 24,
    DaemonSetCreated = 1 << 25,
    DaemonSetUpdated = 1 << 26,
    NodeMemoryPressure = 1 << 27,
    ClaimCreated = 1 << 28,
    ClaimUpdated = 1 << 29,
    ClaimRemoved = 1 << 30,
    VolumeCreated = 1 << 31,
    VolumeUpdated = 1 << 32,
    VolumeRemoved = 1 << 33,
    StorageClassCreated = 1 << 34,
    StorageClassRemoved = 1 << 35,
    ConfigMapCreated = 1 << 36,
    ConfigMapRemoved = 1 << 37,
    SecretCreated = 1 << 38,
    SecretRemoved = 1 << 39,
    NodeReady = 1 << 48,
    NodeVolumesInUse = 1 << 49,
    StatefulSetCreated = 1 << 40,
    StatefulSetUpdated = 1 << 41,
    NodeTainted = 1 << 42,
}

impl Change {
    pub fn kind(&self) -> Kind {
        match self {
            Change::PodCreated(_) => Kind::PodCreated,
            Change::PodBound { .. } => Kind::PodBound,
            Change::PodPhase { .. } => Kind::PodPhase,
            Change::PodReady { .. } => Kind::PodReady,
            Change::PodDeleting(_) => Kind::PodDeleting,
            Change::PodReleased(_) => Kind::PodReleased,
            Change::ContainerRestarted(_) => Kind::ContainerRestarted,
            Change::PodRemoved { .. } => Kind::PodRemoved,
            Change::NodeAdded(_) => Kind::NodeAdded,
            Change::NodeRemoved(_) => Kind::NodeRemoved,
            Change::NodeHeartbeat { .. } => Kind::NodeHeartbeat,
            Change::NodeSchedulable(_) => Kind::NodeSchedulable,
            Change::NodeUntainted(_) => Kind::NodeUntainted,
            Change::NodeTainted(_) => Kind::NodeTainted,
            Change::NodeMemoryPressure(_) => Kind::NodeMemoryPressure,
            Change::JobCreated(_) => Kind::JobCreated,
            Change::JobFinished(_) => Kind::JobFinished,
            Change::CronJobCreated(_) => Kind::CronJobCreated,
            Change::PodNetwork(_) => Kind::PodNetwork,
            Change::ServiceCreated(_) => Kind::ServiceCreated,
            Change::ServiceDeleted(_) => Kind::ServiceDeleted,
            Change::ReplicaSetCreated(_) => Kind::ReplicaSetCreated,
            Change::ReplicaSetScaled(_) => Kind::ReplicaSetScaled,
            Change::ReplicaSetStatus(_) => Kind::ReplicaSetStatus,
            Change::DeploymentCreated(_) => Kind::DeploymentCreated,
            Change::DeploymentUpdated(_) => Kind::DeploymentUpdated,
            Change::BudgetCreated(_) => Kind::BudgetCreated,
            Change::DaemonSetCreated(_) => Kind::DaemonSetCreated,
            Change::DaemonSetUpdated(_) => Kind::DaemonSetUpdated,
            Change::StatefulSetCreated(_) => Kind::StatefulSetCreated,
            Change::StatefulSetUpdated(_) => Kind::StatefulSetUpdated,
            Change::ClaimCreated(_) => Kind::ClaimCreated,
            Change::ClaimUpdated(_) => Kind::ClaimUpdated,
            Change::ClaimRemoved { .. } => Kind::ClaimRemoved,
            Change::VolumeCreated(_) => Kind::VolumeCreated,
            Change::VolumeUpdated(_) => Kind::VolumeUpdated,
            Change::VolumeRemoved { .. } => Kind::VolumeRemoved,
            Change::StorageClassCreated(_) => Kind::StorageClassCreated,
            Change::StorageClassRemoved { .. } => Kind::StorageClassRemoved,
            Change::ConfigMapCreated(_) => Kind::ConfigMapCreated,
            Change::ConfigMapRemoved { .. } => Kind::ConfigMapRemoved,
            Change::SecretCreated(_) => Kind::SecretCreated,
            Change::SecretRemoved { .. } => Kind::SecretRemoved,
            Change::NodeReady(_) => Kind::NodeReady,
            Change::NodeVolumesInUse(_) => Kind::NodeVolumesInUse,
        }
    }
}

/// A set of change kinds: what a subsystem watches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Watches(u64);

impl Watches {
    pub const fn of(kinds: &[Kind]) -> Watches {
        let mut bits = 0;
        let mut i = 0;
        while i < kinds.len() {
            bits |= kinds[i] as u64;
            i += 1;
        }
        Watches(bits)
    }

    pub const fn union(self, other: Watches) -> Watches {
        Watches(self.0 | other.0)
    }

    pub fn contains(self, kind: Kind) -> bool {
        self.0 & kind as u64 != 0
    }
}
