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

/// A budget over a Deployment's three pods on one node, and `faults`.
fn scenario(budget: &str, faults: &str) -> String {
    let text = r#"name: pdb
duration: 10m
nodes:
  - {name: old, count: 1, capacity: {cpu: "4", memory: 16Gi, pods: 110}}
  - {name: new, count: 2, capacity: {cpu: "4", memory: 16Gi, pods: 110}}
workloads:
  - object:
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: web}
      spec: BUDGET
  - object:
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 3
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            nodeSelector: {kubernetes.io/hostname: old-0}
            containers: [{name: web, image: "web:1"}]
behaviors:
  - {match: {image: "web:*"}, imagePull: 1s, startup: 1s}
"#;
    text.replace("BUDGET", budget) + faults
}

#[test]
fn a_drain_waits_for_each_replacement_to_be_ready() {
    let o = run(load_scenario("drain-blocked-by-pdb"));
    let s = |x: &str| x.to_string();
    assert_eq!(
        budget_rows(&o, "web"),
        vec![
            // Created without a status; the controller's first sync finds no pod ready.
            (0, s(""), s("0"), s("")),
            (0, s("0"), s("0"), s("InsufficientPods")),
            // Pulled 10 s, started 1 s, ready 5 s later: three healthy, two desired.
            (16_000, s("0"), s("1"), s("SufficientPods")),
            // 2m: the drain's first eviction takes the one disruption allowed.
            (120_000, s("1"), s("0"), s("InsufficientPods")),
            // Its replacement is ready on new-1 (pulled there first).
            (136_000, s("0"), s("1"), s("SufficientPods")),
            // The next 5 s retry evicts the second pod.
            (140_000, s("1"), s("0"), s("InsufficientPods")),
            (156_000, s("0"), s("1"), s("SufficientPods")),
            (160_000, s("1"), s("0"), s("InsufficientPods")),
            // The last replacement joins new-0, where the image already is.
            (166_000, s("0"), s("1"), s("SufficientPods")),
        ]
    );
    // Evicted (the kubelet stops them) at 2m, 2m20s, 2m40s.
    let killed: Vec<u64> = events_of(&o, "Killing").iter().map(|e| e.0).collect();
    assert_eq!(killed, [120_000, 140_000, 160_000]);
    // Refused at 2m and every 5 s: both waiting pods until 2m15s, then the last until
    // 2m35s.
    let refused: Vec<u64> = events_of(&o, "TooManyRequests").iter().map(|e| e.0).collect();
    assert_eq!(
        refused,
        [120_000, 120_000, 125_000, 125_000, 130_000, 130_000, 135_000, 135_000, 140_000, 145_000, 150_000, 155_000]
    );
    let line = o.event_rows("TooManyRequests")[0];
    assert!(
        line.contains(
            "\"error when evicting pods/\"\"web-655d44dd87-pr58b\"\" -n \"\"default\"\" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.\""
        ),
        "{line}"
    );
    let summary = summary(&o);
    let drains = &summary["drains"];
    assert_eq!(
        (&drains["drains"], &drains["pods_evicted"], &drains["evictions_refused"], &drains["longest_blocked_ms"]),
        (&1.into(), &3.into(), &12.into(), &40_000.into())
    );
    let warnings = summary["warnings"].to_string();
    assert!(warnings.contains("faults[1] drain node/old-0: blocked by a PodDisruptionBudget at 2m"), "{warnings}");
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
