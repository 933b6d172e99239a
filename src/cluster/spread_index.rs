//! The pods on each node grouped by namespace and label set, so that PodTopologySpread
//! counts the pods a selector matches without reading every pod of the cluster each
//! cycle. The counts are exactly what `countPodsMatchSelector` would find on the nodes'
//! pod lists (pods holding the node, not terminating); the invariant checker compares
//! them with a recount.

use super::{NodeId, Pod};
use crate::labels::Selector;
use std::collections::BTreeMap;
use std::sync::Arc;

type Labels = Arc<BTreeMap<String, String>>;

/// Pods of one namespace with one label set, counted per node.
#[derive(Clone, Debug)]
struct Group {
    labels: Labels,
    /// Pods per node (nodes with none are absent).
    nodes: BTreeMap<NodeId, u32>,
}

/// A namespace's groups by label key, then value.
type ByKey = BTreeMap<String, BTreeMap<String, Vec<usize>>>;

#[derive(Clone, Debug, Default)]
pub struct SpreadIndex {
    groups: Vec<Group>,
    /// (namespace, label set) → group.
    by_labels: BTreeMap<(Arc<str>, Labels), usize>,
    /// namespace → key → value → the groups whose labels have it: a selector that pins
    /// a label (every default selector does) reads only those. Nested, so that a
    /// look-up (one per scheduling cycle and constraint) borrows its key.
    by_label: BTreeMap<Arc<str>, ByKey>,
    /// (namespace) → every group of it, for selectors that pin no label.
    by_namespace: BTreeMap<Arc<str>, Vec<usize>>,
}

impl SpreadIndex {
    fn group(&mut self, namespace: &Arc<str>, labels: &Labels) -> usize {
        let key = (namespace.clone(), labels.clone());
        if let Some(&g) = self.by_labels.get(&key) {
            return g;
        }
        let g = self.groups.len();
        self.groups.push(Group { labels: labels.clone(), nodes: BTreeMap::new() });
        self.by_labels.insert(key, g);
        for (k, v) in labels.iter() {
            let by_key = self.by_label.entry(namespace.clone()).or_default();
            by_key.entry(k.clone()).or_default().entry(v.clone()).or_default().push(g);
        }
        self.by_namespace.entry(namespace.clone()).or_default().push(g);
        g
    }

    /// The pod now counts on `node` (bound, not terminating).
    pub fn add(&mut self, pod: &Pod, node: NodeId) {
        let g = self.group(&pod.namespace, &pod.labels);
        *self.groups[g].nodes.entry(node).or_default() += 1;
    }

    /// The pod no longer counts on `node` (it left it, or is terminating).
    pub fn remove(&mut self, pod: &Pod, node: NodeId) {
        let Some(&g) = self.by_labels.get(&(pod.namespace.clone(), pod.labels.clone())) else { return };
        let nodes = &mut self.groups[g].nodes;
        if let Some(n) = nodes.get_mut(&node) {
            *n -= 1;
            if *n == 0 {
                nodes.remove(&node);
            }
        }
    }

    /// Adds to `counts` (indexed by node) the pods of `namespace` that `selector`
    /// matches; an empty selector counts none, as upstream.
    pub fn count_matching(&self, selector: &Selector, namespace: &str, counts: &mut [i64]) {
        self.for_each_matching(selector, namespace, |node, n| counts[node.0 as usize] += n);
    }

    /// Calls `f(node, pods)` for each group's count on a node (a node may come more
    /// than once, once per matching label set).
    pub fn for_each_matching(&self, selector: &Selector, namespace: &str, mut f: impl FnMut(NodeId, i64)) {
        if selector.is_empty() || selector.matches_nothing() {
            return;
        }
        let pinned = selector.requirements().iter().find_map(|r| {
            let key = r.key();
            selector.requires_exact_match(key).map(|v| (key, v))
        });
        let empty = Vec::new();
        let candidates = match pinned {
            Some((k, v)) => self
                .by_label
                .get(namespace)
                .and_then(|by_key| by_key.get(k))
                .and_then(|by_value| by_value.get(v))
                .unwrap_or(&empty),
            None => self.by_namespace.get(namespace).unwrap_or(&empty),
        };
        for &g in candidates {
            let group = &self.groups[g];
            if group.nodes.is_empty() || !selector.matches(&group.labels) {
                continue;
            }
            for (node, n) in &group.nodes {
                f(*node, i64::from(*n));
            }
        }
    }

    /// Every (namespace, label set, node) count, for the invariant checker.
    pub fn all(&self) -> BTreeMap<(Arc<str>, Labels, NodeId), u32> {
        let mut out = BTreeMap::new();
        for ((ns, labels), &g) in &self.by_labels {
            for (node, n) in &self.groups[g].nodes {
                out.insert((ns.clone(), labels.clone(), *node), *n);
            }
        }
        out
    }
}
