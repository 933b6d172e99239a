//! Nodes as the API server keeps them: joining, the Ready condition, taints and
//! `spec.unschedulable`, and removal.

use super::record::{NodeCondition, ObjectRef};
use super::{Change, Ctx};
use crate::api::node::{NodeAddress, Taint};
use crate::api::shared_str::SharedStr;
use crate::cluster::NodeId;
use crate::cluster::network::{Cidr, Ipv4, PodRange};
use crate::cluster::node::{Node, NodeReady};
use crate::cluster::resources::{CPU, MEMORY};
use crate::cluster::storage::PvId;
use crate::trace::EventType;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The taint `kubectl cordon` adds beside `spec.unschedulable`.
pub const UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";

impl Ctx<'_> {
    /// A node joins the cluster, Ready, with its InternalIP and (from node IPAM) its pod
    /// CIDR.
    pub fn add_node(&mut self, api: &crate::api::node::Node, pool: &str) -> NodeId {
        let id = NodeId(self.cluster.nodes.len() as u32);
        let (api, ip, pod_cidr) = self.address_node(api);
        let api = &api;
        let allocatable = self.cluster.resources.vector(&api.status.allocatable);
        let allocatable_pods = api.status.allocatable.get("pods").map_or(110, |q| q.value());
        let name: Arc<str> = Arc::from(api.metadata.name.as_str());
        self.rec.counters.cpu_allocatable.add(self.now.ms(), allocatable.get(CPU));
        self.rec.counters.memory_allocatable.add(self.now.ms(), allocatable.get(MEMORY));
        self.cluster.topology.add_node(&api.metadata.labels);
        // A pool's name and a zone are texts shared by many nodes: interned, so that
        // comparing them (the pool metrics, an endpoint's zone) finds one allocation
        // (`same_text`), whatever order the nodes come in.
        let shared = |text: &str| SharedStr::interned(text).into_arc();
        let pool = shared(pool);
        let zone = api.metadata.labels.get(crate::api::node::ZONE_LABEL).map(|z| shared(z));
        self.cluster.nodes.push(Node {
            name: name.clone(),
            pool,
            labels: api.metadata.labels.clone(),
            zone,
            taints: api.spec.taints.clone(),
            unschedulable: api.spec.unschedulable.unwrap_or(false),
            allocatable,
            allocatable_pods,
            requested: Default::default(),
            nonzero_cpu: 0,
            nonzero_memory: 0,
            pods: Vec::new(),
            resident: Vec::new(),
            host_ports: Vec::new(),
            images: BTreeMap::new(),
            pull_queue: Default::default(),
            pulls_in_flight: 0,
            kubelet_up: true,
            ready: NodeReady::True,
            present: true,
            ip,
            pod_range: pod_cidr.map(PodRange::new),
            pod_cidr,
            memory_capacity: api.status.capacity.get("memory").map_or(0, |q| q.value()),
            memory_pressure: None,
            eviction: crate::cluster::node::EvictionManager { phase: self.now, ..Default::default() },
            volumes: crate::cluster::volume_manager::NodeVolumeState {
                kubelet_started: self.now,
                ..Default::default()
            },
            volumes_attached: Default::default(),
        });
        for image in &api.status.images {
            for name in &image.names {
                let image_id = self.cluster.images.intern(name);
                self.cluster.image_present(id, image_id, image.size_bytes);
            }
        }
        self.cluster.node_by_name.insert(name, id);
        self.cluster.refresh_fit(id);
        self.cluster.present_nodes += 1;
        self.rec.counters.nodes_ready += 1;
        self.record_node_added(id, api);
        self.record_node_condition(id, NodeCondition::Absent, NodeCondition::Ready(NodeReady::True), "KubeletReady");
        if pod_cidr.is_none() {
            self.cluster.net.waiting.push(id);
            self.cidr_not_available(id);
        }
        self.changed(Change::NodeAdded(id));
        id
    }

    /// The node as it joins: its InternalIP (its manifest's, else the next of the
    /// nodes' subnet) and `spec.podCIDR` (its manifest's, occupied in node IPAM, else
    /// the next free block of the cluster CIDR: the range allocator's
    /// `AllocateOrOccupyCIDR`, `pkg/controller/nodeipam/ipam/range_allocator.go`).
    fn address_node(&mut self, api: &crate::api::node::Node) -> (crate::api::node::Node, Ipv4, Option<Cidr>) {
        let mut api = api.clone();
        let given = api.status.addresses.iter().find(|a| a.kind == "InternalIP").and_then(|a| Ipv4::parse(&a.address));
        let ip = given.unwrap_or_else(|| self.cluster.net.next_node_ip());
        if given.is_none() {
            api.status.addresses.insert(0, NodeAddress { kind: "InternalIP".into(), address: ip.to_string() });
        }
        if !api.status.addresses.iter().any(|a| a.kind == "Hostname") {
            let name = api.metadata.name.clone();
            api.status.addresses.push(NodeAddress { kind: "Hostname".into(), address: name });
        }
        self.node_info(&mut api);
        let own = api.spec.pod_cidrs.first().or(api.spec.pod_cidr.as_ref()).and_then(|c| Cidr::parse(c));
        let pod_cidr = match own {
            Some(c) => {
                self.cluster.net.node_cidrs.occupy(c);
                Some(c)
            }
            None => self.cluster.net.node_cidrs.allocate_next(),
        };
        if let Some(c) = pod_cidr {
            api.spec.pod_cidr = Some(c.to_string());
            api.spec.pod_cidrs = vec![c.to_string()];
        }
        (api, ip, pod_cidr)
    }

    /// What the kubelet reports in `status.nodeInfo` (`MachineInfo` and `VersionInfo`
    /// in `pkg/kubelet/nodestatus/setters.go`), where the manifest does not say: its
    /// version (the scenario's Kubernetes version), and the operating system and
    /// architecture it was built for, which its `kubernetes.io/os` and
    /// `kubernetes.io/arch` labels name. The host's kernel, OS image, runtime and
    /// machine ids are left to the manifest.
    fn node_info(&self, api: &mut crate::api::node::Node) {
        let mut info = match api.status.node_info.take() {
            Some(serde_json::Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        let labels = &api.metadata.labels;
        let label = |key: &str, default: &str| labels.get(key).map_or(default, String::as_str).to_string();
        for (key, value) in [
            ("kubeletVersion", self.cluster.api.kubelet_version.clone()),
            ("operatingSystem", label("kubernetes.io/os", "linux")),
            ("architecture", label("kubernetes.io/arch", "amd64")),
        ] {
            if !value.is_empty() {
                info.entry(key).or_insert(serde_json::Value::String(value));
            }
        }
        api.status.node_info = Some(serde_json::Value::Object(info));
    }

    /// `RecordNodeStatusChange(..., "CIDRNotAvailable")`: the cluster CIDR has no block
    /// left for the node (`range_allocator.go`).
    fn cidr_not_available(&mut self, node: NodeId) {
        let name = self.cluster.node(node).name.clone();
        self.object_event(
            ObjectRef::node(&name),
            EventType::Normal,
            "CIDRNotAvailable",
            format_args!("Node {name} status is now: CIDRNotAvailable"),
        );
    }

    /// A node that was waiting for a pod CIDR gets the one a leaving node freed (the
    /// range allocator retries its node until a block is free).
    fn hand_on_pod_cidr(&mut self) {
        while !self.cluster.net.waiting.is_empty() {
            let node = self.cluster.net.waiting[0];
            if !self.cluster.node(node).present {
                self.cluster.net.waiting.remove(0);
                continue;
            }
            let Some(cidr) = self.cluster.net.node_cidrs.allocate_next() else { return };
            self.cluster.net.waiting.remove(0);
            let n = self.cluster.node_mut(node);
            n.pod_cidr = Some(cidr);
            n.pod_range = Some(PodRange::new(cidr));
        }
    }

    /// Sets the node's Ready condition, writing the transition if it changed.
    pub fn set_node_ready(&mut self, node: NodeId, ready: NodeReady, reason: &str) {
        let from = self.cluster.node(node).ready;
        if from == ready {
            return;
        }
        if from == NodeReady::True {
            self.rec.counters.nodes_ready -= 1;
        }
        if ready == NodeReady::True {
            self.rec.counters.nodes_ready += 1;
        }
        self.cluster.node_mut(node).ready = ready;
        self.record_node_condition(node, NodeCondition::Ready(from), NodeCondition::Ready(ready), reason);
        self.outage_tick();
        self.changed(Change::NodeReady(node));
    }

    /// The kubelet publishes `status.volumesInUse` (with its node status).
    pub fn set_volumes_in_use(&mut self, node: NodeId, in_use: std::collections::BTreeSet<PvId>) {
        let n = self.cluster.node_mut(node);
        if n.volumes.in_use != in_use {
            n.volumes.in_use = in_use;
            self.changed(Change::NodeVolumesInUse(node));
        }
    }

    /// The attach/detach controller writes `status.volumesAttached`.
    pub fn set_volumes_attached(&mut self, node: NodeId, attached: std::collections::BTreeSet<PvId>) {
        self.cluster.node_mut(node).volumes_attached = attached;
    }

    /// The kubelet reports the node's `MemoryPressure` condition (`MemoryPressureCondition`,
    /// `pkg/kubelet/nodestatus/setters.go`): on a change, the node event
    /// `NodeHasInsufficientMemory` or `NodeHasSufficientMemory`.
    pub fn set_memory_pressure(&mut self, node: NodeId, pressure: bool) {
        let n = self.cluster.node_mut(node);
        if n.memory_pressure.is_some() == pressure {
            return;
        }
        n.memory_pressure = pressure.then_some(self.now);
        let name = n.name.clone();
        self.report_node(node);
        let what = if pressure { "NodeHasInsufficientMemory" } else { "NodeHasSufficientMemory" };
        self.object_event(
            ObjectRef::node(&name),
            EventType::Normal,
            what,
            format_args!("Node {name} status is now: {what}"),
        );
        self.changed(Change::NodeMemoryPressure(node));
    }

    pub fn has_taint(&self, node: NodeId, key: &str, effect: &str) -> bool {
        self.cluster.node(node).taints.iter().any(|t| t.key == key && t.effect == effect)
    }

    /// Adds a taint (no value) unless the node has it.
    pub fn add_taint(&mut self, node: NodeId, key: &str, effect: &str) {
        if !self.has_taint(node, key, effect) {
            self.cluster.node_mut(node).taints.push(Taint { key: key.into(), value: None, effect: effect.into() });
            self.cluster.refresh_fit(node);
            self.report_node(node);
        }
    }

    /// Removes every taint with `key`; true if there was one.
    pub fn remove_taints(&mut self, node: NodeId, key: &str) -> bool {
        let n = self.cluster.node_mut(node);
        let before = n.taints.len();
        n.taints.retain(|t| t.key != key);
        if n.taints.len() == before {
            return false;
        }
        self.cluster.refresh_fit(node);
        self.report_node(node);
        self.changed(Change::NodeUntainted(node));
        true
    }

    /// `kubectl taint nodes <node> <key>[=<value>]:<effect>`: a user's taint; the taint
    /// eviction controller and the pod garbage collector see it. Refused, as kubectl
    /// refuses it without `--overwrite`, when the node has a taint of that key and effect.
    pub fn taint_node(&mut self, node: NodeId, taint: Taint) -> Result<(), String> {
        let n = self.cluster.node_mut(node);
        if n.taints.iter().any(|t| t.key == taint.key && t.effect == taint.effect) {
            return Err(format!(
                "node {} already has {} taint(s) with same effect(s) and --overwrite is false",
                n.name, taint.key
            ));
        }
        n.taints.push(taint);
        self.cluster.refresh_fit(node);
        self.report_node(node);
        self.changed(Change::NodeTainted(node));
        Ok(())
    }

    /// `kubectl taint nodes <node> <key>[:<effect>]-`: removes the taints of that key
    /// (and effect, when given).
    pub fn untaint_node(&mut self, node: NodeId, key: &str, effect: Option<&str>) -> Result<(), String> {
        let n = self.cluster.node_mut(node);
        let before = n.taints.len();
        n.taints.retain(|t| t.key != key || effect.is_some_and(|e| t.effect != e));
        if n.taints.len() == before {
            let what = match effect {
                Some(e) => format!("{key}:{e}"),
                None => key.to_string(),
            };
            return Err(format!("taint {what:?} not found"));
        }
        self.cluster.refresh_fit(node);
        self.report_node(node);
        self.changed(Change::NodeUntainted(node));
        Ok(())
    }

    /// `kubectl cordon` / `uncordon`: `spec.unschedulable`.
    pub fn cordon(&mut self, node: NodeId, on: bool) {
        let n = self.cluster.node_mut(node);
        if n.unschedulable == on {
            return;
        }
        n.unschedulable = on;
        if on {
            n.taints.push(Taint { key: UNSCHEDULABLE.into(), value: None, effect: "NoSchedule".into() });
        } else {
            n.taints.retain(|t| t.key != UNSCHEDULABLE);
        }
        let name = n.name.clone();
        self.cluster.refresh_fit(node);
        self.report_node(node);
        let what = if on { "NodeNotSchedulable" } else { "NodeSchedulable" };
        self.object_event(
            ObjectRef::node(&name),
            EventType::Normal,
            what,
            format_args!("Node {name} status is now: {what}"),
        );
        if !on {
            self.changed(Change::NodeSchedulable(node));
        }
    }

    /// The kubelet stopped (`false`) or resumed (`true`) renewing the node's lease.
    pub fn node_heartbeat(&mut self, node: NodeId, up: bool) {
        self.report_node(node);
        self.changed(Change::NodeHeartbeat { node, up });
    }

    /// The Node object is deleted: it no longer counts, its last row says `Deleted`.
    pub fn remove_node(&mut self, node: NodeId) {
        if !self.cluster.node(node).present {
            return;
        }
        self.cluster.forget_node_images(node);
        self.cluster.node_mut(node).present = false;
        if let Some(cidr) = self.cluster.node(node).pod_cidr {
            self.cluster.net.node_cidrs.release(cidr);
        }
        self.cluster.present_nodes -= 1;
        self.cluster.refresh_fit(node);
        self.changed(Change::NodeRemoved(node));
        let from = self.cluster.node(node).ready;
        if from == NodeReady::True {
            self.rec.counters.nodes_ready -= 1;
        }
        self.record_node_condition(node, NodeCondition::Ready(from), NodeCondition::Deleted, "NodeDeleted");
        self.outage_tick();
        let name = self.cluster.node(node).name.clone();
        self.object_event(
            ObjectRef::node(&name),
            EventType::Normal,
            "RemovingNode",
            format_args!("Node {name} event: Removing Node {name} from Controller"),
        );
        self.hand_on_pod_cidr();
    }
}
