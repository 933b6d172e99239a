//! Which pods a ReplicaSet deletes first when it scales down (`getPodsToDelete`,
//! `pkg/controller/replicaset/replica_set.go`; `ActivePodsWithRanks.Less`,
//! `pkg/controller/controller_utils.go`): the cheapest to lose first.

use crate::engine::SimTime;
use std::cmp::Ordering;

/// `controller.kubernetes.io/pod-deletion-cost` (`k8s.io/api/core/v1`).
pub const POD_DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";

/// A pod as the ranking sees it.
#[derive(Clone, Debug)]
pub struct RankedPod<'a> {
    pub uid: u64,
    /// `spec.nodeName`, empty when unassigned (borrowed: a copy per pod at each
    /// scale-down of 10,000 pods was felt).
    pub node: &'a str,
    pub phase: Phase,
    /// When its `Ready` condition turned True, if it is ready.
    pub ready_since: Option<SimTime>,
    pub deletion_cost: i32,
    /// Highest restart count of its regular containers, then of its sidecars.
    pub restarts: (u32, u32),
    pub created: SimTime,
}

/// The pod phases the ranking orders (`Pending` < `Unknown` < `Running`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Pending,
    #[allow(dead_code)] // a phase podsim's pods never report; kept for the order
    Unknown,
    Running,
}

/// `getPodsToDelete`: the `diff` pods to delete among `pods` (their positions in it),
/// ranked by how many pods of `related` share their node. When all go, they go in the
/// order given.
pub fn pods_to_delete(pods: &[RankedPod], related: &[RankedPod], diff: usize, now: SimTime) -> Vec<usize> {
    if diff >= pods.len() {
        return (0..pods.len()).collect();
    }
    // The related pods counted by node once (as `getPodsRankedByRelatedPodsOnSameNode`
    // does), not searched for each pod: a scale-down of 10,000 pods was their square.
    let mut on_node: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for r in related {
        *on_node.entry(r.node).or_default() += 1;
    }
    let rank = |p: &RankedPod| on_node.get(p.node).copied().unwrap_or(0);
    let mut ranked: Vec<(usize, &RankedPod, usize)> = pods.iter().enumerate().map(|(i, p)| (rank(p), p, i)).collect();
    // Only the first `diff` are wanted: they are selected, then sorted. The order is
    // total (the uid decides last), so this is the whole list sorted, cut at `diff`;
    // sorting all of a 10,000-pod ReplicaSet at each step of a rollout was a tenth of it.
    let order = |a: &(usize, &RankedPod, usize), b: &(usize, &RankedPod, usize)| less(&(a.0, a.1), &(b.0, b.1), now);
    ranked.select_nth_unstable_by(diff, order);
    ranked[..diff].sort_unstable_by(order);
    ranked[..diff].iter().map(|&(_, _, i)| i).collect()
}

/// `ActivePodsWithRanks.Less`: `Less` first; the first criterion that differs wins.
fn less(a: &(usize, &RankedPod), b: &(usize, &RankedPod), now: SimTime) -> Ordering {
    let ((ra, a), (rb, b)) = (a, b);
    // 1. Unassigned before assigned.
    (!a.node.is_empty())
        .cmp(&!b.node.is_empty())
        // 2. Pending < Unknown < Running.
        .then(a.phase.cmp(&b.phase))
        // 3. Not ready before ready.
        .then(a.ready_since.is_some().cmp(&b.ready_since.is_some()))
        // 4. Lower deletion cost first.
        .then(a.deletion_cost.cmp(&b.deletion_cost))
        // 5. More siblings on the node first.
        .then(rb.cmp(ra))
        // 6. Ready for less time first (logarithmic buckets, then the uid).
        .then_with(|| match (a.ready_since, b.ready_since) {
            (Some(x), Some(y)) => newer_first(x, y, a.uid, b.uid, now),
            _ => Ordering::Equal,
        })
        // 7. More restarts first.
        .then(b.restarts.0.cmp(&a.restarts.0))
        .then(b.restarts.1.cmp(&a.restarts.1))
        // 8. Newer first (logarithmic buckets, then the uid).
        .then_with(|| newer_first(a.created, b.created, a.uid, b.uid, now))
        // Equal upstream (an unstable sort); the uid keeps the order determined.
        .then(a.uid.cmp(&b.uid))
}

/// With `LogarithmicScaleDown`: the later time first when their buckets
/// `⌊log2(now − t in ns)⌋` differ, else the lower uid (as strings).
fn newer_first(x: SimTime, y: SimTime, ux: u64, uy: u64, now: SimTime) -> Ordering {
    let bucket = |t: SimTime| {
        let ns = u128::from(now.ms().saturating_sub(t.ms())) * 1_000_000;
        if ns == 0 { -1 } else { 127 - ns.leading_zeros() as i32 }
    };
    match bucket(x).cmp(&bucket(y)) {
        // Written on the stack: two strings made per comparison were most of a sort.
        Ordering::Equal => itoa::Buffer::new().format(ux).cmp(itoa::Buffer::new().format(uy)),
        other => other,
    }
}

/// `slowStartBatch`: calls in batches of 1, 2, 4, ... (each at most what is left),
/// no batch after one with a failure. Returns the successes; `call(k)` is the k-th call.
pub fn slow_start_batch(count: usize, initial: usize, mut call: impl FnMut(usize) -> bool) -> usize {
    let (mut done, mut batch, mut successes) = (0, initial.max(1), 0);
    while done < count {
        let size = batch.min(count - done);
        let mut failed = false;
        for k in 0..size {
            if call(done + k) {
                successes += 1;
            } else {
                failed = true;
            }
        }
        done += size;
        if failed {
            break;
        }
        batch = size * 2;
    }
    successes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn vectors() -> Value {
        serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/kubernetes/workloads.json")))
            .unwrap()
    }

    #[test]
    fn slow_start_follows_kubernetes_cases() {
        let v = vectors();
        let cases: Vec<&Value> =
            v["1_replicaset"].as_array().unwrap().iter().filter(|c| c["group"] == "slowStartBatch").collect();
        assert_eq!(cases.len(), 3);
        for c in cases {
            let limit = c["callLimit"].as_u64().unwrap() as usize;
            let mut calls = 0;
            let ok = slow_start_batch(c["count"].as_u64().unwrap() as usize, 1, |k| {
                calls += 1;
                k < limit
            });
            assert_eq!(ok as u64, c["expectedSuccesses"].as_u64().unwrap(), "{}", c["name"]);
            assert_eq!(calls as u64, c["expectedCallCount"].as_u64().unwrap(), "{}", c["name"]);
        }
    }

    /// The pods selected, then sorted, are the first of the whole list sorted, for
    /// every cut short of all, on pods that tie on each criterion in turn (few nodes, phases, ready
    /// and creation times in a few buckets, restarts, deletion costs).
    #[test]
    fn the_selected_pods_are_the_first_of_the_whole_sort() {
        use crate::engine::rng::{Stream, Streams};
        let mut rng = Streams::new(11).stream(Stream::Arrivals);
        let nodes = ["", "a", "b", "c"];
        let now = SimTime::from_ms(100_000);
        for round in 0..20 {
            let n = 1 + rng.below(60) as usize;
            let pods: Vec<RankedPod> = (0..n)
                .map(|k| RankedPod {
                    uid: 1 + rng.below(1_000) * 1_000 + k as u64,
                    node: nodes[rng.below(4) as usize],
                    phase: [Phase::Pending, Phase::Running][rng.below(2) as usize],
                    ready_since: (rng.below(2) == 0).then(|| SimTime::from_ms(rng.below(100_000))),
                    deletion_cost: rng.below(3) as i32 - 1,
                    restarts: (rng.below(2) as u32, rng.below(2) as u32),
                    created: SimTime::from_ms(rng.below(100_000)),
                })
                .collect();
            let related = &pods[..pods.len() / 2];
            let on_node = |p: &RankedPod| related.iter().filter(|r| r.node == p.node).count();
            let mut whole: Vec<(usize, &RankedPod, usize)> =
                pods.iter().enumerate().map(|(i, p)| (on_node(p), p, i)).collect();
            whole.sort_by(|a, b| less(&(a.0, a.1), &(b.0, b.1), now));
            for diff in 0..=n + 1 {
                // All of them go in the order given, unsorted.
                let want: Vec<usize> = match diff >= n {
                    true => (0..n).collect(),
                    false => whole.iter().take(diff).map(|&(_, _, i)| i).collect(),
                };
                assert_eq!(pods_to_delete(&pods, related, diff, now), want, "round {round}, cut {diff}");
            }
        }
    }

    #[test]
    fn pods_to_delete_follow_kubernetes_cases() {
        let v = vectors();
        let fixtures = &v["1_replicaset_fixtures"]["getPodsToDelete_pods"];
        let pod = |name: &str, uid: u64| {
            let f = &fixtures[name];
            RankedPod {
                uid,
                node: f["nodeName"].as_str().unwrap(),
                phase: match f["phase"].as_str().unwrap() {
                    "Pending" => Phase::Pending,
                    "Unknown" => Phase::Unknown,
                    _ => Phase::Running,
                },
                ready_since: (f["readyCondition"] == "True").then_some(SimTime::from_ms(0)),
                deletion_cost: 0,
                restarts: (0, 0),
                created: SimTime::from_ms(0),
            }
        };
        let names: Vec<String> = fixtures.as_object().unwrap().keys().cloned().collect();
        let uid = |n: &str| names.iter().position(|x| x == n).unwrap() as u64 + 1;
        let cases: Vec<&Value> =
            v["1_replicaset"].as_array().unwrap().iter().filter(|c| c["group"] == "getPodsToDelete").collect();
        assert_eq!(cases.len(), 10);
        for c in cases {
            let list = |key: &str| -> Option<Vec<RankedPod>> {
                c[key]
                    .as_array()
                    .map(|a| a.iter().map(|n| pod(n.as_str().unwrap(), uid(n.as_str().unwrap()))).collect())
            };
            let pods = list("pods").unwrap();
            let related = list("related").unwrap_or_else(|| pods.clone());
            let got: Vec<u64> =
                pods_to_delete(&pods, &related, c["diff"].as_u64().unwrap() as usize, SimTime::from_ms(1_000))
                    .into_iter()
                    .map(|i| pods[i].uid)
                    .collect();
            let want: Vec<u64> =
                c["expectedPodsToDelete"].as_array().unwrap().iter().map(|n| uid(n.as_str().unwrap())).collect();
            assert_eq!(got, want, "{}", c["name"]);
        }
    }
}
