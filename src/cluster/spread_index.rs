//! The pods on each node grouped by namespace and label set, so that PodTopologySpread
//! counts the pods a selector matches without reading every pod of the cluster each
//! cycle. The counts are exactly what `countPodsMatchSelector` would find on the nodes'
//! pod lists (pods holding the node, not terminating); the invariant checker compares
//! them with a recount.
//!
//! Groups are found by hashes of their content (the label set; each label), kept in
//! ordered sets of (hash, group): most label sets are a Job's or a pod's own
//! (`controller-uid`, `job-name`), so a group is made and dropped for nearly every pod of
//! a CronJob fleet, and doing that through maps keyed by the strings themselves (copied
//! into the maps, compared whole on every step of a search) was a tenth of such a run.
//! Two contents may share a hash: a look-up compares the group's own labels.
//!
//! The index is built the first time a scheduling cycle asks for counts (`Lazy`), from
//! the pods then holding nodes, and kept from then on. Most runs never ask: only a pod
//! with spread constraints, with default constraints (a Service, ReplicaSet or
//! StatefulSet selects it) or with pod affinity terms reads it, and keeping it for a
//! CronJob fleet whose every pod is a label set of its own was an eighth of the run.

use super::names::content_hash as hash_of;
use super::slab::{Id, Slab};
use super::{NodeId, Pod};
use crate::labels::Selector;
use std::cell::{Ref, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

type Labels = Arc<BTreeMap<String, String>>;

/// Pods of one namespace with one label set, counted per node.
struct Group {
    namespace: Arc<str>,
    labels: Labels,
    /// Pods per node (nodes with none are absent).
    nodes: BTreeMap<NodeId, u32>,
    /// The group's labels in `SpreadIndex::labels`, in the label set's order.
    pairs: Vec<Id>,
}

/// Pods of one namespace with one label (of any label set), counted per node: what a
/// selector of one label counts. A StatefulSet's pods are each a label set of their own
/// (`statefulset.kubernetes.io/pod-name`), and reading every group for its selector was
/// four fifths of a 2,000-pod set's rolling update.
struct Label {
    /// Its key in `by_pair`.
    hash: u64,
    namespace: Arc<str>,
    key: String,
    value: String,
    /// Groups with the label: the entry lives while one does.
    groups: u32,
    /// Pods per node (nodes with none are absent).
    nodes: BTreeMap<NodeId, u32>,
}

#[derive(Default)]
pub struct SpreadIndex {
    /// The groups. A group lives only while it counts pods (its slot is used again),
    /// and a month of CronJobs makes a million label sets.
    groups: Slab<Group>,
    /// (hash of namespace and label set, group).
    by_labels: BTreeSet<(u64, Id)>,
    /// (hash of namespace, label key and value, group) for each label of each group: a
    /// selector that pins a label (every default selector does) reads only those.
    by_label: BTreeSet<(u64, Id)>,
    /// (hash of namespace, group): every group of a namespace, for selectors that pin
    /// no label.
    by_namespace: BTreeSet<(u64, Id)>,
    /// Every label of a group, while a group has it.
    labels: Slab<Label>,
    /// (hash of namespace, label key and value, label).
    by_pair: BTreeSet<(u64, Id)>,
}

/// A `SpreadIndex` built when first read. Reads take `&self` (the scheduler's view of
/// the cluster is shared), so the index sits in a cell; changes take `&mut self` and
/// reach it without a check.
#[derive(Default)]
pub struct Lazy {
    built: RefCell<Option<SpreadIndex>>,
}

impl Lazy {
    /// The pod now counts on `node` (bound, not terminating).
    pub fn add(&mut self, pod: &Pod, node: NodeId) {
        self.if_built(|index| index.add(pod, node));
    }

    /// The pod no longer counts on `node` (it left it, or is terminating).
    pub fn remove(&mut self, pod: &Pod, node: NodeId) {
        self.if_built(|index| index.remove(pod, node));
    }

    /// A change to the index, if it was built (until then there is nothing to keep).
    fn if_built(&mut self, change: impl FnOnce(&mut SpreadIndex)) {
        if let Some(index) = self.built.get_mut() {
            change(index);
        }
    }

    /// The index, built from `counted` (the namespace, labels and node of each pod
    /// holding a node and not terminating) if this is the first read.
    pub fn get<'p, I>(&self, counted: impl FnOnce() -> I) -> Ref<'_, SpreadIndex>
    where
        I: Iterator<Item = (&'p Arc<str>, &'p Labels, NodeId)>,
    {
        if self.built.borrow().is_none() {
            let mut index = SpreadIndex::default();
            for (namespace, labels, node) in counted() {
                index.add_set(namespace, labels, node);
            }
            *self.built.borrow_mut() = Some(index);
        }
        Ref::map(self.built.borrow(), |built| built.as_ref().expect("built above"))
    }
}

/// One pod fewer on `node` in `nodes`; `false` if it had none.
fn one_less(nodes: &mut BTreeMap<NodeId, u32>, node: NodeId) -> bool {
    let Some(n) = nodes.get_mut(&node) else { return false };
    *n -= 1;
    if *n == 0 {
        nodes.remove(&node);
    }
    true
}

/// The groups filed under `hash` in `set`.
fn filed(set: &BTreeSet<(u64, Id)>, hash: u64) -> impl Iterator<Item = Id> + '_ {
    let (first, last) = (Id { index: 0, generation: 0 }, Id { index: u32::MAX, generation: u32::MAX });
    set.range((hash, first)..=(hash, last)).map(|&(_, g)| g)
}

impl SpreadIndex {
    /// The group of (namespace, labels) with its content hash, if there is one.
    fn find(&self, namespace: &str, labels: &Labels) -> (u64, Option<Id>) {
        let hash = hash_of((namespace, &**labels));
        let found = filed(&self.by_labels, hash).find(|&g| {
            self.groups.get(g).is_some_and(|group| {
                *group.namespace == *namespace && (Arc::ptr_eq(&group.labels, labels) || group.labels == *labels)
            })
        });
        (hash, found)
    }

    fn group(&mut self, namespace: &Arc<str>, labels: &Labels) -> Id {
        let (hash, found) = self.find(namespace, labels);
        if let Some(g) = found {
            return g;
        }
        let g = self.groups.insert(Group {
            namespace: namespace.clone(),
            labels: labels.clone(),
            nodes: BTreeMap::new(),
            pairs: Vec::with_capacity(labels.len()),
        });
        self.by_labels.insert((hash, g));
        for (k, v) in labels.iter() {
            // One hash of (namespace, key, value) files both the label and its groups.
            let (pair_hash, l) = self.label(namespace, k, v);
            self.by_label.insert((pair_hash, g));
            if let Some(group) = self.groups.get_mut(g) {
                group.pairs.push(l);
            }
        }
        self.by_namespace.insert((hash_of(&**namespace), g));
        g
    }

    /// Forgets group `g` (filed under `hash`), which counts no pod any more; its slot is
    /// used again.
    fn drop_group(&mut self, hash: u64, g: Id) {
        let Some(Group { namespace, pairs, .. }) = self.groups.remove(g) else { return };
        self.by_labels.remove(&(hash, g));
        self.by_namespace.remove(&(hash_of(&*namespace), g));
        for l in pairs {
            let Some(label) = self.labels.get_mut(l) else { continue };
            self.by_label.remove(&(label.hash, g));
            label.groups -= 1;
            if label.groups == 0 {
                self.by_pair.remove(&(label.hash, l));
                self.labels.remove(l);
            }
        }
    }

    /// The label (namespace, key, value) with its content hash, if some group has it.
    fn find_label(&self, namespace: &str, key: &str, value: &str) -> (u64, Option<Id>) {
        let hash = hash_of((namespace, key, value));
        let found = filed(&self.by_pair, hash).find(|&l| {
            self.labels
                .get(l)
                .is_some_and(|label| *label.namespace == *namespace && label.key == key && label.value == value)
        });
        (hash, found)
    }

    /// The label's hash and slot, made if no group had it, counted for one more group.
    fn label(&mut self, namespace: &Arc<str>, key: &str, value: &str) -> (u64, Id) {
        let (hash, found) = self.find_label(namespace, key, value);
        let l = found.unwrap_or_else(|| {
            let l = self.labels.insert(Label {
                hash,
                namespace: namespace.clone(),
                key: key.to_string(),
                value: value.to_string(),
                groups: 0,
                nodes: BTreeMap::new(),
            });
            self.by_pair.insert((hash, l));
            l
        });
        if let Some(label) = self.labels.get_mut(l) {
            label.groups += 1;
        }
        (hash, l)
    }

    /// The pod now counts on `node` (bound, not terminating).
    pub fn add(&mut self, pod: &Pod, node: NodeId) {
        self.add_set(&pod.namespace, &pod.labels, node);
    }

    fn add_set(&mut self, namespace: &Arc<str>, labels: &Labels, node: NodeId) {
        let g = self.group(namespace, labels);
        let Some(group) = self.groups.get_mut(g) else { return };
        *group.nodes.entry(node).or_default() += 1;
        for &l in &group.pairs {
            if let Some(label) = self.labels.get_mut(l) {
                *label.nodes.entry(node).or_default() += 1;
            }
        }
    }

    /// The pod no longer counts on `node` (it left it, or is terminating).
    pub fn remove(&mut self, pod: &Pod, node: NodeId) {
        self.remove_set(&pod.namespace, &pod.labels, node);
    }

    fn remove_set(&mut self, namespace: &Arc<str>, labels: &Labels, node: NodeId) {
        let (hash, Some(g)) = self.find(namespace, labels) else { return };
        let Some(Group { nodes, pairs, .. }) = self.groups.get_mut(g) else { return };
        if !one_less(nodes, node) {
            return;
        }
        for &l in pairs.iter() {
            if let Some(label) = self.labels.get_mut(l) {
                one_less(&mut label.nodes, node);
            }
        }
        if nodes.is_empty() {
            self.drop_group(hash, g);
        }
    }

    /// Adds to `counts` (indexed by node) the pods of `namespace` that `selector`
    /// matches; an empty selector counts none, as upstream.
    pub fn count_matching(&self, selector: &Selector, namespace: &str, counts: &mut [i64]) {
        self.for_each_matching(selector, namespace, |node, n| counts[node.0 as usize] += n);
    }

    /// Calls `f(node, pods)` for each group's count on a node (a node may come more
    /// than once, once per matching label set; in no particular order). A selector of
    /// one label reads that label's counts (each node once).
    pub fn for_each_matching(&self, selector: &Selector, namespace: &str, mut f: impl FnMut(NodeId, i64)) {
        if selector.is_empty() || selector.matches_nothing() {
            return;
        }
        if let Some((key, value)) = selector.as_one_label() {
            let (_, found) = self.find_label(namespace, key, value);
            if let Some(label) = found.and_then(|l| self.labels.get(l)) {
                label.nodes.iter().for_each(|(node, n)| f(*node, i64::from(*n)));
            }
            return;
        }
        let pinned = selector.requirements().iter().find_map(|r| {
            let key = r.key();
            selector.requires_exact_match(key).map(|v| (key, v))
        });
        let candidates = match pinned {
            Some((k, v)) => filed(&self.by_label, hash_of((namespace, k, v))),
            None => filed(&self.by_namespace, hash_of(namespace)),
        };
        for g in candidates {
            let Some(group) = self.groups.get(g) else { continue };
            // Another content may share the hash: the namespace and the selector decide.
            if group.nodes.is_empty() || *group.namespace != *namespace || !selector.matches(&group.labels) {
                continue;
            }
            for (node, n) in &group.nodes {
                f(*node, i64::from(*n));
            }
        }
    }

    /// Whether each label's counts are the sum of its groups' (and it has as many groups
    /// as it counts), for the invariant checker.
    pub fn labels_agree(&self) -> bool {
        let mut sums: BTreeMap<Id, (u32, BTreeMap<NodeId, u32>)> = BTreeMap::new();
        for (_, group) in self.groups.iter() {
            for &l in &group.pairs {
                let sum = sums.entry(l).or_default();
                sum.0 += 1;
                for (node, n) in &group.nodes {
                    *sum.1.entry(*node).or_default() += n;
                }
            }
        }
        sums.len() == self.labels.len()
            && self.labels.iter().all(|(l, label)| sums.get(&l) == Some(&(label.groups, label.nodes.clone())))
    }

    /// Every (namespace, label set, node) count, for the invariant checker.
    pub fn all(&self) -> BTreeMap<(Arc<str>, Labels, NodeId), u32> {
        let mut out = BTreeMap::new();
        for (_, group) in self.groups.iter() {
            for (node, n) in &group.nodes {
                out.insert((group.namespace.clone(), group.labels.clone(), *node), *n);
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
    fn a_lazy_index_counts_from_its_first_read_on() {
        let mut lazy = Lazy::default();
        let ns: Arc<str> = "default".into();
        let (a, b) = (labels(1), labels(2));
        let app = Selector::parse("app=batch").unwrap();
        // Changes before the first read are not kept: the read counts the pods then.
        lazy.if_built(|index| index.add_set(&ns, &a, NodeId(0)));
        assert!(lazy.built.borrow().is_none());
        let pods = [(&ns, &a, NodeId(0)), (&ns, &b, NodeId(1)), (&ns, &b, NodeId(1))];
        let mut counts = vec![0; 2];
        lazy.get(|| pods.iter().copied()).count_matching(&app, "default", &mut counts);
        assert_eq!(counts, [1, 2]);
        // From then on every change counts, and the pods are not read again.
        lazy.if_built(|index| index.remove_set(&ns, &b, NodeId(1)));
        lazy.if_built(|index| index.add_set(&ns, &a, NodeId(1)));
        let mut counts = vec![0; 2];
        lazy.get(|| -> std::iter::Empty<_> { unreachable!("built once") }).count_matching(&app, "default", &mut counts);
        assert_eq!(counts, [1, 2]);
        let mut counts = vec![0; 2];
        let job_2 = Selector::parse("job-name=job-2").unwrap();
        lazy.get(std::iter::empty).count_matching(&job_2, "default", &mut counts);
        assert_eq!(counts, [0, 1]);
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
        assert!(index.groups.slots() <= 2, "slots are used again: {} groups", index.groups.slots());
        assert!(index.by_labels.is_empty() && index.by_label.is_empty() && index.by_namespace.is_empty());
        assert!(index.by_pair.is_empty() && index.labels.len() == 0, "labels are forgotten too");
        assert!(index.labels.slots() <= 8, "label slots are used again: {}", index.labels.slots());
        assert!(index.groups.len() == 0, "dropped groups hold no labels");
    }

    /// Pods of label sets drawn from a few keys and values, in two namespaces, added to
    /// and removed from three nodes at random: every selector counts what a recount of
    /// the pods finds, in its namespace only.
    #[test]
    fn counts_are_those_of_a_recount() {
        let mut index = SpreadIndex::default();
        let namespaces: [Arc<str>; 2] = ["default".into(), "other".into()];
        let sets: Vec<Labels> = (0..12)
            .map(|i| {
                let mut m = BTreeMap::from([("app".to_string(), format!("a{}", i % 3))]);
                if i % 2 == 0 {
                    m.insert("tier".to_string(), format!("t{}", i % 4));
                }
                Arc::new(m)
            })
            .collect();
        let selectors: Vec<Selector> = [
            "app=a0",
            "app=a1,tier=t2",
            "tier in (t0,t2)",
            "app!=a2",
            "tier",
            "!tier",
            "tier in (t2)",
            "app=a1,app==a1",
            "app=a1,app=a2",
        ]
        .iter()
        .map(|s| Selector::parse(s).unwrap())
        .collect();
        // (namespace, set, node) of each pod counted.
        let mut pods: Vec<(usize, usize, u32)> = Vec::new();
        let mut state = 7u64;
        let mut draw = |n: usize| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as usize % n
        };
        for step in 0..3000 {
            if pods.is_empty() || draw(3) > 0 {
                let pod = (draw(2), draw(sets.len()), draw(3) as u32);
                // A copy of the set: equal content in another allocation is the same group.
                let labels = Arc::new((*sets[pod.1]).clone());
                index.add_set(&namespaces[pod.0], &labels, NodeId(pod.2));
                pods.push(pod);
            } else {
                let (ns, set, node) = pods.swap_remove(draw(pods.len()));
                index.remove_set(&namespaces[ns], &sets[set], NodeId(node));
            }
            for selector in &selectors {
                for (n, namespace) in namespaces.iter().enumerate() {
                    let mut counts = vec![0; 3];
                    index.count_matching(selector, namespace, &mut counts);
                    let mut recount = vec![0; 3];
                    for &(ns, set, node) in &pods {
                        if ns == n && selector.matches(&sets[set]) {
                            recount[node as usize] += 1;
                        }
                    }
                    assert_eq!(counts, recount, "step {step}, {selector:?} in {namespace}");
                    assert!(index.labels_agree(), "step {step}");
                }
            }
        }
    }
}
