//! Scheduling with PodTopologySpread and InterPodAffinity, end to end: where the example
//! scenarios' pods land, read from the trace, and what the pods left Pending are told.

use crate::common::*;
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

/// The messages of a pod's `FailedScheduling` events, a series' rows once (the
/// events.k8s.io recorder writes its start and its end with the first failure's words).
fn failures(o: &Outcome, pod: &str) -> Vec<String> {
    let mut out: Vec<String> = o
        .event_rows(&format!(",FailedScheduling,Pod,default,{pod},"))
        .iter()
        .map(|r| r.splitn(8, ',').nth(7).unwrap().trim_matches('"').to_string())
        .collect();
    out.dedup();
    out
}

#[test]
fn spread_zones_keeps_the_skew_at_one_and_a_freed_place_goes_to_a_pending_replica() {
    let o = run(load_scenario("spread-zones"));
    let placed = placements(&o);
    assert_eq!(placed.len(), 9, "{placed:?}");
    let zone = |node: &str| node.trim_start_matches("zone-").split('-').next().unwrap().to_string();
    let mut per_zone: BTreeMap<String, i32> = ["a", "b", "c"].map(|z| (z.to_string(), 0)).into();
    for (_, pod, node) in &placed[..8] {
        *per_zone.get_mut(&zone(node)).unwrap() += 1;
        let (min, max) = (per_zone.values().min().unwrap(), per_zone.values().max().unwrap());
        assert!(max - min <= 1, "{pod} on {node} makes the spread {per_zone:?}");
    }
    assert_eq!(per_zone, ["a", "b", "c"].map(|z| z.to_string()).into_iter().zip([3, 3, 2]).collect());
    let want = "0/5 nodes are available: 2 node(s) didn't match pod topology spread constraints, 3 Insufficient cpu. \
                preemption: 0/5 nodes are available: 5 No preemption victims found for incoming pod.";
    for pod in ["web-9", "web-10"] {
        assert_eq!(failures(&o, pod), [want], "{pod}");
    }
    // web-3 (zone c) is deleted at 5m. The moment it is gone the Pending replicas are
    // retried (a pod the constraint's selector matches left, PodTopologySpread's
    // QueueingHint), not at the 5-minute flush, and one takes zone c's freed place.
    let web3 = &placed.iter().find(|(_, p, _)| p == "web-3").unwrap().2;
    assert_eq!(zone(web3), "c");
    let gone = times(&o.rows("Pod,default,web-3,Running,Succeeded"))[0];
    let (at, pod, node) = &placed[8];
    assert!(pod == "web-9" || pod == "web-10", "{pod}");
    assert_eq!((*at, node), (gone, web3), "placed when web-3 was gone, on its node");
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
    // cache-1 is deleted at 5m. The moment it is gone (a pod the Pending replicas'
    // anti-affinity selects left: InterPodAffinity's QueueingHint) one of them takes its node.
    let freed = &placed.iter().find(|(_, p, _)| p == "cache-1").unwrap().2;
    let gone = times(&o.rows("Pod,default,cache-1,Running,Succeeded"))[0];
    let later: Vec<_> = placed.iter().skip(3).collect();
    assert_eq!(later.len(), 1, "{placed:?}");
    let (at, pod, node) = later[0];
    assert!(pod == "cache-4" || pod == "cache-5");
    assert_eq!(node, freed);
    assert_eq!(*at, gone, "placed when cache-1 was gone");
    assert!(gone >= 300_000);
}

/// The nodes the pods matching `prefix` were assigned to (their `Scheduled` events).
fn assigned_nodes(o: &Outcome, prefix: &str) -> std::collections::BTreeSet<String> {
    o.event_rows(",Scheduled,")
        .into_iter()
        .filter(|r| r.contains(&format!("default/{prefix}")))
        .map(|r| r.rsplit(" to ").next().unwrap().to_string())
        .collect()
}

/// PodTopologySpread's system defaults (`helper.DefaultSelector`): a ReplicaSet's pods,
/// and pods a Service selects, are spread over hostnames even under MostAllocated,
/// which alone packs them onto one node; bare pods with the same labels are packed.
#[test]
fn default_spreading_applies_to_replicaset_and_service_pods_only() {
    let scenario = |workload: &str| {
        format!(
            r#"
name: default-spreading
seed: 1
duration: 2m
scheduler:
  pluginConfig:
    - name: NodeResourcesFit
      args: {{scoringStrategy: {{type: MostAllocated, resources: [{{name: cpu, weight: 1}}]}}}}
nodes:
  - name: node
    count: 3
    capacity: {{cpu: "8", memory: 32Gi, pods: 110}}
workloads:
{workload}
"#
        )
    };
    let pod = "{containers: [{name: web, image: web:1, resources: {requests: {cpu: \"1\"}}}]}";
    let deployment = format!(
        "  - object: {{apiVersion: apps/v1, kind: Deployment, metadata: {{name: web}}, spec: {{replicas: 6, \
         selector: {{matchLabels: {{app: web}}}}, template: {{metadata: {{labels: {{app: web}}}}, spec: {pod}}}}}}}"
    );
    let bare = format!(
        "  - arrivals: {{count: 6, interarrival: 1s, object: {{apiVersion: v1, kind: Pod, \
         metadata: {{generateName: solo-, labels: {{app: solo}}}}, spec: {pod}}}}}"
    );
    let service = "  - object: {apiVersion: v1, kind: Service, metadata: {name: solo}, spec: {selector: {app: solo}, ports: [{port: 80}]}}";
    let o = run(load_text(&scenario(&deployment)));
    assert_eq!(assigned_nodes(&o, "web-").len(), 3, "{}", o.events);
    let o = run(load_text(&scenario(&bare)));
    assert_eq!(assigned_nodes(&o, "solo-").len(), 1, "bare pods are packed: {}", o.events);
    let o = run(load_text(&scenario(&format!("{service}\n{bare}"))));
    assert!(assigned_nodes(&o, "solo-").len() > 1, "a Service's pods are spread: {}", o.events);
}
