//! What the charts need from a run, read from its files in one pass each.
//!
//! transitions.csv is replayed row by row: each pod keeps its phase and which of its
//! containers are in a back-off, and the bar of the timeline changes colour whenever the
//! state it shows changes. Names are looked up in `BTreeMap`s; pods, nodes and jobs are
//! vectors in the order they first appear, so every chart is drawn in file order.
//!
//! A million-pod run is read in a fixed, small amount per pod: the two large files are
//! streamed, a pod is a few integers (its name in one shared string, its bar's changes
//! in one shared vector once it has ended, its marks in another), and what the replay
//! needs only while a pod lives (its containers) is dropped when it ends.

#[cfg(test)]
use super::RunFiles;
use super::RunStreams;
use super::input::{PlotError, Row, for_each_row};
use std::collections::{BTreeMap, BTreeSet};

/// What a pod's bar shows at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Seg {
    /// Bound, Pending: pulling images, creating containers, running init containers.
    Starting,
    /// Running.
    Running,
    /// A container waits in CrashLoopBackOff, ErrImagePull or ImagePullBackOff.
    BackOff,
    /// Its node is not ready: what the pod does is unknown (the API still shows its last
    /// state), from the node's `NotReady`/`Unknown` until the node is back or the pod ends.
    Lost,
}

impl Seg {
    const ALL: [Seg; 4] = [Seg::Starting, Seg::Running, Seg::BackOff, Seg::Lost];
}

/// How a pod's bar ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Succeeded,
    Failed,
}

/// Something that happened to a pod, marked on its bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Mark {
    /// A container that had terminated runs again.
    Restart,
    /// A container was `Terminated` with reason `OOMKilled`.
    OomKilled,
    /// Evicted: deleted by the taint eviction controller (its `TaintManagerEviction`
    /// event; the pod's later phase change carries no reason, as upstream), or a phase
    /// change with reason `Evicted`.
    Evicted,
    /// The pod's phase changed for another reason: `Preempted`, `DeadlineExceeded`.
    Killed,
}

/// A time with `u64::MAX` for none: a pod is kept in a few words.
const NONE: u64 = u64::MAX;
const NONE32: u32 = u32::MAX;

fn opt(t: u64) -> Option<u64> {
    (t != NONE).then_some(t)
}

fn opt32(i: u32) -> Option<u32> {
    (i != NONE32).then_some(i)
}

#[derive(Debug)]
pub(crate) struct Pod {
    pub created: u64,
    /// The pod's `Scheduled` event (none for pods created with `spec.nodeName`).
    scheduled: u64,
    /// The first row that names the pod's node: where its bar starts.
    bound: u64,
    /// The first `Pending → Running` row.
    running: u64,
    /// When it reached Succeeded or Failed.
    end: u64,
    failed: bool,
    node: u32,
    /// The ReplicaSet that created it (an index into `Run::replicasets`), from its
    /// `SuccessfulCreate` event: what tells the old and new pods of a rollout apart.
    owner: u32,
    /// An earlier pod of the same namespace and name (deleted and created again).
    prev: u32,
    /// Its bar's changes in `Run::segs`, from `bound`, once it has ended: [from, to).
    segs: (u32, u32),
    /// What the replay keeps while the pod lives.
    live: Option<Box<Live>>,
}

impl Pod {
    fn new(created: u64, prev: Option<u32>) -> Pod {
        Pod {
            created,
            scheduled: NONE,
            bound: NONE,
            running: NONE,
            end: NONE,
            failed: false,
            node: NONE32,
            owner: NONE32,
            prev: prev.unwrap_or(NONE32),
            segs: (0, 0),
            live: Some(Box::default()),
        }
    }

    pub fn scheduled(&self) -> Option<u64> {
        opt(self.scheduled)
    }

    pub fn bound(&self) -> Option<u64> {
        opt(self.bound)
    }

    pub fn running(&self) -> Option<u64> {
        opt(self.running)
    }

    pub fn node(&self) -> Option<u32> {
        opt32(self.node)
    }

    pub fn owner(&self) -> Option<u32> {
        opt32(self.owner)
    }

    pub fn end(&self) -> Option<(u64, Outcome)> {
        opt(self.end).map(|t| (t, if self.failed { Outcome::Failed } else { Outcome::Succeeded }))
    }

    /// Where the bar starts: when the pod was scheduled to a node, or (for a pod created
    /// with `spec.nodeName`, which has no `Scheduled` event) when a row first names its node.
    pub fn start(&self) -> Option<u64> {
        match (self.scheduled(), self.bound()) {
            (Some(s), Some(b)) => Some(s.min(b)),
            (s, b) => s.or(b),
        }
    }

    /// Where the bar ends: when the pod finished, or the end of the run.
    pub fn stop(&self, run_end: u64) -> u64 {
        self.end().map_or(run_end, |(t, _)| t)
    }

    /// Records the bar's state at `t`, once the pod is on a node and until it ends.
    fn update_seg(&mut self, t: u64) {
        if self.bound == NONE || self.end != NONE {
            return;
        }
        let Some(live) = self.live.as_deref_mut() else { return };
        let state = live.state();
        let segs = &mut live.segs;
        match segs.last_mut() {
            Some(last) if last.t() == t => *last = SegAt::new(t, state),
            Some(last) if last.seg() == state => {}
            _ => segs.push(SegAt::new(t, state)),
        }
        // Two changes at one instant may have restored the state before them.
        let n = segs.len();
        if n >= 2 && segs[n - 2].seg() == segs[n - 1].seg() {
            segs.pop();
        }
    }
}

/// A change of a bar: the time with the state in its top two bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SegAt(u64);

impl SegAt {
    const SHIFT: u32 = 62;
    const TIME: u64 = (1 << Self::SHIFT) - 1;

    fn new(t: u64, seg: Seg) -> SegAt {
        let k = Seg::ALL.iter().position(|&s| s == seg).unwrap_or(0) as u64;
        SegAt(t.min(Self::TIME) | (k << Self::SHIFT))
    }

    pub fn t(self) -> u64 {
        self.0 & Self::TIME
    }

    pub fn seg(self) -> Seg {
        Seg::ALL[(self.0 >> Self::SHIFT) as usize]
    }
}

/// What the replay keeps of a pod until it ends.
#[derive(Debug, Default)]
struct Live {
    running_phase: bool,
    containers: Vec<Container>,
    segs: Vec<SegAt>,
}

impl Live {
    fn state(&self) -> Seg {
        if self.containers.iter().any(|c| c.backoff) {
            Seg::BackOff
        } else if self.running_phase {
            Seg::Running
        } else {
            Seg::Starting
        }
    }
}

/// What the replay keeps of a container.
#[derive(Debug)]
struct Container {
    /// Its name, interned by the builder.
    name: u32,
    /// Waiting in a back-off.
    backoff: bool,
    /// Terminated since it last ran: running again is a restart.
    exited: bool,
}

#[derive(Debug)]
pub(crate) struct Node {
    pub name: String,
    /// Times the node was `Unknown` or `NotReady`: [from, to).
    pub outages: Vec<(u64, u64)>,
    open_outage: Option<u64>,
}

#[derive(Debug)]
pub(crate) struct Job {
    pub name: String,
    pub first: u64,
    /// When it reached `Complete` or `Failed`, and whether it failed.
    pub end: Option<(u64, bool)>,
    /// The CronJob that created it and the time it was scheduled for, in simulated ms
    /// (negative if before the run's start).
    pub cron: Option<(String, i64)>,
}

/// One row of metrics.csv.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sample {
    pub t: u64,
    pub pending: u64,
    pub running: u64,
    pub succeeded: u64,
    pub failed: u64,
    /// `pods_unscheduled`, where the file has it.
    pub unscheduled: Option<u64>,
}

/// One row of pool_metrics.csv.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PoolSample {
    pub t: u64,
    pub cpu_requested_milli: u64,
    pub cpu_allocatable_milli: u64,
    pub memory_requested: u64,
    pub memory_allocatable: u64,
}

#[derive(Debug)]
pub(crate) struct Run {
    pub scenario: String,
    pub seed: u64,
    /// The end of the run in simulated ms (at least 1).
    pub end: u64,
    pub nodes: Vec<Node>,
    pub pods: Vec<Pod>,
    pub samples: Vec<Sample>,
    /// Samples by pool, when pool_metrics.csv was given.
    pub pools: Option<BTreeMap<String, Vec<PoolSample>>>,
    pub jobs: Vec<Job>,
    /// Services with their backends over time (empty for a run without Services).
    pub services: Vec<super::services::Service>,
    /// The ReplicaSets that created pods, `namespace/name`, in the order of their first
    /// pod (`Pod::owner` indexes them).
    pub replicasets: Vec<String>,
    /// Every pod's `namespace/name`, one after another: pod `i`'s ends at `name_ends[i]`.
    names: String,
    name_ends: Vec<u32>,
    /// The bars' changes, pod after pod (`Pod::segs` ranges into it).
    segs: Vec<SegAt>,
    /// Every mark as (pod, time, mark), by pod then time.
    marks: Vec<(u32, u64, Mark)>,
}

impl Run {
    /// Reads a run whose files are all in memory (tests, small runs).
    #[cfg(test)]
    pub fn read(files: &RunFiles<'_>) -> Result<Run, PlotError> {
        files.as_streams(Run::read_streams)
    }

    pub fn read_streams(files: RunStreams<'_>) -> Result<Run, PlotError> {
        let (summary, json) = read_summary(files.summary)?;
        let services = super::services::read(&json, files.services)?;
        let mut b = Builder::default();
        if let Some(text) = files.nodes {
            b.read_nodes(text)?;
        }
        b.read_transitions(files.transitions)?;
        b.read_events(files.events)?;
        let samples = read_metrics(files.metrics)?;
        let pools = files.pool_metrics.map(read_pool_metrics).transpose()?;
        let last_sample = samples.last().map_or(0, |s| s.t);
        let end = summary.duration.unwrap_or(0).max(b.last_time).max(last_sample).max(1);
        let jobs = b.finish_jobs(summary.start_unix_ms);
        b.finish_pods();
        let mut nodes = b.nodes;
        for n in &mut nodes {
            if let Some(from) = n.open_outage.take() {
                n.outages.push((from, end));
            }
        }
        let mut marks = b.marks;
        marks.sort_by_key(|&(pod, t, _)| (pod, t));
        Ok(Run {
            scenario: summary.scenario,
            seed: summary.seed,
            end,
            nodes,
            pods: b.pods,
            samples,
            pools,
            jobs,
            services,
            replicasets: b.replicasets,
            names: b.names,
            name_ends: b.name_ends,
            segs: b.segs,
            marks,
        })
    }

    /// "quickstart, seed 1": the start of every chart's title.
    pub fn title(&self, what: &str) -> String {
        format!("{}, seed {}: {what}", self.scenario, self.seed)
    }

    /// Pod `i`'s `namespace/name`.
    pub fn pod_name(&self, i: u32) -> &str {
        let i = i as usize;
        let from = if i == 0 { 0 } else { self.name_ends[i - 1] as usize };
        self.names.get(from..self.name_ends[i] as usize).unwrap_or("")
    }

    /// The changes of pod `i`'s bar as the replay saw them, in time order.
    pub fn segs(&self, i: u32) -> Vec<(u64, Seg)> {
        let (from, to) = self.pods[i as usize].segs;
        self.segs[from as usize..to as usize].iter().map(|s| (s.t(), s.seg())).collect()
    }

    /// Pod `i`'s marks in time order.
    pub fn marks(&self, i: u32) -> impl Iterator<Item = (u64, Mark)> + '_ {
        let from = self.marks.partition_point(|m| m.0 < i);
        self.marks[from..].iter().take_while(move |m| m.0 == i).map(|&(_, t, m)| (t, m))
    }

    /// How many marks of a kind there are, over every pod.
    pub fn count_marks(&self, mark: Mark) -> usize {
        self.marks.iter().filter(|m| m.2 == mark).count()
    }

    /// What pod `i`'s bar shows from its start to its end (or the run's): the replay's
    /// changes, `Starting` before the first, and `Lost` while its node is not ready.
    pub fn bar(&self, i: u32) -> Vec<(u64, Seg)> {
        let pod = &self.pods[i as usize];
        let Some(start) = pod.start() else { return Vec::new() };
        let stop = pod.stop(self.end).max(start);
        let mut base = self.segs(i);
        if base.first().is_none_or(|s| s.0 > start) {
            base.insert(0, (start, Seg::Starting));
        }
        let outages: &[(u64, u64)] = match pod.node().and_then(|n| self.nodes.get(n as usize)) {
            Some(n) => &n.outages,
            None => &[],
        };
        let outages: Vec<(u64, u64)> =
            outages.iter().filter(|o| o.0 < stop && o.1 > start && o.1 > o.0).copied().collect();
        if outages.is_empty() {
            return base;
        }
        let mut times: Vec<u64> = base.iter().map(|s| s.0).collect();
        times.extend(outages.iter().flat_map(|&(a, b)| [a.max(start), b]).filter(|&t| t < stop));
        times.sort_unstable();
        times.dedup();
        let base_at = |t: u64| base.iter().rev().find(|s| s.0 <= t).map_or(Seg::Starting, |s| s.1);
        let mut out: Vec<(u64, Seg)> = Vec::with_capacity(times.len());
        for t in times {
            let seg = if outages.iter().any(|&(a, b)| a <= t && t < b) { Seg::Lost } else { base_at(t) };
            if out.last().is_none_or(|l| l.1 != seg) {
                out.push((t, seg));
            }
        }
        out
    }
}

struct SummaryFields {
    scenario: String,
    seed: u64,
    start_unix_ms: Option<i64>,
    duration: Option<u64>,
}

const SUMMARY: &str = "summary.json";

/// The fields every chart uses, and the whole document for those that read more.
fn read_summary(text: &str) -> Result<(SummaryFields, serde_json::Value), PlotError> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| PlotError::new(SUMMARY, Some(e.line() as u64), format!("not valid JSON: {e}")))?;
    let field = |name: &str| value.get(name);
    let scenario = field("scenario")
        .and_then(|v| v.as_str())
        .ok_or_else(|| PlotError::new(SUMMARY, None, "expected a string field `scenario`"))?
        .to_string();
    let seed = field("seed")
        .and_then(|v| v.as_u64())
        .ok_or_else(|| PlotError::new(SUMMARY, None, "expected an integer field `seed`"))?;
    let start_unix_ms = match field("start").and_then(|v| v.as_str()) {
        None => None,
        Some(s) => Some(
            s.parse::<jiff::Timestamp>()
                .map_err(|e| PlotError::new(SUMMARY, None, format!("`start`: expected an RFC 3339 time: {e}")))?
                .as_millisecond(),
        ),
    };
    let duration = field("simulated_duration_ms").and_then(|v| v.as_u64());
    Ok((SummaryFields { scenario, seed, start_unix_ms, duration }, value))
}

/// The container states whose waiting the timeline shows as a back-off.
fn is_back_off(to: &str, reason: &str) -> bool {
    to == "Waiting" && matches!(reason, "CrashLoopBackOff" | "ImagePullBackOff" | "ErrImagePull")
}

#[derive(Default)]
struct Builder {
    nodes: Vec<Node>,
    node_index: BTreeMap<String, u32>,
    pods: Vec<Pod>,
    /// Pods' `namespace/name`s, one after another (see `Run::names`).
    names: String,
    name_ends: Vec<u32>,
    /// A hash of `namespace/name` to the latest pod of that name...
    pod_index: BTreeMap<u64, u32>,
    /// ...or, for a name whose hash another name holds, the name itself.
    pod_collisions: BTreeMap<String, u32>,
    /// Container names, interned.
    container_names: BTreeMap<String, u32>,
    segs: Vec<SegAt>,
    marks: Vec<(u32, u64, Mark)>,
    jobs: Vec<Job>,
    job_index: BTreeMap<String, u32>,
    cronjobs: BTreeSet<String>,
    replicasets: Vec<String>,
    replicaset_index: BTreeMap<String, u32>,
    last_time: u64,
    key: String,
}

/// FNV-1a, 64 bits: the same on every machine, and the pods' index needs no more (with
/// the simulation's `names::content_hash`, rustc's Fx, plotting a million pods took 1.3 s
/// more).
fn name_hash(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

impl Builder {
    fn node(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.node_index.get(name) {
            return i;
        }
        let i = self.nodes.len() as u32;
        self.nodes.push(Node { name: name.to_string(), outages: Vec::new(), open_outage: None });
        self.node_index.insert(name.to_string(), i);
        i
    }

    fn read_nodes(&mut self, text: &str) -> Result<(), PlotError> {
        // Only the order: lanes follow the order nodes joined the cluster.
        for_each_row("nodes.csv", text.as_bytes(), &["name"], &[], |r| {
            self.node(r.str(0));
            Ok(())
        })
    }

    fn read_transitions(&mut self, input: &mut dyn std::io::Read) -> Result<(), PlotError> {
        const COLUMNS: [&str; 8] = ["time_ms", "kind", "namespace", "name", "from", "to", "reason", "node"];
        for_each_row("transitions.csv", input, &COLUMNS, &[], |r| {
            let t = r.u64(0)?;
            if t < self.last_time {
                return Err(format!(
                    "time {t} is before the previous row's {}: rows must be in time order",
                    self.last_time
                ));
            }
            self.last_time = t;
            match r.str(1) {
                "Node" => self.node_row(t, r),
                "Pod" => self.pod_row(t, r),
                "Container" => self.container_row(t, r),
                "Job" => self.job_row(t, r),
                "CronJob" => {
                    self.set_key(r.str(2), r.str(3));
                    if !self.cronjobs.contains(self.key.as_str()) {
                        self.cronjobs.insert(self.key.clone());
                    }
                }
                _ => {} // kinds added later are not drawn
            }
            Ok(())
        })
    }

    fn set_key(&mut self, namespace: &str, name: &str) {
        self.key.clear();
        self.key.push_str(namespace);
        self.key.push('/');
        self.key.push_str(name);
    }

    fn node_row(&mut self, t: u64, r: &Row<'_>) {
        let i = self.node(r.str(3));
        let node = &mut self.nodes[i as usize];
        match r.str(5) {
            "Ready" => {
                if let Some(from) = node.open_outage.take() {
                    node.outages.push((from, t));
                }
            }
            _ => {
                node.open_outage.get_or_insert(t);
            }
        }
    }

    fn name_of(&self, i: u32) -> &str {
        let i = i as usize;
        let from = if i == 0 { 0 } else { self.name_ends[i - 1] as usize };
        &self.names[from..self.name_ends[i] as usize]
    }

    /// The latest pod named `self.key`.
    fn latest(&self) -> Option<u32> {
        match self.pod_index.get(&name_hash(&self.key)) {
            Some(&i) if self.name_of(i) == self.key => Some(i),
            Some(_) => self.pod_collisions.get(self.key.as_str()).copied(),
            None => None,
        }
    }

    /// The pod a row is about; a row with an empty `from` starts a new pod.
    fn pod_for(&mut self, t: u64, namespace: &str, name: &str, first_row: bool) -> u32 {
        self.set_key(namespace, name);
        let existing = self.latest();
        if let (Some(i), false) = (existing, first_row) {
            return i;
        }
        let i = self.pods.len() as u32;
        self.pods.push(Pod::new(t, existing));
        self.names.push_str(&self.key);
        self.name_ends.push(self.names.len() as u32);
        let h = name_hash(&self.key);
        match self.pod_index.get(&h) {
            Some(&j) if self.name_of(j) != self.key => {
                self.pod_collisions.insert(self.key.clone(), i);
            }
            _ => {
                self.pod_index.insert(h, i);
            }
        }
        i
    }

    /// The first row naming a node binds the pod there: its bar starts.
    fn bind(&mut self, pod: u32, t: u64, node: &str) {
        if node.is_empty() || self.pods[pod as usize].node != NONE32 {
            return;
        }
        let n = self.node(node);
        let p = &mut self.pods[pod as usize];
        p.node = n;
        p.bound = t;
    }

    fn pod_row(&mut self, t: u64, r: &Row<'_>) {
        let i = self.pod_for(t, r.str(2), r.str(3), r.str(4).is_empty());
        self.bind(i, t, r.str(7));
        match r.str(6) {
            "" => {}
            "Evicted" => self.marks.push((i, t, Mark::Evicted)),
            _ => self.marks.push((i, t, Mark::Killed)),
        }
        let p = &mut self.pods[i as usize];
        match r.str(5) {
            "Running" => {
                if p.running == NONE {
                    p.running = t;
                }
                if let Some(live) = p.live.as_deref_mut() {
                    live.running_phase = true;
                }
            }
            "Succeeded" | "Failed" if p.end == NONE => {
                p.end = t;
                p.failed = r.str(5) == "Failed";
                self.finish_pod(i);
                return;
            }
            _ => {}
        }
        p.update_seg(t);
    }

    /// A pod has ended: its bar's changes join the shared vector, the rest is dropped.
    fn finish_pod(&mut self, i: u32) {
        let p = &mut self.pods[i as usize];
        if let Some(live) = p.live.take() {
            let from = self.segs.len() as u32;
            self.segs.extend_from_slice(&live.segs);
            p.segs = (from, self.segs.len() as u32);
        }
    }

    /// Pods still running at the end of the run.
    fn finish_pods(&mut self) {
        for i in 0..self.pods.len() as u32 {
            self.finish_pod(i);
        }
    }

    fn container_id(&mut self, name: &str) -> u32 {
        if let Some(&k) = self.container_names.get(name) {
            return k;
        }
        let k = self.container_names.len() as u32;
        self.container_names.insert(name.to_string(), k);
        k
    }

    fn container_row(&mut self, t: u64, r: &Row<'_>) {
        let full = r.str(3);
        let (pod_name, container) = full.split_once('/').unwrap_or((full, ""));
        let i = self.pod_for(t, r.str(2), pod_name, false);
        self.bind(i, t, r.str(7));
        let (to, reason) = (r.str(5), r.str(6));
        if to == "Terminated" && reason == "OOMKilled" {
            self.marks.push((i, t, Mark::OomKilled));
        }
        let name = self.container_id(container);
        let p = &mut self.pods[i as usize];
        // An ended pod's bar is drawn: its containers' last rows change nothing on it.
        let Some(live) = p.live.as_deref_mut() else { return };
        let k = match live.containers.iter().position(|c| c.name == name) {
            Some(k) => k,
            None => {
                live.containers.push(Container { name, backoff: false, exited: false });
                live.containers.len() - 1
            }
        };
        let c = &mut live.containers[k];
        c.backoff = is_back_off(to, reason);
        match to {
            "Terminated" => c.exited = true,
            "Running" if std::mem::take(&mut c.exited) => self.marks.push((i, t, Mark::Restart)),
            _ => {}
        }
        p.update_seg(t);
    }

    fn job_row(&mut self, t: u64, r: &Row<'_>) {
        self.set_key(r.str(2), r.str(3));
        let existing = self.job_index.get(self.key.as_str()).copied();
        let i = match (existing, r.str(4).is_empty()) {
            (Some(i), false) => i,
            _ => {
                let i = self.jobs.len() as u32;
                self.jobs.push(Job { name: self.key.clone(), first: t, end: None, cron: None });
                self.job_index.insert(self.key.clone(), i);
                i
            }
        };
        let job = &mut self.jobs[i as usize];
        if job.end.is_none() {
            match r.str(5) {
                "Complete" => job.end = Some((t, false)),
                "Failed" => job.end = Some((t, true)),
                _ => {}
            }
        }
    }

    fn read_events(&mut self, input: &mut dyn std::io::Read) -> Result<(), PlotError> {
        const COLUMNS: [&str; 6] = ["time_ms", "reason", "kind", "namespace", "name", "node"];
        for_each_row("events.csv", input, &COLUMNS, &["message"], |r| {
            let t = r.u64(0)?;
            match (r.str(1), r.str(2)) {
                ("Scheduled", "Pod") => self.scheduled_event(t, r),
                ("SuccessfulCreate", "ReplicaSet") => self.created_event(t, r),
                // The taint eviction controller deletes the pod: the event is the only
                // trace of the eviction, its phase later changes with no reason.
                ("TaintManagerEviction", "Pod") => {
                    if let Some(i) = self.pod_at(t, r.str(3), r.str(4)) {
                        self.marks.push((i, t, Mark::Evicted));
                    }
                }
                _ => {}
            }
            Ok(())
        })
    }

    /// The pod of `namespace/name` that existed at `t`: the latest one created by then.
    fn pod_at(&mut self, t: u64, namespace: &str, name: &str) -> Option<u32> {
        self.set_key(namespace, name);
        let mut at = self.latest();
        while let Some(i) = at {
            let p = &self.pods[i as usize];
            if p.created <= t {
                return Some(i);
            }
            at = opt32(p.prev);
        }
        None
    }

    fn scheduled_event(&mut self, t: u64, r: &Row<'_>) {
        let at = self.pod_at(t, r.str(3), r.str(4));
        if let Some(i) = at {
            let p = &mut self.pods[i as usize];
            if p.scheduled == NONE {
                p.scheduled = t;
            }
        }
        // A pod scheduled to a node whose kubelet never reported it has no row there.
        if let Some(i) = at.filter(|&i| self.pods[i as usize].node == NONE32 && !r.str(5).is_empty()) {
            let n = self.node(r.str(5));
            self.pods[i as usize].node = n;
        }
    }

    /// `Created pod: NAME` of a ReplicaSet: the pod's owner.
    fn created_event(&mut self, t: u64, r: &Row<'_>) {
        let Some(pod_name) = r.str(6).strip_prefix("Created pod: ") else { return };
        let Some(pod) = self.pod_at(t, r.str(3), pod_name) else { return };
        self.set_key(r.str(3), r.str(4));
        let owner = match self.replicaset_index.get(self.key.as_str()) {
            Some(&i) => i,
            None => {
                let i = self.replicasets.len() as u32;
                self.replicasets.push(self.key.clone());
                self.replicaset_index.insert(self.key.clone(), i);
                i
            }
        };
        self.pods[pod as usize].owner = owner;
    }

    /// Finds each CronJob's Jobs: named `<cronjob>-<scheduled time in Unix minutes>`.
    fn finish_jobs(&mut self, start_unix_ms: Option<i64>) -> Vec<Job> {
        let mut jobs = std::mem::take(&mut self.jobs);
        let Some(start) = start_unix_ms else { return jobs };
        for job in &mut jobs {
            let Some((prefix, minutes)) = job.name.rsplit_once('-') else { continue };
            let Ok(minutes) = minutes.parse::<i64>() else { continue };
            // A suffix of 7 digits or more is a time (Unix minutes past 1971); a shorter one
            // is a copy number, unless the CronJob is known from its own rows.
            if !self.cronjobs.contains(prefix) && minutes < 1_000_000 {
                continue;
            }
            let scheduled = minutes.saturating_mul(60_000).saturating_sub(start);
            let cronjob = prefix.split_once('/').map_or(prefix, |(_, n)| n).to_string();
            job.cron = Some((cronjob, scheduled));
        }
        jobs
    }
}

fn read_metrics(text: &str) -> Result<Vec<Sample>, PlotError> {
    const COLUMNS: [&str; 5] = ["time_ms", "pods_pending", "pods_running", "pods_succeeded", "pods_failed"];
    let mut out = Vec::new();
    for_each_row("metrics.csv", text.as_bytes(), &COLUMNS, &["pods_unscheduled"], |r| {
        out.push(Sample {
            t: r.u64(0)?,
            pending: r.u64(1)?,
            running: r.u64(2)?,
            succeeded: r.u64(3)?,
            failed: r.u64(4)?,
            unscheduled: if r.has(5) { Some(r.u64(5)?) } else { None },
        });
        Ok(())
    })?;
    Ok(out)
}

fn read_pool_metrics(text: &str) -> Result<BTreeMap<String, Vec<PoolSample>>, PlotError> {
    const COLUMNS: [&str; 6] = [
        "time_ms",
        "pool",
        "cpu_requested_milli",
        "cpu_allocatable_milli",
        "memory_requested_bytes",
        "memory_allocatable_bytes",
    ];
    let mut pools: BTreeMap<String, Vec<PoolSample>> = BTreeMap::new();
    for_each_row("pool_metrics.csv", text.as_bytes(), &COLUMNS, &[], |r| {
        let sample = PoolSample {
            t: r.u64(0)?,
            cpu_requested_milli: r.u64(2)?,
            cpu_allocatable_milli: r.u64(3)?,
            memory_requested: r.u64(4)?,
            memory_allocatable: r.u64(5)?,
        };
        match pools.get_mut(r.str(1)) {
            Some(v) => v.push(sample),
            None => {
                pools.insert(r.str(1).to_string(), vec![sample]);
            }
        }
        Ok(())
    })?;
    Ok(pools)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The hand-written run in testdata/plot/jobs.
    pub(crate) fn fixture() -> RunFiles<'static> {
        RunFiles {
            summary: include_str!("../../testdata/plot/jobs/summary.json"),
            transitions: include_str!("../../testdata/plot/jobs/transitions.csv"),
            events: include_str!("../../testdata/plot/jobs/events.csv"),
            metrics: include_str!("../../testdata/plot/jobs/metrics.csv"),
            nodes: Some(include_str!("../../testdata/plot/jobs/nodes.csv")),
            pool_metrics: Some(include_str!("../../testdata/plot/jobs/pool_metrics.csv")),
            services: None,
        }
    }

    #[test]
    fn pods_are_replayed_from_their_rows() {
        let run = Run::read(&fixture()).unwrap();
        assert_eq!((run.scenario.as_str(), run.seed, run.end), ("fixture-jobs", 3, 300_000));
        let a = &run.pods[0];
        assert_eq!((a.created, a.scheduled(), a.bound(), a.running()), (1000, Some(1500), Some(1500), Some(4000)));
        assert_eq!(a.end(), Some((30_000, Outcome::Failed)));
        assert_eq!(run.pod_name(0), "default/a");
        assert_eq!(
            run.segs(0),
            [(1500, Seg::Starting), (4000, Seg::Running), (10_000, Seg::BackOff), (20_000, Seg::Running)]
        );
        let marks: Vec<(u64, Mark)> = run.marks(0).collect();
        assert_eq!(marks, [(10_000, Mark::OomKilled), (20_000, Mark::Restart), (30_000, Mark::Evicted)]);
        // Created with spec.nodeName: no Scheduled event, its bar starts at its first row.
        let b = &run.pods[1];
        assert_eq!((b.scheduled(), b.start(), b.running(), b.end()), (None, Some(2000), Some(2500), None));
    }

    /// A node that stops reporting at 100 ms: its pod is evicted by the taint eviction
    /// controller at 300 and ends (no reason, as upstream) when the node is back at 500.
    const CRASH_TRANSITIONS: &str = "time_ms,kind,namespace,name,from,to,reason,node\n\
        0,Node,,n1,,Ready,KubeletReady,n1\n\
        0,Pod,ns,p,,Pending,,\n\
        10,Pod,ns,p,Pending,Running,,n1\n\
        100,Node,,n1,Ready,Unknown,NodeStatusUnknown,n1\n\
        500,Node,,n1,Unknown,Ready,KubeletReady,n1\n\
        500,Pod,ns,p,Running,Failed,,n1\n";
    const CRASH_EVENTS: &str = "time_ms,type,reason,kind,namespace,name,node,message\n\
        5,Normal,Scheduled,Pod,ns,p,n1,x\n\
        300,Normal,TaintManagerEviction,Pod,ns,p,n1,Marking for deletion Pod ns/p\n";

    fn crash_run() -> Run {
        let mut files = fixture();
        files.transitions = CRASH_TRANSITIONS;
        files.events = CRASH_EVENTS;
        files.nodes = None;
        Run::read(&files).unwrap()
    }

    #[test]
    fn taint_evictions_are_marked_from_their_events() {
        let run = crash_run();
        let marks: Vec<(u64, Mark)> = run.marks(0).collect();
        assert_eq!(marks, [(300, Mark::Evicted)]);
        assert_eq!((run.count_marks(Mark::Evicted), run.count_marks(Mark::Killed)), (1, 0));
    }

    #[test]
    fn pods_on_a_node_that_is_not_ready_are_lost_until_they_end() {
        let run = crash_run();
        assert_eq!(run.bar(0), [(5, Seg::Starting), (10, Seg::Running), (100, Seg::Lost)]);
        // A node back before the pod ends: the pod's own state again.
        let files = fixture();
        let run = Run::read(&files).unwrap();
        assert_eq!(run.bar(1), [(2000, Seg::Starting), (2500, Seg::Running), (45_000, Seg::Lost)]);
        let mut files = fixture();
        let t = CRASH_TRANSITIONS.replace("500,Pod,ns,p,Running,Failed,,n1\n", "900,Pod,ns,p,Running,Failed,,n1\n");
        files.transitions = &t;
        files.events = CRASH_EVENTS;
        let run = Run::read(&files).unwrap();
        assert_eq!(run.bar(0), [(5, Seg::Starting), (10, Seg::Running), (100, Seg::Lost), (500, Seg::Running)]);
    }

    #[test]
    fn bar_changes_pack_time_and_state() {
        for seg in Seg::ALL {
            let s = SegAt::new(123_456_789, seg);
            assert_eq!((s.t(), s.seg()), (123_456_789, seg));
        }
    }

    #[test]
    fn pods_whose_names_share_a_hash_are_told_apart() {
        let mut b = Builder::default();
        let p = b.pod_for(0, "ns", "a", true);
        // Force a collision: file `ns/b` under `ns/a`'s hash.
        let q = b.pod_for(1, "ns", "b", true);
        b.pod_index.insert(name_hash("ns/b"), p);
        b.pod_collisions.insert("ns/b".to_string(), q);
        assert_eq!((b.pod_for(2, "ns", "a", false), b.pod_for(3, "ns", "b", false)), (p, q));
    }

    #[test]
    fn outages_run_from_not_ready_to_ready_or_the_end() {
        let run = Run::read(&fixture()).unwrap();
        let names: Vec<&str> = run.nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["n1", "n2"]);
        assert_eq!(run.nodes[0].outages, [(40_000, 50_000)]);
        assert_eq!(run.nodes[1].outages, [(45_000, 300_000)]);
    }

    #[test]
    fn cronjob_jobs_are_found_by_name_and_scheduled_time() {
        let run = Run::read(&fixture()).unwrap();
        type Row<'a> = (&'a str, u64, Option<(u64, bool)>, Option<(&'a str, i64)>);
        let jobs: Vec<Row<'_>> = run
            .jobs
            .iter()
            .map(|j| (j.name.as_str(), j.first, j.end, j.cron.as_ref().map(|(c, t)| (c.as_str(), *t))))
            .collect();
        assert_eq!(
            jobs,
            [
                ("default/nightly-29453760", 1000, Some((61_000, false)), Some(("nightly", 0))),
                ("default/batch-3", 2000, Some((62_000, true)), None),
                ("default/nightly-29453761", 65_000, None, Some(("nightly", 60_000))),
                ("default/nightly-29453762", 125_000, Some((185_000, false)), Some(("nightly", 120_000))),
            ]
        );
    }

    #[test]
    fn a_pod_created_again_gets_its_own_scheduled_event() {
        let mut files = fixture();
        let transitions = "time_ms,kind,namespace,name,from,to,reason,node\n\
            0,Pod,ns,p,,Pending,,\n10,Pod,ns,p,Pending,Failed,,\n20,Pod,ns,p,,Pending,,\n";
        let events = "time_ms,type,reason,kind,namespace,name,node,message\n\
            5,Normal,Scheduled,Pod,ns,p,n1,x\n25,Normal,Scheduled,Pod,ns,p,n2,y\n";
        files.transitions = transitions;
        files.events = events;
        let run = Run::read(&files).unwrap();
        assert_eq!(run.pods.len(), 2);
        assert_eq!((run.pods[0].scheduled(), run.pods[1].scheduled()), (Some(5), Some(25)));
    }

    #[test]
    fn bad_input_names_the_file_and_line() {
        let check = |f: &dyn Fn(&mut RunFiles<'static>), expected: &str| {
            let mut files = fixture();
            f(&mut files);
            assert_eq!(Run::read(&files).unwrap_err().to_string(), expected);
        };
        check(
            &|f| {
                f.transitions =
                    "time_ms,kind,namespace,name,from,to,reason,node\n0,Pod,a,b,,Pending,,\nx,Pod,a,b,,Pending,,\n"
            },
            "transitions.csv:3: column `time_ms`: expected a non-negative integer, found `x`",
        );
        check(
            &|f| {
                f.transitions =
                    "time_ms,kind,namespace,name,from,to,reason,node\n5,Pod,a,b,,Pending,,\n4,Pod,a,c,,Pending,,\n"
            },
            "transitions.csv:3: time 4 is before the previous row's 5: rows must be in time order",
        );
        check(&|f| f.metrics = "time_ms,pods_pending\n", "metrics.csv:1: missing column `pods_running` in the header");
        check(&|f| f.events = "", "events.csv:1: empty file: no header row");
        check(&|f| f.summary = "{\"seed\": 1}", "summary.json: expected a string field `scenario`");
        check(
            &|f| f.summary = "{\n  \"scenario\": ",
            "summary.json:2: not valid JSON: EOF while parsing a value at line 2 column 14",
        );
        check(
            &|f| {
                f.pool_metrics = Some(
                    "time_ms,pool,cpu_requested_milli,cpu_allocatable_milli,memory_requested_bytes,memory_allocatable_bytes\n1,p,2,3\n",
                )
            },
            "pool_metrics.csv:2: expected 6 fields as in the header, found 4",
        );
    }
}
