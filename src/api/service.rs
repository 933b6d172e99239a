//! `core/v1` Service: the fields podsim models, the API server's defaults
//! (`pkg/apis/core/v1/defaults.go` `SetDefaults_Service`, and the registry's
//! `PrepareForCreate` and IP-family initialisation in
//! `pkg/registry/core/service/storage/alloc.go`) and its validation
//! (`pkg/apis/core/validation/validation.go` `ValidateService`, `validateServicePort`,
//! `ValidateServiceClusterIPsRelatedFields`).

use super::errors::{FieldError, FieldPath};
use super::meta::ObjectMeta;
use crate::labels::{is_qualified_name, is_valid_label_value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: ServiceSpec,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSpec {
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// `None`: no selector (its EndpointSlices are the user's); an empty map is the
    /// same once stored (the API server drops empty maps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<ServicePort>,
    #[serde(default, rename = "clusterIP", skip_serializing_if = "Option::is_none")]
    pub cluster_ip: Option<String>,
    #[serde(default, rename = "clusterIPs", skip_serializing_if = "Vec::is_empty")]
    pub cluster_ips: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_families: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_family_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_not_ready_addresses: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_affinity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_affinity_config: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_name: Option<String>,
    #[serde(default, rename = "externalIPs", skip_serializing_if = "Vec::is_empty")]
    pub external_ips: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_traffic_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_traffic_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocate_load_balancer_node_ports: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePort {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
    #[serde(default)]
    pub port: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_port: Option<IntOrString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_port: Option<i32>,
}

/// `intstr.IntOrString`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum IntOrString {
    Int(i32),
    Str(String),
}

impl std::fmt::Display for IntOrString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IntOrString::Int(i) => write!(f, "{i}"),
            IntOrString::Str(s) => f.write_str(s),
        }
    }
}

pub const CLUSTER_IP: &str = "ClusterIP";
pub const NODE_PORT: &str = "NodePort";
pub const LOAD_BALANCER: &str = "LoadBalancer";
pub const EXTERNAL_NAME: &str = "ExternalName";
/// `core.ClusterIPNone`: a headless Service.
pub const NONE: &str = "None";

/// `supportedServiceType`, sorted as `sets.List` gives them.
const TYPES: &[&str] = &[CLUSTER_IP, EXTERNAL_NAME, LOAD_BALANCER, NODE_PORT];
/// `supportedPortProtocols`.
const PROTOCOLS: &[&str] = &["SCTP", "TCP", "UDP"];
const SESSION_AFFINITIES: &[&str] = &["ClientIP", "None"];
const TRAFFIC_POLICIES: &[&str] = &["Cluster", "Local"];
/// `DefaultClientIPServiceAffinitySeconds`.
const CLIENT_IP_AFFINITY_SECONDS: i64 = 10_800;

const DNS1035_LABEL_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

impl Service {
    pub fn type_(&self) -> &str {
        self.spec.type_.as_deref().unwrap_or(CLUSTER_IP)
    }

    /// `clusterIP: None`.
    pub fn is_headless(&self) -> bool {
        self.spec.cluster_ip.as_deref() == Some(NONE)
    }

    /// The selector the EndpointSlice controller follows: none for a Service without
    /// one (or with an empty one, which the API server stores as none) and for
    /// ExternalName Services.
    pub fn selector(&self) -> Option<&BTreeMap<String, String>> {
        self.spec.selector.as_ref().filter(|s| !s.is_empty() && self.type_() != EXTERNAL_NAME)
    }
}

/// `SetDefaults_Service` and `SetDefaults_ServicePort`, then what the registry fills in
/// on create: `clusterIPs` from `clusterIP`, a single-stack IPv4 family (the cluster
/// is single-stack), `internalTrafficPolicy`.
pub fn default_service(svc: &mut Service) {
    let spec = &mut svc.spec;
    if spec.session_affinity.as_deref().unwrap_or("").is_empty() {
        spec.session_affinity = Some("None".into());
    }
    if spec.session_affinity.as_deref() == Some("ClientIP") && spec.session_affinity_config.is_none() {
        spec.session_affinity_config =
            Some(serde_json::json!({ "clientIP": { "timeoutSeconds": CLIENT_IP_AFFINITY_SECONDS } }));
    }
    if spec.type_.as_deref().unwrap_or("").is_empty() {
        spec.type_ = Some(CLUSTER_IP.into());
    }
    for p in &mut spec.ports {
        if p.protocol.as_deref().unwrap_or("").is_empty() {
            p.protocol = Some("TCP".into());
        }
        match &p.target_port {
            None | Some(IntOrString::Int(0)) => p.target_port = Some(IntOrString::Int(p.port)),
            Some(IntOrString::Str(s)) if s.is_empty() => p.target_port = Some(IntOrString::Int(p.port)),
            _ => {}
        }
    }
    let type_ = spec.type_.clone().unwrap_or_default();
    if (type_ == NODE_PORT || type_ == LOAD_BALANCER) && spec.external_traffic_policy.is_none() {
        spec.external_traffic_policy = Some("Cluster".into());
    }
    if type_ != EXTERNAL_NAME && spec.internal_traffic_policy.is_none() {
        spec.internal_traffic_policy = Some("Cluster".into());
    }
    if type_ == LOAD_BALANCER && spec.allocate_load_balancer_node_ports.is_none() {
        spec.allocate_load_balancer_node_ports = Some(true);
    }
    // `PrepareForCreate`: clusterIPs follows clusterIP when only that is given.
    if let Some(ip) = spec.cluster_ip.as_ref().filter(|ip| !ip.is_empty())
        && spec.cluster_ips.is_empty()
    {
        spec.cluster_ips = vec![ip.clone()];
    }
    if type_ != EXTERNAL_NAME {
        if spec.ip_family_policy.is_none() {
            // Headless Services without a selector default to RequireDualStack
            // (`alloc.go` `initIPFamilyFields`).
            let headless = spec.cluster_ip.as_deref() == Some(NONE);
            let without_selector = spec.selector.as_ref().is_none_or(|s| s.is_empty());
            let policy = if headless && without_selector { "RequireDualStack" } else { "SingleStack" };
            spec.ip_family_policy = Some(policy.into());
        }
        if spec.ip_families.is_empty() {
            spec.ip_families = vec!["IPv4".into()];
        }
    }
}

/// `ValidateService` (`pkg/apis/core/validation/validation.go`) for the modelled
/// fields; the API server's allocation checks (a ClusterIP out of range or taken, a
/// node port out of range) need the cluster's ranges and are in `scenario::load`.
pub fn validate_service(svc: &Service, errs: &mut Vec<FieldError>) {
    let meta = FieldPath::root("metadata");
    validate_service_meta(&svc.metadata, &meta, errs);
    let spec = &svc.spec;
    let path = FieldPath::root("spec");
    let headless = svc.is_headless() && spec.cluster_ips.len() == 1;
    let type_ = svc.type_();
    if spec.ports.is_empty() && !headless && type_ != EXTERNAL_NAME {
        errs.push(FieldError::required(path.child("ports")));
    }
    match type_ {
        LOAD_BALANCER | NODE_PORT if headless => errs.push(FieldError::invalid(
            path.child("clusterIPs").index(0),
            NONE,
            &format!("may not be set to 'None' for {type_} services"),
        )),
        EXTERNAL_NAME => {
            if !spec.cluster_ips.is_empty() {
                errs.push(FieldError::forbidden(path.child("clusterIPs"), "may not be set for ExternalName services"));
            }
            let cname = spec.external_name.as_deref().unwrap_or("").trim_end_matches('.');
            if cname.is_empty() {
                errs.push(FieldError::required(path.child("externalName")));
            } else if !super::validation::is_dns1123_subdomain(cname) {
                errs.push(FieldError::invalid(
                    path.child("externalName"),
                    cname,
                    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                ));
            }
        }
        _ => {}
    }
    let mut names: Vec<&str> = Vec::new();
    for (i, port) in spec.ports.iter().enumerate() {
        validate_port(port, spec.ports.len() > 1, &mut names, &path.child("ports").index(i), errs);
    }
    if let Some(selector) = &spec.selector {
        validate_labels(selector, &path.child("selector"), errs);
    }
    let affinity = spec.session_affinity.as_deref().unwrap_or("");
    if affinity.is_empty() {
        errs.push(FieldError::required(path.child("sessionAffinity")));
    } else if !SESSION_AFFINITIES.contains(&affinity) {
        errs.push(FieldError::unsupported(path.child("sessionAffinity"), affinity, SESSION_AFFINITIES));
    } else if affinity == "None" && spec.session_affinity_config.is_some() {
        errs.push(FieldError::forbidden(
            path.child("sessionAffinityConfig"),
            "must not be set when session affinity is None",
        ));
    }
    validate_cluster_ips(svc, &path, errs);
    if !TYPES.contains(&type_) {
        errs.push(FieldError::unsupported(path.child("type"), type_, TYPES));
    }
    if type_ == CLUSTER_IP {
        for (i, port) in spec.ports.iter().enumerate() {
            if port.node_port.is_some_and(|n| n != 0) {
                errs.push(FieldError::forbidden(
                    path.child("ports").index(i).child("nodePort"),
                    "may not be used when `type` is 'ClusterIP'",
                ));
            }
        }
    }
    // Duplicate node ports, then duplicate (protocol, port) pairs.
    let mut node_ports: Vec<(&str, i32)> = Vec::new();
    for (i, port) in spec.ports.iter().enumerate() {
        let Some(n) = port.node_port.filter(|n| *n != 0) else { continue };
        let key = (port.protocol.as_deref().unwrap_or(""), n);
        if node_ports.contains(&key) {
            errs.push(FieldError::new(path.child("ports").index(i).child("nodePort"), format!("Duplicate value: {n}")));
        }
        node_ports.push(key);
    }
    let mut pairs: Vec<(&str, i32)> = Vec::new();
    for (i, port) in spec.ports.iter().enumerate() {
        let protocol = port.protocol.as_deref().unwrap_or("");
        let key = (protocol, port.port);
        if pairs.contains(&key) {
            // `field.Duplicate(portPath, key)` with key a `core.ServicePort` holding
            // only the protocol and port, printed with `%#v`.
            errs.push(FieldError::new(
                path.child("ports").index(i),
                format!(
                    "Duplicate value: core.ServicePort{{Name:\"\", Protocol:\"{protocol}\", AppProtocol:(*string)(nil), Port:{}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}, NodePort:0}}",
                    port.port
                ),
            ));
        }
        pairs.push(key);
    }
    // `validateServiceExternalTrafficPolicy` and `validateServiceInternalTrafficFieldsValue`.
    let external = type_ == NODE_PORT || type_ == LOAD_BALANCER || !spec.external_ips.is_empty();
    match spec.external_traffic_policy.as_deref() {
        Some(p) if !external => errs.push(FieldError::invalid(
            path.child("externalTrafficPolicy"),
            p,
            "may only be set for externally-accessible services",
        )),
        Some(p) if !TRAFFIC_POLICIES.contains(&p) => {
            errs.push(FieldError::unsupported(path.child("externalTrafficPolicy"), p, TRAFFIC_POLICIES))
        }
        _ => {}
    }
    if let Some(p) = spec.internal_traffic_policy.as_deref()
        && !TRAFFIC_POLICIES.contains(&p)
    {
        errs.push(FieldError::unsupported(path.child("internalTrafficPolicy"), p, TRAFFIC_POLICIES));
    }
}

/// `ValidateObjectMeta` with `ValidateServiceName` (`NameIsDNS1035Label`).
fn validate_service_meta(meta: &ObjectMeta, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let name_path = path.child("name");
    match (&meta.name[..], meta.generate_name.as_deref()) {
        ("", None | Some("")) => errs.push(FieldError::required_because(name_path, "name or generateName is required")),
        ("", Some(g)) => {
            let trimmed = g.trim_end_matches('-');
            if !trimmed.is_empty() && !is_dns1035_label(trimmed) {
                errs.push(FieldError::invalid(path.child("generateName"), g, DNS1035_LABEL_MSG));
            }
        }
        (name, _) => {
            if name.len() > 63 {
                errs.push(FieldError::invalid(name_path.clone(), name, "must be no more than 63 bytes"));
            }
            if !is_dns1035_label(name) {
                errs.push(FieldError::invalid(name_path, name, DNS1035_LABEL_MSG));
            }
        }
    }
    if let Some(ns) = &meta.namespace
        && !super::validation::is_dns1123_label(ns)
    {
        errs.push(FieldError::invalid(path.child("namespace"), ns, DNS1123_LABEL_MSG));
    }
    validate_labels(&meta.labels, &path.child("labels"), errs);
}

/// `[a-z]([-a-z0-9]*[a-z0-9])?`.
fn is_dns1035_label(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) => {
            f.is_ascii_lowercase()
                && (l.is_ascii_lowercase() || l.is_ascii_digit())
                && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        }
        _ => false,
    }
}

/// `validateServicePort`.
fn validate_port<'a>(
    port: &'a ServicePort,
    require_name: bool,
    names: &mut Vec<&'a str>,
    path: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    let name = port.name.as_deref().unwrap_or("");
    if require_name && name.is_empty() {
        errs.push(FieldError::required(path.child("name")));
    } else if !name.is_empty() {
        if !super::validation::is_dns1123_label(name) {
            errs.push(FieldError::invalid(path.child("name"), name, DNS1123_LABEL_MSG));
        }
        if names.contains(&name) {
            errs.push(FieldError::duplicate(path.child("name"), name));
        } else {
            names.push(name);
        }
    }
    if !(1..=65535).contains(&port.port) {
        errs.push(FieldError::invalid_number(
            path.child("port"),
            i64::from(port.port),
            "must be between 1 and 65535, inclusive",
        ));
    }
    match port.protocol.as_deref().unwrap_or("") {
        "" => errs.push(FieldError::required(path.child("protocol"))),
        p if !PROTOCOLS.contains(&p) => errs.push(FieldError::unsupported(path.child("protocol"), p, PROTOCOLS)),
        _ => {}
    }
    // `ValidatePortNumOrName`.
    match &port.target_port {
        Some(IntOrString::Int(n)) if !(1..=65535).contains(n) => errs.push(FieldError::invalid_number(
            path.child("targetPort"),
            i64::from(*n),
            "must be between 1 and 65535, inclusive",
        )),
        Some(IntOrString::Str(s)) => {
            for msg in port_name_errors(s) {
                errs.push(FieldError::invalid(path.child("targetPort"), s, msg));
            }
        }
        _ => {}
    }
    if let Some(n) = port.node_port.filter(|n| *n != 0)
        && !(1..=65535).contains(&n)
    {
        errs.push(FieldError::invalid_number(
            path.child("nodePort"),
            i64::from(n),
            "must be between 1 and 65535, inclusive",
        ));
    }
}

/// `validation.IsValidPortName` (an IANA_SVC_NAME).
pub fn port_name_errors(port: &str) -> Vec<&'static str> {
    let mut errs = Vec::new();
    if port.is_empty() || port.len() > 15 {
        errs.push("must be no more than 15 characters");
    }
    if !port.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if !port.bytes().any(|b| b.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)");
    }
    if port.contains("--") {
        errs.push("must not contain consecutive hyphens");
    }
    if port.starts_with('-') || port.ends_with('-') {
        errs.push("must not begin or end with a hyphen");
    }
    errs
}

/// `ValidateLabels` (`apimachinery/pkg/apis/meta/v1/validation`), keys in order.
fn validate_labels(labels: &BTreeMap<String, String>, path: &FieldPath, errs: &mut Vec<FieldError>) {
    for (key, value) in labels {
        for msg in is_qualified_name(key) {
            errs.push(FieldError::invalid(path.clone(), key, &msg));
        }
        for msg in is_valid_label_value(value) {
            errs.push(FieldError::invalid(path.clone(), value, &msg));
        }
    }
}

/// `ValidateServiceClusterIPsRelatedFields`: `clusterIPs` follows `clusterIP`, each is
/// an IP (or the first and only one `None`), at most two.
fn validate_cluster_ips(svc: &Service, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let spec = &svc.spec;
    if svc.type_() == EXTERNAL_NAME {
        return;
    }
    let field = path.child("clusterIPs");
    let quoted = || {
        let items: Vec<String> = spec.cluster_ips.iter().map(|s| format!("{s:?}")).collect();
        format!("[]string{{{}}}", items.join(", "))
    };
    match spec.cluster_ip.as_deref().unwrap_or("") {
        "" if !spec.cluster_ips.is_empty() => errs.push(FieldError::new(
            field.clone(),
            format!("Invalid value: {}: must be empty when `clusterIP` is not specified", quoted()),
        )),
        "" => {}
        ip if spec.cluster_ips.first().map(String::as_str) != Some(ip) => errs.push(FieldError::new(
            field.clone(),
            format!("Invalid value: {}: first value must match `clusterIP`", quoted()),
        )),
        _ => {}
    }
    for (i, ip) in spec.cluster_ips.iter().enumerate() {
        if i == 0 && ip == NONE {
            if spec.cluster_ips.len() > 1 {
                errs.push(FieldError::new(
                    field.clone(),
                    format!("Invalid value: {}: 'None' must be the first and only value", quoted()),
                ));
            }
            continue;
        }
        if ip.parse::<std::net::IpAddr>().is_err() {
            errs.push(FieldError::invalid(
                field.index(i),
                ip,
                "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            ));
        }
    }
    if spec.cluster_ips.len() > 2 {
        errs.push(FieldError::new(field, format!("Invalid value: {}: may only hold up to 2 values", quoted())));
    }
    for (i, family) in spec.ip_families.iter().enumerate() {
        if family != "IPv4" && family != "IPv6" {
            errs.push(FieldError::unsupported(path.child("ipFamilies").index(i), family, &["IPv4", "IPv6"]));
        }
    }
    if let Some(p) = spec.ip_family_policy.as_deref() {
        let policies = ["PreferDualStack", "RequireDualStack", "SingleStack"];
        if !policies.contains(&p) {
            errs.push(FieldError::unsupported(path.child("ipFamilyPolicy"), p, &policies));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of(yaml: &str) -> Vec<String> {
        let mut svc: Service = serde_saphyr::from_str(yaml).unwrap();
        default_service(&mut svc);
        let mut errs = Vec::new();
        validate_service(&svc, &mut errs);
        errs.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn defaults_are_the_api_servers() {
        let mut svc: Service =
            serde_saphyr::from_str("metadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}").unwrap();
        default_service(&mut svc);
        let s = &svc.spec;
        assert_eq!(s.type_.as_deref(), Some("ClusterIP"));
        assert_eq!(s.session_affinity.as_deref(), Some("None"));
        assert_eq!(s.ports[0].protocol.as_deref(), Some("TCP"));
        assert_eq!(s.ports[0].target_port, Some(IntOrString::Int(80)));
        assert_eq!(s.internal_traffic_policy.as_deref(), Some("Cluster"));
        assert_eq!(s.ip_family_policy.as_deref(), Some("SingleStack"));
        assert_eq!(s.ip_families, ["IPv4"]);
        assert!(errors_of("metadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}").is_empty());
        assert!(errors_of("metadata: {name: db}\nspec: {clusterIP: None, selector: {app: db}}").is_empty());
    }

    #[test]
    fn rejects_what_the_api_server_rejects() {
        let cases = [
            (
                "metadata: {name: Web}\nspec: {ports: [{port: 80}]}",
                "metadata.name: Invalid value: \"Web\": a DNS-1035 label",
            ),
            (
                "metadata: {name: 1web}\nspec: {ports: [{port: 80}]}",
                "metadata.name: Invalid value: \"1web\": a DNS-1035 label",
            ),
            ("metadata: {name: web}\nspec: {}", "spec.ports: Required value"),
            (
                "metadata: {name: web}\nspec: {ports: [{port: 70000}]}",
                "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
            ),
            (
                "metadata: {name: web}\nspec: {ports: [{port: 0}]}",
                "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
            ),
            (
                "metadata: {name: web}\nspec: {ports: [{port: 80, protocol: HTTP}]}",
                "spec.ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            ),
            (
                "metadata: {name: web}\nspec: {ports: [{port: 80, name: a}, {port: 81, name: a}]}",
                "spec.ports[1].name: Duplicate value: \"a\"",
            ),
            (
                "metadata: {name: web}\nspec: {ports: [{port: 80, name: a}, {port: 81}]}",
                "spec.ports[1].name: Required value",
            ),
            (
                "metadata: {name: web}\nspec: {ports: [{port: 80, name: a}, {port: 80, name: b}]}",
                "spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\"",
            ),
            (
                "metadata: {name: web}\nspec: {ports: [{port: 80, targetPort: \"a_b\"}]}",
                "spec.ports[0].targetPort: Invalid value: \"a_b\": must contain only alpha-numeric characters",
            ),
            (
                "metadata: {name: web}\nspec: {ports: [{port: 80, targetPort: 99999}]}",
                "spec.ports[0].targetPort: Invalid value: 99999: must be between 1 and 65535, inclusive",
            ),
            (
                "metadata: {name: web}\nspec: {ports: [{port: 80}], selector: {\"a/b/c\": x}}",
                "spec.selector: Invalid value: \"a/b/c\": a valid label key",
            ),
            (
                "metadata: {name: web}\nspec: {ports: [{port: 80}], selector: {app: \"-x\"}}",
                "spec.selector: Invalid value: \"-x\": a valid label must be an empty string",
            ),
            (
                "metadata: {name: web}\nspec: {ports: [{port: 80}], type: Foo}",
                "spec.type: Unsupported value: \"Foo\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"",
            ),
            (
                "metadata: {name: web}\nspec: {ports: [{port: 80, nodePort: 30080}]}",
                "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
            ),
            (
                "metadata: {name: web}\nspec: {ports: [{port: 80}], clusterIP: 10.0.0}",
                "spec.clusterIPs[0]: Invalid value: \"10.0.0\": must be a valid IP address",
            ),
            (
                "metadata: {name: web}\nspec: {ports: [{port: 80}], type: NodePort, clusterIP: None}",
                "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services",
            ),
            (
                "metadata: {name: web}\nspec: {ports: [{port: 80}], sessionAffinity: Sticky}",
                "spec.sessionAffinity: Unsupported value: \"Sticky\": supported values: \"ClientIP\", \"None\"",
            ),
            ("metadata: {name: web}\nspec: {type: ExternalName}", "spec.externalName: Required value"),
            (
                "metadata: {name: web}\nspec: {ports: [{port: 80}], externalTrafficPolicy: Local}",
                "spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set for externally-accessible services",
            ),
        ];
        for (yaml, want) in cases {
            let errs = errors_of(yaml);
            assert!(errs.iter().any(|e| e.starts_with(want)), "{yaml}\nwant {want}\ngot {errs:#?}");
        }
    }
}
