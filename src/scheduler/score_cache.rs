//! The resource scores (LeastAllocated or its alternatives, BalancedAllocation) of a
//! pod's requests on each node, kept between scheduling cycles.
//!
//! They depend only on the pod's requests (exact and non-zero) and the node's
//! [`FitRow`](crate::cluster::fit::FitRow), and between two pods only the few nodes
//! that gained or lost a pod change. At 5,000 nodes each pod scores 500 of them: computing the floating-point and
//! integer divisions again for all of them was half of a large run's time. A score is
//! reused while its node's row has the version it was computed from.
//!
//! Scores are kept by requests, not by template: the Deployments of a cluster mostly
//! share a few request sizes, and each rollout makes a new template. Kept by template,
//! a week of 500 Deployments missed half the time (four templates remembered, pods of
//! many workloads replaced in turn after node failures).

use crate::cluster::names::content_hash;
use crate::cluster::resources::ResourceVec;
use crate::cluster::template::PodTemplate;

/// How many request sizes are remembered (least recently used goes first).
const SLOTS: usize = 8;

/// How many sizes seen once are remembered, by fingerprint, before they get a slot.
const SEEN: usize = 16;

/// A size gets a slot the second time it is seen lately: a pod whose requests no other
/// pod shares (each copy of a stream drawing its own) is scored without the cache,
/// instead of cloning its requests, clearing a slot of every node's entry and filling
/// it for nothing (on the 100,000-pod day, every pod).
#[derive(Default)]
pub struct ScoreCache {
    slots: Vec<Slot>,
    clock: u64,
    /// Fingerprints of sizes seen once without a slot, most recent first (0: none).
    seen: [u64; SEEN],
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
    /// The scores remembered for `template`'s requests, sized for `nodes` nodes; `None`
    /// for a size not seen lately (score without the cache).
    pub fn scores(&mut self, template: &PodTemplate, nodes: usize) -> Option<&mut [(u32, i32)]> {
        self.clock += 1;
        let nonzero = (template.nonzero_cpu, template.nonzero_memory);
        let position = self.slots.iter().position(|s| s.holds(template));
        if position.is_none() {
            let print = fingerprint(template);
            if !self.seen.contains(&print) {
                self.seen.rotate_right(1);
                self.seen[0] = print;
                return None;
            }
        }
        let i = match position {
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
        Some(&mut slot.scores)
    }
}

/// What a slot holds, hashed: the non-zero cpu and memory and the exact requests. Two
/// sizes sharing one only take a slot a pod early.
fn fingerprint(template: &PodTemplate) -> u64 {
    content_hash((template.nonzero_cpu, template.nonzero_memory, &template.requests))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Quantity;
    use crate::api::pod::{Container, PodSpec};
    use crate::cluster::Images;
    use crate::cluster::resources::ResourceNames;
    use std::sync::Arc;

    fn template(cpu: &str, names: &mut ResourceNames) -> PodTemplate {
        let mut app = Container { name: "app".into(), image: Some("app:1".into()), ..Default::default() };
        app.resources.requests.insert("cpu".into(), Quantity::parse(cpu).unwrap());
        let spec = PodSpec { containers: vec![app], ..Default::default() };
        PodTemplate::compile(Arc::new(spec), names, &mut Images::default(), Default::default())
    }

    /// A size seen once is scored without the cache; seen again lately, it gets a slot
    /// that keeps its entries; a size pushed out of the recent ones starts over; and
    /// a ninth size with a slot takes the least recently used one, cleared.
    #[test]
    fn a_size_gets_a_slot_when_seen_again() {
        let mut names = ResourceNames::default();
        let mut cache = ScoreCache::default();
        let a = template("1", &mut names);
        assert!(cache.scores(&a, 4).is_none(), "first sight");
        let slot = cache.scores(&a, 4).expect("second sight");
        assert_eq!(slot.len(), 4);
        slot[2] = (7, 42);
        assert_eq!(cache.scores(&a, 4).expect("kept")[2], (7, 42));
        // Sixteen other sizes seen once push `b`'s sight out.
        let b = template("2", &mut names);
        assert!(cache.scores(&b, 4).is_none());
        for m in 0..SEEN {
            assert!(cache.scores(&template(&format!("{}m", 3000 + m), &mut names), 4).is_none());
        }
        assert!(cache.scores(&b, 4).is_none(), "forgotten, so a first sight again");
        assert_eq!(cache.scores(&a, 4).expect("a slot is kept")[2], (7, 42));
        // Eight more sizes with slots: `a`, least recently used, is cleared for the last.
        for m in 0..SLOTS {
            let t = template(&format!("{}m", 5000 + m), &mut names);
            assert!(cache.scores(&t, 4).is_none());
            cache.scores(&t, 4).expect("second sight")[0] = (1, 1);
        }
        assert!(cache.scores(&a, 4).is_none(), "a's slot went to the last size");
        let slot = cache.scores(&a, 4).expect("a slot again");
        assert_eq!((slot[0].0, slot[2]), (0, (0, 0)), "the slot taken over is cleared");
    }
}
