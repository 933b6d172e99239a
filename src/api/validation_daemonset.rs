//! The API server's defaults and validation for `apps/v1` DaemonSets
//! (`pkg/apis/apps/v1/defaults.go` `SetDefaults_DaemonSet`;
//! `pkg/apis/apps/validation/validation.go` `ValidateDaemonSetSpec`,
//! `ValidateDaemonSetUpdateStrategy`, `ValidateRollingUpdateDaemonSet`), with
//! Kubernetes' field paths and wording.

use super::apps::IntOrString;
use super::daemonset::{DaemonSet, DaemonSetUpdateStrategy, RollingUpdateDaemonSet};
use super::errors::{FieldError, FieldPath};
use super::validation::{default_pod_spec, validate_object_meta, validate_pod_spec};
use super::validation_apps::{invalid_value, validate_object_meta_labels, validate_positive_int_or_percent};
use super::validation_batch::gofmt::{go_label_selector, go_string_map, invalid_raw, non_negative};
use super::validation_batch::job::validate_label_selector;
use crate::labels::label_selector_as_selector;

/// apps/v1 defaults of a DaemonSet.
pub const DEFAULT_REVISION_HISTORY_LIMIT: i32 = 10;

/// `SetDefaults_DaemonSet`: RollingUpdate with maxUnavailable 1 and maxSurge 0, a
/// history of 10; then the pod template's defaults.
pub fn default_daemonset(ds: &mut DaemonSet) {
    let spec = &mut ds.spec;
    let strategy = spec.update_strategy.get_or_insert_with(DaemonSetUpdateStrategy::default);
    let kind = strategy.type_.get_or_insert_with(|| "RollingUpdate".into());
    if kind == "RollingUpdate" {
        let rolling = strategy.rolling_update.get_or_insert_with(RollingUpdateDaemonSet::default);
        rolling.max_unavailable.get_or_insert(IntOrString::Int(1));
        rolling.max_surge.get_or_insert(IntOrString::Int(0));
    }
    spec.revision_history_limit.get_or_insert(DEFAULT_REVISION_HISTORY_LIMIT);
    default_pod_spec(&mut spec.template.spec);
}

/// `ValidateDaemonSet` of a defaulted DaemonSet.
pub fn validate_daemonset(ds: &DaemonSet, errs: &mut Vec<FieldError>) {
    validate_object_meta(&ds.metadata, &FieldPath::root("metadata"), errs);
    let path = FieldPath::root("spec");
    let spec = &ds.spec;
    let sel_path = path.child("selector");
    if let Some(s) = &spec.selector {
        validate_label_selector(s, &sel_path, errs);
    }
    let tpl = path.child("template");
    // A missing selector selects nothing, so the template's labels do not match it.
    if let Ok(s) = label_selector_as_selector(spec.selector.as_ref())
        && !s.matches(&spec.template.metadata.labels)
    {
        errs.push(invalid_raw(
            tpl.child("metadata").child("labels"),
            &go_string_map(&spec.template.metadata.labels),
            "`selector` does not match template `labels`",
        ));
    }
    if let Some(s) = &spec.selector
        && s.match_labels.is_empty()
        && s.match_expressions.is_empty()
    {
        errs.push(invalid_raw(sel_path, &go_label_selector(s), "empty selector is invalid for daemonset"));
    }
    validate_object_meta_labels(&spec.template, &tpl, errs);
    validate_pod_spec(&spec.template.spec, &tpl.child("spec"), errs);
    let restart = spec.template.spec.restart_policy.as_deref().unwrap_or("Always");
    if restart != "Always" {
        errs.push(FieldError::unsupported(tpl.child("spec").child("restartPolicy"), restart, &["Always"]));
    }
    if spec.template.spec.active_deadline_seconds.is_some() {
        let p = tpl.child("spec").child("activeDeadlineSeconds");
        errs.push(FieldError::forbidden(p, "activeDeadlineSeconds in DaemonSet is not Supported"));
    }
    non_negative(spec.min_ready_seconds.map(i64::from), path.child("minReadySeconds"), errs);
    if let Some(strategy) = &spec.update_strategy {
        validate_strategy(strategy, &path.child("updateStrategy"), errs);
    }
    non_negative(spec.revision_history_limit.map(i64::from), path.child("revisionHistoryLimit"), errs);
}

/// `ValidateDaemonSetUpdateStrategy`.
fn validate_strategy(strategy: &DaemonSetUpdateStrategy, path: &FieldPath, errs: &mut Vec<FieldError>) {
    match strategy.type_.as_deref().unwrap_or("RollingUpdate") {
        "OnDelete" => {}
        "RollingUpdate" => match &strategy.rolling_update {
            None => errs.push(FieldError::required(path.child("rollingUpdate"))),
            Some(r) => validate_rolling_update(r, &path.child("rollingUpdate"), errs),
        },
        other => {
            // `field.NotSupported` of the whole strategy, printed as Go's `%#v`.
            let rolling = match strategy.rolling_update {
                None => "(*apps.RollingUpdateDaemonSet)(nil)",
                Some(_) => "(*apps.RollingUpdateDaemonSet)(0xc000000000)",
            };
            errs.push(FieldError::new(
                path.clone(),
                format!(
                    "Unsupported value: apps.DaemonSetUpdateStrategy{{Type:{other:?}, RollingUpdate:{rolling}}}: supported values: \"RollingUpdate\", \"OnDelete\""
                ),
            ));
        }
    }
}

/// `ValidateRollingUpdateDaemonSet`: both int-or-percent, at most 100%, exactly one
/// of the two non-zero.
fn validate_rolling_update(r: &RollingUpdateDaemonSet, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let zero = IntOrString::Int(0);
    let unavailable = r.max_unavailable.as_ref().unwrap_or(&zero);
    let surge = r.max_surge.as_ref().unwrap_or(&zero);
    let (u_path, s_path) = (path.child("maxUnavailable"), path.child("maxSurge"));
    validate_positive_int_or_percent(unavailable, &u_path, errs);
    validate_positive_int_or_percent(surge, &s_path, errs);
    for (v, p) in [(unavailable, &u_path), (surge, &s_path)] {
        if matches!(v, IntOrString::String(_)) && v.value().is_some_and(|n| n > 100) {
            errs.push(invalid_value(p.clone(), v, "must not be greater than 100%"));
        }
    }
    let has_unavailable = unavailable.value().unwrap_or(0) != 0;
    let has_surge = surge.value().unwrap_or(0) != 0;
    match (has_unavailable, has_surge) {
        (true, true) => errs.push(invalid_value(s_path, surge, "may not be set when maxUnavailable is non-zero")),
        (false, false) => errs.push(FieldError::required_because(u_path, "cannot be 0 when maxSurge is 0")),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::object::{Object, parse_file};

    fn errors(yaml: &str) -> Vec<String> {
        let mut ignored = Default::default();
        let mut manifests = parse_file("ds.yaml", yaml, &mut ignored).unwrap();
        let Object::DaemonSet(ds) = &mut manifests[0].object else { unreachable!() };
        default_daemonset(ds);
        let mut errs = Vec::new();
        validate_daemonset(ds, &mut errs);
        errs.iter().map(ToString::to_string).collect()
    }

    const GOOD: &str = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec: {containers: [{name: c, image: agent}]}\n";

    #[test]
    fn a_valid_daemonset_is_defaulted_as_apps_v1_defaults_it() {
        assert_eq!(errors(GOOD), Vec::<String>::new());
        let mut ignored = Default::default();
        let mut m = parse_file("ds.yaml", GOOD, &mut ignored).unwrap();
        let Object::DaemonSet(ds) = &mut m[0].object else { unreachable!() };
        default_daemonset(ds);
        let s = ds.spec.update_strategy.as_ref().unwrap();
        assert_eq!(s.type_.as_deref(), Some("RollingUpdate"));
        let r = s.rolling_update.as_ref().unwrap();
        assert_eq!(
            (r.max_unavailable.clone(), r.max_surge.clone()),
            (Some(IntOrString::Int(1)), Some(IntOrString::Int(0)))
        );
        assert_eq!(ds.spec.revision_history_limit, Some(10));
        let on_delete = GOOD.replace("  selector:", "  updateStrategy: {type: OnDelete}\n  selector:");
        assert_eq!(errors(&on_delete), Vec::<String>::new());
    }

    #[test]
    fn invalid_daemonsets_are_refused_with_the_api_servers_words() {
        let bad_labels = GOOD.replace("labels: {app: agent}", "labels: {app: web}");
        assert_eq!(
            errors(&bad_labels),
            [
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`"
            ]
        );
        let both_zero =
            GOOD.replace("  selector:", "  updateStrategy: {rollingUpdate: {maxUnavailable: 0}}\n  selector:");
        assert_eq!(
            errors(&both_zero),
            ["spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"]
        );
        // maxUnavailable defaults to 1, so a surge alone is refused: it must say 0.
        let surge = GOOD.replace("  selector:", "  updateStrategy: {rollingUpdate: {maxSurge: 1}}\n  selector:");
        assert_eq!(
            errors(&surge),
            [
                "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"
            ]
        );
        let surge_ok = GOOD.replace(
            "  selector:",
            "  updateStrategy: {rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}}\n  selector:",
        );
        assert_eq!(errors(&surge_ok), Vec::<String>::new());
        let over =
            GOOD.replace("  selector:", "  updateStrategy: {rollingUpdate: {maxUnavailable: 150%}}\n  selector:");
        assert_eq!(
            errors(&over),
            [
                "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: \"150%\": must not be greater than 100%"
            ]
        );
        let never = GOOD.replace("spec: {containers", "spec: {restartPolicy: OnFailure, containers");
        assert_eq!(
            errors(&never),
            ["spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\""]
        );
        let deadline = GOOD.replace("spec: {containers", "spec: {activeDeadlineSeconds: 5, containers");
        assert_eq!(
            errors(&deadline),
            [
                "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported"
            ]
        );
        let empty = GOOD.replace("selector: {matchLabels: {app: agent}}", "selector: {}");
        assert!(errors(&empty)[0].contains("empty selector is invalid for daemonset"), "{:?}", errors(&empty));
        let kind = GOOD.replace("  selector:", "  updateStrategy: {type: Surge}\n  selector:");
        assert_eq!(
            errors(&kind),
            [
                "spec.updateStrategy: Unsupported value: apps.DaemonSetUpdateStrategy{Type:\"Surge\", RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: \"RollingUpdate\", \"OnDelete\""
            ]
        );
        let negative = GOOD.replace("  selector:", "  minReadySeconds: -1\n  selector:");
        assert_eq!(errors(&negative), ["spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0"]);
    }
}
