//! `summary.json`: the outcome of a run in numbers, free of anything wall-clock.

use super::stats::Percentiles;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    /// The values set on the scenario file for this run (`--set`, a study's point).
    #[serde(skip_serializing_if = "Parameters::is_empty")]
    pub parameters: Parameters,
    /// SHA-256 of the scenario file and the files it names (`Scenario::digest`).
    pub scenario_digest: String,
    pub podsim_version: String,
    pub start: String,
    /// The Kubernetes version whose defaults the run followed (`kubernetes.version`).
    pub kubernetes_version: String,
    pub simulated_duration_ms: u64,
    pub events_processed: u64,
    /// SHA-256 of each trace file.
    pub trace_digest: BTreeMap<String, String>,
    pub pods: PodCounts,
    pub latency_ms: Latencies,
    pub nodes: NodeFigures,
    pub failures: FailureFigures,
    pub scheduler: SchedulerFigures,
    /// Present when the scenario has Jobs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jobs: Option<JobFigures>,
    /// Present when the scenario has CronJobs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cronjobs: Option<CronJobFigures>,
    /// Present when a drain met a refusal or the scenario has PodDisruptionBudgets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drains: Option<DrainFigures>,
    /// The availability of each Service with a selector, by namespace and name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ServiceFigures>,
    /// How long the ordinals of each StatefulSet were down, by namespace and name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statefulsets: Vec<StatefulSetFigures>,
    /// Present when some volume lost the data it held.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_loss: Option<DataLossFigures>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Parameter paths and their values as given, written as a JSON object in their order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parameters(pub Vec<(String, String)>);

impl Parameters {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Parameters {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (path, value) in &self.0 {
            map.serialize_entry(path, value)?;
        }
        map.end()
    }
}

/// Volumes that lost the data they held (`kubelet::volumes::data`): how many, and how
/// many by cause, then by the kind of volume.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DataLossFigures {
    pub incidents: u64,
    pub by_cause: BTreeMap<String, BTreeMap<String, u64>>,
}

impl DataLossFigures {
    /// The figures of the counters' (cause, kind) counts; `None` without any.
    pub fn of(counts: &BTreeMap<(&'static str, &'static str), u64>) -> Option<DataLossFigures> {
        let mut figures = DataLossFigures::default();
        for ((cause, kind), n) in counts {
            figures.incidents += n;
            *figures.by_cause.entry(cause.to_string()).or_default().entry(kind.to_string()).or_default() += n;
        }
        (figures.incidents > 0).then_some(figures)
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct FailureFigures {
    /// Node crashes (faults and random failures).
    pub node_crashes: u64,
    /// Pods deleted by the taint eviction controller.
    pub pods_evicted: u64,
    /// Σ over time of pods waiting for a node while some node was not Ready, in pod·ms.
    pub pending_pod_ms_during_outages: u64,
    /// Pods that failed to schedule at least once.
    pub pods_ever_unschedulable: u64,
    /// Pods still waiting for a node at the end, by their last FailedScheduling message.
    pub unschedulable_at_end: BTreeMap<String, u64>,
}

/// What kube-scheduler did: its attempts by result, and how busy its cycles kept it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SchedulerFigures {
    pub attempts: ScheduleAttempts,
    /// The part of the run spent in scheduling cycles (`scheduler.cycleDuration` times
    /// the cycles; 0 when cycles take no time): near 1, the scheduler is the bottleneck.
    pub busy_fraction: f64,
}

/// `scheduler_schedule_attempts_total` by its `result` label: pods bound, attempts that
/// found no node, and binding errors (a PreBind that failed).
#[derive(Clone, Debug, Default, Serialize)]
pub struct ScheduleAttempts {
    pub scheduled: u64,
    pub unschedulable: u64,
    pub error: u64,
}

/// What the run's `kubectl drain`s met at the eviction API.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DrainFigures {
    pub drains: u64,
    /// Pods evicted through the eviction API.
    pub pods_evicted: u64,
    /// Evictions refused: a PodDisruptionBudget's 429 (retried every 5 s), or another
    /// error (not retried).
    pub evictions_refused: u64,
    /// Pods still waiting for their eviction when their drain's timeout ran out.
    pub evictions_timed_out: u64,
    /// The longest a pod's eviction was refused before it was allowed.
    pub longest_blocked_ms: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct JobFigures {
    pub created: u64,
    pub completed: u64,
    /// Failed Jobs by the reason of their `Failed` condition.
    pub failed: BTreeMap<String, u64>,
    /// Jobs neither complete nor failed at the end.
    pub unfinished: u64,
    /// Deleted during the run (TTL, CronJob history, users).
    pub deleted: u64,
    /// From `startTime` to completion, completed Jobs only.
    pub duration_ms: Percentiles,
    /// Pods created per finished Job.
    pub pods_per_job: Percentiles,
}

/// A Service's availability over its life in the run (from its creation to its
/// deletion or the end): ready endpoints against the backends it should have.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ServiceFigures {
    pub namespace: String,
    pub name: String,
    pub created_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_ms: Option<u64>,
    /// From creation to deletion or the end of the run.
    pub observed_ms: u64,
    /// Time with at least one ready endpoint.
    pub any_ready_ms: u64,
    /// Time with every desired backend ready.
    pub all_ready_ms: u64,
    pub any_ready_fraction: f64,
    pub all_ready_fraction: f64,
    /// The longest stretch without a ready endpoint (the first one starts at the
    /// Service's creation and lasts until an endpoint is first ready).
    pub longest_outage_ms: u64,
    /// Stretches without a ready endpoint that lasted some time.
    pub outages: u64,
}

/// A StatefulSet's ordinals over its life in the run: an ordinal is down while it has
/// no Running and Ready pod after it once had one (a node lost, a pod replaced, a
/// rolling update); starting up (the set's creation, a scale-up) is not an outage, and
/// an ordinal scaled away stops counting.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StatefulSetFigures {
    pub namespace: String,
    pub name: String,
    pub created_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_ms: Option<u64>,
    /// `spec.replicas` at the end (or at the deletion).
    pub replicas: u32,
    /// The longest time any ordinal was down.
    pub longest_ordinal_down_ms: u64,
    /// The ordinal that was down longest (the first such).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub longest_down_ordinal: Option<u32>,
    /// Stretches an ordinal was down, and their total time.
    pub ordinal_outages: u64,
    pub ordinal_down_ms: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct CronJobFigures {
    pub cronjobs: u64,
    /// Jobs started.
    pub runs: u64,
    /// Start times skipped because `startingDeadlineSeconds` had passed (MissSchedule).
    pub missed_starts: u64,
    /// Start times skipped by `concurrencyPolicy: Forbid` (JobAlreadyActive).
    pub skipped_starts: u64,
    /// From each start's scheduled time to its Job's creation.
    pub start_lateness_ms: Percentiles,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct PodCounts {
    pub created: u64,
    /// Phase of each pod when it left the API or when the run ended.
    pub by_final_phase: BTreeMap<String, u64>,
    /// Pods never bound to a node (included in `by_final_phase` as Pending or deleted).
    pub never_scheduled: u64,
    /// Container restarts, all pods.
    pub restarts: u64,
    pub oom_killed: u64,
    /// Pods deleted from the API during the run.
    pub deleted: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Latencies {
    /// From creation to `Scheduled`.
    pub scheduling: Percentiles,
    /// From creation to phase `Running`.
    pub startup: Percentiles,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct NodeFigures {
    pub count: u64,
    /// Time-weighted mean of requested / allocatable over the run.
    pub cpu_requested_fraction: f64,
    pub memory_requested_fraction: f64,
    /// Nodes holding at least one pod that is not terminal at the end: how tightly the
    /// scheduler packed the workload (MostAllocated leaves the other nodes empty).
    pub with_pods_at_end: u64,
}
