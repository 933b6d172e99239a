//! The selector PodTopologySpread's system default constraints count pods with
//! (`helper.DefaultSelector`, `pkg/scheduler/framework/plugins/helper/spread.go`): the
//! labels of every Service in the pod's namespace that selects it, merged, plus the
//! requirements of the ReplicaSet or StatefulSet that controls it (ReplicationControllers
//! join when podsim simulates them); other controllers (Jobs, DaemonSets) add nothing,
//! as upstream.

use crate::cluster::pod::Owner;
use crate::cluster::service::{Service, ServiceId};
use crate::cluster::{Cluster, Pod};
use crate::labels::{Selector, set_matches};
use crate::scheduler::topology_spread::{Constraint, system_default_constraints};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The default selectors built, by what they were built from: the pods of one
/// ReplicaSet share their label set, and reading every Service of the cluster for each
/// of them was a tenth of a week of 500 Deployments behind 500 Services. A cache only:
/// a hit gives what building again would.
#[derive(Debug, Default)]
pub struct DefaultSelectors {
    /// The Services created and present when the entries were built: any create or
    /// delete changes one of the two, and the cache starts again.
    services: (u64, usize),
    /// (controller uid, address of the label set) → the key in full, and the system
    /// default constraints with the selector (built once, not at every cycle).
    built: BTreeMap<(Option<u64>, usize), (Key, Defaults)>,
    /// The Services with a selector by namespace and their selector's first key and
    /// value: a Service selects a pod only if the pod has that label, so a selector is
    /// built from the few Services listed under the pod's labels, not from all of them
    /// (with 500 Services, reading each one's selector for every new ReplicaSet was
    /// most of the selectors' cost, in cache misses).
    by_label: ServicesByLabel,
}

/// namespace → key → value → the Services whose selector's first label it is. Nested,
/// so that a look-up borrows the pod's strings (one per label of every pod scheduled).
type ServicesByLabel = BTreeMap<Arc<str>, BTreeMap<String, BTreeMap<String, Vec<ServiceId>>>>;

/// PodTopologySpread's system default constraints of a pod (`None`: there are none).
pub type Defaults = Option<Arc<[Constraint]>>;

/// Entries kept before the cache starts again (each is a label set and a selector).
const CAPACITY: usize = 4096;

/// What a default selector depends on besides the Services: a ReplicaSet's or
/// StatefulSet's selector is immutable and its uid never reused (they share one
/// numbering of uids). The label set is held, so that its address
/// cannot be reused by another while it is a key.
#[derive(Debug)]
struct Key {
    namespace: Arc<str>,
    labels: Arc<BTreeMap<String, String>>,
}

impl DefaultSelectors {
    /// The system default constraints of the pod, with the selector
    /// `default_selector(cluster, pod)`, built again only when what it depends on changed.
    pub fn get(&mut self, cluster: &Cluster, pod: &Pod) -> Defaults {
        let services = (cluster.services_created, cluster.services.len());
        if self.services != services {
            self.services = services;
            self.built.clear();
            self.by_label = index_services(cluster);
        }
        if self.built.len() >= CAPACITY {
            self.built.clear();
        }
        let controller = match pod.owner {
            Owner::ReplicaSet(id) => cluster.replicasets.get(id).map(|rs| rs.uid),
            Owner::StatefulSet(id) => cluster.statefulsets.get(id).map(|s| s.uid),
            _ => None,
        };
        let slot = (controller, Arc::as_ptr(&pod.labels) as usize);
        if let Some((key, defaults)) = self.built.get(&slot)
            && Arc::ptr_eq(&key.labels, &pod.labels)
            && Arc::ptr_eq(&key.namespace, &pod.namespace)
        {
            return defaults.clone();
        }
        let candidates = self.candidates(pod);
        if controller.is_none() && candidates.is_empty() {
            // Nothing to build from: not worth an entry (a Job's pods each have a label
            // set of their own, and would only push the others out).
            return None;
        }
        let selector = self.build(cluster, pod, candidates);
        let constraints = system_default_constraints(selector.as_ref());
        let defaults = (!constraints.is_empty()).then(|| Arc::from(constraints));
        let key = Key { namespace: pod.namespace.clone(), labels: pod.labels.clone() };
        self.built.insert(slot, (key, defaults.clone()));
        defaults
    }

    /// The Services indexed under the pod's labels, in the order of the cluster's
    /// Services: those that may select the pod.
    fn candidates(&self, pod: &Pod) -> Vec<ServiceId> {
        let Some(by_key) = self.by_label.get(&*pod.namespace) else { return Vec::new() };
        let mut candidates: Vec<ServiceId> = Vec::new();
        for (k, v) in pod.labels.iter() {
            if let Some(ids) = by_key.get(k).and_then(|by_value| by_value.get(v)) {
                candidates.extend(ids);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
    }

    /// `default_selector`, reading only the `candidates` (in the order of the
    /// cluster's Services).
    fn build(&self, cluster: &Cluster, pod: &Pod, candidates: Vec<ServiceId>) -> Option<Selector> {
        let services = candidates.into_iter().filter_map(|id| cluster.services.get(id));
        let selector = merged_selector(services, cluster, pod);
        #[cfg(debug_assertions)]
        assert_eq!(selector, default_selector(cluster, pod), "the index finds every Service that selects the pod");
        selector
    }
}

/// The Services with a selector, by namespace and the selector's first label.
fn index_services(cluster: &Cluster) -> ServicesByLabel {
    let mut out = ServicesByLabel::new();
    for (id, service) in cluster.services.iter() {
        let Some((k, v)) = service.selector.as_ref().and_then(|s| s.iter().next()) else { continue };
        let by_value = out.entry(service.namespace.clone()).or_default().entry(k.clone()).or_default();
        by_value.entry(v.clone()).or_default().push(id);
    }
    out
}

/// The default selector of `pod`; `None` when it is empty (the defaults then do not
/// apply, as `buildDefaultConstraints` returns none for an empty selector). Read from
/// every Service: what the index must give (checked in debug builds).
#[cfg(debug_assertions)]
pub fn default_selector(cluster: &Cluster, pod: &Pod) -> Option<Selector> {
    merged_selector(cluster.services.iter().map(|(_, s)| s), cluster, pod)
}

/// The selector of the `services` (in the cluster's order) that select the pod, merged,
/// and of its ReplicaSet.
fn merged_selector<'a>(services: impl Iterator<Item = &'a Service>, cluster: &Cluster, pod: &Pod) -> Option<Selector> {
    // `GetPodServices`: Services without a selector select nothing.
    let mut merged: Option<BTreeMap<String, String>> = None;
    for service in services {
        let Some(selector) = &service.selector else { continue };
        if *service.namespace != *pod.namespace || !set_matches(selector, &pod.labels) {
            continue;
        }
        let set = merged.get_or_insert_with(BTreeMap::new);
        set.extend(selector.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let mut selector = merged.as_ref().map(Selector::from_set);
    let controller = match pod.owner {
        Owner::ReplicaSet(id) => cluster.replicasets.get(id).map(|rs| &rs.selector),
        Owner::StatefulSet(id) => cluster.statefulsets.get(id).map(|s| &s.selector),
        _ => None,
    };
    if let Some(own) = controller {
        selector = Some(match selector {
            Some(s) => s.and(own),
            None => own.clone(),
        });
    }
    selector.filter(|s| !s.is_empty())
}
