//! The backoffQ as kube-scheduler orders it when it may pop from it
//! (`SchedulerPopFromBackoffQ`, beta and on since 1.33): by the whole second its back-off
//! ends in (`alignToWindow`, `backoffQOrderingWindowDuration`), then as the activeQ
//! orders (higher priority, then the older queue timestamp), in
//! `pkg/scheduler/backend/queue/backoff_queue.go`. An idle scheduler whose activeQ is
//! empty takes the first pod here, back-off or not. podsim keeps it only when cycles
//! take time (`scheduler.cycleDuration`): a scheduler whose cycles took none would be
//! idle at every instant and never leave a pod backing off.

use crate::cluster::PodId;
use crate::engine::SimTime;
use std::cmp::Reverse;
use std::collections::BTreeSet;

/// (the back-off's window, priority, queue timestamp, the back-off's end, pod).
type Key = (u64, Reverse<i32>, SimTime, SimTime, PodId);

#[derive(Debug, Default)]
pub(super) struct BackoffQ {
    pods: BTreeSet<Key>,
}

fn key(pod: PodId, until: SimTime, (priority, queued_at): (i32, SimTime)) -> Key {
    (until.ms() / 1_000, Reverse(priority), queued_at, until, pod)
}

impl BackoffQ {
    pub(super) fn insert(&mut self, pod: PodId, until: SimTime, order: (i32, SimTime)) {
        self.pods.insert(key(pod, until, order));
    }

    pub(super) fn remove(&mut self, pod: PodId, until: SimTime, order: (i32, SimTime)) {
        self.pods.remove(&key(pod, until, order));
    }

    /// The pod an idle scheduler takes next (`popBackoff`).
    pub(super) fn pop(&mut self) -> Option<PodId> {
        self.pods.pop_first().map(|k| k.4)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.pods.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Within one second's window, priority then the older timestamp; an earlier window
    /// first whatever its priority (`TestBackoffQueueOrdering`'s rule).
    #[test]
    fn orders_by_window_then_as_the_active_queue() {
        let t = SimTime::from_ms;
        let mut q = BackoffQ::default();
        let pods: Vec<PodId> = (0..4).map(|index| PodId { index, generation: 0 }).collect();
        q.insert(pods[0], t(10_900), (1, t(9_000)));
        q.insert(pods[1], t(10_100), (1, t(8_000)));
        q.insert(pods[2], t(10_500), (2, t(9_500)));
        q.insert(pods[3], t(9_999), (0, t(9_900)));
        q.remove(pods[1], t(10_100), (1, t(8_000)));
        q.insert(pods[1], t(10_100), (1, t(8_000)));
        let order: Vec<PodId> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, [pods[3], pods[2], pods[1], pods[0]]);
        assert!(q.is_empty());
    }
}
