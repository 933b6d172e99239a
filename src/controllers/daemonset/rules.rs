//! The DaemonSet controller's pure rules: which nodes run a daemon pod
//! (`NodeShouldRunDaemonPod`, `pkg/controller/daemon/daemon_controller.go`), the pod a
//! node gets (`util/daemonset_util.go`: the daemon tolerations, the node affinity that
//! pins it), the rolling update's limits (`util.SurgeCount`, `util.UnavailableCount`,
//! `updatedDesiredNodeCounts` in `update.go`) and the failed-pod back-off.

use crate::api::node::Taint;
use crate::api::pod::{NodeAffinity, NodeSelector, NodeSelectorTerm, PodSpec, Toleration};
use crate::cluster::daemonset::{DaemonRules, FailedBackoff, UpdateStrategy};
use crate::cluster::template::RequiredNodeAffinity;
use crate::engine::{Millis, SimTime};
use crate::labels::{NodeSelectorOperator, NodeSelectorRequirement};
use crate::scheduler::filter::{tolerates, untolerated};
use std::collections::BTreeMap;

/// `failedPodsBackoff` (`cmd/kube-controller-manager/app/apps.go`): 1 s doubling to 15 min.
pub const FAILED_POD_BACKOFF_INITIAL: Millis = 1_000;
pub const FAILED_POD_BACKOFF_MAX: Millis = 15 * 60_000;

/// `AddOrUpdateDaemonPodTolerations`: every daemon pod tolerates, with no time limit,
/// a node that is not ready or unreachable (so taint eviction never removes it), and
/// disk, memory and PID pressure and cordoning; with `hostNetwork`, a network that is
/// not ready.
pub fn daemon_tolerations(host_network: bool) -> Vec<Toleration> {
    let exists = |key: &str, effect: &str| Toleration {
        key: Some(key.into()),
        operator: Some("Exists".into()),
        value: None,
        effect: Some(effect.into()),
        toleration_seconds: None,
    };
    let mut out = vec![
        exists("node.kubernetes.io/not-ready", "NoExecute"),
        exists("node.kubernetes.io/unreachable", "NoExecute"),
        exists("node.kubernetes.io/disk-pressure", "NoSchedule"),
        exists("node.kubernetes.io/memory-pressure", "NoSchedule"),
        exists("node.kubernetes.io/pid-pressure", "NoSchedule"),
        exists("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    if host_network {
        out.push(exists("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    out
}

/// `AddOrUpdateTolerationInPodSpec` for each daemon toleration: one that matches an
/// existing toleration (same key, operator, value and effect) replaces it, the others
/// are appended.
pub fn add_daemon_tolerations(spec: &mut PodSpec) {
    for t in daemon_tolerations(spec.host_network == Some(true)) {
        let same = |x: &Toleration| {
            x.key == t.key
                && x.operator.as_deref().unwrap_or("Equal") == t.operator.as_deref().unwrap_or("Equal")
                && x.value.as_deref().unwrap_or("") == t.value.as_deref().unwrap_or("")
                && x.effect == t.effect
        };
        match spec.tolerations.iter_mut().find(|x| same(x)) {
            Some(existing) => *existing = t,
            None => spec.tolerations.push(t),
        }
    }
}

/// `ReplaceDaemonSetPodNodeNameNodeAffinity`: the required node affinity becomes one
/// term, `metadata.name In [node]`, so that the default scheduler places the pod there.
pub fn pin_to_node(spec: &mut PodSpec, node: &str) {
    let term = NodeSelectorTerm {
        match_expressions: Vec::new(),
        match_fields: vec![NodeSelectorRequirement {
            key: "metadata.name".into(),
            operator: NodeSelectorOperator::In,
            values: vec![node.to_string()],
        }],
    };
    let affinity = spec.affinity.get_or_insert_with(Box::default);
    let node_affinity = affinity.node_affinity.get_or_insert_with(NodeAffinity::default);
    let required =
        node_affinity.required_during_scheduling_ignored_during_execution.get_or_insert_with(NodeSelector::default);
    required.node_selector_terms = vec![term];
}

/// What [`should_run`] reads of a template.
pub fn rules_of(spec: &PodSpec) -> DaemonRules {
    let mut with = spec.clone();
    add_daemon_tolerations(&mut with);
    DaemonRules {
        node_name: spec.node_name.clone().filter(|n| !n.is_empty()),
        affinity: RequiredNodeAffinity::compile(spec),
        tolerations: with.tolerations,
    }
}

/// `NodeShouldRunDaemonPod`: (should run, should continue running). A node the
/// template's `nodeName`, node selector or required affinity excludes runs nothing; a
/// taint the daemon pod does not tolerate (NoSchedule or NoExecute) keeps a new pod
/// off, and removes a running one only when it is NoExecute. Resources, host ports,
/// cordoning and readiness are the scheduler's business.
pub fn should_run(
    rules: &DaemonRules,
    node: &str,
    labels: &BTreeMap<String, String>,
    taints: &[Taint],
) -> (bool, bool) {
    if rules.node_name.as_deref().is_some_and(|n| n != node) {
        return (false, false);
    }
    if !rules.affinity.matches(labels, node) {
        return (false, false);
    }
    if untolerated(taints, &rules.tolerations).is_none() {
        return (true, true);
    }
    let no_execute_untolerated = taints
        .iter()
        .filter(|t| t.effect == "NoExecute")
        .any(|taint| !rules.tolerations.iter().any(|t| tolerates(t, taint)));
    (false, !no_execute_untolerated)
}

/// `util.SurgeCount` and `util.UnavailableCount` (both rounded up) against the nodes
/// that should run the pod, then `updatedDesiredNodeCounts`' fallback: a
/// configuration that allows neither is taken as one unavailable. (max surge, max
/// unavailable).
pub fn update_limits(strategy: &UpdateStrategy, desired: i64) -> (i64, i64) {
    let UpdateStrategy::RollingUpdate { max_unavailable, max_surge } = strategy else { return (0, 0) };
    let surge = max_surge.scaled(desired, true).unwrap_or(0);
    let unavailable = max_unavailable.scaled(desired, true).unwrap_or(0);
    if desired > 0 && surge == 0 && unavailable == 0 {
        return (0, 1);
    }
    (surge, unavailable)
}

/// `util.AllowsSurge`: a surge of at least one pod on a single node.
pub fn allows_surge(strategy: &UpdateStrategy) -> bool {
    match strategy {
        UpdateStrategy::RollingUpdate { max_surge, .. } => max_surge.scaled(1, true).unwrap_or(0) != 0,
        UpdateStrategy::OnDelete => false,
    }
}

/// `IsInBackOffSinceUpdate`: the entry (of this generation) was updated less than its
/// back-off ago.
pub fn in_backoff(entry: Option<&FailedBackoff>, generation: u64, now: SimTime) -> bool {
    entry.is_some_and(|e| e.generation == generation && now.since(e.last_update) < e.duration)
}

/// `Backoff.Next`: the first failure (or one after twice the max without any, or of a
/// new generation) waits 1 s, each later one twice as long, up to 15 min.
pub fn next_backoff(entry: Option<&FailedBackoff>, generation: u64, now: SimTime) -> FailedBackoff {
    let duration = match entry {
        Some(e) if e.generation == generation && now.since(e.last_update) <= 2 * FAILED_POD_BACKOFF_MAX => {
            (e.duration * 2).min(FAILED_POD_BACKOFF_MAX)
        }
        _ => FAILED_POD_BACKOFF_INITIAL,
    };
    FailedBackoff { generation, duration, last_update: now }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::apps::IntOrString;
    use serde_json::Value;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn spec(yaml: &str) -> PodSpec {
        serde_saphyr::from_str(yaml).unwrap()
    }

    /// `simpleDaemonSetLabel` of `daemon_controller_test.go`, on the node.
    fn node_labels() -> BTreeMap<String, String> {
        labels(&[("name", "simple-daemon"), ("type", "production")])
    }

    /// The template each `TestNodeShouldRunDaemonPod` case describes.
    fn template_of(case: &str) -> PodSpec {
        match case {
            "nodeName other-node" => spec("{containers: [], nodeName: other-node}"),
            "nodeSelector {key2: value2} ⚠" => spec("{containers: [], nodeSelector: {key2: value2}}"),
            "nodeSelector = simpleDaemonSetLabel" => {
                spec("{containers: [], nodeSelector: {name: simple-daemon, type: production}}")
            }
            "nodeAffinity type In [test]" => spec(
                "{containers: [], affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: type, operator: In, values: [test]}]}]}}}}",
            ),
            "nodeAffinity type In [production]" => spec(
                "{containers: [], affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: type, operator: In, values: [production]}]}]}}}}",
            ),
            // Resources, host ports and a cordoned node do not concern the controller.
            _ => spec("{containers: [{name: c, image: i}]}"),
        }
    }

    #[test]
    fn node_should_run_daemon_pod_follows_the_upstream_table() {
        let v: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/kubernetes/workloads.json"
        )))
        .unwrap();
        let cases = v["5_daemonset"].as_array().unwrap();
        assert_eq!(cases.len(), 10);
        for c in cases {
            let template = template_of(c["daemonPodTemplate"].as_str().unwrap());
            let got = should_run(&rules_of(&template), "test-node", &node_labels(), &[]);
            let want =
                (c["expectedShouldRun"].as_bool().unwrap(), c["expectedShouldContinueRunning"].as_bool().unwrap());
            assert_eq!(got, want, "{}", c["name"]);
        }
    }

    fn taint(key: &str, effect: &str) -> Taint {
        Taint { key: key.into(), value: None, effect: effect.into() }
    }

    /// `TestTaintedNodeDaemonPodsNotCreated`/`TestNodeDaemonLaunchesToleratePod`,
    /// `TestTaintPressureNodeDaemonLaunchesPod`, `TestNetworkUnavailableNodeDaemonLaunchesPod`,
    /// and the NoSchedule/NoExecute split of `NodeShouldRunDaemonPod`.
    #[test]
    fn taints_against_the_daemon_tolerations() {
        let plain = rules_of(&spec("{containers: []}"));
        let l = node_labels();
        let run = |r: &DaemonRules, taints: &[Taint]| should_run(r, "n", &l, taints);
        // Not ready, unreachable, pressure, cordoned: tolerated by every daemon pod.
        for (k, e) in [
            ("node.kubernetes.io/not-ready", "NoExecute"),
            ("node.kubernetes.io/unreachable", "NoExecute"),
            ("node.kubernetes.io/disk-pressure", "NoSchedule"),
            ("node.kubernetes.io/memory-pressure", "NoSchedule"),
            ("node.kubernetes.io/pid-pressure", "NoSchedule"),
            ("node.kubernetes.io/unschedulable", "NoSchedule"),
        ] {
            assert_eq!(run(&plain, &[taint(k, e)]), (true, true), "{k}");
        }
        // The network one only for host-network pods.
        let net = [taint("node.kubernetes.io/network-unavailable", "NoSchedule")];
        assert_eq!(run(&plain, &net), (false, true));
        assert_eq!(run(&rules_of(&spec("{containers: [], hostNetwork: true}")), &net), (true, true));
        // Another taint: NoSchedule keeps a new pod off but a running one on;
        // NoExecute removes it; PreferNoSchedule is ignored; a toleration admits it.
        assert_eq!(run(&plain, &[taint("dedicated", "NoSchedule")]), (false, true));
        assert_eq!(run(&plain, &[taint("dedicated", "NoExecute")]), (false, false));
        assert_eq!(run(&plain, &[taint("dedicated", "PreferNoSchedule")]), (true, true));
        let tolerant = rules_of(&spec("{containers: [], tolerations: [{key: dedicated, operator: Exists}]}"));
        assert_eq!(run(&tolerant, &[taint("dedicated", "NoExecute")]), (true, true));
    }

    #[test]
    fn the_pod_is_pinned_to_its_node_and_tolerates_what_daemons_tolerate() {
        let mut s = spec(
            "{containers: [], tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 60}], affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: a, operator: Exists}]}]}}}}",
        );
        add_daemon_tolerations(&mut s);
        pin_to_node(&mut s, "worker-3");
        // The matching toleration is replaced (no more tolerationSeconds), the rest appended.
        assert_eq!(s.tolerations.len(), 6);
        assert_eq!(s.tolerations[0].key.as_deref(), Some("node.kubernetes.io/unreachable"));
        assert_eq!(s.tolerations[0].toleration_seconds, None);
        let terms = s
            .affinity
            .unwrap()
            .node_affinity
            .unwrap()
            .required_during_scheduling_ignored_during_execution
            .unwrap()
            .node_selector_terms;
        assert_eq!(terms.len(), 1);
        assert!(terms[0].match_expressions.is_empty());
        assert_eq!(terms[0].match_fields[0].values, ["worker-3"]);
    }

    /// `TestGetUnavailableNumbers` (`update_test.go`): max surge and max unavailable
    /// against the nodes that should run the pod, rounded up.
    #[test]
    fn update_limits_follow_get_unavailable_numbers() {
        let rolling =
            |u: IntOrString, s: IntOrString| UpdateStrategy::RollingUpdate { max_unavailable: u, max_surge: s };
        let pct = |s: &str| IntOrString::String(s.into());
        // No nodes.
        assert_eq!(update_limits(&rolling(IntOrString::Int(1), IntOrString::Int(0)), 0), (0, 1));
        // Two nodes, maxUnavailable 1 / 50% / surge 50% / surge 100%.
        assert_eq!(update_limits(&rolling(IntOrString::Int(1), IntOrString::Int(0)), 2), (0, 1));
        assert_eq!(update_limits(&rolling(pct("50%"), IntOrString::Int(0)), 2), (0, 1));
        assert_eq!(update_limits(&rolling(IntOrString::Int(0), pct("50%")), 2), (1, 0));
        assert_eq!(update_limits(&rolling(IntOrString::Int(0), pct("100%")), 2), (2, 0));
        // Three nodes, 50% rounds up to 2.
        assert_eq!(update_limits(&rolling(pct("50%"), IntOrString::Int(0)), 3), (0, 2));
        // Neither allowed: one unavailable.
        assert_eq!(update_limits(&rolling(IntOrString::Int(0), IntOrString::Int(0)), 2), (0, 1));
        assert!(allows_surge(&rolling(IntOrString::Int(0), pct("1%"))));
        assert!(!allows_surge(&rolling(IntOrString::Int(1), IntOrString::Int(0))));
    }

    #[test]
    fn failed_pod_backoff_doubles_from_one_second_to_fifteen_minutes() {
        let mut entry = None;
        let mut delays = Vec::new();
        let mut now = SimTime::from_ms(0);
        for _ in 0..12 {
            let e = next_backoff(entry.as_ref(), 1, now);
            delays.push(e.duration / 1000);
            assert!(in_backoff(Some(&e), 1, now));
            assert!(!in_backoff(Some(&e), 2, now), "a new generation starts over");
            now = now.after(e.duration);
            assert!(!in_backoff(Some(&e), 1, now));
            entry = Some(e);
        }
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
    }
}
