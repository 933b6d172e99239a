//! The JSON of the lines a run writes most (a pod's, a Job's and a CronJob's status,
//! creation, binding and removal), written field by field: through serde's derived
//! `Serialize` (the internally tagged enum, a map serializer, every key escaped as it
//! is written), they were a sixth of the simulation's thread on a CronJob fleet. The
//! bytes are those serde_json writes for the same line (compact, keys in declaration
//! order, fields skipped as their `skip_serializing_if` says, strings escaped by
//! serde_json itself): a test compares the two for every line written here, each
//! built field by field, so that a field added to one of these lines stops the test
//! from compiling until it is written here too. Other lines go through serde.

use super::super::row::{any_word, splat};
use super::{CronJobStatus, JobCreated, JobStatus, Line, Map, Owner, PodCreated, PodStatus, ReplicaSetStatus};

/// Appends the JSON of `line` to `out`; `false` (nothing written) for a line this
/// module does not write.
pub fn write(line: &Line, out: &mut Vec<u8>) -> bool {
    match line {
        Line::PodCreated(l) => pod_created(l, out),
        Line::PodBound(l) => Object::start(out, "PodBound").int("t", l.t).int("uid", l.uid).str("node", l.node).end(),
        Line::PodStatus(l) => pod_status(l, out),
        Line::PodDeleted(l) => {
            Object::start(out, "PodDeleted").int("t", l.t).int("uid", l.uid).int("graceMs", l.grace_ms).end();
        }
        Line::PodRemoved(l) => Object::start(out, "PodRemoved").int("t", l.t).int("uid", l.uid).end(),
        Line::JobCreated(l) => job_created(l, out),
        Line::JobStatus(l) => job_status(l, out),
        Line::JobRemoved(l) => Object::start(out, "JobRemoved").int("t", l.t).int("uid", l.uid).end(),
        Line::CronJobStatus(l) => cronjob_status(l, out),
        Line::ReplicaSetStatus(l) => replicaset_status(l, out),
        _ => return false,
    }
    true
}

/// Appends a `PodTemplate` or `JobTemplate` line whose spec is already serialized
/// (`spec`, the JSON the writer made to know the spec by its content), as serde writes
/// `Line::PodTemplate(Template { t, id, spec })`: the spec is serialized once, not again
/// for its line (half of a template's cost where every pod draws its own spec).
pub fn template(out: &mut Vec<u8>, op: &str, t: i64, id: u32, spec: &[u8]) {
    let mut o = Object::start(out, op);
    o.int("t", t).int("id", id).key("spec").out.extend_from_slice(spec);
    o.end();
}

fn pod_created(l: &PodCreated, out: &mut Vec<u8>) {
    let mut o = Object::start(out, "PodCreated");
    o.int("t", l.t).int("uid", l.uid).str("namespace", l.namespace).str("name", l.name);
    if let Some(g) = l.generate_name {
        o.str("generateName", g);
    }
    o.int("template", l.template).int("priority", l.priority);
    if l.preempt_never {
        o.bool("preemptNever", true);
    }
    o.map("labels", &l.labels).map("annotations", &l.annotations).owner(l.owner.as_ref()).end();
}

fn pod_status(l: &PodStatus, out: &mut Vec<u8>) {
    let mut o = Object::start(out, "PodStatus");
    o.int("t", l.t).int("uid", l.uid).str("phase", l.phase).text("reason", l.reason);
    o.opt("startTime", l.start_time).text("disruption", l.disruption).text("podIP", l.pod_ip);
    o.text("nominatedNodeName", l.nominated_node_name).end();
}

fn job_created(l: &JobCreated, out: &mut Vec<u8>) {
    let mut o = Object::start(out, "JobCreated");
    o.int("t", l.t).int("uid", l.uid).str("namespace", l.namespace).str("name", l.name).map("labels", &l.labels);
    o.int("template", l.template).owner(l.owner.as_ref()).end();
}

fn job_status(l: &JobStatus, out: &mut Vec<u8>) {
    let mut o = Object::start(out, "JobStatus");
    o.int("t", l.t).int("uid", l.uid).str("phase", l.phase).text("reason", l.reason).text("message", &l.message);
    o.int("active", l.active).int("succeeded", l.succeeded).int("failed", l.failed);
    o.opt("startTime", l.start_time).opt("completionTime", l.completion_time);
    o.int("parallelism", l.parallelism).bool("suspend", l.suspend).end();
}

fn cronjob_status(l: &CronJobStatus, out: &mut Vec<u8>) {
    let mut o = Object::start(out, "CronJobStatus");
    o.int("t", l.t).int("uid", l.uid).key("active");
    o.out.push(b'[');
    for (i, uid) in l.active.iter().enumerate() {
        if i > 0 {
            o.out.push(b',');
        }
        o.number(*uid);
    }
    o.out.push(b']');
    o.opt("lastScheduleTime", l.last_schedule_time).bool("suspend", l.suspend).end();
}

fn replicaset_status(l: &ReplicaSetStatus, out: &mut Vec<u8>) {
    let mut o = Object::start(out, "ReplicaSetStatus");
    o.int("t", l.t).int("uid", l.uid).int("desired", l.desired).int("revision", l.revision);
    o.int("replicas", l.replicas).int("fullyLabeled", l.fully_labeled).int("ready", l.ready);
    o.int("available", l.available).int("terminating", l.terminating);
    if let Some(f) = &l.failure {
        o.str("failure", f);
    }
    o.end();
}

/// Whether some byte of `w` is one JSON escapes: a quote, a backslash or a control
/// character (below 0x20; DEL and non-ASCII bytes are written as they are). The
/// word-at-a-time test for a byte below `n` (`(x - n..) & !x & 0x80..`, exact for
/// whether any byte is, with `n` at most 0x80) and the zero-byte test on `w` XOR each
/// special byte.
#[inline(always)]
fn word_needs_escape(w: u64) -> bool {
    const HIGHS: u64 = splat(0x80);
    let below = |n: u8, x: u64| x.wrapping_sub(splat(n)) & !x & HIGHS;
    (below(0x20, w) | below(1, w ^ splat(b'"')) | below(1, w ^ splat(b'\\'))) != 0
}

/// A JSON object being written: `{"op":"<op>"` first, as serde's internal tag.
struct Object<'o> {
    out: &'o mut Vec<u8>,
    itoa: itoa::Buffer,
}

impl<'o> Object<'o> {
    #[inline(always)]
    fn start(out: &'o mut Vec<u8>, op: &str) -> Self {
        out.extend_from_slice(b"{\"op\":\"");
        out.extend_from_slice(op.as_bytes());
        out.push(b'"');
        Object { out, itoa: itoa::Buffer::new() }
    }

    /// `,"<key>":` (keys are field names: nothing to escape). Inlined, as are the
    /// field writers below, so that each key's length is known where it is written and
    /// its bytes are copied without a call: a call of its own, writing keys was 30% of
    /// these lines.
    #[inline(always)]
    fn key(&mut self, key: &str) -> &mut Self {
        self.out.reserve(key.len() + 4);
        self.out.extend_from_slice(b",\"");
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        self
    }

    fn number(&mut self, v: impl itoa::Integer) {
        self.out.extend_from_slice(self.itoa.format(v).as_bytes());
    }

    /// `s` as a JSON string. Most strings (names, labels, reasons) have nothing to
    /// escape and are copied between quotes, found so a word at a time; the rest go
    /// through serde_json's own escaping.
    fn escaped(&mut self, s: &str) {
        let special = match s.len() {
            // A zero byte is special here: too short for `any_word`'s zero padding.
            0..4 => s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\'),
            _ => any_word(s.as_bytes(), word_needs_escape),
        };
        if special {
            // A string cannot fail to serialize, nor a vector to take it.
            let _ = serde_json::to_writer(&mut *self.out, s);
            return;
        }
        self.out.reserve(s.len() + 2);
        self.out.push(b'"');
        self.out.extend_from_slice(s.as_bytes());
        self.out.push(b'"');
    }

    #[inline(always)]
    fn int(&mut self, key: &str, v: impl itoa::Integer) -> &mut Self {
        self.key(key).number(v);
        self
    }

    #[inline(always)]
    fn opt(&mut self, key: &str, v: Option<i64>) -> &mut Self {
        if let Some(v) = v {
            self.int(key, v);
        }
        self
    }

    #[inline(always)]
    fn bool(&mut self, key: &str, v: bool) -> &mut Self {
        self.key(key).out.extend_from_slice(if v { b"true" } else { b"false" });
        self
    }

    #[inline(always)]
    fn str(&mut self, key: &str, v: &str) -> &mut Self {
        self.key(key).escaped(v);
        self
    }

    /// A string field skipped when empty.
    #[inline(always)]
    fn text(&mut self, key: &str, v: &str) -> &mut Self {
        if !v.is_empty() {
            self.str(key, v);
        }
        self
    }

    /// Labels or annotations, skipped when empty.
    fn map(&mut self, key: &str, map: &Map) -> &mut Self {
        if map.is_empty() {
            return self;
        }
        self.key(key).out.push(b'{');
        let mut first = true;
        let mut entry = |o: &mut Self, k: &str, v: &str| {
            if !std::mem::take(&mut first) {
                o.out.push(b',');
            }
            o.escaped(k);
            o.out.push(b':');
            o.escaped(v);
        };
        match map {
            Map::Of(m) => m.iter().for_each(|(k, v)| entry(self, k, v)),
            Map::Read(m) => m.iter().for_each(|(k, v)| entry(self, k, v)),
            Map::Packed(m) => m.pairs().for_each(|(k, v)| entry(self, k, v)),
        }
        self.out.push(b'}');
        self
    }

    fn owner(&mut self, owner: Option<&Owner>) -> &mut Self {
        if let Some(o) = owner {
            self.key("owner").out.extend_from_slice(b"{\"kind\":");
            self.escaped(o.kind);
            self.out.extend_from_slice(b",\"name\":");
            self.escaped(o.name);
            self.out.extend_from_slice(b",\"uid\":");
            self.number(o.uid);
            self.out.push(b'}');
        }
        self
    }

    fn end(&mut self) {
        self.out.push(b'}');
    }
}

/// Calls `f` with lines of every op written here, with strings that need escapes and
/// strings that do not, fields present and absent, and each kind of labels map (the
/// packed lines' test uses them too).
#[cfg(test)]
pub(super) fn each_sample_line(mut f: impl FnMut(Line)) {
    use super::{PodBound, PodDeleted, Removed};
    use std::borrow::Cow;
    use std::collections::BTreeMap;
    use tests::TEXTS;
    let labels = BTreeMap::from([
        ("app".to_string(), "web".to_string()),
        ("q\"k".to_string(), TEXTS[2].to_string()),
        ("u".to_string(), TEXTS[3].to_string()),
    ]);
    let none = BTreeMap::new();
    let read = BTreeMap::from([(Cow::Borrowed("job-name"), Cow::Borrowed("a\\b"))]);
    for (i, text) in TEXTS.into_iter().enumerate() {
        let n = i as i64;
        let owner = (i % 2 == 0).then_some(Owner { kind: "Job", name: text, uid: 7 });
        let (map, other) = match i {
            0 => (Map::Of(&none), Map::Of(&labels)),
            1 => (Map::Of(&labels), Map::Of(&none)),
            2 => (Map::Read(read.clone()), Map::Read(BTreeMap::new())),
            _ => (Map::Of(&labels), Map::Read(read.clone())),
        };
        f(Line::PodCreated(PodCreated {
            t: -n,
            uid: u64::MAX - i as u64,
            namespace: text,
            name: "pod-1",
            generate_name: (i % 2 == 1).then_some(text),
            template: 3,
            priority: i32::MIN + i as i32,
            preempt_never: i % 2 == 0,
            labels: map.clone(),
            annotations: other.clone(),
            owner,
        }));
        f(Line::PodBound(PodBound { t: n, uid: 1, node: text }));
        f(Line::PodStatus(PodStatus {
            t: n,
            uid: 2,
            phase: "Running",
            reason: text,
            start_time: (i > 1).then_some(n * 1000),
            disruption: TEXTS[3 - i],
            pod_ip: text,
            nominated_node_name: TEXTS[(i + 1) % 4],
        }));
        f(Line::PodDeleted(PodDeleted { t: n, uid: 3, grace_ms: 30_000 }));
        f(Line::PodRemoved(Removed { t: n, uid: 4 }));
        f(Line::JobRemoved(Removed { t: i64::MAX, uid: 0 }));
        f(Line::JobCreated(JobCreated {
            t: n,
            uid: 5,
            namespace: "default",
            name: text,
            labels: other,
            template: 1,
            owner: (i % 2 == 1).then_some(Owner { kind: "CronJob", name: "tick", uid: 1 }),
        }));
        f(Line::JobStatus(JobStatus {
            t: n,
            uid: 6,
            phase: "Complete",
            reason: TEXTS[(i + 2) % 4],
            message: Cow::Borrowed(text),
            active: i as u32,
            succeeded: u32::MAX,
            failed: 0,
            start_time: (i % 2 == 0).then_some(5),
            completion_time: (i > 2).then_some(-5),
            parallelism: 1,
            suspend: i == 3,
        }));
        f(Line::CronJobStatus(CronJobStatus {
            t: n,
            uid: 7,
            active: Cow::Owned((0..i as u64).map(|u| u * 1000).collect()),
            last_schedule_time: (i > 0).then_some(-60_000),
            suspend: i == 1,
        }));
        f(Line::ReplicaSetStatus(ReplicaSetStatus {
            t: n,
            uid: 8,
            desired: 3,
            revision: -1,
            replicas: 2,
            fully_labeled: 2,
            ready: 1,
            available: 1,
            terminating: i as u32,
            failure: (i > 1).then_some(Cow::Borrowed(text)),
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::super::Template;
    use super::*;
    use crate::api::job::JobSpec;
    use crate::api::pod::PodSpec;
    use std::borrow::Cow;

    /// Strings with what JSON escapes (quotes, backslashes, control characters) and
    /// what it does not (slashes, non-ASCII, DEL).
    pub(super) const TEXTS: [&str; 4] = ["", "plain", "q\"uo\\te/ \n\t\r\u{1}\u{1f}", "é → 世界\u{7f}"];

    fn same(line: Line) {
        let mut fast = Vec::new();
        assert!(write(&line, &mut fast), "{line:?} is written here");
        let serde = serde_json::to_vec(&line).unwrap();
        assert_eq!(String::from_utf8(fast).unwrap(), String::from_utf8(serde).unwrap());
    }

    #[test]
    fn every_string_is_escaped_as_serde_escapes_it() {
        let specials: Vec<char> = (0..0x80u8).map(char::from).chain(['é', '世', '\u{7f}', '\u{2028}']).collect();
        for len in 0..20 {
            for at in 0..len.max(1) {
                for &c in &specials {
                    let s: String = (0..len.max(1)).map(|i| if i == at { c } else { 'a' }).collect();
                    let s = if len == 0 { String::new() } else { s };
                    let mut ours = Vec::new();
                    Object { out: &mut ours, itoa: itoa::Buffer::new() }.escaped(&s);
                    assert_eq!(ours, serde_json::to_vec(&s).unwrap(), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn a_template_line_with_its_spec_serialized_is_what_serde_writes() {
        let pod: PodSpec = serde_json::from_str(
            r#"{"containers":[{"name":"app","image":"web:1","resources":{"requests":{"cpu":"1500m","memory":"3Gi"}}}],"nodeSelector":{"q\"k":"é\n"}}"#,
        )
        .unwrap();
        let job: JobSpec =
            serde_json::from_str(r#"{"completions":3,"template":{"spec":{"containers":[{"name":"a","image":"b"}]}}}"#)
                .unwrap();
        for (t, id) in [(0, 1), (-5, 7), (i64::MAX, u32::MAX)] {
            let mut fast = Vec::new();
            template(&mut fast, "PodTemplate", t, id, &serde_json::to_vec(&pod).unwrap());
            let serde = serde_json::to_vec(&Line::PodTemplate(Template { t, id, spec: Cow::Borrowed(&pod) })).unwrap();
            assert_eq!(String::from_utf8(fast).unwrap(), String::from_utf8(serde).unwrap());
            let mut fast = Vec::new();
            template(&mut fast, "JobTemplate", t, id, &serde_json::to_vec(&job).unwrap());
            let serde = serde_json::to_vec(&Line::JobTemplate(Template { t, id, spec: Cow::Borrowed(&job) })).unwrap();
            assert_eq!(String::from_utf8(fast).unwrap(), String::from_utf8(serde).unwrap());
        }
    }

    #[test]
    fn every_line_written_here_is_what_serde_writes() {
        each_sample_line(same);
    }
}
