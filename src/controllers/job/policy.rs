//! The Job controller's policy decisions (`failure_policy`, `backoff`, `indexes`,
//! `success_policy`) applied to a simulated Job and its pods.

use super::backoff::{self, BackoffRecord, DEFAULT_JOB_POD_FAILURE_BACKOFF, FinishTimes, MAX_JOB_POD_FAILURE_BACKOFF};
use super::failure_policy::{ContainerExit, FailedPod, PodFailurePolicyAction, match_pod_failure_policy};
use super::indexes::first_pending_indexes;
use super::success_policy::match_success_policy;
use crate::cluster::job::{Job, JobSpec, Verdict};
use crate::cluster::pod::{ContainerState, Pod, TerminatedReason};
use crate::cluster::template::ContainerKind;
use crate::engine::{Millis, SimTime};

/// What the pod failure policy reads of a failed pod, owned (the pod may be gone).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FailedPodView {
    pub namespace: String,
    pub name: String,
    /// (name, exit code when terminated), regular containers and init containers.
    pub regular: Vec<(String, Option<i32>)>,
    pub init: Vec<(String, Option<i32>)>,
    /// Pod conditions (type, status).
    pub conditions: Vec<(String, String)>,
}

impl FailedPodView {
    pub fn of(pod: &Pod) -> FailedPodView {
        let exit = |i: usize| match pod.containers[i].state {
            Some(ContainerState::Terminated(t)) => Some(t.exit_code),
            _ => None,
        };
        let list = |app: bool| -> Vec<(String, Option<i32>)> {
            let containers = pod.template.containers.iter().enumerate();
            containers
                .filter(|(_, c)| (c.kind == ContainerKind::App) == app)
                .map(|(i, c)| (c.name.to_string(), exit(i)))
                .collect()
        };
        let mut conditions = Vec::new();
        if pod.disruption.is_some() {
            conditions.push(("DisruptionTarget".to_string(), "True".to_string()));
        }
        FailedPodView {
            namespace: pod.namespace.to_string(),
            name: pod.name.to_string(),
            regular: list(true),
            init: list(false),
            conditions,
        }
    }
}

/// How the controller treats one failed pod.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    /// Counts towards `backoffLimit` (false for `Ignore`).
    pub counts: bool,
    /// `FailIndex`: the pod's index fails at once.
    pub fail_index: bool,
    /// `FailJob`, with Kubernetes' message.
    pub fail_job: Option<String>,
}

/// The pod failure policy's verdict on a failed pod (`matchPodFailurePolicy`); a pod
/// no longer known counts as an ordinary failure.
pub fn decide(spec: &JobSpec, pod: Option<&FailedPodView>) -> Decision {
    let Some(pod) = pod else { return Decision { counts: true, ..Default::default() } };
    let exits = |list: &[(String, Option<i32>)]| -> Vec<(String, Option<i32>)> { list.to_vec() };
    let (regular, init) = (exits(&pod.regular), exits(&pod.init));
    let containers: Vec<ContainerExit> =
        regular.iter().map(|(n, e)| ContainerExit { name: n, exit_code: *e }).collect();
    let init_containers: Vec<ContainerExit> =
        init.iter().map(|(n, e)| ContainerExit { name: n, exit_code: *e }).collect();
    let conditions: Vec<(&str, &str)> = pod.conditions.iter().map(|(t, s)| (t.as_str(), s.as_str())).collect();
    let failed = FailedPod {
        namespace: &pod.namespace,
        name: &pod.name,
        containers: &containers,
        init_containers: &init_containers,
        conditions: &conditions,
    };
    let m =
        match_pod_failure_policy(spec.api.pod_failure_policy.as_ref(), &failed, spec.backoff_limit_per_index.is_some());
    Decision {
        counts: m.count_failed,
        fail_index: m.action == Some(PodFailurePolicyAction::FailIndex),
        fail_job: m.job_failure_message,
    }
}

/// `getFinishedTime` (`pkg/controller/job/backoff_utils.go`) of a pod the controller
/// counts as finished: the latest `finishedAt` of its regular containers and sidecars
/// when all terminated (a container the kubelet reported lost, `ContainerStatusUnknown`,
/// has none); else when its Ready condition turned False (for a pod on a node that
/// stopped reporting, when the node lifecycle controller marked it not ready); else the
/// deletion time; else the creation time.
pub fn finished_time(pod: &Pod) -> SimTime {
    let containers: Vec<Option<SimTime>> = pod
        .containers
        .iter()
        .zip(&pod.template.containers)
        .filter(|(_, spec)| spec.kind != ContainerKind::Init)
        .map(|(status, _)| match status.state {
            Some(ContainerState::Terminated(t)) if t.reason != TerminatedReason::ContainerStatusUnknown => {
                Some(t.finished_at)
            }
            _ => None,
        })
        .collect();
    // The kubelet writes the Ready condition with its first container statuses (a pod
    // it rejected at admission has neither).
    let has_ready_condition = pod.containers.iter().any(|c| c.state.is_some());
    let ready_false_since =
        (has_ready_condition && !pod.ready).then(|| pod.ready_changed_at.or(pod.start_time)).flatten();
    backoff::finished_time(&FinishTimes {
        containers: &containers,
        ready_false_since,
        deletion: pod.deletion.map(|d| (d.requested_at.after(d.grace), d.grace / 1_000)),
        created: pod.created,
    })
}

/// The Job's pod-failure back-off record.
pub fn record(job: &Job) -> BackoffRecord {
    BackoffRecord { failures_after_last_success: job.failures_after_success, last_failure_time: job.last_failure }
}

/// Time left before the Job may create replacement pods after failures (`None`: go).
pub fn remaining_backoff(job: &Job, now: SimTime) -> Option<Millis> {
    if job.spec.backoff_limit_per_index.is_some() {
        return None;
    }
    let left = record(job).remaining(now, DEFAULT_JOB_POD_FAILURE_BACKOFF, MAX_JOB_POD_FAILURE_BACKOFF);
    (left > 0).then_some(left)
}

/// With `backoffLimitPerIndex`: `MaxFailedIndexesExceeded`, or `FailedIndexes` once every
/// index has succeeded or failed.
pub fn index_verdict(spec: &JobSpec, job: &Job) -> Option<Verdict> {
    spec.backoff_limit_per_index?;
    let failed = job.failed_indexes.len() as u32;
    if spec.max_failed_indexes.is_some_and(|m| failed > m) {
        return Some(Verdict {
            success: false,
            reason: "MaxFailedIndexesExceeded",
            message: "Job has exceeded the specified maximal number of failed indexes".into(),
        });
    }
    let done = job.succeeded_indexes.total() as u32 + failed;
    (failed > 0 && done >= spec.completions.unwrap_or(0)).then(|| Verdict {
        success: false,
        reason: "FailedIndexes",
        message: "Job has failed indexes".into(),
    })
}

/// `successPolicy` (Indexed Jobs): `SuccessCriteriaMet` with reason `SuccessPolicy`.
pub fn success_policy_verdict(spec: &JobSpec, job: &Job) -> Option<Verdict> {
    let policy = spec.api.success_policy.as_ref()?;
    let m = match_success_policy(Some(policy), spec.completions.unwrap_or(0), &job.succeeded_indexes)?;
    Some(Verdict { success: true, reason: super::success_policy::SUCCESS_POLICY_REASON, message: m.message })
}

/// `firstPendingIndexes`, then, with `backoffLimitPerIndex`, the indexes still in their
/// per-index back-off held back (`getPodCreationInfoForIndependentIndexes`): the rest
/// are created; if none is left, the time until the first may be.
pub fn indexes_to_create(job: &Job, n: usize, now: SimTime, active: &[u32]) -> (Vec<u32>, Option<Millis>) {
    let completions = job.spec.completions.unwrap_or(0);
    let non_pending = job.succeeded_indexes.with_indexes(job.failed_indexes.iter().chain(active).copied());
    let pending = first_pending_indexes(&non_pending, n, completions);
    if job.spec.backoff_limit_per_index.is_none() {
        return (pending, None);
    }
    let remaining = |i: u32| match (job.index_failures.get(&i), job.index_last_failure.get(&i)) {
        (Some((failures, ignored)), Some(last)) => backoff::remaining_for_failures(
            failures + ignored,
            Some(*last),
            now,
            DEFAULT_JOB_POD_FAILURE_BACKOFF,
            MAX_JOB_POD_FAILURE_BACKOFF,
        ),
        _ => 0,
    };
    let ready: Vec<u32> = pending.iter().copied().filter(|i| remaining(*i) == 0).collect();
    let wait = if ready.is_empty() { pending.iter().map(|i| remaining(*i)).min() } else { None };
    (ready, wait)
}
