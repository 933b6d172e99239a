//! The kubelet as a process on its node: it stops with the node (its containers go with
//! it), starts again (pods still bound get a new sandbox), and admits pods that name its
//! node in `spec.nodeName` without the scheduler.

use super::Kubelet;
use crate::apiserver::Ctx;
use crate::apiserver::record::ObjectRef;
use crate::cluster::node::{ImageState, NodeReady};
use crate::cluster::pod::{ContainerState, PodPhase, Stage, Terminated, WaitingReason};
use crate::cluster::template::ContainerKind;
use crate::cluster::{NodeId, PodId};
use crate::scheduler::filter::{self, Reason};
use crate::trace::EventType;

impl Kubelet {
    /// The kubelet stops: every container on the node is gone with it; the API keeps
    /// showing what it last reported until the node lifecycle controller notices.
    pub fn crash(&mut self, ctx: &mut Ctx, node: NodeId) {
        if !ctx.cluster.node(node).kubelet_up || !ctx.cluster.node(node).present {
            return;
        }
        ctx.rec.counters.node_crashes += 1;
        let n = ctx.cluster.node_mut(node);
        n.kubelet_up = false;
        n.pulls_in_flight = 0;
        n.pull_queue.clear();
        n.images.retain(|_, s| *s == ImageState::Present);
        for id in n.resident.clone() {
            self.writes_stop_all(ctx, id);
            let Some(pod) = ctx.cluster.pods.get_mut(id) else { continue };
            pod.sandbox_lost = true;
            for c in pod.containers.iter_mut() {
                c.timer.cancel();
                c.probe_timer.cancel();
                if c.stage != Stage::Exited {
                    c.stage = Stage::Idle;
                }
            }
        }
        Self::stop_eviction_manager(ctx, node);
        let v = &mut ctx.cluster.node_mut(node).volumes;
        v.status_timer.cancel();
        v.status_at = None;
        ctx.node_heartbeat(node, false);
    }

    /// The kubelet is back: it posts Ready (`KubeletReady`); pods still bound to the
    /// node get a new sandbox and their containers are recreated (init containers run
    /// again); pods deleted meanwhile go.
    pub fn recover(&mut self, ctx: &mut Ctx, node: NodeId) {
        if ctx.cluster.node(node).kubelet_up || !ctx.cluster.node(node).present {
            return;
        }
        ctx.cluster.node_mut(node).kubelet_up = true;
        ctx.cluster.node_mut(node).volumes.kubelet_started = ctx.now;
        ctx.node_heartbeat(node, true);
        if ctx.cluster.node(node).ready != NodeReady::True {
            ctx.set_node_ready(node, NodeReady::True, "KubeletReady");
            let name = ctx.cluster.node(node).name.clone();
            ctx.object_event(
                ObjectRef::node(&name),
                EventType::Normal,
                "NodeReady",
                format_args!("Node {name} status is now: NodeReady"),
            );
        }
        self.volumes_after_restart(ctx, node);
        // Its first node status: `volumesInUse` as its volume manager rebuilds it.
        self.volumes_in_use_may_change(ctx, node);
        for id in ctx.cluster.node(node).resident.clone() {
            self.recreate_sandbox(ctx, id);
        }
        self.start_eviction_manager(ctx, node);
    }

    /// `convertToAPIContainerStatuses` for containers the runtime lost: a running one
    /// becomes Waiting with last state `ContainerStatusUnknown` (137) and one more restart.
    fn recreate_sandbox(&mut self, ctx: &mut Ctx, id: PodId) {
        let now = ctx.now;
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        pod.sandbox_lost = false;
        if pod.start_time.is_none() && pod.deletion.is_none() && !pod.terminal {
            // Bound while the kubelet was down: it sees the pod for the first time now.
            self.admit(ctx, id);
            return;
        }
        if pod.deletion.is_some() || pod.termination.is_some() || pod.terminal {
            // The status manager stamps startTime the first time the kubelet reports.
            pod.start_time.get_or_insert(now);
            // The containers are gone with the old sandbox: the kubelet reports them
            // terminated (ContainerStatusUnknown, 137) and finishes the pod.
            pod.termination = None;
            let running: Vec<usize> = (0..pod.containers.len())
                .filter(|c| matches!(pod.containers[*c].state, Some(ContainerState::Running { .. })))
                .collect();
            for c in running {
                if let Some(p) = ctx.cluster.pods.get_mut(id) {
                    p.containers[c].stage = Stage::Exited;
                }
                ctx.set_container_state(id, c, ContainerState::Terminated(Terminated::lost(now)));
            }
            self.finish_termination(ctx, id);
            return;
        }
        // A new sandbox (`computePodActions` with `CreateSandbox`): the init containers run
        // again, and the pod counts as initialized only once a regular container starts
        // in it (`HasAnyActiveRegularContainerStarted`).
        pod.sandbox_attempt += 1;
        pod.initialized = false;
        let waiting = if pod.template.has_init_containers() {
            WaitingReason::PodInitializing
        } else {
            WaitingReason::ContainerCreating
        };
        let policy = pod.template.restart_policy;
        let containers = pod.containers.len();
        // A pod still waiting for its volumes waits again (from now) before its sandbox.
        let volumes_waiting = pod.volumes.as_ref().is_some_and(|v| !v.ready);
        // The old sandbox is cleaned up (its address released) and a new one made.
        ctx.cluster.release_pod_ip(id);
        let sandbox = (!volumes_waiting).then(|| self.create_sandbox(ctx, id));
        if matches!(sandbox, Some(Err(_))) {
            ctx.set_pod_ip(id, None);
        }
        for c in 0..containers {
            let pod = ctx.cluster.pods.get_mut(id).expect("exists");
            let spec = &pod.template.containers[c];
            let (kind, own_policy) = (spec.kind, spec.restart_policy);
            let status = &mut pod.containers[c];
            let was_running = matches!(status.state, Some(ContainerState::Running { .. }));
            status.has_started = false;
            status.completed = false;
            status.started = false;
            status.ready = false;
            if !was_running {
                // Init containers run again in the new sandbox; a container that had
                // exited for good stays so.
                if status.stage != Stage::Exited || kind == ContainerKind::Init {
                    status.stage = Stage::Idle;
                }
                continue;
            }
            let lost = Terminated::lost(now);
            if !super::actions::restarts(kind, own_policy, policy, 137) {
                // Not restarted: the lost container stays terminated.
                status.stage = Stage::Exited;
                ctx.set_container_state(id, c, ContainerState::Terminated(lost));
                continue;
            }
            status.last_state = Some(lost);
            status.stage = Stage::Idle;
            status.restart_count += 1;
            status.restart_counted = true;
            ctx.rec.counters.restarts += 1;
            ctx.set_container_state(id, c, ContainerState::Waiting(waiting));
        }
        ctx.report_containers(id);
        self.refresh_status(ctx, id);
        match sandbox {
            Some(Ok(())) => self.sync(ctx, id),
            Some(Err(e)) => self.sandbox_failed(ctx, id, e),
            None => {
                if let Some(v) = ctx.cluster.pods.get_mut(id).and_then(|p| p.volumes.as_mut()) {
                    v.wait_start = ctx.now;
                }
                self.mount_volumes(ctx, id);
            }
        }
    }

    /// A pod with `spec.nodeName` skips the scheduler; the kubelet admits it if it fits.
    pub(super) fn bind_by_name(&mut self, ctx: &mut Ctx, id: PodId, node: &str) {
        match ctx.cluster.node_by_name.get(node).copied() {
            Some(n) if ctx.cluster.node(n).present => self.bind_without_scheduler(ctx, id, n),
            _ => {
                let message =
                    format!("pod {} names node {node:?}, which does not exist: it stays Pending", ctx.pod_label(id));
                ctx.warn_once(message)
            }
        }
    }

    /// The pod is bound to the node as it is; the kubelet refuses it when the node lacks
    /// room (`OutOf<resource>`, kubelet admission), and otherwise admits it on seeing
    /// the binding.
    fn bind_without_scheduler(&mut self, ctx: &mut Ctx, id: PodId, node: NodeId) {
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        let template = pod.template.clone();
        let mut reasons = Vec::new();
        filter::fits(&template, ctx.cluster.node(node), &mut reasons);
        ctx.place_on_node(id, node);
        if self.refused_under_pressure(ctx, id) {
            return;
        }
        let refused = reasons.into_iter().find_map(|r| match r {
            Reason::Insufficient(res) => Some(ctx.cluster.resources.name(res).to_string()),
            Reason::TooManyPods => Some("pods".into()),
            _ => None,
        });
        let Some(resource) = refused else { return };
        let reason: &'static str = match resource.as_str() {
            "cpu" => "OutOfcpu",
            "memory" => "OutOfmemory",
            "pods" => "OutOfpods",
            _ => "UnexpectedAdmissionError",
        };
        ctx.cluster.pods.get_mut(id).expect("exists").reason = Some(reason);
        ctx.kubelet_pod_event(
            id,
            EventType::Warning,
            reason,
            format_args!("Node didn't have enough resource: {resource}"),
        );
        ctx.cluster.pods.get_mut(id).expect("exists").start_time = Some(ctx.now);
        ctx.set_phase(id, PodPhase::Failed, reason);
        self.after_phase_change(ctx, id, PodPhase::Failed);
    }
}
