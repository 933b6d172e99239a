//! A run's figures: every number of its summary.json, by its path
//! (`latency_ms.scheduling.p99`, `pods.by_final_phase.Succeeded`,
//! `services[default/web].any_ready_fraction`), in the summary's order.

use serde_json::Number;

/// Parts of the summary that are not outcomes: what the run was (its seed and
/// parameters), the trace digests, and the unschedulable pods keyed by their message
/// (free text; `pods.never_scheduled` counts them).
const NOT_FIGURES: &[&str] = &["seed", "trace_digest", "parameters", "failures.unschedulable_at_end"];

/// summary.json read with its keys in the order written (serde_json's own `Value`
/// sorts them).
#[derive(Clone, Debug, PartialEq)]
pub enum Ordered {
    Number(Number),
    String(String),
    Object(Vec<(String, Ordered)>),
    Array(Vec<Ordered>),
    /// A boolean or null.
    Other,
}

impl Ordered {
    pub fn get(&self, key: &str) -> Option<&Ordered> {
        match self {
            Ordered::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Ordered::String(s) => Some(s),
            _ => None,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(OrderedVisitor)
    }
}

struct OrderedVisitor;

impl<'de> serde::de::Visitor<'de> for OrderedVisitor {
    type Value = Ordered;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Ordered, E> {
        Ok(Ordered::Other)
    }

    fn visit_unit<E>(self) -> Result<Ordered, E> {
        Ok(Ordered::Other)
    }

    fn visit_none<E>(self) -> Result<Ordered, E> {
        Ok(Ordered::Other)
    }

    fn visit_u64<E>(self, v: u64) -> Result<Ordered, E> {
        Ok(Ordered::Number(v.into()))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Ordered, E> {
        Ok(Ordered::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Ordered, E> {
        Ok(Number::from_f64(v).map_or(Ordered::Other, Ordered::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Ordered, E> {
        Ok(Ordered::String(v.to_string()))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(Ordered::Array(out))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
        let mut out = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Ordered>()? {
            out.push((k, v));
        }
        Ok(Ordered::Object(out))
    }
}

/// Reads a summary.json.
pub fn parse(text: &str) -> Result<Ordered, String> {
    let v: Ordered = serde_json::from_str(text).map_err(|e| e.to_string())?;
    match v {
        Ordered::Object(_) => Ok(v),
        _ => Err("not a JSON object".to_string()),
    }
}

/// The numbers of a summary, by path, in the order written.
pub fn flatten(summary: &Ordered) -> Vec<(String, Number)> {
    let mut out = Vec::new();
    walk(summary, String::new(), &mut out);
    out
}

fn walk(v: &Ordered, path: String, out: &mut Vec<(String, Number)>) {
    if NOT_FIGURES.contains(&path.as_str()) {
        return;
    }
    match v {
        Ordered::Number(n) => out.push((path, n.clone())),
        Ordered::Object(fields) => {
            for (k, v) in fields {
                let child = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                walk(v, child, out);
            }
        }
        Ordered::Array(list) => {
            for (i, entry) in list.iter().enumerate() {
                walk(entry, format!("{path}[{}]", entry_key(entry).unwrap_or_else(|| i.to_string())), out);
            }
        }
        Ordered::String(_) | Ordered::Other => {}
    }
}

/// A list entry's key: `namespace/name` (a Service), or `name`.
fn entry_key(entry: &Ordered) -> Option<String> {
    let name = entry.get("name")?.as_str()?;
    Some(match entry.get("namespace").and_then(Ordered::as_str) {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_string(),
    })
}

/// The figures of many runs as one ordered list: each run's order kept, a name first
/// seen in a later run placed after the name it follows there.
pub fn ordered_union<'a>(lists: impl IntoIterator<Item = Vec<&'a str>>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut index: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for list in lists {
        let mut after: Option<usize> = None;
        for name in list {
            match index.get(name) {
                Some(at) => after = Some(*at),
                None => {
                    let at = after.map_or(0, |a| a + 1);
                    out.insert(at, name.to_string());
                    index = out.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect();
                    after = Some(at);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_flatten_to_paths() {
        let s = parse(
            r#"{
            "scenario": "x", "seed": 3, "events_processed": 10, "ok": true,
            "trace_digest": {"a.csv": "ff"},
            "pods": {"created": 4, "by_final_phase": {"Succeeded": 3, "Failed": 1}},
            "latency_ms": {"scheduling": {"count": 4, "mean": 1.5, "p99": 7}},
            "failures": {"node_crashes": 0, "unschedulable_at_end": {"0/3 nodes are available": 2}},
            "services": [{"namespace": "default", "name": "web", "any_ready_fraction": 0.5}],
            "warnings": ["w"], "big": -12345678901
        }"#,
        )
        .unwrap();
        let names: Vec<String> = flatten(&s).into_iter().map(|(n, v)| format!("{n}={v}")).collect();
        assert_eq!(
            names,
            [
                "events_processed=10",
                "pods.created=4",
                "pods.by_final_phase.Succeeded=3",
                "pods.by_final_phase.Failed=1",
                "latency_ms.scheduling.count=4",
                "latency_ms.scheduling.mean=1.5",
                "latency_ms.scheduling.p99=7",
                "failures.node_crashes=0",
                "services[default/web].any_ready_fraction=0.5",
                "big=-12345678901",
            ]
        );
        assert!(parse("[1]").is_err() && parse("{").is_err());
    }

    #[test]
    fn the_union_keeps_each_runs_order() {
        let u = ordered_union([vec!["a", "c", "e"], vec!["a", "b", "c", "d", "e", "f"], vec!["z"]]);
        assert_eq!(u, ["z", "a", "b", "c", "d", "e", "f"]);
        assert_eq!(ordered_union([vec!["x", "y"], vec!["y", "w"]]), ["x", "y", "w"]);
    }
}
