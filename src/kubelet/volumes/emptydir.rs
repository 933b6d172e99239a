//! emptyDir volumes, pure: what the containers' writes (behaviors' `writes:`) put in
//! them, the size of a memory-backed one (`calculateEmptyDirMemorySize`,
//! `pkg/volume/emptydir/empty_dir.go`), when the kubelet's volume stats see them (the
//! stats calculator, `pkg/kubelet/server/stats/volume_stat_calculator.go`) and the
//! eviction message of one over its `sizeLimit` (`pkg/kubelet/eviction/helpers.go`).

use crate::engine::{Millis, SimTime};

/// Milliseconds per hour: rates are bytes per hour, amounts bytes × ms / this.
const HOUR: i128 = 3_600_000;

/// `volumeStatsAggPeriod` (`pkg/kubelet/apis/config/v1beta1` defaults): the period of
/// the analyzer that starts a pod's stats calculator, and of the calculator itself, which
/// adds up to as much again as jitter (`wait.JitterUntil(calc, period, 1.0, ...)`).
pub const VOLUME_STATS_AGG_PERIOD: Millis = 60_000;

/// What has been written to a volume: exact, in bytes × ms / hour, up to `at`, and the
/// rate of the writers running since then (bytes per hour).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub amount: i128,
    pub at: SimTime,
    pub rate: i64,
}

impl Written {
    /// Bytes written by `t` (≥ `at`).
    pub fn bytes_at(&self, t: SimTime) -> i64 {
        ((self.amount + i128::from(self.rate) * i128::from(t.since(self.at))) / HOUR) as i64
    }

    /// The rate changes at `now` by `delta` (a writer started or stopped).
    pub fn change_rate(&mut self, now: SimTime, delta: i64) {
        self.amount += i128::from(self.rate) * i128::from(now.since(self.at));
        self.at = now;
        self.rate += delta;
    }

    /// The first instant from `from` at which more than `limit` bytes are written, if the
    /// writers keep going.
    pub fn exceeds_at(&self, limit: i64, from: SimTime) -> Option<SimTime> {
        if self.bytes_at(from) > limit {
            return Some(from);
        }
        if self.rate <= 0 {
            return None;
        }
        // bytes > limit ⟺ amount ≥ (limit + 1) × HOUR.
        let needed = (i128::from(limit) + 1) * HOUR - self.amount;
        let ms = (needed + i128::from(self.rate) - 1) / i128::from(self.rate);
        u64::try_from(ms).ok().map(|ms| self.at.after(ms).max(from))
    }
}

/// `calculateEmptyDirMemorySize`: a memory-backed emptyDir is a tmpfs sized to the
/// node's allocatable memory, or the pod's memory limit if it is smaller (every container
/// has one), or the `sizeLimit` if smaller still. Writes beyond it fail (ENOSPC).
pub fn memory_size(node_allocatable: i64, pod_limit: Option<i64>, size_limit: Option<i64>) -> i64 {
    let mut size = node_allocatable;
    for cap in [pod_limit, size_limit].into_iter().flatten() {
        if cap > 0 && cap <= size {
            size = cap;
        }
    }
    size
}

/// The pod's memory limit as its cgroup has it (`ResourceConfigForPod`): only when every
/// container has one; the regular containers' (and sidecars') sum, or the largest init
/// container's if larger.
pub fn pod_memory_limit(containers: &[(crate::cluster::template::ContainerKind, Option<i64>)]) -> Option<i64> {
    use crate::cluster::template::ContainerKind;
    let mut running = 0i64;
    let mut init = 0i64;
    for (kind, limit) in containers {
        let limit = (*limit)?;
        match kind {
            ContainerKind::Init => init = init.max(limit),
            ContainerKind::Sidecar | ContainerKind::App => running += limit,
        }
    }
    Some(running.max(init))
}

/// The next run of a pod's stats calculator after the one at `last`: the period plus
/// the jitter drawn (`jitter_ms` < the period).
pub fn next_calculation(last: SimTime, jitter_ms: Millis) -> SimTime {
    last.after(VOLUME_STATS_AGG_PERIOD + jitter_ms)
}

/// The first run of a pod's stats calculator: the analyzer's first pass (every minute
/// since the kubelet started) at or after the kubelet admitted the pod.
pub fn first_calculation(kubelet_started: SimTime, admitted: SimTime) -> SimTime {
    let since = admitted.since(kubelet_started);
    kubelet_started.after(since.div_ceil(VOLUME_STATS_AGG_PERIOD) * VOLUME_STATS_AGG_PERIOD)
}

/// `emptyDirMessageFmt`: the eviction's message (note the trailing space).
pub fn size_limit_message(volume: &str, size_limit: &str) -> String {
    format!("Usage of EmptyDir volume {volume:?} exceeds the limit {size_limit:?}. ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MI: i64 = 1 << 20;

    #[test]
    fn writes_add_up_exactly_and_exceed_a_limit_strictly() {
        // 10Mi/s from t = 1 s.
        let mut w = Written::default();
        w.change_rate(SimTime::from_ms(1_000), 10 * MI * 3_600);
        assert_eq!(w.bytes_at(SimTime::from_ms(2_000)), 10 * MI);
        assert_eq!(w.bytes_at(SimTime::from_ms(1_001)), 10_485, "10485.76 bytes a ms, rounded down");
        // 100Mi is reached at 11 s exactly; more than 100Mi one ms later.
        assert_eq!(w.exceeds_at(100 * MI, SimTime::from_ms(1_000)), Some(SimTime::from_ms(11_001)));
        // The writer stops at 5 s (40Mi), another at 5Mi/s from 20 s: 60Mi more take 12 s.
        w.change_rate(SimTime::from_ms(5_000), -10 * MI * 3_600);
        assert_eq!(w.exceeds_at(100 * MI, SimTime::from_ms(6_000)), None, "nobody writes");
        w.change_rate(SimTime::from_ms(20_000), 5 * MI * 3_600);
        assert_eq!(w.bytes_at(SimTime::from_ms(20_000)), 40 * MI);
        assert_eq!(w.exceeds_at(100 * MI, SimTime::from_ms(20_000)), Some(SimTime::from_ms(32_001)));
        assert_eq!(w.exceeds_at(10 * MI, SimTime::from_ms(20_000)), Some(SimTime::from_ms(20_000)), "already over");
    }

    #[test]
    fn a_memory_volume_is_the_smallest_of_node_pod_and_size_limit() {
        assert_eq!(memory_size(8 << 30, None, None), 8 << 30);
        assert_eq!(memory_size(8 << 30, Some(1 << 30), None), 1 << 30);
        assert_eq!(memory_size(8 << 30, Some(1 << 30), Some(256 * MI)), 256 * MI);
        assert_eq!(memory_size(8 << 30, None, Some(16 << 30)), 8 << 30, "a limit above the node's is ignored");
        assert_eq!(memory_size(8 << 30, Some(0), Some(0)), 8 << 30, "zero is no limit");
    }

    #[test]
    fn a_pod_has_a_memory_limit_when_every_container_has_one() {
        use crate::cluster::template::ContainerKind::*;
        assert_eq!(pod_memory_limit(&[(App, Some(MI)), (Sidecar, Some(2 * MI))]), Some(3 * MI));
        assert_eq!(pod_memory_limit(&[(Init, Some(8 * MI)), (App, Some(MI))]), Some(8 * MI));
        assert_eq!(pod_memory_limit(&[(App, Some(MI)), (App, None)]), None);
    }

    #[test]
    fn stats_calculations_follow_the_analyzer_and_the_jitter() {
        assert_eq!(first_calculation(SimTime::from_ms(0), SimTime::from_ms(0)), SimTime::from_ms(0));
        assert_eq!(first_calculation(SimTime::from_ms(0), SimTime::from_ms(1)), SimTime::from_ms(60_000));
        assert_eq!(first_calculation(SimTime::from_ms(5_000), SimTime::from_ms(70_000)), SimTime::from_ms(125_000));
        assert_eq!(next_calculation(SimTime::from_ms(60_000), 30_000), SimTime::from_ms(150_000));
        assert_eq!(
            size_limit_message("cache", "100Mi"),
            "Usage of EmptyDir volume \"cache\" exceeds the limit \"100Mi\". "
        );
    }
}
