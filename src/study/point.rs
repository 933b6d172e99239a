//! A point's scenario: the scenario file with the point's values set, validated as any
//! scenario is.
//!
//! The file is read as YAML into a JSON value, the values are set at their paths, and
//! the result (JSON, which YAML reads as it is) is loaded. Messages about the file then
//! name the parameter instead of a line of a text the user never saw; messages about
//! the manifests it names keep their lines.

use super::param::{ParamPath, ParamValue};
use crate::scenario::load::ReadFile;
use crate::scenario::{Scenario, load};
use serde_json::Value;

/// What is wrong with a point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PointError {
    /// A path leads nowhere in the file (no such list entry): every point fails alike.
    Path(String),
    /// The scenario with these values is not valid: the loader's messages.
    Invalid(Vec<String>),
}

/// The scenario file, parsed once for all the points.
pub struct Base<'a> {
    file: &'a str,
    text: &'a str,
    doc: Value,
    /// The digest of the file as written (and the files it names): every point's
    /// summary records this one, with its parameters beside it.
    digest: String,
}

impl<'a> Base<'a> {
    /// `digest` is the file's own (`Scenario::digest` of the file loaded as written).
    pub fn new(file: &'a str, text: &'a str, digest: String) -> Result<Base<'a>, String> {
        let doc: Value = serde_saphyr::from_str(text).map_err(|e| format!("{file}: {e}"))?;
        if !doc.is_object() {
            return Err(format!("{file}: a scenario is a mapping of keys (name, nodes, workloads, ...)"));
        }
        Ok(Base { file, text, doc, digest })
    }

    /// The scenario of a point: each path set to its value. No values: the file as
    /// written, byte for byte.
    pub fn scenario(&self, values: &[(&ParamPath, &ParamValue)], read: &ReadFile) -> Result<Scenario, PointError> {
        if values.is_empty() {
            let mut s = load(self.file, self.text, read).map_err(|e| PointError::Invalid(messages(e, None)))?;
            s.digest = self.digest.clone();
            return Ok(s);
        }
        let mut doc = self.doc.clone();
        for (path, value) in values {
            path.apply(&mut doc, value.value.clone()).map_err(PointError::Path)?;
        }
        let text = serde_json::to_string_pretty(&doc).expect("a JSON value always serializes");
        let label: Vec<String> = values.iter().map(|(p, v)| format!("{p}={}", v.text)).collect();
        let mut s = load(self.file, &text, read)
            .map_err(|e| PointError::Invalid(messages(e, Some((self.file, &label.join(" "))))))?;
        s.digest = self.digest.clone();
        s.parameters = values.iter().map(|(p, v)| (p.text.clone(), v.text.clone())).collect();
        Ok(s)
    }
}

/// The loader's messages; those about the scenario file itself lose their position (in
/// the rendered text) and say which values were set.
fn messages(e: crate::scenario::ScenarioError, set: Option<(&str, &str)>) -> Vec<String> {
    e.0.into_iter()
        .map(|mut err| match set {
            Some((file, label)) if err.file == file => {
                err.position = None;
                err.file = format!("{file} with {label}");
                err.to_string()
            }
            _ => err.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::param::Parameter;

    const TEXT: &str =
        "name: t\nduration: 1h\nnodes:\n  - name: worker\n    count: 2\n    capacity: {cpu: \"4\", memory: 8Gi}\n";

    fn no_files(_: &str) -> Result<String, String> {
        Err("no files".into())
    }

    #[test]
    fn values_are_set_and_recorded() {
        let base = Base::new("t.yaml", TEXT, "d".into()).unwrap();
        let p = Parameter::parse("nodes[worker].count=5").unwrap();
        let s = base.scenario(&[(&p.path, &p.values[0])], &no_files).unwrap();
        assert_eq!(s.nodes.len(), 5);
        assert_eq!(s.parameters, [("nodes[worker].count".to_string(), "5".to_string())]);
        assert_eq!(s.digest, "d");
        let plain = base.scenario(&[], &no_files).unwrap();
        assert_eq!((plain.nodes.len(), plain.parameters.len()), (2, 0));
    }

    #[test]
    fn a_bad_value_names_the_parameter() {
        let base = Base::new("t.yaml", TEXT, "d".into()).unwrap();
        let p = Parameter::parse("nodes[worker].count=many").unwrap();
        let Err(PointError::Invalid(m)) = base.scenario(&[(&p.path, &p.values[0])], &no_files) else { panic!() };
        assert_eq!(m.len(), 1);
        assert!(m[0].starts_with("t.yaml with nodes[worker].count=many: nodes[0].count: invalid"), "{m:?}");
        let p = Parameter::parse("nodes[worker].cont=1").unwrap();
        let Err(PointError::Invalid(m)) = base.scenario(&[(&p.path, &p.values[0])], &no_files) else { panic!() };
        assert!(m[0].contains("unknown field `cont`"), "{m:?}");
        let p = Parameter::parse("nodes[web].count=1").unwrap();
        let e = base.scenario(&[(&p.path, &p.values[0])], &no_files).unwrap_err();
        assert_eq!(e, PointError::Path("nodes[web].count: nodes has no entry named \"web\" (names: worker)".into()));
    }
}
