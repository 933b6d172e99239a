//! Writing transitions and events: each change of an API-visible value goes through
//! here, so that a row is written exactly when the value changes. No other module
//! writes trace rows.

use super::{Change, Ctx};
use crate::cluster::node::NodeReady;
use crate::cluster::pod::{ContainerState, Pod, PodPhase, WaitingReason};
use crate::cluster::template::{ContainerKind, RestartPolicy};
use crate::cluster::{NodeId, PodId};
use crate::trace::{EventRecord, EventType, NodeRecord, Transition};
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

    /// A namespaced object that concerns no node (a Job, a CronJob).
    pub fn of(kind: &'a str, namespace: &'a str, name: &'a str) -> ObjectRef<'a> {
        ObjectRef { kind, namespace, name, node: "" }
    }
}

/// What a node's row in transitions.csv says it became.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeCondition {
    /// Before it joined.
    Absent,
    Ready(NodeReady),
    Deleted,
}

impl NodeCondition {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeCondition::Absent => "",
            NodeCondition::Ready(r) => r.as_str(),
            NodeCondition::Deleted => "Deleted",
        }
    }
}

/// An Event's message: formatted (`format_args!`), or joined from its pieces
/// (`["Created pod: ", name]`). The messages written for every pod or Job (the kubelet's
/// for each container, the scheduler's, the Job and CronJob controllers') are joined:
/// formatting one cost about 300 instructions, 3% of the CronJob fleet's simulation
/// (callgrind), and a join a tenth of that.
pub trait Message {
    fn write_into(self, out: &mut String);
}

impl Message for std::fmt::Arguments<'_> {
    fn write_into(self, out: &mut String) {
        let _ = out.write_fmt(self);
    }
}

impl<const N: usize> Message for [&str; N] {
    fn write_into(self, out: &mut String) {
        out.extend(self);
    }
}

impl Ctx<'_> {
    /// Records an Event about a pod (`involvedObject` = the pod).
    pub fn pod_event(&mut self, id: PodId, type_: EventType, reason: &str, message: impl Message) {
        self.set_message(message);
        self.pod_event_at(id, None, type_, reason);
    }

    /// Writes `message` where the next Event's is kept.
    fn set_message(&mut self, message: impl Message) {
        self.rec.msg.clear();
        message.write_into(&mut self.rec.msg);
    }

    /// Records an Event about one container of a pod (`involvedObject.fieldPath` =
    /// `spec.containers{name}` or `spec.initContainers{name}`), as the kubelet does: through
    /// its spam filter ([`super::spam`]).
    pub fn container_event(&mut self, id: PodId, c: usize, type_: EventType, reason: &str, message: impl Message) {
        if self.kubelet_may_record(id) {
            self.set_message(message);
            self.pod_event_at(id, Some(c), type_, reason);
        }
    }

    /// Records an Event the kubelet reports about a pod, through its spam filter.
    pub fn kubelet_pod_event(&mut self, id: PodId, type_: EventType, reason: &str, message: impl Message) {
        if self.kubelet_may_record(id) {
            self.set_message(message);
            self.pod_event_at(id, None, type_, reason);
        }
    }

    fn kubelet_may_record(&mut self, id: PodId) -> bool {
        self.cluster.pods.get(id).is_some() && self.rec.kubelet_spam.accept(id, self.now)
    }

    /// The Event about the pod (one of its containers), with the message set last.
    fn pod_event_at(&mut self, id: PodId, container: Option<usize>, type_: EventType, reason: &str) {
        let Some(pod) = self.cluster.pods.get(id) else { return };
        let rec = &mut *self.rec;
        let mut path = std::mem::take(&mut rec.field_path);
        path.clear();
        if let Some(c) = container {
            // Joined rather than formatted: a few hundred instructions less on each of
            // the kubelet's events (three or more a pod).
            let list = if c < pod.template.first_app { "spec.initContainers{" } else { "spec.containers{" };
            path.extend([list, pod.container_name(c), "}"]);
        }
        let node = pod.node.map_or("", |n| &*self.cluster.node(n).name);
        rec.sink.event(&EventRecord {
            time: self.now,
            type_,
            reason,
            kind: "Pod",
            namespace: &pod.namespace,
            name: &pod.name,
            node,
            message: &rec.msg,
            field_path: &path,
            series: None,
        });
        rec.field_path = path;
    }

    /// Records an Event about any object.
    pub fn object_event(&mut self, object: ObjectRef, type_: EventType, reason: &str, message: impl Message) {
        self.set_message(message);
        let rec = &mut *self.rec;
        let event = event_record(self.now, object, type_, reason, &rec.msg, None);
        rec.sink.event(&event);
    }

    /// Writes an events.k8s.io Event series of an object (the series' start, or its last
    /// write): `note` is the note of its first occurrence.
    pub fn series_event(
        &mut self,
        object: ObjectRef,
        type_: EventType,
        reason: &str,
        note: &str,
        series: crate::trace::EventSeries,
    ) {
        self.rec.sink.event(&event_record(self.now, object, type_, reason, note, Some(series)));
    }

    /// Sets a pod's phase, writing the transition if it changed. A terminal phase frees
    /// the pod's place on its node.
    pub fn set_phase(&mut self, id: PodId, phase: PodPhase, reason: &str) {
        let now = self.now;
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        let from = pod.phase;
        if from == phase {
            return;
        }
        pod.phase = phase;
        let goes_back = from == PodPhase::Running && phase == PodPhase::Pending;
        let may_move = phase_may_move(from, phase) || (goes_back && pod.reinitializing());
        if !may_move {
            let message = format!("pod {pod} went from {} back to {}", from.as_str(), phase.as_str());
            self.rec.violations.push(message);
        }
        let counters = &mut self.rec.counters;
        counters.phase[from as usize] -= 1;
        counters.phase[phase as usize] += 1;
        if phase == PodPhase::Running && pod.running_at.is_none() {
            pod.running_at = Some(now);
            counters.startup_latency.record(now.since(pod.created));
        }
        if phase.is_terminal() {
            pod.finished_at.get_or_insert(now);
        }
        let pod = self.cluster.pods.get(id).expect("just read");
        let node = pod.node.map_or("", |n| &*self.cluster.node(n).name);
        self.rec.sink.transition(&Transition {
            time: now,
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
        if phase.is_terminal() {
            self.set_ready(id, false);
            self.release_node_resources(id);
        }
        self.changed(Change::PodPhase { pod: id, phase });
    }

    /// Sets `status.podIP` (the kubelet's status update after the sandbox is up).
    pub fn set_pod_ip(&mut self, id: PodId, ip: Option<crate::cluster::network::Ipv4>) {
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        if pod.ip == ip {
            return;
        }
        pod.ip = ip;
        self.report_pod_status(id);
        self.changed(Change::PodNetwork(id));
    }

    /// Sets the pod's `Ready` condition.
    pub fn set_ready(&mut self, id: PodId, ready: bool) {
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        if pod.ready != ready {
            pod.ready = ready;
            pod.ready_changed_at = Some(self.now);
            pod.ready_since = ready.then_some(self.now);
            self.changed(Change::PodReady { pod: id, ready });
        }
    }

    /// A row for a Job or CronJob (no node).
    pub fn record_object_transition(
        &mut self,
        kind: &str,
        namespace: &str,
        name: &str,
        from: &str,
        to: &str,
        reason: &str,
    ) {
        self.rec.sink.transition(&Transition {
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
    pub(super) fn record_pod_created(&mut self, id: PodId) {
        let pod = self.cluster.pods.get(id).expect("created");
        self.rec.counters.phase[PodPhase::Pending as usize] += 1;
        self.rec.sink.transition(&Transition {
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

    /// Sets a container's API state, writing a row if its name or reason changed. A
    /// state the API server refuses (see [`refuses_transition`]) is not shown: the
    /// container keeps its old status until it terminates again.
    pub fn set_container_state(&mut self, id: PodId, c: usize, state: ContainerState) {
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        let refused = refuses_transition(pod, c, state);
        pod.containers[c].status_held = refused;
        if refused {
            return;
        }
        let old = pod.containers[c].state.replace(state);
        let changed = old.is_none_or(|o| o.name() != state.name() || o.reason() != state.reason());
        if !changed {
            self.report_container(id, c);
            return;
        }
        let pod = self.cluster.pods.get(id).expect("just read");
        let node = pod.node.map_or("", |n| &*self.cluster.node(n).name);
        self.rec.sink.transition(&Transition {
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

    /// The kubelet created a new instance of the container. The runtime shows it
    /// `Created`, which the kubelet reports as waiting: the API shows the new restart
    /// count beside the old state until it runs, unless it refuses that status (an init
    /// container that had succeeded: [`refuses_transition`]).
    pub fn report_created(&mut self, id: PodId, c: usize) {
        let Some(pod) = self.cluster.pods.get_mut(id) else { return };
        let created = ContainerState::Waiting(WaitingReason::ContainerCreating);
        pod.containers[c].status_held = refuses_transition(pod, c, created);
        self.report_container(id, c);
    }

    /// The node's row in nodes.csv.
    pub(super) fn record_node_added(&mut self, node: NodeId, api: &crate::api::node::Node) {
        use crate::cluster::resources::{CPU, MEMORY};
        let n = self.cluster.node(node);
        let labels: Vec<String> = api.metadata.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let taints: Vec<String> = api
            .spec
            .taints
            .iter()
            .map(|t| format!("{}={}:{}", t.key, t.value.as_deref().unwrap_or(""), t.effect))
            .collect();
        self.rec.sink.node(&NodeRecord {
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

    /// A row for a node's Ready condition (or its removal).
    pub(super) fn record_node_condition(&mut self, node: NodeId, from: NodeCondition, to: NodeCondition, reason: &str) {
        let name = self.cluster.node(node).name.clone();
        self.rec.sink.transition(&Transition {
            time: self.now,
            kind: "Node",
            namespace: "",
            name: &name,
            container: None,
            from: from.as_str(),
            to: to.as_str(),
            reason,
            node: &name,
        });
        if to == NodeCondition::Deleted {
            self.record_node_removed(node);
        } else {
            self.report_node(node);
        }
    }

    /// A sample of metrics.csv and pool_metrics.csv.
    pub fn record_metrics(&mut self, row: &crate::trace::MetricsRow, pools: &[crate::trace::PoolMetricsRow]) {
        self.rec.sink.metrics(row);
        for r in pools {
            self.rec.sink.pool_metrics(r);
        }
    }
}

/// The events.csv row of an Event about `object` (object Events carry no field path).
fn event_record<'a>(
    time: crate::engine::SimTime,
    object: ObjectRef<'a>,
    type_: EventType,
    reason: &'a str,
    message: &'a str,
    series: Option<crate::trace::EventSeries>,
) -> EventRecord<'a> {
    let ObjectRef { kind, namespace, name, node } = object;
    EventRecord { time, type_, reason, kind, namespace, name, node, message, field_path: "", series }
}

/// Phases only move forward: Pending, Running, then a terminal phase that never changes.
/// (A pod whose sandbox was recreated goes back from Running to Pending while its init
/// containers run again: `Pod::reinitializing`.)
pub fn phase_may_move(from: PodPhase, to: PodPhase) -> bool {
    !from.is_terminal() && to >= from
}

/// The API server refuses a status that moves a regular init container out of
/// `Terminated` unless the pod restarts `Always` or the container failed under
/// `OnFailure` (`ValidateInitContainerStateTransition`, `pkg/apis/core/validation/validation.go`;
/// the kubelet's status manager drops such an update before sending it:
/// `checkContainerStateTransition`, `pkg/kubelet/status/status_manager.go`). It happens
/// when a recreated sandbox runs an init container that had succeeded again.
fn refuses_transition(pod: &Pod, c: usize, new: ContainerState) -> bool {
    let policy = pod.template.restart_policy;
    if policy == RestartPolicy::Always
        || pod.template.containers[c].kind != ContainerKind::Init
        || matches!(new, ContainerState::Terminated(_))
    {
        return false;
    }
    match pod.containers[c].state {
        Some(ContainerState::Terminated(t)) => t.exit_code == 0 || policy != RestartPolicy::OnFailure,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::Message;

    /// A message joined from its pieces is the text formatting gives (the pinned trace
    /// digests check every call site that joins).
    #[test]
    fn a_joined_message_is_the_formatted_one() {
        let (ns, name, node) = ("default", String::from("job-1-x7k2p"), std::sync::Arc::<str>::from("node-3"));
        let mut joined = String::new();
        ["Successfully assigned ", ns, "/", &*name, " to ", &*node].write_into(&mut joined);
        let mut formatted = String::new();
        format_args!("Successfully assigned {ns}/{name} to {node}").write_into(&mut formatted);
        assert_eq!(joined, formatted);
        assert_eq!(joined, "Successfully assigned default/job-1-x7k2p to node-3");
    }
}
