//! The simulation: time, the event queue, the random streams, the cluster, the
//! recorder, and the loop. Each event goes to the one entry point of the subsystem it
//! belongs to; after each event the changes it recorded go, in order, to the
//! subsystems that watch them (the change feed), and what those record goes next,
//! until nothing is left. The scenario's script (submissions, arrivals, faults,
//! actions, metrics) is played from here: it is the world outside the cluster.

pub mod admission;
pub mod drain;
pub mod faults;
pub mod invariants;
pub mod metrics;

use crate::apiserver::{Change, Ctx, Recorder, Watches};
use crate::cluster::template::PodTemplate;
use crate::cluster::{Cluster, PodId};
use crate::controllers::attachdetach::AttachDetachController;
use crate::controllers::cronjob::CronJobController;
use crate::controllers::daemonset::DaemonSetController;
use crate::controllers::deployment::DeploymentController;
use crate::controllers::disruption::DisruptionController;
use crate::controllers::endpointslice::EndpointSliceController;
use crate::controllers::job::JobController;
use crate::controllers::nodelifecycle::NodeLifecycle;
use crate::controllers::persistentvolume::PvController;
use crate::controllers::podgc::PodGc;
use crate::controllers::replicaset::ReplicaSetController;
use crate::controllers::statefulset::StatefulSetController;
use crate::engine::{EventQueue, SimRng, SimTime, Stream, Streams};
use crate::event::{
    Event, KubeletEvent, NodeLifecycleEvent, PersistentVolumeEvent, PodGcEvent, SchedulerEvent, ScriptEvent,
};
use crate::kubelet::Kubelet;
use crate::scenario::Scenario;
use crate::scheduler::Scheduler;
use crate::trace::TraceSink;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Things a run reports besides the trace.
#[derive(Default, Clone, Debug)]
pub struct RunReport {
    pub events: u64,
    pub end: SimTime,
}

/// Every subsystem, in the order the change feed reaches them.
struct Subsystems {
    scheduler: Scheduler,
    kubelet: Kubelet,
    node_lifecycle: NodeLifecycle,
    jobs: JobController,
    cronjobs: CronJobController,
    podgc: PodGc,
    replicasets: ReplicaSetController,
    deployments: DeploymentController,
    endpointslices: EndpointSliceController,
    disruption: DisruptionController,
    daemonsets: DaemonSetController,
    statefulsets: StatefulSetController,
    persistentvolumes: PvController,
    attach_detach: AttachDetachController,
}

impl Subsystems {
    /// What any of them watches: changes of other kinds are not queued.
    const WATCHES: Watches = Scheduler::WATCHES
        .union(Kubelet::WATCHES)
        .union(NodeLifecycle::WATCHES)
        .union(JobController::WATCHES)
        .union(CronJobController::WATCHES)
        .union(PodGc::WATCHES)
        .union(ReplicaSetController::WATCHES)
        .union(DeploymentController::WATCHES)
        .union(EndpointSliceController::WATCHES)
        .union(DisruptionController::WATCHES)
        .union(DaemonSetController::WATCHES)
        .union(StatefulSetController::WATCHES)
        .union(PvController::WATCHES)
        .union(AttachDetachController::WATCHES);

    /// One change to each subsystem that watches its kind, in a fixed order.
    fn deliver(&mut self, ctx: &mut Ctx, change: &Change) {
        let kind = change.kind();
        if Scheduler::WATCHES.contains(kind) {
            self.scheduler.observe(ctx, change);
        }
        if Kubelet::WATCHES.contains(kind) {
            self.kubelet.observe(ctx, change);
        }
        if NodeLifecycle::WATCHES.contains(kind) {
            self.node_lifecycle.observe(ctx, change);
        }
        if JobController::WATCHES.contains(kind) {
            self.jobs.observe(ctx, change);
        }
        if CronJobController::WATCHES.contains(kind) {
            self.cronjobs.observe(ctx, change);
        }
        if PodGc::WATCHES.contains(kind) {
            self.podgc.observe(ctx, change);
        }
        if ReplicaSetController::WATCHES.contains(kind) {
            self.replicasets.observe(ctx, change);
        }
        if DeploymentController::WATCHES.contains(kind) {
            self.deployments.observe(ctx, change);
        }
        if EndpointSliceController::WATCHES.contains(kind) {
            self.endpointslices.observe(ctx, change);
        }
        if DisruptionController::WATCHES.contains(kind) {
            self.disruption.observe(ctx, change);
        }
        if DaemonSetController::WATCHES.contains(kind) {
            self.daemonsets.observe(ctx, change);
        }
        if StatefulSetController::WATCHES.contains(kind) {
            self.statefulsets.observe(ctx, change);
        }
        if PvController::WATCHES.contains(kind) {
            self.persistentvolumes.observe(ctx, change);
        }
        if AttachDetachController::WATCHES.contains(kind) {
            self.attach_detach.observe(ctx, change);
        }
    }
}

/// The scenario's script: its random streams and where each arrival stream is.
struct Script {
    scenario: Arc<Scenario>,
    arrival_rng: Vec<SimRng>,
    /// Per arrival stream, the draws of its copies' resources (`arrivals.resources`).
    resource_rng: Vec<SimRng>,
    arrival_count: Vec<u64>,
    /// Copies of one Pod arrival stream share one compiled template and one set of labels
    /// and annotations.
    arrival_pods: BTreeMap<usize, admission::StreamPod>,
    /// Copies of a stream drawing their resources from lists share one template per
    /// distinct draw (by stream and the drawn quantities).
    drawn_templates: BTreeMap<(usize, Vec<String>), Arc<PodTemplate>>,
    fault_rng: Vec<SimRng>,
    /// Per pool: the next index to try for a node's name (`<pool>-<i>`).
    next_node_index: BTreeMap<String, u64>,
    /// Every `kubectl drain` of the run, by number.
    drains: Vec<drain::Drain>,
}

pub struct Simulation {
    now: SimTime,
    queue: EventQueue<Event>,
    cluster: Cluster,
    rec: Recorder,
    subsystems: Subsystems,
    script: Script,
    /// The changes being delivered (kept to reuse its allocation).
    feed: Vec<Change>,
    events_processed: u64,
    /// When a run without a duration next looks whether its workload has finished.
    next_finished_check: SimTime,
    last_metrics: Option<SimTime>,
}

/// A broken invariant: the simulation's own bug, reported with exit code 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvariantViolation {
    pub time: SimTime,
    pub message: String,
}

impl std::fmt::Display for InvariantViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invariant broken at {} ms: {}", self.time.ms(), self.message)
    }
}

impl Simulation {
    /// Builds the cluster of `scenario` and schedules what it says will happen.
    pub fn new(scenario: Arc<Scenario>, trace: Box<dyn TraceSink>) -> Simulation {
        let streams = Streams::new(scenario.seed);
        let mut cluster = Cluster::new(crate::apiserver::admission::builtin_classes(), &streams, scenario.network);
        cluster.api.default_tolerations = scenario.kubernetes.default_tolerations;
        cluster.api.kubelet_version = format!("v1.{}.0", scenario.kubernetes.minor);
        cluster.storage.timings = scenario.storage.clone();
        let scheduler = Scheduler::new(
            streams.stream(Stream::Placement),
            streams.stream(Stream::Preemption),
            scenario.scheduler.clone(),
            (scenario.kubernetes.pod_initial_backoff, scenario.kubernetes.pod_max_backoff),
            &mut cluster.resources,
        )
        .with_version(scenario.kubernetes.minor);
        let subsystems = Subsystems {
            scheduler,
            kubelet: Kubelet::new(scenario.behaviors.clone(), streams.clone(), scenario.kubelet.clone()),
            node_lifecycle: NodeLifecycle::new(
                scenario.kubernetes.node_monitor_grace,
                scenario.kubernetes.node_monitor_period,
            ),
            jobs: JobController,
            cronjobs: CronJobController::new(scenario.start),
            podgc: PodGc::new(scenario.kubernetes.terminated_pod_gc_threshold),
            replicasets: ReplicaSetController,
            deployments: DeploymentController::default(),
            endpointslices: EndpointSliceController::new(scenario.network.max_endpoints_per_slice),
            disruption: DisruptionController::default(),
            daemonsets: DaemonSetController::new(streams.stream(Stream::DaemonSets)),
            statefulsets: StatefulSetController::new(scenario.kubernetes.max_unavailable_statefulset),
            persistentvolumes: PvController::new(streams.clone()),
            attach_detach: AttachDetachController::new(streams.stream(Stream::AttachDetach)),
        };
        let script = Script {
            arrival_rng: (0..scenario.arrivals.len()).map(|i| streams.keyed(Stream::Arrivals, i as u64)).collect(),
            resource_rng: (0..scenario.arrivals.len())
                .map(|i| streams.keyed(Stream::ArrivalResources, i as u64))
                .collect(),
            arrival_count: vec![0; scenario.arrivals.len()],
            arrival_pods: BTreeMap::new(),
            drawn_templates: BTreeMap::new(),
            fault_rng: (0..scenario.random_faults.len()).map(|i| streams.keyed(Stream::Faults, i as u64)).collect(),
            next_node_index: BTreeMap::new(),
            drains: Vec::new(),
            scenario: scenario.clone(),
        };
        let mut sim = Simulation {
            now: SimTime::ZERO,
            queue: EventQueue::new(),
            cluster,
            rec: Recorder::new(trace, Subsystems::WATCHES, scenario.warnings.clone()),
            subsystems,
            script,
            feed: Vec::new(),
            events_processed: 0,
            next_finished_check: SimTime::from_ms(0),
            last_metrics: None,
        };
        sim.build_nodes();
        sim.deliver_changes();
        sim.schedule_scenario();
        sim
    }

    /// Checks the invariants after every event (slower; for tests).
    pub fn with_invariant_checks(mut self) -> Simulation {
        self.rec.check_invariants = true;
        self
    }

    /// Flushes the trace and returns the digest of each file written.
    pub fn finish_trace(&mut self) -> std::io::Result<BTreeMap<String, String>> {
        // The event recorder's series still counting are written a last time.
        let (mut ctx, subsystems, _) = self.ctx();
        subsystems.scheduler.end_series(&mut ctx);
        self.rec.finish()
    }

    /// Ends a simulation whose process exits next (`podsim run`): the trace's writer is
    /// closed, its thread joined, and the cluster, queue and controllers are left for the
    /// exit to take back. Freeing a large cluster's objects one by one took a tenth of a
    /// six-hour run of the 100,000-pod day (perf): memory the operating system reclaims
    /// at once anyway.
    pub fn end_with_process(self) {
        let Simulation { rec, queue, cluster, subsystems, script, feed, .. } = self;
        drop(rec);
        std::mem::forget((queue, cluster, subsystems, script, feed));
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    /// The context a handler works on.
    fn ctx(&mut self) -> (Ctx<'_>, &mut Subsystems, &mut Script) {
        let ctx = Ctx { now: self.now, queue: &mut self.queue, cluster: &mut self.cluster, rec: &mut self.rec };
        (ctx, &mut self.subsystems, &mut self.script)
    }

    fn schedule_scenario(&mut self) {
        let s = self.script.scenario.clone();
        for (i, sub) in s.submissions.iter().enumerate() {
            self.queue.schedule(SimTime::from_ms(sub.at), ScriptEvent::Submit(i as u32).into());
        }
        for i in 0..s.arrivals.len() {
            self.schedule_next_arrival(i);
        }
        for (i, f) in s.faults.iter().enumerate() {
            self.queue.schedule(SimTime::from_ms(f.at), ScriptEvent::Fault { index: i as u32, undo: false }.into());
        }
        for i in 0..s.random_faults.len() {
            self.start_random_faults(i);
        }
        for (i, a) in s.actions.iter().enumerate() {
            self.queue.schedule(SimTime::from_ms(a.at()), ScriptEvent::Action(i as u32).into());
        }
        self.queue.schedule(SimTime::ZERO, ScriptEvent::Metrics.into());
    }

    /// Runs until `end` (inclusive) or until nothing is left to happen, calling
    /// `progress` now and then with the simulated time reached.
    pub fn run(
        &mut self,
        end: Option<SimTime>,
        progress: &mut dyn FnMut(SimTime, u64),
    ) -> Result<RunReport, InvariantViolation> {
        let limit = end.unwrap_or(SimTime::from_ms(365 * crate::engine::time::DAY));
        while let Some(t) = self.queue.peek_time() {
            if t > limit || (end.is_none() && (self.only_metrics_left() || self.workload_finished(t))) {
                break;
            }
            let (time, event) = self.queue.pop().expect("peeked");
            self.now = time;
            self.dispatch(event);
            self.deliver_changes();
            self.events_processed += 1;
            if self.rec.check_invariants {
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
        if self.rec.check_invariants {
            invariants::check(self)?;
        }
        progress(self.now, self.events_processed);
        Ok(RunReport { events: self.events_processed, end: self.now })
    }

    /// Hands the queued changes to the subsystems that watch them, oldest first, until
    /// none is left (what a subsystem records in reply is delivered after).
    fn deliver_changes(&mut self) {
        while self.rec.has_changes() {
            let mut feed = std::mem::take(&mut self.feed);
            self.rec.take_changes(&mut feed);
            let (mut ctx, subsystems, _) = self.ctx();
            for change in &feed {
                subsystems.deliver(&mut ctx, change);
            }
            feed.clear();
            self.feed = feed;
        }
    }

    /// With no duration set, a run ends when only the metrics sampler (and the
    /// scheduler's periodic flush, which cannot help a cluster that no longer changes)
    /// is left.
    fn only_metrics_left(&self) -> bool {
        let scheduler = &self.subsystems.scheduler;
        // A drain retrying evictions a budget refuses waits for something else to
        // happen: with nothing else left, it would retry alone until the year is out.
        let retries = drain::pending_retries(&self.script.drains);
        // The PV controller's resync re-reads claims and PVs that nothing else changes.
        let resync = usize::from(self.subsystems.persistentvolumes.resync_pending());
        self.queue.len() <= 1 + usize::from(scheduler.flush_pending()) + retries + resync && scheduler.is_idle()
    }

    /// With no duration set, a run also ends when no pod is alive and nothing but the
    /// cluster's own background is left: the sampler, the controllers' periodic passes,
    /// random node failures and timers of pods that are gone. Failures alone would
    /// otherwise keep a finished workload running for the full year. Looked at once a
    /// simulated minute at most, since it reads the whole queue.
    fn workload_finished(&mut self, next: SimTime) -> bool {
        use crate::cluster::pod::PodPhase;
        let phase = &self.rec.counters.phase;
        if next < self.next_finished_check
            || phase[PodPhase::Pending as usize] + phase[PodPhase::Running as usize] > 0
            || !self.subsystems.scheduler.is_idle()
        {
            return false;
        }
        self.next_finished_check = next.after(60_000);
        let gone = |pod: &PodId| self.cluster.pods.get(*pod).is_none_or(|p| p.terminal && p.termination.is_none());
        self.queue.iter().all(|event| match event {
            Event::Script(ScriptEvent::Metrics | ScriptEvent::RandomFault { .. })
            | Event::Scheduler(SchedulerEvent::Flush | SchedulerEvent::FinishSeries)
            | Event::NodeLifecycle(NodeLifecycleEvent::Monitor(_) | NodeLifecycleEvent::TaintingPass(_))
            | Event::PodGc(PodGcEvent::Terminated | PodGcEvent::Orphans(_) | PodGcEvent::OutOfService(_))
            | Event::PersistentVolume(PersistentVolumeEvent::Resync)
            | Event::Kubelet(
                KubeletEvent::ImagePullDone { .. }
                | KubeletEvent::EvictionSync { .. }
                | KubeletEvent::WorkingSet { .. },
            ) => true,
            Event::Kubelet(
                KubeletEvent::Container { pod, .. }
                | KubeletEvent::Probe { pod, .. }
                | KubeletEvent::PodDeadline { pod, .. }
                | KubeletEvent::Sandbox { pod, .. }
                | KubeletEvent::Volumes { pod, .. },
            )
            | Event::NodeLifecycle(NodeLifecycleEvent::TaintEviction { pod, .. })
            | Event::Scheduler(SchedulerEvent::BackoffDone(pod)) => gone(pod),
            _ => false,
        })
    }

    fn dispatch(&mut self, event: Event) {
        if let Event::Script(e) = event {
            return self.script_event(e);
        }
        let (mut ctx, s, _) = self.ctx();
        match event {
            Event::Script(_) => {}
            Event::Scheduler(e) => s.scheduler.handle(&mut ctx, e),
            Event::Kubelet(e) => s.kubelet.handle(&mut ctx, e),
            Event::NodeLifecycle(e) => s.node_lifecycle.handle(&mut ctx, e),
            Event::Job(e) => s.jobs.handle(&mut ctx, e),
            Event::CronJob(e) => s.cronjobs.handle(&mut ctx, e),
            Event::PodGc(e) => s.podgc.handle(&mut ctx, e),
            Event::ReplicaSet(e) => s.replicasets.handle(&mut ctx, e),
            Event::DaemonSet(e) => s.daemonsets.handle(&mut ctx, e),
            Event::StatefulSet(e) => s.statefulsets.handle(&mut ctx, e),
            Event::Deployment(e) => s.deployments.handle(&mut ctx, e),
            Event::EndpointSlice(e) => s.endpointslices.handle(&mut ctx, e),
            Event::Disruption(e) => s.disruption.handle(&mut ctx, e),
            Event::PersistentVolume(e) => s.persistentvolumes.handle(&mut ctx, e),
            Event::AttachDetach(e) => s.attach_detach.handle(&mut ctx, e),
        }
    }

    fn script_event(&mut self, event: ScriptEvent) {
        match event {
            ScriptEvent::Submit(i) => self.submit(i as usize),
            ScriptEvent::Arrival(i) => self.arrive(i as usize),
            ScriptEvent::Fault { index, undo } => self.fault(index as usize, undo),
            ScriptEvent::RandomFault { process, node, repair } => self.random_fault(process as usize, node, repair),
            ScriptEvent::Action(i) => self.action(i as usize),
            ScriptEvent::Metrics => self.sample_metrics(),
            ScriptEvent::EvictRetry { drain, pod } => self.evict_retry(drain as usize, pod),
        }
    }
}
