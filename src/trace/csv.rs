//! The CSV files of interface.md, written as rows arrive, each with a running SHA-256
//! digest of its bytes (reported in summary.json so that two runs can be compared
//! without reading the traces).

use super::row::RowWriter;
use super::{EventRecord, MetricsRow, NodeRecord, PoolMetricsRow, TraceSink, Transition};
use sha2::{Digest, Sha256};
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

/// The writers of one run, one per file.
pub struct SinkFiles<W> {
    pub transitions: W,
    pub events: W,
    pub metrics: W,
    pub nodes: W,
    pub pool_metrics: W,
}

/// A writer that hashes what passes through it.
pub struct Hashing<W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Hashing<W> {
    pub fn new(inner: W) -> Self {
        Hashing { inner, hasher: Sha256::new(), bytes: 0 }
    }

    /// The SHA-256 of the bytes so far, in lower-case hex.
    pub fn hex_digest(&self) -> String {
        self.hasher.clone().finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The three trace files. The first write error is kept and reported by `finish`.
pub struct CsvSink<W: Write> {
    transitions: RowWriter<W>,
    events: RowWriter<W>,
    metrics: RowWriter<W>,
    nodes: RowWriter<W>,
    pool_metrics: RowWriter<W>,
    error: Option<io::Error>,
    scratch: String,
    itoa: itoa::Buffer,
}

fn writer<W: Write>(w: W, header: &[&str]) -> RowWriter<W> {
    let mut w = RowWriter::new(w);
    // A header row cannot fail to encode; an I/O error surfaces again at the next write.
    let _ = w.write_record(header);
    w
}

impl<W: Write> CsvSink<W> {
    pub fn new(files: SinkFiles<W>) -> Self {
        CsvSink {
            transitions: writer(files.transitions, TRANSITIONS_HEADER),
            events: writer(files.events, EVENTS_HEADER),
            metrics: writer(files.metrics, METRICS_HEADER),
            nodes: writer(files.nodes, NODES_HEADER),
            pool_metrics: writer(files.pool_metrics, POOL_METRICS_HEADER),
            error: None,
            scratch: String::new(),
            itoa: itoa::Buffer::new(),
        }
    }

    fn keep(&mut self, r: io::Result<()>) {
        if let (Err(e), None) = (r, &self.error) {
            self.error = Some(e);
        }
    }
}

impl<W: Write> TraceSink for CsvSink<W> {
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
        let time = self.itoa.format(r.time.0);
        let res = self.transitions.write_record([time, r.kind, r.namespace, name, r.from, r.to, r.reason, r.node]);
        self.keep(res);
    }

    fn event(&mut self, r: &EventRecord) {
        let time = self.itoa.format(r.time.0);
        let kind = if r.warning { "Warning" } else { "Normal" };
        let res = self.events.write_record([time, kind, r.reason, r.kind, r.namespace, r.name, r.node, r.message]);
        self.keep(res);
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
        ] {
            w.flush()?;
            out.insert(name.to_string(), w.get_ref().hex_digest());
        }
        Ok(out)
    }

    fn node(&mut self, r: &NodeRecord) {
        let numbers = [r.time.0 as i64, r.cpu_allocatable_milli, r.memory_allocatable_bytes, r.pods_allocatable]
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
            r.time.0 as i64,
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

    fn metrics(&mut self, m: &MetricsRow) {
        let values: [i128; 13] = [
            m.time.0 as i128,
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
