//! DaemonSets end to end: one pod per eligible node as the pool grows and shrinks, none
//! on a node whose taint the pod does not tolerate, and a rolling update node by node.

use crate::common::*;

/// The rows of one kind (time, name, from, to, node).
fn rows_of(o: &Outcome, kind: &str) -> Vec<(u64, String, String, String, String)> {
    o.transitions
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1] == kind).then(|| (f[0].parse().unwrap(), f[3].into(), f[4].into(), f[5].into(), f[7].into()))
        })
        .collect()
}

#[test]
fn a_daemonset_follows_its_pool_and_rolls_node_by_node() {
    let o = run(load_scenario("daemonset-growing-pool"));
    let ds: Vec<(u64, String, String)> =
        rows_of(&o, "DaemonSet").into_iter().map(|(t, _, from, to, _)| (t, from, to)).collect();
    let row = |t: u64, from: &str, to: &str| (t, from.to_string(), to.to_string());
    // Three workers (the GPU node's taint is not tolerated), five after the add, four
    // after the removal.
    assert_eq!(ds, vec![row(0, "", "3"), row(300_000, "3", "5"), row(600_000, "5", "4")]);
    // Every pod runs on the node it was made for; none on the GPU node.
    let pending: Vec<(u64, String)> =
        rows_of(&o, "Pod").into_iter().filter(|r| r.3 == "Pending").map(|(t, name, ..)| (t, name)).collect();
    let running: Vec<(u64, String)> =
        rows_of(&o, "Pod").into_iter().filter(|r| r.3 == "Running").map(|(t, _, _, _, node)| (t, node)).collect();
    assert!(running.iter().all(|(_, n)| n.starts_with("worker-")), "{running:?}");
    // Created at 0 (three) and 5m (two); at 15m the update replaces the four pods one
    // at a time: pull 2 s, start 1 s, ready at the probe 5 s after the start's failed one.
    let created: Vec<u64> = pending.iter().map(|(t, _)| *t).collect();
    assert_eq!(created, [0, 0, 0, 300_000, 300_000, 900_000, 908_000, 916_000, 924_000]);
    let started: Vec<u64> = running.iter().map(|(t, _)| *t).collect();
    assert_eq!(started, [3_000, 3_000, 3_000, 303_000, 303_000, 903_000, 911_000, 919_000, 927_000]);
    // The rolling order over the nodes is drawn from the seeded stream.
    let rolled: Vec<&str> = running[5..].iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(rolled, ["worker-2", "worker-3", "worker-0", "worker-4"]);
    // The controller's events in upstream's words, on the DaemonSet.
    let ds_events = o.event_rows(",DaemonSet,default,log-agent,");
    let creates = ds_events.iter().filter(|l| l.contains(",SuccessfulCreate,")).count();
    let deletes: Vec<&&str> = ds_events.iter().filter(|l| l.contains(",SuccessfulDelete,")).collect();
    assert_eq!((creates, deletes.len()), (9, 4), "{ds_events:#?}");
    assert!(
        deletes[0].starts_with("900000,Normal,SuccessfulDelete,") && deletes[0].contains(",Deleted pod: log-agent-")
    );
    // The removed worker's pod is the pod garbage collector's (40 s later).
    let removed = rows_of(&o, "Pod").into_iter().filter(|r| r.4 == "worker-1" && r.3 == "Failed").count();
    assert_eq!(removed, 1);
}

/// `kubectl drain --ignore-daemonsets`: the drained node's DaemonSet pod is not
/// evicted (the DaemonSet tolerates the cordon and would put it back); the bare pod is.
#[test]
fn a_drain_leaves_the_daemonset_pod_on_its_node() {
    let o = run(load_text(
        r#"
name: drain-daemonset
seed: 1
duration: 3m
nodes:
  - name: worker
    count: 2
    capacity: {cpu: "4", memory: 16Gi, pods: 110}
workloads:
  - object:
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: agent}
      spec:
        selector: {matchLabels: {app: agent}}
        template:
          metadata: {labels: {app: agent}}
          spec: {containers: [{name: agent, image: agent:1}]}
  - object:
      apiVersion: v1
      kind: Pod
      metadata: {name: solo}
      spec: {nodeName: worker-0, containers: [{name: solo, image: solo:1}]}
behaviors:
  - match: {container: "*"}
    startup: 1s
faults:
  - {at: 1m, node: worker-0, action: drain}
"#,
    ));
    let evicted: Vec<&str> =
        o.transitions.lines().filter(|l| l.contains(",Pod,") && l.contains("EvictionByEvictionAPI")).collect();
    assert!(evicted.iter().all(|l| l.contains(",solo,")), "{evicted:#?}");
    let agent_rows: Vec<&str> = o.rows(",agent-").into_iter().filter(|l| l.contains("worker-0")).collect();
    assert!(agent_rows.iter().all(|l| !l.contains(",Failed,") && !l.contains("Terminating")), "{agent_rows:#?}");
    let killed = o.event_rows(",Killing,");
    assert!(!killed.is_empty() && killed.iter().all(|l| l.contains(",solo,")), "{}", o.events);
}

/// A DaemonSet of pods asking 2 cpu on two workers of 4 and a node of 1, and at 10 s a
/// pod whose one term names two nodes (`kubernetes.version` as given).
fn small_node_scenario(version: &str) -> String {
    format!(
        r#"
name: daemon-on-a-small-node
seed: 1
duration: 1m
kubernetes: {{version: "{version}"}}
nodes:
  - name: worker
    count: 2
    capacity: {{cpu: "4", memory: 16Gi, pods: 110}}
  - name: small
    count: 1
    capacity: {{cpu: "1", memory: 4Gi, pods: 110}}
workloads:
  - object:
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {{name: agent}}
      spec:
        selector: {{matchLabels: {{app: agent}}}}
        template:
          metadata: {{labels: {{app: agent}}}}
          spec: {{containers: [{{name: agent, image: agent:1, resources: {{requests: {{cpu: "2"}}}}}}]}}
  - at: 10s
    object:
      apiVersion: v1
      kind: Pod
      metadata: {{name: torn}}
      spec:
        affinity:
          nodeAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
              nodeSelectorTerms:
                - matchFields:
                    - {{key: metadata.name, operator: In, values: [worker-0]}}
                    - {{key: metadata.name, operator: In, values: [worker-1]}}
        containers: [{{name: torn, image: torn:1}}]
"#
    )
}

/// NodeAffinity's PreFilter result (`node_affinity.go`, `schedule_one.go`): a daemon pod
/// names its node, so the scheduler filters that node alone; since 1.32 the others
/// count in the message as `UnschedulableAndUnresolvable` with the absent nodes' words
/// (in 1.31 they have no status and count only in preemption's message), and
/// preemption finds no victims there. A pod whose terms name nodes but none in common
/// is refused at PreFilter (`errReasonConflict`).
#[test]
fn a_daemon_pod_is_filtered_on_its_own_node_alone() {
    let preemption = "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, \
                      2 Preemption is not helpful for scheduling.";
    for (version, filter) in [
        ("1.34", "1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]."),
        ("1.32", "1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]."),
        ("1.31", "1 Insufficient cpu."),
    ] {
        let o = run(load_text(&small_node_scenario(version)));
        let failed = o.event_rows(",FailedScheduling,");
        let on_small: Vec<&&str> = failed.iter().filter(|l| l.contains(",agent-")).collect();
        let want = format!("\"0/3 nodes are available: {filter} {preemption}\"");
        assert!(!on_small.is_empty() && on_small.iter().all(|l| l.ends_with(&want)), "{version}: {on_small:#?}");
        let torn: Vec<&&str> = failed.iter().filter(|l| l.contains(",torn,")).collect();
        assert!(
            torn.first().is_some_and(|l| l.starts_with("10000,")
                && l.contains(
                    ",0/3 nodes are available: pod affinity terms conflict. \
                 preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
                )),
            "{version}: {torn:#?}"
        );
        // The two workers run their daemon pods.
        let running = o.rows(",agent-").into_iter().filter(|l| l.contains(",Pod,") && l.contains(",Running,")).count();
        assert_eq!(running, 2, "{version}: {}", o.transitions);
    }
}

/// `nextStartNodeIndex` after a pod filtered on a PreFilter result's nodes moves on by
/// the nodes examined there (one for a daemon pod), modulo the cluster's node count. On
/// 101 nodes a pod's walk takes 100 (`numFeasibleNodesToFind`'s floor) and leaves out
/// the node before its start: after 29 daemon pods the walk starts at node 29 and leaves
/// out node 28, the one big node, so the plain pod cannot go there (walking every node
/// for each daemon pod, as before the PreFilter result was modelled, left the start at
/// 0, and the big node's score won it the pod).
#[test]
fn daemon_pods_move_the_node_search_on_by_their_own_node() {
    let o = run(load_text(
        r#"
name: start-after-daemon-pods
seed: 1
duration: 1m
nodes:
  - name: a
    count: 28
    labels: {agent: "yes"}
    capacity: {cpu: "8", memory: 32Gi, pods: 110}
  - name: big
    count: 1
    labels: {agent: "yes"}
    capacity: {cpu: "64", memory: 256Gi, pods: 110}
  - name: c
    count: 72
    capacity: {cpu: "8", memory: 32Gi, pods: 110}
workloads:
  - object:
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: agent}
      spec:
        selector: {matchLabels: {app: agent}}
        template:
          metadata: {labels: {app: agent}}
          spec:
            nodeSelector: {agent: "yes"}
            containers: [{name: agent, image: agent:1}]
  - at: 10s
    object:
      apiVersion: v1
      kind: Pod
      metadata: {name: plain}
      spec: {containers: [{name: plain, image: plain:1, resources: {requests: {cpu: "1", memory: 1Gi}}}]}
"#,
    ));
    let bound: Vec<&str> = o.event_rows(",Scheduled,").into_iter().filter(|l| l.contains(",plain,")).collect();
    assert_eq!(bound.len(), 1, "{}", o.events);
    assert!(!bound[0].contains("to big-0"), "{bound:?}");
}
