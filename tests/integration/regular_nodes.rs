//! Lightly loaded clusters, whose empty nodes of the usual shape the scheduler takes in
//! runs without reading their rows (`cluster::fit::RegularRows`). The digests in
//! `testdata/pinned/regular.txt` were made by the build before runs existed, which
//! walked every node: a run that filters, scores or breaks a tie differently from that
//! walk (a node taken or skipped, one draw more or less) fails here. The same holds for
//! the stretches of occupied nodes with room that the walk takes in a loop of its own
//! (`Scheduler::search_nodes`): a busy run ends stretches at full nodes, at the number
//! of feasible nodes wanted and where the walk wraps around the list.
//!
//! The scenarios mix what may end a run or leave it: two node sizes in either order
//! (the shape is the first empty node's), a pool with a PreferNoSchedule taint
//! (TaintToleration scores), a nodeSelector (not fit-only), a Deployment (default
//! spread scores), crashes, cordons and drains, nodes added and one removed (the list
//! is then no longer the ids in order), each copy drawing its own requests, and
//! sometimes more pods than fit (failures and the fail cache).

use crate::common::{load_text, run};
use crate::random_scenarios::{Gen, node_faults};

pub fn scenario(seed: u64) -> String {
    let mut g = Gen(seed.wrapping_mul(0xD6E8_FEB8_6659_FD93) | 1);
    let small = format!(
        "  - name: a\n    count: {}\n    capacity: {{cpu: \"16\", memory: 64Gi, pods: 20}}\n    labels: {{size: small}}\n",
        100 + g.below(120)
    );
    let large = format!(
        "  - name: b\n    count: {}\n    capacity: {{cpu: \"32\", memory: 128Gi, pods: 110}}\n    labels: {{size: large}}\n",
        1 + g.below(40)
    );
    let pools = if g.below(4) == 0 { large + &small } else { small + &large };
    let percentage = match g.below(4) {
        0 => String::new(),
        1 => "scheduler: {percentageOfNodesToScore: 10}\n".to_string(),
        2 => "scheduler: {percentageOfNodesToScore: 60}\n".to_string(),
        _ => "scheduler: {percentageOfNodesToScore: 100}\n".to_string(),
    };
    let mut s = format!(
        "name: regular-{seed}\nseed: {seed}\nduration: {}m\nmetricsEvery: 5m\n{percentage}nodes:\n{pools}  - name: t\n    count: {}\n    capacity: {{cpu: \"16\", memory: 64Gi, pods: 20}}\n    taints: [{{key: spot, value: \"yes\", effect: PreferNoSchedule}}]\n",
        20 + g.below(25),
        g.below(8)
    );
    // A busy run sends pods several times as fast as a light one, more than fit.
    let (count, mean) = if g.below(3) == 0 {
        (1200 + g.below(400), 80 + g.below(150))
    } else {
        (200 + g.below(300), 300 + g.below(1500))
    };
    s.push_str(&format!(
        "workloads:\n  - arrivals:\n      count: {count}\n      interarrival: {{exponential: {{mean: {mean}ms}}}}\n      object: {{apiVersion: v1, kind: Pod, metadata: {{name: task}}, spec: {{restartPolicy: Never, containers: [{{name: task, image: \"batch:1\"}}]}}}}\n      resources:\n        cpu: {{uniform: {{min: 100m, max: \"{}\"}}}}\n        memory: {{uniform: {{min: 128Mi, max: {}Gi, step: 1Mi}}}}\n",
        2 + g.below(10),
        4 + g.below(24)
    ));
    s.push_str(&format!(
        "  - arrivals:\n      count: {}\n      interarrival: {{exponential: {{mean: 20s}}}}\n      object: {{apiVersion: v1, kind: Pod, metadata: {{name: big}}, spec: {{restartPolicy: Never, nodeSelector: {{size: large}}, containers: [{{name: task, image: \"batch:1\", resources: {{requests: {{cpu: \"2\", memory: 4Gi}}}}}}]}}}}\n",
        g.below(40)
    ));
    s.push_str(&format!(
        "  - at: {}s\n    object: {{apiVersion: apps/v1, kind: Deployment, metadata: {{name: web}}, spec: {{replicas: {}, selector: {{matchLabels: {{app: web}}}}, template: {{metadata: {{labels: {{app: web}}}}, spec: {{containers: [{{name: web, image: \"web:1\", resources: {{requests: {{cpu: 500m, memory: 1Gi}}}}}}]}}}}}}}}\n",
        g.below(600),
        g.below(30)
    ));
    s.push_str(&format!(
        "behaviors:\n  - match: {{container: task}}\n    runFor: {{uniform: {{min: 20s, max: {}m}}}}\n",
        2 + g.below(15)
    ));
    s.push_str("faults:\n");
    s.push_str(&node_faults(&mut g, "a", 100, 5, 1500, 30));
    if g.below(2) == 0 {
        s.push_str(&format!("  - {{at: {}s, action: add, pool: a, count: {}}}\n", g.below(1200), 1 + g.below(5)));
    }
    if g.below(3) == 0 {
        s.push_str(&format!("  - {{at: {}s, action: remove, node: a-{}}}\n", g.below(1200), g.below(100)));
    }
    if g.below(3) == 0 {
        s.push_str("  - random: {nodes: \"a-*\", timeBetween: {exponential: {mean: 2h}}, repairTime: {uniform: {min: 1m, max: 10m}}}\n");
    }
    s
}

/// Seeds run here; each takes a second or two unoptimised, invariants checked.
const SEEDS: u64 = 12;

#[test]
fn empty_nodes_taken_in_runs_place_pods_as_the_walk_did() {
    let mut pinned = std::collections::BTreeMap::new();
    let mut failed = 0;
    for seed in 1..=SEEDS {
        let text = scenario(seed);
        let outcome = run(load_text(&text));
        failed += usize::from(outcome.events.contains(",FailedScheduling,"));
        pinned.insert(format!("{seed:03}"), crate::pinned::combined(&outcome.digests));
    }
    // The busy runs must reach failures (the fail cache, the diagnosis's node counts).
    assert!(failed >= 3, "only {failed} of {SEEDS} runs had a pod that fit no node");
    crate::pinned::check("regular.txt", &pinned);
}
