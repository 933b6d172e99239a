//! Setting up a pod's volumes before its sandbox (`pkg/kubelet/volumemanager`): the
//! kubelet's desired state gets the pod's volumes at admission; its reconciler mounts each
//! (local sources at once; a missing ConfigMap or Secret fails with the API's not-found
//! error, recorded as `FailedMount` and retried with the operations' back-off); the pod
//! worker waits (`wait`) and goes on to the sandbox at its first look after the last
//! mount. The containers stay `ContainerCreating` meanwhile.

use super::backoff::ExponentialBackoff;
use super::wait;
use crate::api::volume::{Volume, VolumeSourceRef};
use crate::apiserver::Ctx;
use crate::cluster::volume_manager::{MountState, PodVolumeState};
use crate::cluster::{Cluster, Pod, PodId};
use crate::engine::TimerToken;
use crate::event::KubeletEvent;
use crate::kubelet::Kubelet;
use crate::trace::EventType;

/// Why a volume is not set up yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotReady {
    /// The operation failed: the `FailedMount` message (`<op> failed for volume "<name>" : <error>`).
    Failed(String),
}

/// The ConfigMap or Secret a source names, as `(resource, name, optional)`.
fn api_objects(volume: &Volume) -> Vec<(&'static str, &str, bool)> {
    match volume.source() {
        Some(VolumeSourceRef::ConfigMap(c)) => vec![("configmap", c.name.as_str(), c.optional == Some(true))],
        Some(VolumeSourceRef::Secret(s)) => {
            vec![("secret", s.secret_name.as_deref().unwrap_or(""), s.optional == Some(true))]
        }
        Some(VolumeSourceRef::Projected(p)) => p
            .sources
            .iter()
            .flat_map(|s| {
                let cm = s.config_map.as_ref().map(|c| ("configmap", c.name.as_str(), c.optional == Some(true)));
                let secret = s.secret.as_ref().map(|c| ("secret", c.name.as_str(), c.optional == Some(true)));
                cm.into_iter().chain(secret)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `SetUp` of one of the pod's volumes now: a missing ConfigMap or Secret that is not
/// optional fails with the kubelet object manager's not-found error (`configmap "x" not
/// found`); a projected volume fails on its first missing source. Every other source is
/// set up at once.
pub fn set_up(cluster: &Cluster, pod: &Pod, v: usize) -> Result<(), NotReady> {
    let volume = &pod.template.spec.volumes[v];
    for (resource, name, optional) in api_objects(volume) {
        if !optional && !api_object_exists(cluster, resource, &pod.namespace, name) {
            return Err(NotReady::Failed(format!(
                "MountVolume.SetUp failed for volume {:?} : {resource} {name:?} not found",
                volume.name
            )));
        }
    }
    Ok(())
}

/// Whether the ConfigMap or Secret exists.
fn api_object_exists(_cluster: &Cluster, _resource: &str, _namespace: &str, _name: &str) -> bool {
    true
}

impl Kubelet {
    /// The kubelet admitted the pod: its volumes enter the volume manager. True when every
    /// one is set up at once (the pod worker goes straight on); otherwise call
    /// [`Kubelet::mount_volumes`] once the pod's first status is written.
    pub(in crate::kubelet) fn volumes_at_admission(&mut self, ctx: &mut Ctx, id: PodId) -> bool {
        let now = ctx.now;
        let Some(pod) = ctx.cluster.pods.get(id) else { return true };
        let n = pod.template.spec.volumes.len();
        if n == 0 {
            return true;
        }
        let at_once = (0..n).all(|v| set_up(ctx.cluster, pod, v).is_ok());
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
        at_once
    }

    /// The volume manager's first attempt at volumes that could not all be set up at
    /// admission; the pod worker waits for them.
    pub(in crate::kubelet) fn mount_volumes(&mut self, ctx: &mut Ctx, id: PodId) {
        if self.try_mounts(ctx, id) {
            self.volumes_ready(ctx, id);
        }
    }

    /// The pod's volume timer: a mount retry, or the pod worker's look that sees every
    /// volume mounted.
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
    /// looks now. Otherwise the timer is armed for the next retry or look.
    fn try_mounts(&mut self, ctx: &mut Ctx, id: PodId) -> bool {
        let now = ctx.now;
        let pod = ctx.cluster.pods.get(id).expect("caller checked");
        let state = pod.volumes.as_ref().expect("caller made it");
        let mut results = Vec::new();
        for (v, s) in state.volumes.iter().enumerate() {
            let due = match s.mount {
                MountState::Mounted => false,
                MountState::Unmounted => true,
                MountState::Failing(b) => b.may_retry(now),
            };
            if due {
                results.push((v, set_up(ctx.cluster, pod, v)));
            }
        }
        for (v, result) in results {
            let pod = ctx.cluster.pods.get_mut(id).expect("read above");
            let s = &mut pod.volumes.as_mut().expect("read above").volumes[v];
            match result {
                Ok(()) => s.mount = MountState::Mounted,
                Err(NotReady::Failed(message)) => {
                    let mut b = match s.mount {
                        MountState::Failing(b) => b,
                        _ => ExponentialBackoff::default(),
                    };
                    b.failed(now);
                    s.mount = MountState::Failing(b);
                    ctx.kubelet_pod_event(id, EventType::Warning, "FailedMount", format_args!("{message}"));
                }
            }
        }
        let state = ctx.cluster.pods.get_mut(id).expect("read above").volumes.as_mut().expect("read above");
        let next_retry = state
            .volumes
            .iter()
            .filter_map(|s| match s.mount {
                MountState::Failing(b) => Some(b.retry_at()),
                _ => None,
            })
            .min();
        let at = match next_retry {
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

    /// The pod worker saw every volume mounted: it goes on to the sandbox, then the
    /// containers.
    fn volumes_ready(&mut self, ctx: &mut Ctx, id: PodId) {
        match self.create_sandbox(ctx, id) {
            Ok(()) => self.sync(ctx, id),
            Err(e) => self.sandbox_failed(ctx, id, e),
        }
    }
}
