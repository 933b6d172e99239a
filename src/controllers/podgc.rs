//! The pod garbage collector (`pkg/controller/podgc/gc_controller.go`): it deletes
//! terminated pods beyond `--terminated-pod-gc-threshold` (oldest first), after a
//! 40 s quarantine the pods of nodes that no longer exist (`gcOrphaned`), and the
//! terminating pods of nodes that are not Ready and carry the
//! `node.kubernetes.io/out-of-service` taint (`gcTerminating`, non-graceful node
//! shutdown, KEP-2268): each marked Failed and deleted with a grace period of 0.

use crate::apiserver::{Change, Ctx, Kind, Watches};
use crate::cluster::node::NodeReady;
use crate::cluster::pod::PodPhase;
use crate::cluster::{NodeId, PodId};
use crate::engine::{Millis, SimTime};
use crate::event::PodGcEvent;

/// `gcCheckPeriod`.
pub const GC_CHECK_PERIOD: Millis = 20_000;
/// `quarantineTime`: how long a pod's node must be gone before its pods are deleted.
pub const QUARANTINE: Millis = 40_000;
/// `v1.TaintNodeOutOfService`.
pub const OUT_OF_SERVICE: &str = "node.kubernetes.io/out-of-service";

/// Terminated pods still in the API, oldest first (`byEvictionAndCreationTimestamp`).
pub struct PodGc {
    terminated: std::collections::BTreeSet<(SimTime, u64, PodId)>,
    pass_pending: bool,
    /// Nodes with the out-of-service taint that the collector's passes look at.
    out_of_service: std::collections::BTreeSet<NodeId>,
    /// `--terminated-pod-gc-threshold` (12500 by default); `None` (0 or less): terminated
    /// pods are not collected.
    threshold: Option<usize>,
}

impl PodGc {
    /// The change kinds the collector watches: pods that end or go, nodes that go.
    pub const WATCHES: Watches = Watches::of(&[Kind::PodPhase, Kind::PodRemoved, Kind::NodeRemoved, Kind::NodeTainted]);

    pub fn new(threshold: Option<usize>) -> PodGc {
        PodGc {
            terminated: std::collections::BTreeSet::new(),
            pass_pending: false,
            out_of_service: Default::default(),
            threshold,
        }
    }

    pub fn handle(&mut self, ctx: &mut Ctx, event: PodGcEvent) {
        match event {
            PodGcEvent::Terminated => self.gc_terminated(ctx),
            PodGcEvent::Orphans(node) => gc_orphaned(ctx, node),
            PodGcEvent::OutOfService(node) => self.gc_terminating(ctx, node),
        }
    }

    pub fn observe(&mut self, ctx: &mut Ctx, change: &Change) {
        match change {
            Change::PodPhase { pod, phase } if phase.is_terminal() => self.note_terminal(ctx, *pod),
            Change::PodRemoved { id, pod } => {
                self.terminated.remove(&(pod.created, pod.uid, *id));
            }
            Change::NodeRemoved(node) => ctx.at(QUARANTINE, PodGcEvent::Orphans(*node)),
            Change::NodeTainted(node) if has_out_of_service(ctx, *node) && self.out_of_service.insert(*node) => {
                ctx.schedule(next_pass(ctx.now), PodGcEvent::OutOfService(*node));
            }
            _ => {}
        }
    }

    /// `gcTerminating` for one node: once it is not Ready, its terminating pods are
    /// marked Failed and force-deleted (evicted pods first, then the oldest). The
    /// passes go on every 20 s while the node keeps the taint.
    fn gc_terminating(&mut self, ctx: &mut Ctx, node: NodeId) {
        if !ctx.cluster.node(node).present || !has_out_of_service(ctx, node) {
            self.out_of_service.remove(&node);
            return;
        }
        if ctx.cluster.node(node).ready != NodeReady::True {
            let mut terminating: Vec<(bool, SimTime, std::sync::Arc<str>, PodId)> = ctx
                .cluster
                .node(node)
                .resident
                .iter()
                .filter_map(|id| ctx.cluster.pods.get(*id).map(|p| (*id, p)))
                .filter(|(_, p)| p.deletion.is_some())
                .map(|(id, p)| {
                    (p.reason != Some("Evicted"), SimTime::from_ms(p.created.ms() / 1000), p.name.clone(), id)
                })
                .collect();
            terminating.sort();
            for (_, _, _, id) in terminating {
                mark_failed_and_delete(ctx, id, None);
            }
        }
        ctx.at(GC_CHECK_PERIOD, PodGcEvent::OutOfService(node));
    }

    /// A pod reached a terminal phase: it may have to be collected.
    fn note_terminal(&mut self, ctx: &mut Ctx, id: PodId) {
        let Some(threshold) = self.threshold else { return };
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        self.terminated.insert((pod.created, pod.uid, id));
        if self.terminated.len() > threshold && !self.pass_pending {
            self.pass_pending = true;
            let at = SimTime::from_ms(ctx.now.ms().div_ceil(GC_CHECK_PERIOD).max(1) * GC_CHECK_PERIOD);
            ctx.schedule(at.max(ctx.now), PodGcEvent::Terminated);
        }
    }

    /// `gcTerminated`: delete the oldest terminated pods beyond the threshold.
    fn gc_terminated(&mut self, ctx: &mut Ctx) {
        self.pass_pending = false;
        let threshold = self.threshold.unwrap_or(usize::MAX);
        while self.terminated.len() > threshold {
            let Some((_, _, id)) = self.terminated.pop_first() else { break };
            ctx.remove_pod(id);
        }
    }
}

/// `gcOrphaned`: the node is gone; its pods end Failed (`DeletionByPodGC`) and go.
fn gc_orphaned(ctx: &mut Ctx, node: NodeId) {
    if ctx.cluster.node(node).present {
        return;
    }
    for id in ctx.cluster.node(node).resident.clone() {
        mark_failed_and_delete(ctx, id, Some("DeletionByPodGC"));
    }
}

/// `markFailedAndDeletePodWithCondition`: a pod not yet terminal is patched to
/// `Failed` (with the `DisruptionTarget` condition's reason, when given), then deleted
/// with a grace period of 0.
fn mark_failed_and_delete(ctx: &mut Ctx, id: PodId, disruption: Option<&'static str>) {
    let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
    if disruption.is_some() {
        pod.disruption = disruption;
    }
    pod.terminal = true;
    pod.termination = None;
    if !pod.phase.is_terminal() {
        let killed = pod.deletion.is_some() || pod.reason.is_some() || pod.evicted.is_some();
        ctx.set_phase(id, PodPhase::Failed, "");
        if killed {
            ctx.report_unstarted_lost(id);
        }
    }
    ctx.remove_pod(id);
}

fn has_out_of_service(ctx: &Ctx, node: NodeId) -> bool {
    ctx.cluster.node(node).taints.iter().any(|t| t.key == OUT_OF_SERVICE)
}

/// The collector's next pass at or after `t` (passes run every `gcCheckPeriod`).
fn next_pass(t: SimTime) -> SimTime {
    SimTime::from_ms(t.ms().div_ceil(GC_CHECK_PERIOD).max(1) * GC_CHECK_PERIOD)
}
