//! Stopping a pod's containers (`killPod`, `kuberuntime_container.go`): every
//! container's `preStop` hook first, all at once, within the grace period; then regular
//! containers, each given the rest of the grace period (never less than 2 s), then
//! sidecars one by one in reverse order; then the pod is terminal.

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
            pod.termination = Some(Termination { since: now, deadline: now.after(grace), announced: false });
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
        if !termination.announced {
            self.announce_killing(ctx, id, &kinds);
            // Every container is killed in its own goroutine: the `preStop` hooks of all
            // of them (sidecars included) run at once, before any waits for its turn.
            for c in 0..kinds.len() {
                self.start_pre_stop(ctx, id, c, termination.deadline);
            }
        }
        let pod = ctx.cluster.pods.get_mut(id).expect("exists");
        // Stopping, or still in its `preStop` hook: nothing to do until it is done.
        let busy = |s: &Stage| matches!(s, Stage::Stopping { .. } | Stage::PreStop { .. });
        let regular: Vec<(usize, bool)> = (0..kinds.len())
            .filter(|i| kinds[*i] != ContainerKind::Sidecar && pod.containers[*i].is_alive())
            .map(|i| (i, busy(&pod.containers[i].stage)))
            .collect();
        if !regular.is_empty() {
            for (c, busy) in regular {
                if !busy {
                    self.signal_stop(ctx, id, c, termination.deadline);
                }
            }
            return;
        }
        let last_sidecar = (0..kinds.len())
            .rev()
            .find(|i| kinds[*i] == ContainerKind::Sidecar && pod.containers[*i].is_alive())
            .map(|i| (i, busy(&pod.containers[i].stage)));
        match last_sidecar {
            Some((c, false)) => self.signal_stop(ctx, id, c, termination.deadline),
            Some((_, true)) => {}
            None => self.finish_termination(ctx, id),
        }
    }

    /// The stop signal, with the grace left after the container's `preStop` hook if it
    /// had one, else what is left of the pod's.
    fn signal_stop(&mut self, ctx: &mut Ctx, id: PodId, c: usize, deadline: SimTime) {
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        let deadline = pod.containers[c].stop_deadline.take().unwrap_or(deadline);
        self.stop_container(ctx, id, c, deadline);
    }

    /// `killContainer` outside a pod's termination (a failed liveness or startup probe,
    /// a failed `postStart` hook): the `preStop` hook, then the stop signal.
    pub(super) fn kill_container(&mut self, ctx: &mut Ctx, id: PodId, c: usize, deadline: SimTime) {
        if !self.start_pre_stop(ctx, id, c, deadline) {
            self.stop_container(ctx, id, c, deadline);
        }
    }

    /// Runs the container's `preStop` hook if it has one, is running, and there is grace
    /// left (`killContainer`: "if gracePeriod > 0"). The kubelet waits for the hook at
    /// most the grace period (`executePreStopHook`). Returns whether a hook started.
    fn start_pre_stop(&mut self, ctx: &mut Ctx, id: PodId, c: usize, deadline: SimTime) -> bool {
        let now = ctx.now;
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return false };
        let status = &mut pod.containers[c];
        let started_at = match status.stage {
            Stage::Running { started_at } | Stage::PostStart { started_at } => started_at,
            _ => return false,
        };
        let Some(hook) = status.plan.pre_stop else { return false };
        if deadline <= now {
            return false;
        }
        status.stage = Stage::PreStop { started_at, since: now, deadline };
        status.probe_timer.cancel();
        let token = status.timer.arm();
        let wait = hook.takes.min(deadline.ms() - now.ms());
        ctx.at(wait, KubeletEvent::Container { pod: id, container: c as u16, token });
        true
    }

    /// The `preStop` hook returned, or the grace period ran out first. The grace left is
    /// the grace minus the hook's time in whole seconds (`executePreStopHook` returns
    /// `int64(elapsed.Seconds())`), never less than 2 s once the signal is sent. A hook
    /// that returned an error records `FailedPreStopHook`.
    pub(super) fn pre_stop_done(&mut self, ctx: &mut Ctx, id: PodId, c: usize, since: SimTime, deadline: SimTime) {
        let now = ctx.now;
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        let status = &mut pod.containers[c];
        let Stage::PreStop { started_at, .. } = status.stage else { return };
        let hook = status.plan.pre_stop.unwrap_or_default();
        let grace = deadline.ms() - since.ms();
        let elapsed = now.ms() - since.ms();
        let left = grace - elapsed / 1_000 * 1_000;
        status.stage = Stage::Running { started_at };
        status.stop_deadline = Some(now.after(left));
        if hook.fails && hook.takes <= grace {
            ctx.container_event(id, c, EventType::Warning, "FailedPreStopHook", format_args!("PreStopHook failed"));
        }
        if ctx.cluster.pods.get(id).is_some_and(|p| p.termination.is_some()) {
            self.continue_termination(ctx, id);
        } else {
            self.signal_stop(ctx, id, c, now.after(left));
        }
    }

    /// `killContainersWithSyncResult` (`pkg/kubelet/kuberuntime/kuberuntime_container.go`)
    /// kills every container at once, each in its own goroutine, and `killContainer`
    /// records `Killing` before it waits for the container's turn (sidecars wait for the
    /// regular containers and for the sidecars after them): so every container's event
    /// comes when the termination begins, regular containers first, then the sidecars in
    /// the order they stop.
    fn announce_killing(&mut self, ctx: &mut Ctx, id: PodId, kinds: &[ContainerKind]) {
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        if let Some(t) = pod.termination.as_mut() {
            t.announced = true;
        }
        let alive = |i: &usize| pod.containers[*i].is_alive();
        let regular = (0..kinds.len()).filter(|i| kinds[*i] != ContainerKind::Sidecar).filter(alive);
        let sidecars = (0..kinds.len()).rev().filter(|i| kinds[*i] == ContainerKind::Sidecar).filter(alive);
        let order: Vec<usize> = regular.chain(sidecars).collect();
        for c in order {
            let name = ctx.cluster.pods.get(id).expect("exists").template.containers[c].name.clone();
            ctx.container_event(id, c, EventType::Normal, "Killing", ["Stopping container ", &*name]);
        }
    }

    /// Sends the container SIGTERM: it exits after its behavior's termination time, or
    /// is killed (137) when the grace period runs out.
    pub(super) fn stop_container(&mut self, ctx: &mut Ctx, id: PodId, c: usize, deadline: SimTime) {
        let now = ctx.now;
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        let stop_code = self.behavior_now(&pod.containers[c]).stop_exit_code;
        let pod = ctx.cluster.pods.get_mut(id).expect("exists");
        let status = &mut pod.containers[c];
        let started_at = match status.stage {
            Stage::Running { started_at }
            | Stage::PostStart { started_at }
            | Stage::PreStop { started_at, .. }
            | Stage::Stopping { started_at, .. } => started_at,
            _ => now,
        };
        let kill_at = deadline.max(now.after(MINIMUM_GRACE));
        let exits_at = now.after(status.plan.termination);
        let (at, code) = if exits_at <= kill_at { (exits_at, stop_code) } else { (kill_at, 137) };
        status.stage = Stage::Stopping { started_at, since: now };
        status.planned_exit = Some((code, TerminatedReason::for_exit(code)));
        status.probe_timer.cancel();
        let token: TimerToken = status.timer.arm();
        ctx.schedule(at, KubeletEvent::Container { pod: id, container: c as u16, token });
    }

    /// Every container has stopped: the pod is terminal, and a deleted pod leaves the API.
    pub(super) fn finish_termination(&mut self, ctx: &mut Ctx, id: PodId) {
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        pod.termination = None;
        let killed = pod.deletion.is_some() || pod.reason.is_some() || pod.evicted.is_some();
        // The eviction's reason shows with the terminal phase (`mergePodStatus`).
        pod.reason = pod.reason.or(pod.evicted);
        pod.terminal = true;
        pod.sandbox_timer.cancel();
        // The sandbox goes with the last container: its address is free again.
        ctx.cluster.release_pod_ip(id);
        self.tear_down_volumes(ctx, id);
        if killed {
            ctx.report_unstarted_lost(id);
        }
        self.refresh_status(ctx, id);
        if ctx.cluster.pods.get(id).is_some_and(|p| p.deletion.is_some()) {
            ctx.remove_pod(id);
        }
    }
}
