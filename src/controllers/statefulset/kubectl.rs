//! What kubectl does to a StatefulSet, client side (`kubectl apply`, `scale`, `set
//! image`, `rollout restart|undo`: `staging/src/k8s.io/kubectl/pkg/polymorphichelpers/
//! {objectrestarter,rollback}.go`): each writes a new spec; a changed template is a
//! rollout, a changed `spec.replicas` a scale. An error is what kubectl would print.

use super::template::apply_spec;
use crate::api::statefulset::StatefulSet as ApiStatefulSet;
use crate::apiserver::Ctx;
use crate::cluster::StatefulSetId;

/// Writes a changed spec.
fn update(
    ctx: &mut Ctx,
    id: StatefulSetId,
    change: impl FnOnce(&mut ApiStatefulSet) -> Result<(), String>,
) -> Result<(), String> {
    let sts = ctx.cluster.statefulsets.get(id).ok_or("no such statefulset")?;
    let (mut api, before) = ((*sts.api).clone(), sts.replicas);
    change(&mut api)?;
    let sts = ctx.cluster.statefulsets.get_mut(id).expect("read above");
    apply_spec(sts, api);
    ctx.update_statefulset(id, before);
    Ok(())
}

/// `kubectl apply` of a changed StatefulSet manifest: `ValidateStatefulSetUpdate`
/// allows changes to replicas, ordinals, template, updateStrategy,
/// persistentVolumeClaimRetentionPolicy and minReadySeconds only.
pub fn apply(ctx: &mut Ctx, id: StatefulSetId, new: &ApiStatefulSet) -> Result<(), String> {
    update(ctx, id, |api| {
        let mut frozen = new.spec.clone();
        frozen.replicas = api.spec.replicas;
        frozen.ordinals = api.spec.ordinals.clone();
        frozen.template = api.spec.template.clone();
        frozen.update_strategy = api.spec.update_strategy.clone();
        frozen.persistent_volume_claim_retention_policy = api.spec.persistent_volume_claim_retention_policy.clone();
        frozen.min_ready_seconds = api.spec.min_ready_seconds;
        if frozen != api.spec {
            return Err(format!(
                "StatefulSet.apps \"{}\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
                api.metadata.name
            ));
        }
        api.spec = new.spec.clone();
        api.metadata.labels = new.metadata.labels.clone();
        Ok(())
    })
}

/// `kubectl scale statefulset/<name> --replicas=<n>`.
pub fn scale(ctx: &mut Ctx, id: StatefulSetId, replicas: u32) -> Result<(), String> {
    update(ctx, id, |api| {
        api.spec.replicas = Some(i32::try_from(replicas).unwrap_or(i32::MAX));
        Ok(())
    })
}

/// `kubectl patch statefulset/<name> -p '{"spec":{"updateStrategy":{"rollingUpdate":
/// {"partition":N}}}}'`: a RollingUpdate's partition (validated as the API server does).
pub fn partition(ctx: &mut Ctx, id: StatefulSetId, partition: i64) -> Result<(), String> {
    update(ctx, id, |api| {
        let name = api.metadata.name.clone();
        let strategy = api.spec.update_strategy.get_or_insert_with(Default::default);
        if strategy.type_.as_deref() == Some("OnDelete") {
            return Err(format!(
                "StatefulSet.apps \"{name}\" is invalid: spec.updateStrategy.rollingUpdate: Invalid value: apps.RollingUpdateStatefulSetStrategy{{Partition:{partition}, MaxUnavailable:(*intstr.IntOrString)(nil)}}: only allowed for updateStrategy 'RollingUpdate'"
            ));
        }
        let Ok(p) = i32::try_from(partition).map_err(drop).and_then(|p| if p < 0 { Err(()) } else { Ok(p) }) else {
            return Err(format!(
                "StatefulSet.apps \"{name}\" is invalid: spec.updateStrategy.rollingUpdate.partition: Invalid value: {partition}: must be greater than or equal to 0"
            ));
        };
        strategy.rolling_update.get_or_insert_with(Default::default).partition = Some(p);
        Ok(())
    })
}

/// `kubectl set image statefulset/<name> <container>=<image>`.
pub fn set_image(ctx: &mut Ctx, id: StatefulSetId, images: &[(String, String)]) -> Result<(), String> {
    update(ctx, id, |api| crate::kubectl::template::set_images(&mut api.spec.template, images))
}

/// `kubectl rollout restart statefulset/<name>`: the template's `restartedAt` annotation.
pub fn restart(ctx: &mut Ctx, id: StatefulSetId, now: jiff::Timestamp) -> Result<(), String> {
    update(ctx, id, |api| crate::kubectl::template::restart(&mut api.spec.template, now))
}

/// `kubectl rollout undo statefulset/<name> [--to-revision=N]`: the template of a
/// ControllerRevision (0: the one before the latest) becomes the set's.
pub fn undo(ctx: &mut Ctx, id: StatefulSetId, to_revision: i64) -> Result<(), String> {
    let sts = ctx.cluster.statefulsets.get(id).ok_or("no such statefulset")?;
    let mut history: Vec<_> = sts.revisions.iter().collect();
    history.sort_by_key(|r| std::cmp::Reverse(r.number));
    let target = match to_revision {
        0 => history.get(1).ok_or("no last revision to roll back to")?,
        n => history
            .iter()
            .find(|r| r.number == n)
            .ok_or_else(|| format!("unable to find specified revision {n} in history"))?,
    };
    if *target.template == sts.api.spec.template {
        return Err(format!("skipped rollback (current template already matches revision {})", target.number));
    }
    let template = (*target.template).clone();
    update(ctx, id, |api| {
        api.spec.template = template;
        Ok(())
    })
}
