//! kube-scheduler: the scheduling queue, filter and score plugins, and binding.
//! `filter` and `score` are pure; this module runs the cycle against the cluster.

mod backoff_q;
pub mod cycle;
mod default_selector;
pub mod event_series;
mod fail_cache;
pub mod filter;
pub mod interpod_affinity;
pub mod node_affinity;
mod nominator;
mod pool;
mod postfilter;
mod prebind;
pub mod preemption;
pub mod preference;
pub mod prioritize;
pub mod profile;
pub mod requeue;
pub mod score;
pub mod score_bound;
pub mod score_cache;
mod select_host;
pub mod topology_spread;
pub mod volume_binding;
pub mod volume_limits;
pub mod volume_restrictions;
pub mod volume_zone;
pub mod volumes;

use crate::apiserver::record::ObjectRef;
use crate::apiserver::{Change, Ctx, Kind, Watches};
use crate::cluster::resources::ResourceNames;
use crate::cluster::resources::{CPU, MEMORY};
use crate::cluster::slab::IdMap;
use crate::cluster::template::PodTemplate;
use crate::cluster::{Cluster, NodeId, Pod, PodId, fit};
use crate::engine::{Millis, SimRng, SimTime};
use crate::event::SchedulerEvent;
use crate::trace::EventType;
use filter::Reason;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// `podMaxInUnschedulablePodsDuration`, and the period of `flushUnschedulablePodsLeftover`.
const MAX_IN_UNSCHEDULABLE: Millis = 5 * 60_000;
const FLUSH_PERIOD: Millis = 30_000;

/// A fit error's reasons, node count, PreFilter refusal and PostFilter message, and the
/// text made of them.
type LastNote = (BTreeMap<Reason, usize>, usize, Option<(String, u16)>, Option<Arc<str>>, Arc<str>);

/// The activeQ order: higher priority first, then earlier arrival, then insertion.
type ActiveKey = (Reverse<i32>, SimTime, u64);

/// Where a pod waits in the scheduling queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Spot {
    Active(ActiveKey),
    /// Until when, and the pod's place in the activeQ after (priority, entry time), so
    /// that leaving the back-off does not read the pod.
    Backoff(SimTime, (i32, SimTime)),
    /// In the unschedulable pool, filed there as this.
    Unschedulable(pool::Entry),
}

/// What the scheduler keeps of a pod not bound yet: where it waits (nothing while a
/// cycle holds it) and its last FailedScheduling message (shared by the pods that failed
/// alike), in one record, so that a failed attempt files both in one place: on a full
/// cluster every waiting pod fails every ten seconds, and each look-up of a waiting pod
/// is a miss of the processor's caches.
#[derive(Debug, Default)]
struct Queued {
    spot: Option<Spot>,
    message: Option<Arc<str>>,
    /// The recorder's cached FailedScheduling Event of the pod ([`event_series`]), which
    /// outlives the pod's wait by up to `finishTime`.
    series: Option<event_series::Cached>,
}

impl Queued {
    fn is_empty(&self) -> bool {
        self.spot.is_none() && self.message.is_none() && self.series.is_none()
    }
}

pub struct Scheduler {
    /// `podInitialBackoffSeconds` and `podMaxBackoffSeconds` (1 s and 10 s by default).
    initial_backoff: Millis,
    max_backoff: Millis,
    /// activeQ: higher priority first, then earlier arrival (`PrioritySort`).
    active: BTreeSet<(ActiveKey, PodId)>,
    /// Each pod not bound yet that is queued or has failed, and each pod with a cached
    /// FailedScheduling Event.
    queued: IdMap<Queued>,
    /// The unschedulable pool: each pod with the events that may help it and when it
    /// entered (`podMaxInUnschedulablePodsDuration` sends it back after 5 minutes).
    unschedulable: pool::Pool,
    /// At least the union of the unschedulable pods' hints (recomputed at each flush),
    /// so an event no waiting pod listens to costs nothing.
    listening: u16,
    flush_pending: bool,
    cycle_pending: bool,
    /// Until when (in microseconds of simulated time) the cycle under way holds the
    /// scheduler, when cycles take time (`cycleDuration`).
    busy_until_us: u64,
    /// Cycles run (each tried a pod), for the time they held the scheduler.
    cycles: u64,
    /// The backoffQ in the order an idle scheduler pops it, kept when it does
    /// (`SchedulerPopFromBackoffQ`: since 1.33, with cycles that take time).
    backoff_q: Option<backoff_q::BackoffQ>,
    /// Round-robin start of the node search (`nextStartNodeIndex`).
    next_start: usize,
    /// The placement stream, for `selectHost`'s ties.
    ties: select_host::TieBreaker,
    seq: u64,
    /// How many pods' records hold a cached FailedScheduling Event (the events.k8s.io
    /// recorder's cache), and whether its next `finishSeries` tick is scheduled.
    series_live: usize,
    series_tick: bool,
    /// The last fit error's message, with what it was made of.
    last_note: Option<LastNote>,
    /// PostFilter's last "no victims" words, by (nodes, potential nodes).
    no_victims: Option<((usize, usize), Arc<str>)>,
    /// The nodes in the cluster, in the order the scheduler's cache lists them.
    pub(crate) node_list: Vec<NodeId>,
    /// `node_list` is the node ids in order (0, 1, 2, …): the usual case, where no node
    /// has left and come back; then a run of regular rows is a run of the list.
    ring_is_ids: bool,
    /// Resource scores of recent templates, per node.
    score_cache: score_cache::ScoreCache,
    /// Failures of cpu-and-memory-only templates at the current fit epoch.
    fail_cache: fail_cache::FailCache,
    pub(crate) profile: profile::SchedulerProfile,
    /// Pods nominated to each node (the nominator).
    nominated: BTreeMap<NodeId, Vec<PodId>>,
    /// Offsets of preemption's dry runs.
    preemption_rng: SimRng,
    scoring: prioritize::Scoring,
    /// PodTopologySpread's system default selectors, by ReplicaSet and label set.
    default_selectors: default_selector::DefaultSelectors,
    scratch: prioritize::Scratch,
    /// Pods whose volumes VolumeBinding's PreBind is binding, with what it waits for.
    binding: BTreeMap<PodId, PreBind>,
    /// The pods assumed on each node meanwhile (the scheduler cache's assumed pods):
    /// the filters count them there.
    assumed: BTreeMap<NodeId, Vec<PodId>>,
    /// The Kubernetes version followed (1.`minor`): some reasons changed words.
    minor: u32,
    /// What a fit error counts for the nodes a PreFilter result left out
    /// ([`node_affinity::left_out_words`]).
    left_out: Option<&'static str>,
}

/// A pod in VolumeBinding's PreBind (`BindPodVolumes`): its node, since when it waits,
/// the claims it waits for, and the next poll scheduled.
#[derive(Clone, Debug)]
struct PreBind {
    node: NodeId,
    since: SimTime,
    volumes: volume_binding::NodeVolumes,
    poll_at: Option<SimTime>,
}

impl Scheduler {
    pub fn new(
        rng: SimRng,
        preemption_rng: SimRng,
        profile: profile::SchedulerProfile,
        backoff: (Millis, Millis),
        names: &mut ResourceNames,
    ) -> Scheduler {
        Scheduler {
            initial_backoff: backoff.0,
            max_backoff: backoff.1,
            active: BTreeSet::new(),
            queued: IdMap::default(),
            unschedulable: Default::default(),
            listening: 0,
            flush_pending: false,
            cycle_pending: false,
            busy_until_us: 0,
            cycles: 0,
            backoff_q: None,
            next_start: 0,
            ties: select_host::TieBreaker::new(rng),
            seq: 0,
            series_live: 0,
            series_tick: false,
            last_note: None,
            no_victims: None,
            node_list: Vec::new(),
            ring_is_ids: true,
            score_cache: Default::default(),
            fail_cache: Default::default(),
            nominated: BTreeMap::new(),
            preemption_rng,
            scoring: prioritize::Scoring::compile(&profile, names),
            default_selectors: Default::default(),
            scratch: Default::default(),
            profile,
            binding: BTreeMap::new(),
            assumed: BTreeMap::new(),
            minor: crate::scenario::ControlPlane::LATEST_MINOR,
            left_out: node_affinity::left_out_words(crate::scenario::ControlPlane::LATEST_MINOR),
        }
    }

    /// The scheduler of Kubernetes 1.`minor`.
    pub fn with_version(mut self, minor: u32) -> Scheduler {
        self.minor = minor;
        self.left_out = node_affinity::left_out_words(minor);
        // `SchedulerPopFromBackoffQ` (beta, on since 1.33, `pkg/features/kube_features.go`).
        let pops_backoff = minor >= 33 && self.profile.cycle_micros > 0;
        self.backoff_q = pops_backoff.then(backoff_q::BackoffQ::default);
        self
    }

    /// Nothing is queued for scheduling but pods that wait for the cluster to change.
    pub fn is_idle(&self) -> bool {
        self.active.is_empty() && !self.queued.values().any(|q| matches!(q.spot, Some(Spot::Backoff(..))))
    }

    /// The pool counts as waiting exactly the pods whose records say they wait there
    /// (the invariant checker asks).
    pub fn pool_agrees(&self) -> bool {
        let filed = self.queued.values().filter(|q| matches!(q.spot, Some(Spot::Unschedulable(_)))).count();
        filed == self.unschedulable.waiting()
    }

    fn spot(&self, pod: PodId) -> Option<Spot> {
        self.queued.get(pod).and_then(|q| q.spot)
    }

    fn set_spot(&mut self, pod: PodId, spot: Spot) {
        let old = match self.queued.get_mut(pod) {
            Some(q) => q.spot.replace(spot),
            None => {
                self.queued.insert(pod, Queued { spot: Some(spot), ..Queued::default() });
                None
            }
        };
        self.index_backoff(pod, old, Some(spot));
    }

    /// Takes the pod out of its spot (the record stays while it holds a message or series).
    fn take_spot(&mut self, pod: PodId) -> Option<Spot> {
        let q = self.queued.get_mut(pod)?;
        let spot = q.spot.take();
        if q.is_empty() {
            self.queued.remove(pod);
        }
        self.index_backoff(pod, spot, None);
        spot
    }

    /// Keeps the ordered backoffQ (when the scheduler pops from it) in step with the
    /// pod's spot going from `old` to `new`.
    fn index_backoff(&mut self, pod: PodId, old: Option<Spot>, new: Option<Spot>) {
        let Some(q) = &mut self.backoff_q else { return };
        if let Some(Spot::Backoff(until, order)) = old {
            q.remove(pod, until, order);
        }
        if let Some(Spot::Backoff(until, order)) = new {
            q.insert(pod, until, order);
        }
    }

    /// The pod binds or goes: its last message with it.
    fn clear_message(&mut self, pod: PodId) {
        if let Some(q) = self.queued.get_mut(pod) {
            q.message = None;
            if q.is_empty() {
                self.queued.remove(pod);
            }
        }
    }

    fn remove(&mut self, pod: PodId) {
        match self.take_spot(pod) {
            Some(Spot::Active(key)) => {
                self.active.remove(&(key, pod));
            }
            Some(Spot::Unschedulable(entry)) => self.unschedulable.remove(pod, entry),
            _ => {}
        }
    }

    /// The pod waits in the pool with an entry of time `since` (the pool's entry-time
    /// queue keeps entries of pods that left since).
    fn waits_since(queued: &IdMap<Queued>, pod: PodId, since: SimTime) -> bool {
        queued.get(pod).is_some_and(|q| matches!(q.spot, Some(Spot::Unschedulable(e)) if e.since == since))
    }

    /// The simulated time spent in scheduling cycles, in microseconds.
    pub fn busy_micros(&self) -> u64 {
        self.cycles * self.profile.cycle_micros
    }

    pub fn flush_pending(&self) -> bool {
        self.flush_pending
    }

    /// The pods that failed to schedule and are not bound yet, by their last
    /// FailedScheduling message.
    pub fn unschedulable_messages(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for message in self.queued.values().filter_map(|q| q.message.as_ref()) {
            *out.entry(message.to_string()).or_default() += 1;
        }
        out
    }

    /// Whether the nominator holds `node` for `pod`.
    pub fn is_nominated(&self, pod: PodId, node: NodeId) -> bool {
        self.nominated.get(&node).is_some_and(|pods| pods.contains(&pod))
    }
}

/// A write of a pod's FailedScheduling series (about the pod, not its node).
fn write_pod_series(ctx: &mut Ctx, id: PodId, note: &str, series: crate::trace::EventSeries) {
    let Some(pod) = ctx.cluster.pods.get(id) else { return };
    let (ns, name) = (pod.namespace.clone(), pod.name.clone());
    let object = ObjectRef { kind: "Pod", namespace: &ns, name: &name, node: "" };
    ctx.series_event(object, EventType::Warning, "FailedScheduling", note, series);
}

/// NodeResourcesFit's reasons a plain row gives, by `FitRow::misfits` bit.
const ROW_REASONS: [Reason; 3] = [Reason::TooManyPods, Reason::Insufficient(CPU), Reason::Insufficient(MEMORY)];

/// A plain node that NodeResourcesFit rejects (`FitRow::misfits` bits): a node where
/// preemption may help (every resources reason is one it may resolve), its reasons
/// counted by bit. Out of the node loop, which mostly finds room.
#[cold]
#[inline(never)]
fn row_misfit(diagnosis: &mut Diagnosis, counts: &mut [usize; 3], node: NodeId, bits: u8) {
    // Room for every node at the first: on a full cluster each one lands here, and
    // growing the list step by step was a tenth of a failed attempt.
    if diagnosis.potential.capacity() == 0 {
        diagnosis.potential.reserve_exact(diagnosis.nodes);
    }
    diagnosis.potential.push(node);
    for (b, n) in counts.iter_mut().enumerate() {
        *n += usize::from(bits >> b & 1);
    }
}

/// `numFeasibleNodesToFind` (`schedule_one.go`): all nodes under 100; otherwise the
/// configured percentage, or adaptively `50 − n/125` floored at 5%, at least 100 nodes.
pub fn num_feasible_nodes_to_find(num_all_nodes: usize, percentage: u32) -> usize {
    const MIN_FEASIBLE: usize = 100;
    if num_all_nodes < MIN_FEASIBLE {
        return num_all_nodes;
    }
    let pct = if percentage == 0 { (50i64 - num_all_nodes as i64 / 125).max(5) as usize } else { percentage as usize };
    (num_all_nodes * pct / 100).max(MIN_FEASIBLE)
}

/// Why a pod fits no node: reason -> number of nodes, as `FitError` counts them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnosis {
    pub reasons: BTreeMap<Reason, usize>,
    /// The nodes that failed only for reasons removing pods may resolve (status
    /// `Unschedulable`, not `UnschedulableAndUnresolvable`), in the cache's node order:
    /// where preemption may help.
    pub potential: Vec<NodeId>,
    /// Potential nodes that failed PodTopologySpread, InterPodAffinity, VolumeRestrictions
    /// or NodeVolumeLimits, sorted. Preemption's dry run re-runs only the node's own
    /// filters, so it cannot tell whether removing pods would satisfy these: it finds no
    /// victims there rather than preempt for nothing (see ARCHITECTURE.md).
    pub topology: Vec<NodeId>,
    pub nodes: usize,
    /// A PreFilter plugin refused the pod (`UnschedulableAndUnresolvable` for every
    /// node): its message (`Diagnosis.PreFilterMsg`) and the events that may help.
    pub prefilter: Option<(String, u16)>,
    /// NodeAffinity's PreFilter result narrowed the walk: the plugin is among those that
    /// rejected the pod (`UnschedulablePlugins`, kubernetes#122251), so its events may
    /// help, even in 1.31, where the nodes it left out count for no reason.
    pub narrowed: bool,
}

impl Diagnosis {
    /// The cluster events that may help this pod (any node may change).
    pub fn hint(&self) -> u16 {
        if let Some((_, hint)) = &self.prefilter {
            return *hint;
        }
        if self.nodes == 0 {
            return filter::hint::ANY_NODE_ADDED;
        }
        let narrowed = if self.narrowed { filter::hint::NODE_AFFINITY } else { 0 };
        self.reasons.keys().fold(narrowed, |m, r| m | r.hint())
    }
}

impl Diagnosis {
    /// `FitError.Error()`: `0/N nodes are available: <count reason, ...>.` sorted as
    /// strings (or the PreFilter's message, once), then the PostFilter's message, if any.
    pub fn message(&self, names: &crate::cluster::resources::ResourceNames, post_filter: Option<&str>) -> String {
        let mut parts: Vec<String> = self.reasons.iter().map(|(r, n)| format!("{n} {}", r.message(names))).collect();
        parts.sort();
        let reasons = match &self.prefilter {
            Some((message, _)) => message.clone(),
            None => parts.join(", "),
        };
        // No reason at all (in 1.31, a pod whose named nodes are all gone): none written.
        let mut out = format!("0/{} nodes are available:", self.nodes);
        if !reasons.is_empty() {
            out.push(' ');
            out.push_str(&reasons);
            out.push('.');
        }
        if let Some(m) = post_filter {
            out.push(' ');
            out.push_str(m);
        }
        out
    }
}

impl Scheduler {
    /// The change kinds the scheduler watches.
    pub const WATCHES: Watches = Watches::of(&[
        Kind::PodCreated,
        Kind::PodBound,
        Kind::PodReleased,
        Kind::PodRemoved,
        Kind::NodeAdded,
        Kind::NodeRemoved,
        Kind::NodeSchedulable,
        Kind::NodeUntainted,
        Kind::ClaimCreated,
        Kind::ClaimUpdated,
        Kind::VolumeCreated,
        Kind::VolumeUpdated,
        Kind::StorageClassCreated,
    ]);

    /// The scheduler's own events.
    pub fn handle(&mut self, ctx: &mut Ctx, event: SchedulerEvent) {
        match event {
            SchedulerEvent::Cycle => self.cycle(ctx),
            SchedulerEvent::BackoffDone(pod) => self.backoff_done(ctx, pod),
            SchedulerEvent::Flush => self.flush(ctx),
            SchedulerEvent::PreBind(pod) => self.pre_bind_poll(ctx, pod),
            SchedulerEvent::FinishSeries => self.finish_series(ctx),
        }
    }

    /// What the scheduler's informers deliver: new pods to place, and the changes of
    /// the cluster that may help the pods waiting in the unschedulable pool.
    pub fn observe(&mut self, ctx: &mut Ctx, change: &Change) {
        match change {
            Change::PodCreated(id)
                if ctx
                    .cluster
                    .pods
                    .get(*id)
                    .is_some_and(|p| p.node.is_none() && p.template.spec.node_name.is_none()) =>
            {
                self.enqueue(ctx, *id)
            }
            Change::PodBound { pod, node } => {
                let view = ctx.cluster.pods.get(*pod).map(cycle::pod_view);
                let change = requeue::Change { node: Some(*node), pod: view, ..Default::default() };
                let helped = self.take_helped(ctx.cluster, filter::hint::POD_BOUND, change);
                self.requeue_all(ctx, helped);
            }
            Change::PodReleased(r) => {
                let view = cycle::PodView {
                    namespace: &r.namespace,
                    labels: &r.labels,
                    terminating: r.terminating,
                    affinity: r.template.pod_affinity.as_ref(),
                };
                let pod_volumes = !r.template.volumes.is_empty();
                let change = requeue::Change { node: Some(r.node), pod: Some(view), pod_volumes, claim: None };
                let helped = self.take_helped(ctx.cluster, filter::hint::POD_GONE, change);
                self.requeue_all(ctx, helped);
            }
            Change::PodRemoved { id, pod } => {
                self.forget(ctx, *id);
                // The pod's name goes with it: its series is written now, not at the tick.
                if let Some(f) = self.forget_series(*id) {
                    let object = ObjectRef { kind: "Pod", namespace: &pod.namespace, name: &pod.name, node: "" };
                    ctx.series_event(object, EventType::Warning, "FailedScheduling", &f.note, f.series());
                }
            }
            Change::NodeAdded(node) => {
                self.node_list.push(*node);
                self.fail_cache.clear(self.node_list.len());
                self.ring_is_ids &= node.0 as usize + 1 == self.node_list.len();
                self.cluster_event(ctx, filter::hint::NODE_ADDED, *node);
            }
            Change::NodeRemoved(node) => {
                self.node_list.retain(|n| n != node);
                self.fail_cache.clear(self.node_list.len());
                self.ring_is_ids = self.node_list.iter().enumerate().all(|(k, n)| n.0 as usize == k);
                self.cluster_event(ctx, filter::hint::NODE_REMOVED, *node);
            }
            Change::NodeSchedulable(node) => self.cluster_event(ctx, filter::hint::NODE_SCHEDULABLE, *node),
            Change::NodeUntainted(node) => self.cluster_event(ctx, filter::hint::NODE_UNTAINTED, *node),
            Change::ClaimCreated(id) | Change::ClaimUpdated(id) => {
                let event = match change {
                    Change::ClaimCreated(_) => filter::hint::CLAIM_ADDED,
                    _ => filter::hint::CLAIM_UPDATED,
                };
                self.storage_event(ctx, event, Some(*id));
            }
            Change::VolumeCreated(_) | Change::VolumeUpdated(_) => {
                self.storage_event(ctx, filter::hint::VOLUME_CHANGED, None)
            }
            Change::StorageClassCreated(_) => self.storage_event(ctx, filter::hint::CLASS_ADDED, None),
            _ => {}
        }
    }

    /// A claim, PV or class changed: the pods waiting for one may go back to the queue,
    /// and the pods in PreBind look at their claims at their next poll.
    fn storage_event(&mut self, ctx: &mut Ctx, event: u16, claim: Option<crate::cluster::storage::ClaimId>) {
        self.poll_soon(ctx);
        let storage = &ctx.cluster.storage;
        let c = claim.and_then(|id| storage.claims.get(id));
        let change = requeue::Change { claim: c.map(|c| (&*c.namespace, &*c.name)), ..Default::default() };
        let helped = self.take_helped(ctx.cluster, event, change);
        self.requeue_all(ctx, helped);
    }

    /// A new pod enters the active queue.
    fn enqueue(&mut self, ctx: &mut Ctx, id: PodId) {
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        pod.sched.queued_at = ctx.now;
        let priority = pod.priority;
        self.remove(id);
        self.activate(ctx, id, (priority, ctx.now));
    }

    /// Puts into the activeQ a pod that is in neither it nor the pool (a new pod, or one
    /// leaving the back-off or the pool: on a full cluster, every retry), by its
    /// `(priority, queued_at)`.
    fn activate(&mut self, ctx: &mut Ctx, id: PodId, (priority, queued_at): (i32, SimTime)) {
        self.seq += 1;
        let key = (Reverse(priority), queued_at, self.seq);
        self.active.insert((key, id));
        self.set_spot(id, Spot::Active(key));
        self.ask_for_cycle(ctx);
    }

    /// Work came to a scheduler with no cycle ahead: the next cycle starts now, or when
    /// the one under way ends.
    fn ask_for_cycle(&mut self, ctx: &mut Ctx) {
        if !self.cycle_pending {
            self.cycle_pending = true;
            self.busy_until_us = self.busy_until_us.max(ctx.now.ms() * 1_000);
            ctx.schedule(self.next_cycle_at(), SchedulerEvent::Cycle);
        }
    }

    /// The millisecond in which the next cycle starts.
    fn next_cycle_at(&self) -> SimTime {
        SimTime::from_ms(self.busy_until_us.div_ceil(1_000))
    }

    /// Takes pods from the active queue one at a time, each placed before the next
    /// (`scheduleOne`). Each cycle holds the scheduler for `cycleDuration`: the pods the
    /// queue holds meanwhile wait for it, so the scheduler tries pods no faster than its
    /// cycles allow, as a real one does. A cycle decides and files its outcome when it
    /// starts (on the cluster as it is then, as upstream's snapshot is taken then); with
    /// cycles of no duration (the default) the whole queue is tried at once.
    fn cycle(&mut self, ctx: &mut Ctx) {
        self.cycle_pending = false;
        let step = self.profile.cycle_micros;
        // The cycles that start within this millisecond run now, each where the one
        // before ended (so a cycle of 1.5 ms keeps its pace across the milliseconds).
        let this_ms_ends = (ctx.now.ms() + 1) * 1_000;
        while self.busy_until_us < this_ms_ends
            && let Some(id) = self.pop()
        {
            self.take_spot(id);
            // A pod bound or deleted meanwhile is skipped at once (`skipPodSchedule`).
            if self.schedule_one(ctx, id) {
                self.busy_until_us += step;
                self.cycles += 1;
            }
        }
        // (A pod queued during the loop may have asked for the next cycle already.)
        let more = !self.active.is_empty() || self.backoff_q.as_ref().is_some_and(|q| !q.is_empty());
        if more && !self.cycle_pending {
            self.cycle_pending = true;
            ctx.schedule(self.next_cycle_at(), SchedulerEvent::Cycle);
        }
    }

    /// The next pod to try: the activeQ's first, or, when it is empty and the scheduler
    /// pops from the backoffQ, the backoffQ's first, its back-off not over
    /// (`unlockedPop` with `popBackoff`).
    fn pop(&mut self) -> Option<PodId> {
        if let Some((_, id)) = self.active.pop_first() {
            return Some(id);
        }
        self.backoff_q.as_mut()?.pop()
    }

    /// A pod entered the backoffQ: a scheduler that pops from it and has nothing to do
    /// takes it at once.
    fn wake_for_backoff(&mut self, ctx: &mut Ctx) {
        if self.backoff_q.is_some() {
            self.ask_for_cycle(ctx);
        }
    }

    /// One scheduling cycle for the pod; false if there was none to run (the pod is
    /// gone, bound or being deleted).
    fn schedule_one(&mut self, ctx: &mut Ctx, id: PodId) -> bool {
        let Some(pod) = ctx.cluster.pods.get(id) else { return false };
        if pod.node.is_some() || pod.deletion.is_some() {
            return false;
        }
        // The pod and its template are read in place (the cycle only reads the cluster):
        // on a full cluster each waiting pod is tried every ten seconds, and copying three
        // shared pointers was three atomic counts up and down per attempt.
        let who = (id, pod.priority);
        // NodeAffinity's PreFilter, which runs before the volume plugins', refuses a pod
        // whose terms name nodes but no node in common (`errReasonConflict`).
        if pod.template.node_names.as_deref().is_some_and(<[_]>::is_empty) && !self.node_list.is_empty() {
            let refusal = (node_affinity::CONFLICT.to_string(), filter::hint::NODE_AFFINITY);
            let diagnosis = Diagnosis { nodes: self.node_list.len(), prefilter: Some(refusal), ..Default::default() };
            self.schedule_failed(ctx, id, &diagnosis);
            return true;
        }
        // The volume plugins' PreFilter: a refusal holds for every node.
        let volumes = match volumes::VolumeCycle::prefilter(ctx.cluster, pod, self.minor) {
            Ok(v) => v,
            Err(refusal) if !self.node_list.is_empty() => {
                let diagnosis =
                    Diagnosis { nodes: self.node_list.len(), prefilter: Some(refusal), ..Default::default() };
                self.schedule_failed(ctx, id, &diagnosis);
                return true;
            }
            Err(_) => None,
        };
        // A pod nominated by an earlier preemption tries that node first
        // (`evaluateNominatedNode`): it is likely the only one with room.
        if let Some(node) = pod.sched.nominated_node
            && ctx.cluster.node(node).present
            && self.filter_with_nominated(ctx.cluster, &pod.template, who, node, &mut Vec::new())
            && volumes.as_ref().is_none_or(|v| v.filter(ctx.cluster, node, &mut Vec::new()))
        {
            self.reserve(ctx, id, node, volumes.as_ref());
            return true;
        }
        match self.find_node(ctx.cluster, pod, who, volumes.as_ref()) {
            Ok(node) => self.reserve(ctx, id, node, volumes.as_ref()),
            Err(diagnosis) => self.schedule_failed(ctx, id, &diagnosis),
        }
        true
    }

    /// Reserve: a pod whose claims all are bound is bound at once; otherwise
    /// VolumeBinding's PreBind binds its volumes first.
    fn reserve(&mut self, ctx: &mut Ctx, id: PodId, node: NodeId, volumes: Option<&volumes::VolumeCycle>) {
        let needs = volumes.map(|v| v.reserve(ctx.cluster, node)).unwrap_or_default();
        if needs.is_empty() {
            self.bind(ctx, id, node);
        } else {
            self.pre_bind(ctx, id, node, needs);
        }
    }

    /// Filters nodes from the round-robin start until enough are feasible, scores
    /// them, and picks the best (ties broken by a seeded draw, as `selectHost` does).
    fn find_node(
        &mut self,
        cluster: &Cluster,
        pod: &Pod,
        who: (PodId, i32),
        volumes: Option<&volumes::VolumeCycle>,
    ) -> Result<NodeId, Arc<Diagnosis>> {
        let nodes = std::mem::take(&mut self.node_list);
        let template = &pod.template;
        let tolerations = &template.spec.tolerations;
        let incoming = cycle::Incoming { namespace: &pod.namespace, labels: &pod.labels, template, tolerations };
        let result = self.search_nodes(cluster, &incoming, template, who, &nodes, volumes);
        self.node_list = nodes;
        result
    }

    fn search_nodes(
        &mut self,
        cluster: &Cluster,
        pod: &cycle::Incoming,
        shared: &Arc<PodTemplate>,
        who: (PodId, i32),
        nodes: &[NodeId],
        volumes: Option<&volumes::VolumeCycle>,
    ) -> Result<NodeId, Arc<Diagnosis>> {
        let (template, tolerations) = (pod.template, pod.tolerations);
        let mut diagnosis = Diagnosis { nodes: nodes.len(), ..Default::default() };
        if nodes.is_empty() {
            return Err(Arc::new(diagnosis));
        }
        // NodeAffinity's PreFilter result: a pod whose terms name its nodes (a DaemonSet's
        // pod) is filtered on those alone, and the walk is theirs.
        let named = template.node_names.as_deref().map(|names| node_affinity::named_nodes(names, cluster, nodes));
        diagnosis.narrowed = named.is_some();
        let walk = named.as_deref().unwrap_or(nodes);
        let want = num_feasible_nodes_to_find(walk.len(), self.profile.percentage_of_nodes_to_score);
        let mut feasible: Vec<NodeId> = Vec::with_capacity(want.min(walk.len()));
        let mut reasons = Vec::new();
        let plugins = cycle::Cycle::prefilter(&cycle::SimView { cluster, nodes }, pod);
        let start = self.next_start % walk.len().max(1);
        let mut examined = 0;
        let held = self.holds_nominated_nodes();
        let (cpu, memory) = (template.requests.get(CPU), template.requests.get(MEMORY));
        // Without topology constraints, pod affinity or nominated pods in play, a fit-only
        // pod needs only the node's fit row (a fit-only pod names no node: its walk is
        // the whole list).
        let fast = template.fit_only && plugins.is_none() && volumes.is_none() && !held;
        debug_assert!(!fast || named.is_none(), "a fit-only pod has no required terms");
        // The template failed on these very fit rows already (or on rows of which those
        // refreshed since still reject it): it fails alike.
        let known = if fast { self.fail_cache.get(shared, cluster, nodes.len()) } else { None };
        // Debug builds (the tests) walk the nodes anyway and check the kept failure
        // against the walk's, so every scenario the tests run checks the cache.
        if let Some(known) = known.as_ref().filter(|_| !cfg!(debug_assertions)) {
            return Err(Arc::clone(known));
        }
        // Failures read from fit rows, counted by `FitRow::misfits` bit (too many pods,
        // cpu, memory) and added to the diagnosis once, at the end.
        let mut row_misfits = [0usize; 3];
        // Some feasible node has taints (only those found by the full filters can: a
        // plain or regular node has none), for TaintToleration's score.
        let mut tainted = false;
        // Regular rows (empty, of the cluster's usual shape) fit the pod alike: where
        // nearly every node is regular their runs are taken whole, without reading a
        // room or a row, and the nodes between them as below; otherwise the runs are
        // short, and the stretches below take them by their rooms with the busy nodes.
        let runs = fast
            && self.ring_is_ids
            && cluster.regular.long_runs(nodes.len())
            && cluster.regular.shape().is_some_and(|shape| shape.verdict(cpu, memory) == 0);
        // The walk's index of the node examined after `examined` others, the walk
        // wrapping around from `start` (`start` is below the walk's length).
        let at = |examined: usize| {
            let j = start + examined;
            if j >= walk.len() { j - walk.len() } else { j }
        };
        'walk: while examined < walk.len() {
            let mut between = walk.len() - examined;
            if runs {
                let j = at(examined);
                let run = cluster.regular.run(j, (walk.len() - j).min(want - feasible.len()));
                if run > 0 {
                    feasible.extend(walk[j..j + run].iter().copied());
                    examined += run;
                    if feasible.len() >= want {
                        break;
                    }
                    continue;
                }
                between = between.min(cluster.regular.distance_to_next(j, walk.len()));
            }
            let mut left = between;
            while left > 0 {
                if fast {
                    let j = at(examined);
                    // Plain nodes with room: NodeResourcesFit, the only filter that could
                    // reject the pod here, passes (most nodes of a large cluster). Taken
                    // as a stretch in a loop of its own, which reads only the rooms (on
                    // the 5,000-node day the walk node by node was a fifth of the run,
                    // most of it bookkeeping around these two comparisons).
                    let stretch = &walk[j..j + left.min(walk.len() - j).min(want - feasible.len())];
                    let fit = match self.ring_is_ids {
                        // The walk is the ids in order: node `j` first.
                        true => fit::certainly_fitting_rooms(&cluster.room[j..j + stretch.len()], cpu, memory),
                        false => fit::certainly_fitting(&cluster.room, stretch, cpu, memory),
                    };
                    debug_assert_eq!(fit, fit::certainly_fitting(&cluster.room, stretch, cpu, memory));
                    feasible.extend_from_slice(&stretch[..fit]);
                    (examined, left) = (examined + fit, left - fit);
                    if feasible.len() >= want {
                        break 'walk;
                    }
                    if fit == stretch.len() {
                        continue;
                    }
                }
                let id = walk[at(examined)];
                (examined, left) = (examined + 1, left - 1);
                reasons.clear();
                if fast {
                    // Its room does not tell: its row does.
                    let row = &cluster.fit[id.0 as usize];
                    if row.plain {
                        let bits = row.verdict(cpu, memory);
                        if bits == 0 {
                            feasible.push(id);
                            if feasible.len() >= want {
                                break 'walk;
                            }
                        } else {
                            row_misfit(&mut diagnosis, &mut row_misfits, id, bits);
                        }
                        continue;
                    }
                }
                let fits = match held {
                    false => filter::check(template, tolerations, cluster.node(id), &mut reasons),
                    true => self.filter_with_nominated(cluster, template, who, id, &mut reasons),
                } && volumes.is_none_or(|v| v.filter(cluster, id, &mut reasons))
                    && plugins.as_ref().is_none_or(|p| p.filter(&cluster.node(id).labels, &mut reasons));
                if fits {
                    feasible.push(id);
                    tainted |= cluster.fit[id.0 as usize].tainted;
                    if feasible.len() >= want {
                        break 'walk;
                    }
                } else {
                    if reasons.iter().all(Reason::resolvable_by_preemption) {
                        diagnosis.potential.push(id);
                        if reasons.iter().any(Reason::is_beyond_dry_run) {
                            diagnosis.topology.push(id);
                        }
                    }
                    for r in reasons.drain(..) {
                        *diagnosis.reasons.entry(r).or_default() += 1;
                    }
                }
            }
        }
        // `nextStartNodeIndex` moves on by the nodes examined, modulo the cluster's node
        // count (not the walk's, since kubernetes#124933 in 1.31).
        self.next_start = (self.next_start + examined) % nodes.len();
        // Only the reasons some node gave: an entry of 0 would show in the message.
        for (reason, n) in ROW_REASONS.into_iter().zip(row_misfits).filter(|&(_, n)| n > 0) {
            *diagnosis.reasons.entry(reason).or_default() += n;
        }
        if feasible.is_empty() {
            // The nodes the PreFilter result left out fail as `UnschedulableAndUnresolvable`.
            if let Some(words) = self.left_out.filter(|_| nodes.len() > walk.len()) {
                diagnosis.reasons.insert(Reason::NotNamed(words), nodes.len() - walk.len());
            }
            // Node ids grow in the order nodes join, which is the cache's order.
            diagnosis.potential.sort_unstable();
            diagnosis.topology.sort_unstable();
            if let Some(known) = known {
                debug_assert_eq!(*known, diagnosis, "the kept failure of a template is the walk's");
                return Err(known);
            }
            let diagnosis = Arc::new(diagnosis);
            if fast {
                self.fail_cache.put(shared, cluster, nodes, &diagnosis);
            }
            return Err(diagnosis);
        }
        debug_assert!(known.is_none(), "a template kept as failing fits a node");
        let weights = self.scoring.topology_weights();
        let last = &mut self.default_selectors;
        let defaults = || cluster.pods.get(who.0).and_then(|p| last.get(cluster, p));
        let extra = cycle::Cycle::scores(&cycle::SimView { cluster, nodes }, pod, &feasible, weights, defaults);
        // Every node examined fits, and the walk is the ids in order: the feasible nodes
        // are the ids from `start` on.
        let window = (self.ring_is_ids && named.is_none() && examined == feasible.len()).then_some(start);
        Ok(self.select_host(cluster, shared, (&feasible, window), tainted, nodes.len(), &extra))
    }

    /// Scores the feasible nodes and takes the best; ties are broken by reservoir
    /// sampling, each tied node equally likely (`selectHost`). `extra`: the topology
    /// plugins' weighted scores, per feasible node; `tainted`: some feasible node has
    /// taints.
    ///
    /// `window`: the feasible nodes are the ids from this one on, in the ring of ids.
    fn select_host(
        &mut self,
        cluster: &Cluster,
        template: &Arc<PodTemplate>,
        (feasible, window): (&[NodeId], Option<usize>),
        tainted: bool,
        all_nodes: usize,
        extra: &[i64],
    ) -> NodeId {
        if feasible.len() == 1 {
            return feasible[0];
        }
        let cache = self.score_cache.scores(template, cluster.fit.len());
        let alone = extra.is_empty();
        // The window's scores are those under the score bound, which holds only without
        // the score cache: a pod of a cached size goes straight to `prioritize`.
        if let Some(start) = window.filter(|_| alone && cache.is_none() && feasible.len() >= select_host::FEW) {
            debug_assert!(feasible.iter().enumerate().all(|(k, n)| n.0 as usize == (start + k) % all_nodes));
            let (scoring, scratch) = (&self.scoring, &mut self.scratch);
            let window = (start, feasible.len());
            if let Some(sparse) =
                prioritize::window_scores(scoring, cluster, all_nodes, template, window, (tainted, alone), scratch)
            {
                #[cfg(debug_assertions)]
                let mut twin = self.ties.clone();
                let best = self.ties.pick_sparse(&sparse);
                // Debug builds (the tests) score and pick node by node too.
                #[cfg(debug_assertions)]
                {
                    let mut scratch = prioritize::Scratch::default();
                    let totals = prioritize::prioritize(
                        scoring,
                        cluster,
                        all_nodes,
                        template,
                        feasible,
                        (tainted, alone),
                        &mut scratch,
                        None,
                    );
                    assert_eq!(twin.pick(totals), best, "the window's pick is the walk's");
                    assert_eq!(twin.next_position(), self.ties.next_position(), "the window draws as the walk");
                }
                return feasible[best];
            }
        }
        let scratch = &mut self.scratch;
        let totals = prioritize::prioritize(
            &self.scoring,
            cluster,
            all_nodes,
            template,
            feasible,
            (tainted, alone),
            scratch,
            cache,
        );
        // Without the topology plugins' scores (most pods), a loop of its own that reads
        // only the totals.
        let ties = &mut self.ties;
        let best = match alone {
            true => ties.pick(totals),
            false => select_host::reservoir_best(
                &mut |n| ties.below(n),
                totals.iter().enumerate().map(|(k, s)| s + extra.get(k).copied().unwrap_or(0)),
            ),
        };
        feasible[best]
    }

    fn schedule_failed(&mut self, ctx: &mut Ctx, id: PodId, diagnosis: &Diagnosis) {
        let now = ctx.now;
        let message: Arc<str> = if diagnosis.nodes == 0 {
            "no nodes available to schedule pods".into()
        } else {
            let post_filter = self.post_filter(ctx, id, diagnosis);
            self.fit_error_message(&ctx.cluster.resources, diagnosis, post_filter)
        };
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        ctx.rec.counters.schedule_attempts.unschedulable += 1;
        pod.sched.attempts += 1;
        if pod.sched.first_failure.is_none() {
            pod.sched.first_failure = Some(now);
            ctx.rec.counters.pods_ever_unschedulable += 1;
        }
        pod.sched.last_failure_at = now;
        // Back in the queue, the pod's order counts from now (`AddUnschedulableIfNotPresent`
        // refreshes `QueuedPodInfo.Timestamp`, `pkg/scheduler/backend/queue/scheduling_queue.go`):
        // among pods of one priority, the one that failed longest ago is tried first.
        pod.sched.queued_at = now;
        let template = pod.template.clone();
        // Not waiting in the pool: the cycle took the pod from the activeQ.
        debug_assert!(!matches!(self.spot(id), Some(Spot::Unschedulable(_))), "a pod tried while in the pool");
        let queued = &self.queued;
        let entry = self
            .unschedulable
            .insert(id, diagnosis.hint(), now, &template, |pod, since| Self::waits_since(queued, pod, since));
        self.listening |= diagnosis.hint();
        if !self.flush_pending {
            self.flush_pending = true;
            ctx.at(FLUSH_PERIOD, SchedulerEvent::Flush);
        }
        self.file_failure(ctx, id, Spot::Unschedulable(entry), message);
    }

    /// `FitError.Error()` with the PostFilter's message; pods that fail alike one after
    /// the other (the same reasons and counts, the same PostFilter words) share the text
    /// made for the first, which also keeps one copy of it in memory.
    fn fit_error_message(&mut self, names: &ResourceNames, d: &Diagnosis, post_filter: Option<Arc<str>>) -> Arc<str> {
        if let Some((reasons, nodes, prefilter, post, text)) = &self.last_note
            && *nodes == d.nodes
            && *reasons == d.reasons
            && *prefilter == d.prefilter
            && *post == post_filter
        {
            return text.clone();
        }
        let text: Arc<str> = d.message(names, post_filter.as_deref()).into();
        self.last_note = Some((d.reasons.clone(), d.nodes, d.prefilter.clone(), post_filter, text.clone()));
        text
    }

    /// The pod failed at `ctx.now`: it waits in `spot` with `message`, and the
    /// FailedScheduling goes to the events.k8s.io recorder ([`event_series`]), all in the
    /// pod's one record.
    fn file_failure(&mut self, ctx: &mut Ctx, id: PodId, spot: Spot, message: Arc<str>) {
        let now = ctx.now;
        if self.queued.get(id).is_none() {
            self.queued.insert(id, Queued::default());
        }
        let q = self.queued.get_mut(id).expect("inserted above");
        let fresh = q.series.is_none();
        let write = event_series::observe(&mut q.series, &message, now);
        let old = q.spot.replace(spot);
        q.message = Some(message.clone());
        self.series_live += usize::from(fresh);
        self.index_backoff(id, old, Some(spot));
        if matches!(spot, Spot::Backoff(..)) {
            self.wake_for_backoff(ctx);
        }
        match write {
            event_series::Write::Create => {
                ctx.pod_event(id, EventType::Warning, "FailedScheduling", format_args!("{message}"))
            }
            event_series::Write::SeriesStart { note, first } => {
                let series = crate::trace::EventSeries { count: 2, first, last: now };
                write_pod_series(ctx, id, &note, series);
            }
            event_series::Write::Nothing => {}
        }
        if !self.series_tick {
            self.series_tick = true;
            ctx.schedule(event_series::next_tick(now), SchedulerEvent::FinishSeries);
        }
    }

    /// The pod is gone: its cached Event leaves its record, written if it has news.
    fn forget_series(&mut self, pod: PodId) -> Option<event_series::Finished> {
        let q = self.queued.get_mut(pod)?;
        let live = q.series.is_some();
        let finished = event_series::forget(pod, &mut q.series);
        if q.is_empty() {
            self.queued.remove(pod);
        }
        self.series_live -= usize::from(live);
        finished
    }

    /// `finishSeries`: series quiet for 6 minutes are written a last time and dropped.
    fn finish_series(&mut self, ctx: &mut Ctx) {
        self.series_tick = false;
        let now = ctx.now;
        let (mut done, mut ended) = (Vec::new(), 0);
        self.queued.retain(|pod, q| {
            if q.series.is_some() {
                done.extend(event_series::finish(pod, &mut q.series, now));
                ended += usize::from(q.series.is_none());
            }
            !q.is_empty()
        });
        self.series_live -= ended;
        for f in done {
            write_pod_series(ctx, f.pod, &f.note, f.series());
        }
        if self.series_live > 0 {
            self.series_tick = true;
            ctx.schedule(event_series::next_tick(ctx.now), SchedulerEvent::FinishSeries);
        }
    }

    /// The run ends: the series with news are written (the recorder's last writes).
    pub fn end_series(&mut self, ctx: &mut Ctx) {
        let mut done = Vec::new();
        self.queued.retain(|pod, q| {
            done.extend(event_series::forget(pod, &mut q.series));
            !q.is_empty()
        });
        self.series_live = 0;
        for f in done {
            write_pod_series(ctx, f.pod, &f.note, f.series());
        }
    }

    /// The cluster changed (`event`, a `filter::hint` event) at `node`: the unschedulable
    /// pods it may help go back to the queue, through their back-off (QueueingHints).
    fn cluster_event(&mut self, ctx: &mut Ctx, event: u16, node: NodeId) {
        let helped = self.take_helped(ctx.cluster, event, requeue::Change { node: Some(node), ..Default::default() });
        self.requeue_all(ctx, helped);
    }

    /// Takes out of the pool the unschedulable pods that `change` (an `event`) may help.
    fn take_helped(&mut self, cluster: &Cluster, event: u16, change: requeue::Change) -> Vec<PodId> {
        if self.listening & event == 0 || self.unschedulable.is_empty() {
            return Vec::new();
        }
        self.unschedulable.take_helped(cluster, &self.node_list, event, change)
    }

    /// Sends `pods`, taken out of the pool, back to the queue.
    fn requeue_all(&mut self, ctx: &mut Ctx, pods: Vec<PodId>) {
        for id in pods {
            self.requeue_unschedulable(ctx, id);
        }
    }

    /// `flushUnschedulablePodsLeftover`: pods unschedulable for 5 minutes go back.
    fn flush(&mut self, ctx: &mut Ctx) {
        self.flush_pending = false;
        let now = ctx.now;
        let queued = &self.queued;
        let stale = match now.ms().checked_sub(MAX_IN_UNSCHEDULABLE) {
            Some(cutoff) => self
                .unschedulable
                .entered_by(SimTime::from_ms(cutoff), |pod, since| Self::waits_since(queued, pod, since)),
            None => Vec::new(),
        };
        for &id in &stale {
            if let Some(Spot::Unschedulable(entry)) = self.spot(id) {
                self.unschedulable.remove(id, entry);
            }
        }
        self.requeue_all(ctx, stale);
        self.listening = self.unschedulable.listening();
        if !self.unschedulable.is_empty() {
            self.flush_pending = true;
            ctx.at(FLUSH_PERIOD, SchedulerEvent::Flush);
        }
    }

    /// Moves a pod taken out of the unschedulable pool to the backoffQ or the activeQ.
    fn requeue_unschedulable(&mut self, ctx: &mut Ctx, id: PodId) {
        let Some(pod) = ctx.cluster.pods.get(id) else {
            self.take_spot(id);
            return;
        };
        let backoff = (self.initial_backoff << pod.sched.attempts.saturating_sub(1).min(20)).min(self.max_backoff);
        let until = pod.sched.last_failure_at.after(backoff);
        let order = (pod.priority, pod.sched.queued_at);
        if until > ctx.now {
            self.set_spot(id, Spot::Backoff(until, order));
            ctx.schedule(until, SchedulerEvent::BackoffDone(id));
            self.wake_for_backoff(ctx);
        } else {
            // Out of the pool just now, and a pod in the pool is not in the activeQ.
            self.activate(ctx, id, order);
        }
    }

    fn backoff_done(&mut self, ctx: &mut Ctx, id: PodId) {
        // In the back-off (its spot says so), so in neither queue nor pool. A pod deleted
        // meanwhile lost its spot (`forget`).
        if let Some(Spot::Backoff(until, order)) = self.spot(id)
            && until == ctx.now
        {
            self.activate(ctx, id, order);
        }
    }

    /// The pod left the queue for good (deleted).
    fn forget(&mut self, ctx: &mut Ctx, id: PodId) {
        self.unassume(id);
        self.nominate(ctx.cluster, id, None);
        self.remove(id);
        self.clear_message(id);
    }

    /// Binds the pod to the node (`DefaultBinder`); the node's kubelet sees the binding.
    fn bind(&mut self, ctx: &mut Ctx, id: PodId, node: NodeId) {
        self.clear_message(id);
        self.nominate(ctx.cluster, id, None);
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        ctx.rec.counters.schedule_attempts.scheduled += 1;
        ctx.rec.counters.scheduling_latency.record(ctx.now.since(pod.created));
        let (ns, name) = (pod.namespace.clone(), pod.name.clone());
        ctx.place_on_node(id, node);
        let node_name = ctx.cluster.node(node).name.clone();
        ctx.pod_event(
            id,
            EventType::Normal,
            "Scheduled",
            ["Successfully assigned ", &*ns, "/", &*name, " to ", &*node_name],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn feasible_node_counts_match_kubernetes_cases() {
        let all: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/kubernetes/vectors.json"
        )))
        .unwrap();
        let cases: Vec<&Value> =
            all["8_scheduler"].as_array().unwrap().iter().filter(|c| c["group"] == "numFeasibleNodesToFind").collect();
        assert_eq!(cases.len(), 6);
        for c in cases {
            let got = num_feasible_nodes_to_find(
                c["numAllNodes"].as_u64().unwrap() as usize,
                c["percentageOfNodesToScore"].as_u64().unwrap() as u32,
            );
            assert_eq!(got as u64, c["expectedNumNodes"].as_u64().unwrap(), "{}", c["name"]);
        }
    }

    #[test]
    fn fit_error_message_sorts_reasons_as_strings() {
        let mut d = Diagnosis { nodes: 5, ..Default::default() };
        d.reasons.insert(Reason::Insufficient(0), 3);
        d.reasons.insert(Reason::Taint("dedicated".into(), "batch".into()), 2);
        assert_eq!(
            d.message(&Default::default(), Some("preemption: x")),
            "0/5 nodes are available: 2 node(s) had untolerated taint {dedicated: batch}, 3 Insufficient cpu. preemption: x"
        );
        // No reason (1.31: a pod whose named nodes are all gone; its left-out nodes have
        // no status): `FitError.Error()` appends nothing but the PostFilter's message.
        let none = Diagnosis { nodes: 3, ..Default::default() };
        assert_eq!(none.message(&Default::default(), Some("preemption: y")), "0/3 nodes are available: preemption: y");
    }

    /// A walk narrowed by NodeAffinity's PreFilter result listens to the plugin's events
    /// even where the nodes left out count for no reason (1.31).
    #[test]
    fn a_narrowed_walk_listens_to_node_affinity() {
        let narrowed = Diagnosis { nodes: 3, narrowed: true, ..Default::default() };
        assert_eq!(narrowed.hint(), filter::hint::NODE_AFFINITY);
        assert_eq!(Diagnosis { nodes: 3, ..Default::default() }.hint(), 0);
    }
}
