//! Node-affinity `matchExpressions` (`v1.NodeSelectorRequirement`) as a
//! label [`Selector`].
//!
//! Upstream: `component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go`
//! (`nodeSelectorRequirementsAsSelector`; same mapping as
//! `pkg/apis/core/v1/helper.NodeSelectorRequirementsAsSelector`). `Gt`/`Lt`
//! compare the node's label value and the single operand as 64-bit
//! integers; a non-integer label value does not match.
//!
//! Term-level logic (ORed terms, empty terms matching nothing,
//! `matchFields` on `metadata.name`) is left to the caller.

use serde::{Deserialize, Serialize};

use super::errors::{FieldPath, SelectorError, aggregate, not_supported};
use super::label_selector::null_as_default;
use super::selector::{Operator, Requirement, Selector};

/// `v1.NodeSelectorRequirement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeSelectorRequirement {
    pub key: String,
    pub operator: NodeSelectorOperator,
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// `v1.NodeSelectorOperator`; unknown strings are kept for the error text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum NodeSelectorOperator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Gt,
    Lt,
    Unknown(String),
}

/// `validSelectorOperators`, in Go's order (used in the error text).
const VALID_OPERATORS: [&str; 6] = ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"];

impl From<String> for NodeSelectorOperator {
    fn from(s: String) -> Self {
        match s.as_str() {
            "In" => NodeSelectorOperator::In,
            "NotIn" => NodeSelectorOperator::NotIn,
            "Exists" => NodeSelectorOperator::Exists,
            "DoesNotExist" => NodeSelectorOperator::DoesNotExist,
            "Gt" => NodeSelectorOperator::Gt,
            "Lt" => NodeSelectorOperator::Lt,
            _ => NodeSelectorOperator::Unknown(s),
        }
    }
}

impl From<NodeSelectorOperator> for String {
    fn from(op: NodeSelectorOperator) -> String {
        let known = match op {
            NodeSelectorOperator::In => "In",
            NodeSelectorOperator::NotIn => "NotIn",
            NodeSelectorOperator::Exists => "Exists",
            NodeSelectorOperator::DoesNotExist => "DoesNotExist",
            NodeSelectorOperator::Gt => "Gt",
            NodeSelectorOperator::Lt => "Lt",
            NodeSelectorOperator::Unknown(s) => return s,
        };
        known.to_string()
    }
}

impl NodeSelectorOperator {
    /// The label-selector operator, or the unknown string.
    fn selection(&self) -> Result<Operator, String> {
        match self {
            NodeSelectorOperator::In => Ok(Operator::In),
            NodeSelectorOperator::NotIn => Ok(Operator::NotIn),
            NodeSelectorOperator::Exists => Ok(Operator::Exists),
            NodeSelectorOperator::DoesNotExist => Ok(Operator::DoesNotExist),
            NodeSelectorOperator::Gt => Ok(Operator::GreaterThan),
            NodeSelectorOperator::Lt => Ok(Operator::LessThan),
            NodeSelectorOperator::Unknown(s) => Err(s.clone()),
        }
    }
}

/// `nodeSelectorRequirementsAsSelector(nsm, path)`: an empty list selects
/// nothing; every invalid requirement is reported (flattened aggregate).
///
/// `path` is the rendered field path of the list, e.g.
/// `"nodeSelectorTerms[0].matchExpressions"`; `""` is Go's nil path.
pub fn node_selector_requirements_as_selector(
    requirements: &[NodeSelectorRequirement],
    path: &str,
) -> Result<Selector, SelectorError> {
    if requirements.is_empty() {
        return Ok(Selector::nothing());
    }
    let path = FieldPath::from_rendered(path);
    let mut errs = Vec::new();
    let mut built = Vec::with_capacity(requirements.len());
    for (i, expr) in requirements.iter().enumerate() {
        let p = path.index(i);
        match expr.operator.selection() {
            Err(unknown) => errs.push(not_supported(&p.child("operator"), &unknown, &VALID_OPERATORS)),
            Ok(op) => match Requirement::build(&p, &expr.key, op, expr.values.clone()) {
                Ok(r) => built.push(r),
                Err(e) => errs.extend(e),
            },
        }
    }
    match aggregate(errs) {
        Some(message) => Err(SelectorError::new(message)),
        None => Ok(Selector::from_requirements(built)),
    }
}
