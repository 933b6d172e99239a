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
