//! `get --field-selector` and `get --sort-by`, read from the objects as the API returns
//! them (their JSON form): the fields the API server lets a selector name, and
//! kubectl's JSONPath sort keys.

use super::{Resource, ViewError};
use serde_json::Value;
use std::cmp::Ordering;

/// `--field-selector`: `key=value`, `key==value` or `key!=value`, comma-separated; an
/// object is selected when every term holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSelector {
    terms: Vec<Term>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Term {
    field: String,
    equal: bool,
    value: String,
}

/// The fields the API server accepts in a field selector, by resource (`metadata.name`
/// and `metadata.namespace` are accepted for every one).
fn supported(resource: Resource) -> &'static [&'static str] {
    match resource {
        Resource::Pods => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        Resource::Nodes => &["spec.unschedulable"],
        Resource::Jobs => &["status.successful"],
        Resource::CronJobs => &[],
        // `pkg/registry/apps/replicaset/strategy.go` adds status.replicas.
        Resource::ReplicaSets => &["status.replicas"],
        Resource::Deployments | Resource::DaemonSets | Resource::StatefulSets => &[],
        // Only the object meta fields (podsim does not model the newer spec.clusterIP
        // and spec.type selectors of Services).
        Resource::Services | Resource::EndpointSlices | Resource::PodDisruptionBudgets => &[],
        Resource::PersistentVolumeClaims
        | Resource::PersistentVolumes
        | Resource::StorageClasses
        | Resource::ConfigMaps => &[],
        // `pkg/registry/core/secret/strategy.go` `SelectableFields`.
        Resource::Secrets => &["type"],
        Resource::Events => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
    }
}

impl FieldSelector {
    /// Parses a selector for `resource`, refusing fields the API server would refuse.
    pub fn parse(text: &str, resource: Resource) -> Result<FieldSelector, ViewError> {
        let mut terms = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, equal, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = part.split_once("==") {
                (f, true, v)
            } else if let Some((f, v)) = part.split_once('=') {
                (f, true, v)
            } else {
                return Err(ViewError::input(format!(
                    "--field-selector {text}: invalid selector: '{part}'; can't understand '{part}' (expected field=value or field!=value)"
                )));
            };
            let field = field.trim();
            if !matches!(field, "metadata.name" | "metadata.namespace") && !supported(resource).contains(&field) {
                return Err(ViewError::input(format!(
                    "--field-selector {text}: field label not supported: {field} (for {}: metadata.name, metadata.namespace{})",
                    resource.plural(),
                    supported(resource).iter().map(|f| format!(", {f}")).collect::<String>()
                )));
            }
            terms.push(Term { field: field.to_string(), equal, value: value.trim().to_string() });
        }
        Ok(FieldSelector { terms })
    }

    /// Whether the object (as JSON) is selected; a field it lacks reads as empty, as the
    /// API server reads an unset field (`spec.nodeName=` selects unscheduled pods).
    pub fn matches(&self, object: &Value) -> bool {
        self.terms.iter().all(|t| (field_text(object, &t.field) == t.value) == t.equal)
    }
}

/// A field as a selector compares it: strings as they are, other scalars as JSON writes
/// them, missing as empty. `source` of an Event is its component.
fn field_text(object: &Value, path: &str) -> String {
    let path = if path == "source" { "source.component" } else { path };
    match lookup(object, path) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    }
}

/// The value at a dotted path with optional indexes (`status.conditions[0].type`).
fn lookup<'a>(object: &'a Value, path: &str) -> Option<&'a Value> {
    let mut node = object;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (name, indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            node = node.get(name)?;
        }
        for index in indexes.split('[').filter(|i| !i.is_empty()) {
            let i: usize = index.strip_suffix(']')?.parse().ok()?;
            node = node.get(i)?;
        }
    }
    Some(node)
}

/// `--sort-by`: a JSONPath to a field (`.metadata.name`, `{.status.startTime}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortBy {
    path: String,
}

impl SortBy {
    pub fn parse(text: &str) -> Result<SortBy, ViewError> {
        let inner = text.trim();
        let inner = inner.strip_prefix('{').and_then(|t| t.strip_suffix('}')).unwrap_or(inner);
        let path = inner.strip_prefix('.').unwrap_or(inner);
        let valid = !path.is_empty()
            && path.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-[]".contains(&b))
            && path.split('.').all(|p| !p.is_empty());
        if !valid {
            return Err(ViewError::input(format!(
                "--sort-by {text}: expected a JSONPath to one field, like .metadata.name or {{.status.startTime}}"
            )));
        }
        Ok(SortBy { path: path.to_string() })
    }

    /// Orders two objects by the field: numbers by value, text (timestamps included)
    /// as text; objects without the field come first, as kubectl puts them.
    pub fn compare(&self, a: &Value, b: &Value) -> Ordering {
        let (x, y) = (lookup(a, &self.path), lookup(b, &self.path));
        match (x, y) {
            (Some(Value::Number(m)), Some(Value::Number(n))) => {
                m.as_f64().unwrap_or(0.0).total_cmp(&n.as_f64().unwrap_or(0.0))
            }
            (None | Some(Value::Null), None | Some(Value::Null)) => Ordering::Equal,
            (None | Some(Value::Null), _) => Ordering::Less,
            (_, None | Some(Value::Null)) => Ordering::Greater,
            (Some(x), Some(y)) => field_text_of(x).cmp(&field_text_of(y)),
        }
    }
}

fn field_text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selects_by_phase_and_node_as_the_api_server_does() {
        let running = json!({"metadata": {"name": "a"}, "spec": {"nodeName": "w-0"}, "status": {"phase": "Running"}});
        let pending = json!({"metadata": {"name": "b"}, "spec": {}, "status": {"phase": "Pending"}});
        let sel = |t: &str| FieldSelector::parse(t, Resource::Pods).unwrap();
        assert!(sel("status.phase=Running").matches(&running));
        assert!(!sel("status.phase=Running").matches(&pending));
        assert!(sel("status.phase!=Running").matches(&pending));
        assert!(sel("spec.nodeName=").matches(&pending));
        assert!(sel("spec.nodeName==w-0,status.phase=Running").matches(&running));
        assert!(!sel("spec.nodeName=w-0,metadata.name=b").matches(&running));
        let err = FieldSelector::parse("spec.image=x", Resource::Pods).unwrap_err();
        assert!(err.to_string().contains("field label not supported: spec.image"), "{err}");
        assert!(FieldSelector::parse("status.phase", Resource::Pods).is_err());
    }

    #[test]
    fn sorts_numbers_by_value_and_missing_fields_first() {
        let by = SortBy::parse("{.status.restarts}").unwrap();
        let (a, b, none) = (json!({"status": {"restarts": 9}}), json!({"status": {"restarts": 10}}), json!({}));
        assert_eq!(by.compare(&a, &b), Ordering::Less);
        assert_eq!(by.compare(&none, &a), Ordering::Less);
        let by = SortBy::parse(".spec.containers[0].image").unwrap();
        let x = json!({"spec": {"containers": [{"image": "b"}]}});
        let y = json!({"spec": {"containers": [{"image": "a"}]}});
        assert_eq!(by.compare(&x, &y), Ordering::Greater);
        assert!(SortBy::parse("metadata..name").is_err());
        assert!(SortBy::parse("").is_err());
    }
}
