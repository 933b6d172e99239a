//! The API server's defaults and validation for `apps/v1` ReplicaSets and Deployments
//! (`pkg/apis/apps/v1/defaults.go` `SetDefaults_Deployment`, `SetDefaults_ReplicaSet`;
//! `pkg/apis/apps/validation/validation.go` `ValidateDeploymentSpec`,
//! `ValidateReplicaSetSpec`, `ValidatePodTemplateSpecForReplicaSet`,
//! `ValidateRollingUpdateDeployment`), with Kubernetes' field paths and wording.

use super::apps::{Deployment, DeploymentSpec, DeploymentStrategy, IntOrString, ReplicaSet, RollingUpdateDeployment};
use super::errors::{FieldError, FieldPath};
use super::pod::PodTemplateSpec;
use super::validation::{default_pod_spec, validate_object_meta, validate_pod_spec};
use super::validation_batch::gofmt::{go_label_selector, go_string_map, invalid_raw, non_negative};
use super::validation_batch::job::validate_label_selector;
use crate::labels::{LabelSelector, label_selector_as_selector};

/// apps/v1 defaults of a Deployment.
pub const DEFAULT_REVISION_HISTORY_LIMIT: i32 = 10;
pub const DEFAULT_PROGRESS_DEADLINE_SECONDS: i32 = 600;
pub const DEFAULT_MAX_SURGE: &str = "25%";
pub const DEFAULT_MAX_UNAVAILABLE: &str = "25%";

/// `SetDefaults_Deployment`: one replica, RollingUpdate 25%/25%, a history of 10, a
/// 600 s progress deadline; then the pod template's defaults.
pub fn default_deployment(d: &mut Deployment) {
    let spec = &mut d.spec;
    spec.replicas.get_or_insert(1);
    let strategy = spec.strategy.get_or_insert_with(DeploymentStrategy::default);
    let kind = strategy.type_.get_or_insert_with(|| "RollingUpdate".into());
    if kind == "RollingUpdate" {
        let rolling = strategy.rolling_update.get_or_insert_with(RollingUpdateDeployment::default);
        rolling.max_unavailable.get_or_insert_with(|| IntOrString::String(DEFAULT_MAX_UNAVAILABLE.into()));
        rolling.max_surge.get_or_insert_with(|| IntOrString::String(DEFAULT_MAX_SURGE.into()));
    }
    spec.revision_history_limit.get_or_insert(DEFAULT_REVISION_HISTORY_LIMIT);
    spec.progress_deadline_seconds.get_or_insert(DEFAULT_PROGRESS_DEADLINE_SECONDS);
    default_pod_spec(&mut spec.template.spec);
}

/// `SetDefaults_ReplicaSet`: one replica; then the pod template's defaults.
pub fn default_replicaset(rs: &mut ReplicaSet) {
    rs.spec.replicas.get_or_insert(1);
    default_pod_spec(&mut rs.spec.template.spec);
}

/// `ValidateDeployment` of a defaulted Deployment.
pub fn validate_deployment(d: &Deployment, errs: &mut Vec<FieldError>) {
    validate_object_meta(&d.metadata, &FieldPath::root("metadata"), errs);
    validate_deployment_spec(&d.spec, &FieldPath::root("spec"), errs);
}

/// `ValidateReplicaSet` of a defaulted ReplicaSet.
pub fn validate_replicaset(rs: &ReplicaSet, errs: &mut Vec<FieldError>) {
    validate_object_meta(&rs.metadata, &FieldPath::root("metadata"), errs);
    let spec = FieldPath::root("spec");
    non_negative(rs.spec.replicas.map(i64::from), spec.child("replicas"), errs);
    non_negative(rs.spec.min_ready_seconds.map(i64::from), spec.child("minReadySeconds"), errs);
    validate_selector_and_template(rs.spec.selector.as_ref(), &rs.spec.template, "replicaset", &spec, errs);
}

fn validate_deployment_spec(spec: &DeploymentSpec, path: &FieldPath, errs: &mut Vec<FieldError>) {
    non_negative(spec.replicas.map(i64::from), path.child("replicas"), errs);
    validate_selector_and_template(spec.selector.as_ref(), &spec.template, "deployment", path, errs);
    if let Some(strategy) = &spec.strategy {
        validate_strategy(strategy, &path.child("strategy"), errs);
    }
    let min_ready = spec.min_ready_seconds.unwrap_or(0);
    non_negative(Some(i64::from(min_ready)), path.child("minReadySeconds"), errs);
    non_negative(spec.revision_history_limit.map(i64::from), path.child("revisionHistoryLimit"), errs);
    if let Some(deadline) = spec.progress_deadline_seconds {
        let p = path.child("progressDeadlineSeconds");
        non_negative(Some(i64::from(deadline)), p.clone(), errs);
        if deadline <= min_ready {
            errs.push(FieldError::invalid_number(p, i64::from(deadline), "must be greater than minReadySeconds"));
        }
    }
}

/// The selector (required, well-formed, not empty) and the template
/// (`ValidatePodTemplateSpecForReplicaSet`: its labels selected, `restartPolicy:
/// Always`, no `activeDeadlineSeconds`, a valid pod spec).
fn validate_selector_and_template(
    selector: Option<&LabelSelector>,
    template: &PodTemplateSpec,
    kind: &str,
    spec: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    let sel_path = spec.child("selector");
    match selector {
        None => errs.push(FieldError::required(sel_path.clone())),
        Some(s) => {
            validate_label_selector(s, &sel_path, errs);
            if s.match_labels.is_empty() && s.match_expressions.is_empty() {
                let why = format!("empty selector is invalid for {kind}");
                errs.push(invalid_raw(sel_path.clone(), &go_label_selector(s), &why));
            }
        }
    }
    let tpl = spec.child("template");
    match label_selector_as_selector(selector) {
        Err(_) if selector.is_some() => {
            let rendered = selector.map(go_label_selector).unwrap_or_default();
            errs.push(invalid_raw(sel_path, &rendered, "invalid label selector"));
        }
        Ok(s) if selector.is_some() && !s.is_empty() && !s.matches(&template.metadata.labels) => {
            errs.push(invalid_raw(
                tpl.child("metadata").child("labels"),
                &go_string_map(&template.metadata.labels),
                "`selector` does not match template `labels`",
            ));
        }
        _ => {}
    }
    let restart = template.spec.restart_policy.as_deref().unwrap_or("Always");
    if restart != "Always" {
        errs.push(FieldError::unsupported(tpl.child("spec").child("restartPolicy"), restart, &["Always"]));
    }
    if let Some(d) = template.spec.active_deadline_seconds {
        let p = tpl.child("spec").child("activeDeadlineSeconds");
        errs.push(FieldError::invalid_number(p, d, "must not be specified"));
    }
    validate_object_meta_labels(template, &tpl, errs);
    validate_pod_spec(&template.spec, &tpl.child("spec"), errs);
}

pub(crate) fn validate_object_meta_labels(template: &PodTemplateSpec, tpl: &FieldPath, errs: &mut Vec<FieldError>) {
    let mut meta = template.metadata.clone();
    // A template has no name of its own; only its labels and annotations are checked.
    meta.name = "template".into();
    validate_object_meta(&meta, &tpl.child("metadata"), errs);
}

/// `ValidateDeploymentStrategy` and `ValidateRollingUpdateDeployment`.
fn validate_strategy(strategy: &DeploymentStrategy, path: &FieldPath, errs: &mut Vec<FieldError>) {
    match strategy.type_.as_deref().unwrap_or("RollingUpdate") {
        "Recreate" => {
            if strategy.rolling_update.is_some() {
                errs.push(FieldError::forbidden(
                    path.child("rollingUpdate"),
                    "may not be specified when strategy `type` is 'Recreate'",
                ));
            }
        }
        "RollingUpdate" => match &strategy.rolling_update {
            None => errs.push(FieldError::required_because(
                path.child("rollingUpdate"),
                "this should be defaulted and never be nil",
            )),
            Some(r) => validate_rolling_update(r, &path.child("rollingUpdate"), errs),
        },
        other => errs.push(FieldError::unsupported(path.child("type"), other, &["Recreate", "RollingUpdate"])),
    }
}

fn validate_rolling_update(r: &RollingUpdateDeployment, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let zero = IntOrString::Int(0);
    let unavailable = r.max_unavailable.as_ref().unwrap_or(&zero);
    let surge = r.max_surge.as_ref().unwrap_or(&zero);
    validate_positive_int_or_percent(unavailable, &path.child("maxUnavailable"), errs);
    validate_positive_int_or_percent(surge, &path.child("maxSurge"), errs);
    if unavailable.value() == Some(0) && surge.value() == Some(0) {
        errs.push(invalid_value(path.child("maxUnavailable"), unavailable, "may not be 0 when `maxSurge` is 0"));
    }
    if let IntOrString::String(s) = unavailable
        && s.strip_suffix('%').and_then(|n| n.parse::<i64>().ok()).is_some_and(|n| n > 100)
    {
        errs.push(invalid_value(path.child("maxUnavailable"), unavailable, "must not be greater than 100%"));
    }
}

/// `ValidatePositiveIntOrPercent`: a non-negative int, or a percent string.
pub(crate) fn validate_positive_int_or_percent(v: &IntOrString, path: &FieldPath, errs: &mut Vec<FieldError>) {
    match v {
        IntOrString::Int(i) => non_negative(Some(i64::from(*i)), path.clone(), errs),
        IntOrString::String(s) => {
            let valid = s.strip_suffix('%').is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            if !valid {
                // `IsValidPercent` (apimachinery `util/validation`).
                errs.push(invalid_value(
                    path.clone(),
                    v,
                    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
                ));
            }
        }
    }
}

/// `field.Invalid` of an IntOrString, rendered as Go's `%v` of it.
pub(crate) fn invalid_value(path: FieldPath, v: &IntOrString, why: &str) -> FieldError {
    match v {
        IntOrString::Int(i) => FieldError::invalid_number(path, i64::from(*i), why),
        IntOrString::String(s) => FieldError::invalid(path, s, why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::object::{Object, parse_file};

    fn errors(yaml: &str) -> Vec<String> {
        let mut ignored = Default::default();
        let mut manifests = parse_file("d.yaml", yaml, &mut ignored).unwrap();
        let mut errs = Vec::new();
        match &mut manifests[0].object {
            Object::Deployment(d) => {
                default_deployment(d);
                validate_deployment(d, &mut errs);
            }
            Object::ReplicaSet(rs) => {
                default_replicaset(rs);
                validate_replicaset(rs, &mut errs);
            }
            _ => unreachable!(),
        }
        errs.iter().map(ToString::to_string).collect()
    }

    const GOOD: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: nginx}]}\n";

    #[test]
    fn a_valid_deployment_is_defaulted_as_apps_v1_defaults_it() {
        assert_eq!(errors(GOOD), Vec::<String>::new());
        let mut ignored = Default::default();
        let mut m = parse_file("d.yaml", GOOD, &mut ignored).unwrap();
        let Object::Deployment(d) = &mut m[0].object else { unreachable!() };
        default_deployment(d);
        let r = d.spec.strategy.as_ref().unwrap().rolling_update.as_ref().unwrap();
        assert_eq!(r.max_surge, Some(IntOrString::String("25%".into())));
        assert_eq!(d.spec.replicas, Some(1));
        assert_eq!(d.spec.progress_deadline_seconds, Some(600));
        assert_eq!(d.spec.revision_history_limit, Some(10));
    }

    #[test]
    fn invalid_deployments_are_refused_with_the_api_servers_words() {
        let bad_labels = GOOD.replace("labels: {app: web}", "labels: {app: api}");
        assert_eq!(
            errors(&bad_labels),
            [
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"api\"}: `selector` does not match template `labels`"
            ]
        );
        let both_zero =
            GOOD.replace("  selector:", "  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}\n  selector:");
        assert_eq!(
            errors(&both_zero),
            ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"]
        );
        let over = GOOD.replace("  selector:", "  strategy: {rollingUpdate: {maxUnavailable: 150%}}\n  selector:");
        assert_eq!(
            errors(&over),
            ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"150%\": must not be greater than 100%"]
        );
        let never = GOOD.replace("spec: {containers", "spec: {restartPolicy: Never, containers");
        assert_eq!(
            errors(&never),
            ["spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""]
        );
        let deadline = GOOD.replace("  selector:", "  minReadySeconds: 30\n  progressDeadlineSeconds: 30\n  selector:");
        assert_eq!(
            errors(&deadline),
            ["spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds"]
        );
        let negative = GOOD.replace("  selector:", "  replicas: -1\n  selector:");
        assert_eq!(errors(&negative), ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]);
        let empty = GOOD.replace("selector: {matchLabels: {app: web}}", "selector: {}");
        assert!(errors(&empty)[0].contains("empty selector is invalid for deployment"), "{:?}", errors(&empty));
        let recreate =
            GOOD.replace("  selector:", "  strategy: {type: Recreate, rollingUpdate: {maxSurge: 1}}\n  selector:");
        assert_eq!(
            errors(&recreate),
            ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]
        );
    }
}
