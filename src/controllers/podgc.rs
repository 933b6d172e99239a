//! The pod garbage collector (`pkg/controller/podgc/gc_controller.go`): it deletes
//! terminated pods beyond `--terminated-pod-gc-threshold` (oldest first) and, after a
//! 40 s quarantine, the pods of nodes that no longer exist.

use crate::cluster::pod::PodPhase;
use crate::cluster::{NodeId, PodId};
use crate::engine::{Millis, SimTime};
use crate::sim::{Event, Simulation};

/// `gcCheckPeriod`.
pub const GC_CHECK_PERIOD: Millis = 20_000;
/// `quarantineTime`: how long a pod's node must be gone before its pods are deleted.
pub const QUARANTINE: Millis = 40_000;
/// `--terminated-pod-gc-threshold` (kube-controller-manager default).
pub const TERMINATED_POD_THRESHOLD: usize = 12_500;

/// Terminated pods still in the API, oldest first (`byEvictionAndCreationTimestamp`).
#[derive(Default)]
pub struct PodGc {
    pub terminated: std::collections::BTreeSet<(SimTime, u64, PodId)>,
    pub pass_pending: bool,
}

impl Simulation {
    /// A pod reached a terminal phase: it may have to be collected.
    pub(crate) fn podgc_note_terminal(&mut self, id: PodId) {
        let Some(pod) = self.cluster.pods.get(id) else { return };
        self.controllers.podgc.terminated.insert((pod.created, pod.uid, id));
        if self.controllers.podgc.terminated.len() > TERMINATED_POD_THRESHOLD && !self.controllers.podgc.pass_pending {
            self.controllers.podgc.pass_pending = true;
            let at = SimTime(self.now.0.div_ceil(GC_CHECK_PERIOD).max(1) * GC_CHECK_PERIOD);
            self.queue.schedule(at.max(self.now), Event::PodGcTerminated);
        }
    }

    pub(crate) fn podgc_forget(&mut self, id: PodId, created: SimTime, uid: u64) {
        self.controllers.podgc.terminated.remove(&(created, uid, id));
    }

    /// `gcTerminated`: delete the oldest terminated pods beyond the threshold.
    pub(crate) fn podgc_terminated(&mut self) {
        self.controllers.podgc.pass_pending = false;
        while self.controllers.podgc.terminated.len() > TERMINATED_POD_THRESHOLD {
            let Some((_, _, id)) = self.controllers.podgc.terminated.pop_first() else { break };
            self.remove_pod_object(id);
        }
    }

    /// `gcOrphaned`: the node is gone; its pods end Failed (`DeletionByPodGC`) and go.
    pub(crate) fn podgc_orphans(&mut self, node: NodeId) {
        if self.cluster.node(node).present {
            return;
        }
        for id in self.cluster.node(node).resident.clone() {
            let Some(pod) = self.cluster.pods.get_mut(id) else { continue };
            pod.disruption = Some("DeletionByPodGC");
            pod.terminal = true;
            pod.termination = None;
            if !pod.phase.is_terminal() {
                self.set_phase(id, PodPhase::Failed, "");
                self.after_phase_change(id, PodPhase::Failed);
            }
            self.remove_pod_object(id);
        }
    }
}
