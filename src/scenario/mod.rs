//! The scenario: the cluster, the workload, how containers behave and what goes wrong.
//! `raw` mirrors the file; `load` validates it into the types below, collecting every
//! error with its file, line and field path.

pub mod glob;
pub mod load;
pub mod raw;
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
    /// The kube-scheduler profile (`scheduler:`); kube-scheduler's defaults without it.
    pub scheduler: crate::scheduler::profile::SchedulerProfile,
    /// Pod and Service networks (`network:`).
    pub network: NetworkConfig,
    /// Manifest fields and kinds read but not simulated.
    pub ignored: Ignored,
    /// Things worth telling the user that do not stop the run.
    pub warnings: Vec<String>,
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
}

impl Behavior {
    /// What a container does when no behavior matches it: starts at once, runs until stopped.
    pub fn default_for_unmatched() -> Behavior {
        Behavior {
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
    /// `kubectl scale deployment|replicaset/<name> --replicas=<n>`.
    Scale {
        at: Millis,
        kind: String,
        namespace: String,
        name: String,
        replicas: u32,
    },
    /// `kubectl set image deployment/<name> <container>=<image> ...`.
    SetImage {
        at: Millis,
        namespace: String,
        name: String,
        images: Vec<(String, String)>,
    },
    /// `kubectl rollout <verb> deployment/<name>`.
    Rollout {
        at: Millis,
        verb: RolloutVerb,
        namespace: String,
        name: String,
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
            | Action::Scale { at, .. }
            | Action::SetImage { at, .. }
            | Action::Rollout { at, .. } => *at,
        }
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
