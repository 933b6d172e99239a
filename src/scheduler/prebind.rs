//! VolumeBinding's Reserve and PreBind (`volume_binding.go`, `binder.go`
//! `AssumePodVolumes`, `BindPodVolumes`, `checkBindings`): the pod is assumed on its
//! node, the chosen PVs get the claim's reference and the claims to provision the
//! `volume.kubernetes.io/selected-node` annotation; then the scheduler polls every
//! second until every claim is bound (the PV controller and the provisioner at work),
//! and only then binds the pod. A binding undone, or still unfinished after
//! `bindTimeoutSeconds` (600 s), sends the pod back to the queue with the error.
//!
//! Upstream binds in a goroutine and polls; podsim polls at the same instants (every
//! whole second since PreBind began) but only after something the pod waits for
//! changed, and once at the deadline.

use super::volume_binding::{self, NodeVolumes};
use super::{PreBind, Scheduler, Spot};
use crate::api::storage::keys;
use crate::apiserver::Ctx;
use crate::cluster::storage::ClaimRef;
use crate::cluster::{Cluster, NodeId, PodId};
use crate::controllers::persistentvolume::matching;
use crate::event::SchedulerEvent;

impl Scheduler {
    /// Reserve and the API writes of PreBind (`bindAPIUpdate`), then the wait.
    pub(super) fn pre_bind(&mut self, ctx: &mut Ctx, id: PodId, node: NodeId, volumes: NodeVolumes) {
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        let namespace = pod.namespace.clone();
        for (claim, pv) in &volumes.static_bindings {
            bind_volume_to_claim(ctx, &namespace, claim, pv);
        }
        let node_name = ctx.cluster.node(node).name.to_string();
        for claim in &volumes.provisions {
            if let Some(c) = ctx.cluster.storage.find_claim(&namespace, claim) {
                ctx.annotate_claim(c, keys::SELECTED_NODE, Some(&node_name));
            }
        }
        // Assumed, the pod leaves the nominator (`AssumePod`).
        self.nominate(ctx.cluster, id, None);
        self.assumed.entry(node).or_default().push(id);
        self.binding.insert(id, PreBind { node, since: ctx.now, volumes, poll_at: None });
        ctx.at(volume_binding::BIND_TIMEOUT_MS, SchedulerEvent::PreBind(id));
        self.poll_soon(ctx);
    }

    /// Something a pod in PreBind may wait for changed: each polls at its next tick.
    pub(super) fn poll_soon(&mut self, ctx: &mut Ctx) {
        let now = ctx.now;
        for (id, b) in self.binding.iter_mut() {
            let ticks = now.since(b.since).div_ceil(volume_binding::BIND_POLL_MS).max(1);
            let at = b.since.after(ticks * volume_binding::BIND_POLL_MS);
            if b.poll_at.is_none_or(|p| p > at || p < now) {
                b.poll_at = Some(at);
                ctx.schedule(at, SchedulerEvent::PreBind(*id));
            }
        }
    }

    /// A poll (`checkBindings`), or the deadline: the pod is bound, waits on, or fails.
    pub(super) fn pre_bind_poll(&mut self, ctx: &mut Ctx, id: PodId) {
        let Some(b) = self.binding.get_mut(&id) else { return };
        if b.poll_at == Some(ctx.now) {
            b.poll_at = None;
        }
        let deadline = b.since.after(volume_binding::BIND_TIMEOUT_MS);
        let (node, done) = (b.node, check_bindings(ctx.cluster, id, b));
        match done {
            Ok(true) => {
                self.unassume(id);
                self.bind(ctx, id, node);
            }
            Ok(false) if ctx.now >= deadline => {
                self.unassume(id);
                // `wait.PollUntilContextTimeout`'s error (⚠ wording of the wrapped error).
                self.schedule_error(ctx, id, "binding volumes: context deadline exceeded");
            }
            Ok(false) => {}
            Err(e) => {
                self.unassume(id);
                self.schedule_error(ctx, id, &format!("binding volumes: {e}"));
            }
        }
    }

    /// The pod leaves PreBind (bound, failed or gone): no longer assumed on its node.
    pub(super) fn unassume(&mut self, id: PodId) {
        let Some(b) = self.binding.remove(&id) else { return };
        if let Some(list) = self.assumed.get_mut(&b.node) {
            list.retain(|p| *p != id);
            if list.is_empty() {
                self.assumed.remove(&b.node);
            }
        }
    }

    /// The pods assumed on `node`.
    pub(super) fn assumed_on(&self, node: NodeId) -> &[PodId] {
        self.assumed.get(&node).map_or(&[], |v| &v[..])
    }

    /// A scheduling error (not a fit error): FailedScheduling with the error, and the
    /// pod goes to the back-off queue (`handleSchedulingFailure` with an `Error` status,
    /// as PreBind's failures are: `running PreBind plugin "VolumeBinding": ...`).
    fn schedule_error(&mut self, ctx: &mut Ctx, id: PodId, error: &str) {
        let now = ctx.now;
        let message = format!("running PreBind plugin \"VolumeBinding\": {error}");
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        ctx.rec.counters.schedule_attempts.error += 1;
        pod.sched.attempts += 1;
        pod.sched.last_failure_at = now;
        // `AddUnschedulableIfNotPresent` refreshes the queue timestamp (see `schedule_failed`).
        pod.sched.queued_at = now;
        let backoff = (self.initial_backoff << pod.sched.attempts.saturating_sub(1).min(20)).min(self.max_backoff);
        let until = now.after(backoff);
        let order = (pod.priority, pod.sched.queued_at);
        ctx.schedule(until, SchedulerEvent::BackoffDone(id));
        let message: std::sync::Arc<str> = message.into();
        self.file_failure(ctx, id, Spot::Backoff(until, order), message);
    }
}

/// `GetBindVolumeToClaim` written to the API: the PV reserved for the claim (its
/// reference with the uid), `bound-by-controller` when it was not already.
fn bind_volume_to_claim(ctx: &mut Ctx, namespace: &str, claim: &str, pv: &str) {
    let storage = &ctx.cluster.storage;
    let (Some(c), Some(v)) = (storage.find_claim(namespace, claim), storage.find_volume(pv)) else { return };
    let c = storage.claims.get(c).expect("found by name");
    let reference = ClaimRef { namespace: c.namespace.clone(), name: c.name.clone(), uid: Some(c.uid) };
    let already = storage.volumes.get(v).and_then(|v| v.status.claim_ref.as_ref()).is_some_and(|r| {
        r.namespace == reference.namespace && r.name == reference.name && r.uid.is_none_or(|u| Some(u) == reference.uid)
    });
    ctx.update_volume(v, "", |s| {
        s.claim_ref = Some(reference);
        if !already {
            s.annotations.entry(keys::BOUND_BY_CONTROLLER.to_string()).or_insert_with(|| "yes".into());
        }
    });
}

/// `checkBindings`: `Ok(true)` when every claim is bound (and its PV still suits the
/// node), `Ok(false)` to wait, `Err` when the binding was undone.
fn check_bindings(cluster: &Cluster, id: PodId, b: &PreBind) -> Result<bool, String> {
    let Some(pod) = cluster.pods.get(id) else { return Err("pod does not exist any more".into()) };
    let node = cluster.node(b.node);
    let storage = &cluster.storage;
    let claim = |name: &str| storage.find_claim(&pod.namespace, name).and_then(|c| storage.claims.get(c));
    let affinity = |pv: &crate::cluster::storage::Volume| {
        matching::check_node_affinity(pv.node_affinity.as_ref(), &node.labels)
            .map_err(|e| format!("pv {:?} node affinity doesn't match node {:?}: {e}", pv.name, node.name))
    };
    for (name, pv) in &b.volumes.static_bindings {
        let Some(v) = storage.find_volume(pv).and_then(|v| storage.volumes.get(v)) else {
            return Err(format!("failed to check binding: pv {pv:?} not found"));
        };
        let Some(c) = claim(name) else { return Err(format!("failed to check binding: pvc {name:?} not found")) };
        affinity(v)?;
        if v.status.claim_ref.as_ref().is_none_or(|r| r.uid.is_none()) {
            return Err(format!("ClaimRef got reset for pv {pv:?}"));
        }
        if !c.status.fully_bound() {
            return Ok(false);
        }
    }
    for name in &b.volumes.provisions {
        let Some(c) = claim(name) else {
            return Err(format!("failed to check provisioning pvc: pvc {name:?} not found"));
        };
        if c.status.selected_node() != Some(&node.name) {
            return Err(format!("provisioning failed for PVC {name:?}"));
        }
        if let Some(pv) = c.status.volume_name.as_deref() {
            // A PV not seen yet is waited for.
            let Some(v) = storage.find_volume(pv).and_then(|v| storage.volumes.get(v)) else { return Ok(false) };
            affinity(v)?;
        }
        if !c.status.fully_bound() {
            return Ok(false);
        }
    }
    Ok(true)
}
