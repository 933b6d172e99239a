//! The resource scores (LeastAllocated or its alternatives, BalancedAllocation) of a
//! pod's requests on each node, kept between scheduling cycles.
//!
//! They depend only on the pod's requests (exact and non-zero) and the node's
//! [`FitRow`](crate::cluster::fit::FitRow), and between two pods only the few nodes that gained or lost a pod
//! change. At 5,000 nodes each pod scores 500 of them: computing the floating-point and
//! integer divisions again for all of them was half of a large run's time. A score is
//! reused while its node's row has the version it was computed from.
//!
//! Scores are kept by requests, not by template: the Deployments of a cluster mostly
//! share a few request sizes, and each rollout makes a new template. Kept by template,
//! a week of 500 Deployments missed half the time (four templates remembered, pods of
//! many workloads replaced in turn after node failures).

use crate::cluster::resources::ResourceVec;
use crate::cluster::template::PodTemplate;

/// How many request sizes are remembered (least recently used goes first).
const SLOTS: usize = 8;

#[derive(Default)]
pub struct ScoreCache {
    slots: Vec<Slot>,
    clock: u64,
}

struct Slot {
    /// What the scores depend on in the pod: its non-zero cpu and memory requests
    /// (LeastAllocated and its alternatives) and its exact requests.
    nonzero: (i64, i64),
    requests: ResourceVec,
    /// By node id: (row version, score); version 0 never matches a row.
    scores: Vec<(u32, i32)>,
    used: u64,
}

impl Slot {
    fn holds(&self, template: &PodTemplate) -> bool {
        self.nonzero == (template.nonzero_cpu, template.nonzero_memory)
            && self.requests.same_amounts(&template.requests)
    }
}

impl ScoreCache {
    /// The scores remembered for `template`'s requests, sized for `nodes` nodes.
    pub fn scores(&mut self, template: &PodTemplate, nodes: usize) -> &mut [(u32, i32)] {
        self.clock += 1;
        let nonzero = (template.nonzero_cpu, template.nonzero_memory);
        let i = match self.slots.iter().position(|s| s.holds(template)) {
            Some(i) => i,
            None if self.slots.len() < SLOTS => {
                let requests = template.requests.clone();
                self.slots.push(Slot { nonzero, requests, scores: Vec::new(), used: 0 });
                self.slots.len() - 1
            }
            None => {
                let i = (0..self.slots.len()).min_by_key(|i| self.slots[*i].used).expect("slots");
                let slot = &mut self.slots[i];
                (slot.nonzero, slot.requests) = (nonzero, template.requests.clone());
                slot.scores.iter_mut().for_each(|e| e.0 = 0);
                i
            }
        };
        let slot = &mut self.slots[i];
        slot.used = self.clock;
        if slot.scores.len() < nodes {
            slot.scores.resize(nodes, (0, 0));
        }
        &mut slot.scores
    }
}

/// A node's cached score, computed with `score` when its row's `version` changed since.
#[inline]
pub fn cached(entry: &mut (u32, i32), version: u32, score: impl FnOnce() -> i64) -> i64 {
    if entry.0 != version {
        *entry = (version, score() as i32);
    }
    i64::from(entry.1)
}
