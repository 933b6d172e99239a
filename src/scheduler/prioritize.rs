//! Scoring the feasible nodes (`prioritizeNodes`, `schedule_one.go`): every enabled score
//! plugin gives each node 0–100, TaintToleration and NodeAffinity normalised across the
//! nodes, and a node's total is Σ weight × score.
//!
//! This is the hot path (every feasible node of every attempt), so a plugin that cannot
//! tell the nodes apart for this pod is skipped: no preferred affinity (Kubernetes'
//! PreScore skips it too), no untolerated PreferNoSchedule taint among the nodes (every
//! node would get 100), no image of the pod on enough nodes to score (every node would
//! get 0). Each adds the same amount to every node; totals are never shown, only their
//! order matters, so skipping changes nothing.

use super::preference::{
    DEFAULT_IMAGE_SIZE, MIN_THRESHOLD, default_normalize_score, image_locality_priority,
    intolerable_prefer_no_schedule, scaled_image_score,
};
use super::profile::{SchedulerProfile, ScorePlugin};
use super::score::{FitScorer, MAX_NODE_SCORE, balanced_applies, balanced_for, balanced_row};
use super::score_bound::ScoreBound;
use super::select_host::SparseScores;
use crate::cluster::fit::{FitRow, Room, low_bits};
use crate::cluster::resources::{CPU, MEMORY, ResourceNames};
use crate::cluster::template::PodTemplate;
use crate::cluster::{Cluster, NodeId};

/// The profile's score plugins, compiled: a weight of 0 means disabled.
/// PodTopologySpread and InterPodAffinity score in `cycle.rs`, with these weights.
#[derive(Clone, Debug)]
pub struct Scoring {
    fit: FitScorer,
    fit_weight: i64,
    balanced_weight: i64,
    taint_weight: i64,
    affinity_weight: i64,
    image_weight: i64,
    spread_weight: i64,
    inter_pod_affinity_weight: i64,
}

impl Scoring {
    pub fn compile(profile: &SchedulerProfile, names: &mut ResourceNames) -> Scoring {
        let w = |p| profile.weight(p).unwrap_or(0);
        Scoring {
            fit: FitScorer::compile(&profile.scoring_strategy, names),
            fit_weight: w(ScorePlugin::NodeResourcesFit),
            balanced_weight: w(ScorePlugin::NodeResourcesBalancedAllocation),
            taint_weight: w(ScorePlugin::TaintToleration),
            affinity_weight: w(ScorePlugin::NodeAffinity),
            image_weight: w(ScorePlugin::ImageLocality),
            spread_weight: w(ScorePlugin::PodTopologySpread),
            inter_pod_affinity_weight: w(ScorePlugin::InterPodAffinity),
        }
    }

    /// The weights of PodTopologySpread and InterPodAffinity (0: disabled).
    pub fn topology_weights(&self) -> (i64, i64) {
        (self.spread_weight, self.inter_pod_affinity_weight)
    }
}

/// Buffers reused from one attempt to the next.
#[derive(Default)]
pub struct Scratch {
    totals: Vec<i64>,
    raw: Vec<i64>,
    /// ImageLocality: (canonical image id, scaled score) of the pod's images held somewhere.
    images: Vec<(u32, i64)>,
    /// [`window_scores`]: the window's regular bits and its other nodes' scores.
    window: Vec<u64>,
    others: Vec<(u32, i64)>,
}

/// The total score of each feasible node, in the order given, for `selectHost` to pick
/// from. `all_nodes` is the number of nodes in the cluster (ImageLocality's spread);
/// `tainted`: some feasible node has taints (only then can TaintToleration tell them
/// apart); `alone`: nothing is added to these totals after (the topology plugins skip).
///
/// A node that certainly scores below an earlier one, so that `selectHost` neither picks
/// it nor draws for it, may be given [`LOSES`] instead of its total (see `score_bound.rs`).
#[allow(clippy::too_many_arguments)]
pub fn prioritize<'a>(
    scoring: &Scoring,
    cluster: &Cluster,
    all_nodes: usize,
    template: &PodTemplate,
    feasible: &[NodeId],
    (tainted, alone): (bool, bool),
    scratch: &'a mut Scratch,
    cache: Option<&mut [(u32, i32)]>,
) -> &'a [i64] {
    let Scratch { totals, raw, images, .. } = scratch;
    let plan = Plan::new(scoring, cluster, all_nodes, template, (tainted, alone), images, cache.is_none());
    let Plan { pod, taints, affinity, with_images, bound } = plan;
    // One loop for each, so that the walk without the bound (with the score cache, most
    // runs of few pod sizes) pays nothing for it: tested in one loop, the bound cost the
    // 5,000-node day 5% more instructions though it never applies there.
    match bound {
        Some(bound) => bounded_scores(&pod, feasible, bound, totals),
        None => per_node_scores(&pod, feasible, (with_images, images), totals, cache),
    }
    if taints {
        taint_toleration(scoring.taint_weight, cluster, template, feasible, totals, raw);
    }
    if affinity {
        raw.clear();
        raw.extend(feasible.iter().map(|&n| {
            let node = cluster.node(n);
            template.preferred_affinity.score(&node.labels, &node.name)
        }));
        add_normalized(scoring.affinity_weight, false, totals, raw);
    }
    totals
}

/// The scores [`prioritize`] would give the feasible nodes when they are the ids
/// `start, start + 1, …` (wrapping at `all_nodes`, `len` of them), given sparsely: the
/// regular nodes' common score by their bits and the others one by one, each scored as
/// [`bounded_scores`] scores it, for a pod without the score cache. `None` unless the
/// bound applies and regular nodes are many (otherwise [`prioritize`]).
///
/// On a lightly loaded cluster whose pods each draw their own size (the 100,000-pod day)
/// two thirds of the 420 nodes examined are regular: their loop in `bounded_scores` and
/// `selectHost`'s pass over their totals were a tenth of the run (perf). Here only the
/// occupied nodes are looked at, and the pick counts the regular ones by their bits.
#[allow(clippy::too_many_arguments)]
pub fn window_scores<'a>(
    scoring: &Scoring,
    cluster: &Cluster,
    all_nodes: usize,
    template: &PodTemplate,
    (start, len): (usize, usize),
    (tainted, alone): (bool, bool),
    scratch: &'a mut Scratch,
) -> Option<SparseScores<'a>> {
    let Scratch { images, window, others, .. } = scratch;
    let plan = Plan::new(scoring, cluster, all_nodes, template, (tainted, alone), images, true);
    let (pod, mut bound) = (plan.pod, plan.bound?);
    let common = pod.regular()?;
    cluster.regular.window(start, len, all_nodes, window);
    others.clear();
    let mut empty_rows = EmptyRows::default();
    let mut others_top = LOSES;
    // The common score counts for the bound once a regular node comes before the one
    // scored (noting it again changes nothing).
    let first_regular = window.iter().position(|w| *w != 0).map(|w| 64 * w + window[w].trailing_zeros() as usize);
    for (w, &bits) in window.iter().enumerate() {
        // The indices below `len` in this word (every word starts below it).
        let mut occupied = !bits & low_bits(len - 64 * w);
        while occupied != 0 {
            let k = 64 * w + occupied.trailing_zeros() as usize;
            occupied &= occupied - 1;
            if first_regular.is_some_and(|f| f < k) {
                bound.note(common);
            }
            let id = start + k;
            let n = NodeId((if id >= all_nodes { id - all_nodes } else { id }) as u32);
            let row = &cluster.fit[n.0 as usize];
            let score = match bound.loses(row) {
                true => LOSES,
                false => {
                    let score = i64::from(pod.total(n, row, &mut empty_rows));
                    bound.note(score);
                    others_top = others_top.max(score);
                    score
                }
            };
            others.push((k as u32, score));
        }
    }
    Some(SparseScores { len, common, bits: window, others, others_top })
}

/// What [`prioritize`] and [`window_scores`] work out before scoring: the pod's
/// resources, which plugins can tell the nodes apart, and the bound.
struct Plan<'a> {
    pod: PodResources<'a>,
    taints: bool,
    affinity: bool,
    with_images: Option<i64>,
    bound: Option<ScoreBound>,
}

impl<'a> Plan<'a> {
    fn new(
        scoring: &'a Scoring,
        cluster: &'a Cluster,
        all_nodes: usize,
        template: &'a PodTemplate,
        (tainted, alone): (bool, bool),
        images: &mut Vec<(u32, i64)>,
        uncached: bool,
    ) -> Plan<'a> {
        let taints = scoring.taint_weight > 0 && tainted;
        let affinity = scoring.affinity_weight > 0 && !template.preferred_affinity.is_empty();
        // BalancedAllocation's PreScore skips a pod that requests neither cpu nor memory.
        let balanced = scoring.balanced_weight > 0 && balanced_applies(template);
        let with_images =
            if scoring.image_weight > 0 { image_plan(cluster, all_nodes, template, images) } else { None };
        let requests = (template.requests.get(CPU), template.requests.get(MEMORY));
        let nonzero = (template.nonzero_cpu, template.nonzero_memory);
        let pod = PodResources { scoring, cluster, all_nodes, template, requests, nonzero, balanced };
        // The bound holds when the two resource plugins are the whole total, weighted
        // alike, under the default strategy (`score_bound.rs`). It is used only without
        // the score cache, which computes each node's score once while its row stands: a
        // node left unscored would miss it again on each pod of that size, and every
        // test of the bound loads the row that a hit of the cache spares.
        let bound = match alone
            && !taints
            && !affinity
            && uncached
            && with_images.is_none()
            && balanced
            && scoring.fit_weight == scoring.balanced_weight
            && scoring.fit.least_allocated_even()
        {
            true => ScoreBound::new(scoring.fit_weight, requests, nonzero),
            false => None,
        };
        Plan { pod, taints, affinity, with_images, bound }
    }
}

/// What [`prioritize`] gives a node that loses to an earlier one without being scored:
/// below every total, so `selectHost` passes it by.
pub const LOSES: i64 = i64::MIN;

/// The plugins scored node by node without normalisation: NodeResourcesFit,
/// NodeResourcesBalancedAllocation and ImageLocality. The first two depend only on the
/// template and the node's resources: they come from `cache` (when the pod's size has a
/// slot) while the node's fit row is unchanged (see `score_cache.rs`), which the row's
/// version in the packed [`Room`](crate::cluster::fit::Room) tells without loading it.
/// `images`: ImageLocality's plan (see [`image_plan`]).
#[inline(always)]
fn per_node_scores(
    pod: &PodResources,
    feasible: &[NodeId],
    (with_images, images): (Option<i64>, &[(u32, i64)]),
    totals: &mut Vec<i64>,
    mut cache: Option<&mut [(u32, i32)]>,
) {
    let PodResources { scoring, cluster, template, .. } = *pod;
    // ImageLocality's priority takes a few values (one per subset of the pod's images a
    // node holds): the last two are kept rather than divided again on every node.
    let containers = template.containers.len();
    let mut image_memo = [(i64::MIN, 0); 2];
    let mut image_priority = |sum: i64| {
        if let Some(&(_, p)) = image_memo.iter().find(|(s, _)| *s == sum) {
            return p;
        }
        let p = image_locality_priority(sum, containers);
        image_memo = [(sum, p), image_memo[0]];
        p
    };
    let mut empty_rows = EmptyRows::default();
    let regular = pod.regular();
    totals.clear();
    // A cluster of few pod sizes, busy or of many node shapes, without images to score:
    // each node's score is its cache entry while its row stands. A loop of its own, that
    // only compares versions (the loop below tests on every node what cannot change
    // within an attempt: 5,000-node runs spent 16 instructions a node there).
    if let (None, None, Some(cache)) = (regular, with_images, cache.as_deref_mut()) {
        cached_scores(&cluster.room, cache, feasible, totals, |n| {
            pod.total(n, &cluster.fit[n.0 as usize], &mut empty_rows)
        });
        return;
    }
    totals.extend(feasible.iter().map(|&n| {
        let i = n.0 as usize;
        let resources = match regular {
            Some(total) if cluster.regular.contains(i) => total,
            _ => {
                // The cached score while the row's version is the one it was computed
                // from (the room holds the version: the row is loaded only to score).
                let slot = cache.as_deref_mut().map(|c| (&mut c[i], cluster.room[i].version));
                match slot {
                    Some((entry, version)) if entry.0 == version => i64::from(entry.1),
                    slot => {
                        let row = &cluster.fit[i];
                        let total = pod.total(n, row, &mut empty_rows);
                        if let Some((entry, version)) = slot {
                            *entry = (version, total);
                        }
                        i64::from(total)
                    }
                }
            }
        };
        let mut total = resources;
        if let Some(everywhere) = with_images {
            let sum: i64 =
                everywhere + images.iter().filter(|(c, _)| cluster.images.held_by(*c, n)).map(|(_, s)| s).sum::<i64>();
            total += scoring.image_weight * image_priority(sum);
        }
        total
    }));
}

/// [`per_node_scores`] for a pod under the [`ScoreBound`] (without the score cache and
/// without images to score, by the bound's terms): a node that certainly scores below
/// one before it gets [`LOSES`] unscored. A call of its own, as the cycle's other loops.
#[inline(never)]
fn bounded_scores(pod: &PodResources, feasible: &[NodeId], mut bound: ScoreBound, totals: &mut Vec<i64>) {
    let cluster = pod.cluster;
    let mut empty_rows = EmptyRows::default();
    let regular = pod.regular();
    totals.resize(feasible.len(), 0);
    for (total, &n) in totals.iter_mut().zip(feasible) {
        let i = n.0 as usize;
        let score = match regular {
            Some(regular) if cluster.regular.contains(i) => Some(regular),
            _ => {
                let row = &cluster.fit[i];
                (!bound.loses(row)).then(|| i64::from(pod.total(n, row, &mut empty_rows)))
            }
        };
        *total = score.inspect(|&score| bound.note(score)).unwrap_or(LOSES);
    }
}

/// Each feasible node's cache entry, scored again by `miss` where its row's version has
/// moved on. A call of its own: inlined into the scheduling cycle, the loop kept its
/// slices and counters on the stack and read them again on every node.
#[inline(never)]
fn cached_scores(
    room: &[Room],
    cache: &mut [(u32, i32)],
    feasible: &[NodeId],
    totals: &mut Vec<i64>,
    mut miss: impl FnMut(NodeId) -> i32,
) {
    totals.resize(feasible.len(), 0);
    for (total, &n) in totals.iter_mut().zip(feasible) {
        let i = n.0 as usize;
        let version = room[i].version;
        let entry = &mut cache[i];
        if entry.0 != version {
            *entry = (version, miss(n));
        }
        *total = i64::from(entry.1);
    }
}

/// What one pod's resource scores read: the profile's scoring, the cluster's rows, the
/// pod's exact and non-zero cpu and memory requests, and whether BalancedAllocation
/// applies to it.
#[derive(Clone, Copy)]
struct PodResources<'a> {
    scoring: &'a Scoring,
    cluster: &'a Cluster,
    all_nodes: usize,
    template: &'a PodTemplate,
    requests: (i64, i64),
    nonzero: (i64, i64),
    balanced: bool,
}

impl PodResources<'_> {
    /// NodeResourcesFit's and BalancedAllocation's weighted total on node `n` of fit row
    /// `row`, as the score cache keeps it (an `i32`), an empty row's from `empty_rows`.
    ///
    /// Inlined into each loop: a closure shared by the regular shape's score and the
    /// others was compiled out of line, a call for every occupied node scored (11% of the
    /// 100,000-pod day in perf; 2.7% fewer instructions inlined).
    #[inline(always)]
    fn total(&self, n: NodeId, row: &FitRow, empty_rows: &mut EmptyRows) -> i32 {
        let PodResources { scoring, cluster, template, requests, nonzero, balanced, .. } = *self;
        let total = match empty_rows.score(row, |row| row_total(scoring, nonzero, requests, balanced, row)) {
            Some(total) => total,
            None => {
                let node = cluster.node(n);
                let mut total = scoring.fit_weight * scoring.fit.score_node(template, node);
                if balanced {
                    total += scoring.balanced_weight * balanced_for(template, node).unwrap_or(0);
                }
                total
            }
        };
        total as i32
    }

    /// What every regular node scores (untainted, so TaintToleration cannot tell it
    /// apart), read as the cache would give it back; `None` where regular nodes are few.
    fn regular(&self) -> Option<i64> {
        let regular = &self.cluster.regular;
        let total = |row| row_total(self.scoring, self.nonzero, self.requests, self.balanced, row);
        match regular.many(self.all_nodes) {
            true => regular.shape().and_then(total).map(|total| i64::from(total as i32)),
            false => None,
        }
    }
}

/// The resource scores of empty nodes in one attempt, by node size (the last two sizes).
/// On a lightly loaded cluster most feasible nodes are empty, and when the score cache
/// cannot help (each copy of a stream drawing requests of its own) the divisions behind
/// each node's score were most of the attempt. A row's scores read only its allocatable,
/// requested and non-zero requested cpu and memory, so empty rows of one size score
/// alike. Only empty rows are remembered: a test of four zeros costs the others nothing,
/// where a memo of any row (tried: four rows, compared whole) cost as much as it saved.
#[derive(Default)]
struct EmptyRows {
    /// (allocatable cpu, allocatable memory, score), most recent first; a size of zero
    /// cpu never matches (the unused entries have it).
    last: [(i64, i64, i64); 2],
}

impl EmptyRows {
    /// The row's score by `compute` (`None`: it cannot be scored from its row), or the
    /// one remembered for an empty row of its size.
    #[inline]
    fn score(&mut self, row: &FitRow, compute: impl FnOnce(&FitRow) -> Option<i64>) -> Option<i64> {
        let empty = row.requested_cpu | row.requested_memory | row.nonzero_cpu | row.nonzero_memory == 0;
        let size = (row.allocatable_cpu, row.allocatable_memory);
        if empty && let Some(&(_, _, score)) = self.last.iter().find(|(c, m, _)| (*c, *m) == size && *c != 0) {
            return Some(score);
        }
        // One call site for `compute`: it scores every occupied node of every pod, and
        // is inlined here (see `row_total`).
        let score = compute(row)?;
        if empty {
            self.last = [(size.0, size.1, score), self.last[0]];
        }
        Some(score)
    }
}

/// NodeResourcesFit's and BalancedAllocation's weighted scores of a pod asking `nonzero`
/// (with the scheduler's defaults) and `requests` (exact) cpu and memory, read from the
/// node's fit row (`None`: the strategy counts more than cpu and memory).
#[inline(always)]
fn row_total(
    scoring: &Scoring,
    nonzero: (i64, i64),
    requests: (i64, i64),
    balanced: bool,
    row: &FitRow,
) -> Option<i64> {
    let mut total = scoring.fit_weight * scoring.fit.score_row(nonzero, row)?;
    if balanced {
        total += scoring.balanced_weight * balanced_row(requests, row);
    }
    Some(total)
}

/// ImageLocality's plan for the pod (init containers included): the summed scores of its
/// images every node holds, with `plan` left holding the per-image scores of the images
/// only some nodes hold (looked up node by node). `None` when the plugin cannot tell the
/// nodes apart: the images held anywhere do not add up to `minThreshold` (every node
/// scores 0), or every node holds all of them (every node scores the same).
fn image_plan(cluster: &Cluster, all_nodes: usize, template: &PodTemplate, plan: &mut Vec<(u32, i64)>) -> Option<i64> {
    plan.clear();
    let mut everywhere = 0;
    for c in &template.containers {
        let canonical = cluster.images.canonical(c.image_id);
        let holders = cluster.images.holders(canonical);
        if holders == 0 {
            continue;
        }
        let size = match cluster.images.size(canonical) {
            0 => DEFAULT_IMAGE_SIZE,
            known => known,
        };
        let score = scaled_image_score(size, holders as usize, all_nodes);
        if holders as usize >= all_nodes {
            everywhere += score;
        } else {
            plan.push((canonical, score));
        }
    }
    let total = everywhere + plan.iter().map(|(_, s)| s).sum::<i64>();
    (total > MIN_THRESHOLD && !plan.is_empty()).then_some(everywhere)
}

/// TaintToleration: untolerated PreferNoSchedule taints, fewest best (reversed
/// normalisation). With none on any node every node gets 100: skipped.
fn taint_toleration(
    weight: i64,
    cluster: &Cluster,
    template: &PodTemplate,
    feasible: &[NodeId],
    totals: &mut [i64],
    raw: &mut Vec<i64>,
) {
    raw.clear();
    let tolerations = &template.spec.tolerations;
    raw.extend(feasible.iter().map(|&n| intolerable_prefer_no_schedule(&cluster.node(n).taints, tolerations)));
    if raw.iter().all(|s| *s == 0) {
        return;
    }
    add_normalized(weight, true, totals, raw);
}

fn add_normalized(weight: i64, reverse: bool, totals: &mut [i64], raw: &mut [i64]) {
    default_normalize_score(MAX_NODE_SCORE, reverse, raw);
    for (t, s) in totals.iter_mut().zip(raw.iter()) {
        *t += weight * s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Empty rows of one size are scored once while at most two sizes alternate; a row
    /// holding pods is scored each time.
    #[test]
    fn empty_rows_of_a_size_are_scored_once() {
        let row = |allocatable_cpu, requested_cpu, version| FitRow {
            allocatable_cpu,
            allocatable_memory: 1 << 38,
            requested_cpu,
            nonzero_cpu: requested_cpu,
            version,
            ..FitRow::default()
        };
        let mut memo = EmptyRows::default();
        let mut computed = Vec::new();
        let mut score = |memo: &mut EmptyRows, r: &FitRow| {
            let scored = memo.score(r, |r| {
                computed.push((r.allocatable_cpu, r.requested_cpu));
                Some((r.allocatable_cpu - r.requested_cpu) / 1000)
            });
            scored.expect("scored from the row")
        };
        // The version is not part of a score: an empty node refreshed is still empty.
        let rows = [(64_000, 0), (64_000, 8000), (64_000, 0), (64_000, 8000), (32_000, 0), (64_000, 0), (16_000, 0)];
        let rows = rows.iter().enumerate().map(|(v, &(a, r))| row(a, r, v as u32 + 1));
        let scores: Vec<i64> = rows.map(|r| score(&mut memo, &r)).collect();
        assert_eq!(scores, [64, 56, 64, 56, 32, 64, 16]);
        // The third size pushed the first out; a node without cpu is scored each time.
        assert_eq!(score(&mut memo, &row(64_000, 0, 9)), 64);
        let none = row(0, 0, 10);
        assert_eq!((score(&mut memo, &none), score(&mut memo, &none)), (0, 0));
        let full = (64_000, 8000);
        let sizes = [(64_000, 0), full, full, (32_000, 0), (16_000, 0), (64_000, 0), (0, 0), (0, 0)];
        assert_eq!(computed, sizes);
    }
}
