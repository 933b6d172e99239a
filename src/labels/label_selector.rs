//! `metav1.LabelSelector` (the API form used by Deployments, Jobs, PDBs,
//! affinity terms, …) and its conversion to a [`Selector`].
//!
//! Upstream: `apimachinery/pkg/apis/meta/v1/types.go` (types) and
//! `helpers.go` (`LabelSelectorAsSelector`, `FormatLabelSelector`).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::errors::{SelectorError, go_quote};
use super::selector::{Operator, Requirement, Selector};

/// `metav1.LabelSelector`. JSON field names as in the Kubernetes API;
/// `null` and absent fields read as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

/// `metav1.LabelSelectorRequirement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelSelectorRequirement {
    pub key: String,
    pub operator: LabelSelectorOperator,
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// `metav1.LabelSelectorOperator`. Unknown strings are kept so that the
/// conversion can report them the way Kubernetes does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum LabelSelectorOperator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Unknown(String),
}

impl From<String> for LabelSelectorOperator {
    fn from(s: String) -> Self {
        match s.as_str() {
            "In" => LabelSelectorOperator::In,
            "NotIn" => LabelSelectorOperator::NotIn,
            "Exists" => LabelSelectorOperator::Exists,
            "DoesNotExist" => LabelSelectorOperator::DoesNotExist,
            _ => LabelSelectorOperator::Unknown(s),
        }
    }
}

impl From<LabelSelectorOperator> for String {
    fn from(op: LabelSelectorOperator) -> String {
        match op {
            LabelSelectorOperator::In => "In".to_string(),
            LabelSelectorOperator::NotIn => "NotIn".to_string(),
            LabelSelectorOperator::Exists => "Exists".to_string(),
            LabelSelectorOperator::DoesNotExist => "DoesNotExist".to_string(),
            LabelSelectorOperator::Unknown(s) => s,
        }
    }
}

/// Go decodes JSON `null` into an empty map or slice; serde's `default`
/// only covers absent fields.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// `metav1.LabelSelectorAsSelector`: `None` (a nil selector) selects
/// nothing, an empty selector everything. `In`/`NotIn` need values,
/// `Exists`/`DoesNotExist` must have none, keys and values must be valid.
pub fn label_selector_as_selector(selector: Option<&LabelSelector>) -> Result<Selector, SelectorError> {
    let Some(ps) = selector else {
        return Ok(Selector::nothing());
    };
    if ps.match_labels.is_empty() && ps.match_expressions.is_empty() {
        return Ok(Selector::everything());
    }
    let mut requirements = Vec::with_capacity(ps.match_labels.len() + ps.match_expressions.len());
    // Go ranges over a map here, so which invalid label is reported first
    // is random upstream; key order makes it deterministic.
    for (key, value) in &ps.match_labels {
        requirements.push(Requirement::new(key, Operator::Equals, vec![value.clone()])?);
    }
    for expr in &ps.match_expressions {
        let operator = expression_operator(&expr.operator)?;
        requirements.push(Requirement::new(&expr.key, operator, expr.values.clone())?);
    }
    Ok(Selector::from_requirements(requirements))
}

fn expression_operator(op: &LabelSelectorOperator) -> Result<Operator, SelectorError> {
    match op {
        LabelSelectorOperator::In => Ok(Operator::In),
        LabelSelectorOperator::NotIn => Ok(Operator::NotIn),
        LabelSelectorOperator::Exists => Ok(Operator::Exists),
        LabelSelectorOperator::DoesNotExist => Ok(Operator::DoesNotExist),
        LabelSelectorOperator::Unknown(s) => {
            Err(SelectorError::new(format!("{} is not a valid pod selector operator", go_quote(s))))
        }
    }
}

/// `metav1.FormatLabelSelector`: the selector string, `<none>` when it is
/// empty (nil, empty, or matching nothing), `<error>` when it is invalid.
pub fn format_label_selector(selector: Option<&LabelSelector>) -> String {
    match label_selector_as_selector(selector) {
        Err(_) => "<error>".to_string(),
        Ok(s) => {
            let text = s.to_string();
            if text.is_empty() { "<none>".to_string() } else { text }
        }
    }
}
