//! The API server's defaults and validation for the objects podsim simulates
//! (`pkg/apis/core/v1/defaults.go`, `pkg/apis/core/validation/validation.go`,
//! `pkg/apis/batch/validation`), as far as the simulated fields go.

use super::errors::{FieldError, FieldPath};
use super::meta::ObjectMeta;
use super::node::{Node, Taint};
use super::pod::{Container, LifecycleHandler, PodSpec, Probe, Toleration};
use super::validation_batch::job::validate_labels;
use super::validation_scheduling::{validate_port_protocols, validate_scheduling};
use super::{Quantity, ResourceList};

pub const RESTART_POLICIES: &[&str] = &["Always", "OnFailure", "Never"];
const PULL_POLICIES: &[&str] = &["Always", "IfNotPresent", "Never"];
const TAINT_EFFECTS: &[&str] = &["NoSchedule", "PreferNoSchedule", "NoExecute"];
pub(crate) const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
pub(crate) const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/// `terminationGracePeriodSeconds` when unset (`DefaultTerminationGracePeriodSeconds`).
pub const DEFAULT_GRACE_SECONDS: i64 = 30;

// ---------------------------------------------------------------------------------
// Defaults

/// `SetDefaults_PodSpec` and friends (`pkg/apis/core/v1/defaults.go`): what the API
/// server fills in on create. The priority and `preemptionPolicy` are the Priority
/// admission plugin's (`apiserver/admission.rs`).
pub fn default_pod_spec(spec: &mut PodSpec) {
    // The defaults' texts are shared by every pod that gets them (`SharedStr::interned`).
    let text = super::shared_str::SharedStr::interned;
    spec.dns_policy.get_or_insert_with(|| text("ClusterFirst"));
    spec.restart_policy.get_or_insert_with(|| text("Always"));
    spec.termination_grace_period_seconds.get_or_insert(DEFAULT_GRACE_SECONDS);
    spec.scheduler_name.get_or_insert_with(|| text("default-scheduler"));
    spec.enable_service_links.get_or_insert(true);
    spec.security_context.get_or_insert_with(|| serde_json::Value::Object(Default::default()));
    super::validation_storage::default_volumes(&mut spec.volumes);
    for c in spec.init_containers.iter_mut().chain(spec.containers.iter_mut()) {
        default_container(c);
    }
    for t in &mut spec.tolerations {
        if t.operator.is_none() {
            t.operator = Some(text("Equal"));
        }
    }
}

fn default_container(c: &mut Container) {
    let text = super::shared_str::SharedStr::interned;
    if c.image_pull_policy.is_none() {
        let image = c.image.as_deref().unwrap_or("");
        c.image_pull_policy = Some(text(default_pull_policy(image)));
    }
    c.termination_message_path.get_or_insert_with(|| text("/dev/termination-log"));
    c.termination_message_policy.get_or_insert_with(|| text("File"));
    // SetDefaults_Pod: a limit without a request makes the request equal to the limit.
    let resources = &mut c.resources;
    for (name, q) in resources.limits.iter() {
        if resources.requests.get(name).is_none() {
            resources.requests.insert(name.clone(), q.clone());
        }
    }
    for port in &mut c.ports {
        port.protocol.get_or_insert_with(|| "TCP".into());
    }
    for probe in [&mut c.startup_probe, &mut c.readiness_probe, &mut c.liveness_probe].into_iter().flatten() {
        default_probe(probe);
    }
}

/// `Always` for `:latest` or an untagged image, `IfNotPresent` otherwise
/// (`SetDefaults_Container`).
pub fn default_pull_policy(image: &str) -> &'static str {
    let without_digest = image.split('@').next().unwrap_or(image);
    let has_digest = without_digest.len() != image.len();
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    match last.split_once(':') {
        _ if has_digest => "IfNotPresent",
        Some((_, "latest")) | None => "Always",
        Some(_) => "IfNotPresent",
    }
}

fn default_probe(p: &mut Probe) {
    p.timeout_seconds.get_or_insert(1);
    p.period_seconds.get_or_insert(10);
    p.success_threshold.get_or_insert(1);
    p.failure_threshold.get_or_insert(3);
    p.initial_delay_seconds.get_or_insert(0);
}

// ---------------------------------------------------------------------------------
// Names

pub fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

/// `metadata` of a namespaced or cluster-scoped object: a name (or generateName) that
/// is an RFC 1123 subdomain, and a valid namespace.
pub fn validate_object_meta(meta: &ObjectMeta, path: &FieldPath, errs: &mut Vec<FieldError>) {
    // Paths are made only for an error: validation looks at every field of every object.
    let name_path = || path.child("name");
    match (&meta.name[..], meta.generate_name.as_deref()) {
        ("", None | Some("")) => {
            errs.push(FieldError::required_because(name_path(), "name or generateName is required"))
        }
        ("", Some(g)) => {
            let trimmed = g.trim_end_matches('-');
            if !trimmed.is_empty() && !is_dns1123_subdomain(trimmed) {
                errs.push(FieldError::invalid(path.child("generateName"), g, DNS1123_SUBDOMAIN_MSG));
            }
        }
        (name, _) if !is_dns1123_subdomain(name) => {
            errs.push(FieldError::invalid(name_path(), name, DNS1123_SUBDOMAIN_MSG))
        }
        _ => {}
    }
    if let Some(ns) = &meta.namespace
        && !is_dns1123_label(ns)
    {
        errs.push(FieldError::invalid(path.child("namespace"), ns, DNS1123_LABEL_MSG));
    }
    // `ValidateObjectMetaAccessor` (apimachinery/pkg/api/validation/objectmeta.go):
    // label keys and values, and annotation keys (lowercased, as upstream checks them).
    validate_labels(&meta.labels, &path.child("labels"), errs);
    for key in meta.annotations.keys() {
        // Most keys are lower case already: lowered only when they are not.
        let lowered = match key.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
            true => std::borrow::Cow::Owned(key.to_lowercase()),
            false => std::borrow::Cow::Borrowed(key.as_str()),
        };
        for msg in crate::labels::is_qualified_name(&lowered) {
            errs.push(FieldError::invalid(path.child("annotations"), key, &msg));
        }
    }
}

// ---------------------------------------------------------------------------------
// Pods

/// `ValidatePodSpec`, for the fields podsim simulates.
pub fn validate_pod_spec(spec: &PodSpec, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let volumes = super::validation_storage::validate_volumes(&spec.volumes, &path.child("volumes"), errs);
    if spec.containers.is_empty() {
        errs.push(FieldError::required(path.child("containers")));
    }
    let mut names: Vec<&str> = Vec::new();
    for (i, c) in spec.init_containers.iter().enumerate() {
        let p = path.child("initContainers").index(i);
        validate_container(c, &p, &mut names, errs);
        super::validation_storage::validate_volume_mounts(&c.volume_mounts, &volumes, &p.child("volumeMounts"), errs);
        if c.is_sidecar() {
            validate_lifecycle(c, &p, spec.termination_grace_period_seconds, errs);
        }
        if let Some(rp) = c.restart_policy.as_deref()
            && rp != "Always"
        {
            errs.push(FieldError::unsupported(p.child("restartPolicy"), rp, &["Always"]));
        }
        if !c.is_sidecar() && c.lifecycle.is_some() {
            errs.push(FieldError::forbidden(
                p.child("lifecycle"),
                "may not be set for init containers without restartPolicy=Always",
            ));
        }
        if !c.is_sidecar() {
            for (probe, name) in [
                (&c.startup_probe, "startupProbe"),
                (&c.readiness_probe, "readinessProbe"),
                (&c.liveness_probe, "livenessProbe"),
            ] {
                if probe.is_some() {
                    errs.push(FieldError::forbidden(
                        p.child(name),
                        "may not be set for init containers without restartPolicy=Always",
                    ));
                }
            }
        }
    }
    for (i, c) in spec.containers.iter().enumerate() {
        let p = path.child("containers").index(i);
        validate_container(c, &p, &mut names, errs);
        super::validation_storage::validate_volume_mounts(&c.volume_mounts, &volumes, &p.child("volumeMounts"), errs);
        validate_lifecycle(c, &p, spec.termination_grace_period_seconds, errs);
        if let Some(rp) = c.restart_policy.as_deref()
            && !RESTART_POLICIES.contains(&rp)
        {
            errs.push(FieldError::unsupported(p.child("restartPolicy"), rp, RESTART_POLICIES));
        }
    }
    match spec.restart_policy.as_deref() {
        None => {}
        Some(rp) if RESTART_POLICIES.contains(&rp) => {}
        Some(rp) => errs.push(FieldError::unsupported(path.child("restartPolicy"), rp, RESTART_POLICIES)),
    }
    if let Some(g) = spec.termination_grace_period_seconds
        && g < 0
    {
        errs.push(FieldError::invalid_number(
            path.child("terminationGracePeriodSeconds"),
            g,
            "must be greater than or equal to 0",
        ));
    }
    if let Some(d) = spec.active_deadline_seconds
        && !(1..=i64::from(i32::MAX)).contains(&d)
    {
        errs.push(FieldError::invalid_number(
            path.child("activeDeadlineSeconds"),
            d,
            "must be between 1 and 2147483647, inclusive",
        ));
    }
    // `validateDNSPolicy` (the supported values sorted, as `sets.List`).
    const DNS_POLICIES: &[&str] = &["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"];
    if let Some(p) = spec.dns_policy.as_deref()
        && !DNS_POLICIES.contains(&p)
    {
        errs.push(FieldError::unsupported(path.child("dnsPolicy"), p, DNS_POLICIES));
    }
    if let Some(p) = spec.preemption_policy.as_deref()
        && !["PreemptLowerPriority", "Never"].contains(&p)
    {
        errs.push(FieldError::unsupported(path.child("preemptionPolicy"), p, &["Never", "PreemptLowerPriority"]));
    }
    for (i, t) in spec.tolerations.iter().enumerate() {
        validate_toleration(t, &path.child("tolerations").index(i), errs);
    }
    validate_scheduling(spec, path, errs);
    if let Some(overhead) = &spec.overhead {
        validate_resource_list(overhead, &|| path.child("overhead"), errs);
    }
    // `ValidatePodSpec`: `ValidateDNS1123Label` for both names, when set.
    for (value, field) in [(&spec.hostname, "hostname"), (&spec.subdomain, "subdomain")] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty())
            && !is_dns1123_label(v)
        {
            errs.push(FieldError::invalid(path.child(field), v, DNS1123_LABEL_MSG));
        }
    }
}

fn validate_container<'a>(c: &'a Container, path: &FieldPath, names: &mut Vec<&'a str>, errs: &mut Vec<FieldError>) {
    let name_path = || path.child("name");
    if c.name.is_empty() {
        errs.push(FieldError::required(name_path()));
    } else if !is_dns1123_label(&c.name) {
        errs.push(FieldError::invalid(name_path(), &c.name, DNS1123_LABEL_MSG));
    } else if names.contains(&c.name.as_str()) {
        errs.push(FieldError::duplicate(name_path(), &c.name));
    } else {
        names.push(&c.name);
    }
    match c.image.as_deref() {
        None => errs.push(FieldError::required(path.child("image"))),
        Some(image) if image.trim().is_empty() || image.trim() != image => errs.push(FieldError::required_because(
            path.child("image"),
            "an image is required, without leading or trailing whitespace",
        )),
        _ => {}
    }
    if let Some(policy) = c.image_pull_policy.as_deref()
        && !PULL_POLICIES.contains(&policy)
    {
        errs.push(FieldError::unsupported(path.child("imagePullPolicy"), policy, PULL_POLICIES));
    }
    // `validateTerminationMessagePolicy` (the supported values sorted, as `sets.List`).
    if let Some(policy) = c.termination_message_policy.as_deref()
        && !["File", "FallbackToLogsOnError"].contains(&policy)
    {
        let supported = &["FallbackToLogsOnError", "File"];
        errs.push(FieldError::unsupported(path.child("terminationMessagePolicy"), policy, supported));
    }
    validate_port_protocols(&c.ports, &path.child("ports"), errs);
    validate_resources(c, &path.child("resources"), errs);
    for (probe, name, single_success) in [
        (&c.startup_probe, "startupProbe", true),
        (&c.readiness_probe, "readinessProbe", false),
        (&c.liveness_probe, "livenessProbe", true),
    ] {
        if let Some(p) = probe {
            validate_probe(p, &path.child(name), single_success, errs);
        }
    }
    for (i, port) in c.ports.iter().enumerate() {
        let p = path.child("ports").index(i);
        if !(1..=65535).contains(&port.container_port) {
            errs.push(FieldError::invalid_number(
                p.child("containerPort"),
                port.container_port.into(),
                "must be between 1 and 65535, inclusive",
            ));
        }
        if let Some(hp) = port.host_port
            && !(1..=65535).contains(&hp)
        {
            errs.push(FieldError::invalid_number(
                p.child("hostPort"),
                hp.into(),
                "must be between 1 and 65535, inclusive",
            ));
        }
    }
}

fn validate_resources(c: &Container, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let req_path = || path.child("requests");
    validate_resource_list(&c.resources.requests, &req_path, errs);
    validate_resource_list(&c.resources.limits, &|| path.child("limits"), errs);
    for (name, req) in &c.resources.requests {
        if let Some(limit) = c.resources.limits.get(name)
            && compare(req, limit) == std::cmp::Ordering::Greater
        {
            errs.push(FieldError::invalid(
                req_path().child(name),
                req,
                &format!("must be less than or equal to {name} limit of {limit}"),
            ));
        }
        if is_extended_resource(name) {
            match c.resources.limits.get(name) {
                Some(limit) if compare(req, limit) == std::cmp::Ordering::Equal => {}
                _ => errs.push(FieldError::invalid(
                    req_path().child(name),
                    req,
                    &format!("must be equal to {name} limit"),
                )),
            }
        }
    }
}

fn compare(a: &Quantity, b: &Quantity) -> std::cmp::Ordering {
    a.cmp(b)
}

/// Standard resources have no domain or the `kubernetes.io` domain; everything else
/// (`nvidia.com/gpu`) is an extended resource.
pub fn is_extended_resource(name: &str) -> bool {
    match name.split_once('/') {
        None => false,
        Some((domain, _)) => !(domain == "kubernetes.io" || domain.ends_with(".kubernetes.io")),
    }
}

/// The largest quantity podsim takes, in the resource's unit (thousandths of a core for
/// `cpu`, bytes or items otherwise): 2^46, 64Ti of memory or 70 billion cores. Quantities
/// are added up in 64 bits over as many as 100,000 nodes (`scenario::load::MAX_NODES`),
/// and an absurd capacity (2^64 CPUs) would overflow the sums.
pub const MAX_QUANTITY: i64 = 1 << 46;

/// Why `q` of resource `name` is too large for podsim, if it is.
pub fn too_large(name: &str, q: &crate::api::Quantity) -> Option<String> {
    let units = if name == "cpu" { q.milli_value() } else { q.value() };
    (units > MAX_QUANTITY).then(|| {
        let most = if name == "cpu" { "70368744177 (cores)" } else { "64Ti" };
        format!("must be at most {most}: podsim adds quantities up in 64 bits")
    })
}

/// `path` makes the list's path, only for an error.
fn validate_resource_list(list: &ResourceList, path: &dyn Fn() -> FieldPath, errs: &mut Vec<FieldError>) {
    for (name, q) in list {
        let p = || path().child(name);
        if q.is_negative() {
            errs.push(FieldError::invalid(p(), q, "must be greater than or equal to 0"));
        }
        if let Some(why) = too_large(name, q) {
            errs.push(FieldError::invalid(p(), q, &why));
        }
        if !name.contains('/') && !is_standard_resource(name) {
            errs.push(FieldError::invalid(p(), name, "must be a standard resource type or fully qualified"));
        }
        if is_extended_resource(name) && q.milli_value() % 1000 != 0 {
            errs.push(FieldError::invalid(p(), q, "must be an integer"));
        }
    }
}

fn is_standard_resource(name: &str) -> bool {
    matches!(name, "cpu" | "memory" | "ephemeral-storage" | "pods" | "storage")
        || name.starts_with("hugepages-")
        || name.starts_with("requests.")
        || name.starts_with("limits.")
}

/// `validateLifecycle` and `validateHandler` (`pkg/apis/core/validation/validation.go`):
/// one action per hook, and a `sleep` no longer than the pod's grace period (zero is
/// allowed since 1.33, PodLifecycleSleepActionAllowZero).
fn validate_lifecycle(c: &Container, path: &FieldPath, grace: Option<i64>, errs: &mut Vec<FieldError>) {
    let Some(lifecycle) = &c.lifecycle else { return };
    let path = path.child("lifecycle");
    for (handler, name) in [(&lifecycle.post_start, "postStart"), (&lifecycle.pre_stop, "preStop")] {
        if let Some(h) = handler {
            validate_handler(h, &path.child(name), grace, errs);
        }
    }
}

fn validate_handler(h: &LifecycleHandler, path: &FieldPath, grace: Option<i64>, errs: &mut Vec<FieldError>) {
    let actions = [
        ("exec", h.exec.is_some()),
        ("httpGet", h.http_get.is_some()),
        ("tcpSocket", h.tcp_socket.is_some()),
        ("sleep", h.sleep.is_some()),
    ];
    let mut seen = 0;
    for (name, set) in actions {
        if !set {
            continue;
        }
        if seen > 0 {
            errs.push(FieldError::forbidden(path.child(name), "may not specify more than 1 handler type"));
        }
        seen += 1;
    }
    if seen == 0 {
        errs.push(FieldError::required_because(path.clone(), "must specify a handler type"));
    }
    if let Some(exec) = &h.exec
        && exec.get("command").and_then(|c| c.as_array()).is_none_or(|c| c.is_empty())
    {
        errs.push(FieldError::required(path.child("exec").child("command")));
    }
    let grace = grace.unwrap_or(DEFAULT_GRACE_SECONDS);
    if let Some(sleep) = &h.sleep
        && (sleep.seconds < 0 || sleep.seconds > grace)
    {
        errs.push(FieldError::invalid_number(
            path.child("sleep"),
            sleep.seconds,
            &format!("must be non-negative and less than terminationGracePeriodSeconds ({grace})"),
        ));
    }
}

fn validate_probe(p: &Probe, path: &FieldPath, single_success: bool, errs: &mut Vec<FieldError>) {
    let non_negative = [
        (p.initial_delay_seconds, "initialDelaySeconds"),
        (p.timeout_seconds, "timeoutSeconds"),
        (p.period_seconds, "periodSeconds"),
        (p.success_threshold, "successThreshold"),
        (p.failure_threshold, "failureThreshold"),
    ];
    for (value, name) in non_negative {
        if let Some(v) = value
            && v < 0
        {
            errs.push(FieldError::invalid_number(path.child(name), v.into(), "must be greater than or equal to 0"));
        }
    }
    if single_success
        && let Some(s) = p.success_threshold
        && s != 1
    {
        errs.push(FieldError::invalid_number(path.child("successThreshold"), s.into(), "must be 1"));
    }
    let handlers = [p.exec.is_some(), p.http_get.is_some(), p.tcp_socket.is_some(), p.grpc.is_some()];
    if handlers.iter().filter(|h| **h).count() > 1 {
        errs.push(FieldError::forbidden(path.clone(), "may not specify more than 1 handler type"));
    }
}

fn validate_toleration(t: &Toleration, path: &FieldPath, errs: &mut Vec<FieldError>) {
    match t.operator.as_deref().unwrap_or("Equal") {
        "Equal" => {}
        "Exists" => {
            if t.value.as_deref().is_some_and(|v| !v.is_empty()) {
                errs.push(FieldError::invalid(
                    path.child("operator"),
                    t.value.as_deref().unwrap_or(""),
                    "value must be empty when `operator` is 'Exists'",
                ));
            }
        }
        other => errs.push(FieldError::unsupported(path.child("operator"), other, &["Equal", "Exists"])),
    }
    if t.key.as_deref().unwrap_or("").is_empty() && t.operator.as_deref() != Some("Exists") {
        errs.push(FieldError::invalid(
            path.child("operator"),
            t.operator.as_deref().unwrap_or(""),
            "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
        ));
    }
    if let Some(effect) = t.effect.as_deref()
        && !effect.is_empty()
        && !TAINT_EFFECTS.contains(&effect)
    {
        errs.push(FieldError::unsupported(path.child("effect"), effect, TAINT_EFFECTS));
    }
    if t.toleration_seconds.is_some() && t.effect.as_deref() != Some("NoExecute") {
        errs.push(FieldError::invalid(
            path.child("effect"),
            t.effect.as_deref().unwrap_or(""),
            "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ));
    }
}

// ---------------------------------------------------------------------------------
// Nodes

/// A Node must say what it can hold: `status.allocatable` (or `capacity`, which
/// allocatable defaults to) with non-negative quantities, and valid taints.
pub fn validate_node(node: &Node, errs: &mut Vec<FieldError>) {
    validate_object_meta(&node.metadata, &FieldPath::root("metadata"), errs);
    let status = FieldPath::root("status");
    validate_resource_list(&node.status.capacity, &|| status.child("capacity"), errs);
    validate_resource_list(&node.status.allocatable, &|| status.child("allocatable"), errs);
    if node.status.capacity.is_empty() && node.status.allocatable.is_empty() {
        errs.push(FieldError::required_because(
            status.child("allocatable"),
            "a node needs a capacity (cpu, memory, pods) to run pods",
        ));
    }
    for (i, t) in node.spec.taints.iter().enumerate() {
        validate_taint(t, &FieldPath::root("spec").child("taints").index(i), errs);
    }
    // `ValidateNode`: every pod CIDR is a CIDR (`validation.IsValidCIDR`).
    for (i, c) in node.spec.pod_cidrs.iter().chain(&node.spec.pod_cidr).enumerate() {
        if crate::cluster::network::Cidr::parse(c).is_none() {
            let p = match node.spec.pod_cidrs.len() {
                n if i < n => FieldPath::root("spec").child("podCIDRs").index(i),
                _ => FieldPath::root("spec").child("podCIDR"),
            };
            errs.push(FieldError::invalid(p, c, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
        }
    }
}

pub fn validate_taint(t: &Taint, path: &FieldPath, errs: &mut Vec<FieldError>) {
    if t.key.is_empty() {
        errs.push(FieldError::required(path.child("key")));
    }
    if !TAINT_EFFECTS.contains(&t.effect.as_str()) {
        errs.push(FieldError::unsupported(path.child("effect"), &t.effect, TAINT_EFFECTS));
    }
}

/// Allocatable defaults to capacity for any resource it does not list.
pub fn default_node(node: &mut Node) {
    let capacity = node.status.capacity.clone();
    for (name, q) in capacity {
        node.status.allocatable.entry(name).or_insert(q);
    }
    if !node.status.allocatable.contains_key("pods") {
        node.status.allocatable.insert("pods".into(), Quantity::parse("110").expect("a valid literal"));
    }
}

// ---------------------------------------------------------------------------------
// Jobs and CronJobs (the rules live in `validation_batch`)

/// Applies the Job defaults in place (`SetDefaults_Job`), then validates the Job as
/// the API server does on create (`ValidateJob`).
/// `ValidatePriorityClass` (`pkg/apis/scheduling/validation`): a name with the `system-`
/// prefix must be one of the built-in classes with its value; any other class may not
/// go above `HighestUserDefinablePriority`; the preemption policy is one of two.
pub fn validate_priority_class(pc: &super::scheduling::PriorityClass, errs: &mut Vec<FieldError>) {
    const HIGHEST_USER_DEFINABLE_PRIORITY: i64 = 1_000_000_000;
    validate_object_meta(&pc.metadata, &FieldPath::root("metadata"), errs);
    let name = pc.metadata.name.as_str();
    if name.starts_with("system-") {
        let known = [("system-node-critical", 2_000_001_000), ("system-cluster-critical", 2_000_000_000)];
        let problem = match known.iter().find(|(n, _)| *n == name) {
            None => Some(format!("{name} is not a known system priority class")),
            Some((n, v)) if *v != pc.value => Some(format!("value of {n} PriorityClass must be {v}")),
            Some((n, _)) if pc.global_default == Some(true) => {
                Some(format!("globalDefault of {n} PriorityClass must be false"))
            }
            Some(_) => None,
        };
        if let Some(p) = problem {
            errs.push(FieldError::forbidden(
                FieldPath::root("metadata").child("name"),
                &format!("priority class names with 'system-' prefix are reserved for system use only. error: {p}"),
            ));
        }
    } else if i64::from(pc.value) > HIGHEST_USER_DEFINABLE_PRIORITY {
        errs.push(FieldError::forbidden(
            FieldPath::root("value"),
            &format!("maximum allowed value of a user defined priority is {HIGHEST_USER_DEFINABLE_PRIORITY}"),
        ));
    }
    if let Some(p) = pc.preemption_policy.as_deref()
        && !["PreemptLowerPriority", "Never"].contains(&p)
    {
        errs.push(FieldError::unsupported(FieldPath::root("preemptionPolicy"), p, &["Never", "PreemptLowerPriority"]));
    }
}

pub fn validate_job(job: &mut super::job::Job, errs: &mut Vec<FieldError>) {
    super::validation_batch::default_job(job);
    super::validation_batch::validate_defaulted_job(job, errs);
}

/// Applies the CronJob defaults in place (`SetDefaults_CronJob`), then validates the
/// CronJob as the API server does on create (`ValidateCronJobCreate`).
pub fn validate_cronjob(cj: &mut super::cronjob::CronJob, errs: &mut Vec<FieldError>) {
    super::validation_batch::default_cronjob(cj);
    super::validation_batch::validate_defaulted_cronjob(cj, errs);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::pod::Pod;

    fn errors_of(yaml: &str) -> Vec<String> {
        let mut pod: Pod = serde_saphyr::from_str(yaml).unwrap();
        default_pod_spec(&mut pod.spec);
        let mut errs = Vec::new();
        validate_object_meta(&pod.metadata, &FieldPath::root("metadata"), &mut errs);
        validate_pod_spec(&pod.spec, &FieldPath::root("spec"), &mut errs);
        errs.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn pull_policy_defaults_follow_the_tag() {
        for (image, want) in [
            ("nginx", "Always"),
            ("nginx:latest", "Always"),
            ("nginx:1.27", "IfNotPresent"),
            ("reg:5000/nginx", "Always"),
            ("reg:5000/nginx:1", "IfNotPresent"),
            ("nginx@sha256:abc", "IfNotPresent"),
        ] {
            assert_eq!(default_pull_policy(image), want, "{image}");
        }
    }

    #[test]
    fn rejects_what_the_api_server_rejects() {
        let cases: &[(&str, &str)] = &[
            ("metadata: {name: a}\nspec: {containers: [{name: c}]}", "spec.containers[0].image: Required value"),
            ("metadata: {name: a}\nspec: {containers: [{image: i}]}", "spec.containers[0].name: Required value"),
            (
                "metadata: {name: a}\nspec: {containers: [{name: c, image: i}, {name: c, image: j}]}",
                "spec.containers[1].name: Duplicate value: \"c\"",
            ),
            (
                "metadata: {name: a}\nspec: {restartPolicy: Sometimes, containers: [{name: c, image: i}]}",
                "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
            ),
            (
                "metadata: {name: a}\nspec: {containers: [{name: c, image: i, resources: {requests: {cpu: \"-1\"}}}]}",
                "spec.containers[0].resources.requests.cpu: Invalid value: \"-1\": must be greater than or equal to 0",
            ),
            (
                "metadata: {name: a}\nspec: {containers: [{name: c, image: i, resources: {requests: {cpu: \"2\"}, limits: {cpu: \"1\"}}}]}",
                "spec.containers[0].resources.requests.cpu: Invalid value: \"2\": must be less than or equal to cpu limit of 1",
            ),
            (
                "metadata: {name: A}\nspec: {containers: [{name: c, image: i}]}",
                "metadata.name: Invalid value: \"A\": a lowercase RFC 1123 subdomain",
            ),
            (
                "metadata: {}\nspec: {containers: [{name: c, image: i}]}",
                "metadata.name: Required value: name or generateName is required",
            ),
            ("metadata: {name: a}\nspec: {}", "spec.containers: Required value"),
            (
                "metadata: {name: a}\nspec: {activeDeadlineSeconds: 0, containers: [{name: c, image: i}]}",
                "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive",
            ),
            (
                "metadata: {name: a}\nspec: {containers: [{name: c, image: i, livenessProbe: {successThreshold: 2}}]}",
                "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
            ),
            (
                "metadata: {name: a}\nspec: {tolerations: [{key: k, effect: Sometimes}], containers: [{name: c, image: i}]}",
                "spec.tolerations[0].effect: Unsupported value: \"Sometimes\"",
            ),
            (
                "metadata: {name: a}\nspec: {initContainers: [{name: s, image: i, restartPolicy: Never}], containers: [{name: c, image: i}]}",
                "spec.initContainers[0].restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"",
            ),
            (
                "metadata: {name: a}\nspec: {containers: [{name: c, image: i, resources: {requests: {example.com/gpu: 1}}}]}",
                "spec.containers[0].resources.requests.example.com/gpu: Invalid value: \"1\": must be equal to example.com/gpu limit",
            ),
        ];
        for (yaml, want) in cases {
            let errs = errors_of(yaml);
            assert!(errs.iter().any(|e| e.starts_with(want)), "{yaml}\n  want {want}\n  got {errs:?}");
        }
        assert!(
            errors_of("metadata: {name: a}\nspec: {containers: [{name: c, image: i, resources: {limits: {cpu: 1}}}]}")
                .is_empty()
        );
    }

    #[test]
    fn limits_default_requests() {
        let mut pod: Pod =
            serde_saphyr::from_str("spec: {containers: [{name: c, image: i, resources: {limits: {cpu: 500m}}}]}")
                .unwrap();
        default_pod_spec(&mut pod.spec);
        assert_eq!(pod.spec.containers[0].resources.requests.get("cpu").map(|q| q.milli_value()), Some(500));
        assert_eq!(pod.spec.restart_policy.as_deref(), Some("Always"));
    }
}
