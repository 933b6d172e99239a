//! What containers write to the pod's volumes (behaviors' `writes:`), and the eviction
//! of a pod whose emptyDir grew over its `sizeLimit`: the eviction manager's
//! `localStorageEviction` (`pkg/kubelet/eviction/eviction_manager.go`), which runs first
//! in every sync and reads each volume's usage as the pod's stats calculator last measured
//! it. Data written survives the container's restarts: it belongs to the pod's volume.

use super::emptydir;
use crate::apiserver::Ctx;
use crate::cluster::template::PodTemplate;
use crate::cluster::volume_manager::{PodVolumeState, StatsCalculator, VolumeState};
use crate::cluster::volumes::Source;
use crate::cluster::{NodeId, Pod, PodId};
use crate::engine::{SimTime, Stream};
use crate::kubelet::Kubelet;
use crate::kubelet::eviction as rules;
use crate::trace::EventType;

/// The `sizeLimit` in bytes of a disk-backed emptyDir (the only ones the eviction manager
/// measures: a memory-backed one is a tmpfs its size bounds).
fn disk_size_limit(pod: &Pod, v: usize) -> Option<i64> {
    disk_size_limit_of(&pod.template, v)
}

fn is_memory(template: &PodTemplate, v: usize) -> bool {
    matches!(template.volumes.volumes[v].source, Source::EmptyDir { memory: true, .. })
}

fn disk_size_limit_of(template: &PodTemplate, v: usize) -> Option<i64> {
    match template.volumes.volumes[v].source {
        Source::EmptyDir { memory: false, size_limit: Some(limit) } if limit > 0 => Some(limit),
        _ => None,
    }
}

impl Kubelet {
    /// The container's process started: the volumes it mounts hold data from now on, and
    /// it writes what its behavior says.
    pub(in crate::kubelet) fn writes_start(&mut self, ctx: &mut Ctx, id: PodId, c: usize) {
        let now = ctx.now;
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        if pod.volumes.is_none() {
            return;
        }
        let writes = self.behavior_now(&pod.containers[c]).writes.clone();
        let mounted: Vec<(usize, bool)> =
            pod.template.volumes.mounts[c].iter().map(|m| (m.volume, m.read_only)).collect();
        let mut unknown = Vec::new();
        let pod = ctx.cluster.pods.get_mut(id).expect("read above");
        let state = pod.volumes.as_mut().expect("checked");
        for (v, read_only) in &mounted {
            state.volumes[*v].holds_data |= !read_only;
        }
        let claims: Vec<usize> = mounted.iter().filter(|(_, ro)| !ro).map(|(v, _)| *v).collect();
        for w in writes {
            match mounted.iter().find(|(v, ro)| !ro && *pod.template.volumes.volumes[*v].name == *w.volume) {
                Some((v, _)) => {
                    note_over(&mut state.volumes[*v], disk_size_limit_of(&pod.template, *v), now);
                    state.volumes[*v].written.change_rate(now, w.bytes_per_hour);
                    state.writers.push((c as u16, *v as u16, w.bytes_per_hour));
                }
                None => unknown.push(w.volume),
            }
        }
        let memory = mounted.iter().any(|(v, _)| is_memory(&pod.template, *v));
        let node = pod.node;
        for volume in unknown {
            let message = format!(
                "container {} of pod {} does not mount volume {volume:?} writable: its writes are ignored",
                ctx.cluster.pods.get(id).expect("exists").container_name(c),
                ctx.pod_label(id)
            );
            ctx.warn_once(message);
        }
        self.volume_usage_changed(ctx, id);
        if let (true, Some(node)) = (memory, node) {
            self.memory_changed(ctx, node);
        }
        self.note_pv_data(ctx, id, &claims);
    }

    /// The PersistentVolumes behind the pod's claim volumes `volumes` hold data now (on
    /// the pod's node's disk, for a local one).
    fn note_pv_data(&mut self, ctx: &mut Ctx, id: PodId, volumes: &[usize]) {
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        for v in volumes {
            let Some(pv) = super::mount::claim_volume(ctx.cluster, pod, *v) else { continue };
            let local = ctx.cluster.storage.volumes.get(pv).is_some_and(|p| p.is_node_local());
            self.pv_data.insert(pv, pod.node.filter(|_| local));
        }
    }

    /// The container's process is gone: its writes stop.
    pub(in crate::kubelet) fn writes_stop(&mut self, ctx: &mut Ctx, id: PodId, c: usize) {
        let now = ctx.now;
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        let template = pod.template.clone();
        let Some(state) = pod.volumes.as_mut() else { return };
        if !state.writers.iter().any(|w| w.0 as usize == c) {
            return;
        }
        let node = pod.node;
        let PodVolumeState { writers, volumes, .. } = &mut **state;
        let mut memory = false;
        writers.retain(|(wc, v, rate)| {
            if *wc as usize == c {
                let v = *v as usize;
                note_over(&mut volumes[v], disk_size_limit_of(&template, v), now);
                volumes[v].written.change_rate(now, -rate);
                memory |= is_memory(&template, v);
            }
            *wc as usize != c
        });
        self.volume_usage_changed(ctx, id);
        if let (true, Some(node)) = (memory, node) {
            self.memory_changed(ctx, node);
        }
    }

    /// Every container of the pod stopped at once (its node crashed).
    pub(in crate::kubelet) fn writes_stop_all(&mut self, ctx: &mut Ctx, id: PodId) {
        let writers: Vec<usize> = ctx
            .cluster
            .pods
            .get(id)
            .and_then(|p| p.volumes.as_ref())
            .map(|s| s.writers.iter().map(|w| w.0 as usize).collect())
            .unwrap_or_default();
        for c in writers {
            self.writes_stop(ctx, id, c);
        }
    }

    /// The writes to the pod's volumes changed: if an emptyDir will grow over its
    /// `sizeLimit`, the eviction manager's sync after the stats calculator first measures
    /// it over is armed.
    fn volume_usage_changed(&mut self, ctx: &mut Ctx, id: PodId) {
        let now = ctx.now;
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        let (Some(node), Some(state)) = (pod.node, pod.volumes.as_ref()) else { return };
        let over = (0..state.volumes.len())
            .filter_map(|v| disk_size_limit(pod, v).and_then(|limit| state.volumes[v].written.exceeds_at(limit, now)))
            .min();
        let Some(over) = over else { return };
        let started = ctx.cluster.node(node).volumes.kubelet_started;
        let admitted = pod.start_time.unwrap_or(now);
        let key = pod.uid;
        let streams = &self.streams;
        let state = ctx.cluster.pods.get_mut(id).expect("read above").volumes.as_mut().expect("read above");
        let calc = state.stats.get_or_insert_with(|| {
            Box::new(StatsCalculator {
                rng: streams.keyed(Stream::VolumeStats, key),
                last: None,
                next: emptydir::first_calculation(started, admitted),
            })
        });
        // The first measurement at or after the volume is over its limit.
        let mut rng = calc.rng.clone();
        let mut at = calc.next;
        while at < over {
            at = emptydir::next_calculation(at, rng.below(emptydir::VOLUME_STATS_AGG_PERIOD));
        }
        let phase = ctx.cluster.node(node).eviction.phase;
        self.sync_by(ctx, node, rules::next_sync(phase, at));
    }

    /// `localStorageEviction`'s emptyDir check (`emptyDirLimitEviction`): every active pod
    /// whose stats calculator last measured an emptyDir over its `sizeLimit` is evicted.
    /// The last one evicted, if any (the sync then waits for it to be cleaned up).
    pub(in crate::kubelet) fn local_storage_eviction(&mut self, ctx: &mut Ctx, node: NodeId) -> Option<PodId> {
        let now = ctx.now;
        let mut pods: Vec<(u64, PodId)> = ctx
            .cluster
            .node(node)
            .resident
            .iter()
            .filter_map(|id| ctx.cluster.pods.get(*id).map(|p| (p.uid, *id)))
            .collect();
        pods.sort_unstable();
        let mut evicted = None;
        for (_, id) in pods {
            let pod = ctx.cluster.pods.get_mut(id).expect("listed");
            let active =
                pod.start_time.is_some() && !pod.terminal && pod.termination.is_none() && pod.evicted.is_none();
            if !active || pod.priority >= rules::SYSTEM_CRITICAL_PRIORITY {
                continue;
            }
            let Some(measured_at) = pod.volumes.as_mut().and_then(|s| s.stats.as_mut()).and_then(|c| measure(c, now))
            else {
                continue;
            };
            let pod = ctx.cluster.pods.get_mut(id).expect("listed");
            let template = pod.template.clone();
            let state = pod.volumes.as_mut().expect("measured");
            let over = (0..state.volumes.len()).find(|&v| {
                note_over(&mut state.volumes[v], disk_size_limit_of(&template, v), now);
                state.volumes[v].over_since.is_some_and(|t| t <= measured_at)
            });
            let pod = ctx.cluster.pods.get(id).expect("listed");
            let Some(v) = over else { continue };
            let volume = &pod.template.spec.volumes[v];
            let limit = volume.empty_dir.as_ref().and_then(|e| e.size_limit.as_ref()).expect("sized");
            let message = emptydir::size_limit_message(&volume.name, &limit.canonical());
            self.evict_for_local_storage(ctx, id, &message);
            evicted = Some(id);
        }
        evicted
    }

    /// `evictPod` for local storage: the Warning `Evicted` with its message, and the pod
    /// killed with a 1 s grace period; it ends `Failed` with reason `Evicted`. Unlike a
    /// node-pressure eviction it gets no `DisruptionTarget` condition (upstream passes none).
    fn evict_for_local_storage(&mut self, ctx: &mut Ctx, id: PodId, message: &str) {
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        pod.evicted = Some(rules::REASON);
        ctx.rec.counters.pods_evicted += 1;
        ctx.kubelet_pod_event(id, EventType::Warning, rules::REASON, format_args!("{message}"));
        ctx.report_pod_status(id);
        ctx.set_ready(id, false);
        self.begin_termination(ctx, id, rules::EVICTION_GRACE);
    }
}

/// What a pod's memory-backed emptyDirs hold: bytes now, bytes they may come to hold
/// (each up to its tmpfs's size while written), bytes per hour they grow, and the next
/// instant one fills up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tmpfs {
    pub held: i64,
    pub potential: i64,
    pub rate: i64,
    pub next_full: Option<SimTime>,
}

/// The pod's tmpfs volumes on `node` at `now`.
pub fn tmpfs(cluster: &crate::cluster::Cluster, pod: &Pod, node: NodeId, now: SimTime) -> Tmpfs {
    let mut t = Tmpfs::default();
    let Some(state) = pod.volumes.as_ref() else { return t };
    let limits: Vec<_> = pod.template.containers.iter().map(|c| (c.kind, c.memory_limit)).collect();
    let allocatable = cluster.node(node).allocatable.get(crate::cluster::resources::MEMORY);
    for (v, memory, size_limit) in pod.template.volumes.empty_dirs() {
        if !memory {
            continue;
        }
        let s = &state.volumes[v];
        let size = emptydir::memory_size(allocatable, emptydir::pod_memory_limit(&limits), size_limit);
        let held = s.written.bytes_at(now).min(size);
        t.held += held;
        if s.written.rate > 0 && held < size {
            t.potential += size;
            t.rate += s.written.rate;
            let full = s.written.exceeds_at(size - 1, now);
            t.next_full = match (t.next_full, full) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        } else {
            t.potential += held;
        }
    }
    t
}

/// Runs the calculator's measurements due by `now`; the time of the last one.
fn measure(calc: &mut StatsCalculator, now: SimTime) -> Option<SimTime> {
    while calc.next <= now {
        calc.last = Some(calc.next);
        calc.next = emptydir::next_calculation(calc.next, calc.rng.below(emptydir::VOLUME_STATS_AGG_PERIOD));
    }
    calc.last
}

/// Notes when the volume went over `limit`, if it did by `now` at the rate it is written
/// since its last change (called before each change, so no crossing goes unseen).
fn note_over(state: &mut VolumeState, limit: Option<i64>, now: SimTime) {
    let (Some(limit), None) = (limit, state.over_since) else { return };
    state.over_since = state.written.exceeds_at(limit, state.written.at).filter(|t| *t <= now);
}
