//! Node-pressure eviction's rules, pure: the kubelet's default hard threshold on
//! `memory.available`, the order in which its eviction manager picks pods under memory
//! pressure, the message it gives them, and the kernel OOM killer's choice when the
//! node runs out of memory before the eviction manager acts (by the `oom_score_adj`
//! the kubelet gives each container). The handlers that apply them are in `pressure`.

use crate::api::quantity::{Format, Quantity};
use crate::engine::{Millis, SimTime};
use std::cmp::Ordering;

/// `memory.available<100Mi`, the default hard threshold (`DefaultEvictionHard`,
/// `pkg/kubelet/eviction/defaults_linux.go`; the others, `nodefs.available<10%`,
/// `nodefs.inodesFree<5%`, `imagefs.available<15%`, watch disks podsim does not model).
pub const MEMORY_AVAILABLE_HARD: i64 = 100 << 20;
/// The threshold as the eviction message prints it (`Threshold quantity: 100Mi`).
pub const MEMORY_AVAILABLE_HARD_TEXT: &str = "100Mi";
/// `evictionMonitoringPeriod` (`pkg/kubelet/kubelet.go`): the eviction manager's loop
/// sleeps 10 s after a sync that evicted nothing.
pub const MONITORING_INTERVAL: Millis = 10_000;
/// `evictionPressureTransitionPeriod`'s default, 5m (`pkg/kubelet/apis/config/v1beta1`
/// defaults): the condition stays True this long after the threshold was last met.
pub const PRESSURE_TRANSITION_PERIOD: Millis = 300_000;
/// `podCleanupPollFreq` and `podCleanupTimeout` (`eviction_manager.go`): after an
/// eviction the loop polls every second, up to 30 s, until the pod is cleaned up.
pub const CLEANUP_POLL: Millis = 1_000;
pub const CLEANUP_TIMEOUT: Millis = 30_000;
/// `immediateEvictionGracePeriodSeconds` (`eviction_manager.go`): a hard threshold's
/// eviction gives the pod 1 s.
pub const EVICTION_GRACE: Millis = 1_000;
/// `scheduling.SystemCriticalPriority`: pods at or above it are critical
/// (`IsCriticalPod`, `pkg/kubelet/types/pod_update.go`), never evicted, always admitted.
pub const SYSTEM_CRITICAL_PRIORITY: i32 = 2_000_000_000;
/// `Reason` (`pkg/kubelet/eviction/helpers.go`): the pod's `status.reason`.
pub const REASON: &str = "Evicted";
/// The taint the node lifecycle controller gives a node under memory pressure
/// (`v1.TaintNodeMemoryPressure`, `TaintNodesByCondition`).
pub const MEMORY_PRESSURE_TAINT: &str = "node.kubernetes.io/memory-pressure";

/// `thresholdsMet` for `memory.available`: the threshold's quantity is above what is
/// available (`quantity.Cmp(available) > 0`, operator LessThan).
pub fn memory_threshold_met(available: i64) -> bool {
    MEMORY_AVAILABLE_HARD > available
}

/// `nodeConditionsObservedSince`: the condition holds while less than the transition
/// period has passed since the threshold was last observed met.
pub fn under_pressure(last_observed: Option<SimTime>, now: SimTime) -> bool {
    last_observed.is_some_and(|t| now.ms() - t.ms() < PRESSURE_TRANSITION_PERIOD)
}

/// The loop's first sync at or after `at`: syncs run every 10 s from `phase`.
pub fn next_sync(phase: SimTime, at: SimTime) -> SimTime {
    if at <= phase {
        return phase;
    }
    SimTime::from_ms(phase.ms() + (at.ms() - phase.ms()).div_ceil(MONITORING_INTERVAL) * MONITORING_INTERVAL)
}

/// A pod as `rankMemoryPressure` sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub priority: i32,
    /// `GetResourceRequestQuantity(pod, memory)` in bytes.
    pub request: i64,
    /// The pod's working set in bytes (its stats are always found here).
    pub usage: i64,
}

/// `rankMemoryPressure` (`pkg/kubelet/eviction/helpers.go`): pods whose usage exceeds
/// their request first, then by priority (lowest first), then by usage above the
/// request (largest first). Upstream sorts with `sort.Sort`, which keeps no order among
/// equals; podsim sorts stably, so ties keep the order given (the pods' creation order).
pub fn rank_memory_pressure<T>(pods: &mut [(T, Candidate)]) {
    pods.sort_by(|(_, a), (_, b)| compare(a, b));
}

fn compare(a: &Candidate, b: &Candidate) -> Ordering {
    let exceeds = |c: &Candidate| c.usage > c.request;
    // `exceedMemoryRequests`: true before false.
    exceeds(b)
        .cmp(&exceeds(a))
        // `priority`: lower first.
        .then(a.priority.cmp(&b.priority))
        // `memory`: more above the request first.
        .then((b.usage - b.request).cmp(&(a.usage - a.request)))
}

/// A container as the eviction message reports it: its name, working set and memory
/// request as written (`None`: no request).
pub struct MessageContainer<'a> {
    pub name: &'a str,
    pub usage: i64,
    pub request: Option<&'a Quantity>,
}

/// `evictionMessage` for memory (`helpers.go`): the node's state, then each container
/// using more than it requested. Containers are listed regular ones first, then init
/// containers (upstream follows the order of the pod's stats, which is the runtime's).
pub fn eviction_message(available: i64, containers: &[MessageContainer]) -> String {
    let mut message = format!(
        "The node was low on resource: memory. Threshold quantity: {MEMORY_AVAILABLE_HARD_TEXT}, available: {}. ",
        bytes(available)
    );
    for c in containers {
        let request = c.request.map_or(0, Quantity::value);
        if c.usage > request {
            let request = c.request.map_or_else(|| "0".to_string(), Quantity::canonical);
            message.push_str(&format!(
                "Container {} was using {}, request is {request}, has larger consumption of memory. ",
                c.name,
                bytes(c.usage)
            ));
        }
    }
    message
}

/// `resource.NewQuantity(n, resource.BinarySI).String()`.
pub fn bytes(n: i64) -> String {
    Quantity::new(n, Format::BinarySI).canonical()
}

/// A pod's QoS class (`v1qos.GetPodQOS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Qos {
    Guaranteed,
    Burstable,
    BestEffort,
}

impl Qos {
    pub fn of(class: &str) -> Qos {
        match class {
            "Guaranteed" => Qos::Guaranteed,
            "BestEffort" => Qos::BestEffort,
            _ => Qos::Burstable,
        }
    }
}

/// `guaranteedOOMScoreAdj` and `besteffortOOMScoreAdj` (`pkg/kubelet/qos/policy.go`).
const GUARANTEED_OOM_SCORE_ADJ: i64 = -997;
const BESTEFFORT_OOM_SCORE_ADJ: i64 = 1000;

/// `GetContainerOOMScoreAdjust` (`pkg/kubelet/qos/policy.go`): -997 for Guaranteed (and
/// node-critical) pods, 1000 for BestEffort, and for Burstable `1000 - 1000 * request /
/// capacity` kept within [3, 999]; a sidecar takes the lower of its own and that of the
/// pod's smallest regular request (`minRegularContainerMemory`).
pub fn oom_score_adj(
    qos: Qos,
    node_critical: bool,
    request: i64,
    sidecar_min_regular: Option<i64>,
    capacity: i64,
) -> i64 {
    if node_critical {
        return GUARANTEED_OOM_SCORE_ADJ;
    }
    match qos {
        Qos::Guaranteed => return GUARANTEED_OOM_SCORE_ADJ,
        Qos::BestEffort => return BESTEFFORT_OOM_SCORE_ADJ,
        Qos::Burstable => {}
    }
    let capacity = capacity.max(1);
    let mut adj = 1000 - (1000 * request) / capacity;
    if let Some(min) = sidecar_min_regular {
        adj = adj.min(1000 - (1000 * min) / capacity);
    }
    if adj < 1000 + GUARANTEED_OOM_SCORE_ADJ {
        return 1000 + GUARANTEED_OOM_SCORE_ADJ;
    }
    if adj == BESTEFFORT_OOM_SCORE_ADJ {
        return adj - 1;
    }
    adj
}

/// The kernel's `oom_badness` (`mm/oom_kill.c`) in bytes: the memory a task holds plus
/// `oom_score_adj` thousandths of the machine's memory.
pub fn oom_badness(usage: i64, adj: i64, capacity: i64) -> i64 {
    usage + adj * (capacity / 1000)
}

/// `select_bad_process`: the task with the most points; the first found wins a tie
/// (tasks are given in the pods' creation order, containers in spec order).
pub fn oom_victim(tasks: &[(usize, i64)]) -> Option<usize> {
    let mut best: Option<(usize, i64)> = None;
    for &(i, points) in tasks {
        if best.is_none_or(|(_, b)| points > b) {
            best = Some((i, points));
        }
    }
    best.map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn table() -> Value {
        serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/kubernetes/node_pressure.json"
        )))
        .unwrap()
    }

    fn mi(v: &Value) -> i64 {
        Quantity::parse(v.as_str().unwrap_or("0")).unwrap().value()
    }

    /// The ranking tests of `pkg/kubelet/eviction/helpers_test.go`, each with the
    /// comparisons it sorts by.
    #[test]
    fn ranking_follows_the_upstream_tables() {
        let v = table();
        let cases = v["ranking"].as_array().unwrap();
        assert_eq!(cases.len(), 5);
        for case in cases {
            let pods: Vec<(String, Candidate)> = case["pods"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let c = Candidate {
                        priority: p["priority"].as_i64().unwrap() as i32,
                        request: mi(&p["request"]),
                        usage: mi(&p["usage"]),
                    };
                    (p["name"].as_str().unwrap().to_string(), c)
                })
                .collect();
            let by: Vec<&str> = case["by"].as_array().unwrap().iter().map(|b| b.as_str().unwrap()).collect();
            let mut sorted = pods.clone();
            sorted.sort_by(|(_, a), (_, b)| {
                by.iter().fold(Ordering::Equal, |o, key| {
                    o.then(match *key {
                        "exceedMemoryRequests" => (b.usage > b.request).cmp(&(a.usage > a.request)),
                        "priority" => a.priority.cmp(&b.priority),
                        "memory" => (b.usage - b.request).cmp(&(a.usage - a.request)),
                        other => panic!("unknown comparison {other}"),
                    })
                })
            });
            let names: Vec<&str> = sorted.iter().map(|(n, _)| n.as_str()).collect();
            let want: Vec<&str> = case["expected"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
            assert_eq!(names, want, "{}", case["name"]);
            if by == ["exceedMemoryRequests", "priority", "memory"] {
                let mut ranked = pods.clone();
                rank_memory_pressure(&mut ranked);
                let names: Vec<&str> = ranked.iter().map(|(n, _)| n.as_str()).collect();
                assert_eq!(names, want, "{} (rank_memory_pressure)", case["name"]);
            }
        }
    }

    /// `GetContainerOOMScoreAdjust`'s cases (`pkg/kubelet/qos/policy_test.go`).
    #[test]
    fn oom_score_adj_follows_the_upstream_table() {
        let v = table();
        for case in v["oomScoreAdj"].as_array().unwrap() {
            let qos = Qos::of(case["qos"].as_str().unwrap());
            let got = oom_score_adj(
                qos,
                case["nodeCritical"].as_bool().unwrap_or(false),
                mi(&case["request"]),
                case.get("sidecarMinRegular").map(mi),
                mi(&case["capacity"]),
            );
            let (lo, hi) = (case["lowOOMScoreAdj"].as_i64().unwrap(), case["highOOMScoreAdj"].as_i64().unwrap());
            assert!(lo <= got && got <= hi, "{}: {got} not in [{lo}, {hi}]", case["name"]);
        }
    }

    #[test]
    fn thresholds_conditions_and_sync_times() {
        assert!(memory_threshold_met(MEMORY_AVAILABLE_HARD - 1));
        assert!(!memory_threshold_met(MEMORY_AVAILABLE_HARD));
        assert!(under_pressure(Some(SimTime::from_ms(0)), SimTime::from_ms(299_999)));
        assert!(!under_pressure(Some(SimTime::from_ms(0)), SimTime::from_ms(300_000)));
        assert!(!under_pressure(None, SimTime::from_ms(0)));
        assert_eq!(next_sync(SimTime::from_ms(3_000), SimTime::from_ms(3_000)), SimTime::from_ms(3_000));
        assert_eq!(next_sync(SimTime::from_ms(3_000), SimTime::from_ms(3_001)), SimTime::from_ms(13_000));
        assert_eq!(next_sync(SimTime::from_ms(3_000), SimTime::from_ms(1_000)), SimTime::from_ms(3_000));
    }

    #[test]
    fn the_message_names_the_containers_above_their_request() {
        let request = Quantity::parse("512Mi").unwrap();
        let containers = [
            MessageContainer { name: "app", usage: 3 << 30, request: Some(&request) },
            MessageContainer { name: "side", usage: 100 << 20, request: Some(&request) },
            MessageContainer { name: "log", usage: 10 << 20, request: None },
        ];
        assert_eq!(
            eviction_message(50 << 20, &containers),
            "The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. \
             Container app was using 3Gi, request is 512Mi, has larger consumption of memory. \
             Container log was using 10Mi, request is 0, has larger consumption of memory. "
        );
        assert_eq!(bytes(104_857_599), "104857599");
        assert_eq!(bytes(-1 << 20), "-1Mi");
    }

    #[test]
    fn the_oom_killer_takes_the_most_points_first_on_ties() {
        let cap = 4 << 30;
        let be = oom_badness(100 << 20, 1000, cap);
        let guaranteed = oom_badness(3 << 30, -997, cap);
        assert!(be > guaranteed);
        assert_eq!(oom_victim(&[(0, guaranteed), (1, be), (2, be)]), Some(1));
        assert_eq!(oom_victim(&[]), None);
    }
}
