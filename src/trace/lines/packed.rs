//! The lines a run writes most, packed on the simulation's thread and written as JSON
//! where the chunk is taken (on the trace writer's thread for `podsim run`), as CSV rows
//! are (`trace::row`): on a CronJob fleet with its view files, writing these lines' JSON
//! (numbers in decimal, strings scanned for what to escape, keys) was a sixth of the
//! simulation's thread while the writer's thread had time to spare. Packing copies
//! each field as it is: numbers as their bytes, strings with their length.
//! The strings' text is kept apart from the rest, in a `String` ([`Packed::text`]),
//! and follows the items when the chunk is handed over, so that the writer checks it
//! for UTF-8 once instead of string by string: on a CronJob fleet with its view files
//! those checks were a tenth of the writer thread's work outside SHA-256.
//!
//! A packed chunk is a run of items, each a tag byte and its fields: [`JSON`] and a
//! line already written as JSON (the other ops), or a line of one of the ops below,
//! unpacked into the same [`Line`] and written by [`Line::write_json`], so that the
//! bytes are those of writing it directly. A test packs every line `lines/json.rs`
//! writes and compares. A line that names a spec's template may name the spec
//! instead (its index among the chunk's specs, `trace/templates.rs`): its template id
//! is found, and the template line written first if it is new, where it is unpacked.

use super::{CronJobStatus, JobCreated, JobStatus, Line, Map, Owner, PodBound, PodCreated, PodDeleted, PodStatus};
use super::{Removed, ReplicaSetStatus};
use std::borrow::Cow;
use std::io;

/// The template ids of the specs a chunk's lines name (`trace/templates.rs`).
pub trait Specs {
    /// The template id of the chunk's pod spec `index`; when the spec is new, its
    /// `PodTemplate` line (time `t`) is appended to `out` first.
    fn pod_template(&mut self, index: u32, t: i64, out: &mut Vec<u8>) -> io::Result<u32>;

    /// [`Specs::pod_template`] for a Job spec (`JobTemplate`).
    fn job_template(&mut self, index: u32, t: i64, out: &mut Vec<u8>) -> io::Result<u32>;
}

/// A packed chunk: its items (tags, numbers, the lengths of strings, JSON lines) and,
/// apart, the text of its strings in the order they were packed.
#[derive(Default)]
pub struct Packed {
    pub items: Vec<u8>,
    pub text: String,
    /// Where the text begins in `items`, once [`Packed::seal`] moved it there.
    text_at: Option<usize>,
}

impl Packed {
    /// A chunk whose items go in `items` (emptied).
    pub fn in_buffer(mut items: Vec<u8>) -> Self {
        items.clear();
        Packed { items, text: String::new(), text_at: None }
    }

    /// The bytes packed so far.
    pub fn len(&self) -> usize {
        self.items.len() + self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Empties the chunk, keeping its room.
    pub fn clear(&mut self) {
        self.items.clear();
        self.text.clear();
        self.text_at = None;
    }

    /// Moves the text to the end of the items, so that the chunk travels to the writer
    /// thread as one buffer (as many buffers in flight as before the text was kept
    /// apart), and hands back the emptied text for the next chunk.
    pub fn seal(&mut self) -> String {
        debug_assert!(self.text_at.is_none(), "a chunk is sealed once");
        self.text_at = Some(self.items.len());
        self.items.extend_from_slice(self.text.as_bytes());
        let mut text = std::mem::take(&mut self.text);
        text.clear();
        text
    }

    /// The items and the text, wherever the text is. A sealed chunk's text is checked
    /// for UTF-8 once, as a whole, not string by string as each is unpacked.
    fn parts(&self) -> (&[u8], &str) {
        match self.text_at {
            None => (&self.items, &self.text),
            Some(at) => {
                let (items, text) = self.items.split_at(at);
                (items, std::str::from_utf8(text).expect("a sealed chunk's text is a String's bytes"))
            }
        }
    }
}

/// A line already JSON: its length (`u32`) and its bytes.
const JSON: u8 = 0;
const POD_CREATED: u8 = 1;
const POD_BOUND: u8 = 2;
const POD_STATUS: u8 = 3;
const POD_DELETED: u8 = 4;
const POD_REMOVED: u8 = 5;
const JOB_CREATED: u8 = 6;
const JOB_STATUS: u8 = 7;
const JOB_REMOVED: u8 = 8;
const CRONJOB_STATUS: u8 = 9;
const REPLICASET_STATUS: u8 = 10;
/// A line already JSON but for the id of its pod spec's template: the line's time
/// (`i64`), the spec's index (`u32`), where the id goes (`u32`), the JSON's length
/// (`u32`) and the JSON.
const JSON_NAMING_POD_SPEC: u8 = 11;

/// Appends `line` to the packed chunk `buf`: packed if its op is one of those above,
/// else as its JSON.
pub fn push(line: &Line, buf: &mut Packed) -> serde_json::Result<()> {
    if !pack(line, buf, None) {
        push_json(&mut buf.items, |out| line.write_json(out))?;
    }
    Ok(())
}

/// Appends a `PodCreated` or `JobCreated` line whose `template` is not yet known: the
/// line names the chunk's spec `spec` instead.
pub fn push_naming_spec(line: &Line, spec: u32, buf: &mut Packed) {
    let packed = pack(line, buf, Some(spec));
    debug_assert!(packed, "only created lines name a spec");
}

/// Appends a line written by `write` as JSON with the template id `0`, to name the
/// chunk's pod spec `spec` (time `t`) instead: the line is written again with id `1`,
/// and the one byte where the two differ is where the id goes.
pub fn push_json_naming_pod_spec(
    buf: &mut Vec<u8>,
    t: i64,
    spec: u32,
    write: impl Fn(u32, &mut Vec<u8>) -> serde_json::Result<()>,
) -> serde_json::Result<()> {
    let (mut zero, mut one) = (Vec::new(), Vec::new());
    write(0, &mut zero)?;
    write(1, &mut one)?;
    let at = zero.iter().zip(&one).position(|(a, b)| a != b).expect("the id is written");
    zero.remove(at);
    let mut p = Packer { items: buf, text: None };
    p.tag(JSON_NAMING_POD_SPEC).i64(t).u32(spec).u32(len32(at)).u32(len32(zero.len()));
    buf.extend_from_slice(&zero);
    Ok(())
}

/// Appends a line that `write` writes as JSON (without its newline).
pub fn push_json<R>(buf: &mut Vec<u8>, write: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    buf.push(JSON);
    let at = buf.len();
    buf.extend_from_slice(&[0; 4]);
    let result = write(buf);
    let len = u32::try_from(buf.len() - at - 4).expect("an objects.jsonl line under 4 GiB");
    buf[at..at + 4].copy_from_slice(&len.to_le_bytes());
    result
}

/// Packs `line` if its op is one packed here; a created line names the chunk's spec
/// `spec` instead of its template, if given.
fn pack(line: &Line, buf: &mut Packed, spec: Option<u32>) -> bool {
    let mut p = Packer { items: &mut buf.items, text: Some(&mut buf.text) };
    match line {
        Line::PodCreated(l) => {
            p.tag(POD_CREATED).i64(l.t).u64(l.uid).str(l.namespace).str(l.name).opt_str(l.generate_name);
            p.template(l.template, spec).i32(l.priority).bool(l.preempt_never).map(&l.labels).map(&l.annotations);
            p.owner(l.owner.as_ref());
        }
        Line::PodBound(l) => p.tag(POD_BOUND).i64(l.t).u64(l.uid).str(l.node).done(),
        Line::PodStatus(l) => {
            p.tag(POD_STATUS).i64(l.t).u64(l.uid).str(l.phase).str(l.reason).opt_i64(l.start_time);
            p.str(l.disruption).str(l.pod_ip).str(l.nominated_node_name);
        }
        Line::PodDeleted(l) => p.tag(POD_DELETED).i64(l.t).u64(l.uid).i64(l.grace_ms).done(),
        Line::PodRemoved(l) => p.tag(POD_REMOVED).i64(l.t).u64(l.uid).done(),
        Line::JobCreated(l) => {
            p.tag(JOB_CREATED).i64(l.t).u64(l.uid).str(l.namespace).str(l.name).map(&l.labels);
            p.template(l.template, spec).owner(l.owner.as_ref());
        }
        Line::JobStatus(l) => {
            p.tag(JOB_STATUS).i64(l.t).u64(l.uid).str(l.phase).str(l.reason).str(&l.message);
            p.u32(l.active).u32(l.succeeded).u32(l.failed).opt_i64(l.start_time).opt_i64(l.completion_time);
            p.u32(l.parallelism).bool(l.suspend);
        }
        Line::JobRemoved(l) => p.tag(JOB_REMOVED).i64(l.t).u64(l.uid).done(),
        Line::CronJobStatus(l) => {
            p.tag(CRONJOB_STATUS).i64(l.t).u64(l.uid).u32(len32(l.active.len()));
            for &uid in l.active.iter() {
                p.u64(uid);
            }
            p.opt_i64(l.last_schedule_time).bool(l.suspend);
        }
        Line::ReplicaSetStatus(l) => {
            p.tag(REPLICASET_STATUS).i64(l.t).u64(l.uid).u32(l.desired).i64(l.revision).u32(l.replicas);
            p.u32(l.fully_labeled).u32(l.ready).u32(l.available).u32(l.terminating).opt_str(l.failure.as_deref());
        }
        _ => return false,
    }
    true
}

/// How much JSON [`write_json`] gathers before handing it on: a chunk's JSON is larger
/// than its packed lines (by its keys, and by the templates of specs drawn per pod),
/// and is not held whole.
const HAND_ON: usize = 1 << 16;

/// Writes the JSON lines (each ending in a newline) of the packed chunk `packed` into
/// `out`, the ids of the specs its lines name from `specs`, and hands them to `take`
/// (which empties `out`) 64 KiB or so at a time, and at the end.
pub fn write_json(
    packed: &Packed,
    specs: &mut impl Specs,
    out: &mut Vec<u8>,
    mut take: impl FnMut(&mut Vec<u8>) -> io::Result<()>,
) -> io::Result<()> {
    let (items, text) = packed.parts();
    let mut u = Unpacker { items, text };
    while let Some(tag) = u.tag() {
        if out.len() >= HAND_ON {
            take(out)?;
        }
        let line = match tag {
            JSON => {
                let len = u.u32() as usize;
                out.extend_from_slice(u.json(len));
                out.push(b'\n');
                continue;
            }
            JSON_NAMING_POD_SPEC => {
                let (t, spec, at, len) = (u.i64(), u.u32(), u.u32() as usize, u.u32() as usize);
                let id = specs.pod_template(spec, t, out)?;
                let json = u.json(len);
                out.extend_from_slice(&json[..at]);
                out.extend_from_slice(itoa::Buffer::new().format(id).as_bytes());
                out.extend_from_slice(&json[at..]);
                out.push(b'\n');
                continue;
            }
            POD_CREATED => {
                let (t, uid, namespace, name, generate_name) = (u.i64(), u.u64(), u.str(), u.str(), u.opt_str());
                Line::PodCreated(PodCreated {
                    t,
                    uid,
                    namespace,
                    name,
                    generate_name,
                    template: u.template(out, |index, out| specs.pod_template(index, t, out))?,
                    priority: u.i32(),
                    preempt_never: u.bool(),
                    labels: u.map(),
                    annotations: u.map(),
                    owner: u.owner(),
                })
            }
            POD_BOUND => Line::PodBound(PodBound { t: u.i64(), uid: u.u64(), node: u.str() }),
            POD_STATUS => Line::PodStatus(PodStatus {
                t: u.i64(),
                uid: u.u64(),
                phase: u.str(),
                reason: u.str(),
                start_time: u.opt_i64(),
                disruption: u.str(),
                pod_ip: u.str(),
                nominated_node_name: u.str(),
            }),
            POD_DELETED => Line::PodDeleted(PodDeleted { t: u.i64(), uid: u.u64(), grace_ms: u.i64() }),
            POD_REMOVED => Line::PodRemoved(Removed { t: u.i64(), uid: u.u64() }),
            JOB_CREATED => {
                let (t, uid, namespace, name, labels) = (u.i64(), u.u64(), u.str(), u.str(), u.map());
                Line::JobCreated(JobCreated {
                    t,
                    uid,
                    namespace,
                    name,
                    labels,
                    template: u.template(out, |index, out| specs.job_template(index, t, out))?,
                    owner: u.owner(),
                })
            }
            JOB_STATUS => Line::JobStatus(JobStatus {
                t: u.i64(),
                uid: u.u64(),
                phase: u.str(),
                reason: u.str(),
                message: Cow::Borrowed(u.str()),
                active: u.u32(),
                succeeded: u.u32(),
                failed: u.u32(),
                start_time: u.opt_i64(),
                completion_time: u.opt_i64(),
                parallelism: u.u32(),
                suspend: u.bool(),
            }),
            JOB_REMOVED => Line::JobRemoved(Removed { t: u.i64(), uid: u.u64() }),
            CRONJOB_STATUS => Line::CronJobStatus(CronJobStatus {
                t: u.i64(),
                uid: u.u64(),
                active: {
                    let n = u.u32();
                    Cow::Owned((0..n).map(|_| u.u64()).collect())
                },
                last_schedule_time: u.opt_i64(),
                suspend: u.bool(),
            }),
            REPLICASET_STATUS => Line::ReplicaSetStatus(ReplicaSetStatus {
                t: u.i64(),
                uid: u.u64(),
                desired: u.u32(),
                revision: u.i64(),
                replicas: u.u32(),
                fully_labeled: u.u32(),
                ready: u.u32(),
                available: u.u32(),
                terminating: u.u32(),
                failure: u.opt_str().map(Cow::Borrowed),
            }),
            other => unreachable!("packed objects.jsonl item tag {other}: only this module packs"),
        };
        line.write_json(out).map_err(io::Error::other)?;
        out.push(b'\n');
    }
    if out.is_empty() { Ok(()) } else { take(out) }
}

fn len32(len: usize) -> u32 {
    u32::try_from(len).expect("a packed field under 4 GiB")
}

/// Appends fields to a packed chunk: strings' lengths to its items, their text to its
/// text (`None` for a packer of items that hold no strings).
struct Packer<'b> {
    items: &'b mut Vec<u8>,
    text: Option<&'b mut String>,
}

impl Packer<'_> {
    fn tag(&mut self, tag: u8) -> &mut Self {
        self.items.push(tag);
        self
    }

    /// Ends a chain of fields where the match arm must be `()`.
    fn done(&mut self) {}

    /// A template id (flag 0), or the index of the chunk's spec the line names (1).
    fn template(&mut self, id: u32, spec: Option<u32>) -> &mut Self {
        match spec {
            Some(index) => self.bool(true).u32(index),
            None => self.bool(false).u32(id),
        }
    }

    fn bytes<const N: usize>(&mut self, bytes: [u8; N]) -> &mut Self {
        self.items.extend_from_slice(&bytes);
        self
    }

    fn u32(&mut self, v: u32) -> &mut Self {
        self.bytes(v.to_le_bytes())
    }

    fn i32(&mut self, v: i32) -> &mut Self {
        self.bytes(v.to_le_bytes())
    }

    fn u64(&mut self, v: u64) -> &mut Self {
        self.bytes(v.to_le_bytes())
    }

    fn i64(&mut self, v: i64) -> &mut Self {
        self.bytes(v.to_le_bytes())
    }

    fn bool(&mut self, v: bool) -> &mut Self {
        self.items.push(u8::from(v));
        self
    }

    fn opt_i64(&mut self, v: Option<i64>) -> &mut Self {
        match v {
            Some(v) => self.bool(true).i64(v),
            None => self.bool(false),
        }
    }

    fn str(&mut self, s: &str) -> &mut Self {
        self.u32(len32(s.len()));
        self.text.as_mut().expect("a packer of lines with strings").push_str(s);
        self
    }

    fn opt_str(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.bool(true).str(s),
            None => self.bool(false),
        }
    }

    fn map(&mut self, map: &Map) -> &mut Self {
        self.u32(len32(map.len()));
        match map {
            Map::Of(m) => m.iter().for_each(|(k, v)| _ = self.str(k).str(v)),
            Map::Read(m) => m.iter().for_each(|(k, v)| _ = self.str(k).str(v)),
            Map::Packed(m) => m.pairs().for_each(|(k, v)| _ = self.str(k).str(v)),
        }
        self
    }

    fn owner(&mut self, owner: Option<&Owner>) -> &mut Self {
        match owner {
            Some(o) => self.bool(true).str(o.kind).str(o.name).u64(o.uid),
            None => self.bool(false),
        }
    }
}

/// Reads fields from a packed chunk, in the order they were packed. The chunk was
/// packed by this module on this run, so it holds what is read: running out of bytes
/// or text, or a string's end inside a character, is a bug here, not a bad input.
struct Unpacker<'a> {
    items: &'a [u8],
    text: &'a str,
}

impl<'a> Unpacker<'a> {
    /// The next item's tag, `None` at the chunk's end.
    fn tag(&mut self) -> Option<u8> {
        let (&tag, rest) = self.items.split_first()?;
        self.items = rest;
        Some(tag)
    }

    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let (bytes, rest) = self.items.split_first_chunk::<N>().expect("a packed field whole");
        self.items = rest;
        *bytes
    }

    /// The `len` bytes of a line already JSON.
    fn json(&mut self, len: usize) -> &'a [u8] {
        let (json, rest) = self.items.split_at(len);
        self.items = rest;
        json
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.bytes())
    }

    fn i32(&mut self) -> i32 {
        i32::from_le_bytes(self.bytes())
    }

    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.bytes())
    }

    fn i64(&mut self) -> i64 {
        i64::from_le_bytes(self.bytes())
    }

    fn bool(&mut self) -> bool {
        self.bytes::<1>()[0] != 0
    }

    fn opt_i64(&mut self) -> Option<i64> {
        self.bool().then(|| self.i64())
    }

    fn str(&mut self) -> &'a str {
        let len = self.u32() as usize;
        // Only the end's character boundary is checked, not the bytes between.
        let (s, rest) = self.text.split_at(len);
        self.text = rest;
        s
    }

    fn opt_str(&mut self) -> Option<&'a str> {
        self.bool().then(|| self.str())
    }

    /// A template id, or the one `spec_id` gives the spec the line names.
    fn template(
        &mut self,
        out: &mut Vec<u8>,
        spec_id: impl FnOnce(u32, &mut Vec<u8>) -> io::Result<u32>,
    ) -> io::Result<u32> {
        let names_spec = self.bool();
        let n = self.u32();
        if names_spec { spec_id(n, out) } else { Ok(n) }
    }

    /// A map's pairs stay packed: they are written as they are read.
    fn map(&mut self) -> Map<'a> {
        let count = self.u32();
        let (lengths, text) = (self.items, self.text);
        let mut bytes = 0;
        for _ in 0..2 * count {
            bytes += self.u32() as usize;
        }
        let lengths = &lengths[..lengths.len() - self.items.len()];
        let (text, rest) = text.split_at(bytes);
        self.text = rest;
        Map::Packed(PackedMap { count, lengths, text })
    }

    fn owner(&mut self) -> Option<Owner<'a>> {
        self.bool().then(|| Owner { kind: self.str(), name: self.str(), uid: self.u64() })
    }
}

/// Labels or annotations as packed: `count` pairs of strings, their lengths and their
/// text.
#[derive(Clone, Copy, Debug)]
pub struct PackedMap<'a> {
    count: u32,
    lengths: &'a [u8],
    text: &'a str,
}

impl<'a> PackedMap<'a> {
    pub fn len(&self) -> usize {
        self.count as usize
    }

    pub fn pairs(&self) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        let mut u = Unpacker { items: self.lengths, text: self.text };
        (0..self.count).map(move |_| (u.str(), u.str()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::json::each_sample_line;
    use super::*;

    /// Specs whose template ids are their index plus 100, each new one's template
    /// line written as `{"spec":<index>}`.
    #[derive(Default)]
    struct Numbered {
        seen: Vec<(bool, u32)>,
    }

    impl Numbered {
        fn id(&mut self, job: bool, index: u32, t: i64, out: &mut Vec<u8>) -> io::Result<u32> {
            if !self.seen.contains(&(job, index)) {
                self.seen.push((job, index));
                out.extend_from_slice(format!("{{\"spec\":{index},\"job\":{job},\"t\":{t}}}\n").as_bytes());
            }
            Ok(index + 100)
        }
    }

    impl Specs for Numbered {
        fn pod_template(&mut self, index: u32, t: i64, out: &mut Vec<u8>) -> io::Result<u32> {
            self.id(false, index, t, out)
        }
        fn job_template(&mut self, index: u32, t: i64, out: &mut Vec<u8>) -> io::Result<u32> {
            self.id(true, index, t, out)
        }
    }

    fn json_of(chunk: &Packed) -> String {
        let (mut out, mut all) = (Vec::new(), Vec::new());
        let take = |out: &mut Vec<u8>| {
            all.append(out);
            Ok(())
        };
        write_json(chunk, &mut Numbered::default(), &mut out, take).unwrap();
        String::from_utf8(all).unwrap()
    }

    fn direct(line: &Line) -> String {
        let mut out = Vec::new();
        line.write_json(&mut out).unwrap();
        out.push(b'\n');
        String::from_utf8(out).unwrap()
    }

    /// Each line packed alone, and all of them in one chunk with JSON lines between,
    /// come out as the bytes of writing them directly.
    #[test]
    fn a_packed_line_is_written_as_the_line_itself() {
        let (mut chunk, mut expected) = (Packed::default(), String::new());
        let mut lines = 0;
        each_sample_line(|line| {
            let mut alone = Packed::default();
            assert!(pack(&line, &mut alone, None), "{line:?} is packed");
            assert_eq!(json_of(&alone), direct(&line));
            push(&line, &mut chunk).unwrap();
            expected += &direct(&line);
            let json = format!("{{\"op\":\"Other\",\"t\":{lines}}}");
            push_json(&mut chunk.items, |out| out.extend_from_slice(json.as_bytes()));
            expected += &json;
            expected.push('\n');
            lines += 1;
        });
        assert!(lines >= 40, "{lines} sample lines");
        assert_eq!(json_of(&chunk), expected);
    }

    /// A created line naming a spec gets the spec's template id, its template line
    /// first when the spec is new; so does a JSON line naming a pod spec.
    #[test]
    fn a_line_naming_a_spec_gets_its_template_id() {
        let (mut chunk, mut expected) = (Packed::default(), String::new());
        each_sample_line(|mut line| {
            let (job, t) = match &mut line {
                Line::PodCreated(l) => (false, l.t),
                Line::JobCreated(l) => (true, l.t),
                _ => return,
            };
            push_naming_spec(&line, 3, &mut chunk);
            if !expected.contains(&format!("\"job\":{job}")) {
                expected += &format!("{{\"spec\":3,\"job\":{job},\"t\":{t}}}\n");
            }
            match &mut line {
                Line::PodCreated(l) => l.template = 103,
                Line::JobCreated(l) => l.template = 103,
                _ => unreachable!(),
            }
            expected += &direct(&line);
        });
        assert!(expected.matches("PodCreated").count() >= 4 && expected.matches("JobCreated").count() >= 4);
        let write = |id: u32, out: &mut Vec<u8>| {
            out.extend_from_slice(format!("{{\"op\":\"ReplicaSetCreated\",\"template\":{id},\"x\":\"y\"}}").as_bytes());
            Ok(())
        };
        push_json_naming_pod_spec(&mut chunk.items, -7, 8, write).unwrap();
        expected += "{\"spec\":8,\"job\":false,\"t\":-7}\n";
        expected += "{\"op\":\"ReplicaSetCreated\",\"template\":108,\"x\":\"y\"}\n";
        assert_eq!(json_of(&chunk), expected);
    }

    /// A sealed chunk, its text moved behind its items, writes the same lines; the
    /// text handed back is empty.
    #[test]
    fn a_sealed_chunk_is_written_as_before() {
        let mut chunk = Packed::default();
        each_sample_line(|line| push(&line, &mut chunk).unwrap());
        assert!(!chunk.text.is_empty());
        let before = json_of(&chunk);
        let (items, text) = (chunk.items.len(), chunk.text.len());
        let handed_back = chunk.seal();
        assert!(handed_back.is_empty() && chunk.text.is_empty());
        assert_eq!(chunk.items.len(), items + text);
        assert_eq!(json_of(&chunk), before);
    }

    /// A line of another op goes in as its JSON.
    #[test]
    fn other_lines_go_in_as_their_json() {
        let line = Line::NodeRemoved(super::super::NodeRemoved { t: 5, name: "n\"1" });
        let mut chunk = Packed::default();
        push(&line, &mut chunk).unwrap();
        assert_eq!(chunk.items[0], JSON);
        assert!(chunk.text.is_empty());
        assert_eq!(json_of(&chunk), direct(&line));
    }
}
