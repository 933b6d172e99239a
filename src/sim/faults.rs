//! What happens to nodes (crash, recover, cordon, uncordon, drain; random failure
//! processes) and what users do (`kubectl delete`, `apply`, `patch`).

use super::{Event, Simulation};
use crate::cluster::NodeId;
use crate::cluster::pod::{ContainerState, Stage, Terminated, TerminatedReason, WaitingReason};
use crate::cluster::template::ContainerKind;
use crate::scenario::{Action, FaultAction};
use crate::sim::record::ObjectRef;

impl Simulation {
    pub(crate) fn fault(&mut self, index: usize, undo: bool) {
        let f = self.scenario.faults[index].clone();
        if f.action == FaultAction::Add {
            self.add_pool_nodes(&f.node, f.count);
            return;
        }
        let Some(node) = self.cluster.node_by_name.get(f.node.as_str()).copied() else { return };
        let action = match (f.action, undo) {
            (FaultAction::Crash, true) => FaultAction::Recover,
            (FaultAction::Cordon | FaultAction::Drain, true) => FaultAction::Uncordon,
            (a, _) => a,
        };
        match action {
            FaultAction::Crash => self.crash_node(node),
            FaultAction::Recover => self.recover_node(node),
            FaultAction::Cordon => self.cordon(node, true),
            FaultAction::Uncordon => self.cordon(node, false),
            FaultAction::Drain => self.drain(node),
            FaultAction::Remove => self.remove_node(node),
            FaultAction::Add => {}
        }
        if let (false, Some(d)) = (undo, f.for_) {
            self.at(d, Event::Fault { index: index as u32, undo: true });
        }
    }

    /// The kubelet stops: every container on the node is gone with it; the API keeps
    /// showing what it last reported until the node lifecycle controller notices.
    pub(crate) fn crash_node(&mut self, node: NodeId) {
        if !self.cluster.node(node).kubelet_up || !self.cluster.node(node).present {
            return;
        }
        self.counters.node_crashes += 1;
        let n = self.cluster.node_mut(node);
        n.kubelet_up = false;
        n.pulls_in_flight = 0;
        n.pull_queue.clear();
        n.images.retain(|_, s| *s == crate::cluster::node::ImageState::Present);
        for id in n.resident.clone() {
            let Some(pod) = self.cluster.pods.get_mut(id) else { continue };
            pod.sandbox_lost = true;
            for c in pod.containers.iter_mut() {
                c.timer.cancel();
                c.probe_timer.cancel();
                if c.stage != Stage::Exited {
                    c.stage = Stage::Idle;
                }
            }
        }
        self.report_node(node);
        self.node_lifecycle_kubelet_stopped(node);
    }

    /// The kubelet is back: pods still bound to the node get a new sandbox; their
    /// containers are recreated (init containers run again); pods deleted meanwhile go.
    pub(crate) fn recover_node(&mut self, node: NodeId) {
        if self.cluster.node(node).kubelet_up || !self.cluster.node(node).present {
            return;
        }
        self.cluster.node_mut(node).kubelet_up = true;
        self.report_node(node);
        self.node_lifecycle_kubelet_started(node);
        for id in self.cluster.node(node).resident.clone() {
            self.recreate_sandbox(id);
        }
    }

    /// `convertToAPIContainerStatuses` for containers the runtime lost: a running one
    /// becomes Waiting with last state `ContainerStatusUnknown` (137) and one more restart.
    fn recreate_sandbox(&mut self, id: crate::cluster::PodId) {
        let now = self.now;
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        pod.sandbox_lost = false;
        if pod.start_time.is_none() && pod.deletion.is_none() && !pod.terminal {
            // Bound while the kubelet was down: it sees the pod for the first time now.
            self.kubelet_admit(id);
            return;
        }
        if pod.deletion.is_some() || pod.termination.is_some() || pod.terminal {
            // The status manager stamps startTime the first time the kubelet reports.
            pod.start_time.get_or_insert(now);
            // The containers are gone with the old sandbox: the kubelet reports them
            // terminated (ContainerStatusUnknown, 137) and finishes the pod.
            pod.termination = None;
            let running: Vec<usize> = (0..pod.containers.len())
                .filter(|c| matches!(pod.containers[*c].state, Some(ContainerState::Running { .. })))
                .collect();
            for c in running {
                let lost = Terminated {
                    exit_code: 137,
                    reason: TerminatedReason::ContainerStatusUnknown,
                    started_at: None,
                    finished_at: now,
                };
                if let Some(p) = self.cluster.pods.get_mut(id) {
                    p.containers[c].stage = Stage::Exited;
                }
                self.set_container_state(id, c, ContainerState::Terminated(lost));
            }
            self.finish_termination(id);
            return;
        }
        let waiting = if pod.template.has_init_containers() {
            WaitingReason::PodInitializing
        } else {
            WaitingReason::ContainerCreating
        };
        let policy = pod.template.restart_policy;
        for c in 0..pod.containers.len() {
            let pod = self.cluster.pods.get_mut(id).expect("exists");
            let spec = &pod.template.containers[c];
            let (kind, own_policy) = (spec.kind, spec.restart_policy);
            let status = &mut pod.containers[c];
            let was_running = matches!(status.state, Some(ContainerState::Running { .. }));
            status.has_started = false;
            status.completed = false;
            status.started = false;
            status.ready = false;
            if !was_running {
                // Init containers run again in the new sandbox; a container that had
                // exited for good stays so.
                if status.stage != Stage::Exited || kind == ContainerKind::Init {
                    status.stage = Stage::Idle;
                }
                continue;
            }
            let lost = Terminated {
                exit_code: 137,
                reason: TerminatedReason::ContainerStatusUnknown,
                started_at: None,
                finished_at: now,
            };
            let restarts = crate::kubelet::actions::restarts(kind, own_policy, policy, 137);
            if !restarts {
                // Not restarted: the lost container stays terminated.
                status.stage = Stage::Exited;
                self.set_container_state(id, c, ContainerState::Terminated(lost));
                continue;
            }
            status.last_state = Some(lost);
            status.stage = Stage::Idle;
            status.restart_count += 1;
            status.restart_counted = true;
            self.counters.restarts += 1;
            self.set_container_state(id, c, ContainerState::Waiting(waiting));
        }
        self.report_containers(id);
        self.refresh_status(id);
        self.kubelet_sync(id);
    }

    /// `kubectl cordon` / `uncordon`: `spec.unschedulable`.
    pub(crate) fn cordon(&mut self, node: NodeId, on: bool) {
        let n = self.cluster.node_mut(node);
        if n.unschedulable == on {
            return;
        }
        n.unschedulable = on;
        if on {
            n.taints.push(crate::api::node::Taint {
                key: crate::controllers::nodelifecycle::UNSCHEDULABLE.into(),
                value: None,
                effect: "NoSchedule".into(),
            });
        } else {
            n.taints.retain(|t| t.key != crate::controllers::nodelifecycle::UNSCHEDULABLE);
        }
        let name = n.name.clone();
        self.cluster.refresh_fit(node);
        self.report_node(node);
        let (reason, what) =
            if on { ("NodeNotSchedulable", "NodeNotSchedulable") } else { ("NodeSchedulable", "NodeSchedulable") };
        self.object_event(
            crate::sim::record::ObjectRef::node(&name),
            false,
            reason,
            format_args!("Node {name} status is now: {what}"),
        );
        if !on {
            self.scheduler_cluster_event(crate::scheduler::filter::hint::NODE_SCHEDULABLE, Some(node));
        }
    }

    /// `kubectl drain`: cordon, then evict every pod through the eviction API (graceful,
    /// with the `DisruptionTarget` condition).
    pub(crate) fn drain(&mut self, node: NodeId) {
        self.cordon(node, true);
        for id in self.cluster.node(node).pods.clone() {
            if let Some(pod) = self.cluster.pods.get_mut(id) {
                pod.disruption = Some("EvictionByEvictionAPI");
            }
            self.delete_pod(id, None);
        }
    }

    pub(crate) fn start_random_faults(&mut self, process: usize) {
        let p = self.scenario.random_faults[process].clone();
        let nodes: Vec<NodeId> =
            self.cluster.node_ids().filter(|n| p.nodes.matches(&self.cluster.node(*n).name)).collect();
        for node in nodes {
            let gap = p.time_between.sample(&mut self.fault_rng[process]);
            self.at(gap, Event::RandomFault { process: process as u32, node, repair: false });
        }
    }

    /// A node of a random process fails, is repaired after a drawn time, then runs
    /// until its next failure.
    pub(crate) fn random_fault(&mut self, process: usize, node: NodeId, repair: bool) {
        let p = self.scenario.random_faults[process].clone();
        if repair {
            self.recover_node(node);
            let gap = p.time_between.sample(&mut self.fault_rng[process]);
            self.at(gap, Event::RandomFault { process: process as u32, node, repair: false });
        } else {
            self.crash_node(node);
            let fix = p.repair_time.sample(&mut self.fault_rng[process]);
            self.at(fix, Event::RandomFault { process: process as u32, node, repair: true });
        }
    }

    pub(crate) fn action(&mut self, i: usize) {
        let scenario = self.scenario.clone();
        match &scenario.actions[i] {
            Action::Delete { kind, namespace, name, grace_seconds, .. } => match kind.as_str() {
                "Pod" => match self.cluster.find_pod(namespace, name) {
                    Some(id) => self.delete_pod(id, grace_seconds.map(|s| u64::try_from(s).unwrap_or(0) * 1000)),
                    None => {
                        self.warn_once(format!("actions[{i}]: pod {namespace}/{name} does not exist at {}", self.now))
                    }
                },
                "Node" => {
                    if let Some(node) = self.cluster.node_by_name.get(name.as_str()).copied() {
                        self.remove_node(node);
                    }
                }
                other => self.delete_controller_object(other, namespace, name),
            },
            Action::Apply { manifests, .. } => {
                for m in manifests {
                    self.apply_object(&m.object);
                }
            }
            Action::Patch { kind, namespace, name, set, .. } => self.patch_object(kind, namespace, name, set),
        }
    }

    /// `kubectl apply`: creates what does not exist; an existing pod is left as it is
    /// (its spec is immutable where the simulation cares).
    fn apply_object(&mut self, object: &crate::api::object::Object) {
        if let crate::api::object::Object::Pod(p) = object
            && self.cluster.find_pod(p.metadata.namespace(), &p.metadata.name).is_some()
        {
            return;
        }
        self.create_object(object, None);
    }

    /// Nodes join: copies of the pool's first node, named on after the pool's last.
    fn add_pool_nodes(&mut self, pool: &str, count: u32) {
        let scenario = self.scenario.clone();
        let Some(template) = scenario.pool_templates.iter().find(|n| n.pool == pool) else { return };
        for _ in 0..count {
            let next =
                (0..).find(|i| !self.cluster.node_by_name.contains_key(format!("{pool}-{i}").as_str())).unwrap_or(0);
            let name = format!("{pool}-{next}");
            let mut api = template.node.clone();
            api.metadata.name = name.clone();
            api.metadata.labels.insert("kubernetes.io/hostname".into(), name.clone());
            let node = self.add_node(&api, pool);
            self.object_event(
                ObjectRef::node(&name),
                false,
                "RegisteredNode",
                format_args!("Node {name} event: Registered Node {name} in Controller"),
            );
            self.scheduler_cluster_event(crate::scheduler::filter::hint::NODE_ADDED, Some(node));
        }
    }

    /// The Node object is deleted: its kubelet is gone, and the pod garbage collector
    /// deletes its pods after the 40 s quarantine.
    pub(crate) fn remove_node(&mut self, node: NodeId) {
        if !self.cluster.node(node).present {
            return;
        }
        self.crash_node(node);
        self.cluster.forget_node_images(node);
        self.cluster.node_mut(node).present = false;
        self.cluster.refresh_fit(node);
        self.scheduler.node_list.retain(|n| *n != node);
        self.scheduler_cluster_event(crate::scheduler::filter::hint::NODE_REMOVED, Some(node));
        self.set_node_ready_gone(node);
        let name = self.cluster.node(node).name.clone();
        self.object_event(
            ObjectRef::node(&name),
            false,
            "RemovingNode",
            format_args!("Node {name} event: Removing Node {name} from Controller"),
        );
        self.at(crate::controllers::podgc::QUARANTINE, Event::PodGcOrphans(node));
    }
}
