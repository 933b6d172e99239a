//! A Pod as the cluster holds it: what the API shows (phase, container states,
//! conditions) and what the kubelet is doing with it (stages and their timers).

use super::NodeId;
use super::template::PodTemplate;
use crate::engine::{SimTime, Timer};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PodPhase {
    Pending,
    Running,
    Succeeded,
    Failed,
}

impl PodPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, PodPhase::Succeeded | PodPhase::Failed)
    }
}

/// Why a container is waiting, in the kubelet's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitingReason {
    ContainerCreating,
    PodInitializing,
    CrashLoopBackOff,
    ErrImagePull,
    ImagePullBackOff,
    ErrImageNeverPull,
}

impl WaitingReason {
    pub fn as_str(self) -> &'static str {
        match self {
            WaitingReason::ContainerCreating => "ContainerCreating",
            WaitingReason::PodInitializing => "PodInitializing",
            WaitingReason::CrashLoopBackOff => "CrashLoopBackOff",
            WaitingReason::ErrImagePull => "ErrImagePull",
            WaitingReason::ImagePullBackOff => "ImagePullBackOff",
            WaitingReason::ErrImageNeverPull => "ErrImageNeverPull",
        }
    }
}

/// Why a container terminated, as the runtime (containerd) or kubelet words it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TerminatedReason {
    Completed,
    Error,
    OOMKilled,
    ContainerStatusUnknown,
}

impl TerminatedReason {
    pub fn as_str(self) -> &'static str {
        match self {
            TerminatedReason::Completed => "Completed",
            TerminatedReason::Error => "Error",
            TerminatedReason::OOMKilled => "OOMKilled",
            TerminatedReason::ContainerStatusUnknown => "ContainerStatusUnknown",
        }
    }

    /// containerd: exit 0 is `Completed`, anything else `Error` (OOM is told apart).
    pub fn for_exit(code: i32) -> TerminatedReason {
        if code == 0 { TerminatedReason::Completed } else { TerminatedReason::Error }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terminated {
    pub exit_code: i32,
    pub reason: TerminatedReason,
    pub started_at: Option<SimTime>,
    pub finished_at: SimTime,
}

impl Terminated {
    /// A container the runtime lost, or one that never ran in a pod that ended: the
    /// kubelet reports it terminated, 137, `ContainerStatusUnknown`.
    pub fn lost(now: SimTime) -> Terminated {
        Terminated {
            exit_code: 137,
            reason: TerminatedReason::ContainerStatusUnknown,
            started_at: None,
            finished_at: now,
        }
    }
}

/// A container state as the API shows it (`v1.ContainerState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerState {
    Waiting(WaitingReason),
    Running { started_at: SimTime },
    Terminated(Terminated),
}

impl ContainerState {
    /// The column values of `transitions.csv`: state name and reason.
    pub fn name(&self) -> &'static str {
        match self {
            ContainerState::Waiting(_) => "Waiting",
            ContainerState::Running { .. } => "Running",
            ContainerState::Terminated(_) => "Terminated",
        }
    }

    pub fn reason(&self) -> &'static str {
        match self {
            ContainerState::Waiting(r) => r.as_str(),
            ContainerState::Running { .. } => "",
            ContainerState::Terminated(t) => t.reason.as_str(),
        }
    }
}

/// What the kubelet is doing with a container: the state machine that timers drive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Not started: waiting for its turn, or for the pod to reach a node.
    Idle,
    /// Waiting for its image (queued behind other pulls on the node, or pulling).
    Pulling,
    /// The last pull failed; retried when the image back-off runs out.
    PullBackOff {
        retry_at: SimTime,
    },
    /// `imagePullPolicy: Never` and the image is not on the node.
    NeverPulled,
    /// Created; starting (the behavior's `startup` time).
    Starting,
    /// Started at `started_at`; its `postStart` hook runs, and the kubelet reports it
    /// running only once the hook returns (`startContainer`, step 4).
    PostStart {
        started_at: SimTime,
    },
    Running {
        started_at: SimTime,
    },
    /// Its `preStop` hook runs since `since`; the stop signal follows when it returns or
    /// when the grace period (which ends at `deadline`) runs out (`killContainer`).
    PreStop {
        started_at: SimTime,
        since: SimTime,
        deadline: SimTime,
    },
    /// Asked to stop at `since` (SIGTERM); exits by itself or is killed when the grace runs out.
    Stopping {
        started_at: SimTime,
        since: SimTime,
    },
    Exited,
    /// Exited and waiting out the crash-loop back-off.
    BackOff {
        restart_at: SimTime,
    },
}

/// The kubelet's per-container back-off entry (client-go `flowcontrol.Backoff`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BackoffEntry {
    /// Current back-off in ms; 0 when there is no entry.
    pub duration: u64,
    pub last_update: SimTime,
}

#[derive(Clone, Debug)]
pub struct ContainerStatus {
    /// `None` until the kubelet first reports the pod.
    pub state: Option<ContainerState>,
    pub last_state: Option<Terminated>,
    pub restart_count: u32,
    /// `started`: running and past its startup probe.
    pub started: bool,
    pub ready: bool,
    pub stage: Stage,
    /// The stage's pending event (pull done, started, exit, back-off over, kill).
    pub timer: Timer,
    /// The next probe-driven change (started, ready, unready, liveness kill).
    pub probe_timer: Timer,
    pub crash_backoff: BackoffEntry,
    pub pull_backoff: BackoffEntry,
    /// Index of the behavior that drives it (`usize::MAX`: the default behavior).
    pub behavior: usize,
    /// Starts so far: keys this container's random draws.
    pub attempt: u32,
    /// The number of the current run for the behavior's `attempts` (0: not counted).
    pub run: u32,
    /// Probe outcomes of the current run, computed at start.
    pub probe_plan: ProbePlan,
    /// What this attempt will do, drawn when it starts.
    pub plan: AttemptPlan,
    /// Pull attempts of this container (keys the draws of each pull).
    pub pull_tries: u32,
    /// Instances created so far (the first creation is not a restart).
    pub instances: u32,
    /// A lost instance was already counted as a restart (node crash).
    pub restart_counted: bool,
    /// Has been `started` in the current sandbox (a sidecar no longer blocks later init containers).
    pub has_started: bool,
    /// A regular init container exited 0 in the current sandbox.
    pub completed: bool,
    /// How the running instance will end, when known: (exit code, reason).
    pub planned_exit: Option<(i32, TerminatedReason)>,
    /// When the grace period left after the `preStop` hook runs out: the stop signal's
    /// deadline, for a sidecar that waits for its turn after its hook.
    pub stop_deadline: Option<SimTime>,
    /// The API refused to show this init container leaving `Terminated` (see
    /// `Ctx::set_container_state`): its status is the old one until it terminates again.
    pub status_held: bool,
    /// The status last written to containers.csv (a row is written when it changes).
    /// Boxed: only a run that writes the objects' history sets it, and a run at scale
    /// without it keeps 72 bytes less per container.
    pub reported: Option<Box<ReportedContainer>>,
}

/// A container's status as the API shows it, as last recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportedContainer {
    pub state: Option<ContainerState>,
    pub last_state: Option<Terminated>,
    pub restart_count: u32,
    pub ready: bool,
    pub started: bool,
    /// The crash-loop back-off the Waiting message names (ms).
    pub backoff: u64,
}

/// The draws for one attempt of a container, taken together when it starts so that
/// their positions in the random stream never depend on what happens later.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AttemptPlan {
    pub startup: u64,
    pub run_for: Option<u64>,
    pub exit_code: i32,
    pub ramp_up: u64,
    /// The working set this run reaches `ramp_up` after it starts, in bytes (0: none,
    /// or above the container's limit, where it is OOMKilled on reaching it).
    pub memory: i64,
    pub ready_after: Option<u64>,
    pub unhealthy_after: Option<u64>,
    pub termination: u64,
    /// This run's hooks, when the container has them: how long each takes and whether
    /// it fails.
    pub post_start: Option<HookPlan>,
    pub pre_stop: Option<HookPlan>,
}

/// How a lifecycle hook of one run goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HookPlan {
    pub takes: u64,
    pub fails: bool,
}

/// When, after a run's start, probes change the container (see `kubelet::probes`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProbePlan {
    pub started_at: Option<SimTime>,
    pub ready_at: Option<SimTime>,
    pub unready_at: Option<SimTime>,
    /// A failed liveness or startup probe kills the container at this time.
    pub kill_at: Option<SimTime>,
    /// Which probe kills it: the grace period and the event wording depend on it.
    pub kill_by_startup: bool,
    /// When the run started, and the behavior's answers: probes succeed from
    /// `answers_from` and fail from `fails_from` (the ticks that fail record events).
    pub start: SimTime,
    pub answers_from: SimTime,
    pub fails_from: Option<SimTime>,
}

impl ProbePlan {
    /// Changes due before `t` happen at `t`: the prober acts on a container only once
    /// the kubelet reports it running (after its `postStart` hook).
    pub fn not_before(&mut self, t: SimTime) {
        for at in
            [&mut self.started_at, &mut self.ready_at, &mut self.unready_at, &mut self.kill_at].into_iter().flatten()
        {
            *at = (*at).max(t);
        }
    }
}

impl ContainerStatus {
    /// A container the kubelet has not seen yet (it picks the behavior at admission).
    pub fn unseen() -> ContainerStatus {
        ContainerStatus {
            state: None,
            last_state: None,
            restart_count: 0,
            started: false,
            ready: false,
            stage: Stage::Idle,
            timer: Timer::default(),
            probe_timer: Timer::default(),
            crash_backoff: BackoffEntry::default(),
            pull_backoff: BackoffEntry::default(),
            behavior: usize::MAX,
            attempt: 0,
            run: 0,
            probe_plan: ProbePlan::default(),
            plan: AttemptPlan::default(),
            pull_tries: 0,
            instances: 0,
            restart_counted: false,
            has_started: false,
            completed: false,
            planned_exit: None,
            stop_deadline: None,
            status_held: false,
            reported: None,
        }
    }

    /// A process of this container exists on the node.
    pub fn is_alive(&self) -> bool {
        matches!(
            self.stage,
            Stage::Starting
                | Stage::PostStart { .. }
                | Stage::Running { .. }
                | Stage::PreStop { .. }
                | Stage::Stopping { .. }
        )
    }
}

/// Who created a pod, for controllers to find their pods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    None,
    Job { job: super::JobId, index: Option<u32> },
    ReplicaSet(super::ReplicaSetId),
    DaemonSet(super::DaemonSetId),
    StatefulSet(super::StatefulSetId),
}

/// The kubelet stopping a pod's containers: on deletion, eviction, deadline, or to
/// stop sidecars once the main containers are done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Termination {
    pub since: SimTime,
    /// Containers still running then are killed (the grace period runs out).
    pub deadline: SimTime,
    /// The kubelet has recorded `Killing` for every container it stops.
    pub announced: bool,
}

/// A graceful deletion in progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deletion {
    pub requested_at: SimTime,
    pub grace: u64,
}

/// Where a pod is in kube-scheduler's queue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SchedulingState {
    /// Failed attempts since the last success (back-off doubles with each).
    pub attempts: u32,
    /// When the pod entered the queue or last failed (`QueuedPodInfo.Timestamp`), for
    /// the activeQ order.
    pub queued_at: SimTime,
    /// When the pod was first seen unschedulable, for pending-time statistics.
    pub first_failure: Option<SimTime>,
    /// When the last attempt failed (the back-off counts from it).
    pub last_failure_at: SimTime,
    /// Where preemption made room for the pod, as the nominator holds it (until the
    /// pod is bound or gone).
    pub nominated_node: Option<NodeId>,
    /// `status.nominatedNodeName` as the API shows it: written by the scheduler's
    /// PostFilter (set by a preemption, cleared when one fails or a higher-priority
    /// pod takes the node) and kept after binding, as in 1.31 to 1.34, where the API
    /// server clears it only with the alpha `ClearingNominatedNodeNameAfterBinding`
    /// gate (KEP-5278).
    pub shown_nominated: Option<NodeId>,
}

#[derive(Clone, Debug)]
pub struct Pod {
    /// Order of creation: the pod's uid in this run.
    pub uid: u64,
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    pub labels: Arc<BTreeMap<String, String>>,
    pub annotations: Arc<BTreeMap<String, String>>,
    pub template: Arc<PodTemplate>,
    pub owner: Owner,
    pub priority: i32,
    /// `spec.preemptionPolicy` as admission resolved it: Never (it does not preempt).
    pub preempt_never: bool,
    pub created: SimTime,
    pub phase: PodPhase,
    /// `status.reason` (`Evicted`, `DeadlineExceeded`, ...).
    pub reason: Option<&'static str>,
    /// A pod sync handler told the kubelet to evict the pod (`ShouldEvict`: the active
    /// deadline ran out), with this reason: the kubelet's status for it is `Failed`, which
    /// the API shows only once no container can still run (`mergePodStatus`,
    /// `pkg/kubelet/status/status_manager.go`).
    pub evicted: Option<&'static str>,
    pub node: Option<NodeId>,
    pub scheduled_at: Option<SimTime>,
    /// `status.startTime`: when the kubelet acknowledged the pod.
    pub start_time: Option<SimTime>,
    /// When the pod first reached phase Running.
    pub running_at: Option<SimTime>,
    pub finished_at: Option<SimTime>,
    pub deletion: Option<Deletion>,
    pub termination: Option<Termination>,
    /// Set by the kubelet once the pod will not run containers again (`podIsTerminal`).
    pub terminal: bool,
    /// A regular container has started in the current sandbox (`podHasInitialized`:
    /// `HasAnyActiveRegularContainerStarted`, `pkg/kubelet/container/helpers.go`).
    pub initialized: bool,
    /// Sandboxes the kubelet made for the pod after its first (`PodSandboxChanged`'s
    /// attempt, `pkg/kubelet/kuberuntime/util/util.go`): a node that crashed and came back.
    pub sandbox_attempt: u32,
    pub ready: bool,
    /// When `ready` last changed (the Ready condition's `lastTransitionTime`; before any
    /// change, the condition dates from the kubelet's first status, `start_time`).
    pub ready_changed_at: Option<SimTime>,
    /// When `Ready` last turned True (the ReplicaSet's availability and ranking).
    pub ready_since: Option<SimTime>,
    /// `DisruptionTarget` condition reason, when set.
    pub disruption: Option<&'static str>,
    pub containers: Vec<ContainerStatus>,
    pub sched: SchedulingState,
    /// The pod's `activeDeadlineSeconds` timer.
    pub deadline_timer: Timer,
    /// The taint eviction controller's timer (a NoExecute toleration running out).
    pub eviction_timer: Timer,
    /// The runtime on the node lost this pod's containers (node crash); they are
    /// recreated when the kubelet comes back.
    pub sandbox_lost: bool,
    /// The pod's resources are counted on its node.
    pub counted: bool,
    /// `status.podIP`: the sandbox's address (the node's for `hostNetwork` pods). It
    /// stays on a terminal pod after the sandbox is gone, as the kubelet leaves it.
    pub ip: Option<crate::cluster::network::Ipv4>,
    /// The address is reserved in the node's host-local IPAM (a live sandbox holds it).
    pub ip_held: bool,
    /// The kubelet's next attempt to create the sandbox after a failure.
    pub sandbox_timer: Timer,
    /// Sandboxes the runtime was asked for (keys each one's id).
    pub sandboxes: u32,
    /// The pod-level status last written to objects.jsonl (boxed, as a container's).
    pub reported: Option<Box<ReportedPod>>,
    /// The kubelet's state of the pod's volumes (none for a pod without volumes, or
    /// before the kubelet admitted it).
    pub volumes: Option<Box<super::volume_manager::PodVolumeState>>,
}

/// The pod-level status fields as last recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportedPod {
    pub phase: PodPhase,
    pub ip: Option<crate::cluster::network::Ipv4>,
    pub reason: Option<&'static str>,
    pub start_time: Option<SimTime>,
    pub disruption: Option<&'static str>,
    pub nominated: Option<NodeId>,
}

/// The `DisruptionTarget` reason of a pod the scheduler preempted.
pub const PREEMPTION_BY_SCHEDULER: &str = "PreemptionByScheduler";

impl Pod {
    /// The `controller-revision-hash` label (the revision a DaemonSet made the pod from),
    /// read for each of the set's pods at every sync (a StatefulSet keeps its pods'
    /// beside their ids). Key lengths are compared first: a search of the label map
    /// compares the key's bytes with each key it passes (a call of `memcmp` each), and
    /// those calls were a fifth of a StatefulSet's rolling update when it read them here
    /// (perf, `benches/scenarios/statefulset-2k.yaml`).
    pub fn revision_label(&self) -> Option<&str> {
        const KEY: &str = crate::cluster::daemonset::CONTROLLER_REVISION_HASH_LABEL;
        self.labels.iter().find(|(k, _)| k.len() == KEY.len() && *k == KEY).map(|(_, v)| v.as_str())
    }

    /// The reason a phase change of the pod shows in `transitions.csv`: its
    /// `status.reason`, or `Preempted` for a pod the scheduler preempted.
    pub fn phase_reason(&self) -> &'static str {
        match (self.reason, self.disruption) {
            (Some(r), _) => r,
            (None, Some(PREEMPTION_BY_SCHEDULER)) => "Preempted",
            _ => "",
        }
    }

    pub fn container_name(&self, i: usize) -> &str {
        &self.template.containers[i].name
    }

    /// The phase the kubelet's conditions are computed with: `Failed` for a pod it is
    /// evicting, though the API keeps the old phase until its containers are gone.
    pub fn kubelet_phase(&self) -> PodPhase {
        if self.evicted.is_some() { PodPhase::Failed } else { self.phase }
    }

    /// The kubelet recreated the pod's sandbox and no regular container has started in
    /// the new one yet: its init containers run again, and the kubelet reports the pod
    /// `Pending` meanwhile (`getPhase` since Kubernetes 1.32, kubernetes/kubernetes#126653
    /// and #128516). The one way a pod's phase goes back.
    pub fn reinitializing(&self) -> bool {
        self.sandbox_attempt > 0 && !self.initialized
    }
}

impl fmt::Display for Pod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 5,000-node cluster holds 175,000 pods at once: each byte here is 175 kB of its
    /// peak (ARCHITECTURE.md, "memory at scale"). A field that makes these grow should be
    /// a deliberate choice (boxed if few pods have it).
    #[test]
    fn a_pod_and_its_container_status_stay_small() {
        // 504 and 512 bytes before optional times became one word and the reported
        // statuses were boxed.
        let (pod, status) = (std::mem::size_of::<Pod>(), std::mem::size_of::<ContainerStatus>());
        assert!(pod <= 376, "Pod is {pod} bytes");
        assert!(status <= 376, "ContainerStatus is {status} bytes");
    }
}
