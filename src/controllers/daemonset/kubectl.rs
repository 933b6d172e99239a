//! What kubectl does to a DaemonSet, client side (`kubectl apply`, `set image`,
//! `rollout restart|undo`: `staging/src/k8s.io/kubectl/pkg/polymorphichelpers/
//! {objectrestarter,rollback}.go`): each writes a new spec, and a changed template is
//! a rollout. An error is what kubectl would print.

use super::template::apply_spec;
use crate::api::daemonset::DaemonSet as ApiDaemonSet;
use crate::apiserver::Ctx;
use crate::cluster::DaemonSetId;

/// Writes a changed spec.
fn update(
    ctx: &mut Ctx,
    id: DaemonSetId,
    change: impl FnOnce(&mut ApiDaemonSet) -> Result<(), String>,
) -> Result<(), String> {
    let ds = ctx.cluster.daemonsets.get(id).ok_or("no such daemonset")?;
    let mut api = (*ds.api).clone();
    change(&mut api)?;
    let ds = ctx.cluster.daemonsets.get_mut(id).expect("read above");
    apply_spec(ds, api);
    ctx.update_daemonset(id);
    Ok(())
}

/// `kubectl apply` of a changed DaemonSet manifest (the selector is immutable).
pub fn apply(ctx: &mut Ctx, id: DaemonSetId, new: &ApiDaemonSet) -> Result<(), String> {
    update(ctx, id, |api| {
        if api.spec.selector != new.spec.selector {
            return Err(format!(
                "DaemonSet.apps \"{}\" is invalid: spec.selector: Invalid value: field is immutable",
                api.metadata.name
            ));
        }
        api.spec = new.spec.clone();
        api.metadata.labels = new.metadata.labels.clone();
        Ok(())
    })
}

/// `kubectl set image daemonset/<ds> <container>=<image>`.
pub fn set_image(ctx: &mut Ctx, id: DaemonSetId, images: &[(String, String)]) -> Result<(), String> {
    update(ctx, id, |api| crate::kubectl::template::set_images(&mut api.spec.template, images))
}

/// `kubectl rollout restart daemonset/<ds>`: the template's `restartedAt` annotation.
pub fn restart(ctx: &mut Ctx, id: DaemonSetId, now: jiff::Timestamp) -> Result<(), String> {
    update(ctx, id, |api| crate::kubectl::template::restart(&mut api.spec.template, now))
}

/// `kubectl rollout undo daemonset/<ds> [--to-revision=N]`: the template of a
/// ControllerRevision (0: the one before the current) becomes the DaemonSet's.
pub fn undo(ctx: &mut Ctx, id: DaemonSetId, to_revision: i64) -> Result<(), String> {
    let ds = ctx.cluster.daemonsets.get(id).ok_or("no such daemonset")?;
    let mut history: Vec<_> = ds.revisions.iter().collect();
    history.sort_by_key(|r| std::cmp::Reverse(r.number));
    let target = match to_revision {
        0 => history.get(1).ok_or("no last revision to roll back to")?,
        n => history
            .iter()
            .find(|r| r.number == n)
            .ok_or_else(|| format!("unable to find specified revision {n} in history"))?,
    };
    if target.hash == ds.hash {
        return Err(format!("skipped rollback (current template already matches revision {})", target.number));
    }
    let template = (*target.template).clone();
    update(ctx, id, |api| {
        api.spec.template = template;
        Ok(())
    })
}
