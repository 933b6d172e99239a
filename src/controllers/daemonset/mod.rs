//! The DaemonSet controller (`pkg/controller/daemon/daemon_controller.go`, `update.go`):
//! each sync walks the nodes, creates the daemon pod a node should run and lacks
//! (pinned to it by node affinity, placed by the scheduler), deletes pods on nodes that
//! should no longer run one, failed pods (with the failed-pod back-off) and duplicates,
//! paces a rolling update, and writes the status. It syncs at once on a change of its
//! pods, of its spec, or of the nodes.

pub mod kubectl;
pub mod rules;
pub mod template;
pub mod update;

use crate::apiserver::pods::{CreateError, PodRequest};
use crate::apiserver::record::ObjectRef;
use crate::apiserver::{Change, Ctx, Kind, Watches};
use crate::cluster::daemonset::{DaemonSetStatus, UpdateStrategy};
use crate::cluster::pod::{Owner, Pod, PodPhase};
use crate::cluster::{Cluster, DaemonSetId, NodeId, PodId};
use crate::engine::{SimRng, SimTime};
use crate::event::DaemonSetEvent;
use crate::trace::EventType;
use std::sync::Arc;

pub use template::from_manifest;

/// `BurstReplicas` of the DaemonSet controller: pods created or deleted in one sync at most.
const BURST_REPLICAS: usize = 250;
/// `SlowStartInitialBatchSize` (`controller_utils.go`).
const SLOW_START_INITIAL_BATCH: usize = 1;

/// The DaemonSet controller. Its per-DaemonSet state (the sync timer, the failed-pod
/// back-off) lives in the DaemonSet object, in fields only it writes; its own state is
/// the stream it draws the order of the nodes from.
pub struct DaemonSetController {
    order: SimRng,
}

impl DaemonSetController {
    pub fn new(order: SimRng) -> DaemonSetController {
        DaemonSetController { order }
    }

    /// The change kinds it watches: its DaemonSets, the nodes, and its pods.
    pub const WATCHES: Watches = Watches::of(&[
        Kind::DaemonSetCreated,
        Kind::DaemonSetUpdated,
        Kind::NodeAdded,
        Kind::NodeRemoved,
        Kind::NodeUntainted,
        Kind::PodPhase,
        Kind::PodReady,
        Kind::PodDeleting,
        Kind::PodRemoved,
    ]);

    pub fn handle(&mut self, ctx: &mut Ctx, event: DaemonSetEvent) {
        match event {
            DaemonSetEvent::Sync { ds, token } => {
                let Some(d) = ctx.cluster.daemonsets.get_mut(ds) else { return };
                if d.sync_timer.fire(token) {
                    d.sync_at = None;
                    self.sync(ctx, ds);
                }
            }
        }
    }

    pub fn observe(&mut self, ctx: &mut Ctx, change: &Change) {
        match change {
            Change::DaemonSetCreated(ds) | Change::DaemonSetUpdated(ds) => enqueue(ctx, *ds, ctx.now),
            // Every DaemonSet looks at a node that joined, left or lost a taint.
            Change::NodeAdded(_) | Change::NodeRemoved(_) | Change::NodeUntainted(_) => {
                let all: Vec<DaemonSetId> = ctx.cluster.daemonsets.iter().map(|(id, _)| id).collect();
                for ds in all {
                    enqueue(ctx, ds, ctx.now);
                }
            }
            Change::PodPhase { pod, .. } | Change::PodDeleting(pod) | Change::PodReady { pod, .. } => {
                if let Some(Owner::DaemonSet(ds)) = ctx.cluster.pods.get(*pod).map(|p| p.owner) {
                    enqueue(ctx, ds, ctx.now);
                }
            }
            Change::PodRemoved { id, pod } => {
                if let Owner::DaemonSet(ds) = pod.owner
                    && let Some(d) = ctx.cluster.daemonsets.get_mut(ds)
                {
                    d.pods.remove(id);
                    enqueue(ctx, ds, ctx.now);
                }
            }
            _ => {}
        }
    }

    /// `syncDaemonSet`: manage, then (when manage had nothing to do: its expectations
    /// are met) the rolling update, then the status.
    fn sync(&mut self, ctx: &mut Ctx, id: DaemonSetId) {
        let nodes = self.node_order(ctx.cluster);
        let placement = placement(ctx.cluster, id, &nodes);
        // Read again only after pods were created or deleted: a sync that leaves them as
        // they are plans its rolling update, and reports its status, on what `manage` read.
        let by_node = pods_by_node(ctx.cluster, id);
        let (deletes, creates) = self.manage(ctx, id, &nodes, &placement, &by_node);
        let acted = !deletes.is_empty() || !creates.is_empty();
        let (mut failed, mut touched) = (false, acted);
        if acted {
            failed = self.sync_nodes(ctx, id, &deletes, &creates);
        } else if let Some(ds) = ctx.cluster.daemonsets.get(id)
            && matches!(ds.strategy, UpdateStrategy::RollingUpdate { .. })
        {
            let plan = rolling_plan(ctx.cluster, id, &nodes, &placement, &by_node, ctx.now);
            touched = !plan.delete.is_empty() || !plan.create.is_empty();
            failed = self.sync_nodes(ctx, id, &plan.delete, &plan.create);
        }
        if acted && !failed {
            // The informer sees the creates and deletes at once: sync again.
            enqueue(ctx, id, ctx.now);
        }
        // The status reads the pods as the sync left them: again only if it changed them.
        let by_node = if touched { pods_by_node(ctx.cluster, id) } else { by_node };
        let status = calculate_status(ctx.cluster, id, &nodes, &placement, &by_node, ctx.now);
        ctx.set_daemonset_status(id, status);
        // `updateDaemonSetStatus` requeues after minReadySeconds while ready pods wait
        // to be available.
        if let Some(ds) = ctx.cluster.daemonsets.get(id)
            && ds.min_ready > 0
            && status.ready != status.available
        {
            enqueue(ctx, id, ctx.now.after(ds.min_ready));
        }
    }

    /// The present nodes, in an order drawn from the controller's stream.
    fn node_order(&mut self, cluster: &Cluster) -> Vec<NodeId> {
        let mut nodes: Vec<NodeId> =
            (0..cluster.nodes.len() as u32).map(NodeId).filter(|n| cluster.node(*n).present).collect();
        for i in (1..nodes.len()).rev() {
            let j = self.order.below(i as u64 + 1) as usize;
            nodes.swap(i, j);
        }
        nodes
    }

    /// `manage` and `podsShouldBeOnNode`: the nodes that need a daemon pod and the pods
    /// to delete.
    fn manage(
        &mut self,
        ctx: &mut Ctx,
        id: DaemonSetId,
        nodes: &[NodeId],
        placement: &[(bool, bool)],
        by_node: &NodePods,
    ) -> (Vec<PodId>, Vec<NodeId>) {
        let (mut deletes, mut creates) = (Vec::new(), Vec::new());
        // A node's live pods, refilled for each node (a list made per node was 2,000
        // allocations a sync on 2,000 nodes).
        let mut running = Vec::new();
        for (&node, &(run, keep)) in nodes.iter().zip(placement) {
            let pods = by_node.get(node);
            if run && pods.is_empty() {
                creates.push(node);
            } else if keep {
                self.prune_ended(ctx, id, node, pods, &mut deletes, &mut running);
                let ds = ctx.cluster.daemonsets.get(id).expect("synced");
                if !rules::allows_surge(&ds.strategy) {
                    // One pod per node: the oldest stays.
                    deletes.extend(running.iter().skip(1));
                } else if running.is_empty() {
                    if run {
                        creates.push(node);
                    }
                } else if running.len() > 1 {
                    surge_prune(ctx.cluster, id, &running, ctx.now, &mut deletes);
                }
            } else if !pods.is_empty() {
                let live = pods.iter().filter(|p| ctx.cluster.pods.get(**p).is_some_and(|x| x.deletion.is_none()));
                deletes.extend(live);
            }
        }
        // Unscheduled pods for nodes that are gone: nothing else would delete them.
        let ds = ctx.cluster.daemonsets.get(id).expect("synced");
        for (&pod, &node) in &ds.pods {
            let p = ctx.cluster.pods.get(pod);
            if !ctx.cluster.node(node).present && p.is_some_and(|p| p.node.is_none() && p.deletion.is_none()) {
                deletes.push(pod);
            }
        }
        (deletes, creates)
    }

    /// The pods on a node that should keep one: a failed pod is deleted (at the pace
    /// of the failed-pod back-off), a succeeded one too; the others, oldest first, in
    /// `running`.
    fn prune_ended(
        &mut self,
        ctx: &mut Ctx,
        id: DaemonSetId,
        node: NodeId,
        pods: &[PodId],
        deletes: &mut Vec<PodId>,
        running: &mut Vec<PodId>,
    ) {
        running.clear();
        for &pod in pods {
            let Some(p) = ctx.cluster.pods.get(pod) else { continue };
            if p.deletion.is_some() {
                continue;
            }
            // Most pods run: only an ended one needs the names its event carries (four
            // shared names counted up and down for each pod was a quarter of a sync).
            if !matches!(p.phase, PodPhase::Failed | PodPhase::Succeeded) {
                running.push(pod);
                continue;
            }
            let (phase, pod_name) = (p.phase, p.name.clone());
            let ds = ctx.cluster.daemonsets.get_mut(id).expect("synced");
            let (ns, name, generation) = (ds.namespace.clone(), ds.name.clone(), ds.status.observed_generation);
            let node_name = ctx.cluster.nodes[node.0 as usize].name.clone();
            let ds_ref = ObjectRef::of("DaemonSet", &ns, &name);
            match phase {
                PodPhase::Failed => {
                    let entry = ds.failed_backoff.get(&node);
                    if rules::in_backoff(entry, generation, ctx.now) {
                        let delay = entry.expect("in back-off").duration;
                        enqueue(ctx, id, ctx.now.after(delay));
                        continue;
                    }
                    let next = rules::next_backoff(entry, generation, ctx.now);
                    ds.failed_backoff.insert(node, next);
                    ctx.object_event(
                        ds_ref,
                        EventType::Warning,
                        "FailedDaemonPod",
                        format_args!(
                            "Found failed daemon pod {ns}/{pod_name} on node {node_name}, will try to kill it"
                        ),
                    );
                    deletes.push(pod);
                }
                // Succeeded, the other ended phase.
                _ => {
                    ctx.object_event(
                        ds_ref,
                        EventType::Normal,
                        "SucceededDaemonPod",
                        format_args!(
                            "Found succeeded daemon pod {ns}/{pod_name} on node {node_name}, will try to delete it"
                        ),
                    );
                    deletes.push(pod);
                }
            }
        }
        let cluster: &Cluster = ctx.cluster;
        running.sort_by(|a, b| oldest_first(cluster, *a, *b));
    }

    /// `syncNodes`: deletes, and creates in slow-start batches, at most
    /// `BurstReplicas` of each. True when a create failed (retried after the work
    /// queue's back-off).
    fn sync_nodes(&mut self, ctx: &mut Ctx, id: DaemonSetId, deletes: &[PodId], creates: &[NodeId]) -> bool {
        let creates = &creates[..creates.len().min(BURST_REPLICAS)];
        let mut failed = false;
        let mut next = 0;
        crate::controllers::replicaset::ranking::slow_start_batch(creates.len(), SLOW_START_INITIAL_BATCH, |_| {
            let ok = self.create_pod(ctx, id, creates[next]);
            next += 1;
            failed |= !ok;
            ok
        });
        for &pod in deletes.iter().take(BURST_REPLICAS) {
            let Some(pod_name) = ctx.cluster.pods.get(pod).map(|p| p.name.clone()) else { continue };
            ctx.delete_pod(pod, None);
            let ds = ctx.cluster.daemonsets.get(id).expect("synced");
            let (ns, name) = (ds.namespace.clone(), ds.name.clone());
            ctx.object_event(
                ObjectRef::of("DaemonSet", &ns, &name),
                EventType::Normal,
                "SuccessfulDelete",
                ["Deleted pod: ", &*pod_name],
            );
        }
        if failed {
            // The work queue's per-key back-off, as the ReplicaSet controller's.
            enqueue(ctx, id, ctx.now.after(1_000));
        }
        failed
    }

    fn create_pod(&mut self, ctx: &mut Ctx, id: DaemonSetId, node: NodeId) -> bool {
        let pod_template = template::node_template(ctx.cluster, id, node);
        let ds = ctx.cluster.daemonsets.get(id).expect("synced");
        let request = PodRequest {
            namespace: ds.namespace.to_string(),
            name: String::new(),
            generate_name: Some(format!("{}-", ds.name)),
            labels: ds.pod_labels.clone(),
            annotations: ds.pod_annotations.clone(),
            template: pod_template,
            owner: Owner::DaemonSet(id),
        };
        let (ns, name) = (ds.namespace.clone(), ds.name.clone());
        let ds_ref = ObjectRef::of("DaemonSet", &ns, &name);
        match ctx.create_pod(request) {
            Ok(pod) => {
                ctx.cluster.daemonsets.get_mut(id).expect("synced").pods.insert(pod, node);
                let pod_name = ctx.cluster.pods.get(pod).map(|p| p.name.clone()).unwrap_or_else(|| Arc::from(""));
                ctx.object_event(ds_ref, EventType::Normal, "SuccessfulCreate", ["Created pod: ", &*pod_name]);
                true
            }
            Err(CreateError::Forbidden(message)) => {
                ctx.object_event(ds_ref, EventType::Warning, "FailedCreate", format_args!("Error creating: {message}"));
                false
            }
            Err(CreateError::AlreadyExists) => false,
        }
    }
}

/// `getNodesToDaemonPods`: the DaemonSet's pods by the node each is for, each node's
/// in the order of [`oldest_first`], leaving out pods that ended and are being deleted.
/// One list of the pods grouped by node, and where each node's group starts: a map of
/// a list per node was an allocation per node at each of a sync's three reads (a fifth
/// of a rolling update of a DaemonSet on 2,000 nodes, perf), and a search of a sorted
/// list for each node the halving's mispredicted branches (a fifth of what was left).
struct NodePods {
    /// Node `n`'s pods are `pods[starts[n]..starts[n + 1]]`.
    starts: Vec<u32>,
    pods: Vec<PodId>,
}

impl NodePods {
    /// The pods for `node`, oldest first.
    fn get(&self, node: NodeId) -> &[PodId] {
        let n = node.0 as usize;
        &self.pods[self.starts[n] as usize..self.starts[n + 1] as usize]
    }
}

/// The set's [`NodePods`] as they are now.
fn pods_by_node(cluster: &Cluster, id: DaemonSetId) -> NodePods {
    let mut pairs: Vec<(NodeId, PodId)> = Vec::new();
    if let Some(ds) = cluster.daemonsets.get(id) {
        let live =
            |pod: &PodId| cluster.pods.get(*pod).is_some_and(|p| !(p.phase.is_terminal() && p.deletion.is_some()));
        pairs.extend(ds.pods.iter().filter(|(pod, _)| live(pod)).map(|(&pod, &node)| (node, pod)));
    }
    // By node, a node's pods in the order of their ids, as the map lists them; only a
    // node with more than one is then sorted by age.
    let mut by_node = group_by_node(&pairs, cluster.nodes.len());
    for n in 0..cluster.nodes.len() {
        let (from, to) = (by_node.starts[n] as usize, by_node.starts[n + 1] as usize);
        if to - from > 1 {
            by_node.pods[from..to].sort_by(|a, b| oldest_first(cluster, *a, *b));
        }
    }
    by_node
}

/// `pairs` (in pod order) grouped by node, stably: a counting sort over the node ids,
/// below `node_count` (a comparison sort of the set's pods at each sync was a tenth of
/// a DaemonSet's run on 2,000 nodes).
fn group_by_node(pairs: &[(NodeId, PodId)], node_count: usize) -> NodePods {
    let mut starts = vec![0u32; node_count + 1];
    for (node, _) in pairs {
        starts[node.0 as usize + 1] += 1;
    }
    for k in 1..starts.len() {
        starts[k] += starts[k - 1];
    }
    let mut next = starts.clone();
    let mut pods: Vec<PodId> = pairs.iter().map(|&(_, pod)| pod).collect();
    for &(node, pod) in pairs {
        let slot = &mut next[node.0 as usize];
        pods[*slot as usize] = pod;
        *slot += 1;
    }
    NodePods { starts, pods }
}

/// `podByCreationTimestampAndPhase`: scheduled pods first, then the oldest, then by name.
fn oldest_first(cluster: &Cluster, a: PodId, b: PodId) -> std::cmp::Ordering {
    let key = |id: PodId| cluster.pods.get(id).map(|p| (p.node.is_none(), p.created.ms() / 1000, p.name.clone()));
    key(a).cmp(&key(b))
}

/// With a surge, two pods may share a node: the oldest new one and the oldest old
/// one, and the old one goes once it is not ready or the new one is available.
fn surge_prune(cluster: &Cluster, id: DaemonSetId, running: &[PodId], now: SimTime, deletes: &mut Vec<PodId>) {
    let ds = cluster.daemonsets.get(id).expect("synced");
    let (mut oldest_new, mut oldest_old) = (None, None);
    for &pod in running {
        let p = cluster.pods.get(pod).expect("running");
        let slot = if is_updated(ds, p) { &mut oldest_new } else { &mut oldest_old };
        if slot.is_none() {
            *slot = Some(pod);
        } else {
            deletes.push(pod);
        }
    }
    if let (Some(new), Some(old)) = (oldest_new, oldest_old) {
        let old_ready = cluster.pods.get(old).is_some_and(|p| p.ready);
        let new_available = cluster.pods.get(new).is_some_and(|p| available(p, ds.min_ready, now));
        if !old_ready || new_available {
            deletes.push(old);
        }
    }
}

/// `util.IsPodUpdated`: the pod's revision hash, or its template generation, is current.
fn is_updated(ds: &crate::cluster::daemonset::DaemonSet, p: &Pod) -> bool {
    use crate::cluster::daemonset::TEMPLATE_GENERATION_LABEL;
    // The generation written on the stack: an old pod was a formatted string made and
    // dropped at each of a sync's reads of it.
    p.revision_label() == Some(ds.hash.as_str())
        || p.labels
            .get(TEMPLATE_GENERATION_LABEL)
            .is_some_and(|g| g == itoa::Buffer::new().format(ds.template_generation))
}

/// `IsPodAvailable`: ready for at least `minReadySeconds`.
fn available(p: &Pod, min_ready: u64, now: SimTime) -> bool {
    p.ready_since.is_some_and(|since| min_ready == 0 || since.after(min_ready) <= now)
}

/// `nodeShouldRunDaemonPod` for each of `nodes`: (should run, should continue running).
/// Worked out once a sync: it reads only the node and the set's template, which the
/// sync does not change, and its three reads of every node (to manage, to plan the
/// update, for the status) each matched the rules again.
fn placement(cluster: &Cluster, id: DaemonSetId, nodes: &[NodeId]) -> Vec<(bool, bool)> {
    let Some(ds) = cluster.daemonsets.get(id) else { return vec![(false, false); nodes.len()] };
    nodes
        .iter()
        .map(|&node| {
            let n = cluster.node(node);
            rules::should_run(&ds.rules, &n.name, &n.labels, &n.taints)
        })
        .collect()
}

/// The rolling update's plan for this sync, over the nodes in the drawn order.
fn rolling_plan(
    cluster: &Cluster,
    id: DaemonSetId,
    nodes: &[NodeId],
    placement: &[(bool, bool)],
    by_node: &NodePods,
    now: SimTime,
) -> update::Plan<NodeId, PodId> {
    let ds = cluster.daemonsets.get(id).expect("synced");
    let mut desired = 0i64;
    // A pod not terminating, as the update sees it.
    let view = |id: PodId| {
        let p = cluster.pods.get(id).filter(|p| p.deletion.is_none())?;
        Some(update::PodView { id, updated: is_updated(ds, p), available: available(p, ds.min_ready, now) })
    };
    // Every node's pods in one list, each slot a stretch of it (a list per node was
    // 2,000 allocations a sync on 2,000 nodes).
    let (mut views, mut stretches) = (Vec::new(), Vec::new());
    for (&node, &(run, _)) in nodes.iter().zip(placement) {
        desired += i64::from(run);
        let listed = by_node.get(node);
        let from = views.len();
        views.extend(listed.iter().filter_map(|&id| view(id)));
        // Nodes with pods, and nodes that should run one.
        if run || !listed.is_empty() {
            stretches.push((node, run, from..views.len()));
        }
    }
    let slots: Vec<update::Slot<NodeId, &[update::PodView<PodId>]>> = stretches
        .into_iter()
        .map(|(node, should_run, stretch)| update::Slot { node, should_run, pods: &views[stretch] })
        .collect();
    let (surge, unavailable) = rules::update_limits(&ds.strategy, desired);
    update::rolling_update(&slots, surge, unavailable, desired)
}

/// `updateDaemonSetStatus`: per node that should run the pod, its oldest pod's
/// readiness, availability and revision; pods on other nodes are misscheduled.
fn calculate_status(
    cluster: &Cluster,
    id: DaemonSetId,
    nodes: &[NodeId],
    placement: &[(bool, bool)],
    by_node: &NodePods,
    now: SimTime,
) -> DaemonSetStatus {
    let ds = cluster.daemonsets.get(id).expect("synced");
    let mut s = DaemonSetStatus { observed_generation: ds.generation, ..Default::default() };
    for (&node, &(run, _)) in nodes.iter().zip(placement) {
        let oldest = by_node.get(node).first().and_then(|p| cluster.pods.get(*p));
        match (run, oldest) {
            (true, None) => s.desired += 1,
            (true, Some(p)) => {
                s.desired += 1;
                s.current += 1;
                if p.ready {
                    s.ready += 1;
                    if available(p, ds.min_ready, now) {
                        s.available += 1;
                    }
                }
                if is_updated(ds, p) {
                    s.updated += 1;
                }
            }
            (false, Some(_)) => s.misscheduled += 1,
            (false, None) => {}
        }
    }
    s.unavailable = s.desired - s.available;
    s
}

/// Asks for a sync at `at`; an earlier pending one stands (the work queue's rule).
fn enqueue(ctx: &mut Ctx, id: DaemonSetId, at: SimTime) {
    let Some(ds) = ctx.cluster.daemonsets.get_mut(id) else { return };
    let Some(token) = ds.sync_timer.arm_unless_due_by(&mut ds.sync_at, at) else { return };
    ctx.schedule(at.max(ctx.now), DaemonSetEvent::Sync { ds: id, token });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::slab::Id;

    /// The counting sort groups as a sort of the pairs would (pairs listed in pod order,
    /// each distinct), nodes with no pod, one and several alike.
    #[test]
    fn pairs_by_node_as_a_sort_would_order_them() {
        let mut pairs: Vec<(NodeId, PodId)> = (0..500u32)
            .map(|k| (NodeId(k.wrapping_mul(2_654_435_761) % 97), Id { index: k / 3, generation: k % 3 }))
            .collect();
        pairs.sort_unstable_by_key(|&(_, pod)| pod);
        let mut want = pairs.clone();
        want.sort_unstable();
        let got = group_by_node(&pairs, 100);
        for n in (0..100).map(NodeId) {
            let of_n: Vec<PodId> = want.iter().filter(|(m, _)| *m == n).map(|&(_, pod)| pod).collect();
            assert_eq!(got.get(n), of_n, "node {n:?}");
        }
        assert_eq!(got.pods.len(), pairs.len());
        let none = group_by_node(&[], 3);
        assert!((0..3).all(|n| none.get(NodeId(n)).is_empty()));
    }
}
