//! Checks run after every event in tests: what must never be, whatever the input.

use super::{InvariantViolation, Simulation};
use crate::cluster::resources::ResourceVec;

/// How often (in events) the full scan runs; the checks at the points where an
/// invariant could break run after every event.
const FULL_SCAN_EVERY: u64 = 256;

/// After every event: what the handlers recorded as broken (a phase going back, a
/// node over its allocatable at binding, a container started on a dead kubelet), and
/// every `FULL_SCAN_EVERY` events the full scan.
pub fn after_event(sim: &mut Simulation) -> Result<(), InvariantViolation> {
    if let Some(m) = sim.rec.violations.first() {
        return Err(InvariantViolation { time: sim.now, message: m.clone() });
    }
    if sim.events_processed.is_multiple_of(FULL_SCAN_EVERY) { check(sim) } else { Ok(()) }
}

/// No node holds more than it can; no container runs on a node whose kubelet is down;
/// the phase counters agree with the pods; no pod's phase went back (checked when set);
/// no bound pod is nominated, and the nominator holds every nominated pod's node; the
/// topology spreading index counts the pods the nodes hold, per label set and per label.
pub fn check(sim: &mut Simulation) -> Result<(), InvariantViolation> {
    let fail = |message: String| Err(InvariantViolation { time: sim.now, message });
    if let Some(m) = sim.rec.violations.first() {
        return fail(m.clone());
    }
    let mut phases = [0u64; 4];
    let mut per_node: Vec<(ResourceVec, i64)> = vec![(ResourceVec::default(), 0); sim.cluster.nodes.len()];
    // PodTopologySpread's index against a recount of the pods holding nodes.
    let mut spread = std::collections::BTreeMap::new();
    for (id, pod) in sim.cluster.pods.iter() {
        if let (true, Some(n), None) = (pod.counted, pod.node, &pod.deletion) {
            *spread.entry((pod.namespace.clone(), pod.labels.clone(), n)).or_insert(0u32) += 1;
        }
        phases[pod.phase as usize] += 1;
        if pod.ready != crate::kubelet::status::ready_condition(pod).status && pod.start_time.is_some() {
            return fail(format!("pod {pod}: the Ready flag disagrees with the Ready condition"));
        }
        if let Some(n) = pod.node {
            let node = sim.cluster.node(n);
            if !node.kubelet_up && pod.containers.iter().any(|c| c.is_alive()) {
                return fail(format!("pod {pod} has a container running on {}, whose kubelet is down", node.name));
            }
            if pod.counted {
                per_node[n.0 as usize].0.add(&pod.template.requests);
                per_node[n.0 as usize].1 += 1;
            }
            if pod.counted && pod.phase.is_terminal() {
                return fail(format!("pod {pod} is {} but still holds its node's resources", pod.phase.as_str()));
            }
        }
        if let Some(n) = pod.sched.nominated_node
            && (pod.node.is_some() || !sim.subsystems.scheduler.is_nominated(id, n))
        {
            return fail(format!("pod {pod} is nominated to a node, but is bound or not held there"));
        }
    }
    let present: Vec<crate::cluster::NodeId> = (0..sim.cluster.nodes.len())
        .map(|i| crate::cluster::NodeId(i as u32))
        .filter(|n| sim.cluster.node(*n).present)
        .collect();
    let mut listed = sim.subsystems.scheduler.node_list.clone();
    listed.sort_unstable();
    if listed != present {
        return fail("the scheduler's node list is not the nodes present".to_string());
    }
    if !sim.subsystems.scheduler.pool_agrees() {
        return fail("the unschedulable pool's count is not the pods whose records say they wait there".to_string());
    }
    // Reading the index builds it, so that checked runs keep it from their first scan
    // on and every later scan compares what its changes made of it with a recount.
    if spread != sim.cluster.spread_index().all() {
        return fail("the topology spreading index disagrees with the pods on the nodes".to_string());
    }
    if !sim.cluster.spread_index().labels_agree() {
        return fail("the topology spreading index's counts per label disagree with its label sets".to_string());
    }
    if phases != sim.rec.counters.phase {
        return fail(format!("phase counters {:?} but pods {:?}", sim.rec.counters.phase, phases));
    }
    for (i, node) in sim.cluster.nodes.iter().enumerate() {
        let (requested, count) = &per_node[i];
        if *requested != trimmed(&node.requested) {
            return fail(format!(
                "node {} counts {:?} requested but its pods request {:?}",
                node.name, node.requested, requested
            ));
        }
        for (r, v) in requested.nonzero() {
            if v > node.allocatable.get(r) {
                return fail(format!(
                    "node {} is over its allocatable {}: {v} > {}",
                    node.name,
                    sim.cluster.resources.name(r),
                    node.allocatable.get(r)
                ));
            }
        }
        let row = sim.cluster.fit[i];
        if row != (crate::cluster::fit::FitRow { version: row.version, ..crate::cluster::fit::FitRow::of(node) }) {
            return fail(format!("node {}: the scheduler's fit row is stale", node.name));
        }
        if sim.cluster.room[i] != crate::cluster::fit::Room::of(&row) {
            return fail(format!("node {}: the scheduler's room is stale", node.name));
        }
        let regular = sim.cluster.regular.shape() == Some(&crate::cluster::fit::FitRow { version: 0, ..row });
        if sim.cluster.regular.contains(i) != regular {
            return fail(format!("node {}: the scheduler's regular-row bit is stale", node.name));
        }
        if *count > node.allocatable_pods {
            return fail(format!("node {} holds {count} pods, more than {}", node.name, node.allocatable_pods));
        }
    }
    Ok(())
}

/// A vector without trailing zeros, to compare vectors built in different orders.
fn trimmed(v: &ResourceVec) -> ResourceVec {
    let mut out = ResourceVec::default();
    for (i, x) in v.nonzero() {
        out.set(i, x);
    }
    out
}
