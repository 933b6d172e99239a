//! Priority and preemption, and the scheduler profile, read from the output files:
//! who was preempted, on which node, what the events say, where the preemptor went; and
//! how the scoring strategy changes where pods go.

use crate::common::*;
use std::collections::BTreeSet;

/// (time, name, message) of the events with `reason`, in order. The message is the
/// last column, unquoted (CSV doubles quotes inside a quoted field).
fn events(o: &Outcome, reason: &str) -> Vec<(u64, String, String)> {
    o.events
        .lines()
        .skip(1)
        .map(|l| l.splitn(8, ',').collect::<Vec<&str>>())
        .filter(|f| f[2] == reason)
        .map(|f| {
            let m = f[7];
            let m = match m.strip_prefix('"').and_then(|m| m.strip_suffix('"')) {
                Some(quoted) => quoted.replace("\"\"", "\""),
                None => m.to_string(),
            };
            (f[0].parse().unwrap(), f[5].to_string(), m)
        })
        .collect()
}

/// The node each pod was bound to (from `Scheduled` events).
fn placements(o: &Outcome) -> Vec<(String, String)> {
    events(o, "Scheduled").into_iter().map(|(_, pod, m)| (pod, m.rsplit(' ').next().unwrap().to_string())).collect()
}

fn node_of(o: &Outcome, pod: &str) -> Option<String> {
    placements(o).into_iter().find(|(p, _)| p == pod).map(|(_, n)| n)
}

/// The start (Running) time of a pod.
fn running_at(o: &Outcome, pod: &str) -> u64 {
    times(&o.rows(&format!("Pod,default,{pod},Pending,Running")))[0]
}

#[test]
fn a_high_priority_pod_preempts_the_latest_started_batch_pods_of_one_node() {
    let o = run(load_scenario("preemption"));
    let preempted = events(&o, "Preempted");
    assert_eq!(preempted.len(), 3, "{preempted:?}");
    // All victims are on one node, the nominated one, and the API pod ends up there.
    let nodes: BTreeSet<String> = preempted.iter().map(|(_, _, m)| m.rsplit(' ').next().unwrap().to_string()).collect();
    assert_eq!(nodes.len(), 1, "{preempted:?}");
    let nominated = nodes.into_iter().next().unwrap();
    assert_eq!(node_of(&o, "api").as_deref(), Some(nominated.as_str()));
    for (t, victim, message) in &preempted {
        assert_eq!(*t, 300_000, "preemption happens when the API pod first fails");
        assert!(victim.starts_with("batch-"), "{victim}");
        assert!(
            message.starts_with("Preempted by pod ") && message.ends_with(&format!(" on node {nominated}")),
            "{message}"
        );
        assert_eq!(node_of(&o, victim).as_deref(), Some(nominated.as_str()));
        // Terminated gracefully; the phase change says why.
        assert_eq!(o.rows(&format!("Pod,default,{victim},Running,Failed,Preempted")).len(), 1, "{victim}");
    }
    // The node's fourth batch pod, the one that started first, is reprieved.
    let on_node: Vec<String> = placements(&o)
        .into_iter()
        .filter(|(p, n)| n == &nominated && p.starts_with("batch-"))
        .map(|(p, _)| p)
        .collect();
    assert_eq!(on_node.len(), 4);
    let victims: BTreeSet<&str> = preempted.iter().map(|(_, v, _)| v.as_str()).collect();
    let kept: Vec<&String> = on_node.iter().filter(|p| !victims.contains(p.as_str())).collect();
    assert_eq!(kept.len(), 1);
    assert!(victims.iter().all(|v| running_at(&o, v) >= running_at(&o, kept[0])), "the earliest started stays");
    assert!(o.rows(&format!("Pod,default,{},Running,Failed", kept[0])).is_empty());
    // The API pod failed once with the filters' reasons only (preemption succeeded),
    // and was bound once the last victim had stopped.
    let failed: Vec<(u64, String, String)> =
        events(&o, "FailedScheduling").into_iter().filter(|e| e.1 == "api").collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].2, "0/4 nodes are available: 4 Insufficient cpu.");
    let last_victim_gone =
        preempted.iter().map(|(_, v, _)| times(&o.rows(&format!("Pod,default,{v},Running,Failed")))[0]).max().unwrap();
    let scheduled = events(&o, "Scheduled").into_iter().find(|e| e.1 == "api").unwrap().0;
    assert!(scheduled >= last_victim_gone && scheduled <= last_victim_gone + 1_000, "{scheduled} {last_victim_gone}");
}

#[test]
fn the_room_made_for_a_nominated_pod_is_held_for_it() {
    let o = run(load_scenario("preemption"));
    // The batch pod arriving while the victims stop never gets their room.
    assert_eq!(node_of(&o, "late-batch"), None);
    let late: Vec<String> =
        events(&o, "FailedScheduling").into_iter().filter(|e| e.1 == "late-batch").map(|e| e.2).collect();
    assert!(
        late[0].ends_with("preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod."),
        "{late:?}"
    );
    assert!(o.summary.contains("\"never_scheduled\": 0") || o.summary.contains("\"Pending\": 2"), "{}", o.summary);
}

#[test]
fn a_pod_with_preemption_policy_never_waits() {
    let o = run(load_scenario("preemption"));
    assert_eq!(node_of(&o, "reindex"), None);
    let failed: Vec<String> =
        events(&o, "FailedScheduling").into_iter().filter(|e| e.1 == "reindex").map(|e| e.2).collect();
    assert_eq!(
        failed[0],
        "0/4 nodes are available: 4 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."
    );
    assert!(events(&o, "Preempted").iter().all(|e| e.2.contains(" on node ")));
}

const TWO_PODS: &str = "nodes:\n  - {name: n, count: 1, capacity: {cpu: \"2\", memory: 4Gi}}\nworkloads:\n  - object: {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: high}, value: 1000}\n  - object: {apiVersion: v1, kind: Pod, metadata: {name: low}, spec: {containers: [{name: c, image: i, resources: {requests: {cpu: \"2\"}}}]}}\n  - {at: 1m, object: {apiVersion: v1, kind: Pod, metadata: {name: high}, spec: {priorityClassName: high, containers: [{name: c, image: i, resources: {requests: {cpu: \"2\"}}}]}}}\n";

#[test]
fn a_profile_without_default_preemption_does_not_preempt() {
    let on = run(load_text(&format!("name: on\nduration: 5m\n{TWO_PODS}")));
    assert_eq!(events(&on, "Preempted").len(), 1);
    assert_eq!(node_of(&on, "high").as_deref(), Some("n-0"));
    let off = run(load_text(&format!(
        "name: off\nduration: 5m\nscheduler:\n  plugins: {{postFilter: {{disabled: [{{name: DefaultPreemption}}]}}}}\n{TWO_PODS}"
    )));
    assert!(events(&off, "Preempted").is_empty());
    assert_eq!(node_of(&off, "high"), None);
    let failed = events(&off, "FailedScheduling");
    assert_eq!(failed[0].2, "0/1 nodes are available: 1 Insufficient cpu.", "no PostFilter, no preemption message");
}

#[test]
fn an_unknown_priority_class_is_refused_as_the_api_server_refuses_it() {
    let o = run(load_text(
        "name: refused\nduration: 2m\nnodes:\n  - {name: n, capacity: {cpu: \"2\", memory: 4Gi}}\nworkloads:\n  - object: {apiVersion: v1, kind: Pod, metadata: {name: solo}, spec: {priorityClassName: gold, containers: [{name: c, image: i}]}}\n  - object: {apiVersion: batch/v1, kind: Job, metadata: {name: j}, spec: {template: {spec: {priorityClassName: gold, restartPolicy: Never, containers: [{name: c, image: i}]}}}}\n",
    ));
    assert!(
        o.summary.contains("pods \\\"solo\\\" is forbidden: no PriorityClass with name gold was found"),
        "{}",
        o.summary
    );
    let failed = events(&o, "FailedCreate");
    assert!(failed.len() >= 3, "the Job controller retries with its back-off: {failed:?}");
    assert_eq!(failed[0].2, "Error creating: pods \"j-\" is forbidden: no PriorityClass with name gold was found");
    // 1 s, 2 s, 4 s, ... between retries.
    assert_eq!(failed[1].0 - failed[0].0, 1_000);
    assert_eq!(failed[2].0 - failed[1].0, 2_000);
    assert!(o.rows("Pod,").is_empty(), "no pod was created");
}

#[test]
fn most_allocated_packs_the_pods_that_least_allocated_spreads() {
    let nodes_used = |name: &str| -> BTreeSet<String> {
        let o = run(load_scenario(name));
        let placed = placements(&o);
        assert_eq!(placed.len(), 20, "{name}: every pod is placed");
        placed.into_iter().map(|(_, n)| n).collect()
    };
    let least = nodes_used("bin-packing-least");
    let most = nodes_used("bin-packing-most");
    assert_eq!(least.len(), 10, "LeastAllocated uses every node: {least:?}");
    assert_eq!(most.len(), 3, "MostAllocated fills 8-cpu nodes with 1-cpu pods, 3 nodes for 20: {most:?}");
}
