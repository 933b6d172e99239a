//! The cluster's state: nodes and pods (and later Jobs, CronJobs) in arenas indexed by
//! typed ids, plain data that handlers change and pure functions read.

pub mod apps;
pub mod budget;
pub mod daemonset;
pub mod fit;
pub mod job;
pub mod names;
pub mod network;
pub mod node;
pub mod pod;
pub mod resources;
pub mod service;
pub mod slab;
pub mod spread_index;
pub mod statefulset;
pub mod storage;
pub mod template;
pub mod topology;
pub mod volume_manager;
pub mod volumes;

pub use names::{NameIndex, SlimNameIndex};
pub use node::Node;
pub use pod::Pod;

use resources::ResourceNames;
use slab::Slab;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A node's index; nodes are never removed from the arena (a removed node is marked).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

pub type PodId = slab::Id;
pub type JobId = slab::Id;
pub type CronJobId = slab::Id;
pub type ReplicaSetId = slab::Id;
pub type DeploymentId = slab::Id;
pub use daemonset::DaemonSetId;
pub use statefulset::StatefulSetId;

/// A PriorityClass as admission reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriorityClassInfo {
    pub value: i32,
    /// `preemptionPolicy: Never` (the default is PreemptLowerPriority).
    pub never: bool,
}

/// What the API server keeps besides objects: the PriorityClasses its admission plugin
/// reads, and the generator of `generateName` suffixes.
pub struct ApiState {
    pub priority_classes: BTreeMap<String, PriorityClassInfo>,
    pub default_priority_class: Option<String>,
    pub names: crate::engine::SimRng,
    /// The DefaultTolerationSeconds admission plugin's seconds.
    pub default_tolerations: template::DefaultTolerations,
    /// The run's seed: the uids the API shows are drawn from it (`engine::rng::uuid`).
    pub seed: u64,
    /// What a joining node's kubelet reports as `nodeInfo.kubeletVersion` (`v1.34.0`),
    /// from the scenario's Kubernetes version.
    pub kubelet_version: String,
}

pub struct Cluster {
    pub api: ApiState,
    pub nodes: Vec<Node>,
    /// The scheduler's packed view of each node (by node id); see [`fit`].
    pub fit: Vec<fit::FitRow>,
    /// Each row's room and version, packed for the node walk (kept with `fit`).
    pub room: Vec<fit::Room>,
    /// The nodes whose rows are empty and of one shape (kept with `fit`).
    pub regular: fit::RegularRows,
    /// Bumped at every refresh of any fit row: a filter result of a pod that asks only
    /// for cpu and memory holds while it stands (the scheduler reuses such failures).
    pub fit_epoch: u64,
    /// The node of each recent refresh, by the epoch it made.
    pub fit_log: fit::FitLog,
    pub node_by_name: BTreeMap<Arc<str>, NodeId>,
    pub pods: Slab<Pod>,
    /// (namespace, name) of every pod object in the API.
    pub pod_by_name: SlimNameIndex<PodId>,
    pub resources: ResourceNames,
    pub images: Images,
    pub jobs: Slab<job::Job>,
    pub job_by_name: NameIndex<JobId>,
    pub cronjobs: Slab<job::CronJob>,
    pub cronjob_by_name: NameIndex<CronJobId>,
    pub replicasets: Slab<apps::ReplicaSet>,
    pub replicaset_by_name: NameIndex<ReplicaSetId>,
    pub deployments: Slab<apps::Deployment>,
    pub deployment_by_name: NameIndex<DeploymentId>,
    pub daemonsets: Slab<daemonset::DaemonSet>,
    pub daemonset_by_name: NameIndex<DaemonSetId>,
    pub statefulsets: Slab<statefulset::StatefulSet>,
    pub statefulset_by_name: NameIndex<StatefulSetId>,
    /// Jobs, CronJobs, ReplicaSets and Deployments created so far (uids).
    pub objects_created: u64,
    pub namespaces: std::collections::BTreeSet<Arc<str>>,
    /// Pods created so far (uids).
    pub pods_created: u64,
    /// Pods holding a node whose spec has pod affinity or anti-affinity terms (the
    /// scheduler's `PodsWithAffinity`): InterPodAffinity reads only these when the pod
    /// being scheduled has no terms of its own.
    pub affinity_pods: std::collections::BTreeSet<PodId>,
    /// The pods holding each node by namespace and label set, not terminating
    /// (PodTopologySpread's counts), built when a cycle first reads it (`spread_index`).
    pub spread: spread_index::Lazy,
    /// The nodes' label values numbered per key (PodTopologySpread's domains).
    pub topology: topology::Topology,
    /// How many pods on nodes have each priority: preemption needs a lower one.
    pub bound_priorities: BTreeMap<i32, u32>,
    /// Nodes in the cluster (not removed).
    pub present_nodes: u64,
    /// Pod CIDRs, ClusterIPs and node addresses.
    pub net: network::NetState,
    pub services: slab::Slab<service::Service>,
    pub service_by_name: NameIndex<service::ServiceId>,
    /// Services and EndpointSlices created so far (their uids, one numbering each).
    pub services_created: u64,
    pub slices_created: u64,
    /// PodDisruptionBudgets, and how many were created (their uids).
    pub budgets: slab::Slab<budget::Budget>,
    pub budget_by_name: NameIndex<budget::BudgetId>,
    pub budgets_created: u64,
    /// PersistentVolumeClaims, PersistentVolumes, StorageClasses, ConfigMaps, Secrets.
    pub storage: storage::StorageState,
}

/// Image names interned to small ids (nodes keep per-image state by id), and what
/// ImageLocality knows of each image: it matches images by their normalised name
/// (`normalizedImageName`: `nginx` is `nginx:latest`), so every id maps to the id of its
/// normalised name, its canonical id, which carries the cluster-wide summary
/// (`ImageStateSummary`: the size, and how many nodes hold it).
#[derive(Default)]
pub struct Images {
    names: Vec<Arc<str>>,
    ids: BTreeMap<Arc<str>, u32>,
    canonical: Vec<u32>,
    /// Per canonical id: the nodes that hold it under any of its names, a bit per node
    /// id (a node's images stay once pulled). ImageLocality asks it of every feasible
    /// node for each image of the pod: a bit test instead of a search of the node's
    /// images for each alias.
    held: Vec<Vec<u64>>,
    /// Per canonical id: the present nodes that hold the image.
    holders: Vec<u32>,
    /// Per canonical id: the size the first node reported, 0 when none did.
    sizes: Vec<i64>,
}

impl Images {
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = self.names.len() as u32;
        let name: Arc<str> = Arc::from(name);
        self.names.push(name.clone());
        self.ids.insert(name.clone(), id);
        self.canonical.push(id);
        self.held.push(Vec::new());
        self.holders.push(0);
        self.sizes.push(0);
        let normalized = crate::scheduler::preference::normalized_image_name(&name);
        let canonical = if *normalized == *name { id } else { self.intern(&normalized) };
        self.canonical[id as usize] = canonical;
        id
    }

    pub fn name(&self, id: u32) -> &Arc<str> {
        &self.names[id as usize]
    }

    /// The id of the image's normalised name.
    pub fn canonical(&self, id: u32) -> u32 {
        self.canonical[id as usize]
    }

    /// How many present nodes hold the image (a canonical id).
    pub fn holders(&self, canonical: u32) -> u32 {
        self.holders[canonical as usize]
    }

    /// The image's size as a node reported it, 0 when unknown (a canonical id).
    pub fn size(&self, canonical: u32) -> i64 {
        self.sizes[canonical as usize]
    }

    /// Whether the node holds the image (a canonical id) under any of its names.
    pub fn held_by(&self, canonical: u32, node: NodeId) -> bool {
        let (word, bit) = (node.0 as usize / 64, node.0 % 64);
        self.held[canonical as usize].get(word).is_some_and(|w| w & (1 << bit) != 0)
    }

    /// The node now holds the image; whether it held it before.
    fn hold(&mut self, canonical: u32, node: NodeId) -> bool {
        let (word, bit) = (node.0 as usize / 64, node.0 % 64);
        let words = &mut self.held[canonical as usize];
        if words.len() <= word {
            words.resize(word + 1, 0);
        }
        let had = words[word] & (1 << bit) != 0;
        words[word] |= 1 << bit;
        had
    }
}

impl Cluster {
    /// An empty cluster whose API server draws generated names from `names`.
    pub fn new(
        priority_classes: BTreeMap<String, PriorityClassInfo>,
        streams: &crate::engine::Streams,
        network: network::NetworkConfig,
    ) -> Cluster {
        use crate::engine::Stream;
        let names = streams.stream(Stream::Names);
        Cluster {
            api: ApiState {
                priority_classes,
                default_priority_class: None,
                names,
                default_tolerations: Default::default(),
                kubelet_version: String::new(),
                seed: streams.seed(),
            },
            nodes: Vec::new(),
            fit: Vec::new(),
            room: Vec::new(),
            regular: fit::RegularRows::default(),
            fit_epoch: 0,
            fit_log: fit::FitLog::default(),
            node_by_name: BTreeMap::new(),
            pods: Slab::default(),
            pod_by_name: SlimNameIndex::default(),
            resources: ResourceNames::default(),
            images: Images::default(),
            jobs: Slab::default(),
            job_by_name: NameIndex::default(),
            cronjobs: Slab::default(),
            cronjob_by_name: NameIndex::default(),
            replicasets: Slab::default(),
            replicaset_by_name: NameIndex::default(),
            deployments: Slab::default(),
            deployment_by_name: NameIndex::default(),
            daemonsets: Slab::default(),
            daemonset_by_name: NameIndex::default(),
            statefulsets: Slab::default(),
            statefulset_by_name: NameIndex::default(),
            objects_created: 0,
            namespaces: Default::default(),
            pods_created: 0,
            affinity_pods: Default::default(),
            spread: Default::default(),
            topology: Default::default(),
            bound_priorities: BTreeMap::new(),
            present_nodes: 0,
            net: network::NetState::new(
                network,
                streams.stream(Stream::ClusterIps),
                streams.keyed(Stream::ClusterIps, 1),
            ),
            services: slab::Slab::default(),
            service_by_name: NameIndex::default(),
            services_created: 0,
            slices_created: 0,
            budgets: slab::Slab::default(),
            budget_by_name: NameIndex::default(),
            budgets_created: 0,
            storage: Default::default(),
        }
    }

    /// PodTopologySpread's counts of the pods holding each node, not terminating.
    pub fn spread_index(&self) -> std::cell::Ref<'_, spread_index::SpreadIndex> {
        self.spread.get(|| {
            self.pods.iter().filter_map(|(_, pod)| match (pod.counted, pod.node, &pod.deletion) {
                (true, Some(node), None) => Some((&pod.namespace, &pod.labels, node)),
                _ => None,
            })
        })
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    pub fn node_mut(&mut self, id: NodeId) -> &mut Node {
        &mut self.nodes[id.0 as usize]
    }

    /// Copies a node's resources, taints and schedulability into its [`fit::FitRow`]:
    /// called after every change of those.
    pub fn refresh_fit(&mut self, id: NodeId) {
        let i = id.0 as usize;
        if self.fit.len() <= i {
            self.fit.resize(i + 1, fit::FitRow::default());
            self.room.resize(i + 1, fit::Room::default());
        }
        self.fit_epoch += 1;
        self.fit_log.record(self.fit_epoch, i);
        let version = self.fit[i].version.wrapping_add(1).max(1);
        self.fit[i] = fit::FitRow { version, ..fit::FitRow::of(&self.nodes[i]) };
        self.room[i] = fit::Room::of(&self.fit[i]);
        self.regular.update(i, &self.fit[i]);
    }

    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> {
        (0..self.nodes.len() as u32).map(NodeId)
    }

    /// The image is now on the node (pulled, or reported by its Node object, with its
    /// size when known).
    pub fn image_present(&mut self, node: NodeId, image: u32, size: Option<i64>) {
        let canonical = self.images.canonical(image);
        let n = &mut self.nodes[node.0 as usize];
        let had = self.images.hold(canonical, node);
        n.images.insert(image, node::ImageState::Present);
        if !had && n.present {
            self.images.holders[canonical as usize] += 1;
        }
        let known = &mut self.images.sizes[canonical as usize];
        if *known == 0 {
            *known = size.unwrap_or(0).max(0);
        }
    }

    /// The node left the cluster: its images no longer count.
    pub fn forget_node_images(&mut self, node: NodeId) {
        let n = &self.nodes[node.0 as usize];
        let mut held: Vec<u32> = n
            .images
            .iter()
            .filter(|(_, s)| matches!(s, node::ImageState::Present))
            .map(|(id, _)| self.images.canonical(*id))
            .collect();
        held.sort_unstable();
        held.dedup();
        for c in held {
            self.images.holders[c as usize] -= 1;
        }
    }

    /// The pod's sandbox is gone: its address goes back to its node's range (CNI DEL).
    /// `status.podIP` is left as it was.
    pub fn release_pod_ip(&mut self, id: PodId) {
        let Some(pod) = self.pods.get_mut(id) else { return };
        if !pod.ip_held {
            return;
        }
        pod.ip_held = false;
        let (Some(node), Some(ip)) = (pod.node, pod.ip) else { return };
        if let Some(range) = self.nodes[node.0 as usize].pod_range.as_mut() {
            range.release(ip);
        }
    }

    pub fn find_pod(&self, namespace: &str, name: &str) -> Option<PodId> {
        self.pod_by_name.get(namespace, name, |id| self.pods.get(id).map(|p| (&*p.namespace, &*p.name)))
    }

    /// The shared name of a namespace (namespaces are few; objects share one `Arc`).
    pub fn intern_namespace(&mut self, ns: &str) -> Arc<str> {
        if let Some(n) = self.namespaces.get(ns) {
            return n.clone();
        }
        let n: Arc<str> = Arc::from(ns);
        self.namespaces.insert(n.clone());
        n
    }
}
