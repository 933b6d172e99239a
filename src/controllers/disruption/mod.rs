//! The disruption controller (`pkg/controller/disruption/disruption.go`): keeps each
//! PodDisruptionBudget's status (`disruptionsAllowed`, `currentHealthy`,
//! `desiredHealthy`, `expectedPods`, `disruptedPods`, the `DisruptionAllowed`
//! condition), which the eviction API reads before it lets a pod go.
//!
//! As upstream, it watches pods (created, ready or not, terminating, removed) and the
//! budgets; a change queues a sync of every budget whose selector matches the pod, run
//! once after the event (the work queue has no delay). The scale of the pods'
//! controllers is read at each sync, not watched: upstream registers no handler on
//! ReplicaSets or Deployments either, and a scale change reaches the budget with the
//! pods it creates or deletes. An entry of `disruptedPods` brings a sync back when it
//! runs out (`DeletionTimeout`, the recheck queue). The rules are in [`status`].

pub mod status;

use crate::apiserver::budgets::KIND;
use crate::apiserver::record::ObjectRef;
use crate::apiserver::{Change, Ctx, Kind, Watches};
use crate::cluster::budget::BudgetId;
use crate::cluster::pod::Owner;
use crate::cluster::{Cluster, PodId};
use crate::engine::SimTime;
use crate::event::DisruptionEvent;
use crate::trace::EventType;
use status::{Controller, PodFacts};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The controller's own state: the budgets of each namespace, so that a pod's budgets
/// are found without looking at every budget.
#[derive(Default)]
pub struct DisruptionController {
    by_namespace: BTreeMap<Arc<str>, Vec<BudgetId>>,
}

impl DisruptionController {
    pub const WATCHES: Watches =
        Watches::of(&[Kind::PodCreated, Kind::PodReady, Kind::PodDeleting, Kind::PodRemoved, Kind::BudgetCreated]);

    pub fn handle(&mut self, ctx: &mut Ctx, event: DisruptionEvent) {
        match event {
            DisruptionEvent::Sync { budget, token } => {
                let Some(b) = ctx.cluster.budgets.get_mut(budget) else { return };
                if b.sync.fire(token) {
                    b.sync_at = None;
                    sync(ctx, budget);
                }
            }
        }
    }

    pub fn observe(&mut self, ctx: &mut Ctx, change: &Change) {
        if self.by_namespace.is_empty() && !matches!(change, Change::BudgetCreated(_)) {
            return;
        }
        match change {
            Change::PodCreated(id) => {
                let Some(pod) = ctx.cluster.pods.get(*id) else { return };
                let uid = pod.uid;
                for b in self.selecting(ctx.cluster, &pod.namespace, &pod.labels) {
                    if let Some(budget) = ctx.cluster.budgets.get_mut(b) {
                        budget.members.insert(uid, *id);
                    }
                    queue(ctx, b, ctx.now);
                }
            }
            Change::PodReady { pod: id, .. } | Change::PodDeleting(id) => {
                let Some(pod) = ctx.cluster.pods.get(*id) else { return };
                for b in self.selecting(ctx.cluster, &pod.namespace, &pod.labels) {
                    queue(ctx, b, ctx.now);
                }
            }
            Change::PodRemoved { pod, .. } => {
                for b in self.selecting(ctx.cluster, &pod.namespace, &pod.labels) {
                    if let Some(budget) = ctx.cluster.budgets.get_mut(b) {
                        budget.members.remove(&pod.uid);
                    }
                    queue(ctx, b, ctx.now);
                }
            }
            Change::BudgetCreated(id) => {
                let Some(budget) = ctx.cluster.budgets.get(*id) else { return };
                let members: BTreeMap<u64, PodId> = ctx
                    .cluster
                    .pods
                    .iter()
                    .filter(|(_, p)| budget.selects(&p.namespace, &p.labels))
                    .map(|(pid, p)| (p.uid, pid))
                    .collect();
                self.by_namespace.entry(budget.namespace.clone()).or_default().push(*id);
                ctx.cluster.budgets.get_mut(*id).expect("read above").members = members;
                queue(ctx, *id, ctx.now);
            }
            _ => {}
        }
    }

    /// The budgets of `namespace` whose selector matches these labels.
    fn selecting(&self, cluster: &Cluster, namespace: &str, labels: &BTreeMap<String, String>) -> Vec<BudgetId> {
        let Some(ids) = self.by_namespace.get(namespace) else { return Vec::new() };
        ids.iter().copied().filter(|b| cluster.budgets.get(*b).is_some_and(|b| b.selects(namespace, labels))).collect()
    }
}

/// Queues a sync of the budget at `at` (once, however many changes call for it).
fn queue(ctx: &mut Ctx, id: BudgetId, at: SimTime) {
    let Some(b) = ctx.cluster.budgets.get_mut(id) else { return };
    if let Some(token) = b.sync.arm_unless_due_by(&mut b.sync_at, at) {
        ctx.schedule(at, DisruptionEvent::Sync { budget: id, token });
    }
}

/// The pod's controller as the finders resolve it: a ReplicaSet's Deployment when it
/// has one (its scale), else the ReplicaSet; a Job has no scale subresource.
fn controller_of(cluster: &Cluster, owner: Owner) -> Controller {
    match owner {
        Owner::None => Controller::None,
        Owner::Job { .. } => Controller::NoScale("jobs.batch"),
        Owner::DaemonSet(_) => Controller::NoScale("daemonsets.apps"),
        // `getPodStatefulSet`: a StatefulSet has a scale (one numbering of uids too).
        Owner::StatefulSet(s) => match cluster.statefulsets.get(s) {
            Some(s) => Controller::Scale { id: s.uid, replicas: i64::from(s.replicas) },
            None => Controller::None,
        },
        Owner::ReplicaSet(rs) => {
            let Some(rs) = cluster.replicasets.get(rs) else { return Controller::None };
            match rs.owner.and_then(|d| cluster.deployments.get(d)) {
                // ReplicaSets and Deployments share one numbering of uids.
                Some(d) => Controller::Scale { id: d.uid, replicas: i64::from(d.replicas) },
                None => Controller::Scale { id: rs.uid, replicas: i64::from(rs.replicas) },
            }
        }
    }
}

/// `trySync`: the budget's status from its pods now, or the fail-safe's.
fn sync(ctx: &mut Ctx, id: BudgetId) {
    let now = ctx.now;
    let Some(b) = ctx.cluster.budgets.get(id) else { return };
    let pods: Vec<PodId> = b.members.values().copied().filter(|p| ctx.cluster.pods.get(*p).is_some()).collect();
    let (ns, name) = (b.namespace.clone(), b.name.clone());
    let budget = ObjectRef::of(KIND, &ns, &name);
    if pods.is_empty() {
        ctx.object_event(budget, EventType::Normal, "NoPods", format_args!("No matching pods found"));
    }
    let b = ctx.cluster.budgets.get(id).expect("read above");
    let live = pods.iter().map(|p| {
        let pod = ctx.cluster.pods.get(*p).expect("filtered");
        (pod.name.clone(), pod.deletion.is_some())
    });
    let disrupted = status::disrupted_pods(&b.status.disrupted_pods, live, now);
    let facts: Vec<PodFacts> = pods
        .iter()
        .map(|p| {
            let pod = ctx.cluster.pods.get(*p).expect("filtered");
            PodFacts {
                ready: pod.ready,
                terminating: pod.deletion.is_some(),
                disrupted: disrupted.kept.contains_key(&pod.name),
                controller: controller_of(ctx.cluster, pod.owner),
            }
        })
        .collect();
    let policy = b.policy.clone();
    for pod_name in &disrupted.not_deleted {
        if let Some(p) = ctx.cluster.find_pod(&ns, pod_name) {
            // Upstream names the budget by its namespace twice.
            ctx.pod_event(
                p,
                EventType::Warning,
                "NotDeleted",
                format_args!("Pod was expected by PDB {ns}/{ns} to be deleted but it wasn't"),
            );
        }
    }
    let mut next = ctx.cluster.budgets.get(id).expect("read above").status.clone();
    match status::status(&policy, &facts) {
        Err(e) => {
            ctx.object_event(
                budget,
                EventType::Warning,
                "CalculateExpectedPodCountFailed",
                format_args!("Failed to calculate the number of expected pods: {e}"),
            );
            // `failSafe`: nothing allowed, the rest of the status as it was.
            next.disruptions_allowed = 0;
            next.set_condition(false, "SyncFailed", e, now);
            ctx.set_budget_status(id, next);
        }
        Ok(s) => {
            if policy.uses_scale() && status::has_unmanaged(&facts) {
                let b = ctx.cluster.budgets.get(id).expect("read above");
                let selector = go_selector(b.api.spec.selector.as_ref());
                ctx.object_event(
                    budget,
                    EventType::Warning,
                    "UnmanagedPods",
                    format_args!(
                        "Pods selected by this PodDisruptionBudget (selector: {selector}) were found to be unmanaged. \
                         As a result, the status of the PDB cannot be calculated correctly, which may result in \
                         undefined behavior. To account for these pods please set \".spec.minAvailable\" field of \
                         the PDB to an integer value."
                    ),
                );
            }
            next.observed = true;
            next.disruptions_allowed = s.disruptions_allowed;
            next.current_healthy = s.current_healthy;
            next.desired_healthy = s.desired_healthy;
            next.expected_pods = s.expected_pods;
            next.disrupted_pods = disrupted.kept;
            next.update_allowed_condition(now);
            ctx.set_budget_status(id, next);
            if let Some(at) = disrupted.recheck {
                queue(ctx, id, at);
            }
        }
    }
}

/// A `*metav1.LabelSelector` as Go's `%v` prints it (its generated `String()`), as the
/// `UnmanagedPods` message shows the selector.
fn go_selector(selector: Option<&crate::labels::LabelSelector>) -> String {
    let Some(s) = selector else { return "nil".into() };
    let labels: String = s.match_labels.iter().map(|(k, v)| format!("{k}: {v},")).collect();
    let expressions: String = s
        .match_expressions
        .iter()
        .map(|r| {
            let op = String::from(r.operator.clone());
            format!("LabelSelectorRequirement{{Key:{},Operator:{op},Values:[{}],}},", r.key, r.values.join(" "))
        })
        .collect();
    format!(
        "&LabelSelector{{MatchLabels:map[string]string{{{labels}}},MatchExpressions:[]LabelSelectorRequirement{{{expressions}}},}}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_print_as_go_prints_them() {
        let s: crate::labels::LabelSelector =
            serde_json::from_str(r#"{"matchLabels":{"app":"web","tier":"front"}}"#).unwrap();
        assert_eq!(
            go_selector(Some(&s)),
            "&LabelSelector{MatchLabels:map[string]string{app: web,tier: front,},MatchExpressions:[]LabelSelectorRequirement{},}"
        );
        assert_eq!(go_selector(None), "nil");
    }
}
