//! What a run records: transitions, events and metrics rows (streamed to a sink as
//! they happen, so memory does not grow with the trace), and the summary.

pub mod csv;
pub mod lines;
pub mod objects;
pub mod out;
pub mod row;
pub mod stats;
pub mod summary;
pub mod templates;

use crate::engine::SimTime;
pub use objects::{ContainerRecord, LastTerminated, ObjectRecord, OwnerRecord};
use std::fmt::Write as _;

/// One change of state (`transitions.csv`).
#[derive(Clone, Copy, Debug)]
pub struct Transition<'a> {
    pub time: SimTime,
    pub kind: &'a str,
    pub namespace: &'a str,
    pub name: &'a str,
    /// For `Container` rows: the container name, written as `<pod>/<container>`.
    pub container: Option<&'a str>,
    pub from: &'a str,
    pub to: &'a str,
    pub reason: &'a str,
    pub node: &'a str,
}

/// An Event's `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    Normal,
    Warning,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// One Kubernetes Event (`events.csv`).
#[derive(Clone, Copy, Debug)]
pub struct EventRecord<'a> {
    pub time: SimTime,
    pub type_: EventType,
    pub reason: &'a str,
    pub kind: &'a str,
    pub namespace: &'a str,
    pub name: &'a str,
    pub node: &'a str,
    pub message: &'a str,
    /// `involvedObject.fieldPath` (`spec.containers{nginx}`), empty when the Event is
    /// about the whole object (written to `event_paths.csv`).
    pub field_path: &'a str,
    /// The events.k8s.io series this row writes, if it is one (`event_series.csv`).
    pub series: Option<EventSeries>,
}

/// An Event series as the recorder writes it: `series.count`, the first occurrence's
/// time and `series.lastObservedTime`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventSeries {
    pub count: u32,
    pub first: SimTime,
    pub last: SimTime,
}

/// One sample of the cluster (`metrics.csv`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MetricsRow {
    pub time: SimTime,
    pub nodes_ready: u64,
    pub pods_pending: u64,
    pub pods_running: u64,
    pub pods_succeeded: u64,
    pub pods_failed: u64,
    pub cpu_requested_milli: i64,
    pub cpu_allocatable_milli: i64,
    pub memory_requested_bytes: i64,
    pub memory_allocatable_bytes: i64,
    /// Pods waiting for a node (not yet bound).
    pub pods_unscheduled: u64,
    pub nodes_total: u64,
    pub restarts_total: u64,
}

/// A node as it joins the cluster (`nodes.csv`).
#[derive(Clone, Debug)]
pub struct NodeRecord<'a> {
    pub time: SimTime,
    pub name: &'a str,
    pub pool: &'a str,
    pub cpu_allocatable_milli: i64,
    pub memory_allocatable_bytes: i64,
    pub pods_allocatable: i64,
    /// `k=v` pairs joined by `;`.
    pub labels: &'a str,
    /// `key=value:Effect` joined by `;`.
    pub taints: &'a str,
}

/// One pool's sample (`pool_metrics.csv`): its share of metrics.csv.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PoolMetricsRow {
    pub time: SimTime,
    pub pool: String,
    pub nodes: u64,
    pub nodes_ready: u64,
    pub pods: u64,
    pub cpu_requested_milli: i64,
    pub cpu_allocatable_milli: i64,
    pub memory_requested_bytes: i64,
    pub memory_allocatable_bytes: i64,
}

/// A Service's backends after a change (`services.csv`): how many it should have, and
/// the endpoints of its EndpointSlices by condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceRow<'a> {
    pub time: SimTime,
    pub namespace: &'a str,
    pub name: &'a str,
    pub desired: u32,
    pub endpoints: u32,
    pub ready: u32,
    pub serving: u32,
    pub terminating: u32,
}

/// Where the simulation sends what it records.
pub trait TraceSink {
    fn transition(&mut self, row: &Transition);
    fn event(&mut self, row: &EventRecord);
    fn metrics(&mut self, row: &MetricsRow);
    fn node(&mut self, _row: &NodeRecord) {}
    fn pool_metrics(&mut self, _row: &PoolMetricsRow) {}
    /// A Service's backends changed (`services.csv`).
    fn service(&mut self, _row: &ServiceRow) {}
    /// An object was created, changed or removed (`objects.jsonl`).
    fn object(&mut self, _row: &ObjectRecord) {}
    /// A container's API status changed (`containers.csv`).
    fn container(&mut self, _row: &ContainerRecord) {}
    /// Whether the sink writes `object` and `container` records; when it does not, the
    /// simulation does not build them.
    fn records_objects(&self) -> bool {
        false
    }
    /// Flushes what is buffered and returns a digest per file written (none by default).
    fn finish(&mut self) -> std::io::Result<std::collections::BTreeMap<String, String>> {
        Ok(Default::default())
    }
}

/// A sink that keeps nothing: for benchmarks of the simulation alone.
#[derive(Default)]
pub struct NullSink;

impl TraceSink for NullSink {
    fn transition(&mut self, _: &Transition) {}
    fn event(&mut self, _: &EventRecord) {}
    fn metrics(&mut self, _: &MetricsRow) {}
}

/// A sink that keeps rows as text in memory: for tests.
#[derive(Default, Debug, Clone)]
pub struct MemorySink {
    pub transitions: Vec<String>,
    pub events: Vec<String>,
    pub metrics: Vec<MetricsRow>,
}

impl TraceSink for MemorySink {
    fn transition(&mut self, r: &Transition) {
        let name = match r.container {
            Some(c) => format!("{}/{c}", r.name),
            None => r.name.to_string(),
        };
        self.transitions.push(format!(
            "{},{},{},{},{},{},{},{}",
            r.time.ms(),
            r.kind,
            r.namespace,
            name,
            r.from,
            r.to,
            r.reason,
            r.node
        ));
    }

    fn event(&mut self, r: &EventRecord) {
        self.events.push(format!(
            "{},{},{},{},{},{},{},{}",
            r.time.ms(),
            r.type_.as_str(),
            r.reason,
            r.kind,
            r.namespace,
            r.name,
            r.node,
            r.message
        ));
        if let (Some(s), Some(row)) = (r.series, self.events.last_mut()) {
            let _ = write!(row, " [series x{} {}..{}]", s.count, s.first.ms(), s.last.ms());
        }
    }

    fn metrics(&mut self, row: &MetricsRow) {
        self.metrics.push(*row);
    }
}
