//! Node-pressure eviction end to end (`scenarios/node-pressure.yaml`): the eviction
//! manager's MemoryPressure condition, taint, ranking and eviction, the BestEffort pod
//! it refuses, and the kernel OOM killer choosing by `oom_score_adj`.

use crate::common::{load_scenario, load_text, run};

const LEAKY_EVICTED: &str = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 46Mi. \
     Container app was using 3250Mi, request is 256Mi, has larger consumption of memory. ";

/// The leaky replica reaches 3250Mi at 2m11s; the loop's next sync (every 10 s from the
/// kubelet's start) at 2m20s reports MemoryPressure, the node is tainted and the leaky
/// pod, the only one above its request, is evicted; its replacement waits for the
/// taint, which goes 5 minutes after the last sync that saw the threshold met.
#[test]
fn the_pod_above_its_request_is_evicted_under_memory_pressure() {
    let o = run(load_scenario("node-pressure"));
    let node_events: Vec<&str> = o
        .event_rows(",Node,,worker-0,")
        .into_iter()
        .filter(|r| !r.contains("Registered Node") && !r.contains("Starting"))
        .collect();
    assert_eq!(
        node_events[..4],
        [
            "140000,Normal,NodeHasInsufficientMemory,Node,,worker-0,worker-0,Node worker-0 status is now: NodeHasInsufficientMemory",
            "140000,Warning,EvictionThresholdMet,Node,,worker-0,worker-0,Attempting to reclaim memory",
            "441000,Normal,NodeHasSufficientMemory,Node,,worker-0,worker-0,Node worker-0 status is now: NodeHasSufficientMemory",
            "571000,Normal,NodeHasInsufficientMemory,Node,,worker-0,worker-0,Node worker-0 status is now: NodeHasInsufficientMemory",
        ],
        "{}",
        o.events
    );
    let evicted = o.event_rows(",Evicted,");
    assert_eq!(
        evicted[0],
        format!("140000,Warning,Evicted,Pod,default,leaky-6f79f68d57-dmzcp,worker-0,\"{LEAKY_EVICTED}\"")
    );
    assert_eq!(
        o.rows("Pod,default,leaky-6f79f68d57-dmzcp,"),
        [
            "10000,Pod,default,leaky-6f79f68d57-dmzcp,,Pending,,",
            "11000,Pod,default,leaky-6f79f68d57-dmzcp,Pending,Running,,worker-0",
            "140000,Pod,default,leaky-6f79f68d57-dmzcp,Running,Failed,Evicted,worker-0",
        ]
    );
    // The replacement is kept off the tainted node until the condition clears.
    assert!(
        o.events.contains("140000,Warning,FailedScheduling,Pod,default,leaky-6f79f68d57-pr58b,,\"0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node.kubernetes.io/memory-pressure: }."),
        "{}",
        o.events
    );
    assert!(o.transitions.contains("443000,Pod,default,leaky-6f79f68d57-pr58b,Pending,Running,,worker-0"));
    // The Guaranteed pods below their requests are never evicted.
    assert!(o.rows("Pod,default,db,").iter().all(|r| !r.contains("Failed")));
    assert!(o.rows("Pod,default,cache,").iter().all(|r| !r.contains("Failed")));
    // The node's taint and condition are in the object history (what describe reads).
    assert!(o.objects.contains("\"memoryPressure\":140000"), "{}", o.objects);
}

/// A BestEffort pod sent to the node (`spec.nodeName`) while it is under memory
/// pressure is refused by the eviction manager's admission.
#[test]
fn a_best_effort_pod_is_refused_under_memory_pressure() {
    let o = run(load_scenario("node-pressure"));
    assert_eq!(
        o.rows("Pod,default,debug,"),
        ["240000,Pod,default,debug,,Pending,,", "240000,Pod,default,debug,Pending,Failed,Evicted,worker-0"]
    );
    assert_eq!(
        o.event_rows(",debug,"),
        ["240000,Warning,Evicted,Pod,default,debug,worker-0,The node had condition: [MemoryPressure]. "]
    );
}

/// On small-0 the BestEffort spike outgrows the node at once: the OOM killer takes it
/// (oom_score_adj 1000), not the Burstable (875) or Guaranteed (-997) pod, and it
/// restarts with the crash-loop back-off; no eviction happens there.
#[test]
fn the_oom_killer_takes_the_best_effort_container() {
    let o = run(load_scenario("node-pressure"));
    let oom = o.event_rows(",SystemOOM,");
    assert_eq!(
        oom[0],
        "90000,Warning,SystemOOM,Node,,small-0,small-0,\"System OOM encountered, victim process: spike/spike\""
    );
    assert!(oom.iter().all(|r| r.contains("victim process: spike/spike")), "{oom:?}");
    assert!(o.transitions.contains("90000,Container,default,spike/spike,Running,Terminated,OOMKilled,small-0"));
    assert!(o.event_rows(",small-0,").iter().all(|r| !r.contains("Evicted") && !r.contains("Pressure")));
    for pod in ["steady", "web"] {
        assert!(o.rows(&format!("Container,default,{pod}/")).iter().all(|r| !r.contains("OOMKilled")), "{pod}");
    }
}

/// Without memory behaviors nothing of this runs: no eviction event is ever queued.
#[test]
fn nodes_without_working_sets_cost_no_events() {
    let text = r#"
name: no-memory
duration: 1h
nodes:
  - name: worker
    capacity: {cpu: "4", memory: 1Gi, pods: 110}
workloads:
  - object: {apiVersion: v1, kind: Pod, metadata: {name: solo}, spec: {containers: [{name: app, image: busybox}]}}
"#;
    let o = run(load_text(text));
    // Created, scheduled, pulled, started, metrics samples: no 10 s loop over an hour.
    assert!(o.events_processed < 100, "{}", o.events_processed);
    assert!(!o.events.contains("Pressure"));
}
