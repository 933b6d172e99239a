//! Setting up a pod's volumes before its sandbox (`pkg/kubelet/volumemanager`): the
//! kubelet's desired state gets the pod's volumes at admission; its reconciler mounts each
//! and the pod worker waits (`wait`), going on to the sandbox at its first look after the
//! last mount. The containers stay `ContainerCreating` meanwhile.
//!
//! Local sources (emptyDir, hostPath, downwardAPI, a node's own PVs) are set up at once.
//! A ConfigMap or Secret that does not exist (and is not `optional`) fails with the API's
//! not-found error, recorded as `FailedMount` and retried with the operations' back-off
//! until it is created. An attachable volume is first verified
//! (`VerifyControllerAttachedVolume`: the kubelet must have published it in
//! `volumesInUse` and the attach/detach controller listed it in `volumesAttached`;
//! failures are retried with the same back-off but record no event), then mounted in the
//! class's mount time.

use super::backoff::ExponentialBackoff;
use super::wait;
use crate::apiserver::Ctx;
use crate::cluster::storage::{ClaimPhase, PvId};
use crate::cluster::volume_manager::{MountState, PodVolumeState};
use crate::cluster::volumes::{Projection, Source};
use crate::cluster::{Cluster, NodeId, Pod, PodId};
use crate::controllers::attachdetach::rules::is_attachable;
use crate::engine::rng::key_of;
use crate::engine::{Stream, TimerToken};
use crate::event::KubeletEvent;
use crate::kubelet::Kubelet;
use crate::trace::EventType;

/// A volume that can be set up now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ready {
    /// At once.
    Now,
    /// The attachable PV is attached and verified: its mount takes the class's time.
    Attached(PvId),
}

/// Why a volume is not set up yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotReady {
    /// The operation failed: the `FailedMount` message (`<op> failed for volume "<name>" : <error>`).
    Failed(String),
    /// Not yet possible, without an event: the claim is not bound (the desired state's
    /// populator cannot process it), or the volume is not attached to the node yet.
    Waiting,
}

/// The ConfigMaps and Secrets a source names, as `(resource, name, optional)`.
fn api_objects(source: &Source) -> Vec<(&'static str, &str, bool)> {
    match source {
        Source::ConfigMap { name, optional } => vec![("configmap", name, *optional)],
        Source::Secret { name, optional } => vec![("secret", name, *optional)],
        Source::Projected(list) => list
            .iter()
            .filter_map(|p| match p {
                Projection::ConfigMap { name, optional } => Some(("configmap", &**name, *optional)),
                Projection::Secret { name, optional } => Some(("secret", &**name, *optional)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The PV a pod's claim volume is bound to, if it is (`createVolumeSpec`: the claim
/// must exist and be bound).
pub fn claim_volume(cluster: &Cluster, pod: &Pod, v: usize) -> Option<PvId> {
    let (_, claim) = pod.template.volumes.claims(&pod.name).find(|(i, _)| *i == v)?;
    let storage = &cluster.storage;
    let claim = storage.claims.get(storage.find_claim(&pod.namespace, &claim)?)?;
    if claim.status.phase != ClaimPhase::Bound {
        return None;
    }
    storage.find_volume(claim.status.volume_name.as_deref()?)
}

/// The attachable PVs the pod's volumes use (what the kubelet reports in use).
pub fn attachable_volumes(cluster: &Cluster, pod: &Pod) -> Vec<PvId> {
    let storage = &cluster.storage;
    (0..pod.template.volumes.volumes.len())
        .filter_map(|v| claim_volume(cluster, pod, v))
        .filter(|pv| storage.volumes.get(*pv).is_some_and(|pv| is_attachable(&pv.source)))
        .collect()
}

/// One attempt at one of the pod's volumes on `node` (`SetUp`, or for an attachable
/// volume `VerifyControllerAttachedVolume`): a missing ConfigMap or Secret that is not
/// optional fails with the kubelet object manager's not-found error (`configmap "x" not
/// found`); a projected volume fails on its first missing source.
pub fn set_up(cluster: &Cluster, pod: &Pod, node: NodeId, v: usize) -> Result<Ready, NotReady> {
    let volume = &pod.template.volumes.volumes[v];
    let storage = &cluster.storage;
    match &volume.source {
        Source::Claim { .. } | Source::Ephemeral(_) => {
            let pv = claim_volume(cluster, pod, v).ok_or(NotReady::Waiting)?;
            let attachable = storage.volumes.get(pv).is_some_and(|p| is_attachable(&p.source));
            if !attachable {
                return Ok(Ready::Now);
            }
            let n = cluster.node(node);
            // "Volume has not been added to the list of VolumesInUse in the node's volume
            // status", then "Volume not attached according to node status".
            if n.volumes.in_use.contains(&pv) && n.volumes_attached.contains(&pv) {
                Ok(Ready::Attached(pv))
            } else {
                Err(NotReady::Waiting)
            }
        }
        source => {
            for (resource, name, optional) in api_objects(source) {
                let exists = match resource {
                    "configmap" => storage.find_config_map(&pod.namespace, name).is_some(),
                    _ => storage.find_secret(&pod.namespace, name).is_some(),
                };
                if !optional && !exists {
                    return Err(NotReady::Failed(format!(
                        "MountVolume.SetUp failed for volume {:?} : {resource} {name:?} not found",
                        &*volume.name
                    )));
                }
            }
            Ok(Ready::Now)
        }
    }
}

impl Kubelet {
    /// The kubelet admitted the pod: its volumes enter the volume manager. True when every
    /// one is set up at once (the pod worker goes straight on); otherwise call
    /// [`Kubelet::mount_volumes`] once the pod's first status is written.
    pub(in crate::kubelet) fn volumes_at_admission(&mut self, ctx: &mut Ctx, id: PodId) -> bool {
        let now = ctx.now;
        let Some(pod) = ctx.cluster.pods.get(id) else { return true };
        let Some(node) = pod.node else { return true };
        let n = pod.template.volumes.volumes.len();
        if n == 0 {
            return true;
        }
        let at_once = (0..n).all(|v| set_up(ctx.cluster, pod, node, v) == Ok(Ready::Now));
        let attachable = !attachable_volumes(ctx.cluster, pod).is_empty();
        let pod = ctx.cluster.pods.get_mut(id).expect("read above");
        let state = pod.volumes.get_or_insert_with(|| Box::new(PodVolumeState::new(n, now)));
        // A kubelet that restarted waits for the pod's volumes anew.
        state.wait_start = now;
        state.ready = at_once;
        if at_once {
            for s in &mut state.volumes {
                s.mount = MountState::Mounted;
            }
        }
        if attachable {
            self.volumes_in_use_may_change(ctx, node);
        }
        at_once
    }

    /// The volume manager's first attempt at volumes that could not all be set up at
    /// admission; the pod worker waits for them.
    pub(in crate::kubelet) fn mount_volumes(&mut self, ctx: &mut Ctx, id: PodId) {
        if self.try_mounts(ctx, id) {
            self.volumes_ready(ctx, id);
        }
    }

    /// The pod's volume timer: a mount retry or end, or the pod worker's look that sees
    /// every volume mounted.
    pub(in crate::kubelet) fn volumes_timer(&mut self, ctx: &mut Ctx, id: PodId, token: TimerToken) {
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        let Some(state) = pod.volumes.as_mut() else { return };
        if !state.timer.fire(token) || state.ready {
            return;
        }
        let (node, stopped) = (pod.node, pod.terminal || pod.termination.is_some() || pod.sandbox_lost);
        if stopped || !node.is_some_and(|n| ctx.cluster.node(n).kubelet_up) {
            return;
        }
        if self.try_mounts(ctx, id) {
            self.volumes_ready(ctx, id);
        }
    }

    /// Mounts what may be tried now; true when every volume is mounted and the pod worker
    /// looks now. Otherwise the timer is armed for the next retry, mount end or look.
    fn try_mounts(&mut self, ctx: &mut Ctx, id: PodId) -> bool {
        let now = ctx.now;
        let pod = ctx.cluster.pods.get(id).expect("caller checked");
        let node = pod.node.expect("admitted");
        let state = pod.volumes.as_ref().expect("caller made it");
        let mut results = Vec::new();
        for (v, s) in state.volumes.iter().enumerate() {
            let due = match s.mount {
                MountState::Mounted => false,
                MountState::Mounting(until) => {
                    if until <= now {
                        results.push((v, Ok(Ready::Now)));
                    }
                    false
                }
                MountState::Unmounted => true,
                MountState::Failing(b) => b.may_retry(now),
            };
            if due {
                results.push((v, set_up(ctx.cluster, pod, node, v)));
            }
        }
        for (v, result) in results {
            let mount = match &result {
                Ok(Ready::Attached(pv)) => self.mount_time(ctx, id, v, *pv),
                _ => 0,
            };
            let pod = ctx.cluster.pods.get_mut(id).expect("read above");
            let s = &mut pod.volumes.as_mut().expect("read above").volumes[v];
            let backoff = match s.mount {
                MountState::Failing(b) => b,
                _ => ExponentialBackoff::default(),
            };
            match result {
                Ok(_) if mount > 0 => s.mount = MountState::Mounting(now.after(mount)),
                Ok(_) => s.mount = MountState::Mounted,
                Err(e) => {
                    let mut b = backoff;
                    b.failed(now);
                    s.mount = MountState::Failing(b);
                    if let NotReady::Failed(message) = e {
                        ctx.kubelet_pod_event(id, EventType::Warning, "FailedMount", format_args!("{message}"));
                    }
                }
            }
        }
        let state = ctx.cluster.pods.get_mut(id).expect("read above").volumes.as_mut().expect("read above");
        let next = state
            .volumes
            .iter()
            .filter_map(|s| match s.mount {
                MountState::Failing(b) => Some(b.retry_at()),
                MountState::Mounting(until) => Some(until),
                _ => None,
            })
            .min();
        let at = match next {
            Some(t) => t,
            None => {
                let look = wait::first_look(state.wait_start, now);
                if look == now {
                    state.ready = true;
                    state.timer.cancel();
                    return true;
                }
                look
            }
        };
        let token = state.timer.arm();
        ctx.schedule(at.max(now), KubeletEvent::Volumes { pod: id, token });
        false
    }

    /// How long mounting the attached volume takes (`MountDevice` and `SetUp`): its
    /// class's mount time, drawn for the pod and volume.
    fn mount_time(&self, ctx: &Ctx, id: PodId, v: usize, pv: PvId) -> u64 {
        let storage = &ctx.cluster.storage;
        let class = storage.volumes.get(pv).map_or("", |p| &*p.class);
        let pod = ctx.cluster.pods.get(id).expect("caller checked");
        let key = key_of(&[&pod.namespace, &pod.name, &pod.template.volumes.volumes[v].name]);
        storage.timings.of(class).mount.sample(&mut self.streams.keyed(Stream::Mounts, key))
    }

    /// The pod worker saw every volume mounted: it goes on to the sandbox, then the
    /// containers.
    fn volumes_ready(&mut self, ctx: &mut Ctx, id: PodId) {
        match self.create_sandbox(ctx, id) {
            Ok(()) => self.sync(ctx, id),
            Err(e) => self.sandbox_failed(ctx, id, e),
        }
    }
}
