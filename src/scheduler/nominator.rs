//! The nominator (`backend/queue/nominator.go`): pods that preempted others wait for
//! their victims to go with `status.nominatedNodeName` set, and until they are bound the
//! scheduler counts them on that node when it filters pods of lower or equal priority
//! (`RunFilterPluginsWithNominatedPods`, `addGENominatedPods`), so that the room made
//! for them is not taken by others.

use super::Scheduler;
use super::filter::Reason;
use crate::apiserver::Ctx;
use crate::cluster::template::PodTemplate;
use crate::cluster::{Cluster, Node, NodeId, PodId};
use std::borrow::Cow;

impl Scheduler {
    /// Sets the pod's nominated node (`None` clears it).
    pub(super) fn nominate(&mut self, cluster: &mut Cluster, id: PodId, node: Option<NodeId>) {
        let Some(pod) = cluster.pods.get_mut(id) else { return };
        let old = std::mem::replace(&mut pod.sched.nominated_node, node);
        let by_node = &mut self.nominated;
        if let Some(old) = old
            && let Some(list) = by_node.get_mut(&old)
        {
            list.retain(|p| *p != id);
            if list.is_empty() {
                by_node.remove(&old);
            }
        }
        if let Some(node) = node {
            by_node.entry(node).or_default().push(id);
        }
    }

    /// Sets the pod's nominated node and its `status.nominatedNodeName`, as the
    /// PostFilter's `NominatingInfo` does (`handleSchedulingFailure` writes it).
    pub(super) fn nominate_shown(&mut self, ctx: &mut Ctx, id: PodId, node: Option<NodeId>) {
        self.nominate(ctx.cluster, id, node);
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        if pod.sched.shown_nominated != node {
            pod.sched.shown_nominated = node;
            ctx.report_pod_status(id);
        }
    }

    /// Whether any node is held for a nominated pod.
    pub(super) fn holds_nominated_nodes(&self) -> bool {
        !self.nominated.is_empty() || !self.assumed.is_empty()
    }

    /// Pods nominated to `node`.
    pub(super) fn nominated_on(&self, node: NodeId) -> &[PodId] {
        self.nominated.get(&node).map_or(&[], |v| &v[..])
    }

    /// The node as the filters see it for pod `id` of `priority`: with the requests of
    /// the other pods nominated to it whose priority is at least as high, and of the
    /// pods assumed on it while their volumes are bound (any priority).
    pub(super) fn node_with_nominated<'a>(
        &self,
        cluster: &'a Cluster,
        node: NodeId,
        id: PodId,
        priority: i32,
    ) -> Cow<'a, Node> {
        let n = cluster.node(node);
        let mut held = self
            .nominated_on(node)
            .iter()
            .filter(|p| **p != id)
            .filter_map(|p| Some((*p, cluster.pods.get(*p)?)))
            .filter(|(_, p)| p.priority >= priority)
            .chain(self.assumed_on(node).iter().filter_map(|p| Some((*p, cluster.pods.get(*p)?))))
            .peekable();
        if held.peek().is_none() {
            return Cow::Borrowed(n);
        }
        let mut view = n.clone();
        for (held_id, p) in held {
            view.requested.add(&p.template.requests);
            view.pods.push(held_id);
            view.host_ports.extend(p.template.host_ports.iter().cloned());
        }
        Cow::Owned(view)
    }

    /// Runs the filters for pod `id` on `node`, counting the nominated pods that hold it.
    pub(super) fn filter_with_nominated(
        &self,
        cluster: &Cluster,
        template: &PodTemplate,
        who: (PodId, i32),
        node: NodeId,
        out: &mut Vec<Reason>,
    ) -> bool {
        if self.nominated.is_empty() && self.assumed.is_empty() {
            return super::filter::check(template, &template.spec.tolerations, cluster.node(node), out);
        }
        let view = self.node_with_nominated(cluster, node, who.0, who.1);
        super::filter::check(template, &template.spec.tolerations, &view, out)
    }
}
