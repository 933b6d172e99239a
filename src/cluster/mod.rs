//! The cluster's state: nodes and pods (and later Jobs, CronJobs) in arenas indexed by
//! typed ids, plain data that handlers change and pure functions read.

pub mod fit;
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
    /// The scheduler's packed view of each node (by node id); see [`fit`].
    pub fit: Vec<fit::FitRow>,
    pub node_by_name: BTreeMap<Arc<str>, NodeId>,
    pub pods: Slab<Pod>,
    /// (namespace, name) of every pod object in the API.
    pub pod_by_name: NameIndex<PodId>,
    pub resources: ResourceNames,
    pub images: Images,
    pub jobs: Slab<job::Job>,
    pub job_by_name: NameIndex<JobId>,
    pub cronjobs: Slab<job::CronJob>,
    pub cronjob_by_name: NameIndex<CronJobId>,
    /// Jobs and CronJobs created so far (uids).
    pub objects_created: u64,
    pub namespaces: std::collections::BTreeSet<Arc<str>>,
    /// Pods created so far (uids).
    pub pods_created: u64,
    /// Pods holding a node whose spec has pod affinity or anti-affinity terms (the
    /// scheduler's `PodsWithAffinity`): InterPodAffinity reads only these when the pod
    /// being scheduled has no terms of its own.
    pub affinity_pods: std::collections::BTreeSet<PodId>,
}

/// Objects of one kind by namespace and name. Keys are a stable 64-bit hash of the
/// pair (FNV-1a), so a lookup compares integers, not long names sharing prefixes
/// (`tick-57-29453770-xxxxx`); the rare collision is settled by the names. Order is by
/// hash: deterministic, but not alphabetical.
pub struct NameIndex<T> {
    by_hash: BTreeMap<u64, Slot<T>>,
}

/// (namespace, name, value).
type Named<T> = (Arc<str>, Arc<str>, T);

/// The objects under one hash: nearly always one, so it is kept inline.
enum Slot<T> {
    One(Named<T>),
    Many(Vec<Named<T>>),
}

impl<T> Slot<T> {
    fn entries(&self) -> &[Named<T>] {
        match self {
            Slot::One(e) => std::slice::from_ref(e),
            Slot::Many(v) => v,
        }
    }
}

impl<T> Default for NameIndex<T> {
    fn default() -> Self {
        NameIndex { by_hash: BTreeMap::new() }
    }
}

impl<T: Copy> NameIndex<T> {
    fn key(namespace: &str, name: &str) -> u64 {
        crate::engine::rng::key_of(&[namespace, name])
    }

    pub fn get(&self, namespace: &str, name: &str) -> Option<T> {
        let slot = self.by_hash.get(&Self::key(namespace, name))?;
        slot.entries().iter().find(|(ns, n, _)| &**ns == namespace && &**n == name).map(|(_, _, v)| *v)
    }

    pub fn contains(&self, namespace: &str, name: &str) -> bool {
        self.get(namespace, name).is_some()
    }

    /// Files `value` under the name; the `Arc`s are shared with the object.
    pub fn insert(&mut self, namespace: &Arc<str>, name: &Arc<str>, value: T) {
        let entry = (namespace.clone(), name.clone(), value);
        match self.by_hash.entry(Self::key(namespace, name)) {
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(Slot::One(entry));
            }
            std::collections::btree_map::Entry::Occupied(mut o) => {
                let slot = o.get_mut();
                let mut all: Vec<Named<T>> = match std::mem::replace(slot, Slot::Many(Vec::new())) {
                    Slot::One(e) => vec![e],
                    Slot::Many(v) => v,
                };
                all.retain(|(ns, n, _)| !(**ns == **namespace && **n == **name));
                all.push(entry);
                *slot = Slot::Many(all);
            }
        }
    }

    pub fn remove(&mut self, namespace: &str, name: &str) -> Option<T> {
        let key = Self::key(namespace, name);
        let found = |e: &Named<T>| &*e.0 == namespace && &*e.1 == name;
        match self.by_hash.get_mut(&key)? {
            Slot::One(e) if found(e) => self.by_hash.remove(&key).and_then(|s| s.entries().first().map(|e| e.2)),
            Slot::One(_) => None,
            Slot::Many(v) => {
                let i = v.iter().position(found)?;
                let (_, _, value) = v.swap_remove(i);
                if v.is_empty() {
                    self.by_hash.remove(&key);
                }
                Some(value)
            }
        }
    }

    /// Every (namespace, name, value), sorted by namespace and name.
    pub fn sorted(&self) -> Vec<(&str, &str, T)> {
        let mut all: Vec<(&str, &str, T)> =
            self.by_hash.values().flat_map(|s| s.entries().iter()).map(|(ns, n, v)| (&**ns, &**n, *v)).collect();
        all.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        all
    }
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

    /// Copies a node's resources, taints and schedulability into its [`fit::FitRow`]:
    /// called after every change of those.
    pub fn refresh_fit(&mut self, id: NodeId) {
        let i = id.0 as usize;
        if self.fit.len() <= i {
            self.fit.resize(i + 1, fit::FitRow::default());
        }
        let version = self.fit[i].version.wrapping_add(1).max(1);
        self.fit[i] = fit::FitRow { version, ..fit::FitRow::of(&self.nodes[i]) };
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
        self.pod_by_name.get(namespace, name)
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
