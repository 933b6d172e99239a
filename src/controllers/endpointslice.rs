//! The EndpointSlice controller (`pkg/controller/endpointslice/endpointslice_controller.go`,
//! with the reconciler of `staging/src/k8s.io/endpointslice/reconciler.go` and
//! `utils.go`): for every Service with a selector, the EndpointSlices that list its
//! pods' addresses with their `ready`, `serving` and `terminating` conditions.
//!
//! It watches pods (created, addressed, ready or not, terminating, ended, removed), the
//! Services, removed Nodes, and the scale of ReplicaSets and Deployments (the desired
//! backends). A change queues a sync of each Service whose selector
//! matches the pod; the sync runs once per Service after the event that queued it
//! (`--endpointslice-updates-batch-period` 0: no batching delay), and reconciles the
//! slices as upstream does: endpoints no longer wanted leave their slices, changed ones
//! are updated in place, new ones fill the slices being updated, then an unchanged slice
//! with room, then new slices of at most `maxEndpointsPerSlice`; emptied slices are
//! deleted (a create reuses a deleted slice's name); a Service that selects no pod keeps
//! one placeholder slice. Where upstream iterates Go maps (`PopAny`, `UnsortedList`),
//! podsim takes pods in order of creation and slices in order of name.
//!
//! After each sync the Service's backends go to `services.csv` ([`DesiredBackends`]
//! against the endpoints by condition) and to its availability in `summary.json`.

use crate::api::service::IntOrString;
use crate::api::shared_str::same_text;
use crate::apiserver::{Change, Ctx, Kind, Watches};
use crate::cluster::service::{Backends, Endpoint, EndpointPort, EndpointSlice, Service, ServiceId};
use crate::cluster::{Cluster, Pod, PodId};
use crate::event::EndpointSliceEvent;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The controller's own state: the Services with a selector, indexed by namespace and
/// their selector's first key and value, so that a pod's Services are found from its
/// labels without looking at every Service.
pub struct EndpointSliceController {
    max_per_slice: usize,
    index: BTreeMap<Arc<str>, ByLabel>,
    /// The Services of a pod by the addresses of its namespace and label set (the pods
    /// of a ReplicaSet share one): every change of a pod asks for them. Holds the two,
    /// so that their addresses are not reused while they are keys; emptied when a
    /// Service comes or goes.
    of_labels: BTreeMap<(usize, usize), PodServices>,
}

/// A pod's namespace and label set, held, and the Services that select them.
type PodServices = (Arc<str>, Labels, Vec<ServiceId>);

/// Services by their selector's first key, then its value.
type ByLabel = BTreeMap<String, BTreeMap<String, Vec<ServiceId>>>;
type Labels = Arc<BTreeMap<String, String>>;

/// Label sets whose Services are remembered before the memo starts again.
const LABEL_SETS: usize = 4096;

impl EndpointSliceController {
    pub const WATCHES: Watches = Watches::of(&[
        Kind::PodCreated,
        Kind::PodNetwork,
        Kind::PodReady,
        Kind::PodDeleting,
        Kind::PodPhase,
        Kind::PodRemoved,
        Kind::NodeRemoved,
        Kind::ServiceCreated,
        Kind::ServiceDeleted,
        Kind::ReplicaSetScaled,
        Kind::DeploymentUpdated,
    ]);

    pub fn new(max_per_slice: u32) -> EndpointSliceController {
        EndpointSliceController {
            max_per_slice: max_per_slice.max(1) as usize,
            index: BTreeMap::new(),
            of_labels: BTreeMap::new(),
        }
    }

    pub fn handle(&mut self, ctx: &mut Ctx, event: EndpointSliceEvent) {
        match event {
            EndpointSliceEvent::Sync { service, token } => {
                let Some(s) = ctx.cluster.services.get_mut(service) else { return };
                if !s.endpoints.sync.fire(token) {
                    return;
                }
                s.endpoints.sync_pending = false;
                self.sync(ctx, service);
            }
        }
    }

    pub fn observe(&mut self, ctx: &mut Ctx, change: &Change) {
        if self.index.is_empty() && !matches!(change, Change::ServiceCreated(_)) {
            return;
        }
        match change {
            Change::PodCreated(id) => {
                let Some(pod) = ctx.cluster.pods.get(*id) else { return };
                let (uid, services) = (pod.uid, self.pod_services(ctx.cluster, &pod.namespace, &pod.labels));
                for &s in services {
                    if let Some(service) = ctx.cluster.services.get_mut(s) {
                        service.endpoints.members.insert(uid, *id);
                    }
                    queue(ctx, s);
                }
            }
            Change::PodNetwork(id)
            | Change::PodReady { pod: id, .. }
            | Change::PodDeleting(id)
            | Change::PodPhase { pod: id, .. } => {
                let Some(pod) = ctx.cluster.pods.get(*id) else { return };
                for &s in self.pod_services(ctx.cluster, &pod.namespace, &pod.labels) {
                    queue(ctx, s);
                }
            }
            Change::PodRemoved { pod, .. } => {
                for &s in self.pod_services(ctx.cluster, &pod.namespace, &pod.labels) {
                    if let Some(service) = ctx.cluster.services.get_mut(s) {
                        service.endpoints.members.remove(&pod.uid);
                    }
                    queue(ctx, s);
                }
            }
            Change::NodeRemoved(node) => {
                let on_node: Vec<ServiceId> = ctx
                    .cluster
                    .services
                    .iter()
                    .filter(|(_, s)| {
                        s.endpoints
                            .members
                            .values()
                            .any(|p| ctx.cluster.pods.get(*p).is_some_and(|p| p.node == Some(*node)))
                    })
                    .map(|(id, _)| id)
                    .collect();
                for s in on_node {
                    queue(ctx, s);
                }
            }
            // A workload's scale is the Service's desired backends: its Services
            // account the new figure at once.
            Change::ReplicaSetScaled(id) => {
                let Some(rs) = ctx.cluster.replicasets.get(*id) else { return };
                for s in self.services_of(ctx.cluster, &rs.namespace, &rs.pod_labels) {
                    queue(ctx, s);
                }
            }
            Change::DeploymentUpdated(id) => {
                let Some(d) = ctx.cluster.deployments.get(*id) else { return };
                for s in self.services_of(ctx.cluster, &d.namespace, &d.template.metadata.labels) {
                    queue(ctx, s);
                }
            }
            Change::ServiceCreated(id) => {
                self.of_labels.clear();
                self.service_created(ctx, *id)
            }
            Change::ServiceDeleted(id) => {
                self.of_labels.clear();
                for by_key in self.index.values_mut() {
                    for by_value in by_key.values_mut() {
                        for ids in by_value.values_mut() {
                            ids.retain(|s| s != id);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// A Service with a selector: its pods are the pods of its namespace that match.
    fn service_created(&mut self, ctx: &mut Ctx, id: ServiceId) {
        let Some(service) = ctx.cluster.services.get(id) else { return };
        let Some(selector) = service.selector.clone() else { return };
        let namespace = service.namespace.clone();
        let (key, value) = selector.iter().next().expect("a selector has a key");
        self.index
            .entry(namespace.clone())
            .or_default()
            .entry(key.clone())
            .or_default()
            .entry(value.clone())
            .or_default()
            .push(id);
        let members: BTreeMap<u64, PodId> = ctx
            .cluster
            .pods
            .iter()
            .filter(|(_, p)| p.namespace == namespace && crate::labels::set_matches(&selector, &p.labels))
            .map(|(pid, p)| (p.uid, pid))
            .collect();
        ctx.cluster.services.get_mut(id).expect("read above").endpoints.members = members;
        queue(ctx, id);
    }

    /// `services_of` a pod's namespace and label set, remembered.
    fn pod_services(&mut self, cluster: &Cluster, namespace: &Arc<str>, labels: &Labels) -> &[ServiceId] {
        if self.of_labels.len() >= LABEL_SETS {
            self.of_labels.clear();
        }
        let key = (Arc::as_ptr(namespace) as *const u8 as usize, Arc::as_ptr(labels) as usize);
        let fresh = match self.of_labels.get(&key) {
            Some((ns, l, _)) => !Arc::ptr_eq(ns, namespace) || !Arc::ptr_eq(l, labels),
            None => true,
        };
        if fresh {
            let services = self.services_of(cluster, namespace, labels);
            self.of_labels.insert(key, (namespace.clone(), labels.clone(), services));
        }
        &self.of_labels[&key].2
    }

    /// The Services whose selector matches a pod of `namespace` with these labels.
    fn services_of(&self, cluster: &Cluster, namespace: &str, labels: &BTreeMap<String, String>) -> Vec<ServiceId> {
        let Some(by_key) = self.index.get(namespace) else { return Vec::new() };
        let mut out = Vec::new();
        for (k, v) in labels {
            let Some(ids) = by_key.get(k.as_str()).and_then(|by_value| by_value.get(v.as_str())) else { continue };
            for id in ids {
                if let Some(s) = cluster.services.get(*id)
                    && s.selector.as_ref().is_some_and(|sel| crate::labels::set_matches(sel, labels))
                {
                    out.push(*id);
                }
            }
        }
        out
    }

    /// `syncService`: reconciles the Service's slices with its pods, then records its
    /// backends.
    fn sync(&mut self, ctx: &mut Ctx, id: ServiceId) {
        let Some(service) = ctx.cluster.services.get(id) else { return };
        if service.selector.is_none() {
            return;
        }
        let (desired, desired_backends) = desired_endpoints(ctx.cluster, service);
        let plan = reconcile(&service.endpoints.slices, desired, self.max_per_slice);
        let service_name = service.name.clone();
        // `finalize`: creates, then updates, then deletes.
        for (ports, endpoints) in plan.creates {
            let (uid, name) = ctx.new_slice_identity(&service_name);
            let slice = EndpointSlice { uid, name, created: ctx.now, ports, endpoints };
            let service = ctx.cluster.services.get_mut(id).expect("exists");
            service.endpoints.slices.push(slice);
            let index = service.endpoints.slices.len() - 1;
            ctx.write_slice(id, index);
        }
        for (index, ports, endpoints) in plan.updates {
            let service = ctx.cluster.services.get_mut(id).expect("exists");
            let slice = &mut service.endpoints.slices[index];
            slice.ports = ports;
            slice.endpoints = endpoints;
            ctx.write_slice(id, index);
        }
        let mut deletes = plan.deletes;
        deletes.sort_unstable();
        for index in deletes.into_iter().rev() {
            let service = ctx.cluster.services.get_mut(id).expect("exists");
            let slice = service.endpoints.slices.remove(index);
            ctx.remove_slice(&slice);
        }
        let service = ctx.cluster.services.get(id).expect("exists");
        // The slices' writes change no pod nor any controller's scale.
        let backends = backends(service, desired_backends);
        ctx.set_backends(id, backends);
    }
}

/// Queues a sync of the Service (once, however many changes call for it).
fn queue(ctx: &mut Ctx, id: ServiceId) {
    let Some(service) = ctx.cluster.services.get_mut(id) else { return };
    if service.selector.is_none() || service.endpoints.sync_pending {
        return;
    }
    service.endpoints.sync_pending = true;
    let token = service.endpoints.sync.arm();
    ctx.at(0, EndpointSliceEvent::Sync { service: id, token });
}

/// How many backends the Service should have, counted as the disruption controller
/// counts expected pods (`getExpectedPodCount` in `pkg/controller/disruption/disruption.go`):
/// for each selected pod's controller, once, its scale: a ReplicaSet owned by a
/// Deployment counts the Deployment's `spec.replicas`, another ReplicaSet its own, a
/// StatefulSet its own (`getPodStatefulSet`). A pod without a controller counts one
/// while it is neither terminal nor terminating.
/// A DaemonSet has no scale, so the disruption controller cannot count its pods; for a
/// Service's availability podsim counts the nodes that should run it
/// (`desiredNumberScheduled`).
///
/// Counted pod by pod, in the walk that finds a sync's desired endpoints: a walk of its
/// own was a twelfth of a StatefulSet's rolling update
/// (`benches/scenarios/statefulset-2k.yaml`).
#[derive(Default)]
struct DesiredBackends {
    desired: u32,
    // A Service's pods have a controller or two (two ReplicaSets through a rollout):
    // lists searched, rather than sets built, after every change of a pod.
    replica_sets: Vec<crate::cluster::ReplicaSetId>,
    deployments: Vec<crate::cluster::DeploymentId>,
    daemon_sets: Vec<crate::cluster::DaemonSetId>,
    stateful_sets: Vec<crate::cluster::StatefulSetId>,
}

impl DesiredBackends {
    fn add(&mut self, cluster: &Cluster, pod: &Pod) {
        use crate::cluster::pod::Owner;
        fn first<T: PartialEq>(seen: &mut Vec<T>, id: T) -> bool {
            !seen.contains(&id) && {
                seen.push(id);
                true
            }
        }
        if let Owner::StatefulSet(id) = pod.owner
            && let Some(s) = cluster.statefulsets.get(id)
        {
            if first(&mut self.stateful_sets, id) {
                self.desired += s.replicas;
            }
            return;
        }
        if let Owner::DaemonSet(ds) = pod.owner
            && let Some(d) = cluster.daemonsets.get(ds)
        {
            if first(&mut self.daemon_sets, ds) {
                self.desired += d.status.desired;
            }
            return;
        }
        let rs = match pod.owner {
            Owner::ReplicaSet(rs) => cluster.replicasets.get(rs).map(|r| (rs, r)),
            _ => None,
        };
        match rs {
            Some((_, r)) if r.owner.is_some_and(|d| cluster.deployments.get(d).is_some()) => {
                let d = r.owner.expect("checked");
                if first(&mut self.deployments, d) {
                    self.desired += cluster.deployments.get(d).expect("checked").replicas;
                }
            }
            Some((id, r)) => {
                if first(&mut self.replica_sets, id) {
                    self.desired += r.replicas;
                }
            }
            None => self.desired += u32::from(!pod.phase.is_terminal() && pod.deletion.is_none()),
        }
    }
}

/// The Service's backends now: desired, and its slices' endpoints by condition.
fn backends(service: &Service, desired: u32) -> Backends {
    let mut b = Backends { desired, ..Default::default() };
    for e in service.endpoints.slices.iter().flat_map(|s| &s.endpoints) {
        b.endpoints += 1;
        b.ready += u32::from(e.ready);
        b.serving += u32::from(e.serving);
        b.terminating += u32::from(e.terminating);
    }
    b
}

/// The desired endpoints of a Service grouped by their ports (`reconcileByAddressType`:
/// one group of slices per distinct port mapping), pods in order of creation; and its
/// desired backends.
fn desired_endpoints<'a>(cluster: &'a Cluster, service: &'a Service) -> (ByPorts<'a>, u32) {
    // Without a named target port every pod gets the same ports: built once per sync
    // rather than once per pod (this runs after every change of any of its pods).
    let named = service.api.spec.ports.iter().any(|p| matches!(p.target_port, Some(IntOrString::Str(_))));
    // With one, a pod's ports come from its spec, so the pods of one template have the
    // same: worked out again only when the template differs from the last pod's (a
    // Deployment's pods come in runs of a ReplicaSet's), each pod going to the list of
    // its ports in turn. Per pod, the ports (three strings made) and the search for
    // their list were 5% of a rolling update of 10,000 pods behind a Service.
    let mut groups: Vec<(Vec<EndpointPort>, Vec<Wanted>)> = Vec::new();
    let mut last: Option<(&Arc<crate::cluster::template::PodTemplate>, usize)> = None;
    let mut shared: Vec<Wanted> = Vec::with_capacity(service.endpoints.members.len());
    let mut backends = DesiredBackends::default();
    for id in service.endpoints.members.values() {
        let Some(pod) = cluster.pods.get(*id) else { continue };
        backends.add(cluster, pod);
        if !should_be_in_endpoints(pod) {
            continue;
        }
        let Some(node) = pod.node else { continue };
        let node = cluster.node(node);
        // A pod whose Node is gone is left out (the service is requeued upstream)
        // unless its addresses are published regardless.
        if !node.present && !service.publish_not_ready {
            continue;
        }
        let Some(endpoint) = Wanted::of(pod, *id, node, service) else { continue };
        if !named {
            shared.push(endpoint);
            continue;
        }
        let group = match last {
            Some((template, group)) if Arc::ptr_eq(template, &pod.template) => group,
            _ => {
                let ports = endpoint_ports(service, Some(pod));
                let group = groups.iter().position(|(p, _)| *p == ports).unwrap_or_else(|| {
                    groups.push((ports, Vec::new()));
                    groups.len() - 1
                });
                last = Some((&pod.template, group));
                group
            }
        };
        groups[group].1.push(endpoint);
    }
    let mut out: ByPorts = groups.into_iter().collect();
    if !shared.is_empty() {
        out.insert(endpoint_ports(service, None), shared);
    }
    (out, backends.desired)
}

/// Desired endpoints by their ports.
type ByPorts<'a> = BTreeMap<Vec<EndpointPort>, Vec<Wanted<'a>>>;

/// `ShouldPodBeInEndpoints(pod, includeTerminating=true)` (`util/controller_utils.go`):
/// not terminal, and it has an address.
pub fn should_be_in_endpoints(pod: &Pod) -> bool {
    !pod.phase.is_terminal() && pod.ip.is_some()
}

/// What the reconciler compares a slice's endpoints with, and builds new ones from.
pub trait DesiredEndpoint {
    /// The same endpoint (`EndpointSet`'s `hashEndpoint`): addresses, hostname, pod.
    fn same(&self, e: &Endpoint) -> bool;
    /// The address, one of what [`DesiredEndpoint::same`] compares.
    fn address(&self) -> crate::cluster::network::Ipv4;
    /// Equal in every field: the slice holding `e` needs no update for it.
    fn equals(&self, e: &Endpoint) -> bool;
    fn endpoint(&self) -> Endpoint;
}

impl DesiredEndpoint for Endpoint {
    fn same(&self, e: &Endpoint) -> bool {
        Endpoint::same(self, e)
    }

    fn address(&self) -> crate::cluster::network::Ipv4 {
        self.ip
    }

    fn equals(&self, e: &Endpoint) -> bool {
        self == e
    }

    fn endpoint(&self) -> Endpoint {
        self.clone()
    }
}

/// A pod's endpoint as `podToEndpoint` (`utils.go`) makes it, read in place from the pod
/// and its node: most syncs change no endpoint (a pod created without an address yet,
/// running but not ready), so an [`Endpoint`] is built only for what goes into a slice.
#[derive(Clone, Copy)]
pub struct Wanted<'a> {
    pod: &'a Pod,
    /// The pod's uid, read with the rest here: the search for each existing endpoint
    /// compares it, and reading it from the pod then missed the cache (a twelfth of a
    /// StatefulSet's rolling update).
    uid: u64,
    id: PodId,
    node: &'a crate::cluster::Node,
    ip: crate::cluster::network::Ipv4,
    service: &'a Service,
    ready: bool,
    serving: bool,
    terminating: bool,
}

impl<'a> Wanted<'a> {
    /// Serving follows the pod's Ready condition, terminating its deletion timestamp;
    /// ready is `publishNotReadyAddresses || (serving && !terminating)`. `None` without
    /// an address.
    pub fn of(pod: &'a Pod, id: PodId, node: &'a crate::cluster::Node, service: &'a Service) -> Option<Wanted<'a>> {
        let (ready, serving, terminating) = conditions(pod.ready, pod.deletion.is_some(), service.publish_not_ready);
        Some(Wanted { pod, uid: pod.uid, id, node, ip: pod.ip?, service, ready, serving, terminating })
    }

    /// `ShouldSetHostname`: the pod's hostname when its subdomain names the Service (in
    /// its namespace). Worked out only when an endpoint is built or told apart from one
    /// of another pod: comparing the names for each pod on every sync was an eighth of a
    /// StatefulSet's rolling update (perf, `benches/scenarios/statefulset-2k.yaml`).
    fn hostname(&self) -> Option<&'a str> {
        let spec = &self.pod.template.spec;
        match (&spec.hostname, &spec.subdomain) {
            (Some(h), Some(sub))
                if !h.is_empty() && **sub == *self.service.name && self.pod.namespace == self.service.namespace =>
            {
                Some(h.as_str())
            }
            _ => None,
        }
    }

    /// The hostname and pod name `hashEndpoint` tells endpoints apart by, beside the
    /// address (names compared as `Arc`s: an endpoint made from this pod shares its name).
    fn same_names(&self, e: &Endpoint) -> bool {
        e.hostname.as_deref() == self.hostname() && e.pod_name == self.pod.name
    }
}

impl DesiredEndpoint for Wanted<'_> {
    fn same(&self, e: &Endpoint) -> bool {
        // An endpoint made from this very pod (its uid) for this Service has the pod's
        // name and the hostname above: both follow from the pod's name and spec and the
        // Service's name, none of which changes, so only the address is compared (most
        // syncs change nothing). An endpoint of another pod is compared field by field.
        // Checked in every test and debug run: the shortcut gives what the fields give.
        debug_assert!(
            e.pod_uid != self.uid || self.same_names(e),
            "an endpoint of pod uid {} with another name or hostname",
            e.pod_uid
        );
        e.ip == self.ip && (e.pod_uid == self.uid || self.same_names(e))
    }

    fn address(&self) -> crate::cluster::network::Ipv4 {
        self.ip
    }

    fn equals(&self, e: &Endpoint) -> bool {
        self.same(e)
            && (e.ready, e.serving, e.terminating) == (self.ready, self.serving, self.terminating)
            // An endpoint takes its node's name and zone from the Node: the same `Arc`s
            // unless the pod's node changed (`same_text`: 4% of a StatefulSet's rolling
            // update behind its Service was comparing their bytes).
            && same_text(&e.node, &self.node.name)
            // `v1.LabelTopologyZone`, copied to each endpoint's `zone`.
            && match (&e.zone, &self.node.zone) {
                (Some(a), Some(b)) => same_text(a, b),
                (None, None) => true,
                _ => false,
            }
            && e.pod == self.id
            && e.pod_uid == self.uid
    }

    fn endpoint(&self) -> Endpoint {
        Endpoint {
            ip: self.ip,
            ready: self.ready,
            serving: self.serving,
            terminating: self.terminating,
            hostname: self.hostname().map(Arc::from),
            node: self.node.name.clone(),
            zone: self.node.zone.clone(),
            pod: self.id,
            pod_uid: self.uid,
            pod_name: self.pod.name.clone(),
        }
    }
}

/// An endpoint's `(ready, serving, terminating)` conditions (`podToEndpoint`): serving
/// is the pod's Ready condition, terminating its deletion timestamp, ready
/// `publishNotReadyAddresses || (serving && !terminating)`.
pub fn conditions(pod_ready: bool, pod_terminating: bool, publish_not_ready: bool) -> (bool, bool, bool) {
    let serving = pod_ready;
    (publish_not_ready || (serving && !pod_terminating), serving, pod_terminating)
}

/// `getEndpointPorts`: each Service port with the pod's port number (`FindPort`: a
/// named target port is looked up among the containers' ports of its protocol; a port
/// the pod does not have is left out). A headless Service may have no ports. `pod` may
/// be `None` when no target port is named (the ports are then the same for every pod).
fn endpoint_ports(service: &Service, pod: Option<&Pod>) -> Vec<EndpointPort> {
    let mut out = Vec::new();
    for sp in &service.api.spec.ports {
        let protocol = sp.protocol.clone().unwrap_or_else(|| "TCP".into());
        let port = match &sp.target_port {
            Some(IntOrString::Int(n)) => Some(*n),
            None => Some(sp.port),
            Some(IntOrString::Str(name)) => pod.and_then(|pod| {
                pod.template
                    .spec
                    .containers
                    .iter()
                    .flat_map(|c| &c.ports)
                    .find(|p| {
                        p.name.as_deref() == Some(name.as_str()) && p.protocol.as_deref().unwrap_or("TCP") == protocol
                    })
                    .map(|p| p.container_port)
            }),
        };
        if port.is_none() {
            continue;
        }
        out.push(EndpointPort {
            name: sp.name.clone().unwrap_or_default(),
            port,
            protocol,
            app_protocol: sp.app_protocol.clone(),
        });
    }
    out
}

/// What a sync changes: slices to create (ports and endpoints), to update (index in the
/// Service's slices, ports and endpoints), to delete (indexes).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub creates: Vec<(Vec<EndpointPort>, Vec<Endpoint>)>,
    pub updates: Vec<(usize, Vec<EndpointPort>, Vec<Endpoint>)>,
    pub deletes: Vec<usize>,
}

/// `reconcileByAddressType` for the one address type (IPv4), with
/// `reconcileByPortMapping` per port mapping, the placeholder rule and `finalize`'s
/// reuse of deleted slices for creates.
pub fn reconcile<D: DesiredEndpoint>(
    existing: &[EndpointSlice],
    desired: BTreeMap<Vec<EndpointPort>, Vec<D>>,
    max: usize,
) -> Plan {
    reconcile_searching(existing, desired, max, SEARCHED_UP_TO)
}

/// [`reconcile`], searching for matches up to `searched_up_to` desired endpoints (the
/// tests compare both ways of matching).
fn reconcile_searching<D: DesiredEndpoint>(
    existing: &[EndpointSlice],
    desired: BTreeMap<Vec<EndpointPort>, Vec<D>>,
    max: usize,
    searched_up_to: usize,
) -> Plan {
    // Existing slices by port mapping, each group in order of name.
    let mut order: Vec<usize> = (0..existing.len()).collect();
    order.sort_by(|a, b| existing[*a].name.cmp(&existing[*b].name));
    let mut by_ports: BTreeMap<&[EndpointPort], Vec<usize>> = BTreeMap::new();
    for i in order {
        by_ports.entry(existing[i].ports.as_slice()).or_default().push(i);
    }
    // Port mappings no longer desired go (after the deletes of the mappings reconciled).
    let stale: Vec<usize> = by_ports
        .iter()
        .filter(|(ports, _)| !desired.contains_key(**ports))
        .flat_map(|(_, g)| g.iter().copied())
        .collect();
    let mut plan = Plan::default();
    let mut deletes: Vec<usize> = Vec::new();
    for (ports, endpoints) in desired {
        let group = by_ports.get(ports.as_slice()).map_or(&[][..], Vec::as_slice);
        let matching = Matching { max, searched_up_to };
        by_port_mapping(existing, group, &ports, endpoints, matching, &mut plan, &mut deletes);
    }
    deletes.extend(stale);
    // A Service with nothing to show keeps one placeholder slice (no ports, no endpoints).
    if existing.len() == deletes.len() && plan.creates.is_empty() {
        let placeholder = |i: &usize| existing[*i].ports.is_empty() && existing[*i].endpoints.is_empty();
        if deletes.len() == 1 && placeholder(&deletes[0]) {
            deletes.clear();
        } else {
            plan.creates.push((Vec::new(), Vec::new()));
        }
    }
    // `finalize`: a create takes over a slice that would be deleted (from the last create).
    while !plan.creates.is_empty() && !deletes.is_empty() {
        let (ports, endpoints) = plan.creates.pop().expect("not empty");
        let index = deletes.remove(0);
        plan.updates.push((index, ports, endpoints));
    }
    plan.deletes = deletes;
    plan
}

/// Up to this many desired endpoints, an existing endpoint's match is searched for.
const SEARCHED_UP_TO: usize = 64;

/// The desired endpoints by address, each address's in increasing order, so that the
/// first not taken yet of an identity is found among the few of its address (one,
/// unless a pod reused an address). The slices are visited by name and list their pods
/// in no order the desired list keeps, so the search was a walk of most of the desired
/// list per endpoint: a rolling update of a Deployment of 10,000 pods behind a Service
/// spent nine tenths of its run in it. The index is made at every sync of a Service with
/// many pods; as a search tree of the addresses, its inserts, searches and teardown
/// were a fifth of a StatefulSet's rolling update (perf,
/// `benches/scenarios/statefulset-2k.yaml`), and as a sorted list searched by halves,
/// the sort and the searches were still a sixth. Pods' addresses come from a few nodes'
/// ranges, close together: the index is then a table by address (see [`Lookup`]).
struct SameIndex<'a, D> {
    desired: &'a [D],
    lookup: Lookup,
}

/// How [`SameIndex`] finds an address's desired endpoints.
enum Lookup {
    /// For the addresses from `low` on, one more than the position in `desired` of the
    /// address's first endpoint (0: none), and for each position the same of the next
    /// endpoint of its address: made in one pass, read in one step.
    Table { low: u32, first: Vec<u32>, next: Vec<u32> },
    /// Addresses spread wider than [`TABLE_SPAN`] allows: the address above the
    /// position, one integer per endpoint, sorted and searched by halves.
    Sorted(Vec<u64>),
}

/// The widest span of addresses the table covers, per desired endpoint: at four bytes an
/// address, the table costs less than a sort when the addresses are this close together
/// (the 2,000 pods of 40 nodes span about 10,000 addresses).
const TABLE_SPAN: u64 = 16;

impl<'a, D: DesiredEndpoint> SameIndex<'a, D> {
    fn of(desired: &'a [D]) -> SameIndex<'a, D> {
        let addresses = desired.iter().map(|d| d.address().0);
        let (low, high) = addresses.clone().fold((u32::MAX, 0), |(lo, hi), a| (lo.min(a), hi.max(a)));
        let span = u64::from(high.saturating_sub(low)) + 1;
        let lookup = if span <= TABLE_SPAN * desired.len() as u64 && desired.len() < u32::MAX as usize {
            let (mut first, mut next) = (vec![0u32; span as usize], vec![0u32; desired.len()]);
            // From the last, so that each address's chain starts at its first.
            for (k, a) in addresses.enumerate().rev() {
                let slot = &mut first[(a - low) as usize];
                next[k] = *slot;
                *slot = k as u32 + 1;
            }
            Lookup::Table { low, first, next }
        } else {
            let mut by_address: Vec<u64> = desired.iter().enumerate().map(|(k, d)| entry(d.address(), k)).collect();
            // Each entry is distinct (its position), so the order is total.
            by_address.sort_unstable();
            Lookup::Sorted(by_address)
        };
        SameIndex { desired, lookup }
    }

    /// The first desired endpoint the same as `e` that is not `taken` yet.
    fn find(&self, e: &Endpoint, taken: &[bool]) -> Option<usize> {
        let free_and_same = |k: usize| !taken[k] && self.desired[k].same(e);
        match &self.lookup {
            Lookup::Table { low, first, next } => {
                let mut at = *e.ip.0.checked_sub(*low).and_then(|i| first.get(i as usize))?;
                while at != 0 {
                    let k = at as usize - 1;
                    if free_and_same(k) {
                        return Some(k);
                    }
                    at = next[k];
                }
                None
            }
            Lookup::Sorted(by_address) => {
                let first = by_address.partition_point(|&x| x < entry(e.ip, 0));
                by_address[first..]
                    .iter()
                    .take_while(|&&x| x >> 32 == u64::from(e.ip.0))
                    .map(|&x| (x & u64::from(u32::MAX)) as usize)
                    .find(|&k| free_and_same(k))
            }
        }
    }
}

/// An entry of [`Lookup::Sorted`]: `address` above `position` (a list of more than
/// 2^32 endpoints is not a thing).
fn entry(address: crate::cluster::network::Ipv4, position: usize) -> u64 {
    u64::from(address.0) << 32 | position as u64
}

/// The slices' size limit, and up to how many desired endpoints a match is searched for.
#[derive(Clone, Copy)]
struct Matching {
    max: usize,
    searched_up_to: usize,
}

/// `reconcileByPortMapping`.
fn by_port_mapping<D: DesiredEndpoint>(
    existing: &[EndpointSlice],
    group: &[usize],
    ports: &[EndpointPort],
    desired: Vec<D>,
    Matching { max, searched_up_to }: Matching,
    plan: &mut Plan,
    deletes: &mut Vec<usize>,
) {
    // 1. Existing slices: drop what is no longer desired, update what changed. Each
    // existing endpoint takes the first desired one that is the same: for a few, a
    // search after the taken prefix; for many, the addresses' index.
    let mut unchanged: BTreeSet<usize> = BTreeSet::new();
    let mut updated: BTreeMap<usize, Vec<Endpoint>> = BTreeMap::new();
    let mut taken = vec![false; desired.len()];
    let mut first = 0;
    let mut kept: Vec<usize> = Vec::new();
    let index = (desired.len() > searched_up_to).then(|| SameIndex::of(&desired));
    for &i in group {
        kept.clear();
        let mut changed = false;
        for e in &existing[i].endpoints {
            let found = match &index {
                Some(index) => index.find(e, &taken),
                None => (first..desired.len()).find(|&k| !taken[k] && desired[k].same(e)),
            };
            let Some(k) = found else { continue };
            taken[k] = true;
            while taken.get(first) == Some(&true) {
                first += 1;
            }
            changed |= !desired[k].equals(e);
            kept.push(k);
        }
        if changed || kept.len() != existing[i].endpoints.len() {
            if kept.is_empty() {
                deletes.push(i);
            } else {
                updated.insert(i, kept.iter().map(|k| desired[*k].endpoint()).collect());
            }
        } else {
            unchanged.insert(i);
        }
    }
    let mut desired: std::collections::VecDeque<&D> =
        desired.iter().zip(&taken).filter(|(_, taken)| !**taken).map(|(d, _)| d).collect();
    // 2. Fill the slices being updated anyway, the fullest first.
    if !desired.is_empty() && !updated.is_empty() {
        let mut fill: Vec<usize> = group.iter().copied().filter(|i| updated.contains_key(i)).collect();
        fill.sort_by_key(|i| std::cmp::Reverse(updated[i].len()));
        for i in fill {
            let slice = updated.get_mut(&i).expect("chosen from it");
            let take = desired.len().min(max.saturating_sub(slice.len()));
            slice.extend(desired.drain(..take).map(D::endpoint));
        }
    }
    // 3. What is left: into the unchanged slice that it fills best, else new slices.
    while !desired.is_empty() {
        let mut target = None;
        if desired.len() < max && !unchanged.is_empty() {
            target = slice_to_fill(existing, group, &unchanged, desired.len(), max);
        }
        match target {
            Some(i) => {
                unchanged.remove(&i);
                let mut slice = existing[i].endpoints.clone();
                let take = desired.len().min(max.saturating_sub(slice.len()));
                slice.extend(desired.drain(..take).map(D::endpoint));
                updated.insert(i, slice);
            }
            None => {
                let take = desired.len().min(max);
                let endpoints: Vec<Endpoint> = desired.drain(..take).map(D::endpoint).collect();
                plan.creates.push((ports.to_vec(), endpoints));
            }
        }
    }
    for (i, endpoints) in updated {
        plan.updates.push((i, ports.to_vec(), endpoints));
    }
}

/// `getSliceToFill`: the unchanged slice that would be closest to full after taking
/// `n` endpoints (the first such one, in order of name).
fn slice_to_fill(
    existing: &[EndpointSlice],
    group: &[usize],
    unchanged: &BTreeSet<usize>,
    n: usize,
    max: usize,
) -> Option<usize> {
    let mut closest = max;
    let mut chosen = None;
    for &i in group.iter().filter(|i| unchanged.contains(i)) {
        let total = n + existing[i].endpoints.len();
        if total <= max && max - total < closest {
            closest = max - total;
            chosen = Some(i);
            if closest == 0 {
                break;
            }
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `TestPodToEndpoint` (`staging/src/k8s.io/endpointslice/utils_test.go`), the
    /// conditions of each case, from `testdata/kubernetes/services.json`.
    #[test]
    fn conditions_follow_the_upstream_cases() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/kubernetes/services.json")).unwrap();
        let vectors: serde_json::Value = serde_json::from_str(&text).unwrap();
        let cases = vectors["pod_to_endpoint"].as_array().unwrap();
        assert_eq!(cases.len(), 9);
        for case in cases {
            let b = |v: &serde_json::Value| v.as_bool().unwrap();
            let got = conditions(
                b(&case["podReady"]),
                b(&case["podTerminating"]),
                b(&case["service.publishNotReadyAddresses"]),
            );
            let want = &case["expectedConditions"];
            assert_eq!(got, (b(&want["ready"]), b(&want["serving"]), b(&want["terminating"])), "{}", case["name"]);
        }
    }

    fn endpoint(n: u32, ready: bool) -> Endpoint {
        Endpoint {
            ip: crate::cluster::network::Ipv4(0x0a00_0000 + n),
            ready,
            serving: ready,
            terminating: false,
            hostname: None,
            node: Arc::from("n"),
            zone: None,
            pod: PodId { index: n, generation: 0 },
            pod_uid: u64::from(n),
            pod_name: Arc::from(format!("p{n}").as_str()),
        }
    }

    fn slice(name: &str, endpoints: Vec<Endpoint>) -> EndpointSlice {
        EndpointSlice {
            uid: 0,
            name: Arc::from(name),
            created: crate::engine::SimTime::from_ms(0),
            ports: ports(),
            endpoints,
        }
    }

    fn ports() -> Vec<EndpointPort> {
        vec![EndpointPort { name: String::new(), port: Some(80), protocol: "TCP".into(), app_protocol: None }]
    }

    #[test]
    fn reconcile_places_endpoints_as_upstream() {
        // A new Service: one slice of at most `max`, then more.
        let desired: BTreeMap<_, _> = [(ports(), (0..5).map(|n| endpoint(n, false)).collect::<Vec<_>>())].into();
        let plan = reconcile(&[], desired, 3);
        assert_eq!(plan.creates.iter().map(|c| c.1.len()).collect::<Vec<_>>(), [3, 2]);
        // Nothing selected: one placeholder slice, kept once it exists.
        let plan = reconcile(&[], BTreeMap::<_, Vec<Endpoint>>::new(), 100);
        assert_eq!(plan.creates, [(Vec::new(), Vec::new())]);
        let placeholder = EndpointSlice { ports: Vec::new(), ..slice("s-a", Vec::new()) };
        assert_eq!(
            reconcile(std::slice::from_ref(&placeholder), BTreeMap::<_, Vec<Endpoint>>::new(), 100),
            Plan::default()
        );
        // The first endpoints replace the placeholder: its deletion becomes an update.
        let desired: BTreeMap<_, _> = [(ports(), vec![endpoint(1, false)])].into();
        let plan = reconcile(&[placeholder], desired, 100);
        assert_eq!((plan.creates.len(), plan.updates.len(), plan.deletes.len()), (0, 1, 0));
        // A pod turning ready updates its slice in place; a new pod goes into that
        // slice, being updated anyway.
        let existing =
            [slice("s-a", vec![endpoint(1, false), endpoint(2, false)]), slice("s-b", vec![endpoint(3, true)])];
        let desired: BTreeMap<_, _> =
            [(ports(), vec![endpoint(1, true), endpoint(2, false), endpoint(3, true), endpoint(4, false)])].into();
        let plan = reconcile(&existing, desired, 3);
        assert!(plan.creates.is_empty() && plan.deletes.is_empty());
        assert_eq!(plan.updates.len(), 1);
        assert_eq!(plan.updates[0].0, 0);
        assert_eq!(plan.updates[0].2.iter().map(|e| e.pod_uid).collect::<Vec<_>>(), [1, 2, 4]);
        // An emptied slice is deleted.
        let desired: BTreeMap<_, _> = [(ports(), vec![endpoint(1, false), endpoint(2, false)])].into();
        let plan = reconcile(&existing, desired, 3);
        assert_eq!(plan.deletes, [1]);
    }

    /// Matching the existing endpoints through the addresses' index plans exactly what
    /// the search plans: slices listing their pods out of the desired order, pods gone,
    /// new, turned ready, one endpoint desired twice, and an address reused by another
    /// pod ahead of its first one; with addresses close together (the index a table by
    /// address) and spread wide (a sorted list).
    #[test]
    fn the_address_index_matches_as_the_search_does() {
        let mut rng = crate::engine::Streams::new(11).stream(crate::engine::Stream::Placement);
        for round in 0..80u32 {
            // Every other round, the pods' addresses 100,003 apart.
            let spread = if round % 2 == 0 { 1 } else { 100_003 };
            let endpoint = |p: u32, ready: bool| Endpoint {
                ip: crate::cluster::network::Ipv4(0x0a00_0000 + p * spread),
                ..endpoint(p, ready)
            };
            let round = round / 2;
            let n = 20 + round * 7;
            // Existing slices of up to 10, holding most pods in a shuffled order.
            let mut listed: Vec<u32> = (0..n).filter(|_| rng.below(5) != 0).collect();
            for k in (1..listed.len()).rev() {
                listed.swap(k, rng.below(k as u64 + 1) as usize);
            }
            let existing: Vec<EndpointSlice> = listed
                .chunks(10)
                .enumerate()
                .map(|(c, pods)| slice(&format!("s-{c:03}"), pods.iter().map(|p| endpoint(*p, false)).collect()))
                .collect();
            let mut wanted: Vec<Endpoint> = Vec::new();
            for p in 0..n + 5 {
                if rng.below(6) != 0 {
                    wanted.push(endpoint(p, rng.below(3) == 0));
                }
            }
            wanted.push(endpoint(n / 2, true));
            wanted.insert(0, Endpoint { pod_name: Arc::from("reused"), ..endpoint(n / 3, false) });
            let table = matches!(SameIndex::of(&wanted).lookup, Lookup::Table { .. });
            assert_eq!(table, spread == 1, "the lookup the addresses call for, round {round}");
            let desired: BTreeMap<_, _> = [(ports(), wanted)].into();
            let searched = reconcile_searching(&existing, desired.clone(), 10, usize::MAX);
            let indexed = reconcile_searching(&existing, desired, 10, 0);
            assert_eq!(indexed, searched, "round {round}");
        }
    }
}
