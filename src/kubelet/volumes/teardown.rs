//! The end of a pod's volumes on its node: the kubelet tears them down once the pod's
//! containers have stopped for good (or the pod object is gone), and a node that restarts
//! comes back with its tmpfs volumes empty. Data that does not survive what happened is
//! counted as lost (`data`).

use super::data::{self, Cause, DataKind};
use crate::apiserver::{Counters, Ctx};
use crate::cluster::storage::PvId;
use crate::cluster::volumes::Source;
use crate::cluster::{NodeId, Pod, PodId};
use crate::kubelet::Kubelet;

/// Where a pod volume's own data lives (a claim's data is its PersistentVolume's, which
/// outlives the pod; configMap, secret, projected and downwardAPI volumes hold copies of
/// API data, never lost).
pub fn data_kind(source: &Source) -> Option<DataKind> {
    match source {
        Source::EmptyDir { memory: true, .. } => Some(DataKind::EmptyDirMemory),
        Source::EmptyDir { memory: false, .. } => Some(DataKind::EmptyDir),
        Source::HostPath { .. } => Some(DataKind::HostPath),
        _ => None,
    }
}

/// Counts the pod's volumes that held data and do not survive `cause`, unless they were
/// torn down already.
pub fn count_losses(counters: &mut Counters, pod: &Pod, cause: Option<Cause>) {
    let (Some(state), Some(cause)) = (pod.volumes.as_ref(), cause) else { return };
    if state.torn_down {
        return;
    }
    for (v, s) in state.volumes.iter().enumerate() {
        let Some(kind) = data_kind(&pod.template.volumes.volumes[v].source) else { continue };
        if s.holds_data && !data::survives(kind, cause) {
            *counters.data_loss.entry((cause.as_str(), kind.as_str())).or_insert(0) += 1;
        }
    }
}

impl Kubelet {
    /// The pod's containers have all stopped for good: its volumes are torn down. A pod
    /// deleted or evicted loses what its emptyDirs held; one that ended by itself had its
    /// run (no incident).
    pub(in crate::kubelet) fn tear_down_volumes(&mut self, ctx: &mut Ctx, id: PodId) {
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        let cause = if pod.deletion.is_some() {
            Some(Cause::PodDeleted)
        } else if pod.evicted == Some(crate::kubelet::eviction::REASON) || pod.reason == Some("Evicted") {
            Some(Cause::PodEvicted)
        } else {
            None
        };
        count_losses(&mut ctx.rec.counters, pod, cause);
        let Some(state) = pod.volumes.as_mut() else { return };
        state.torn_down = true;
        state.timer.cancel();
        let node = pod.node;
        // Its attachable volumes are unmounted: they leave `volumesInUse`.
        if let Some(node) = node.filter(|_| !super::mount::attachable_volumes(ctx.cluster, pod_ref(ctx, id)).is_empty())
        {
            self.volumes_in_use_may_change(ctx, node);
        }
    }

    /// The pod object left the API before the kubelet tore its volumes down (a forced
    /// delete, or pod GC after its node was deleted).
    pub(in crate::kubelet) fn pod_removed(&mut self, ctx: &mut Ctx, pod: &Pod) {
        let node_gone = pod.node.is_some_and(|n| !ctx.cluster.node(n).present);
        let cause = if node_gone { Cause::NodeRemoved } else { Cause::PodDeleted };
        count_losses(&mut ctx.rec.counters, pod, Some(cause));
        if let Some(node) = pod.node.filter(|_| !node_gone) {
            // The kubelet unmounts what the pod used.
            self.volumes_in_use_may_change(ctx, node);
        }
    }

    /// The Node object was deleted: the data of the local PersistentVolumes on its disks
    /// is gone with it.
    pub(in crate::kubelet) fn node_removed(&mut self, ctx: &mut Ctx, node: NodeId) {
        let lost: Vec<PvId> = self.pv_data.iter().filter(|(_, n)| **n == Some(node)).map(|(pv, _)| *pv).collect();
        for pv in lost {
            self.pv_data.remove(&pv);
            let key = (Cause::NodeRemoved.as_str(), DataKind::LocalPersistentVolume.as_str());
            *ctx.rec.counters.data_loss.entry(key).or_insert(0) += 1;
        }
    }

    /// The node came back from a restart: the tmpfs of every pod still bound to it is
    /// empty.
    pub(in crate::kubelet) fn volumes_after_restart(&mut self, ctx: &mut Ctx, node: NodeId) {
        for id in ctx.cluster.node(node).resident.clone() {
            let Some(pod) = ctx.cluster.pods.get_mut(id) else { continue };
            let template = pod.template.clone();
            let Some(state) = pod.volumes.as_mut() else { continue };
            if state.torn_down {
                continue;
            }
            for (v, s) in state.volumes.iter_mut().enumerate() {
                if data_kind(&template.volumes.volumes[v].source) != Some(DataKind::EmptyDirMemory) || !s.holds_data {
                    continue;
                }
                let key = (Cause::NodeRestart.as_str(), DataKind::EmptyDirMemory.as_str());
                *ctx.rec.counters.data_loss.entry(key).or_insert(0) += 1;
                s.holds_data = false;
                s.written = Default::default();
                s.over_since = None;
            }
        }
    }
}

fn pod_ref<'a>(ctx: &'a Ctx, id: PodId) -> &'a Pod {
    ctx.cluster.pods.get(id).expect("caller checked")
}
