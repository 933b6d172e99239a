//! `metrics.csv` rows at a fixed interval, and `summary.json` at the end.

use super::Simulation;
use crate::api::shared_str::same_text;
use crate::cluster::pod::PodPhase;
use crate::cluster::resources::{CPU, MEMORY};
use crate::event::ScriptEvent;
use crate::trace::stats::round3;
use crate::trace::summary::{
    CronJobFigures, DrainFigures, FailureFigures, JobFigures, Latencies, NodeFigures, PodCounts, Summary,
};
use crate::trace::{MetricsRow, PoolMetricsRow};
use std::collections::BTreeMap;
use std::sync::Arc;

impl Simulation {
    fn metrics_row(&self) -> MetricsRow {
        let c = &self.rec.counters;
        MetricsRow {
            time: self.now,
            nodes_ready: c.nodes_ready,
            pods_pending: c.phase[PodPhase::Pending as usize],
            pods_running: c.phase[PodPhase::Running as usize],
            pods_succeeded: c.phase[PodPhase::Succeeded as usize],
            pods_failed: c.phase[PodPhase::Failed as usize],
            cpu_requested_milli: c.cpu_requested.value(),
            cpu_allocatable_milli: c.cpu_allocatable.value(),
            memory_requested_bytes: c.memory_requested.value(),
            memory_allocatable_bytes: c.memory_allocatable.value(),
            pods_unscheduled: c.unscheduled,
            nodes_total: self.cluster.nodes.iter().filter(|n| n.present).count() as u64,
            restarts_total: c.restarts,
        }
    }

    /// One row per pool, in the order pools first appear.
    fn pool_rows(&self) -> Vec<PoolMetricsRow> {
        let mut rows: Vec<PoolMetricsRow> = Vec::new();
        // The pools' names as the nodes hold them: the nodes of a pool share one, told
        // equal without reading it (`same_text`; `==` read the bytes: 1% of the perf
        // samples of a DaemonSet on 2,000 nodes).
        let mut pools: Vec<&Arc<str>> = Vec::new();
        for n in self.cluster.nodes.iter().filter(|n| n.present) {
            let i = match pools.iter().position(|p| same_text(p, &n.pool)) {
                Some(i) => i,
                None => {
                    rows.push(PoolMetricsRow { time: self.now, pool: n.pool.to_string(), ..Default::default() });
                    pools.push(&n.pool);
                    rows.len() - 1
                }
            };
            let r = &mut rows[i];
            r.nodes += 1;
            r.nodes_ready += u64::from(n.ready == crate::cluster::node::NodeReady::True);
            r.pods += n.pods.len() as u64;
            r.cpu_requested_milli += n.requested.get(CPU);
            r.cpu_allocatable_milli += n.allocatable.get(CPU);
            r.memory_requested_bytes += n.requested.get(MEMORY);
            r.memory_allocatable_bytes += n.allocatable.get(MEMORY);
        }
        rows
    }

    fn write_metrics(&mut self) {
        let (row, pools) = (self.metrics_row(), self.pool_rows());
        let (mut ctx, _, _) = self.ctx();
        ctx.record_metrics(&row, &pools);
    }

    pub(super) fn sample_metrics(&mut self) {
        self.write_metrics();
        self.last_metrics = Some(self.now);
        let every = self.script.scenario.metrics_every;
        let next = self.now.after(every);
        if self.script.scenario.duration.is_none_or(|d| next.ms() <= d) {
            self.queue.schedule(next, ScriptEvent::Metrics.into());
        }
    }

    /// A last row at the end of the run, unless one was just written.
    pub(super) fn finish_metrics(&mut self) {
        if self.last_metrics != Some(self.now) {
            self.write_metrics();
            self.last_metrics = Some(self.now);
        }
    }

    /// The figures of `summary.json` (the caller adds the trace digests).
    pub fn summary(&self, digests: BTreeMap<String, String>) -> Summary {
        let c = &self.rec.counters;
        let now = self.now.ms();
        let mut by_final_phase = BTreeMap::new();
        for phase in [PodPhase::Pending, PodPhase::Running, PodPhase::Succeeded, PodPhase::Failed] {
            let n = c.final_phase[phase as usize] + c.phase[phase as usize];
            by_final_phase.insert(phase.as_str().to_string(), n);
        }
        let fraction = |req: f64, alloc: f64| if alloc > 0.0 { round3(req / alloc) } else { 0.0 };
        Summary {
            scenario: self.script.scenario.name.clone(),
            seed: self.script.scenario.seed,
            parameters: crate::trace::summary::Parameters(self.script.scenario.parameters.clone()),
            scenario_digest: self.script.scenario.digest.clone(),
            podsim_version: env!("CARGO_PKG_VERSION").to_string(),
            start: self.script.scenario.start.to_string(),
            kubernetes_version: format!("1.{}", self.script.scenario.kubernetes.minor),
            simulated_duration_ms: now,
            events_processed: self.events_processed,
            trace_digest: digests,
            pods: PodCounts {
                created: c.pods_created,
                by_final_phase,
                never_scheduled: c.never_scheduled + c.unscheduled,
                restarts: c.restarts,
                oom_killed: c.oom_killed,
                deleted: c.pods_deleted,
            },
            latency_ms: Latencies {
                scheduling: c.scheduling_latency.percentiles(),
                startup: c.startup_latency.percentiles(),
            },
            nodes: NodeFigures {
                count: self.cluster.nodes.iter().filter(|n| n.present).count() as u64,
                cpu_requested_fraction: fraction(c.cpu_requested.mean(now), c.cpu_allocatable.mean(now)),
                memory_requested_fraction: fraction(c.memory_requested.mean(now), c.memory_allocatable.mean(now)),
                with_pods_at_end: self.cluster.nodes.iter().filter(|n| n.present && !n.pods.is_empty()).count() as u64,
            },
            failures: FailureFigures {
                node_crashes: c.node_crashes,
                pods_evicted: c.pods_evicted,
                pending_pod_ms_during_outages: (c.pending_during_outages.mean(now) * now as f64).round() as u64,
                pods_ever_unschedulable: c.pods_ever_unschedulable,
                unschedulable_at_end: self.subsystems.scheduler.unschedulable_messages(),
            },
            scheduler: crate::trace::summary::SchedulerFigures {
                attempts: c.schedule_attempts.clone(),
                busy_fraction: fraction(self.subsystems.scheduler.busy_micros() as f64, now as f64 * 1_000.0).min(1.0),
            },
            jobs: (c.jobs.created > 0).then(|| JobFigures {
                created: c.jobs.created,
                completed: c.jobs.completed,
                failed: c.jobs.failed.clone(),
                unfinished: self.cluster.jobs.iter().filter(|(_, j)| !j.is_finished()).count() as u64,
                deleted: c.jobs.deleted,
                duration_ms: c.jobs.duration.percentiles(),
                pods_per_job: c.jobs.pods_per_job.percentiles(),
            }),
            cronjobs: (c.cronjobs.created > 0).then(|| CronJobFigures {
                cronjobs: c.cronjobs.created,
                runs: c.cronjobs.runs,
                missed_starts: c.cronjobs.missed,
                skipped_starts: c.cronjobs.skipped,
                start_lateness_ms: c.cronjobs.lateness.percentiles(),
            }),
            drains: (c.drains.refused > 0 || self.cluster.budgets_created > 0).then_some(DrainFigures {
                drains: c.drains.drains,
                pods_evicted: c.drains.evicted,
                evictions_refused: c.drains.refused,
                evictions_timed_out: c.drains.timed_out,
                longest_blocked_ms: c.drains.longest_blocked_ms,
            }),
            services: self.service_figures(),
            data_loss: crate::trace::summary::DataLossFigures::of(&c.data_loss),
            statefulsets: self.statefulset_figures(),
            warnings: self.rec.warnings.clone(),
        }
    }

    /// The availability of every Service with a selector: those deleted during the run,
    /// then those still there, accounted up to now; by namespace, name and creation.
    fn service_figures(&self) -> Vec<crate::trace::summary::ServiceFigures> {
        use crate::apiserver::counters::ServiceOutcome;
        let mut out = self.rec.counters.services.clone();
        for (_, s) in self.cluster.services.iter().filter(|(_, s)| s.selector.is_some()) {
            let mut s = s.clone();
            s.availability.settle(self.now);
            out.push(ServiceOutcome::of(&s, None, self.now));
        }
        out.sort_by(|a, b| (&a.namespace, &a.name, a.created_ms).cmp(&(&b.namespace, &b.name, b.created_ms)));
        out
    }

    /// The ordinal outages of every StatefulSet: those deleted during the run, then
    /// those still there, up to now; by namespace, name and creation.
    fn statefulset_figures(&self) -> Vec<crate::trace::summary::StatefulSetFigures> {
        use crate::apiserver::counters::StatefulSetOutcome;
        let mut out = self.rec.counters.statefulsets.clone();
        for (_, s) in self.cluster.statefulsets.iter() {
            out.push(StatefulSetOutcome::of(s, None, self.now));
        }
        out.sort_by(|a, b| (&a.namespace, &a.name, a.created_ms).cmp(&(&b.namespace, &b.name, b.created_ms)));
        out
    }

    /// Current requested and allocatable (for tests and the end-of-run line).
    pub fn requested_cpu(&self) -> (i64, i64) {
        let req = self.cluster.nodes.iter().map(|n| n.requested.get(CPU)).sum();
        let alloc = self.cluster.nodes.iter().map(|n| n.allocatable.get(CPU)).sum();
        (req, alloc)
    }

    pub fn requested_memory(&self) -> (i64, i64) {
        let req = self.cluster.nodes.iter().map(|n| n.requested.get(MEMORY)).sum();
        let alloc = self.cluster.nodes.iter().map(|n| n.allocatable.get(MEMORY)).sum();
        (req, alloc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::NullSink;

    /// The nodes of a pool share one text of its name, and of their zone, which the
    /// pool metrics and the endpoints compare (`same_text`); another pool, or a zone
    /// label of another value, has its own; and the rows count each pool's nodes.
    #[test]
    fn a_pools_nodes_share_its_name_and_zone() {
        let text = "name: pools\nseed: 1\nnodes:\n\
            - {name: a, count: 3, capacity: {cpu: \"4\", memory: 8Gi}, labels: {topology.kubernetes.io/zone: z1}}\n\
            - {name: b, count: 2, capacity: {cpu: \"4\", memory: 8Gi}, labels: {topology.kubernetes.io/zone: z1}}\n\
            - {name: c, count: 1, capacity: {cpu: \"4\", memory: 8Gi}, labels: {topology.kubernetes.io/zone: z2}}\n";
        let no_files = |name: &str| -> Result<String, String> { Err(format!("{name}: no files")) };
        let scenario = crate::scenario::load("pools.yaml", text, &no_files).expect("valid");
        let sim = Simulation::new(Arc::new(scenario), Box::new(NullSink));
        let nodes = &sim.cluster.nodes;
        assert_eq!(nodes.len(), 6);
        let shared = |i: usize, j: usize| Arc::ptr_eq(&nodes[i].pool, &nodes[j].pool);
        assert!(shared(0, 1) && shared(0, 2) && shared(3, 4) && !shared(2, 3) && !shared(4, 5));
        let zone = |i: usize| nodes[i].zone.as_ref().expect("labelled");
        assert!((1..5).all(|i| Arc::ptr_eq(zone(0), zone(i))));
        assert!(!Arc::ptr_eq(zone(4), zone(5)) && &**zone(5) == "z2");
        let rows = sim.pool_rows();
        let counts: Vec<(&str, u64)> = rows.iter().map(|r| (r.pool.as_str(), r.nodes)).collect();
        assert_eq!(counts, [("a", 3), ("b", 2), ("c", 1)]);
    }
}
