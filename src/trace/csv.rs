//! The CSV files of interface.md, written as rows arrive, each with a running SHA-256
//! digest of its bytes (reported in summary.json so that two runs can be compared
//! without reading the traces).

use super::objects::{CONTAINERS_HEADER, ContainerRecord, ObjectRecord, ObjectsWriter};
use super::out::{Background, Hashing, Pipe, TraceOut};
use super::row::{Cell, RowWriter};
use super::{EventRecord, MetricsRow, NodeRecord, PoolMetricsRow, ServiceRow, TraceSink, Transition};
use crate::engine::SimTime;
use std::collections::BTreeMap;
use std::io::{self, Write};

pub const TRANSITIONS_HEADER: &[&str] = &["time_ms", "kind", "namespace", "name", "from", "to", "reason", "node"];
pub const EVENTS_HEADER: &[&str] = &["time_ms", "type", "reason", "kind", "namespace", "name", "node", "message"];
pub const METRICS_HEADER: &[&str] = &[
    "time_ms",
    "nodes_ready",
    "pods_pending",
    "pods_running",
    "pods_succeeded",
    "pods_failed",
    "cpu_requested_milli",
    "cpu_allocatable_milli",
    "memory_requested_bytes",
    "memory_allocatable_bytes",
    "pods_unscheduled",
    "nodes_total",
    "restarts_total",
];

pub const NODES_HEADER: &[&str] = &[
    "time_ms",
    "name",
    "pool",
    "cpu_allocatable_milli",
    "memory_allocatable_bytes",
    "pods_allocatable",
    "labels",
    "taints",
];
pub const POOL_METRICS_HEADER: &[&str] = &[
    "time_ms",
    "pool",
    "nodes",
    "nodes_ready",
    "pods",
    "cpu_requested_milli",
    "cpu_allocatable_milli",
    "memory_requested_bytes",
    "memory_allocatable_bytes",
];

pub const SERVICES_HEADER: &[&str] =
    &["time_ms", "namespace", "service", "desired", "endpoints", "ready", "serving", "terminating"];

/// The writers of one run, one per file.
pub struct SinkFiles<W> {
    pub transitions: W,
    pub events: W,
    pub metrics: W,
    pub nodes: W,
    pub pool_metrics: W,
    pub services: W,
}

impl<W> SinkFiles<W> {
    fn map<O>(self, f: impl Fn(W) -> O) -> SinkFiles<O> {
        SinkFiles {
            transitions: f(self.transitions),
            events: f(self.events),
            metrics: f(self.metrics),
            nodes: f(self.nodes),
            pool_metrics: f(self.pool_metrics),
            services: f(self.services),
        }
    }
}

impl SinkFiles<io::Sink> {
    /// Every file discarded: a run kept as its digests only, benches and checks.
    pub fn discarded() -> Self {
        let sink = io::sink;
        SinkFiles {
            transitions: sink(),
            events: sink(),
            metrics: sink(),
            nodes: sink(),
            pool_metrics: sink(),
            services: sink(),
        }
    }
}

/// The writers of the files that `podsim get` and `describe` read (`ObjectFiles`).
pub struct ObjectFiles<W> {
    pub objects: W,
    pub containers: W,
    pub event_paths: W,
    pub event_series: W,
}

impl ObjectFiles<io::Sink> {
    /// Every file discarded (see [`SinkFiles::discarded`]).
    pub fn discarded() -> Self {
        ObjectFiles { objects: io::sink(), containers: io::sink(), event_paths: io::sink(), event_series: io::sink() }
    }
}

/// The files the views read, when the sink writes them.
struct Views<O: TraceOut> {
    objects: ObjectsWriter<O>,
    containers: RowWriter<O>,
    event_paths: RowWriter<O>,
    event_series: RowWriter<O>,
}

/// The trace files. The first write error is kept and reported by `finish`.
pub struct CsvSink<O: TraceOut> {
    transitions: RowWriter<O>,
    events: RowWriter<O>,
    metrics: RowWriter<O>,
    nodes: RowWriter<O>,
    pool_metrics: RowWriter<O>,
    services: RowWriter<O>,
    views: Option<Views<O>>,
    /// Rows written to events.csv so far (event_paths.csv refers to them by index).
    events_written: u64,
    error: Option<io::Error>,
    scratch: String,
}

fn writer<O: TraceOut>(out: O, header: &[&str]) -> RowWriter<O> {
    let mut w = RowWriter::to(out);
    // A header row cannot fail to encode; an I/O error surfaces again at the next write.
    let _ = w.write_record(header);
    w
}

impl<W: Write> CsvSink<Hashing<W>> {
    /// A sink that digests and writes on the simulation's thread.
    pub fn new(files: SinkFiles<W>) -> Self {
        CsvSink::to(files.map(Hashing::new))
    }

    /// Also writes `objects.jsonl`, `containers.csv` and `event_paths.csv`, from which
    /// `podsim get` and `podsim describe` rebuild the objects at any instant.
    pub fn with_objects(self, files: ObjectFiles<W>) -> Self {
        self.with_views(ObjectFiles {
            objects: Hashing::new(files.objects),
            containers: Hashing::new(files.containers),
            event_paths: Hashing::new(files.event_paths),
            event_series: Hashing::new(files.event_series),
        })
    }
}

impl CsvSink<Pipe> {
    /// A sink whose files are digested and written by a thread of their own, so that a
    /// long run's simulation does not wait on SHA-256 and the file system.
    pub fn in_background<W: Write + Send + 'static>(files: SinkFiles<W>, objects: Option<ObjectFiles<W>>) -> Self {
        let SinkFiles { transitions, events, metrics, nodes, pool_metrics, services } = files;
        let mut all = vec![transitions, events, metrics, nodes, pool_metrics, services];
        let views = objects.is_some();
        if let Some(o) = objects {
            all.extend([o.objects, o.containers, o.event_paths, o.event_series]);
        }
        // The pipes come back in the order of `all`.
        let mut pipes = Background::start(all).into_iter();
        let mut next = || pipes.next().expect("a pipe per file");
        let sink = CsvSink::to(SinkFiles {
            transitions: next(),
            events: next(),
            metrics: next(),
            nodes: next(),
            pool_metrics: next(),
            services: next(),
        });
        if views {
            sink.with_views(ObjectFiles {
                objects: next(),
                containers: next(),
                event_paths: next(),
                event_series: next(),
            })
        } else {
            sink
        }
    }
}

impl<O: TraceOut> CsvSink<O> {
    fn to(files: SinkFiles<O>) -> Self {
        CsvSink {
            transitions: writer(files.transitions, TRANSITIONS_HEADER),
            events: writer(files.events, EVENTS_HEADER),
            metrics: writer(files.metrics, METRICS_HEADER),
            nodes: writer(files.nodes, NODES_HEADER),
            pool_metrics: writer(files.pool_metrics, POOL_METRICS_HEADER),
            services: writer(files.services, SERVICES_HEADER),
            views: None,
            events_written: 0,
            error: None,
            scratch: String::new(),
        }
    }

    fn with_views(mut self, files: ObjectFiles<O>) -> Self {
        self.views = Some(Views {
            objects: ObjectsWriter::to(files.objects),
            containers: writer(files.containers, CONTAINERS_HEADER),
            event_paths: writer(files.event_paths, EVENT_PATHS_HEADER),
            event_series: writer(files.event_series, EVENT_SERIES_HEADER),
        });
        self
    }

    fn keep(&mut self, r: io::Result<()>) {
        if let (Err(e), None) = (r, &self.error) {
            self.error = Some(e);
        }
    }
}

pub const EVENT_PATHS_HEADER: &[&str] = &["event_index", "field_path"];
/// An events.csv row that writes an Event series: its count, first and last observation.
pub const EVENT_SERIES_HEADER: &[&str] = &["event_index", "count", "first_ms", "last_ms"];

impl<O: TraceOut> TraceSink for CsvSink<O> {
    fn transition(&mut self, r: &Transition) {
        let name: &str = match r.container {
            Some(c) => {
                self.scratch.clear();
                self.scratch.push_str(r.name);
                self.scratch.push('/');
                self.scratch.push_str(c);
                &self.scratch
            }
            None => r.name,
        };
        let res =
            self.transitions.write_timed(r.time.ms(), [r.kind, r.namespace, name, r.from, r.to, r.reason, r.node]);
        self.keep(res);
    }

    fn event(&mut self, r: &EventRecord) {
        let kind = r.type_.as_str();
        let res =
            self.events.write_timed(r.time.ms(), [kind, r.reason, r.kind, r.namespace, r.name, r.node, r.message]);
        self.keep(res);
        if let (false, Some(v)) = (r.field_path.is_empty(), &mut self.views) {
            let res = v.event_paths.write_cells([Cell::UInt(self.events_written), Cell::Text(r.field_path)]);
            self.keep(res);
        }
        if let (Some(s), Some(v)) = (r.series, &mut self.views) {
            let numbers = [self.events_written, u64::from(s.count), s.first.ms(), s.last.ms()].map(Cell::UInt);
            let res = v.event_series.write_cells(numbers);
            self.keep(res);
        }
        self.events_written += 1;
    }

    fn object(&mut self, r: &ObjectRecord) {
        if let Some(v) = &mut self.views
            && let Err(e) = v.objects.write(r)
            && self.error.is_none()
        {
            self.error = Some(e);
        }
    }

    fn container(&mut self, r: &ContainerRecord) {
        let Some(v) = &mut self.views else { return };
        let ms = |t: SimTime| t.ms() as i64;
        let flag = |b: bool| Cell::Text(if b { "true" } else { "false" });
        let res = v.containers.write_cells([
            Cell::UInt(r.time.ms()),
            r.namespace.into(),
            r.pod.into(),
            Cell::UInt(r.uid),
            r.container.into(),
            r.state.into(),
            r.reason.into(),
            r.message.into(),
            r.exit_code.map(i64::from).into(),
            r.started_at.map(ms).into(),
            r.finished_at.map(ms).into(),
            Cell::UInt(u64::from(r.restart_count)),
            flag(r.ready),
            flag(r.started),
            r.last.map_or("", |l| l.reason).into(),
            r.last.map(|l| i64::from(l.exit_code)).into(),
            r.last.and_then(|l| l.started_at).map(ms).into(),
            r.last.map(|l| ms(l.finished_at)).into(),
        ]);
        self.keep(res);
    }

    fn records_objects(&self) -> bool {
        self.views.is_some()
    }

    fn finish(&mut self) -> io::Result<BTreeMap<String, String>> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let mut out = BTreeMap::new();
        for (name, w) in [
            ("transitions.csv", &mut self.transitions),
            ("events.csv", &mut self.events),
            ("metrics.csv", &mut self.metrics),
            ("nodes.csv", &mut self.nodes),
            ("pool_metrics.csv", &mut self.pool_metrics),
            ("services.csv", &mut self.services),
        ] {
            out.insert(name.to_string(), w.finish()?);
        }
        if let Some(v) = &mut self.views {
            for (name, w) in [
                ("containers.csv", &mut v.containers),
                ("event_paths.csv", &mut v.event_paths),
                ("event_series.csv", &mut v.event_series),
            ] {
                out.insert(name.to_string(), w.finish()?);
            }
            out.insert("objects.jsonl".to_string(), v.objects.finish()?);
        }
        Ok(out)
    }

    fn node(&mut self, r: &NodeRecord) {
        let numbers = [r.time.ms() as i64, r.cpu_allocatable_milli, r.memory_allocatable_bytes, r.pods_allocatable]
            .map(|v| v.to_string());
        let res = self.nodes.write_record([
            &numbers[0],
            r.name,
            r.pool,
            &numbers[1],
            &numbers[2],
            &numbers[3],
            r.labels,
            r.taints,
        ]);
        self.keep(res);
    }

    fn pool_metrics(&mut self, r: &PoolMetricsRow) {
        let n = [
            r.time.ms() as i64,
            r.nodes as i64,
            r.nodes_ready as i64,
            r.pods as i64,
            r.cpu_requested_milli,
            r.cpu_allocatable_milli,
            r.memory_requested_bytes,
            r.memory_allocatable_bytes,
        ]
        .map(|v| v.to_string());
        let res = self.pool_metrics.write_record([&n[0], &r.pool, &n[1], &n[2], &n[3], &n[4], &n[5], &n[6], &n[7]]);
        self.keep(res);
    }

    fn service(&mut self, r: &ServiceRow) {
        let n = |v: u32| Cell::UInt(u64::from(v));
        let res = self.services.write_cells([
            Cell::UInt(r.time.ms()),
            r.namespace.into(),
            r.name.into(),
            n(r.desired),
            n(r.endpoints),
            n(r.ready),
            n(r.serving),
            n(r.terminating),
        ]);
        self.keep(res);
    }

    fn metrics(&mut self, m: &MetricsRow) {
        let values: [i128; 13] = [
            m.time.ms() as i128,
            m.nodes_ready as i128,
            m.pods_pending as i128,
            m.pods_running as i128,
            m.pods_succeeded as i128,
            m.pods_failed as i128,
            m.cpu_requested_milli as i128,
            m.cpu_allocatable_milli as i128,
            m.memory_requested_bytes as i128,
            m.memory_allocatable_bytes as i128,
            m.pods_unscheduled as i128,
            m.nodes_total as i128,
            m.restarts_total as i128,
        ];
        let fields: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        let res = self.metrics.write_record(&fields);
        self.keep(res);
    }
}
