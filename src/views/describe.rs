//! `podsim describe pod|node|job|deployment|replicaset|...`: kubectl's `describe` text (`kubectl/pkg/describe/
//! describe.go`): `Label:<TAB>value` lines aligned by the describe tab writer
//! (minwidth 0, padding 2), flushed before the Events table.

use super::files::RunDir;
use super::model::{ContainerState, ContainerStatus, Event, Job, Node, Pod, Terminated};
use crate::api::pod::{Container, PodSpec, Probe, Toleration};
use crate::kubectl::duration::{human_duration, translate_timestamp_since, truncate_to_seconds};
use crate::kubectl::tabwriter::TabWriter;
use std::collections::BTreeMap;
use std::fmt::Write;

/// `Mon, 02 Jan 2006 15:04:05 -0700` (RFC 1123 with a numeric zone), in UTC.
pub fn rfc1123z(run: &RunDir, ms: Option<i64>) -> String {
    match ms {
        Some(ms) => run.instant(truncate_to_seconds(ms)).strftime("%a, %d %b %Y %H:%M:%S +0000").to_string(),
        // Go's zero time.
        None => "Mon, 01 Jan 0001 00:00:00 +0000".into(),
    }
}

/// The text before alignment, written level by level (`PrefixWriter`).
#[derive(Default)]
pub(super) struct Out {
    pub(super) text: String,
}

impl Out {
    /// Writes at an indentation level (2 spaces per level).
    pub(super) fn w(&mut self, level: usize, args: std::fmt::Arguments) {
        for _ in 0..level {
            self.text.push_str("  ");
        }
        let _ = self.text.write_fmt(args);
    }
}

macro_rules! w {
    ($out:expr, $level:expr, $($arg:tt)*) => { $out.w($level, format_args!($($arg)*)) };
}
pub(super) use w;

/// The aligned text; the writer is flushed before the Events table.
pub(super) fn finish(out: Out, events: Option<String>) -> String {
    let mut text = TabWriter::describe().render(&out.text);
    if let Some(e) = events {
        text.push_str(&TabWriter::describe().render(&e));
    }
    text
}

pub(super) fn labels_multiline(out: &mut Out, indent: &str, title: &str, labels: &BTreeMap<String, String>) {
    w!(out, 0, "{indent}{title}:\t");
    if labels.is_empty() {
        w!(out, 0, "<none>\n");
        return;
    }
    for (i, (k, v)) in labels.iter().enumerate() {
        if i != 0 {
            w!(out, 0, "{indent}\t");
        }
        w!(out, 0, "{k}={v}\n");
    }
}

/// `printAnnotationsMultiline`: long or multi-line values on their own lines.
pub fn annotations_multiline(indent: &str, title: &str, annotations: &BTreeMap<String, String>) -> String {
    const MAX: usize = 140;
    let mut out = Out::default();
    w!(out, 0, "{indent}{title}:\t");
    let keys: Vec<&String> =
        annotations.keys().filter(|k| *k != "kubectl.kubernetes.io/last-applied-configuration").collect();
    if keys.is_empty() {
        w!(out, 0, "<none>\n");
        return out.text;
    }
    for (i, key) in keys.into_iter().enumerate() {
        if i != 0 {
            w!(out, 0, "{indent}\t");
        }
        let value = annotations[key].strip_suffix('\n').unwrap_or(&annotations[key]);
        if value.len() + key.len() + 2 > MAX || value.contains('\n') {
            w!(out, 0, "{key}:\n");
            for line in value.split('\n') {
                let short = if line.len() > MAX - 2 {
                    format!("{}...", &line[..floor_char(line, MAX - 2)])
                } else {
                    line.into()
                };
                w!(out, 0, "{indent}\t  {short}\n");
            }
        } else {
            w!(out, 0, "{key}: {value}\n");
        }
    }
    out.text
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `printTolerationsMultilineWithIndent`.
pub fn tolerations_multiline(indent: &str, title: &str, tolerations: &[Toleration]) -> String {
    let mut out = Out::default();
    w!(out, 0, "{indent}{title}:\t");
    if tolerations.is_empty() {
        w!(out, 0, "<none>\n");
        return out.text;
    }
    let mut sorted: Vec<&Toleration> = tolerations.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    for (i, t) in sorted.into_iter().enumerate() {
        if i != 0 {
            w!(out, 0, "{indent}\t");
        }
        let key = t.key.as_deref().unwrap_or("");
        let value = t.value.as_deref().unwrap_or("");
        let effect = t.effect.as_deref().unwrap_or("");
        w!(out, 0, "{key}");
        if !value.is_empty() {
            w!(out, 0, "={value}");
        }
        if !effect.is_empty() {
            w!(out, 0, ":{effect}");
        }
        if t.operator.as_deref() == Some("Exists") && value.is_empty() {
            if !key.is_empty() || !effect.is_empty() {
                w!(out, 0, " op=Exists");
            } else {
                w!(out, 0, "op=Exists");
            }
        }
        if let Some(s) = t.toleration_seconds {
            w!(out, 0, " for {s}s");
        }
        w!(out, 0, "\n");
    }
    out.text
}

fn ports(c: &Container, host: bool) -> String {
    let list: Vec<String> = c
        .ports
        .iter()
        .map(|p| {
            let port = if host { p.host_port.unwrap_or(0) } else { p.container_port };
            let mut s = format!("{port}/{}", p.protocol.as_deref().unwrap_or("TCP"));
            if let (false, Some(name)) = (host, &p.name) {
                let _ = write!(s, " ({name})");
            }
            s
        })
        .collect();
    list.join(", ")
}

/// `DescribeProbe` (`staging/src/k8s.io/kubectl/pkg/describe/describe.go`) of kubectl
/// 1.`minor`.
pub fn probe(p: &Probe, minor: u32) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s {}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(1),
        p.period_seconds.unwrap_or(10),
        probe_thresholds(p.success_threshold.unwrap_or(1), p.failure_threshold.unwrap_or(3), minor)
    );
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    if let Some(e) = &p.exec {
        let cmd: Vec<String> = e["command"].as_array().into_iter().flatten().map(text).collect();
        return format!("exec [{}] {attrs}", cmd.join(" "));
    }
    if let Some(h) = &p.http_get {
        let scheme = h["scheme"].as_str().unwrap_or("HTTP").to_ascii_lowercase();
        let (host, port) = (text(&h["host"]), text(&h["port"]));
        let host = if port.is_empty() {
            host
        } else if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        return format!("http-get {scheme}://{host}{} {attrs}", text(&h["path"]));
    }
    if let Some(t) = &p.tcp_socket {
        return format!("tcp-socket {}:{} {attrs}", text(&t["host"]), text(&t["port"]));
    }
    if let Some(g) = &p.grpc {
        return format!("grpc <pod>:{} {} {attrs}", text(&g["port"]), text(&g["service"]));
    }
    format!("unknown {attrs}")
}

/// The thresholds as `DescribeProbe` words them: `#success=1 #failure=3`, unchanged in
/// kubectl from long before 1.31 to 1.36, so the same in every version podsim follows
/// (1.31 to 1.34); kubectl 1.37 spells the fields out (`successThreshold=1
/// failureThreshold=3`, the change of 2026-06-25).
fn probe_thresholds(success: i32, failure: i32, minor: u32) -> String {
    if minor >= 37 {
        format!("successThreshold={success} failureThreshold={failure}")
    } else {
        format!("#success={success} #failure={failure}")
    }
}

fn state_lines(out: &mut Out, run: &RunDir, name: &str, state: &ContainerState) {
    match state {
        ContainerState::Running { started_at } => {
            w!(out, 2, "{name}:\tRunning\n");
            w!(out, 3, "Started:\t{}\n", rfc1123z(run, *started_at));
        }
        ContainerState::Waiting { reason, .. } => {
            w!(out, 2, "{name}:\tWaiting\n");
            if !reason.is_empty() {
                w!(out, 3, "Reason:\t{reason}\n");
            }
        }
        ContainerState::Terminated(t) => terminated_lines(out, run, name, t),
        ContainerState::None => w!(out, 2, "{name}:\tWaiting\n"),
    }
}

fn terminated_lines(out: &mut Out, run: &RunDir, name: &str, t: &Terminated) {
    w!(out, 2, "{name}:\tTerminated\n");
    if !t.reason.is_empty() {
        w!(out, 3, "Reason:\t{}\n", t.reason);
    }
    if !t.message.is_empty() {
        w!(out, 3, "Message:\t{}\n", t.message);
    }
    w!(out, 3, "Exit Code:\t{}\n", t.exit_code);
    if t.signal > 0 {
        w!(out, 3, "Signal:\t{}\n", t.signal);
    }
    w!(out, 3, "Started:\t{}\n", rfc1123z(run, t.started_at));
    w!(out, 3, "Finished:\t{}\n", rfc1123z(run, t.finished_at));
}

/// `describeContainers`: per container in spec order.
fn containers(out: &mut Out, run: &RunDir, label: &str, list: &[Container], statuses: &[ContainerStatus], space: &str) {
    let none = if list.is_empty() { " <none>" } else { "" };
    w!(out, 0, "{space}{label}:{none}\n");
    let name_indent = if space.is_empty() { "" } else { " " };
    for c in list {
        let status = statuses.iter().find(|s| *s.name == *c.name);
        w!(out, 1, "{name_indent}{}:\n", c.name);
        if status.is_some() {
            w!(out, 2, "Container ID:\t\n");
        }
        w!(out, 2, "Image:\t{}\n", c.image.as_deref().unwrap_or(""));
        if status.is_some() {
            w!(out, 2, "Image ID:\t\n");
        }
        for (host, one, many) in [(false, "Port", "Ports"), (true, "Host Port", "Host Ports")] {
            let p = ports(c, host);
            if p.contains(',') {
                w!(out, 2, "{many}:\t{p}\n");
            } else {
                w!(out, 2, "{one}:\t{}\n", if p.is_empty() { "<none>" } else { &p });
            }
        }
        // `describeContainerCommand`: each element, each line of it, on a line.
        for (title, list) in [("Command", &c.command), ("Args", &c.args)] {
            if !list.is_empty() {
                w!(out, 2, "{title}:\n");
            }
            for line in list.iter().flat_map(|a| a.split('\n')) {
                w!(out, 3, "{line}\n");
            }
        }
        if let Some(s) = status {
            state_lines(out, run, "State", &s.state);
            if let Some(t) = &s.last_terminated {
                terminated_lines(out, run, "Last State", t);
            }
            w!(out, 2, "Ready:\t{}\n", if s.ready { "True" } else { "False" });
            w!(out, 2, "Restart Count:\t{}\n", s.restart_count);
        }
        for (title, list) in [("Limits", &c.resources.limits), ("Requests", &c.resources.requests)] {
            if !list.is_empty() {
                w!(out, 2, "{title}:\n");
            }
            for (name, q) in list {
                w!(out, 3, "{name}:\t{}\n", q.canonical());
            }
        }
        for (title, p) in
            [("Liveness", &c.liveness_probe), ("Readiness", &c.readiness_probe), ("Startup", &c.startup_probe)]
        {
            if let Some(p) = p {
                w!(out, 2, "{title}:\t{}\n", probe(p, run.kubernetes_minor));
            }
        }
        if c.env.is_empty() {
            w!(out, 2, "Environment:\t<none>\n");
        } else {
            w!(out, 2, "Environment:\n");
            for e in &c.env {
                let name = e["name"].as_str().unwrap_or("");
                match e["value"].as_str() {
                    Some(v) => {
                        for (i, line) in v.split('\n').enumerate() {
                            if i == 0 {
                                w!(out, 3, "{name}:\t{line}\n");
                            } else {
                                w!(out, 3, "\t{line}\n");
                            }
                        }
                    }
                    None if e["valueFrom"]["fieldRef"].is_object() => {
                        let f = &e["valueFrom"]["fieldRef"];
                        w!(
                            out,
                            3,
                            "{name}:\t ({}:{})\n",
                            f["apiVersion"].as_str().unwrap_or("v1"),
                            f["fieldPath"].as_str().unwrap_or("")
                        );
                    }
                    None => w!(out, 3, "{name}:\t\n"),
                }
            }
        }
        super::describe_storage::mounts(out, c);
    }
}

/// The Events table (`DescribeEvents`), sorted by last time seen.
fn events_table(now: i64, events: &[&Event]) -> Option<String> {
    if events.is_empty() {
        return None;
    }
    let mut sorted = events.to_vec();
    sorted.sort_by_key(|e| (e.last, e.seq));
    let mut out = Out::default();
    w!(out, 0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w!(out, 1, "----\t------\t----\t----\t-------\n");
    for e in sorted {
        let first = translate_timestamp_since(now, Some(e.first));
        let interval = if e.count > 1 {
            format!("{} (x{} over {first})", translate_timestamp_since(now, Some(e.last)), e.count)
        } else {
            first
        };
        let message = e.message.trim();
        let message =
            if e.field_path.is_empty() { message.to_string() } else { format!("{}: {message}", e.field_path) };
        w!(
            out,
            1,
            "{}\t{}\t{interval}\t{}\t{message}\n",
            if e.warning { "Warning" } else { "Normal" },
            e.reason,
            e.component
        );
    }
    Some(out.text)
}

pub(super) fn events_or_none(out: &mut Out, now: i64, events: &[&Event]) -> Option<String> {
    let table = events_table(now, events);
    if table.is_none() {
        w!(out, 0, "Events:\t<none>\n");
    }
    table
}

/// `kubectl describe pod`.
pub fn pod(run: &RunDir, now: i64, p: &Pod, dns: &[String], events: &[&Event]) -> String {
    let mut out = Out::default();
    let spec: &PodSpec = &p.spec;
    let s = &p.status;
    w!(out, 0, "Name:\t{}\n", p.meta.name);
    w!(out, 0, "Namespace:\t{}\n", p.meta.namespace);
    if let Some(pr) = p.priority {
        w!(out, 0, "Priority:\t{pr}\n");
    }
    if let Some(pc) = spec.priority_class_name.as_deref().filter(|s| !s.is_empty()) {
        w!(out, 0, "Priority Class Name:\t{pc}\n");
    }
    match &p.node_name {
        Some(n) => w!(out, 0, "Node:\t{n}/{}\n", s.host_ip),
        None => w!(out, 0, "Node:\t<none>\n"),
    }
    if s.start_time.is_some() {
        w!(out, 0, "Start Time:\t{}\n", rfc1123z(run, s.start_time));
    }
    labels_multiline(&mut out, "", "Labels", &p.meta.labels);
    out.text.push_str(&annotations_multiline("", "Annotations", &p.meta.annotations));
    match (p.meta.deletion, s.phase.as_str()) {
        (Some(d), phase) if phase != "Failed" && phase != "Succeeded" => {
            w!(out, 0, "Status:\tTerminating (lasts {})\n", translate_timestamp_since(now, Some(d)));
            w!(out, 0, "Termination Grace Period:\t{}s\n", p.meta.deletion_grace_seconds.unwrap_or(0));
        }
        _ => w!(out, 0, "Status:\t{}\n", s.phase),
    }
    if !s.reason.is_empty() {
        w!(out, 0, "Reason:\t{}\n", s.reason);
    }
    if !s.message.is_empty() {
        w!(out, 0, "Message:\t{}\n", s.message);
    }
    w!(out, 0, "IP:\t{}\n", s.pod_ips.first().map_or("", |s| s.as_str()));
    // podsim's addition: the names cluster DNS answers for the pod (in the first block,
    // whose labels are longer, so that kubectl's alignment is kept).
    dns_lines(&mut out, dns);
    if s.pod_ips.is_empty() {
        w!(out, 0, "IPs:\t<none>\n");
    } else {
        w!(out, 0, "IPs:\n");
        for ip in &s.pod_ips {
            w!(out, 1, "IP:\t{ip}\n");
        }
    }
    if let Some(o) = &p.meta.owner {
        w!(out, 0, "Controlled By:\t{}/{}\n", o.kind, o.name);
    }
    if !s.nominated_node_name.is_empty() {
        w!(out, 0, "NominatedNodeName:\t{}\n", s.nominated_node_name);
    }
    if !spec.init_containers.is_empty() {
        containers(&mut out, run, "Init Containers", &spec.init_containers, &s.init_container_statuses, "");
    }
    containers(&mut out, run, "Containers", &spec.containers, &s.container_statuses, "");
    if !spec.readiness_gates.is_empty() {
        w!(out, 0, "Readiness Gates:\n  Type\tStatus\n");
        for g in &spec.readiness_gates {
            let status = p.condition(&g.condition_type).map_or("<none>", |c| c.status.as_str());
            w!(out, 1, "{} \t{status} \n", g.condition_type);
        }
    }
    if !s.conditions.is_empty() {
        w!(out, 0, "Conditions:\n  Type\tStatus\n");
        for c in &s.conditions {
            w!(out, 1, "{} \t{} \n", c.kind, c.status);
        }
    }
    super::describe_storage::volumes(&mut out, &spec.volumes, "");
    w!(out, 0, "QoS Class:\t{}\n", s.qos_class);
    labels_multiline(&mut out, "", "Node-Selectors", &spec.node_selector);
    out.text.push_str(&tolerations_multiline("", "Tolerations", &spec.tolerations));
    if !spec.topology_spread_constraints.is_empty() {
        let mut lines: Vec<String> = spec
            .topology_spread_constraints
            .iter()
            .map(|t| {
                let mut l =
                    format!("{}:{} when max skew {} is exceeded", t.topology_key, t.when_unsatisfiable, t.max_skew);
                if t.label_selector.is_some() {
                    let _ =
                        write!(l, " for selector {}", crate::labels::format_label_selector(t.label_selector.as_ref()));
                }
                l
            })
            .collect();
        lines.sort();
        w!(out, 0, "Topology Spread Constraints:\t{}\n", lines.join("\n\t"));
    }
    let events = events_or_none(&mut out, now, events);
    finish(out, events)
}

/// `DNS Names:` (podsim's line, not kubectl's), one name a line.
fn dns_lines(out: &mut Out, names: &[String]) {
    for (i, name) in names.iter().enumerate() {
        let label = if i == 0 { "DNS Names:" } else { "" };
        w!(out, 0, "{label}\t{name}\n");
    }
}

/// `kubectl describe service` (`describeService`), with the names cluster DNS answers
/// (podsim's `DNS Names:` line).
pub fn service(
    now: i64,
    v: &super::services::ServiceView,
    slices: &[&super::replay::SliceState],
    events: &[&Event],
) -> String {
    let mut out = Out::default();
    let spec = &v.api.spec;
    w!(out, 0, "Name:\t{}\n", v.meta.name);
    w!(out, 0, "Namespace:\t{}\n", v.meta.namespace);
    labels_multiline(&mut out, "", "Labels", &v.meta.labels);
    out.text.push_str(&annotations_multiline("", "Annotations", &v.meta.annotations));
    w!(out, 0, "Selector:\t{}\n", crate::labels::format_labels(spec.selector.as_ref().unwrap_or(&BTreeMap::new())));
    w!(out, 0, "Type:\t{}\n", v.api.type_());
    if let Some(p) = &spec.ip_family_policy {
        w!(out, 0, "IP Family Policy:\t{p}\n");
    }
    if spec.ip_families.is_empty() {
        w!(out, 0, "IP Families:\t<none>\n");
    } else {
        w!(out, 0, "IP Families:\t{}\n", spec.ip_families.join(","));
    }
    w!(out, 0, "IP:\t{}\n", spec.cluster_ip.as_deref().unwrap_or(""));
    if spec.cluster_ips.is_empty() {
        w!(out, 0, "IPs:\t<none>\n");
    } else {
        w!(out, 0, "IPs:\t{}\n", spec.cluster_ips.join(","));
    }
    if !spec.external_ips.is_empty() {
        w!(out, 0, "External IPs:\t{}\n", spec.external_ips.join(","));
    }
    if let Some(name) = spec.external_name.as_deref().filter(|n| !n.is_empty()) {
        w!(out, 0, "External Name:\t{name}\n");
    }
    for sp in &spec.ports {
        let name = sp.name.as_deref().filter(|n| !n.is_empty()).unwrap_or("<unset>");
        let protocol = sp.protocol.as_deref().unwrap_or("TCP");
        w!(out, 0, "Port:\t{name}\t{}/{protocol}\n", sp.port);
        let target = sp.target_port.as_ref().map_or_else(|| sp.port.to_string(), |t| t.to_string());
        w!(out, 0, "TargetPort:\t{target}/{protocol}\n");
        if let Some(app) = &sp.app_protocol {
            w!(out, 0, "AppProtocol:\t{app}\n");
        }
        if let Some(n) = sp.node_port.filter(|n| *n != 0) {
            w!(out, 0, "NodePort:\t{name}\t{n}/{protocol}\n");
        }
        w!(out, 0, "Endpoints:\t{}\n", format_endpoint_slices(slices, sp.name.as_deref().unwrap_or("")));
    }
    w!(out, 0, "Session Affinity:\t{}\n", spec.session_affinity.as_deref().unwrap_or(""));
    if let Some(p) = &spec.external_traffic_policy {
        w!(out, 0, "External Traffic Policy:\t{p}\n");
    }
    if let Some(p) = &spec.internal_traffic_policy {
        w!(out, 0, "Internal Traffic Policy:\t{p}\n");
    }
    dns_lines(&mut out, &super::services::service_dns(&v.api, slices));
    let events = events_or_none(&mut out, now, events);
    finish(out, events)
}

/// `formatEndpointSlices` for one Service port (by name): the ready endpoints'
/// `address:port`, at most three then `+ N more...`; `<none>` without slices.
fn format_endpoint_slices(slices: &[&super::replay::SliceState], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".into();
    }
    let (max, mut more, mut count) = (3, false, 0);
    let mut list: Vec<String> = Vec::new();
    for s in slices {
        if s.ports.is_empty() {
            for e in &s.endpoints {
                if list.len() == max {
                    more = true;
                }
                if !e.ready {
                    continue;
                }
                if !more {
                    list.push(e.ip.clone());
                }
                count += 1;
            }
            continue;
        }
        for p in s.ports.iter().filter(|p| p.name == port_name) {
            for e in &s.endpoints {
                if list.len() == max {
                    more = true;
                }
                if !e.ready {
                    continue;
                }
                if !more {
                    list.push(format!("{}:{}", e.ip, p.port.unwrap_or(0)));
                }
                count += 1;
            }
        }
    }
    let joined = list.join(",");
    if more { format!("{joined} + {} more...", count - max) } else { joined }
}

/// `kubectl describe endpointslice` (`describeEndpointSliceV1`).
pub fn endpoint_slice(now: i64, v: &super::services::SliceView, events: &[&Event]) -> String {
    let mut out = Out::default();
    let s = &v.slice;
    w!(out, 0, "Name:\t{}\n", v.meta.name);
    w!(out, 0, "Namespace:\t{}\n", v.meta.namespace);
    labels_multiline(&mut out, "", "Labels", &v.meta.labels);
    out.text.push_str(&annotations_multiline("", "Annotations", &v.meta.annotations));
    w!(out, 0, "AddressType:\tIPv4\n");
    if s.ports.is_empty() {
        w!(out, 0, "Ports: <unset>\n");
    } else {
        w!(out, 0, "Ports:\n");
        w!(out, 1, "Name\tPort\tProtocol\n");
        w!(out, 1, "----\t----\t--------\n");
        for p in &s.ports {
            let name = if p.name.is_empty() { "<unset>" } else { p.name.as_str() };
            let port = p.port.map_or_else(|| "<unset>".to_string(), |n| n.to_string());
            w!(out, 1, "{name}\t{port}\t{}\n", p.protocol);
        }
    }
    if s.endpoints.is_empty() {
        w!(out, 0, "Endpoints: <none>\n");
    } else {
        w!(out, 0, "Endpoints:\n");
        for e in &s.endpoints {
            w!(out, 1, "- Addresses:\t{}\n", e.ip);
            w!(out, 2, "Conditions:\n");
            w!(out, 3, "Ready:\t{}\n", e.ready);
            w!(out, 2, "Hostname:\t{}\n", e.hostname.as_deref().unwrap_or("<unset>"));
            w!(out, 2, "TargetRef:\tPod/{}\n", e.pod);
            w!(out, 2, "NodeName:\t{}\n", e.node);
            w!(out, 2, "Zone:\t{}\n", e.zone.as_deref().unwrap_or("<unset>"));
        }
    }
    let events = events_or_none(&mut out, now, events);
    finish(out, events)
}

/// `kubectl describe node`. `pods`: the node's non-terminated pods.
pub fn node(run: &RunDir, now: i64, n: &Node, pods: &[Pod], events: &[&Event]) -> String {
    let mut out = Out::default();
    w!(out, 0, "Name:\t{}\n", n.meta.name);
    w!(out, 0, "Roles:\t{}\n", super::nodes::roles(&n.meta.labels));
    labels_multiline(&mut out, "", "Labels", &n.meta.labels);
    out.text.push_str(&annotations_multiline("", "Annotations", &n.meta.annotations));
    w!(out, 0, "CreationTimestamp:\t{}\n", rfc1123z(run, n.meta.created));
    w!(out, 0, "Taints:\t");
    if n.taints.is_empty() {
        w!(out, 0, "<none>\n");
    }
    let mut taints: Vec<&crate::api::node::Taint> = n.taints.iter().collect();
    taints.sort_by(|a, b| (&a.effect, &a.key).cmp(&(&b.effect, &b.key)));
    for (i, t) in taints.into_iter().enumerate() {
        if i != 0 {
            w!(out, 0, "\t");
        }
        match t.value.as_deref().filter(|v| !v.is_empty()) {
            Some(v) => w!(out, 0, "{}={v}:{}\n", t.key, t.effect),
            None => w!(out, 0, "{}:{}\n", t.key, t.effect),
        }
    }
    w!(out, 0, "Unschedulable:\t{}\n", n.unschedulable);
    let ready = n.conditions.iter().find(|c| c.kind == "Ready");
    w!(out, 0, "Lease:\n");
    w!(out, 1, "HolderIdentity:\t{}\n", n.meta.name);
    w!(out, 1, "AcquireTime:\t<unset>\n");
    w!(out, 1, "RenewTime:\t{}\n", rfc1123z(run, ready.and_then(|c| c.last_heartbeat)));
    if !n.conditions.is_empty() {
        w!(out, 0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
        w!(out, 1, "----\t------\t-----------------\t------------------\t------\t-------\n");
        for c in &n.conditions {
            w!(
                out,
                1,
                "{} \t{} \t{} \t{} \t{} \t{}\n",
                c.kind,
                c.status,
                rfc1123z(run, c.last_heartbeat),
                rfc1123z(run, c.last_transition),
                c.reason,
                c.message
            );
        }
    }
    w!(out, 0, "Addresses:\n");
    for a in &n.addresses {
        w!(out, 1, "{}:\t{}\n", a.kind, a.address);
    }
    for (title, list) in [("Capacity", &n.capacity), ("Allocatable", &n.allocatable)] {
        if !list.is_empty() {
            w!(out, 0, "{title}:\n");
            for (k, v) in list {
                w!(out, 0, "  {k}:\t{v}\n");
            }
        }
    }
    let info = |k: &str| n.node_info.get(k).cloned().unwrap_or_default();
    w!(out, 0, "System Info:\n");
    for (label, key) in [
        ("Machine ID", "machineID"),
        ("System UUID", "systemUUID"),
        ("Boot ID", "bootID"),
        ("Kernel Version", "kernelVersion"),
        ("OS Image", "osImage"),
        ("Operating System", "operatingSystem"),
        ("Architecture", "architecture"),
        ("Container Runtime Version", "containerRuntimeVersion"),
        ("Kubelet Version", "kubeletVersion"),
    ] {
        w!(out, 0, "  {label}:\t{}\n", info(key));
    }
    if let Some(cidr) = &n.pod_cidr {
        w!(out, 0, "PodCIDR:\t{cidr}\n");
        w!(out, 0, "PodCIDRs:\t{cidr}\n");
    }
    node_resources(&mut out, now, n, pods);
    let events = events_or_none(&mut out, now, events);
    finish(out, events)
}

/// `describeNodeResource`: the node's pods with their requests and limits, then the
/// totals against allocatable.
fn node_resources(out: &mut Out, now: i64, n: &Node, pods: &[Pod]) {
    use crate::api::Quantity;
    let alloc = if n.allocatable.is_empty() { &n.capacity } else { &n.allocatable };
    let total = |name: &str, milli: bool| {
        alloc
            .get(name)
            .and_then(|q| Quantity::parse(q).ok())
            .map_or(0, |q| if milli { q.milli_value() } else { q.value() })
    };
    let (cpu_alloc, mem_alloc, eph_alloc) =
        (total("cpu", true), total("memory", false), total("ephemeral-storage", false));
    let pct = |v: i64, of: i64| if of == 0 { 0 } else { (v as f64 / of as f64 * 100.0) as i64 };
    w!(out, 0, "Non-terminated Pods:\t({} in total)\n", pods.len());
    w!(out, 1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
    w!(out, 1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
    let mut sums: BTreeMap<String, (Quantity, Quantity)> = BTreeMap::new();
    for p in pods {
        let (req, lim) = requests_and_limits(&p.spec);
        let get = |l: &BTreeMap<String, Quantity>, k: &str| l.get(k).cloned().unwrap_or_else(Quantity::zero);
        let (cr, cl, mr, ml) = (get(&req, "cpu"), get(&lim, "cpu"), get(&req, "memory"), get(&lim, "memory"));
        w!(
            out,
            1,
            "{}\t{}\t\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{}\n",
            p.meta.namespace,
            p.meta.name,
            cr.canonical(),
            pct(cr.milli_value(), cpu_alloc),
            cl.canonical(),
            pct(cl.milli_value(), cpu_alloc),
            mr.canonical(),
            pct(mr.value(), mem_alloc),
            ml.canonical(),
            pct(ml.value(), mem_alloc),
            translate_timestamp_since(now, p.meta.created)
        );
        for (name, q) in &req {
            let e = sums.entry(name.clone()).or_insert_with(|| (Quantity::zero(), Quantity::zero()));
            e.0 = add(&e.0, q);
        }
        for (name, q) in &lim {
            let e = sums.entry(name.clone()).or_insert_with(|| (Quantity::zero(), Quantity::zero()));
            e.1 = add(&e.1, q);
        }
    }
    w!(out, 0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
    w!(out, 1, "Resource\tRequests\tLimits\n");
    w!(out, 1, "--------\t--------\t------\n");
    let zero = (Quantity::zero(), Quantity::zero());
    for (name, of, milli) in
        [("cpu", cpu_alloc, true), ("memory", mem_alloc, false), ("ephemeral-storage", eph_alloc, false)]
    {
        let (r, l) = sums.get(name).unwrap_or(&zero);
        let v = |q: &Quantity| if milli { q.milli_value() } else { q.value() };
        w!(out, 1, "{name}\t{} ({}%)\t{} ({}%)\n", r.canonical(), pct(v(r), of), l.canonical(), pct(v(l), of));
    }
    for name in alloc.keys() {
        let standard = matches!(name.as_str(), "cpu" | "memory" | "ephemeral-storage" | "pods" | "storage");
        if standard || name.starts_with("hugepages-") {
            continue;
        }
        let (r, l) = sums.get(name).unwrap_or(&zero);
        w!(out, 1, "{name}\t{}\t{}\n", r.canonical(), l.canonical());
    }
}

/// `Quantity.Add`: the sum keeps the format of the first operand (of the second when
/// the first is the zero it started from).
fn add(a: &crate::api::Quantity, b: &crate::api::Quantity) -> crate::api::Quantity {
    let format = if a.is_zero() { b.format() } else { a.format() };
    crate::api::Quantity::new_milli(a.milli_value() + b.milli_value(), format)
}

/// `PodRequestsAndLimits`: the pod's effective requests (sidecar-aware) and limits.
fn requests_and_limits(
    spec: &PodSpec,
) -> (BTreeMap<String, crate::api::Quantity>, BTreeMap<String, crate::api::Quantity>) {
    use crate::api::Quantity;
    let mut out = (BTreeMap::new(), BTreeMap::new());
    for (which, pick) in [(0usize, true), (1, false)] {
        let of = |c: &Container| -> BTreeMap<String, Quantity> {
            let list = if pick { &c.resources.requests } else { &c.resources.limits };
            list.iter().map(|(k, q)| (k.clone(), q.clone())).collect()
        };
        let mut sidecars: BTreeMap<String, Quantity> = BTreeMap::new();
        let mut init_peak: BTreeMap<String, Quantity> = BTreeMap::new();
        let max_into = |acc: &mut BTreeMap<String, Quantity>, v: &BTreeMap<String, Quantity>| {
            for (k, q) in v {
                let e = acc.entry(k.clone()).or_insert_with(Quantity::zero);
                if q.milli_value() > e.milli_value() {
                    *e = q.clone();
                }
            }
        };
        let add_into = |acc: &mut BTreeMap<String, Quantity>, v: &BTreeMap<String, Quantity>| {
            for (k, q) in v {
                let e = acc.entry(k.clone()).or_insert_with(Quantity::zero);
                *e = add(e, q);
            }
        };
        for c in &spec.init_containers {
            if c.is_sidecar() {
                add_into(&mut sidecars, &of(c));
                let s = sidecars.clone();
                max_into(&mut init_peak, &s);
            } else {
                let mut during = of(c);
                add_into(&mut during, &sidecars);
                max_into(&mut init_peak, &during);
            }
        }
        let mut total = sidecars;
        for c in &spec.containers {
            add_into(&mut total, &of(c));
        }
        max_into(&mut total, &init_peak);
        if which == 0 { out.0 = total } else { out.1 = total }
    }
    out
}

/// `kubectl describe job`.
pub fn job(run: &RunDir, now: i64, j: &Job, events: &[&Event]) -> String {
    let mut out = Out::default();
    let spec = &j.spec;
    w!(out, 0, "Name:\t{}\n", j.meta.name);
    w!(out, 0, "Namespace:\t{}\n", j.meta.namespace);
    let selector = crate::labels::label_selector_as_selector(spec.selector.as_ref())
        .map(|s| s.to_string())
        .unwrap_or_else(|e| format!("Failed to get selector: {}", e.message()));
    w!(out, 0, "Selector:\t{selector}\n");
    labels_multiline(&mut out, "", "Labels", &j.meta.labels);
    out.text.push_str(&annotations_multiline("", "Annotations", &j.meta.annotations));
    if let Some(o) = &j.meta.owner {
        w!(out, 0, "Controlled By:\t{}/{}\n", o.kind, o.name);
    }
    if let Some(p) = spec.parallelism {
        w!(out, 0, "Parallelism:\t{p}\n");
    }
    match spec.completions {
        Some(c) => w!(out, 0, "Completions:\t{c}\n"),
        None => w!(out, 0, "Completions:\t<unset>\n"),
    }
    if let Some(m) = &spec.completion_mode {
        w!(out, 0, "Completion Mode:\t{m}\n");
    }
    if let Some(s) = spec.suspend {
        w!(out, 0, "Suspend:\t{s}\n");
    }
    if let Some(b) = spec.backoff_limit {
        w!(out, 0, "Backoff Limit:\t{b}\n");
    }
    if let Some(t) = spec.ttl_seconds_after_finished {
        w!(out, 0, "TTL Seconds After Finished:\t{t}\n");
    }
    if let Some(b) = spec.backoff_limit_per_index {
        w!(out, 0, "Backoff Limit Per Index:\t{b}\n");
    }
    if let Some(m) = spec.max_failed_indexes {
        w!(out, 0, "Max Failed Indexes:\t{m}\n");
    }
    let st = &j.status;
    if st.start_time.is_some() {
        w!(out, 0, "Start Time:\t{}\n", rfc1123z(run, st.start_time));
    }
    if st.completion_time.is_some() {
        w!(out, 0, "Completed At:\t{}\n", rfc1123z(run, st.completion_time));
    }
    if let (Some(s), Some(c)) = (st.start_time, st.completion_time) {
        w!(out, 0, "Duration:\t{}\n", human_duration(truncate_to_seconds(c) - truncate_to_seconds(s)));
    }
    if let Some(a) = spec.active_deadline_seconds {
        w!(out, 0, "Active Deadline Seconds:\t{a}s\n");
    }
    w!(out, 0, "Pods Statuses:\t{} Active / {} Succeeded / {} Failed\n", st.active, st.succeeded, st.failed);
    pod_template(&mut out, run, &spec.template);
    let events = events_or_none(&mut out, now, events);
    finish(out, events)
}

/// `DescribePodTemplate`: the "Pod Template:" section of workloads.
pub(super) fn pod_template(out: &mut Out, run: &RunDir, t: &crate::api::pod::PodTemplateSpec) {
    w!(out, 0, "Pod Template:\n");
    labels_multiline(out, "  ", "Labels", &t.metadata.labels);
    if !t.metadata.annotations.is_empty() {
        out.text.push_str(&annotations_multiline("  ", "Annotations", &t.metadata.annotations));
    }
    if !t.spec.init_containers.is_empty() {
        containers(out, run, "Init Containers", &t.spec.init_containers, &[], "  ");
    }
    containers(out, run, "Containers", &t.spec.containers, &[], "  ");
    super::describe_storage::volumes(out, &t.spec.volumes, "  ");
    if let Some(pc) = t.spec.priority_class_name.as_deref().filter(|s| !s.is_empty()) {
        w!(out, 1, "Priority Class Name:\t{pc}\n");
    }
    labels_multiline(out, "  ", "Node-Selectors", &t.spec.node_selector);
    out.text.push_str(&tolerations_multiline("  ", "Tolerations", &t.spec.tolerations));
}

/// `kubectl describe cronjob` (`describeCronJob`); unset fields show the API server's
/// defaults, as the API returns them.
pub fn cronjob(run: &RunDir, now: i64, c: &super::model::CronJob, events: &[&Event]) -> String {
    let mut out = Out::default();
    let spec = &c.spec;
    w!(out, 0, "Name:\t{}\n", c.meta.name);
    w!(out, 0, "Namespace:\t{}\n", c.meta.namespace);
    labels_multiline(&mut out, "", "Labels", &c.meta.labels);
    out.text.push_str(&annotations_multiline("", "Annotations", &c.meta.annotations));
    w!(out, 0, "Schedule:\t{}\n", spec.schedule);
    w!(out, 0, "Concurrency Policy:\t{}\n", spec.concurrency_policy.as_deref().unwrap_or("Allow"));
    w!(out, 0, "Suspend:\t{}\n", if spec.suspend.unwrap_or(false) { "True" } else { "False" });
    w!(out, 0, "Successful Job History Limit:\t{}\n", spec.successful_jobs_history_limit.unwrap_or(3));
    w!(out, 0, "Failed Job History Limit:\t{}\n", spec.failed_jobs_history_limit.unwrap_or(1));
    match spec.starting_deadline_seconds {
        Some(s) => w!(out, 0, "Starting Deadline Seconds:\t{s}s\n"),
        None => w!(out, 0, "Starting Deadline Seconds:\t<unset>\n"),
    }
    let job = &spec.job_template.spec;
    match crate::labels::label_selector_as_selector(job.selector.as_ref()) {
        Ok(s) if job.selector.is_some() => w!(out, 0, "Selector:\t{s}\n"),
        Err(e) if job.selector.is_some() => w!(out, 0, "Selector:\tFailed to get selector: {}\n", e.message()),
        _ => w!(out, 0, "Selector:\t<unset>\n"),
    }
    match job.parallelism {
        Some(p) => w!(out, 0, "Parallelism:\t{p}\n"),
        None => w!(out, 0, "Parallelism:\t<unset>\n"),
    }
    match job.completions {
        Some(p) => w!(out, 0, "Completions:\t{p}\n"),
        None => w!(out, 0, "Completions:\t<unset>\n"),
    }
    if let Some(a) = job.active_deadline_seconds {
        w!(out, 0, "Active Deadline Seconds:\t{a}s\n");
    }
    pod_template(&mut out, run, &job.template);
    match c.last_schedule {
        Some(t) => w!(out, 0, "Last Schedule Time:\t{}\n", rfc1123z(run, Some(t))),
        None => w!(out, 0, "Last Schedule Time:\t<unset>\n"),
    }
    let active: Vec<&str> = c.active.iter().map(|j| j.name.as_str()).collect();
    w!(out, 0, "Active Jobs:\t{}\n", if active.is_empty() { "<none>".to_string() } else { active.join(", ") });
    let events = events_or_none(&mut out, now, events);
    finish(out, events)
}

/// `kubectl describe daemonset` (`describeDaemonSet`): the status counts, its pods by
/// phase (`getPodStatusForController`), the pod template, the events.
pub fn daemonset(
    run: &RunDir,
    now: i64,
    d: &super::replay::DaemonSetState,
    phases: [u32; 4],
    events: &[&Event],
) -> String {
    let mut out = Out::default();
    w!(out, 0, "Name:\t{}\n", d.api.metadata.name);
    w!(out, 0, "Namespace:\t{}\n", d.api.metadata.namespace());
    w!(out, 0, "Selector:\t{}\n", super::daemonsets::selector_text(d));
    w!(out, 0, "Node-Selector:\t{}\n", super::daemonsets::node_selector(d));
    labels_multiline(&mut out, "", "Labels", &d.api.metadata.labels);
    out.text.push_str(&annotations_multiline("", "Annotations", &d.api.metadata.annotations));
    let s = d.status.as_ref();
    let n = |f: fn(&crate::trace::lines::DaemonSetStatus) -> u32| s.map_or(0, f);
    w!(out, 0, "Desired Number of Nodes Scheduled: {}\n", n(|s| s.desired));
    w!(out, 0, "Current Number of Nodes Scheduled: {}\n", n(|s| s.current));
    w!(out, 0, "Number of Nodes Scheduled with Up-to-date Pods: {}\n", n(|s| s.updated));
    w!(out, 0, "Number of Nodes Scheduled with Available Pods: {}\n", n(|s| s.available));
    w!(out, 0, "Number of Nodes Misscheduled: {}\n", n(|s| s.misscheduled));
    let [running, waiting, succeeded, failed] = phases;
    w!(out, 0, "Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n");
    pod_template(&mut out, run, &d.api.spec.template);
    let events = events_or_none(&mut out, now, events);
    finish(out, events)
}

/// (namespace, name, labels, text) of each object described.
type Found = Vec<(String, String, BTreeMap<String, String>, String)>;

/// The storage objects of the request's kind, described, in list order (namespace, name).
fn describe_storage_objects<'a>(
    state: &super::replay::State,
    req: &DescribeRequest,
    now: i64,
    events_of: &dyn Fn(&str, &str, &str, i64) -> Vec<&'a Event>,
    in_scope: &dyn Fn(&str) -> bool,
    found: &mut Found,
) {
    use super::Resource;
    use super::describe_storage as d;
    match req.resource {
        Resource::PersistentVolumeClaims => {
            for c in state.claims.values().filter(|c| in_scope(c.api.metadata.namespace())) {
                let (ns, name) = (c.api.metadata.namespace(), &c.api.metadata.name);
                // `Used By`: the pods of its namespace whose volumes name it.
                let mut used_by: Vec<String> = state
                    .pods()
                    .filter(|p| &*p.namespace == ns)
                    .filter(|p| {
                        p.spec.volumes.iter().any(|v| {
                            v.persistent_volume_claim.as_ref().is_some_and(|s| s.claim_name == *name)
                                || (v.ephemeral.is_some() && format!("{}-{}", p.name, v.name) == *name)
                        })
                    })
                    .map(|p| p.name.to_string())
                    .collect();
                used_by.sort();
                let text = d::claim(c, &used_by, &events_of("PersistentVolumeClaim", ns, name, c.created), now);
                found.push((ns.to_string(), name.clone(), c.api.metadata.labels.clone(), text));
            }
        }
        Resource::PersistentVolumes => {
            for v in state.volumes.values() {
                let name = &v.api.metadata.name;
                let text = d::volume(v, &events_of("PersistentVolume", "", name, v.created), now);
                found.push((String::new(), name.clone(), v.api.metadata.labels.clone(), text));
            }
        }
        Resource::StorageClasses => {
            for c in state.classes.values() {
                let name = &c.api.metadata.name;
                let text = d::class(c, &events_of("StorageClass", "", name, c.created), now);
                found.push((String::new(), name.clone(), c.api.metadata.labels.clone(), text));
            }
        }
        Resource::ConfigMaps => {
            for c in state.config_maps.values().filter(|c| in_scope(c.api.metadata.namespace())) {
                let (ns, name) = (c.api.metadata.namespace(), &c.api.metadata.name);
                let text = d::config_map(c, &events_of("ConfigMap", ns, name, c.created), now);
                found.push((ns.to_string(), name.clone(), c.api.metadata.labels.clone(), text));
            }
        }
        _ => {
            for s in state.secrets.values().filter(|s| in_scope(s.api.metadata.namespace())) {
                let (ns, name) = (s.api.metadata.namespace(), &s.api.metadata.name);
                found.push((ns.to_string(), name.clone(), s.api.metadata.labels.clone(), d::secret(s)));
            }
        }
    }
    found.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
}

/// `kubectl describe statefulset` (`describeStatefulSet`): replicas desired and in the
/// status, the update strategy, its pods by phase, the pod template, the claim
/// templates, the events.
pub fn statefulset(
    run: &RunDir,
    now: i64,
    s: &super::replay::StatefulSetState,
    phases: [u32; 4],
    events: &[&Event],
) -> String {
    let mut out = Out::default();
    let meta = &s.api.metadata;
    w!(out, 0, "Name:\t{}\n", meta.name);
    w!(out, 0, "Namespace:\t{}\n", meta.namespace());
    w!(out, 0, "CreationTimestamp:\t{}\n", rfc1123z(run, Some(s.created)));
    w!(out, 0, "Selector:\t{}\n", super::statefulsets::selector_text(s));
    labels_multiline(&mut out, "", "Labels", &meta.labels);
    out.text.push_str(&annotations_multiline("", "Annotations", &meta.annotations));
    let total = s.status.as_ref().map_or(0, |x| x.replicas);
    w!(out, 0, "Replicas:\t{} desired | {total} total\n", super::statefulsets::replicas(s));
    let strategy = s.api.spec.update_strategy.as_ref();
    w!(out, 0, "Update Strategy:\t{}\n", strategy.and_then(|x| x.type_.as_deref()).unwrap_or(""));
    if let Some(partition) = strategy.and_then(|x| x.rolling_update.as_ref()).and_then(|r| r.partition.map(|p| (p, r)))
    {
        let (p, r) = partition;
        w!(out, 1, "Partition:\t{p}\n");
        if let Some(max) = &r.max_unavailable {
            w!(out, 1, "MaxUnavailable:\t{max}\n");
        }
    }
    let [running, waiting, succeeded, failed] = phases;
    w!(out, 0, "Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n");
    pod_template(&mut out, run, &s.api.spec.template);
    volume_claim_templates(&mut out, &s.api.spec.volume_claim_templates);
    let events = events_or_none(&mut out, now, events);
    finish(out, events)
}

/// `describeVolumeClaimTemplates`: each claim template's name, class, labels,
/// annotations, requested storage and access modes.
fn volume_claim_templates(out: &mut Out, templates: &[crate::api::statefulset::ClaimTemplate]) {
    if templates.is_empty() {
        w!(out, 0, "Volume Claims:\t<none>\n");
        return;
    }
    w!(out, 0, "Volume Claims:\n");
    for t in templates {
        // `GetPersistentVolumeClaimClass`: the beta annotation, else storageClassName.
        w!(out, 1, "Name:\t{}\n", t.metadata.name);
        w!(out, 1, "StorageClass:\t{}\n", t.class());
        labels_multiline(out, "  ", "Labels", &t.metadata.labels);
        labels_multiline(out, "  ", "Annotations", &t.metadata.annotations);
        match t.spec.storage_request() {
            Some(q) => w!(out, 1, "Capacity:\t{q}\n"),
            None => w!(out, 1, "Capacity:\t<default>\n"),
        }
        // Go's `%s` of a slice of modes: `[ReadWriteOnce ReadOnlyMany]`.
        w!(out, 1, "Access Modes:\t[{}]\n", t.spec.access_modes.join(" "));
    }
}

/// What to describe.
#[derive(Clone, Debug)]
pub struct DescribeRequest {
    pub resource: super::Resource,
    /// Names, or name prefixes (kubectl describes every object whose name starts with
    /// the argument when none has exactly that name); none: every object.
    pub names: Vec<String>,
    pub namespace: String,
    pub all_namespaces: bool,
    pub selector: Option<crate::labels::Selector>,
    pub at: i64,
}

/// `kubectl describe poddisruptionbudget` (`describePodDisruptionBudgetV1`): the policy
/// set (min available, else max unavailable), the selector and the status counts.
pub fn budget(b: &super::replay::BudgetState, events: &[&Event], now: i64) -> String {
    let mut out = Out::default();
    let spec = &b.api.spec;
    w!(out, 0, "Name:\t{}\n", b.api.metadata.name);
    w!(out, 0, "Namespace:\t{}\n", b.api.metadata.namespace());
    if let Some(v) = &spec.min_available {
        w!(out, 0, "Min available:\t{}\n", super::budgets::int_or_string(v));
    } else if let Some(v) = &spec.max_unavailable {
        w!(out, 0, "Max unavailable:\t{}\n", super::budgets::int_or_string(v));
    }
    match &spec.selector {
        Some(sel) => w!(out, 0, "Selector:\t{}\n", crate::labels::format_label_selector(Some(sel))),
        None => w!(out, 0, "Selector:\t<unset>\n"),
    }
    w!(out, 0, "Status:\n");
    w!(out, 2, "Allowed disruptions:\t{}\n", b.disruptions_allowed);
    w!(out, 2, "Current:\t{}\n", b.current_healthy);
    w!(out, 2, "Desired:\t{}\n", b.desired_healthy);
    w!(out, 2, "Total:\t{}\n", b.expected_pods);
    let events = events_or_none(&mut out, now, events);
    finish(out, events)
}

/// `getPodStatusForController`: per controller of `kind` (by uid), how many of the
/// pods it controls are Running, Pending, Succeeded and Failed.
fn controller_pod_phases(state: &super::replay::State, kind: &str) -> BTreeMap<u64, super::apps::PodPhases> {
    let mut phases: BTreeMap<u64, super::apps::PodPhases> = BTreeMap::new();
    for p in state.pods() {
        let Some(o) = p.owner.as_ref().filter(|o| o.kind == kind) else { continue };
        let slot = match p.phase {
            "Running" => 0,
            "Pending" => 1,
            "Succeeded" => 2,
            "Failed" => 3,
            _ => continue,
        };
        phases.entry(o.uid).or_default()[slot] += 1;
    }
    phases
}

/// Describes the objects asked for; their texts are separated by an empty line.
pub fn describe(run: &RunDir, req: &DescribeRequest) -> Result<super::get::Printed, super::ViewError> {
    use super::Resource;
    use super::replay::{Want, replay};
    let now = req.at;
    let events = super::events::load(run, now)?;
    let events_of = |kind: &str, ns: &str, name: &str, since: i64| -> Vec<&Event> {
        events
            .iter()
            .filter(|e| e.kind == kind && e.object == name && (kind == "Node" || e.namespace == ns) && e.last >= since)
            .collect()
    };
    let in_scope = |ns: &str| req.all_namespaces || ns == req.namespace;
    // (namespace, name, labels, text), in list order.
    let mut found: Vec<(String, String, BTreeMap<String, String>, String)> = Vec::new();
    match req.resource {
        Resource::Pods => {
            let state = replay(run, now, Want { pods: true, services: true, history: true, ..Default::default() })?;
            let all = super::events::load_all(run, now)?;
            let mut list: Vec<&super::replay::PodState> = state.pods().filter(|p| in_scope(&p.namespace)).collect();
            list.sort_by(|a, b| (&*a.namespace, &*a.name).cmp(&(&*b.namespace, &*b.name)));
            for p in list {
                let unschedulable = if p.bound_at.is_none() {
                    super::events::unschedulable(&all, &p.namespace, &p.name, p.created)
                } else {
                    None
                };
                let pod = super::pods::to_api(&state, p, unschedulable);
                let dns = super::services::pod_dns(&state, p);
                let text = self::pod(run, now, &pod, &dns, &events_of("Pod", &p.namespace, &p.name, p.created));
                found.push((p.namespace.to_string(), p.name.to_string(), pod.meta.labels, text));
            }
        }
        Resource::Nodes => {
            let state = replay(run, now, Want { pods: true, nodes: true, history: true, ..Default::default() })?;
            for n in state.nodes.values() {
                let node = super::nodes::to_api(n, now);
                let mut pods: Vec<Pod> = state
                    .pods()
                    .filter(|p| {
                        p.node.as_deref() == Some(n.name.as_str()) && !matches!(p.phase, "Succeeded" | "Failed")
                    })
                    .map(|p| super::pods::to_api(&state, p, None))
                    .collect();
                pods.sort_by(|a, b| (&a.meta.namespace, &a.meta.name).cmp(&(&b.meta.namespace, &b.meta.name)));
                let text = self::node(run, now, &node, &pods, &events_of("Node", "", &n.name, n.created));
                found.push((String::new(), n.name.clone(), node.meta.labels, text));
            }
        }
        Resource::Jobs => {
            let state = replay(run, now, Want { jobs: true, history: true, ..Default::default() })?;
            let mut list: Vec<&super::replay::JobState> = state.jobs().filter(|j| in_scope(&j.namespace)).collect();
            list.sort_by(|a, b| (&*a.namespace, &a.name).cmp(&(&*b.namespace, &b.name)));
            for j in list {
                let job = super::jobs::job_to_api(state.uids, j);
                let text = self::job(run, now, &job, &events_of("Job", &j.namespace, &j.name, j.created));
                found.push((j.namespace.to_string(), j.name.clone(), job.meta.labels, text));
            }
        }
        Resource::CronJobs => {
            let state = replay(run, now, Want { jobs: true, cronjobs: true, history: true, ..Default::default() })?;
            let mut list: Vec<super::model::CronJob> = state
                .cronjobs()
                .map(|c| super::jobs::cronjob_to_api(&state, c))
                .filter(|c| in_scope(&c.meta.namespace))
                .collect();
            list.sort_by(|a, b| (&a.meta.namespace, &a.meta.name).cmp(&(&b.meta.namespace, &b.meta.name)));
            for c in list {
                let created = c.meta.created.unwrap_or(0);
                let text = self::cronjob(run, now, &c, &events_of("CronJob", &c.meta.namespace, &c.meta.name, created));
                found.push((c.meta.namespace.clone(), c.meta.name.clone(), c.meta.labels.clone(), text));
            }
        }
        Resource::Services | Resource::EndpointSlices => {
            let state = replay(run, now, Want { services: true, ..Default::default() })?;
            if req.resource == Resource::Services {
                let mut list: Vec<&super::replay::ServiceState> =
                    state.services.values().filter(|s| in_scope(s.api.metadata.namespace())).collect();
                list.sort_by(|a, b| {
                    (a.api.metadata.namespace(), &a.api.metadata.name)
                        .cmp(&(b.api.metadata.namespace(), &b.api.metadata.name))
                });
                for svc in list {
                    let v = super::services::service_to_api(state.uids, svc);
                    let slices = super::services::slices_of(&state, svc);
                    let evs = events_of("Service", &v.meta.namespace, &v.meta.name, svc.created);
                    let text = self::service(now, &v, &slices, &evs);
                    found.push((v.meta.namespace.clone(), v.meta.name.clone(), v.meta.labels, text));
                }
            } else {
                let mut list: Vec<&super::replay::SliceState> =
                    state.slices.values().filter(|s| in_scope(&s.namespace)).collect();
                list.sort_by(|a, b| (&*a.namespace, &a.name).cmp(&(&*b.namespace, &b.name)));
                for sl in list {
                    let trigger = super::yaml::timestamp_text(run, sl.updated);
                    let v = super::services::slice_to_api(&state, sl, trigger);
                    let evs = events_of("EndpointSlice", &v.meta.namespace, &v.meta.name, sl.created);
                    let text = self::endpoint_slice(now, &v, &evs);
                    found.push((v.meta.namespace.clone(), v.meta.name.clone(), v.meta.labels, text));
                }
            }
        }
        Resource::Deployments => {
            let state = replay(run, now, Want { apps: true, ..Default::default() })?;
            for d in state.deployments.values().filter(|d| in_scope(d.api.metadata.namespace())) {
                let owned: Vec<&super::replay::ReplicaSetState> =
                    state.replicasets.values().filter(|r| r.owner.as_ref().is_some_and(|o| o.uid == d.uid)).collect();
                let (ns, name) = (d.api.metadata.namespace(), &d.api.metadata.name);
                let text = super::apps::describe_deployment(
                    run,
                    now,
                    d,
                    &owned,
                    &events_of("Deployment", ns, name, d.created),
                );
                found.push((ns.to_string(), name.clone(), d.api.metadata.labels.clone(), text));
            }
            found.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        }
        Resource::ReplicaSets => {
            let state = replay(run, now, Want { apps: true, pods: true, ..Default::default() })?;
            let phases = controller_pod_phases(&state, "ReplicaSet");
            for r in state.replicasets.values().filter(|r| in_scope(&r.namespace)) {
                let counts = phases.get(&r.uid).copied().unwrap_or_default();
                let evs = events_of("ReplicaSet", &r.namespace, &r.name, r.created);
                let text = super::apps::describe_replicaset(run, now, r, counts, &evs);
                found.push((r.namespace.to_string(), r.name.clone(), r.labels.clone(), text));
            }
            found.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        }
        Resource::PodDisruptionBudgets => {
            let state = replay(run, now, Want { budgets: true, ..Default::default() })?;
            let mut list: Vec<&super::replay::BudgetState> =
                state.budgets.values().filter(|b| in_scope(b.api.metadata.namespace())).collect();
            list.sort_by(|a, b| {
                (a.api.metadata.namespace(), &a.api.metadata.name)
                    .cmp(&(b.api.metadata.namespace(), &b.api.metadata.name))
            });
            for b in list {
                let meta = &b.api.metadata;
                let evs = events_of("PodDisruptionBudget", meta.namespace(), &meta.name, b.created);
                let text = self::budget(b, &evs, now);
                found.push((meta.namespace().to_string(), meta.name.clone(), meta.labels.clone(), text));
            }
        }
        Resource::DaemonSets => {
            let state = replay(run, now, Want { apps: true, pods: true, ..Default::default() })?;
            let mut list: Vec<&super::replay::DaemonSetState> =
                state.daemonsets.values().filter(|d| in_scope(d.api.metadata.namespace())).collect();
            list.sort_by(|a, b| {
                (a.api.metadata.namespace(), &a.api.metadata.name)
                    .cmp(&(b.api.metadata.namespace(), &b.api.metadata.name))
            });
            let all_phases = controller_pod_phases(&state, "DaemonSet");
            for d in list {
                let phases = all_phases.get(&d.uid).copied().unwrap_or_default();
                let (ns, name) = (d.api.metadata.namespace(), &d.api.metadata.name);
                let text = self::daemonset(run, now, d, phases, &events_of("DaemonSet", ns, name, d.created));
                found.push((ns.to_string(), name.clone(), d.api.metadata.labels.clone(), text));
            }
        }
        Resource::PersistentVolumeClaims
        | Resource::PersistentVolumes
        | Resource::StorageClasses
        | Resource::ConfigMaps
        | Resource::Secrets => {
            let state = replay(run, now, Want { storage: true, pods: true, ..Default::default() })?;
            describe_storage_objects(&state, req, now, &events_of, &in_scope, &mut found);
        }
        Resource::StatefulSets => {
            let state = replay(run, now, Want { apps: true, pods: true, ..Default::default() })?;
            let mut list: Vec<&super::replay::StatefulSetState> =
                state.statefulsets.values().filter(|s| in_scope(s.api.metadata.namespace())).collect();
            list.sort_by(|a, b| {
                (a.api.metadata.namespace(), &a.api.metadata.name)
                    .cmp(&(b.api.metadata.namespace(), &b.api.metadata.name))
            });
            let all_phases = controller_pod_phases(&state, "StatefulSet");
            for s in list {
                let phases = all_phases.get(&s.uid).copied().unwrap_or_default();
                let (ns, name) = (s.api.metadata.namespace(), &s.api.metadata.name);
                let text = self::statefulset(run, now, s, phases, &events_of("StatefulSet", ns, name, s.created));
                found.push((ns.to_string(), name.clone(), s.api.metadata.labels.clone(), text));
            }
        }
        Resource::Events => {
            return Err(super::ViewError::input(format!(
                "describe knows pods, nodes, jobs, cronjobs, deployments, replicasets, daemonsets, \
                 statefulsets, services, endpointslices, poddisruptionbudgets, persistentvolumeclaims, \
                 persistentvolumes, storageclasses, configmaps and secrets, not {}",
                req.resource.plural()
            )));
        }
    }
    let mut texts: Vec<String> = Vec::new();
    let mut not_found = Vec::new();
    if req.names.is_empty() {
        texts = found
            .into_iter()
            .filter(|(_, _, labels, _)| req.selector.as_ref().is_none_or(|s| s.matches(labels)))
            .map(|f| f.3)
            .collect();
    } else {
        for name in &req.names {
            let exact: Vec<&String> = found.iter().filter(|f| &f.1 == name).map(|f| &f.3).collect();
            let chosen = if exact.is_empty() {
                found.iter().filter(|f| f.1.starts_with(name.as_str())).map(|f| &f.3).collect()
            } else {
                exact
            };
            if chosen.is_empty() {
                not_found.push(req.resource.not_found(name));
            }
            texts.extend(chosen.into_iter().cloned());
        }
    }
    let mut out = super::get::Printed { stdout: texts.join("\n\n"), not_found, ..Default::default() };
    if texts.is_empty() && req.names.is_empty() {
        out.stderr = if req.resource.namespaced() && !req.all_namespaces {
            format!("No resources found in {} namespace.\n", req.namespace)
        } else {
            "No resources found\n".to_string()
        };
    }
    Ok(out)
}
