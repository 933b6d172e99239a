//! The resource scores (LeastAllocated or its alternatives, BalancedAllocation) of a
//! pod template on each node, kept between scheduling cycles.
//!
//! They depend only on the template and the node's [`FitRow`], and between two pods of
//! the same workload only the few nodes that gained or lost a pod change. At 5,000
//! nodes each pod scores 500 of them: computing the floating-point and integer
//! divisions again for all of them was half of a large run's time. A score is reused
//! while its node's row has the version it was computed from.

use crate::cluster::fit::FitRow;
use crate::cluster::template::PodTemplate;
use std::sync::Arc;

/// How many templates are remembered (least recently used goes first). Large runs
/// have a few workloads; more slots would only cost memory.
const SLOTS: usize = 4;

#[derive(Default)]
pub struct ScoreCache {
    slots: Vec<Slot>,
    clock: u64,
}

struct Slot {
    /// Held so that its address, the key, cannot be reused by another template.
    template: Arc<PodTemplate>,
    /// By node id: (row version, score); version 0 never matches a row.
    scores: Vec<(u32, i32)>,
    used: u64,
}

impl ScoreCache {
    /// The scores remembered for `template`, sized for `nodes` nodes.
    pub fn scores(&mut self, template: &Arc<PodTemplate>, nodes: usize) -> &mut [(u32, i32)] {
        self.clock += 1;
        let i = match self.slots.iter().position(|s| Arc::ptr_eq(&s.template, template)) {
            Some(i) => i,
            None if self.slots.len() < SLOTS => {
                self.slots.push(Slot { template: template.clone(), scores: Vec::new(), used: 0 });
                self.slots.len() - 1
            }
            None => {
                let i = (0..self.slots.len()).min_by_key(|i| self.slots[*i].used).expect("slots");
                self.slots[i].template = template.clone();
                self.slots[i].scores.iter_mut().for_each(|e| e.0 = 0);
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

/// A node's cached score, computed with `score` when its row changed since.
#[inline]
pub fn cached(entry: &mut (u32, i32), row: &FitRow, score: impl FnOnce(&FitRow) -> i64) -> i64 {
    if entry.0 != row.version {
        *entry = (row.version, score(row) as i32);
    }
    i64::from(entry.1)
}
