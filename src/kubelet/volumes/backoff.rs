//! The back-off of a volume operation that failed (`pkg/util/goroutinemap/exponentialbackoff`,
//! through `pkg/volume/util/nestedpendingoperations`): the kubelet's mounts, its check that
//! the controller attached a volume, and the attach/detach controller's operations. After
//! a failure, no new attempt for the same key is allowed until `durationBeforeRetry` has
//! passed since the error: 500 ms, doubling with each failure up to 2 m 2 s. A success
//! removes the entry.

use crate::engine::{Millis, SimTime};

/// `initialDurationBeforeRetry`.
pub const INITIAL_DURATION_BEFORE_RETRY: Millis = 500;
/// `maxDurationBeforeRetry` (2 m 2 s).
pub const MAX_DURATION_BEFORE_RETRY: Millis = 122_000;

/// One key's entry: when the last error happened and how long retries wait after it
/// (`durationBeforeRetry`; 0: no failure since the last success).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExponentialBackoff {
    pub last_error: SimTime,
    pub duration: Millis,
}

impl ExponentialBackoff {
    /// `Update`: the first failure waits the initial duration, each later one twice the
    /// last, at most the maximum.
    pub fn failed(&mut self, now: SimTime) {
        self.duration = if self.duration == 0 {
            INITIAL_DURATION_BEFORE_RETRY
        } else {
            (self.duration * 2).min(MAX_DURATION_BEFORE_RETRY)
        };
        self.last_error = now;
    }

    /// When the next attempt may start. `SafeToRetry` refuses while `time.Since(lastErrorTime)
    /// <= durationBeforeRetry`: the reconciler, which looks every 100 ms, starts it within
    /// 100 ms after this instant; podsim starts it at this instant, as the reference's
    /// derived sequence (0.5 s, 1.5 s, 3.5 s, ... after the first failure) does.
    pub fn retry_at(&self) -> SimTime {
        self.last_error.after(self.duration)
    }

    /// Whether an attempt may start at `now`.
    pub fn may_retry(&self, now: SimTime) -> bool {
        self.duration == 0 || now >= self.retry_at()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn seconds(v: &Value) -> u64 {
        (v.as_f64().unwrap() * 1000.0).round() as u64
    }

    /// Group 8 of the storage vectors: the sequence of `durationBeforeRetry` and of the
    /// earliest retries after a first failure at 0, for operations that fail at once.
    #[test]
    fn volume_operation_backoff_follows_the_derived_sequence() {
        let vectors: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/kubernetes/attach_detach.json"
        )))
        .unwrap();
        let case = &vectors["8_volume_operation_backoff_derived"][0];
        assert_eq!(case["constants"]["initialDurationBeforeRetry"], "500ms");
        assert_eq!(case["constants"]["maxDurationBeforeRetry"], "2m2s");
        let mut b = ExponentialBackoff::default();
        assert!(b.may_retry(SimTime::from_ms(0)), "no entry: an attempt may start");
        let mut now = SimTime::from_ms(0);
        for step in case["sequence_assuming_instant_operations"].as_array().unwrap() {
            b.failed(now);
            assert_eq!(b.duration, seconds(&step["durationBeforeRetry_s"]), "failure {}", step["failure"]);
            assert_eq!(
                b.retry_at().ms(),
                seconds(&step["earliestRetryAfterFirstFailure_s"]),
                "failure {}",
                step["failure"]
            );
            assert!(!b.may_retry(SimTime::from_ms(b.retry_at().ms() - 1)));
            now = b.retry_at();
            assert!(b.may_retry(now));
        }
    }
}
