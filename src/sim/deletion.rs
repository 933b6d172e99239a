//! Deleting pods as the API server does: graceful deletion through the kubelet, and
//! the object's removal once its containers are gone.

use super::Simulation;
use crate::cluster::PodId;
use crate::cluster::pod::Deletion;
use crate::engine::Millis;

impl Simulation {
    /// `kubectl delete pod` (or a controller's delete): `grace` overrides the pod's
    /// `terminationGracePeriodSeconds`; 0 removes the object at once (`--force`).
    pub(crate) fn delete_pod(&mut self, id: PodId, grace: Option<Millis>) {
        let now = self.now;
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        if pod.deletion.is_some() {
            return;
        }
        let grace = grace.unwrap_or(pod.template.grace);
        pod.deletion = Some(Deletion { requested_at: now, grace });
        // The API server deletes at once only a pod that is unscheduled or already
        // terminal; a bound pod waits for its kubelet to stop it, however long the
        // kubelet is away (a pod bound to a crashed node stays Terminating).
        let running = pod.node.is_some() && !pod.terminal;
        if !running || grace == 0 {
            if pod.node.is_some() && !pod.terminal && grace == 0 {
                // A forced delete: the object goes now; the kubelet still kills the
                // containers (not modelled beyond freeing the node).
                pod.terminal = true;
            }
            self.remove_pod_object(id);
            return;
        }
        self.record_pod_deleted(id);
        self.begin_termination(id, grace);
        self.controllers_pod_finished(id);
    }

    /// The pod object leaves the API: its last phase is final for the summary.
    pub(crate) fn remove_pod_object(&mut self, id: PodId) {
        self.release_node_resources(id);
        self.scheduler_forget(id);
        let Some(pod) = self.cluster.pods.remove(id) else { return };
        self.record_pod_removed(&pod);
        self.podgc_forget(id, pod.created, pod.uid);
        if let Some(n) = pod.node {
            self.cluster.node_mut(n).resident.retain(|p| *p != id);
        }
        self.cluster.pod_by_name.remove(&pod.namespace, &pod.name);
        self.counters.phase[pod.phase as usize] -= 1;
        self.counters.final_phase[pod.phase as usize] += 1;
        self.counters.pods_deleted += 1;
        if pod.node.is_none() {
            self.counters.never_scheduled += 1;
            self.counters.unscheduled -= 1;
            self.outage_tick();
        }
        self.controllers_pod_removed(id, &pod);
    }
}
