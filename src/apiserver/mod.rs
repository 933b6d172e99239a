//! The API server as the subsystems see it: the cluster's objects, the verbs that change
//! them (create, bind, delete, status writes), and the record of every change: a trace
//! row when an API-visible value changes, a line of the object history for the views,
//! and a [`Change`] on the feed for the subsystems that watch it.
//!
//! A subsystem's handler works on a [`Ctx`]: split borrows of the simulation's time,
//! event queue, cluster and recorder. Nothing here calls a subsystem: what happens next
//! follows from the feed.

pub mod admission;
pub mod apps;
pub mod budgets;
pub mod counters;
pub mod daemonsets;
pub mod eviction;
pub mod feed;
pub mod history;
pub mod jobs;
pub mod nodes;
pub mod pods;
pub mod record;
pub mod services;
pub mod spam;
pub mod statefulsets;
pub mod storage;

pub use counters::Counters;
pub use feed::{Change, Kind, Watches};

use crate::cluster::{Cluster, PodId};
use crate::engine::{EventQueue, Millis, SimTime};
use crate::event::Event;
use crate::trace::TraceSink;

/// What a handler works on: now, the queue, the cluster and the recorder.
pub struct Ctx<'a> {
    pub now: SimTime,
    pub queue: &'a mut EventQueue<Event>,
    pub cluster: &'a mut Cluster,
    pub rec: &'a mut Recorder,
}

impl Ctx<'_> {
    /// Schedules `event` after `delay`.
    pub fn at(&mut self, delay: Millis, event: impl Into<Event>) {
        self.queue.schedule(self.now.after(delay), event.into());
    }

    /// Schedules `event` at `time` (never before now).
    pub fn schedule(&mut self, time: SimTime, event: impl Into<Event>) {
        self.queue.schedule(time, event.into());
    }

    /// A warning for the end of the run, once per message (at most 100).
    pub fn warn_once(&mut self, message: String) {
        let w = &mut self.rec.warnings;
        if !w.contains(&message) && w.len() < 100 {
            w.push(message);
        }
    }

    /// `namespace/name` of a pod, for messages.
    pub fn pod_label(&self, id: PodId) -> String {
        self.cluster.pods.get(id).map_or_else(|| "?".into(), |p| p.to_string())
    }

    /// Queues a change for the subsystems that watch its kind.
    pub fn changed(&mut self, change: Change) {
        if self.rec.watched.contains(change.kind()) {
            self.rec.changes.push(change);
        }
    }

    /// Whether somebody watches `kind` (to skip building a change nobody reads).
    pub fn watched(&self, kind: Kind) -> bool {
        self.rec.watched.contains(kind)
    }
}

/// Where every change is recorded: the trace sink, the counters, the warnings, the
/// invariants broken where they are best seen, and the change feed.
pub struct Recorder {
    sink: Box<dyn TraceSink>,
    /// Whether `sink` writes the object history of `podsim get` (see [`history`]).
    records_objects: bool,
    /// Scratch buffers for an event's message and field path (no allocation per row).
    msg: String,
    field_path: String,
    pub counters: Counters,
    pub warnings: Vec<String>,
    /// Invariants broken where they are best seen (a phase going back).
    pub violations: Vec<String>,
    /// Whether the checks that cost time run (tests, `--check-invariants`).
    pub check_invariants: bool,
    /// The kubelet's event spam filter (its event recorder's, client-side).
    pub kubelet_spam: spam::PodSpamFilter,
    /// What any subsystem watches; changes of other kinds are not queued.
    watched: Watches,
    changes: Vec<Change>,
}

impl Recorder {
    pub fn new(sink: Box<dyn TraceSink>, watched: Watches, warnings: Vec<String>) -> Recorder {
        Recorder {
            records_objects: sink.records_objects(),
            sink,
            msg: String::new(),
            field_path: String::new(),
            counters: Counters::default(),
            warnings,
            violations: Vec::new(),
            check_invariants: false,
            kubelet_spam: spam::PodSpamFilter::default(),
            watched,
            changes: Vec::new(),
        }
    }

    /// The changes queued since the last call, oldest first.
    pub fn take_changes(&mut self, into: &mut Vec<Change>) {
        into.clear();
        std::mem::swap(into, &mut self.changes);
    }

    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty()
    }

    /// Flushes the sink and returns the digest of each file written.
    pub fn finish(&mut self) -> std::io::Result<std::collections::BTreeMap<String, String>> {
        self.sink.finish()
    }
}
