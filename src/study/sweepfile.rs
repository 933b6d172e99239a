//! A sweep file: a study written down, to run again or to keep beside its results.
//!
//! ```yaml
//! scenario: job-stream.yaml          # relative to this file
//! seeds: 1..20                       # or a list: [1, 2, 3]
//! duration: 2h                       # optional: overrides the scenario's
//! keep: summary                      # optional: all (default), trace or summary
//! parameters:                        # the cartesian product of their values
//!   - path: nodes[worker].count
//!     values: [4, 8]
//!   - path: behaviors[0].runFor
//!     values: [{lognormal: {median: 8m, sigma: 0.7}}, 4m]
//! ```

use super::param::{ParamPath, ParamValue, Parameter};
use super::plan::Keep;
use super::seeds;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, PartialEq)]
pub struct SweepFile {
    /// The scenario file, as written (relative to the sweep file).
    pub scenario: String,
    pub seeds: Option<Vec<u64>>,
    pub duration: Option<String>,
    pub keep: Option<Keep>,
    pub check_invariants: bool,
    pub parameters: Vec<Parameter>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Raw {
    scenario: String,
    #[serde(default)]
    seeds: Option<Value>,
    #[serde(default)]
    duration: Option<String>,
    #[serde(default)]
    keep: Option<String>,
    #[serde(default)]
    check_invariants: bool,
    #[serde(default)]
    parameters: Vec<RawParameter>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameter {
    path: String,
    values: Vec<Value>,
}

/// Whether `text` is a sweep file rather than a scenario: a mapping with `scenario:`
/// (a scenario has `name:`).
pub fn is_sweep_file(text: &str) -> bool {
    match serde_saphyr::from_str::<Value>(text) {
        Ok(Value::Object(map)) => map.contains_key("scenario") && !map.contains_key("name"),
        _ => false,
    }
}

pub fn parse(file: &str, text: &str) -> Result<SweepFile, String> {
    use serde::Deserialize;
    let mut path = None;
    let parsed = serde_saphyr::with_deserializer_from_str(text, |de| {
        let mut track = serde_path_to_error::Track::new();
        let result = Raw::deserialize(serde_path_to_error::Deserializer::new(de, &mut track));
        if result.is_err() {
            path = Some(track.path().to_string());
        }
        result
    });
    let raw = parsed.map_err(|e| match path.filter(|p| !p.is_empty() && p != ".") {
        Some(p) => format!("{file}: {p}: {e}"),
        None => format!("{file}: {e}"),
    })?;
    let at = |field: &str, e: String| format!("{file}: {field}: {e}");
    let seeds = match raw.seeds {
        None => None,
        Some(Value::String(s)) => Some(seeds::parse(&s).map_err(|e| at("seeds", e))?),
        Some(Value::Number(n)) => Some(vec![n.as_u64().ok_or_else(|| at("seeds", format!("{n} is not a seed")))?]),
        Some(Value::Array(list)) => {
            let mut out = Vec::new();
            for (i, v) in list.iter().enumerate() {
                out.push(v.as_u64().ok_or_else(|| at(&format!("seeds[{i}]"), format!("{v} is not a seed")))?);
            }
            let text = out.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
            seeds::parse(&text).map_err(|e| at("seeds", e))?;
            Some(out)
        }
        Some(other) => return Err(at("seeds", format!("{other} is not seeds (1..20, or a list of numbers)"))),
    };
    let keep = raw.keep.as_deref().map(Keep::parse).transpose().map_err(|e| at("keep", e))?;
    let mut parameters: Vec<Parameter> = Vec::new();
    for (i, p) in raw.parameters.into_iter().enumerate() {
        let field = format!("parameters[{i}]");
        let path = ParamPath::parse(&p.path).map_err(|e| at(&format!("{field}.path"), e))?;
        if parameters.iter().any(|q| q.path.text == path.text) {
            return Err(at(&format!("{field}.path"), format!("{path} is a parameter twice")));
        }
        let values = p.values.into_iter().map(ParamValue::from_value).collect();
        parameters.push(Parameter::new(path, values).map_err(|e| at(&format!("{field}.values"), e))?);
    }
    Ok(SweepFile {
        scenario: raw.scenario,
        seeds,
        duration: raw.duration,
        keep,
        check_invariants: raw.check_invariants,
        parameters,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_file_reads_as_a_plan() {
        let text = "scenario: job-stream.yaml\nseeds: 1..3\nkeep: summary\nparameters:\n  - path: nodes[worker].count\n    values: [4, 8]\n  - path: behaviors[0].runFor\n    values: [{lognormal: {median: 8m, sigma: 0.7}}, 4m, \"10\"]\n";
        assert!(is_sweep_file(text));
        assert!(!is_sweep_file("name: x\nnodes: []\n"));
        let f = parse("s.yaml", text).unwrap();
        assert_eq!(f.scenario, "job-stream.yaml");
        assert_eq!(f.seeds, Some(vec![1, 2, 3]));
        assert_eq!(f.keep, Some(Keep::Summary));
        assert_eq!(f.parameters.len(), 2);
        let texts: Vec<&str> = f.parameters[1].values.iter().map(|v| v.text.as_str()).collect();
        assert_eq!(texts, ["{\"lognormal\":{\"median\":\"8m\",\"sigma\":0.7}}", "4m", "\"10\""]);
        assert_eq!(parse("s.yaml", "scenario: a.yaml\nseeds: [5, 2]\n").unwrap().seeds, Some(vec![5, 2]));
    }

    #[test]
    fn mistakes_are_named() {
        for (text, want) in [
            ("scenario: a.yaml\nseed: 1\n", "unknown field `seed`"),
            ("scenario: a.yaml\nseeds: 3..1\n", "s.yaml: seeds: --seeds \"3..1\": 3..1 is empty"),
            ("scenario: a.yaml\nseeds: [1, x]\n", "s.yaml: seeds[1]: \"x\" is not a seed"),
            ("scenario: a.yaml\nkeep: most\n", "s.yaml: keep: --keep \"most\""),
            ("scenario: a.yaml\nparameters:\n  - {path: \"a[\", values: [1]}\n", "s.yaml: parameters[0].path"),
            (
                "scenario: a.yaml\nparameters:\n  - {path: a, values: []}\n",
                "s.yaml: parameters[0].values: a: no values",
            ),
            (
                "scenario: a.yaml\nparameters:\n  - {path: a, values: [1]}\n  - {path: a, values: [2]}\n",
                "a is a parameter twice",
            ),
            ("scenario: a.yaml\nparameters:\n  - {path: a, value: [1]}\n", "parameters[0]"),
        ] {
            let e = parse("s.yaml", text).unwrap_err();
            assert!(e.contains(want), "{text}: {e}");
        }
    }
}
