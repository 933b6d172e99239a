//! `syncClaim` (`pv_controller.go`): an unbound claim is bound to the best PV, or its
//! volume is provisioned, or it waits (for a PV, a provisioner, its first pod); a bound
//! claim whose PV is gone or bound elsewhere is `Lost`. `bind` writes both sides.

use super::matching::{self, ClaimFacts, VolumeFacts};
use super::{PvController, events};
use crate::api::storage::keys;
use crate::apiserver::Ctx;
use crate::cluster::storage::{BindingMode, Claim, ClaimId, ClaimPhase, PvId, PvPhase, Volume, VolumeMode};
use crate::trace::EventType;
use std::sync::Arc;

/// A claim as matching reads it.
pub fn claim_facts(c: &Claim) -> ClaimFacts<'_> {
    ClaimFacts {
        namespace: &c.namespace,
        name: &c.name,
        uid: c.uid,
        request: i128::from(c.request),
        modes: c.modes,
        block: c.volume_mode == VolumeMode::Block,
        class: &c.class,
        selector: c.selector.as_ref(),
        attributes_class: c.api.spec.volume_attributes_class_name.as_deref().unwrap_or(""),
    }
}

/// A PV as matching reads it.
pub fn volume_facts(v: &Volume) -> VolumeFacts<'_> {
    VolumeFacts {
        name: &v.name,
        capacity: i128::from(v.capacity),
        modes: v.modes,
        block: v.volume_mode == VolumeMode::Block,
        class: &v.class,
        labels: &v.labels,
        claim_ref: v.status.claim_ref.as_ref().map(|r| matching::ClaimRef {
            namespace: &r.namespace,
            name: &r.name,
            uid: r.uid,
        }),
        available: v.status.phase == PvPhase::Available,
        deleting: v.status.deletion.is_some(),
        node_affinity: v.node_affinity.as_ref(),
        attributes_class: v.api.spec.volume_attributes_class_name.as_deref().unwrap_or(""),
    }
}

/// `IsDelayBindingMode` for a claim: its class binds when a pod is scheduled.
pub fn delays_binding(ctx: &Ctx, c: &Claim) -> bool {
    let class = ctx.cluster.storage.class(&c.class).map(|k| Some(k.binding == BindingMode::WaitForFirstConsumer));
    // A class always has a mode (the API server defaults it to Immediate).
    matching::is_delay_binding_mode(&c.class, class).unwrap_or(false)
}

impl PvController {
    /// `syncClaim`.
    pub(super) fn sync_claim(&mut self, ctx: &mut Ctx, id: ClaimId) {
        let Some(c) = ctx.cluster.storage.claims.get(id) else { return };
        if c.status.annotations.contains_key(keys::BIND_COMPLETED) {
            self.sync_bound_claim(ctx, id);
        } else {
            self.sync_unbound_claim(ctx, id);
        }
    }

    /// `syncUnboundClaim`.
    fn sync_unbound_claim(&mut self, ctx: &mut Ctx, id: ClaimId) {
        let Some(c) = ctx.cluster.storage.claims.get(id) else { return };
        let Some(wanted) = c.status.volume_name.clone() else {
            return self.find_volume_for(ctx, id);
        };
        // The user asked for a PV by name.
        let Some(pv) = ctx.cluster.storage.find_volume(&wanted) else {
            // Not there (yet): the claim waits, quietly.
            return set_pending(ctx, id);
        };
        let v = ctx.cluster.storage.volumes.get(pv).expect("found by name");
        let facts = claim_facts(c);
        if v.status.claim_ref.is_none() {
            match matching::check_volume_satisfy_claim(&facts, &volume_facts(v)) {
                Err(why) => {
                    let message = events::cannot_bind(&wanted, &why);
                    self.claim_event(ctx, id, EventType::Warning, events::VOLUME_MISMATCH, &message);
                    set_pending(ctx, id);
                }
                Ok(()) => bind(ctx, pv, id),
            }
        } else if matching::is_bound_to(&volume_facts(v), &facts) {
            // Pre-bound both ways, or bound by the controller a moment ago: finish.
            bind(ctx, pv, id);
        } else if !c.status.annotations.contains_key(keys::BOUND_BY_CONTROLLER) {
            let message = events::already_bound(&wanted);
            self.claim_event(ctx, id, EventType::Warning, events::FAILED_BINDING, &message);
            set_pending(ctx, id);
        }
        // (Bound by the controller to a PV bound elsewhere: upstream's "should never
        // happen", an error and a retry.)
    }

    /// The claim names no PV: the best match, or else provisioning, or a wait.
    fn find_volume_for(&mut self, ctx: &mut Ctx, id: ClaimId) {
        let c = ctx.cluster.storage.claims.get(id).expect("synced claim");
        let delay = delays_binding(ctx, c);
        // The PVs bound to other claims never match (`FindMatchingVolume` passes over
        // them, and they add no candidate to any access-mode set): left out before their
        // facts are read, which in a cluster of provisioned volumes is most of them.
        let (ns, name) = (&*c.namespace, &*c.name);
        let volumes: Vec<(PvId, &Volume)> = listed_volumes(ctx)
            .into_iter()
            .filter(|(_, v)| v.status.claim_ref.as_ref().is_none_or(|r| *r.name == *name && *r.namespace == *ns))
            .collect();
        let facts: Vec<VolumeFacts> = volumes.iter().map(|(_, v)| volume_facts(v)).collect();
        let best = matching::find_best_match_for_claim(&claim_facts(c), &facts, delay);
        match best {
            Ok(Some(i)) => {
                let pv = volumes[i].0;
                return bind(ctx, pv, id);
            }
            Ok(None) => {}
            // The VolumeAttributesClass gate is on: matching does not fail.
            Err(_) => return,
        }
        // RetroactiveDefaultStorageClass: a claim that names no class gets the default.
        if c.no_class
            && let Some(default) = ctx.cluster.storage.default_class()
        {
            let class = default.name.clone();
            return ctx.set_claim_class(id, &class);
        }
        let selected = c.status.selected_node().is_some();
        let class = c.class.clone();
        if delay && !selected {
            self.wait_for_first_consumer(ctx, id);
        } else if !class.is_empty() {
            // Upstream returns here without touching the phase: the claim stays Pending.
            return self.provision_claim(ctx, id, &class);
        } else {
            self.claim_event(ctx, id, EventType::Normal, events::FAILED_BINDING, events::NO_VOLUME_NO_CLASS);
        }
        set_pending(ctx, id);
    }

    /// `emitEventForUnboundDelayBindingClaim`: the pods that use the claim and are not
    /// scheduled yet, or that none does.
    fn wait_for_first_consumer(&mut self, ctx: &mut Ctx, id: ClaimId) {
        let c = ctx.cluster.storage.claims.get(id).expect("synced claim");
        let mut waiting: Vec<(u64, Arc<str>)> = ctx
            .cluster
            .pods
            .iter()
            .filter(|(_, p)| p.namespace == c.namespace && p.node.is_none() && !p.terminal)
            .filter(|(_, p)| p.template.spec.node_name.is_none() && p.template.volumes.uses_claim(&p.name, &c.name))
            .map(|(_, p)| (p.uid, p.name.clone()))
            .collect();
        // The pod indexer lists them in a map's order; podsim in the order they came.
        waiting.sort_unstable();
        let names: Vec<&str> = waiting.iter().map(|(_, n)| &**n).collect();
        if names.is_empty() {
            let message = events::WAITING_FOR_FIRST_CONSUMER;
            self.claim_event(ctx, id, EventType::Normal, events::WAIT_FOR_FIRST_CONSUMER, message);
        } else {
            let message = events::waiting_for_pods(&names);
            self.claim_event(ctx, id, EventType::Normal, events::WAIT_FOR_POD_SCHEDULED, &message);
        }
    }

    /// `provisionClaim` for a class whose provisioner runs outside the controller (every
    /// CSI driver; in-tree provisioners migrate to theirs): the claim is annotated with
    /// the provisioner expected to act, and an Event says so (at every sync until the PV
    /// comes).
    fn provision_claim(&mut self, ctx: &mut Ctx, id: ClaimId, class: &str) {
        let Some(k) = ctx.cluster.storage.class(class) else {
            let message = events::class_not_found(class);
            return self.claim_event(ctx, id, EventType::Warning, events::PROVISIONING_FAILED, &message);
        };
        // `findProvisionablePlugin`: a `kubernetes.io/` name CSI migration does not move
        // is an in-tree plugin's, and none provisions any more (⚠ the plugin manager's
        // error words recalled).
        if k.provisioner.starts_with("kubernetes.io/")
            && crate::scheduler::volume_limits::migrated_driver(&k.provisioner).is_none()
        {
            let message = format!("no volume plugin matched name: {}", k.provisioner);
            return self.claim_event(ctx, id, EventType::Warning, events::PROVISIONING_FAILED, &message);
        }
        let provisioner = super::provisioner::csi_name(&k.provisioner).to_string();
        // `setClaimProvisioner`: both annotations.
        ctx.update_claim(id, "", |s| {
            for key in [keys::STORAGE_PROVISIONER, keys::BETA_STORAGE_PROVISIONER] {
                s.annotations.insert(key.to_string(), provisioner.clone());
            }
        });
        let message = events::waiting_for_provisioner(&provisioner);
        self.claim_event(ctx, id, EventType::Normal, events::EXTERNAL_PROVISIONING, &message);
    }

    /// `syncBoundClaim`: a bound claim whose PV is gone, or bound to another claim, is
    /// lost (once: the Event comes with the change of phase).
    fn sync_bound_claim(&mut self, ctx: &mut Ctx, id: ClaimId) {
        let c = ctx.cluster.storage.claims.get(id).expect("synced claim");
        let Some(name) = c.status.volume_name.clone() else {
            return self.lose(ctx, id, events::CLAIM_LOST, events::LOST_REFERENCE);
        };
        let Some(pv) = ctx.cluster.storage.find_volume(&name) else {
            return self.lose(ctx, id, events::CLAIM_LOST, events::LOST_VOLUME);
        };
        let v = ctx.cluster.storage.volumes.get(pv).expect("found by name");
        match &v.status.claim_ref {
            // Unbound PV, or bound to this claim: (re)bind, which changes nothing when
            // all is set.
            None => bind(ctx, pv, id),
            Some(r) if r.uid == Some(c.uid) => bind(ctx, pv, id),
            Some(_) => self.lose(ctx, id, events::CLAIM_MISBOUND, events::MISBOUND),
        }
    }

    /// `updateClaimStatusWithEvent(Lost)`.
    fn lose(&mut self, ctx: &mut Ctx, id: ClaimId, reason: &str, message: &str) {
        let Some(c) = ctx.cluster.storage.claims.get(id) else { return };
        if c.status.phase == ClaimPhase::Lost {
            return;
        }
        ctx.update_claim(id, "", |s| {
            s.phase = ClaimPhase::Lost;
            s.capacity = None;
            s.access_modes = Default::default();
        });
        self.claim_event(ctx, id, EventType::Warning, reason, message);
    }

    /// An Event about a claim from the PV controller, through its spam filter.
    pub(super) fn claim_event(&mut self, ctx: &mut Ctx, id: ClaimId, type_: EventType, reason: &str, message: &str) {
        let Some(c) = ctx.cluster.storage.claims.get(id) else { return };
        if self.claim_events.accept(c.uid, ctx.now) {
            ctx.claim_event(id, type_, reason, format_args!("{message}"));
        }
    }
}

/// The PVs as the controller's index lists them: in the order they were created.
pub fn listed_volumes<'a>(ctx: &'a Ctx) -> Vec<(PvId, &'a Volume)> {
    let mut all: Vec<(PvId, &Volume)> = ctx.cluster.storage.volumes.iter().collect();
    all.sort_unstable_by_key(|(_, v)| v.uid);
    all
}

/// `updateClaimStatus(Pending)`: the phase, without capacity or access modes.
fn set_pending(ctx: &mut Ctx, id: ClaimId) {
    ctx.update_claim(id, "", |s| {
        s.phase = ClaimPhase::Pending;
        s.capacity = None;
        s.access_modes = Default::default();
    });
}

/// `bind`: the PV's `claimRef` (and `bound-by-controller` if the controller chose it),
/// its phase `Bound`; the claim's `volumeName` with `bind-completed` (and
/// `bound-by-controller`), its phase `Bound` with the PV's capacity and access modes.
/// Each side is written only where it differs.
pub fn bind(ctx: &mut Ctx, pv: PvId, claim: ClaimId) {
    let storage = &ctx.cluster.storage;
    let (Some(c), Some(v)) = (storage.claims.get(claim), storage.volumes.get(pv)) else { return };
    let claim_ref =
        crate::cluster::storage::ClaimRef { namespace: c.namespace.clone(), name: c.name.clone(), uid: Some(c.uid) };
    let chosen = !matching::is_bound_to(&volume_facts(v), &claim_facts(c));
    let claim_set = c.status.volume_name.as_deref() == Some(&*v.name);
    let (name, modes) = (v.name.clone(), v.modes);
    let capacity = v.api.spec.storage().cloned();
    ctx.update_volume(pv, "", |s| {
        s.claim_ref = Some(claim_ref);
        if chosen {
            s.annotations.entry(keys::BOUND_BY_CONTROLLER.to_string()).or_insert_with(|| "yes".into());
        }
        s.phase = PvPhase::Bound;
        s.message.clear();
    });
    ctx.update_claim(claim, "", |s| {
        if !claim_set {
            s.volume_name = Some(name);
            s.annotations.entry(keys::BOUND_BY_CONTROLLER.to_string()).or_insert_with(|| "yes".into());
        }
        s.annotations.entry(keys::BIND_COMPLETED.to_string()).or_insert_with(|| "yes".into());
        s.phase = ClaimPhase::Bound;
        s.capacity = capacity;
        s.access_modes = modes;
    });
}
