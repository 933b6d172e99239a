//! A study's parameters: a path to a value of the scenario file (`nodes[worker].count`,
//! `behaviors[0].runFor`) and the values it takes (`--set PATH=V1,V2,...`).
//!
//! A path is a key, then `.key` or `[selector]` steps. A selector is an index
//! (`[0]`), the `name` of a list entry (`[worker]`, or `metadata.name` for a Kubernetes
//! object), or a quoted key for keys with dots (`labels["topology.kubernetes.io/zone"]`).
//! Values are YAML (`10`, `5m`, `{exponential: {mean: 5m}}`), split at the commas that
//! are outside brackets and quotes.

use serde_json::{Map, Value};
use std::fmt;

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A mapping key.
    Key(String),
    /// A list entry by position.
    Index(usize),
    /// A list entry by its `name` (or its `metadata.name`).
    Name(String),
}

/// A path to a value of the scenario file, as the user wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamPath {
    pub text: String,
    pub steps: Vec<Step>,
}

impl fmt::Display for ParamPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// One value a parameter takes: the text given (what tables show) and its YAML value.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamValue {
    pub text: String,
    pub value: Value,
}

/// A parameter and its values, in the order given.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    pub path: ParamPath,
    pub values: Vec<ParamValue>,
}

/// Keys a parameter may not set: the seed is the study's other axis (`--seeds`).
const RESERVED: &[(&str, &str)] = &[("seed", "the seeds are given with --seeds")];

impl ParamPath {
    pub fn parse(text: &str) -> Result<ParamPath, String> {
        let text = text.trim();
        let mut steps = Vec::new();
        let mut rest = text;
        let mut first = true;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('[') {
                if first {
                    return Err(format!("{text:?}: a path starts with a key (`nodes[worker].count`)"));
                }
                let (selector, tail) = bracket(after).ok_or_else(|| format!("{text:?}: a `[` is not closed"))?;
                steps.push(selector_step(&selector, text)?);
                rest = tail;
            } else {
                let body = if first { rest } else { rest.strip_prefix('.').ok_or_else(|| after_bracket(text))? };
                let end = body.find(['.', '[']).unwrap_or(body.len());
                let key = &body[..end];
                if key.is_empty() || key.contains([']', '"', '\'', '=']) || key.trim() != key {
                    return Err(format!("{text:?}: {:?} is not a key", key));
                }
                steps.push(Step::Key(key.to_string()));
                rest = &body[end..];
            }
            first = false;
        }
        if steps.is_empty() {
            return Err("an empty parameter path".to_string());
        }
        if let [Step::Key(k)] = steps.as_slice()
            && let Some((_, why)) = RESERVED.iter().find(|(r, _)| r == k)
        {
            return Err(format!("{text:?} cannot be a parameter: {why}"));
        }
        Ok(ParamPath { text: text.to_string(), steps })
    }

    /// Sets the value at this path in `doc`, the scenario file as a JSON value. Mappings
    /// missing on the way are created (the scenario loader then refuses keys that do not
    /// exist); list entries must exist.
    pub fn apply(&self, doc: &mut Value, value: Value) -> Result<(), String> {
        let mut here = doc;
        let mut walked = String::new();
        for (i, step) in self.steps.iter().enumerate() {
            let last = i + 1 == self.steps.len();
            let shown = if walked.is_empty() { "the scenario".to_string() } else { walked.clone() };
            here = match step {
                Step::Key(key) => {
                    if here.is_null() && !walked.is_empty() {
                        *here = Value::Object(Map::new());
                    }
                    let Value::Object(map) = here else {
                        return Err(format!("{}: {shown} is {}, not a mapping", self.text, kind(here)));
                    };
                    if !map.contains_key(key) {
                        map.insert(key.clone(), if last { Value::Null } else { Value::Object(Map::new()) });
                    }
                    map.get_mut(key).expect("inserted")
                }
                Step::Index(index) => {
                    let Value::Array(list) = here else {
                        return Err(format!("{}: {shown} is {}, not a list", self.text, kind(here)));
                    };
                    let len = list.len();
                    list.get_mut(*index).ok_or_else(|| {
                        format!(
                            "{}: {shown} has {len} entr{}, no [{index}]",
                            self.text,
                            if len == 1 { "y" } else { "ies" }
                        )
                    })?
                }
                Step::Name(name) => match here {
                    Value::Array(list) => {
                        let names: Vec<String> = list.iter().filter_map(entry_name).map(str::to_string).collect();
                        let Some(at) = list.iter().position(|e| entry_name(e) == Some(name.as_str())) else {
                            let known = if names.is_empty() {
                                "its entries have no names: address them by index, [0]".to_string()
                            } else {
                                format!("names: {}", names.join(", "))
                            };
                            return Err(format!("{}: {shown} has no entry named {name:?} ({known})", self.text));
                        };
                        &mut list[at]
                    }
                    Value::Object(map) => {
                        if !map.contains_key(name) {
                            map.insert(name.clone(), if last { Value::Null } else { Value::Object(Map::new()) });
                        }
                        map.get_mut(name).expect("inserted")
                    }
                    other => return Err(format!("{}: {shown} is {}, not a list", self.text, kind(other))),
                },
            };
            match step {
                Step::Key(k) if walked.is_empty() => walked.push_str(k),
                Step::Key(k) => {
                    walked.push('.');
                    walked.push_str(k);
                }
                Step::Index(i) => walked.push_str(&format!("[{i}]")),
                Step::Name(n) => walked.push_str(&format!("[{n}]")),
            }
        }
        *here = value;
        Ok(())
    }
}

impl ParamPath {
    /// The value at this path in `doc`, if the file has one there.
    pub fn get<'v>(&self, doc: &'v Value) -> Option<&'v Value> {
        let mut here = doc;
        for step in &self.steps {
            here = match (step, here) {
                (Step::Key(k), Value::Object(map)) | (Step::Name(k), Value::Object(map)) => map.get(k)?,
                (Step::Index(i), Value::Array(list)) => list.get(*i)?,
                (Step::Name(n), Value::Array(list)) => list.iter().find(|e| entry_name(e) == Some(n.as_str()))?,
                _ => return None,
            };
        }
        Some(here)
    }
}

fn after_bracket(text: &str) -> String {
    format!("{text:?}: after `]` comes `.key` or `[...]`")
}

/// A list entry's name: its `name`; a Kubernetes object's `metadata.name`; a
/// workload's object's (inline or the arrivals'), or its manifest file.
fn entry_name(entry: &Value) -> Option<&str> {
    ["/name", "/metadata/name", "/object/metadata/name", "/arrivals/object/metadata/name", "/manifest"]
        .iter()
        .find_map(|p| entry.pointer(p).and_then(Value::as_str))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// The text inside `[...]` (quotes may hold `]`), and what follows the `]`.
fn bracket(s: &str) -> Option<(String, &str)> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, ']') => return Some((s[..i].to_string(), &s[i + 1..])),
            _ => {}
        }
    }
    None
}

fn selector_step(selector: &str, text: &str) -> Result<Step, String> {
    let s = selector.trim();
    if s.is_empty() {
        return Err(format!("{text:?}: an empty `[]`"));
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().map(Step::Index).map_err(|_| format!("{text:?}: index {s} is too large"));
    }
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q) {
            return match inner.strip_suffix(q) {
                Some(key) if !key.contains(q) => Ok(Step::Key(key.to_string())),
                _ => Err(format!("{text:?}: a quoted key is not closed")),
            };
        }
    }
    Ok(Step::Name(s.to_string()))
}

/// Splits at the commas outside `{}`, `[]` and quotes.
pub fn split_values(text: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None, 0);
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        if depth < 0 {
            return Err(format!("{text:?}: a `{c}` closes nothing"));
        }
    }
    if quote.is_some() {
        return Err(format!("{text:?}: a quote is not closed"));
    }
    if depth != 0 {
        return Err(format!("{text:?}: a bracket is not closed"));
    }
    out.push(&text[start..]);
    Ok(out)
}

/// One value as YAML.
pub fn parse_value(text: &str) -> Result<Value, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("an empty value (write \"\" for an empty string)".to_string());
    }
    serde_saphyr::from_str::<Value>(trimmed).map_err(|e| format!("{trimmed:?} is not a YAML value: {e}"))
}

impl Parameter {
    /// `PATH=V1,V2,...`, as `--set` takes it.
    pub fn parse(arg: &str) -> Result<Parameter, String> {
        let Some(eq) = first_equals(arg) else {
            return Err(format!("{arg:?}: expected PATH=VALUE[,VALUE...] (`nodes[worker].count=10,20`)"));
        };
        let path = ParamPath::parse(&arg[..eq])?;
        let texts = split_values(&arg[eq + 1..]).map_err(|e| format!("{path}: {e}"))?;
        let mut values = Vec::with_capacity(texts.len());
        for t in texts {
            values.push(Parameter::value(&path, t)?);
        }
        Parameter::new(path, values)
    }

    /// A parameter with values given as YAML (a sweep file's list).
    pub fn new(path: ParamPath, values: Vec<ParamValue>) -> Result<Parameter, String> {
        if values.is_empty() {
            return Err(format!("{path}: no values"));
        }
        for (i, v) in values.iter().enumerate() {
            if values[..i].iter().any(|w| w.value == v.value) {
                return Err(format!("{path}: the value {} is given twice", v.text));
            }
        }
        Ok(Parameter { path, values })
    }

    fn value(path: &ParamPath, text: &str) -> Result<ParamValue, String> {
        let value = parse_value(text).map_err(|e| format!("{path}: {e}"))?;
        Ok(ParamValue { text: text.trim().to_string(), value })
    }
}

/// The `=` that ends the path: the first one outside brackets and quotes.
pub(crate) fn first_equals(arg: &str) -> Option<usize> {
    let (mut depth, mut quote) = (0i32, None);
    for (i, c) in arg.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => depth -= 1,
            (None, '=') if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// The compact text of a value for a table cell: the text given.
pub fn canonical_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "name": "t",
            "nodes": [{"name": "worker", "count": 3}, {"name": "batch", "count": 1, "labels": {"a.b/c": "x"}}],
            "behaviors": [{"match": {"container": "app"}, "runFor": "5m"}],
            "workloads": [{"object": {"kind": "Pod", "metadata": {"name": "solo"}}}],
            "faults": null
        })
    }

    fn set(path: &str, value: Value) -> Result<Value, String> {
        let mut d = doc();
        ParamPath::parse(path)?.apply(&mut d, value)?;
        Ok(d)
    }

    #[test]
    fn paths_address_entries_by_name_and_index() {
        assert_eq!(set("nodes[worker].count", json!(10)).unwrap()["nodes"][0]["count"], 10);
        assert_eq!(set("nodes[1].count", json!(2)).unwrap()["nodes"][1]["count"], 2);
        let d = set("behaviors[0].runFor", json!({"exponential": {"mean": "5m"}})).unwrap();
        assert_eq!(d["behaviors"][0]["runFor"]["exponential"]["mean"], "5m");
        let d = set("nodes[batch].labels[\"a.b/c\"]", json!("y")).unwrap();
        assert_eq!(d["nodes"][1]["labels"]["a.b/c"], "y");
        let d = set("workloads[solo].object.spec.priority", json!(5)).unwrap();
        assert_eq!(set("workloads[0].object.spec.priority", json!(5)).unwrap(), d);
        assert_eq!(d["workloads"][0]["object"]["spec"]["priority"], 5, "missing mappings are created");
        assert_eq!(set("duration", json!("2h")).unwrap()["duration"], "2h");
        assert_eq!(set("kubernetes.version", json!("1.31")).unwrap()["kubernetes"]["version"], "1.31");
    }

    #[test]
    fn values_are_read_at_their_paths() {
        let d = doc();
        let get = |p: &str| ParamPath::parse(p).unwrap().get(&d).cloned();
        assert_eq!(get("nodes[worker].count"), Some(json!(3)));
        assert_eq!(get("nodes[1].count"), Some(json!(1)));
        assert_eq!(get("behaviors[0].runFor"), Some(json!("5m")));
        assert_eq!(get("workloads[solo].object.kind"), Some(json!("Pod")));
        assert_eq!(get("nodes[web].count"), None);
        assert_eq!(get("nodes[worker].count.x"), None);
    }

    #[test]
    fn bad_paths_say_what_is_there() {
        let e = set("nodes[workr].count", json!(1)).unwrap_err();
        assert_eq!(e, "nodes[workr].count: nodes has no entry named \"workr\" (names: worker, batch)");
        let e = set("nodes[5].count", json!(1)).unwrap_err();
        assert_eq!(e, "nodes[5].count: nodes has 2 entries, no [5]");
        let e = set("behaviors[app].runFor", json!(1)).unwrap_err();
        assert!(e.contains("its entries have no names"), "{e}");
        let e = set("name.first", json!(1)).unwrap_err();
        assert_eq!(e, "name.first: name is a string, not a mapping");
        let e = set("faults[0].at", json!(1)).unwrap_err();
        assert_eq!(e, "faults[0].at: faults is empty, not a list");
        for bad in ["", "[0]", "nodes[0", "nodes..count", "nodes[]", "nodes[0]count", "seed"] {
            assert!(ParamPath::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn values_split_outside_brackets_and_quotes() {
        let p = Parameter::parse("behaviors[0].runFor={exponential: {mean: 5m}}, {constant: 1m},'a,b'").unwrap();
        let texts: Vec<&str> = p.values.iter().map(|v| v.text.as_str()).collect();
        assert_eq!(texts, ["{exponential: {mean: 5m}}", "{constant: 1m}", "'a,b'"]);
        assert_eq!(p.values[0].value, json!({"exponential": {"mean": "5m"}}));
        assert_eq!(p.values[2].value, json!("a,b"));
        let p = Parameter::parse("nodes[worker].count=10,20,40").unwrap();
        assert_eq!(p.values.iter().map(|v| v.value.clone()).collect::<Vec<_>>(), [json!(10), json!(20), json!(40)]);
        assert_eq!(p.path.steps, [Step::Key("nodes".into()), Step::Name("worker".into()), Step::Key("count".into())]);
        assert!(Parameter::parse("nodes[worker].count").unwrap_err().contains("expected PATH=VALUE"));
        assert!(Parameter::parse("a=1,,2").unwrap_err().contains("empty value"));
        assert!(Parameter::parse("a=1,1").unwrap_err().contains("given twice"));
        assert!(Parameter::parse("a={x: 1").unwrap_err().contains("not closed"));
        assert!(Parameter::parse("labels[\"k=v\"]=1").is_ok(), "an = inside brackets is part of the path");
    }
}
