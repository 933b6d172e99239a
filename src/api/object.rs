//! Reading files of Kubernetes objects: YAML documents separated by `---`, JSON, and
//! `List` objects, each dispatched by `apiVersion` and `kind` as kubectl does.

use super::apps::{Deployment, ReplicaSet};
use super::config::{ConfigMap, Secret};
use super::cronjob::CronJob;
use super::daemonset::DaemonSet;
use super::errors::{FieldPath, InputError, Segment};
use super::job::Job;
use super::kinds::{Decoding, KINDS, by_api};
use super::node::Node;
use super::pod::Pod;
use super::policy::PodDisruptionBudget;
use super::scheduling::PriorityClass;
use super::schema;
use super::service::Service;
use super::source::locate;
use super::statefulset::StatefulSet;
use super::storage::{PersistentVolume, PersistentVolumeClaim, StorageClass};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// An object podsim simulates.
#[derive(Clone, Debug, PartialEq)]
pub enum Object {
    Pod(Box<Pod>),
    Node(Box<Node>),
    Job(Box<Job>),
    CronJob(Box<CronJob>),
    PriorityClass(Box<PriorityClass>),
    Service(Box<Service>),
    ReplicaSet(Box<ReplicaSet>),
    Deployment(Box<Deployment>),
    PodDisruptionBudget(Box<PodDisruptionBudget>),
    DaemonSet(Box<DaemonSet>),
    StatefulSet(Box<StatefulSet>),
    PersistentVolumeClaim(Box<PersistentVolumeClaim>),
    PersistentVolume(Box<PersistentVolume>),
    StorageClass(Box<StorageClass>),
    ConfigMap(Box<ConfigMap>),
    Secret(Box<Secret>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ObjectKind {
    Pod,
    Node,
    Job,
    CronJob,
    PriorityClass,
    Service,
    ReplicaSet,
    Deployment,
    PodDisruptionBudget,
    DaemonSet,
    StatefulSet,
    PersistentVolumeClaim,
    PersistentVolume,
    StorageClass,
    ConfigMap,
    Secret,
}

impl ObjectKind {
    pub fn as_str(self) -> &'static str {
        self.info().name
    }
}

impl Object {
    pub fn kind(&self) -> ObjectKind {
        match self {
            Object::Pod(_) => ObjectKind::Pod,
            Object::Node(_) => ObjectKind::Node,
            Object::Job(_) => ObjectKind::Job,
            Object::CronJob(_) => ObjectKind::CronJob,
            Object::PriorityClass(_) => ObjectKind::PriorityClass,
            Object::Service(_) => ObjectKind::Service,
            Object::ReplicaSet(_) => ObjectKind::ReplicaSet,
            Object::Deployment(_) => ObjectKind::Deployment,
            Object::PodDisruptionBudget(_) => ObjectKind::PodDisruptionBudget,
            Object::DaemonSet(_) => ObjectKind::DaemonSet,
            Object::StatefulSet(_) => ObjectKind::StatefulSet,
            Object::PersistentVolumeClaim(_) => ObjectKind::PersistentVolumeClaim,
            Object::PersistentVolume(_) => ObjectKind::PersistentVolume,
            Object::StorageClass(_) => ObjectKind::StorageClass,
            Object::ConfigMap(_) => ObjectKind::ConfigMap,
            Object::Secret(_) => ObjectKind::Secret,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Object::Pod(o) => &o.metadata.name,
            Object::Node(o) => &o.metadata.name,
            Object::Job(o) => &o.metadata.name,
            Object::CronJob(o) => &o.metadata.name,
            Object::PriorityClass(o) => &o.metadata.name,
            Object::Service(o) => &o.metadata.name,
            Object::ReplicaSet(o) => &o.metadata.name,
            Object::Deployment(o) => &o.metadata.name,
            Object::PodDisruptionBudget(o) => &o.metadata.name,
            Object::DaemonSet(o) => &o.metadata.name,
            Object::StatefulSet(o) => &o.metadata.name,
            Object::PersistentVolumeClaim(o) => &o.metadata.name,
            Object::PersistentVolume(o) => &o.metadata.name,
            Object::StorageClass(o) => &o.metadata.name,
            Object::ConfigMap(o) => &o.metadata.name,
            Object::Secret(o) => &o.metadata.name,
        }
    }
}

/// Where an object came from, to point at it in an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    /// Index of the YAML document in the file (null documents are not counted).
    pub doc: usize,
    /// Path of the object inside the document: empty, or `items[3]` in a List, or
    /// `workloads[2].object` for an object written inline in a scenario.
    pub path: FieldPath,
}

/// An object with its origin.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    pub object: Object,
    pub origin: Origin,
}

/// Fields read from manifests that the simulation does not model: listed once each,
/// with how many objects carried them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ignored {
    /// (kind, field path with list indexes elided) -> number of occurrences.
    pub fields: BTreeMap<(String, String), u64>,
    /// Objects of kinds Kubernetes has but podsim does not simulate: (kind, count).
    pub kinds: BTreeMap<String, u64>,
}

impl Ignored {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.kinds.is_empty()
    }

    pub fn merge(&mut self, other: Ignored) {
        for (k, n) in other.fields {
            *self.fields.entry(k).or_default() += n;
        }
        for (k, n) in other.kinds {
            *self.kinds.entry(k).or_default() += n;
        }
    }

    /// One line per ignored field and kind.
    pub fn describe(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .kinds
            .iter()
            .map(|(kind, n)| format!("{kind}: {n} object(s) of a kind podsim does not simulate"))
            .collect();
        lines.extend(self.fields.iter().map(|((kind, path), n)| format!("{kind} {path} (in {n} object(s))")));
        lines
    }
}

/// Built-in kinds that are accepted and skipped with a note: they exist in Kubernetes,
/// podsim does not simulate them (yet).
const NOT_SIMULATED: &[(&str, &str)] = &[
    ("v1", "Namespace"),
    ("v1", "ServiceAccount"),
    ("v1", "LimitRange"),
    ("v1", "ResourceQuota"),
    ("v1", "Endpoints"),
    ("discovery.k8s.io/v1", "EndpointSlice"),
    ("v1", "Event"),
    ("networking.k8s.io/v1", "Ingress"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("rbac.authorization.k8s.io/v1", "Role"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("autoscaling/v1", "HorizontalPodAutoscaler"),
];

/// Parser limits for manifests. serde-saphyr's defaults guard services against hostile
/// input (1,024 documents, 250,000 nodes); a simulator reads the user's own files,
/// which hold tens of thousands of objects.
pub fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_documents: 100_000_000,
            max_nodes: 2_000_000_000,
            max_events: 4_000_000_000,
            max_total_scalar_bytes: 1 << 34,
        },
    }
}

/// Reads every object of a manifest file (YAML or JSON; several documents; Lists).
pub fn parse_file(file: &str, text: &str, ignored: &mut Ignored) -> Result<Vec<Manifest>, InputError> {
    parse_file_with(file, text, ignored, 1)
}

/// Below this many documents a file is parsed on one thread.
const PARALLEL_MIN_DOCUMENTS: usize = 256;

/// As [`parse_file`], parsing the documents of a large file on up to `threads` threads.
/// The result does not depend on the number of threads: documents are split at their
/// `---` markers (YAML forbids that line inside any scalar), parsed in contiguous
/// groups, and put back in order.
pub fn parse_file_with(
    file: &str,
    text: &str,
    ignored: &mut Ignored,
    threads: usize,
) -> Result<Vec<Manifest>, InputError> {
    let parsed = parse_file_then(file, text, ignored, threads, &|_| ())?;
    Ok(parsed.into_iter().map(|(m, ())| m).collect())
}

/// As [`parse_file_with`], with `then` applied to each object on the thread that parsed
/// it, while the object is still in that core's cache (the loader defaults and validates
/// there: as a second pass over the objects, on threads of their own, `podsim validate`
/// of the Alibaba set took 5% longer, median of thirty interleaved runs).
pub fn parse_file_then<X: Send>(
    file: &str,
    text: &str,
    ignored: &mut Ignored,
    threads: usize,
    then: &(dyn Fn(&mut Manifest) -> X + Sync),
) -> Result<Vec<(Manifest, X)>, InputError> {
    let finish = |manifests: Vec<Manifest>| -> Vec<(Manifest, X)> {
        manifests
            .into_iter()
            .map(|mut m| {
                let x = then(&mut m);
                (m, x)
            })
            .collect()
    };
    let docs = split_documents(text);
    if threads <= 1 || docs.len() < PARALLEL_MIN_DOCUMENTS {
        return parse_documents(file, text, &[(0, text)], ignored).map(|(m, _)| finish(m));
    }
    let per = docs.len().div_ceil(threads);
    let groups: Vec<&[(usize, &str)]> = docs.chunks(per).collect();
    let results: Vec<Result<Group<X>, InputError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = groups
            .iter()
            .map(|group| {
                scope.spawn(move || {
                    let mut local = Ignored::default();
                    parse_documents(file, text, group, &mut local).map(|(m, n)| (finish(m), local, n))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a parsing thread does not panic")).collect()
    });
    let mut out = Vec::new();
    let mut offset = 0;
    for r in results {
        let (mut manifests, local, docs_seen) = r?;
        for (m, _) in &mut manifests {
            m.origin.doc += offset;
        }
        offset += docs_seen;
        out.append(&mut manifests);
        ignored.merge(local);
    }
    Ok(out)
}

/// A group of documents parsed, each object with what `then` made of it, its ignored
/// fields, and its document count.
type Group<X> = (Vec<(Manifest, X)>, Ignored, usize);

/// A group of documents parsed: its objects, ignored fields, and document count.
type GroupResult = (Vec<Manifest>, Ignored, usize);

/// Parses documents given as (first line, text) and returns their objects with document
/// indexes counted from 0 within this group, and how many non-null documents it held.
fn parse_documents(
    file: &str,
    whole: &str,
    docs: &[(usize, &str)],
    ignored: &mut Ignored,
) -> Result<(Vec<Manifest>, usize), InputError> {
    if let Some((out, local, count)) = parse_stream(file, whole, docs) {
        ignored.merge(local);
        return Ok((out, count));
    }
    let mut out = Vec::new();
    let mut index = 0;
    for (first_line, text) in docs {
        let values = match super::yaml_values::read_documents(text) {
            Some(values) => values,
            None => serde_saphyr::from_multiple_with_options(text, yaml_options()).map_err(|e| {
                let mut err = yaml_error(file, &e);
                err.position = err.position.map(|(l, c)| (l + *first_line as u64, c));
                err
            })?,
        };
        for value in values {
            if docs.len() == 1 {
                let origin = Origin { file: file.to_string(), doc: index, path: FieldPath::empty() };
                parse_value(value, origin, whole, ignored, &mut out)?;
            } else {
                // Each piece holds one document: errors are placed within it, then
                // shifted by its first line; objects get the group's document index.
                let origin = Origin { file: file.to_string(), doc: 0, path: FieldPath::empty() };
                let before = out.len();
                parse_value(value, origin, text, ignored, &mut out).map_err(|mut e| {
                    e.position = e.position.map(|(l, c)| (l + *first_line as u64, c));
                    e
                })?;
                for m in &mut out[before..] {
                    m.origin.doc = index;
                }
            }
            index += 1;
        }
    }
    Ok((out, index))
}

/// The documents read as one stream by [`super::yaml_values`], all or nothing: a document
/// it leaves to serde-saphyr, or an object that does not decode or validate, sends the
/// group to the reading document by document, which also places errors in their lines.
fn parse_stream(file: &str, whole: &str, docs: &[(usize, &str)]) -> Option<GroupResult> {
    // The documents are consecutive pieces of `whole`: their stretch is read at once.
    let offset = |piece: &str| piece.as_ptr() as usize - whole.as_ptr() as usize;
    let (first, last) = (docs.first()?.1, docs.last()?.1);
    let text = whole.get(offset(first)..offset(last) + last.len())?;
    let (mut out, mut local, mut index) = (Vec::new(), Ignored::default(), 0);
    let read = super::yaml_values::for_each_document(text, |value| {
        let origin = Origin { file: file.to_string(), doc: index, path: FieldPath::empty() };
        index += 1;
        read_value(value, origin, text, &mut local, &mut out, Decoding::Retried).is_ok()
    });
    read.then_some((out, local, index))
}

/// The text of the first document of a YAML stream (the whole text when it has
/// directives), to look at a file's first object without parsing the rest.
pub fn first_document(text: &str) -> &str {
    split_documents(text).first().map_or(text, |(_, t)| t)
}

/// Splits a YAML stream at its document markers: (number of lines before, text).
/// A stream with directives (`%YAML`) is not split. Only lines that begin with `---` or
/// `...` can be markers, and they are found by searching the text for them with memchr's
/// vectorised search (a line by line walk of a large file was a tenth of reading it on
/// the main thread, and std's searches for the two markers and the line count a twentieth);
/// lines are counted only between the markers found.
fn split_documents(text: &str) -> Vec<(usize, &str)> {
    use memchr::memmem;
    let b = text.as_bytes();
    if b.first() == Some(&b'%') || memmem::find(b, b"\n%").is_some() {
        return vec![(0, text)];
    }
    let mut candidates: Vec<usize> = Vec::new();
    if text.starts_with("---") || text.starts_with("...") {
        candidates.push(0);
    }
    candidates.extend(memmem::find_iter(b, b"\n---").map(|i| i + 1));
    let dashes = candidates.len();
    candidates.extend(memmem::find_iter(b, b"\n...").map(|i| i + 1));
    if candidates.len() > dashes {
        candidates.sort_unstable();
    }
    let mut docs = Vec::new();
    let (mut start, mut start_line, mut counted, mut line_no) = (0, 0, 0, 0);
    for pos in candidates {
        let line = &b[pos..];
        let mut bare = &line[..memchr::memchr(b'\n', line).unwrap_or(line.len())];
        while let Some(trimmed) = bare.strip_suffix(b"\r") {
            bare = trimmed;
        }
        let marker = bare == b"---" || bare.starts_with(b"--- ") || bare.starts_with(b"---\t") || bare == b"...";
        if marker && pos > start {
            line_no += memchr::memchr_iter(b'\n', &b[counted..pos]).count();
            counted = pos;
            docs.push((start_line, &text[start..pos]));
            start = pos;
            start_line = line_no;
        }
    }
    docs.push((start_line, &text[start..]));
    docs
}

/// Reads one object given as a value (inline in a scenario, or an item of a List).
/// `text` is the source the origin points into, used to find line numbers for errors.
pub fn parse_value(
    value: Value,
    origin: Origin,
    text: &str,
    ignored: &mut Ignored,
    out: &mut Vec<Manifest>,
) -> Result<(), InputError> {
    read_value(value, origin, text, ignored, out, Decoding::Precise)
}

/// [`parse_value`], saying where it fails as `decoding` asks.
fn read_value(
    value: Value,
    origin: Origin,
    text: &str,
    ignored: &mut Ignored,
    out: &mut Vec<Manifest>,
    decoding: Decoding,
) -> Result<(), InputError> {
    let fail = |path: FieldPath, msg: String| {
        let full = origin.path.join(&path);
        InputError::new(&origin.file, msg).at(locate(text, origin.doc, &full)).with_path(full)
    };
    let Value::Object(map) = &value else {
        return Err(fail(
            FieldPath::empty(),
            "expected a Kubernetes object (a mapping with apiVersion and kind)".into(),
        ));
    };
    let field = |name: &str| map.get(name).and_then(Value::as_str).unwrap_or("");
    let (api_version, kind) = (field("apiVersion").to_string(), field("kind").to_string());
    if kind.is_empty() {
        return Err(fail(
            FieldPath::root("kind"),
            "Object 'Kind' is missing: every object needs apiVersion and kind".into(),
        ));
    }
    if api_version.is_empty() {
        return Err(fail(FieldPath::root("apiVersion"), format!("Object 'apiVersion' is missing in a {kind}")));
    }
    if kind == "List" && api_version == "v1" {
        return parse_list(value, origin, text, ignored, out, decoding);
    }
    let simulated = by_api(&api_version, &kind);
    let skipped = NOT_SIMULATED.iter().any(|(v, n)| *v == api_version && *n == kind);
    if simulated.is_none() && !skipped {
        return Err(fail(FieldPath::root("kind"), unknown_kind_message(&api_version, &kind)));
    }
    let kept = if simulated.is_some() { kept() } else { &schema::Kept::NONE };
    reject_unknown_fields(&value, &api_version, &kind, &origin, text, kept, ignored)?;
    if let Some(info) = simulated {
        let object = (info.decode)(value, decoding, &mut |path| note_ignored(ignored, &kind, path))
            .map_err(|(path, msg)| fail(path, msg))?;
        out.push(Manifest { object, origin });
        return Ok(());
    }
    *ignored.kinds.entry(kind).or_default() += 1;
    Ok(())
}

/// The API server's strict field validation, as kubectl asks for it since 1.27: a
/// field the kind's schema does not have (a misspelt `restartpolicy`) refuses the
/// object, where the default would otherwise run silently. One error per object,
/// listing every unknown field as upstream does, placed at the first. The same walk
/// notes the fields of `kept` in `ignored`.
fn reject_unknown_fields(
    value: &Value,
    api_version: &str,
    kind: &str,
    origin: &Origin,
    text: &str,
    kept: &schema::Kept,
    ignored: &mut Ignored,
) -> Result<(), InputError> {
    let schema = schema::schema();
    let Some(root) = schema.kind(api_version, kind) else { return Ok(()) };
    let unknown = schema.unknown_fields_noting(&root, value, kept, &mut |path| note_ignored(ignored, kind, path));
    let Some(first) = unknown.first() else { return Ok(()) };
    let at = locate(text, origin.doc, &origin.path.join(first));
    Err(InputError::new(&origin.file, schema::strict_decoding_error(api_version, kind, &unknown))
        .at(at)
        .with_path(origin.path.clone()))
}

fn parse_list(
    value: Value,
    origin: Origin,
    text: &str,
    ignored: &mut Ignored,
    out: &mut Vec<Manifest>,
    decoding: Decoding,
) -> Result<(), InputError> {
    let Value::Object(mut map) = value else { unreachable!("checked by the caller") };
    let items = match map.remove("items") {
        Some(Value::Array(items)) => items,
        None | Some(Value::Null) => Vec::new(),
        Some(_) => {
            let path = origin.path.child("items");
            return Err(InputError::new(&origin.file, "a List's items must be a sequence of objects")
                .at(locate(text, origin.doc, &path))
                .with_path(path));
        }
    };
    for (i, item) in items.into_iter().enumerate() {
        let item_origin = Origin { path: origin.path.child("items").index(i), ..origin.clone() };
        read_value(item, item_origin, text, ignored, out, decoding)?;
    }
    Ok(())
}

fn unknown_kind_message(api_version: &str, kind: &str) -> String {
    let known: Vec<String> = KINDS.iter().map(|k| format!("{} ({})", k.name, k.api_version)).collect();
    match KINDS.iter().find(|k| k.name == kind).map(|k| k.api_version) {
        Some(v) => {
            format!("no matches for kind \"{kind}\" in version \"{api_version}\": expected apiVersion \"{v}\"")
        }
        None => format!(
            "no matches for kind \"{kind}\" in version \"{api_version}\": podsim simulates {}",
            known.join(", ")
        ),
    }
}

/// A path as serde_path_to_error tracks it, as a field path.
pub fn field_path(path: &serde_path_to_error::Path) -> FieldPath {
    use serde_path_to_error::Segment as S;
    let segments: Vec<Segment> = path
        .iter()
        .filter_map(|seg| match seg {
            S::Seq { index } => Some(Segment::Index(*index)),
            S::Map { key } | S::Enum { variant: key } => Some(Segment::Field(key.as_str().into())),
            S::Unknown => None,
        })
        .collect();
    FieldPath::from(segments)
}

/// Records an ignored field as `spec.containers[].command`, once per occurrence.
fn note_ignored(ignored: &mut Ignored, kind: &str, text: &str) {
    if text == "apiVersion" || text == "kind" || text.is_empty() {
        return;
    }
    *ignored.fields.entry((kind.to_string(), text.to_string())).or_default() += 1;
}

/// Fields podsim keeps, so that `-o yaml` and `describe` show them, but does not
/// simulate: noted as the fields it ignores are (`spec.containers[].command`) by the walk
/// that looks for unknown fields.
fn kept() -> &'static schema::Kept {
    const POD_SPEC: &[&str] = &["dnsPolicy", "enableServiceLinks", "securityContext"];
    const CONTAINER: &[&str] = &["command", "args", "terminationMessagePath", "terminationMessagePolicy"];
    static KEPT: OnceLock<schema::Kept> = OnceLock::new();
    KEPT.get_or_init(|| {
        let types = [
            ("core.v1.PodSpec", POD_SPEC),
            ("core.v1.Container", CONTAINER),
            ("core.v1.EphemeralContainer", CONTAINER),
        ];
        schema::Kept::new(schema::schema(), &types)
            .expect("the committed schema has these types (a unit test reads it)")
    })
}

/// An unread field's path as `note_ignored` keeps it: `spec.containers[].command`.
pub(super) fn render_ignored(path: &serde_ignored::Path, out: &mut String) {
    use serde_ignored::Path as P;
    match path {
        P::Root => {}
        P::Seq { parent, .. } => {
            render_ignored(parent, out);
            out.push_str("[]");
        }
        P::Map { parent, key } => {
            render_ignored(parent, out);
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(key);
        }
        P::Some { parent } | P::NewtypeStruct { parent } | P::NewtypeVariant { parent } => render_ignored(parent, out),
    }
}

/// A YAML syntax error with its line and column.
pub fn yaml_error(file: &str, e: &serde_saphyr::Error) -> InputError {
    let position = e.location().filter(|l| l.line() > 0).map(|l| (l.line(), l.column()));
    let text = e.to_string();
    // The rendered error starts with "error: line N column M: <message>" and a snippet;
    // keep the message line only: the position is reported in our own format.
    let first = text.lines().next().unwrap_or(&text);
    let message = first
        .trim_start_matches("error: ")
        .split_once(": ")
        .filter(|(prefix, _)| prefix.starts_with("line "))
        .map(|(_, m)| m)
        .unwrap_or(first);
    // A key given twice: strict decoding refuses it (sigs.k8s.io/json's `duplicate
    // field "<path>"`, joined by apimachinery/pkg/runtime/error.go). The parser knows
    // the key and its line, not its path: the line says where.
    if let serde_saphyr::Error::DuplicateMappingKey { key, .. } = e.without_snippet() {
        let field = key.as_deref().unwrap_or("");
        return InputError::new(file, format!("strict decoding error: duplicate field \"{field}\"")).at(position);
    }
    // Syntax errors say so; a wrong key or type in well-formed YAML is reported as is.
    let syntax =
        matches!(e.without_snippet(), serde_saphyr::Error::ExternalMessage { .. } | serde_saphyr::Error::Eof { .. });
    let schema = !syntax;
    let text = if schema { message.to_string() } else { format!("invalid YAML: {message}") };
    InputError::new(file, text).at(position)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The splitting walked the text line by line before it searched for the markers:
    /// both find the same documents on streams with markers in every form and place.
    #[test]
    fn documents_are_split_as_a_line_by_line_walk_splits_them() {
        fn by_lines(text: &str) -> Vec<(usize, &str)> {
            if text.lines().any(|l| l.starts_with('%')) {
                return vec![(0, text)];
            }
            let mut docs = Vec::new();
            let (mut start, mut start_line, mut line_no, mut pos) = (0, 0, 0, 0);
            for line in text.split_inclusive('\n') {
                let bare = line.trim_end_matches(['\n', '\r']);
                let marker = bare == "---" || bare.starts_with("--- ") || bare.starts_with("---\t") || bare == "...";
                if marker && pos > start {
                    docs.push((start_line, &text[start..pos]));
                    start = pos;
                    start_line = line_no;
                }
                pos += line.len();
                line_no += 1;
            }
            docs.push((start_line, &text[start..]));
            docs
        }
        let streams = [
            "",
            "a: 1\n",
            "---\na: 1\n---\nb: 2\n",
            "a: 1\n---\nb: 2\n...\n---\nc: 3",
            "--- {a: 1}\n---\tb\n---x: 1\n----\n ---\n...\n....\n",
            "a: |\n  ---\n  text\n---\r\nb: 2\r\n---\r\r\n...\r\n",
            "---\n---\n---\n",
            "%YAML 1.2\n---\na: 1\n---\nb: 2\n",
            "a: 1\n%TAG ! x\n---\nb: 2\n",
            "a: '%'\n---\nb: 2\n\n\n--- # c\nc: 3\n",
        ];
        for text in streams {
            assert_eq!(split_documents(text), by_lines(text), "{text:?}");
        }
    }

    fn parse(text: &str) -> Result<(Vec<Manifest>, Ignored), String> {
        let mut ignored = Ignored::default();
        parse_file("m.yaml", text, &mut ignored).map(|m| (m, ignored)).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_documents_lists_and_json() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  dnsPolicy: Default\n  containers: [{name: c, image: i, command: [x]}]\n---\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Node, metadata: {name: node1}}\n- {apiVersion: v1, kind: ServiceAccount, metadata: {name: s}}\n";
        let (objects, ignored) = parse(yaml).unwrap();
        let names: Vec<&str> = objects.iter().map(|m| m.object.name()).collect();
        assert_eq!(names, ["a", "node1"]);
        assert_eq!(objects[1].origin.path.to_string(), "items[0]");
        assert_eq!(
            ignored.describe(),
            [
                "ServiceAccount: 1 object(s) of a kind podsim does not simulate",
                "Pod spec.containers[].command (in 1 object(s))",
                "Pod spec.dnsPolicy (in 1 object(s))"
            ]
        );
        let json = r#"{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {"containers": []}}}}"#;
        assert_eq!(parse(json).unwrap().0[0].object.kind(), ObjectKind::Job);
    }

    #[test]
    fn notes_kept_fields_of_every_pod_spec_and_container_at_any_depth() {
        let cronjob = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        metadata: {labels: {dnsPolicy: x}, annotations: {command: z}}\n        spec:\n          restartPolicy: Never\n          securityContext: {runAsUser: 1}\n          enableServiceLinks: false\n          initContainers: [{name: i, image: i, args: [a], terminationMessagePolicy: File}]\n          containers: [{name: c, image: i, command: [x]}, {name: d, image: i, command: [w]}]\n";
        let (_, ignored) = parse(cronjob).unwrap();
        let spec = "spec.jobTemplate.spec.template.spec";
        let noted: Vec<(String, u64)> = ignored.fields.iter().map(|((_, path), n)| (path.clone(), *n)).collect();
        let expected = [
            (format!("{spec}.containers[].command"), 2),
            (format!("{spec}.enableServiceLinks"), 1),
            (format!("{spec}.initContainers[].args"), 1),
            (format!("{spec}.initContainers[].terminationMessagePolicy"), 1),
            (format!("{spec}.securityContext"), 1),
        ];
        assert_eq!(noted, expected);
        assert!(ignored.fields.keys().all(|(kind, _)| kind == "CronJob"));
    }

    #[test]
    fn every_kind_read_has_a_schema_and_the_schema_no_other() {
        let mut read: Vec<(&str, &str)> = KINDS.iter().map(|k| (k.api_version, k.name)).collect();
        read.extend(NOT_SIMULATED.iter().copied());
        read.sort();
        read.dedup();
        let mut schema: Vec<(&str, &str)> = schema::schema().kinds().collect();
        schema.sort();
        assert_eq!(read, schema, "tools/gen_schema.py's KINDS must list the kinds podsim reads");
    }

    #[test]
    fn strict_decoding_refuses_unknown_fields_and_notes_unmodelled_ones() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - name: c\n    image: i\n    env: [{name: A, valueFrm: {}}]\n";
        let err = parse(yaml).unwrap_err();
        assert_eq!(
            err,
            "m.yaml:8:31: Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.containers[0].env[0].valueFrm\""
        );
        let list = "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: s}, strinData: {}}\n";
        let err = parse(list).unwrap_err();
        assert!(err.starts_with("m.yaml:4:66: items[0]: Secret in version \"v1\""), "{err}");
        let fine = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  volumes: [{name: v, emptyDir: {}}]\n  containers: [{name: c, image: i, env: [{name: A, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]}]\n";
        let (_, ignored) = parse(fine).unwrap();
        assert!(ignored.describe().is_empty(), "{:?}", ignored.describe());
    }

    #[test]
    fn parallel_parsing_gives_the_same_objects_and_positions() {
        let mut text = String::new();
        for i in 0..600 {
            text.push_str(&format!("---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\nspec:\n  nodeName: node-a\n  containers: [{{name: c, image: i}}]\n"));
        }
        let (mut a, mut b) = (Ignored::default(), Ignored::default());
        let one = parse_file_with("m.yaml", &text, &mut a, 1).unwrap();
        let four = parse_file_with("m.yaml", &text, &mut b, 4).unwrap();
        assert_eq!(one, four);
        assert_eq!(a, b);
        assert_eq!(four[599].origin.doc, 599);
        let broken = text.replace("metadata: {name: p500}", "metadata: {name: p500");
        let e1 = parse_file_with("m.yaml", &broken, &mut a, 1).unwrap_err();
        let e4 = parse_file_with("m.yaml", &broken, &mut b, 4).unwrap_err();
        assert_eq!(e1, e4);
        let wrong = text.replace("kind: Pod\nmetadata: {name: p400}", "kind: Podd\nmetadata: {name: p400}");
        let e1 = parse_file_with("m.yaml", &wrong, &mut a, 1).unwrap_err();
        let e4 = parse_file_with("m.yaml", &wrong, &mut b, 4).unwrap_err();
        assert_eq!(e1, e4);
        assert_eq!(e1.position, Some((400 * 7 + 3, 7)));
        // A document the stream reading leaves to serde-saphyr (an anchor) sends its group
        // to the reading document by document: the same objects.
        let anchored = text.replace("metadata: {name: p300}", "metadata: &m {name: p300}");
        let (mut plain, mut c, mut d) = (Ignored::default(), Ignored::default(), Ignored::default());
        parse_file_with("m.yaml", &text, &mut plain, 1).unwrap();
        assert_eq!(parse_file_with("m.yaml", &anchored, &mut c, 1).unwrap(), one);
        assert_eq!(parse_file_with("m.yaml", &anchored, &mut d, 4).unwrap(), one);
        assert_eq!((&c, &d), (&plain, &plain));
    }

    #[test]
    fn rejects_unknown_kinds_and_versions_with_positions() {
        let err = parse("apiVersion: v1\nkind: Podd\nmetadata: {name: a}\n").unwrap_err();
        assert!(err.starts_with("m.yaml:2:7: kind: no matches for kind \"Podd\" in version \"v1\""), "{err}");
        let err = parse("apiVersion: batch/v2\nkind: Job\n").unwrap_err();
        assert!(err.contains("expected apiVersion \"batch/v1\""), "{err}");
        let err = parse("kind: Pod\n").unwrap_err();
        assert!(err.contains("apiVersion' is missing"), "{err}");
        let err = parse("apiVersion: v1\nkind: Pod\nspec:\n  containers: 5\n").unwrap_err();
        assert!(err.starts_with("m.yaml:4:15: spec.containers: invalid type"), "{err}");
        let err = parse("a: [1, 2\nb: 3").unwrap_err();
        assert!(err.starts_with("m.yaml:2:2: invalid YAML:"), "{err}");
    }
}
