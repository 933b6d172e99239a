//! The selector PodTopologySpread's system default constraints count pods with
//! (`helper.DefaultSelector`, `pkg/scheduler/framework/plugins/helper/spread.go`): the
//! labels of every Service in the pod's namespace that selects it, merged, plus the
//! requirements of the ReplicaSet that controls it. StatefulSets and
//! ReplicationControllers join when podsim simulates them; other controllers (Jobs,
//! DaemonSets) add nothing, as upstream.

use crate::cluster::pod::Owner;
use crate::cluster::{Cluster, Pod};
use crate::labels::{Selector, set_matches};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The last default selector built, and what it was built from: the pods of one
/// ReplicaSet share their label set and come to the scheduler in batches, and reading
/// every Service of the cluster for each of them was a tenth of a week of 500
/// Deployments behind 500 Services.
#[derive(Debug, Default)]
pub struct LastDefaultSelector {
    last: Option<(Key, Option<Selector>)>,
}

/// What a default selector depends on. Services are only ever created (no action
/// changes or deletes one), so their count says whether they changed; a ReplicaSet's
/// selector is immutable, and its uid is never reused. The label set is held, so that
/// its address cannot be reused by another while it is the key.
#[derive(Debug)]
struct Key {
    services: u64,
    namespace: Arc<str>,
    labels: Arc<BTreeMap<String, String>>,
    replicaset: Option<u64>,
}

impl Key {
    fn of(cluster: &Cluster, pod: &Pod) -> Key {
        let replicaset = match pod.owner {
            Owner::ReplicaSet(id) => cluster.replicasets.get(id).map(|rs| rs.uid),
            _ => None,
        };
        Key {
            services: cluster.services_created,
            namespace: pod.namespace.clone(),
            labels: pod.labels.clone(),
            replicaset,
        }
    }

    fn same(&self, other: &Key) -> bool {
        self.services == other.services
            && Arc::ptr_eq(&self.namespace, &other.namespace)
            && Arc::ptr_eq(&self.labels, &other.labels)
            && self.replicaset == other.replicaset
    }
}

impl LastDefaultSelector {
    /// `default_selector(cluster, pod)`, built again only when what it depends on changed.
    pub fn get(&mut self, cluster: &Cluster, pod: &Pod) -> Option<Selector> {
        let key = Key::of(cluster, pod);
        match &self.last {
            Some((last, selector)) if last.same(&key) => selector.clone(),
            _ => {
                let selector = default_selector(cluster, pod);
                self.last = Some((key, selector.clone()));
                selector
            }
        }
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
    if let Owner::ReplicaSet(id) = pod.owner
        && let Some(rs) = cluster.replicasets.get(id)
    {
        selector = Some(match selector {
            Some(s) => s.and(&rs.selector),
            None => rs.selector.clone(),
        });
    }
    selector.filter(|s| !s.is_empty())
}
