//! Kubernetes labels: selectors, validation and formatting.
//!
//! * [`Selector::parse`]: the `kubectl -l` string syntax (`labels.Parse`).
//! * [`label_selector_as_selector`]: `metav1.LabelSelector` to [`Selector`].
//! * [`node_selector_requirements_as_selector`]: node-affinity expressions.
//! * [`Selector::matches`]: allocation-free matching on a label map.
//! * [`format_labels`], [`format_label_selector`]: the `kubectl` cell texts.
//! * [`is_qualified_name`], [`is_valid_label_value`]: validation messages.
//!
//! Error texts are Kubernetes' own (see `errors.rs` for the formatting).

mod errors;
mod label_selector;
mod node_selector;
mod parser;
mod selector;
mod validation;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use errors::SelectorError;
pub use label_selector::{
    LabelSelector, LabelSelectorOperator, LabelSelectorRequirement, format_label_selector, label_selector_as_selector,
};
pub use node_selector::{NodeSelectorOperator, NodeSelectorRequirement, node_selector_requirements_as_selector};
pub use selector::{Operator, Requirement, Selector};
pub use validation::{
    DNS1123_SUBDOMAIN_MAX_LENGTH, LABEL_VALUE_MAX_LENGTH, is_dns1123_subdomain, is_qualified_name, is_valid_label_value,
};

/// `labels.SelectorFromSet(set).Matches(labels)` without building the selector: every
/// `key=value` of the set is among the labels (an empty set matches everything).
pub fn set_matches(set: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    set.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// `labels.FormatLabels` (`labels.go`): `k=v` pairs joined by `,`, `<none>`
/// when empty. Go sorts the joined `k=v` strings, not the keys, so `a-b=1`
/// comes before `a=2` (`-` < `=`).
pub fn format_labels(labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return "<none>".to_string();
    }
    let mut pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.sort_unstable();
    pairs.join(",")
}
