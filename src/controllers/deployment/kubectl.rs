//! What kubectl does to a Deployment, client side (`kubectl scale`, `set image`,
//! `apply`, `rollout undo|restart|pause|resume`: `staging/src/k8s.io/kubectl/pkg/
//! polymorphichelpers/{rollback,objectrestarter}.go`): each changes the spec and the
//! controller sees the change. An error is what kubectl would print.

use super::apply_spec;
use crate::api::apps::Deployment as ApiDeployment;
use crate::apiserver::Ctx;
use crate::cluster::DeploymentId;
use crate::cluster::apps::POD_TEMPLATE_HASH_LABEL;

/// Writes a changed spec.
fn update(
    ctx: &mut Ctx,
    id: DeploymentId,
    change: impl FnOnce(&mut ApiDeployment) -> Result<(), String>,
) -> Result<(), String> {
    let d = ctx.cluster.deployments.get(id).ok_or("no such deployment")?;
    let mut api = (*d.api).clone();
    change(&mut api)?;
    let d = ctx.cluster.deployments.get_mut(id).expect("read above");
    apply_spec(d, &api);
    ctx.update_deployment(id, &api);
    Ok(())
}

/// `kubectl scale deployment/<d> --replicas=<n>`.
pub fn scale(ctx: &mut Ctx, id: DeploymentId, replicas: u32) -> Result<(), String> {
    update(ctx, id, |api| {
        api.spec.replicas = Some(replicas as i32);
        Ok(())
    })
}

/// `kubectl rollout pause` / `resume`.
pub fn pause(ctx: &mut Ctx, id: DeploymentId, paused: bool) -> Result<(), String> {
    update(ctx, id, |api| {
        api.spec.paused = Some(paused);
        Ok(())
    })
}

/// `kubectl set image deployment/<d> <container>=<image>`.
pub fn set_image(ctx: &mut Ctx, id: DeploymentId, images: &[(String, String)]) -> Result<(), String> {
    update(ctx, id, |api| crate::kubectl::template::set_images(&mut api.spec.template, images))
}

/// `kubectl rollout restart`: the pod template's `restartedAt` annotation is now.
pub fn restart(ctx: &mut Ctx, id: DeploymentId, now: jiff::Timestamp) -> Result<(), String> {
    update(ctx, id, |api| {
        if api.spec.paused == Some(true) {
            return Err("can't restart paused deployment (run rollout resume first)".into());
        }
        crate::kubectl::template::restart(&mut api.spec.template, now)
    })
}

/// `kubectl rollout undo [--to-revision=N]`: the template of revision N (0: the
/// previous one) becomes the Deployment's.
pub fn undo(ctx: &mut Ctx, id: DeploymentId, to_revision: i64) -> Result<(), String> {
    let d = ctx.cluster.deployments.get(id).ok_or("no such deployment")?;
    if d.paused {
        return Err(
            "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again"
                .into(),
        );
    }
    let mut history: Vec<(i64, std::sync::Arc<crate::api::pod::PodTemplateSpec>)> = d
        .replicasets
        .iter()
        .filter_map(|r| ctx.cluster.replicasets.get(*r))
        .map(|r| (r.revision(), r.pod_template.clone()))
        .collect();
    history.sort_by_key(|(rev, _)| std::cmp::Reverse(*rev));
    let name = d.name.clone();
    let target = match to_revision {
        0 => history.get(1).ok_or_else(|| format!("no rollout history found for deployment \"{name}\""))?,
        n => history
            .iter()
            .find(|(rev, _)| *rev == n)
            .ok_or_else(|| format!("unable to find specified revision {n} in history"))?,
    };
    let (revision, template) = (target.0, target.1.clone());
    let mut template = (*template).clone();
    template.metadata.labels.remove(POD_TEMPLATE_HASH_LABEL);
    if template == *d.template {
        return Err(format!("skipped rollback (current template already matches revision {revision})"));
    }
    update(ctx, id, |api| {
        api.spec.template = template;
        Ok(())
    })
}

/// `kubectl apply` of a changed Deployment manifest.
pub fn apply(ctx: &mut Ctx, id: DeploymentId, new: &ApiDeployment) -> Result<(), String> {
    update(ctx, id, |api| {
        api.spec = new.spec.clone();
        api.metadata.labels = new.metadata.labels.clone();
        Ok(())
    })
}
