//! An upper bound on a node's resource scores, so that a node that cannot reach the best
//! total seen so far in `selectHost`'s walk need not be scored at all.
//!
//! Under the default profile a node's total is `w·(LeastAllocated + BalancedAllocation)`
//! (`least_allocated.go`, `balanced_allocation.go`; NodeResourcesFit and
//! BalancedAllocation both of weight `w`, cpu and memory weighted alike). With `x` the
//! share of a resource the node would have requested with the pod (non-zero requests,
//! capped at 1) and `f` the same share of the exact requests (capped at 1, as
//! BalancedAllocation caps it):
//!
//! ```text
//! LeastAllocated     = ⌊(⌊100(1 − x_cpu)⌋ + ⌊100(1 − x_mem)⌋) / 2⌋ ≤ 100 − 50(x_cpu + x_mem)
//! BalancedAllocation = ⌊100(1 − |f_cpu − f_mem| / 2)⌋          ≤ 100 − 50|f_cpu − f_mem| + ε
//! ```
//!
//! where ε (below 10⁻¹³) covers the rounding of Go's float64 arithmetic. A pod's non-zero
//! request is never below its exact one (a default only replaces a missing request), so
//! `x ≥ f`, and the two add up to at most `200 − 100·max(f_cpu, f_mem) + ε`: the fuller
//! resource decides. A node whose fuller resource leaves less than the best total so far
//! loses to it without a tie, and the reservoir draws nothing for a node below the best
//! (`selectHost`), so leaving it unscored changes neither the pick nor the draws.
//!
//! On a lightly loaded cluster the best is an empty node's score, and a node holding
//! pods loses to it by at least its pods' share of the fuller resource: the test below
//! (two multiplications a resource) replaces two integer and two float divisions.

use crate::cluster::fit::FitRow;

/// The bound for one pod, with the best total seen so far.
#[derive(Clone, Debug)]
pub struct ScoreBound {
    /// The weight of both plugins.
    weight: i64,
    /// The pod's exact cpu and memory requests.
    pod: (i64, i64),
    /// A node loses if `100·f ≥ limit` for cpu or memory: 202 (never) until a total is
    /// seen.
    limit: i64,
    /// The best total seen.
    best: i64,
    /// The node size (allocatable cpu and memory) `at` is for; negative: none.
    size: (i64, i64),
    /// The requested cpu and memory from which a node of `size` loses: the test of a row
    /// is then two comparisons (the nodes of a cluster come in a few sizes).
    at: (i64, i64),
}

impl ScoreBound {
    /// For a pod requesting `pod` (exact cpu and memory) with non-zero requests
    /// `nonzero`, scored by the two plugins at `weight` each and nothing else.
    pub fn new(weight: i64, pod: (i64, i64), nonzero: (i64, i64)) -> Option<ScoreBound> {
        // The non-zero requests hold for every pod (`pod_requests`); a pod where they did
        // not would only be scored in full.
        (weight > 0 && nonzero.0 >= pod.0 && nonzero.1 >= pod.1).then_some(ScoreBound {
            weight,
            pod,
            limit: 202,
            best: i64::MIN,
            size: (-1, -1),
            at: (i64::MAX, i64::MAX),
        })
    }

    /// A node scored `total`.
    #[inline]
    pub fn note(&mut self, total: i64) {
        if total > self.best {
            self.best = total;
            // `w·T < best` exactly when `T ≤ ⌈best / w⌉ − 1`, and `T ≤ 200 − 100·max f`
            // (+ε, which cannot lift an integer past the next) is at most that when
            // `100·max f ≥ 201 − ⌈best / w⌉`. Totals are at most 200·w, so the limit is
            // at least 1; kept at most 202 (never) however low a total.
            let needed = (total + self.weight - 1).div_euclid(self.weight);
            self.limit = (201 - needed).clamp(1, 202);
            self.size = (-1, -1);
        }
    }

    /// The node of `row`, which fits the pod, certainly scores below the best so far.
    #[inline]
    pub fn loses(&mut self, row: &FitRow) -> bool {
        let size = (row.allocatable_cpu, row.allocatable_memory);
        if size != self.size {
            self.size = size;
            // A resource the node has none of is left out of both scores: no bound then.
            self.at = match size.0 > 0 && size.1 > 0 {
                true => (self.threshold(size.0, self.pod.0), self.threshold(size.1, self.pod.1)),
                false => (i64::MAX, i64::MAX),
            };
        }
        row.requested_cpu >= self.at.0 || row.requested_memory >= self.at.1
    }

    /// The least a node of `alloc` (positive) must have requested for `100·f ≥ limit`,
    /// with `f = min(requested + pod, alloc) / alloc`. Above 100 no share reaches the
    /// limit; otherwise it is `requested + pod ≥ ⌈limit·alloc / 100⌉` (in 128 bits:
    /// memory in bytes times the limit may not fit in 64).
    fn threshold(&self, alloc: i64, pod: i64) -> i64 {
        if self.limit > 100 {
            return i64::MAX;
        }
        let share = (i128::from(self.limit) * i128::from(alloc) + 99).div_euclid(100);
        (share - i128::from(pod)).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::resources::ResourceNames;
    use crate::engine::{Stream, Streams};
    use crate::scheduler::profile::ScoringStrategy;
    use crate::scheduler::score::{FitScorer, balanced_row};

    /// The total the bound stands for, by the scheduler's own scorers under the default
    /// strategy.
    fn total(weight: i64, pod: (i64, i64), nonzero: (i64, i64), row: &FitRow) -> i64 {
        let fit = least_allocated().score_row(nonzero, row).expect("cpu and memory alone");
        weight * (fit + balanced_row(pod, row))
    }

    /// The default strategy's scorer, compiled once.
    fn least_allocated() -> &'static FitScorer {
        static SCORER: std::sync::OnceLock<FitScorer> = std::sync::OnceLock::new();
        SCORER.get_or_init(|| FitScorer::compile(&ScoringStrategy::default(), &mut ResourceNames::default()))
    }

    fn row(alloc: (i64, i64), requested: (i64, i64), extra: (i64, i64)) -> FitRow {
        FitRow {
            allocatable_cpu: alloc.0,
            allocatable_memory: alloc.1,
            requested_cpu: requested.0,
            requested_memory: requested.1,
            nonzero_cpu: requested.0 + extra.0,
            nonzero_memory: requested.1 + extra.1,
            free_pods: 10,
            ..FitRow::default()
        }
    }

    /// Over many nodes and pods (a deterministic walk of sizes, nodes with request-less
    /// pods among them), a node the bound rejects always scores below the best, and the
    /// bound rejects most nodes holding a real share of the pod's fuller resource.
    #[test]
    fn a_rejected_node_always_scores_below_the_best() {
        let mut rng = Streams::new(17).stream(Stream::Placement);
        let mut next = |n: i64| rng.below(n as u64) as i64;
        let (mut rejected, mut scored) = (0, 0);
        for _ in 0..20_000 {
            let weight = 1 + next(3);
            let alloc = (1000 * (1 + next(96)), (1 + next(512)) << 30);
            let pod = (next(alloc.0 / 4 + 1), next(alloc.1 / 4 + 1));
            let nonzero = (if pod.0 == 0 { 100 } else { pod.0 }, if pod.1 == 0 { 200 << 20 } else { pod.1 });
            let Some(mut bound) = ScoreBound::new(weight, pod, nonzero) else { panic!("a bound for every pod") };
            let mut best = i64::MIN;
            for _ in 0..8 {
                // Nodes of two sizes in turn, so that the thresholds are made again.
                let alloc = if next(2) == 0 { alloc } else { (alloc.0 * 2, alloc.1 / 2 + 1) };
                let requested = (next(alloc.0 - pod.0 + 1), next(alloc.1 - pod.1 + 1));
                let extra = (100 * next(3), (200 << 20) * next(3));
                let node = row(alloc, requested, extra);
                let t = total(weight, pod, nonzero, &node);
                if bound.loses(&node) {
                    assert!(t < best, "{node:?} for {pod:?} at weight {weight}: {t} against {best}");
                    rejected += 1;
                } else {
                    bound.note(t);
                    best = best.max(t);
                    scored += 1;
                }
            }
        }
        assert!(rejected > scored, "{rejected} rejected, {scored} scored");
    }

    /// Exactly at the limit: an empty node scoring the best, then a node a point below
    /// it is rejected and a node tying it is not.
    #[test]
    fn a_node_that_can_tie_is_scored() {
        let alloc = (64_000, 256 << 30);
        let pod = (4000, 16 << 30);
        let mut bound = ScoreBound::new(1, pod, pod).expect("a bound");
        let empty = row(alloc, (0, 0), (0, 0));
        let best = total(1, pod, pod, &empty);
        assert!(!bound.loses(&empty));
        bound.note(best);
        // Nodes that tie the empty one (the same fuller share) are never rejected.
        assert!(!bound.loses(&row(alloc, (0, 0), (0, 0))));
        // A sixteenth of the cpu requested: six and a quarter points below on cpu.
        let busy = row(alloc, (4000, 0), (0, 0));
        assert!(total(1, pod, pod, &busy) < best);
        assert!(bound.loses(&busy));
        // No bound for a node without cpu (LeastAllocated leaves it out) or a pod whose
        // non-zero requests fall below its requests.
        assert!(!bound.loses(&row((0, alloc.1), (0, 1 << 40), (0, 0))));
        assert!(ScoreBound::new(1, pod, (pod.0 - 1, pod.1)).is_none());
        assert!(ScoreBound::new(0, pod, pod).is_none());
    }
}
