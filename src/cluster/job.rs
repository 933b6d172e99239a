//! Jobs and CronJobs as the cluster holds them: the defaulted spec, the status the
//! controllers keep, and their timers.

use super::template::PodTemplate;
use super::{CronJobId, PodId};
use crate::engine::{Millis, SimTime, Timer};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// What a Job's last transition row says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobPhase {
    Active,
    Suspended,
    /// Interim conditions (JobManagedBy and JobPodReplacementPolicy GA): the verdict is
    /// known, pods are still being terminated.
    FailureTarget,
    SuccessCriteriaMet,
    Complete,
    Failed,
}

impl JobPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            JobPhase::Active => "Active",
            JobPhase::Suspended => "Suspended",
            JobPhase::FailureTarget => "FailureTarget",
            JobPhase::SuccessCriteriaMet => "SuccessCriteriaMet",
            JobPhase::Complete => "Complete",
            JobPhase::Failed => "Failed",
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, JobPhase::Complete | JobPhase::Failed)
    }
}

/// A verdict reached, waiting for the Job's pods to be gone: (success?, reason, message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub success: bool,
    pub reason: &'static str,
    pub message: String,
}

/// The spec of a Job, compiled. CronJob children share one.
#[derive(Clone, Debug)]
pub struct JobSpec {
    pub api: Arc<crate::api::job::JobSpec>,
    pub template: Arc<PodTemplate>,
    /// Pod template labels (the Job's own labels are added per Job).
    pub pod_labels: BTreeMap<String, String>,
    pub pod_annotations: BTreeMap<String, String>,
    pub completions: Option<u32>,
    pub parallelism: u32,
    pub indexed: bool,
    pub backoff_limit: u32,
    pub backoff_limit_per_index: Option<u32>,
    pub max_failed_indexes: Option<u32>,
    pub active_deadline: Option<Millis>,
    pub ttl_after_finished: Option<Millis>,
    /// `podReplacementPolicy: Failed`: a terminating pod is replaced only once it failed.
    pub replace_failed_only: bool,
    /// `template.spec.restartPolicy: OnFailure`: restarts count towards the backoffLimit.
    pub on_failure: bool,
}

#[derive(Clone, Debug)]
pub struct Job {
    pub uid: u64,
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    pub labels: BTreeMap<String, String>,
    /// The labels of the Job's pods: the template's and the Job's own.
    pub pod_labels: Arc<BTreeMap<String, String>>,
    pub spec: Arc<JobSpec>,
    /// Set when a CronJob created it.
    pub owner: Option<CronJobId>,
    pub created: SimTime,
    pub start_time: Option<SimTime>,
    pub finish_time: Option<SimTime>,
    pub phase: JobPhase,
    pub suspended: bool,
    /// Current `spec.parallelism` (patches change it).
    pub parallelism: u32,
    /// Pods of the Job not yet counted as finished.
    pub active: BTreeSet<PodId>,
    /// Every pod of the Job still in the API.
    pub pods: BTreeSet<PodId>,
    pub succeeded: u32,
    pub failed: u32,
    /// As ordered intervals, kept as pods succeed (`status.completedIndexes`).
    pub succeeded_indexes: crate::controllers::job::indexes::IndexSet,
    pub failed_indexes: BTreeSet<u32>,
    /// Per index: (failures counted, failures ignored by the pod failure policy).
    pub index_failures: BTreeMap<u32, (u32, u32)>,
    /// The pod-failure back-off: failures since the last success, and the last failure.
    pub failures_after_success: u32,
    pub last_failure: Option<SimTime>,
    /// Per index, the time of its last failure (backoffLimitPerIndex).
    pub index_last_failure: BTreeMap<u32, SimTime>,
    pub verdict: Option<Verdict>,
    pub pods_created: u32,
    /// The next sync (the controller's work queue holds a key at most once, at the
    /// earliest time asked for).
    pub sync_timer: Timer,
    pub sync_at: Option<SimTime>,
    /// Syncs in a row that failed to create a pod: the work queue's per-key back-off.
    pub create_failures: u32,
    pub ttl_timer: Timer,
    /// The status last written to objects.jsonl.
    pub reported: Option<ReportedJob>,
}

/// A Job's status fields as last recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportedJob {
    pub phase: JobPhase,
    pub active: u32,
    pub succeeded: u32,
    pub failed: u32,
    pub start_time: Option<SimTime>,
    pub finish_time: Option<SimTime>,
    pub parallelism: u32,
    pub suspended: bool,
}

impl Job {
    /// A new Job object, Active (or Suspended), not yet synced.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        (uid, uid_text): (u64, &str),
        namespace: Arc<str>,
        name: Arc<str>,
        labels: BTreeMap<String, String>,
        spec: Arc<JobSpec>,
        owner: Option<CronJobId>,
        now: SimTime,
    ) -> Job {
        let suspended = spec.api.suspend.unwrap_or(false);
        let pod_labels = Arc::new(job_pod_labels(&spec, uid_text, &name));
        Job {
            uid,
            namespace,
            name,
            labels,
            pod_labels,
            parallelism: spec.parallelism,
            spec,
            owner,
            created: now,
            start_time: None,
            finish_time: None,
            phase: if suspended { JobPhase::Suspended } else { JobPhase::Active },
            suspended,
            active: Default::default(),
            pods: Default::default(),
            succeeded: 0,
            failed: 0,
            succeeded_indexes: Default::default(),
            failed_indexes: Default::default(),
            index_failures: Default::default(),
            failures_after_success: 0,
            last_failure: None,
            index_last_failure: Default::default(),
            verdict: None,
            pods_created: 0,
            sync_timer: Default::default(),
            sync_at: None,
            create_failures: 0,
            ttl_timer: Default::default(),
            reported: None,
        }
    }

    pub fn is_finished(&self) -> bool {
        self.phase.is_finished()
    }
}

/// The labels the Job controller puts on its pods: the template's, and the Job's name
/// and uid under the old and the `batch.kubernetes.io/` keys.
fn job_pod_labels(spec: &JobSpec, uid: &str, job_name: &str) -> BTreeMap<String, String> {
    let mut labels = spec.pod_labels.clone();
    for (k, v) in [
        ("batch.kubernetes.io/controller-uid", uid),
        ("batch.kubernetes.io/job-name", job_name),
        ("controller-uid", uid),
        ("job-name", job_name),
    ] {
        labels.insert(k.to_string(), v.to_string());
    }
    labels
}

/// `concurrencyPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConcurrencyPolicy {
    Allow,
    Forbid,
    Replace,
}

#[derive(Clone, Debug)]
pub struct CronJob {
    pub uid: u64,
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    pub api: Arc<crate::api::cronjob::CronJob>,
    pub schedule: crate::cron::Schedule,
    pub time_zone: jiff::tz::TimeZone,
    pub starting_deadline: Option<i64>,
    pub concurrency: ConcurrencyPolicy,
    pub suspended: bool,
    pub successful_history: u32,
    pub failed_history: u32,
    /// The job template, compiled once for every child.
    pub job_spec: Arc<JobSpec>,
    pub job_labels: BTreeMap<String, String>,
    pub created: SimTime,
    /// `status.lastScheduleTime`, ms since the run's start (negative before it).
    pub last_schedule: Option<i64>,
    pub active: Vec<super::JobId>,
    /// Finished children still kept: (start time, name) -> job, per outcome.
    pub finished_ok: BTreeMap<(SimTime, Arc<str>), super::JobId>,
    pub finished_failed: BTreeMap<(SimTime, Arc<str>), super::JobId>,
    pub sync_timer: Timer,
    pub sync_at: Option<SimTime>,
    /// Recent answers of the schedule's `Next` (it is pure; the controller asks the
    /// same questions at every sync): (second asked after, answer).
    pub next_memo: Vec<(i64, Option<jiff::Timestamp>)>,
    /// The status last written to objects.jsonl: (active Job uids, lastScheduleTime, suspend).
    pub reported: Option<(Vec<u64>, Option<i64>, bool)>,
}
