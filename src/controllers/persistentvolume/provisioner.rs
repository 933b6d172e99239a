//! The external provisioner each CSI driver runs beside the PV controller (the
//! `csi-provisioner` sidecar, on `sig-storage-lib-external-provisioner/controller`): it
//! provisions the claims annotated for it (`shouldProvision`; a WaitForFirstConsumer
//! claim once the scheduler selected a node), taking the class's provisioning time, and
//! saves a PV `pvc-<claim uid>` whose `claimRef` names the claim, which the PV
//! controller then binds; it deletes the released PVs it provisioned whose policy is
//! `Delete`. `kubernetes.io/no-provisioner` names no provisioner: nobody acts.

use super::provision::{self, PROVISIONER_FINALIZER, ZONE};
use super::{PvController, events};
use crate::api::pod::{NodeSelector, NodeSelectorTerm};
use crate::api::quantity::{Format, Quantity};
use crate::api::storage::{CsiPersistentVolumeSource, ObjectReference, PersistentVolume, VolumeNodeAffinity, keys};
use crate::apiserver::Ctx;
use crate::cluster::storage::{BindingMode, ClaimId, PvId, PvPhase, ReclaimPolicy, VolumeMode};
use crate::engine::Stream;
use crate::event::PersistentVolumeEvent;
use crate::labels::{NodeSelectorOperator, NodeSelectorRequirement};
use crate::trace::EventType;

/// The provisioner that acts for a class's `provisioner`: an in-tree plugin's CSI
/// driver, as CSI migration names it (`GetCSINameFromInTreeName`), else itself.
pub fn csi_name(provisioner: &str) -> &str {
    crate::scheduler::volume_limits::migrated_driver(provisioner).unwrap_or(provisioner)
}

impl PvController {
    /// `shouldProvision`, and the start of `provisionClaimOperation`: the `Provisioning`
    /// Event, and the volume ready after the class's provisioning time.
    pub(super) fn provisioner_sync(&mut self, ctx: &mut Ctx, id: ClaimId) {
        let Some(c) = ctx.cluster.storage.claims.get(id) else { return };
        let annotations = &c.status.annotations;
        let Some(provisioner) =
            annotations.get(keys::STORAGE_PROVISIONER).or_else(|| annotations.get(keys::BETA_STORAGE_PROVISIONER))
        else {
            return;
        };
        if c.status.volume_name.is_some() || provisioner == keys::NO_PROVISIONER || self.provisioning.contains_key(&id)
        {
            return;
        }
        let Some(class) = ctx.cluster.storage.class(&c.class) else { return };
        let selected = c.status.selected_node().filter(|n| !n.is_empty()).map(str::to_string);
        if class.binding == BindingMode::WaitForFirstConsumer && selected.is_none() {
            return;
        }
        let pv_name = provision::volume_name(&ctx.claim_uid(c.uid));
        if ctx.cluster.storage.find_volume(&pv_name).is_some() {
            return;
        }
        // A selected node that is gone: back to the scheduler (`rescheduleProvisioning`).
        if let Some(node) = &selected
            && !ctx.cluster.node_by_name.contains_key(node.as_str())
        {
            let message = format!("nodes {node:?} not found");
            self.provisioner_event(ctx, id, EventType::Warning, events::PROVISIONING_FAILED, &message);
            return ctx.annotate_claim(id, keys::SELECTED_NODE, None);
        }
        let delay = class.timings.provision.sample(&mut self.streams.keyed(Stream::Provisioning, c.uid));
        let message = events::provisioning(&c.namespace, &c.name);
        self.provisioner_event(ctx, id, EventType::Normal, events::PROVISIONING, &message);
        self.operations += 1;
        self.provisioning.insert(id, self.operations);
        ctx.at(delay, PersistentVolumeEvent::Provisioned { claim: id, operation: self.operations });
    }

    /// The volume is made: its PV is saved (`StoreVolume`) with `ProvisioningSucceeded`.
    pub(super) fn provisioned(&mut self, ctx: &mut Ctx, claim: ClaimId, operation: u32) {
        if self.provisioning.get(&claim) != Some(&operation) {
            return;
        }
        self.provisioning.remove(&claim);
        let Some(pv) = provisioned_volume(ctx, claim) else { return };
        let reclaim_delete = pv.spec.persistent_volume_reclaim_policy.as_deref() == Some("Delete");
        let Some(id) = ctx.create_volume(&pv, None) else { return };
        if reclaim_delete {
            // HonorPVReclaimPolicy: the disk goes with the PV object.
            ctx.update_volume(id, "", |s| s.finalizers.insert(0, PROVISIONER_FINALIZER.to_string()));
        }
        let message = events::provisioned(&pv.metadata.name);
        self.provisioner_event(ctx, claim, EventType::Normal, events::PROVISIONING_SUCCEEDED, &message);
    }

    /// `shouldDelete` and `deleteVolumeOperation`: a released PV of policy `Delete` that a
    /// provisioner made loses its disk and its object (at once: podsim gives deletion no
    /// time).
    pub(super) fn provisioner_delete(&mut self, ctx: &mut Ctx, id: PvId) {
        let Some(v) = ctx.cluster.storage.volumes.get(id) else { return };
        let by = v.status.annotations.get(keys::PROVISIONED_BY).map(String::as_str);
        if v.status.phase != PvPhase::Released
            || v.reclaim != ReclaimPolicy::Delete
            || v.status.deletion.is_some()
            || by.is_none_or(|p| p == keys::NO_PROVISIONER)
        {
            return;
        }
        ctx.delete_volume(id);
        ctx.remove_volume_finalizer(id, PROVISIONER_FINALIZER);
    }

    /// An Event from a provisioner about a claim, through its recorder's spam filter.
    fn provisioner_event(&mut self, ctx: &mut Ctx, id: ClaimId, type_: EventType, reason: &str, message: &str) {
        let Some(c) = ctx.cluster.storage.claims.get(id) else { return };
        if self.provisioner_events.accept(c.uid, ctx.now) {
            ctx.claim_event(id, type_, reason, format_args!("{message}"));
        }
    }
}

/// The PV the provisioner saves for a claim (`csi-provisioner`'s `Provision`): the
/// claim's size (the driver gives no more than asked), access modes and volume mode, the
/// class's reclaim policy, a CSI source of the driver, and the zone it was made in.
fn provisioned_volume(ctx: &Ctx, id: ClaimId) -> Option<PersistentVolume> {
    let c = ctx.cluster.storage.claims.get(id)?;
    if c.status.volume_name.is_some() {
        return None;
    }
    let class = ctx.cluster.storage.class(&c.class)?;
    let uid = ctx.claim_uid(c.uid);
    let driver = csi_name(&class.provisioner).to_string();
    let mut pv = PersistentVolume::default();
    pv.metadata.name = provision::volume_name(&uid);
    pv.metadata.annotations.insert(keys::PROVISIONED_BY.to_string(), driver.clone());
    let spec = &mut pv.spec;
    spec.capacity.insert("storage".to_string(), Quantity::new(c.request, Format::BinarySI));
    spec.access_modes = c.api.spec.access_modes.clone();
    spec.persistent_volume_reclaim_policy = Some(class.reclaim.as_str().to_string());
    spec.storage_class_name = Some(c.class.to_string());
    let mode = if c.volume_mode == VolumeMode::Block { "Block" } else { "Filesystem" };
    spec.volume_mode = Some(mode.to_string());
    spec.csi =
        Some(CsiPersistentVolumeSource { driver, volume_handle: pv.metadata.name.clone(), ..Default::default() });
    spec.claim_ref = Some(ObjectReference {
        kind: Some("PersistentVolumeClaim".into()),
        namespace: Some(c.namespace.to_string()),
        name: Some(c.name.to_string()),
        uid: Some(uid),
        api_version: Some("v1".into()),
        resource_version: None,
    });
    spec.node_affinity = zone_of(ctx, id).map(|zone| VolumeNodeAffinity {
        required: Some(NodeSelector {
            node_selector_terms: vec![NodeSelectorTerm {
                match_expressions: vec![NodeSelectorRequirement {
                    key: ZONE.to_string(),
                    operator: NodeSelectorOperator::In,
                    values: vec![zone],
                }],
                match_fields: Vec::new(),
            }],
        }),
    });
    Some(pv)
}

/// The zone the claim's volume is made in (`provision::zone`).
fn zone_of(ctx: &Ctx, id: ClaimId) -> Option<String> {
    let c = ctx.cluster.storage.claims.get(id)?;
    let class = ctx.cluster.storage.class(&c.class)?;
    let zone_of_node = |name: &str| {
        let node = ctx.cluster.node_by_name.get(name)?;
        ctx.cluster.node(*node).labels.get(ZONE).map(String::as_str)
    };
    let selected = c.status.selected_node().map(zone_of_node);
    let allowed = provision::allowed_zones(&class.allowed_topologies);
    let zones = ctx
        .cluster
        .node_ids()
        .filter(|n| ctx.cluster.node(*n).present)
        .filter_map(|n| ctx.cluster.node(n).labels.get(ZONE).map(String::as_str));
    provision::zone(selected, &allowed, zones, &c.name).map(str::to_string)
}
