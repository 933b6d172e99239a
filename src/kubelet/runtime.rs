//! The kubelet's handlers: admitting a pod, starting containers, their exits and
//! restarts with the crash-loop back-off, and probe-driven changes.

use super::Kubelet;
use super::actions::{self, PodActions};
use super::backoff;
use super::probes::{self, Probes};
use crate::apiserver::Ctx;
use crate::cluster::pod::{AttemptPlan, ContainerState, HookPlan, Stage, Terminated, TerminatedReason, WaitingReason};
use crate::cluster::template::{ContainerKind, Hook, PodTemplate};
use crate::cluster::{Cluster, PodId};
use crate::engine::rng::key_of;
use crate::engine::{Distribution, SimRng, SimTime, Stream, TimerToken};
use crate::event::KubeletEvent;
use crate::scenario::{Behavior, ExitCode};
use crate::trace::EventType;

impl Kubelet {
    /// The kubelet sees a pod bound to its node: `status.startTime`, the first container
    /// statuses, the active deadline, then the first sync.
    pub(super) fn admit(&mut self, ctx: &mut Ctx, id: PodId) {
        if self.refused_under_pressure(ctx, id) {
            return;
        }
        let now = ctx.now;
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        pod.start_time = Some(now);
        // The behavior each container follows: the first whose globs match it.
        for (c, status) in pod.containers.iter_mut().enumerate() {
            status.behavior = behavior_index(&self.behaviors, &pod.namespace, &pod.name, &pod.template, c);
        }
        let deadline = pod.template.active_deadline.map(|d| (d, pod.deadline_timer.arm()));
        let waiting = if pod.template.has_init_containers() {
            WaitingReason::PodInitializing
        } else {
            WaitingReason::ContainerCreating
        };
        let containers = pod.containers.len();
        // `SyncPod` waits for the pod's volumes, then makes the sandbox: its address is in
        // the kubelet's first status when the volumes were set up at once.
        let mounted = self.volumes_at_admission(ctx, id);
        let sandbox = mounted.then(|| self.create_sandbox(ctx, id));
        for c in 0..containers {
            ctx.set_container_state(id, c, ContainerState::Waiting(waiting));
        }
        if let Some((d, token)) = deadline {
            ctx.at(d, KubeletEvent::PodDeadline { pod: id, token });
        }
        match sandbox {
            Some(Ok(())) => self.sync(ctx, id),
            Some(Err(e)) => self.sandbox_failed(ctx, id, e),
            None => self.mount_volumes(ctx, id),
        }
    }

    /// One pass of the kubelet's pod worker: decide and start what is due.
    pub(super) fn sync(&mut self, ctx: &mut Ctx, id: PodId) {
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        let Some(node) = pod.node else { return };
        if !ctx.cluster.node(node).kubelet_up || pod.sandbox_lost || pod.terminal {
            return;
        }
        if pod.termination.is_some() {
            self.continue_termination(ctx, id);
            return;
        }
        if !Self::sandbox_ready(ctx, id) {
            // The sandbox failed; the pod worker's retry creates it, then syncs.
            return;
        }
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        match actions::compute(&pod.template, &pod.containers) {
            PodActions::Start(list) => {
                for c in list {
                    self.start_container(ctx, id, c);
                }
            }
            PodActions::Complete => self.complete_pod(ctx, id),
        }
        self.refresh_status(ctx, id);
    }

    /// Every regular container is done: stop the sidecars (if any), then the pod ends.
    fn complete_pod(&mut self, ctx: &mut Ctx, id: PodId) {
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        let any_alive = pod.containers.iter().any(|c| c.is_alive());
        let sidecars_waiting = pod.containers.iter().any(|c| {
            matches!(c.stage, Stage::BackOff { .. } | Stage::Pulling | Stage::PullBackOff { .. } | Stage::Starting)
        });
        if any_alive || sidecars_waiting {
            let grace = pod.template.grace;
            self.begin_termination(ctx, id, grace);
        }
    }

    /// Draws what this attempt of the container will do, from a stream keyed by the
    /// container's name and attempt number (independent of event order).
    fn draw_attempt(&mut self, ctx: &mut Ctx, id: PodId, c: usize) -> AttemptPlan {
        let pod = ctx.cluster.pods.get(id).expect("caller checked");
        let status = &pod.containers[c];
        let key = key_of(&[&pod.namespace, &pod.name, pod.container_name(c)])
            ^ u64::from(status.attempt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut rng = self.streams.keyed(Stream::Behavior, key);
        let b = self.behavior_now(status);
        let startup = b.startup.sample(&mut rng);
        let run_for = b.run_for.as_ref().map(|d| d.sample(&mut rng));
        let exit_code = match &b.exit_code {
            ExitCode::Fixed(code) => *code,
            ExitCode::Weighted(choices) => {
                weighted(choices, rng.below(choices.iter().map(|(_, w)| u64::from(*w)).sum::<u64>().max(1)))
            }
        };
        let ramp_up = b.ramp_up.sample(&mut rng);
        let limit = pod.template.containers[c].memory_limit;
        let memory = b.memory.filter(|m| limit.is_none_or(|l| *m <= l)).unwrap_or(0);
        let ready_after = b.ready_after.as_ref().map(|d| d.sample(&mut rng));
        let unhealthy_after = b.unhealthy_after.as_ref().map(|d| d.sample(&mut rng));
        let termination = b.termination_time.sample(&mut rng);
        // The hooks' draws come last, so that they shift none of the others.
        let spec = &pod.template.containers[c];
        let post_start = spec.post_start.map(|h| hook_plan(h, &b.post_start, b.post_start_fails, &mut rng));
        let pre_stop = spec.pre_stop.map(|h| hook_plan(h, &b.pre_stop, b.pre_stop_fails, &mut rng));
        AttemptPlan {
            startup,
            run_for,
            exit_code,
            ramp_up,
            memory,
            ready_after,
            unhealthy_after,
            termination,
            post_start,
            pre_stop,
        }
    }

    /// Starts a new attempt of a container: its image first.
    pub(super) fn start_container(&mut self, ctx: &mut Ctx, id: PodId, c: usize) {
        if !may_run(ctx.cluster, id) {
            return;
        }
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        let run = self.count_run(pod, c);
        let status = &mut ctx.cluster.pods.get_mut(id).expect("exists").containers[c];
        status.attempt += 1;
        status.run = run;
        status.stop_deadline = None;
        status.stage = Stage::Pulling;
        let plan = self.draw_attempt(ctx, id, c);
        ctx.cluster.pods.get_mut(id).expect("exists").containers[c].plan = plan;
        self.ensure_image(ctx, id, c);
    }

    /// The image is there: the runtime creates the container, which starts after the
    /// behavior's startup time.
    pub(super) fn create_container(&mut self, ctx: &mut Ctx, id: PodId, c: usize) {
        if ctx.rec.check_invariants && !may_run(ctx.cluster, id) {
            let message =
                format!("pod {}: a container was created where the kubelet may not run it", ctx.pod_label(id));
            ctx.rec.violations.push(message);
        }
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        let name = pod.template.containers[c].name.clone();
        let status = &mut pod.containers[c];
        let restarted = status.instances > 0 && !status.restart_counted;
        if restarted {
            status.restart_count += 1;
        }
        status.restart_counted = false;
        status.instances += 1;
        status.stage = Stage::Starting;

        let token = status.timer.arm();
        let startup = status.plan.startup;
        ctx.at(startup, KubeletEvent::Container { pod: id, container: c as u16, token });
        ctx.report_created(id, c);
        ctx.container_event(id, c, EventType::Normal, "Created", ["Created container: ", &*name]);
        if restarted {
            ctx.count_restart(id);
        }
    }

    /// A container's stage timer fired: what it means depends on the stage.
    pub(super) fn container_timer(&mut self, ctx: &mut Ctx, id: PodId, c: usize, token: TimerToken) {
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        let status = &mut pod.containers[c];
        if !status.timer.fire(token) {
            return;
        }
        match status.stage {
            Stage::Starting => self.container_started(ctx, id, c),
            Stage::PostStart { started_at } => self.post_start_done(ctx, id, c, started_at),
            Stage::PreStop { since, deadline, .. } => self.pre_stop_done(ctx, id, c, since, deadline),
            Stage::Running { .. } | Stage::Stopping { .. } => {
                let (code, reason) = status.planned_exit.unwrap_or((0, TerminatedReason::Completed));
                self.container_exited(ctx, id, c, code, reason);
            }
            Stage::BackOff { .. } => self.restart_after_backoff(ctx, id, c),
            Stage::PullBackOff { retry_at } => self.pull_backoff_timer(ctx, id, c, retry_at),
            Stage::Idle | Stage::Pulling | Stage::NeverPulled | Stage::Exited => {}
        }
    }

    /// The runtime started the container (`Started`); a `postStart` hook runs before the
    /// kubelet goes on (`startContainer`, step 4, `pkg/kubelet/kuberuntime/kuberuntime_container.go`).
    fn container_started(&mut self, ctx: &mut Ctx, id: PodId, c: usize) {
        let now = ctx.now;
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        let name = pod.template.containers[c].name.clone();
        let status = &mut pod.containers[c];
        let hook = status.plan.post_start;
        self.writes_start(ctx, id, c);
        let Some(hook) = hook else {
            self.container_running(ctx, id, c, now, true);
            return;
        };
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        let status = &mut pod.containers[c];
        status.stage = Stage::PostStart { started_at: now };
        let token = status.timer.arm();
        ctx.at(hook.takes, KubeletEvent::Container { pod: id, container: c as u16, token });
        ctx.container_event(id, c, EventType::Normal, "Started", ["Started container ", &*name]);
    }

    /// The `postStart` hook returned. A failed hook records `FailedPostStartHook` and the
    /// kubelet kills the container with the pod's grace period (`killContainer` with the
    /// message "FailedPostStartHook", its `preStop` hook included); the container then
    /// restarts as its restart policy says.
    fn post_start_done(&mut self, ctx: &mut Ctx, id: PodId, c: usize, started_at: SimTime) {
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        let fails = pod.containers[c].plan.post_start.is_some_and(|h| h.fails);
        if !fails {
            self.container_running(ctx, id, c, started_at, false);
            return;
        }
        let grace = pod.template.grace;
        ctx.container_event(id, c, EventType::Warning, "FailedPostStartHook", format_args!("PostStartHook failed"));
        ctx.container_event(id, c, EventType::Normal, "Killing", format_args!("FailedPostStartHook"));
        let deadline = ctx.now.after(grace);
        self.kill_container(ctx, id, c, deadline);
    }

    /// The kubelet reports the container running, started at `started_at` (before its
    /// `postStart` hook, if any). Probes count from `started_at` (`initialDelaySeconds`
    /// runs from `State.Running.StartedAt`, `prober/worker.go`), but act only from now,
    /// when the kubelet reports it running; the run's own end counts from `started_at` too.
    /// `announce`: record `Started` (not yet recorded when no hook ran).
    fn container_running(&mut self, ctx: &mut Ctx, id: PodId, c: usize, started_at: SimTime, announce: bool) {
        let now = ctx.now;
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        let template = pod.template.clone();
        let spec = &template.containers[c];
        let used = self.behavior_now(&pod.containers[c]).memory;
        let pod = ctx.cluster.pods.get_mut(id).expect("exists");
        let status = &mut pod.containers[c];
        let previous = status.state;
        status.stage = Stage::Running { started_at };
        if let Some(ContainerState::Terminated(t)) = previous {
            status.last_state = Some(t);
        }
        let plan = status.plan;
        let mut probe_plan = probes::plan(
            started_at,
            spec.startup_probe.as_ref(),
            spec.readiness_probe.as_ref(),
            spec.liveness_probe.as_ref(),
            plan.ready_after,
            plan.unhealthy_after,
        );
        if started_at < now {
            probe_plan.not_before(now);
        }
        status.probe_plan = probe_plan;
        status.started = probe_plan.started_at == Some(now);
        status.has_started |= status.started;
        status.ready = status.started && probe_plan.ready_at == Some(now) && probe_plan.unready_at != Some(now);
        // How this run ends: an OOM kill once the working set passes the limit, or an exit.
        let oom = match (used, spec.memory_limit) {
            (Some(used), Some(limit)) if used > limit => Some(plan.ramp_up),
            _ => None,
        };
        let exit = match (oom, plan.run_for) {
            (Some(t), run) if run.is_none_or(|r| t <= r) => Some((t, 137, TerminatedReason::OOMKilled)),
            (_, Some(r)) => Some((r, plan.exit_code, TerminatedReason::for_exit(plan.exit_code))),
            _ => None,
        };
        status.planned_exit = exit.map(|(_, code, reason)| (code, reason));
        let token = exit.map(|_| status.timer.arm());
        if spec.kind == ContainerKind::App {
            pod.initialized = true;
        }
        if let (Some((after, _, _)), Some(token)) = (exit, token) {
            ctx.schedule(
                started_at.after(after).max(now),
                KubeletEvent::Container { pod: id, container: c as u16, token },
            );
        }
        self.arm_probe_timer(ctx, id, c, now);
        ctx.set_container_state(id, c, ContainerState::Running { started_at });
        if announce {
            ctx.container_event(id, c, EventType::Normal, "Started", ["Started container ", &*spec.name]);
        }
        self.memory_may_change(ctx, id, plan.memory);
        self.sync(ctx, id);
    }

    /// A container exited (by itself, OOM-killed, or stopped).
    pub(super) fn container_exited(
        &mut self,
        ctx: &mut Ctx,
        id: PodId,
        c: usize,
        exit_code: i32,
        reason: TerminatedReason,
    ) {
        let now = ctx.now;
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        let pod_policy = pod.template.restart_policy;
        let spec_kind = pod.template.containers[c].kind;
        let container_policy = pod.template.containers[c].restart_policy;
        let terminating = pod.termination.is_some();
        let status = &mut pod.containers[c];
        let started_at = match status.stage {
            Stage::Running { started_at }
            | Stage::Stopping { started_at, .. }
            | Stage::PostStart { started_at }
            | Stage::PreStop { started_at, .. } => Some(started_at),
            _ => None,
        };
        status.stage = Stage::Exited;
        status.timer.cancel();
        status.probe_timer.cancel();
        status.started = false;
        status.ready = false;
        status.planned_exit = None;
        if spec_kind == ContainerKind::Init && exit_code == 0 {
            status.completed = true;
        }
        if reason == TerminatedReason::OOMKilled {
            ctx.rec.counters.oom_killed += 1;
        }
        let memory = status.plan.memory;
        let was_alive = started_at.is_some();
        let terminated = Terminated { exit_code, reason, started_at, finished_at: now };
        ctx.set_container_state(id, c, ContainerState::Terminated(terminated));
        if was_alive {
            self.writes_stop(ctx, id, c);
        }
        self.memory_may_change(ctx, id, memory);
        if !terminating && actions::restarts(spec_kind, container_policy, pod_policy, exit_code) {
            self.schedule_restart(ctx, id, c, terminated);
        }
        self.sync(ctx, id);
        self.refresh_status(ctx, id);
    }

    /// A container holding (or growing to) `memory` bytes started or stopped: the node's
    /// memory changed. Nothing to do for a container without a working set.
    fn memory_may_change(&mut self, ctx: &mut Ctx, id: PodId, memory: i64) {
        if memory == 0 {
            return;
        }
        if let Some(node) = ctx.cluster.pods.get(id).and_then(|p| p.node) {
            self.memory_changed(ctx, node);
        }
    }

    /// Restarts at once, or after the crash-loop back-off (`doBackOff`).
    fn schedule_restart(&mut self, ctx: &mut Ctx, id: PodId, c: usize, terminated: Terminated) {
        let now = ctx.now;
        let policy = backoff::crash_loop(self.config.max_container_restart_period);
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        let status = &mut pod.containers[c];
        let restart_at = policy.retry_at(&status.crash_backoff, terminated.finished_at);
        if restart_at <= now {
            policy.next(&mut status.crash_backoff, terminated.finished_at, now);
            self.start_container(ctx, id, c);
            return;
        }
        status.stage = Stage::BackOff { restart_at };
        status.last_state = Some(terminated);
        let token = status.timer.arm();
        let (name, pod_name, ns, uid) =
            (pod.template.containers[c].name.clone(), pod.name.clone(), pod.namespace.clone(), pod.uid);
        let uid = crate::engine::rng::uuid(ctx.cluster.api.seed, "pod", uid);
        ctx.schedule(restart_at, KubeletEvent::Container { pod: id, container: c as u16, token });
        ctx.set_container_state(id, c, ContainerState::Waiting(WaitingReason::CrashLoopBackOff));
        ctx.container_event(
            id,
            c,
            EventType::Warning,
            "BackOff",
            format_args!("Back-off restarting failed container {name} in pod {pod_name}_{ns}({uid})"),
        );
    }

    fn restart_after_backoff(&mut self, ctx: &mut Ctx, id: PodId, c: usize) {
        let now = ctx.now;
        let policy = backoff::crash_loop(self.config.max_container_restart_period);
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        let status = &mut pod.containers[c];
        let finished = status.last_state.map_or(now, |t| t.finished_at);
        policy.next(&mut status.crash_backoff, finished, now);
        self.start_container(ctx, id, c);
    }

    /// Arms the probe timer for the next probe-driven change of the container (started,
    /// ready, unready, killed) or the next failed probe, from `from` on. A failed probe the
    /// kubelet's event spam filter would drop is not worth a timer: the next one looked
    /// at is the first after the filter has a token again.
    fn arm_probe_timer(&mut self, ctx: &mut Ctx, id: PodId, c: usize, from: SimTime) {
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        let spec = &pod.template.containers[c];
        let probes = Probes {
            startup: spec.startup_probe.as_ref(),
            liveness: spec.liveness_probe.as_ref(),
            readiness: spec.readiness_probe.as_ref(),
        };
        let p = pod.containers[c].probe_plan;
        let change =
            [p.started_at, p.ready_at, p.unready_at, p.kill_at].into_iter().flatten().filter(|t| *t >= from).min();
        let failure = probes::next_failure(&p, &probes, from.max(ctx.rec.kubelet_spam.next_accept(id, from)));
        let next = change.into_iter().chain(failure).min();
        let status = &mut ctx.cluster.pods.get_mut(id).expect("exists").containers[c];
        match next {
            Some(t) => {
                let token = status.probe_timer.arm();
                ctx.schedule(t, KubeletEvent::Probe { pod: id, container: c as u16, token });
            }
            None => status.probe_timer.cancel(),
        }
    }

    /// A probe tick: the probes that fail now record `Unhealthy` (`prober.go`), then the
    /// container changes as the results say: started, ready, unready or killed.
    pub(super) fn probe_timer(&mut self, ctx: &mut Ctx, id: PodId, c: usize, token: TimerToken) {
        let now = ctx.now;
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        let status = &mut pod.containers[c];
        if !status.probe_timer.fire(token) || !matches!(status.stage, Stage::Running { .. }) {
            return;
        }
        let p = status.probe_plan;
        self.record_failed_probes(ctx, id, c);
        let pod = ctx.cluster.pods.get_mut(id).expect("exists");
        let status = &mut pod.containers[c];
        let name = pod.template.containers[c].name.clone();
        if p.started_at == Some(now) {
            status.started = true;
            status.has_started = true;
        }
        if p.ready_at == Some(now) && status.started {
            status.ready = true;
        }
        if p.unready_at == Some(now) {
            status.ready = false;
        }
        ctx.report_container(id, c);
        if p.kill_at == Some(now) {
            let lower = if p.kill_by_startup { "startup" } else { "liveness" };
            let pod = ctx.cluster.pods.get(id).expect("exists");
            let spec = &pod.template.containers[c];
            let probe = if p.kill_by_startup { spec.startup_probe } else { spec.liveness_probe };
            let grace = probe.and_then(|p| p.grace).unwrap_or(pod.template.grace);
            ctx.container_event(
                id,
                c,
                EventType::Normal,
                "Killing",
                format_args!("Container {name} failed {lower} probe, will be restarted"),
            );
            self.kill_container(ctx, id, c, now.after(grace));
            return;
        }
        self.arm_probe_timer(ctx, id, c, now.after(1));
        self.sync(ctx, id);
        self.refresh_status(ctx, id);
    }

    /// A Warning `Unhealthy` for each probe that fails at this tick.
    fn record_failed_probes(&mut self, ctx: &mut Ctx, id: PodId, c: usize) {
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        let spec = &pod.template.containers[c];
        let probes = Probes {
            startup: spec.startup_probe.as_ref(),
            liveness: spec.liveness_probe.as_ref(),
            readiness: spec.readiness_probe.as_ref(),
        };
        let failing = probes::failing_at(&pod.containers[c].probe_plan, &probes, ctx.now);
        for (kind, fails) in ["Startup", "Liveness", "Readiness"].into_iter().zip(failing) {
            if fails {
                ctx.container_event(
                    id,
                    c,
                    EventType::Warning,
                    "Unhealthy",
                    format_args!("{kind} probe failed: the container did not answer its probe"),
                );
            }
        }
    }
}

/// The pod may start containers: on a live kubelet, neither ending nor ended.
fn may_run(cluster: &Cluster, id: PodId) -> bool {
    let Some(pod) = cluster.pods.get(id) else { return false };
    let node_up = pod.node.is_some_and(|n| cluster.node(n).kubelet_up);
    node_up && !pod.sandbox_lost && !pod.terminal && pod.termination.is_none() && !pod.phase.is_terminal()
}

/// The index of the behavior a container follows: the first whose globs match it
/// (`usize::MAX`: the default behavior).
fn behavior_index(behaviors: &[Behavior], namespace: &str, pod: &str, template: &PodTemplate, c: usize) -> usize {
    let spec = &template.containers[c];
    behaviors.iter().position(|b| b.matcher.matches(namespace, pod, &spec.name, &spec.image)).unwrap_or(usize::MAX)
}

/// How a hook of this run goes: a `sleep` takes its seconds and succeeds, `tcpSocket`
/// fails at once (`handlers.go`: not supported), exec and httpGet follow the behavior.
fn hook_plan(hook: Hook, takes: &Distribution, fails: f64, rng: &mut SimRng) -> HookPlan {
    match hook {
        Hook::Sleep(ms) => HookPlan { takes: ms, fails: false },
        Hook::TcpSocket => HookPlan { takes: 0, fails: true },
        Hook::Action => {
            let takes = takes.sample(rng);
            HookPlan { takes, fails: rng.chance(fails) }
        }
    }
}

/// The code whose cumulative weight first exceeds `draw`.
fn weighted(choices: &[(i32, u32)], draw: u64) -> i32 {
    let mut acc = 0u64;
    for (code, w) in choices {
        acc += u64::from(*w);
        if draw < acc {
            return *code;
        }
    }
    choices.last().map_or(0, |(c, _)| *c)
}
