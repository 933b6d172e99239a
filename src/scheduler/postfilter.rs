//! DefaultPreemption's PostFilter against the cluster: after a pod fits no node, the
//! pure [`preemption`](super::preemption) decides on a node and victims over dry runs of
//! the nodes, and this module carries the decision out as kube-scheduler does
//! (`prepareCandidate`): each victim gets `DisruptionTarget` (PreemptionByScheduler), an
//! event `Preempted`, and a graceful delete; lower-priority pods nominated to the node
//! lose their nomination; the preemptor is nominated to the node and retried when the
//! victims are gone.

use super::filter::{self, Reason};
use super::preemption::{self, DryRun, NodeOutcome, PodInfo};
use super::{Diagnosis, Scheduler};
use crate::apiserver::Ctx;
use crate::cluster::pod::PREEMPTION_BY_SCHEDULER;
use crate::cluster::template::PodTemplate;
use crate::cluster::{Cluster, Node, NodeId, PodId};
use crate::engine::SimTime;
use crate::trace::EventType;
use std::sync::Arc;

/// A copy of a node under a dry run (Kubernetes' `NodeInfo.Snapshot()`), with the
/// node's pods that may be taken off and put back.
struct NodeDryRun<'a> {
    node: Node,
    preemptor: &'a PodTemplate,
    pods: Vec<(PodId, Arc<PodTemplate>)>,
}

impl DryRun for NodeDryRun<'_> {
    type Reason = Reason;

    fn remove(&mut self, i: usize) {
        let (id, t) = &self.pods[i];
        self.node.requested.sub(&t.requests);
        self.node.pods.retain(|p| p != id);
        for port in &t.host_ports {
            if let Some(k) = self.node.host_ports.iter().position(|p| p == port) {
                self.node.host_ports.swap_remove(k);
            }
        }
    }

    fn add(&mut self, i: usize) {
        let (id, t) = &self.pods[i];
        self.node.requested.add(&t.requests);
        self.node.pods.push(*id);
        self.node.host_ports.extend(t.host_ports.iter().cloned());
    }

    fn fits(&mut self, out: &mut Vec<Reason>) -> bool {
        filter::check(self.preemptor, &self.preemptor.spec.tolerations, &self.node, out)
    }
}

impl Scheduler {
    /// Runs DefaultPreemption for a pod that fits no node. Returns the PostFilter's
    /// message for FailedScheduling (`preemption: ...`), or `None` when preemption is
    /// disabled or nominated a node (the event then carries the filters' reasons only).
    pub(super) fn post_filter(&mut self, ctx: &mut Ctx, id: PodId, diagnosis: &Diagnosis) -> Option<Arc<str>> {
        let args = self.profile.preemption?;
        let pod = ctx.cluster.pods.get(id)?;
        if let Some(refusal) = not_eligible(ctx.cluster, id, diagnosis) {
            return Some(format!("preemption: {refusal}").into());
        }
        let (priority, template) = (pod.priority, pod.template.clone());
        let potential = &diagnosis.potential;
        let offset = match potential.len() {
            0 => 0,
            n => self.preemption_rng.below(n as u64) as usize,
        };
        // No pod on any node has a lower priority: every potential node would answer "No
        // preemption victims found", so the dry run is skipped.
        let lowest = ctx.cluster.bound_priorities.keys().next().copied();
        if lowest.is_none_or(|p| p >= priority) {
            self.nominate_shown(ctx, id, None);
            return Some(self.no_victims_message(diagnosis.nodes, potential.len()));
        }
        let verdict = preemption::preempt(
            diagnosis.nodes,
            potential.len(),
            offset,
            &args,
            |i| match diagnosis.topology.binary_search(&potential[i]) {
                Ok(_) => (Vec::new(), NodeOutcome::NoVictims),
                Err(_) => self.select_victims(ctx.cluster, ctx.now, &template, (id, priority), potential[i]),
            },
            |r| r.message(&ctx.cluster.resources),
        );
        match verdict {
            Ok(v) => {
                let node = potential[v.node];
                let victims: Vec<PodId> = v.victims.iter().map(|&i| ctx.cluster.node(node).pods[i]).collect();
                self.prepare_candidate(ctx, id, node, &victims);
                self.nominate_shown(ctx, id, Some(node));
                None
            }
            Err(message) => {
                self.nominate_shown(ctx, id, None);
                Some(format!("preemption: {message}").into())
            }
        }
    }

    /// PostFilter's words when no node has a pod of lower priority: they depend on the
    /// node counts alone, so the last ones are kept.
    fn no_victims_message(&mut self, nodes: usize, potential: usize) -> Arc<str> {
        if let Some(((n, p), text)) = &self.no_victims
            && (*n, *p) == (nodes, potential)
        {
            return text.clone();
        }
        let statuses = [(preemption::NO_VICTIMS.to_string(), potential)].into_iter().collect();
        let text: Arc<str> = format!("preemption: {}", preemption::fit_error(nodes, potential, &statuses)).into();
        self.no_victims = Some(((nodes, potential), text.clone()));
        text
    }

    /// `SelectVictimsOnNode` on a copy of the node (with the nominated pods that hold it).
    /// A node without lower-priority pods is answered without copying it.
    fn select_victims(
        &self,
        cluster: &Cluster,
        now: SimTime,
        preemptor: &PodTemplate,
        who: (PodId, i32),
        node: NodeId,
    ) -> (Vec<PodInfo>, NodeOutcome<Reason>) {
        let n = cluster.node(node);
        // A node's pods are in the API: they leave the node before the object goes.
        let pod = |id: &PodId| cluster.pods.get(*id).expect("a node's pods exist");
        if n.pods.iter().all(|p| pod(p).priority >= who.1) {
            return (Vec::new(), NodeOutcome::NoVictims);
        }
        let pods: Vec<&crate::cluster::Pod> = n.pods.iter().map(pod).collect();
        let infos: Vec<PodInfo> = pods
            .iter()
            .map(|p| PodInfo {
                priority: p.priority,
                // `GetPodStartTime`: a pod the kubelet has not started counts as now.
                start_time: p.start_time.unwrap_or(now).ms(),
            })
            .collect();
        // Only here is the node copied.
        let pods = n.pods.iter().zip(pods).map(|(id, p)| (*id, p.template.clone())).collect();
        let view = self.node_with_nominated(cluster, node, who.0, who.1).into_owned();
        let mut dry = NodeDryRun { node: view, preemptor, pods };
        let outcome = preemption::select_victims_on_node(who.1, &infos, &mut dry);
        (infos, outcome)
    }

    /// `prepareCandidate`: evicts the victims and clears the nominations of lower-priority
    /// pods on the node (they may no longer fit there).
    fn prepare_candidate(&mut self, ctx: &mut Ctx, preemptor: PodId, node: NodeId, victims: &[PodId]) {
        let Some(p) = ctx.cluster.pods.get(preemptor) else { return };
        // `"Preempted by pod %v on node %v"` with the preemptor's uid (`prepareCandidate`).
        let (uid, priority) = (crate::engine::rng::uuid(ctx.cluster.api.seed, "pod", p.uid), p.priority);
        let node_name = ctx.cluster.node(node).name.clone();
        for &victim in victims {
            let Some(v) = ctx.cluster.pods.get_mut(victim) else { continue };
            // Graceful deletion already under way: no second delete.
            if v.deletion.is_some() {
                continue;
            }
            v.disruption = Some(PREEMPTION_BY_SCHEDULER);
            // Recorded before the delete so that it precedes the kubelet's Killing.
            let message = format_args!("Preempted by pod {uid} on node {node_name}");
            ctx.pod_event(victim, EventType::Normal, "Preempted", message);
            ctx.delete_pod(victim, None);
        }
        let lower: Vec<PodId> = self
            .nominated_on(node)
            .iter()
            .copied()
            .filter(|p| ctx.cluster.pods.get(*p).is_some_and(|p| p.priority < priority))
            .collect();
        for p in lower {
            self.nominate_shown(ctx, p, None);
        }
    }
}

/// `PodEligibleToPreemptOthers`: not with `preemptionPolicy: Never`, and not while
/// victims of its earlier preemption are still terminating on its nominated node
/// (unless the filters now rule that node out for good).
fn not_eligible(cluster: &Cluster, id: PodId, diagnosis: &Diagnosis) -> Option<&'static str> {
    let pod = cluster.pods.get(id)?;
    if pod.preempt_never {
        return Some(preemption::NOT_ELIGIBLE_NEVER);
    }
    let node = pod.sched.nominated_node?;
    if !diagnosis.potential.contains(&node) || !cluster.node(node).present {
        return None;
    }
    let terminating =
        cluster.node(node).pods.iter().filter_map(|p| cluster.pods.get(*p)).any(|p| {
            p.priority < pod.priority && p.deletion.is_some() && p.disruption == Some(PREEMPTION_BY_SCHEDULER)
        });
    terminating.then_some(preemption::NOT_ELIGIBLE_TERMINATING)
}
