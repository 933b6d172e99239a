//! A Node as the cluster holds it: capacity, what is placed on it, its images and health.

use super::PodId;
use super::resources::ResourceVec;
use crate::api::node::Taint;
use crate::engine::{SimTime, Timer};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// The node's Ready condition, as the API shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeReady {
    True,
    False,
    Unknown,
}

impl NodeReady {
    /// The value in `transitions.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeReady::True => "Ready",
            NodeReady::False => "NotReady",
            NodeReady::Unknown => "Unknown",
        }
    }
}

/// An image's life on one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageState {
    Present,
    /// Being pulled (or queued); containers waiting for it, as (pod, container index).
    Pulling {
        waiters: Vec<PullWaiter>,
        started: Option<SimTime>,
    },
}

/// A container waiting for an image: (pod, container index, the container's attempt).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PullWaiter {
    pub pod: PodId,
    pub container: usize,
    pub attempt: u32,
    /// When the container asked for the image (for "including waiting").
    pub since: SimTime,
}

#[derive(Clone, Debug)]
pub struct Node {
    pub name: Arc<str>,
    pub pool: Arc<str>,
    pub labels: BTreeMap<String, String>,
    /// The value of `topology.kubernetes.io/zone`, shared: every EndpointSlice endpoint
    /// of a pod on the node copies it (a node's labels do not change once it joined).
    pub zone: Option<Arc<str>>,
    pub taints: Vec<Taint>,
    pub unschedulable: bool,
    pub allocatable: ResourceVec,
    pub allocatable_pods: i64,
    /// Σ requests of the pods counted on the node (bound and not terminal).
    pub requested: ResourceVec,
    /// Σ non-zero cpu / memory requests (scoring).
    pub nonzero_cpu: i64,
    pub nonzero_memory: i64,
    pub pods: Vec<PodId>,
    /// Every pod bound to the node that is still in the API, terminal or not (the
    /// kubelet may still be stopping containers of a terminal pod).
    pub resident: Vec<PodId>,
    /// Host ports in use: (protocol, ip, port).
    pub host_ports: Vec<(String, String, i32)>,
    /// Image id -> state (see `Cluster::images`).
    pub images: BTreeMap<u32, ImageState>,
    /// Images waiting for the node's (serialised) puller, in order.
    pub pull_queue: VecDeque<u32>,
    pub pulls_in_flight: u32,
    /// The kubelet is running (false after a crash).
    pub kubelet_up: bool,
    pub ready: NodeReady,
    /// The node is part of the cluster (false once removed).
    pub present: bool,
    /// `status.addresses` InternalIP.
    pub ip: super::network::Ipv4,
    /// `spec.podCIDR`, from node IPAM; `None` while the cluster CIDR is full.
    pub pod_cidr: Option<super::network::Cidr>,
    /// The CNI's host-local IPAM over the pod CIDR (what the kubelet's sandboxes take).
    pub pod_range: Option<super::network::PodRange>,
    /// `status.capacity.memory` in bytes: what the node's working sets share.
    pub memory_capacity: i64,
    /// The `MemoryPressure` condition as the API shows it: True since then, or False.
    pub memory_pressure: Option<SimTime>,
    /// The kubelet's eviction manager on this node (only the kubelet writes it).
    pub eviction: EvictionManager,
    /// The kubelet's volume manager on this node (only the kubelet writes it), with the
    /// `status.volumesInUse` it publishes.
    pub volumes: super::volume_manager::NodeVolumeState,
    /// `status.volumesAttached`: written by the attach/detach controller.
    pub volumes_attached: std::collections::BTreeSet<super::storage::PvId>,
}

/// The state of a node's eviction manager (`pkg/kubelet/eviction/eviction_manager.go`)
/// and of the timers that stand in for its 10 s loop: a sync is an event only when the
/// node is, or may soon be, under pressure.
#[derive(Clone, Debug, Default)]
pub struct EvictionManager {
    /// The next `synchronize`, and when it runs.
    pub sync_timer: Timer,
    pub sync_at: Option<SimTime>,
    /// The next instant a container's working set is reached (it may cross a threshold).
    pub step_timer: Timer,
    /// The loop's phase: syncs run at `phase + k * 10 s` until an eviction moves it.
    pub phase: SimTime,
    /// `nodeConditionsLastObservedAt[MemoryPressure]`: the last sync that saw the
    /// threshold met.
    pub last_observed: Option<SimTime>,
    /// `waitForPodsCleanup`: the pod just evicted and when the wait times out.
    pub cleanup: Option<(super::PodId, SimTime)>,
}

impl Node {
    pub fn image_present(&self, image: u32) -> bool {
        matches!(self.images.get(&image), Some(ImageState::Present))
    }

    pub fn pod_count(&self) -> i64 {
        self.pods.len() as i64
    }
}
