//! The pod status the kubelet reports: phase (`getPhase`), readiness, and what a phase
//! change sets off (the pod's end frees its node for the scheduler).

use super::Kubelet;
use super::conditions::{CondContainer, CondStatus, pod_ready};
use super::phase::{PhaseContainer, StatusView, get_phase};
use crate::apiserver::Ctx;
use crate::cluster::PodId;
use crate::cluster::pod::{ContainerState, Pod, PodPhase, Stage};
use crate::engine::TimerToken;
use crate::trace::EventType;

/// The containers of a pod as `getPhase` sees them (computed as it reads them: this
/// runs at every change of every pod).
pub fn phase_view(pod: &Pod) -> impl Iterator<Item = PhaseContainer> + '_ {
    pod.containers.iter().zip(&pod.template.containers).map(|(s, spec)| PhaseContainer {
        kind: spec.kind,
        restart_policy: spec.restart_policy,
        status: s.state.map(|st| match st {
            ContainerState::Running { .. } => StatusView::Running { started: s.started },
            ContainerState::Terminated(t) => StatusView::Terminated { exit_code: t.exit_code },
            ContainerState::Waiting(_) => StatusView::Waiting { last_exit: s.last_state.map(|t| t.exit_code) },
        }),
    })
}

/// The pod's phase now.
pub fn compute_phase(pod: &Pod) -> PodPhase {
    if pod.start_time.is_none() {
        return PodPhase::Pending;
    }
    if pod.evicted.is_some() && pod.terminal {
        return PodPhase::Failed; // `ShouldEvict` overrides getPhase.
    }
    get_phase(pod.template.restart_policy, phase_view(pod), pod.terminal, pod.initialized)
}

/// The pod's `Ready` condition: the status of [`pod_ready`] without building its
/// messages (this runs at every change of every pod). Readiness gates are not
/// simulated, so a pod with gates never turns ready.
pub fn compute_ready(pod: &Pod) -> bool {
    use crate::cluster::template::ContainerKind;
    pod.start_time.is_some()
        && !pod.kubelet_phase().is_terminal()
        && pod.template.spec.readiness_gates.is_empty()
        && pod
            .containers
            .iter()
            .zip(&pod.template.containers)
            .all(|(s, spec)| spec.kind == ContainerKind::Init || (s.state.is_some() && s.ready))
}

/// The pod's `Ready` condition with its reason and message.
pub fn ready_condition(pod: &Pod) -> super::conditions::Condition {
    let containers: Vec<CondContainer> = pod
        .containers
        .iter()
        .zip(&pod.template.containers)
        .map(|(s, spec)| CondContainer {
            name: &spec.name,
            kind: spec.kind,
            status: s.state.map(|st| CondStatus {
                ready: s.ready,
                started: s.started,
                has_run: !matches!(st, ContainerState::Waiting(_)),
            }),
        })
        .collect();
    let gates: Vec<(&str, Option<&str>)> =
        pod.template.spec.readiness_gates.iter().map(|g| (g.condition_type.as_str(), None)).collect();
    pod_ready(&containers, pod.start_time.is_some(), pod.kubelet_phase(), &gates)
}

impl Kubelet {
    /// Recomputes the pod's phase and readiness, recording what changed.
    pub(super) fn refresh_status(&mut self, ctx: &mut Ctx, id: PodId) {
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        if pod.phase.is_terminal() {
            return; // A pod never leaves a terminal phase (nor turns ready).
        }
        let phase = compute_phase(pod);
        let reason = pod.phase_reason();
        if phase != pod.phase {
            ctx.set_phase(id, phase, reason);
            self.after_phase_change(ctx, id, phase);
        }
        if let Some(pod) = ctx.cluster.pods.get(id) {
            let ready = compute_ready(pod);
            ctx.set_ready(id, ready);
        }
    }

    /// What a phase the kubelet set sets off: readiness, and at the end, the stop of
    /// whatever still runs.
    pub(super) fn after_phase_change(&mut self, ctx: &mut Ctx, id: PodId, phase: PodPhase) {
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        let ready = compute_ready(pod);
        ctx.set_ready(id, ready);
        if phase.is_terminal() {
            self.on_pod_terminal(ctx, id);
        }
    }

    /// The pod is Succeeded or Failed: whatever still runs in it is stopped (its place
    /// on the node was freed with the phase).
    fn on_pod_terminal(&mut self, ctx: &mut Ctx, id: PodId) {
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        pod.deadline_timer.cancel();
        // Nothing that is not running will start any more (back-offs, pulls).
        for c in pod.containers.iter_mut().filter(|c| !c.is_alive() && c.stage != Stage::Exited) {
            c.timer.cancel();
            c.probe_timer.cancel();
            c.stage = Stage::Idle;
        }
        let alive = pod.containers.iter().any(|c| c.is_alive());
        let grace = pod.template.grace;
        if alive {
            self.begin_termination(ctx, id, grace);
        } else {
            self.finish_termination(ctx, id);
        }
    }

    /// `activeDeadlineSeconds` ran out (`activeDeadlineHandler.ShouldEvict`,
    /// `pkg/kubelet/active_deadline.go`): the kubelet records `DeadlineExceeded`, its
    /// status for the pod turns `Failed` (Ready turns False at once) and it kills the pod
    /// with its grace period. The API shows `Failed` with the reason only when the last
    /// container has stopped (`mergePodStatus`, `pkg/kubelet/status/status_manager.go`).
    pub(super) fn pod_deadline(&mut self, ctx: &mut Ctx, id: PodId, token: TimerToken) {
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        if !pod.deadline_timer.fire(token) || pod.phase.is_terminal() || pod.evicted.is_some() {
            return;
        }
        pod.evicted = Some("DeadlineExceeded");
        ctx.kubelet_pod_event(
            id,
            EventType::Normal,
            "DeadlineExceeded",
            format_args!("Pod was active on the node longer than the specified deadline"),
        );
        ctx.set_ready(id, false);
        self.on_pod_terminal(ctx, id);
    }
}
