//! What the plugins that look at other pods (PodTopologySpread, InterPodAffinity) compute
//! once per scheduling cycle, as kube-scheduler's PreFilter and PreScore do, and the
//! read-only view of the cluster they compute it from.
//!
//! The plugins are pure functions over a [`ClusterView`]: the simulation gives them its
//! nodes and the pods holding them ([`SimView`]); the table tests give them a cluster
//! read from JSON. A pod without spread constraints or pod (anti-)affinity, in a cluster
//! where no bound pod has pod (anti-)affinity, costs nothing here: both plugins skip.

use super::filter::Reason;
use super::interpod_affinity::{self, Rules};
use super::topology_spread::{self, Constraint};
use crate::api::node::Taint;
use crate::api::pod::Toleration;
use crate::cluster::template::PodTemplate;
use crate::cluster::topology::Domains;
use crate::cluster::{Cluster, NodeId, Pod};
use crate::labels::Selector;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A bound pod as the plugins read it.
#[derive(Clone, Copy, Debug)]
pub struct PodView<'a> {
    pub namespace: &'a str,
    pub labels: &'a BTreeMap<String, String>,
    /// It has a deletion timestamp (PodTopologySpread does not count it).
    pub terminating: bool,
    /// Its compiled pod affinity and anti-affinity, if any.
    pub affinity: Option<&'a Rules>,
}

/// The scheduler's snapshot of the cluster: nodes, their labels and taints, the pods on
/// them, and the namespaces.
pub trait ClusterView {
    type Node: Copy;
    /// Every node in the snapshot.
    fn nodes(&self) -> impl Iterator<Item = Self::Node>;
    fn labels(&self, node: Self::Node) -> &BTreeMap<String, String>;
    fn name(&self, node: Self::Node) -> &str;
    fn taints(&self, node: Self::Node) -> &[Taint];
    /// The pods on the node.
    fn pods(&self, node: Self::Node) -> impl Iterator<Item = PodView<'_>>;
    /// The pods on nodes of the snapshot that have pod affinity or anti-affinity terms
    /// (kube-scheduler's `PodsWithAffinity`), with their node.
    fn affinity_pods(&self) -> impl Iterator<Item = (Self::Node, PodView<'_>)>;
    /// Every namespace's name.
    fn namespaces(&self) -> impl Iterator<Item = &str>;
    /// A namespace's labels.
    fn namespace_labels(&self, namespace: &str) -> BTreeMap<String, String>;
    /// The node's place in the tables `matching_per_node` returns.
    fn slot(&self, node: Self::Node) -> usize;
    /// The nodes' values of a label key, numbered, by slot.
    fn domains(&self, key: &str) -> &Domains;
    /// The pods of `namespace`, not terminating, that `selector` matches, per node
    /// slot, when the view keeps an index of them (`None`: count each node's pods).
    fn matching_per_node(&self, _selector: &Selector, _namespace: &str) -> Option<Vec<i64>> {
        None
    }
    /// The same, given to `f` for each node of the view with at least one such pod, in
    /// no set order; `false` (and `f` not called) when the view keeps no index.
    fn for_each_matching_node(&self, _selector: &Selector, _namespace: &str, _f: impl FnMut(Self::Node, i64)) -> bool {
        false
    }
}

/// The pod being scheduled.
#[derive(Clone, Copy)]
pub struct Incoming<'a> {
    pub namespace: &'a str,
    pub labels: &'a BTreeMap<String, String>,
    pub template: &'a PodTemplate,
    pub tolerations: &'a [Toleration],
}

/// The plugins' PreFilter state for one pod; `None` where the plugin skipped.
#[derive(Debug, Default)]
pub struct Cycle {
    spread: Option<topology_spread::FilterState>,
    affinity: Option<interpod_affinity::FilterState>,
}

impl Cycle {
    /// PreFilter of both plugins; `None` when both skip, so the per-node loop of a pod
    /// that uses neither tests one `Option` and calls nothing. Once per cycle, and kept
    /// out of line so it does not change how the per-node loops around it are inlined.
    #[inline(never)]
    pub fn prefilter<V: ClusterView>(view: &V, pod: &Incoming) -> Option<Cycle> {
        let cycle = Cycle {
            spread: topology_spread::prepare_filter(view, pod),
            affinity: interpod_affinity::prepare_filter(view, pod),
        };
        (cycle.spread.is_some() || cycle.affinity.is_some()).then_some(cycle)
    }

    /// Filter of both plugins, in kube-scheduler's order; the first failure is kept.
    pub fn filter(&self, labels: &BTreeMap<String, String>, out: &mut Vec<Reason>) -> bool {
        let spread = self.spread.as_ref().map_or(Ok(()), |s| s.filter(labels));
        match spread.and_then(|()| self.affinity.as_ref().map_or(Ok(()), |a| a.filter(labels))) {
            Ok(()) => true,
            Err(reason) => {
                out.push(reason);
                false
            }
        }
    }

    /// PreScore, Score and NormalizeScore of both plugins over the feasible nodes,
    /// weighted: what each node adds to its total. Empty when both plugins skip, and with
    /// one feasible node, which kube-scheduler picks without scoring. Out of line, as
    /// `prefilter`. `weights`: PodTopologySpread's and InterPodAffinity's in the profile
    /// (0: disabled).
    #[inline(never)]
    /// `defaults`: the system default spread constraints (from what selects the pod),
    /// built only when they can apply (see `default_selector.rs`).
    pub fn scores<V: ClusterView>(
        view: &V,
        pod: &Incoming,
        feasible: &[V::Node],
        weights: (i64, i64),
        defaults: impl FnOnce() -> Option<Arc<[Constraint]>>,
    ) -> Vec<i64> {
        let mut total = Vec::new();
        if feasible.len() < 2 {
            return total;
        }
        let (spread_weight, affinity_weight) = weights;
        let defaults = if spread_weight > 0 && pod.template.spec.topology_spread_constraints.is_empty() {
            defaults()
        } else {
            None
        };
        if spread_weight > 0
            && let Some(state) = topology_spread::prepare_score(view, pod, feasible, defaults.as_deref())
        {
            add_weighted(&mut total, &state.normalized(view, feasible), spread_weight);
        }
        if affinity_weight > 0
            && let Some(state) = interpod_affinity::prepare_score(view, pod)
        {
            add_weighted(&mut total, &state.normalized(view, feasible), affinity_weight);
        }
        total
    }
}

/// Adds `weight · scores` to `total`, which starts empty (all zeros).
fn add_weighted(total: &mut Vec<i64>, scores: &[i64], weight: i64) {
    total.resize(scores.len(), 0);
    for (t, s) in total.iter_mut().zip(scores) {
        *t += weight * s;
    }
}

/// The simulation's cluster as the plugins see it: the nodes in the scheduler's list.
pub struct SimView<'a> {
    pub cluster: &'a Cluster,
    pub nodes: &'a [NodeId],
}

/// A pod of the simulation as the plugins read it.
pub(crate) fn pod_view(pod: &Pod) -> PodView<'_> {
    PodView {
        namespace: &pod.namespace,
        labels: &pod.labels,
        terminating: pod.deletion.is_some(),
        affinity: pod.template.pod_affinity.as_ref(),
    }
}

/// The label every namespace carries (`kubernetes.io/metadata.name`); podsim's
/// namespaces have no other.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

impl ClusterView for SimView<'_> {
    type Node = NodeId;

    fn slot(&self, node: NodeId) -> usize {
        node.0 as usize
    }

    fn domains(&self, key: &str) -> &Domains {
        self.cluster.topology.key(key)
    }

    fn matching_per_node(&self, selector: &Selector, namespace: &str) -> Option<Vec<i64>> {
        let mut counts = vec![0; self.cluster.nodes.len()];
        self.cluster.spread_index().count_matching(selector, namespace, &mut counts);
        Some(counts)
    }

    /// The view's nodes are the nodes present (the scheduler's list follows the
    /// cluster's; the invariant checker compares them).
    fn for_each_matching_node(&self, selector: &Selector, namespace: &str, mut f: impl FnMut(NodeId, i64)) -> bool {
        self.cluster.spread_index().for_each_matching(selector, namespace, |node, n| {
            if self.cluster.node(node).present {
                f(node, n);
            }
        });
        true
    }

    fn nodes(&self) -> impl Iterator<Item = NodeId> {
        self.nodes.iter().copied()
    }

    fn labels(&self, node: NodeId) -> &BTreeMap<String, String> {
        &self.cluster.node(node).labels
    }

    fn name(&self, node: NodeId) -> &str {
        &self.cluster.node(node).name
    }

    fn taints(&self, node: NodeId) -> &[Taint] {
        &self.cluster.node(node).taints
    }

    fn pods(&self, node: NodeId) -> impl Iterator<Item = PodView<'_>> {
        self.cluster.node(node).pods.iter().filter_map(|id| self.cluster.pods.get(*id)).map(pod_view)
    }

    fn affinity_pods(&self) -> impl Iterator<Item = (NodeId, PodView<'_>)> {
        self.cluster.affinity_pods.iter().filter_map(|id| {
            let pod = self.cluster.pods.get(*id)?;
            let node = pod.node.filter(|n| self.cluster.node(*n).present)?;
            Some((node, pod_view(pod)))
        })
    }

    fn namespaces(&self) -> impl Iterator<Item = &str> {
        self.cluster.namespaces.iter().map(|n| &**n)
    }

    fn namespace_labels(&self, namespace: &str) -> BTreeMap<String, String> {
        BTreeMap::from([(NAMESPACE_NAME_LABEL.to_string(), namespace.to_string())])
    }
}

/// A cluster read from the JSON of the table tests (`testdata/scheduler/`), in the shape
/// of the upstream tests' `st.MakeNode()` / `st.MakePod()`.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::api::pod::PodSpec;
    use crate::cluster::Images;
    use crate::cluster::resources::ResourceNames;
    use crate::cluster::topology::Topology;
    use serde::Deserialize;

    #[derive(Deserialize)]
    pub struct TestNode {
        pub name: String,
        #[serde(default)]
        pub labels: BTreeMap<String, String>,
        #[serde(default)]
        pub taints: Vec<Taint>,
    }

    #[derive(Deserialize)]
    pub struct TestPod {
        #[serde(default)]
        pub namespace: String,
        #[serde(default)]
        pub labels: BTreeMap<String, String>,
        #[serde(default)]
        pub node: String,
        #[serde(default)]
        pub terminating: bool,
        #[serde(default)]
        pub spec: PodSpec,
    }

    /// One test's cluster: `nodes` are the snapshot (in order), pods on other nodes are
    /// not in it, as upstream's `cache.NewSnapshot` leaves them out.
    pub struct TestView {
        pub nodes: Vec<TestNode>,
        pub pods: Vec<(TestPod, PodTemplate)>,
        pub namespaces: BTreeMap<String, BTreeMap<String, String>>,
        topology: Topology,
    }

    pub fn template(spec: &PodSpec) -> PodTemplate {
        PodTemplate::compile(
            Arc::new(spec.clone()),
            &mut ResourceNames::default(),
            &mut Images::default(),
            Default::default(),
        )
    }

    impl TestPod {
        /// The pod as the scheduler sees it, with `template` compiled from its spec.
        pub fn incoming<'a>(&'a self, template: &'a PodTemplate) -> Incoming<'a> {
            Incoming {
                namespace: &self.namespace,
                labels: &self.labels,
                template,
                tolerations: &template.spec.tolerations,
            }
        }
    }

    /// The cases of `group` in a table file of `testdata/scheduler/`.
    pub fn cases_of<T: serde::de::DeserializeOwned>(table: &str, group: &str) -> Vec<T> {
        let all: serde_json::Value = serde_json::from_str(table).unwrap();
        serde_json::from_value(all[group].clone()).unwrap()
    }

    impl TestView {
        pub fn new(
            nodes: Vec<TestNode>,
            pods: Vec<TestPod>,
            namespaces: BTreeMap<String, BTreeMap<String, String>>,
        ) -> TestView {
            let pods = pods
                .into_iter()
                .map(|p| {
                    let t = template(&p.spec);
                    (p, t)
                })
                .collect();
            let topology = Topology::of(nodes.iter().map(|n| &n.labels));
            TestView { nodes, pods, namespaces, topology }
        }

        pub fn index(&self, name: &str) -> usize {
            self.nodes.iter().position(|n| n.name == name).unwrap_or(usize::MAX)
        }

        fn view((p, t): &(TestPod, PodTemplate)) -> PodView<'_> {
            PodView {
                namespace: &p.namespace,
                labels: &p.labels,
                terminating: p.terminating,
                affinity: t.pod_affinity.as_ref(),
            }
        }
    }

    impl ClusterView for TestView {
        type Node = usize;

        fn slot(&self, node: usize) -> usize {
            node
        }

        fn domains(&self, key: &str) -> &Domains {
            self.topology.key(key)
        }

        fn nodes(&self) -> impl Iterator<Item = usize> {
            0..self.nodes.len()
        }

        fn labels(&self, node: usize) -> &BTreeMap<String, String> {
            &self.nodes[node].labels
        }

        fn name(&self, node: usize) -> &str {
            &self.nodes[node].name
        }

        fn taints(&self, node: usize) -> &[Taint] {
            &self.nodes[node].taints
        }

        fn pods(&self, node: usize) -> impl Iterator<Item = PodView<'_>> {
            let name = &self.nodes[node].name;
            self.pods.iter().filter(move |(p, _)| p.node == *name).map(Self::view)
        }

        fn affinity_pods(&self) -> impl Iterator<Item = (usize, PodView<'_>)> {
            self.pods
                .iter()
                .filter(|(_, t)| t.pod_affinity.is_some())
                .filter_map(|pt| Some((self.nodes.iter().position(|n| n.name == pt.0.node)?, Self::view(pt))))
        }

        fn namespaces(&self) -> impl Iterator<Item = &str> {
            self.namespaces.keys().map(String::as_str)
        }

        fn namespace_labels(&self, namespace: &str) -> BTreeMap<String, String> {
            self.namespaces.get(namespace).cloned().unwrap_or_default()
        }
    }
}
