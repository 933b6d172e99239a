//! The disruption controller's rules (`pkg/controller/disruption/disruption.go`): a
//! PodDisruptionBudget's status from the pods it selects and the scale of their
//! controllers. Pure, and not yet a subsystem: the controller on the change feed, the
//! eviction API (`pkg/registry/core/pod/storage/eviction.go`) and the `drain` fault
//! that retries on its 429 are the next step of the budgets work.

// Used by the tests only until the disruption controller is on the feed.
#![cfg_attr(not(test), allow(dead_code))]

use crate::api::apps::IntOrString;
use std::collections::BTreeSet;

/// What the controller reads of one selected pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PodFacts {
    /// The pod's Ready condition.
    pub ready: bool,
    /// `deletionTimestamp` set.
    pub terminating: bool,
    /// In `status.disruptedPods` (evicted, not yet seen deleted; an entry is dropped
    /// after `DeletionTimeout`, 2 minutes).
    pub disrupted: bool,
    /// The pod's controller (an id unique among controllers) and its scale
    /// (`spec.replicas`; a ReplicaSet of a Deployment: the Deployment's); `None`
    /// without a controller.
    pub controller: Option<(u64, i64)>,
}

/// The budget's policy: `minAvailable` or `maxUnavailable` (the API server refuses both).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Budget {
    MinAvailable(IntOrString),
    MaxUnavailable(IntOrString),
}

/// The status the controller writes: (`disruptionsAllowed`, `currentHealthy`,
/// `desiredHealthy`, `expectedPods`), as `VerifyPdbStatus` checks them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Status {
    pub disruptions_allowed: i64,
    pub current_healthy: i64,
    pub desired_healthy: i64,
    pub expected_pods: i64,
}

impl Status {
    /// Condition `DisruptionAllowed`: True `SufficientPods`, else False `InsufficientPods`.
    pub fn condition_reason(&self) -> &'static str {
        if self.disruptions_allowed > 0 { "SufficientPods" } else { "InsufficientPods" }
    }
}

/// `getExpectedScale`: the sum of the scales of the pods' controllers, each once; pods
/// without a controller are left out (upstream's `UnmanagedPods` warning).
fn expected_scale(pods: &[PodFacts]) -> i64 {
    let mut seen = BTreeSet::new();
    pods.iter().filter_map(|p| p.controller).filter(|(id, _)| seen.insert(*id)).map(|(_, scale)| scale).sum()
}

/// `getExpectedPodCount`, `countHealthyPods` and `updatePdbStatus`'s arithmetic. An
/// error (a percentage that does not parse) is the fail-safe's: nothing allowed.
pub fn status(budget: &Budget, pods: &[PodFacts]) -> Result<Status, String> {
    let (expected, desired) = match budget {
        // An integer minAvailable counts the pods themselves.
        Budget::MinAvailable(IntOrString::Int(n)) => (pods.len() as i64, i64::from(*n)),
        Budget::MinAvailable(v) => {
            let expected = expected_scale(pods);
            (expected, v.scaled(expected, true)?)
        }
        Budget::MaxUnavailable(v) => {
            let expected = expected_scale(pods);
            (expected, (expected - v.scaled(expected, true)?).max(0))
        }
    };
    let healthy = pods.iter().filter(|p| p.ready && !p.terminating && !p.disrupted).count() as i64;
    let allowed = if expected <= 0 { 0 } else { (healthy - desired).max(0) };
    Ok(Status {
        disruptions_allowed: allowed,
        current_healthy: healthy,
        desired_healthy: desired,
        expected_pods: expected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(spec: &serde_json::Value) -> Budget {
        let v = |x: &serde_json::Value| match x {
            serde_json::Value::Number(n) => IntOrString::Int(n.as_i64().unwrap() as i32),
            serde_json::Value::String(s) => IntOrString::String(s.clone()),
            _ => unreachable!(),
        };
        match (spec.get("minAvailable"), spec.get("maxUnavailable")) {
            (Some(m), None) => Budget::MinAvailable(v(m)),
            (None, Some(m)) => Budget::MaxUnavailable(v(m)),
            _ => unreachable!(),
        }
    }

    fn ready(controller: Option<(u64, i64)>) -> PodFacts {
        PodFacts { ready: true, terminating: false, disrupted: false, controller }
    }

    /// The pods of each step of `disruption_test.go`'s cases (testdata/kubernetes/
    /// disruption.json, copied from the workloads vectors), by case and step.
    fn pods_of(case: &str, step: usize) -> Vec<PodFacts> {
        let n = |k: usize, c: Option<(u64, i64)>| vec![ready(c); k];
        match (case, step) {
            ("TestNoSelector", 0) | ("TestUnavailable", 0) => vec![],
            ("TestNoSelector", 1) => n(1, None),
            ("TestUnavailable", k @ 1..=4) => n(k, None),
            ("TestUnavailable", 5) => {
                let mut pods = n(4, None);
                pods[0].ready = false;
                pods
            }
            ("TestIntegerMaxUnavailable", 0) | ("TestNakedPod", 0) => n(1, None),
            ("TestIntegerMaxUnavailableWithScaling", 0) | ("TestPercentageMaxUnavailableWithScaling", 0) => {
                n(1, Some((1, 7)))
            }
            ("TestIntegerMaxUnavailableWithScaling", 1) => n(1, Some((1, 5))),
            ("TestPercentageMaxUnavailableWithScaling", 1) => n(1, Some((1, 3))),
            ("TestReplicaSet", 0) => n(1, Some((1, 10))),
            ("TestReplicationController", k @ 0..=3) => n(k, Some((1, 3))),
            ("TestReplicationController", 4) => {
                let mut pods = n(3, Some((1, 3)));
                pods.push(ready(None));
                pods
            }
            ("TestScaleResource", 0) => n(4, Some((1, 10))),
            _ => panic!("no pods for {case} step {step}"),
        }
    }

    #[test]
    fn statuses_follow_the_upstream_cases() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/kubernetes/disruption.json"))
            .unwrap();
        let vectors: serde_json::Value = serde_json::from_str(&text).unwrap();
        let cases = vectors["pdb_status"].as_array().unwrap();
        assert_eq!(cases.len(), 9);
        for case in cases {
            let name = case["test_func"].as_str().unwrap();
            let b = budget(&case["pdbSpec"]);
            for (i, step) in case["steps"].as_array().unwrap().iter().enumerate() {
                let got = status(&b, &pods_of(name, i)).unwrap();
                if let Some(want) = step.get("expect") {
                    let w: Vec<i64> = want.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect();
                    let g = [got.disruptions_allowed, got.current_healthy, got.desired_healthy, got.expected_pods];
                    assert_eq!(g.as_slice(), w.as_slice(), "{name}: {}", step["step"]);
                } else {
                    let want = step["expect_disruptionsAllowed"].as_i64().unwrap();
                    assert_eq!(got.disruptions_allowed, want, "{name}: {}", step["step"]);
                }
            }
        }
    }

    #[test]
    fn terminating_and_disrupted_pods_are_not_healthy() {
        let mut pods = vec![ready(Some((1, 3))); 3];
        pods[1].terminating = true;
        pods[2].disrupted = true;
        let s = status(&Budget::MaxUnavailable(IntOrString::Int(1)), &pods).unwrap();
        assert_eq!((s.disruptions_allowed, s.current_healthy, s.desired_healthy), (0, 1, 2));
        assert_eq!(s.condition_reason(), "InsufficientPods");
        assert!(status(&Budget::MinAvailable(IntOrString::String("x%".into())), &pods).is_err());
    }
}
