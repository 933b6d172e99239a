//! DaemonSets as the API server keeps them: created, their spec changed (a rollout),
//! their status written, deleted with their pods (the garbage collector's cascading
//! deletion, done at once). Transition rows: the number of nodes that should run the
//! daemon pod (`desiredNumberScheduled`, `3` → `4`), as a ReplicaSet's are its
//! `spec.replicas`.

use super::{Change, Ctx};
use crate::cluster::DaemonSetId;
use crate::cluster::daemonset::{DaemonSet, DaemonSetStatus};
use crate::cluster::pod::Owner;
use crate::trace::ObjectRecord;

impl Ctx<'_> {
    /// Creates a DaemonSet object; `None` if one of that name exists (a warning is
    /// recorded). Its uid is given here.
    pub fn create_daemonset(&mut self, mut ds: DaemonSet) -> Option<DaemonSetId> {
        if self.cluster.daemonset_by_name.contains(&ds.namespace, &ds.name) {
            let message =
                format!("daemonset {}/{} already exists: the second create was refused", ds.namespace, ds.name);
            self.warn_once(message);
            return None;
        }
        self.cluster.objects_created += 1;
        ds.uid = self.cluster.objects_created;
        let (ns, name) = (ds.namespace.clone(), ds.name.clone());
        let id = self.cluster.daemonsets.insert(ds);
        self.cluster.daemonset_by_name.insert(&ns, &name, id);
        if self.rec.records_objects {
            let ds = self.cluster.daemonsets.get(id).expect("inserted");
            let record = ObjectRecord::DaemonSetCreated {
                time: self.now,
                uid: ds.uid,
                generation: ds.generation,
                daemonset: ds.api.as_ref(),
            };
            self.rec.sink.object(&record);
        }
        self.changed(Change::DaemonSetCreated(id));
        Some(id)
    }

    /// The DaemonSet's spec was written anew (`kubectl apply`, `set image`, `rollout
    /// restart|undo`): its controller sees it.
    pub fn update_daemonset(&mut self, id: DaemonSetId) {
        let Some(ds) = self.cluster.daemonsets.get(id) else { return };
        if self.rec.records_objects {
            let record = ObjectRecord::DaemonSetUpdated {
                time: self.now,
                uid: ds.uid,
                generation: ds.generation,
                daemonset: ds.api.as_ref(),
            };
            self.rec.sink.object(&record);
        }
        self.changed(Change::DaemonSetUpdated(id));
    }

    /// Writes a DaemonSet's status, with a transition row when the number of nodes
    /// that should run its pod changed.
    pub fn set_daemonset_status(&mut self, id: DaemonSetId, status: DaemonSetStatus) {
        let Some(ds) = self.cluster.daemonsets.get_mut(id) else { return };
        let first = ds.reported.is_none();
        let from = ds.status.desired;
        ds.status = status;
        if ds.reported == Some(status) {
            return;
        }
        ds.reported = Some(status);
        let (ns, name, uid) = (ds.namespace.clone(), ds.name.clone(), ds.uid);
        if first || from != status.desired {
            let from = if first { String::new() } else { from.to_string() };
            self.record_object_transition("DaemonSet", &ns, &name, &from, &status.desired.to_string(), "");
        }
        if self.rec.records_objects {
            self.rec.sink.object(&ObjectRecord::DaemonSetStatus { time: self.now, uid, status });
        }
    }

    /// The DaemonSet is deleted, and its pods with it.
    pub fn delete_daemonset(&mut self, id: DaemonSetId) {
        let Some(ds) = self.cluster.daemonsets.remove(id) else { return };
        if self.rec.records_objects {
            self.rec.sink.object(&ObjectRecord::DaemonSetRemoved { time: self.now, uid: ds.uid });
        }
        self.cluster.daemonset_by_name.remove(&ds.namespace, &ds.name);
        for pod in ds.pods.into_keys() {
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
}
