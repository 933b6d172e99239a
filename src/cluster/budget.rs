//! A PodDisruptionBudget as the cluster holds it: the API object, its status as the
//! disruption controller and the eviction API write it, and beside it what the
//! disruption controller keeps for it (the pods its selector matches, its sync timer).

use super::PodId;
use crate::controllers::disruption::status::Budget as Policy;
use crate::engine::{SimTime, Timer};
use crate::labels::Selector;
use std::collections::BTreeMap;
use std::sync::Arc;

pub type BudgetId = super::slab::Id;

#[derive(Clone, Debug)]
pub struct Budget {
    pub uid: u64,
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    pub api: Arc<crate::api::policy::PodDisruptionBudget>,
    /// `spec.selector` compiled; `None` selects no pod (a nil selector, or one that
    /// does not compile: `LabelSelectorAsSelector` fails and nothing matches).
    pub selector: Option<Selector>,
    pub policy: Policy,
    /// `unhealthyPodEvictionPolicy: AlwaysAllow` (the default is IfHealthyBudget).
    pub always_allow_unhealthy: bool,
    pub status: BudgetStatus,
    /// The disruption controller's state.
    pub members: BTreeMap<u64, PodId>,
    pub sync: Timer,
    pub sync_at: Option<SimTime>,
    /// What objects.jsonl and transitions.csv last said.
    pub reported: Option<BudgetStatus>,
}

/// `status` of a PodDisruptionBudget.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BudgetStatus {
    /// `observedGeneration` caught up with the spec (the controller synced it once):
    /// before that the eviction API answers 429.
    pub observed: bool,
    pub disruptions_allowed: i64,
    pub current_healthy: i64,
    pub desired_healthy: i64,
    pub expected_pods: i64,
    /// Pods evicted and not yet seen deleted by the controller, by name, with the time.
    pub disrupted_pods: BTreeMap<Arc<str>, SimTime>,
    /// The `DisruptionAllowed` condition, once written.
    pub condition: Option<AllowedCondition>,
}

/// The `DisruptionAllowed` condition (`pdbhelper.UpdateDisruptionAllowedCondition`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowedCondition {
    pub status: bool,
    /// `SufficientPods`, `InsufficientPods` or `SyncFailed`.
    pub reason: &'static str,
    pub message: String,
    pub last_transition: SimTime,
}

impl BudgetStatus {
    /// Sets the condition (`meta.SetStatusCondition`: the transition time moves only
    /// when the status does).
    pub fn set_condition(&mut self, status: bool, reason: &'static str, message: String, now: SimTime) {
        let last_transition = self.condition.as_ref().filter(|c| c.status == status).map_or(now, |c| c.last_transition);
        self.condition = Some(AllowedCondition { status, reason, message, last_transition });
    }

    /// The condition from `disruptionsAllowed`: True `SufficientPods` or False
    /// `InsufficientPods`.
    pub fn update_allowed_condition(&mut self, now: SimTime) {
        let reason = crate::controllers::disruption::status::allowed_reason(self.disruptions_allowed);
        self.set_condition(self.disruptions_allowed > 0, reason, String::new(), now);
    }

    /// The condition's reason, empty before the first sync.
    pub fn reason(&self) -> &'static str {
        self.condition.as_ref().map_or("", |c| c.reason)
    }
}

impl Budget {
    /// Whether the budget's selector matches a pod of `namespace` with `labels`.
    pub fn selects(&self, namespace: &str, labels: &BTreeMap<String, String>) -> bool {
        *self.namespace == *namespace && self.selector.as_ref().is_some_and(|s| s.matches(labels))
    }
}
