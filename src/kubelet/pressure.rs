//! Node-pressure eviction on each node: the node's memory is the sum of its containers'
//! working sets (behaviors say them); the kernel's OOM killer acts the moment they pass
//! the node's capacity; the eviction manager (`pkg/kubelet/eviction/eviction_manager.go`)
//! syncs every 10 s while the node is under pressure, reports `MemoryPressure`, evicts
//! one pod per sync and refuses BestEffort pods meanwhile. The rules are in `eviction`.
//!
//! A node's loop costs nothing while it cannot come under pressure: syncs and working
//! set steps are events only when the working sets the node's running containers will
//! reach come within the threshold of its capacity, or while the condition is True.

use super::Kubelet;
use super::eviction::{self as rules, Candidate, MessageContainer, Qos};
use crate::api::node::Taint;
use crate::apiserver::Ctx;
use crate::apiserver::record::ObjectRef;
use crate::cluster::pod::{ContainerStatus, Pod, PodPhase, Stage, TerminatedReason};
use crate::cluster::resources::MEMORY;
use crate::cluster::template::ContainerKind;
use crate::cluster::{Cluster, NodeId, PodId};
use crate::engine::{SimTime, TimerToken};
use crate::event::KubeletEvent;
use crate::trace::EventType;

/// The working set a container holds now: its behavior's `memory` once `rampUp` has
/// passed since it started, while it is alive.
pub fn working_set(status: &ContainerStatus, now: SimTime) -> i64 {
    match alive_since(status) {
        Some(started_at) if started_at.after(status.plan.ramp_up) <= now => status.plan.memory,
        _ => 0,
    }
}

fn alive_since(status: &ContainerStatus) -> Option<SimTime> {
    match status.stage {
        Stage::Running { started_at }
        | Stage::PostStart { started_at }
        | Stage::PreStop { started_at, .. }
        | Stage::Stopping { started_at, .. } => Some(started_at),
        _ => None,
    }
}

/// The node's memory now: what its containers hold, what they will hold once every
/// running one reaches its working set, and the next instant one does.
struct Usage {
    used: i64,
    potential: i64,
    next_step: Option<SimTime>,
}

fn usage(cluster: &Cluster, node: NodeId, now: SimTime) -> Usage {
    let mut u = Usage { used: 0, potential: 0, next_step: None };
    let mut growth = 0;
    let step = |u: &mut Usage, at: SimTime| {
        if u.next_step.is_none_or(|t| at < t) {
            u.next_step = Some(at);
        }
    };
    for id in &cluster.node(node).resident {
        let Some(pod) = cluster.pods.get(*id) else { continue };
        if pod.volumes.is_some() {
            // Memory-backed emptyDirs hold what was written to them (a tmpfs).
            let t = super::volumes::writes::tmpfs(cluster, pod, node, now);
            u.used += t.held;
            u.potential += t.potential;
            growth += t.rate;
            if let Some(at) = t.next_full {
                step(&mut u, at);
            }
        }
        for c in &pod.containers {
            let Some(started_at) = alive_since(c) else { continue };
            if c.plan.memory == 0 {
                continue;
            }
            u.potential += c.plan.memory;
            let at = started_at.after(c.plan.ramp_up);
            if at <= now {
                u.used += c.plan.memory;
            } else {
                step(&mut u, at);
            }
        }
    }
    if growth > 0 {
        // Growing tmpfs volumes: the next instants they may take the node past the
        // threshold or its capacity (looked at again then).
        let capacity = cluster.node(node).memory_capacity;
        for level in [capacity - rules::MEMORY_AVAILABLE_HARD, capacity] {
            if u.used <= level {
                let bytes = i128::from(level - u.used + 1) * 3_600_000;
                let ms = (bytes + i128::from(growth) - 1) / i128::from(growth);
                step(&mut u, now.after(u64::try_from(ms).unwrap_or(u64::MAX / 2).max(1)));
            }
        }
    }
    u
}

/// A pod's working set now, with what its memory-backed emptyDirs hold.
fn pod_usage(cluster: &Cluster, pod: &Pod, now: SimTime) -> i64 {
    let tmpfs = match (pod.volumes.is_some(), pod.node) {
        (true, Some(node)) => super::volumes::writes::tmpfs(cluster, pod, node, now).held,
        _ => 0,
    };
    pod.containers.iter().map(|c| working_set(c, now)).sum::<i64>() + tmpfs
}

/// `GetResourceRequestQuantity(pod, memory)`: the pod's memory request.
fn pod_request(pod: &Pod) -> i64 {
    pod.template.requests.get(MEMORY)
}

/// `IsCriticalPod` (`pkg/kubelet/types/pod_update.go`): podsim has no static or mirror
/// pods, so a pod is critical by its priority.
fn is_critical(pod: &Pod) -> bool {
    pod.priority >= rules::SYSTEM_CRITICAL_PRIORITY
}

fn qos(pod: &Pod) -> Qos {
    Qos::of(crate::views::qos::qos_class(&pod.template.spec))
}

/// A container's memory request as written in the spec (`None`: none).
fn container_request(pod: &Pod, c: usize) -> Option<&crate::api::quantity::Quantity> {
    let spec = &pod.template.spec;
    let n_init = spec.init_containers.len();
    let container = if c < n_init { &spec.init_containers[c] } else { &spec.containers[c - n_init] };
    container.resources.requests.get("memory")
}

impl Kubelet {
    /// The node's working sets changed (a container started, reached its working set or
    /// stopped): the OOM killer if the node is out of memory, then the eviction
    /// manager's next sync and the next working-set step, as far as they can matter.
    pub(super) fn memory_changed(&mut self, ctx: &mut Ctx, node: NodeId) {
        if self.oom_killing {
            return;
        }
        let n = ctx.cluster.node(node);
        if !n.kubelet_up || !n.present {
            return;
        }
        let capacity = n.memory_capacity;
        let mut u = usage(ctx.cluster, node, ctx.now);
        if u.used > capacity {
            self.oom_kill(ctx, node);
            u = usage(ctx.cluster, node, ctx.now);
        }
        let now = ctx.now;
        self.arm_step(ctx, node, &u);
        // A sync that already ran at this instant stands: the next is a tick later.
        let e = &ctx.cluster.node(node).eviction;
        let at = if rules::memory_threshold_met(capacity - u.used) {
            Some(rules::next_sync(e.phase, now.after(1)))
        } else if rules::under_pressure(e.last_observed, now) || ctx.cluster.node(node).memory_pressure.is_some() {
            let clears = e.last_observed.map_or(now, |t| t.after(rules::PRESSURE_TRANSITION_PERIOD));
            Some(rules::next_sync(e.phase, clears.max(now.after(1))))
        } else {
            None
        };
        if let Some(at) = at {
            self.sync_by(ctx, node, at);
        }
    }

    /// Arms the node's working-set step when the working sets still to be reached may
    /// bring it within the threshold; cancels it otherwise.
    fn arm_step(&mut self, ctx: &mut Ctx, node: NodeId, u: &Usage) {
        let capacity = ctx.cluster.node(node).memory_capacity;
        let e = &mut ctx.cluster.node_mut(node).eviction;
        let may_cross = u.potential > capacity - rules::MEMORY_AVAILABLE_HARD;
        match u.next_step {
            Some(at) if may_cross => {
                let token = e.step_timer.arm();
                ctx.schedule(at, KubeletEvent::WorkingSet { node, token });
            }
            _ => e.step_timer.cancel(),
        }
    }

    /// Arms the node's next sync at `at` unless one is due by then.
    pub(super) fn sync_by(&mut self, ctx: &mut Ctx, node: NodeId, at: SimTime) {
        let e = &mut ctx.cluster.node_mut(node).eviction;
        if e.sync_timer.is_armed() && e.sync_at.is_some_and(|t| t <= at) {
            return;
        }
        e.sync_at = Some(at);
        let token = e.sync_timer.arm();
        ctx.schedule(at, KubeletEvent::EvictionSync { node, token });
    }

    /// A container on the node reached its working set.
    pub(super) fn working_set_step(&mut self, ctx: &mut Ctx, node: NodeId, token: TimerToken) {
        if ctx.cluster.node_mut(node).eviction.step_timer.fire(token) {
            self.memory_changed(ctx, node);
        }
    }

    /// One pass of the eviction manager's loop (`synchronize`), or a poll of
    /// `waitForPodsCleanup` after an eviction.
    pub(super) fn eviction_sync(&mut self, ctx: &mut Ctx, node: NodeId, token: TimerToken) {
        let now = ctx.now;
        let n = ctx.cluster.node_mut(node);
        if !n.eviction.sync_timer.fire(token) || !n.kubelet_up || !n.present {
            return;
        }
        if let Some((pod, timeout)) = n.eviction.cleanup {
            let cleaned = ctx.cluster.pods.get(pod).is_none_or(|p| p.terminal && p.termination.is_none());
            if !cleaned && now < timeout {
                self.sync_by(ctx, node, now.after(rules::CLEANUP_POLL));
                return;
            }
            ctx.cluster.node_mut(node).eviction.cleanup = None;
        }
        self.synchronize(ctx, node);
    }

    fn synchronize(&mut self, ctx: &mut Ctx, node: NodeId) {
        let now = ctx.now;
        // `localStorageEviction` first; an eviction there ends the sync.
        if let Some(victim) = self.local_storage_eviction(ctx, node) {
            let e = &mut ctx.cluster.node_mut(node).eviction;
            e.phase = now;
            e.cleanup = Some((victim, now.after(rules::CLEANUP_TIMEOUT)));
            self.sync_by(ctx, node, now.after(rules::CLEANUP_POLL));
            return;
        }
        let capacity = ctx.cluster.node(node).memory_capacity;
        let u = usage(ctx.cluster, node, now);
        let available = capacity - u.used;
        let met = rules::memory_threshold_met(available);
        let e = &mut ctx.cluster.node_mut(node).eviction;
        e.phase = now;
        if met {
            e.last_observed = Some(now);
        }
        let pressure = rules::under_pressure(e.last_observed, now);
        let last_observed = e.last_observed;
        ctx.set_memory_pressure(node, pressure);
        if met && self.evict_one(ctx, node, available) {
            self.sync_by(ctx, node, now.after(rules::CLEANUP_POLL));
            return;
        }
        if met {
            self.sync_by(ctx, node, now.after(rules::MONITORING_INTERVAL));
        } else if pressure {
            let clears = last_observed.map_or(now, |t| t.after(rules::PRESSURE_TRANSITION_PERIOD));
            self.sync_by(ctx, node, rules::next_sync(now, clears));
        }
        self.arm_step(ctx, node, &u);
    }

    /// `EvictionThresholdMet` on the node, then the first pod of the ranking that may be
    /// evicted (not critical) is: at most one per sync. True if one was.
    fn evict_one(&mut self, ctx: &mut Ctx, node: NodeId, available: i64) -> bool {
        let now = ctx.now;
        let name = ctx.cluster.node(node).name.clone();
        ctx.object_event(
            ObjectRef::node(&name),
            EventType::Warning,
            "EvictionThresholdMet",
            format_args!("Attempting to reclaim memory"),
        );
        // The active pods (`GetActivePods`): admitted, not terminal; podsim leaves out
        // those already being stopped.
        let mut ranked: Vec<(PodId, Candidate)> = ctx
            .cluster
            .node(node)
            .resident
            .iter()
            .filter_map(|id| ctx.cluster.pods.get(*id).map(|p| (*id, p)))
            .filter(|(_, p)| p.start_time.is_some() && !p.terminal && p.termination.is_none() && p.evicted.is_none())
            .map(|(id, p)| {
                (id, Candidate { priority: p.priority, request: pod_request(p), usage: pod_usage(ctx.cluster, p, now) })
            })
            .collect();
        ranked.sort_by_key(|(id, _)| ctx.cluster.pods.get(*id).map_or(0, |p| p.uid));
        rules::rank_memory_pressure(&mut ranked);
        let Some((victim, _)) =
            ranked.into_iter().find(|(id, _)| ctx.cluster.pods.get(*id).is_some_and(|p| !is_critical(p)))
        else {
            return false;
        };
        self.evict_pod(ctx, victim, available);
        ctx.cluster.node_mut(node).eviction.cleanup = Some((victim, now.after(rules::CLEANUP_TIMEOUT)));
        true
    }

    /// `evictPod`: the Warning `Evicted` with the eviction message, `DisruptionTarget`
    /// (TerminationByKubelet), and the pod killed with a 1 s grace period; it ends
    /// `Failed` with reason `Evicted` once its containers have stopped.
    fn evict_pod(&mut self, ctx: &mut Ctx, id: PodId, available: i64) {
        let now = ctx.now;
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        let regular = pod.template.first_app..pod.containers.len();
        let order = regular.chain(0..pod.template.first_app);
        let containers: Vec<MessageContainer> = order
            .map(|c| MessageContainer {
                name: &pod.template.containers[c].name,
                usage: working_set(&pod.containers[c], now),
                request: container_request(pod, c),
            })
            .collect();
        let message = rules::eviction_message(available, &containers);
        let pod = ctx.cluster.pods.get_mut(id).expect("exists");
        pod.evicted = Some(rules::REASON);
        pod.disruption = Some("TerminationByKubelet");
        ctx.rec.counters.pods_evicted += 1;
        ctx.kubelet_pod_event(id, EventType::Warning, rules::REASON, format_args!("{message}"));
        ctx.report_pod_status(id);
        ctx.set_ready(id, false);
        self.begin_termination(ctx, id, rules::EVICTION_GRACE);
    }

    /// The node is out of memory: the kernel kills the process with the highest
    /// `oom_badness` (its usage plus the `oom_score_adj` the kubelet gave its container,
    /// `pkg/kubelet/qos/policy.go`) until the working sets fit; the container ends
    /// `OOMKilled` (137) and restarts as its policy says. The kubelet's OOM watcher
    /// records `SystemOOM` on the node.
    fn oom_kill(&mut self, ctx: &mut Ctx, node: NodeId) {
        self.oom_killing = true;
        let capacity = ctx.cluster.node(node).memory_capacity;
        while usage(ctx.cluster, node, ctx.now).used > capacity {
            let Some((id, c)) = self.oom_candidate(ctx, node, capacity) else { break };
            let pod = ctx.cluster.pods.get_mut(id).expect("exists");
            let name = format!("{}/{}", pod.name, pod.template.containers[c].name);
            pod.containers[c].timer.cancel();
            let node_name = ctx.cluster.node(node).name.clone();
            ctx.object_event(
                ObjectRef::node(&node_name),
                EventType::Warning,
                "SystemOOM",
                format_args!("System OOM encountered, victim process: {name}"),
            );
            self.container_exited(ctx, id, c, 137, TerminatedReason::OOMKilled);
        }
        self.oom_killing = false;
    }

    /// `select_bad_process` over the node's containers that hold memory.
    fn oom_candidate(&self, ctx: &Ctx, node: NodeId, capacity: i64) -> Option<(PodId, usize)> {
        let now = ctx.now;
        let mut tasks: Vec<(PodId, usize, i64)> = Vec::new();
        let mut pods: Vec<(u64, PodId)> = ctx
            .cluster
            .node(node)
            .resident
            .iter()
            .filter_map(|id| ctx.cluster.pods.get(*id).map(|p| (p.uid, *id)))
            .collect();
        pods.sort_unstable();
        for (_, id) in pods {
            let pod = ctx.cluster.pods.get(id).expect("exists");
            let class = qos(pod);
            let node_critical =
                is_critical(pod) && pod.template.spec.priority_class_name.as_deref() == Some("system-node-critical");
            let min_regular = (pod.template.first_app..pod.containers.len())
                .map(|c| container_request(pod, c).map_or(0, |q| q.value()))
                .min();
            for (c, status) in pod.containers.iter().enumerate() {
                let used = working_set(status, now);
                if used == 0 {
                    continue;
                }
                let sidecar = pod.template.containers[c].kind == ContainerKind::Sidecar;
                let request = container_request(pod, c).map_or(0, |q| q.value());
                let adj =
                    rules::oom_score_adj(class, node_critical, request, min_regular.filter(|_| sidecar), capacity);
                tasks.push((id, c, rules::oom_badness(used, adj, capacity)));
            }
        }
        let points: Vec<(usize, i64)> = tasks.iter().enumerate().map(|(i, t)| (i, t.2)).collect();
        rules::oom_victim(&points).map(|i| (tasks[i].0, tasks[i].1))
    }

    /// The eviction manager's admission (`Admit`): under memory pressure a BestEffort
    /// pod that does not tolerate the memory-pressure taint is refused (`Failed`,
    /// `Evicted`, "The node had condition: [MemoryPressure]. "); critical pods always
    /// pass. True if the pod was refused.
    pub(super) fn refused_under_pressure(&mut self, ctx: &mut Ctx, id: PodId) -> bool {
        let Some(pod) = ctx.cluster.pods.get(id) else { return false };
        let Some(node) = pod.node else { return false };
        if ctx.cluster.node(node).memory_pressure.is_none() || is_critical(pod) || qos(pod) != Qos::BestEffort {
            return false;
        }
        let taint = Taint { key: rules::MEMORY_PRESSURE_TAINT.into(), value: None, effect: "NoSchedule".into() };
        if pod.template.spec.tolerations.iter().any(|t| crate::scheduler::filter::tolerates(t, &taint)) {
            return false;
        }
        let pod = ctx.cluster.pods.get_mut(id).expect("exists");
        pod.reason = Some(rules::REASON);
        ctx.kubelet_pod_event(
            id,
            EventType::Warning,
            rules::REASON,
            format_args!("The node had condition: [MemoryPressure]. "),
        );
        ctx.cluster.pods.get_mut(id).expect("exists").start_time = Some(ctx.now);
        ctx.set_phase(id, PodPhase::Failed, rules::REASON);
        self.after_phase_change(ctx, id, PodPhase::Failed);
        true
    }

    /// The kubelet stopped: its eviction manager with it.
    pub(super) fn stop_eviction_manager(ctx: &mut Ctx, node: NodeId) {
        let e = &mut ctx.cluster.node_mut(node).eviction;
        e.sync_timer.cancel();
        e.step_timer.cancel();
        e.cleanup = None;
    }

    /// The kubelet started again: a new eviction manager, whose loop starts now; a
    /// condition it reported before is cleared by its first sync.
    pub(super) fn start_eviction_manager(&mut self, ctx: &mut Ctx, node: NodeId) {
        let now = ctx.now;
        let e = &mut ctx.cluster.node_mut(node).eviction;
        e.phase = now;
        e.last_observed = None;
        if ctx.cluster.node(node).memory_pressure.is_some() {
            self.sync_by(ctx, node, now);
        }
        self.memory_changed(ctx, node);
    }
}
