//! Everything that can happen, by the room it happens in: one variant per subsystem,
//! each carrying that subsystem's own events. The loop (`sim`) hands each variant to
//! its subsystem's one entry point; a subsystem schedules only its own events. The
//! enums live here, below every subsystem, so that no subsystem names the simulation.

use crate::cluster::budget::BudgetId;
use crate::cluster::service::ServiceId;
use crate::cluster::storage::ClaimId;
use crate::cluster::storage::PvId;
use crate::cluster::{CronJobId, DaemonSetId, DeploymentId, JobId, NodeId, PodId, ReplicaSetId, StatefulSetId};
use crate::engine::TimerToken;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// What the scenario says happens: submissions, arrivals, faults, actions, metrics.
    Script(ScriptEvent),
    Scheduler(SchedulerEvent),
    Kubelet(KubeletEvent),
    NodeLifecycle(NodeLifecycleEvent),
    Job(JobEvent),
    CronJob(CronJobEvent),
    PodGc(PodGcEvent),
    ReplicaSet(ReplicaSetEvent),
    Deployment(DeploymentEvent),
    DaemonSet(DaemonSetEvent),
    StatefulSet(StatefulSetEvent),
    EndpointSlice(EndpointSliceEvent),
    Disruption(DisruptionEvent),
    PersistentVolume(PersistentVolumeEvent),
    AttachDetach(AttachDetachEvent),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptEvent {
    /// `scenario.submissions[i]` is submitted.
    Submit(u32),
    /// The next copy of `scenario.arrivals[i]` arrives.
    Arrival(u32),
    /// `scenario.faults[i]` happens (or is undone).
    Fault { index: u32, undo: bool },
    /// A random fault process crashes or repairs a node.
    RandomFault { process: u32, node: NodeId, repair: bool },
    /// `scenario.actions[i]` happens.
    Action(u32),
    /// A row of metrics.csv is due.
    Metrics,
    /// `kubectl drain` (drain `drain` of the run) tries the eviction of a pod again,
    /// 5 s after the API refused it.
    EvictRetry { drain: u32, pod: PodId },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchedulerEvent {
    /// The scheduler takes pods from its active queue.
    Cycle,
    /// A pod's scheduling back-off is over.
    BackoffDone(PodId),
    /// Pods unschedulable for too long go back to the queue.
    Flush,
    /// VolumeBinding's PreBind polls a pod's claims (or its bind timeout ran out).
    PreBind(PodId),
    /// The event recorder's `finishSeries` tick (every 6 minutes while it caches Events).
    FinishSeries,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KubeletEvent {
    /// An image pull on a node finished.
    ImagePullDone { node: NodeId, image: u32, ok: bool },
    /// A container's stage timer.
    Container { pod: PodId, container: u16, token: TimerToken },
    /// A container's probe timer.
    Probe { pod: PodId, container: u16, token: TimerToken },
    /// A pod's `activeDeadlineSeconds` ran out.
    PodDeadline { pod: PodId, token: TimerToken },
    /// The pod worker syncs a pod whose sandbox could not be created.
    Sandbox { pod: PodId, token: TimerToken },
    /// A node's eviction manager synchronizes (or polls for an evicted pod's cleanup).
    EvictionSync { node: NodeId, token: TimerToken },
    /// A container on the node reaches its working set: the node's memory changes.
    WorkingSet { node: NodeId, token: TimerToken },
    /// A pod's volume manager retries a mount, or its pod worker looks whether the
    /// volumes are mounted.
    Volumes { pod: PodId, token: TimerToken },
    /// The node's kubelet writes its node status (a changed `volumesInUse`).
    NodeStatus { node: NodeId, token: TimerToken },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeLifecycleEvent {
    /// A monitor pass looks at a node whose kubelet went quiet (or came back).
    Monitor(NodeId),
    /// The NoExecute tainting pass of a zone (by index).
    TaintingPass(u32),
    /// A pod's toleration of a NoExecute taint ran out.
    TaintEviction { pod: PodId, token: TimerToken },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobEvent {
    /// The controller syncs a Job.
    Sync { job: JobId, token: TimerToken },
    /// A finished Job's `ttlSecondsAfterFinished` ran out.
    Ttl { job: JobId, token: TimerToken },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CronJobEvent {
    /// The controller syncs a CronJob.
    Sync { cronjob: CronJobId, token: TimerToken },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodGcEvent {
    /// Terminated pods beyond the threshold are deleted.
    Terminated,
    /// The pods of a node that was removed are deleted.
    Orphans(NodeId),
    /// A pass over a node with the `node.kubernetes.io/out-of-service` taint: its
    /// terminating pods are force-deleted once it is not Ready (`gcTerminating`).
    OutOfService(NodeId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaSetEvent {
    /// The controller syncs a ReplicaSet.
    Sync { rs: ReplicaSetId, token: TimerToken },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeploymentEvent {
    /// The controller syncs a Deployment.
    Sync { deployment: DeploymentId, token: TimerToken },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointSliceEvent {
    /// The controller syncs a Service's EndpointSlices.
    Sync { service: ServiceId, token: TimerToken },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisruptionEvent {
    /// The controller syncs a PodDisruptionBudget.
    Sync { budget: BudgetId, token: TimerToken },
}

macro_rules! room {
    ($variant:ident, $inner:ty) => {
        impl From<$inner> for Event {
            fn from(e: $inner) -> Event {
                Event::$variant(e)
            }
        }
    };
}

room!(Script, ScriptEvent);
room!(Scheduler, SchedulerEvent);
room!(Kubelet, KubeletEvent);
room!(NodeLifecycle, NodeLifecycleEvent);
room!(Job, JobEvent);
room!(CronJob, CronJobEvent);
room!(PodGc, PodGcEvent);
room!(ReplicaSet, ReplicaSetEvent);
room!(Deployment, DeploymentEvent);
room!(EndpointSlice, EndpointSliceEvent);
room!(Disruption, DisruptionEvent);
room!(DaemonSet, DaemonSetEvent);
room!(StatefulSet, StatefulSetEvent);
room!(PersistentVolume, PersistentVolumeEvent);
room!(AttachDetach, AttachDetachEvent);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttachDetachEvent {
    /// A pass of the reconciler's loop.
    Pass { token: TimerToken },
    /// An attach operation finished.
    Attached { volume: PvId, node: NodeId, token: TimerToken },
    /// A detach operation finished.
    Detached { volume: PvId, node: NodeId, token: TimerToken },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DaemonSetEvent {
    /// The controller syncs a DaemonSet.
    Sync { ds: DaemonSetId, token: TimerToken },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatefulSetEvent {
    /// The controller syncs a StatefulSet.
    Sync { sts: StatefulSetId, token: TimerToken },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersistentVolumeEvent {
    /// The PV controller's periodic sync of every claim and PV (`PVClaimBinderSyncPeriod`).
    Resync,
    /// An external provisioner finished making a claim's volume (operation `operation`:
    /// a stale one finds another in flight, or none).
    Provisioned { claim: ClaimId, operation: u32 },
}
