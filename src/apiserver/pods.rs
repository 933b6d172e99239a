//! Pods as the API server keeps them: created with a name and admission defaults, bound
//! to a node, deleted gracefully (the kubelet stops them, seeing the deletion on the
//! feed) and removed. Binding and the end of a pod move the node's accounting, which
//! the scheduler reads.

use super::feed::Released;
use super::{Change, Ctx, Kind};
use crate::cluster::pod::{
    ContainerState, ContainerStatus, Deletion, Owner, Pod, PodPhase, SchedulingState, Terminated,
};
use crate::cluster::resources::{CPU, MEMORY};
use crate::cluster::template::PodTemplate;
use crate::cluster::{NodeId, PodId};
use crate::engine::{Millis, Timer};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a new pod is made of.
pub struct PodRequest {
    pub namespace: String,
    pub name: String,
    pub generate_name: Option<String>,
    pub labels: Arc<BTreeMap<String, String>>,
    pub annotations: Arc<BTreeMap<String, String>>,
    pub template: Arc<PodTemplate>,
    pub owner: Owner,
}

/// Why the API server did not create a pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CreateError {
    /// A pod of that name exists (a warning was recorded).
    AlreadyExists,
    /// Admission refused it (`pods "x" is forbidden: ...`).
    Forbidden(String),
}

impl Ctx<'_> {
    /// Creates a pod as the API server would: a name, admission, the object. The
    /// scheduler (or, with `spec.nodeName`, that node's kubelet) sees it on the feed.
    pub fn create_pod(&mut self, req: PodRequest) -> Result<PodId, CreateError> {
        let name = match (&req.name[..], &req.generate_name) {
            ("", Some(prefix)) => loop {
                let candidate = self.generated_name(prefix);
                if self.cluster.find_pod(&req.namespace, &candidate).is_none() {
                    break candidate;
                }
            },
            (name, _) => name.to_string(),
        };
        if self.cluster.find_pod(&req.namespace, &name).is_some() {
            self.warn_once(format!(
                "pod {}/{name} already exists: the second create was refused (AlreadyExists)",
                req.namespace
            ));
            return Err(CreateError::AlreadyExists);
        }
        let admitted = match self.admit_priority(&req.template) {
            Ok(a) => a,
            Err(reason) => {
                // The API server names the pod before generating a name, so a
                // generated pod goes by its prefix.
                let name = match (&req.name[..], &req.generate_name) {
                    ("", Some(prefix)) => prefix.as_str(),
                    (name, _) => name,
                };
                return Err(CreateError::Forbidden(format!("pods {name:?} is forbidden: {reason}")));
            }
        };
        let namespace = self.cluster.intern_namespace(&req.namespace);
        self.cluster.pods_created += 1;
        let pod = Pod {
            uid: self.cluster.pods_created,
            namespace: namespace.clone(),
            name: Arc::from(name.as_str()),
            labels: req.labels,
            annotations: req.annotations,
            owner: req.owner,
            priority: admitted.priority,
            preempt_never: admitted.preempt_never,
            created: self.now,
            phase: PodPhase::Pending,
            reason: None,
            evicted: None,
            node: None,
            scheduled_at: None,
            start_time: None,
            running_at: None,
            finished_at: None,
            deletion: None,
            termination: None,
            terminal: false,
            initialized: false,
            sandbox_attempt: 0,
            ready: false,
            ready_changed_at: None,
            ready_since: None,
            disruption: None,
            containers: (0..req.template.containers.len()).map(|_| ContainerStatus::unseen()).collect(),
            sched: SchedulingState::default(),
            deadline_timer: Timer::default(),
            eviction_timer: Timer::default(),
            sandbox_lost: false,
            counted: false,
            ip: None,
            ip_held: false,
            sandbox_timer: Timer::default(),
            sandboxes: 0,
            reported: None,
            volumes: None,
            template: req.template,
        };
        let id = self.cluster.pods.insert(pod);
        self.cluster.pod_by_name.insert(&namespace, &name, id);
        self.rec.counters.pods_created += 1;
        self.rec.counters.unscheduled += 1;
        self.outage_tick();
        self.record_pod_created(id);
        self.changed(Change::PodCreated(id));
        Ok(id)
    }

    /// `kubectl delete pod` (or a controller's delete): `grace` overrides the pod's
    /// `terminationGracePeriodSeconds`; 0 removes the object at once (`--force`).
    pub fn delete_pod(&mut self, id: PodId, grace: Option<Millis>) {
        let now = self.now;
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        if pod.deletion.is_some() {
            // Already terminating: only a forced delete (`--grace-period=0 --force`)
            // changes anything, and it removes the object now, however long its
            // kubelet has been away.
            if grace == Some(0) {
                if pod.node.is_some() {
                    pod.terminal = true;
                }
                self.remove_pod(id);
            }
            return;
        }
        let grace = grace.unwrap_or(pod.template.grace);
        pod.deletion = Some(Deletion { requested_at: now, grace });
        if let (true, Some(node)) = (pod.counted, pod.node) {
            // Terminating: spreading no longer counts it.
            self.cluster.spread.remove(pod, node);
        }
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
            self.remove_pod(id);
            return;
        }
        self.record_pod_deleted(id);
        self.changed(Change::PodDeleting(id));
    }

    /// The pod object leaves the API: its last phase is final for the summary.
    pub fn remove_pod(&mut self, id: PodId) {
        self.release_node_resources(id);
        // A sandbox still up (a forced delete, a pod of a removed node) goes with it.
        self.cluster.release_pod_ip(id);
        let Some(pod) = self.cluster.pods.remove(id) else { return };
        self.record_pod_removed(id, &pod);
        if let Some(n) = pod.node {
            self.cluster.node_mut(n).resident.retain(|p| *p != id);
        }
        self.cluster.pod_by_name.remove(&pod.namespace, &pod.name, id);
        let counters = &mut self.rec.counters;
        counters.phase[pod.phase as usize] -= 1;
        counters.final_phase[pod.phase as usize] += 1;
        counters.pods_deleted += 1;
        if pod.node.is_none() {
            counters.never_scheduled += 1;
            counters.unscheduled -= 1;
            self.outage_tick();
        }
        self.collect_claims_of(pod.uid);
        if self.watched(Kind::PodRemoved) {
            self.changed(Change::PodRemoved { id, pod: Box::new(pod) });
        }
    }

    /// The garbage collector: claims whose owner reference names the pod that left (a
    /// StatefulSet's, scaled away with `whenScaled: Delete`; a generic ephemeral
    /// volume's) are deleted with it.
    fn collect_claims_of(&mut self, pod_uid: u64) {
        let owned: Vec<crate::cluster::storage::ClaimId> = self
            .cluster
            .storage
            .claims
            .iter()
            .filter(|(_, c)| c.owner_pod == Some(pod_uid))
            .map(|(id, _)| id)
            .collect();
        for claim in owned {
            self.delete_claim(claim);
        }
    }

    /// Sets `spec.nodeName`: the node now holds the pod, and its requests count there.
    pub fn place_on_node(&mut self, id: PodId, node: NodeId) {
        let now = self.now;
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        pod.node = Some(node);
        pod.scheduled_at = Some(now);
        pod.counted = true;
        *self.cluster.bound_priorities.entry(pod.priority).or_default() += 1;
        let t = pod.template.clone();
        self.record_pod_bound(id);
        self.rec.counters.unscheduled -= 1;
        self.outage_tick();
        let n = self.cluster.node_mut(node);
        n.requested.add(&t.requests);
        n.nonzero_cpu += t.nonzero_cpu;
        n.nonzero_memory += t.nonzero_memory;
        n.pods.push(id);
        n.resident.push(id);
        n.host_ports.extend(t.host_ports.iter().cloned());
        let pod = self.cluster.pods.get(id).expect("just bound");
        if pod.deletion.is_none() {
            self.cluster.spread.add(pod, node);
        }
        self.cluster.refresh_fit(node);
        if t.pod_affinity.is_some() {
            self.cluster.affinity_pods.insert(id);
        }
        self.rec.counters.cpu_requested.add(now.ms(), t.requests.get(CPU));
        self.rec.counters.memory_requested.add(now.ms(), t.requests.get(MEMORY));
        if self.rec.check_invariants {
            let n = self.cluster.node(node);
            let over = n.requested.nonzero().find(|(r, v)| *v > n.allocatable.get(*r)).map(|(r, _)| r);
            if let Some(r) = over {
                let message = format!(
                    "node {} is over its allocatable {} after binding a pod",
                    n.name,
                    self.cluster.resources.name(r)
                );
                self.rec.violations.push(message);
            }
        }
        self.changed(Change::PodBound { pod: id, node });
    }

    /// The pod no longer holds its node's resources (terminal, or gone).
    pub fn release_node_resources(&mut self, id: PodId) {
        let now = self.now;
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        if !pod.counted {
            return;
        }
        pod.counted = false;
        if let std::collections::btree_map::Entry::Occupied(mut e) = self.cluster.bound_priorities.entry(pod.priority) {
            *e.get_mut() -= 1;
            if *e.get() == 0 {
                e.remove();
            }
        }
        let pod = self.cluster.pods.get(id).expect("just read");
        let (Some(node), t) = (pod.node, pod.template.clone()) else { return };
        let released = self.watched(Kind::PodReleased).then(|| Released {
            node,
            namespace: pod.namespace.clone(),
            labels: pod.labels.clone(),
            template: t.clone(),
            terminating: pod.deletion.is_some(),
        });
        if pod.deletion.is_none() {
            self.cluster.spread.remove(pod, node);
        }
        let n = self.cluster.node_mut(node);
        n.requested.sub(&t.requests);
        n.nonzero_cpu -= t.nonzero_cpu;
        n.nonzero_memory -= t.nonzero_memory;
        n.pods.retain(|p| *p != id);
        for port in &t.host_ports {
            if let Some(i) = n.host_ports.iter().position(|p| p == port) {
                n.host_ports.swap_remove(i);
            }
        }
        self.cluster.refresh_fit(node);
        if t.pod_affinity.is_some() {
            self.cluster.affinity_pods.remove(&id);
        }
        self.rec.counters.cpu_requested.add(now.ms(), -t.requests.get(CPU));
        self.rec.counters.memory_requested.add(now.ms(), -t.requests.get(MEMORY));
        if let Some(r) = released {
            self.changed(Change::PodReleased(r));
        }
    }

    /// The pod ended while containers had not run (waiting, or not yet seen by the
    /// kubelet): they are reported terminated with it (`ContainerStatusUnknown`, 137).
    pub fn report_unstarted_lost(&mut self, id: PodId) {
        let Some(pod) = self.cluster.pods.get(id) else { return };
        let lost: Vec<usize> = (0..pod.containers.len())
            .filter(|c| matches!(pod.containers[*c].state, Some(ContainerState::Waiting(_)) | None))
            .collect();
        for c in lost {
            self.set_container_state(id, c, ContainerState::Terminated(Terminated::lost(self.now)));
        }
    }

    /// A container of the pod restarted: its `restartCount` went up.
    pub fn count_restart(&mut self, id: PodId) {
        self.rec.counters.restarts += 1;
        self.changed(Change::ContainerRestarted(id));
    }

    /// Keeps the integral of unscheduled pods during outages current: call after the
    /// number of unscheduled pods or of Ready nodes changed.
    pub fn outage_tick(&mut self) {
        let c = &mut self.rec.counters;
        let outage = c.nodes_ready < self.cluster.present_nodes;
        let pending = if outage { c.unscheduled as i64 } else { 0 };
        if pending != c.pending_during_outages.value() {
            c.pending_during_outages.set(self.now.ms(), pending);
        }
    }
}
