//! Services and EndpointSlices as the API server keeps them. A Service is created with
//! its ClusterIP (`pkg/registry/core/service/storage/alloc.go`: the address the user
//! gave, or the allocator's next) and node ports, and deleted with its EndpointSlices
//! (their owner reference: the garbage collector, at once). EndpointSlices are written
//! by the EndpointSlice controller through the verbs here, which record them.

use super::{Change, Ctx};
use crate::api::service::{self as api, Service as ApiService};
use crate::cluster::network::{AllocError, Ipv4};
use crate::cluster::service::{Availability, Backends, EndpointSlice, EndpointState, Service, ServiceId};
use std::sync::Arc;

impl Ctx<'_> {
    /// Creates a Service: its name must be free and the ClusterIP and node ports it asks
    /// for must be free (the API server's 422); what it leaves empty is allocated.
    /// `None` when refused (a warning says why).
    pub fn create_service(&mut self, svc: &ApiService) -> Option<ServiceId> {
        let namespace = svc.metadata.namespace().to_string();
        let name = svc.metadata.name.clone();
        if self.cluster.service_by_name.contains(&namespace, &name) {
            self.warn_once(format!("service {namespace}/{name} already exists: the second create was refused"));
            return None;
        }
        let mut api = svc.clone();
        api.metadata.namespace = Some(namespace.clone());
        let (cluster_ip, node_ports) = match self.allocate_service(&mut api) {
            Ok(got) => got,
            Err(message) => {
                self.warn_once(format!("The Service {name:?} is invalid: {message}"));
                return None;
            }
        };
        let ns = self.cluster.intern_namespace(&namespace);
        let shared_name: Arc<str> = Arc::from(name.as_str());
        self.cluster.services_created += 1;
        let service = Service {
            uid: self.cluster.services_created,
            namespace: ns.clone(),
            name: shared_name.clone(),
            selector: api.selector().map(|s| Arc::new(s.clone())),
            publish_not_ready: api.spec.publish_not_ready_addresses == Some(true),
            api: Arc::new(api),
            created: self.now,
            cluster_ip,
            node_ports,
            endpoints: EndpointState::default(),
            availability: Availability::new(self.now),
        };
        let id = self.cluster.services.insert(service);
        self.cluster.service_by_name.insert(&ns, &shared_name, id);
        self.record_service_object(id);
        self.changed(Change::ServiceCreated(id));
        Some(id)
    }

    /// `allocIPs` and the node port allocation of the registry, in the order the API
    /// server runs them; on failure nothing stays allocated. The error is the field
    /// error's text.
    fn allocate_service(&mut self, api: &mut ApiService) -> Result<(Option<Ipv4>, Vec<u32>), String> {
        let net = &mut self.cluster.net;
        let type_ = api.type_().to_string();
        let cluster_ip = if type_ == api::EXTERNAL_NAME || api.is_headless() {
            None
        } else {
            match api.spec.cluster_ip.as_deref().filter(|ip| !ip.is_empty()) {
                Some(text) => {
                    let ip = Ipv4::parse(text).ok_or_else(|| format!("spec.clusterIPs: Invalid value: []string{{{text:?}}}: failed to allocate IP {text}: the provided IP ({text}) is not in the valid range. The range of valid IPs is {}", net.config.service_cidr))?;
                    net.service_ips
                        .allocate(ip)
                        .map_err(|e| cluster_ip_error(text, e, &net.config.service_cidr.to_string()))?;
                    Some(ip)
                }
                None => {
                    let ip = net.service_ips.allocate_next(&mut net.cluster_ip_draws).map_err(|_| {
                        "Internal error occurred: failed to allocate a serviceIP: range is full".to_string()
                    })?;
                    api.spec.cluster_ip = Some(ip.to_string());
                    api.spec.cluster_ips = vec![ip.to_string()];
                    Some(ip)
                }
            }
        };
        let mut node_ports = Vec::new();
        let wants_node_ports = type_ == api::NODE_PORT
            || (type_ == api::LOAD_BALANCER && api.spec.allocate_load_balancer_node_ports != Some(false));
        let mut failure = None;
        for (i, port) in api.spec.ports.iter_mut().enumerate() {
            let asked = port.node_port.filter(|p| *p != 0);
            if !wants_node_ports && asked.is_none() {
                continue;
            }
            let got = match asked {
                Some(p) => net.node_ports.allocate(p as u32).map(|()| p as u32).map_err(|e| {
                    let why = match e {
                        AllocError::Allocated => "provided port is already allocated".to_string(),
                        _ => format!(
                            "provided port is not in the valid range. The range of valid ports is {}",
                            net.node_ports.range_text()
                        ),
                    };
                    format!("spec.ports[{i}].nodePort: Invalid value: {p}: {why}")
                }),
                None => net
                    .node_ports
                    .allocate_next(&mut net.node_port_draws)
                    .map_err(|_| "Internal error occurred: failed to allocate a nodePort: range is full".to_string()),
            };
            match got {
                Ok(p) => {
                    port.node_port = Some(p as i32);
                    node_ports.push(p);
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        if let Some(e) = failure {
            for p in node_ports {
                net.node_ports.release(p);
            }
            if let Some(ip) = cluster_ip {
                net.service_ips.release(ip);
            }
            return Err(e);
        }
        Ok((cluster_ip, node_ports))
    }

    /// The Service is deleted: its addresses are free again, its EndpointSlices go with it.
    pub fn delete_service(&mut self, id: ServiceId) {
        let now = self.now;
        let Some(service) = self.cluster.services.get_mut(id) else { return };
        service.availability.settle(now);
        let slices = std::mem::take(&mut service.endpoints.slices);
        for slice in &slices {
            self.record_slice_removed(slice.uid);
        }
        let Some(service) = self.cluster.services.remove(id) else { return };
        self.cluster.service_by_name.remove(&service.namespace, &service.name);
        if let Some(ip) = service.cluster_ip {
            self.cluster.net.service_ips.release(ip);
        }
        for p in &service.node_ports {
            self.cluster.net.node_ports.release(*p);
        }
        self.record_service_removed(service.uid);
        if service.selector.is_some() {
            self.rec.counters.services.push(super::counters::ServiceOutcome::of(&service, Some(now), now));
        }
        self.changed(Change::ServiceDeleted(id));
    }

    /// The EndpointSlice controller created or updated the Service's slice `index`.
    pub fn write_slice(&mut self, id: ServiceId, index: usize) {
        self.record_slice(id, index);
    }

    /// A new EndpointSlice's uid and name (`generateName: <service>-`, the API server's
    /// random suffix).
    pub fn new_slice_identity(&mut self, service: &str) -> (u64, Arc<str>) {
        self.cluster.slices_created += 1;
        // `getEndpointSlicePrefix`: `<service>-`, cut so that the name stays a valid
        // DNS subdomain (`maxGeneratedNameLength`: 63 - 5 characters of prefix).
        let mut prefix = format!("{service}-");
        prefix.truncate(58);
        (self.cluster.slices_created, Arc::from(self.generated_name(&prefix).as_str()))
    }

    /// The EndpointSlice controller deleted a slice.
    pub fn remove_slice(&mut self, slice: &EndpointSlice) {
        self.record_slice_removed(slice.uid);
    }

    /// The Service's backends now: a row of `services.csv` if they changed, and its
    /// availability accounted up to now.
    pub fn set_backends(&mut self, id: ServiceId, backends: Backends) {
        let now = self.now;
        let Some(service) = self.cluster.services.get_mut(id) else { return };
        if service.availability.reported && service.availability.last == backends {
            return;
        }
        service.availability.reported = true;
        service.availability.advance(now, backends);
        let service = self.cluster.services.get(id).expect("just read");
        self.rec.sink.service(&crate::trace::ServiceRow {
            time: now,
            namespace: &service.namespace,
            name: &service.name,
            desired: backends.desired,
            endpoints: backends.endpoints,
            ready: backends.ready,
            serving: backends.serving,
            terminating: backends.terminating,
        });
    }
}

/// The registry's words for a ClusterIP it cannot give (`alloc.go` `allocIPs`,
/// `ipallocator.ErrNotInRange`, `ErrAllocated`).
fn cluster_ip_error(text: &str, e: AllocError, range: &str) -> String {
    let why = match e {
        AllocError::Allocated => "provided IP is already allocated".to_string(),
        _ => format!("the provided IP ({text}) is not in the valid range. The range of valid IPs is {range}"),
    };
    format!("spec.clusterIPs: Invalid value: []string{{{text:?}}}: failed to allocate IP {text}: {why}")
}
