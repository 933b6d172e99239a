//! Stopping a pod's containers (`killPod`, `kuberuntime_container.go`): regular
//! containers first, each given the rest of the grace period (never less than 2 s),
//! then sidecars one by one in reverse order; then the pod is terminal.

use super::Kubelet;
use crate::apiserver::Ctx;
use crate::cluster::PodId;
use crate::cluster::pod::{Stage, TerminatedReason, Termination};
use crate::cluster::template::ContainerKind;
use crate::engine::{Millis, SimTime, TimerToken};
use crate::event::KubeletEvent;
use crate::trace::EventType;

/// `minimumGracePeriodInSeconds`.
const MINIMUM_GRACE: Millis = 2_000;

impl Kubelet {
    /// Starts stopping every container of the pod, with `grace` to do it.
    pub(super) fn begin_termination(&mut self, ctx: &mut Ctx, id: PodId, grace: Millis) {
        let now = ctx.now;
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        if pod.termination.is_none() {
            pod.termination = Some(Termination { since: now, deadline: now.after(grace) });
        }
        pod.deadline_timer.cancel();
        self.continue_termination(ctx, id);
    }

    /// The next step of a termination: called again whenever a container exits.
    pub(super) fn continue_termination(&mut self, ctx: &mut Ctx, id: PodId) {
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        let (Some(node), Some(termination)) = (pod.node, pod.termination) else { return };
        if !ctx.cluster.node(node).kubelet_up {
            return;
        }
        let pod = ctx.cluster.pods.get_mut(id).expect("exists");
        // Containers not running will not start now.
        for c in pod.containers.iter_mut() {
            if !c.is_alive() && c.stage != Stage::Exited {
                c.stage = Stage::Idle;
                c.timer.cancel();
            }
        }
        let kinds: Vec<ContainerKind> = pod.template.containers.iter().map(|c| c.kind).collect();
        let stopping = |s: &Stage| matches!(s, Stage::Stopping { .. });
        let regular: Vec<(usize, bool)> = (0..kinds.len())
            .filter(|i| kinds[*i] != ContainerKind::Sidecar && pod.containers[*i].is_alive())
            .map(|i| (i, stopping(&pod.containers[i].stage)))
            .collect();
        if !regular.is_empty() {
            for (c, already) in regular {
                if !already {
                    self.stop_container(ctx, id, c, termination.deadline, true);
                }
            }
            return;
        }
        let last_sidecar = (0..kinds.len())
            .rev()
            .find(|i| kinds[*i] == ContainerKind::Sidecar && pod.containers[*i].is_alive())
            .map(|i| (i, stopping(&pod.containers[i].stage)));
        match last_sidecar {
            Some((c, false)) => self.stop_container(ctx, id, c, termination.deadline, true),
            Some((_, true)) => {}
            None => self.finish_termination(ctx, id),
        }
    }

    /// Sends the container SIGTERM: it exits after its behavior's termination time, or
    /// is killed (137) when the grace period runs out.
    pub(super) fn stop_container(&mut self, ctx: &mut Ctx, id: PodId, c: usize, deadline: SimTime, announce: bool) {
        let now = ctx.now;
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        let behavior = pod.containers[c].behavior;
        let stop_code = self.behavior_of(behavior).stop_exit_code;
        let pod = ctx.cluster.pods.get_mut(id).expect("exists");
        let status = &mut pod.containers[c];
        let started_at = match status.stage {
            Stage::Running { started_at } => started_at,
            Stage::Stopping { started_at, .. } => started_at,
            _ => now,
        };
        let kill_at = deadline.max(now.after(MINIMUM_GRACE));
        let exits_at = now.after(status.plan.termination);
        let (at, code) = if exits_at <= kill_at { (exits_at, stop_code) } else { (kill_at, 137) };
        status.stage = Stage::Stopping { started_at, since: now };
        status.planned_exit = Some((code, TerminatedReason::for_exit(code)));
        status.probe_timer.cancel();
        let token: TimerToken = status.timer.arm();
        let name = pod.template.containers[c].name.clone();
        ctx.schedule(at, KubeletEvent::Container { pod: id, container: c as u16, token });
        if announce {
            ctx.container_event(id, c, EventType::Normal, "Killing", format_args!("Stopping container {name}"));
        }
    }

    /// Every container has stopped: the pod is terminal, and a deleted pod leaves the API.
    pub(super) fn finish_termination(&mut self, ctx: &mut Ctx, id: PodId) {
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        pod.termination = None;
        let killed = pod.deletion.is_some() || pod.reason.is_some();
        pod.terminal = true;
        pod.sandbox_timer.cancel();
        // The sandbox goes with the last container: its address is free again.
        ctx.cluster.release_pod_ip(id);
        if killed {
            ctx.report_unstarted_lost(id);
        }
        self.refresh_status(ctx, id);
        if ctx.cluster.pods.get(id).is_some_and(|p| p.deletion.is_some()) {
            ctx.remove_pod(id);
        }
    }
}
