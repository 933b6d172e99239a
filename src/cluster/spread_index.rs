//! The pods on each node grouped by namespace and label set, so that PodTopologySpread
//! counts the pods a selector matches without reading every pod of the cluster each
//! cycle. The counts are exactly what `countPodsMatchSelector` would find on the nodes'
//! pod lists (pods holding the node, not terminating); the invariant checker compares
//! them with a recount.

use super::{NodeId, Pod};
use crate::labels::Selector;
use std::collections::{BTreeMap, BTreeSet};
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
type ByKey = BTreeMap<String, BTreeMap<String, BTreeSet<usize>>>;

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
    by_namespace: BTreeMap<Arc<str>, BTreeSet<usize>>,
    /// Slots of `groups` whose last pod left: a group lives only while it counts pods,
    /// since most label sets are a Job's or a pod's own (`controller-uid`, `job-name`)
    /// and a month of CronJobs makes a million of them.
    free: Vec<usize>,
}

impl SpreadIndex {
    fn group(&mut self, namespace: &Arc<str>, labels: &Labels) -> usize {
        let key = (namespace.clone(), labels.clone());
        if let Some(&g) = self.by_labels.get(&key) {
            return g;
        }
        let group = Group { labels: labels.clone(), nodes: BTreeMap::new() };
        let g = match self.free.pop() {
            Some(g) => {
                self.groups[g] = group;
                g
            }
            None => {
                self.groups.push(group);
                self.groups.len() - 1
            }
        };
        self.by_labels.insert(key, g);
        let by_key = self.by_label.entry(namespace.clone()).or_default();
        for (k, v) in labels.iter() {
            by_key.entry(k.clone()).or_default().entry(v.clone()).or_default().insert(g);
        }
        self.by_namespace.entry(namespace.clone()).or_default().insert(g);
        g
    }

    /// Forgets group `g`, which counts no pod any more; its slot is used again.
    fn drop_group(&mut self, namespace: &Arc<str>, g: usize) {
        let labels = std::mem::take(&mut self.groups[g].labels);
        self.by_labels.remove(&(namespace.clone(), labels.clone()));
        if let Some(by_key) = self.by_label.get_mut(namespace) {
            for (k, v) in labels.iter() {
                let Some(by_value) = by_key.get_mut(k) else { continue };
                if let Some(set) = by_value.get_mut(v) {
                    set.remove(&g);
                    if set.is_empty() {
                        by_value.remove(v);
                    }
                }
                if by_value.is_empty() {
                    by_key.remove(k);
                }
            }
        }
        if let Some(set) = self.by_namespace.get_mut(namespace) {
            set.remove(&g);
        }
        self.free.push(g);
    }

    /// The pod now counts on `node` (bound, not terminating).
    pub fn add(&mut self, pod: &Pod, node: NodeId) {
        self.add_set(&pod.namespace, &pod.labels, node);
    }

    fn add_set(&mut self, namespace: &Arc<str>, labels: &Labels, node: NodeId) {
        let g = self.group(namespace, labels);
        *self.groups[g].nodes.entry(node).or_default() += 1;
    }

    /// The pod no longer counts on `node` (it left it, or is terminating).
    pub fn remove(&mut self, pod: &Pod, node: NodeId) {
        self.remove_set(&pod.namespace, &pod.labels, node);
    }

    fn remove_set(&mut self, namespace: &Arc<str>, labels: &Labels, node: NodeId) {
        let Some(&g) = self.by_labels.get(&(namespace.clone(), labels.clone())) else { return };
        let nodes = &mut self.groups[g].nodes;
        if let Some(n) = nodes.get_mut(&node) {
            *n -= 1;
            if *n == 0 {
                nodes.remove(&node);
            }
        }
        if nodes.is_empty() {
            self.drop_group(namespace, g);
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
        let empty = BTreeSet::new();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(job: usize) -> Labels {
        Arc::new(BTreeMap::from([
            ("app".to_string(), "batch".to_string()),
            ("job-name".to_string(), format!("job-{job}")),
        ]))
    }

    #[test]
    fn a_label_set_whose_pods_are_gone_is_forgotten() {
        let mut index = SpreadIndex::default();
        let ns: Arc<str> = "default".into();
        let app = Selector::parse("app=batch").unwrap();
        let job_1 = Selector::parse("job-name=job-1").unwrap();
        // A thousand Jobs one after the other, the pods of two at a time on two nodes.
        for job in 0..1000 {
            let (a, b) = (labels(job), labels(job + 1));
            index.add_set(&ns, &a, NodeId(0));
            index.add_set(&ns, &b, NodeId(1));
            index.add_set(&ns, &b, NodeId(1));
            let mut counts = vec![0; 2];
            index.count_matching(&app, "default", &mut counts);
            assert_eq!(counts, vec![1, 2], "job {job}");
            let mut counts = vec![0; 2];
            index.count_matching(&job_1, "default", &mut counts);
            assert_eq!(counts, [[0, 2], [1, 0]].get(job).copied().unwrap_or([0, 0]), "job {job}");
            index.remove_set(&ns, &a, NodeId(0));
            index.remove_set(&ns, &b, NodeId(1));
            index.remove_set(&ns, &b, NodeId(1));
        }
        assert!(index.all().is_empty());
        assert!(index.groups.len() <= 2, "slots are used again: {} groups", index.groups.len());
        assert!(index.by_labels.is_empty());
        let by_key = &index.by_label["default"];
        assert!(by_key.get("job-name").is_none() && by_key.get("app").is_none(), "{by_key:?}");
        assert!(index.by_namespace["default"].is_empty());
    }
}
