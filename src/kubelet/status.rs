//! The pod status the kubelet reports: phase (`getPhase`), readiness, and what a phase
//! change sets off (the pod's end frees its node for the scheduler).

use super::conditions::{CondContainer, CondStatus, pod_ready};
use super::phase::{PhaseContainer, StatusView, get_phase};
use crate::cluster::PodId;
use crate::cluster::pod::{ContainerState, Pod, PodPhase};
use crate::sim::Simulation;

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
    get_phase(pod.template.restart_policy, phase_view(pod), pod.terminal, pod.initialized_once)
}

/// The pod's `Ready` condition: the status of [`pod_ready`] without building its
/// messages (this runs at every change of every pod). Readiness gates are not
/// simulated, so a pod with gates never turns ready.
pub fn compute_ready(pod: &Pod) -> bool {
    use crate::cluster::template::ContainerKind;
    pod.start_time.is_some()
        && !pod.phase.is_terminal()
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
    pod_ready(&containers, pod.start_time.is_some(), pod.phase, &gates)
}

impl Simulation {
    /// Recomputes the pod's phase and readiness, recording what changed.
    pub(crate) fn refresh_status(&mut self, id: PodId) {
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        if pod.phase.is_terminal() {
            pod.ready = compute_ready(pod);
            return; // A pod never leaves a terminal phase.
        }
        let phase = compute_phase(pod);
        let reason = pod.phase_reason();
        if phase != pod.phase {
            self.set_phase(id, phase, reason);
            self.after_phase_change(id, phase);
        }
        if let Some(pod) = self.cluster.pods.get_mut(id) {
            pod.ready = compute_ready(pod);
        }
    }

    pub(crate) fn after_phase_change(&mut self, id: PodId, phase: PodPhase) {
        let now = self.now;
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        pod.ready = compute_ready(pod);
        if phase == PodPhase::Running && pod.running_at.is_none() {
            pod.running_at = Some(now);
            let latency = now.since(pod.created);
            self.counters.startup_latency.record(latency);
        }
        if phase.is_terminal() {
            self.on_pod_terminal(id);
        }
    }

    /// The pod is Succeeded or Failed: it no longer holds its node's resources, and
    /// whatever still runs in it is stopped.
    pub(crate) fn on_pod_terminal(&mut self, id: PodId) {
        let now = self.now;
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        pod.finished_at.get_or_insert(now);
        pod.deadline_timer.cancel();
        // Nothing that is not running will start any more (back-offs, pulls).
        for c in pod.containers.iter_mut().filter(|c| !c.is_alive() && c.stage != crate::cluster::pod::Stage::Exited) {
            c.timer.cancel();
            c.probe_timer.cancel();
            c.stage = crate::cluster::pod::Stage::Idle;
        }
        let alive = pod.containers.iter().any(|c| c.is_alive());
        let grace = pod.template.grace;
        self.release_node_resources(id);
        self.podgc_note_terminal(id);
        self.controllers_pod_finished(id);
        if alive {
            self.begin_termination(id, grace);
        } else {
            self.finish_termination(id);
        }
    }

    /// `activeDeadlineSeconds` ran out: the kubelet fails the pod and kills it.
    pub(crate) fn pod_deadline(&mut self, id: PodId, token: crate::engine::TimerToken) {
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        if !pod.deadline_timer.fire(token) || pod.phase.is_terminal() {
            return;
        }
        pod.reason = Some("DeadlineExceeded");
        self.pod_event(
            id,
            false,
            "DeadlineExceeded",
            format_args!("Pod was active on the node longer than the specified deadline"),
        );
        self.set_phase(id, PodPhase::Failed, "DeadlineExceeded");
        self.after_phase_change(id, PodPhase::Failed);
    }
}
