//! The PersistentVolume controller (`pkg/controller/volume/persistentvolume`), with the
//! two small controllers that guard the storage objects in use (`pvcprotection`,
//! `pvprotection`) and the external provisioners a cluster runs beside it (the
//! `csi-provisioner` sidecar of each CSI driver).
//!
//! It syncs a claim or a PV when it changes, as the controller's informers deliver them,
//! and all of them every 15 s (`PVClaimBinderSyncPeriod`) while any is not settled: a
//! claim waiting to bind, a PV waiting for a claim or to be reclaimed. An idle cluster
//! (every claim bound) has no resync timer.
//!
//! - `claims.rs`: `syncClaim` (unbound: match, provision or wait; bound: lost or not) and
//!   `bind`;
//! - `volumes.rs`: `syncVolume` and the reclaim of a released PV;
//! - `provisioner.rs`: the external provisioner, which makes a claim's PV after the
//!   class's provisioning time and deletes released PVs it made;
//! - `protection.rs`: the finalizers that keep a claim while a pod uses it and a PV
//!   while it is bound;
//! - pure: `matching.rs` (which PV), `provision.rs` (which zone), `events.rs` (words).

mod claims;
pub mod events;
pub mod matching;
mod protection;
pub mod provision;
mod provisioner;
mod volumes;

pub use claims::{claim_facts, volume_facts};

use crate::apiserver::spam::SpamFilter;
use crate::apiserver::{Change, Ctx, Kind, Watches};
use crate::cluster::storage::{ClaimId, ClaimPhase, PvId, PvPhase, ReclaimPolicy};
use crate::engine::{Millis, SimTime, Streams};
use crate::event::PersistentVolumeEvent;
use std::collections::BTreeMap;

/// `PVClaimBinderSyncPeriod` (`--pvclaimbinder-sync-period`).
pub const RESYNC_PERIOD: Millis = 15_000;

pub struct PvController {
    /// When the pending resync fires (`None`: none pending).
    resync_at: Option<SimTime>,
    /// The external provisioners' operations in flight, by claim: the operation's
    /// number (a stale `Provisioned` event finds another).
    provisioning: BTreeMap<ClaimId, u32>,
    operations: u32,
    /// The provisioning times are drawn from a stream keyed by the claim.
    streams: Streams,
    /// client-go's spam filter of each recorder: the controller's Events about claims,
    /// about PVs, and the provisioners'.
    claim_events: SpamFilter,
    volume_events: SpamFilter,
    provisioner_events: SpamFilter,
}

impl PvController {
    pub fn new(streams: Streams) -> PvController {
        PvController {
            resync_at: None,
            provisioning: BTreeMap::new(),
            operations: 0,
            streams,
            claim_events: SpamFilter::default(),
            volume_events: SpamFilter::default(),
            provisioner_events: SpamFilter::default(),
        }
    }

    /// The change kinds it reacts to: the claims and PVs (its informers), new classes
    /// (a claim may now provision), and pods leaving (a claim being deleted may go).
    pub const WATCHES: Watches = Watches::of(&[
        Kind::ClaimCreated,
        Kind::ClaimUpdated,
        Kind::ClaimRemoved,
        Kind::VolumeCreated,
        Kind::VolumeUpdated,
        Kind::VolumeRemoved,
        Kind::StorageClassCreated,
        Kind::PodRemoved,
    ]);

    /// A resync is due (the loop's only timer; a run that has nothing else left ends).
    pub fn resync_pending(&self) -> bool {
        self.resync_at.is_some()
    }

    pub fn handle(&mut self, ctx: &mut Ctx, event: PersistentVolumeEvent) {
        match event {
            PersistentVolumeEvent::Resync => self.resync(ctx),
            PersistentVolumeEvent::Provisioned { claim, operation } => self.provisioned(ctx, claim, operation),
        }
    }

    pub fn observe(&mut self, ctx: &mut Ctx, change: &Change) {
        match change {
            Change::ClaimCreated(id) | Change::ClaimUpdated(id) => {
                self.sync_claim(ctx, *id);
                self.provisioner_sync(ctx, *id);
                self.protect_claim(ctx, *id);
            }
            // A deleted claim's PV is synced (it may be released).
            Change::ClaimRemoved { id, claim } => {
                self.provisioning.remove(id);
                if let Some(pv) = claim.status.volume_name.as_deref().and_then(|n| ctx.cluster.storage.find_volume(n)) {
                    self.sync_volume(ctx, pv);
                }
            }
            Change::VolumeCreated(id) | Change::VolumeUpdated(id) => {
                self.sync_volume(ctx, *id);
                self.protect_volume(ctx, *id);
            }
            // A deleted PV's claim is synced (it may be lost).
            Change::VolumeRemoved { volume, .. } => {
                if let Some(r) = &volume.status.claim_ref
                    && let Some(claim) = ctx.cluster.storage.find_claim(&r.namespace, &r.name)
                {
                    self.sync_claim(ctx, claim);
                }
            }
            Change::StorageClassCreated(_) => {}
            // Not a storage object: no resync to arm.
            Change::PodRemoved { pod, .. } => return self.pod_gone(ctx, pod),
            _ => return,
        }
        self.wake(ctx);
    }

    /// The periodic resync (`resync`): every claim, then every PV, as listed.
    fn resync(&mut self, ctx: &mut Ctx) {
        if self.resync_at != Some(ctx.now) {
            return;
        }
        self.resync_at = None;
        for id in claim_ids(ctx) {
            self.sync_claim(ctx, id);
        }
        for id in volume_ids(ctx) {
            self.sync_volume(ctx, id);
        }
        self.wake(ctx);
    }

    /// Arms the resync at the next period boundary (the controller's loop runs every
    /// 15 s from its start) if something waits and none is armed.
    fn wake(&mut self, ctx: &mut Ctx) {
        if self.resync_at.is_some() || !unsettled(ctx) {
            return;
        }
        let next = SimTime::from_ms((ctx.now.ms() / RESYNC_PERIOD + 1) * RESYNC_PERIOD);
        self.resync_at = Some(next);
        ctx.schedule(next, PersistentVolumeEvent::Resync);
    }
}

/// Whether a sync may still change something: a claim not bound, or a PV not settled
/// (created and not synced yet, released with a reclaim to carry out, failed).
fn unsettled(ctx: &Ctx) -> bool {
    let s = &ctx.cluster.storage;
    s.claims.iter().any(|(_, c)| c.status.phase == ClaimPhase::Pending)
        || s.volumes.iter().any(|(_, v)| match v.status.phase {
            PvPhase::Pending | PvPhase::Failed => true,
            PvPhase::Released => v.reclaim != ReclaimPolicy::Retain && v.status.deletion.is_none(),
            PvPhase::Available | PvPhase::Bound => false,
        })
}

/// Every claim, in the order they were created (the informer's list order is a map's;
/// podsim's is the objects' numbers).
fn claim_ids(ctx: &Ctx) -> Vec<ClaimId> {
    let mut ids: Vec<(u64, ClaimId)> = ctx.cluster.storage.claims.iter().map(|(id, c)| (c.uid, id)).collect();
    ids.sort_unstable();
    ids.into_iter().map(|(_, id)| id).collect()
}

/// Every PV, in the order they were created.
fn volume_ids(ctx: &Ctx) -> Vec<PvId> {
    let mut ids: Vec<(u64, PvId)> = ctx.cluster.storage.volumes.iter().map(|(id, v)| (v.uid, id)).collect();
    ids.sort_unstable();
    ids.into_iter().map(|(_, id)| id).collect()
}
