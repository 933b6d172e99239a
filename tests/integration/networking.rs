//! Pod networking: node IPAM's pod CIDRs, the pods' addresses from their node's range
//! (host-local, round-robin), `hostNetwork`, an exhausted range and a full cluster CIDR.

use crate::common::*;

/// The changes of a pod's `status.podIP` in its `PodStatus` lines: (time, podIP).
fn pod_ips(o: &Outcome, uid: u64) -> Vec<(u64, String)> {
    let mut out: Vec<(u64, String)> = Vec::new();
    for v in o
        .objects
        .lines()
        .filter(|l| l.starts_with("{\"op\":\"PodStatus\""))
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["uid"] == uid)
    {
        let ip = v["podIP"].as_str().unwrap_or("").to_string();
        if out.last().is_none_or(|(_, last)| *last != ip) {
            out.push((v["t"].as_u64().unwrap(), ip));
        }
    }
    out
}

const POOL: &str = "nodes:\n  - name: n\n    count: 2\n    capacity: {cpu: \"4\", memory: 8Gi, pods: 20}\n";

#[test]
fn nodes_get_pod_cidrs_and_pods_addresses_in_order() {
    let text = format!(
        "name: addresses\nduration: 1m\n{POOL}workloads:\n  - object: {{apiVersion: v1, kind: Pod, metadata: {{name: a}}, spec: {{nodeName: n-0, containers: [{{name: c, image: app}}]}}}}\n  - object: {{apiVersion: v1, kind: Pod, metadata: {{name: b}}, spec: {{nodeName: n-0, containers: [{{name: c, image: app}}]}}}}\n  - object: {{apiVersion: v1, kind: Pod, metadata: {{name: c}}, spec: {{nodeName: n-1, containers: [{{name: c, image: app}}]}}}}\n  - object: {{apiVersion: v1, kind: Pod, metadata: {{name: h}}, spec: {{nodeName: n-1, hostNetwork: true, containers: [{{name: c, image: app}}]}}}}\n"
    );
    let o = run(load_text(&text));
    // kube-up's ranges for a small cluster: pods in 10.64.0.0/14 by /24, nodes in 10.40.0.0/22.
    let nodes: Vec<serde_json::Value> = o
        .objects
        .lines()
        .filter(|l| l.starts_with("{\"op\":\"NodeCreated\""))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(nodes[0]["node"]["spec"]["podCIDR"], "10.64.0.0/24");
    assert_eq!(nodes[1]["node"]["spec"]["podCIDRs"][0], "10.64.1.0/24");
    assert_eq!(nodes[1]["node"]["status"]["addresses"][0]["address"], "10.40.0.3");
    assert_eq!(nodes[1]["node"]["status"]["addresses"][1]["type"], "Hostname");
    // The gateway is .1: the first pod of a node gets .2.
    assert_eq!(pod_ips(&o, 1), [(0, "10.64.0.2".to_string())]);
    assert_eq!(pod_ips(&o, 2), [(0, "10.64.0.3".to_string())]);
    assert_eq!(pod_ips(&o, 3), [(0, "10.64.1.2".to_string())]);
    assert_eq!(pod_ips(&o, 4), [(0, "10.40.0.3".to_string())], "hostNetwork: the node's address");
}

#[test]
fn an_exhausted_range_keeps_pods_in_container_creating() {
    // A /30 per node: .1 is the gateway, .2 the only pod address.
    let text = "name: exhausted\nduration: 1m\nnetwork: {nodeCIDRMaskSize: 30}\nnodes:\n  - name: n\n    count: 1\n    capacity: {cpu: \"4\", memory: 8Gi, pods: 20}\nworkloads:\n  - object: {apiVersion: v1, kind: Pod, metadata: {name: first}, spec: {restartPolicy: Never, containers: [{name: c, image: app}]}}\n  - at: 5s\n    object: {apiVersion: v1, kind: Pod, metadata: {name: second}, spec: {containers: [{name: c, image: app}]}}\nbehaviors:\n  - match: {pod: first}\n    runFor: 30s\n";
    let o = run(load_text(text));
    let failures = o.event_rows("FailedCreatePodSandBox");
    assert_eq!(times(&failures), [5_000, 15_000, 25_000], "every pod sync, 10 s apart");
    assert!(
        failures[0].contains(
            "Warning,FailedCreatePodSandBox,Pod,default,second,n-0,\"Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox \"\""
        ),
        "{}",
        failures[0]
    );
    assert!(
        failures[0].ends_with(
            "\"\": plugin type=\"\"bridge\"\" failed (add): failed to allocate for range 0: no IP addresses available in range set: 10.64.0.1-10.64.0.2\""
        ),
        "{}",
        failures[0]
    );
    assert_eq!(o.rows("second/c,,Waiting,ContainerCreating").len(), 1);
    // The first pod ends at 30 s and frees .2; the next sync (35 s) takes it.
    assert_eq!(times(&o.rows("Pod,default,first,Running,Succeeded")), [30_000]);
    assert_eq!(times(&o.rows("second/c,Waiting,Running")), [35_000]);
    assert_eq!(pod_ips(&o, 1), [(0, "10.64.0.2".to_string())], "a terminal pod keeps its address");
    assert_eq!(pod_ips(&o, 2), [(5_000, String::new()), (35_000, "10.64.0.2".to_string())]);
}

#[test]
fn a_full_cluster_cidr_leaves_a_node_without_pod_network() {
    // Two /25s in a /24: the third node gets none.
    let text = "name: full\nduration: 30s\nnetwork: {clusterCIDR: 10.244.0.0/24, nodeCIDRMaskSize: 25}\nnodes:\n  - name: n\n    count: 3\n    capacity: {cpu: \"4\", memory: 8Gi, pods: 20}\nworkloads:\n  - object: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {nodeName: n-2, containers: [{name: c, image: app}]}}\n";
    let o = run(load_text(text));
    assert_eq!(
        o.event_rows("CIDRNotAvailable"),
        ["0,Normal,CIDRNotAvailable,Node,,n-2,n-2,Node n-2 status is now: CIDRNotAvailable"]
    );
    let waits = o.event_rows("NetworkNotReady");
    assert_eq!(times(&waits), [0, 10_000, 20_000, 30_000]);
    assert!(waits[0].ends_with(",network is not ready: container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized"), "{}", waits[0]);
    assert!(o.rows("p/c,Waiting,Running").is_empty());
}

#[test]
fn bad_network_settings_are_refused_with_their_path() {
    for (network, want) in [
        ("{clusterCIDR: 10.0.0/16}", "network.clusterCIDR: invalid CIDR address: 10.0.0/16"),
        (
            "{serviceCIDR: 10.0.0.0/8}",
            "network.serviceCIDR: Invalid value: \"10.0.0.0/8\": specified service subnet is too large; for 32-bit addresses, the mask must be >= 12",
        ),
        (
            "{clusterCIDR: 10.0.0.0/16, nodeCIDRMaskSize: 8}",
            "network.nodeCIDRMaskSize: Invalid value: 8: must be between the cluster CIDR's prefix length (16) and 30",
        ),
        ("{nodeCIDRMaskSize: 31}", "network.nodeCIDRMaskSize: Invalid value: 31"),
        ("{maxEndpointsPerSlice: 0}", "network.maxEndpointsPerSlice: Invalid value: 0: must be between 1 and 1000"),
        ("{podCIDR: 10.0.0.0/16}", "unknown field `podCIDR`"),
    ] {
        let text = format!("name: bad\nnetwork: {network}\n{POOL}");
        let err = podsim::scenario::load("bad.yaml", &text, &|_: &str| Err("no files".into())).unwrap_err().to_string();
        assert!(err.contains(want), "{network}: {err}");
        assert!(err.contains("bad.yaml:2:"), "{network}: the line of the field: {err}");
    }
}
