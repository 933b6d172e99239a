//! The ReplicaSet controller (`pkg/controller/replicaset/replica_set.go`): each sync
//! counts the active pods (not terminal, not terminating), creates the missing ones
//! (at most `BurstReplicas` in slow-start batches) or deletes the surplus (ranked by
//! [`ranking`]), and writes the status. It syncs at once on every change of its pods:
//! a terminating pod is replaced the moment it starts terminating.

pub mod ranking;

use crate::api::apps::ReplicaSet as ApiReplicaSet;
use crate::apiserver::pods::{CreateError, PodRequest};
use crate::apiserver::record::ObjectRef;
use crate::apiserver::{Change, Ctx, Kind, Watches};
use crate::cluster::apps::{ReplicaSet, ReplicaSetStatus};
use crate::cluster::pod::{Owner, Pod, PodPhase};
use crate::cluster::template::{ContainerKind, PodTemplate};
use crate::cluster::{Cluster, PodId, ReplicaSetId};
use crate::engine::{Millis, SimTime};
use crate::event::ReplicaSetEvent;
use crate::labels::label_selector_as_selector;
use crate::trace::EventType;
use ranking::{Phase, RankedPod};
use std::sync::Arc;

/// `BurstReplicas`: pods created or deleted in one sync at most.
const BURST_REPLICAS: usize = 500;
/// `SlowStartInitialBatchSize` (`controller_utils.go`).
const SLOW_START_INITIAL_BATCH: usize = 1;

/// The ReplicaSet controller. Its per-ReplicaSet state (the sync timer, the work
/// queue's back-off) lives in the ReplicaSet object, in fields only it writes.
#[derive(Default)]
pub struct ReplicaSetController;

impl ReplicaSetController {
    /// The change kinds it watches: its ReplicaSets, and every change of their pods.
    pub const WATCHES: Watches = Watches::of(&[
        Kind::ReplicaSetCreated,
        Kind::ReplicaSetScaled,
        Kind::PodPhase,
        Kind::PodReady,
        Kind::PodDeleting,
        Kind::PodRemoved,
    ]);

    pub fn handle(&mut self, ctx: &mut Ctx, event: ReplicaSetEvent) {
        match event {
            ReplicaSetEvent::Sync { rs, token } => {
                let Some(r) = ctx.cluster.replicasets.get_mut(rs) else { return };
                if r.sync_timer.fire(token) {
                    r.sync_at = None;
                    self.sync(ctx, rs);
                }
            }
        }
    }

    pub fn observe(&mut self, ctx: &mut Ctx, change: &Change) {
        match change {
            Change::ReplicaSetCreated(rs) | Change::ReplicaSetScaled(rs) => enqueue(ctx, *rs, ctx.now),
            Change::PodPhase { pod, .. } | Change::PodDeleting(pod) => {
                if let Some(rs) = owner(ctx.cluster, *pod) {
                    enqueue(ctx, rs, ctx.now);
                }
            }
            // A pod that turned ready is looked at again once it is available (the
            // sync computes when: `FindMinNextPodAvailabilityCheck`).
            Change::PodReady { pod, .. } => {
                if let Some(rs) = owner(ctx.cluster, *pod) {
                    enqueue(ctx, rs, ctx.now);
                }
            }
            Change::PodRemoved { id, pod } => {
                if let Owner::ReplicaSet(rs) = pod.owner
                    && let Some(r) = ctx.cluster.replicasets.get_mut(rs)
                {
                    r.pods.remove(id);
                    enqueue(ctx, rs, ctx.now);
                }
            }
            _ => {}
        }
    }

    /// `syncReplicaSet`.
    fn sync(&mut self, ctx: &mut Ctx, id: ReplicaSetId) {
        let active = active_pods(ctx.cluster, id);
        let Some(rs) = ctx.cluster.replicasets.get(id) else { return };
        let want = rs.replicas as usize;
        let failure = if active.len() < want {
            self.create(ctx, id, (want - active.len()).min(BURST_REPLICAS))
        } else {
            if active.len() > want {
                self.delete(ctx, id, &active, (active.len() - want).min(BURST_REPLICAS));
            }
            None
        };
        let status = calculate_status(ctx.cluster, id, ctx.now);
        ctx.set_replicaset_status(id, status, failure);
        self.requeue_for_availability(ctx, id);
    }

    /// Creates `n` pods in slow-start batches; the `ReplicaFailure` message if one failed.
    fn create(&mut self, ctx: &mut Ctx, id: ReplicaSetId, n: usize) -> Option<String> {
        let mut failure = None;
        slow_start(n, |_| match self.create_pod(ctx, id) {
            Ok(()) => true,
            Err(message) => {
                failure = Some(message);
                false
            }
        });
        let rs = ctx.cluster.replicasets.get_mut(id)?;
        match &failure {
            None => rs.create_failures = 0,
            Some(_) => {
                // The work queue's per-key back-off (`DefaultControllerRateLimiter`:
                // 5 ms doubling to 1000 s).
                rs.create_failures += 1;
                let backoff = (5u64 << (rs.create_failures - 1).min(20)).min(1_000_000);
                enqueue(ctx, id, ctx.now.after(backoff));
            }
        }
        failure
    }

    fn create_pod(&mut self, ctx: &mut Ctx, id: ReplicaSetId) -> Result<(), String> {
        let rs = ctx.cluster.replicasets.get(id).expect("synced");
        let request = PodRequest {
            namespace: rs.namespace.to_string(),
            name: String::new(),
            generate_name: Some(format!("{}-", rs.name)),
            labels: rs.pod_labels.clone(),
            annotations: rs.pod_annotations.clone(),
            template: rs.template.clone(),
            owner: Owner::ReplicaSet(id),
        };
        let (ns, name) = (rs.namespace.clone(), rs.name.clone());
        let rs_ref = ObjectRef::of("ReplicaSet", &ns, &name);
        match ctx.create_pod(request) {
            Ok(pod) => {
                ctx.cluster.replicasets.get_mut(id).expect("synced").pods.insert(pod);
                let pod_name = ctx.cluster.pods.get(pod).map(|p| p.name.clone()).unwrap_or_else(|| Arc::from(""));
                ctx.object_event(rs_ref, EventType::Normal, "SuccessfulCreate", ["Created pod: ", &*pod_name]);
                Ok(())
            }
            Err(CreateError::Forbidden(message)) => {
                let message = format!("Error creating: {message}");
                ctx.object_event(rs_ref, EventType::Warning, "FailedCreate", format_args!("{message}"));
                Err(message)
            }
            Err(CreateError::AlreadyExists) => Err("Error creating: the pod already exists".into()),
        }
    }

    /// Deletes `n` of the active pods, the cheapest to lose first.
    fn delete(&mut self, ctx: &mut Ctx, id: ReplicaSetId, active: &[PodId], n: usize) {
        let rs = ctx.cluster.replicasets.get(id).expect("synced");
        let related: Vec<PodId> = match rs.owner.and_then(|d| ctx.cluster.deployments.get(d)) {
            // Every ReplicaSet of the same Deployment (`getIndirectlyRelatedPods`).
            Some(d) => d.replicasets.iter().flat_map(|r| active_pods(ctx.cluster, *r)).collect(),
            None => active.to_vec(),
        };
        let view = |p: &PodId| ranked(ctx.cluster.pods.get(*p).expect("active pods exist"), ctx.cluster);
        let pods: Vec<RankedPod> = active.iter().map(view).collect();
        let related: Vec<RankedPod> = related.iter().map(view).collect();
        let doomed = ranking::pods_to_delete(&pods, &related, n, ctx.now);
        let (ns, name) = (rs.namespace.clone(), rs.name.clone());
        for i in doomed {
            let pod = active[i];
            let pod_name = ctx.cluster.pods.get(pod).map(|p| p.name.clone()).expect("active");
            ctx.delete_pod(pod, None);
            ctx.object_event(
                ObjectRef::of("ReplicaSet", &ns, &name),
                EventType::Normal,
                "SuccessfulDelete",
                ["Deleted pod: ", &*pod_name],
            );
        }
    }

    /// With `minReadySeconds`, a sync when the next ready pod becomes available
    /// (`FindMinNextPodAvailabilityCheck`).
    fn requeue_for_availability(&mut self, ctx: &mut Ctx, id: ReplicaSetId) {
        let Some(rs) = ctx.cluster.replicasets.get(id) else { return };
        if rs.min_ready == 0 {
            return;
        }
        let next = rs
            .pods
            .iter()
            .filter_map(|p| ctx.cluster.pods.get(*p))
            .filter(|p| is_active(p))
            .filter_map(|p| p.ready_since.map(|t| t.after(rs.min_ready)))
            .filter(|t| *t > ctx.now)
            .min();
        if let Some(t) = next {
            enqueue(ctx, id, t);
        }
    }
}

/// Runs `n` calls in slow-start batches.
fn slow_start(n: usize, call: impl FnMut(usize) -> bool) -> usize {
    ranking::slow_start_batch(n, SLOW_START_INITIAL_BATCH, call)
}

/// The ReplicaSet that controls the pod, if one does.
fn owner(cluster: &Cluster, pod: PodId) -> Option<ReplicaSetId> {
    match cluster.pods.get(pod)?.owner {
        Owner::ReplicaSet(rs) => Some(rs),
        _ => None,
    }
}

/// `FilterActivePods`: not Succeeded or Failed, and not terminating.
fn is_active(p: &Pod) -> bool {
    !p.phase.is_terminal() && !p.terminal && p.deletion.is_none()
}

/// The ReplicaSet's active pods, in the order they were created.
pub fn active_pods(cluster: &Cluster, id: ReplicaSetId) -> Vec<PodId> {
    let Some(rs) = cluster.replicasets.get(id) else { return Vec::new() };
    let mut pods: Vec<(u64, PodId)> =
        rs.pods.iter().filter_map(|p| cluster.pods.get(*p).filter(|x| is_active(x)).map(|x| (x.uid, *p))).collect();
    pods.sort_unstable();
    pods.into_iter().map(|(_, p)| p).collect()
}

/// `calculateStatus`.
fn calculate_status(cluster: &Cluster, id: ReplicaSetId, now: SimTime) -> ReplicaSetStatus {
    let rs = cluster.replicasets.get(id).expect("synced");
    let mut s = ReplicaSetStatus::default();
    for p in rs.pods.iter().filter_map(|p| cluster.pods.get(*p)) {
        if p.deletion.is_some() && !p.phase.is_terminal() {
            s.terminating += 1;
        }
        if !is_active(p) {
            continue;
        }
        s.replicas += 1;
        if rs.pod_labels.iter().all(|(k, v)| p.labels.get(k) == Some(v)) {
            s.fully_labeled += 1;
        }
        if let Some(since) = p.ready_since {
            s.ready += 1;
            // `IsPodAvailable`: ready for at least minReadySeconds.
            if rs.min_ready == 0 || since.after(rs.min_ready) <= now {
                s.available += 1;
            }
        }
    }
    s
}

/// A pod as the deletion ranking sees it.
fn ranked<'a>(p: &Pod, cluster: &'a Cluster) -> RankedPod<'a> {
    let max = |kind: ContainerKind| {
        p.containers
            .iter()
            .zip(&p.template.containers)
            .filter(|(_, s)| s.kind == kind)
            .map(|(c, _)| c.restart_count)
            .max()
    };
    RankedPod {
        uid: p.uid,
        node: p.node.map_or("", |n| &cluster.node(n).name),
        phase: match p.phase {
            PodPhase::Pending => Phase::Pending,
            _ => Phase::Running,
        },
        ready_since: p.ready_since,
        deletion_cost: p.annotations.get(ranking::POD_DELETION_COST).and_then(|v| v.parse().ok()).unwrap_or(0),
        restarts: (max(ContainerKind::App).unwrap_or(0), max(ContainerKind::Sidecar).unwrap_or(0)),
        created: p.created,
    }
}

/// Asks for a sync at `at`; an earlier pending one stands (the work queue's rule).
fn enqueue(ctx: &mut Ctx, id: ReplicaSetId, at: SimTime) {
    let Some(rs) = ctx.cluster.replicasets.get_mut(id) else { return };
    let Some(token) = rs.sync_timer.arm_unless_due_by(&mut rs.sync_at, at) else { return };
    ctx.schedule(at.max(ctx.now), ReplicaSetEvent::Sync { rs: id, token });
}

/// A ReplicaSet of a manifest (copies are named `<name>-<n>`); `None` when its
/// selector cannot be read (validation refused it already).
pub fn from_manifest(
    cluster: &mut Cluster,
    api: &ApiReplicaSet,
    copy: Option<u64>,
    now: SimTime,
) -> Option<ReplicaSet> {
    let name = match copy {
        Some(n) => format!("{}-{n}", api.metadata.name),
        None => api.metadata.name.clone(),
    };
    let namespace = cluster.intern_namespace(api.metadata.namespace());
    let spec = &api.spec;
    let template = &spec.template;
    let api_selector = spec.selector.clone()?;
    let selector = label_selector_as_selector(Some(&api_selector)).ok()?;
    Some(ReplicaSet {
        uid: 0,
        namespace,
        name: Arc::from(name.as_str()),
        labels: api.metadata.labels.clone(),
        annotations: api.metadata.annotations.clone(),
        api_selector,
        selector,
        template: Arc::new(PodTemplate::compile(
            Arc::new(template.spec.clone()),
            &mut cluster.resources,
            &mut cluster.images,
            cluster.api.default_tolerations,
        )),
        pod_labels: Arc::new(template.metadata.labels.clone()),
        pod_annotations: Arc::new(template.metadata.annotations.clone()),
        pod_template: Arc::new(template.clone()),
        replicas: spec.replicas.unwrap_or(1).max(0) as u32,
        min_ready: seconds(spec.min_ready_seconds),
        owner: None,
        created: now,
        pods: Default::default(),
        status: Default::default(),
        failure: None,
        sync_timer: Default::default(),
        sync_at: None,
        create_failures: 0,
        reported: None,
    })
}

/// Whole seconds of the API as milliseconds.
pub fn seconds(s: Option<i32>) -> Millis {
    u64::try_from(s.unwrap_or(0)).unwrap_or(0) * 1000
}
