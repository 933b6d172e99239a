//! Events as the API server holds them at T: `events.csv` rows up to T, repeats of an
//! identical Event folded into one object with a count (client-go's `EventCorrelator`),
//! gone one hour after they were last seen (`--event-ttl`). Listed in storage order:
//! by namespace, then by name `<object>.<first timestamp in Unix ns, hex>`.

use super::ViewError;
use super::files::RunDir;
use super::model::Event;
use crate::kubectl::duration::translate_timestamp_since;
use std::collections::BTreeMap;

pub const HEADERS: [&str; 5] = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"];
/// `-o wide` interleaves: LAST SEEN TYPE REASON OBJECT SUBOBJECT SOURCE MESSAGE FIRST SEEN COUNT NAME.
pub const WIDE_HEADERS: [&str; 10] =
    ["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN", "COUNT", "NAME"];

/// The API server's `--event-ttl` default.
pub const EVENT_TTL: i64 = 60 * 60_000;

/// Who reports an Event with this reason about this kind of object (`source.component`).
pub fn component(kind: &str, reason: &str) -> &'static str {
    match (kind, reason) {
        (_, "Scheduled" | "FailedScheduling" | "Preempted") => "default-scheduler",
        (_, "TaintManagerEviction") => "taint-eviction-controller",
        ("Job", _) => "job-controller",
        ("CronJob", _) => "cronjob-controller",
        ("Deployment", _) => "deployment-controller",
        ("ReplicaSet", _) => "replicaset-controller",
        ("DaemonSet", _) => "daemonset-controller",
        ("StatefulSet", _) => "statefulset-controller",
        ("Node", "NodeNotReady" | "RegisteredNode" | "RemovingNode") => "node-controller",
        ("Pod", "NodeNotReady") => "node-controller",
        // The disruption controller's recorder (`controllermanager`); kubectl drain's
        // refused evictions are its stderr, recorded on the pod.
        ("PodDisruptionBudget", _) | ("Pod", "NotDeleted") => "controllermanager",
        ("Pod", "TooManyRequests" | "InternalError" | "Forbidden") => "kubectl",
        // The external provisioner's own recorder is named for its driver and host
        // (`ebs.csi.aws.com_<host>_<uuid>`), which podsim does not keep.
        ("PersistentVolumeClaim", "Provisioning" | "ProvisioningSucceeded") => "external-provisioner",
        ("PersistentVolumeClaim" | "PersistentVolume", _) => "persistentvolume-controller",
        _ => "kubelet",
    }
}

/// Every Event stored at `at`, folded, in storage order.
pub fn load(run: &RunDir, at: i64) -> Result<Vec<Event>, ViewError> {
    let mut events = load_all(run, at)?;
    events.retain(|e| e.last > at - EVENT_TTL);
    Ok(events)
}

/// What makes two Events one (`getEventKey`): namespace, kind, name, field path,
/// reason, message, type, host; and the object's uid, which events.csv does not carry:
/// the pod of a name that a StatefulSet created again is another object (its
/// incarnation, counted from the set's `SuccessfulCreate` events).
type EventKey = (String, String, String, String, String, String, bool, String, u32);

/// The pod a StatefulSet's `create Pod <pod> in StatefulSet <set> successful` names.
fn created_by_statefulset<'a>(kind: &str, reason: &str, message: &'a str) -> Option<&'a str> {
    if kind != "StatefulSet" || reason != "SuccessfulCreate" {
        return None;
    }
    message.strip_prefix("create Pod ")?.split_once(" in StatefulSet ").map(|(pod, _)| pod)
}

/// Every Event recorded up to `at`, folded, expired ones included.
pub fn load_all(run: &RunDir, at: i64) -> Result<Vec<Event>, ViewError> {
    let paths = field_paths(run)?;
    let series = event_series(run)?;
    let path = run.file("events.csv")?;
    let mut reader = csv::ReaderBuilder::new()
        .from_path(&path)
        .map_err(|e| ViewError::input(format!("{}: cannot read: {e}", path.display())))?;
    let mut record = csv::StringRecord::new();
    // Identical Events (same object, type, reason, message, source) are one object.
    let mut folded: BTreeMap<EventKey, Event> = BTreeMap::new();
    // Events whose events.k8s.io series ended: the next occurrence is a new object.
    let mut ended: Vec<Event> = Vec::new();
    // (namespace, pod) → how many times a StatefulSet created a pod of that name.
    let mut incarnations: BTreeMap<(String, String), u32> = BTreeMap::new();
    let mut index: u64 = 0;
    // Events recorded within one millisecond get names a nanosecond apart, in order
    // (a real recorder's clock would tell them apart).
    let (mut same_ms, mut within) = (i64::MIN, 0i128);
    loop {
        let more = reader.read_record(&mut record).map_err(|e| csv_error(&path, &record, &e.to_string()))?;
        if !more {
            break;
        }
        if record.len() != 8 {
            return Err(csv_error(&path, &record, "expected 8 columns"));
        }
        let t: i64 = record[0].parse().map_err(|_| csv_error(&path, &record, "time_ms is not a number"))?;
        if t > at {
            break;
        }
        let field_path = paths.get(&index).cloned().unwrap_or_default();
        if t == same_ms {
            within += 1;
        } else {
            (same_ms, within) = (t, 0);
        }
        let (warning, reason, kind, ns, name, node, message) =
            (&record[1] == "Warning", &record[2], &record[3], &record[4], &record[5], &record[6], &record[7]);
        // Events about cluster-scoped objects (Nodes) are stored in `default`.
        let namespace = if ns.is_empty() { "default" } else { ns };
        let comp = component(kind, reason);
        let host = if comp == "kubelet" { node } else { "" };
        if let Some(pod) = created_by_statefulset(kind, reason, message) {
            *incarnations.entry((namespace.to_string(), pod.to_string())).or_default() += 1;
        }
        let incarnation = match kind {
            "Pod" => incarnations.get(&(namespace.to_string(), name.to_string())).copied().unwrap_or(0),
            _ => 0,
        };
        let key = (
            namespace.to_string(),
            kind.to_string(),
            name.to_string(),
            field_path.clone(),
            reason.to_string(),
            message.to_string(),
            warning,
            host.to_string(),
            incarnation,
        );
        let e = folded.entry(key.clone()).or_insert_with(|| Event {
            name: format!("{name}.{:x}", unix_nanos(run, t) + within),
            namespace: namespace.to_string(),
            kind: kind.to_string(),
            object: name.to_string(),
            field_path,
            warning,
            reason: reason.to_string(),
            message: message.to_string(),
            component: comp.to_string(),
            host: host.to_string(),
            first: t,
            last: t,
            count: 0,
            seq: 0,
        });
        e.seq = index;
        match series.get(&index) {
            // A series row carries the series' count and last observation; its last
            // write (a count above 2) ends the object.
            Some(&(count, last)) => {
                e.count = count;
                e.last = last;
                if count > 2
                    && let Some(done) = folded.remove(&key)
                {
                    ended.push(done);
                }
            }
            None => {
                e.count += 1;
                e.last = t;
            }
        }
        index += 1;
    }
    let mut events: Vec<Event> = folded.into_values().chain(ended).collect();
    events.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    Ok(events)
}

fn csv_error(path: &std::path::Path, record: &csv::StringRecord, what: &str) -> ViewError {
    let line = record.position().map_or(0, |p| p.line());
    ViewError::input(format!("{}:{line}: {what}", path.display()))
}

/// `event_paths.csv`: event index -> `involvedObject.fieldPath`.
fn field_paths(run: &RunDir) -> Result<BTreeMap<u64, String>, ViewError> {
    let path = run.file("event_paths.csv")?;
    let mut reader = csv::ReaderBuilder::new()
        .from_path(&path)
        .map_err(|e| ViewError::input(format!("{}: cannot read: {e}", path.display())))?;
    let mut out = BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| ViewError::input(format!("{}: {e}", path.display())))?;
        let index = record.get(0).and_then(|s| s.parse().ok());
        match (index, record.get(1)) {
            (Some(i), Some(p)) => out.insert(i, p.to_string()),
            _ => return Err(csv_error(&path, &record, "expected event_index,field_path")),
        };
    }
    Ok(out)
}

/// `event_series.csv`: event index -> (series count, last observation). Runs written
/// before the file existed have none.
fn event_series(run: &RunDir) -> Result<BTreeMap<u64, (u32, i64)>, ViewError> {
    let mut out = BTreeMap::new();
    let Ok(path) = run.file("event_series.csv") else { return Ok(out) };
    let mut reader = csv::ReaderBuilder::new()
        .from_path(&path)
        .map_err(|e| ViewError::input(format!("{}: cannot read: {e}", path.display())))?;
    for record in reader.records() {
        let record = record.map_err(|e| ViewError::input(format!("{}: {e}", path.display())))?;
        let field = |i: usize| record.get(i).and_then(|s| s.parse::<i64>().ok());
        match (field(0), field(1), field(3)) {
            (Some(i), Some(count), Some(last)) if i >= 0 && count > 0 => out.insert(i as u64, (count as u32, last)),
            _ => return Err(csv_error(&path, &record, "expected event_index,count,first_ms,last_ms")),
        };
    }
    Ok(out)
}

/// The creation time of an Event in Unix nanoseconds (its name's suffix).
fn unix_nanos(run: &RunDir, t: i64) -> i128 {
    run.instant(t).as_nanosecond()
}

/// LAST SEEN TYPE REASON OBJECT MESSAGE (`printEvent`; + wide columns).
pub fn row(e: &Event, now: i64, wide: bool) -> Vec<String> {
    let last = translate_timestamp_since(now, Some(e.last));
    let object = format!("{}/{}", e.kind.to_ascii_lowercase(), e.object);
    let kind = if e.warning { "Warning" } else { "Normal" };
    let message = e.message.trim().to_string();
    if !wide {
        return vec![last, kind.into(), e.reason.clone(), object, message];
    }
    let source = if e.host.is_empty() { e.component.clone() } else { format!("{}, {}", e.component, e.host) };
    vec![
        last,
        kind.into(),
        e.reason.clone(),
        object,
        e.field_path.clone(),
        source,
        message,
        translate_timestamp_since(now, Some(e.first)),
        e.count.max(1).to_string(),
        e.name.clone(),
    ]
}

/// The last `FailedScheduling` of a pod between `since` and `at`: (first, message).
pub fn unschedulable(events: &[Event], namespace: &str, name: &str, since: i64) -> Option<(i64, String)> {
    let mine = events
        .iter()
        .filter(|e| e.kind == "Pod" && e.namespace == namespace && e.object == name && e.reason == "FailedScheduling")
        .filter(|e| e.last >= since);
    let first = mine.clone().map(|e| e.first.max(since)).min()?;
    let last = mine.max_by_key(|e| e.last)?;
    Some((first, last.message.clone()))
}
