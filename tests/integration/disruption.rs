//! PodDisruptionBudgets end to end: the disruption controller's status in
//! transitions.csv, the eviction API that honours it, and `drain` retrying a refused
//! eviction every 5 s as `kubectl drain` does, until the budget allows it or the drain's
//! timeout runs out. Taint-based eviction ignores budgets.

use crate::common::*;

/// The budget's rows of transitions.csv: (time, from, to, reason).
fn budget_rows(o: &Outcome, name: &str) -> Vec<(u64, String, String, String)> {
    o.transitions
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1] == "PodDisruptionBudget" && f[3] == name)
                .then(|| (f[0].parse().unwrap(), f[4].to_string(), f[5].to_string(), f[6].to_string()))
        })
        .collect()
}

/// Events of `reason`: (time, pod).
fn events_of(o: &Outcome, reason: &str) -> Vec<(u64, String)> {
    o.events
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[2] == reason).then(|| (f[0].parse().unwrap(), f[5].to_string()))
        })
        .collect()
}

fn summary(o: &Outcome) -> serde_json::Value {
    serde_json::from_str(&o.summary).unwrap()
}

/// A budget over a Deployment's three pods on one node, and a `drain` of that node.
fn scenario(budget: &str, faults: &str) -> String {
    format!(
        "name: pdb\nduration: 10m\nnodes:\n  - {{name: old, count: 1, capacity: {{cpu: \"4\", memory: 16Gi, pods: 110}}}}\n  - {{name: new, count: 2, capacity: {{cpu: \"4\", memory: 16Gi, pods: 110}}}}\n\
workloads:\n  - object:\n      apiVersion: policy/v1\n      kind: PodDisruptionBudget\n      metadata: {{name: web}}\n      spec: {budget}\n\
  - object:\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata: {{name: web}}\n      spec:\n        replicas: 3\n        selector: {{matchLabels: {{app: web}}}}\n        template:\n          metadata: {{labels: {{app: web}}}}\n          spec:\n            nodeSelector: {{kubernetes.io/hostname: old-0}}\n            containers: [{{name: web, image: web:1}}]\n\
behaviors:\n  - {{match: {{image: \"web:*\"}}, imagePull: 1s, startup: 1s}}\n{faults}"
    )
}

#[test]
fn a_drain_waits_for_each_replacement_to_be_ready() {
    let o = run(load_scenario("drain-blocked-by-pdb"));
    let rows = budget_rows(&o, "web");
    let to: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    // Created (0), synced once the pods are ready (1), the first eviction (0), the
    // replacement ready (1), the second eviction (0), its replacement ready (1), the
    // third eviction (0), the last replacement ready (1).
    assert_eq!(to, ["0", "1", "0", "1", "0", "1", "0", "1"], "{rows:?}");
    assert_eq!(rows[0].3, "", "no condition before the controller's first sync");
    assert_eq!(rows[2].3, "InsufficientPods");
    assert_eq!(rows[3].3, "SufficientPods");
    let first_eviction = rows[2].0;
    assert_eq!(first_eviction, 120_000, "the drain at 2m evicts one pod at once");
    // Each later eviction happens at a 5 s retry of the first refusal, once the budget
    // allows it again.
    for pair in rows[3..].chunks(2) {
        if let [(ready, ..), (evicted, ..)] = pair {
            assert!(evicted >= ready && *evicted < ready + 5_000, "{rows:?}");
            assert_eq!((evicted - first_eviction) % 5_000, 0, "{rows:?}");
        }
    }
    let refused = events_of(&o, "TooManyRequests");
    assert!(!refused.is_empty());
    assert!(refused.iter().all(|(t, _)| (t - first_eviction) % 5_000 == 0), "{refused:?}");
    let line = o.event_rows("TooManyRequests")[0];
    assert!(
        line.contains("(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget."),
        "{line}"
    );
    let s = summary(&o);
    assert_eq!(s["drains"]["drains"], 1);
    assert_eq!(s["drains"]["pods_evicted"], 3);
    assert_eq!(s["drains"]["evictions_refused"], refused.len());
    assert!(s["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("blocked by a PodDisruptionBudget")));
}

#[test]
fn a_budget_that_never_allows_holds_the_drain_until_its_timeout() {
    let text = scenario(
        "{minAvailable: 3, selector: {matchLabels: {app: web}}}",
        "faults:\n  - {at: 1m, node: old-0, action: drain, timeout: 1m}\n",
    );
    let o = run(load_text(&text));
    // Ready at 2 s: 3 healthy, 3 desired, nothing allowed.
    assert_eq!(budget_rows(&o, "web").last().unwrap().2, "0");
    // Refused at 1m, then every 5 s until 2m, when the drain gives up.
    let refused = events_of(&o, "TooManyRequests");
    assert_eq!(refused.len(), 3 * 12, "{refused:?}");
    assert_eq!(refused.first().unwrap().0, 60_000);
    assert_eq!(refused.last().unwrap().0, 115_000);
    assert!(o.event_rows("Killing").is_empty(), "no pod was evicted");
    let s = summary(&o);
    assert_eq!(s["drains"]["evictions_timed_out"], 3);
    assert_eq!(s["drains"]["pods_evicted"], 0);
    let warnings = s["warnings"].to_string();
    assert!(warnings.contains("global timeout reached: 1m0s"), "{warnings}");
}

#[test]
fn a_pod_under_two_budgets_is_not_evicted() {
    let mut text = scenario(
        "{maxUnavailable: 1, selector: {matchLabels: {app: web}}}",
        "faults:\n  - {at: 1m, node: old-0, action: drain}\n",
    );
    text = text.replace(
        "\n  - object:\n      apiVersion: apps/v1",
        "\n  - object: {apiVersion: policy/v1, kind: PodDisruptionBudget, metadata: {name: all}, spec: {maxUnavailable: 3, selector: {}}}\n  - object:\n      apiVersion: apps/v1",
    );
    let o = run(load_text(&text));
    let errors = events_of(&o, "InternalError");
    assert_eq!(errors.len(), 3, "one error per pod, not retried: {errors:?}");
    assert!(o.event_rows("InternalError")[0].contains("This pod has more than one PodDisruptionBudget"));
    assert!(o.event_rows("Killing").is_empty());
}

#[test]
fn taint_based_eviction_ignores_budgets() {
    let text = scenario(
        "{minAvailable: 3, selector: {matchLabels: {app: web}}}",
        "faults:\n  - {at: 1m, node: old-0, action: crash}\n",
    );
    let o = run(load_text(&text));
    // Unknown 50 s after the crash, the NoExecute taint, then the 300 s toleration.
    let evicted = events_of(&o, "TaintManagerEviction");
    assert_eq!(evicted.len(), 3, "{evicted:?}");
    assert!(o.event_rows("TooManyRequests").is_empty());
}
