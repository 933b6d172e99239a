//! Services and EndpointSlices: the API objects at T, their `kubectl get` rows
//! (`printService`, `makePortString`, `getServiceExternalIP`, `printEndpointSlice`,
//! `formatDiscoveryPorts`, `formatDiscoveryEndpoints` in
//! `pkg/printers/internalversion/printers.go`), and the DNS names cluster DNS (CoreDNS'
//! `kubernetes` plugin) answers for them.

use super::model::{Meta, OwnerRef};
use super::replay::{PodState, ServiceState, SliceState, State, Uids};
use crate::api::service::{self as api, Service as ApiService};
use crate::kubectl::duration::translate_timestamp_since;
use crate::labels::format_labels;
use std::collections::BTreeMap;
use std::sync::Arc;

pub const SERVICE_HEADERS: [&str; 6] = ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"];
pub const SERVICE_WIDE_HEADERS: [&str; 1] = ["SELECTOR"];
pub const SLICE_HEADERS: [&str; 5] = ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"];

/// kubeadm's `DefaultServiceDNSDomain`.
pub const CLUSTER_DOMAIN: &str = "cluster.local";

/// `discovery.LabelManagedBy` and the controller's name (`endpointslice-controller.k8s.io`).
const MANAGED_BY: (&str, &str) = ("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io");
/// `discovery.LabelServiceName`.
const SERVICE_NAME: &str = "kubernetes.io/service-name";
/// `v1.IsHeadlessService` label on the slices of headless Services.
const HEADLESS: &str = "service.kubernetes.io/headless";

/// A Service as the API server would return it.
#[derive(Clone, Debug)]
pub struct ServiceView {
    pub meta: Meta,
    pub api: Arc<ApiService>,
}

/// An EndpointSlice as the API server would return it.
#[derive(Clone, Debug)]
pub struct SliceView {
    pub meta: Meta,
    pub slice: SliceState,
}

pub fn service_to_api(uids: Uids, s: &ServiceState) -> ServiceView {
    let m = &s.api.metadata;
    ServiceView {
        meta: Meta {
            name: m.name.clone(),
            namespace: m.namespace().to_string(),
            uid: uids.service(s.uid),
            labels: m.labels.clone(),
            annotations: m.annotations.clone(),
            created: Some(s.created),
            ..Default::default()
        },
        api: s.api.clone(),
    }
}

/// The slice's labels (`setEndpointSliceLabels`: the Service's own labels, then the
/// service name, the controller, and the headless mark), its generated name's prefix,
/// its owner, and the trigger time annotation (`endpoints.kubernetes.io/last-change-trigger-time`).
pub fn slice_to_api(state: &State, s: &SliceState, trigger: String) -> SliceView {
    let service = state.services.get(&s.service_uid);
    let mut labels: BTreeMap<String, String> = service.map(|svc| svc.api.metadata.labels.clone()).unwrap_or_default();
    labels.remove(HEADLESS);
    labels.insert(SERVICE_NAME.into(), s.service.clone());
    labels.insert(MANAGED_BY.0.into(), MANAGED_BY.1.into());
    if service.is_some_and(|svc| svc.api.is_headless()) {
        labels.insert(HEADLESS.into(), String::new());
    }
    let mut annotations = BTreeMap::new();
    annotations.insert("endpoints.kubernetes.io/last-change-trigger-time".to_string(), trigger);
    SliceView {
        meta: Meta {
            name: s.name.clone(),
            namespace: s.namespace.to_string(),
            uid: state.uids.slice(s.uid),
            generate_name: Some(format!("{}-", s.service)),
            labels,
            annotations,
            created: Some(s.created),
            owner: Some(OwnerRef {
                api_version: "v1".into(),
                kind: "Service".into(),
                name: s.service.clone(),
                uid: state.uids.service(s.service_uid),
            }),
            ..Default::default()
        },
        slice: s.clone(),
    }
}

/// `printService`: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE (+ SELECTOR).
pub fn service_row(v: &ServiceView, now: i64, wide: bool) -> Vec<String> {
    let spec = &v.api.spec;
    let cluster_ip = spec.cluster_ips.first().cloned().unwrap_or_else(|| "<none>".into());
    let ports: Vec<String> = spec
        .ports
        .iter()
        .map(|p| {
            let protocol = p.protocol.as_deref().unwrap_or("TCP");
            match p.node_port.filter(|n| *n > 0) {
                Some(n) => format!("{}:{n}/{protocol}", p.port),
                None => format!("{}/{protocol}", p.port),
            }
        })
        .collect();
    let ports = if ports.is_empty() { "<none>".to_string() } else { ports.join(",") };
    let mut cells = vec![
        v.meta.name.clone(),
        v.api.type_().to_string(),
        cluster_ip,
        external_ip(&v.api),
        ports,
        translate_timestamp_since(now, v.meta.created),
    ];
    if wide {
        cells.push(format_labels(spec.selector.as_ref().unwrap_or(&BTreeMap::new())));
    }
    cells
}

/// `getServiceExternalIP`: no load balancer is provisioned in podsim, so a
/// LoadBalancer Service stays `<pending>` unless it lists external IPs.
fn external_ip(svc: &ApiService) -> String {
    let external = || (!svc.spec.external_ips.is_empty()).then(|| svc.spec.external_ips.join(","));
    match svc.type_() {
        api::CLUSTER_IP | api::NODE_PORT => external().unwrap_or_else(|| "<none>".into()),
        api::LOAD_BALANCER => external().unwrap_or_else(|| "<pending>".into()),
        api::EXTERNAL_NAME => svc.spec.external_name.clone().unwrap_or_default(),
        _ => "<unknown>".into(),
    }
}

/// `listWithMoreString`: at most three, then `+ N more...`; `<unset>` for none.
fn at_most_three(items: &[String]) -> String {
    if items.len() > 3 {
        return format!("{} + {} more...", items[..3].join(","), items.len() - 3);
    }
    if items.is_empty() { "<unset>".into() } else { items.join(",") }
}

/// `printEndpointSlice`: NAME ADDRESSTYPE PORTS ENDPOINTS AGE.
pub fn slice_row(v: &SliceView, now: i64) -> Vec<String> {
    let ports: Vec<String> = v
        .slice
        .ports
        .iter()
        .map(|p| match (p.port, p.name.is_empty()) {
            (Some(n), _) => n.to_string(),
            (None, false) => p.name.clone(),
            (None, true) => "*".into(),
        })
        .collect();
    let addresses: Vec<String> = v.slice.endpoints.iter().map(|e| e.ip.clone()).collect();
    vec![
        v.meta.name.clone(),
        "IPv4".into(),
        at_most_three(&ports),
        at_most_three(&addresses),
        translate_timestamp_since(now, v.meta.created),
    ]
}

/// The Service's slices at T, in the API server's list order (by name).
pub fn slices_of<'a>(state: &'a State, svc: &ServiceState) -> Vec<&'a SliceState> {
    let mut list: Vec<&SliceState> = state.slices.values().filter(|s| s.service_uid == svc.uid).collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    list
}

/// The names cluster DNS answers for a Service, with their answers: its A record (the
/// ClusterIP; for a headless Service the addresses of its ready endpoints), the
/// records of its endpoints that carry a hostname, a CNAME for an ExternalName Service.
pub fn service_dns(svc: &ApiService, slices: &[&SliceState]) -> Vec<String> {
    let name = format!("{}.{}.svc.{CLUSTER_DOMAIN}", svc.metadata.name, svc.metadata.namespace());
    if svc.type_() == api::EXTERNAL_NAME {
        return vec![format!("{name} -> CNAME {}", svc.spec.external_name.as_deref().unwrap_or(""))];
    }
    if !svc.is_headless() {
        let ip = svc.spec.cluster_ips.first().map_or("<none>", String::as_str);
        return vec![format!("{name} -> {ip}")];
    }
    let ready: Vec<_> = slices.iter().flat_map(|s| &s.endpoints).filter(|e| e.ready).collect();
    let ips: Vec<&str> = ready.iter().map(|e| e.ip.as_str()).collect();
    let mut out = vec![format!("{name} -> {}", if ips.is_empty() { "<none>".into() } else { ips.join(",") })];
    for e in ready {
        if let Some(h) = &e.hostname {
            out.push(format!("{h}.{name} -> {}", e.ip));
        }
    }
    out
}

/// The names cluster DNS answers for a pod: its A record (`<a-b-c-d>.<ns>.pod`), and
/// `<hostname>.<subdomain>.<ns>.svc` when a headless Service named as its subdomain
/// lists it with its hostname.
pub fn pod_dns(state: &State, pod: &PodState) -> Vec<String> {
    let Some(ip) = pod.ip.as_deref() else { return Vec::new() };
    let mut out = vec![format!("{}.{}.pod.{CLUSTER_DOMAIN}", ip.replace('.', "-"), pod.namespace)];
    if let (Some(h), Some(sub)) = (&pod.spec.hostname, &pod.spec.subdomain) {
        let listed = state.slices.values().any(|s| {
            s.namespace == pod.namespace
                && &s.service == sub
                && state.services.get(&s.service_uid).is_some_and(|svc| svc.api.is_headless())
                && s.endpoints.iter().any(|e| e.pod_uid == pod.uid && e.hostname.as_ref() == Some(h) && e.ready)
        });
        if listed {
            out.push(format!("{h}.{sub}.{}.svc.{CLUSTER_DOMAIN}", pod.namespace));
        }
    }
    out
}
