//! The Deployment controller (`pkg/controller/deployment/deployment_controller.go`,
//! `sync.go`, `rolling.go`, `recreate.go`, `progress.go`): each sync finds the new
//! ReplicaSet (the one whose template is the Deployment's), then either scales
//! (a change of `spec.replicas`), or rolls out (RollingUpdate: grow the new set
//! within `maxSurge`, shrink old ones within `maxUnavailable`; Recreate: old sets to
//! zero, then the new one), cleans up the history, and writes the status with its
//! `Available` and `Progressing` conditions. It syncs at once when its ReplicaSets
//! change, so a rollout moves as fast as pods become available.

pub mod kubectl;
pub mod util;

use crate::api::apps::Deployment as ApiDeployment;
use crate::api::pod::PodTemplateSpec;
use crate::apiserver::apps::condition;
use crate::apiserver::record::ObjectRef;
use crate::apiserver::{Change, Ctx, Kind, Watches};
use crate::cluster::apps::{
    ConditionStatus, DESIRED_REPLICAS_ANNOTATION, Deployment, DeploymentStatus, MAX_REPLICAS_ANNOTATION,
    POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION, ReplicaSet, Strategy, annotation_number,
};
use crate::cluster::pod::Owner;
use crate::cluster::template::PodTemplate;
use crate::cluster::{Cluster, DeploymentId, ReplicaSetId};
use crate::engine::SimTime;
use crate::event::DeploymentEvent;
use crate::labels::label_selector_as_selector;
use crate::trace::EventType;
use std::collections::BTreeMap;
use std::sync::Arc;
use util::{Counts, RsView};

/// The Deployment controller. Its per-Deployment state (the sync timer) lives in the
/// Deployment object, in a field only it writes; beside it, a memo of its template
/// comparisons.
#[derive(Default)]
pub struct DeploymentController {
    templates: SameTemplates,
}

/// A set's template and whether it equals its Deployment's, ignoring the hash.
type Compared = (Arc<PodTemplateSpec>, bool);

/// `EqualIgnoreHash` of each set's template with its Deployment's, remembered per
/// Deployment while the Deployment's template stays the same object: every sync asks
/// which set is new (`FindNewReplicaSet`) several times, and comparing the pod specs
/// of a Deployment's ten old sets each time was a tenth of a week of rollouts. Both
/// templates are immutable once made (a change makes a new one), and held here, so an
/// answer found by address is the comparison's.
#[derive(Default)]
struct SameTemplates {
    by_deployment: BTreeMap<DeploymentId, (Arc<PodTemplateSpec>, Vec<Compared>)>,
}

impl SameTemplates {
    /// `equal_ignore_hash(set, deployment)` for a set of the Deployment `id`.
    fn equal(&mut self, id: DeploymentId, set: &Arc<PodTemplateSpec>, deployment: &Arc<PodTemplateSpec>) -> bool {
        let entry = self.by_deployment.entry(id).or_insert_with(|| (deployment.clone(), Vec::new()));
        if !Arc::ptr_eq(&entry.0, deployment) {
            *entry = (deployment.clone(), Vec::new());
        }
        if let Some((_, same)) = entry.1.iter().find(|(t, _)| Arc::ptr_eq(t, set)) {
            return *same;
        }
        let same = equal_ignore_hash(set, deployment);
        entry.1.push((set.clone(), same));
        same
    }
}

impl DeploymentController {
    /// The change kinds it watches: its Deployments, its ReplicaSets' status, and the
    /// end of their pods (a Recreate waits for them).
    pub const WATCHES: Watches =
        Watches::of(&[Kind::DeploymentCreated, Kind::DeploymentUpdated, Kind::ReplicaSetStatus, Kind::PodRemoved]);

    pub fn handle(&mut self, ctx: &mut Ctx, event: DeploymentEvent) {
        match event {
            DeploymentEvent::Sync { deployment, token } => {
                let Some(d) = ctx.cluster.deployments.get_mut(deployment) else { return };
                if d.sync_timer.fire(token) {
                    d.sync_at = None;
                    self.sync(ctx, deployment);
                }
            }
        }
    }

    pub fn observe(&mut self, ctx: &mut Ctx, change: &Change) {
        let deployment = match change {
            Change::DeploymentCreated(d) | Change::DeploymentUpdated(d) => Some(*d),
            Change::ReplicaSetStatus(rs) => ctx.cluster.replicasets.get(*rs).and_then(|r| r.owner),
            Change::PodRemoved { pod, .. } => match pod.owner {
                Owner::ReplicaSet(rs) => ctx.cluster.replicasets.get(rs).and_then(|r| r.owner),
                _ => None,
            },
            _ => None,
        };
        if let Some(d) = deployment {
            enqueue(ctx, d, ctx.now);
        }
    }

    /// `syncDeployment`.
    fn sync(&mut self, ctx: &mut Ctx, id: DeploymentId) {
        let Some(d) = ctx.cluster.deployments.get(id) else { return };
        let (paused, strategy) = (d.paused, d.strategy.clone());
        self.check_paused(ctx, id);
        if paused {
            // Scaling only, and the history clean-up.
            if self.is_scaling_event(ctx.cluster, id) {
                self.scale(ctx, id);
            }
            self.cleanup(ctx, id);
            return self.sync_status(ctx, id);
        }
        if self.is_scaling_event(ctx.cluster, id) {
            self.scale(ctx, id);
            return self.sync_status(ctx, id);
        }
        match strategy {
            Strategy::Recreate => self.rollout_recreate(ctx, id),
            Strategy::RollingUpdate { .. } => self.rollout_rolling(ctx, id),
        }
    }

    /// `rolloutRolling`: the new set grows, else old sets shrink; complete: clean up.
    fn rollout_rolling(&mut self, ctx: &mut Ctx, id: DeploymentId) {
        let new = self.new_replicaset(ctx, id, true);
        let (strategy, replicas) = strategy_of(ctx.cluster, id);
        if let Some(new) = new {
            let all_spec: i64 = views(ctx.cluster, id).iter().map(|(_, v)| v.spec).sum();
            let view = view(ctx.cluster.replicasets.get(new).expect("exists"));
            if let Some(size) = util::reconcile_new(&strategy, replicas, &view, all_spec) {
                self.scale_replicaset(ctx, id, new, size);
                return self.sync_status(ctx, id);
            }
        }
        let old: Vec<(ReplicaSetId, RsView)> =
            views(ctx.cluster, id).into_iter().filter(|(r, _)| Some(*r) != new).collect();
        let new_view = new.and_then(|n| ctx.cluster.replicasets.get(n)).map(view);
        let old_views: Vec<RsView> = old.iter().map(|(_, v)| v.clone()).collect();
        let shrink = util::reconcile_old(&strategy, replicas, &old_views, new_view.as_ref());
        if !shrink.is_empty() {
            for (i, size) in shrink {
                self.scale_replicaset(ctx, id, old[i].0, size);
            }
            return self.sync_status(ctx, id);
        }
        self.finish_sync(ctx, id);
    }

    /// `rolloutRecreate`: every old set to zero, wait for their pods to go, then the
    /// new set at full size.
    fn rollout_recreate(&mut self, ctx: &mut Ctx, id: DeploymentId) {
        let new = self.new_replicaset(ctx, id, false);
        let old: Vec<ReplicaSetId> =
            views(ctx.cluster, id).into_iter().map(|(r, _)| r).filter(|r| Some(*r) != new).collect();
        let mut scaled = false;
        for rs in &old {
            if ctx.cluster.replicasets.get(*rs).is_some_and(|r| r.replicas > 0) {
                self.scale_replicaset(ctx, id, *rs, 0);
                scaled = true;
            }
        }
        if scaled || old_pods_running(ctx.cluster, &old) {
            return self.sync_status(ctx, id);
        }
        let new = match new {
            Some(n) => n,
            None => match self.new_replicaset(ctx, id, true) {
                Some(n) => n,
                None => return self.sync_status(ctx, id),
            },
        };
        let (_, replicas) = strategy_of(ctx.cluster, id);
        if ctx.cluster.replicasets.get(new).is_some_and(|r| i64::from(r.replicas) != replicas) {
            self.scale_replicaset(ctx, id, new, replicas);
            return self.sync_status(ctx, id);
        }
        self.finish_sync(ctx, id);
    }

    /// A rollout with nothing left to scale: clean up once complete, write the status.
    fn finish_sync(&mut self, ctx: &mut Ctx, id: DeploymentId) {
        let status = calculate_status(ctx.cluster, id, &mut self.templates);
        let replicas = i64::from(ctx.cluster.deployments.get(id).map_or(0, |d| d.replicas));
        if util::complete(replicas, &counts(&status), true) {
            self.cleanup(ctx, id);
        }
        self.sync_status(ctx, id);
    }

    /// `isScalingEvent`: an active set whose desired-replicas annotation is not the
    /// Deployment's `spec.replicas`.
    fn is_scaling_event(&self, cluster: &Cluster, id: DeploymentId) -> bool {
        let replicas = i64::from(cluster.deployments.get(id).map_or(0, |d| d.replicas));
        // Only the active sets matter: their annotation alone is read.
        let Some(d) = cluster.deployments.get(id) else { return false };
        d.replicasets.iter().filter_map(|r| cluster.replicasets.get(*r)).any(|rs| {
            rs.replicas > 0
                && annotation_number(&rs.annotations, DESIRED_REPLICAS_ANNOTATION).is_some_and(|d| d != replicas)
        })
    }

    /// `scale`: the only active set takes the new size; a saturated new set makes the
    /// old ones go; otherwise every active set grows or shrinks in proportion.
    fn scale(&mut self, ctx: &mut Ctx, id: DeploymentId) {
        let (strategy, replicas) = strategy_of(ctx.cluster, id);
        let all = views(ctx.cluster, id);
        let active: Vec<&(ReplicaSetId, RsView)> = all.iter().filter(|(_, v)| v.spec > 0).collect();
        let new = find_new(ctx.cluster, id, &mut self.templates);
        if active.len() <= 1 {
            // `FindActiveOrLatest`: the active one, or the newest.
            let target = active.first().map(|(r, _)| *r).or_else(|| all.last().map(|(r, _)| *r));
            if let Some(rs) = target {
                self.scale_replicaset(ctx, id, rs, replicas);
            }
            return;
        }
        if let Some(n) = new.and_then(|n| ctx.cluster.replicasets.get(n).map(|r| (n, view(r))))
            && n.1.spec == replicas
            && n.1.desired == Some(replicas)
            && n.1.available == replicas
        {
            for (rs, v) in &active {
                if *rs != n.0 && v.spec > 0 {
                    self.scale_replicaset(ctx, id, *rs, 0);
                }
            }
            return;
        }
        if !matches!(strategy, Strategy::RollingUpdate { .. }) {
            return;
        }
        let surge = util::max_surge(&strategy, replicas);
        let status_replicas = i64::from(ctx.cluster.deployments.get(id).map_or(0, |d| d.status.replicas));
        let views: Vec<RsView> = active.iter().map(|(_, v)| v.clone()).collect();
        let sizes = util::proportional_scale(&views, replicas, surge, status_replicas);
        for ((rs, _), size) in active.iter().zip(sizes) {
            self.scale_replicaset(ctx, id, *rs, size);
        }
    }

    /// `getNewReplicaSet`: the set whose template is the Deployment's, its revision
    /// made the highest; created (at `NewRSNewReplicas`) when `create` and missing.
    fn new_replicaset(&mut self, ctx: &mut Ctx, id: DeploymentId, create: bool) -> Option<ReplicaSetId> {
        // The sets as they are now, read once (nothing below changes them before a
        // create).
        let all = views(ctx.cluster, id);
        let max_revision = all.iter().map(|(_, v)| v.revision).max().unwrap_or(0);
        if let Some(rs) = find_new(ctx.cluster, id, &mut self.templates) {
            let r = ctx.cluster.replicasets.get(rs).expect("owned");
            let others_higher = all.iter().any(|(o, v)| *o != rs && v.revision >= r.revision());
            if others_higher {
                // `rollout undo` made an old template current again: it becomes the
                // newest revision.
                let revision = (max_revision + 1).to_string();
                ctx.cluster
                    .replicasets
                    .get_mut(rs)
                    .expect("owned")
                    .annotations
                    .insert(REVISION_ANNOTATION.into(), revision.clone());
                ctx.cluster
                    .deployments
                    .get_mut(id)
                    .expect("synced")
                    .annotations
                    .insert(REVISION_ANNOTATION.into(), revision);
            }
            self.progress_found(ctx, id, rs);
            return Some(rs);
        }
        if !create {
            return None;
        }
        let (strategy, replicas) = strategy_of(ctx.cluster, id);
        let all_spec: i64 = all.iter().map(|(_, v)| v.spec).sum();
        let size = util::new_rs_new_replicas(&strategy, replicas, 0, all_spec);
        let rs = build_replicaset(ctx, id, max_revision + 1, size as u32, replicas, &strategy)?;
        let (ns, name) = deployment_name(ctx.cluster, id);
        let rs_name = rs.name.clone();
        let rs_id = ctx.create_replicaset(rs)?;
        ctx.cluster.deployments.get_mut(id).expect("synced").replicasets.insert(rs_id);
        ctx.cluster
            .deployments
            .get_mut(id)
            .expect("synced")
            .annotations
            .insert(REVISION_ANNOTATION.into(), (max_revision + 1).to_string());
        if size > 0 {
            ctx.object_event(
                ObjectRef::of("Deployment", &ns, &name),
                EventType::Normal,
                "ScalingReplicaSet",
                format_args!("Scaled up replica set {rs_name} from 0 to {size}"),
            );
        }
        let d = ctx.cluster.deployments.get(id).expect("synced");
        if d.progress_deadline.is_some() {
            let progressing = condition(
                d.progressing.as_ref(),
                ConditionStatus::True,
                "NewReplicaSetCreated",
                format!("Created new replica set \"{rs_name}\""),
                ctx.now,
            );
            ctx.cluster.deployments.get_mut(id).expect("synced").progressing = Some(progressing);
        }
        Some(rs_id)
    }

    /// `FoundNewReplicaSet` when there was no Progressing condition yet.
    fn progress_found(&mut self, ctx: &mut Ctx, id: DeploymentId, rs: ReplicaSetId) {
        let d = ctx.cluster.deployments.get(id).expect("synced");
        if d.progress_deadline.is_none() || d.progressing.is_some() {
            return;
        }
        let rs_name = ctx.cluster.replicasets.get(rs).map(|r| r.name.clone()).expect("owned");
        let c = condition(
            None,
            ConditionStatus::True,
            "FoundNewReplicaSet",
            format!("Found new replica set \"{rs_name}\""),
            ctx.now,
        );
        ctx.cluster.deployments.get_mut(id).expect("synced").progressing = Some(c);
    }

    /// Resizes one of the Deployment's sets, with its annotations and the event.
    fn scale_replicaset(&mut self, ctx: &mut Ctx, id: DeploymentId, rs: ReplicaSetId, size: i64) {
        let (strategy, replicas) = strategy_of(ctx.cluster, id);
        let Some(r) = ctx.cluster.replicasets.get(rs) else { return };
        let (from, rs_name) = (r.replicas, r.name.clone());
        let size = size.max(0) as u32;
        let max = replicas + util::max_surge(&strategy, replicas);
        let annotations =
            [(DESIRED_REPLICAS_ANNOTATION, replicas.to_string()), (MAX_REPLICAS_ANNOTATION, max.to_string())];
        ctx.scale_replicaset(rs, size, &annotations);
        if from != size {
            let (ns, name) = deployment_name(ctx.cluster, id);
            let way = if size > from { "up" } else { "down" };
            ctx.object_event(
                ObjectRef::of("Deployment", &ns, &name),
                EventType::Normal,
                "ScalingReplicaSet",
                format_args!("Scaled {way} replica set {rs_name} from {from} to {size}"),
            );
        }
    }

    /// `cleanupDeployment`: old empty sets beyond `revisionHistoryLimit` go.
    fn cleanup(&mut self, ctx: &mut Ctx, id: DeploymentId) {
        let Some(d) = ctx.cluster.deployments.get(id) else { return };
        let limit = d.revision_history_limit as usize;
        let new = find_new(ctx.cluster, id, &mut self.templates);
        let old: Vec<(ReplicaSetId, RsView)> =
            views(ctx.cluster, id).into_iter().filter(|(r, _)| Some(*r) != new).collect();
        let views: Vec<RsView> = old.iter().map(|(_, v)| v.clone()).collect();
        for i in util::history_to_delete(&views, limit) {
            ctx.delete_replicaset(old[i].0);
        }
    }

    /// `checkPausedConditions`.
    fn check_paused(&mut self, ctx: &mut Ctx, id: DeploymentId) {
        let now = ctx.now;
        let d = ctx.cluster.deployments.get_mut(id).expect("synced");
        if d.progress_deadline.is_none() {
            return;
        }
        let reason = d.progressing.as_ref().map(|c| c.reason);
        let update = match (d.paused, reason) {
            (true, r) if r != Some("DeploymentPaused") && r != Some("ProgressDeadlineExceeded") => {
                Some(("DeploymentPaused", "Deployment is paused"))
            }
            (false, Some("DeploymentPaused")) => Some(("DeploymentResumed", "Deployment is resumed")),
            _ => None,
        };
        if let Some((reason, message)) = update {
            d.progressing =
                Some(condition(d.progressing.as_ref(), ConditionStatus::Unknown, reason, message.into(), now));
        }
    }

    /// `syncRolloutStatus`: the status, `Available`, and `Progressing` (complete,
    /// progressing or timed out, first match), and a sync when the deadline falls.
    fn sync_status(&mut self, ctx: &mut Ctx, id: DeploymentId) {
        let now = ctx.now;
        let status = calculate_status(ctx.cluster, id, &mut self.templates);
        let d = ctx.cluster.deployments.get(id).expect("synced");
        let replicas = i64::from(d.replicas);
        let min_available = util::min_available(&d.strategy, replicas);
        let available = if i64::from(status.available) >= min_available {
            condition(
                d.available.as_ref(),
                ConditionStatus::True,
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.".into(),
                now,
            )
        } else {
            condition(
                d.available.as_ref(),
                ConditionStatus::False,
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.".into(),
                now,
            )
        };
        let available = match &d.available {
            Some(c) if c.status == available.status && c.reason == available.reason => Some(c.clone()),
            _ => Some(available),
        };
        let progressing = self.progressing(ctx.cluster, id, &status, now);
        ctx.set_deployment_status(id, status, available, progressing);
        self.requeue_stuck(ctx, id);
    }

    /// The `Progressing` condition after this sync.
    fn progressing(
        &mut self,
        cluster: &Cluster,
        id: DeploymentId,
        status: &DeploymentStatus,
        now: SimTime,
    ) -> Option<crate::cluster::apps::Condition> {
        let d = cluster.deployments.get(id).expect("synced");
        let deadline = d.progress_deadline?;
        let current = d.progressing.clone();
        if d.paused || current.as_ref().is_some_and(|c| c.reason == "DeploymentPaused") {
            return current;
        }
        let replicas = i64::from(d.replicas);
        let counts_now = counts(status);
        let was_complete = counts(&d.status).updated == replicas
            && current.as_ref().is_some_and(|c| c.reason == "NewReplicaSetAvailable");
        if was_complete && util::complete(replicas, &counts_now, true) {
            return current;
        }
        let new_name =
            find_new(cluster, id, &mut self.templates).and_then(|r| cluster.replicasets.get(r)).map(|r| r.name.clone());
        let subject = match &new_name {
            Some(n) => format!("ReplicaSet \"{n}\""),
            None => format!("Deployment \"{}\"", d.name),
        };
        if util::complete(replicas, &counts_now, true) {
            return Some(condition(
                current.as_ref(),
                ConditionStatus::True,
                "NewReplicaSetAvailable",
                format!("{subject} has successfully progressed."),
                now,
            ));
        }
        if util::progressing(&counts(&d.status), &counts_now) {
            let mut c = condition(
                current.as_ref(),
                ConditionStatus::True,
                "ReplicaSetUpdated",
                format!("{subject} is progressing."),
                now,
            );
            if let Some(old) = current.as_ref().filter(|o| o.status == ConditionStatus::True) {
                c.last_transition = old.last_transition;
            }
            return Some(c);
        }
        let (reason, last_update) = current.as_ref().map_or(("", d.created), |c| (c.reason, c.last_update));
        if util::timed_out(Some(deadline), reason, last_update, now) {
            if reason == "ProgressDeadlineExceeded" {
                return current;
            }
            return Some(condition(
                current.as_ref(),
                ConditionStatus::False,
                "ProgressDeadlineExceeded",
                format!("{subject} has timed out progressing."),
                now,
            ));
        }
        current
    }

    /// `requeueStuckDeployment`: a sync 1 s after the deadline would fall.
    fn requeue_stuck(&mut self, ctx: &mut Ctx, id: DeploymentId) {
        let d = ctx.cluster.deployments.get(id).expect("synced");
        let (Some(deadline), Some(c)) = (d.progress_deadline, &d.progressing) else { return };
        let replicas = i64::from(d.replicas);
        if util::complete(replicas, &counts(&d.status), true) || c.reason == "ProgressDeadlineExceeded" || d.paused {
            return;
        }
        // deployment/progress.go: `after` = lastUpdateTime + progressDeadlineSeconds - now.
        let due = c.last_update.after(deadline);
        let now = ctx.now;
        let at = if due.ms() >= now.ms() + 1_000 {
            // enqueueAfter(after + 1s): a second more against clock skew.
            due.after(1_000)
        } else if c.reason == "NewReplicaSetAvailable" {
            // A finished rollout that lost availability keeps its condition and never
            // times out: upstream requeues it rate-limited (every 5 ms, the sync's Forget
            // resetting the back-off) for as long as it stays so, and every such sync
            // changes nothing. Its pods' changes sync it anyway.
            return;
        } else {
            // enqueueRateLimited: the workqueue's 5 ms base delay, again after every sync
            // (client-go util/workqueue default_rate_limiters.go), up to the first sync
            // past the deadline.
            SimTime::from_ms(now.ms() + 5 * ((due.ms().saturating_sub(now.ms())) / 5 + 1))
        };
        enqueue(ctx, id, at);
    }
}

/// The Deployment's strategy and `spec.replicas`.
fn strategy_of(cluster: &Cluster, id: DeploymentId) -> (Strategy, i64) {
    let d = cluster.deployments.get(id).expect("synced");
    (d.strategy.clone(), i64::from(d.replicas))
}

fn deployment_name(cluster: &Cluster, id: DeploymentId) -> (Arc<str>, Arc<str>) {
    let d = cluster.deployments.get(id).expect("synced");
    (d.namespace.clone(), d.name.clone())
}

/// A ReplicaSet as the pure rules read it.
fn view(r: &ReplicaSet) -> RsView {
    RsView {
        deleting: false,
        name: r.name.clone(),
        created: r.created,
        revision: r.revision(),
        spec: i64::from(r.replicas),
        replicas: i64::from(r.status.replicas),
        available: i64::from(r.status.available),
        desired: annotation_number(&r.annotations, DESIRED_REPLICAS_ANNOTATION),
        max: annotation_number(&r.annotations, MAX_REPLICAS_ANNOTATION),
    }
}

/// The Deployment's sets, oldest first (`ReplicaSetsByCreationTimestamp`).
fn views(cluster: &Cluster, id: DeploymentId) -> Vec<(ReplicaSetId, RsView)> {
    let sets = oldest_first(cluster, id);
    sets.into_iter().map(|(r, rs)| (r, view(rs))).collect()
}

/// The Deployment's sets, oldest first, by creation time then name.
fn oldest_first(cluster: &Cluster, id: DeploymentId) -> Vec<(ReplicaSetId, &ReplicaSet)> {
    let Some(d) = cluster.deployments.get(id) else { return Vec::new() };
    let mut out: Vec<(ReplicaSetId, &ReplicaSet)> =
        d.replicasets.iter().filter_map(|r| cluster.replicasets.get(*r).map(|x| (*r, x))).collect();
    out.sort_by(|a, b| a.1.created.cmp(&b.1.created).then_with(|| a.1.name.cmp(&b.1.name)));
    out
}

/// `FindNewReplicaSet`: the oldest set whose template equals the Deployment's,
/// ignoring the hash label (`EqualIgnoreHash`).
fn find_new(cluster: &Cluster, id: DeploymentId, templates: &mut SameTemplates) -> Option<ReplicaSetId> {
    let d = cluster.deployments.get(id)?;
    let sets = oldest_first(cluster, id);
    sets.into_iter().find(|(_, rs)| templates.equal(id, &rs.pod_template, &d.template)).map(|(r, _)| r)
}

/// `EqualIgnoreHash`: the templates are equal but for the `pod-template-hash` label.
/// Compared in place: the controller asks it of every set of a Deployment at each sync.
fn equal_ignore_hash(a: &PodTemplateSpec, b: &PodTemplateSpec) -> bool {
    // Every field named, so that a field added to ObjectMeta cannot be forgotten here.
    let crate::api::meta::ObjectMeta { name, generate_name, namespace, labels, annotations } = &a.metadata;
    let other = &b.metadata;
    fn unhashed(labels: &BTreeMap<String, String>) -> impl Iterator<Item = (&String, &String)> {
        labels.iter().filter(|(k, _)| k.as_str() != POD_TEMPLATE_HASH_LABEL)
    }
    a.spec == b.spec
        && *name == other.name
        && *generate_name == other.generate_name
        && *namespace == other.namespace
        && *annotations == other.annotations
        && unhashed(labels).eq(unhashed(&other.labels))
}

/// `oldPodsRunning`: an old set still has pods, or pods not yet terminal.
fn old_pods_running(cluster: &Cluster, old: &[ReplicaSetId]) -> bool {
    old.iter().filter_map(|r| cluster.replicasets.get(*r)).any(|rs| {
        rs.status.replicas > 0 || rs.pods.iter().filter_map(|p| cluster.pods.get(*p)).any(|p| !p.phase.is_terminal())
    })
}

/// `calculateStatus` over the Deployment's sets.
fn calculate_status(cluster: &Cluster, id: DeploymentId, templates: &mut SameTemplates) -> DeploymentStatus {
    let d = cluster.deployments.get(id).expect("synced");
    let new = find_new(cluster, id, templates);
    let mut s = DeploymentStatus::default();
    let mut spec_total = 0;
    for rs in d.replicasets.iter().filter_map(|r| cluster.replicasets.get(*r).map(|x| (*r, x))) {
        s.replicas += rs.1.status.replicas;
        s.ready += rs.1.status.ready;
        s.available += rs.1.status.available;
        spec_total += rs.1.replicas;
        if Some(rs.0) == new {
            s.updated = rs.1.status.replicas;
        }
    }
    s.unavailable = spec_total.saturating_sub(s.available);
    s
}

fn counts(s: &DeploymentStatus) -> Counts {
    Counts {
        replicas: i64::from(s.replicas),
        updated: i64::from(s.updated),
        ready: i64::from(s.ready),
        available: i64::from(s.available),
    }
}

/// The new ReplicaSet of a Deployment: named `<deployment>-<pod-template-hash>`, the
/// hash label on its selector, template and pods.
fn build_replicaset(
    ctx: &mut Ctx,
    id: DeploymentId,
    revision: i64,
    size: u32,
    replicas: i64,
    strategy: &Strategy,
) -> Option<ReplicaSet> {
    let d = ctx.cluster.deployments.get(id)?;
    let bytes = serde_json::to_vec(&*d.template).ok()?;
    let hash = util::template_hash(&bytes, d.collision_count);
    let mut template = (*d.template).clone();
    template.metadata.labels.insert(POD_TEMPLATE_HASH_LABEL.into(), hash.clone());
    let mut api_selector = d.api_selector.clone();
    api_selector.match_labels.insert(POD_TEMPLATE_HASH_LABEL.into(), hash.clone());
    let mut labels = template.metadata.labels.clone();
    labels.insert(POD_TEMPLATE_HASH_LABEL.into(), hash.clone());
    let max = replicas + util::max_surge(strategy, replicas);
    let annotations: BTreeMap<String, String> = [
        (REVISION_ANNOTATION, revision.to_string()),
        (DESIRED_REPLICAS_ANNOTATION, replicas.to_string()),
        (MAX_REPLICAS_ANNOTATION, max.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let (ns, name, min_ready) = (d.namespace.clone(), format!("{}-{hash}", d.name), d.min_ready);
    let compiled = PodTemplate::compile(
        Arc::new(template.spec.clone()),
        &mut ctx.cluster.resources,
        &mut ctx.cluster.images,
        ctx.cluster.api.default_tolerations,
    );
    Some(ReplicaSet {
        uid: 0,
        namespace: ns,
        name: Arc::from(name.as_str()),
        labels: labels.clone(),
        annotations,
        selector: label_selector_as_selector(Some(&api_selector)).ok()?,
        api_selector,
        template: Arc::new(compiled),
        pod_labels: Arc::new(labels),
        pod_annotations: Arc::new(template.metadata.annotations.clone()),
        pod_template: Arc::new(template),
        replicas: size,
        min_ready,
        owner: Some(id),
        created: ctx.now,
        pods: Default::default(),
        status: Default::default(),
        failure: None,
        sync_timer: Default::default(),
        sync_at: None,
        create_failures: 0,
        reported: None,
    })
}

/// Asks for a sync at `at`; an earlier pending one stands (the work queue's rule).
fn enqueue(ctx: &mut Ctx, id: DeploymentId, at: SimTime) {
    let Some(d) = ctx.cluster.deployments.get_mut(id) else { return };
    let Some(token) = d.sync_timer.arm_unless_due_by(&mut d.sync_at, at) else { return };
    ctx.schedule(at.max(ctx.now), DeploymentEvent::Sync { deployment: id, token });
}

/// A Deployment of a manifest (copies are named `<name>-<n>`); `None` when its
/// selector cannot be read (validation refused it already).
pub fn from_manifest(
    cluster: &mut Cluster,
    api: &ApiDeployment,
    copy: Option<u64>,
    now: SimTime,
) -> Option<Deployment> {
    let name = match copy {
        Some(n) => format!("{}-{n}", api.metadata.name),
        None => api.metadata.name.clone(),
    };
    let namespace = cluster.intern_namespace(api.metadata.namespace());
    let mut d = Deployment {
        uid: 0,
        namespace,
        name: Arc::from(name.as_str()),
        api: Arc::new(api.clone()),
        annotations: BTreeMap::new(),
        api_selector: api.spec.selector.clone().filter(|s| label_selector_as_selector(Some(s)).is_ok())?,
        template: Arc::new(api.spec.template.clone()),
        replicas: 0,
        strategy: Strategy::Recreate,
        min_ready: 0,
        revision_history_limit: 10,
        progress_deadline: None,
        paused: false,
        created: now,
        generation: 1,
        observed_generation: 0,
        collision_count: 0,
        replicasets: Default::default(),
        status: Default::default(),
        available: None,
        progressing: None,
        sync_timer: Default::default(),
        sync_at: None,
        reported: None,
    };
    apply_spec(&mut d, api);
    Some(d)
}

/// Takes a (defaulted) spec's fields into the Deployment: at creation, and when a
/// user changes it.
pub fn apply_spec(d: &mut Deployment, api: &ApiDeployment) {
    d.api = Arc::new(api.clone());
    let spec = &api.spec;
    d.template = Arc::new(spec.template.clone());
    d.replicas = spec.replicas.unwrap_or(1).max(0) as u32;
    d.strategy = match spec.strategy.as_ref().and_then(|s| s.type_.as_deref()) {
        Some("Recreate") => Strategy::Recreate,
        _ => {
            let r = spec.strategy.as_ref().and_then(|s| s.rolling_update.clone()).unwrap_or_default();
            let pct = |v: Option<crate::api::apps::IntOrString>| {
                v.unwrap_or(crate::api::apps::IntOrString::String("25%".into()))
            };
            Strategy::RollingUpdate { max_surge: pct(r.max_surge), max_unavailable: pct(r.max_unavailable) }
        }
    };
    d.min_ready = super::replicaset::seconds(spec.min_ready_seconds);
    d.revision_history_limit = spec.revision_history_limit.unwrap_or(10).max(0) as u32;
    // `MaxInt32` means no deadline.
    d.progress_deadline =
        spec.progress_deadline_seconds.filter(|s| *s != i32::MAX).map(|s| u64::try_from(s).unwrap_or(0) * 1000);
    d.paused = spec.paused.unwrap_or(false);
}
