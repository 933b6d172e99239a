//! The attach/detach controller (`pkg/controller/volume/attachdetach`): attachable
//! volumes are attached to the nodes whose pods use them before the kubelet mounts them,
//! and detached once no pod there uses them and the kubelet has unmounted them (or, on a
//! node that stopped answering, after the 6-minute wait; at once with the out-of-service
//! taint). `rules` holds upstream's rules, `reconciler` the pure state and passes; this
//! subsystem feeds the reconciler from the change feed, runs a pass at the instant the
//! 100 ms loop would first find something to do, carries out its operations (each taking
//! the class's attach or detach time, drawn from a stream of its own) and records their
//! events.

pub mod reconciler;
pub mod rules;

use crate::apiserver::{Change, Ctx, Kind, Watches};
use crate::cluster::node::NodeReady;
use crate::cluster::storage::{ClaimId, ClaimPhase, PvId};
use crate::cluster::{Cluster, NodeId, PodId};
use crate::engine::{SimRng, SimTime, Timer, TimerToken};
use crate::event::AttachDetachEvent;
use crate::trace::EventType;
use reconciler::{Action, NodeView, Reconciler};
use std::collections::{BTreeMap, BTreeSet};

pub struct AttachDetachController {
    r: Reconciler<PvId, NodeId, PodId>,
    /// Attach and detach times (`Stream::AttachDetach`).
    rng: SimRng,
    /// The next pass of the loop, and when it runs.
    pass: Timer,
    pass_at: Option<SimTime>,
    /// Each running operation's timer, and for an attach the pods it is for.
    ops: BTreeMap<(PvId, NodeId), (Timer, Vec<PodId>)>,
    /// The (volume, node) entries each pod put in the desired state.
    by_pod: BTreeMap<PodId, Vec<(PvId, NodeId)>>,
    /// Pods on a node whose claim was not yet bound to a PV.
    waiting: BTreeMap<ClaimId, BTreeSet<PodId>>,
    /// The nodes whose `volumesAttached` the controller wrote.
    written: BTreeSet<NodeId>,
}

/// The nodes as the reconciler sees them through the controller's node informer.
struct Nodes<'a>(&'a Cluster);

impl NodeView<NodeId> for Nodes<'_> {
    fn healthy(&self, node: NodeId) -> bool {
        let n = self.0.node(node);
        n.present && n.ready == NodeReady::True
    }

    fn out_of_service(&self, node: NodeId) -> bool {
        let n = self.0.node(node);
        n.present && n.taints.iter().any(|t| t.key == rules::OUT_OF_SERVICE_TAINT)
    }
}

impl AttachDetachController {
    /// The change kinds the controller watches: pods on nodes and their end, claims
    /// bound late, the nodes' health, taints and `volumesInUse`.
    pub const WATCHES: Watches = Watches::of(&[
        Kind::PodBound,
        Kind::PodDeleting,
        Kind::PodPhase,
        Kind::PodRemoved,
        Kind::ClaimUpdated,
        Kind::NodeReady,
        Kind::NodeTainted,
        Kind::NodeUntainted,
        Kind::NodeRemoved,
        Kind::NodeVolumesInUse,
    ]);

    pub fn new(rng: SimRng) -> AttachDetachController {
        AttachDetachController {
            r: Reconciler::default(),
            rng,
            pass: Timer::default(),
            pass_at: None,
            ops: BTreeMap::new(),
            by_pod: BTreeMap::new(),
            waiting: BTreeMap::new(),
            written: BTreeSet::new(),
        }
    }

    pub fn handle(&mut self, ctx: &mut Ctx, event: AttachDetachEvent) {
        match event {
            AttachDetachEvent::Pass { token } => {
                if self.pass.fire(token) {
                    self.pass_at = None;
                    self.run_pass(ctx);
                }
            }
            AttachDetachEvent::Attached { volume, node, token } => self.attach_done(ctx, volume, node, token),
            AttachDetachEvent::Detached { volume, node, token } => self.detach_done(ctx, volume, node, token),
        }
    }

    pub fn observe(&mut self, ctx: &mut Ctx, change: &Change) {
        match change {
            Change::PodBound { pod, node } => self.add_pod(ctx, *pod, *node),
            Change::PodPhase { pod, phase } if phase.is_terminal() => self.remove_pod(ctx, *pod),
            Change::PodDeleting(pod) if ctx.cluster.pods.get(*pod).is_some_and(terminated) => {
                self.remove_pod(ctx, *pod)
            }
            Change::PodRemoved { id, .. } => self.remove_pod(ctx, *id),
            Change::ClaimUpdated(claim) => {
                for pod in self.waiting.remove(claim).unwrap_or_default() {
                    if let Some(node) = ctx.cluster.pods.get(pod).and_then(|p| p.node) {
                        self.add_pod(ctx, pod, node);
                    }
                }
            }
            Change::NodeVolumesInUse(node) => {
                let in_use = ctx.cluster.node(*node).volumes.in_use.clone();
                self.r.set_mounted_by_node(*node, &in_use);
                self.request_pass(ctx, *node);
            }
            Change::NodeReady(node)
            | Change::NodeTainted(node)
            | Change::NodeUntainted(node)
            | Change::NodeRemoved(node) => self.request_pass(ctx, *node),
            _ => {}
        }
    }

    /// `util.ProcessPodVolumes` for a pod scheduled to `node`: each attachable volume
    /// it uses enters the desired state (a pod already terminated does not).
    fn add_pod(&mut self, ctx: &mut Ctx, id: PodId, node: NodeId) {
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        if pod.template.volumes.is_empty() || terminated(pod) {
            return;
        }
        let storage = &ctx.cluster.storage;
        let mut added = Vec::new();
        for (_, claim_name) in pod.template.volumes.claims(&pod.name) {
            let Some(claim_id) = storage.find_claim(&pod.namespace, &claim_name) else { continue };
            let claim = storage.claims.get(claim_id).expect("indexed");
            let pv = claim
                .status
                .volume_name
                .as_deref()
                .filter(|_| claim.status.phase == ClaimPhase::Bound)
                .and_then(|name| storage.find_volume(name));
            let Some(pv) = pv else {
                self.waiting.entry(claim_id).or_default().insert(id);
                continue;
            };
            let volume = storage.volumes.get(pv).expect("indexed");
            if !rules::is_attachable(&volume.source) {
                continue;
            }
            if rules::is_multi_attach_allowed(volume.modes) {
                self.r.multi_attach.insert(pv);
            }
            added.push((pv, node));
        }
        if added.is_empty() {
            return;
        }
        let entries = self.by_pod.entry(id).or_default();
        for (pv, node) in added {
            if !entries.contains(&(pv, node)) {
                entries.push((pv, node));
                self.r.add_pod(pv, node, id);
            }
        }
        self.request_pass(ctx, node);
    }

    /// The pod is terminated or gone: its volumes leave the desired state.
    fn remove_pod(&mut self, ctx: &mut Ctx, id: PodId) {
        for waiting in self.waiting.values_mut() {
            waiting.remove(&id);
        }
        let Some(entries) = self.by_pod.remove(&id) else { return };
        for (pv, node) in entries {
            self.r.remove_pod(pv, node, id);
            self.request_pass(ctx, node);
        }
    }

    /// A pass at the loop's next instant (nothing to do for a node without attachable
    /// volumes).
    fn request_pass(&mut self, ctx: &mut Ctx, node: NodeId) {
        let involved = self.r.desired.keys().chain(self.r.actual.keys()).any(|(_, n)| *n == node)
            || self.r.attaching.iter().any(|(_, n)| *n == node);
        if involved {
            self.pass_by(ctx, rules::next_pass(ctx.now));
        }
    }

    fn pass_by(&mut self, ctx: &mut Ctx, at: SimTime) {
        if let Some(token) = self.pass.arm_unless_due_by(&mut self.pass_at, at) {
            ctx.schedule(at, AttachDetachEvent::Pass { token });
        }
    }

    /// One pass of the reconciler: its operations start, its errors are recorded, the
    /// nodes' `volumesAttached` are written, and the pass that force-detaches is armed.
    fn run_pass(&mut self, ctx: &mut Ctx) {
        let now = ctx.now;
        let actions = self.r.pass(now, &Nodes(ctx.cluster));
        for action in actions {
            match action {
                Action::Attach { volume, node } => {
                    let pods: Vec<PodId> = self
                        .r
                        .desired
                        .get(&(volume, node))
                        .map(|w| w.pods.iter().copied().collect())
                        .unwrap_or_default();
                    let takes = self.timing(ctx, volume, true);
                    let (timer, _) = self.ops.entry((volume, node)).or_insert((Timer::default(), Vec::new()));
                    let token = timer.arm();
                    self.ops.get_mut(&(volume, node)).expect("inserted").1 = pods;
                    ctx.at(takes, AttachDetachEvent::Attached { volume, node, token });
                }
                Action::Detach { volume, node, .. } => {
                    let takes = self.timing(ctx, volume, false);
                    let (timer, pods) = self.ops.entry((volume, node)).or_insert((Timer::default(), Vec::new()));
                    pods.clear();
                    let token = timer.arm();
                    ctx.at(takes, AttachDetachEvent::Detached { volume, node, token });
                }
                Action::MultiAttach { volume, waiting, others, .. } => {
                    self.report_multi_attach(ctx, volume, &waiting, &others)
                }
            }
        }
        self.write_node_statuses(ctx);
        if let Some(at) = self.r.next_timeout(&Nodes(ctx.cluster)) {
            self.pass_by(ctx, at.max(now));
        }
    }

    /// The class's attach or detach time, drawn.
    fn timing(&mut self, ctx: &Ctx, volume: PvId, attach: bool) -> u64 {
        let storage = &ctx.cluster.storage;
        let class = storage.volumes.get(volume).map_or("", |v| &*v.class);
        let t = storage.timings.of(class);
        if attach { t.attach.sample(&mut self.rng) } else { t.detach.sample(&mut self.rng) }
    }

    /// `reportMultiAttachError`: a Warning `FailedAttachVolume` on each pod waiting.
    fn report_multi_attach(&mut self, ctx: &mut Ctx, volume: PvId, waiting: &[PodId], others: &[PodId]) {
        let name = ctx.cluster.storage.volumes.get(volume).map_or_else(String::new, |v| v.name.to_string());
        let others: Vec<(String, String)> = others
            .iter()
            .filter_map(|p| ctx.cluster.pods.get(*p))
            .map(|p| (p.namespace.to_string(), p.name.to_string()))
            .collect();
        let others: Vec<rules::OtherPod> =
            others.iter().map(|(ns, name)| rules::OtherPod { namespace: ns, name }).collect();
        for pod in waiting {
            let Some(p) = ctx.cluster.pods.get(*pod) else { continue };
            let message = rules::multi_attach_message(&name, &p.namespace, &others);
            ctx.pod_event(*pod, EventType::Warning, "FailedAttachVolume", format_args!("{message}"));
        }
    }

    /// The attach finished: `SuccessfulAttachVolume` on the pods it was for.
    fn attach_done(&mut self, ctx: &mut Ctx, volume: PvId, node: NodeId, token: TimerToken) {
        let Some((timer, pods)) = self.ops.get_mut(&(volume, node)) else { return };
        if !timer.fire(token) {
            return;
        }
        let pods = std::mem::take(pods);
        self.ops.remove(&(volume, node));
        self.r.attached(volume, node);
        let name = ctx.cluster.storage.volumes.get(volume).map_or_else(String::new, |v| v.name.to_string());
        let message = rules::attach_succeeded_message(&name);
        for pod in pods {
            if ctx.cluster.pods.get(pod).is_some() {
                ctx.pod_event(pod, EventType::Normal, "SuccessfulAttachVolume", format_args!("{message}"));
            }
        }
        self.pass_by(ctx, rules::next_pass(ctx.now));
    }

    fn detach_done(&mut self, ctx: &mut Ctx, volume: PvId, node: NodeId, token: TimerToken) {
        let Some((timer, _)) = self.ops.get_mut(&(volume, node)) else { return };
        if !timer.fire(token) {
            return;
        }
        self.ops.remove(&(volume, node));
        self.r.detached(volume, node);
        self.pass_by(ctx, rules::next_pass(ctx.now));
    }

    /// `UpdateNodeStatuses`: each node's `status.volumesAttached` as the actual state
    /// reports it.
    fn write_node_statuses(&mut self, ctx: &mut Ctx) {
        // Each node's reported attachments gathered in one walk of the actual state (not
        // a walk per node); the nodes written last time and now without any get an empty set.
        let mut by_node: BTreeMap<NodeId, BTreeSet<PvId>> = BTreeMap::new();
        for ((volume, node), a) in &self.r.actual {
            let set = by_node.entry(*node).or_default();
            if a.reported {
                set.insert(*volume);
            }
        }
        for node in std::mem::take(&mut self.written) {
            by_node.entry(node).or_default();
        }
        for (node, attached) in by_node {
            if !attached.is_empty() {
                self.written.insert(node);
            }
            ctx.set_volumes_attached(node, attached);
        }
    }
}

/// `IsPodTerminated` on the pod as the API shows it.
fn terminated(pod: &crate::cluster::Pod) -> bool {
    use crate::cluster::pod::ContainerState;
    let containers: Vec<rules::ContainerView> = pod
        .containers
        .iter()
        .map(|c| match c.state {
            None => rules::ContainerView::None,
            Some(ContainerState::Waiting(_)) => rules::ContainerView::Waiting,
            Some(ContainerState::Running { .. }) => rules::ContainerView::Running,
            Some(ContainerState::Terminated(_)) => rules::ContainerView::Terminated,
        })
        .collect();
    rules::is_pod_terminated(pod.phase.is_terminal(), pod.deletion.is_some(), &containers)
}
