//! The Job controller's back-off before it replaces failed pods
//! (`pkg/controller/job/backoff_utils.go`).
//!
//! The controller keeps, per Job, the number of pod failures since the last
//! success and the time of the last failure. Before creating pods it waits
//! `default · 2^(n−1)` (capped at `max`) after the last failure. With
//! `backoffLimitPerIndex` the count is per index instead, read from the
//! failure-count annotations of the index's last failed pod.
//!
//! Times are simulated milliseconds; a pod's finish time is worked out by
//! [`finished_time`] from what its status shows.

use crate::engine::{Millis, SimTime};

/// `DefaultJobPodFailureBackOff` (`job_controller.go`).
pub const DEFAULT_JOB_POD_FAILURE_BACKOFF: Millis = 10_000;
/// `MaxJobPodFailureBackOff` (`job_controller.go`): 10 minutes (the docs say six).
pub const MAX_JOB_POD_FAILURE_BACKOFF: Millis = 600_000;

/// `backoffRecord`: failures after the last success and when the last one was.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BackoffRecord {
    pub failures_after_last_success: u32,
    pub last_failure_time: Option<SimTime>,
}

impl BackoffRecord {
    /// `newBackoffRecord`: the record after the pods that finished since the
    /// last sync, given by their finish times (in any order).
    ///
    /// Without new successes, every new failure adds to the count and the
    /// latest one becomes the last failure. With a new success the count
    /// restarts from the failures strictly after the latest success (a
    /// failure at the same instant does not count).
    pub fn updated(self, new_succeeded: &[SimTime], new_failed: &[SimTime]) -> BackoffRecord {
        let latest_failure = new_failed.iter().max().copied();
        let Some(last_success) = new_succeeded.iter().max().copied() else {
            return match latest_failure {
                None => self,
                Some(t) => BackoffRecord {
                    failures_after_last_success: self.failures_after_last_success.saturating_add(count(new_failed)),
                    last_failure_time: Some(t),
                },
            };
        };
        let after: Vec<SimTime> = new_failed.iter().copied().filter(|t| *t > last_success).collect();
        BackoffRecord { failures_after_last_success: count(&after), last_failure_time: after.iter().max().copied() }
    }

    /// `getRemainingTime`: how long to wait at `now` before creating pods.
    pub fn remaining(&self, now: SimTime, default: Millis, max: Millis) -> Millis {
        remaining_for_failures(self.failures_after_last_success, self.last_failure_time, now, default, max)
    }
}

fn count(times: &[SimTime]) -> u32 {
    u32::try_from(times.len()).unwrap_or(u32::MAX)
}

/// The back-off after `failures` consecutive failures: `default` doubled
/// `failures − 1` times, and `max` as soon as it reaches `max` (the loop of
/// `getRemainingTimeForFailuresCount`; a `default` above `max` is kept for
/// one failure, as there). Zero for no failures.
pub fn backoff_delay(failures: u32, default: Millis, max: Millis) -> Millis {
    if failures == 0 {
        return 0;
    }
    let mut delay = default;
    for _ in 1..failures {
        delay = delay.saturating_mul(2);
        if delay >= max {
            return max;
        }
        if delay == 0 {
            break;
        }
    }
    delay
}

/// `getRemainingTimeForFailuresCount`: the back-off minus the time since the
/// last failure, never below zero. A failure in the future counts as just
/// now. With failures but no known failure time (Go would dereference nil),
/// there is nothing to wait for.
pub fn remaining_for_failures(
    failures: u32,
    last_failure: Option<SimTime>,
    now: SimTime,
    default: Millis,
    max: Millis,
) -> Millis {
    let Some(last) = last_failure else {
        return 0;
    };
    backoff_delay(failures, default, max).saturating_sub(now.since(last))
}

/// The last failed pod of an index, as the per-index back-off reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg(test)]
pub struct LastFailedPod<'a> {
    /// The `job-index-failure-count` annotation, if present.
    pub failure_count: Option<&'a str>,
    /// The `job-index-ignored-failure-count` annotation, if present.
    pub ignored_failure_count: Option<&'a str>,
    /// Its [`finished_time`].
    pub finished_at: SimTime,
}

/// `getRemainingTimePerIndex`: the index has failed (counted + ignored) + 1
/// times, the last time when its last failed pod finished. No failed pod, no
/// wait.
#[cfg(test)]
pub fn remaining_per_index(
    last_failed: Option<&LastFailedPod<'_>>,
    now: SimTime,
    default: Millis,
    max: Millis,
) -> Millis {
    let Some(pod) = last_failed else {
        return 0;
    };
    let failures = index_failure_count(pod.failure_count)
        .saturating_add(index_failure_count(pod.ignored_failure_count))
        .saturating_add(1);
    remaining_for_failures(failures, Some(pod.finished_at), now, default, max)
}

/// `parseIndexFailureCountAnnotation` / `parseInt32`: a Go `strconv.Atoi`
/// number in `0..=2147483647`; anything else (absent, not a number, negative,
/// too large) reads as 0.
#[cfg(test)]
pub fn index_failure_count(annotation: Option<&str>) -> u32 {
    let Some(text) = annotation else {
        return 0;
    };
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    digits.parse::<u32>().ok().filter(|v| *v <= i32::MAX as u32).unwrap_or(0)
}

/// What `getFinishedTime` reads from a finished pod.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FinishTimes<'a> {
    /// `finishedAt` of each regular and sidecar container, `None` when one is
    /// not terminated (or has no finish time).
    pub containers: &'a [Option<SimTime>],
    /// `lastTransitionTime` of the `Ready=False` condition, if the pod has one.
    pub ready_false_since: Option<SimTime>,
    /// `deletionTimestamp` and `deletionGracePeriodSeconds`, if it is being deleted.
    pub deletion: Option<(SimTime, u64)>,
    pub created: SimTime,
}

/// `getFinishedTime`: the latest container finish time if every container
/// (sidecars included) terminated; else when `Ready` turned `False`; else the
/// deletion time minus the grace period; else the creation time.
pub fn finished_time(pod: &FinishTimes<'_>) -> SimTime {
    let from_containers = if pod.containers.is_empty() {
        None
    } else {
        pod.containers.iter().try_fold(SimTime::ZERO, |latest, t| t.map(|t| latest.max(t)))
    };
    from_containers
        .or(pod.ready_false_since)
        .or_else(|| {
            pod.deletion.map(|(at, grace)| SimTime::from_ms(at.ms().saturating_sub(grace.saturating_mul(1_000))))
        })
        .unwrap_or(pod.created)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The vectors' reference instant (2009-11-10T23:00:00Z) as simulated time;
    /// far enough from zero for the negative offsets.
    const BASE: u64 = 1_000_000;

    fn vectors(group: &str) -> Vec<Value> {
        let all: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/kubernetes/vectors.json"
        )))
        .unwrap();
        all["5_job_controller"].as_array().unwrap().iter().filter(|c| c["group"] == group).cloned().collect()
    }

    fn at(offset_ms: i64) -> SimTime {
        SimTime::from_ms(BASE.checked_add_signed(offset_ms).unwrap())
    }

    fn times(list: &Value) -> Vec<SimTime> {
        list.as_array().unwrap().iter().map(|v| at(v.as_i64().unwrap())).collect()
    }

    fn secs(v: &Value) -> Millis {
        v.as_u64().unwrap() * 1_000
    }

    #[test]
    fn every_kubernetes_new_backoff_record_case() {
        let cases = vectors("newBackoffRecord");
        assert_eq!(cases.len(), 8);
        for case in cases {
            let name = case["name"].as_str().unwrap();
            let stored = match &case["storedRecord"] {
                Value::Null => BackoffRecord::default(),
                s => BackoffRecord {
                    failures_after_last_success: u32::try_from(s["failuresAfterLastSuccess"].as_u64().unwrap())
                        .unwrap(),
                    last_failure_time: s["lastFailureTime"].as_i64().map(at),
                },
            };
            let got = stored
                .updated(&times(&case["newSucceededPodFinishOffsetsMs"]), &times(&case["newFailedPodFinishOffsetsMs"]));
            let want = &case["expected"];
            assert_eq!(
                u64::from(got.failures_after_last_success),
                want["failuresAfterLastSuccess"].as_u64().unwrap(),
                "{name}"
            );
            assert_eq!(got.last_failure_time, want["lastFailureTimeOffsetMs"].as_i64().map(at), "{name}");
        }
    }

    #[test]
    fn every_kubernetes_remaining_backoff_case() {
        let cases: Vec<Value> = vectors("podFailureBackoff")
            .into_iter()
            .filter(|c| c["test_func"] == "TestGetRemainingBackoffTime")
            .collect();
        assert_eq!(cases.len(), 8);
        for case in cases {
            let name = case["name"].as_str().unwrap();
            let failures = u32::try_from(case["failuresAfterLastSuccess"].as_u64().unwrap()).unwrap();
            let record = BackoffRecord {
                failures_after_last_success: failures,
                last_failure_time: case["lastFailureTime"].as_str().map(|_| at(0)),
            };
            let now = at(case["nowSecondsAfterLastFailure"].as_i64().unwrap_or(0) * 1_000);
            let got = record.remaining(now, secs(&case["defaultBackoffSeconds"]), secs(&case["maxBackoffSeconds"]));
            assert_eq!(got, secs(&case["expectedRemainingSeconds"]), "{name}");
        }
    }

    #[test]
    fn every_kubernetes_remaining_backoff_per_index_case() {
        let cases: Vec<Value> = vectors("podFailureBackoff")
            .into_iter()
            .filter(|c| c["test_func"] == "TestGetRemainingBackoffTimePerIndex")
            .collect();
        assert_eq!(cases.len(), 3);
        for case in cases {
            let name = case["name"].as_str().unwrap();
            let counted = case["indexFailureCountAnnotation"].as_u64().map(|v| v.to_string());
            let ignored = case["indexIgnoredFailureCountAnnotation"].as_u64().map(|v| v.to_string());
            let pod = LastFailedPod {
                failure_count: counted.as_deref(),
                ignored_failure_count: ignored.as_deref(),
                finished_at: at(0),
            };
            let last = counted.is_some().then_some(&pod);
            let now = at(case["nowSecondsAfterLastFailure"].as_i64().unwrap() * 1_000);
            let got =
                remaining_per_index(last, now, secs(&case["defaultBackoffSeconds"]), secs(&case["maxBackoffSeconds"]));
            assert_eq!(got, secs(&case["expectedRemainingSeconds"]), "{name}");
        }
    }

    #[test]
    fn production_delays_double_from_ten_seconds_to_ten_minutes() {
        let delays: Vec<Millis> = (0..=8)
            .map(|n| backoff_delay(n, DEFAULT_JOB_POD_FAILURE_BACKOFF, MAX_JOB_POD_FAILURE_BACKOFF) / 1_000)
            .collect();
        assert_eq!(delays, [0, 10, 20, 40, 80, 160, 320, 600, 600]);
        assert_eq!(backoff_delay(u32::MAX, DEFAULT_JOB_POD_FAILURE_BACKOFF, MAX_JOB_POD_FAILURE_BACKOFF), 600_000);
        assert_eq!(backoff_delay(u32::MAX, 0, 10), 0);
    }

    /// `TestGetIndexFailureCount` (`indexed_job_utils_test.go`).
    #[test]
    fn failure_count_annotations_read_as_kubernetes_reads_them() {
        for (annotation, want) in [
            (None, 0),
            (Some("2"), 2),
            (Some("2147483647"), 2_147_483_647),
            (Some("2147483648"), 0),
            (Some("-1"), 0),
            (Some("xyz"), 0),
            (Some(""), 0),
            (Some("+7"), 7),
        ] {
            assert_eq!(index_failure_count(annotation), want, "{annotation:?}");
        }
    }

    #[test]
    fn finish_time_falls_back_in_kubernetes_order() {
        let both = [Some(SimTime::from_ms(5)), Some(SimTime::from_ms(9))];
        let one_running = [Some(SimTime::from_ms(5)), None];
        let base = FinishTimes { created: SimTime::from_ms(1), ..FinishTimes::default() };
        assert_eq!(finished_time(&FinishTimes { containers: &both, ..base }), SimTime::from_ms(9));
        assert_eq!(finished_time(&FinishTimes { containers: &one_running, ..base }), SimTime::from_ms(1));
        let ready = FinishTimes { containers: &one_running, ready_false_since: Some(SimTime::from_ms(7)), ..base };
        assert_eq!(finished_time(&ready), SimTime::from_ms(7));
        let deleted = FinishTimes { deletion: Some((SimTime::from_ms(40_000), 30)), ..base };
        assert_eq!(finished_time(&deleted), SimTime::from_ms(10_000));
        assert_eq!(finished_time(&base), SimTime::from_ms(1));
    }
}
