//! The Job controller's decisions that depend on the Job's policies, as pure functions
//! of the Job and its pods: the pod failure policy, the failure back-off, per-index
//! failures and the success policy.

use crate::cluster::job::{Job, JobSpec, Verdict};
use crate::cluster::pod::{ContainerState, Pod};
use crate::cluster::template::ContainerKind;
use crate::engine::{Millis, SimTime};

/// `DefaultJobPodFailureBackOff` and `MaxJobPodFailureBackOff` (the code caps at 10
/// minutes; the documentation says six).
pub const DEFAULT_BACKOFF: Millis = 10_000;
pub const MAX_BACKOFF: Millis = 600_000;

/// What the pod failure policy needs to know of a failed pod.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FailedPodView {
    pub namespace: String,
    pub name: String,
    /// Regular containers, then init containers: (name, exit code if terminated).
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
        let names = |kind: fn(ContainerKind) -> bool| -> Vec<(String, Option<i32>)> {
            pod.template
                .containers
                .iter()
                .enumerate()
                .filter(|(_, c)| kind(c.kind))
                .map(|(i, c)| (c.name.clone(), exit(i)))
                .collect()
        };
        let mut conditions = Vec::new();
        if pod.disruption.is_some() {
            conditions.push(("DisruptionTarget".to_string(), "True".to_string()));
        }
        FailedPodView {
            namespace: pod.namespace.to_string(),
            name: pod.name.to_string(),
            regular: names(|k| k == ContainerKind::App),
            init: names(|k| k != ContainerKind::App),
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

/// `matchPodFailurePolicy` (`pod_failure_policy.go`): the first rule that matches decides.
pub fn decide(spec: &JobSpec, pod: Option<&FailedPodView>) -> Decision {
    let counted = Decision { counts: true, ..Default::default() };
    let (Some(policy), Some(pod)) = (spec.api.pod_failure_policy.as_ref(), pod) else { return counted };
    for (i, rule) in policy.rules.iter().enumerate() {
        let matched = if let Some(req) = &rule.on_exit_codes {
            exit_code_match(req, pod).map(|(c, code)| {
                format!(
                    "Container {c} for pod {}/{} failed with exit code {code} matching FailJob rule at index {i}",
                    pod.namespace, pod.name
                )
            })
        } else {
            rule.on_pod_conditions
                .iter()
                .find(|p| {
                    pod.conditions
                        .iter()
                        .any(|(t, s)| *t == p.condition_type && *s == p.status.clone().unwrap_or_else(|| "True".into()))
                })
                .map(|p| {
                    format!(
                        "Pod {}/{} has condition {} matching FailJob rule at index {i}",
                        pod.namespace, pod.name, p.condition_type
                    )
                })
        };
        let Some(message) = matched else { continue };
        match rule.action.as_str() {
            "FailJob" => return Decision { counts: true, fail_index: false, fail_job: Some(message) },
            "Ignore" => return Decision { counts: false, ..Default::default() },
            "Count" => return counted,
            "FailIndex" if spec.backoff_limit_per_index.is_some() => {
                return Decision { counts: true, fail_index: true, fail_job: None };
            }
            _ => continue,
        }
    }
    counted
}

/// The first terminated container (regular ones first) with a non-zero exit that the
/// requirement matches.
fn exit_code_match(
    req: &crate::api::job::PodFailurePolicyOnExitCodesRequirement,
    pod: &FailedPodView,
) -> Option<(String, i32)> {
    pod.regular.iter().chain(pod.init.iter()).find_map(|(name, exit)| {
        let code = (*exit)?;
        if code == 0 || req.container_name.as_deref().is_some_and(|n| n != name) {
            return None;
        }
        let listed = req.values.contains(&code);
        let ok = match req.operator.as_str() {
            "In" => listed,
            "NotIn" => !listed,
            _ => false,
        };
        ok.then(|| (name.clone(), code))
    })
}

/// `default · 2^(n−1)` capped at `max`.
pub fn backoff_delay(failures: u32) -> Millis {
    if failures == 0 {
        return 0;
    }
    DEFAULT_BACKOFF.saturating_mul(1u64 << (failures - 1).min(30)).min(MAX_BACKOFF)
}

/// Time left before the Job may create replacement pods after failures.
pub fn remaining_backoff(job: &Job, now: SimTime) -> Option<Millis> {
    if job.spec.backoff_limit_per_index.is_some() {
        return None;
    }
    let last = job.last_failure?;
    let delay = backoff_delay(job.failures_after_success);
    let left = delay.saturating_sub(now.since(last));
    (left > 0).then_some(left)
}

/// With `backoffLimitPerIndex`: the index verdicts (`MaxFailedIndexesExceeded`,
/// `FailedIndexes`).
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
    let completions = spec.completions.unwrap_or(0);
    let done = job.succeeded_indexes.len() as u32 + failed;
    (failed > 0 && done >= completions).then(|| Verdict {
        success: false,
        reason: "FailedIndexes",
        message: "Job has failed indexes".into(),
    })
}

/// `successPolicy`: the first rule whose indexes (or count) have succeeded.
pub fn success_policy_verdict(spec: &JobSpec, job: &Job) -> Option<Verdict> {
    let policy = spec.api.success_policy.as_ref()?;
    policy.rules.iter().position(|rule| rule_met(rule, job)).map(|i| Verdict {
        success: true,
        reason: "SuccessPolicy",
        message: format!("Matched rules at index {i}"),
    })
}

fn rule_met(rule: &crate::api::job::SuccessPolicyRule, job: &Job) -> bool {
    match (&rule.succeeded_indexes, rule.succeeded_count) {
        (Some(text), count) => {
            let wanted = parse_indexes(text);
            let hits = wanted.iter().filter(|i| job.succeeded_indexes.contains(i)).count();
            match count {
                Some(c) => hits >= c.max(0) as usize,
                None => !wanted.is_empty() && hits == wanted.len(),
            }
        }
        (None, Some(c)) => job.succeeded_indexes.len() >= c.max(0) as usize,
        (None, None) => false,
    }
}

/// `"1,3-5"` -> [1, 3, 4, 5]; malformed parts are skipped (validation refused them).
pub fn parse_indexes(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for part in text.split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) {
                    out.extend(a..=b);
                }
            }
            None => out.extend(part.parse::<u32>().ok()),
        }
    }
    out
}

/// The lowest `n` indexes with no pod and no verdict (`firstPendingIndexes`); with
/// `backoffLimitPerIndex`, those still in their per-index back-off are held back
/// (`getPodCreationInfoForIndependentIndexes`): the rest are created, and if none is
/// left, the time until the first may be.
pub fn indexes_to_create(job: &Job, n: usize, now: SimTime, active: &[u32]) -> (Vec<u32>, Option<Millis>) {
    let completions = job.spec.completions.unwrap_or(0);
    let pending: Vec<u32> = (0..completions)
        .filter(|i| !job.succeeded_indexes.contains(i) && !job.failed_indexes.contains(i) && !active.contains(i))
        .take(n)
        .collect();
    if job.spec.backoff_limit_per_index.is_none() {
        return (pending, None);
    }
    let remaining = |i: u32| match (job.index_failures.get(&i), job.index_last_failure.get(&i)) {
        (Some((failures, ignored)), Some(last)) => backoff_delay(failures + ignored).saturating_sub(now.since(*last)),
        _ => 0,
    };
    let ready: Vec<u32> = pending.iter().copied().filter(|i| remaining(*i) == 0).collect();
    let wait = if ready.is_empty() { pending.iter().map(|i| remaining(*i)).min() } else { None };
    (ready, wait)
}
