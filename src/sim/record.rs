//! Writing transitions and events: each change of an API-visible value goes through
//! here, so that a row is written exactly when the value changes.

use super::Simulation;
use crate::cluster::PodId;
use crate::cluster::pod::{ContainerState, PodPhase};
use crate::trace::{EventRecord, Transition};
use std::fmt::Write;

/// The object an Event is about (`involvedObject`), and the node it concerns.
#[derive(Clone, Copy, Debug)]
pub struct ObjectRef<'a> {
    pub kind: &'a str,
    pub namespace: &'a str,
    pub name: &'a str,
    pub node: &'a str,
}

impl<'a> ObjectRef<'a> {
    pub fn node(name: &'a str) -> ObjectRef<'a> {
        ObjectRef { kind: "Node", namespace: "", name, node: name }
    }
}

impl Simulation {
    /// Records an Event about a pod (`involvedObject` = the pod).
    pub(crate) fn pod_event(&mut self, id: PodId, warning: bool, reason: &str, message: std::fmt::Arguments) {
        self.pod_event_at(id, None, warning, reason, message);
    }

    /// Records an Event about one container of a pod (`involvedObject.fieldPath` =
    /// `spec.containers{name}` or `spec.initContainers{name}`), as the kubelet does.
    pub(crate) fn container_event(
        &mut self,
        id: PodId,
        c: usize,
        warning: bool,
        reason: &str,
        message: std::fmt::Arguments,
    ) {
        self.pod_event_at(id, Some(c), warning, reason, message);
    }

    fn pod_event_at(
        &mut self,
        id: PodId,
        container: Option<usize>,
        warning: bool,
        reason: &str,
        message: std::fmt::Arguments,
    ) {
        let Some(pod) = self.cluster.pods.get(id) else { return };
        let mut path = std::mem::take(&mut self.field_path);
        path.clear();
        if let Some(c) = container {
            let list = if c < pod.template.first_app { "initContainers" } else { "containers" };
            let _ = write!(path, "spec.{list}{{{}}}", pod.container_name(c));
        }
        self.msg.clear();
        let _ = self.msg.write_fmt(message);
        let node = pod.node.map_or("", |n| &*self.cluster.node(n).name);
        self.trace.event(&EventRecord {
            time: self.now,
            warning,
            reason,
            kind: "Pod",
            namespace: &pod.namespace,
            name: &pod.name,
            node,
            message: &self.msg,
            field_path: &path,
        });
        self.field_path = path;
    }

    /// Records an Event about any object.
    pub(crate) fn object_event(
        &mut self,
        object: ObjectRef,
        warning: bool,
        reason: &str,
        message: std::fmt::Arguments,
    ) {
        self.msg.clear();
        let _ = self.msg.write_fmt(message);
        let ObjectRef { kind, namespace, name, node } = object;
        self.trace.event(&EventRecord {
            time: self.now,
            warning,
            reason,
            kind,
            namespace,
            name,
            node,
            message: &self.msg,
            field_path: "",
        });
    }

    /// Sets a pod's phase, writing the transition if it changed.
    pub(crate) fn set_phase(&mut self, id: PodId, phase: PodPhase, reason: &str) {
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        let from = pod.phase;
        if from == phase {
            return;
        }
        pod.phase = phase;
        if !super::invariants::phase_may_move(from, phase) {
            let message = format!("pod {pod} went from {} back to {}", from.as_str(), phase.as_str());
            self.violations.push(message);
        }
        self.counters.phase[from as usize] -= 1;
        self.counters.phase[phase as usize] += 1;
        let pod = &self.cluster.pods.get(id).expect("just read");
        let node = pod.node.map_or("", |n| &*self.cluster.node(n).name);
        self.trace.transition(&Transition {
            time: self.now,
            kind: "Pod",
            namespace: &pod.namespace,
            name: &pod.name,
            container: None,
            from: from.as_str(),
            to: phase.as_str(),
            reason,
            node,
        });
        self.report_pod_status(id);
    }

    /// A row for a Job or CronJob (no node).
    pub(crate) fn record_object_transition(
        &mut self,
        kind: &str,
        namespace: &str,
        name: &str,
        from: &str,
        to: &str,
        reason: &str,
    ) {
        self.trace.transition(&Transition {
            time: self.now,
            kind,
            namespace,
            name,
            container: None,
            from,
            to,
            reason,
            node: "",
        });
    }

    /// The first row of a pod: it exists, Pending.
    pub(crate) fn record_pod_created(&mut self, id: PodId) {
        let pod = self.cluster.pods.get(id).expect("created");
        self.counters.phase[PodPhase::Pending as usize] += 1;
        self.trace.transition(&Transition {
            time: self.now,
            kind: "Pod",
            namespace: &pod.namespace,
            name: &pod.name,
            container: None,
            from: "",
            to: PodPhase::Pending.as_str(),
            reason: "",
            node: "",
        });
        self.record_pod_object(id);
    }

    /// Sets a container's API state, writing a row if its name or reason changed.
    pub(crate) fn set_container_state(&mut self, id: PodId, c: usize, state: ContainerState) {
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        let old = pod.containers[c].state.replace(state);
        let changed = old.is_none_or(|o| o.name() != state.name() || o.reason() != state.reason());
        if !changed {
            self.report_container(id, c);
            return;
        }
        let pod = self.cluster.pods.get(id).expect("just read");
        let node = pod.node.map_or("", |n| &*self.cluster.node(n).name);
        self.trace.transition(&Transition {
            time: self.now,
            kind: "Container",
            namespace: &pod.namespace,
            name: &pod.name,
            container: Some(pod.container_name(c)),
            from: old.map_or("", |o| o.name()),
            to: state.name(),
            reason: state.reason(),
            node,
        });
        self.report_container(id, c);
        self.report_pod_status(id);
    }

    /// The node's row in nodes.csv.
    pub(crate) fn record_node_added(&mut self, node: crate::cluster::NodeId, api: &crate::api::node::Node) {
        use crate::cluster::resources::{CPU, MEMORY};
        let n = self.cluster.node(node);
        let labels: Vec<String> = api.metadata.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let taints: Vec<String> = api
            .spec
            .taints
            .iter()
            .map(|t| format!("{}={}:{}", t.key, t.value.as_deref().unwrap_or(""), t.effect))
            .collect();
        self.trace.node(&crate::trace::NodeRecord {
            time: self.now,
            name: &n.name,
            pool: &n.pool,
            cpu_allocatable_milli: n.allocatable.get(CPU),
            memory_allocatable_bytes: n.allocatable.get(MEMORY),
            pods_allocatable: n.allocatable_pods,
            labels: &labels.join(";"),
            taints: &taints.join(";"),
        });
        self.record_node_object(node, api);
    }

    /// A row for a node's Ready condition.
    pub(crate) fn record_node_ready(&mut self, node: crate::cluster::NodeId, from: &str, to: &str, reason: &str) {
        let name = self.cluster.node(node).name.clone();
        self.trace.transition(&Transition {
            time: self.now,
            kind: "Node",
            namespace: "",
            name: &name,
            container: None,
            from,
            to,
            reason,
            node: &name,
        });
        if to == "Deleted" {
            self.record_node_removed(node);
        } else {
            self.report_node(node);
        }
    }
}
