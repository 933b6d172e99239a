//! `-o yaml` and `-o json`: the objects as the API server returns them, printed as
//! kubectl prints them. kubectl turns the object into JSON (keys sorted: it holds an
//! unstructured map), then `-o json` indents it by 4 spaces and `-o yaml` converts it
//! with go-yaml v2 (`sigs.k8s.io/yaml`), whose scalar styles and 80-column folding
//! `to_yaml` reproduces.

use super::files::RunDir;
use super::model::{Condition, ContainerState, ContainerStatus, CronJob, Event, Job, Meta, Node, Pod, Terminated};
use crate::kubectl::duration::truncate_to_seconds;
use serde_json::{Map, Value, json};

/// A `metav1.Time`: RFC 3339 in UTC, whole seconds.
pub fn timestamp(run: &RunDir, ms: i64) -> Value {
    Value::String(timestamp_text(run, ms))
}

pub fn timestamp_text(run: &RunDir, ms: i64) -> String {
    run.instant(truncate_to_seconds(ms)).strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A Service: the stored object (defaults, ClusterIP, node ports) and an empty
/// `status.loadBalancer` (no load balancer is provisioned).
pub fn service(run: &RunDir, v: &super::services::ServiceView) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(run, &v.meta, true),
        "spec": serde_json::to_value(&v.api.spec).expect("a service spec serializes"),
        "status": { "loadBalancer": {} },
    })
}

/// An EndpointSlice (`discovery.k8s.io/v1`).
pub fn endpoint_slice(run: &RunDir, v: &super::services::SliceView) -> Value {
    let s = &v.slice;
    let endpoints: Vec<Value> = s
        .endpoints
        .iter()
        .map(|e| {
            let mut m = Map::new();
            m.insert("addresses".into(), json!([e.ip]));
            m.insert(
                "conditions".into(),
                json!({ "ready": e.ready, "serving": e.serving, "terminating": e.terminating }),
            );
            insert_opt(&mut m, "hostname", e.hostname.as_deref().map(|h| Value::String(h.into())));
            m.insert("nodeName".into(), Value::String(e.node.clone()));
            m.insert(
                "targetRef".into(),
                json!({ "kind": "Pod", "name": e.pod, "namespace": s.namespace.to_string(), "uid": super::replay::Uids(run.seed).pod(e.pod_uid) }),
            );
            insert_opt(&mut m, "zone", e.zone.as_deref().map(|z| Value::String(z.into())));
            Value::Object(m)
        })
        .collect();
    let ports: Vec<Value> = s
        .ports
        .iter()
        .map(|p| {
            let mut m = Map::new();
            m.insert("name".into(), Value::String(p.name.clone()));
            insert_opt(&mut m, "port", p.port.map(Value::from));
            m.insert("protocol".into(), Value::String(p.protocol.clone()));
            insert_opt(&mut m, "appProtocol", p.app_protocol.as_deref().map(|a| Value::String(a.into())));
            Value::Object(m)
        })
        .collect();
    let mut out = Map::new();
    out.insert("addressType".into(), Value::String("IPv4".into()));
    out.insert("apiVersion".into(), Value::String("discovery.k8s.io/v1".into()));
    // Null when empty: the controller stores `[]` only for the placeholder's ports.
    out.insert("endpoints".into(), if endpoints.is_empty() { Value::Null } else { Value::Array(endpoints) });
    out.insert("kind".into(), Value::String("EndpointSlice".into()));
    out.insert("metadata".into(), meta(run, &v.meta, true));
    out.insert("ports".into(), if ports.is_empty() { Value::Null } else { Value::Array(ports) });
    Value::Object(out)
}

fn insert_opt(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        map.insert(key.into(), v);
    }
}

fn nonempty(s: &str) -> Option<Value> {
    (!s.is_empty()).then(|| Value::String(s.into()))
}

fn string_map(m: &std::collections::BTreeMap<String, String>) -> Option<Value> {
    (!m.is_empty()).then(|| serde_json::to_value(m).expect("a string map"))
}

fn meta(run: &RunDir, m: &Meta, namespaced: bool) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), Value::String(m.name.clone()));
    if namespaced {
        out.insert("namespace".into(), Value::String(m.namespace.clone()));
    }
    insert_opt(&mut out, "uid", nonempty(&m.uid));
    insert_opt(&mut out, "generateName", m.generate_name.as_deref().and_then(nonempty));
    insert_opt(&mut out, "labels", string_map(&m.labels));
    insert_opt(&mut out, "annotations", string_map(&m.annotations));
    insert_opt(&mut out, "creationTimestamp", m.created.map(|t| timestamp(run, t)));
    insert_opt(&mut out, "deletionTimestamp", m.deletion.map(|t| timestamp(run, t)));
    insert_opt(&mut out, "deletionGracePeriodSeconds", m.deletion_grace_seconds.map(Value::from));
    if let Some(o) = &m.owner {
        out.insert(
            "ownerReferences".into(),
            json!([{
                "apiVersion": o.api_version,
                "blockOwnerDeletion": true,
                "controller": true,
                "kind": o.kind,
                "name": o.name,
                "uid": o.uid,
            }]),
        );
    }
    Value::Object(out)
}

fn condition(run: &RunDir, c: &Condition, probe: bool) -> Value {
    let mut out = Map::new();
    out.insert("type".into(), Value::String(c.kind.clone()));
    out.insert("status".into(), Value::String(c.status.clone()));
    insert_opt(&mut out, "reason", nonempty(&c.reason));
    insert_opt(&mut out, "message", nonempty(&c.message));
    insert_opt(&mut out, "lastTransitionTime", c.last_transition.map(|t| timestamp(run, t)));
    if probe {
        out.insert("lastProbeTime".into(), Value::Null);
    }
    insert_opt(&mut out, "lastHeartbeatTime", c.last_heartbeat.filter(|_| !probe).map(|t| timestamp(run, t)));
    Value::Object(out)
}

fn terminated(run: &RunDir, t: &Terminated) -> Value {
    let mut out = Map::new();
    out.insert("exitCode".into(), Value::from(t.exit_code));
    if t.signal != 0 {
        out.insert("signal".into(), Value::from(t.signal));
    }
    insert_opt(&mut out, "reason", nonempty(&t.reason));
    insert_opt(&mut out, "message", nonempty(&t.message));
    insert_opt(&mut out, "startedAt", Some(t.started_at.map_or(Value::Null, |s| timestamp(run, s))));
    insert_opt(&mut out, "finishedAt", Some(t.finished_at.map_or(Value::Null, |s| timestamp(run, s))));
    Value::Object(out)
}

fn container_status(run: &RunDir, c: &ContainerStatus) -> Value {
    let state = match &c.state {
        ContainerState::None => json!({}),
        ContainerState::Waiting { reason, message } => {
            let mut w = Map::new();
            insert_opt(&mut w, "reason", nonempty(reason));
            insert_opt(&mut w, "message", nonempty(message));
            json!({ "waiting": w })
        }
        ContainerState::Running { started_at } => {
            json!({ "running": { "startedAt": started_at.map_or(Value::Null, |s| timestamp(run, s)) } })
        }
        ContainerState::Terminated(t) => json!({ "terminated": terminated(run, t) }),
    };
    let last = match &c.last_terminated {
        Some(t) => json!({ "terminated": terminated(run, t) }),
        None => json!({}),
    };
    let mut out = json!({
        "name": c.name,
        "image": c.image,
        "imageID": "",
        "ready": c.ready,
        "restartCount": c.restart_count,
        "state": state,
        "lastState": last,
    });
    if let Some(s) = c.started {
        out["started"] = Value::Bool(s);
    }
    out
}

pub fn pod(run: &RunDir, p: &Pod) -> Value {
    let mut spec = serde_json::to_value(&*p.spec).expect("a pod spec serializes");
    if let Some(n) = &p.node_name {
        spec["nodeName"] = Value::String(n.clone());
    }
    // The Priority admission plugin sets both (`plugin/pkg/admission/priority`).
    if let Some(pr) = p.priority {
        spec["priority"] = Value::from(pr);
    }
    if let Some(policy) = p.preemption_policy {
        spec["preemptionPolicy"] = Value::String(policy.into());
    }
    let s = &p.status;
    let mut status = Map::new();
    status.insert("phase".into(), Value::String(s.phase.clone()));
    insert_opt(&mut status, "reason", nonempty(&s.reason));
    insert_opt(&mut status, "message", nonempty(&s.message));
    if !s.conditions.is_empty() {
        status.insert("conditions".into(), s.conditions.iter().map(|c| condition(run, c, true)).collect());
    }
    if !s.init_container_statuses.is_empty() {
        status.insert(
            "initContainerStatuses".into(),
            s.init_container_statuses.iter().map(|c| container_status(run, c)).collect(),
        );
    }
    if !s.container_statuses.is_empty() {
        status.insert(
            "containerStatuses".into(),
            s.container_statuses.iter().map(|c| container_status(run, c)).collect(),
        );
    }
    insert_opt(&mut status, "startTime", s.start_time.map(|t| timestamp(run, t)));
    insert_opt(&mut status, "nominatedNodeName", nonempty(&s.nominated_node_name));
    if !s.host_ip.is_empty() {
        status.insert("hostIP".into(), Value::String(s.host_ip.clone()));
        status.insert("hostIPs".into(), json!([{ "ip": s.host_ip }]));
    }
    if let Some(ip) = s.pod_ips.first() {
        status.insert("podIP".into(), Value::String(ip.clone()));
        status.insert("podIPs".into(), s.pod_ips.iter().map(|ip| json!({ "ip": ip })).collect());
    }
    status.insert("qosClass".into(), Value::String(s.qos_class.clone()));
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta(run, &p.meta, true),
        "spec": spec,
        "status": status,
    })
}

pub fn node(run: &RunDir, n: &Node) -> Value {
    let mut spec = Map::new();
    if !n.taints.is_empty() {
        spec.insert("taints".into(), serde_json::to_value(&n.taints).expect("taints serialize"));
    }
    if n.unschedulable {
        spec.insert("unschedulable".into(), Value::Bool(true));
    }
    if let Some(cidr) = &n.pod_cidr {
        spec.insert("podCIDR".into(), Value::String(cidr.clone()));
        spec.insert("podCIDRs".into(), json!([cidr]));
    }
    let mut status = Map::new();
    if !n.addresses.is_empty() {
        status.insert(
            "addresses".into(),
            n.addresses.iter().map(|a| json!({ "address": a.address, "type": a.kind })).collect(),
        );
    }
    status.insert("capacity".into(), serde_json::to_value(&n.capacity).expect("strings"));
    status.insert("allocatable".into(), serde_json::to_value(&n.allocatable).expect("strings"));
    status.insert("conditions".into(), n.conditions.iter().map(|c| condition(run, c, false)).collect());
    if !n.images.is_empty() {
        status.insert("images".into(), serde_json::to_value(&n.images).expect("images serialize"));
    }
    insert_opt(&mut status, "nodeInfo", string_map(&n.node_info));
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": meta(run, &n.meta, false),
        "spec": spec,
        "status": status,
    })
}

pub fn job(run: &RunDir, j: &Job) -> Value {
    let s = &j.status;
    let mut status = Map::new();
    for (key, n) in [("active", s.active), ("succeeded", s.succeeded), ("failed", s.failed)] {
        if n > 0 {
            status.insert(key.into(), Value::from(n));
        }
    }
    insert_opt(&mut status, "startTime", s.start_time.map(|t| timestamp(run, t)));
    insert_opt(&mut status, "completionTime", s.completion_time.map(|t| timestamp(run, t)));
    if !s.conditions.is_empty() {
        status.insert("conditions".into(), s.conditions.iter().map(|c| condition(run, c, true)).collect());
    }
    json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": meta(run, &j.meta, true),
        "spec": serde_json::to_value(&j.spec).expect("a job spec serializes"),
        "status": status,
    })
}

pub fn cronjob(run: &RunDir, c: &CronJob) -> Value {
    let mut status = Map::new();
    if !c.active.is_empty() {
        let refs: Vec<Value> = c
            .active
            .iter()
            .map(|r| {
                json!({"apiVersion": "batch/v1", "kind": "Job", "name": r.name, "namespace": r.namespace, "uid": r.uid})
            })
            .collect();
        status.insert("active".into(), Value::Array(refs));
    }
    insert_opt(&mut status, "lastScheduleTime", c.last_schedule.map(|t| timestamp(run, t)));
    insert_opt(&mut status, "lastSuccessfulTime", c.last_successful.map(|t| timestamp(run, t)));
    json!({
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": meta(run, &c.meta, true),
        "spec": serde_json::to_value(&c.spec).expect("a cronjob spec serializes"),
        "status": status,
    })
}

pub fn event(run: &RunDir, e: &Event) -> Value {
    let mut involved = json!({
        "apiVersion": match e.kind.as_str() { "Job" | "CronJob" => "batch/v1", _ => "v1" },
        "kind": e.kind,
        "name": e.object,
    });
    if e.kind != "Node" {
        involved["namespace"] = Value::String(e.namespace.clone());
    }
    if !e.field_path.is_empty() {
        involved["fieldPath"] = Value::String(e.field_path.clone());
    }
    let mut source = json!({ "component": e.component });
    if !e.host.is_empty() {
        source["host"] = Value::String(e.host.clone());
    }
    json!({
        "apiVersion": "v1",
        "kind": "Event",
        "count": e.count,
        "eventTime": null,
        "firstTimestamp": timestamp(run, e.first),
        "lastTimestamp": timestamp(run, e.last),
        "involvedObject": involved,
        "message": e.message,
        "metadata": {
            "name": e.name,
            "namespace": e.namespace,
            "creationTimestamp": timestamp(run, e.first),
        },
        "reason": e.reason,
        "reportingComponent": e.component,
        "reportingInstance": e.host,
        "source": source,
        "type": if e.warning { "Warning" } else { "Normal" },
    })
}

/// kubectl's `List` around several objects.
pub fn list(items: Vec<Value>) -> Value {
    json!({ "apiVersion": "v1", "items": items, "kind": "List", "metadata": { "resourceVersion": "" } })
}

/// `-o json`: 4-space indentation, a final newline.
pub fn to_json(v: &Value) -> String {
    use serde::Serialize;
    let mut out = Vec::new();
    let mut ser =
        serde_json::Serializer::with_formatter(&mut out, serde_json::ser::PrettyFormatter::with_indent(b"    "));
    v.serialize(&mut ser).expect("JSON values serialize");
    let mut s = String::from_utf8(out).expect("JSON is UTF-8");
    s.push('\n');
    s
}

// ---------------------------------------------------------------------------------
// YAML as go-yaml v2 writes it.

/// Where the emitter folds long plain and single-quoted scalars (`best_width`).
const BEST_WIDTH: usize = 80;

/// `-o yaml`.
pub fn to_yaml(v: &Value) -> String {
    let mut out = Yaml { text: String::new(), column: 0 };
    match v {
        Value::Object(m) if !m.is_empty() => out.map(m, 0, false),
        Value::Array(a) if !a.is_empty() => out.seq(a, 0, false),
        other => {
            out.scalar(other, 0, false);
            out.newline();
        }
    }
    out.text
}

struct Yaml {
    text: String,
    column: usize,
}

impl Yaml {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.column += s.chars().count();
    }

    fn newline(&mut self) {
        self.text.push('\n');
        self.column = 0;
    }

    fn indent(&mut self, n: usize) {
        for _ in 0..n {
            self.text.push(' ');
        }
        self.column = n;
    }

    /// A block mapping whose keys are at `indent`; `inline`: the first key follows a
    /// `- ` already written.
    fn map(&mut self, m: &Map<String, Value>, indent: usize, inline: bool) {
        for (i, (k, v)) in m.iter().enumerate() {
            if i > 0 || !inline {
                self.indent(indent);
            }
            self.string(k, indent, false);
            self.push(":");
            self.value(v, indent);
        }
    }

    /// The value of a mapping key at `indent` (after the `:`).
    fn value(&mut self, v: &Value, indent: usize) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                self.newline();
                self.map(m, indent + 2, false);
            }
            // go-yaml v2 does not indent a sequence under its key.
            Value::Array(a) if !a.is_empty() => {
                self.newline();
                self.seq(a, indent, false);
            }
            other => {
                self.push(" ");
                self.scalar(other, indent + 2, true);
                self.newline();
            }
        }
    }

    fn seq(&mut self, a: &[Value], indent: usize, inline: bool) {
        for (i, item) in a.iter().enumerate() {
            if i > 0 || !inline {
                self.indent(indent);
            }
            self.push("- ");
            match item {
                Value::Object(m) if !m.is_empty() => self.map(m, indent + 2, true),
                Value::Array(inner) if !inner.is_empty() => self.seq(inner, indent + 2, true),
                other => {
                    self.scalar(other, indent + 2, true);
                    self.newline();
                }
            }
        }
    }

    fn scalar(&mut self, v: &Value, indent: usize, breaks: bool) {
        match v {
            Value::Null => self.push("null"),
            Value::Bool(b) => self.push(if *b { "true" } else { "false" }),
            Value::Number(n) => self.push(&n.to_string()),
            Value::String(s) => self.string(s, indent, breaks),
            Value::Array(_) => self.push("[]"),
            Value::Object(_) => self.push("{}"),
        }
    }

    fn string(&mut self, s: &str, indent: usize, breaks: bool) {
        if s.contains('\n') && breaks {
            return self.literal(s, indent);
        }
        if resolves_to_other_than_string(s) || has_special_characters(s) {
            return self.double_quoted(s);
        }
        if plain_allowed(s) {
            self.folded(s, indent, breaks, "", "");
        } else {
            let escaped = s.replace('\'', "''");
            self.folded(&escaped, indent, breaks, "'", "'");
        }
    }

    /// Writes `s` between `open` and `close`, breaking at a space once past the best
    /// width (`yaml_emitter_write_plain_scalar` / `write_single_quoted`).
    fn folded(&mut self, s: &str, indent: usize, breaks: bool, open: &str, close: &str) {
        self.push(open);
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, ch) in chars.iter().enumerate() {
            if *ch == ' ' {
                let next_is_space = chars.get(i + 1).is_none_or(|c| *c == ' ');
                let edge = !open.is_empty() && (i == 0 || i + 1 == chars.len());
                if breaks && !spaces && self.column > BEST_WIDTH && !next_is_space && !edge {
                    self.newline();
                    self.indent(indent);
                } else {
                    self.text.push(' ');
                    self.column += 1;
                }
                spaces = true;
            } else {
                self.text.push(*ch);
                self.column += 1;
                spaces = false;
            }
        }
        self.push(close);
    }

    fn double_quoted(&mut self, s: &str) {
        let mut q = String::with_capacity(s.len() + 2);
        q.push('"');
        for ch in s.chars() {
            match ch {
                '"' => q.push_str("\\\""),
                '\\' => q.push_str("\\\\"),
                '\n' => q.push_str("\\n"),
                '\t' => q.push_str("\\t"),
                '\r' => q.push_str("\\r"),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => q.push_str(&format!("\\x{:02X}", c as u32)),
                c => q.push(c),
            }
        }
        q.push('"');
        self.push(&q);
    }

    /// `|`, `|-` or `|+` and the lines indented below.
    fn literal(&mut self, s: &str, indent: usize) {
        let trailing = s.len() - s.trim_end_matches('\n').len();
        self.push(match trailing {
            0 => "|-",
            1 => "|",
            _ => "|+",
        });
        let body = s.trim_end_matches('\n');
        for line in body.split('\n') {
            self.newline();
            if !line.is_empty() {
                self.indent(indent);
                self.push(line);
            }
        }
        for _ in 1..trailing {
            self.newline();
        }
    }
}

/// go-yaml v2 quotes a string that would read back as another type: null, a bool
/// (YAML 1.1 words), a number, a timestamp, or a base-60 float.
fn resolves_to_other_than_string(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True",
        "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", ".inf", ".Inf", ".INF", "+.inf",
        "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", "<<",
    ];
    if WORDS.contains(&s) {
        return true;
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return false;
    }
    let plain = s.replace('_', "");
    let unsigned = plain.trim_start_matches(['+', '-']);
    let int = unsigned.parse::<u64>().is_ok()
        || unsigned.strip_prefix("0x").is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
        || unsigned.strip_prefix("0b").is_some_and(|b| !b.is_empty() && b.chars().all(|c| c == '0' || c == '1'));
    let float = plain.parse::<f64>().is_ok() && !plain.chars().any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E');
    let base60 = unsigned.contains(':')
        && unsigned.split(':').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit() || c == '.'));
    int || float || base60 || is_timestamp(s)
}

/// YAML 1.1 timestamps: `2006-01-02`, optionally followed by a time.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && (b.len() == 10 || matches!(b[10], b'T' | b't' | b' ' | b'\t'))
}

fn has_special_characters(s: &str) -> bool {
    s.chars().any(|c| (c as u32) < 0x20 && c != '\n' || c as u32 == 0x7f)
}

/// Whether libyaml's analysis allows a plain scalar in block context.
fn plain_allowed(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let first = chars[0];
    if first == ' ' || chars.last() == Some(&' ') || s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    let followed_by_blank = |i: usize| chars.get(i + 1).is_none_or(|c| *c == ' ');
    if matches!(first, '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`') {
        return false;
    }
    if matches!(first, '-' | '?' | ':') && followed_by_blank(0) {
        return false;
    }
    for (i, c) in chars.iter().enumerate() {
        if *c == ':' && followed_by_blank(i) {
            return false;
        }
        if *c == '#' && i > 0 && chars[i - 1] == ' ' {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_quoted_as_go_yaml_quotes_them() {
        let v = json!({
            "a": "", "b": "4", "c": "100m", "d": "2026-01-01T00:00:00Z", "e": "*/10 * * * *",
            "f": "true", "g": "it's", "h": "key: value", "i": "0/5 * * * ?", "j": 3, "k": null,
            "l": [], "m": {}, "n": "n", "o": ["x", {"p": 1, "q": [1]}]
        });
        let want = "a: \"\"\nb: \"4\"\nc: 100m\nd: \"2026-01-01T00:00:00Z\"\ne: '*/10 * * * *'\nf: \"true\"\ng: it's\nh: 'key: value'\ni: 0/5 * * * ?\nj: 3\nk: null\nl: []\nm: {}\n\"n\": \"n\"\no:\n- x\n- p: 1\n  q:\n  - 1\n";
        assert_eq!(to_yaml(&v), want);
    }

    #[test]
    fn long_strings_fold_past_80_columns() {
        let message = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";
        let v = json!({"status": {"conditions": [{"message": message, "type": "PodScheduled"}]}});
        let want = "status:\n  conditions:\n  - message: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are\n      available: 3 No preemption victims found for incoming pod.'\n    type: PodScheduled\n";
        assert_eq!(to_yaml(&v), want);
    }
}
