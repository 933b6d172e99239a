//! StatefulSets as the cluster holds them: the object as last written, what its
//! controller derives from it (the ControllerRevisions, each ordinal's compiled pod),
//! the status it writes, its pods by ordinal, and its per-object state (the sync
//! timer), which only the controller writes; and how long each ordinal was without a
//! ready pod, for the summary.

use super::PodId;
use super::template::PodTemplate;
use crate::api::apps::IntOrString;
use crate::api::pod::PodTemplateSpec;
use crate::api::statefulset::StatefulSet as ApiStatefulSet;
use crate::engine::{Millis, SimTime, Timer};
use crate::labels::Selector;
use std::collections::BTreeMap;
use std::sync::Arc;

pub type StatefulSetId = super::slab::Id;

/// A pod's labels or annotations, shared by every pod made from one compiled template.
pub type StringMap = Arc<BTreeMap<String, String>>;

/// One ordinal's pod at one revision: its compiled template and its labels.
#[derive(Clone, Debug)]
pub struct OrdinalPod {
    pub template: Arc<PodTemplate>,
    pub labels: StringMap,
}

/// A pod of the set: its id and its revision, the value of its
/// `controller-revision-hash` label (a pod's labels never change). Every sync reads
/// every pod's revision: searched for in the pod's labels it was a fifth of a rolling
/// update of 2,000 pods (`benches/scenarios/statefulset-2k.yaml`), most of it cache
/// misses on the way to the labels. The `Arc` is the revision's own, so comparing it
/// with the revision's name (`Arc`'s `==` tries the pointers first) seldom reads text.
#[derive(Clone, Debug)]
pub struct SetPod {
    pub id: PodId,
    pub revision: Arc<str>,
}

/// `apps.StatefulSetPodNameLabel`.
pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
/// `apps.PodIndexLabel` (the `PodIndexLabel` gate, GA since 1.32, on since 1.28).
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";

/// `spec.podManagementPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodManagement {
    /// One pod at a time, in ordinal order, each Running and Ready before the next.
    OrderedReady,
    /// Every pod at once.
    Parallel,
}

/// `spec.updateStrategy`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UpdateStrategy {
    OnDelete,
    /// `partition` is `None` when the strategy has no `rollingUpdate` (a
    /// `type: RollingUpdate` written without one is not defaulted further).
    RollingUpdate {
        partition: Option<u32>,
        max_unavailable: Option<IntOrString>,
    },
}

/// A StatefulSet's status (`updateStatefulSet`, `stateful_set_control.go`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatefulSetStatus {
    pub replicas: u32,
    pub ready: u32,
    pub current: u32,
    pub updated: u32,
    pub available: u32,
    /// ControllerRevision names, `<set>-<hash>`.
    pub current_revision: Arc<str>,
    pub update_revision: Arc<str>,
    pub collision_count: u32,
    pub observed_generation: u64,
}

/// A ControllerRevision of the set: its template, number and name.
#[derive(Clone, Debug)]
pub struct Revision {
    pub number: i64,
    /// `<set>-<hash>`: what the pods' `controller-revision-hash` label says.
    pub name: Arc<str>,
    pub template: Arc<PodTemplateSpec>,
}

/// How long each ordinal was without a Running and Ready pod once it had had one
/// (scale-ups and the set's first start are not outages), for `summary.json`.
#[derive(Clone, Debug, Default)]
pub struct OrdinalOutages {
    /// Per ordinal in range, in order: ready now, and since when it is down (once it
    /// was up).
    pub ordinals: Vec<(u32, (bool, Option<SimTime>))>,
    pub longest_ms: Millis,
    pub longest_ordinal: Option<u32>,
    pub total_ms: Millis,
    pub count: u64,
}

impl OrdinalOutages {
    /// The ordinals in range now, and which of them have a ready pod, at `now` (in
    /// ordinal order, each once). Ordinals scaled away close their stretch first, then
    /// the others change in order. Both lists are walked in order: a set of thousands
    /// looked each ordinal up in a map at every sync.
    pub fn observe(&mut self, now: SimTime, ready: &[(u32, bool)]) {
        // Most syncs find every ordinal as ready as the last did: nothing to do then
        // (the merge below rebuilt the same list, 3% of a rolling update of 2,000 pods).
        let same = |&(o, (up, _)): &(u32, (bool, Option<SimTime>)), &(r, now_up): &(u32, bool)| o == r && up == now_up;
        if self.ordinals.len() == ready.len() && self.ordinals.iter().zip(ready).all(|(l, r)| same(l, r)) {
            return;
        }
        let last = std::mem::take(&mut self.ordinals);
        let mut j = 0;
        for &(o, (_, since)) in &last {
            while ready.get(j).is_some_and(|r| r.0 < o) {
                j += 1;
            }
            // Scaled away: a stretch it was down in ends here.
            if ready.get(j).is_none_or(|r| r.0 != o)
                && let Some(since) = since
            {
                self.close(o, now.since(since));
            }
        }
        let mut k = 0;
        self.ordinals.reserve(ready.len());
        for &(o, up) in ready {
            while last.get(k).is_some_and(|l| l.0 < o) {
                k += 1;
            }
            let mut entry = last.get(k).filter(|l| l.0 == o).map_or((false, None), |l| l.1);
            match (entry.0, up) {
                (true, false) => entry = (false, Some(now)),
                (false, true) => {
                    let since = entry.1.take();
                    entry.0 = true;
                    if let Some(since) = since {
                        self.close(o, now.since(since));
                    }
                }
                _ => {}
            }
            self.ordinals.push((o, entry));
        }
    }

    fn close(&mut self, ordinal: u32, ms: Millis) {
        self.count += 1;
        self.total_ms += ms;
        if ms > self.longest_ms || self.longest_ordinal.is_none() {
            self.longest_ms = ms;
            self.longest_ordinal = Some(ordinal);
        }
    }

    /// The figures with the stretches still open counted up to `now`.
    pub fn settled(&self, now: SimTime) -> OrdinalOutages {
        let mut s = self.clone();
        let open: Vec<(u32, SimTime)> =
            self.ordinals.iter().filter_map(|(o, (_, since))| since.map(|t| (*o, t))).collect();
        for (o, since) in open {
            s.close(o, now.since(since));
        }
        s
    }
}

#[derive(Clone, Debug)]
pub struct StatefulSet {
    pub uid: u64,
    pub namespace: Arc<str>,
    pub name: Arc<str>,
    /// The object as last written (defaulted).
    pub api: Arc<ApiStatefulSet>,
    /// `spec.selector` compiled: the scheduler's default spreading adds its requirements.
    pub selector: Selector,
    pub replicas: u32,
    /// `spec.ordinals.start`.
    pub start: u32,
    pub management: PodManagement,
    pub strategy: UpdateStrategy,
    pub min_ready: Millis,
    pub revision_history_limit: usize,
    /// `metadata.generation`: every change of the spec.
    pub generation: u64,
    pub created: SimTime,
    /// The ControllerRevisions, by number (oldest first).
    pub revisions: Vec<Revision>,
    /// Each ordinal's pod at a revision (its hostname and labels are its own), compiled
    /// on first use; dropped with the revision.
    pub pod_templates: BTreeMap<(Arc<str>, u32), OrdinalPod>,
    /// Every pod of the set still in the API, by ordinal (names are unique).
    pub pods: BTreeMap<u32, SetPod>,
    pub status: StatefulSetStatus,
    pub sync_timer: Timer,
    pub sync_at: Option<SimTime>,
    /// Syncs in a row that failed: the work queue's per-key back-off.
    pub failures: u32,
    /// What objects.jsonl last said of it.
    pub reported: Option<StatefulSetStatus>,
    pub outages: OrdinalOutages,
    /// The claims whose owner reference names the set (`whenDeleted: Delete`): the
    /// garbage collector deletes them with it.
    pub owned_claims: std::collections::BTreeSet<super::storage::ClaimId>,
}

impl StatefulSet {
    /// The ordinals the set should have: `[start, start + replicas)`.
    pub fn in_range(&self, ordinal: u32) -> bool {
        ordinal >= self.start && ordinal < self.start + self.replicas
    }

    /// `getPodName`.
    pub fn pod_name(&self, ordinal: u32) -> String {
        format!("{}-{ordinal}", self.name)
    }

    pub fn revision(&self, name: &str) -> Option<&Revision> {
        self.revisions.iter().find(|r| &*r.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ordinal_is_down_from_losing_its_ready_pod_until_one_is_ready_again() {
        let mut o = OrdinalOutages::default();
        let ready = |pairs: &[(u32, bool)]| pairs.to_vec();
        // Starting up is no outage.
        o.observe(SimTime::from_ms(0), &ready(&[(0, false), (1, false)]));
        o.observe(SimTime::from_ms(5_000), &ready(&[(0, true), (1, false)]));
        o.observe(SimTime::from_ms(9_000), &ready(&[(0, true), (1, true)]));
        assert_eq!(o.count, 0);
        o.observe(SimTime::from_ms(60_000), &ready(&[(0, true), (1, false)]));
        o.observe(SimTime::from_ms(90_000), &ready(&[(0, false), (1, false)]));
        // A sync that finds nothing changed moves no stretch's start.
        o.observe(SimTime::from_ms(95_000), &ready(&[(0, false), (1, false)]));
        o.observe(SimTime::from_ms(100_000), &ready(&[(0, true), (1, false)]));
        assert_eq!((o.count, o.longest_ms, o.longest_ordinal), (1, 10_000, Some(0)));
        // Still down at the end: counted up to then.
        let s = o.settled(SimTime::from_ms(200_000));
        assert_eq!((s.count, s.longest_ms, s.longest_ordinal, s.total_ms), (2, 140_000, Some(1), 150_000));
        // Scaled away while down: the stretch ends there.
        o.observe(SimTime::from_ms(120_000), &ready(&[(0, true)]));
        assert_eq!((o.count, o.longest_ms, o.longest_ordinal), (2, 60_000, Some(1)));
        // Scaled up again (a new ordinal starting is no outage), the first one lost.
        o.observe(SimTime::from_ms(130_000), &ready(&[(0, false), (1, false), (2, false)]));
        o.observe(SimTime::from_ms(200_000), &ready(&[(0, true), (1, true), (2, true)]));
        assert_eq!((o.count, o.longest_ms, o.longest_ordinal, o.total_ms), (3, 70_000, Some(0), 140_000));
        // Two scaled away while down at once close in ordinal order, before the rest.
        o.observe(SimTime::from_ms(210_000), &ready(&[(0, false), (1, false), (2, false)]));
        o.observe(SimTime::from_ms(300_000), &ready(&[(2, true)]));
        assert_eq!((o.count, o.longest_ms, o.longest_ordinal, o.total_ms), (6, 90_000, Some(0), 410_000));
    }
}
