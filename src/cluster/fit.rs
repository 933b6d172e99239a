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

    /// NodeResourcesFit for a pod requesting only cpu and memory: the common case,
    /// checked first (a `false` for a resource not requested is settled by `misfits`).
    #[inline]
    pub fn fits(&self, cpu: i64, memory: i64) -> bool {
        self.free_pods >= 1
            && cpu <= self.allocatable_cpu - self.requested_cpu
            && memory <= self.allocatable_memory - self.requested_memory
    }

    /// NodeResourcesFit's verdict for a pod requesting only cpu and memory, as the
    /// filter words it (`filter::fits`: the pod count, then each requested resource in
    /// index order, a resource not requested never failing): bit 0 too many pods, bit 1
    /// insufficient cpu, bit 2 insufficient memory; 0 when the node fits.
    #[inline]
    pub fn misfits(&self, cpu: i64, memory: i64) -> u8 {
        u8::from(self.free_pods < 1)
            | u8::from(cpu != 0 && cpu > self.allocatable_cpu - self.requested_cpu) << 1
            | u8::from(memory != 0 && memory > self.allocatable_memory - self.requested_memory) << 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `fit_test.go`'s NodeResourcesFit cases on a node of 10 cpu, 20 memory, 32 pods
    /// (allocated 5 cpu, 19 memory where the case has a pod there).
    #[test]
    fn misfits_word_the_resources_filter() {
        let row = |requested_cpu, requested_memory, free_pods| FitRow {
            allocatable_cpu: 10,
            allocatable_memory: 20,
            requested_cpu,
            requested_memory,
            free_pods,
            ..FitRow::default()
        };
        // "no resources requested always fits"
        assert_eq!(row(10, 20, 32).misfits(0, 0), 0);
        // "too many resources fails": 1 cpu, 1 memory on a full node
        assert_eq!(row(10, 20, 32).misfits(1, 1), 0b110);
        // "too many resources fails due to init container cpu": 3 cpu beside 8
        assert_eq!(row(8, 19, 32).misfits(3, 1), 0b010);
        // "equal edge case": 5 cpu, 1 memory beside 5 / 19
        assert_eq!(row(5, 19, 32).misfits(5, 1), 0);
        // a node at its pod count
        assert_eq!(row(0, 0, 0).misfits(1, 1), 0b001);
        // a request of none of a resource never fails, even on an overcommitted node
        assert_eq!(row(11, 0, 1).misfits(0, 1), 0);
        assert!(!row(11, 0, 1).fits(0, 1), "the quick check leaves this case to misfits");
    }

    #[test]
    fn a_row_is_one_cache_line() {
        assert_eq!(std::mem::size_of::<FitRow>(), 64);
    }
}
