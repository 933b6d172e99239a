//! The pod's sandbox and its network: before it starts any container the kubelet creates
//! the pod sandbox (`kuberuntime_manager.go` `SyncPod` step 4, `createPodSandbox`),
//! whose network the container runtime sets up with the CNI plugin's ADD: the
//! `host-local` IPAM reserves an address of the node's pod CIDR (`cluster::network`).
//! `hostNetwork` pods take the node's address and need no CNI. The address is released
//! (CNI DEL) when the sandbox goes: the pod ended, or the node's runtime lost it.
//! `status.podIP` stays on a terminal pod (kubernetes#125370).

use super::Kubelet;
use crate::apiserver::Ctx;
use crate::cluster::PodId;
use crate::engine::Millis;
use crate::event::KubeletEvent;
use crate::trace::EventType;
use sha2::{Digest, Sha256};

/// `backOffPeriod` (`pkg/kubelet/kubelet.go`): a pod worker whose sync failed is synced
/// again after it (the kubelet adds up to half of it as jitter; podsim does not).
pub(super) const SYNC_RETRY: Millis = 10_000;

/// The CNI plugin podsim's nodes run: the reference `bridge` plugin over `host-local`
/// IPAM on the node's pod CIDR (kubenet's and the CNI documentation's setup).
const CNI_PLUGIN: &str = "bridge";

/// Why a sandbox could not be set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum SandboxError {
    /// The node has no pod CIDR (the cluster CIDR was full): its CNI has no
    /// configuration, so the runtime's network is not ready.
    NetworkNotReady,
    /// The node's range has no free address (`no IP addresses available in range set`).
    Exhausted(String),
}

impl Kubelet {
    /// The sandbox is up: its address is reserved, or the pod uses the node's network.
    pub(super) fn sandbox_ready(ctx: &Ctx, id: PodId) -> bool {
        ctx.cluster.pods.get(id).is_some_and(|p| p.ip_held || host_network(p))
    }

    /// Creates the pod's sandbox if it has none: reserves its address and writes it to
    /// `status.podIP`. Records nothing on failure (see [`Kubelet::sandbox_failed`]).
    pub(super) fn create_sandbox(&mut self, ctx: &mut Ctx, id: PodId) -> Result<(), SandboxError> {
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return Ok(()) };
        let Some(node) = pod.node else { return Ok(()) };
        if host_network(pod) {
            let ip = ctx.cluster.node(node).ip;
            ctx.set_pod_ip(id, Some(ip));
            return Ok(());
        }
        if pod.ip_held {
            return Ok(());
        }
        pod.sandboxes += 1;
        let Some(range) = ctx.cluster.nodes[node.0 as usize].pod_range.as_mut() else {
            return Err(SandboxError::NetworkNotReady);
        };
        let Some(ip) = range.allocate() else { return Err(SandboxError::Exhausted(range.range_text())) };
        ctx.cluster.pods.get_mut(id).expect("read above").ip_held = true;
        ctx.set_pod_ip(id, Some(ip));
        Ok(())
    }

    /// The sync failed at the sandbox: the kubelet's event, and another sync after the
    /// pod worker's back-off. The containers stay `ContainerCreating`.
    pub(super) fn sandbox_failed(&mut self, ctx: &mut Ctx, id: PodId, error: SandboxError) {
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        let token = pod.sandbox_timer.arm();
        match error {
            SandboxError::NetworkNotReady => {
                // `syncPod` (`pkg/kubelet/kubelet.go`): `NetworkNotReadyErrorMsg` and the
                // runtime's network condition.
                ctx.pod_event(
                    id,
                    EventType::Warning,
                    "NetworkNotReady",
                    format_args!(
                        "network is not ready: container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized"
                    ),
                );
            }
            SandboxError::Exhausted(range) => {
                // `kuberuntime_manager.go` "Failed to create pod sandbox: %v", wrapping
                // containerd's "failed to setup network for sandbox %q", libcni's
                // "plugin type=%q failed (add)", host-local's "failed to allocate for
                // range %d" and allocator.go's "no IP addresses available in range set".
                let sandbox = sandbox_id(pod);
                ctx.pod_event(
                    id,
                    EventType::Warning,
                    "FailedCreatePodSandBox",
                    format_args!(
                        "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox \"{sandbox}\": plugin type=\"{CNI_PLUGIN}\" failed (add): failed to allocate for range 0: no IP addresses available in range set: {range}"
                    ),
                );
            }
        }
        ctx.at(SYNC_RETRY, KubeletEvent::Sandbox { pod: id, token });
    }

    /// The pod worker syncs the pod again: another try at its sandbox.
    pub(super) fn retry_sandbox(&mut self, ctx: &mut Ctx, id: PodId, token: crate::engine::TimerToken) {
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        if !pod.sandbox_timer.fire(token) || pod.terminal || pod.termination.is_some() || pod.sandbox_lost {
            return;
        }
        let Some(node) = pod.node else { return };
        if !ctx.cluster.node(node).kubelet_up {
            return;
        }
        match self.create_sandbox(ctx, id) {
            Ok(()) => self.sync(ctx, id),
            Err(e) => self.sandbox_failed(ctx, id, e),
        }
    }
}

pub(super) fn host_network(pod: &crate::cluster::Pod) -> bool {
    pod.template.spec.host_network == Some(true)
}

/// The id containerd gives a sandbox (64 hex digits), made from the pod and the
/// attempt so that it is the same on every run.
fn sandbox_id(pod: &crate::cluster::Pod) -> String {
    let digest = Sha256::digest(format!("{}/{}/{}/{}", pod.namespace, pod.name, pod.uid, pod.sandboxes));
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
