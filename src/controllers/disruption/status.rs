//! The disruption controller's rules (`pkg/controller/disruption/disruption.go`): a
//! PodDisruptionBudget's status from the pods it selects and the scale of their
//! controllers (`getExpectedPodCount`, `countHealthyPods`, `buildDisruptedPodMap`,
//! `updatePdbStatus`). Pure: the controller in `mod.rs` gathers the facts.

use crate::api::apps::IntOrString;
use crate::engine::{Millis, SimTime};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// `DeletionTimeout`: an entry of `status.disruptedPods` the controller has not seen
/// deleted after this long is dropped (the pod counts as healthy again).
pub const DELETION_TIMEOUT: Millis = 2 * 60 * 1000;

/// A pod's controller as the controller's finders resolve it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Controller {
    /// No controller ownerReference (`UnmanagedPods`).
    None,
    /// A controller with a scale: an id unique among controllers, and `spec.replicas`
    /// (a ReplicaSet of a Deployment: the Deployment's).
    Scale { id: u64, replicas: i64 },
    /// A controller without the scale subresource (a Job): the resource, as the
    /// finder's error names it (`jobs.batch`).
    NoScale(&'static str),
}

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
    pub controller: Controller,
}

/// The budget's policy: `minAvailable` or `maxUnavailable` (the API server refuses both).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Budget {
    MinAvailable(IntOrString),
    MaxUnavailable(IntOrString),
    /// Neither set (the API server allows it): nothing is expected, so nothing is
    /// ever allowed (`getExpectedPodCount` leaves both counts at 0).
    Unset,
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

/// Condition `DisruptionAllowed` (`UpdateDisruptionAllowedCondition`,
/// `k8s.io/component-helpers/apps/poddisruptionbudget`): True `SufficientPods` when a
/// disruption is allowed, else False `InsufficientPods`.
pub fn allowed_reason(disruptions_allowed: i64) -> &'static str {
    if disruptions_allowed > 0 { "SufficientPods" } else { "InsufficientPods" }
}

impl Budget {
    /// Whether the expected count comes from the controllers' scale (maxUnavailable,
    /// or a percentage minAvailable): then pods without a controller are reported.
    pub fn uses_scale(&self) -> bool {
        matches!(self, Budget::MaxUnavailable(_) | Budget::MinAvailable(IntOrString::String(_)))
    }
}

/// `getExpectedScale`: the sum of the scales of the pods' controllers, each once; pods
/// without a controller are left out (upstream's `UnmanagedPods` warning); a controller
/// without a scale is an error (the fail-safe's).
fn expected_scale(pods: &[PodFacts]) -> Result<i64, String> {
    let mut seen = BTreeSet::new();
    let mut sum = 0;
    for p in pods {
        match p.controller {
            Controller::None => {}
            Controller::Scale { id, replicas } => {
                if seen.insert(id) {
                    sum += replicas;
                }
            }
            Controller::NoScale(resource) => {
                return Err(format!("{resource} does not implement the scale subresource"));
            }
        }
    }
    Ok(sum)
}

/// Whether some pod has no controller (`UnmanagedPods`, when the scale is used).
pub fn has_unmanaged(pods: &[PodFacts]) -> bool {
    pods.iter().any(|p| p.controller == Controller::None)
}

/// `getExpectedPodCount`, `countHealthyPods` and `updatePdbStatus`'s arithmetic. An
/// error (a controller without a scale, a percentage that does not parse) is the
/// fail-safe's: nothing allowed.
pub fn status(budget: &Budget, pods: &[PodFacts]) -> Result<Status, String> {
    let (expected, desired) = match budget {
        // An integer minAvailable counts the pods themselves.
        Budget::MinAvailable(IntOrString::Int(n)) => (pods.len() as i64, i64::from(*n)),
        Budget::MinAvailable(v) => {
            let expected = expected_scale(pods)?;
            (expected, v.scaled(expected, true)?)
        }
        Budget::MaxUnavailable(v) => {
            let expected = expected_scale(pods)?;
            (expected, (expected - v.scaled(expected, true)?).max(0))
        }
        Budget::Unset => (0, 0),
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

/// `buildDisruptedPodMap`: the entries of `status.disruptedPods` still in force. An
/// entry stays while its pod exists without a deletion timestamp and its time plus
/// [`DELETION_TIMEOUT`] is not past; a pod past it is returned in `not_deleted` (the
/// `NotDeleted` warning). `recheck` is when the earliest kept entry runs out.
pub fn disrupted_pods(
    recorded: &BTreeMap<Arc<str>, SimTime>,
    live: impl Iterator<Item = (Arc<str>, bool)>,
    now: SimTime,
) -> DisruptedPods {
    let mut out = DisruptedPods::default();
    if recorded.is_empty() {
        return out;
    }
    for (name, terminating) in live {
        if terminating {
            continue;
        }
        let Some(at) = recorded.get(&name) else { continue };
        let expected = at.after(DELETION_TIMEOUT);
        if expected < now {
            out.not_deleted.push(name);
        } else {
            out.recheck = Some(out.recheck.map_or(expected, |r: SimTime| r.min(expected)));
            out.kept.insert(name, *at);
        }
    }
    out
}

/// What [`disrupted_pods`] keeps, drops and when to look again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DisruptedPods {
    pub kept: BTreeMap<Arc<str>, SimTime>,
    pub not_deleted: Vec<Arc<str>>,
    pub recheck: Option<SimTime>,
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
        let controller = controller.map_or(Controller::None, |(id, replicas)| Controller::Scale { id, replicas });
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
        assert_eq!(allowed_reason(s.disruptions_allowed), "InsufficientPods");
        assert!(status(&Budget::MinAvailable(IntOrString::String("x%".into())), &pods).is_err());
    }

    #[test]
    fn a_controller_without_a_scale_fails_safe_unless_min_available_is_an_integer() {
        let job = PodFacts { controller: Controller::NoScale("jobs.batch"), ..ready(None) };
        let pods = [job, job];
        let err = status(&Budget::MaxUnavailable(IntOrString::Int(1)), &pods).unwrap_err();
        assert_eq!(err, "jobs.batch does not implement the scale subresource");
        let s = status(&Budget::MinAvailable(IntOrString::Int(1)), &pods).unwrap();
        assert_eq!((s.disruptions_allowed, s.expected_pods), (1, 2));
        assert!(has_unmanaged(&[ready(None)]) && !has_unmanaged(&pods));
    }

    #[test]
    fn disrupted_pods_last_until_deleted_or_the_deletion_timeout() {
        let name = |s: &str| -> Arc<str> { Arc::from(s) };
        let recorded: BTreeMap<Arc<str>, SimTime> = [
            (name("a"), SimTime::from_ms(1_000)),
            (name("b"), SimTime::from_ms(2_000)),
            (name("c"), SimTime::from_ms(0)),
        ]
        .into();
        // `a` is terminating now (seen deleted), `b` not yet, `c` is gone from the API.
        let live = [(name("a"), true), (name("b"), false)];
        let got = disrupted_pods(&recorded, live.iter().cloned(), SimTime::from_ms(5_000));
        assert_eq!(got.kept, [(name("b"), SimTime::from_ms(2_000))].into());
        assert_eq!(got.recheck, Some(SimTime::from_ms(2_000 + DELETION_TIMEOUT)));
        assert!(got.not_deleted.is_empty());
        // Past the timeout the entry goes, with the NotDeleted warning.
        let later = disrupted_pods(&recorded, live.iter().cloned(), SimTime::from_ms(2_001 + DELETION_TIMEOUT));
        assert!(later.kept.is_empty() && later.recheck.is_none());
        assert_eq!(later.not_deleted, vec![name("b")]);
    }
}
