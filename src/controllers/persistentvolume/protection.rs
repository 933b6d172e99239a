//! Storage object in use protection (`pkg/controller/volume/pvcprotection`,
//! `pvprotection`): a claim being deleted keeps its `kubernetes.io/pvc-protection`
//! finalizer while a pod on a node uses it, in any phase (`podUsesPVC`), and goes with
//! the last such pod object; a PV being deleted keeps `kubernetes.io/pv-protection`
//! while it is `Bound`.

use super::PvController;
use crate::api::storage::keys;
use crate::apiserver::Ctx;
use crate::cluster::Pod;
use crate::cluster::storage::{Claim, ClaimId, PvId, PvPhase};
use crate::cluster::volumes::Source;

impl PvController {
    /// The claim is being deleted: its finalizer goes when no scheduled pod uses it.
    pub(super) fn protect_claim(&mut self, ctx: &mut Ctx, id: ClaimId) {
        let Some(c) = ctx.cluster.storage.claims.get(id) else { return };
        if c.status.deletion.is_none()
            || !c.status.finalizers.iter().any(|f| f == keys::PVC_PROTECTION)
            || in_use(ctx, c)
        {
            return;
        }
        ctx.remove_claim_finalizer(id, keys::PVC_PROTECTION);
    }

    /// A pod object left: the claims it used that are being deleted may go.
    pub(super) fn pod_gone(&mut self, ctx: &mut Ctx, pod: &Pod) {
        let claims: Vec<ClaimId> = pod
            .template
            .volumes
            .claims(&pod.name)
            .filter_map(|(_, name)| ctx.cluster.storage.find_claim(&pod.namespace, &name))
            .collect();
        for id in claims {
            self.protect_claim(ctx, id);
        }
    }

    /// The PV is being deleted: its finalizer goes once it is not `Bound`.
    pub(super) fn protect_volume(&mut self, ctx: &mut Ctx, id: PvId) {
        let Some(v) = ctx.cluster.storage.volumes.get(id) else { return };
        if v.status.deletion.is_none()
            || v.status.phase == PvPhase::Bound
            || !v.status.finalizers.iter().any(|f| f == keys::PV_PROTECTION)
        {
            return;
        }
        ctx.remove_volume_finalizer(id, keys::PV_PROTECTION);
    }
}

/// `podUsesPVC` over the pods of the claim's namespace: a pod bound to a node that
/// names the claim, or whose generic ephemeral volume made it and which is not shut
/// down yet (deleted with no grace left).
fn in_use(ctx: &Ctx, c: &Claim) -> bool {
    ctx.cluster.pods.iter().any(|(_, p)| {
        p.namespace == c.namespace
            && (p.node.is_some() || p.template.spec.node_name.is_some())
            && p.template.volumes.claims(&p.name).any(|(i, name)| {
                name == *c.name
                    && match p.template.volumes.volumes[i].source {
                        Source::Ephemeral(_) => c.owner_pod == Some(p.uid) && !shut_down(p),
                        _ => true,
                    }
            })
    })
}

/// `podIsShutDown`: deleted, and the kubelet finished with it (its grace ran out).
fn shut_down(p: &Pod) -> bool {
    p.deletion.is_some() && p.terminal
}
