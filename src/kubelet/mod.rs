//! The kubelet: container lifecycle on a node (pull, start, run, exit, restart with
//! back-off, probes, termination) and the pod phase and conditions it reports.
//! Pure decisions live in `phase`, `conditions`, `backoff`, `probes` and `actions`;
//! the handlers that apply them are in `runtime`, `images`, `termination`, `status`
//! and `node` (the kubelet's own stop and restart). Its per-pod and per-node state
//! (container stages and their timers, the image puller) lives beside the objects, in
//! fields only the kubelet writes.

pub mod actions;
pub mod backoff;
pub mod conditions;
pub mod eviction;
pub mod images;
pub mod network;
pub mod node;
pub mod phase;
pub mod pressure;
pub mod probes;
pub mod runtime;
pub mod status;
pub mod termination;
pub mod volumes;

use crate::apiserver::{Change, Ctx, Kind, Watches};
use crate::cluster::JobId;
use crate::cluster::pod::{ContainerStatus, Owner, Pod};
use crate::cluster::storage::PvId;
use crate::engine::Streams;
use crate::event::KubeletEvent;
use crate::scenario::{Behavior, BehaviorPatch, KubeletConfig};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Every node's kubelet (they share their configuration and the behaviors).
pub struct Kubelet {
    behaviors: Vec<Behavior>,
    default_behavior: Behavior,
    /// Runs so far of each container whose behavior changes by attempt, counted per
    /// workload (see [`RunKey`]): the scenario's notion, not the kubelet's.
    runs: BTreeMap<RunKey, u32>,
    /// Per-container draws come from streams keyed by the container and attempt.
    streams: Streams,
    config: KubeletConfig,
    /// The OOM killer is at work (its kills do not call it again).
    oom_killing: bool,
    /// The PersistentVolumes that hold data (a container that mounts one writable ran),
    /// with the node whose disk holds it for a local one (lost if that node is deleted).
    pv_data: BTreeMap<PvId, Option<crate::cluster::NodeId>>,
}

impl Kubelet {
    /// The change kinds the kubelet watches: pods bound to its node (or naming it),
    /// deletions it must carry out, and pods gone (their volumes with them).
    pub const WATCHES: Watches =
        Watches::of(&[Kind::PodCreated, Kind::PodBound, Kind::PodDeleting, Kind::PodRemoved, Kind::NodeRemoved]);

    pub fn new(behaviors: Vec<Behavior>, streams: Streams, config: KubeletConfig) -> Kubelet {
        Kubelet {
            behaviors,
            default_behavior: Behavior::default_for_unmatched(),
            runs: BTreeMap::new(),
            streams,
            config,
            oom_killing: false,
            pv_data: BTreeMap::new(),
        }
    }

    pub fn handle(&mut self, ctx: &mut Ctx, event: KubeletEvent) {
        match event {
            KubeletEvent::ImagePullDone { node, image, ok } => self.image_pull_done(ctx, node, image, ok),
            KubeletEvent::Container { pod, container, token } => {
                self.container_timer(ctx, pod, container as usize, token)
            }
            KubeletEvent::Probe { pod, container, token } => self.probe_timer(ctx, pod, container as usize, token),
            KubeletEvent::PodDeadline { pod, token } => self.pod_deadline(ctx, pod, token),
            KubeletEvent::Sandbox { pod, token } => self.retry_sandbox(ctx, pod, token),
            KubeletEvent::EvictionSync { node, token } => self.eviction_sync(ctx, node, token),
            KubeletEvent::WorkingSet { node, token } => self.working_set_step(ctx, node, token),
            KubeletEvent::Volumes { pod, token } => self.volumes_timer(ctx, pod, token),
            KubeletEvent::NodeStatus { node, token } => self.node_status(ctx, node, token),
        }
    }

    pub fn observe(&mut self, ctx: &mut Ctx, change: &Change) {
        match change {
            Change::PodCreated(id) => {
                let node = ctx.cluster.pods.get(*id).and_then(|p| p.template.spec.node_name.clone());
                if let Some(node) = node {
                    self.bind_by_name(ctx, *id, &node);
                }
            }
            Change::PodBound { pod, node } => {
                let unseen = ctx.cluster.pods.get(*pod).is_some_and(|p| p.start_time.is_none());
                if unseen && ctx.cluster.node(*node).kubelet_up {
                    self.admit(ctx, *pod);
                }
            }
            Change::PodDeleting(id) => {
                if let Some(grace) = ctx.cluster.pods.get(*id).and_then(|p| p.deletion).map(|d| d.grace) {
                    self.begin_termination(ctx, *id, grace);
                }
            }
            Change::PodRemoved { pod, .. } if pod.volumes.is_some() => self.pod_removed(ctx, pod),
            Change::NodeRemoved(node) if !self.pv_data.is_empty() => self.node_removed(ctx, *node),
            _ => {}
        }
    }

    pub(crate) fn behavior_of(&self, index: usize) -> &Behavior {
        self.behaviors.get(index).unwrap_or(&self.default_behavior)
    }

    /// The behavior of a container's current run (its `attempts` entry, if any).
    pub(crate) fn behavior_now(&self, status: &ContainerStatus) -> Cow<'_, Behavior> {
        self.behavior_of(status.behavior).for_attempt(status.run)
    }

    /// An action changes `behaviors[index]` from now on (`patch: behavior/<name>`): runs
    /// and pulls that start later follow the new values.
    pub fn patch_behavior(&mut self, index: usize, patch: &BehaviorPatch) {
        if let Some(b) = self.behaviors.get_mut(index) {
            *b = b.patched(patch);
        }
    }

    /// Counts a new run of container `c` of the pod and returns its number (1 for the
    /// first): per pod, or for a Job's pods per Job and completion index, so that a
    /// replacement pod continues the count. Counted only for behaviors with `attempts`.
    pub(crate) fn count_run(&mut self, pod: &Pod, c: usize) -> u32 {
        if self.behavior_of(pod.containers[c].behavior).attempts.is_empty() {
            return 0;
        }
        let key = match pod.owner {
            Owner::Job { job, index } => RunKey::Job(job, index, c as u16),
            // A ReplicaSet's pods are replicas running side by side: each counts its own
            // (a StatefulSet's replacement pod too: it is a new pod of the ordinal).
            Owner::None | Owner::ReplicaSet(_) | Owner::DaemonSet(_) | Owner::StatefulSet(_) => {
                RunKey::Pod(pod.uid, c as u16)
            }
        };
        let runs = self.runs.entry(key).or_insert(0);
        *runs += 1;
        *runs
    }
}

/// Whose runs a behavior's `attempts` count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum RunKey {
    Pod(u64, u16),
    Job(JobId, Option<u32>, u16),
}
