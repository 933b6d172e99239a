//! Scheduling with PodTopologySpread and InterPodAffinity, end to end: where the example
//! scenarios' pods land, read from the trace, and what the pods left Pending are told.

mod common;

use common::*;
use std::collections::BTreeMap;

/// (time, pod, node) of every `Scheduled` event, in order.
fn placements(o: &Outcome) -> Vec<(u64, String, String)> {
    o.event_rows(",Scheduled,Pod,")
        .iter()
        .map(|r| {
            let f: Vec<&str> = r.splitn(8, ',').collect();
            (f[0].parse().unwrap(), f[5].to_string(), f[6].to_string())
        })
        .collect()
}

/// The messages of a pod's `FailedScheduling` events.
fn failures(o: &Outcome, pod: &str) -> Vec<String> {
    o.event_rows(&format!(",FailedScheduling,Pod,default,{pod},"))
        .iter()
        .map(|r| r.splitn(8, ',').nth(7).unwrap().trim_matches('"').to_string())
        .collect()
}

#[test]
fn spread_zones_keeps_the_skew_at_one_and_leaves_two_pending() {
    let o = run(load_scenario("spread-zones"));
    let placed = placements(&o);
    assert_eq!(placed.len(), 8, "{placed:?}");
    let mut per_zone: BTreeMap<&str, i32> = [("a", 0), ("b", 0), ("c", 0)].into();
    for (_, pod, node) in &placed {
        let zone = node.trim_start_matches("zone-").split('-').next().unwrap();
        *per_zone.get_mut(zone).unwrap() += 1;
        let (min, max) = (per_zone.values().min().unwrap(), per_zone.values().max().unwrap());
        assert!(max - min <= 1, "{pod} on {node} makes the spread {per_zone:?}");
    }
    assert_eq!(per_zone, [("a", 3), ("b", 3), ("c", 2)].into());
    let want = "0/5 nodes are available: 2 node(s) didn't match pod topology spread constraints, 3 Insufficient cpu. \
                preemption: 0/5 nodes are available: 5 No preemption victims found for incoming pod.";
    for pod in ["web-9", "web-10"] {
        assert!(placed.iter().all(|(_, p, _)| p != pod), "{pod} was placed");
        assert_eq!(failures(&o, pod), [want], "{pod}");
    }
}

#[test]
fn anti_affinity_puts_one_replica_per_node_and_a_freed_node_takes_a_pending_one() {
    let o = run(load_scenario("anti-affinity"));
    let placed = placements(&o);
    let first: Vec<&str> = placed.iter().take(3).map(|(_, _, n)| n.as_str()).collect();
    let mut nodes = first.clone();
    nodes.sort();
    assert_eq!(nodes, ["worker-0", "worker-1", "worker-2"], "one replica per node: {placed:?}");
    let want = "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. \
                preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";
    for pod in ["cache-4", "cache-5"] {
        assert_eq!(failures(&o, pod), [want], "{pod}");
    }
    // cache-1 is deleted at 5m; once it has stopped, one Pending replica takes its node.
    let freed = &placed.iter().find(|(_, p, _)| p == "cache-1").unwrap().2;
    let gone = times(&o.rows("Pod,default,cache-1,Running,Succeeded"))[0];
    let later: Vec<_> = placed.iter().skip(3).collect();
    assert_eq!(later.len(), 1, "{placed:?}");
    let (at, pod, node) = later[0];
    assert!(pod == "cache-4" || pod == "cache-5");
    assert_eq!(node, freed);
    assert!(*at >= gone && gone >= 300_000, "placed at {at}, cache-1 gone at {gone}");
}
