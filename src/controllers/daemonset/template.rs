//! A DaemonSet's template as its controller uses it: the revision hash
//! (`controller.ComputeHash`, as the Deployment's `pod-template-hash`), the labels its
//! pods get (`util.CreatePodTemplate`: `controller-revision-hash` and
//! `pod-template-generation`), the ControllerRevision history, and each node's pod
//! (the template with the daemon tolerations and pinned to the node), compiled once
//! per revision and node.

use super::rules;
use crate::api::daemonset::DaemonSet as ApiDaemonSet;
use crate::cluster::daemonset::{
    CONTROLLER_REVISION_HASH_LABEL, DaemonSet, Revision, TEMPLATE_GENERATION_ANNOTATION, TEMPLATE_GENERATION_LABEL,
    UpdateStrategy,
};
use crate::cluster::template::PodTemplate;
use crate::cluster::{Cluster, DaemonSetId, NodeId};
use crate::controllers::deployment::util::template_hash;
use crate::controllers::replicaset::seconds;
use crate::labels::label_selector_as_selector;
use std::sync::Arc;

/// A DaemonSet of a manifest (copies are named `<name>-<n>`); `None` when its selector
/// cannot be read (validation refused it already).
pub fn from_manifest(cluster: &mut Cluster, api: &ApiDaemonSet, copy: Option<u64>) -> Option<DaemonSet> {
    let mut api = api.clone();
    if let Some(n) = copy {
        api.metadata.name = format!("{}-{n}", api.metadata.name);
    }
    api.spec.selector.as_ref().filter(|s| label_selector_as_selector(Some(s)).is_ok())?;
    let mut ds = DaemonSet {
        uid: 0,
        namespace: cluster.intern_namespace(api.metadata.namespace()),
        name: Arc::from(api.metadata.name.as_str()),
        api: Arc::new(api.clone()),
        strategy: UpdateStrategy::OnDelete,
        min_ready: 0,
        generation: 0,
        template_generation: 0,
        hash: String::new(),
        pod_labels: Default::default(),
        pod_annotations: Default::default(),
        rules: Default::default(),
        revisions: Vec::new(),
        node_templates: Default::default(),
        pods: Default::default(),
        status: Default::default(),
        failed_backoff: Default::default(),
        sync_timer: Default::default(),
        sync_at: None,
        reported: None,
    };
    apply_spec(&mut ds, api);
    Some(ds)
}

/// Writes a new spec: the generation goes up, and with a changed template the template
/// generation, the revision and what the pods get.
pub fn apply_spec(ds: &mut DaemonSet, mut api: ApiDaemonSet) {
    let template_changed = ds.template_generation == 0 || ds.api.spec.template != api.spec.template;
    ds.generation += 1;
    if template_changed {
        ds.template_generation += 1;
    }
    api.metadata.annotations.insert(TEMPLATE_GENERATION_ANNOTATION.into(), ds.template_generation.to_string());
    let spec = &api.spec;
    ds.strategy = match spec.update_strategy.as_ref().and_then(|s| s.type_.as_deref()) {
        Some("OnDelete") => UpdateStrategy::OnDelete,
        _ => {
            let r = spec.update_strategy.as_ref().and_then(|s| s.rolling_update.clone()).unwrap_or_default();
            UpdateStrategy::RollingUpdate {
                max_unavailable: r.max_unavailable.unwrap_or(crate::api::apps::IntOrString::Int(1)),
                max_surge: r.max_surge.unwrap_or(crate::api::apps::IntOrString::Int(0)),
            }
        }
    };
    ds.min_ready = seconds(spec.min_ready_seconds);
    if template_changed {
        let template = Arc::new(spec.template.clone());
        let bytes = serde_json::to_vec(&*template).unwrap_or_default();
        ds.hash = template_hash(&bytes, 0);
        // `constructHistory`: a template seen before takes the next revision number.
        let next = ds.revisions.iter().map(|r| r.number).max().unwrap_or(0) + 1;
        ds.revisions.retain(|r| r.hash != ds.hash);
        ds.revisions.push(Revision { number: next, hash: ds.hash.clone(), template: template.clone() });
        let limit = spec.revision_history_limit.unwrap_or(10).max(0) as usize;
        while ds.revisions.len() > limit + 1 {
            ds.revisions.remove(0);
        }
        let mut labels = template.metadata.labels.clone();
        labels.insert(CONTROLLER_REVISION_HASH_LABEL.into(), ds.hash.clone());
        labels.insert(TEMPLATE_GENERATION_LABEL.into(), ds.template_generation.to_string());
        ds.pod_labels = Arc::new(labels);
        ds.pod_annotations = Arc::new(template.metadata.annotations.clone());
        ds.rules = rules::rules_of(&template.spec);
        ds.node_templates.clear();
    }
    ds.api = Arc::new(api);
}

/// The current revision's pod for `node`, compiled on first use.
pub fn node_template(cluster: &mut Cluster, id: DaemonSetId, node: NodeId) -> Arc<PodTemplate> {
    let ds = cluster.daemonsets.get(id).expect("synced");
    if let Some(t) = ds.node_templates.get(&node) {
        return t.clone();
    }
    let mut spec = ds.api.spec.template.spec.clone();
    rules::add_daemon_tolerations(&mut spec);
    rules::pin_to_node(&mut spec, &cluster.nodes[node.0 as usize].name);
    let compiled = Arc::new(PodTemplate::compile(
        Arc::new(spec),
        &mut cluster.resources,
        &mut cluster.images,
        cluster.api.default_tolerations,
    ));
    let ds = cluster.daemonsets.get_mut(id).expect("synced");
    ds.node_templates.insert(node, compiled.clone());
    compiled
}
