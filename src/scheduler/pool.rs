//! The unschedulable pool (kube-scheduler's `unschedulablePods`), kept so that its cost
//! follows what moves rather than how many pods wait: the pods whose failure only a
//! template-wide look can answer (NodeResourcesFit's "does it fit the freed node now",
//! and the events no plugin looks closer at) are grouped by template and failure, so a
//! cluster change asks each group once; the 5-minute leftover flush finds the pods that
//! waited long enough by their entry time, not by a walk of the pool. Pods enter at the
//! simulation's clock, which never goes back, so entry times are a queue in entry order;
//! a pod that leaves stays in that queue until its turn comes or the queue is compacted
//! (a search tree in its place was a tenth of a failed attempt on a full cluster).

use super::cycle::SimView;
use super::filter::hint;
use super::requeue;
use crate::cluster::slab::IdMap;
use crate::cluster::template::PodTemplate;
use crate::cluster::{Cluster, NodeId, PodId};
use crate::engine::SimTime;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

/// The looked-at bits whose answer depends on the waiting pod's template alone.
const TEMPLATE_WIDE: u16 = hint::FIT_POD_GONE | hint::VOLUME_POD_GONE;

/// Pods of one template that failed for the same events.
struct Group {
    template: Arc<PodTemplate>,
    members: BTreeSet<PodId>,
}

#[derive(Default)]
pub struct Pool {
    /// Each pod: the events that may help it, when it entered, and the address of its
    /// group's template (0: looked at alone).
    entries: IdMap<(u16, SimTime, usize)>,
    /// Entry times in entry order, with entries of pods that left since (an entry counts
    /// while `entries` holds the pod with the same time).
    by_since: VecDeque<(SimTime, PodId)>,
    groups: BTreeMap<GroupKey, Group>,
    /// The pods looked at one by one (their plugins read their labels or claims).
    singles: BTreeMap<PodId, u16>,
}

/// A template (by address: the group's `Arc` keeps it alive) and a failure's hint.
type GroupKey = (usize, u16);

impl Pool {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn insert(&mut self, id: PodId, hint: u16, since: SimTime, template: &Arc<PodTemplate>) {
        let group = (hint & hint::LOOKED_AT & !TEMPLATE_WIDE == 0).then_some((Arc::as_ptr(template) as usize, hint));
        // One lookup: a pod already waiting (rare) leaves its group before joining one.
        if let Some(old) = self.entries.insert(id, (hint, since, group.map_or(0, |(address, _)| address))) {
            self.leave(id, old);
        }
        match group {
            Some(key) => {
                let g = self
                    .groups
                    .entry(key)
                    .or_insert_with(|| Group { template: template.clone(), members: BTreeSet::new() });
                g.members.insert(id);
            }
            None => {
                self.singles.insert(id, hint);
            }
        }
        debug_assert!(self.by_since.back().is_none_or(|(last, _)| *last <= since), "entry times go forward");
        self.by_since.push_back((since, id));
        // The left pods' entries at most as many again as the waiting ones.
        if self.by_since.len() > 2 * self.entries.len() + 64 {
            let entries = &self.entries;
            self.by_since.retain(|(since, id)| entries.get(*id).is_some_and(|e| e.1 == *since));
        }
    }

    pub fn remove(&mut self, id: PodId) -> bool {
        let Some(entry) = self.entries.remove(id) else { return false };
        self.leave(id, entry);
        true
    }

    /// Takes `id`, which was filed as `entry`, out of its group or the singles.
    fn leave(&mut self, id: PodId, (hint, _, address): (u16, SimTime, usize)) {
        match (address != 0).then_some((address, hint)) {
            Some(key) => {
                if let Some(g) = self.groups.get_mut(&key) {
                    g.members.remove(&id);
                    if g.members.is_empty() {
                        self.groups.remove(&key);
                    }
                }
            }
            None => {
                self.singles.remove(&id);
            }
        }
    }

    /// The pods that entered at or before `cutoff`, in pod order (as the pool lists them).
    /// They leave the entry-time queue: the caller takes them out of the pool.
    pub fn entered_by(&mut self, cutoff: SimTime) -> Vec<PodId> {
        let mut out = Vec::new();
        while let Some(&(since, id)) = self.by_since.front()
            && since <= cutoff
        {
            self.by_since.pop_front();
            if self.entries.get(id).is_some_and(|e| e.1 == since) {
                out.push(id);
            }
        }
        out.sort_unstable();
        // A pod that left and came back within one instant has two live entries.
        out.dedup();
        out
    }

    /// The union of the waiting pods' hints.
    pub fn listening(&self) -> u16 {
        self.groups.keys().fold(0, |m, (_, hint)| m | hint) | self.singles.values().fold(0, |m, hint| m | hint)
    }

    /// Takes out of the pool the waiting pods that `change` (an `event`) may help, in pod
    /// order. A group helped leaves whole: on a full cluster every ending pod sends most
    /// groups back, and taking their members out one by one was a search of the group's
    /// tree per pod.
    pub fn take_helped(
        &mut self,
        cluster: &Cluster,
        nodes: &[NodeId],
        event: u16,
        change: requeue::Change,
    ) -> Vec<PodId> {
        let view = SimView { cluster, nodes };
        let helped = self.groups.extract_if(.., |&(_, mask), g| {
            // Any member answers for all: the looks behind these bits read the template only.
            mask & event != 0
                && g.members.first().is_some_and(|first| {
                    cluster.pods.get(*first).is_none_or(|p| {
                        debug_assert!(Arc::ptr_eq(&p.template, &g.template));
                        requeue::may_help(&view, p, mask & event, change)
                    })
                })
        });
        let mut out: Vec<PodId> = helped.flat_map(|(_, g)| g.members).collect();
        for &id in &out {
            self.entries.remove(id);
        }
        let helped_singles: Vec<PodId> = self
            .singles
            .extract_if(.., |id, mask| {
                *mask & event != 0
                    && cluster.pods.get(*id).is_none_or(|p| requeue::may_help(&view, p, *mask & event, change))
            })
            .map(|(id, _)| id)
            .collect();
        for &id in &helped_singles {
            self.entries.remove(id);
        }
        if out.is_empty() {
            return helped_singles;
        }
        out.extend(helped_singles);
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::slab::Id;

    fn template() -> Arc<PodTemplate> {
        let (mut names, mut images) = (Default::default(), Default::default());
        Arc::new(PodTemplate::compile(Arc::default(), &mut names, &mut images, Default::default()))
    }

    fn pod(index: u32) -> PodId {
        Id { index, generation: 0 }
    }

    fn at(s: u64) -> SimTime {
        SimTime::from_ms(s * 1000)
    }

    /// A change takes out the groups and singles it may help, whole, in pod order; the
    /// others stay, and a pod taken out is not taken again. (The pods are not in the
    /// cluster, which the closer looks read as "may help".)
    #[test]
    fn the_helped_groups_leave_whole_in_pod_order() {
        let streams = crate::engine::Streams::new(1);
        let cluster = Cluster::new(Default::default(), &streams, crate::cluster::network::NetworkConfig::defaults(1));
        let (t, u) = (template(), template());
        let mut pool = Pool::default();
        pool.insert(pod(5), hint::FIT_POD_GONE, at(1), &t);
        pool.insert(pod(2), hint::FIT_POD_GONE, at(1), &u);
        pool.insert(pod(9), hint::FIT_POD_GONE, at(2), &t);
        pool.insert(pod(4), hint::NODE_ADDED, at(2), &t);
        // A single: a look that reads the pod's labels.
        pool.insert(pod(1), hint::SPREAD_POD, at(3), &t);
        pool.insert(pod(7), hint::SPREAD_NODE, at(3), &t);
        let change = requeue::Change::default();
        let gone = pool.take_helped(&cluster, &[], hint::POD_GONE, change);
        assert_eq!(gone, vec![pod(1), pod(2), pod(5), pod(9)]);
        assert!(!pool.remove(pod(5)), "taken out already");
        assert_eq!(pool.take_helped(&cluster, &[], hint::POD_GONE, change), vec![]);
        assert_eq!(pool.take_helped(&cluster, &[], hint::NODE_ADDED, change), vec![pod(4), pod(7)]);
        assert!(pool.is_empty());
        assert_eq!(pool.entered_by(at(3)), vec![], "no pod left waiting");
    }

    /// The leftover flush finds the pods waiting since the cutoff, once each, whatever
    /// left and came back in between, and the entry queue stays near the pool's size.
    #[test]
    fn the_pods_entered_by_a_time_are_those_still_waiting_since() {
        let t = template();
        let mut pool = Pool::default();
        pool.insert(pod(3), hint::FIT_POD_GONE, at(1), &t);
        pool.insert(pod(1), hint::FIT_POD_GONE, at(1), &t);
        pool.insert(pod(2), hint::FIT_POD_GONE, at(2), &t);
        // Pod 1 leaves and comes back later; pod 3 comes back within the same instant.
        assert!(pool.remove(pod(1)));
        pool.insert(pod(1), hint::FIT_POD_GONE, at(3), &t);
        pool.insert(pod(3), hint::FIT_POD_GONE, at(3), &t);
        pool.insert(pod(3), hint::FIT_POD_GONE, at(3), &t);
        assert_eq!(pool.entered_by(at(2)), vec![pod(2)]);
        assert_eq!(pool.entered_by(at(2)), vec![], "taken once");
        assert_eq!(pool.entered_by(at(3)), vec![pod(1), pod(3)]);
        // A long churn of one pod: the queue is compacted to about the pool's size.
        for s in 4..1000 {
            pool.insert(pod(7), hint::FIT_POD_GONE, at(s), &t);
        }
        assert!(pool.by_since.len() <= 2 * pool.entries.len() + 64 + 1, "{}", pool.by_since.len());
        assert_eq!(pool.entered_by(at(998)), vec![]);
        assert_eq!(pool.entered_by(at(999)), vec![pod(7)]);
    }
}
