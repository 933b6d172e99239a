//! A StatefulSet's spec as its controller uses it: the ControllerRevision history
//! (`getStatefulSetRevisions`, `truncateHistory`; a revision is the template, named
//! `<set>-<hash>` with the hash `controller.ComputeHash` gives the Deployment's
//! `pod-template-hash`), and each ordinal's pod (`newStatefulSetPod`: the revision's
//! template with the identity of the ordinal: name, `hostname`, `subdomain`, and the
//! `statefulset.kubernetes.io/pod-name`, `apps.kubernetes.io/pod-index` and
//! `controller-revision-hash` labels), compiled once per revision and ordinal.

use crate::api::apps::IntOrString;
use crate::api::statefulset::StatefulSet as ApiStatefulSet;
use crate::cluster::daemonset::CONTROLLER_REVISION_HASH_LABEL;
use crate::cluster::statefulset::{
    OrdinalOutages, OrdinalPod, POD_INDEX_LABEL, POD_NAME_LABEL, PodManagement, Revision, StatefulSet, StringMap,
    UpdateStrategy,
};
use crate::cluster::template::PodTemplate;
use crate::cluster::{Cluster, StatefulSetId};
use crate::controllers::deployment::util::template_hash;
use crate::controllers::replicaset::seconds;
use crate::engine::SimTime;
use crate::labels::label_selector_as_selector;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A StatefulSet of a manifest (copies are named `<name>-<n>`); `None` when its selector
/// cannot be read (validation refused it already).
pub fn from_manifest(cluster: &mut Cluster, api: &ApiStatefulSet, copy: Option<u64>) -> Option<StatefulSet> {
    let mut api = api.clone();
    if let Some(n) = copy {
        api.metadata.name = format!("{}-{n}", api.metadata.name);
    }
    let selector = label_selector_as_selector(api.spec.selector.as_ref()).ok()?;
    let mut sts = StatefulSet {
        uid: 0,
        namespace: cluster.intern_namespace(api.metadata.namespace()),
        name: Arc::from(api.metadata.name.as_str()),
        api: Arc::new(api.clone()),
        selector,
        replicas: 0,
        start: 0,
        management: PodManagement::OrderedReady,
        strategy: UpdateStrategy::OnDelete,
        min_ready: 0,
        revision_history_limit: 10,
        generation: 0,
        created: SimTime::ZERO,
        revisions: Vec::new(),
        pod_templates: BTreeMap::new(),
        pods: BTreeMap::new(),
        status: Default::default(),
        sync_timer: Default::default(),
        sync_at: None,
        failures: 0,
        reported: None,
        outages: OrdinalOutages::default(),
        owned_claims: Default::default(),
    };
    apply_spec(&mut sts, api);
    Some(sts)
}

/// Writes a new spec: the generation goes up; the controller reads the rest.
pub fn apply_spec(sts: &mut StatefulSet, api: ApiStatefulSet) {
    sts.generation += 1;
    let spec = &api.spec;
    sts.replicas = u32::try_from(spec.replicas.unwrap_or(1)).unwrap_or(0);
    sts.start = u32::try_from(api.start_ordinal()).unwrap_or(0);
    sts.management = match spec.pod_management_policy.as_deref() {
        Some("Parallel") => PodManagement::Parallel,
        _ => PodManagement::OrderedReady,
    };
    let strategy = spec.update_strategy.as_ref();
    sts.strategy = match strategy.and_then(|s| s.type_.as_deref()) {
        Some("OnDelete") => UpdateStrategy::OnDelete,
        _ => {
            let rolling = strategy.and_then(|s| s.rolling_update.as_ref());
            UpdateStrategy::RollingUpdate {
                partition: rolling.map(|r| u32::try_from(r.partition.unwrap_or(0)).unwrap_or(0)),
                max_unavailable: rolling.and_then(|r| r.max_unavailable.clone()),
            }
        }
    };
    sts.min_ready = seconds(spec.min_ready_seconds);
    sts.revision_history_limit = usize::try_from(spec.revision_history_limit.unwrap_or(10)).unwrap_or(0);
    sts.api = Arc::new(api);
}

/// The revision name of a template (`<set>-<hash>`, the hash with the collision count).
fn revision_name(sts: &StatefulSet, template: &crate::api::pod::PodTemplateSpec) -> Arc<str> {
    let bytes = serde_json::to_vec(template).unwrap_or_default();
    Arc::from(format!("{}-{}", sts.name, template_hash(&bytes, sts.status.collision_count)).as_str())
}

/// `getStatefulSetRevisions`: the update revision is the current template's (a new
/// revision, the last one if it is the same, or an older equal one taking the next
/// number: a rollback); the current revision is `status.currentRevision`'s, or the
/// update revision when there is none. Returns (current, update).
pub fn sync_revisions(sts: &mut StatefulSet) -> (Arc<str>, Arc<str>) {
    let template = &sts.api.spec.template;
    let next = sts.revisions.last().map_or(1, |r| r.number + 1);
    let equal = sts.revisions.iter().rposition(|r| *r.template == *template);
    let update = match equal {
        Some(i) if i + 1 == sts.revisions.len() => sts.revisions[i].name.clone(),
        Some(i) => {
            let mut r = sts.revisions.remove(i);
            r.number = next;
            let name = r.name.clone();
            sts.revisions.push(r);
            name
        }
        None => {
            let name = revision_name(sts, template);
            let template = Arc::new(template.clone());
            sts.revisions.push(Revision { number: next, name: name.clone(), template });
            name
        }
    };
    let current = match sts.revision(&sts.status.current_revision) {
        Some(r) => r.name.clone(),
        None => update.clone(),
    };
    (current, update)
}

/// `truncateHistory`: revisions that neither status names nor a pod runs are deleted,
/// oldest first, down to `revisionHistoryLimit`; their compiled pods with them.
pub fn truncate_history(sts: &mut StatefulSet, live: &BTreeSet<Arc<str>>) {
    let history: Vec<Arc<str>> =
        sts.revisions.iter().filter(|r| !live.contains(&r.name)).map(|r| r.name.clone()).collect();
    let excess = history.len().saturating_sub(sts.revision_history_limit);
    if excess == 0 {
        // Every compiled pod is of a revision still kept (they are made only for one
        // that exists): nothing to walk (a pod per ordinal and revision, looked up by
        // name, a tenth of a rolling update of 2,000 pods when done at every sync).
        debug_assert!(sts.pod_templates.keys().all(|(rev, _)| sts.revision(rev).is_some()));
        return;
    }
    for name in &history[..excess] {
        sts.revisions.retain(|r| r.name != *name);
    }
    let kept: BTreeSet<Arc<str>> = sts.revisions.iter().map(|r| r.name.clone()).collect();
    sts.pod_templates.retain(|(rev, _), _| kept.contains(rev));
}

/// `newVersionedStatefulSetPod`'s choice: with a partition, ordinals below
/// `start + partition` get the current revision; with RollingUpdate and no
/// `rollingUpdate`, those below `start + status.currentReplicas`; the others the
/// update revision.
pub fn new_pod_revision<'a>(
    sts: &StatefulSet,
    ordinal: u32,
    current: &'a Arc<str>,
    update: &'a Arc<str>,
) -> &'a Arc<str> {
    let keep = match &sts.strategy {
        UpdateStrategy::RollingUpdate { partition: Some(p), .. } => ordinal < sts.start + p,
        UpdateStrategy::RollingUpdate { partition: None, .. } => ordinal < sts.start + sts.status.current,
        UpdateStrategy::OnDelete => false,
    };
    if keep { current } else { update }
}

/// The gate's maxUnavailable, if the strategy has one.
pub fn max_unavailable(sts: &StatefulSet) -> Option<&IntOrString> {
    match &sts.strategy {
        UpdateStrategy::RollingUpdate { max_unavailable, .. } => max_unavailable.as_ref(),
        UpdateStrategy::OnDelete => None,
    }
}

/// A pod of the set: the ordinal's identity on `revision`'s template, compiled on first
/// use; with the template's annotations.
pub fn pod_for(
    cluster: &mut Cluster,
    id: StatefulSetId,
    revision: &Arc<str>,
    ordinal: u32,
) -> Option<(OrdinalPod, StringMap)> {
    let sts = cluster.statefulsets.get(id)?;
    let key = (revision.clone(), ordinal);
    let template = sts.revision(revision)?.template.clone();
    let annotations = Arc::new(template.metadata.annotations.clone());
    if let Some(pod) = sts.pod_templates.get(&key) {
        return Some((pod.clone(), annotations));
    }
    let name = sts.pod_name(ordinal);
    let mut spec = template.spec.clone();
    // `initIdentity`: set at creation only.
    spec.hostname = Some(name.clone());
    spec.subdomain = sts.api.spec.service_name.clone().filter(|s| !s.is_empty());
    // `updateStorage`: the ordinal's claims as volumes.
    crate::api::validation_statefulset::with_claim_volumes(&mut spec, &super::claims::volumes_for(&sts.api, ordinal));
    let mut labels = template.metadata.labels.clone();
    labels.insert(POD_NAME_LABEL.into(), name);
    labels.insert(POD_INDEX_LABEL.into(), ordinal.to_string());
    // For a StatefulSet the label holds the revision's whole name (unlike a DaemonSet's).
    labels.insert(CONTROLLER_REVISION_HASH_LABEL.into(), revision.to_string());
    let compiled = Arc::new(PodTemplate::compile(
        Arc::new(spec),
        &mut cluster.resources,
        &mut cluster.images,
        cluster.api.default_tolerations,
    ));
    let pod = OrdinalPod { template: compiled, labels: Arc::new(labels) };
    let sts = cluster.statefulsets.get_mut(id)?;
    sts.pod_templates.insert(key, pod.clone());
    Some((pod, annotations))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::object::{Object, parse_file};

    fn set(cluster: &mut Cluster) -> StatefulSet {
        let yaml = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  revisionHistoryLimit: 1\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: nginx:1}]}\n";
        let mut ignored = Default::default();
        let m = parse_file("sts.yaml", yaml, &mut ignored).unwrap();
        let Object::StatefulSet(api) = &m[0].object else { unreachable!() };
        let mut api = (**api).clone();
        crate::api::validation_statefulset::default_statefulset(&mut api, false);
        from_manifest(cluster, &api, None).unwrap()
    }

    fn image(sts: &mut StatefulSet, image: &str) {
        let mut api = (*sts.api).clone();
        api.spec.template.spec.containers[0].image = Some(image.into());
        apply_spec(sts, api);
    }

    /// `getStatefulSetRevisions` and `truncateHistory`: a new template is a new revision,
    /// an old one comes back with the next number (a rollback), and revisions nothing
    /// uses go beyond `revisionHistoryLimit`, oldest first.
    #[test]
    fn revisions_follow_the_template_and_the_history_is_trimmed() {
        let streams = crate::engine::Streams::new(1);
        let mut cluster =
            Cluster::new(Default::default(), &streams, crate::cluster::network::NetworkConfig::defaults(1));
        let mut sts = set(&mut cluster);
        let (c1, u1) = sync_revisions(&mut sts);
        assert_eq!(c1, u1);
        assert!(u1.starts_with("web-"));
        image(&mut sts, "nginx:2");
        let (_, u2) = sync_revisions(&mut sts);
        assert_ne!(u1, u2);
        // Back to the first template: the first revision, renumbered 3.
        image(&mut sts, "nginx:1");
        let (_, u3) = sync_revisions(&mut sts);
        assert_eq!(u3, u1);
        let numbers: Vec<(i64, &str)> = sts.revisions.iter().map(|r| (r.number, &*r.name)).collect();
        assert_eq!(numbers, [(2, &*u2), (3, &*u1)]);
        // Only u1 is live: u2 is history, within the limit of 1; a third one is not.
        truncate_history(&mut sts, &[u1.clone()].into());
        assert_eq!(sts.revisions.len(), 2);
        image(&mut sts, "nginx:3");
        let (_, u4) = sync_revisions(&mut sts);
        truncate_history(&mut sts, &[u4.clone()].into());
        let names: Vec<&str> = sts.revisions.iter().map(|r| &*r.name).collect();
        assert_eq!(names, [&*u1, &*u4], "u2, the oldest unused, went");
    }
}
