//! ReplicaSets and Deployments as the API server keeps them: created, scaled,
//! their status written, deleted with their dependents (the garbage collector's
//! cascading deletion, done at once). Transition rows: a ReplicaSet's `spec.replicas`
//! (`3` → `2`), a Deployment's rollout state as its `Progressing` condition says it.

use super::{Change, Ctx};
use crate::api::apps::Deployment as ApiDeployment;
use crate::cluster::apps::{
    Condition, ConditionStatus, Deployment, DeploymentStatus, ReplicaSet, ReplicaSetStatus, ReportedDeployment,
};
use crate::cluster::pod::Owner;
use crate::cluster::{DeploymentId, ReplicaSetId};
use crate::trace::{ObjectRecord, OwnerRecord};

/// What a Deployment's rows in transitions.csv say it is doing, from its conditions.
pub fn rollout_state(d: &Deployment) -> &'static str {
    match &d.progressing {
        _ if d.paused => "Paused",
        Some(c) if c.reason == "ProgressDeadlineExceeded" => "Stalled",
        Some(c) if c.reason == "NewReplicaSetAvailable" => "Complete",
        Some(_) => "Progressing",
        None if d.status.updated == d.replicas && d.status.available == d.replicas => "Complete",
        None => "Progressing",
    }
}

impl Ctx<'_> {
    /// Creates a ReplicaSet object; `None` if one of that name exists (a warning is
    /// recorded). Its uid is given here.
    pub fn create_replicaset(&mut self, mut rs: ReplicaSet) -> Option<ReplicaSetId> {
        if self.cluster.replicaset_by_name.contains(&rs.namespace, &rs.name) {
            let message =
                format!("replicaset {}/{} already exists: the second create was refused", rs.namespace, rs.name);
            self.warn_once(message);
            return None;
        }
        self.cluster.objects_created += 1;
        rs.uid = self.cluster.objects_created;
        let (ns, name, replicas) = (rs.namespace.clone(), rs.name.clone(), rs.replicas);
        let id = self.cluster.replicasets.insert(rs);
        self.cluster.replicaset_by_name.insert(&ns, &name, id);
        self.record_replicaset_object(id);
        self.record_object_transition("ReplicaSet", &ns, &name, "", &replicas.to_string(), "");
        self.changed(Change::ReplicaSetCreated(id));
        Some(id)
    }

    /// Sets a ReplicaSet's `spec.replicas` (and its Deployment's annotations on it).
    pub fn scale_replicaset(&mut self, id: ReplicaSetId, replicas: u32, annotations: &[(&str, String)]) {
        let Some(rs) = self.cluster.replicasets.get_mut(id) else { return };
        for (k, v) in annotations {
            rs.annotations.insert(k.to_string(), v.clone());
        }
        let from = rs.replicas;
        if from == replicas {
            self.report_replicaset_status(id);
            return;
        }
        rs.replicas = replicas;
        let (ns, name) = (rs.namespace.clone(), rs.name.clone());
        self.record_object_transition("ReplicaSet", &ns, &name, &from.to_string(), &replicas.to_string(), "");
        self.report_replicaset_status(id);
        self.changed(Change::ReplicaSetScaled(id));
    }

    /// Writes a ReplicaSet's status (its controller's `calculateStatus`).
    pub fn set_replicaset_status(&mut self, id: ReplicaSetId, status: ReplicaSetStatus, failure: Option<String>) {
        let Some(rs) = self.cluster.replicasets.get_mut(id) else { return };
        if rs.status == status && rs.failure == failure {
            return;
        }
        rs.status = status;
        rs.failure = failure;
        self.report_replicaset_status(id);
        self.changed(Change::ReplicaSetStatus(id));
    }

    /// The ReplicaSet is deleted, and its pods with it.
    pub fn delete_replicaset(&mut self, id: ReplicaSetId) {
        let Some(rs) = self.cluster.replicasets.remove(id) else { return };
        if self.rec.records_objects {
            self.rec.sink.object(&ObjectRecord::ReplicaSetRemoved { time: self.now, uid: rs.uid });
        }
        self.cluster.replicaset_by_name.remove(&rs.namespace, &rs.name);
        if let Some(d) = rs.owner.and_then(|d| self.cluster.deployments.get_mut(d)) {
            d.replicasets.remove(&id);
        }
        for pod in rs.pods {
            if let Some(p) = self.cluster.pods.get_mut(pod) {
                p.owner = Owner::None;
                if p.phase.is_terminal() {
                    self.remove_pod(pod);
                } else {
                    self.delete_pod(pod, None);
                }
            }
        }
    }

    /// Creates a Deployment object; `None` if one of that name exists.
    pub fn create_deployment(&mut self, mut d: Deployment, api: &ApiDeployment) -> Option<DeploymentId> {
        if self.cluster.deployment_by_name.contains(&d.namespace, &d.name) {
            let message =
                format!("deployment {}/{} already exists: the second create was refused", d.namespace, d.name);
            self.warn_once(message);
            return None;
        }
        self.cluster.objects_created += 1;
        d.uid = self.cluster.objects_created;
        let (ns, name) = (d.namespace.clone(), d.name.clone());
        let to = rollout_state(&d);
        let id = self.cluster.deployments.insert(d);
        self.cluster.deployment_by_name.insert(&ns, &name, id);
        if self.rec.records_objects {
            let uid = self.cluster.deployments.get(id).expect("inserted").uid;
            self.rec.sink.object(&ObjectRecord::DeploymentCreated { time: self.now, uid, deployment: api });
        }
        self.record_object_transition("Deployment", &ns, &name, "", to, "");
        self.changed(Change::DeploymentCreated(id));
        Some(id)
    }

    /// The Deployment's spec changed (`kubectl apply`, `set image`, `scale`,
    /// `rollout undo|restart|pause|resume`): its controller sees it.
    pub fn update_deployment(&mut self, id: DeploymentId, api: &ApiDeployment) {
        let Some(d) = self.cluster.deployments.get_mut(id) else { return };
        d.generation += 1;
        if self.rec.records_objects {
            let uid = d.uid;
            self.rec.sink.object(&ObjectRecord::DeploymentUpdated { time: self.now, uid, deployment: api });
        }
        self.changed(Change::DeploymentUpdated(id));
    }

    /// Writes a Deployment's status and conditions, with a transition row when its
    /// rollout state changed.
    pub fn set_deployment_status(
        &mut self,
        id: DeploymentId,
        status: DeploymentStatus,
        available: Option<Condition>,
        progressing: Option<Condition>,
    ) {
        let Some(d) = self.cluster.deployments.get_mut(id) else { return };
        let from = rollout_state(d);
        d.status = status;
        d.available = available;
        d.progressing = progressing;
        d.observed_generation = d.generation;
        let to = rollout_state(d);
        let reason = d.progressing.as_ref().map_or("", |c| c.reason);
        let (ns, name) = (d.namespace.clone(), d.name.clone());
        if from != to {
            self.record_object_transition("Deployment", &ns, &name, from, to, reason);
        }
        self.report_deployment_status(id);
    }

    /// The Deployment is deleted, and its ReplicaSets (and their pods) with it.
    pub fn delete_deployment(&mut self, id: DeploymentId) {
        let Some(d) = self.cluster.deployments.remove(id) else { return };
        if self.rec.records_objects {
            self.rec.sink.object(&ObjectRecord::DeploymentRemoved { time: self.now, uid: d.uid });
        }
        self.cluster.deployment_by_name.remove(&d.namespace, &d.name);
        for rs in d.replicasets {
            self.delete_replicaset(rs);
        }
    }

    fn record_replicaset_object(&mut self, id: ReplicaSetId) {
        if !self.rec.records_objects {
            return;
        }
        let Some(rs) = self.cluster.replicasets.get(id) else { return };
        let owner = rs.owner.and_then(|d| self.cluster.deployments.get(d)).map(|d| OwnerRecord {
            kind: "Deployment",
            name: &d.name,
            uid: d.uid,
        });
        self.rec.sink.object(&ObjectRecord::ReplicaSetCreated {
            time: self.now,
            uid: rs.uid,
            namespace: &rs.namespace,
            name: &rs.name,
            labels: &rs.labels,
            annotations: &rs.annotations,
            selector: &rs.api_selector,
            template: &rs.pod_template,
            replicas: rs.replicas,
            min_ready_seconds: rs.min_ready / 1000,
            owner,
        });
        self.report_replicaset_status(id);
    }

    fn report_replicaset_status(&mut self, id: ReplicaSetId) {
        if !self.rec.records_objects {
            return;
        }
        let Some(rs) = self.cluster.replicasets.get_mut(id) else { return };
        let now = (rs.replicas, rs.status);
        if rs.reported == Some(now) {
            return;
        }
        rs.reported = Some(now);
        let rs = self.cluster.replicasets.get(id).expect("just read");
        let s = rs.status;
        self.rec.sink.object(&ObjectRecord::ReplicaSetStatus {
            time: self.now,
            uid: rs.uid,
            desired: rs.replicas,
            revision: rs.revision(),
            replicas: s.replicas,
            fully_labeled: s.fully_labeled,
            ready: s.ready,
            available: s.available,
            terminating: s.terminating,
            failure: rs.failure.as_deref(),
        });
    }

    fn report_deployment_status(&mut self, id: DeploymentId) {
        if !self.rec.records_objects {
            return;
        }
        let Some(d) = self.cluster.deployments.get_mut(id) else { return };
        let now = ReportedDeployment {
            status: d.status,
            replicas: d.replicas,
            paused: d.paused,
            available: d.available.clone(),
            progressing: d.progressing.clone(),
            revision: d.revision(),
        };
        if d.reported.as_ref() == Some(&now) {
            return;
        }
        d.reported = Some(now);
        let d = self.cluster.deployments.get(id).expect("just read");
        let conditions: Vec<(&str, &Condition)> = [("Available", &d.available), ("Progressing", &d.progressing)]
            .into_iter()
            .filter_map(|(k, c)| c.as_ref().map(|c| (k, c)))
            .collect();
        let s = d.status;
        self.rec.sink.object(&ObjectRecord::DeploymentStatus {
            time: self.now,
            uid: d.uid,
            revision: d.revision(),
            replicas: s.replicas,
            updated: s.updated,
            ready: s.ready,
            available: s.available,
            unavailable: s.unavailable,
            conditions: &conditions,
        });
    }
}

/// A condition with this status, reason and message at `now`: the transition time
/// is kept when the status did not change.
pub fn condition(
    old: Option<&Condition>,
    status: ConditionStatus,
    reason: &'static str,
    message: String,
    now: crate::engine::SimTime,
) -> Condition {
    let last_transition = old.filter(|c| c.status == status).map_or(now, |c| c.last_transition);
    Condition { status, reason, message, last_update: now, last_transition }
}
