//! PodDisruptionBudgets as the API server keeps them: created (the selector compiled
//! once), their status written by the disruption controller and by the eviction API
//! (`apiserver/eviction.rs`). Each status change is recorded here: a row of
//! transitions.csv when `disruptionsAllowed` or the `DisruptionAllowed` condition's
//! reason changes (`1` → `0`, `InsufficientPods`), a status line of objects.jsonl for
//! the views.

use super::{Change, Ctx};
use crate::api::policy::PodDisruptionBudget as ApiBudget;
use crate::cluster::budget::{Budget, BudgetId, BudgetStatus};
use crate::controllers::disruption::status::Budget as Policy;
use crate::trace::ObjectRecord;
use std::sync::Arc;

/// The kind as transitions.csv and events.csv name it.
pub const KIND: &str = "PodDisruptionBudget";

impl Ctx<'_> {
    /// Creates a PodDisruptionBudget; `None` if one of that name exists (a warning is
    /// recorded). Its status is empty until the disruption controller syncs it.
    pub fn create_budget(&mut self, api: &ApiBudget) -> Option<BudgetId> {
        let namespace = api.metadata.namespace().to_string();
        let name = api.metadata.name.clone();
        if self.cluster.budget_by_name.contains(&namespace, &name) {
            self.warn_once(format!(
                "poddisruptionbudget {namespace}/{name} already exists: the second create was refused"
            ));
            return None;
        }
        let mut api = api.clone();
        api.metadata.namespace = Some(namespace.clone());
        let spec = &api.spec;
        // Validation refuses both; neither is allowed (and not defaulted).
        let policy = match (&spec.min_available, &spec.max_unavailable) {
            (_, Some(v)) => Policy::MaxUnavailable(v.clone()),
            (Some(v), None) => Policy::MinAvailable(v.clone()),
            (None, None) => Policy::Unset,
        };
        let selector = spec.selector.as_ref().and_then(|s| crate::labels::label_selector_as_selector(Some(s)).ok());
        let always_allow_unhealthy = spec.unhealthy_pod_eviction_policy.as_deref() == Some("AlwaysAllow");
        let ns = self.cluster.intern_namespace(&namespace);
        let shared_name: Arc<str> = Arc::from(name.as_str());
        self.cluster.budgets_created += 1;
        let budget = Budget {
            uid: self.cluster.budgets_created,
            namespace: ns.clone(),
            name: shared_name.clone(),
            api: Arc::new(api),
            selector,
            policy,
            always_allow_unhealthy,
            status: BudgetStatus::default(),
            members: Default::default(),
            sync: Default::default(),
            sync_at: None,
            reported: None,
        };
        let id = self.cluster.budgets.insert(budget);
        self.cluster.budget_by_name.insert(&ns, &shared_name, id);
        if self.rec.records_objects {
            let b = self.cluster.budgets.get(id).expect("inserted");
            self.rec.sink.object(&ObjectRecord::BudgetCreated { time: self.now, uid: b.uid, budget: &b.api });
        }
        self.report_budget_status(id);
        self.changed(Change::BudgetCreated(id));
        Some(id)
    }

    /// Writes a budget's status (`UpdateStatus`), recording what changed.
    pub fn set_budget_status(&mut self, id: BudgetId, status: BudgetStatus) {
        let Some(b) = self.cluster.budgets.get_mut(id) else { return };
        if b.status == status {
            return;
        }
        b.status = status;
        self.report_budget_status(id);
    }

    /// A transitions.csv row when `disruptionsAllowed` or the condition's reason
    /// changed (the first: from nothing to `0`), and the status line for the views.
    fn report_budget_status(&mut self, id: BudgetId) {
        let Some(b) = self.cluster.budgets.get(id) else { return };
        if b.reported.as_ref() == Some(&b.status) {
            return;
        }
        let before = b.reported.as_ref().map(|r| (r.disruptions_allowed, r.reason()));
        let now = (b.status.disruptions_allowed, b.status.reason());
        if before != Some(now) {
            let from = before.map_or(String::new(), |(n, _)| n.to_string());
            let (ns, name) = (b.namespace.clone(), b.name.clone());
            self.record_object_transition(KIND, &ns, &name, &from, &now.0.to_string(), now.1);
        }
        let b = self.cluster.budgets.get(id).expect("read above");
        if self.rec.records_objects {
            self.rec.sink.object(&ObjectRecord::BudgetStatus { time: self.now, uid: b.uid, status: &b.status });
        }
        let b = self.cluster.budgets.get_mut(id).expect("read above");
        b.reported = Some(b.status.clone());
    }

    /// The budgets whose selector matches the pod (the eviction API's
    /// `getPodDisruptionBudgets`, the controller's `GetPodPodDisruptionBudgets`), in
    /// order of creation.
    pub fn budgets_of_pod(&self, pod: crate::cluster::PodId) -> Vec<BudgetId> {
        let Some(p) = self.cluster.pods.get(pod) else { return Vec::new() };
        let mut out: Vec<(u64, BudgetId)> = self
            .cluster
            .budgets
            .iter()
            .filter(|(_, b)| b.selects(&p.namespace, &p.labels))
            .map(|(id, b)| (b.uid, id))
            .collect();
        out.sort_unstable_by_key(|(uid, _)| *uid);
        out.into_iter().map(|(_, id)| id).collect()
    }
}
