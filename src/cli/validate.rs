//! `podsim validate`: check scenarios and manifests without simulating.

use super::{Failure, load_scenario};
use podsim::api::object::{Ignored, first_document, parse_file_with};
use std::path::PathBuf;

pub fn validate(files: &[PathBuf]) -> Result<(), Failure> {
    let mut errors = Vec::new();
    for (i, path) in files.iter().enumerate() {
        match check_one(path, i + 1 == files.len()) {
            Ok(notes) => {
                println!("{}: ok", path.display());
                for n in notes {
                    println!("  {n}");
                }
            }
            Err(Failure::Input(e)) => errors.extend(e),
            Err(other) => return Err(other),
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(Failure::Input(errors)) }
}

/// A file is a manifest if its first document has `apiVersion` or `kind`; otherwise a scenario.
/// A file that is not valid YAML is a manifest if a line starts with either key or
/// either is quoted as JSON writes it (a scenario has neither), so that its YAML
/// error is reported, not a scenario's complaint about `apiVersion`.
/// `ends_process`: the last file, whose scenario the process's exit takes back at once
/// (freeing the 5,537 pods of the Alibaba set one by one was a twentieth of validating it).
fn check_one(path: &std::path::Path, ends_process: bool) -> Result<Vec<String>, Failure> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Failure::Input(vec![format!("{shown}: cannot read: {e}")]))?;
    if looks_like_manifest(&text) {
        let mut ignored = Ignored::default();
        let objects = parse_file_with(&shown, &text, &mut ignored, super::parse_threads())
            .map_err(|e| Failure::Input(vec![e.to_string()]))?;
        let mut notes = vec![format!("{} object(s)", objects.len())];
        notes.extend(ignored.describe().into_iter().map(|l| format!("not simulated: {l}")));
        let errs = podsim::scenario::load::validate_manifests(&shown, &text, objects);
        if !errs.is_empty() {
            return Err(Failure::Input(errs.iter().map(|e| e.to_string()).collect()));
        }
        return Ok(notes);
    }
    let s = load_scenario(path)?;
    let mut notes = vec![format!(
        "scenario {:?}: {} node(s), {} submission(s), {} arrival stream(s), {} behavior(s), {} fault(s), {} action(s)",
        s.name,
        s.nodes.len(),
        s.submissions.len(),
        s.arrivals.len(),
        s.behaviors.len(),
        s.faults.len() + s.random_faults.len(),
        s.actions.len()
    )];
    notes.extend(s.warnings.iter().map(|w| format!("warning: {w}")));
    notes.extend(super::estimate::heavy_output(&s).map(|w| format!("warning: {w}")));
    notes.extend(s.ignored.describe().into_iter().map(|l| format!("not simulated: {l}")));
    if ends_process {
        std::mem::forget(s);
    }
    Ok(notes)
}

fn looks_like_manifest(text: &str) -> bool {
    // The first document says "manifest" on its own: parsing the whole file only to look
    // at its first document was a third of validating a file of 5,000 Pods.
    let first = serde_saphyr::from_multiple::<serde_json::Value>(first_document(text));
    if first.ok().and_then(|docs| docs.into_iter().next()).is_some_and(|v| has_object_keys(&v)) {
        return true;
    }
    match serde_saphyr::from_multiple::<serde_json::Value>(text) {
        Ok(docs) => docs.first().is_some_and(has_object_keys),
        Err(_) => {
            let key = |l: &str| ["apiVersion", "kind"].iter().any(|k| l.starts_with(&format!("{k}:")));
            text.lines().any(key) || text.contains("\"apiVersion\"") || text.contains("\"kind\"")
        }
    }
}

fn has_object_keys(v: &serde_json::Value) -> bool {
    v.get("apiVersion").is_some() || v.get("kind").is_some()
}
