//! The simulation: it owns the cluster state, the event queue, the random streams and
//! the trace sink. One closed `Event` enum and one `dispatch` hand each event to its
//! handler; handlers guard, ask pure functions for decisions, change the state and
//! schedule what follows.

pub mod admission;
pub mod deletion;
pub mod faults;
pub mod invariants;
pub mod metrics;
pub mod record;
pub mod record_objects;

use crate::cluster::{Cluster, NodeId, PodId};
use crate::engine::{EventQueue, Millis, SimRng, SimTime, Stream, Streams, TimerToken};
use crate::scenario::{Behavior, Scenario};
use crate::scheduler::Scheduler;
use crate::trace::TraceSink;
use crate::trace::stats::{Histogram, TimeIntegral};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Everything that can happen, one variant per handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// `scenario.submissions[i]` is submitted.
    Submit(u32),
    /// The next copy of `scenario.arrivals[i]` arrives.
    Arrival(u32),
    /// The scheduler takes pods from its active queue.
    SchedulerCycle,
    /// A pod's scheduling back-off is over.
    SchedulerBackoffDone(PodId),
    /// The scheduler sends pods unschedulable for too long back to the queue.
    SchedulerFlush,
    /// An image pull on a node finished.
    ImagePullDone { node: NodeId, image: u32, ok: bool },
    /// A container's stage timer.
    Container { pod: PodId, container: u16, token: TimerToken },
    /// A container's probe timer.
    Probe { pod: PodId, container: u16, token: TimerToken },
    /// A pod's `activeDeadlineSeconds` ran out.
    PodDeadline { pod: PodId, token: TimerToken },
    /// `scenario.faults[i]` happens (or is undone).
    Fault { index: u32, undo: bool },
    /// A random fault process crashes or repairs a node.
    RandomFault { process: u32, node: NodeId, repair: bool },
    /// `scenario.actions[i]` happens.
    Action(u32),
    /// A row of metrics.csv is due.
    Metrics,
    /// The node lifecycle controller looks at a node whose kubelet went quiet.
    NodeMonitor(NodeId),
    /// The Job controller syncs a Job.
    JobSync { job: crate::cluster::JobId, token: TimerToken },
    /// A finished Job's `ttlSecondsAfterFinished` ran out.
    JobTtl { job: crate::cluster::JobId, token: TimerToken },
    /// The CronJob controller syncs a CronJob.
    CronJobSync { cronjob: crate::cluster::CronJobId, token: TimerToken },
    /// The node lifecycle controller's NoExecute tainting pass for a zone (by index).
    TaintingPass(u32),
    /// A pod's toleration of a NoExecute taint ran out.
    TaintEviction { pod: PodId, token: TimerToken },
    /// The pod garbage collector deletes terminated pods beyond its threshold.
    PodGcTerminated,
    /// The pod garbage collector deletes the pods of a node that was removed.
    PodGcOrphans(NodeId),
}

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
    pub node_crashes: u64,
    /// Unscheduled pods, integrated over the time some node was not Ready.
    pub pending_during_outages: TimeIntegral,
    pub jobs: JobCounters,
    pub cronjobs: CronJobCounters,
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

/// Things a run reports besides the trace.
#[derive(Default, Clone, Debug)]
pub struct RunReport {
    pub events: u64,
    pub end: SimTime,
}

pub struct Simulation {
    pub(crate) now: SimTime,
    pub(crate) queue: EventQueue<Event>,
    pub(crate) streams: Streams,
    pub(crate) scenario: Arc<Scenario>,
    pub(crate) cluster: Cluster,
    pub(crate) scheduler: Scheduler,
    pub(crate) behaviors: Vec<Behavior>,
    pub(crate) default_behavior: Behavior,
    pub(crate) trace: Box<dyn TraceSink>,
    /// Whether `trace` writes the object records of `podsim get` (see record_objects).
    pub(crate) records_objects: bool,
    pub(crate) counters: Counters,
    pub(crate) arrival_rng: Vec<SimRng>,
    pub(crate) arrival_count: Vec<u64>,
    pub(crate) arrival_templates: BTreeMap<usize, Arc<crate::cluster::template::PodTemplate>>,
    /// PriorityClasses by name.
    pub(crate) priority_classes: BTreeMap<String, crate::scheduler::priority::Class>,
    pub(crate) default_priority_class: Option<String>,
    pub(crate) names_rng: SimRng,
    pub(crate) fault_rng: Vec<SimRng>,
    /// Scratch buffer for event messages (no allocation per event).
    pub(crate) msg: String,
    /// Scratch buffer for an event's field path.
    pub(crate) field_path: String,
    /// Checks invariants after every event (tests).
    pub(crate) check_invariants: bool,
    pub(crate) events_processed: u64,
    /// When a run without a duration next looks whether its workload has finished.
    next_finished_check: SimTime,
    pub(crate) warnings: Vec<String>,
    pub(crate) last_metrics: Option<SimTime>,
    /// Invariants broken where they are best seen (a phase going back).
    pub(crate) violations: Vec<String>,
    #[allow(dead_code)] // filled by the Job and CronJob controllers
    pub(crate) controllers: crate::controllers::Controllers,
}

/// A broken invariant: the simulation's own bug, reported with exit code 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvariantViolation {
    pub time: SimTime,
    pub message: String,
}

impl std::fmt::Display for InvariantViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invariant broken at {} ms: {}", self.time.0, self.message)
    }
}

impl Simulation {
    /// Builds the cluster of `scenario` and schedules what it says will happen.
    pub fn new(scenario: Arc<Scenario>, trace: Box<dyn TraceSink>) -> Simulation {
        let streams = Streams::new(scenario.seed);
        let mut cluster = Cluster::default();
        let scheduler = Scheduler::new(
            streams.stream(Stream::Placement),
            streams.stream(Stream::Preemption),
            scenario.scheduler.clone(),
            &mut cluster.resources,
        );
        let mut sim = Simulation {
            now: SimTime::ZERO,
            queue: EventQueue::new(),
            scheduler,
            names_rng: streams.stream(Stream::Names),
            arrival_rng: (0..scenario.arrivals.len()).map(|i| streams.keyed(Stream::Arrivals, i as u64)).collect(),
            arrival_count: vec![0; scenario.arrivals.len()],
            arrival_templates: BTreeMap::new(),
            priority_classes: crate::scheduler::priority::builtin_classes(),
            default_priority_class: None,
            fault_rng: (0..scenario.random_faults.len()).map(|i| streams.keyed(Stream::Faults, i as u64)).collect(),
            streams,
            behaviors: scenario.behaviors.clone(),
            default_behavior: Behavior::default_for_unmatched(),
            cluster,
            records_objects: trace.records_objects(),
            trace,
            counters: Counters::default(),
            msg: String::new(),
            field_path: String::new(),
            check_invariants: false,
            events_processed: 0,
            next_finished_check: SimTime(0),
            warnings: scenario.warnings.clone(),
            last_metrics: None,
            violations: Vec::new(),
            controllers: Default::default(),
            scenario,
        };
        sim.build_nodes();
        sim.schedule_scenario();
        sim
    }

    /// Checks the invariants after every event (slower; for tests).
    pub fn with_invariant_checks(mut self) -> Simulation {
        self.check_invariants = true;
        self
    }

    /// Flushes the trace and returns the digest of each file written.
    pub fn finish_trace(&mut self) -> std::io::Result<BTreeMap<String, String>> {
        self.trace.finish()
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    fn schedule_scenario(&mut self) {
        let s = self.scenario.clone();
        for (i, sub) in s.submissions.iter().enumerate() {
            self.queue.schedule(SimTime(sub.at), Event::Submit(i as u32));
        }
        for i in 0..s.arrivals.len() {
            self.schedule_next_arrival(i);
        }
        for (i, f) in s.faults.iter().enumerate() {
            self.queue.schedule(SimTime(f.at), Event::Fault { index: i as u32, undo: false });
        }
        for i in 0..s.random_faults.len() {
            self.start_random_faults(i);
        }
        for (i, a) in s.actions.iter().enumerate() {
            self.queue.schedule(SimTime(a.at()), Event::Action(i as u32));
        }
        self.queue.schedule(SimTime::ZERO, Event::Metrics);
    }

    pub(crate) fn at(&mut self, delay: Millis, event: Event) {
        self.queue.schedule(self.now.after(delay), event);
    }

    /// Runs until `end` (inclusive) or until nothing is left to happen, calling
    /// `progress` now and then with the simulated time reached.
    pub fn run(
        &mut self,
        end: Option<SimTime>,
        progress: &mut dyn FnMut(SimTime, u64),
    ) -> Result<RunReport, InvariantViolation> {
        let limit = end.unwrap_or(SimTime(365 * crate::engine::time::DAY));
        while let Some(t) = self.queue.peek_time() {
            if t > limit || (end.is_none() && (self.only_metrics_left() || self.workload_finished(t))) {
                break;
            }
            let (time, event) = self.queue.pop().expect("peeked");
            self.now = time;
            self.dispatch(event);
            self.events_processed += 1;
            if self.check_invariants {
                invariants::after_event(self)?;
            }
            if self.events_processed.is_multiple_of(65_536) {
                progress(self.now, self.events_processed);
            }
        }
        self.now = match end {
            Some(e) => e.max(self.now),
            None => self.now,
        };
        self.finish_metrics();
        if self.check_invariants {
            invariants::check(self)?;
        }
        progress(self.now, self.events_processed);
        Ok(RunReport { events: self.events_processed, end: self.now })
    }

    /// With no duration set, a run ends when only the metrics sampler (and the
    /// scheduler's periodic flush, which cannot help a cluster that no longer changes)
    /// is left.
    fn only_metrics_left(&self) -> bool {
        self.queue.len() <= 1 + usize::from(self.scheduler.flush_pending()) && self.scheduler.is_idle()
    }

    /// With no duration set, a run also ends when no pod is alive and nothing but the
    /// cluster's own background is left: the sampler, the controllers' periodic passes,
    /// random node failures and timers of pods that are gone. Failures alone would
    /// otherwise keep a finished workload running for the full year. Looked at once a
    /// simulated minute at most, since it reads the whole queue.
    fn workload_finished(&mut self, next: SimTime) -> bool {
        use crate::cluster::pod::PodPhase;
        if next < self.next_finished_check
            || self.counters.phase[PodPhase::Pending as usize] + self.counters.phase[PodPhase::Running as usize] > 0
            || !self.scheduler.is_idle()
        {
            return false;
        }
        self.next_finished_check = next.after(60_000);
        let gone = |pod: &PodId| self.cluster.pods.get(*pod).is_none_or(|p| p.terminal && p.termination.is_none());
        self.queue.iter().all(|event| match event {
            Event::Metrics
            | Event::SchedulerFlush
            | Event::NodeMonitor(_)
            | Event::RandomFault { .. }
            | Event::TaintingPass(_)
            | Event::PodGcTerminated
            | Event::PodGcOrphans(_)
            | Event::ImagePullDone { .. } => true,
            Event::Container { pod, .. }
            | Event::Probe { pod, .. }
            | Event::PodDeadline { pod, .. }
            | Event::TaintEviction { pod, .. }
            | Event::SchedulerBackoffDone(pod) => gone(pod),
            _ => false,
        })
    }

    fn dispatch(&mut self, event: Event) {
        match event {
            Event::Submit(i) => self.submit(i as usize),
            Event::Arrival(i) => self.arrive(i as usize),
            Event::SchedulerCycle => self.scheduler_cycle(),
            Event::SchedulerBackoffDone(pod) => self.scheduler_backoff_done(pod),
            Event::SchedulerFlush => self.scheduler_flush(),
            Event::ImagePullDone { node, image, ok } => self.image_pull_done(node, image, ok),
            Event::Container { pod, container, token } => self.container_timer(pod, container as usize, token),
            Event::Probe { pod, container, token } => self.probe_timer(pod, container as usize, token),
            Event::PodDeadline { pod, token } => self.pod_deadline(pod, token),
            Event::Fault { index, undo } => self.fault(index as usize, undo),
            Event::RandomFault { process, node, repair } => self.random_fault(process as usize, node, repair),
            Event::Action(i) => self.action(i as usize),
            Event::Metrics => self.sample_metrics(),
            Event::NodeMonitor(node) => self.node_monitor(node),
            Event::JobSync { job, token } => self.job_sync_event(job, token),
            Event::JobTtl { job, token } => self.job_ttl_event(job, token),
            Event::CronJobSync { cronjob, token } => self.cronjob_sync_event(cronjob, token),
            Event::TaintingPass(zone) => self.tainting_pass(zone),
            Event::TaintEviction { pod, token } => self.taint_eviction_event(pod, token),
            Event::PodGcTerminated => self.podgc_terminated(),
            Event::PodGcOrphans(node) => self.podgc_orphans(node),
        }
    }
}
