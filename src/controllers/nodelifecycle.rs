//! The node lifecycle controller (`pkg/controller/nodelifecycle`): a node whose kubelet
//! stops posting status turns `Unknown` after the grace period.

use crate::cluster::NodeId;
use crate::cluster::node::NodeReady;
use crate::engine::Millis;
use crate::sim::{Event, Simulation};

/// `--node-monitor-grace-period` (50 s since 1.32).
pub const NODE_MONITOR_GRACE: Millis = 50_000;

impl Simulation {
    pub(crate) fn node_lifecycle_kubelet_stopped(&mut self, node: NodeId) {
        self.at(NODE_MONITOR_GRACE, Event::NodeMonitor(node));
    }

    pub(crate) fn node_lifecycle_kubelet_started(&mut self, node: NodeId) {
        let ready = self.cluster.node(node).ready;
        if ready != NodeReady::True {
            self.set_node_ready(node, NodeReady::True, "KubeletReady");
        }
    }

    pub(crate) fn node_monitor(&mut self, node: NodeId) {
        let n = self.cluster.node(node);
        if n.kubelet_up || n.ready == NodeReady::Unknown || !n.present {
            return;
        }
        self.set_node_ready(node, NodeReady::Unknown, "NodeStatusUnknown");
        let name = self.cluster.node(node).name.clone();
        self.object_event(
            crate::sim::record::ObjectRef::node(&name),
            false,
            "NodeNotReady",
            format_args!("Node {name} status is now: NodeNotReady"),
        );
    }

    pub(crate) fn set_node_ready(&mut self, node: NodeId, ready: NodeReady, reason: &str) {
        let from = self.cluster.node(node).ready;
        if from == ready {
            return;
        }
        if from == NodeReady::True {
            self.counters.nodes_ready -= 1;
        }
        if ready == NodeReady::True {
            self.counters.nodes_ready += 1;
        }
        self.cluster.node_mut(node).ready = ready;
        self.record_node_ready(node, from.as_str(), ready.as_str(), reason);
    }
}
