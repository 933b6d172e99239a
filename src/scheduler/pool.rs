//! The unschedulable pool (kube-scheduler's `unschedulablePods`), kept so that its cost
//! follows what moves rather than how many pods wait: the pods whose failure only a
//! template-wide look can answer (NodeResourcesFit's "does it fit the freed node now",
//! and the events no plugin looks closer at) are grouped by template and failure, so a
//! cluster change asks each group once; the 5-minute leftover flush finds the pods that
//! waited long enough by their entry time, not by a walk of the pool. Pods enter at the
//! simulation's clock, which never goes back, so entry times are a queue in entry order;
//! a pod that leaves stays in that queue until its turn comes or the queue is compacted
//! (a search tree in its place was a tenth of a failed attempt on a full cluster).
//!
//! Where each pod waits (its [`Entry`]) is kept by the scheduler in the pod's one record,
//! which a failed attempt writes anyway, and handed back to take the pod out: a map of
//! the pool's own was one more cache miss at every failure and every retry.

use super::cycle::SimView;
use super::filter::hint;
use super::requeue;
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

/// A pod's place in the pool: the events that may help it, when it entered, and the
/// address of its group's template (0: looked at alone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    hint: u16,
    pub since: SimTime,
    address: usize,
}

#[derive(Default)]
pub struct Pool {
    /// Pods waiting.
    waiting: usize,
    /// Entry times in entry order, with entries of pods that left since (an entry counts
    /// while the pod's kept [`Entry`] has the same time).
    by_since: VecDeque<(SimTime, PodId)>,
    groups: BTreeMap<GroupKey, Group>,
    /// The pods looked at one by one (their plugins read their labels or claims).
    singles: BTreeMap<PodId, u16>,
}

/// A template (by address: the group's `Arc` keeps it alive) and a failure's hint.
type GroupKey = (usize, u16);

impl Pool {
    pub fn is_empty(&self) -> bool {
        self.waiting == 0
    }

    /// How many pods wait here.
    pub fn waiting(&self) -> usize {
        self.waiting
    }

    /// Files `id`, which is not waiting here, and gives its entry (to be kept by the
    /// caller and handed back to [`Pool::remove`]). `live` says whether a pod's kept entry
    /// is one of `since` (the entry-time queue is compacted with it).
    pub fn insert(
        &mut self,
        id: PodId,
        hint: u16,
        since: SimTime,
        template: &Arc<PodTemplate>,
        live: impl Fn(PodId, SimTime) -> bool,
    ) -> Entry {
        let group = (hint & hint::LOOKED_AT & !TEMPLATE_WIDE == 0).then_some((Arc::as_ptr(template) as usize, hint));
        let entry = Entry { hint, since, address: group.map_or(0, |(address, _)| address) };
        self.waiting += 1;
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
        // The left pods' entries at most as many again as the waiting ones (the pod
        // entering now is not filed by its caller yet, and is pushed after).
        if self.by_since.len() > 2 * self.waiting + 64 {
            self.by_since.retain(|(since, id)| live(*id, *since));
        }
        self.by_since.push_back((since, id));
        entry
    }

    /// Takes `id`, which waits here as `entry`, out of the pool.
    pub fn remove(&mut self, id: PodId, Entry { hint, address, .. }: Entry) {
        self.waiting -= 1;
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

    /// The pods that entered at or before `cutoff` and still wait (`live`: the pod's kept
    /// entry is one of that time), in pod order (as the pool lists them). They leave the
    /// entry-time queue: the caller takes them out of the pool.
    pub fn entered_by(&mut self, cutoff: SimTime, live: impl Fn(PodId, SimTime) -> bool) -> Vec<PodId> {
        let mut out = Vec::new();
        while let Some(&(since, id)) = self.by_since.front()
            && since <= cutoff
        {
            self.by_since.pop_front();
            if live(id, since) {
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
    /// tree per pod. The entries their records keep no longer count: the caller files the
    /// pods elsewhere (the back-off or the activeQ).
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
        let helped_singles: Vec<PodId> = self
            .singles
            .extract_if(.., |id, mask| {
                *mask & event != 0
                    && cluster.pods.get(*id).is_none_or(|p| requeue::may_help(&view, p, *mask & event, change))
            })
            .map(|(id, _)| id)
            .collect();
        self.waiting -= out.len() + helped_singles.len();
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

    /// The scheduler's side: each waiting pod's kept entry, as its record holds it.
    #[derive(Default)]
    struct Records(BTreeMap<PodId, Entry>);

    impl Records {
        /// The pod fails again: out of the pool if it was waiting there, then in.
        fn file(&mut self, pool: &mut Pool, id: PodId, hint: u16, since: SimTime, t: &Arc<PodTemplate>) {
            self.take(pool, id);
            let records = &self.0;
            let entry = pool.insert(id, hint, since, t, |id, since| records.get(&id).is_some_and(|e| e.since == since));
            self.0.insert(id, entry);
        }

        /// Takes the pod out of the pool, if it waits there.
        fn take(&mut self, pool: &mut Pool, id: PodId) -> bool {
            self.0.remove(&id).map(|entry| pool.remove(id, entry)).is_some()
        }

        /// The pool gave these pods back: their records no longer hold an entry.
        fn taken(&mut self, ids: Vec<PodId>) -> Vec<PodId> {
            for id in &ids {
                self.0.remove(id);
            }
            ids
        }

        fn entered_by(&self, pool: &mut Pool, cutoff: SimTime) -> Vec<PodId> {
            pool.entered_by(cutoff, |id, since| self.0.get(&id).is_some_and(|e| e.since == since))
        }
    }

    /// A change takes out the groups and singles it may help, whole, in pod order; the
    /// others stay, and a pod taken out is not taken again. (The pods are not in the
    /// cluster, which the closer looks read as "may help".)
    #[test]
    fn the_helped_groups_leave_whole_in_pod_order() {
        let streams = crate::engine::Streams::new(1);
        let cluster = Cluster::new(Default::default(), &streams, crate::cluster::network::NetworkConfig::defaults(1));
        let (t, u) = (template(), template());
        let (mut pool, mut records) = (Pool::default(), Records::default());
        records.file(&mut pool, pod(5), hint::FIT_POD_GONE, at(1), &t);
        records.file(&mut pool, pod(2), hint::FIT_POD_GONE, at(1), &u);
        records.file(&mut pool, pod(9), hint::FIT_POD_GONE, at(2), &t);
        records.file(&mut pool, pod(4), hint::NODE_ADDED, at(2), &t);
        // A single: a look that reads the pod's labels.
        records.file(&mut pool, pod(1), hint::SPREAD_POD, at(3), &t);
        records.file(&mut pool, pod(7), hint::SPREAD_NODE, at(3), &t);
        let change = requeue::Change::default();
        let gone = records.taken(pool.take_helped(&cluster, &[], hint::POD_GONE, change));
        assert_eq!(gone, vec![pod(1), pod(2), pod(5), pod(9)]);
        assert!(!records.take(&mut pool, pod(5)), "taken out already");
        assert_eq!(pool.take_helped(&cluster, &[], hint::POD_GONE, change), vec![]);
        let added = records.taken(pool.take_helped(&cluster, &[], hint::NODE_ADDED, change));
        assert_eq!(added, vec![pod(4), pod(7)]);
        assert!(pool.is_empty());
        assert_eq!(records.entered_by(&mut pool, at(3)), vec![], "no pod left waiting");
    }

    /// The leftover flush finds the pods waiting since the cutoff, once each, whatever
    /// left and came back in between, and the entry queue stays near the pool's size.
    #[test]
    fn the_pods_entered_by_a_time_are_those_still_waiting_since() {
        let t = template();
        let (mut pool, mut records) = (Pool::default(), Records::default());
        records.file(&mut pool, pod(3), hint::FIT_POD_GONE, at(1), &t);
        records.file(&mut pool, pod(1), hint::FIT_POD_GONE, at(1), &t);
        records.file(&mut pool, pod(2), hint::FIT_POD_GONE, at(2), &t);
        // Pod 1 leaves and comes back later; pod 3 comes back within the same instant.
        assert!(records.take(&mut pool, pod(1)));
        records.file(&mut pool, pod(1), hint::FIT_POD_GONE, at(3), &t);
        records.file(&mut pool, pod(3), hint::FIT_POD_GONE, at(3), &t);
        records.file(&mut pool, pod(3), hint::FIT_POD_GONE, at(3), &t);
        assert_eq!(records.entered_by(&mut pool, at(2)), vec![pod(2)]);
        records.take(&mut pool, pod(2));
        assert_eq!(records.entered_by(&mut pool, at(2)), vec![], "taken once");
        assert_eq!(records.entered_by(&mut pool, at(3)), vec![pod(1), pod(3)]);
        records.take(&mut pool, pod(1));
        records.take(&mut pool, pod(3));
        assert!(pool.is_empty());
        // A long churn of one pod: the queue is compacted to about the pool's size.
        for s in 4..1000 {
            records.file(&mut pool, pod(7), hint::FIT_POD_GONE, at(s), &t);
        }
        assert_eq!(pool.waiting, 1);
        assert!(pool.by_since.len() <= 2 * pool.waiting + 64 + 1, "{}", pool.by_since.len());
        assert_eq!(records.entered_by(&mut pool, at(998)), vec![]);
        assert_eq!(records.entered_by(&mut pool, at(999)), vec![pod(7)]);
    }
}
