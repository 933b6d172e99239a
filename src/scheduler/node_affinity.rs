//! NodeAffinity's PreFilter result (`PreFilter` in
//! `pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go`): when every required
//! node-affinity term names its nodes (`matchFields` on `metadata.name` with `In`, as
//! each DaemonSet pod does for its node), the pod can run only there, and
//! `findNodesThatFitPod` (`pkg/scheduler/schedule_one.go`) filters those nodes alone
//! instead of walking the cluster. The Filter itself (`filter::check`) is unchanged: the
//! named nodes still have to match every term.

use crate::api::pod::PodSpec;
use crate::cluster::{Cluster, NodeId};
use crate::labels::NodeSelectorOperator;
use std::collections::BTreeSet;
use std::sync::Arc;

/// `errReasonConflict`: PreFilter's refusal (`UnschedulableAndUnresolvable`) of a pod
/// whose every term names nodes and no term's requirements name a node in common.
pub const CONFLICT: &str = "pod affinity terms conflict";

/// What `FitError` counts for the nodes a PreFilter result leaves out, in Kubernetes
/// 1.`minor`: since 1.32 (`NodeToStatus` and its absent nodes' status, kubernetes#126022)
/// each counts once with the words naming the plugins that narrowed the walk
/// (NodeAffinity alone here); in 1.31 they have no status, so the message counts only
/// the nodes walked (the preemption message still counts them, as not helped).
pub fn left_out_words(minor: u32) -> Option<&'static str> {
    (minor >= 32).then_some("node(s) didn't satisfy plugin(s) [NodeAffinity]")
}

/// The nodes the pod's required terms name, sorted, or `None`: every node (the pod has
/// no required terms, or a term without a name requirement). An empty list: the terms
/// conflict.
pub type NodeNames = Option<Arc<[Box<str>]>>;

/// `PreFilterResult.NodeNames`: a term's name requirements are ANDed (the intersection
/// of their values), the terms ORed (the union of the terms' sets).
pub fn node_names(spec: &PodSpec) -> NodeNames {
    let required =
        spec.affinity.as_ref()?.node_affinity.as_ref()?.required_during_scheduling_ignored_during_execution.as_ref()?;
    if required.node_selector_terms.is_empty() {
        return None;
    }
    let mut names = BTreeSet::new();
    for term in &required.node_selector_terms {
        let mut named: Option<BTreeSet<&str>> = None;
        for r in term.match_fields.iter().filter(|r| r.key == "metadata.name" && r.operator == NodeSelectorOperator::In)
        {
            let values = r.values.iter().map(String::as_str).collect();
            named = Some(match named {
                None => values,
                Some(before) => before.intersection(&values).copied().collect(),
            });
        }
        // A term that names no node lets every node through: the terms are ORed.
        names.extend(named?);
    }
    Some(names.into_iter().map(Box::from).collect())
}

/// The nodes of the scheduler's list (`nodes`, in the cache's order, which is the
/// order of node ids) that `names` names, in that order. Upstream walks them in the
/// order of a Go map, which is random; the order matters only for which of several
/// equally scored nodes `selectHost` takes, which is a draw anyway. A name no node in
/// the list has is left out (`nodeInfoSnapshot.Get` fails for it).
pub fn named_nodes(names: &[Box<str>], cluster: &Cluster, nodes: &[NodeId]) -> Vec<NodeId> {
    let mut found: Vec<NodeId> = names
        .iter()
        .filter_map(|name| cluster.node_by_name.get(&**name).copied())
        .filter(|id| nodes.binary_search(id).is_ok())
        .collect();
    found.sort_unstable();
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::Value;

    /// A PreFilter case of `node_affinity_test.go` (`testdata/scheduler/node_affinity.json`).
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Case {
        name: String,
        spec: Value,
        /// `wantPreFilterResult.NodeNames`; absent: every node.
        want_node_names: Option<Vec<String>>,
        /// `wantPreFilterStatus`: `UnschedulableAndUnresolvable` with `errReasonConflict`.
        #[serde(default)]
        want_conflict: bool,
    }

    #[test]
    fn prefilter_results_match_kubernetes_cases() {
        let table = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/scheduler/node_affinity.json"));
        let cases: Vec<Case> = crate::scheduler::cycle::testing::cases_of(table, "prefilter");
        for case in &cases {
            let spec: PodSpec = serde_json::from_value(case.spec.clone()).unwrap();
            let got = node_names(&spec);
            let got = got.as_deref().map(|names| names.iter().map(|n| n.to_string()).collect::<Vec<_>>());
            if case.want_conflict {
                assert_eq!(got, Some(Vec::new()), "{}: the terms conflict", case.name);
            } else {
                assert_eq!(got, case.want_node_names, "{}", case.name);
            }
        }
        assert_eq!(cases.len(), 13);
        assert!(cases.iter().any(|c| c.want_conflict) && cases.iter().any(|c| c.want_node_names.is_some()));
    }
}
