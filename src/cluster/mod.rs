//! The cluster's state: nodes and pods (and later Jobs, CronJobs) in arenas indexed by
//! typed ids, plain data that handlers change and pure functions read.

pub mod job;
pub mod node;
pub mod pod;
pub mod resources;
pub mod slab;
pub mod template;

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

#[derive(Default)]
pub struct Cluster {
    pub nodes: Vec<Node>,
    pub node_by_name: BTreeMap<Arc<str>, NodeId>,
    pub pods: Slab<Pod>,
    /// (namespace, name) of every pod object in the API.
    pub pod_by_name: BTreeMap<(Arc<str>, Box<str>), PodId>,
    pub resources: ResourceNames,
    pub images: Images,
    pub jobs: Slab<job::Job>,
    pub job_by_name: BTreeMap<(Arc<str>, Box<str>), JobId>,
    pub cronjobs: Slab<job::CronJob>,
    pub cronjob_by_name: BTreeMap<(Arc<str>, Box<str>), CronJobId>,
    /// Jobs and CronJobs created so far (uids).
    pub objects_created: u64,
    /// Pods created so far (uids).
    pub pods_created: u64,
}

/// Image names interned to small ids (nodes keep per-image state by id).
#[derive(Default)]
pub struct Images {
    names: Vec<Arc<str>>,
    ids: BTreeMap<Arc<str>, u32>,
}

impl Images {
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = self.names.len() as u32;
        let name: Arc<str> = Arc::from(name);
        self.names.push(name.clone());
        self.ids.insert(name, id);
        id
    }

    pub fn name(&self, id: u32) -> &Arc<str> {
        &self.names[id as usize]
    }
}

impl Cluster {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    pub fn node_mut(&mut self, id: NodeId) -> &mut Node {
        &mut self.nodes[id.0 as usize]
    }

    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> {
        (0..self.nodes.len() as u32).map(NodeId)
    }

    pub fn pod(&self, id: PodId) -> Option<&Pod> {
        self.pods.get(id)
    }

    pub fn pod_mut(&mut self, id: PodId) -> Option<&mut Pod> {
        self.pods.get_mut(id)
    }

    pub fn find_pod(&self, namespace: &str, name: &str) -> Option<PodId> {
        self.pod_by_name.get(&(Arc::from(namespace), Box::from(name))).copied()
    }

    pub fn intern_namespace(&self, ns: &str) -> Arc<str> {
        // Namespaces are few: reuse the Arc of an existing pod's namespace when possible.
        self.pod_by_name
            .range((Arc::from(ns), Box::from(""))..)
            .next()
            .filter(|((n, _), _)| &**n == ns)
            .map(|((n, _), _)| n.clone())
            .unwrap_or_else(|| Arc::from(ns))
    }
}
