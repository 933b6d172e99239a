//! StatefulSets as the API server keeps them: created, their spec changed (a scale, a
//! rollout), their status written, deleted with their pods (the garbage collector's
//! cascading deletion, done at once). Transition rows: the READY column of `kubectl get
//! sts`, `<readyReplicas>/<spec.replicas>` (`2/3` → `3/3`).

use super::{Change, Ctx};
use crate::cluster::StatefulSetId;
use crate::cluster::pod::Owner;
use crate::cluster::statefulset::{StatefulSet, StatefulSetStatus};
use crate::trace::ObjectRecord;

impl Ctx<'_> {
    /// Creates a StatefulSet object; `None` if one of that name exists (a warning is
    /// recorded). Its uid is given here.
    pub fn create_statefulset(&mut self, mut sts: StatefulSet) -> Option<StatefulSetId> {
        if self.cluster.statefulset_by_name.contains(&sts.namespace, &sts.name) {
            let message =
                format!("statefulset {}/{} already exists: the second create was refused", sts.namespace, sts.name);
            self.warn_once(message);
            return None;
        }
        self.cluster.objects_created += 1;
        sts.uid = self.cluster.objects_created;
        sts.created = self.now;
        let (ns, name, replicas) = (sts.namespace.clone(), sts.name.clone(), sts.replicas);
        let id = self.cluster.statefulsets.insert(sts);
        self.cluster.statefulset_by_name.insert(&ns, &name, id);
        if self.rec.records_objects {
            let s = self.cluster.statefulsets.get(id).expect("inserted");
            let record = ObjectRecord::StatefulSetCreated {
                time: self.now,
                uid: s.uid,
                generation: s.generation,
                statefulset: &s.api,
            };
            self.rec.sink.object(&record);
        }
        self.record_object_transition("StatefulSet", &ns, &name, "", &format!("0/{replicas}"), "");
        self.changed(Change::StatefulSetCreated(id));
        Some(id)
    }

    /// The StatefulSet's spec was written anew (`kubectl scale`, `apply`, `set image`,
    /// `rollout restart|undo`): its controller sees it. `replicas_before` is the
    /// `spec.replicas` it had.
    pub fn update_statefulset(&mut self, id: StatefulSetId, replicas_before: u32) {
        let Some(s) = self.cluster.statefulsets.get(id) else { return };
        if self.rec.records_objects {
            let record = ObjectRecord::StatefulSetUpdated {
                time: self.now,
                uid: s.uid,
                generation: s.generation,
                statefulset: &s.api,
            };
            self.rec.sink.object(&record);
        }
        if s.replicas != replicas_before {
            let (ns, name, ready) = (s.namespace.clone(), s.name.clone(), s.status.ready);
            let (from, to) = (format!("{ready}/{replicas_before}"), format!("{ready}/{}", s.replicas));
            self.record_object_transition("StatefulSet", &ns, &name, &from, &to, "");
        }
        self.changed(Change::StatefulSetUpdated(id));
    }

    /// Writes a StatefulSet's status (`UpdateStatefulSetStatus`), with a transition row
    /// when its ready replicas changed; `ready` says which ordinals in range have a
    /// Running and Ready pod (the summary's ordinal outages).
    pub fn set_statefulset_status(&mut self, id: StatefulSetId, status: StatefulSetStatus, ready: &[(u32, bool)]) {
        let now = self.now;
        let Some(s) = self.cluster.statefulsets.get_mut(id) else { return };
        s.outages.observe(now, ready);
        let from = s.status.ready;
        s.status = status;
        if s.reported.as_ref() == Some(&s.status) {
            return;
        }
        s.reported = Some(s.status.clone());
        let (ns, name, replicas, to) = (s.namespace.clone(), s.name.clone(), s.replicas, s.status.ready);
        if from != to {
            self.record_object_transition(
                "StatefulSet",
                &ns,
                &name,
                &format!("{from}/{replicas}"),
                &format!("{to}/{replicas}"),
                "",
            );
        }
        if self.rec.records_objects {
            let s = self.cluster.statefulsets.get(id).expect("read above");
            self.rec.sink.object(&ObjectRecord::StatefulSetStatus { time: now, uid: s.uid, status: &s.status });
        }
    }

    /// The StatefulSet is deleted, and its pods with it (the garbage collector's
    /// background deletion: the pods are orphaned of their owner and deleted).
    pub fn delete_statefulset(&mut self, id: StatefulSetId) {
        let Some(s) = self.cluster.statefulsets.remove(id) else { return };
        if self.rec.records_objects {
            self.rec.sink.object(&ObjectRecord::StatefulSetRemoved { time: self.now, uid: s.uid });
        }
        let outcome = crate::apiserver::counters::StatefulSetOutcome::of(&s, Some(self.now), self.now);
        self.rec.counters.statefulsets.push(outcome);
        self.cluster.statefulset_by_name.remove(&s.namespace, &s.name);
        // `whenDeleted: Delete`: the claims owned by the set go with it.
        for claim in &s.owned_claims {
            self.delete_claim(*claim);
        }
        for pod in s.pods.into_values().map(|p| p.id) {
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
