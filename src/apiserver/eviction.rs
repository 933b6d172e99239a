//! The eviction API (`POST pods/<name>/eviction`, `pkg/registry/core/pod/storage/
//! eviction.go`): a pod is deleted gracefully with the `DisruptionTarget` condition
//! (reason `EvictionByEvictionAPI`) unless the PodDisruptionBudget that covers it allows
//! no disruption now (429 TooManyRequests). [`decide`] holds the rules, pure; the verb
//! applies them to the cluster. Taint-based eviction and preemption delete pods without
//! it, as in Kubernetes: budgets do not hold them back.

use super::Ctx;
use crate::cluster::PodId;
use crate::cluster::pod::PodPhase;

/// `MaxDisruptedPodSize`: more evictions not yet confirmed by the disruption
/// controller than this and the API refuses (403).
pub const MAX_DISRUPTED_POD_SIZE: usize = 2000;

/// The `DisruptionTarget` reason the eviction API sets.
pub const EVICTION_BY_EVICTION_API: &str = "EvictionByEvictionAPI";

/// The 429's message (`checkAndDecrement`, `createTooManyRequestsError`).
pub const VIOLATES_BUDGET: &str = "Cannot evict pod as it would violate the pod's disruption budget.";

/// The 500 for a pod covered by more than one budget.
pub const MORE_THAN_ONE_BUDGET: &str =
    "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.";

/// What the eviction API reads of the pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PodView {
    pub phase: PodPhase,
    pub ready: bool,
    /// `deletionTimestamp` set.
    pub terminating: bool,
}

/// What it reads of a budget that selects the pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BudgetView {
    /// `observedGeneration` has caught up with the spec.
    pub observed: bool,
    pub disruptions_allowed: i64,
    pub current_healthy: i64,
    pub desired_healthy: i64,
    pub disrupted_pods: usize,
    /// `unhealthyPodEvictionPolicy: AlwaysAllow`.
    pub always_allow_unhealthy: bool,
}

/// The API's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Delete the pod without touching a budget.
    Delete,
    /// Take one disruption from the budget (index in the list given), then delete.
    Decrement,
    /// Refused: the status code, its reason and the message, and the cause kubectl
    /// does not print (`The disruption budget web needs 2 healthy pods ...`).
    Refuse { code: u16, reason: &'static str, message: String, cause: String },
}

/// `EvictionREST.Create` for one pod and the budgets whose selector matches it
/// (`budget_name` names the first, for the causes).
pub fn decide(pod: PodView, budgets: &[BudgetView], budget_name: &str) -> Decision {
    // `canIgnorePDB`: a terminal or pending pod, or one already being deleted, is
    // deleted directly: it disrupts nothing more.
    if pod.phase != PodPhase::Running || pod.terminating {
        return Decision::Delete;
    }
    let b = match budgets {
        [] => return Decision::Delete,
        [b] => b,
        _ => {
            return Decision::Refuse {
                code: 500,
                reason: "InternalError",
                message: MORE_THAN_ONE_BUDGET.into(),
                cause: String::new(),
            };
        }
    };
    // An unready pod does not count as healthy: deleting it takes nothing from the
    // budget when the policy says so, or while the budget is met.
    if !pod.ready && (b.always_allow_unhealthy || (b.current_healthy >= b.desired_healthy && b.desired_healthy > 0)) {
        return Decision::Delete;
    }
    // `checkAndDecrement`.
    let too_many = |cause: String| Decision::Refuse {
        code: 429,
        reason: "TooManyRequests",
        message: VIOLATES_BUDGET.into(),
        cause,
    };
    if !b.observed {
        return too_many(format!("The disruption budget {budget_name} is still being processed by the server."));
    }
    if b.disruptions_allowed < 0 {
        return forbidden(budget_name, "pdb disruptions allowed is negative");
    }
    if b.disrupted_pods > MAX_DISRUPTED_POD_SIZE {
        return forbidden(
            budget_name,
            "DisruptedPods map too big - too many evictions not confirmed by PDB controller",
        );
    }
    if b.disruptions_allowed == 0 {
        return too_many(format!(
            "The disruption budget {budget_name} needs {} healthy pods and has {} currently",
            b.desired_healthy, b.current_healthy
        ));
    }
    Decision::Decrement
}

fn forbidden(name: &str, why: &str) -> Decision {
    Decision::Refuse {
        code: 403,
        reason: "Forbidden",
        message: format!("poddisruptionbudgets.policy \"{name}\" is forbidden: {why}"),
        cause: String::new(),
    }
}

/// A refused eviction: kubectl's `StatusError` (its `Error()` is the message; the
/// cause says which budget and why).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub cause: String,
}

impl Ctx<'_> {
    /// Evicts a pod. `Ok(false)` when the pod no longer exists (404: kubectl counts it
    /// as evicted), `Ok(true)` when it is being deleted.
    pub fn evict_pod(&mut self, id: PodId) -> Result<bool, Refused> {
        let Some(pod) = self.cluster.pods.get(id) else { return Ok(false) };
        let view = PodView { phase: pod.phase, ready: pod.ready, terminating: pod.deletion.is_some() };
        // The budgets are looked up only when they could matter (`canIgnorePDB` first).
        let budgets =
            if view.phase == PodPhase::Running && !view.terminating { self.budgets_of_pod(id) } else { Vec::new() };
        let views: Vec<BudgetView> = budgets
            .iter()
            .filter_map(|b| self.cluster.budgets.get(*b))
            .map(|b| BudgetView {
                observed: b.status.observed,
                disruptions_allowed: b.status.disruptions_allowed,
                current_healthy: b.status.current_healthy,
                desired_healthy: b.status.desired_healthy,
                disrupted_pods: b.status.disrupted_pods.len(),
                always_allow_unhealthy: b.always_allow_unhealthy,
            })
            .collect();
        let first = budgets.first().copied();
        let name = first.and_then(|b| self.cluster.budgets.get(b)).map_or_else(String::new, |b| b.name.to_string());
        match decide(view, &views, &name) {
            Decision::Delete => {}
            Decision::Decrement => {
                let b = first.expect("a budget decided");
                let pod_name = self.cluster.pods.get(id).expect("read above").name.clone();
                let mut status = self.cluster.budgets.get(b).expect("read above").status.clone();
                status.disruptions_allowed -= 1;
                if status.disruptions_allowed == 0 {
                    status.update_allowed_condition(self.now);
                }
                status.disrupted_pods.insert(pod_name, self.now);
                self.set_budget_status(b, status);
            }
            Decision::Refuse { code, reason, message, cause } => return Err(Refused { code, reason, message, cause }),
        }
        // `addConditionAndDeletePod`: the condition, then a graceful delete with the
        // pod's own grace period.
        if let Some(pod) = self.cluster.pods.get_mut(id) {
            pod.disruption = Some(EVICTION_BY_EVICTION_API);
        }
        self.delete_pod(id, None);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(ready: bool) -> PodView {
        PodView { phase: PodPhase::Running, ready, terminating: false }
    }

    fn budget(allowed: i64, current: i64, desired: i64) -> BudgetView {
        BudgetView {
            observed: true,
            disruptions_allowed: allowed,
            current_healthy: current,
            desired_healthy: desired,
            disrupted_pods: 0,
            always_allow_unhealthy: false,
        }
    }

    fn phase(p: &str) -> PodPhase {
        match p {
            "Pending" => PodPhase::Pending,
            "Succeeded" => PodPhase::Succeeded,
            "Failed" => PodPhase::Failed,
            _ => PodPhase::Running,
        }
    }

    /// The cases of `TestEviction`, `TestEvictionIgnorePDB` and `TestEvictionPDBStatus`
    /// (`pkg/registry/core/pod/storage/eviction_test.go`) that do not depend on write
    /// conflicts, copied into testdata/kubernetes/eviction.json: each pod and budget,
    /// under each unhealthy-pod eviction policy the case runs with, gives the upstream
    /// outcome.
    #[test]
    fn evictions_follow_the_upstream_cases() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/kubernetes/eviction.json")).unwrap();
        let vectors: serde_json::Value = serde_json::from_str(&text).unwrap();
        let cases = vectors["eviction"].as_array().unwrap();
        assert!(cases.len() >= 12);
        for case in cases {
            let name = case["name"].as_str().unwrap();
            let pod = PodView {
                phase: phase(case["podPhase"].as_str().unwrap()),
                ready: case["podReady"].as_bool().unwrap(),
                terminating: case["podTerminating"].as_bool().unwrap(),
            };
            let b = &case["pdb"];
            let policies: Vec<&str> =
                case["policies"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
            for policy in policies {
                let mut view = budget(
                    b["disruptionsAllowed"].as_i64().unwrap(),
                    b["currentHealthy"].as_i64().unwrap(),
                    b["desiredHealthy"].as_i64().unwrap(),
                );
                view.always_allow_unhealthy = policy == "AlwaysAllow";
                let budgets: Vec<BudgetView> = if b["matches"].as_bool().unwrap() { vec![view] } else { vec![] };
                let got = decide(pod, &budgets, "foo");
                let want = case["expect"].as_str().unwrap();
                match (&got, want) {
                    (Decision::Delete | Decision::Decrement, "deleted") => {}
                    (Decision::Refuse { code, reason, message, cause }, error) => {
                        assert_eq!(code, &429, "{name} ({policy})");
                        assert_eq!(format!("{message}: {reason}: {cause}"), error, "{name} ({policy})");
                    }
                    _ => panic!("{name} ({policy}): got {got:?}, want {want}"),
                }
                if case.get("expectDisruptionsAllowed").is_some() {
                    assert_eq!(got, Decision::Decrement, "{name}");
                    let after = view.disruptions_allowed - 1;
                    assert_eq!(after, case["expectDisruptionsAllowed"].as_i64().unwrap(), "{name}");
                    let reason = crate::controllers::disruption::status::allowed_reason(after);
                    assert_eq!(reason, case["expectReason"].as_str().unwrap(), "{name}");
                }
            }
        }
    }

    #[test]
    fn more_than_one_budget_is_an_internal_error() {
        let two = [budget(1, 3, 2), budget(1, 3, 2)];
        let Decision::Refuse { code, message, .. } = decide(running(true), &two, "a") else { panic!() };
        assert_eq!((code, message.as_str()), (500, MORE_THAN_ONE_BUDGET));
        // A pod being deleted is deleted again without looking.
        let terminating = PodView { terminating: true, ..running(true) };
        assert_eq!(decide(terminating, &two, "a"), Decision::Delete);
    }

    #[test]
    fn a_budget_not_yet_synced_or_with_too_many_pending_evictions_refuses() {
        let mut b = budget(1, 3, 2);
        b.observed = false;
        let Decision::Refuse { code, cause, .. } = decide(running(true), &[b], "web") else { panic!() };
        assert_eq!((code, cause.as_str()), (429, "The disruption budget web is still being processed by the server."));
        let mut b = budget(1, 3, 2);
        b.disrupted_pods = MAX_DISRUPTED_POD_SIZE + 1;
        let Decision::Refuse { code, .. } = decide(running(true), &[b], "web") else { panic!() };
        assert_eq!(code, 403);
    }
}
