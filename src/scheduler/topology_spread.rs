//! PodTopologySpread (`pkg/scheduler/framework/plugins/podtopologyspread`): spread the
//! pods a selector matches evenly over topology domains (the values of a node label).
//!
//! Filter (`filtering.go`, `whenUnsatisfiable: DoNotSchedule`): a node passes when
//! `matching pods in its domain + 1 if the pod matches itself − global minimum ≤ maxSkew`
//! for every constraint; the global minimum is 0 while fewer than `minDomains` domains
//! exist. Score (`scoring.go`, `ScheduleAnyway`): the fewer matching pods in the node's
//! domains the better, each count weighted by `ln(domains + 2)`.
//!
//! Both count, once per cycle, the pods of the incoming pod's namespace that the selector
//! matches (terminating ones excluded) on the nodes that count (`common.go`): nodes with
//! every constraint's key, passing the pod's required node affinity unless
//! `nodeAffinityPolicy: Ignore`, and tolerated unless `nodeTaintsPolicy` is `Honor`.

use super::cycle::{ClusterView, Incoming, PodView};
use super::filter::{Reason, untolerated};
use super::score::MAX_NODE_SCORE;
use crate::api::pod::{PodSpec, TopologySpreadConstraint};
use crate::cluster::topology;
use crate::labels::{Requirement, Selector, label_selector_as_selector};
use std::borrow::Cow;
use std::collections::BTreeMap;

pub const HOSTNAME_KEY: &str = "kubernetes.io/hostname";
pub const ZONE_KEY: &str = crate::api::node::ZONE_LABEL;

/// `whenUnsatisfiable`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    DoNotSchedule,
    ScheduleAnyway,
}

/// A `topologySpreadConstraint` compiled once per pod template (common.go's
/// `topologySpreadConstraint`, before `matchLabelKeys` is applied).
#[derive(Clone, Debug)]
pub struct Constraint {
    pub max_skew: i32,
    pub topology_key: String,
    pub when: When,
    /// `labelSelector`; a nil selector matches nothing.
    pub selector: Selector,
    /// Keys whose values in the incoming pod's labels are ANDed into the selector.
    pub match_label_keys: Vec<String>,
    /// `minDomains`, 1 when unset.
    pub min_domains: i32,
    /// `nodeAffinityPolicy` (default Honor) and `nodeTaintsPolicy` (default Ignore).
    pub honor_node_affinity: bool,
    pub honor_node_taints: bool,
}

impl Constraint {
    /// `None` for a `whenUnsatisfiable` that is neither action (the API server refuses it).
    pub fn compile(c: &TopologySpreadConstraint) -> Option<Constraint> {
        let when = match c.when_unsatisfiable.as_str() {
            "DoNotSchedule" => When::DoNotSchedule,
            "ScheduleAnyway" => When::ScheduleAnyway,
            _ => return None,
        };
        Some(Constraint {
            max_skew: c.max_skew,
            topology_key: c.topology_key.clone(),
            when,
            // An invalid selector fails PreFilter upstream; validation refuses it first.
            selector: label_selector_as_selector(c.label_selector.as_ref()).unwrap_or_else(|_| Selector::nothing()),
            match_label_keys: c.match_label_keys.clone(),
            min_domains: c.min_domains.unwrap_or(1),
            honor_node_affinity: c.node_affinity_policy.as_deref() != Some("Ignore"),
            honor_node_taints: c.node_taints_policy.as_deref() == Some("Honor"),
        })
    }

    fn system_default(key: &str, max_skew: i32, selector: &Selector) -> Constraint {
        Constraint {
            max_skew,
            topology_key: key.to_string(),
            when: When::ScheduleAnyway,
            selector: selector.clone(),
            match_label_keys: Vec::new(),
            min_domains: 1,
            honor_node_affinity: true,
            honor_node_taints: false,
        }
    }
}

/// The pod's `topologySpreadConstraints`, compiled.
pub fn compile(spec: &PodSpec) -> Vec<Constraint> {
    spec.topology_spread_constraints.iter().filter_map(Constraint::compile).collect()
}

/// `systemDefaultConstraints` (`plugin.go`; `defaultingType: System`, the default in
/// `apis/config/v1/defaults.go`): hostname with maxSkew 3 and zone with maxSkew 5, both
/// ScheduleAnyway, for a pod with no constraints of its own. They use the selector
/// `helper.DefaultSelector` builds from the Services, ReplicationControllers, ReplicaSets
/// and StatefulSets that select the pod; without one (`None` or empty) there are none.
/// The scheduler builds them once per ReplicaSet and label set (`default_selector.rs`).
pub fn system_default_constraints(selector: Option<&Selector>) -> Vec<Constraint> {
    match selector {
        Some(s) if !s.is_empty() && !s.matches_nothing() => {
            vec![Constraint::system_default(HOSTNAME_KEY, 3, s), Constraint::system_default(ZONE_KEY, 5, s)]
        }
        _ => Vec::new(),
    }
}

/// A constraint bound to the incoming pod for one cycle: `matchLabelKeys` merged into
/// the selector as `key=value` for the keys the pod has (`mergeLabelSetWithSelector`;
/// a selector matching nothing stays so).
#[derive(Debug)]
struct Bound<'a> {
    c: &'a Constraint,
    selector: Cow<'a, Selector>,
}

impl<'a> Bound<'a> {
    fn new(c: &'a Constraint, labels: &BTreeMap<String, String>) -> Bound<'a> {
        let extra: Vec<Requirement> = c
            .match_label_keys
            .iter()
            .filter_map(|k| labels.get(k).map(|v| Requirement::unchecked_equals(k, v)))
            .collect();
        let selector = if extra.is_empty() || c.selector.matches_nothing() {
            Cow::Borrowed(&c.selector)
        } else {
            let all = extra.into_iter().chain(c.selector.requirements().iter().cloned()).collect();
            Cow::Owned(Selector::from_requirements(all))
        };
        Bound { c, selector }
    }

    fn key(&self) -> &str {
        &self.c.topology_key
    }

    /// `countPodsMatchSelector`: pods of the namespace, not terminating, that the
    /// selector matches; an empty selector counts none.
    fn count<V: ClusterView>(&self, view: &V, node: V::Node, namespace: &str) -> i64 {
        if self.selector.is_empty() {
            return 0;
        }
        view.pods(node)
            .filter(|p| !p.terminating && p.namespace == namespace && self.selector.matches(p.labels))
            .count() as i64
    }

    /// `count`, read from the view's index when it has one.
    fn count_with<V: ClusterView>(&self, table: Option<&[i64]>, view: &V, node: V::Node, namespace: &str) -> i64 {
        match table {
            Some(t) => t[view.slot(node)],
            None => self.count(view, node, namespace),
        }
    }

    /// Whether `includes` holds for every node whatever its labels and taints: the
    /// policies ignore them, or the pod's node affinity is empty. Once per constraint,
    /// so that the count over the nodes does not read each node's labels for nothing.
    fn includes_every_node(&self, pod: &Incoming) -> bool {
        (!self.c.honor_node_affinity || pod.template.node_affinity.is_empty()) && !self.c.honor_node_taints
    }

    /// `matchNodeInclusionPolicies`.
    fn includes<V: ClusterView>(&self, view: &V, node: V::Node, pod: &Incoming) -> bool {
        let labels = view.labels(node);
        (!self.c.honor_node_affinity || pod.template.node_affinity.matches(labels, view.name(node)))
            && (!self.c.honor_node_taints || untolerated(view.taints(node), pod.tolerations).is_none())
    }
}

/// Each constraint's matching pods per node, from the view's index (`None` entries:
/// the view has none, count on the nodes). Once per cycle, so that counting costs a
/// look-up per node instead of a selector match per pod.
fn per_node_tables<V: ClusterView>(view: &V, constraints: &[Bound], namespace: &str) -> Vec<Option<Vec<i64>>> {
    constraints.iter().map(|c| view.matching_per_node(&c.selector, namespace)).collect()
}

fn bind_all<'a>(constraints: impl Iterator<Item = &'a Constraint>, pod: &Incoming) -> Vec<Bound<'a>> {
    constraints.map(|c| Bound::new(c, pod.labels)).collect()
}

/// `nodeLabelsMatchSpreadConstraints`: the node has every constraint's key.
fn has_all_keys(labels: &BTreeMap<String, String>, constraints: &[Bound]) -> bool {
    constraints.iter().all(|c| labels.contains_key(c.key()))
}

fn add(counts: &mut BTreeMap<String, i64>, value: &str, n: i64) {
    match counts.get_mut(value) {
        Some(c) => *c += n,
        None => {
            counts.insert(value.to_string(), n);
        }
    }
}

/// One DoNotSchedule constraint's PreFilter result.
#[derive(Debug)]
struct Domains {
    key: String,
    max_skew: i64,
    /// Matching pods per domain of the nodes that count (domains with none included).
    counts: BTreeMap<String, i64>,
    /// 1 if the incoming pod matches the selector itself.
    self_match: i64,
    /// The global minimum, 0 while there are fewer domains than `minDomains`.
    min: i64,
}

/// PreFilter state: the DoNotSchedule constraints with their counts per domain.
#[derive(Debug)]
pub struct FilterState {
    constraints: Vec<Domains>,
}

/// PreFilter (`calPreFilterState`): `None` (Skip) for a pod without DoNotSchedule
/// constraints. Touches each node once and, on nodes that count, the pods on them.
pub fn prepare_filter<V: ClusterView>(view: &V, pod: &Incoming) -> Option<FilterState> {
    let hard = hard_constraints(pod);
    if hard.is_empty() {
        return None;
    }
    let mut counts = vec![BTreeMap::new(); hard.len()];
    let tables = per_node_tables(view, &hard, pod.namespace);
    for node in view.nodes() {
        let labels = view.labels(node);
        if !has_all_keys(labels, &hard) {
            continue;
        }
        for ((c, table), domain_counts) in hard.iter().zip(&tables).zip(counts.iter_mut()) {
            if c.includes(view, node, pod) {
                add(domain_counts, &labels[c.key()], c.count_with(table.as_deref(), view, node, pod.namespace));
            }
        }
    }
    let constraints = hard.iter().zip(counts).map(|(c, counts)| domains(c, counts, pod)).collect();
    Some(FilterState { constraints })
}

fn domains(c: &Bound, counts: BTreeMap<String, i64>, pod: &Incoming) -> Domains {
    let min = if (counts.len() as i64) < i64::from(c.c.min_domains) {
        0
    } else {
        // No domain at all: `criticalPaths` start at MaxInt32, so every node passes.
        counts.values().copied().min().unwrap_or(i64::from(i32::MAX))
    };
    Domains {
        key: c.key().to_string(),
        max_skew: i64::from(c.c.max_skew),
        self_match: i64::from(c.selector.matches(pod.labels)),
        counts,
        min,
    }
}

impl FilterState {
    /// Filter: a node without a constraint's key cannot hold the pod whatever happens
    /// (UnschedulableAndUnresolvable); a node whose domain is too full may after
    /// preemption (Unschedulable).
    pub fn filter(&self, labels: &BTreeMap<String, String>) -> Result<(), Reason> {
        for d in &self.constraints {
            let Some(value) = labels.get(&d.key) else { return Err(Reason::SpreadMissingLabel) };
            let matching = d.counts.get(value).copied().unwrap_or(0);
            if matching + d.self_match - d.min > d.max_skew {
                return Err(Reason::SpreadConstraints);
            }
        }
        Ok(())
    }

    /// The matching pods per domain of each constraint, in declaration order.
    #[cfg(test)]
    pub fn counts(&self) -> Vec<&BTreeMap<String, i64>> {
        self.constraints.iter().map(|d| &d.counts).collect()
    }
}

/// Where a node's pods count for one constraint: the entry of its domain in a table of
/// counts. Upstream reads a missing label as the value `""`, so a node without the key
/// shares the entry of a node whose value is `""`, or has one of its own past the ids.
#[derive(Clone, Copy, Debug)]
struct Keyed<'v> {
    domains: &'v topology::Domains,
    missing: usize,
}

impl<'v> Keyed<'v> {
    fn new(domains: &'v topology::Domains) -> Keyed<'v> {
        Keyed { domains, missing: domains.id("").map_or(domains.count(), |id| id as usize) }
    }

    /// The size of a table of counts.
    fn len(&self) -> usize {
        self.domains.count() + 1
    }

    fn has(&self, slot: usize) -> bool {
        self.domains.of(slot).is_some()
    }

    fn entry(&self, slot: usize) -> usize {
        self.domains.of(slot).map_or(self.missing, |id| id as usize)
    }
}

/// `nodeLabelsMatchSpreadConstraints`, by slot.
fn has_all(keyed: &[Keyed], slot: usize) -> bool {
    keyed.iter().all(|k| k.has(slot))
}

/// One ScheduleAnyway constraint's PreScore result.
#[derive(Debug)]
struct Weighted<'v> {
    keyed: Keyed<'v>,
    max_skew: i64,
    /// The selector, for a hostname key counted on the node's pods (no index).
    selector: Option<Selector>,
    /// `topologyNormalizingWeight`: `ln(domains + 2)`.
    weight: f64,
    /// Matching pods per domain entry (see [`Keyed`]), counted in the domains of the
    /// feasible nodes only; unused for the hostname key, counted on the node at Score.
    counts: Vec<i64>,
    /// For the hostname key, the matching pods per node slot from the view's index.
    per_node: Option<Vec<i64>>,
    /// The key is the hostname (counted on each node at Score).
    hostname: bool,
    /// What a node adds for this constraint, `count·weight + (maxSkew − 1)`, by domain
    /// entry (not for the hostname key): computed once per domain rather than once per
    /// node, with the same operations, so the same bits.
    terms: Vec<f64>,
}

impl Weighted<'_> {
    /// `count·weight + (maxSkew − 1)`, as Score adds it.
    #[inline]
    fn term(&self, count: i64) -> f64 {
        count as f64 * self.weight + (self.max_skew - 1) as f64
    }
}

/// PreScore state.
#[derive(Debug)]
pub struct ScoreState<'v> {
    constraints: Vec<Weighted<'v>>,
    /// The pod's own constraints need every key on a node; system defaults do not (a
    /// node without a zone is still spread by hostname).
    require_all_keys: bool,
    namespace: String,
}

/// PreScore (`initPreScoreState` and `PreScore`): `None` (Skip) without ScheduleAnyway
/// constraints. The pod's own constraints, or, if it declares none, the system defaults
/// (`defaults`, see [`system_default_constraints`]). Domains come from the feasible
/// nodes, counts from all.
pub fn prepare_score<'v, V: ClusterView>(
    view: &'v V,
    pod: &Incoming,
    feasible: &[V::Node],
    defaults: Option<&[Constraint]>,
) -> Option<ScoreState<'v>> {
    let declared = !pod.template.spec.topology_spread_constraints.is_empty();
    let soft = if declared {
        bind_all(pod.template.spread.iter().filter(|c| c.when == When::ScheduleAnyway), pod)
    } else {
        bind_all(defaults.unwrap_or_default().iter(), pod)
    };
    if soft.is_empty() {
        return None;
    }
    let keyed: Vec<Keyed> = soft.iter().map(|c| Keyed::new(view.domains(c.key()))).collect();
    let (present, eligible) = domains_of(view, feasible, &soft, &keyed, declared);
    let counts = count_all(view, pod, &soft, &keyed, declared, &present);
    let constraints = soft
        .iter()
        .zip(keyed)
        .zip(present.iter().zip(counts))
        .map(|((c, keyed), (present, counts))| {
            let hostname = c.key() == HOSTNAME_KEY;
            let size = if hostname { eligible } else { present.iter().filter(|p| **p).count() };
            let per_node = if hostname { view.matching_per_node(&c.selector, pod.namespace) } else { None };
            // Only a hostname count without the view's index reads the selector again.
            let selector = (hostname && per_node.is_none()).then(|| c.selector.clone().into_owned());
            let mut weighted = Weighted {
                keyed,
                per_node,
                hostname,
                max_skew: i64::from(c.c.max_skew),
                selector,
                weight: libm::log((size + 2) as f64),
                counts,
                terms: Vec::new(),
            };
            if !hostname {
                weighted.terms = weighted.counts.iter().map(|n| weighted.term(*n)).collect();
            }
            weighted
        })
        .collect();
    Some(ScoreState { constraints, require_all_keys: declared, namespace: pod.namespace.to_string() })
}

/// The domains of the feasible nodes, as the entries present per constraint, and how
/// many feasible nodes are not ignored.
fn domains_of<V: ClusterView>(
    view: &V,
    feasible: &[V::Node],
    soft: &[Bound],
    keyed: &[Keyed],
    require_all: bool,
) -> (Vec<Vec<bool>>, usize) {
    // The hostname key has no domains here (it is counted on each node at Score): no
    // table, rather than one entry per node.
    let hostname: Vec<bool> = soft.iter().map(|c| c.key() == HOSTNAME_KEY).collect();
    let mut present: Vec<Vec<bool>> =
        keyed.iter().zip(&hostname).map(|(k, h)| if *h { Vec::new() } else { vec![false; k.len()] }).collect();
    let counts = |slot: usize| !require_all || has_all(keyed, slot);
    let eligible = match require_all {
        true => feasible.iter().filter(|n| counts(view.slot(**n))).count(),
        false => feasible.len(),
    };
    for ((k, present), _) in keyed.iter().zip(present.iter_mut()).zip(&hostname).filter(|(_, h)| !**h) {
        for &node in feasible {
            let slot = view.slot(node);
            if counts(slot) {
                present[k.entry(slot)] = true;
            }
        }
    }
    (present, eligible)
}

/// The matching pods of every node that counts, added to the feasible nodes' domains.
fn count_all<V: ClusterView>(
    view: &V,
    pod: &Incoming,
    soft: &[Bound],
    keyed: &[Keyed],
    require_all: bool,
    present: &[Vec<bool>],
) -> Vec<Vec<i64>> {
    let per_constraint = soft.iter().zip(keyed).zip(present);
    per_constraint
        .map(|((c, k), present)| {
            let mut counts = vec![0; present.len()];
            // The hostname key has no domains here: it is counted on each node at Score.
            if !present.contains(&true) {
                return counts;
            }
            let every_node = c.includes_every_node(pod);
            let mut count_on = |node: V::Node, n: Option<i64>| {
                let slot = view.slot(node);
                if require_all && !has_all(keyed, slot) {
                    return;
                }
                let entry = k.entry(slot);
                if present[entry] && (every_node || c.includes(view, node, pod)) {
                    counts[entry] += n.unwrap_or_else(|| c.count(view, node, pod.namespace));
                }
            };
            // With the view's index only the nodes holding a matching pod are read (the
            // others add nothing), in the index's order: the counts are sums of integers,
            // so the order does not change them; without it, every node's pods are.
            if !view.for_each_matching_node(&c.selector, pod.namespace, |node, n| count_on(node, Some(n))) {
                view.nodes().for_each(|node| count_on(node, None));
            }
            counts
        })
        .collect()
}

impl ScoreState<'_> {
    fn ignored(&self, slot: usize) -> bool {
        self.require_all_keys && !self.constraints.iter().all(|c| c.keyed.has(slot))
    }

    /// Score: `Σ count·weight + (maxSkew − 1)` over the constraints whose key the node
    /// has, rounded; 0 for an ignored node.
    pub fn score<V: ClusterView>(&self, view: &V, node: V::Node) -> i64 {
        let slot = view.slot(node);
        if self.ignored(slot) {
            return 0;
        }
        let mut score = 0.0;
        for c in &self.constraints {
            let Some(id) = c.keyed.domains.of(slot) else { continue };
            score += if c.hostname {
                c.term(match (&c.per_node, &c.selector) {
                    (Some(t), _) => t[slot],
                    (None, Some(selector)) => self.count_on(view, node, selector),
                    (None, None) => 0,
                })
            } else {
                c.terms[id as usize]
            };
        }
        round_half_away(score)
    }

    fn count_on<V: ClusterView>(&self, view: &V, node: V::Node, selector: &Selector) -> i64 {
        if selector.is_empty() {
            return 0;
        }
        view.pods(node)
            .filter(|p| !p.terminating && p.namespace == self.namespace && selector.matches(p.labels))
            .count() as i64
    }

    /// NormalizeScore: `100·(max + min − score) / max` over the nodes not ignored (all
    /// 100 if the maximum is 0); ignored nodes get 0.
    pub fn normalize<V: ClusterView>(&self, view: &V, feasible: &[V::Node], scores: &mut [i64]) {
        let ignored: Vec<bool> = match self.require_all_keys {
            true => feasible.iter().map(|n| self.ignored(view.slot(*n))).collect(),
            false => Vec::new(),
        };
        let is_ignored = |k: usize| ignored.get(k).copied().unwrap_or(false);
        let (mut min, mut max) = (i64::MAX, 0);
        for (k, s) in scores.iter().enumerate() {
            if !is_ignored(k) {
                min = min.min(*s);
                max = max.max(*s);
            }
        }
        // The scores take a few values (one per domain and count on the node): each
        // quotient is computed once, not once per node.
        let normalized = |s: i64| MAX_NODE_SCORE * (max + min - s) / max;
        let table: Vec<i64> = match max - min {
            span @ 0..=255 if max > 0 => (0..=span).map(|d| normalized(min + d)).collect(),
            _ => Vec::new(),
        };
        for (k, s) in scores.iter_mut().enumerate() {
            *s = match (is_ignored(k), max) {
                (true, _) => 0,
                (false, 0) => MAX_NODE_SCORE,
                (false, _) => table.get((*s - min) as usize).copied().unwrap_or_else(|| normalized(*s)),
            };
        }
    }

    /// Score then NormalizeScore for the feasible nodes, in order.
    pub fn normalized<V: ClusterView>(&self, view: &V, feasible: &[V::Node]) -> Vec<i64> {
        let mut scores: Vec<i64> = feasible.iter().map(|n| self.score(view, *n)).collect();
        self.normalize(view, feasible, &mut scores);
        scores
    }
}

/// `math.Round` (half away from zero) of a score, as an integer, without a call into
/// `libm` (x86-64 has no rounding instruction before SSE4.1). The fraction `x − trunc(x)`
/// is exact for every float below 2⁵², and a larger float is already an integer.
#[inline]
fn round_half_away(x: f64) -> i64 {
    let t = x as i64;
    let fraction = x - t as f64;
    if fraction >= 0.5 {
        t + 1
    } else if fraction <= -0.5 {
        t - 1
    } else {
        t
    }
}

/// The DoNotSchedule constraints bound to the pod: those Filter checks, and so the
/// only ones a pod failed by this plugin waits on (`getConstraints` in `plugin.go`; the
/// system defaults are all ScheduleAnyway).
fn hard_constraints<'a>(pod: &Incoming<'a>) -> Vec<Bound<'a>> {
    bind_all(pod.template.spread.iter().filter(|c| c.when == When::DoNotSchedule), pod)
}

/// QueueingHint for a pod bound or gone (`isSchedulableAfterPodChange`): it changes a
/// count only if it is in the pod's namespace and a constraint's selector matches it.
pub fn pod_change_may_help(pod: &Incoming, changed: &PodView) -> bool {
    changed.namespace == pod.namespace && hard_constraints(pod).iter().any(|c| c.selector.matches(changed.labels))
}

/// QueueingHint for a node added, removed or untainted (`isSchedulableAfterNodeChange`):
/// only a node with every constraint's key is, or was, in a domain.
pub fn node_change_may_help(pod: &Incoming, labels: &BTreeMap<String, String>) -> bool {
    has_all_keys(labels, &hard_constraints(pod))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::cycle::testing::{self, TestNode, TestPod, TestView, template};
    use crate::scheduler::filter::Reason;
    use serde::Deserialize;
    use serde_json::Value;

    /// A case of `testdata/scheduler/topology_spread.json`.
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Case {
        name: String,
        source: String,
        pod: TestPod,
        nodes: Vec<TestNode>,
        #[serde(default)]
        failed_nodes: Vec<TestNode>,
        existing_pods: Vec<TestPod>,
        default_selector: Option<crate::labels::LabelSelector>,
        #[serde(default)]
        want: BTreeMap<String, Value>,
        #[serde(default)]
        want_counts: Vec<BTreeMap<String, i64>>,
    }

    fn cases(group: &str) -> Vec<Case> {
        cases_of(group)
    }

    fn cases_of<T: serde::de::DeserializeOwned>(group: &str) -> Vec<T> {
        testing::cases_of(
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/scheduler/topology_spread.json")),
            group,
        )
    }

    /// Runs `f` with the case's cluster (candidates first, then the failed nodes) and pod.
    fn with_case<R>(case: Case, f: impl FnOnce(&TestView, &Incoming, &[usize]) -> R) -> R {
        let candidates = case.nodes.len();
        let nodes = case.nodes.into_iter().chain(case.failed_nodes).collect();
        let view = TestView::new(nodes, case.existing_pods, BTreeMap::new());
        let t = template(&case.pod.spec);
        let pod = case.pod.incoming(&t);
        let feasible: Vec<usize> = (0..candidates).collect();
        f(&view, &pod, &feasible)
    }

    fn code(verdict: Result<(), Reason>) -> &'static str {
        match verdict {
            Ok(()) => "Success",
            Err(r) if r.resolvable_by_preemption() => "Unschedulable",
            Err(_) => "UnschedulableAndUnresolvable",
        }
    }

    #[test]
    fn filter_matches_kubernetes_cases() {
        let cases = cases("filter");
        assert!(cases.len() >= 30);
        for case in cases {
            let (name, want) = (format!("{} ({})", case.name, case.source), case.want.clone());
            with_case(case, |view, pod, _| {
                let state = prepare_filter(view, pod).expect("DoNotSchedule constraints");
                for (node, want) in &want {
                    let got = code(state.filter(view.labels(view.index(node))));
                    assert_eq!(got, want.as_str().unwrap(), "{name}: {node}");
                }
            });
        }
    }

    #[test]
    fn prefilter_counts_match_kubernetes_cases() {
        for case in cases("counts") {
            let (name, want) = (case.name.clone(), case.want_counts.clone());
            with_case(case, |view, pod, _| {
                let state = prepare_filter(view, pod).expect("DoNotSchedule constraints");
                let got: Vec<BTreeMap<String, i64>> = state.counts().into_iter().cloned().collect();
                assert_eq!(got, want, "{name}");
            });
        }
    }

    #[test]
    fn scores_match_kubernetes_cases() {
        let cases = cases("score");
        assert!(cases.len() >= 20);
        for case in cases {
            let (name, want) = (case.name.clone(), case.want.clone());
            let default_selector = case.default_selector.as_ref().map(|s| label_selector_as_selector(Some(s)).unwrap());
            let defaults = system_default_constraints(default_selector.as_ref());
            with_case(case, |view, pod, feasible| {
                let state = prepare_score(view, pod, feasible, Some(&defaults)).expect("constraints");
                let got = state.normalized(view, feasible);
                let want: Vec<i64> = feasible.iter().map(|n| want[view.name(*n)].as_i64().unwrap()).collect();
                assert_eq!(got, want, "{name}");
            });
        }
    }

    /// A case of the `hintPod` and `hintNode` groups: a pod failed by the plugin, and an
    /// added or deleted pod or node.
    #[derive(Deserialize)]
    struct HintCase {
        name: String,
        pod: TestPod,
        changed: Option<TestPod>,
        node: Option<TestNode>,
        want: String,
    }

    #[test]
    fn queueing_hints_match_kubernetes_cases() {
        let cases: Vec<HintCase> = ["hintPod", "hintNode"].iter().flat_map(|g| cases_of(g)).collect();
        assert_eq!(cases.len(), 11);
        for case in cases {
            let t = template(&case.pod.spec);
            let pod = case.pod.incoming(&t);
            let queue = match (&case.changed, &case.node) {
                (Some(p), _) => {
                    let changed =
                        PodView { namespace: &p.namespace, labels: &p.labels, terminating: false, affinity: None };
                    pod_change_may_help(&pod, &changed)
                }
                (None, Some(node)) => node_change_may_help(&pod, &node.labels),
                (None, None) => panic!("{}: no change", case.name),
            };
            assert_eq!(if queue { "Queue" } else { "QueueSkip" }, case.want, "{}", case.name);
        }
    }

    #[test]
    fn system_defaults_need_a_selector() {
        assert!(system_default_constraints(None).is_empty());
        assert!(system_default_constraints(Some(&Selector::everything())).is_empty());
        let s = Selector::parse("app=web").unwrap();
        let d = system_default_constraints(Some(&s));
        let keys: Vec<(&str, i32, When)> = d.iter().map(|c| (c.topology_key.as_str(), c.max_skew, c.when)).collect();
        assert_eq!(keys, [(HOSTNAME_KEY, 3, When::ScheduleAnyway), (ZONE_KEY, 5, When::ScheduleAnyway)]);
    }

    #[test]
    fn a_pod_without_constraints_is_skipped() {
        let view = TestView::new(Vec::new(), Vec::new(), BTreeMap::new());
        let t = template(&Default::default());
        let labels = BTreeMap::new();
        let pod = Incoming { namespace: "default", labels: &labels, template: &t, tolerations: &[] };
        assert!(prepare_filter(&view, &pod).is_none());
        assert!(prepare_score(&view, &pod, &[], None).is_none());
    }
}
