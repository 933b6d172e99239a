//! InterPodAffinity (`pkg/scheduler/framework/plugins/interpodaffinity`): place a pod
//! near (affinity) or away from (anti-affinity) the pods a term selects, where "near"
//! means on a node with the same value of the term's topology key.
//!
//! Filter (`filtering.go`): the required affinity terms must all be met by pods in the
//! node's domains (unless no pod anywhere matches them and the pod matches them itself:
//! the first pod of a self-affine group); no pod the required anti-affinity terms select
//! may be in the node's domains; and no bound pod's required anti-affinity term may select
//! the incoming pod in the node's domains. Score (`scoring.go`): preferred terms of the
//! pod and of the bound pods add or subtract their weight per domain, the bound pods'
//! required affinity terms add `hardPodAffinityWeight` (1); the sums are scaled to 0–100.
//!
//! A term selects pods of its namespaces (`namespaces`, or those `namespaceSelector`
//! selects; the owner's own namespace if both are unset) whose labels match the label
//! selector. `matchLabelKeys` / `mismatchLabelKeys` are ANDed into the selector as
//! `key in (v)` / `key notin (v)` with the owner's label values, as the API server does
//! when the pod is created.

use super::cycle::{ClusterView, Incoming, PodView};
use super::filter::Reason;
use super::score::MAX_NODE_SCORE;
use crate::api::pod::{PodAffinityTerm, PodSpec, WeightedPodAffinityTerm};
use crate::labels::{Selector, label_selector_as_selector};
use std::collections::{BTreeMap, BTreeSet};

/// `hardPodAffinityWeight` (`InterPodAffinityArgs`, default 1).
pub const HARD_POD_AFFINITY_WEIGHT: i64 = 1;

/// A `PodAffinityTerm` compiled once per pod template.
#[derive(Clone, Debug)]
pub struct Term {
    pub selector: Selector,
    pub namespaces: Vec<String>,
    /// `None`: no `namespaceSelector` (it selects no namespace).
    pub namespace_selector: Option<Selector>,
    pub topology_key: String,
    pub match_label_keys: Vec<String>,
    pub mismatch_label_keys: Vec<String>,
}

/// A pod's pod affinity and anti-affinity, compiled.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    pub required: Vec<Term>,
    pub required_anti: Vec<Term>,
    pub preferred: Vec<(i64, Term)>,
    pub preferred_anti: Vec<(i64, Term)>,
}

fn selector(s: Option<&crate::labels::LabelSelector>) -> Selector {
    // An invalid selector fails PreFilter upstream; validation refuses it first.
    label_selector_as_selector(s).unwrap_or_else(|_| Selector::nothing())
}

impl Term {
    pub fn compile(t: &PodAffinityTerm) -> Term {
        Term {
            selector: selector(t.label_selector.as_ref()),
            namespaces: t.namespaces.clone(),
            namespace_selector: t.namespace_selector.as_ref().map(|s| selector(Some(s))),
            topology_key: t.topology_key.clone(),
            // The API server applies the keys only to a term with a label selector.
            match_label_keys: if t.label_selector.is_some() { t.match_label_keys.clone() } else { Vec::new() },
            mismatch_label_keys: if t.label_selector.is_some() { t.mismatch_label_keys.clone() } else { Vec::new() },
        }
    }

    /// The label selector, with the owner's `matchLabelKeys` / `mismatchLabelKeys`.
    fn selects(&self, owner: &BTreeMap<String, String>, target: &BTreeMap<String, String>) -> bool {
        self.selector.matches(target)
            && self.match_label_keys.iter().all(|k| owner.get(k).is_none_or(|v| target.get(k) == Some(v)))
            && self.mismatch_label_keys.iter().all(|k| owner.get(k).is_none_or(|v| target.get(k) != Some(v)))
    }

    fn own_namespace_only(&self) -> bool {
        self.namespaces.is_empty() && self.namespace_selector.is_none()
    }

    /// `AffinityTerm.Matches` for a term of a bound pod (`owner`) and the incoming pod,
    /// whose namespace has `target_ns_labels`.
    fn matches_incoming(&self, owner: &PodView, pod: &Incoming, target_ns_labels: &BTreeMap<String, String>) -> bool {
        let namespace_ok = if self.own_namespace_only() {
            owner.namespace == pod.namespace
        } else {
            self.namespaces.iter().any(|n| n == pod.namespace)
                || self.namespace_selector.as_ref().is_some_and(|s| s.matches(target_ns_labels))
        };
        namespace_ok && self.selects(owner.labels, pod.labels)
    }
}

impl Rules {
    /// `None` for a pod without pod affinity or anti-affinity terms.
    pub fn compile(spec: &PodSpec) -> Option<Rules> {
        let affinity = spec.affinity.as_ref()?;
        let required = |a: &Option<crate::api::pod::PodAffinity>| -> Vec<Term> {
            a.iter().flat_map(|a| &a.required_during_scheduling_ignored_during_execution).map(Term::compile).collect()
        };
        let preferred = |a: &Option<crate::api::pod::PodAffinity>| -> Vec<(i64, Term)> {
            a.iter().flat_map(|a| &a.preferred_during_scheduling_ignored_during_execution).map(weighted).collect()
        };
        let rules = Rules {
            required: required(&affinity.pod_affinity),
            required_anti: required(&affinity.pod_anti_affinity),
            preferred: preferred(&affinity.pod_affinity),
            preferred_anti: preferred(&affinity.pod_anti_affinity),
        };
        let empty = rules.required.is_empty()
            && rules.required_anti.is_empty()
            && rules.preferred.is_empty()
            && rules.preferred_anti.is_empty();
        (!empty).then_some(rules)
    }
}

fn weighted(t: &WeightedPodAffinityTerm) -> (i64, Term) {
    (i64::from(t.weight), Term::compile(&t.pod_affinity_term))
}

/// The namespaces a term of the incoming pod selects, resolved once per cycle as
/// `mergeAffinityTermNamespacesIfNotEmpty` does: an empty `namespaceSelector` selects
/// every namespace, another one those whose labels it matches.
#[derive(Debug)]
enum Namespaces {
    All,
    Only(BTreeSet<String>),
}

/// A term of the incoming pod bound to it for one cycle.
#[derive(Debug)]
struct Bound<'a> {
    term: &'a Term,
    namespaces: Namespaces,
}

impl<'a> Bound<'a> {
    fn new<V: ClusterView>(view: &V, term: &'a Term, pod: &Incoming) -> Bound<'a> {
        let namespaces = match &term.namespace_selector {
            _ if term.own_namespace_only() => Namespaces::Only(BTreeSet::from([pod.namespace.to_string()])),
            Some(s) if s.is_empty() => Namespaces::All,
            selector => {
                let mut set: BTreeSet<String> = term.namespaces.iter().cloned().collect();
                if let Some(s) = selector {
                    set.extend(view.namespaces().filter(|n| s.matches(&view.namespace_labels(n))).map(str::to_string));
                }
                Namespaces::Only(set)
            }
        };
        Bound { term, namespaces }
    }

    /// `AffinityTerm.Matches` for a term of the incoming pod and a bound pod.
    fn matches(&self, pod: &Incoming, target: &PodView) -> bool {
        let namespace_ok = match &self.namespaces {
            Namespaces::All => true,
            Namespaces::Only(set) => set.contains(target.namespace),
        };
        namespace_ok && self.term.selects(pod.labels, target.labels)
    }

    fn key(&self) -> &str {
        &self.term.topology_key
    }
}

fn bind_all<'a, V: ClusterView>(view: &V, terms: &'a [Term], pod: &Incoming) -> Vec<Bound<'a>> {
    terms.iter().map(|t| Bound::new(view, t, pod)).collect()
}

/// Pods counted per topology pair: key, then value.
type PairCounts = BTreeMap<String, BTreeMap<String, i64>>;

/// Adds `n` to the node's pair for `key`, if the node has the key.
fn add(counts: &mut PairCounts, labels: &BTreeMap<String, String>, key: &str, n: i64) {
    let Some(value) = labels.get(key) else { return };
    let values = match counts.get_mut(key) {
        Some(v) => v,
        None => counts.entry(key.to_string()).or_default(),
    };
    match values.get_mut(value) {
        Some(c) => *c += n,
        None => {
            values.insert(value.clone(), n);
        }
    }
}

fn count(counts: &PairCounts, key: &str, labels: &BTreeMap<String, String>) -> i64 {
    labels.get(key).and_then(|v| counts.get(key)?.get(v)).copied().unwrap_or(0)
}

/// PreFilter state.
#[derive(Debug)]
pub struct FilterState {
    /// The topology keys of the pod's required affinity terms.
    affinity_keys: Vec<String>,
    /// Pods matching all the required affinity terms, per pair.
    affinity: PairCounts,
    /// The pod matches all its own required affinity terms.
    self_affine: bool,
    /// The topology keys of the pod's required anti-affinity terms.
    anti_keys: Vec<String>,
    /// Pods matching each required anti-affinity term, per pair.
    anti: PairCounts,
    /// Bound pods' required anti-affinity terms matching the pod, per pair.
    existing_anti: PairCounts,
}

/// PreFilter: `None` (Skip) when the pod has no required terms and no bound pod's
/// required anti-affinity selects it. Touches only the bound pods with affinity, and
/// every pod only when the pod has required terms.
pub fn prepare_filter<V: ClusterView>(view: &V, pod: &Incoming) -> Option<FilterState> {
    let existing_anti = existing_anti_counts(view, pod);
    let none = Vec::new();
    let rules = pod.template.pod_affinity.as_ref();
    let required = rules.map_or(&none, |r| &r.required);
    let required_anti = rules.map_or(&none, |r| &r.required_anti);
    if existing_anti.is_empty() && required.is_empty() && required_anti.is_empty() {
        return None;
    }
    let affinity_terms = bind_all(view, required, pod);
    let anti_terms = bind_all(view, required_anti, pod);
    let (affinity, anti) = incoming_counts(view, pod, &affinity_terms, &anti_terms);
    let target = PodView { namespace: pod.namespace, labels: pod.labels, terminating: false, affinity: rules };
    Some(FilterState {
        affinity_keys: required.iter().map(|t| t.topology_key.clone()).collect(),
        affinity,
        self_affine: matches_all(&affinity_terms, pod, &target),
        anti_keys: required_anti.iter().map(|t| t.topology_key.clone()).collect(),
        anti,
        existing_anti,
    })
}

/// `podMatchesAllAffinityTerms` (false without terms).
fn matches_all(terms: &[Bound], pod: &Incoming, target: &PodView) -> bool {
    !terms.is_empty() && terms.iter().all(|t| t.matches(pod, target))
}

/// `getExistingAntiAffinityCounts`.
fn existing_anti_counts<V: ClusterView>(view: &V, pod: &Incoming) -> PairCounts {
    let mut counts = PairCounts::new();
    let mut ns_labels = None;
    for (node, owner) in view.affinity_pods() {
        let Some(rules) = owner.affinity else { continue };
        for term in &rules.required_anti {
            let labels = ns_labels.get_or_insert_with(|| view.namespace_labels(pod.namespace));
            if term.matches_incoming(&owner, pod, labels) {
                add(&mut counts, view.labels(node), &term.topology_key, 1);
            }
        }
    }
    counts
}

/// `getIncomingAffinityAntiAffinityCounts`.
fn incoming_counts<V: ClusterView>(
    view: &V,
    pod: &Incoming,
    affinity_terms: &[Bound],
    anti_terms: &[Bound],
) -> (PairCounts, PairCounts) {
    let (mut affinity, mut anti) = (PairCounts::new(), PairCounts::new());
    if affinity_terms.is_empty() && anti_terms.is_empty() {
        return (affinity, anti);
    }
    for node in view.nodes() {
        let labels = view.labels(node);
        for target in view.pods(node) {
            if matches_all(affinity_terms, pod, &target) {
                for t in affinity_terms {
                    add(&mut affinity, labels, t.key(), 1);
                }
            }
            for t in anti_terms.iter().filter(|t| t.matches(pod, &target)) {
                add(&mut anti, labels, t.key(), 1);
            }
        }
    }
    (affinity, anti)
}

impl FilterState {
    /// Filter: affinity first (UnschedulableAndUnresolvable), then the pod's
    /// anti-affinity, then the bound pods' (both Unschedulable: preemption may help).
    pub fn filter(&self, labels: &BTreeMap<String, String>) -> Result<(), Reason> {
        if !self.satisfies_affinity(labels) {
            return Err(Reason::PodAffinity);
        }
        if self.anti_keys.iter().any(|k| count(&self.anti, k, labels) > 0) {
            return Err(Reason::PodAntiAffinity);
        }
        let existing = self
            .existing_anti
            .iter()
            .any(|(k, values)| labels.get(k).and_then(|v| values.get(v)).is_some_and(|n| *n > 0));
        if existing {
            return Err(Reason::ExistingAntiAffinity);
        }
        Ok(())
    }

    /// `satisfyPodAffinity`: every key on the node, and pods in every domain, or the
    /// first pod of a group whose terms only it matches.
    fn satisfies_affinity(&self, labels: &BTreeMap<String, String>) -> bool {
        if !self.affinity_keys.iter().all(|k| labels.contains_key(k)) {
            return false;
        }
        let pods_exist = self.affinity_keys.iter().all(|k| count(&self.affinity, k, labels) > 0);
        pods_exist || (self.affinity.is_empty() && self.self_affine)
    }
}

/// PreScore state: the summed weights per topology pair.
#[derive(Debug)]
pub struct ScoreState {
    scores: PairCounts,
}

/// PreScore: `None` (Skip) when no term of the pod or of a bound pod applies. With
/// preferred terms of its own the pod is compared with every bound pod; without, only
/// the bound pods with affinity can contribute, and only they are read.
pub fn prepare_score<V: ClusterView>(view: &V, pod: &Incoming) -> Option<ScoreState> {
    let none = Vec::new();
    let rules = pod.template.pod_affinity.as_ref();
    let preferred = bind_weighted(view, rules.map_or(&none, |r| &r.preferred), pod);
    let preferred_anti = bind_weighted(view, rules.map_or(&none, |r| &r.preferred_anti), pod);
    let mut scorer = Scorer { view, pod, preferred, preferred_anti, ns_labels: None, scores: PairCounts::new() };
    if scorer.preferred.is_empty() && scorer.preferred_anti.is_empty() {
        for (node, existing) in view.affinity_pods() {
            scorer.process(view.labels(node), &existing);
        }
    } else {
        for node in view.nodes() {
            let labels = view.labels(node);
            for existing in view.pods(node) {
                scorer.process(labels, &existing);
            }
        }
    }
    (!scorer.scores.is_empty()).then_some(ScoreState { scores: scorer.scores })
}

fn bind_weighted<'a, V: ClusterView>(view: &V, terms: &'a [(i64, Term)], pod: &Incoming) -> Vec<(i64, Bound<'a>)> {
    terms.iter().map(|(w, t)| (*w, Bound::new(view, t, pod))).collect()
}

struct Scorer<'a, V> {
    view: &'a V,
    pod: &'a Incoming<'a>,
    preferred: Vec<(i64, Bound<'a>)>,
    preferred_anti: Vec<(i64, Bound<'a>)>,
    ns_labels: Option<BTreeMap<String, String>>,
    scores: PairCounts,
}

impl<V: ClusterView> Scorer<'_, V> {
    /// `processExistingPod`.
    fn process(&mut self, labels: &BTreeMap<String, String>, existing: &PodView) {
        if labels.is_empty() {
            return;
        }
        let pod = self.pod;
        for (sign, terms) in [(1, &self.preferred), (-1, &self.preferred_anti)] {
            for (w, t) in terms.iter().filter(|(_, t)| t.matches(pod, existing)) {
                add(&mut self.scores, labels, t.key(), sign * w);
            }
        }
        let Some(rules) = existing.affinity else { return };
        let view = self.view;
        let ns_labels = self.ns_labels.get_or_insert_with(|| view.namespace_labels(pod.namespace));
        let hard = rules.required.iter().map(|t| (HARD_POD_AFFINITY_WEIGHT, t));
        let soft = rules.preferred.iter().map(|(w, t)| (*w, t));
        let soft_anti = rules.preferred_anti.iter().map(|(w, t)| (-w, t));
        for (w, t) in hard.chain(soft).chain(soft_anti) {
            if t.matches_incoming(existing, pod, ns_labels) {
                add(&mut self.scores, labels, &t.topology_key, w);
            }
        }
    }
}

impl ScoreState {
    /// Score: the sums of the pairs the node has.
    pub fn score(&self, labels: &BTreeMap<String, String>) -> i64 {
        self.scores.iter().filter_map(|(k, values)| values.get(labels.get(k)?)).sum()
    }

    /// NormalizeScore: `⌊100·(score − min) / (max − min)⌋` in float64, all 0 if equal.
    pub fn normalize(scores: &mut [i64]) {
        let (min, max) = scores.iter().fold((i64::MAX, i64::MIN), |(lo, hi), s| (lo.min(*s), hi.max(*s)));
        let diff = max.saturating_sub(min);
        for s in scores.iter_mut() {
            *s = if diff > 0 { (MAX_NODE_SCORE as f64 * ((*s - min) as f64 / diff as f64)) as i64 } else { 0 };
        }
    }

    /// Score then NormalizeScore for the feasible nodes, in order.
    pub fn normalized<V: ClusterView>(&self, view: &V, feasible: &[V::Node]) -> Vec<i64> {
        let mut scores: Vec<i64> = feasible.iter().map(|n| self.score(view.labels(*n))).collect();
        Self::normalize(&mut scores);
        scores
    }
}

/// QueueingHint for a bound pod (`isSchedulableAfterPodChange`, Add): it may meet the
/// required affinity only if it matches every term, as Filter counts pods.
pub fn bound_pod_may_help<V: ClusterView>(view: &V, pod: &Incoming, bound: &PodView) -> bool {
    let Some(rules) = pod.template.pod_affinity.as_ref() else { return false };
    matches_all(&bind_all(view, &rules.required, pod), pod, bound)
}

/// QueueingHint for a pod gone (`isSchedulableAfterPodChange`, Delete): the pod's
/// required anti-affinity selected it (any term), or its required anti-affinity selected
/// the pod (kubernetes#135325 and #139161).
pub fn gone_pod_may_help<V: ClusterView>(view: &V, pod: &Incoming, gone: &PodView) -> bool {
    let repelled = pod
        .template
        .pod_affinity
        .as_ref()
        .is_some_and(|r| bind_all(view, &r.required_anti, pod).iter().any(|t| t.matches(pod, gone)));
    repelled
        || gone.affinity.is_some_and(|r| {
            let ns_labels = view.namespace_labels(pod.namespace);
            r.required_anti.iter().any(|t| t.matches_incoming(gone, pod, &ns_labels))
        })
}

/// QueueingHint for an added node (`isSchedulableAfterNodeChange`): a node with a
/// required affinity term's key may join a domain where the affinity is met; any new
/// node may be a domain free of what the pod's required anti-affinity repels. A pod
/// kept off only by bound pods' anti-affinity is not retried for a node, as upstream.
pub fn added_node_may_help(pod: &Incoming, labels: &BTreeMap<String, String>) -> bool {
    pod.template
        .pod_affinity
        .as_ref()
        .is_some_and(|r| !r.required_anti.is_empty() || r.required.iter().any(|t| labels.contains_key(&t.topology_key)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::cycle::testing::{self, TestNode, TestPod, TestView, template};
    use serde::Deserialize;
    use serde_json::Value;

    /// A case of `testdata/scheduler/interpod_affinity.json`.
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Case {
        name: String,
        source: String,
        pod: TestPod,
        nodes: Vec<TestNode>,
        existing_pods: Vec<TestPod>,
        #[serde(default)]
        namespaces: BTreeMap<String, BTreeMap<String, String>>,
        #[serde(default)]
        skip: bool,
        #[serde(default)]
        want: BTreeMap<String, Value>,
    }

    fn cases(group: &str) -> Vec<Case> {
        cases_of(group)
    }

    fn cases_of<T: serde::de::DeserializeOwned>(group: &str) -> Vec<T> {
        testing::cases_of(
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/scheduler/interpod_affinity.json")),
            group,
        )
    }

    fn with_case<R>(case: Case, f: impl FnOnce(&TestView, &Incoming) -> R) -> R {
        let view = TestView::new(case.nodes, case.existing_pods, case.namespaces);
        let t = template(&case.pod.spec);
        let pod = case.pod.incoming(&t);
        f(&view, &pod)
    }

    /// `[code, reason]` as upstream's `framework.NewStatus`, `null` for Success.
    fn status(verdict: Result<(), Reason>) -> Value {
        match verdict {
            Ok(()) => Value::Null,
            Err(r) => {
                let code = if r.resolvable_by_preemption() { "Unschedulable" } else { "UnschedulableAndUnresolvable" };
                serde_json::json!([code, r.to_string()])
            }
        }
    }

    #[test]
    fn filter_matches_kubernetes_cases() {
        let cases = cases("filter");
        assert!(cases.len() >= 40);
        for case in cases {
            let (name, skip, want) = (format!("{} ({})", case.name, case.source), case.skip, case.want.clone());
            with_case(case, |view, pod| {
                let state = prepare_filter(view, pod);
                assert_eq!(state.is_none(), skip, "{name}: PreFilter Skip");
                for (node, want) in &want {
                    let labels = view.labels(view.index(node));
                    let got = state.as_ref().map_or(Value::Null, |s| status(s.filter(labels)));
                    assert_eq!(&got, want, "{name}: {node}");
                }
            });
        }
    }

    #[test]
    fn scores_match_kubernetes_cases() {
        let cases = cases("score");
        assert!(cases.len() >= 25);
        for case in cases {
            let (name, skip, want) = (format!("{} ({})", case.name, case.source), case.skip, case.want.clone());
            with_case(case, |view, pod| {
                let state = prepare_score(view, pod);
                assert_eq!(state.is_none(), skip, "{name}: PreScore Skip");
                let Some(state) = state else { return };
                let feasible: Vec<usize> = view.nodes().collect();
                let got = state.normalized(view, &feasible);
                let want: Vec<i64> = feasible.iter().map(|n| want[view.name(*n)].as_i64().unwrap()).collect();
                assert_eq!(got, want, "{name}");
            });
        }
    }

    /// A case of the `hintPod` and `hintNode` groups: a pod failed by the plugin, and a
    /// pod bound (`add`) or gone (`delete`), or a node added.
    #[derive(Deserialize)]
    struct HintCase {
        name: String,
        #[serde(default)]
        event: String,
        pod: TestPod,
        changed: Option<TestPod>,
        node: Option<TestNode>,
        want: String,
    }

    #[test]
    fn queueing_hints_match_kubernetes_cases() {
        let cases: Vec<HintCase> = ["hintPod", "hintNode"].iter().flat_map(|g| cases_of(g)).collect();
        assert_eq!(cases.len(), 11);
        let view = TestView::new(Vec::new(), Vec::new(), BTreeMap::new());
        for case in cases {
            let t = template(&case.pod.spec);
            let pod = case.pod.incoming(&t);
            let queue = match (&case.changed, &case.node) {
                (Some(p), _) => {
                    let pt = template(&p.spec);
                    let changed = PodView {
                        namespace: &p.namespace,
                        labels: &p.labels,
                        terminating: false,
                        affinity: pt.pod_affinity.as_ref(),
                    };
                    match case.event.as_str() {
                        "add" => bound_pod_may_help(&view, &pod, &changed),
                        "delete" => gone_pod_may_help(&view, &pod, &changed),
                        other => panic!("{}: event {other}", case.name),
                    }
                }
                (None, Some(node)) => added_node_may_help(&pod, &node.labels),
                (None, None) => panic!("{}: no change", case.name),
            };
            assert_eq!(if queue { "Queue" } else { "QueueSkip" }, case.want, "{}", case.name);
        }
    }

    #[test]
    fn match_label_keys_and_mismatch_label_keys_bind_to_the_owner() {
        let t: PodAffinityTerm = serde_json::from_value(serde_json::json!({
            "labelSelector": {"matchLabels": {"app": "web"}},
            "topologyKey": "zone",
            "matchLabelKeys": ["version"],
            "mismatchLabelKeys": ["tenant"],
        }))
        .unwrap();
        let term = Term::compile(&t);
        let labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let owner = labels(&[("app", "web"), ("version", "2"), ("tenant", "a")]);
        assert!(term.selects(&owner, &labels(&[("app", "web"), ("version", "2"), ("tenant", "b")])));
        assert!(!term.selects(&owner, &labels(&[("app", "web"), ("version", "1"), ("tenant", "b")])));
        assert!(!term.selects(&owner, &labels(&[("app", "web"), ("version", "2"), ("tenant", "a")])));
        assert!(
            term.selects(&labels(&[("app", "web")]), &labels(&[("app", "web"), ("version", "9")])),
            "keys the owner lacks are ignored"
        );
    }
}
