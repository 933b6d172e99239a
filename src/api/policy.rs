//! `policy/v1` PodDisruptionBudget: the modelled fields and the API server's validation
//! (`pkg/apis/policy/validation/validation.go` `ValidatePodDisruptionBudgetSpec`). The
//! disruption controller (`controllers/disruption/`) keeps its status; the eviction API
//! (`apiserver/eviction.rs`) honours it.

use super::apps::IntOrString;
use super::errors::{FieldError, FieldPath};
use super::meta::ObjectMeta;
use super::validation_apps::{invalid_value, validate_positive_int_or_percent};
use crate::labels::LabelSelector;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodDisruptionBudget {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: PodDisruptionBudgetSpec,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodDisruptionBudgetSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_available: Option<IntOrString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<IntOrString>,
    /// `None` selects no pod; an empty selector every pod of the namespace (policy/v1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unhealthy_pod_eviction_policy: Option<String>,
}

/// `supportedUnhealthyPodEvictionPolicies`, sorted.
pub const EVICTION_POLICIES: &[&str] = &["AlwaysAllow", "IfHealthyBudget"];

/// `ValidatePodDisruptionBudgetSpec`, in its order.
pub fn validate_pdb(pdb: &PodDisruptionBudget, errs: &mut Vec<FieldError>) {
    super::validation::validate_object_meta(&pdb.metadata, &FieldPath::root("metadata"), errs);
    let spec = &pdb.spec;
    let path = FieldPath::root("spec");
    if spec.min_available.is_some() && spec.max_unavailable.is_some() {
        // Upstream prints the spec with `%#v` (pointer addresses included), which no
        // simulation can reproduce; the type name stands for it.
        errs.push(FieldError::new(
            path.clone(),
            "Invalid value: policy.PodDisruptionBudgetSpec{...}: minAvailable and maxUnavailable cannot be both set",
        ));
    }
    for (name, value) in [("minAvailable", &spec.min_available), ("maxUnavailable", &spec.max_unavailable)] {
        let Some(v) = value else { continue };
        let p = path.child(name);
        validate_positive_int_or_percent(v, &p, errs);
        // `IsNotMoreThan100Percent`.
        if let IntOrString::String(s) = v
            && s.strip_suffix('%').and_then(|n| n.parse::<i64>().ok()).is_some_and(|n| n > 100)
        {
            errs.push(invalid_value(p, v, "must not be greater than 100%"));
        }
    }
    if let Some(selector) = &spec.selector {
        crate::api::validation_batch::job::validate_label_selector(selector, &path.child("selector"), errs);
    }
    if let Some(policy) = spec.unhealthy_pod_eviction_policy.as_deref()
        && !EVICTION_POLICIES.contains(&policy)
    {
        errs.push(FieldError::unsupported(path.child("unhealthyPodEvictionPolicy"), policy, EVICTION_POLICIES));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of(yaml: &str) -> Vec<String> {
        let pdb: PodDisruptionBudget = serde_saphyr::from_str(yaml).unwrap();
        let mut errs = Vec::new();
        validate_pdb(&pdb, &mut errs);
        errs.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn rejects_what_the_api_server_rejects() {
        assert!(
            errors_of("metadata: {name: web}\nspec: {minAvailable: 2, selector: {matchLabels: {app: web}}}").is_empty()
        );
        assert!(errors_of("metadata: {name: web}\nspec: {maxUnavailable: \"25%\", selector: {}}").is_empty());
        let cases = [
            (
                "spec: {minAvailable: 1, maxUnavailable: 1}",
                "spec: Invalid value: policy.PodDisruptionBudgetSpec{...}: minAvailable and maxUnavailable cannot be both set",
            ),
            ("spec: {minAvailable: -1}", "spec.minAvailable: Invalid value: -1: must be greater than or equal to 0"),
            (
                "spec: {maxUnavailable: \"120%\"}",
                "spec.maxUnavailable: Invalid value: \"120%\": must not be greater than 100%",
            ),
            (
                "spec: {minAvailable: \"half\"}",
                "spec.minAvailable: Invalid value: \"half\": a valid percent string must be",
            ),
            (
                "spec: {minAvailable: 1, unhealthyPodEvictionPolicy: Never}",
                "spec.unhealthyPodEvictionPolicy: Unsupported value: \"Never\": supported values: \"AlwaysAllow\", \"IfHealthyBudget\"",
            ),
            (
                "spec: {minAvailable: 1, selector: {matchLabels: {app: \"-x\"}}}",
                "spec.selector.matchLabels: Invalid value: \"-x\"",
            ),
        ];
        for (yaml, want) in cases {
            let errs = errors_of(yaml);
            assert!(errs.iter().any(|e| e.starts_with(want)), "{yaml}\nwant {want}\ngot {errs:#?}");
        }
    }
}
