//! The node lifecycle controller (`pkg/controller/nodelifecycle`) and the taint
//! eviction controller (`pkg/controller/tainteviction`).
//!
//! A node whose kubelet stops posting status turns `Unknown` at the first monitor pass
//! (every 5 s) after the grace period (50 s); it gets the `unreachable:NoSchedule` taint
//! at once and the `unreachable:NoExecute` taint one pass later, through a per-zone
//! rate-limited queue (0.1 node/s; slower or stopped when much of the zone is down).
//! The taint eviction controller then deletes each pod on the node when its toleration
//! of the taint runs out (300 s by default, from the `DefaultTolerationSeconds`
//! admission plugin). When the kubelet is back the node is Ready and the next pass
//! removes the taints.

use crate::api::node::Taint;
use crate::cluster::node::NodeReady;
use crate::cluster::{NodeId, PodId};
use crate::engine::{Millis, SimTime, TimerToken};
use crate::sim::record::ObjectRef;
use crate::sim::{Event, Simulation};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// `--node-monitor-grace-period` (50 s since 1.32).
pub const NODE_MONITOR_GRACE: Millis = 50_000;
/// `--node-monitor-period`.
pub const NODE_MONITOR_PERIOD: Millis = 5_000;
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
pub const UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";

/// The tainting queue of one zone and its rate limiter.
#[derive(Default, Debug)]
pub struct Zone {
    queue: VecDeque<NodeId>,
    /// When the limiter next has a token (burst of one).
    next_token: SimTime,
    pass_pending: bool,
}

/// The controller's own state.
#[derive(Default, Debug)]
pub struct NodeLifecycle {
    pub zones: BTreeMap<Arc<str>, Zone>,
}

/// The zone of a node, as the controller keys it (`utilnode.GetZoneKey`: region and zone).
pub fn zone_key(labels: &BTreeMap<String, String>) -> String {
    let get = |k: &str| labels.get(k).map(String::as_str).unwrap_or("");
    let region = get("topology.kubernetes.io/region");
    let zone = get("topology.kubernetes.io/zone");
    if region.is_empty() && zone.is_empty() { String::new() } else { format!("{region}:\x00:{zone}") }
}

/// The first monitor pass at or after `t` (passes run every `NODE_MONITOR_PERIOD`).
fn next_pass(t: SimTime) -> SimTime {
    SimTime(t.0.div_ceil(NODE_MONITOR_PERIOD) * NODE_MONITOR_PERIOD)
}

impl Simulation {
    pub(crate) fn node_lifecycle_kubelet_stopped(&mut self, node: NodeId) {
        // The last status the kubelet posted is (at most) now; the node is noticed at
        // the first pass more than the grace period later.
        let at = next_pass(self.now.after(NODE_MONITOR_GRACE + 1));
        self.queue.schedule(at, Event::NodeMonitor(node));
    }

    pub(crate) fn node_lifecycle_kubelet_started(&mut self, node: NodeId) {
        if self.cluster.node(node).ready != NodeReady::True {
            self.set_node_ready(node, NodeReady::True, "KubeletReady");
            let name = self.cluster.node(node).name.clone();
            self.object_event(
                ObjectRef::node(&name),
                false,
                "NodeReady",
                format_args!("Node {name} status is now: NodeReady"),
            );
        }
        // The next pass sees Ready and removes the taints.
        let at = next_pass(self.now.after(1));
        self.queue.schedule(at, Event::NodeMonitor(node));
    }

    /// A monitor pass over one node.
    pub(crate) fn node_monitor(&mut self, node: NodeId) {
        let n = self.cluster.node(node);
        if !n.present {
            return;
        }
        match (n.kubelet_up, n.ready) {
            (true, NodeReady::True) => self.untaint_unreachable(node),
            (false, NodeReady::True) => self.node_lost(node),
            (false, _) => self.enqueue_tainting(node),
            (true, _) => {}
        }
    }

    /// `tryUpdateNodeHealth` found no status for longer than the grace period.
    fn node_lost(&mut self, node: NodeId) {
        self.set_node_ready(node, NodeReady::Unknown, "NodeStatusUnknown");
        let name = self.cluster.node(node).name.clone();
        self.object_event(
            ObjectRef::node(&name),
            false,
            "NodeNotReady",
            format_args!("Node {name} status is now: NodeNotReady"),
        );
        self.add_taint(node, UNREACHABLE, "NoSchedule");
        // `MarkPodsNotReady`: the pods' Ready condition turns False.
        for id in self.cluster.node(node).resident.clone() {
            if let Some(pod) = self.cluster.pods.get_mut(id) {
                pod.ready = false;
                for c in &mut pod.containers {
                    c.ready = false;
                }
            }
            self.report_containers(id);
        }
        // The NoExecute taint follows the condition as seen at the next pass.
        self.queue.schedule(self.now.after(NODE_MONITOR_PERIOD), Event::NodeMonitor(node));
    }

    fn enqueue_tainting(&mut self, node: NodeId) {
        if self.has_taint(node, UNREACHABLE, "NoExecute") {
            return;
        }
        let zone: Arc<str> = Arc::from(zone_key(&self.cluster.node(node).labels));
        let z = self.controllers.nodes.zones.entry(zone.clone()).or_default();
        if !z.queue.contains(&node) {
            z.queue.push_back(node);
        }
        self.schedule_tainting_pass(&zone, self.now);
    }

    fn schedule_tainting_pass(&mut self, zone: &Arc<str>, at: SimTime) {
        let z = self.controllers.nodes.zones.get_mut(zone).expect("created");
        if z.pass_pending || z.queue.is_empty() {
            return;
        }
        z.pass_pending = true;
        let at = SimTime(at.0.div_ceil(TAINTING_PASS) * TAINTING_PASS).max(self.now);
        let index = self.controllers.nodes.zones.keys().position(|k| k == zone).expect("present") as u32;
        self.queue.schedule(at, Event::TaintingPass(index));
    }

    /// `doNoExecuteTaintingPass` for one zone: taint the next node when the zone's
    /// limiter allows (its rate depends on how much of the zone is down).
    pub(crate) fn tainting_pass(&mut self, index: u32) {
        let Some(zone) = self.controllers.nodes.zones.keys().nth(index as usize).cloned() else { return };
        let interval = self.zone_interval(&zone);
        let now = self.now;
        let z = self.controllers.nodes.zones.get_mut(&zone).expect("listed");
        z.pass_pending = false;
        let Some(interval) = interval else {
            // Full disruption: no evictions; look again at the next monitor pass.
            let at = next_pass(now.after(1));
            self.schedule_tainting_pass(&zone, at);
            return;
        };
        if z.next_token > now {
            let at = z.next_token;
            self.schedule_tainting_pass(&zone, at);
            return;
        }
        let Some(node) = z.queue.pop_front() else { return };
        z.next_token = now.after(interval);
        let n = self.cluster.node(node);
        if n.present && !n.kubelet_up && n.ready != NodeReady::True {
            self.add_taint(node, UNREACHABLE, "NoExecute");
            self.taint_eviction_node(node);
        }
        let next = self.controllers.nodes.zones[&zone].next_token;
        self.schedule_tainting_pass(&zone, next);
    }

    /// The zone's state (`ComputeZoneState`): all nodes down stops evictions, more than
    /// 55% (and more than 2) slows them in large clusters and stops them in small ones.
    fn zone_interval(&self, zone: &str) -> Option<Millis> {
        let nodes: Vec<&crate::cluster::Node> =
            self.cluster.nodes.iter().filter(|n| n.present && zone_key(&n.labels) == zone).collect();
        let down = nodes.iter().filter(|n| n.ready != NodeReady::True).count();
        if down == nodes.len() {
            return None;
        }
        if down > 2 && down * 100 >= nodes.len() * UNHEALTHY_ZONE_PERCENT {
            let present = self.cluster.nodes.iter().filter(|n| n.present).count();
            return (present > LARGE_CLUSTER).then_some(SECONDARY_INTERVAL);
        }
        Some(NORMAL_INTERVAL)
    }

    /// Ready again: the unreachable taints go and pending evictions are cancelled.
    fn untaint_unreachable(&mut self, node: NodeId) {
        let had = self.has_taint(node, UNREACHABLE, "NoSchedule") || self.has_taint(node, UNREACHABLE, "NoExecute");
        if !had {
            return;
        }
        self.cluster.node_mut(node).taints.retain(|t| t.key != UNREACHABLE);
        self.cluster.refresh_fit(node);
        self.report_node(node);
        for z in self.controllers.nodes.zones.values_mut() {
            z.queue.retain(|n| *n != node);
        }
        for id in self.cluster.node(node).resident.clone() {
            if let Some(pod) = self.cluster.pods.get_mut(id) {
                pod.eviction_timer.cancel();
            }
        }
        self.scheduler_cluster_event(crate::scheduler::filter::hint::NODE_UNTAINTED, Some(node));
    }

    pub(crate) fn has_taint(&self, node: NodeId, key: &str, effect: &str) -> bool {
        self.cluster.node(node).taints.iter().any(|t| t.key == key && t.effect == effect)
    }

    pub(crate) fn add_taint(&mut self, node: NodeId, key: &str, effect: &str) {
        if !self.has_taint(node, key, effect) {
            self.cluster.node_mut(node).taints.push(Taint { key: key.into(), value: None, effect: effect.into() });
            self.cluster.refresh_fit(node);
            self.report_node(node);
        }
    }

    /// The taint eviction controller sees a NoExecute taint: each pod is deleted when its
    /// toleration runs out (`minTolerationTime`), at once if it has none.
    fn taint_eviction_node(&mut self, node: NodeId) {
        let taints: Vec<Taint> =
            self.cluster.node(node).taints.iter().filter(|t| t.effect == "NoExecute").cloned().collect();
        for id in self.cluster.node(node).resident.clone() {
            let Some(pod) = self.cluster.pods.get(id) else { continue };
            if pod.deletion.is_some() || pod.phase.is_terminal() {
                continue;
            }
            match min_toleration(&pod.template.spec.tolerations, &taints) {
                Toleration::Never => self.evict_by_taint(id),
                Toleration::Forever => {}
                Toleration::For(ms) => {
                    let pod = self.cluster.pods.get_mut(id).expect("exists");
                    let token = pod.eviction_timer.arm();
                    self.at(ms, Event::TaintEviction { pod: id, token });
                }
            }
        }
    }

    pub(crate) fn taint_eviction_event(&mut self, id: PodId, token: TimerToken) {
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        if pod.eviction_timer.fire(token) {
            self.evict_by_taint(id);
        }
    }

    /// The pod gets `DisruptionTarget` (DeletionByTaintManager) and a graceful delete.
    fn evict_by_taint(&mut self, id: PodId) {
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        if pod.deletion.is_some() {
            return;
        }
        pod.disruption = Some("DeletionByTaintManager");
        self.counters.pods_evicted += 1;
        let label = self.pod_label(id);
        self.pod_event(id, false, "TaintManagerEviction", format_args!("Marking for deletion Pod {label}"));
        self.delete_pod(id, None);
    }

    pub(crate) fn set_node_ready(&mut self, node: NodeId, ready: NodeReady, reason: &str) {
        let from = self.cluster.node(node).ready;
        if from == ready {
            return;
        }
        if from == NodeReady::True {
            self.counters.nodes_ready -= 1;
        }
        if ready == NodeReady::True {
            self.counters.nodes_ready += 1;
        }
        self.cluster.node_mut(node).ready = ready;
        self.record_node_ready(node, from.as_str(), ready.as_str(), reason);
        self.outage_tick();
    }

    /// Keeps the integral of unscheduled pods during outages current: call after the
    /// number of unscheduled pods or of Ready nodes changed.
    pub(crate) fn outage_tick(&mut self) {
        let outage = self.counters.nodes_ready < self.present_nodes();
        let pending = if outage { self.counters.unscheduled as i64 } else { 0 };
        if pending != self.counters.pending_during_outages.value() {
            self.counters.pending_during_outages.set(self.now.0, pending);
        }
    }

    /// A removed node no longer counts as Ready; its last row says `Deleted`.
    pub(crate) fn set_node_ready_gone(&mut self, node: NodeId) {
        let from = self.cluster.node(node).ready;
        if from == NodeReady::True {
            self.counters.nodes_ready -= 1;
        }
        self.record_node_ready(node, from.as_str(), "Deleted", "NodeDeleted");
        self.outage_tick();
    }

    pub(crate) fn present_nodes(&self) -> u64 {
        self.scheduler.node_list.len() as u64
    }
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
        assert_eq!(next_pass(SimTime(50_001)), SimTime(55_000));
        assert_eq!(next_pass(SimTime(55_000)), SimTime(55_000));
        assert_eq!(zone_key(&BTreeMap::new()), "");
    }
}
