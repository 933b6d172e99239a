//! The unschedulable pool (kube-scheduler's `unschedulablePods`), kept so that its cost
//! follows what moves rather than how many pods wait: the pods whose failure only a
//! template-wide look can answer (NodeResourcesFit's "does it fit the freed node now",
//! and the events no plugin looks closer at) are grouped by template and failure, so a
//! cluster change asks each group once; the 5-minute leftover flush finds the pods that
//! waited long enough by their entry time, not by a walk of the pool.

use super::cycle::SimView;
use super::filter::hint;
use super::requeue;
use crate::cluster::slab::IdMap;
use crate::cluster::template::PodTemplate;
use crate::cluster::{Cluster, NodeId, PodId};
use crate::engine::SimTime;
use std::collections::{BTreeMap, BTreeSet};
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
    by_since: BTreeSet<(SimTime, PodId)>,
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
        self.remove(id);
        let group = (hint & hint::LOOKED_AT & !TEMPLATE_WIDE == 0).then_some((Arc::as_ptr(template) as usize, hint));
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
        self.entries.insert(id, (hint, since, group.map_or(0, |(address, _)| address)));
        self.by_since.insert((since, id));
    }

    pub fn remove(&mut self, id: PodId) -> bool {
        let Some((hint, since, address)) = self.entries.remove(id) else { return false };
        self.by_since.remove(&(since, id));
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
        true
    }

    /// The pods that entered at or before `cutoff`, in pod order (as the pool lists them).
    pub fn entered_by(&self, cutoff: SimTime) -> Vec<PodId> {
        let mut out: Vec<PodId> =
            self.by_since.iter().take_while(|(since, _)| *since <= cutoff).map(|(_, id)| *id).collect();
        out.sort_unstable();
        out
    }

    /// The union of the waiting pods' hints.
    pub fn listening(&self) -> u16 {
        self.groups.keys().fold(0, |m, (_, hint)| m | hint) | self.singles.values().fold(0, |m, hint| m | hint)
    }

    /// The waiting pods that `change` (an `event`) may help, in pod order.
    pub fn helped(&self, cluster: &Cluster, nodes: &[NodeId], event: u16, change: requeue::Change) -> Vec<PodId> {
        let view = SimView { cluster, nodes };
        let mut out = Vec::new();
        let mut grouped = false;
        for ((_, mask), g) in &self.groups {
            if mask & event == 0 {
                continue;
            }
            // Any member answers for all: the looks behind these bits read the template only.
            let Some(first) = g.members.first() else { continue };
            if cluster.pods.get(*first).is_none_or(|p| {
                debug_assert!(Arc::ptr_eq(&p.template, &g.template));
                requeue::may_help(&view, p, mask & event, change)
            }) {
                out.extend(g.members.iter().copied());
                grouped = true;
            }
        }
        for (id, mask) in &self.singles {
            if mask & event != 0
                && cluster.pods.get(*id).is_none_or(|p| requeue::may_help(&view, p, mask & event, change))
            {
                out.push(*id);
            }
        }
        if grouped {
            out.sort_unstable();
        }
        out
    }
}
