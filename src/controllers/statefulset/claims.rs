//! A StatefulSet's PersistentVolumeClaims (`stateful_pod_control.go`,
//! `stateful_set_utils.go`): one claim per template and ordinal, named
//! `<template>-<set>-<ordinal>`, created before the ordinal's pod when missing and kept
//! across its pods; and the `persistentVolumeClaimRetentionPolicy`, carried out as
//! upstream does, with owner references the garbage collector follows: to the set
//! (`whenDeleted: Delete`, deleted with it) and, once its ordinal is scaled away, to
//! the pod (`whenScaled: Delete`, deleted when that pod goes).

use crate::api::statefulset::StatefulSet as ApiStatefulSet;
use crate::api::storage::PersistentVolumeClaim as ApiClaim;
use crate::api::validation_statefulset::DELETE;
use crate::apiserver::Ctx;
use crate::apiserver::record::ObjectRef;
use crate::cluster::StatefulSetId;
use crate::cluster::storage::ClaimId;
use crate::trace::EventType;

/// `getPersistentVolumeClaimName`.
pub fn claim_name(template: &str, set: &str, ordinal: u32) -> String {
    format!("{template}-{set}-{ordinal}")
}

/// `getPersistentVolumeClaims`: each template's claim for the ordinal, with the
/// template's labels and the selector's `matchLabels`.
pub fn claims_for(api: &ApiStatefulSet, ordinal: u32) -> Vec<ApiClaim> {
    let set = &api.metadata.name;
    let match_labels = api.spec.selector.as_ref().map(|s| s.match_labels.clone()).unwrap_or_default();
    api.spec
        .volume_claim_templates
        .iter()
        .map(|t| {
            let mut claim = t.clone();
            claim.metadata.name = claim_name(&t.metadata.name, set, ordinal);
            claim.metadata.namespace = Some(api.metadata.namespace().to_string());
            claim.metadata.labels.extend(match_labels.iter().map(|(k, v)| (k.clone(), v.clone())));
            claim
        })
        .collect()
}

/// `(volume, claim)` names of an ordinal's pod (`updateStorage`).
pub fn volumes_for(api: &ApiStatefulSet, ordinal: u32) -> Vec<(String, String)> {
    let set = &api.metadata.name;
    api.spec
        .volume_claim_templates
        .iter()
        .map(|t| (t.metadata.name.clone(), claim_name(&t.metadata.name, set, ordinal)))
        .collect()
}

/// `PodClaimIsStale`: a claim of the ordinal still refers to an earlier pod of it (its
/// ordinal was scaled away with `whenScaled: Delete`): it is on its way out, and the
/// new pod waits rather than use it.
pub fn stale(ctx: &Ctx, id: StatefulSetId, ordinal: u32) -> bool {
    let Some(sts) = ctx.cluster.statefulsets.get(id) else { return false };
    claims_for(&sts.api, ordinal).iter().any(|c| {
        let found = ctx.cluster.storage.find_claim(&sts.namespace, &c.metadata.name);
        found.and_then(|cid| ctx.cluster.storage.claims.get(cid)).is_some_and(|claim| claim.owner_pod.is_some())
    })
}

/// `createPersistentVolumeClaims`: each missing claim is created (`SuccessfulCreate`
/// "create Claim ... success" on the set); a claim being deleted is an error. The
/// error names what went wrong, as the pod's `FailedCreate` then says.
pub fn create_missing(ctx: &mut Ctx, id: StatefulSetId, ordinal: u32) -> Result<(), String> {
    let Some(sts) = ctx.cluster.statefulsets.get(id) else { return Ok(()) };
    let (ns, set, pod) = (sts.namespace.clone(), sts.name.clone(), sts.pod_name(ordinal));
    let mut errors = Vec::new();
    for claim in claims_for(&sts.api.clone(), ordinal) {
        let name = claim.metadata.name.clone();
        match ctx.cluster.storage.find_claim(&ns, &name).and_then(|c| ctx.cluster.storage.claims.get(c)) {
            Some(existing) => {
                if existing.status.deletion.is_some() {
                    errors.push(format!("pvc {name} is being deleted"));
                }
            }
            None => {
                let set_ref = ObjectRef::of("StatefulSet", &ns, &set);
                if ctx.create_claim(&claim, None, None).is_some() {
                    ctx.object_event(
                        set_ref,
                        EventType::Normal,
                        "SuccessfulCreate",
                        format_args!("create Claim {name} Pod {pod} in StatefulSet {set} success"),
                    );
                } else {
                    let err = format!("persistentvolumeclaims \"{name}\" already exists");
                    ctx.object_event(
                        set_ref,
                        EventType::Warning,
                        "FailedCreate",
                        format_args!("create Claim {name} for Pod {pod} in StatefulSet {set} failed error: {err}"),
                    );
                    errors.push(format!("failed to create PVC {name}: {err}"));
                }
            }
        }
    }
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0)),
        // `utilerrors.NewAggregate`.
        _ => Err(format!("[{}]", errors.join(", "))),
    }
}

/// The owner references the retention policy wants on the ordinal's claims: to the
/// set (`whenDeleted: Delete`, unless the ordinal is condemned under `whenScaled:
/// Delete`) and to the pod (`whenScaled: Delete` and the ordinal condemned)
/// (`updateClaimOwnerRefForSetAndPod`).
fn wanted(api: &ApiStatefulSet, condemned: bool) -> (bool, bool) {
    let policy = api.spec.persistent_volume_claim_retention_policy.as_ref();
    let when_deleted = policy.and_then(|p| p.when_deleted.as_deref()) == Some(DELETE);
    let when_scaled = policy.and_then(|p| p.when_scaled.as_deref()) == Some(DELETE);
    let pod_ref = when_scaled && condemned;
    (when_deleted && !pod_ref, pod_ref)
}

/// `ClaimsMatchRetentionPolicy` and `UpdatePodClaimForRetentionPolicy`: the ordinal's
/// claims get the owner references the policy wants (`pod_uid`: its pod's); true when
/// one changed.
pub fn apply_retention(ctx: &mut Ctx, id: StatefulSetId, ordinal: u32, pod_uid: u64) -> bool {
    let Some(sts) = ctx.cluster.statefulsets.get(id) else { return false };
    let condemned = !sts.in_range(ordinal);
    let (set_ref, pod_ref) = wanted(&sts.api, condemned);
    // By name alone: the claims' whole objects (`claims_for`) were made for every
    // replica at every sync, even for a set without claim templates.
    let (set, ns) = (&sts.api.metadata.name, &sts.namespace);
    let claims: Vec<ClaimId> = sts
        .api
        .spec
        .volume_claim_templates
        .iter()
        .filter_map(|t| ctx.cluster.storage.find_claim(ns, &claim_name(&t.metadata.name, set, ordinal)))
        .collect();
    let mut changed = false;
    for cid in claims {
        let Some(claim) = ctx.cluster.storage.claims.get_mut(cid) else { continue };
        let owner = if pod_ref { Some(pod_uid) } else { claim.owner_pod.filter(|u| *u != pod_uid) };
        if claim.owner_pod != owner {
            claim.owner_pod = owner;
            changed = true;
        }
        let sts = ctx.cluster.statefulsets.get_mut(id).expect("read above");
        let had = sts.owned_claims.contains(&cid);
        if had != set_ref {
            if set_ref {
                sts.owned_claims.insert(cid);
            } else {
                sts.owned_claims.remove(&cid);
            }
            changed = true;
        }
    }
    changed
}
