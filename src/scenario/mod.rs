//! The scenario: the cluster, the workload, how containers behave and what goes wrong.
//! `raw` mirrors the file; `load` validates it into the types below, collecting every
//! error with its file, line and field path.

pub mod behaviors;
pub mod draws;
pub mod glob;
pub mod kubernetes;
pub mod load;
pub mod raw;
pub mod resources;
pub mod scheduler;

pub use glob::Glob;
pub use load::{ScenarioError, load, load_with};

use crate::api::node::Node;
use crate::api::object::{Ignored, Manifest};
pub use crate::cluster::network::NetworkConfig;
use crate::engine::{Distribution, Millis};

/// A validated scenario, ready to simulate.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub description: Option<String>,
    pub seed: u64,
    /// The wall-clock instant of simulated time 0.
    pub start: jiff::Timestamp,
    /// How long to run; `None`: until nothing is left to happen.
    pub duration: Option<Millis>,
    pub metrics_every: Millis,
    pub nodes: Vec<NodeEntry>,
    /// One node of each pool as a template for nodes that join later (`action: add`),
    /// pools of count 0 included.
    pub pool_templates: Vec<NodeEntry>,
    pub submissions: Vec<Submission>,
    pub arrivals: Vec<Arrivals>,
    pub behaviors: Vec<Behavior>,
    pub faults: Vec<Fault>,
    pub random_faults: Vec<RandomFaults>,
    pub actions: Vec<Action>,
    pub kubelet: KubeletConfig,
    /// The control plane's version and settings (`kubernetes:`).
    pub kubernetes: ControlPlane,
    /// The kube-scheduler profile (`scheduler:`); kube-scheduler's defaults without it.
    pub scheduler: crate::scheduler::profile::SchedulerProfile,
    /// Pod and Service networks (`network:`).
    pub network: NetworkConfig,
    /// The storage operations' timings per StorageClass (`storage:`).
    pub storage: crate::cluster::storage::StorageTimings,
    /// Manifest fields and kinds read but not simulated.
    pub ignored: Ignored,
    /// Things worth telling the user that do not stop the run.
    pub warnings: Vec<String>,
    /// SHA-256 of the scenario file and of every file it names (by the name it gives
    /// them): two runs with the same digest read the same input (`summary.json`).
    pub digest: String,
    /// The values set on top of the file (`--set PATH=VALUE`, a study's point): each
    /// path with its value as given, in order (`summary.json`).
    pub parameters: Vec<(String, String)>,
}

/// A node as the cluster starts with it.
#[derive(Clone, Debug)]
pub struct NodeEntry {
    pub node: Node,
    /// Pool name, for per-pool metrics (`manifest` nodes: the file stem).
    pub pool: String,
}

/// Objects submitted at a time.
#[derive(Clone, Debug)]
pub struct Submission {
    pub at: Millis,
    pub manifest: Manifest,
}

/// An open stream of copies of one object.
#[derive(Clone, Debug)]
pub struct Arrivals {
    pub manifest: Manifest,
    pub interarrival: Distribution,
    pub count: Option<u64>,
    pub start: Millis,
    pub until: Option<Millis>,
    /// What each copy draws for its container's resources (`resources:`); `None`: the
    /// copies are identical.
    pub resources: Option<resources::ResourceDraws>,
}

/// Which containers a behavior applies to; an absent glob matches anything.
#[derive(Clone, Debug, Default)]
pub struct Matcher {
    pub pod: Option<Glob>,
    pub container: Option<Glob>,
    pub image: Option<Glob>,
    pub namespace: Option<Glob>,
}

impl Matcher {
    pub fn matches(&self, namespace: &str, pod: &str, container: &str, image: &str) -> bool {
        let ok = |g: &Option<Glob>, s: &str| g.as_ref().is_none_or(|g| g.matches(s));
        ok(&self.namespace, namespace) && ok(&self.pod, pod) && ok(&self.container, container) && ok(&self.image, image)
    }
}

/// How a container acts once started.
#[derive(Clone, Debug)]
pub struct Behavior {
    /// The behavior's `name`, for actions that change it (`patch: behavior/<name>`).
    pub name: Option<String>,
    pub matcher: Matcher,
    pub image_pull: Distribution,
    pub startup: Distribution,
    /// Absent: runs until stopped.
    pub run_for: Option<Distribution>,
    pub exit_code: ExitCode,
    /// Working set in bytes; above the memory limit the container is OOMKilled.
    pub memory: Option<i64>,
    /// The size of the image in bytes, as the node reports it once pulled; ImageLocality
    /// weighs nodes by it (unknown: `scheduler::preference::DEFAULT_IMAGE_SIZE`).
    pub image_size: Option<i64>,
    /// Time from start until the working set is reached.
    pub ramp_up: Distribution,
    pub image_pull_fails: f64,
    /// From this time after start, startup and readiness probes succeed.
    pub ready_after: Option<Distribution>,
    /// From this time after start, liveness and readiness probes fail.
    pub unhealthy_after: Option<Distribution>,
    /// Time to exit after SIGTERM.
    pub termination_time: Distribution,
    /// Exit code when the container exits on SIGTERM within its grace period.
    pub stop_exit_code: i32,
    /// How long an exec or httpGet `postStart` hook takes, and the chance it fails.
    pub post_start: Distribution,
    pub post_start_fails: f64,
    /// How long an exec or httpGet `preStop` hook takes, and the chance it fails.
    pub pre_stop: Distribution,
    pub pre_stop_fails: f64,
    /// What the container writes to its volumes while it runs (`writes:`).
    pub writes: Vec<VolumeWrite>,
    /// `attempts[n-1]` changes the n-th run of the container (see [`Behavior::for_attempt`]).
    pub attempts: Vec<BehaviorPatch>,
}

/// A container writes to one of the pod's volumes at a steady rate while it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeWrite {
    /// The pod's volume, by name (the container must mount it).
    pub volume: String,
    /// Bytes per hour (a rate written per second or per minute is exact in hours).
    pub bytes_per_hour: i64,
}

/// Fields of a behavior that change: for one attempt (`attempts:`), or from a time on (an
/// action `patch: behavior/<name>`). `None` leaves a field as it is; for the fields that
/// may be absent, `Some(None)` removes it (`runFor: null`: runs until stopped).
#[derive(Clone, Debug, Default)]
pub struct BehaviorPatch {
    pub image_pull: Option<Distribution>,
    pub image_pull_fails: Option<f64>,
    pub image_size: Option<Option<i64>>,
    pub startup: Option<Distribution>,
    pub run_for: Option<Option<Distribution>>,
    pub exit_code: Option<ExitCode>,
    pub memory: Option<Option<i64>>,
    pub ramp_up: Option<Distribution>,
    pub ready_after: Option<Option<Distribution>>,
    pub unhealthy_after: Option<Option<Distribution>>,
    pub termination_time: Option<Distribution>,
    pub stop_exit_code: Option<i32>,
    pub post_start: Option<Distribution>,
    pub post_start_fails: Option<f64>,
    pub pre_stop: Option<Distribution>,
    pub pre_stop_fails: Option<f64>,
    pub writes: Option<Vec<VolumeWrite>>,
}

impl Behavior {
    /// The behavior with `patch` applied.
    pub fn patched(&self, patch: &BehaviorPatch) -> Behavior {
        let mut b = self.clone();
        let p = patch.clone();
        macro_rules! set {
            ($($field:ident),*) => { $( if let Some(v) = p.$field { b.$field = v; } )* };
        }
        set!(
            image_pull,
            image_pull_fails,
            image_size,
            startup,
            run_for,
            exit_code,
            memory,
            ramp_up,
            ready_after,
            unhealthy_after,
            termination_time,
            stop_exit_code,
            post_start,
            post_start_fails,
            pre_stop,
            pre_stop_fails,
            writes
        );
        b
    }

    /// The behavior of the container's `attempt`-th run (1 for the first): `attempts`
    /// changes the first runs; later ones follow the behavior itself. A Job's pods count
    /// their runs together (per completion index), so "fail twice, then succeed" spans the
    /// pods the Job creates.
    pub fn for_attempt(&self, attempt: u32) -> std::borrow::Cow<'_, Behavior> {
        match attempt.checked_sub(1).and_then(|i| self.attempts.get(i as usize)) {
            Some(patch) => std::borrow::Cow::Owned(self.patched(patch)),
            None => std::borrow::Cow::Borrowed(self),
        }
    }
}

impl Behavior {
    /// What a container does when no behavior matches it: starts at once, runs until stopped.
    pub fn default_for_unmatched() -> Behavior {
        Behavior {
            name: None,
            matcher: Matcher::default(),
            image_pull: Distribution::Constant(0),
            startup: Distribution::Constant(0),
            run_for: None,
            exit_code: ExitCode::Fixed(0),
            memory: None,
            image_size: None,
            ramp_up: Distribution::Constant(0),
            image_pull_fails: 0.0,
            ready_after: None,
            unhealthy_after: None,
            termination_time: Distribution::Constant(0),
            stop_exit_code: 143,
            post_start: Distribution::Constant(0),
            post_start_fails: 0.0,
            pre_stop: Distribution::Constant(0),
            pre_stop_fails: 0.0,
            writes: Vec::new(),
            attempts: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExitCode {
    Fixed(i32),
    /// (code, weight) pairs.
    Weighted(Vec<(i32, u32)>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultAction {
    Crash,
    Recover,
    Cordon,
    Uncordon,
    Drain,
    /// New nodes join, copies of a pool's nodes (scale up).
    Add,
    /// The Node object is deleted (scale down); its pods are garbage-collected.
    Remove,
}

impl FaultAction {
    pub const NAMES: &[&str] = &["crash", "recover", "cordon", "uncordon", "drain", "add", "remove"];

    pub fn parse(s: &str) -> Option<FaultAction> {
        Some(match s {
            "crash" => FaultAction::Crash,
            "recover" => FaultAction::Recover,
            "cordon" => FaultAction::Cordon,
            "uncordon" => FaultAction::Uncordon,
            "drain" => FaultAction::Drain,
            "add" => FaultAction::Add,
            "remove" => FaultAction::Remove,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug)]
pub struct Fault {
    pub at: Millis,
    /// The node (for `add`: the pool).
    pub node: String,
    pub action: FaultAction,
    /// For `add`: how many nodes join.
    pub count: u32,
    /// Undo after (recover, uncordon).
    pub for_: Option<Millis>,
    /// For `drain`: kubectl drain's `--timeout` (`None`: 0, no timeout).
    pub timeout: Option<Millis>,
}

#[derive(Clone, Debug)]
pub struct RandomFaults {
    pub nodes: Glob,
    pub time_between: Distribution,
    pub repair_time: Distribution,
}

#[derive(Clone, Debug)]
pub enum Action {
    Delete {
        at: Millis,
        kind: String,
        namespace: String,
        name: String,
        grace_seconds: Option<i64>,
    },
    Apply {
        at: Millis,
        manifests: Vec<Manifest>,
    },
    Patch {
        at: Millis,
        kind: String,
        namespace: String,
        name: String,
        set: Vec<(String, serde_json::Value)>,
    },
    /// `patch: behavior/<name>`: `behaviors[behavior]` changes from `at` on (runs and pulls
    /// that start later follow the new values).
    PatchBehavior {
        at: Millis,
        behavior: usize,
        patch: Box<BehaviorPatch>,
    },
    /// `kubectl scale deployment|replicaset|statefulset/<name> --replicas=<n>`.
    Scale {
        at: Millis,
        kind: String,
        namespace: String,
        name: String,
        replicas: u32,
    },
    /// `kubectl set image deployment|daemonset|statefulset/<name> <container>=<image> ...`.
    SetImage {
        at: Millis,
        /// `Deployment`, `DaemonSet` or `StatefulSet`.
        kind: String,
        namespace: String,
        name: String,
        images: Vec<(String, String)>,
    },
    /// `kubectl rollout <verb> deployment|daemonset|statefulset/<name>`.
    Rollout {
        at: Millis,
        verb: RolloutVerb,
        /// `Deployment`, `DaemonSet` or `StatefulSet` (the last two are restarted or
        /// undone, not paused).
        kind: String,
        namespace: String,
        name: String,
    },
    /// `kubectl taint nodes <node> <key>[=<value>]:<effect>`.
    Taint {
        at: Millis,
        node: String,
        taint: crate::api::node::Taint,
    },
    /// `kubectl taint nodes <node> <key>[:<effect>]-`.
    Untaint {
        at: Millis,
        node: String,
        key: String,
        effect: Option<String>,
    },
}

/// What `kubectl rollout` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RolloutVerb {
    /// Back to a revision (0: the previous one).
    Undo {
        to_revision: i64,
    },
    Restart,
    Pause,
    Resume,
}

impl Action {
    pub fn at(&self) -> Millis {
        match self {
            Action::Delete { at, .. }
            | Action::Apply { at, .. }
            | Action::Patch { at, .. }
            | Action::PatchBehavior { at, .. }
            | Action::Scale { at, .. }
            | Action::SetImage { at, .. }
            | Action::Rollout { at, .. }
            | Action::Taint { at, .. }
            | Action::Untaint { at, .. } => *at,
        }
    }
}

/// The Kubernetes version whose defaults apply, and the control plane's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ControlPlane {
    /// Minor version (1.`minor`).
    pub minor: u32,
    /// kube-apiserver `--default-not-ready-toleration-seconds` and
    /// `--default-unreachable-toleration-seconds` (DefaultTolerationSeconds admission).
    pub default_tolerations: DefaultTolerations,
    /// kube-controller-manager `--node-monitor-grace-period`.
    pub node_monitor_grace: Millis,
    /// kube-controller-manager `--node-monitor-period`.
    pub node_monitor_period: Millis,
    /// kube-controller-manager `--terminated-pod-gc-threshold`; `None`: not collected
    /// (a threshold of 0 or less).
    pub terminated_pod_gc_threshold: Option<usize>,
    /// kube-scheduler `podInitialBackoffSeconds` and `podMaxBackoffSeconds`.
    pub pod_initial_backoff: Millis,
    pub pod_max_backoff: Millis,
    /// The `MaxUnavailableStatefulSet` feature gate (alpha, off by default, in 1.24 to
    /// 1.34): a StatefulSet's rolling update honours `maxUnavailable`.
    pub max_unavailable_statefulset: bool,
}

pub use crate::cluster::template::DefaultTolerations;

impl ControlPlane {
    /// The newest version podsim follows.
    pub const LATEST_MINOR: u32 = 34;
    /// The oldest.
    pub const OLDEST_MINOR: u32 = 31;

    /// The defaults of Kubernetes 1.`minor`.
    pub fn defaults(minor: u32) -> ControlPlane {
        ControlPlane {
            minor,
            default_tolerations: DefaultTolerations::default(),
            // 40 s until 1.31; 50 s since 1.32 (kubernetes/kubernetes#126287,
            // `pkg/controller/nodelifecycle/config/v1alpha1/defaults.go`).
            node_monitor_grace: if minor >= 32 { 50_000 } else { 40_000 },
            node_monitor_period: 5_000,
            terminated_pod_gc_threshold: Some(12_500),
            pod_initial_backoff: 1_000,
            pod_max_backoff: 10_000,
            max_unavailable_statefulset: false,
        }
    }
}

impl Default for ControlPlane {
    fn default() -> Self {
        ControlPlane::defaults(ControlPlane::LATEST_MINOR)
    }
}

#[derive(Clone, Debug)]
pub struct KubeletConfig {
    pub max_container_restart_period: Millis,
    pub serialize_image_pulls: bool,
    pub max_parallel_image_pulls: Option<u32>,
}

impl Default for KubeletConfig {
    fn default() -> Self {
        KubeletConfig {
            max_container_restart_period: 300_000,
            serialize_image_pulls: true,
            max_parallel_image_pulls: None,
        }
    }
}
