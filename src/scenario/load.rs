//! From scenario text to a validated [`Scenario`], collecting every error with its
//! file, line and column, and field path. Files named by the scenario are read through
//! a callback so that the library itself never touches the file system.

use super::raw::{self, RawScenario, Text};
use super::*;
use crate::api::errors::{FieldError, FieldPath, InputError};
use crate::api::node::{ContainerImage, Node, Taint, ZONE_LABEL};
use crate::api::object::{self, Object, Origin, parse_value};
use crate::api::quantity::Quantity;
use crate::api::source::Positions;
use crate::api::validation;
use crate::cluster::network::Cidr;
use crate::engine::time::parse_duration;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::rc::Rc;

/// Every problem found in a scenario and the files it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError(pub Vec<InputError>);

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// Reads a file named in the scenario (the caller resolves it against the scenario's folder).
pub type ReadFile<'a> = dyn Fn(&str) -> Result<String, String> + 'a;

const DEFAULT_START: &str = "2026-01-01T00:00:00Z";

/// The most nodes a scenario may hold: its pools, its node manifests and the nodes its
/// faults add, together. Kubernetes supports clusters of 5,000 nodes; twenty times that
/// is far beyond any earnest use, and refusing more keeps a mistyped count from
/// exhausting memory before anything is said.
pub const MAX_NODES: u64 = 100_000;

/// Validates a scenario. `file` names it in messages; `read` fetches the files it names.
pub fn load(file: &str, text: &str, read: &ReadFile) -> Result<Scenario, ScenarioError> {
    load_with(file, text, read, 1)
}

/// As [`load`], parsing large manifest files on up to `threads` threads (the result is
/// the same for any number).
pub fn load_with(file: &str, text: &str, read: &ReadFile, threads: usize) -> Result<Scenario, ScenarioError> {
    let raw = parse_raw(file, text).map_err(|e| ScenarioError(vec![e]))?;
    // The digest of every file read, by the name the scenario gives it. Made here, on
    // the main thread, before the file's documents are parsed: on a thread of its own,
    // alongside the parsing threads on two cores, it held one of them up instead (the
    // documents are parsed in fixed groups, so the slowest group sets the time).
    let read_files = std::cell::RefCell::new(BTreeMap::new());
    let recording = |name: &str| {
        let result = read(name);
        if let Ok(content) = &result {
            read_files.borrow_mut().insert(name.to_string(), sha256_hex(content.as_bytes()));
        }
        result
    };
    let mut cx = Loader::new(file, text, &recording, threads);
    let mut scenario = cx.scenario(raw);
    if !cx.errors.is_empty() {
        return Err(ScenarioError(cx.errors));
    }
    scenario.digest = input_digest(text, &read_files.into_inner());
    Ok(scenario)
}

/// The digest of a scenario's input: its text, then each file it names with the
/// file's digest, in name order.
fn input_digest(text: &str, files: &BTreeMap<String, String>) -> String {
    let mut listing = format!("scenario {}\n", sha256_hex(text.as_bytes()));
    for (name, digest) in files {
        listing.push_str(&format!("{name} {digest}\n"));
    }
    sha256_hex(listing.as_bytes())
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The scenario as written; a key of the wrong type is reported with its field path
/// (`nodes[0].count: invalid type: string "abc", expected u32`), not its position only.
fn parse_raw(file: &str, text: &str) -> Result<RawScenario, InputError> {
    use serde::Deserialize;
    let mut path = None;
    let parsed = serde_saphyr::with_deserializer_from_str(text, |de| {
        let mut track = serde_path_to_error::Track::new();
        let result = RawScenario::deserialize(serde_path_to_error::Deserializer::new(de, &mut track));
        if result.is_err() {
            path = Some(track.path());
        }
        result
    });
    parsed.map_err(|e| {
        let error = object::yaml_error(file, &e);
        match path.as_ref().map(object::field_path) {
            Some(p) if !error.message.starts_with("invalid YAML") => error.with_path(p),
            _ => error,
        }
    })
}

struct Loader<'a> {
    file: &'a str,
    /// The scenario's text, parsed for positions only when an error needs one.
    positions: Rc<Positions<'a>>,
    read: &'a ReadFile<'a>,
    errors: Vec<InputError>,
    ignored: Ignored,
    warnings: Vec<String>,
    threads: usize,
    /// Nodes defined so far (pools, manifests, added by faults), against [`MAX_NODES`].
    nodes_defined: u64,
    /// Submitted objects by (kind, namespace, name), with the file that defined them.
    names_seen: BTreeMap<(object::ObjectKind, String, String), String>,
    /// The ClusterIPs and node ports the scenario's Services ask for so far.
    services: ServiceAddresses,
    /// The `MaxUnavailableStatefulSet` feature gate of `kubernetes.featureGates`: the API
    /// server defaults or drops a StatefulSet's `maxUnavailable` by it.
    max_unavailable_statefulset: bool,
}

/// What the API server's allocators would say of the ClusterIPs and node ports the
/// scenario's Services ask for (`alloc.go` `allocIPs`, the node port allocation): out
/// of range, or already taken (by the cluster's own Services or an earlier Service of
/// the scenario).
struct ServiceAddresses {
    ips: crate::cluster::network::ServiceIps,
    range: String,
    node_ports: crate::cluster::network::NodePorts,
}

impl ServiceAddresses {
    fn new(network: &NetworkConfig) -> ServiceAddresses {
        let state = crate::cluster::network::NetState::new(
            *network,
            crate::engine::Streams::new(0).stream(crate::engine::Stream::ClusterIps),
            crate::engine::Streams::new(0).stream(crate::engine::Stream::ClusterIps),
        );
        ServiceAddresses {
            ips: state.service_ips,
            range: network.service_cidr.to_string(),
            node_ports: state.node_ports,
        }
    }

    fn check(&mut self, svc: &crate::api::service::Service, errs: &mut Vec<FieldError>) {
        use crate::cluster::network::{AllocError, Ipv4};
        if let Some(text) = svc.spec.cluster_ip.as_deref().filter(|ip| !ip.is_empty() && *ip != "None")
            && svc.type_() != crate::api::service::EXTERNAL_NAME
            && text.parse::<std::net::IpAddr>().is_ok()
        {
            let result = Ipv4::parse(text).map_or(Err(AllocError::NotInRange), |ip| self.ips.allocate(ip));
            let why = match result {
                Ok(()) => None,
                Err(AllocError::Allocated) => Some("provided IP is already allocated".to_string()),
                Err(_) => Some(format!(
                    "the provided IP ({text}) is not in the valid range. The range of valid IPs is {}",
                    self.range
                )),
            };
            if let Some(why) = why {
                errs.push(FieldError::new(
                    FieldPath::root("spec").child("clusterIPs"),
                    format!("Invalid value: []string{{{text:?}}}: failed to allocate IP {text}: {why}"),
                ));
            }
        }
        for (i, port) in svc.spec.ports.iter().enumerate() {
            let Some(p) = port.node_port.filter(|p| *p > 0) else { continue };
            let why = match self.node_ports.allocate(p as u32) {
                Ok(()) => continue,
                Err(AllocError::Allocated) => "provided port is already allocated".to_string(),
                Err(_) => format!(
                    "provided port is not in the valid range. The range of valid ports is {}",
                    self.node_ports.range_text()
                ),
            };
            errs.push(FieldError::new(
                FieldPath::root("spec").child("ports").index(i).child("nodePort"),
                format!("Invalid value: {p}: {why}"),
            ));
        }
    }
}

impl<'a> Loader<'a> {
    fn new(file: &'a str, text: &'a str, read: &'a ReadFile<'a>, threads: usize) -> Loader<'a> {
        Loader {
            file,
            positions: Rc::new(Positions::new(text)),
            read,
            errors: Vec::new(),
            ignored: Ignored::default(),
            warnings: Vec::new(),
            threads,
            nodes_defined: 0,
            names_seen: BTreeMap::new(),
            services: ServiceAddresses::new(&NetworkConfig::defaults(0)),
            max_unavailable_statefulset: false,
        }
    }

    /// An error at a path of the scenario file itself.
    fn error(&mut self, path: FieldPath, message: impl Into<String>) {
        let position = self.positions.locate(0, &path);
        self.errors.push(InputError::new(self.file, message).at(position).with_path(path));
    }

    /// Counts `count` more nodes against [`MAX_NODES`]; false (with an error at `path`)
    /// when they would pass it, before anything is allocated for them.
    fn room_for_nodes(&mut self, count: u64, path: FieldPath) -> bool {
        let total = self.nodes_defined.saturating_add(count);
        if total > MAX_NODES {
            self.error(
                path,
                format!(
                    "Invalid value: {count}: a scenario holds at most {MAX_NODES} nodes (pools, node manifests and \
                     added nodes together; Kubernetes supports 5000), with this, the scenario would hold {total}"
                ),
            );
            return false;
        }
        self.nodes_defined = total;
        true
    }

    /// A random fault's time that must not be zero: with a mean of 0s every draw is 0s,
    /// and the node would fail and be repaired forever at one instant.
    fn advancing(&mut self, d: &Distribution, path: FieldPath, why: &str) {
        let mean = d.mean();
        // NaN included: a lognormal of median 0s and a huge sigma has none.
        if mean.is_nan() || mean <= 0.0 {
            let name = path.to_string();
            let field = name.rsplit('.').next().unwrap_or(&name).to_string();
            self.error(path, format!("{field} must have a mean above 0s: {why}"));
        }
    }

    fn duration(&mut self, value: &Option<Text>, path: FieldPath) -> Option<Millis> {
        let text = value.as_ref()?;
        match parse_duration(&text.0) {
            Ok(ms) => Some(ms),
            Err(e) => {
                self.error(path, e.0);
                None
            }
        }
    }

    fn scenario(&mut self, mut raw: RawScenario) -> Scenario {
        let root = FieldPath::empty();
        if raw.name.is_empty() || !raw.name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) {
            self.error(
                root.child("name"),
                format!(
                    "invalid name {:?}: use letters, digits, '.', '_' and '-' (it names the results folder)",
                    raw.name
                ),
            );
        }
        let start_text = raw.start.as_deref().unwrap_or(DEFAULT_START);
        let start = start_text.parse::<jiff::Timestamp>().unwrap_or_else(|e| {
            self.error(
                root.child("start"),
                format!("invalid start {start_text:?}: {e}; expected an RFC 3339 instant such as 2026-01-05T00:00:00Z"),
            );
            DEFAULT_START.parse().expect("a valid literal")
        });
        let duration = self.duration(&raw.duration, root.child("duration"));
        if duration == Some(0) {
            self.error(root.child("duration"), "duration must be longer than 0s");
        }
        let metrics_every = self
            .duration(&raw.metrics_every, root.child("metricsEvery"))
            .unwrap_or_else(|| duration.map_or(60_000, |d| (d / 10_000).max(60_000)));
        if metrics_every == 0 {
            self.error(root.child("metricsEvery"), "metricsEvery must be longer than 0s");
        }
        let (nodes, pool_templates) = self.nodes(&raw.nodes);
        // Nodes `add` faults bring count towards the default network sizes.
        let added: u64 = raw
            .faults
            .iter()
            .filter(|f| f.action.as_deref() == Some("add") && f.random.is_none())
            .map(|f| u64::from(f.count.unwrap_or(1)))
            .sum();
        let network = self.network(raw.network.take().unwrap_or_default(), nodes.len() as u64 + added);
        self.services = ServiceAddresses::new(&network);
        // The control plane first: its feature gates change how objects are defaulted.
        let mut kubernetes_errors = Vec::new();
        let kubernetes = super::kubernetes::compile(raw.kubernetes.as_ref(), &mut kubernetes_errors);
        self.field_errors(kubernetes_errors);
        self.max_unavailable_statefulset = kubernetes.max_unavailable_statefulset;
        let (submissions, arrivals) = self.workloads(raw.workloads, duration.is_none());
        let behaviors = self.behaviors(&raw.behaviors);
        let (faults, random_faults) = self.faults(&raw.faults, &nodes, &pool_templates);
        let actions = self.actions(raw.actions, &behaviors);
        let kubelet = self.kubelet(raw.kubelet.unwrap_or_default());
        let mut scheduler_errors = Vec::new();
        let scheduler = super::scheduler::compile(
            &raw.scheduler.unwrap_or_default(),
            &FieldPath::root("scheduler"),
            &mut scheduler_errors,
        );
        self.field_errors(scheduler_errors);
        let storage = self.storage(raw.storage.take().unwrap_or_default());
        let mut scenario = Scenario {
            name: raw.name,
            description: raw.description,
            seed: raw.seed.unwrap_or(1),
            start,
            duration,
            metrics_every: metrics_every.max(1),
            nodes,
            pool_templates,
            submissions,
            arrivals,
            behaviors,
            faults,
            random_faults,
            actions,
            kubelet,
            kubernetes,
            scheduler,
            network,
            storage,
            ignored: std::mem::take(&mut self.ignored),
            warnings: Vec::new(),
            digest: String::new(),
            parameters: Vec::new(),
        };
        self.warn_unmatched_behaviors(&scenario);
        self.warn_endless_jobs(&scenario);
        // Every object read was skipped: the run would be empty, which a user who brought
        // StatefulSets or ConfigMaps should hear of before reading an empty trace.
        if scenario.submissions.is_empty() && scenario.arrivals.is_empty() && !scenario.ignored.kinds.is_empty() {
            let kinds: Vec<&str> = scenario.ignored.kinds.keys().map(String::as_str).collect();
            self.warnings.push(format!(
                "nothing to simulate: every object of the workloads is of a kind podsim does not simulate ({})",
                kinds.join(", ")
            ));
        }
        scenario.warnings = std::mem::take(&mut self.warnings);
        scenario
    }

    // -----------------------------------------------------------------------------
    // Nodes

    fn nodes(&mut self, entries: &[raw::RawNodes]) -> (Vec<NodeEntry>, Vec<NodeEntry>) {
        let mut out = Vec::new();
        let mut templates = Vec::new();
        // Where each entry's nodes start in `out`, to say which entry repeats a name.
        let mut starts = Vec::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            starts.push(out.len());
            let path = FieldPath::root("nodes").index(i);
            match (&entry.manifest, &entry.name) {
                (Some(file), None) => {
                    let mut pool = Vec::new();
                    self.node_manifests(file, &path, &mut pool);
                    templates.extend(pool.first().cloned());
                    out.extend(pool);
                }
                (None, Some(name)) => {
                    let mut pool = Vec::new();
                    self.node_pool(entry, name, &path, &mut pool, true);
                    templates.push(pool.remove(0));
                    out.extend(pool);
                }
                (Some(_), Some(_)) => self
                    .error(path, "a node entry is either a pool (name, count, capacity) or a manifest file, not both"),
                (None, None) => {
                    self.error(path, "a node entry needs a pool name (with count and capacity) or a manifest file")
                }
            }
        }
        self.duplicate_nodes(entries, &starts, &out);
        (out, templates)
    }

    /// One error per entry that repeats node names (two pools of one name would
    /// otherwise give one error per node), at the entry's line.
    fn duplicate_nodes(&mut self, entries: &[raw::RawNodes], starts: &[usize], out: &[NodeEntry]) {
        let mut first: BTreeMap<&str, usize> = BTreeMap::new();
        // Entry -> (its first repeated name, the entry that defined it first, how many).
        let mut repeats: BTreeMap<usize, (&str, usize, usize)> = BTreeMap::new();
        for (k, n) in out.iter().enumerate() {
            let entry = starts.partition_point(|s| *s <= k) - 1;
            let name = n.node.metadata.name.as_str();
            match first.get(name) {
                None => {
                    first.insert(name, entry);
                }
                Some(&earlier) => repeats.entry(entry).or_insert((name, earlier, 0)).2 += 1,
            }
        }
        for (entry, (name, earlier, count)) in repeats {
            let path = FieldPath::root("nodes").index(entry);
            let path = if entries[entry].manifest.is_some() { path.child("manifest") } else { path.child("name") };
            let where_ =
                if earlier == entry { "earlier in this entry".to_string() } else { format!("by nodes[{earlier}]") };
            let more =
                if count > 1 { format!(" ({count} of this entry's nodes are defined twice)") } else { String::new() };
            self.error(path, format!("Duplicate value: node {name:?} is already defined {where_}{more}"));
        }
    }

    /// The pool's nodes; with `template`, first one more node (its template).
    fn node_pool(
        &mut self,
        entry: &raw::RawNodes,
        name: &str,
        path: &FieldPath,
        out: &mut Vec<NodeEntry>,
        template: bool,
    ) {
        let mut count = entry.count.unwrap_or(1);
        if !self.room_for_nodes(u64::from(count), path.child("count")) {
            // Refused before allocating; the template alone keeps later errors to the point.
            count = 0;
        }
        let capacity = self.resource_list(&entry.capacity, &path.child("capacity"));
        let allocatable = self.resource_list(&entry.allocatable, &path.child("allocatable"));
        if capacity.is_empty() && allocatable.is_empty() {
            self.error(
                path.child("capacity"),
                "a node pool needs a capacity, e.g. {cpu: \"4\", memory: 16Gi, pods: 110}",
            );
        }
        let mut taints = Vec::new();
        for (j, t) in entry.taints.iter().enumerate() {
            let tpath = path.child("taints").index(j);
            // A taint is Kubernetes' `v1.Taint`: a misspelt key is refused as the rest of
            // the file refuses unknown keys, not left to default.
            let schema = crate::api::schema::schema();
            if let Some(shape) = schema.lookup("v1", "Node", "spec.taints[]") {
                for field in schema.unknown_fields(&shape, t) {
                    self.error(tpath.join(&field), format!("unknown field \"{field}\" in a taint"));
                }
            }
            match serde_json::from_value::<Taint>(t.clone()) {
                Ok(taint) => {
                    let mut errs = Vec::new();
                    validation::validate_taint(&taint, &tpath, &mut errs);
                    self.field_errors(errs);
                    taints.push(taint);
                }
                Err(e) => self.error(tpath, format!("invalid taint: {e}; expected {{key: k, value: v, effect: NoSchedule|PreferNoSchedule|NoExecute}}")),
            }
        }
        for k in (0..count).map(Some).chain(template.then_some(None)) {
            let node_name = match k {
                Some(k) => format!("{name}-{k}"),
                None => format!("{name}-template"),
            };
            let mut node = Node::default();
            node.metadata.name = node_name.clone();
            node.metadata.labels = default_node_labels(&node_name);
            node.metadata.labels.extend(entry.labels.clone());
            node.spec.taints = taints.clone();
            node.status.capacity = capacity.clone();
            node.status.allocatable = allocatable.clone();
            node.status.images =
                entry.images.iter().map(|i| ContainerImage { names: vec![i.clone()], size_bytes: None }).collect();
            validation::default_node(&mut node);
            match k {
                Some(_) => out.push(NodeEntry { node, pool: name.to_string() }),
                None => out.insert(0, NodeEntry { node, pool: name.to_string() }),
            }
        }
    }

    fn node_manifests(&mut self, file: &str, path: &FieldPath, out: &mut Vec<NodeEntry>) {
        let pool = std::path::Path::new(file).file_stem().and_then(|s| s.to_str()).unwrap_or(file).to_string();
        let Some((text, manifests)) = self.read_manifests(file, path.child("manifest")) else {
            return;
        };
        if !self.room_for_nodes(manifests.len() as u64, path.child("manifest")) {
            return;
        }
        let at = Positions::new(&text);
        for m in manifests {
            match m.object {
                Object::Node(mut node) => {
                    validation::default_node(&mut node);
                    let mut errs = Vec::new();
                    validation::validate_node(&node, &mut errs);
                    self.object_errors(&m.origin, &at, errs);
                    out.push(NodeEntry { node: *node, pool: pool.clone() });
                }
                other => self.errors.push(
                    InputError::new(
                        &m.origin.file,
                        format!("expected Node objects in a nodes manifest, found a {}", other.kind().as_str()),
                    )
                    .at(at.locate(m.origin.doc, &m.origin.path))
                    .with_path(m.origin.path.clone()),
                ),
            }
        }
    }

    fn resource_list(
        &mut self,
        raw: &std::collections::BTreeMap<String, Text>,
        path: &FieldPath,
    ) -> crate::api::ResourceList {
        let mut out = crate::api::ResourceList::new();
        for (name, value) in raw {
            match Quantity::parse(&value.0) {
                Ok(q) if q.is_negative() => self.error(
                    path.child(name),
                    format!("Invalid value: \"{}\": must be greater than or equal to 0", value.0),
                ),
                Ok(q) if validation::too_large(name, &q).is_some() => {
                    let why = validation::too_large(name, &q).unwrap_or_default();
                    self.error(path.child(name), format!("Invalid value: \"{}\": {why}", value.0))
                }
                Ok(q) => {
                    out.insert(name.clone(), q);
                }
                Err(e) => self.error(path.child(name), format!("Invalid value: \"{}\": {e}", value.0)),
            }
        }
        out
    }

    // -----------------------------------------------------------------------------
    // Workloads

    fn read_manifests(&mut self, file: &str, path: FieldPath) -> Option<(String, Vec<Manifest>)> {
        let (text, parsed) = self.read_manifests_then(file, path, &|_| ())?;
        Some((text, parsed.into_iter().map(|(m, ())| m).collect()))
    }

    /// As [`Self::read_manifests`], with `then` applied to each object on the thread that
    /// parsed it ([`object::parse_file_then`]).
    fn read_manifests_then<X: Send>(
        &mut self,
        file: &str,
        path: FieldPath,
        then: &(dyn Fn(&mut Manifest) -> X + Sync),
    ) -> Option<(String, Vec<(Manifest, X)>)> {
        let text = match (self.read)(file) {
            Ok(t) => t,
            Err(e) => {
                self.error(path, format!("cannot read {file:?}: {e}"));
                return None;
            }
        };
        match object::parse_file_then(file, &text, &mut self.ignored, self.threads, then) {
            Ok(ms) => Some((text, ms)),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    /// An object written in the scenario; `unique`: a submission, whose name must be
    /// unique among the submissions.
    fn inline_object(&mut self, value: serde_json::Value, path: FieldPath, unique: bool) -> Option<Manifest> {
        let origin = Origin { file: self.file.to_string(), doc: 0, path: path.clone() };
        let mut out = Vec::new();
        let at = self.positions.clone();
        match parse_value(value, origin, at.text(), &mut self.ignored, &mut out) {
            Ok(()) => {}
            Err(e) => self.errors.push(e),
        }
        let mut out: Vec<Manifest> = out.into_iter().filter_map(|m| self.validated(m, &at, unique)).collect();
        if out.len() > 1 {
            self.error(path, "an inline object must be one object, not a List");
        }
        out.pop()
    }

    /// `unbounded`: the scenario has no duration, so every arrival stream needs an end.
    fn workloads(&mut self, entries: Vec<raw::RawWorkload>, unbounded: bool) -> (Vec<Submission>, Vec<Arrivals>) {
        let (mut submissions, mut arrivals) = (Vec::new(), Vec::new());
        for (i, w) in entries.into_iter().enumerate() {
            let path = FieldPath::root("workloads").index(i);
            let at = self.duration(&w.at, path.child("at")).unwrap_or(0);
            match (w.manifest, w.object, w.arrivals) {
                (Some(file), None, None) => {
                    for manifest in self.validated_file(&file, path.child("manifest"), true) {
                        submissions.push(Submission { at, manifest });
                    }
                }
                (None, Some(value), None) => {
                    if let Some(manifest) = self.inline_object(value, path.child("object"), true) {
                        submissions.push(Submission { at, manifest });
                    }
                }
                (None, None, Some(a)) => {
                    if w.at.is_some() {
                        self.error(path.child("at"), "arrivals take start (and until), not at");
                    }
                    if unbounded && a.count.is_none() && a.until.is_none() {
                        self.error(
                            path.child("arrivals"),
                            "this arrival stream has neither count nor until: it never ends, so the scenario needs a duration",
                        );
                    }
                    if let Some(stream) = self.arrivals(a, path.child("arrivals")) {
                        arrivals.push(stream);
                    }
                }
                _ => self.error(
                    path,
                    "a workload is exactly one of manifest (a file), object (inline) or arrivals (a stream)",
                ),
            }
        }
        (submissions, arrivals)
    }

    /// The objects of a manifest file, validated; `unique` as in [`Self::inline_object`].
    /// Each object is defaulted and validated on the thread that parsed it; what depends
    /// on the other objects follows here, in the file's order.
    fn validated_file(&mut self, file: &str, path: FieldPath, unique: bool) -> Vec<Manifest> {
        let gate = self.max_unavailable_statefulset;
        let check = |m: &mut Manifest| (statefulset_gates(m, gate), validate_object(m));
        let Some((text, checked)) = self.read_manifests_then(file, path, &check) else {
            return Vec::new();
        };
        let at = Positions::new(&text);
        let mut admitted = Vec::with_capacity(checked.len());
        for (m, (dropped, errs)) in checked {
            if dropped {
                self.warn_dropped_max_unavailable(&m);
            }
            admitted.extend(self.admitted(m, errs, &at, unique));
        }
        admitted
    }

    fn arrivals(&mut self, a: raw::RawArrivals, path: FieldPath) -> Option<Arrivals> {
        let start = self.duration(&a.start, path.child("start")).unwrap_or(0);
        let until = self.duration(&a.until, path.child("until"));
        let manifest = match (a.object, a.manifest) {
            (Some(value), None) => self.inline_object(value, path.child("object"), false),
            (None, Some(file)) => {
                let mut ms = self.validated_file(&file, path.child("manifest"), false);
                if ms.len() != 1 {
                    self.error(
                        path.child("manifest"),
                        format!("an arrival stream copies one object; {file:?} holds {}", ms.len()),
                    );
                }
                ms.pop()
            }
            _ => {
                self.error(path.clone(), "arrivals need exactly one of object or manifest");
                None
            }
        }?;
        if matches!(
            manifest.object,
            Object::Node(_)
                | Object::PriorityClass(_)
                | Object::Service(_)
                | Object::PodDisruptionBudget(_)
                | Object::StorageClass(_)
        ) {
            self.error(path.child("object"), "arrival streams copy Pods, Jobs or CronJobs");
        }
        let resources = a.resources.as_ref().and_then(|value| {
            let mut errs = Vec::new();
            let draws = super::resources::compile(value, &manifest.object, &path.child("resources"), &mut errs);
            self.field_errors(errs);
            draws
        });
        if a.interarrival.mean() <= 0.0 {
            self.error(path.child("interarrival"), "interarrival must have a mean above 0s");
            return None;
        }
        Some(Arrivals { manifest, interarrival: a.interarrival, count: a.count, start, until, resources })
    }

    /// Applies the API server's defaults and validation to one object (`at`: positions
    /// in the text it was read from).
    fn validated(&mut self, mut m: Manifest, at: &Positions, unique: bool) -> Option<Manifest> {
        if statefulset_gates(&mut m, self.max_unavailable_statefulset) {
            self.warn_dropped_max_unavailable(&m);
        }
        let errs = validate_object(&mut m);
        self.admitted(m, errs, at, unique)
    }

    /// The rest of [`Self::validated`] for an object `validate_object` checked, with its
    /// errors: what depends on the other objects (Services' node ports, unique names).
    fn admitted(&mut self, m: Manifest, mut errs: Vec<FieldError>, at: &Positions, unique: bool) -> Option<Manifest> {
        if let (true, Object::Service(svc)) = (errs.is_empty(), &m.object) {
            self.services.check(svc, &mut errs);
        }
        let ok = errs.is_empty();
        self.object_errors(&m.origin, at, errs);
        if ok && unique {
            self.check_unique_name(&m, at);
        }
        ok.then_some(m)
    }

    /// The warning for a StatefulSet whose `maxUnavailable` the API server dropped
    /// ([`statefulset_gates`]).
    fn warn_dropped_max_unavailable(&mut self, m: &Manifest) {
        self.warnings.push(format!(
            "StatefulSet {}: spec.updateStrategy.rollingUpdate.maxUnavailable is dropped by the API server: the MaxUnavailableStatefulSet feature gate is off (alpha in Kubernetes 1.31 to 1.34; kubernetes.featureGates turns it on)",
            m.object.name()
        ));
    }

    fn object_errors(&mut self, origin: &Origin, at: &Positions, errs: Vec<FieldError>) {
        for e in errs {
            let full = origin.path.join(&e.path);
            self.errors.push(InputError::new(&origin.file, e.message).at(at.locate(origin.doc, &full)).with_path(full));
        }
    }

    fn field_errors(&mut self, errs: Vec<FieldError>) {
        for e in errs {
            self.error(e.path, e.message);
        }
    }

    /// Submitted objects' names are unique per kind and namespace, as in the API server.
    fn check_unique_name(&mut self, m: &Manifest, at: &Positions) {
        use std::collections::btree_map::Entry;
        let (kind, name) = (m.object.kind(), m.object.name());
        if name.is_empty() {
            return;
        }
        let first = match self.names_seen.entry((kind, namespace_of(&m.object).to_string(), name.to_string())) {
            Entry::Vacant(seen) => {
                seen.insert(m.origin.file.clone());
                return;
            }
            Entry::Occupied(seen) => seen.get().clone(),
        };
        let path = m.origin.path.child("metadata").child("name");
        self.errors.push(
            InputError::new(
                &m.origin.file,
                format!(
                    "{} {name:?} already exists (also defined in {first}): names are unique per kind and namespace; use generateName for copies",
                    kind.as_str(),
                ),
            )
            .at(at.locate(m.origin.doc, &path))
            .with_path(path),
        );
    }

    // -----------------------------------------------------------------------------
    // Behaviors, faults, actions

    fn behaviors(&mut self, entries: &[raw::RawBehavior]) -> Vec<Behavior> {
        let mut errs = Vec::new();
        let behaviors = super::behaviors::compile(entries, &mut errs);
        self.field_errors(errs);
        behaviors
    }

    fn warn_unmatched_behaviors(&mut self, s: &Scenario) {
        let mut unmatched: Vec<usize> = (0..s.behaviors.len()).collect();
        each_candidate_container(s, &mut |ns, pod, c, img| {
            unmatched.retain(|&i| !s.behaviors[i].matcher.matches(ns, pod, c, img));
            !unmatched.is_empty()
        });
        for i in unmatched {
            self.warnings.push(format!("behaviors[{i}] matches no container of the workload"));
        }
    }

    /// Jobs and CronJobs expect their pods to finish, but a container that no behavior
    /// gives a `runFor` runs until stopped: the Job never completes (the docs' `pi` Job
    /// ran for the whole run, a `hello` CronJob piled up 29 active Jobs). Said once per
    /// workload; a Job with `activeDeadlineSeconds` ends anyway and is not warned about.
    fn warn_endless_jobs(&mut self, s: &Scenario) {
        for (m, _) in workload_manifests(s) {
            let (kind, outcome, spec, deadline, pod) = match &m.object {
                Object::Job(j) => (
                    "Job",
                    "the Job never completes",
                    &j.spec.template.spec,
                    j.spec.active_deadline_seconds,
                    format!("{}-xxxxx", j.metadata.name),
                ),
                Object::CronJob(c) => (
                    "CronJob",
                    "its Jobs never complete",
                    &c.spec.job_template.spec.template.spec,
                    c.spec.job_template.spec.active_deadline_seconds,
                    format!("{}-29000000-xxxxx", c.metadata.name),
                ),
                _ => continue,
            };
            if deadline.is_some() || spec.active_deadline_seconds.is_some() {
                continue;
            }
            let ns = namespace_of(&m.object);
            let endless: Vec<&str> = spec
                .init_containers
                .iter()
                .filter(|c| !c.is_sidecar())
                .chain(&spec.containers)
                .filter(|c| {
                    let image = c.image.as_deref().unwrap_or_default();
                    let behavior = s.behaviors.iter().find(|b| b.matcher.matches(ns, &pod, &c.name, image));
                    behavior.is_none_or(|b| b.run_for.is_none())
                })
                .map(|c| c.name.as_str())
                .collect();
            if let Some(first) = endless.first() {
                self.warnings.push(format!(
                    "{kind} {ns}/{}: container(s) {} never exit, so {outcome}: no behavior with runFor matches \
                     them; add one, e.g. behaviors: [{{match: {{container: {first}}}, runFor: 30s}}]",
                    m.object.name(),
                    endless.join(", "),
                ));
            }
        }
    }

    fn faults(
        &mut self,
        entries: &[raw::RawFault],
        nodes: &[NodeEntry],
        templates: &[NodeEntry],
    ) -> (Vec<Fault>, Vec<RandomFaults>) {
        let (mut faults, mut random) = (Vec::new(), Vec::new());
        let names: BTreeSet<&str> = nodes.iter().map(|n| n.node.metadata.name.as_str()).collect();
        let exists = |name: &str| names.contains(name);
        for (i, f) in entries.iter().enumerate() {
            let path = FieldPath::root("faults").index(i);
            if let Some(r) = &f.random {
                if f.at.is_some() || f.node.is_some() || f.zone.is_some() || f.action.is_some() || f.for_.is_some() {
                    self.error(
                        path.clone(),
                        "a random fault process takes only random: {nodes, timeBetween, repairTime}",
                    );
                }
                let glob = Glob::new(&r.nodes);
                if !nodes.iter().any(|n| glob.matches(&n.node.metadata.name)) {
                    self.error(path.child("random").child("nodes"), format!("{:?} matches no node", r.nodes));
                }
                if let Some(a) = r.action.as_deref().filter(|a| *a != "crash") {
                    self.error(
                        path.child("random").child("action"),
                        format!("Unsupported value: {a:?}: random faults crash nodes"),
                    );
                }
                let rpath = path.child("random");
                self.advancing(
                    &r.time_between,
                    rpath.child("timeBetween"),
                    "a node would fail again the moment it is repaired, and simulated time would stand still",
                );
                self.advancing(
                    &r.repair_time,
                    rpath.child("repairTime"),
                    "a node would be repaired the moment it fails",
                );
                random.push(RandomFaults {
                    nodes: glob,
                    time_between: r.time_between.clone(),
                    repair_time: r.repair_time.clone(),
                });
                continue;
            }
            let at = self.duration(&f.at, path.child("at"));
            let for_ = self.duration(&f.for_, path.child("for"));
            let timeout = self.duration(&f.timeout, path.child("timeout"));
            let action = match f.action.as_deref() {
                None => {
                    self.error(path.child("action"), "Required value: one of crash, recover, cordon, uncordon, drain");
                    None
                }
                Some(a) => FaultAction::parse(a).or_else(|| {
                    self.error(
                        path.child("action"),
                        format!("Unsupported value: {a:?}: supported values: {}", FaultAction::NAMES.join(", ")),
                    );
                    None
                }),
            };
            let pool_named = |p: &str| templates.iter().any(|n| n.pool == p);
            let added_later = |n: &str| {
                entries.iter().any(|e| {
                    e.action.as_deref() == Some("add")
                        && e.pool.as_deref().is_some_and(|p| {
                            n.strip_prefix(p)
                                .and_then(|r| r.strip_prefix('-'))
                                .is_some_and(|i| i.parse::<u32>().is_ok())
                        })
                })
            };
            if action == Some(FaultAction::Add) {
                let count = f.count.unwrap_or(1);
                let room = self.room_for_nodes(u64::from(count), path.child("count"));
                match &f.pool {
                    Some(_) if !room => {}
                    Some(p) if pool_named(p) => {
                        if let Some(at) = at {
                            faults.push(Fault {
                                at,
                                node: p.clone(),
                                action: FaultAction::Add,
                                count,
                                for_: None,
                                timeout: None,
                            });
                        }
                    }
                    Some(p) => self.error(path.child("pool"), format!("no node pool named {p:?} to copy")),
                    None => self.error(
                        path.child("pool"),
                        "Required value: add copies the nodes of a pool (pool: <name>, count: N)",
                    ),
                }
                if f.node.is_some() || f.zone.is_some() || for_.is_some() {
                    self.error(path.clone(), "add takes pool and count, not node, zone or for");
                }
                continue;
            }
            if f.pool.is_some() || f.count.is_some() {
                self.error(path.child("pool"), "pool and count go with action: add");
            }
            // A zone outage: the same fault on every node of the zone, in the nodes' order.
            let zone_nodes: Vec<String> = match &f.zone {
                Some(zone) => {
                    let in_zone: Vec<String> = nodes
                        .iter()
                        .filter(|n| n.node.metadata.labels.get(ZONE_LABEL) == Some(zone))
                        .map(|n| n.node.metadata.name.clone())
                        .collect();
                    if f.node.is_some() {
                        self.error(path.child("zone"), "give node or zone, not both");
                    } else if in_zone.is_empty() {
                        self.error(
                            path.child("zone"),
                            format!("no node has the label {ZONE_LABEL}={zone:?} (a zone outage needs its nodes)"),
                        );
                    }
                    in_zone
                }
                None => Vec::new(),
            };
            if !zone_nodes.is_empty() {
                if at.is_none() {
                    self.error(path.child("at"), "Required value: when the fault happens, e.g. 30m");
                }
                if let (Some(at), Some(action)) = (at, action) {
                    if for_.is_some()
                        && !matches!(action, FaultAction::Crash | FaultAction::Cordon | FaultAction::Drain)
                    {
                        self.error(
                            path.child("for"),
                            "for: applies to crash, cordon and drain (it undoes them after that time)",
                        );
                    }
                    if timeout.is_some() && action != FaultAction::Drain {
                        self.error(path.child("timeout"), "timeout: applies to drain (kubectl drain --timeout)");
                    }
                    faults.extend(zone_nodes.into_iter().map(|node| Fault {
                        at,
                        node,
                        action,
                        count: 1,
                        for_,
                        timeout,
                    }));
                }
                continue;
            }
            if f.zone.is_some() {
                continue;
            }
            let node = match &f.node {
                None => {
                    self.error(
                        path.child("node"),
                        "Required value: the node the fault happens to (or zone: every node of a zone)",
                    );
                    None
                }
                Some(n) if !exists(n) && !added_later(n) => {
                    let names: Vec<&str> = nodes.iter().take(5).map(|n| n.node.metadata.name.as_str()).collect();
                    self.error(
                        path.child("node"),
                        format!("node {n:?} does not exist (nodes are named like {})", names.join(", ")),
                    );
                    None
                }
                Some(n) => Some(n.clone()),
            };
            if at.is_none() {
                self.error(path.child("at"), "Required value: when the fault happens, e.g. 30m");
            }
            if let (Some(at), Some(node), Some(action)) = (at, node, action) {
                if for_.is_some() && !matches!(action, FaultAction::Crash | FaultAction::Cordon | FaultAction::Drain) {
                    self.error(
                        path.child("for"),
                        "for: applies to crash, cordon and drain (it undoes them after that time)",
                    );
                }
                if timeout.is_some() && action != FaultAction::Drain {
                    self.error(path.child("timeout"), "timeout: applies to drain (kubectl drain --timeout)");
                }
                faults.push(Fault { at, node, action, count: 1, for_, timeout });
            }
        }
        (faults, random)
    }

    fn actions(&mut self, entries: Vec<raw::RawAction>, behaviors: &[Behavior]) -> Vec<Action> {
        let mut out = Vec::new();
        for (i, a) in entries.into_iter().enumerate() {
            let path = FieldPath::root("actions").index(i);
            let Some(at) = self.duration(&a.at, path.child("at")) else {
                if a.at.is_none() {
                    self.error(path.child("at"), "Required value: when the action happens, e.g. 10m");
                }
                continue;
            };
            let verbs = [
                a.delete.is_some(),
                a.apply.is_some(),
                a.scale.is_some(),
                a.patch.is_some(),
                a.set_image.is_some(),
                a.rollout.is_some(),
                a.taint.is_some(),
                a.untaint.is_some(),
            ];
            if verbs.iter().filter(|v| **v).count() != 1 {
                self.error(
                    path,
                    "an action is exactly one of delete, apply, scale, patch, setImage, rollout, taint or untaint",
                );
                continue;
            }
            if a.taint.is_some() || a.untaint.is_some() {
                out.extend(self.taint_action(at, a, &path));
                continue;
            }
            for (given, field) in
                [(a.key.is_some(), "key"), (a.value.is_some(), "value"), (a.effect.is_some(), "effect")]
            {
                if given {
                    self.error(path.child(field), format!("{field}: applies to taint and untaint"));
                }
            }
            if let Some(target) = a.set_image {
                let images: Vec<(String, String)> = a.images.unwrap_or_default().into_iter().collect();
                if images.is_empty() {
                    self.error(path.child("images"), "setImage needs images: {container: image}");
                }
                if let Some((kind, namespace, name)) = self.target(&target, path.child("setImage")) {
                    if matches!(kind.as_str(), "Deployment" | "DaemonSet" | "StatefulSet") {
                        out.push(Action::SetImage { at, kind, namespace, name, images });
                    } else {
                        self.error(
                            path.child("setImage"),
                            format!(
                                "setImage: podsim sets images of Deployments, DaemonSets and StatefulSets, not {kind}s"
                            ),
                        );
                    }
                }
                continue;
            }
            if let Some(text) = a.rollout {
                let (verb, target) = text.split_once(' ').unwrap_or((text.as_str(), ""));
                let verb = match verb {
                    "undo" => Some(RolloutVerb::Undo { to_revision: a.to_revision.unwrap_or(0) }),
                    "restart" => Some(RolloutVerb::Restart),
                    "pause" => Some(RolloutVerb::Pause),
                    "resume" => Some(RolloutVerb::Resume),
                    _ => None,
                };
                let Some(verb) = verb else {
                    self.error(path.child("rollout"), format!("invalid rollout {text:?}: expected undo, restart, pause or resume and a deployment, e.g. \"undo deployment/web\""));
                    continue;
                };
                if a.to_revision.is_some_and(|r| r < 0) {
                    self.error(path.child("toRevision"), "must be greater than or equal to 0");
                }
                if let Some((kind, namespace, name)) = self.target(target.trim(), path.child("rollout")) {
                    let daemon_verb = matches!(verb, RolloutVerb::Undo { .. } | RolloutVerb::Restart);
                    let revisioned = matches!(kind.as_str(), "DaemonSet" | "StatefulSet");
                    if kind == "Deployment" || (revisioned && daemon_verb) {
                        out.push(Action::Rollout { at, verb, kind, namespace, name });
                    } else if revisioned {
                        // kubectl's ObjectPauser knows Deployments only.
                        let resource = if kind == "DaemonSet" { "daemonsets.apps" } else { "statefulsets.apps" };
                        self.error(
                            path.child("rollout"),
                            format!(
                                "rollout: {resource} \"{name}\" {} is not supported",
                                if verb == RolloutVerb::Pause { "pausing" } else { "resuming" }
                            ),
                        );
                    } else {
                        self.error(
                            path.child("rollout"),
                            format!("rollout: podsim rolls out Deployments, DaemonSets and StatefulSets, not {kind}s"),
                        );
                    }
                }
                continue;
            }
            match (a.delete, a.apply, a.scale, a.patch) {
                (Some(target), None, None, None) => {
                    if let Some((kind, namespace, name)) = self.target(&target, path.child("delete")) {
                        let grace_seconds = if a.force { Some(0) } else { a.grace_period };
                        out.push(Action::Delete { at, kind, namespace, name, grace_seconds });
                    }
                }
                (None, Some(file), None, None) => {
                    let manifests = self.validated_file(&file, path.child("apply"), false);
                    out.push(Action::Apply { at, manifests });
                }
                (None, None, Some(target), None) => {
                    let Some(replicas) = a.replicas else {
                        self.error(path.child("replicas"), "Required value: scale needs replicas");
                        continue;
                    };
                    if let Some((kind, namespace, name)) = self.target(&target, path.child("scale")) {
                        if matches!(kind.as_str(), "Deployment" | "ReplicaSet" | "StatefulSet") {
                            out.push(Action::Scale { at, kind, namespace, name, replicas });
                        } else {
                            self.error(
                                path.child("scale"),
                                format!("scale: podsim scales Deployments, ReplicaSets and StatefulSets, not {kind}s"),
                            );
                        }
                    }
                }
                (None, None, None, Some(target)) => {
                    let set: Vec<(String, serde_json::Value)> = a.set.unwrap_or_default().into_iter().collect();
                    if set.is_empty() {
                        self.error(path.child("set"), "patch needs set: {field.path: value}");
                    }
                    if let Some(name) = target.strip_prefix("behavior/") {
                        out.extend(self.behavior_action(at, name, &set, behaviors, &path));
                    } else if let Some((kind, namespace, name)) = self.target(&target, path.child("patch")) {
                        out.push(Action::Patch { at, kind, namespace, name, set });
                    }
                }
                _ => self.error(path, "an action is exactly one of delete, apply, scale or patch"),
            }
        }
        out.sort_by_key(Action::at);
        out
    }

    /// `taint: node/<name>` (`kubectl taint nodes <name> key=value:effect`) or `untaint:
    /// node/<name>` (`kubectl taint nodes <name> key:effect-`), with the taint's key,
    /// value and effect as the API server validates a Node's taints.
    fn taint_action(&mut self, at: Millis, a: raw::RawAction, path: &FieldPath) -> Option<Action> {
        let (verb, target) = match (a.taint, a.untaint) {
            (Some(t), _) => ("taint", t),
            (None, Some(t)) => ("untaint", t),
            (None, None) => return None,
        };
        let node = match self.target(&target, path.child(verb))? {
            (kind, _, name) if kind == "Node" => name,
            (kind, _, _) => {
                self.error(path.child(verb), format!("{verb}: podsim taints nodes, not {kind}s"));
                return None;
            }
        };
        let Some(key) = a.key else {
            self.error(path.child("key"), "Required value: the taint's key, e.g. node.kubernetes.io/out-of-service");
            return None;
        };
        if verb == "untaint" {
            if a.value.is_some() {
                self.error(path.child("value"), "value: untaint removes taints by key (and effect)");
            }
            let mut errs = Vec::new();
            if let Some(e) = &a.effect {
                let taint = crate::api::node::Taint { key: key.clone(), value: None, effect: e.clone() };
                validation::validate_taint(&taint, path, &mut errs);
            }
            self.field_errors(errs);
            return Some(Action::Untaint { at, node, key, effect: a.effect });
        }
        let taint = crate::api::node::Taint { key, value: a.value, effect: a.effect.unwrap_or_default() };
        let mut errs = Vec::new();
        validation::validate_taint(&taint, path, &mut errs);
        for msg in crate::labels::is_qualified_name(&taint.key) {
            errs.push(FieldError::invalid(path.child("key"), &taint.key, &msg));
        }
        if let Some(v) = &taint.value {
            for msg in crate::labels::is_valid_label_value(v) {
                errs.push(FieldError::invalid(path.child("value"), v, &msg));
            }
        }
        let ok = errs.is_empty();
        self.field_errors(errs);
        ok.then_some(Action::Taint { at, node, taint })
    }

    /// `patch: behavior/<name>`: the named behavior changes from `at` on.
    fn behavior_action(
        &mut self,
        at: Millis,
        name: &str,
        set: &[(String, serde_json::Value)],
        behaviors: &[Behavior],
        path: &FieldPath,
    ) -> Option<Action> {
        let Some(behavior) = behaviors.iter().position(|b| b.name.as_deref() == Some(name)) else {
            self.error(path.child("patch"), format!("no behavior is named {name:?}"));
            return None;
        };
        let mut errs = Vec::new();
        let patch = super::behaviors::patch_from_set(set, &path.child("set"), &mut errs);
        self.field_errors(errs);
        Some(Action::PatchBehavior { at, behavior, patch: Box::new(patch?) })
    }

    /// `pod/web`, `job/batch`, `default/pod/web` or `pod/team-a/web` style targets.
    fn target(&mut self, text: &str, path: FieldPath) -> Option<(String, String, String)> {
        let parts: Vec<&str> = text.split('/').collect();
        let kind = |k: &str| match k.to_ascii_lowercase().as_str() {
            "pod" | "pods" | "po" => Some("Pod"),
            "job" | "jobs" => Some("Job"),
            "cronjob" | "cronjobs" | "cj" => Some("CronJob"),
            "service" | "services" | "svc" => Some("Service"),
            "node" | "nodes" | "no" => Some("Node"),
            "deployment" | "deployments" | "deploy" => Some("Deployment"),
            "replicaset" | "replicasets" | "rs" => Some("ReplicaSet"),
            "daemonset" | "daemonsets" | "ds" => Some("DaemonSet"),
            "statefulset" | "statefulsets" | "sts" => Some("StatefulSet"),
            "persistentvolumeclaim" | "persistentvolumeclaims" | "pvc" => Some("PersistentVolumeClaim"),
            "persistentvolume" | "persistentvolumes" | "pv" => Some("PersistentVolume"),
            "storageclass" | "storageclasses" | "sc" => Some("StorageClass"),
            "configmap" | "configmaps" | "cm" => Some("ConfigMap"),
            "secret" | "secrets" => Some("Secret"),
            _ => None,
        };
        let parsed = match parts.as_slice() {
            [k, name] => kind(k).map(|k| (k, "default", *name)),
            [k, ns, name] => kind(k).map(|k| (k, *ns, *name)),
            _ => None,
        };
        match parsed {
            Some((k, ns, name)) if !name.is_empty() => Some((k.to_string(), ns.to_string(), name.to_string())),
            _ => {
                self.error(path, format!("invalid target {text:?}: expected kind/name or kind/namespace/name, kind one of pod, job, cronjob, node, deployment, replicaset, daemonset, statefulset, service, pvc, pv, storageclass, configmap, secret"));
                None
            }
        }
    }

    /// `storage:`: each class entry's timings over the defaults (provision 5s, attach
    /// 10s, detach 5s, mount 0s); a distribution whose mean is not finite is refused.
    fn storage(&mut self, raw: raw::RawStorage) -> crate::cluster::storage::StorageTimings {
        use crate::cluster::storage::ClassTimings;
        let mut classes = Vec::new();
        for (i, c) in raw.classes.into_iter().enumerate() {
            let path = FieldPath::root("storage").child("classes").index(i);
            if c.name.is_empty() {
                self.error(path.child("name"), "Required value: a StorageClass name or glob (\"*\" for every class)");
                continue;
            }
            let mut t = ClassTimings::default();
            for (field, value, slot) in [
                ("provision", c.provision, &mut t.provision),
                ("attach", c.attach, &mut t.attach),
                ("detach", c.detach, &mut t.detach),
                ("mount", c.mount, &mut t.mount),
            ] {
                if let Some(d) = value {
                    if !d.mean().is_finite() {
                        self.error(path.child(field), "the distribution must have a finite mean");
                    }
                    *slot = d;
                }
            }
            classes.push((crate::scenario::glob::Glob::new(&c.name), t));
        }
        crate::cluster::storage::StorageTimings { classes }
    }

    /// `network:`, over the defaults for a cluster of `nodes` nodes (those it starts
    /// with and those `add` faults bring).
    fn network(&mut self, n: raw::RawNetwork, nodes: u64) -> NetworkConfig {
        let path = FieldPath::root("network");
        let mut cfg = NetworkConfig::defaults(nodes);
        let cidr = |cx: &mut Self, text: &Option<String>, field: &str| -> Option<Cidr> {
            let text = text.as_ref()?;
            let parsed = Cidr::parse(text);
            if parsed.is_none() {
                // Go's `net.ParseCIDR` error.
                cx.error(path.child(field), format!("invalid CIDR address: {text}"));
            }
            parsed
        };
        if let Some(c) = cidr(self, &n.cluster_cidr, "clusterCIDR") {
            cfg.cluster_cidr = c;
        }
        if let Some(c) = cidr(self, &n.service_cidr, "serviceCIDR") {
            // kubeadm `ValidateServiceSubnetSize` (the API server's own limit, 20 host bits).
            if c.prefix < 12 {
                self.error(
                    path.child("serviceCIDR"),
                    format!("Invalid value: \"{c}\": specified service subnet is too large; for 32-bit addresses, the mask must be >= 12"),
                );
            } else if c.prefix > 30 {
                self.error(
                    path.child("serviceCIDR"),
                    format!("Invalid value: \"{c}\": must hold at least 2 ClusterIPs (a mask of 30 or less)"),
                );
            }
            cfg.service_cidr = c;
        }
        match n.node_cidr_mask_size {
            Some(m) if m < i64::from(cfg.cluster_cidr.prefix) || m > 30 => self.error(
                path.child("nodeCIDRMaskSize"),
                format!(
                    "Invalid value: {m}: must be between the cluster CIDR's prefix length ({}) and 30",
                    cfg.cluster_cidr.prefix
                ),
            ),
            Some(m) => cfg.node_mask = m as u8,
            None if cfg.node_mask < cfg.cluster_cidr.prefix => self.error(
                path.child("clusterCIDR"),
                format!(
                    "Invalid value: \"{}\": the cluster CIDR must be at least as large as a node's pod CIDR (/{}); set nodeCIDRMaskSize",
                    cfg.cluster_cidr, cfg.node_mask
                ),
            ),
            None => {}
        }
        match n.max_endpoints_per_slice {
            // kube-controller-manager accepts 1 to 1000 (`cmd/kube-controller-manager/app/options/endpointslicecontroller.go`).
            Some(m) if !(1..=1000).contains(&m) => self
                .error(path.child("maxEndpointsPerSlice"), format!("Invalid value: {m}: must be between 1 and 1000")),
            Some(m) => cfg.max_endpoints_per_slice = m as u32,
            None => {}
        }
        cfg
    }

    fn kubelet(&mut self, k: raw::RawKubelet) -> KubeletConfig {
        let path = FieldPath::root("kubelet");
        let mut cfg = KubeletConfig::default();
        if let Some(max) = self.duration(&k.max_container_restart_period, path.child("maxContainerRestartPeriod")) {
            // KubeletCrashLoopBackOffMax: allowed between 1s and 300s.
            if (1_000..=300_000).contains(&max) {
                cfg.max_container_restart_period = max;
            } else {
                self.error(path.child("maxContainerRestartPeriod"), "must be between 1s and 300s");
            }
        }
        cfg.serialize_image_pulls = k.serialize_image_pulls.unwrap_or(true);
        cfg.max_parallel_image_pulls = k.max_parallel_image_pulls;
        if cfg.serialize_image_pulls && cfg.max_parallel_image_pulls.is_some_and(|n| n != 1) {
            self.error(path.child("maxParallelImagePulls"), "maxParallelImagePulls needs serializeImagePulls: false");
        }
        cfg
    }
}

/// Validates the objects of a manifest file on its own (`podsim validate`).
pub fn validate_manifests(file: &str, text: &str, manifests: Vec<Manifest>) -> Vec<InputError> {
    let read = |_: &str| Err("not available".to_string());
    let mut cx = Loader::new(file, text, &read, 1);
    let at = cx.positions.clone();
    for m in manifests {
        if let Object::Node(node) = &m.object {
            let mut node = node.clone();
            validation::default_node(&mut node);
            let mut errs = Vec::new();
            validation::validate_node(&node, &mut errs);
            cx.object_errors(&m.origin, &at, errs);
        } else {
            let _ = cx.validated(m, &at, false);
        }
    }
    cx.errors
}

/// The labels a kubelet puts on its Node.
pub fn default_node_labels(name: &str) -> std::collections::BTreeMap<String, String> {
    [("kubernetes.io/hostname", name), ("kubernetes.io/os", "linux"), ("kubernetes.io/arch", "amd64")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn namespace_of(object: &Object) -> &str {
    match object {
        Object::Pod(p) => p.metadata.namespace(),
        Object::Job(j) => j.metadata.namespace(),
        Object::CronJob(c) => c.metadata.namespace(),
        Object::ReplicaSet(r) => r.metadata.namespace(),
        Object::Deployment(d) => d.metadata.namespace(),
        Object::DaemonSet(d) => d.metadata.namespace(),
        Object::StatefulSet(s) => s.metadata.namespace(),
        Object::Service(s) => s.metadata.namespace(),
        Object::PodDisruptionBudget(b) => b.metadata.namespace(),
        Object::PersistentVolumeClaim(c) => c.metadata.namespace(),
        Object::ConfigMap(c) => c.metadata.namespace(),
        Object::Secret(s) => s.metadata.namespace(),
        Object::Node(_) | Object::PriorityClass(_) | Object::PersistentVolume(_) | Object::StorageClass(_) => "",
    }
}

/// Calls `visit` with (namespace, a pod name, container, image) for every container the
/// workload can run, to tell the user about behaviors that match nothing, until it
/// returns false (every behavior matched: on a large manifest file, the first pods).
/// Controller-made pods are named as their controller names them, with a placeholder
/// suffix.
fn each_candidate_container(s: &Scenario, visit: &mut dyn FnMut(&str, &str, &str, &str) -> bool) {
    let mut containers = |ns: &str, name: &str, spec: &crate::api::pod::PodSpec| {
        let mut all = spec.init_containers.iter().chain(&spec.containers);
        all.all(|c| visit(ns, name, &c.name, c.image.as_deref().unwrap_or_default()))
    };
    for (m, copied) in workload_manifests(s) {
        let going = match &m.object {
            Object::Pod(p) => containers(p.metadata.namespace(), &pod_name_sample(&p.metadata, copied), &p.spec),
            Object::Job(j) => {
                // Job pods are `<job>-<suffix>`, or `<job>-<index>-<suffix>` when Indexed.
                let indexed = j.spec.completion_mode.as_deref() == Some("Indexed");
                let n = if indexed { j.spec.completions.unwrap_or(1).clamp(1, 1000) } else { 1 };
                (0..n).all(|i| {
                    let name = if indexed {
                        format!("{}-{i}-xxxxx", j.metadata.name)
                    } else {
                        format!("{}-xxxxx", j.metadata.name)
                    };
                    containers(j.metadata.namespace(), &name, &j.spec.template.spec)
                })
            }
            Object::CronJob(c) => containers(
                c.metadata.namespace(),
                &format!("{}-29000000-xxxxx", c.metadata.name),
                &c.spec.job_template.spec.template.spec,
            ),
            // ReplicaSet pods are `<rs>-<suffix>`, a Deployment's `<deployment>-<hash>-<suffix>`.
            Object::ReplicaSet(r) => {
                containers(r.metadata.namespace(), &format!("{}-xxxxx", r.metadata.name), &r.spec.template.spec)
            }
            Object::Deployment(d) => containers(
                d.metadata.namespace(),
                &format!("{}-xxxxxxxxxx-xxxxx", d.metadata.name),
                &d.spec.template.spec,
            ),
            // DaemonSet pods are `<ds>-<suffix>`.
            Object::DaemonSet(d) => {
                containers(d.metadata.namespace(), &format!("{}-xxxxx", d.metadata.name), &d.spec.template.spec)
            }
            // StatefulSet pods are `<sts>-<ordinal>`.
            Object::StatefulSet(s) => containers(
                s.metadata.namespace(),
                &format!("{}-{}", s.metadata.name, s.start_ordinal()),
                &s.spec.template.spec,
            ),
            _ => true,
        };
        if !going {
            return;
        }
    }
}

/// Every object the scenario submits (at a time, as arrival streams, or by `apply`),
/// and whether it is copied (an arrival stream's).
fn workload_manifests(s: &Scenario) -> impl Iterator<Item = (&Manifest, bool)> {
    let applied = s.actions.iter().flat_map(|a| match a {
        Action::Apply { manifests, .. } => manifests.as_slice(),
        _ => &[],
    });
    let submitted = s.submissions.iter().map(|x| (&x.manifest, false));
    submitted.chain(s.arrivals.iter().map(|a| (&a.manifest, true))).chain(applied.map(|m| (m, false)))
}

fn pod_name_sample(meta: &crate::api::ObjectMeta, copied: bool) -> String {
    match (&meta.generate_name, copied) {
        (Some(g), _) if meta.name.is_empty() => format!("{g}xxxxx"),
        (_, true) => format!("{}-1", meta.name),
        _ => meta.name.clone(),
    }
}

/// Applies the API server's defaults to an object and returns what its own validation
/// found (the kind's `validate`; nothing that depends on other objects).
fn validate_object(m: &mut Manifest) -> Vec<FieldError> {
    let mut errs = Vec::new();
    match m.object.kind().info().validate {
        Some(validate) => validate(&mut m.object, &mut errs),
        None => errs.push(FieldError::new(
            FieldPath::root("kind"),
            "Nodes belong under nodes: (as a manifest entry), not in workloads",
        )),
    }
    errs
}

/// What the `MaxUnavailableStatefulSet` gate changes on create: with it,
/// `maxUnavailable` defaults to 1; without it, the API server drops a given one
/// (`dropStatefulSetDisabledFields`), which the user hears of: whether it did.
fn statefulset_gates(m: &mut Manifest, gate: bool) -> bool {
    use crate::api::validation_statefulset::{default_statefulset, drop_disabled_fields};
    let Object::StatefulSet(sts) = &mut m.object else { return false };
    default_statefulset(sts, gate);
    drop_disabled_fields(sts, gate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write;

    /// Behaviors that match no container are warned about in order, whether the
    /// containers they miss come before or after those the others match; the search
    /// stops once every behavior has matched.
    #[test]
    fn behaviors_that_match_no_container_are_warned_about_in_order() {
        let scenario = "name: s\nnodes:\n  - {name: n, count: 1, capacity: {cpu: \"8\", memory: 8Gi}}\n\
                        workloads:\n\
                        \x20 - object: {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: [{name: c, image: nginx}]}}\n\
                        \x20 - object: {apiVersion: batch/v1, kind: Job, metadata: {name: j}, spec: {completionMode: Indexed, completions: 3, template: {spec: {restartPolicy: Never, containers: [{name: w, image: busybox}]}}}}\n\
                        behaviors:\n\
                        \x20 - {match: {image: busybox}, runFor: 1s}\n\
                        \x20 - {match: {image: redis}}\n\
                        \x20 - {match: {pod: j-2-*}}\n\
                        \x20 - {match: {pod: j-3-*}}\n\
                        \x20 - {match: {container: c}}\n";
        let read = |_: &str| -> Result<String, String> { Err("no files".into()) };
        let loaded = load_with("s.yaml", scenario, &read, 1).expect("a valid scenario");
        let unmatched: Vec<&str> =
            loaded.warnings.iter().filter(|w| w.contains("matches no container")).map(String::as_str).collect();
        assert_eq!(
            unmatched,
            ["behaviors[1] matches no container of the workload", "behaviors[3] matches no container of the workload"]
        );
        let all = scenario.replace("{match: {image: redis}}", "{match: {image: ngin*}}").replace("j-3-*", "j-0-*");
        let loaded = load_with("s.yaml", &all, &read, 1).expect("a valid scenario");
        assert!(loaded.warnings.iter().all(|w| !w.contains("matches no container")), "{:?}", loaded.warnings);
    }

    /// A StatefulSet read from a file is defaulted on the thread that parsed it, its
    /// dropped `maxUnavailable` told as when written inline: once, in the file's order.
    #[test]
    fn a_file_s_statefulsets_hear_of_their_feature_gate() {
        let mut sets = String::new();
        for i in 0..300 {
            let strategy = if i % 100 == 7 { "  updateStrategy: {rollingUpdate: {maxUnavailable: 2}}\n" } else { "" };
            let _ = write!(
                sets,
                "---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: s{i}}}\nspec:\n  serviceName: s\n  \
                 selector: {{matchLabels: {{app: s{i}}}}}\n{strategy}  template:\n    metadata: {{labels: {{app: s{i}}}}}\n    \
                 spec: {{containers: [{{name: c, image: i}}]}}\n"
            );
        }
        let read = |name: &str| -> Result<String, String> {
            if name == "sets.yaml" { Ok(sets.clone()) } else { Err("no such file".into()) }
        };
        let scenario = "name: s\nnodes:\n  - {name: n, count: 1, capacity: {cpu: \"8\", memory: 8Gi}}\nworkloads:\n  - manifest: sets.yaml\n";
        for threads in [1, 3] {
            let loaded = load_with("s.yaml", scenario, &read, threads).expect("a valid scenario");
            let dropped: Vec<&str> = loaded
                .warnings
                .iter()
                .filter(|w| w.contains("maxUnavailable is dropped"))
                .map(String::as_str)
                .collect();
            assert_eq!(dropped.len(), 3, "{dropped:?}");
            assert!(
                dropped[0].starts_with("StatefulSet s7:") && dropped[2].starts_with("StatefulSet s207:"),
                "{dropped:?}"
            );
            let gated = scenario
                .replace("workloads:", "kubernetes: {featureGates: {MaxUnavailableStatefulSet: true}}\nworkloads:");
            let loaded = load_with("s.yaml", &gated, &read, threads).expect("a valid scenario");
            assert!(loaded.warnings.iter().all(|w| !w.contains("maxUnavailable")), "{:?}", loaded.warnings);
        }
    }

    /// A manifest file of 600 pods, some invalid (an upper-case name, a negative
    /// request, a name given twice), read on one thread and on three: the same errors
    /// in the same order, and once the bad ones are gone, the same scenario.
    #[test]
    fn objects_are_validated_alike_on_any_number_of_threads() {
        let pods = |bad: bool| {
            let mut text = String::new();
            for i in 0..600 {
                let name = match (bad, i) {
                    (true, 17) => "Upper-17".to_string(),
                    (true, 401) => "pod-400".to_string(),
                    _ => format!("pod-{i}"),
                };
                let cpu = if bad && i == 333 { "-1" } else { "100m" };
                let _ = write!(
                    text,
                    "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers:\n  \
                     - {{name: c, image: i, resources: {{requests: {{cpu: \"{cpu}\"}}}}}}\n"
                );
            }
            text
        };
        let scenario = "name: s\nnodes:\n  - {name: n, count: 2, capacity: {cpu: \"64\", memory: 64Gi, pods: 1000}}\n\
                        workloads:\n  - manifest: pods.yaml\n";
        for bad in [true, false] {
            let text = pods(bad);
            let read = |name: &str| -> Result<String, String> {
                if name == "pods.yaml" { Ok(text.clone()) } else { Err("no such file".into()) }
            };
            let one = load_with("s.yaml", scenario, &read, 1);
            let three = load_with("s.yaml", scenario, &read, 3);
            match (one, three) {
                (Err(a), Err(b)) => {
                    assert!(bad);
                    assert_eq!(a.to_string(), b.to_string());
                    assert_eq!(a.0.len(), 3, "{a}");
                }
                (Ok(a), Ok(b)) => {
                    assert!(!bad);
                    assert_eq!(format!("{a:?}"), format!("{b:?}"));
                }
                (a, b) => panic!("one thread: {:?}; three: {:?}", a.is_ok(), b.is_ok()),
            }
        }
    }
}
