//! The pod garbage collector (`pkg/controller/podgc/gc_controller.go`): it deletes
//! terminated pods beyond `--terminated-pod-gc-threshold` (oldest first) and, after a
//! 40 s quarantine, the pods of nodes that no longer exist.

use crate::apiserver::{Change, Ctx, Kind, Watches};
use crate::cluster::pod::PodPhase;
use crate::cluster::{NodeId, PodId};
use crate::engine::{Millis, SimTime};
use crate::event::PodGcEvent;

/// `gcCheckPeriod`.
pub const GC_CHECK_PERIOD: Millis = 20_000;
/// `quarantineTime`: how long a pod's node must be gone before its pods are deleted.
pub const QUARANTINE: Millis = 40_000;
/// Terminated pods still in the API, oldest first (`byEvictionAndCreationTimestamp`).
pub struct PodGc {
    terminated: std::collections::BTreeSet<(SimTime, u64, PodId)>,
    pass_pending: bool,
    /// `--terminated-pod-gc-threshold` (12500 by default); `None` (0 or less): terminated
    /// pods are not collected.
    threshold: Option<usize>,
}

impl PodGc {
    /// The change kinds the collector watches: pods that end or go, nodes that go.
    pub const WATCHES: Watches = Watches::of(&[Kind::PodPhase, Kind::PodRemoved, Kind::NodeRemoved]);

    pub fn new(threshold: Option<usize>) -> PodGc {
        PodGc { terminated: std::collections::BTreeSet::new(), pass_pending: false, threshold }
    }

    pub fn handle(&mut self, ctx: &mut Ctx, event: PodGcEvent) {
        match event {
            PodGcEvent::Terminated => self.gc_terminated(ctx),
            PodGcEvent::Orphans(node) => gc_orphaned(ctx, node),
        }
    }

    pub fn observe(&mut self, ctx: &mut Ctx, change: &Change) {
        match change {
            Change::PodPhase { pod, phase } if phase.is_terminal() => self.note_terminal(ctx, *pod),
            Change::PodRemoved { id, pod } => {
                self.terminated.remove(&(pod.created, pod.uid, *id));
            }
            Change::NodeRemoved(node) => ctx.at(QUARANTINE, PodGcEvent::Orphans(*node)),
            _ => {}
        }
    }

    /// A pod reached a terminal phase: it may have to be collected.
    fn note_terminal(&mut self, ctx: &mut Ctx, id: PodId) {
        let Some(threshold) = self.threshold else { return };
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        self.terminated.insert((pod.created, pod.uid, id));
        if self.terminated.len() > threshold && !self.pass_pending {
            self.pass_pending = true;
            let at = SimTime(ctx.now.0.div_ceil(GC_CHECK_PERIOD).max(1) * GC_CHECK_PERIOD);
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
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { continue };
        pod.disruption = Some("DeletionByPodGC");
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
}
