//! The scheduler's packed view of each node: what NodeResourcesFit, LeastAllocated and
//! BalancedAllocation read, one cache line per node, in a table indexed by node id.
//!
//! At 5,000 nodes kube-scheduler's rule examines 500 nodes for every pod; reading them
//! from [`Node`] (names, labels, maps, resource vectors behind pointers) costs several
//! cache misses each. The table is the same numbers laid out for that loop (like
//! kube-scheduler's snapshot of NodeInfos). It is refreshed from the node whenever the
//! node's resources, taints or schedulability change, and the invariant checker
//! compares the two.

use super::Node;
use super::resources::{CPU, MEMORY};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(align(64))]
pub struct FitRow {
    pub allocatable_cpu: i64,
    pub allocatable_memory: i64,
    /// Σ requests of the pods counted on the node.
    pub requested_cpu: i64,
    pub requested_memory: i64,
    /// Σ non-zero requests (the defaults for pods without requests), for LeastAllocated.
    pub nonzero_cpu: i64,
    pub nonzero_memory: i64,
    /// Pods the node can still take.
    pub free_pods: i64,
    /// Bumped at every refresh (never 0): scores computed from an older row are stale.
    pub version: u32,
    /// The node has taints (TaintToleration's score can tell it apart).
    pub tainted: bool,
    /// No taint, not cordoned, in the cluster: only NodeResourcesFit (and the filters
    /// on the pod's own terms) can reject a pod here.
    pub plain: bool,
}

impl FitRow {
    pub fn of(node: &Node) -> FitRow {
        FitRow {
            allocatable_cpu: node.allocatable.get(CPU),
            allocatable_memory: node.allocatable.get(MEMORY),
            requested_cpu: node.requested.get(CPU),
            requested_memory: node.requested.get(MEMORY),
            nonzero_cpu: node.nonzero_cpu,
            nonzero_memory: node.nonzero_memory,
            free_pods: node.allocatable_pods - node.pod_count(),
            version: 0,
            tainted: !node.taints.is_empty(),
            plain: node.present && !node.unschedulable && node.taints.is_empty(),
        }
    }

    /// NodeResourcesFit for a pod requesting only cpu and memory.
    #[inline]
    pub fn fits(&self, cpu: i64, memory: i64) -> bool {
        self.free_pods >= 1
            && cpu <= self.allocatable_cpu - self.requested_cpu
            && memory <= self.allocatable_memory - self.requested_memory
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_is_one_cache_line() {
        assert_eq!(std::mem::size_of::<FitRow>(), 64);
    }
}
