//! The node lifecycle controller (`pkg/controller/nodelifecycle`) and the taint
//! eviction controller (`pkg/controller/tainteviction`).
//!
//! A node whose kubelet stops posting status turns `Unknown` at the first monitor pass
//! (every 5 s, `--node-monitor-period`) after the grace period (50 s since 1.32, 40 s
//! before; `--node-monitor-grace-period`); it gets the `unreachable:NoSchedule` taint
//! at once and the `unreachable:NoExecute` taint one pass later, through a per-zone
//! rate-limited queue (0.1 node/s; slower or stopped when much of the zone is down).
//! The taint eviction controller then deletes each pod on the node when its toleration
//! of the taint runs out (300 s by default, from the `DefaultTolerationSeconds`
//! admission plugin). When the kubelet is back the node is Ready and the next pass
//! removes the taints.

use crate::api::node::Taint;
use crate::apiserver::record::ObjectRef;
use crate::apiserver::{Change, Ctx, Kind, Watches};
use crate::cluster::node::NodeReady;
use crate::cluster::{Cluster, NodeId, PodId};
use crate::engine::{Millis, SimTime, TimerToken};
use crate::event::NodeLifecycleEvent;
use crate::trace::EventType;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// `doNoExecuteTaintingPass` runs every 100 ms.
const TAINTING_PASS: Millis = 100;
/// `--node-eviction-rate` and `--secondary-node-eviction-rate` (nodes per second), as
/// intervals between two taintings.
const NORMAL_INTERVAL: Millis = 10_000;
const SECONDARY_INTERVAL: Millis = 100_000;
/// `--unhealthy-zone-threshold` and `--large-cluster-size-threshold`.
const UNHEALTHY_ZONE_PERCENT: usize = 55;
const LARGE_CLUSTER: usize = 50;

pub const UNREACHABLE: &str = "node.kubernetes.io/unreachable";

/// The tainting queue of one zone and its rate limiter.
#[derive(Default, Debug)]
pub struct Zone {
    queue: VecDeque<NodeId>,
    /// When the limiter next has a token (burst of one).
    next_token: SimTime,
    pass_pending: bool,
}

/// The controller's own state.
#[derive(Debug)]
pub struct NodeLifecycle {
    pub zones: BTreeMap<Arc<str>, Zone>,
    /// `--node-monitor-grace-period`.
    grace: Millis,
    /// `--node-monitor-period`.
    period: Millis,
    /// Each node's zone key, by node id (node labels do not change): a tainting pass
    /// counts the nodes of its zone.
    zone_of: Vec<Arc<str>>,
}

/// The zone of a node, as the controller keys it (`utilnode.GetZoneKey`: region and zone).
pub fn zone_key(labels: &BTreeMap<String, String>) -> String {
    let get = |k: &str| labels.get(k).map(String::as_str).unwrap_or("");
    let region = get("topology.kubernetes.io/region");
    let zone = get("topology.kubernetes.io/zone");
    if region.is_empty() && zone.is_empty() { String::new() } else { format!("{region}:\x00:{zone}") }
}

/// The first monitor pass at or after `t` (passes run every `period`).
fn next_pass(t: SimTime, period: Millis) -> SimTime {
    SimTime::from_ms(t.ms().div_ceil(period) * period)
}

impl NodeLifecycle {
    /// The change kinds the controller watches: kubelets that stop or resume posting
    /// status.
    pub const WATCHES: Watches =
        Watches::of(&[Kind::NodeHeartbeat, Kind::NodeMemoryPressure, Kind::NodeTainted, Kind::NodeUntainted]);

    /// The controller with kube-controller-manager's `--node-monitor-grace-period` and
    /// `--node-monitor-period`.
    pub fn new(grace: Millis, period: Millis) -> NodeLifecycle {
        NodeLifecycle { zones: BTreeMap::new(), grace, period: period.max(1), zone_of: Vec::new() }
    }

    pub fn handle(&mut self, ctx: &mut Ctx, event: NodeLifecycleEvent) {
        match event {
            NodeLifecycleEvent::Monitor(node) => self.monitor(ctx, node),
            NodeLifecycleEvent::TaintingPass(zone) => self.tainting_pass(ctx, zone),
            NodeLifecycleEvent::TaintEviction { pod, token } => self.taint_eviction(ctx, pod, token),
        }
    }

    pub fn observe(&mut self, ctx: &mut Ctx, change: &Change) {
        if let Change::NodeMemoryPressure(node) = change {
            taint_by_condition(ctx, *node);
        }
        // A user's taint (`kubectl taint`, the out-of-service taint of a non-graceful
        // node shutdown): the taint eviction controller looks at the node's pods again.
        if let Change::NodeTainted(node) = change
            && ctx.cluster.node(*node).present
        {
            taint_eviction_node(ctx, *node);
        }
        // No NoExecute taint left: the evictions waiting on one are cancelled.
        if let Change::NodeUntainted(node) = change
            && !ctx.cluster.node(*node).taints.iter().any(|t| t.effect == "NoExecute")
        {
            for id in ctx.cluster.node(*node).resident.clone() {
                if let Some(pod) = ctx.cluster.pods.get_mut(id) {
                    pod.eviction_timer.cancel();
                }
            }
        }
        if let Change::NodeHeartbeat { node, up } = change {
            // Stopped: the last status the kubelet posted is (at most) now; the node is
            // noticed at the first pass more than the grace period later. Resumed: the
            // next pass sees Ready and removes the taints.
            let after = if *up { 1 } else { self.grace + 1 };
            let at = next_pass(ctx.now.after(after), self.period);
            ctx.schedule(at, NodeLifecycleEvent::Monitor(*node));
        }
    }

    /// A monitor pass over one node.
    fn monitor(&mut self, ctx: &mut Ctx, node: NodeId) {
        let n = ctx.cluster.node(node);
        if !n.present {
            return;
        }
        match (n.kubelet_up, n.ready) {
            (true, NodeReady::True) => self.untaint_unreachable(ctx, node),
            (false, NodeReady::True) => node_lost(ctx, node, self.period),
            (false, _) => self.enqueue_tainting(ctx, node),
            (true, _) => {}
        }
    }

    fn enqueue_tainting(&mut self, ctx: &mut Ctx, node: NodeId) {
        if ctx.has_taint(node, UNREACHABLE, "NoExecute") {
            return;
        }
        let zone = self.zones_of(ctx.cluster)[node.0 as usize].clone();
        let z = self.zones.entry(zone.clone()).or_default();
        if !z.queue.contains(&node) {
            z.queue.push_back(node);
        }
        self.schedule_tainting_pass(ctx, &zone, ctx.now);
    }

    fn schedule_tainting_pass(&mut self, ctx: &mut Ctx, zone: &Arc<str>, at: SimTime) {
        let z = self.zones.get_mut(zone).expect("created");
        if z.pass_pending || z.queue.is_empty() {
            return;
        }
        z.pass_pending = true;
        let at = SimTime::from_ms(at.ms().div_ceil(TAINTING_PASS) * TAINTING_PASS).max(ctx.now);
        let index = self.zones.keys().position(|k| k == zone).expect("present") as u32;
        ctx.schedule(at, NodeLifecycleEvent::TaintingPass(index));
    }

    /// `doNoExecuteTaintingPass` for one zone: taint the next node when the zone's
    /// limiter allows (its rate depends on how much of the zone is down).
    fn tainting_pass(&mut self, ctx: &mut Ctx, index: u32) {
        let Some(zone) = self.zones.keys().nth(index as usize).cloned() else { return };
        let interval = zone_interval(ctx.cluster, self.zones_of(ctx.cluster), &zone);
        let now = ctx.now;
        let z = self.zones.get_mut(&zone).expect("listed");
        z.pass_pending = false;
        let Some(interval) = interval else {
            // Every zone fully down: no evictions; look again at the next monitor pass.
            let at = next_pass(now.after(1), self.period);
            self.schedule_tainting_pass(ctx, &zone, at);
            return;
        };
        if z.next_token > now {
            let at = z.next_token;
            self.schedule_tainting_pass(ctx, &zone, at);
            return;
        }
        let Some(node) = z.queue.pop_front() else { return };
        z.next_token = now.after(interval);
        let n = ctx.cluster.node(node);
        if n.present && !n.kubelet_up && n.ready != NodeReady::True {
            ctx.add_taint(node, UNREACHABLE, "NoExecute");
            taint_eviction_node(ctx, node);
        }
        let next = self.zones[&zone].next_token;
        self.schedule_tainting_pass(ctx, &zone, next);
    }

    /// Every node's zone key, by node id.
    fn zones_of(&mut self, cluster: &Cluster) -> &[Arc<str>] {
        for n in &cluster.nodes[self.zone_of.len()..] {
            self.zone_of.push(Arc::from(zone_key(&n.labels)));
        }
        &self.zone_of
    }

    /// Ready again: the unreachable taints go and pending evictions are cancelled.
    fn untaint_unreachable(&mut self, ctx: &mut Ctx, node: NodeId) {
        if !ctx.remove_taints(node, UNREACHABLE) {
            return;
        }
        for z in self.zones.values_mut() {
            z.queue.retain(|n| *n != node);
        }
        for id in ctx.cluster.node(node).resident.clone() {
            if let Some(pod) = ctx.cluster.pods.get_mut(id) {
                pod.eviction_timer.cancel();
            }
        }
    }

    fn taint_eviction(&mut self, ctx: &mut Ctx, id: PodId, token: TimerToken) {
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        if pod.eviction_timer.fire(token) {
            evict_by_taint(ctx, id);
        }
    }
}

/// `tryUpdateNodeHealth` found no status for longer than the grace period.
fn node_lost(ctx: &mut Ctx, node: NodeId, period: Millis) {
    ctx.set_node_ready(node, NodeReady::Unknown, "NodeStatusUnknown");
    let name = ctx.cluster.node(node).name.clone();
    ctx.object_event(
        ObjectRef::node(&name),
        EventType::Normal,
        "NodeNotReady",
        format_args!("Node {name} status is now: NodeNotReady"),
    );
    ctx.add_taint(node, UNREACHABLE, "NoSchedule");
    // `MarkPodsNotReady` (`pkg/controller/util/node/controller_utils.go`): the pods'
    // Ready condition turns False, and each pod that has the condition (the kubelet
    // reported it) gets a Warning `NodeNotReady` once its status is written.
    for id in ctx.cluster.node(node).resident.clone() {
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { continue };
        let has_condition = pod.start_time.is_some();
        for c in &mut pod.containers {
            c.ready = false;
        }
        ctx.set_ready(id, false);
        ctx.report_containers(id);
        if has_condition {
            ctx.pod_event(id, EventType::Warning, "NodeNotReady", format_args!("Node is not ready"));
        }
    }
    // The NoExecute taint follows the condition as seen at the next pass.
    ctx.at(period, NodeLifecycleEvent::Monitor(node));
}

/// The zone's tainting interval from its state (`ComputeZoneState` and
/// `setLimiterInZone`): more than 55% of its nodes down (and more than 2) slows
/// evictions in large clusters and stops them in small ones; a zone with every node down
/// (`FullDisruption`) evicts at the normal rate (`enterFullDisruptionFunc` is
/// `HealthyQPSFunc`), unless every zone is fully down, which stops all evictions
/// (`handleDisruption`: the control plane is more likely cut off than the nodes).
fn zone_interval(cluster: &Cluster, zone_of: &[Arc<str>], zone: &str) -> Option<Millis> {
    let nodes: Vec<&crate::cluster::Node> =
        cluster.nodes.iter().zip(zone_of).filter(|(n, z)| n.present && ***z == *zone).map(|(n, _)| n).collect();
    let down = nodes.iter().filter(|n| n.ready != NodeReady::True).count();
    if down == nodes.len() {
        let any_zone_up = cluster.nodes.iter().any(|n| n.present && n.ready == NodeReady::True);
        return any_zone_up.then_some(NORMAL_INTERVAL);
    }
    if down > 2 && down * 100 >= nodes.len() * UNHEALTHY_ZONE_PERCENT {
        let present = cluster.nodes.iter().filter(|n| n.present).count();
        return (present > LARGE_CLUSTER).then_some(SECONDARY_INTERVAL);
    }
    Some(NORMAL_INTERVAL)
}

/// The taint eviction controller sees a NoExecute taint: each pod is deleted when its
/// toleration runs out (`minTolerationTime`), at once if it has none; an eviction
/// already scheduled keeps its time (`processPodOnNode`).
fn taint_eviction_node(ctx: &mut Ctx, node: NodeId) {
    let taints: Vec<Taint> =
        ctx.cluster.node(node).taints.iter().filter(|t| t.effect == "NoExecute").cloned().collect();
    if taints.is_empty() {
        return;
    }
    for id in ctx.cluster.node(node).resident.clone() {
        let Some(pod) = ctx.cluster.pods.get(id) else { continue };
        if pod.deletion.is_some() || pod.phase.is_terminal() {
            continue;
        }
        match min_toleration(&pod.template.spec.tolerations, &taints) {
            Toleration::Never => evict_by_taint(ctx, id),
            // Tolerated forever: any scheduled eviction is cancelled.
            Toleration::Forever => {
                if let Some(pod) = ctx.cluster.pods.get_mut(id) {
                    pod.eviction_timer.cancel();
                }
            }
            Toleration::For(ms) => {
                let pod = ctx.cluster.pods.get_mut(id).expect("exists");
                if pod.eviction_timer.is_armed() {
                    continue;
                }
                let token = pod.eviction_timer.arm();
                ctx.at(ms, NodeLifecycleEvent::TaintEviction { pod: id, token });
            }
        }
    }
}

/// `doNoScheduleTaintingPass` (`TaintNodesByCondition`, `node_lifecycle_controller.go`):
/// a node whose `MemoryPressure` condition is True gets
/// `node.kubernetes.io/memory-pressure:NoSchedule`, and loses it when the condition
/// clears. The pass runs from the controller's node update queue, as the kubelet posts
/// the condition.
fn taint_by_condition(ctx: &mut Ctx, node: NodeId) {
    use crate::kubelet::eviction::MEMORY_PRESSURE_TAINT;
    if !ctx.cluster.node(node).present {
        return;
    }
    if ctx.cluster.node(node).memory_pressure.is_some() {
        ctx.add_taint(node, MEMORY_PRESSURE_TAINT, "NoSchedule");
    } else {
        ctx.remove_taints(node, MEMORY_PRESSURE_TAINT);
    }
}

/// The pod gets `DisruptionTarget` (DeletionByTaintManager) and a graceful delete.
fn evict_by_taint(ctx: &mut Ctx, id: PodId) {
    let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
    if pod.deletion.is_some() {
        return;
    }
    pod.disruption = Some("DeletionByTaintManager");
    ctx.rec.counters.pods_evicted += 1;
    let label = ctx.pod_label(id);
    ctx.pod_event(id, EventType::Normal, "TaintManagerEviction", format_args!("Marking for deletion Pod {label}"));
    ctx.delete_pod(id, None);
}

/// How long a pod tolerates a set of NoExecute taints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Toleration {
    Never,
    Forever,
    For(Millis),
}

/// `getMinTolerationTime` over the tolerations that tolerate the taints: none → evict
/// now; only ones without `tolerationSeconds` → never; else the smallest (≤ 0 → now).
fn min_toleration(tolerations: &[crate::api::pod::Toleration], taints: &[Taint]) -> Toleration {
    let mut used = Vec::new();
    for taint in taints {
        match tolerations.iter().find(|t| crate::scheduler::filter::tolerates(t, taint)) {
            Some(t) => used.push(t.toleration_seconds),
            None => return Toleration::Never,
        }
    }
    let seconds: Vec<i64> = used.into_iter().flatten().collect();
    match seconds.iter().min() {
        None => Toleration::Forever,
        Some(s) if *s <= 0 => Toleration::Never,
        Some(s) => Toleration::For(*s as u64 * 1000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::pod::Toleration as Tol;

    fn tol(key: &str, seconds: Option<i64>) -> Tol {
        Tol {
            key: Some(key.into()),
            operator: Some("Exists".into()),
            value: None,
            effect: Some("NoExecute".into()),
            toleration_seconds: seconds,
        }
    }

    fn taint(key: &str) -> Taint {
        Taint { key: key.into(), value: None, effect: "NoExecute".into() }
    }

    #[test]
    fn min_toleration_time_follows_the_taint_manager() {
        let unreachable = [taint(UNREACHABLE)];
        assert_eq!(min_toleration(&[], &unreachable), Toleration::Never, "no toleration: evicted now");
        assert_eq!(min_toleration(&[tol(UNREACHABLE, Some(300))], &unreachable), Toleration::For(300_000));
        assert_eq!(min_toleration(&[tol(UNREACHABLE, None)], &unreachable), Toleration::Forever);
        assert_eq!(min_toleration(&[tol(UNREACHABLE, Some(0))], &unreachable), Toleration::Never);
        let two = [taint(UNREACHABLE), taint("dedicated")];
        assert_eq!(
            min_toleration(&[tol(UNREACHABLE, Some(60)), tol("dedicated", Some(30))], &two),
            Toleration::For(30_000)
        );
        assert_eq!(min_toleration(&[tol(UNREACHABLE, Some(60))], &two), Toleration::Never, "one taint not tolerated");
    }

    #[test]
    fn monitor_passes_fall_on_the_5_second_grid() {
        assert_eq!(next_pass(SimTime::from_ms(50_001), 5_000), SimTime::from_ms(55_000));
        assert_eq!(next_pass(SimTime::from_ms(55_000), 5_000), SimTime::from_ms(55_000));
        assert_eq!(zone_key(&BTreeMap::new()), "");
    }
}
