//! The selector PodTopologySpread's system default constraints count pods with
//! (`helper.DefaultSelector`, `pkg/scheduler/framework/plugins/helper/spread.go`): the
//! labels of every Service in the pod's namespace that selects it, merged, plus the
//! requirements of the ReplicaSet or StatefulSet that controls it (ReplicationControllers
//! join when podsim simulates them); other controllers (Jobs, DaemonSets) add nothing,
//! as upstream.

use crate::cluster::pod::Owner;
use crate::cluster::{Cluster, Pod};
use crate::labels::{Selector, set_matches};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The default selectors built, by what they were built from: the pods of one
/// ReplicaSet share their label set, and reading every Service of the cluster for each
/// of them was a tenth of a week of 500 Deployments behind 500 Services. A cache only:
/// a hit gives what building again would.
#[derive(Debug, Default)]
pub struct DefaultSelectors {
    /// Services are only ever created (no action changes or deletes one), so their
    /// count says whether the cached selectors still hold.
    services: u64,
    /// (controller uid, address of the label set) → the key in full, and the selector.
    built: BTreeMap<(Option<u64>, usize), (Key, Option<Selector>)>,
}

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
    /// `default_selector(cluster, pod)`, built again only when what it depends on changed.
    pub fn get(&mut self, cluster: &Cluster, pod: &Pod) -> Option<Selector> {
        if self.services != cluster.services_created || self.built.len() >= CAPACITY {
            self.services = cluster.services_created;
            self.built.clear();
        }
        let controller = match pod.owner {
            Owner::ReplicaSet(id) => cluster.replicasets.get(id).map(|rs| rs.uid),
            Owner::StatefulSet(id) => cluster.statefulsets.get(id).map(|s| s.uid),
            _ => None,
        };
        let slot = (controller, Arc::as_ptr(&pod.labels) as usize);
        if let Some((key, selector)) = self.built.get(&slot)
            && Arc::ptr_eq(&key.labels, &pod.labels)
            && Arc::ptr_eq(&key.namespace, &pod.namespace)
        {
            return selector.clone();
        }
        let selector = default_selector(cluster, pod);
        let key = Key { namespace: pod.namespace.clone(), labels: pod.labels.clone() };
        self.built.insert(slot, (key, selector.clone()));
        selector
    }
}

/// The default selector of `pod`; `None` when it is empty (the defaults then do not
/// apply, as `buildDefaultConstraints` returns none for an empty selector).
pub fn default_selector(cluster: &Cluster, pod: &Pod) -> Option<Selector> {
    // `GetPodServices`: Services without a selector select nothing.
    let mut merged: Option<BTreeMap<String, String>> = None;
    for (_, service) in cluster.services.iter() {
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
