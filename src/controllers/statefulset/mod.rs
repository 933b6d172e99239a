//! The StatefulSet controller (`pkg/controller/statefulset`: `stateful_set.go`,
//! `stateful_set_control.go`, `stateful_pod_control.go`,
//! `stateful_set_status_updater.go`): each sync brings the ControllerRevisions up to
//! date, decides (`control.rs`) which pods to create and delete, does it with the
//! events `stateful_pod_control.go` records, writes the status (completing a rolling
//! update), and trims the history. It syncs at once on a change of its spec or of one
//! of its pods, and `minReadySeconds` after a pod turns ready.

pub mod claims;
pub mod control;
pub mod kubectl;
pub mod template;

use crate::apiserver::pods::{CreateError, PodRequest};
use crate::apiserver::record::ObjectRef;
use crate::apiserver::{Change, Ctx, Kind, Watches};
use crate::cluster::pod::{Owner, Pod};
use crate::cluster::statefulset::{PodManagement, SetPod, StatefulSet, StatefulSetStatus, UpdateStrategy};
use crate::cluster::{Cluster, StatefulSetId};
use crate::engine::SimTime;
use crate::event::StatefulSetEvent;
use crate::trace::EventType;
use control::{Op, PodView, Replica, Update, same_revision};
use std::collections::BTreeSet;
use std::sync::Arc;

pub use template::from_manifest;

/// `MaxBatchSize`: the most creates or deletes in flight in one Parallel batch.
const MAX_BATCH: usize = 500;

/// The StatefulSet controller. Its per-set state (the sync timer, the failure count)
/// lives in the StatefulSet object, in fields only it writes.
pub struct StatefulSetController {
    /// The `MaxUnavailableStatefulSet` feature gate of kube-controller-manager.
    max_unavailable_gate: bool,
}

impl StatefulSetController {
    pub fn new(max_unavailable_gate: bool) -> StatefulSetController {
        StatefulSetController { max_unavailable_gate }
    }

    /// The change kinds it watches: its StatefulSets and their pods.
    pub const WATCHES: Watches = Watches::of(&[
        Kind::StatefulSetCreated,
        Kind::StatefulSetUpdated,
        Kind::PodPhase,
        Kind::PodReady,
        Kind::PodDeleting,
        Kind::PodRemoved,
    ]);

    pub fn handle(&mut self, ctx: &mut Ctx, event: StatefulSetEvent) {
        match event {
            StatefulSetEvent::Sync { sts, token } => {
                let Some(s) = ctx.cluster.statefulsets.get_mut(sts) else { return };
                if s.sync_timer.fire(token) {
                    s.sync_at = None;
                    self.sync(ctx, sts);
                }
            }
        }
    }

    pub fn observe(&mut self, ctx: &mut Ctx, change: &Change) {
        match change {
            Change::StatefulSetCreated(s) | Change::StatefulSetUpdated(s) => enqueue(ctx, *s, ctx.now),
            Change::PodPhase { pod, .. } | Change::PodDeleting(pod) => {
                if let Some(Owner::StatefulSet(s)) = ctx.cluster.pods.get(*pod).map(|p| p.owner) {
                    enqueue(ctx, s, ctx.now);
                }
            }
            Change::PodReady { pod, ready } => {
                let Some(Owner::StatefulSet(s)) = ctx.cluster.pods.get(*pod).map(|p| p.owner) else { return };
                enqueue(ctx, s, ctx.now);
                // `updatePod`: a pod that turned ready is looked at again once available.
                let min_ready = ctx.cluster.statefulsets.get(s).map_or(0, |x| x.min_ready);
                if *ready && min_ready > 0 {
                    enqueue(ctx, s, ctx.now.after(min_ready));
                }
            }
            Change::PodRemoved { id, pod } => {
                if let Owner::StatefulSet(s) = pod.owner
                    && let Some(set) = ctx.cluster.statefulsets.get_mut(s)
                {
                    // The pod's ordinal is its name's suffix: looked up there first,
                    // the whole map walked only if the name does not say.
                    let ordinal = pod.name.rsplit('-').next().and_then(|o| o.parse::<u32>().ok());
                    match ordinal.filter(|o| set.pods.get(o).is_some_and(|p| p.id == *id)) {
                        Some(o) => {
                            set.pods.remove(&o);
                        }
                        None => set.pods.retain(|_, p| p.id != *id),
                    }
                    enqueue(ctx, s, ctx.now);
                }
            }
            _ => {}
        }
    }

    /// `sync` → `UpdateStatefulSet`: revisions, the plan and its actions, the status,
    /// the history.
    fn sync(&mut self, ctx: &mut Ctx, id: StatefulSetId) {
        let now = ctx.now;
        let Some(sts) = ctx.cluster.statefulsets.get_mut(id) else { return };
        let (current, update) = template::sync_revisions(sts);
        let sts = ctx.cluster.statefulsets.get(id).expect("synced");
        let views = pod_views(ctx.cluster, sts, now);
        // Borrowed, not copied: a copy per ordinal at every sync was felt with thousands.
        let new_revisions: Vec<&Arc<str>> = (sts.start..sts.start + sts.replicas)
            .map(|o| template::new_pod_revision(sts, o, &current, &update))
            .collect();
        let update_setting = match &sts.strategy {
            UpdateStrategy::OnDelete => Update::OnDelete,
            UpdateStrategy::RollingUpdate { partition, .. } => Update::Rolling {
                partition: partition.unwrap_or(0),
                max_unavailable: self
                    .max_unavailable_gate
                    .then(|| control::max_unavailable(template::max_unavailable(sts), sts.replicas)),
            },
        };
        let input = control::Input {
            start: sts.start,
            replicas: sts.replicas,
            monotonic: sts.management == PodManagement::OrderedReady,
            pods: &views,
            update: update_setting,
            update_revision: &update,
            new_revisions: &new_revisions,
        };
        let plan = control::plan(&input);
        // A sync that changes no pod (half of a rolling update's) counts its status on
        // the pods the plan read, rather than looking each up again after its actions.
        let counted = plan.changes_no_pod().then(|| Count::of(sts, &views, &current, &update));
        let condemned: Vec<u32> = views.iter().map(|v| v.ordinal).filter(|o| !sts.in_range(*o)).collect();
        let failed = self.run_replicas(ctx, id, &plan.replicas, input.monotonic, &current, &update);
        if !failed {
            // The claims of condemned pods first (`fixPodClaim`), then the deletes.
            for ordinal in condemned {
                if let Some(uid) = pod_uid(ctx, id, ordinal) {
                    claims::apply_retention(ctx, id, ordinal, uid);
                }
            }
            for op in plan.condemned.iter().chain(&plan.update) {
                if let Op::Delete(ordinal) = op {
                    delete_pod(ctx, id, *ordinal);
                }
            }
        }
        let count = counted.unwrap_or_else(|| {
            let sts = ctx.cluster.statefulsets.get(id).expect("synced");
            Count::of(sts, &pod_views(ctx.cluster, sts, now), &current, &update)
        });
        ctx.set_statefulset_status(id, count.status, &count.ready);
        let Some(sts) = ctx.cluster.statefulsets.get_mut(id) else { return };
        let mut live: BTreeSet<Arc<str>> = [sts.status.current_revision.clone(), update.clone()].into();
        live.extend(count.run);
        template::truncate_history(sts, &live);
        if failed {
            // The work queue's per-key back-off (`DefaultControllerRateLimiter`: 5 ms
            // doubling to 1000 s).
            sts.failures += 1;
            let backoff = (5u64 << (sts.failures - 1).min(20)).min(1_000_000);
            enqueue(ctx, id, now.after(backoff));
        } else {
            sts.failures = 0;
            // `sync`: while some replica is not available yet, look again after
            // minReadySeconds.
            if sts.min_ready > 0 && sts.status.available != sts.replicas {
                let at = now.after(sts.min_ready);
                enqueue(ctx, id, at);
            }
        }
    }

    /// Phase 1 of the plan: OrderedReady in order; Parallel in slow-start batches
    /// (`runForAll`), a batch with a failed create ending the sync. True when a create
    /// failed.
    fn run_replicas(
        &mut self,
        ctx: &mut Ctx,
        id: StatefulSetId,
        ops: &[Replica],
        monotonic: bool,
        current: &Arc<str>,
        update: &Arc<str>,
    ) -> bool {
        // A pod that stays has nothing to do but with claims: a set without claim
        // templates skips it (a lookup of its pod by ordinal for each of thousands).
        let claims = ctx.cluster.statefulsets.get(id).is_some_and(|s| !s.api.spec.volume_claim_templates.is_empty());
        let run = |ctx: &mut Ctx, r: &Replica| match r.op {
            Some(Op::Create(o)) => create_pod(ctx, id, o, current, update),
            Some(Op::Delete(o)) => {
                delete_pod(ctx, id, o);
                true
            }
            None => !claims || existing_pod(ctx, id, r),
        };
        if monotonic {
            return !ops.iter().all(|r| run(ctx, r));
        }
        let (mut done, mut batch) = (0, 1usize);
        while done < ops.len() {
            let size = batch.min(ops.len() - done);
            let mut failed = false;
            for r in &ops[done..done + size] {
                failed |= !run(ctx, r);
            }
            if failed {
                return true;
            }
            done += size;
            batch = (size * 2).min(MAX_BATCH);
        }
        false
    }
}

/// `updateStatefulSetStatus`'s counts over the set's pods (the views of its sync, or
/// of its pods after the sync's actions), with the rolling update completed when every
/// replica is updated and ready (`completeRollingUpdate`).
struct Count {
    status: StatefulSetStatus,
    /// Each ordinal in range, in order, with whether its pod is ready.
    ready: Vec<(u32, bool)>,
    /// The revisions the set's pods run other than the update revision (what
    /// `truncateHistory` keeps).
    run: BTreeSet<Arc<str>>,
}

impl Count {
    fn of(sts: &StatefulSet, views: &[PodView], current: &Arc<str>, update: &Arc<str>) -> Count {
        let mut s = StatefulSetStatus {
            current_revision: current.clone(),
            update_revision: update.clone(),
            collision_count: sts.status.collision_count,
            observed_generation: sts.generation,
            ..Default::default()
        };
        let mut ready: Vec<(u32, bool)> = (sts.start..sts.start + sts.replicas).map(|o| (o, false)).collect();
        let mut run: BTreeSet<Arc<str>> = BTreeSet::new();
        // The other revision last seen: during a rolling update half the pods run the
        // current one, each looked up in `run` by its text otherwise.
        let mut last_other: Option<&Arc<str>> = None;
        for v in views {
            let revision = v.revision;
            // Looked up before it is copied: nearly every pod runs the update revision.
            if !same_revision(revision, update) && !last_other.is_some_and(|r| same_revision(r, revision)) {
                if !run.contains(revision) {
                    run.insert(revision.clone());
                }
                last_other = Some(revision);
            }
            s.replicas += 1;
            if v.running_and_ready() {
                s.ready += 1;
                // `available` is `IsPodAvailable` on a ready pod.
                s.available += u32::from(v.available);
                if let Some(r) = v.ordinal.checked_sub(sts.start).and_then(|i| ready.get_mut(i as usize)) {
                    r.1 = !v.terminating;
                }
            }
            if !v.terminating {
                s.current += u32::from(same_revision(revision, current));
                s.updated += u32::from(same_revision(revision, update));
            }
        }
        let rolling = matches!(sts.strategy, UpdateStrategy::RollingUpdate { .. });
        if rolling && s.updated == sts.replicas && s.ready == sts.replicas && s.replicas == sts.replicas {
            s.current = s.updated;
            s.current_revision = s.update_revision.clone();
        }
        Count { status: s, ready, run }
    }
}

/// What the plan reads of the set's pods, in the order of their ordinals.
fn pod_views<'a>(cluster: &Cluster, sts: &'a StatefulSet, now: SimTime) -> Vec<PodView<'a>> {
    sts.pods
        .iter()
        .filter_map(|(&ordinal, pod)| cluster.pods.get(pod.id).map(|p| (ordinal, p, &pod.revision)))
        .map(|(ordinal, p, revision)| PodView {
            ordinal,
            phase: p.phase,
            ready: p.ready,
            available: p.ready && available(p, sts.min_ready, now),
            terminating: p.deletion.is_some(),
            revision,
        })
        .collect()
}

/// `IsPodAvailable`: ready for at least `minReadySeconds`.
fn available(p: &Pod, min_ready: u64, now: SimTime) -> bool {
    p.ready_since.is_some_and(|since| min_ready == 0 || since.after(min_ready) <= now)
}

/// The uid number of the ordinal's pod, if it has one.
fn pod_uid(ctx: &Ctx, id: StatefulSetId, ordinal: u32) -> Option<u64> {
    let pod = ctx.cluster.statefulsets.get(id)?.pods.get(&ordinal)?.id;
    ctx.cluster.pods.get(pod).map(|p| p.uid)
}

/// `processReplica` on a pod that exists: a Pending pod's missing claims are created
/// again (`createMissingPersistentVolumeClaims`); a pod past OrderedReady's waits gets
/// its claims' owner references as the retention policy wants them, an update the set
/// records (`UpdateStatefulPod`). False when a claim is being deleted.
fn existing_pod(ctx: &mut Ctx, id: StatefulSetId, r: &Replica) -> bool {
    let Some(pod) = ctx.cluster.statefulsets.get(id).and_then(|s| s.pods.get(&r.ordinal)).map(|p| p.id) else {
        return true;
    };
    let Some((phase, uid)) = ctx.cluster.pods.get(pod).map(|p| (p.phase, p.uid)) else { return true };
    if phase == crate::cluster::pod::PodPhase::Pending && claims::create_missing(ctx, id, r.ordinal).is_err() {
        return false;
    }
    if r.checked && claims::apply_retention(ctx, id, r.ordinal, uid) {
        let sts = ctx.cluster.statefulsets.get(id).expect("read above");
        let (ns, set, pod_name) = (sts.namespace.clone(), sts.name.clone(), sts.pod_name(r.ordinal));
        ctx.object_event(
            ObjectRef::of("StatefulSet", &ns, &set),
            EventType::Normal,
            "SuccessfulUpdate",
            format_args!("update Pod {pod_name} in StatefulSet {set} successful"),
        );
    }
    true
}

/// `CreateStatefulPod`: the ordinal's claims, then its pod at the revision
/// `newVersionedStatefulSetPod` gives it, with `SuccessfulCreate` or `FailedCreate` on
/// the set, then its claims' owner references. False when it failed, or when a claim
/// of the ordinal still belongs to an earlier pod of it (`PodClaimIsStale`: it waits,
/// without an event).
fn create_pod(ctx: &mut Ctx, id: StatefulSetId, ordinal: u32, current: &Arc<str>, update: &Arc<str>) -> bool {
    if claims::stale(ctx, id, ordinal) {
        return false;
    }
    if let Err(e) = claims::create_missing(ctx, id, ordinal) {
        let Some(sts) = ctx.cluster.statefulsets.get(id) else { return false };
        let (ns, set, pod_name) = (sts.namespace.clone(), sts.name.clone(), sts.pod_name(ordinal));
        ctx.object_event(
            ObjectRef::of("StatefulSet", &ns, &set),
            EventType::Warning,
            "FailedCreate",
            format_args!("create Pod {pod_name} in StatefulSet {set} failed error: {e}"),
        );
        return false;
    }
    let Some(sts) = ctx.cluster.statefulsets.get(id) else { return false };
    let revision = template::new_pod_revision(sts, ordinal, current, update).clone();
    let Some((pod, annotations)) = template::pod_for(ctx.cluster, id, &revision, ordinal) else {
        return false;
    };
    let sts = ctx.cluster.statefulsets.get(id).expect("read above");
    let (ns, set_name, pod_name) = (sts.namespace.clone(), sts.name.clone(), sts.pod_name(ordinal));
    let request = PodRequest {
        namespace: ns.to_string(),
        name: pod_name.clone(),
        generate_name: None,
        labels: pod.labels,
        annotations,
        template: pod.template,
        owner: Owner::StatefulSet(id),
    };
    let set_ref = ObjectRef::of("StatefulSet", &ns, &set_name);
    match ctx.create_pod(request) {
        Ok(pod) => {
            let set_pod = SetPod { id: pod, revision: revision.clone() };
            ctx.cluster.statefulsets.get_mut(id).expect("read above").pods.insert(ordinal, set_pod);
            if let Some(uid) = ctx.cluster.pods.get(pod).map(|p| p.uid) {
                claims::apply_retention(ctx, id, ordinal, uid);
            }
            ctx.object_event(
                set_ref,
                EventType::Normal,
                "SuccessfulCreate",
                ["create Pod ", &*pod_name, " in StatefulSet ", &*set_name, " successful"],
            );
            true
        }
        Err(CreateError::Forbidden(message)) => {
            ctx.object_event(
                set_ref,
                EventType::Warning,
                "FailedCreate",
                format_args!("create Pod {pod_name} in StatefulSet {set_name} failed error: {message}"),
            );
            false
        }
        // A pod of that name that is not the set's: `CreateStatefulPod` sinks the
        // error without an event, and the sync is retried.
        Err(CreateError::AlreadyExists) => false,
    }
}

/// `DeleteStatefulPod`: a graceful delete, with `SuccessfulDelete` on the set.
fn delete_pod(ctx: &mut Ctx, id: StatefulSetId, ordinal: u32) {
    let Some(sts) = ctx.cluster.statefulsets.get(id) else { return };
    let Some(pod) = sts.pods.get(&ordinal).map(|p| p.id) else { return };
    let (ns, set_name, pod_name) = (sts.namespace.clone(), sts.name.clone(), sts.pod_name(ordinal));
    ctx.delete_pod(pod, None);
    ctx.object_event(
        ObjectRef::of("StatefulSet", &ns, &set_name),
        EventType::Normal,
        "SuccessfulDelete",
        ["delete Pod ", &*pod_name, " in StatefulSet ", &*set_name, " successful"],
    );
}

/// Asks for a sync at `at`; an earlier pending one stands (the work queue's rule).
fn enqueue(ctx: &mut Ctx, id: StatefulSetId, at: SimTime) {
    let Some(s) = ctx.cluster.statefulsets.get_mut(id) else { return };
    let Some(token) = s.sync_timer.arm_unless_due_by(&mut s.sync_at, at) else { return };
    ctx.schedule(at.max(ctx.now), StatefulSetEvent::Sync { sts: id, token });
}
