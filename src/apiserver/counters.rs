//! The counters behind metrics.csv and summary.json, kept up to date as things change.

use crate::trace::stats::{Histogram, TimeIntegral};
use std::collections::BTreeMap;

/// Counters behind metrics.csv and summary.json, kept up to date as things change.
#[derive(Default)]
pub struct Counters {
    pub phase: [u64; 4],
    pub unscheduled: u64,
    pub restarts: u64,
    pub oom_killed: u64,
    pub pods_created: u64,
    pub pods_deleted: u64,
    pub final_phase: [u64; 4],
    pub never_scheduled: u64,
    pub scheduling_latency: Histogram,
    pub startup_latency: Histogram,
    pub cpu_requested: TimeIntegral,
    pub cpu_allocatable: TimeIntegral,
    pub memory_requested: TimeIntegral,
    pub memory_allocatable: TimeIntegral,
    pub nodes_ready: u64,
    /// Pods evicted by the taint eviction controller.
    pub pods_evicted: u64,
    pub pods_ever_unschedulable: u64,
    /// kube-scheduler's attempts by result (`scheduler_schedule_attempts_total`).
    pub schedule_attempts: crate::trace::summary::ScheduleAttempts,
    pub node_crashes: u64,
    /// Unscheduled pods, integrated over the time some node was not Ready.
    pub pending_during_outages: TimeIntegral,
    pub jobs: JobCounters,
    pub cronjobs: CronJobCounters,
    /// The availability of Services deleted during the run.
    pub services: Vec<ServiceOutcome>,
    /// The ordinal outages of StatefulSets deleted during the run.
    pub statefulsets: Vec<StatefulSetOutcome>,
    pub drains: DrainCounters,
    /// Volumes whose data was lost, by (cause, kind) (`kubelet::volumes::data`).
    pub data_loss: BTreeMap<(&'static str, &'static str), u64>,
}

/// What `kubectl drain` met: evictions the API allowed and refused.
#[derive(Default)]
pub struct DrainCounters {
    pub drains: u64,
    /// Pods evicted through the eviction API.
    pub evicted: u64,
    /// Evictions refused (a budget's 429, retried; other errors, not retried).
    pub refused: u64,
    /// Pods whose eviction was still being retried when the drain timed out.
    pub timed_out: u64,
    /// The longest a pod waited from its first refused eviction to an allowed one.
    pub longest_blocked_ms: u64,
}

/// A Service's availability as `summary.json` reports it.
pub type ServiceOutcome = crate::trace::summary::ServiceFigures;

impl ServiceOutcome {
    /// The figures of `service` up to `now` (its availability settled to `now`).
    pub fn of(
        service: &crate::cluster::service::Service,
        deleted: Option<crate::engine::SimTime>,
        now: crate::engine::SimTime,
    ) -> ServiceOutcome {
        let a = &service.availability;
        let observed = now.since(service.created);
        let fraction =
            |ms: u64| if observed == 0 { 0.0 } else { crate::trace::stats::round3(ms as f64 / observed as f64) };
        ServiceOutcome {
            namespace: service.namespace.to_string(),
            name: service.name.to_string(),
            created_ms: service.created.ms(),
            deleted_ms: deleted.map(|t| t.ms()),
            observed_ms: observed,
            any_ready_ms: a.any_ready_ms,
            all_ready_ms: a.all_ready_ms,
            any_ready_fraction: fraction(a.any_ready_ms),
            all_ready_fraction: fraction(a.all_ready_ms),
            longest_outage_ms: a.longest_outage(now),
            outages: a.outages(now),
        }
    }
}

/// A StatefulSet's ordinal outages as `summary.json` reports them.
pub type StatefulSetOutcome = crate::trace::summary::StatefulSetFigures;

impl StatefulSetOutcome {
    /// The figures of `sts` up to `now` (stretches still open counted to `now`).
    pub fn of(
        sts: &crate::cluster::statefulset::StatefulSet,
        deleted: Option<crate::engine::SimTime>,
        now: crate::engine::SimTime,
    ) -> StatefulSetOutcome {
        let o = sts.outages.settled(now);
        StatefulSetOutcome {
            namespace: sts.namespace.to_string(),
            name: sts.name.to_string(),
            created_ms: sts.created.ms(),
            deleted_ms: deleted.map(|t| t.ms()),
            replicas: sts.replicas,
            longest_ordinal_down_ms: o.longest_ms,
            longest_down_ordinal: o.longest_ordinal,
            ordinal_outages: o.count,
            ordinal_down_ms: o.total_ms,
        }
    }
}

#[derive(Default)]
pub struct JobCounters {
    pub created: u64,
    pub completed: u64,
    /// Failed Jobs by the reason of their `Failed` condition.
    pub failed: BTreeMap<String, u64>,
    pub deleted: u64,
    /// From `startTime` to completion, for Jobs that completed.
    pub duration: Histogram,
    pub pods_per_job: Histogram,
}

#[derive(Default)]
pub struct CronJobCounters {
    pub created: u64,
    /// Jobs started.
    pub runs: u64,
    /// Start times skipped by `startingDeadlineSeconds` (MissSchedule).
    pub missed: u64,
    /// Start times skipped by `concurrencyPolicy: Forbid` (JobAlreadyActive).
    pub skipped: u64,
    /// From the scheduled time to the Job's creation.
    pub lateness: Histogram,
}
