//! `syncVolume` (`pv_controller.go`): a PV without a claim (or only reserved for one) is
//! `Available`; one whose claim is gone is `Released` and reclaimed as its policy says;
//! one whose claim is bound is `Bound`.

use super::{PvController, events};
use crate::api::storage::PvSource;
use crate::api::storage::keys;
use crate::apiserver::Ctx;
use crate::cluster::storage::{PvId, PvPhase, ReclaimPolicy};
use crate::trace::EventType;

impl PvController {
    /// `syncVolume`.
    pub(super) fn sync_volume(&mut self, ctx: &mut Ctx, id: PvId) {
        let Some(v) = ctx.cluster.storage.volumes.get(id) else { return };
        let Some(r) = v.status.claim_ref.clone() else {
            return set_phase(ctx, id, PvPhase::Available);
        };
        // Reserved for a claim not bound yet: the claim's sync binds it.
        let Some(uid) = r.uid else { return set_phase(ctx, id, PvPhase::Available) };
        let claim = ctx.cluster.storage.find_claim(&r.namespace, &r.name);
        // A claim of that name but another uid: the PV's claim was deleted.
        let claim = claim.filter(|c| ctx.cluster.storage.claims.get(*c).is_some_and(|c| c.uid == uid));
        let Some(claim) = claim else {
            return self.release(ctx, id);
        };
        let c = ctx.cluster.storage.claims.get(claim).expect("found above");
        match c.status.volume_name.as_deref() {
            // The binding is not finished: the claim's sync finishes it (upstream
            // enqueues the claim).
            None => self.sync_claim(ctx, claim),
            Some(name) if *name == *v.name => set_phase(ctx, id, PvPhase::Bound),
            // The claim is bound to another PV.
            Some(_) => {
                if v.status.annotations.contains_key(keys::PROVISIONED_BY) && v.reclaim == ReclaimPolicy::Delete {
                    // Provisioned for this claim, not needed: deleted.
                    self.release(ctx, id);
                } else {
                    unbind(ctx, id);
                }
            }
        }
    }

    /// The PV's claim is gone: `Released` (a `Failed` one keeps its phase), then
    /// `reclaimVolume`.
    fn release(&mut self, ctx: &mut Ctx, id: PvId) {
        let v = ctx.cluster.storage.volumes.get(id).expect("synced PV");
        if !matches!(v.status.phase, PvPhase::Released | PvPhase::Failed) {
            set_phase(ctx, id, PvPhase::Released);
        }
        self.reclaim(ctx, id);
    }

    /// `reclaimVolume`: Retain keeps the PV `Released` with its old `claimRef`; Delete
    /// leaves a provisioned PV to its provisioner and fails for any other (no in-tree
    /// plugin deletes a CSI, local or NFS volume); Recycle scrubs an NFS or hostPath
    /// volume and makes it `Available` again (podsim skips the recycler pod).
    fn reclaim(&mut self, ctx: &mut Ctx, id: PvId) {
        let v = ctx.cluster.storage.volumes.get(id).expect("synced PV");
        if v.status.deletion.is_some() {
            return;
        }
        match v.reclaim {
            ReclaimPolicy::Retain => {}
            ReclaimPolicy::Delete if v.status.annotations.contains_key(keys::PROVISIONED_BY) => {
                self.provisioner_delete(ctx, id);
            }
            ReclaimPolicy::Delete => {
                let message = events::no_deleter(&v.name);
                self.fail(ctx, id, events::VOLUME_FAILED_DELETE, &message);
            }
            ReclaimPolicy::Recycle => match v.source {
                PvSource::Nfs { .. } | PvSource::HostPath { .. } => {
                    // `recycleVolumeOperation`: scrubbed, then free for any claim.
                    self.volume_event(ctx, id, EventType::Normal, "VolumeRecycled", "Volume recycled");
                    unbind(ctx, id);
                }
                _ => self.fail(ctx, id, events::VOLUME_FAILED_RECYCLE, events::NO_RECYCLER),
            },
        }
    }

    /// `updateVolumePhaseWithEvent(Failed)`: the Event only with the change of phase.
    fn fail(&mut self, ctx: &mut Ctx, id: PvId, reason: &str, message: &str) {
        let v = ctx.cluster.storage.volumes.get(id).expect("synced PV");
        if v.status.phase == PvPhase::Failed {
            return;
        }
        ctx.update_volume(id, "", |s| {
            s.phase = PvPhase::Failed;
            s.message = message.to_string();
        });
        self.volume_event(ctx, id, EventType::Warning, reason, message);
    }

    /// An Event about a PV from the PV controller, through its spam filter.
    pub(super) fn volume_event(&mut self, ctx: &mut Ctx, id: PvId, type_: EventType, reason: &str, message: &str) {
        let Some(v) = ctx.cluster.storage.volumes.get(id) else { return };
        if self.volume_events.accept(v.uid, ctx.now) {
            ctx.volume_event(id, type_, reason, format_args!("{message}"));
        }
    }
}

/// `updateVolumePhase`: the phase, its message cleared.
fn set_phase(ctx: &mut Ctx, id: PvId, phase: PvPhase) {
    ctx.update_volume(id, "", |s| {
        s.phase = phase;
        s.message.clear();
    });
}

/// `unbindVolume`: a PV the controller bound loses its `claimRef`; one a user pre-bound
/// keeps it without the uid; either is `Available`.
fn unbind(ctx: &mut Ctx, id: PvId) {
    ctx.update_volume(id, "", |s| {
        if s.annotations.remove(keys::BOUND_BY_CONTROLLER).is_some() {
            s.claim_ref = None;
        } else if let Some(r) = &mut s.claim_ref {
            r.uid = None;
        }
        s.phase = PvPhase::Available;
        s.message.clear();
    });
}
