//! `spec.podFailurePolicy` matching, as `matchPodFailurePolicy` in
//! `pkg/controller/job/pod_failure_policy.go` does it.
//!
//! Rules are tried in order and the first one that matches decides. A rule
//! matches on exit codes (regular containers first, then init containers; only
//! containers that terminated with a non-zero code, restricted to
//! `containerName` when it is set) or on pod conditions (type and status). A
//! rule whose action or operator Kubernetes does not know never matches, and
//! neither does `FailIndex` when the Job does not use `backoffLimitPerIndex`:
//! the search then goes on with the next rule, exactly as the Go `switch`
//! without a matching case falls through to the next loop iteration.

use crate::api::job::{PodFailurePolicy, PodFailurePolicyOnExitCodesRequirement, PodFailurePolicyRule};

/// `PodFailurePolicyAction`, for the actions Kubernetes knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodFailurePolicyAction {
    /// Fail the whole Job (condition `FailureTarget`, reason `PodFailurePolicy`).
    FailJob,
    /// Fail the pod's index (Jobs with `backoffLimitPerIndex` only).
    FailIndex,
    /// Do not count the failure towards `backoffLimit`.
    Ignore,
    /// Count the failure as usual.
    Count,
}

impl PodFailurePolicyAction {
    /// The action named in a rule; `None` for names Kubernetes does not know.
    pub fn parse(name: &str) -> Option<PodFailurePolicyAction> {
        match name {
            "FailJob" => Some(PodFailurePolicyAction::FailJob),
            "FailIndex" => Some(PodFailurePolicyAction::FailIndex),
            "Ignore" => Some(PodFailurePolicyAction::Ignore),
            "Count" => Some(PodFailurePolicyAction::Count),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PodFailurePolicyAction::FailJob => "FailJob",
            PodFailurePolicyAction::FailIndex => "FailIndex",
            PodFailurePolicyAction::Ignore => "Ignore",
            PodFailurePolicyAction::Count => "Count",
        }
    }
}

/// One container status of the failed pod: its name and, when its current
/// state is `terminated`, the exit code (`None` while it is waiting or running).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContainerExit<'a> {
    pub name: &'a str,
    pub exit_code: Option<i32>,
}

/// What the policy looks at in a failed pod (`pod.status`), in the order the
/// API lists it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FailedPod<'a> {
    pub namespace: &'a str,
    pub name: &'a str,
    pub containers: &'a [ContainerExit<'a>],
    pub init_containers: &'a [ContainerExit<'a>],
    /// Pod conditions as `(type, status)`, e.g. `("DisruptionTarget", "True")`.
    pub conditions: &'a [(&'a str, &'a str)],
}

/// The outcome for one failed pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyMatch {
    /// The action of the first matching rule; `None` when no rule matched.
    pub action: Option<PodFailurePolicyAction>,
    /// Whether the failure counts towards `backoffLimit` (and
    /// `backoffLimitPerIndex`): false only for `Ignore`.
    pub count_failed: bool,
    /// The Job's failure message, for `FailJob` only.
    pub job_failure_message: Option<String>,
}

impl PolicyMatch {
    /// No policy, or no rule matched: the failure counts as usual.
    pub const NONE: PolicyMatch = PolicyMatch { action: None, count_failed: true, job_failure_message: None };
}

/// Matches a failed pod against the Job's `podFailurePolicy`.
/// `backoff_limit_per_index` says whether the Job uses `backoffLimitPerIndex`
/// (Kubernetes' `JobBackoffLimitPerIndex` condition for `FailIndex`).
pub fn match_pod_failure_policy(
    policy: Option<&PodFailurePolicy>,
    pod: &FailedPod<'_>,
    backoff_limit_per_index: bool,
) -> PolicyMatch {
    let Some(policy) = policy else {
        return PolicyMatch::NONE;
    };
    for (index, rule) in policy.rules.iter().enumerate() {
        if let Some(found) = match_rule(rule, index, pod, backoff_limit_per_index) {
            return found;
        }
    }
    PolicyMatch::NONE
}

/// One rule: `Some` when it matches and its action applies.
fn match_rule(rule: &PodFailurePolicyRule, index: usize, pod: &FailedPod<'_>, per_index: bool) -> Option<PolicyMatch> {
    let action = PodFailurePolicyAction::parse(&rule.action)?;
    if action == PodFailurePolicyAction::FailIndex && !per_index {
        return None;
    }
    // An empty onPodConditions list matches nothing, like Go's empty slice.
    let message = match &rule.on_exit_codes {
        Some(requirement) => {
            let (container, exit_code) = match_on_exit_codes(pod, requirement)?;
            format!(
                "Container {container} for pod {}/{} failed with exit code {exit_code} matching {} rule at index {index}",
                pod.namespace,
                pod.name,
                action.as_str()
            )
        }
        None => {
            let condition = match_on_pod_conditions(pod, rule)?;
            format!(
                "Pod {}/{} has condition {condition} matching {} rule at index {index}",
                pod.namespace,
                pod.name,
                action.as_str()
            )
        }
    };
    Some(outcome(action, message))
}

fn outcome(action: PodFailurePolicyAction, message: String) -> PolicyMatch {
    PolicyMatch {
        action: Some(action),
        count_failed: action != PodFailurePolicyAction::Ignore,
        job_failure_message: (action == PodFailurePolicyAction::FailJob).then_some(message),
    }
}

/// `matchOnExitCodes`: the first matching terminated container, regular
/// containers before init containers, as (name, exit code).
fn match_on_exit_codes<'a>(
    pod: &FailedPod<'a>,
    requirement: &PodFailurePolicyOnExitCodesRequirement,
) -> Option<(&'a str, i32)> {
    pod.containers.iter().chain(pod.init_containers).find_map(|c| {
        let code = c.exit_code?;
        let wanted = requirement.container_name.as_deref().is_none_or(|n| n == c.name);
        (wanted && code != 0 && operator_matches(code, requirement)).then_some((c.name, code))
    })
}

/// `isOnExitCodesOperatorMatching`: `In`, `NotIn`; anything else never matches.
fn operator_matches(code: i32, requirement: &PodFailurePolicyOnExitCodesRequirement) -> bool {
    let listed = requirement.values.contains(&code);
    match requirement.operator.as_str() {
        "In" => listed,
        "NotIn" => !listed,
        _ => false,
    }
}

/// `matchOnPodConditions`: the first pod condition (in the pod's order) equal
/// in type and status to one of the patterns. The defaulted status is `True`.
fn match_on_pod_conditions<'a>(pod: &FailedPod<'a>, rule: &PodFailurePolicyRule) -> Option<&'a str> {
    pod.conditions.iter().find_map(|(kind, status)| {
        let hit = rule.on_pod_conditions.iter().any(|p| {
            let want = p.status.as_deref().filter(|s| !s.is_empty()).unwrap_or("True");
            p.condition_type == *kind && want == *status
        });
        hit.then_some(*kind)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn vectors(group: &str) -> Vec<Value> {
        let all: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/kubernetes/vectors.json"
        )))
        .unwrap();
        all["5_job_controller"].as_array().unwrap().iter().filter(|c| c["group"] == group).cloned().collect()
    }

    fn statuses(list: &Value) -> Vec<(String, Option<i32>)> {
        let Some(list) = list.as_array() else { return Vec::new() };
        list.iter()
            .map(|c| {
                let code = c["exitCode"].as_i64().map(|v| i32::try_from(v).unwrap());
                (c["name"].as_str().unwrap().to_string(), code)
            })
            .collect()
    }

    #[test]
    fn every_kubernetes_match_pod_failure_policy_case() {
        let cases = vectors("matchPodFailurePolicy");
        assert_eq!(cases.len(), 23);
        for case in cases {
            let name = case["name"].as_str().unwrap();
            let policy: Option<PodFailurePolicy> = match &case["rules"] {
                Value::Null => None,
                rules => Some(serde_json::from_value(serde_json::json!({ "rules": rules })).unwrap()),
            };
            let pod = &case["failedPod"];
            let regular = statuses(&pod["containerStatuses"]);
            let init = statuses(&pod["initContainerStatuses"]);
            let regular: Vec<ContainerExit> =
                regular.iter().map(|(n, c)| ContainerExit { name: n, exit_code: *c }).collect();
            let init: Vec<ContainerExit> = init.iter().map(|(n, c)| ContainerExit { name: n, exit_code: *c }).collect();
            let conditions: Vec<(&str, &str)> = pod["conditions"]
                .as_array()
                .map(|l| l.iter().map(|c| (c["type"].as_str().unwrap(), c["status"].as_str().unwrap())).collect())
                .unwrap_or_default();
            let view = FailedPod {
                namespace: pod["namespace"].as_str().unwrap(),
                name: pod["name"].as_str().unwrap(),
                containers: &regular,
                init_containers: &init,
                conditions: &conditions,
            };
            let per_index = case["featureGates"]["JobBackoffLimitPerIndex"].as_bool().unwrap_or(true);
            let got = match_pod_failure_policy(policy.as_ref(), &view, per_index);
            let want = &case["expected"];
            assert_eq!(got.action.map(|a| a.as_str()), want["action"].as_str(), "{name}");
            assert_eq!(got.count_failed, want["countFailed"].as_bool().unwrap(), "{name}");
            assert_eq!(got.job_failure_message.as_deref(), want["jobFailureMessage"].as_str(), "{name}");
        }
    }

    #[test]
    fn container_name_restricts_the_exit_code_rule_and_init_containers_come_last() {
        let policy: PodFailurePolicy = serde_saphyr::from_str(
            "rules:\n- {action: FailJob, onExitCodes: {containerName: init, operator: In, values: [3]}}\n",
        )
        .unwrap();
        let main = [ContainerExit { name: "main", exit_code: Some(3) }];
        let init = [ContainerExit { name: "init", exit_code: Some(3) }];
        let pod = FailedPod { namespace: "ns", name: "p", containers: &main, init_containers: &init, conditions: &[] };
        let got = match_pod_failure_policy(Some(&policy), &pod, false);
        assert_eq!(
            got.job_failure_message.as_deref(),
            Some("Container init for pod ns/p failed with exit code 3 matching FailJob rule at index 0")
        );
    }

    #[test]
    fn an_unset_condition_status_means_true() {
        let policy: PodFailurePolicy =
            serde_saphyr::from_str("rules:\n- {action: Ignore, onPodConditions: [{type: DisruptionTarget}]}\n")
                .unwrap();
        let conditions = [("DisruptionTarget", "True")];
        let pod = FailedPod { namespace: "ns", name: "p", conditions: &conditions, ..FailedPod::default() };
        let got = match_pod_failure_policy(Some(&policy), &pod, false);
        assert_eq!(
            got,
            PolicyMatch {
                action: Some(PodFailurePolicyAction::Ignore),
                count_failed: false,
                job_failure_message: None
            }
        );
    }
}
