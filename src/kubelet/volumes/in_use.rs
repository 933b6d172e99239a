//! `status.volumesInUse`: the kubelet publishes the attachable volumes of its pods with
//! its node status (`kubelet_node_status.go`, every `nodeStatusUpdateFrequency`, 10 s
//! from its start, a changed status written at once), so a new pod's volume is reported
//! within 10 s, and an unmounted one leaves the list within 10 s. The attach/detach
//! controller detaches safely only once it has left; the kubelet mounts an attachable
//! volume only once it is listed.

use super::mount::attachable_volumes;
use crate::apiserver::Ctx;
use crate::cluster::storage::PvId;
use crate::cluster::{Cluster, NodeId};
use crate::engine::{Millis, SimTime, TimerToken};
use crate::event::KubeletEvent;
use crate::kubelet::Kubelet;
use std::collections::BTreeSet;

/// `nodeStatusUpdateFrequency`'s default.
pub const NODE_STATUS_UPDATE_FREQUENCY: Millis = 10_000;

/// The kubelet's first node status update at or after `t` (every 10 s since it started).
pub fn next_update(started: SimTime, t: SimTime) -> SimTime {
    let since = t.since(started);
    started.after(since.div_ceil(NODE_STATUS_UPDATE_FREQUENCY) * NODE_STATUS_UPDATE_FREQUENCY)
}

/// `GetVolumesInUse`: the attachable volumes of the pods the kubelet has set up (or is
/// setting up) on the node, until their volumes are torn down.
fn volumes_in_use(cluster: &Cluster, node: NodeId) -> BTreeSet<PvId> {
    let mut out = BTreeSet::new();
    for id in &cluster.node(node).resident {
        let Some(pod) = cluster.pods.get(*id) else { continue };
        if pod.volumes.as_ref().is_some_and(|v| !v.torn_down) {
            out.extend(attachable_volumes(cluster, pod));
        }
    }
    out
}

impl Kubelet {
    /// The pods' volumes on the node changed: the next node status update publishes
    /// `volumesInUse` if it changed.
    pub(in crate::kubelet) fn volumes_in_use_may_change(&mut self, ctx: &mut Ctx, node: NodeId) {
        let n = ctx.cluster.node_mut(node);
        if !n.kubelet_up || !n.present {
            return;
        }
        let at = next_update(n.volumes.kubelet_started, ctx.now);
        let v = &mut n.volumes;
        if let Some(token) = v.status_timer.arm_unless_due_by(&mut v.status_at, at) {
            ctx.schedule(at, KubeletEvent::NodeStatus { node, token });
        }
    }

    /// A node status update: `volumesInUse` as the volume manager has it now.
    pub(in crate::kubelet) fn node_status(&mut self, ctx: &mut Ctx, node: NodeId, token: TimerToken) {
        let n = ctx.cluster.node_mut(node);
        if !n.volumes.status_timer.fire(token) {
            return;
        }
        n.volumes.status_at = None;
        if !n.kubelet_up || !n.present {
            return;
        }
        let in_use = volumes_in_use(ctx.cluster, node);
        ctx.set_volumes_in_use(node, in_use);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_run_every_10_s_from_the_kubelets_start() {
        assert_eq!(next_update(SimTime::from_ms(0), SimTime::from_ms(0)), SimTime::from_ms(0));
        assert_eq!(next_update(SimTime::from_ms(0), SimTime::from_ms(1)), SimTime::from_ms(10_000));
        assert_eq!(next_update(SimTime::from_ms(3_000), SimTime::from_ms(12_999)), SimTime::from_ms(13_000));
        assert_eq!(next_update(SimTime::from_ms(3_000), SimTime::from_ms(13_001)), SimTime::from_ms(23_000));
    }
}
