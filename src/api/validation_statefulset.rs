//! The API server's defaults and validation for `apps/v1` StatefulSets
//! (`pkg/apis/apps/v1/defaults.go` `SetDefaults_StatefulSet`;
//! `pkg/registry/apps/statefulset/strategy.go` `dropStatefulSetDisabledFields`;
//! `pkg/apis/apps/validation/validation.go` `ValidateStatefulSet`,
//! `ValidateStatefulSetSpec`, `validateRollingUpdateStatefulSet`,
//! `ValidatePersistentVolumeClaimRetentionPolicy`), with Kubernetes' field paths and
//! wording, as Kubernetes 1.34 validates a new StatefulSet: `serviceName` is optional
//! but, when set, a DNS-1123 label (kubernetes/kubernetes#130233, 1.33), and the pod
//! template is validated as a pod's (kubernetes/kubernetes#131790, 1.34).

use super::apps::IntOrString;
use super::errors::{FieldError, FieldPath};
use super::statefulset::{RetentionPolicy, RollingUpdateStatefulSetStrategy, StatefulSet, StatefulSetUpdateStrategy};
use super::validation::{
    DNS1123_LABEL_MSG, default_pod_spec, is_dns1123_label, validate_object_meta, validate_pod_spec,
};
use super::validation_apps::{invalid_value, validate_object_meta_labels, validate_positive_int_or_percent};
use super::validation_batch::gofmt::{go_label_selector, go_string_map, invalid_raw, non_negative};
use super::validation_batch::job::validate_label_selector;
use crate::labels::label_selector_as_selector;

pub const DEFAULT_REVISION_HISTORY_LIMIT: i32 = 10;
pub const ORDERED_READY: &str = "OrderedReady";
pub const PARALLEL: &str = "Parallel";
pub const RETAIN: &str = "Retain";
pub const DELETE: &str = "Delete";

/// `SetDefaults_StatefulSet`: OrderedReady; RollingUpdate with partition 0 when no
/// strategy is given (a `RollingUpdate` written without `rollingUpdate` stays without
/// it, as upstream leaves it); with the `MaxUnavailableStatefulSet` gate, maxUnavailable
/// 1; claims retained on deletion and scale-down; one replica; a history of 10; then the
/// pod template's defaults.
pub fn default_statefulset(sts: &mut StatefulSet, max_unavailable_gate: bool) {
    let spec = &mut sts.spec;
    spec.pod_management_policy.get_or_insert_with(|| ORDERED_READY.into());
    let strategy = spec.update_strategy.get_or_insert_with(StatefulSetUpdateStrategy::default);
    if strategy.type_.as_deref().unwrap_or("").is_empty() {
        strategy.type_ = Some("RollingUpdate".into());
        strategy.rolling_update.get_or_insert_with(RollingUpdateStatefulSetStrategy::default);
    }
    if strategy.type_.as_deref() == Some("RollingUpdate")
        && let Some(rolling) = strategy.rolling_update.as_mut()
    {
        rolling.partition.get_or_insert(0);
        if max_unavailable_gate {
            rolling.max_unavailable.get_or_insert(IntOrString::Int(1));
        }
    }
    let policy = spec.persistent_volume_claim_retention_policy.get_or_insert_with(RetentionPolicy::default);
    policy.when_deleted.get_or_insert_with(|| RETAIN.into());
    policy.when_scaled.get_or_insert_with(|| RETAIN.into());
    spec.replicas.get_or_insert(1);
    spec.revision_history_limit.get_or_insert(DEFAULT_REVISION_HISTORY_LIMIT);
    default_pod_spec(&mut spec.template.spec);
}

/// `dropStatefulSetDisabledFields` on create: without the `MaxUnavailableStatefulSet`
/// gate (alpha, off by default, in Kubernetes 1.31 to 1.34) `maxUnavailable` is
/// dropped. True when it dropped one.
pub fn drop_disabled_fields(sts: &mut StatefulSet, max_unavailable_gate: bool) -> bool {
    if max_unavailable_gate {
        return false;
    }
    let rolling = sts.spec.update_strategy.as_mut().and_then(|s| s.rolling_update.as_mut());
    rolling.and_then(|r| r.max_unavailable.take()).is_some()
}

/// `ValidateStatefulSet` of a defaulted StatefulSet.
pub fn validate_statefulset(sts: &StatefulSet, errs: &mut Vec<FieldError>) {
    validate_meta(sts, errs);
    let path = FieldPath::root("spec");
    let spec = &sts.spec;
    match spec.pod_management_policy.as_deref().unwrap_or("") {
        "" => errs.push(FieldError::required(path.child("podManagementPolicy"))),
        ORDERED_READY | PARALLEL => {}
        other => errs.push(FieldError::invalid(
            path.child("podManagementPolicy"),
            other,
            "must be 'OrderedReady' or 'Parallel'",
        )),
    }
    validate_strategy(spec.update_strategy.as_ref(), &path.child("updateStrategy"), errs);
    if let Some(policy) = &spec.persistent_volume_claim_retention_policy {
        let p = path.child("persistentVolumeClaimRetentionPolicy");
        for (value, field) in [(&policy.when_deleted, "whenDeleted"), (&policy.when_scaled, "whenScaled")] {
            let v = value.as_deref().unwrap_or("");
            if v != RETAIN && v != DELETE {
                errs.push(FieldError::unsupported(p.child(field), v, &[RETAIN, DELETE]));
            }
        }
    }
    validate_claim_templates(sts, &path.child("volumeClaimTemplates"), errs);
    non_negative(spec.replicas.map(i64::from), path.child("replicas"), errs);
    non_negative(spec.min_ready_seconds.map(i64::from), path.child("minReadySeconds"), errs);
    if let Some(o) = &spec.ordinals {
        // Upstream names the field `ordinals.start` in one step: the same path.
        non_negative(Some(i64::from(o.start.unwrap_or(0))), path.child("ordinals").child("start"), errs);
    }
    if let Some(name) = spec.service_name.as_deref().filter(|n| !n.is_empty())
        && !is_dns1123_label(name)
    {
        errs.push(FieldError::invalid(path.child("serviceName"), name, DNS1123_LABEL_MSG));
    }
    validate_selector_and_template(sts, &path, errs);
    non_negative(spec.revision_history_limit.map(i64::from), path.child("revisionHistoryLimit"), errs);
}

/// `ValidateObjectMeta` with `ValidateStatefulSetName`: the name is a DNS-1123 label
/// (it becomes each pod's hostname; kubernetes/kubernetes#114172).
fn validate_meta(sts: &StatefulSet, errs: &mut Vec<FieldError>) {
    let meta_path = FieldPath::root("metadata");
    let name = &sts.metadata.name;
    if !name.is_empty() && !is_dns1123_label(name) {
        errs.push(FieldError::invalid(meta_path.child("name"), name, DNS1123_LABEL_MSG));
        let mut rest = sts.metadata.clone();
        rest.name = "statefulset".into();
        validate_object_meta(&rest, &meta_path, errs);
    } else {
        validate_object_meta(&sts.metadata, &meta_path, errs);
    }
}

/// The update strategy: its type, `rollingUpdate` only with RollingUpdate, a
/// partition of 0 or more, a maxUnavailable above 0 and at most 100%.
fn validate_strategy(strategy: Option<&StatefulSetUpdateStrategy>, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let kind = strategy.and_then(|s| s.type_.as_deref()).unwrap_or("");
    let rolling = strategy.and_then(|s| s.rolling_update.as_ref());
    match kind {
        "" => errs.push(FieldError::required(path.clone())),
        "OnDelete" => {
            if let Some(r) = rolling {
                errs.push(invalid_raw(
                    path.child("rollingUpdate"),
                    &go_rolling_update(r),
                    "only allowed for updateStrategy 'RollingUpdate'",
                ));
            }
        }
        "RollingUpdate" => {
            if let Some(r) = rolling {
                validate_rolling_update(r, &path.child("rollingUpdate"), errs);
            }
        }
        other => {
            let rolling = match rolling {
                None => "(*apps.RollingUpdateStatefulSetStrategy)(nil)",
                Some(_) => "(*apps.RollingUpdateStatefulSetStrategy)(0xc000000000)",
            };
            errs.push(invalid_raw(
                path.clone(),
                &format!("apps.StatefulSetUpdateStrategy{{Type:{other:?}, RollingUpdate:{rolling}}}"),
                "must be 'RollingUpdate' or 'OnDelete'",
            ));
        }
    }
}

/// `%#v` of an `apps.RollingUpdateStatefulSetStrategy` (Go prints the pointer's address).
fn go_rolling_update(r: &RollingUpdateStatefulSetStrategy) -> String {
    let max = match r.max_unavailable {
        None => "(*intstr.IntOrString)(nil)",
        Some(_) => "(*intstr.IntOrString)(0xc000000000)",
    };
    format!("apps.RollingUpdateStatefulSetStrategy{{Partition:{}, MaxUnavailable:{max}}}", r.partition.unwrap_or(0))
}

/// `validateRollingUpdateStatefulSet`.
fn validate_rolling_update(r: &RollingUpdateStatefulSetStrategy, path: &FieldPath, errs: &mut Vec<FieldError>) {
    non_negative(Some(i64::from(r.partition.unwrap_or(0))), path.child("partition"), errs);
    if let Some(max) = &r.max_unavailable {
        let p = path.child("maxUnavailable");
        validate_positive_int_or_percent(max, &p, errs);
        if max.value() == Some(0) {
            errs.push(invalid_value(p.clone(), max, "cannot be 0"));
        }
        if matches!(max, IntOrString::String(_)) && max.value().is_some_and(|n| n > 100) {
            errs.push(invalid_value(p, max, "must not be greater than 100%"));
        }
    }
}

/// The claim templates (`ValidateVolumeClaimTemplates`, kubernetes/kubernetes#132212,
/// 1.34): each has a name (it becomes a pod volume of that name, so a DNS-1123 label,
/// and no two share one) and a valid claim spec.
fn validate_claim_templates(sts: &StatefulSet, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let mut seen = std::collections::BTreeSet::new();
    for (i, t) in sts.spec.volume_claim_templates.iter().enumerate() {
        let p = path.index(i);
        let name = &t.metadata.name;
        let name_path = p.child("metadata").child("name");
        if name.is_empty() {
            errs.push(FieldError::required_because(name_path, "name or generateName is required"));
        } else if !is_dns1123_label(name) {
            errs.push(FieldError::invalid(name_path, name, DNS1123_LABEL_MSG));
        } else if !seen.insert(name.as_str()) {
            errs.push(FieldError::duplicate(name_path, name));
        }
        super::validation_storage::validate_pvc_spec(&t.spec, &p.child("spec"), errs);
    }
}

/// The pod template as its pods get it: a volume for each claim template, named as
/// the template, in place of a template volume of that name (`volumesToAddForTemplates`,
/// `updateStorage`), so that mounts of the claims are valid.
pub fn template_with_claims(sts: &StatefulSet) -> std::borrow::Cow<'_, crate::api::pod::PodSpec> {
    let claims = &sts.spec.volume_claim_templates;
    if claims.is_empty() {
        return std::borrow::Cow::Borrowed(&sts.spec.template.spec);
    }
    let mut spec = sts.spec.template.spec.clone();
    let names: Vec<(String, String)> =
        claims.iter().map(|c| (c.metadata.name.clone(), c.metadata.name.clone())).collect();
    with_claim_volumes(&mut spec, &names);
    std::borrow::Cow::Owned(spec)
}

/// `updateStorage`: a volume `name` → claim `claim` for each pair, first, and the
/// template's other volumes after them.
pub fn with_claim_volumes(spec: &mut crate::api::pod::PodSpec, claims: &[(String, String)]) {
    let mut volumes: Vec<crate::api::volume::Volume> = claims
        .iter()
        .map(|(name, claim)| crate::api::volume::Volume {
            name: name.clone(),
            persistent_volume_claim: Some(crate::api::volume::PersistentVolumeClaimVolumeSource {
                claim_name: claim.clone(),
                read_only: None,
            }),
            ..Default::default()
        })
        .collect();
    volumes.extend(spec.volumes.drain(..).filter(|v| !claims.iter().any(|(n, _)| *n == v.name)));
    spec.volumes = volumes;
}

/// The selector (required, well-formed, not empty) and the template
/// (`ValidatePodTemplateSpecForStatefulSet`: its labels selected, a valid pod spec;
/// `restartPolicy: Always`, no `activeDeadlineSeconds`).
fn validate_selector_and_template(sts: &StatefulSet, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let spec = &sts.spec;
    let sel_path = path.child("selector");
    match &spec.selector {
        None => errs.push(FieldError::required(sel_path.clone())),
        Some(s) => {
            validate_label_selector(s, &sel_path, errs);
            if s.match_labels.is_empty() && s.match_expressions.is_empty() {
                errs.push(invalid_raw(
                    sel_path.clone(),
                    &go_label_selector(s),
                    "empty selector is invalid for statefulset",
                ));
            }
        }
    }
    let tpl = path.child("template");
    match label_selector_as_selector(spec.selector.as_ref()) {
        Err(_) => {
            let rendered = spec.selector.as_ref().map(go_label_selector).unwrap_or_default();
            errs.push(invalid_raw(sel_path, &rendered, ""));
        }
        Ok(s) => {
            if !s.is_empty() && !s.matches(&spec.template.metadata.labels) {
                errs.push(invalid_raw(
                    tpl.child("metadata").child("labels"),
                    &go_string_map(&spec.template.metadata.labels),
                    "`selector` does not match template `labels`",
                ));
            }
            validate_object_meta_labels(&spec.template, &tpl, errs);
            validate_pod_spec(&template_with_claims(sts), &tpl.child("spec"), errs);
        }
    }
    let restart = spec.template.spec.restart_policy.as_deref().unwrap_or("Always");
    if restart != "Always" {
        errs.push(FieldError::unsupported(tpl.child("spec").child("restartPolicy"), restart, &["Always"]));
    }
    if spec.template.spec.active_deadline_seconds.is_some() {
        let p = tpl.child("spec").child("activeDeadlineSeconds");
        errs.push(FieldError::forbidden(p, "activeDeadlineSeconds in StatefulSet is not Supported"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::object::{Object, parse_file};

    fn parsed(yaml: &str, gate: bool) -> (StatefulSet, Vec<String>) {
        let mut ignored = Default::default();
        let mut manifests = parse_file("sts.yaml", yaml, &mut ignored).unwrap();
        let Object::StatefulSet(sts) = &mut manifests[0].object else { unreachable!() };
        default_statefulset(sts, gate);
        drop_disabled_fields(sts, gate);
        let mut errs = Vec::new();
        validate_statefulset(sts, &mut errs);
        ((**sts).clone(), errs.iter().map(ToString::to_string).collect())
    }

    fn errors(yaml: &str) -> Vec<String> {
        parsed(yaml, false).1
    }

    const GOOD: &str = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web}\nspec:\n  serviceName: nginx\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: nginx}]}\n";

    fn with(field: &str) -> String {
        GOOD.replace("  serviceName: nginx\n", &format!("  serviceName: nginx\n  {field}\n"))
    }

    #[test]
    fn a_valid_statefulset_is_defaulted_as_apps_v1_defaults_it() {
        let (sts, errs) = parsed(GOOD, false);
        assert_eq!(errs, Vec::<String>::new());
        let s = &sts.spec;
        assert_eq!(s.pod_management_policy.as_deref(), Some("OrderedReady"));
        assert_eq!((s.replicas, s.revision_history_limit), (Some(1), Some(10)));
        let strategy = s.update_strategy.as_ref().unwrap();
        assert_eq!(strategy.type_.as_deref(), Some("RollingUpdate"));
        let r = strategy.rolling_update.as_ref().unwrap();
        assert_eq!((r.partition, r.max_unavailable.clone()), (Some(0), None));
        let p = s.persistent_volume_claim_retention_policy.as_ref().unwrap();
        assert_eq!((p.when_deleted.as_deref(), p.when_scaled.as_deref()), (Some("Retain"), Some("Retain")));
        // With the gate, maxUnavailable defaults to 1; without it, a given one is dropped.
        let (gated, _) = parsed(GOOD, true);
        let r = gated.spec.update_strategy.unwrap().rolling_update.unwrap();
        assert_eq!(r.max_unavailable, Some(IntOrString::Int(1)));
        let (dropped, errs) = parsed(&with("updateStrategy: {rollingUpdate: {maxUnavailable: 0}}"), false);
        assert_eq!(errs, Vec::<String>::new(), "the API server drops the field before validating");
        assert_eq!(dropped.spec.update_strategy.unwrap().rolling_update.unwrap().max_unavailable, None);
        // An explicit RollingUpdate without rollingUpdate stays without a partition.
        let (explicit, _) = parsed(&with("updateStrategy: {type: RollingUpdate}"), false);
        assert_eq!(explicit.spec.update_strategy.unwrap().rolling_update, None);
        // serviceName is optional.
        assert_eq!(errors(&GOOD.replace("  serviceName: nginx\n", "")), Vec::<String>::new());
    }

    #[test]
    fn invalid_statefulsets_are_refused_with_the_api_servers_words() {
        let cases: &[(&str, &str)] = &[
            (
                "podManagementPolicy: Random",
                "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
            ),
            (
                "updateStrategy: {type: Partitioned}",
                "spec.updateStrategy: Invalid value: apps.StatefulSetUpdateStrategy{Type:\"Partitioned\", RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}: must be 'RollingUpdate' or 'OnDelete'",
            ),
            (
                "updateStrategy: {type: OnDelete, rollingUpdate: {partition: 1}}",
                "spec.updateStrategy.rollingUpdate: Invalid value: apps.RollingUpdateStatefulSetStrategy{Partition:1, MaxUnavailable:(*intstr.IntOrString)(nil)}: only allowed for updateStrategy 'RollingUpdate'",
            ),
            (
                "updateStrategy: {rollingUpdate: {partition: -1}}",
                "spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0",
            ),
            ("replicas: -1", "spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
            ("minReadySeconds: -5", "spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0"),
            ("ordinals: {start: -1}", "spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0"),
            (
                "persistentVolumeClaimRetentionPolicy: {whenScaled: Keep}",
                "spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: \"Keep\": supported values: \"Retain\", \"Delete\"",
            ),
            (
                "volumeClaimTemplates: [{metadata: {name: www}, spec: {resources: {requests: {storage: 1Gi}}}}]",
                "spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required",
            ),
        ];
        for (field, want) in cases {
            assert_eq!(errors(&with(field)), [*want], "{field}");
        }
        // A mount of a claim template's volume is valid; of another name, not found.
        let claims = "volumeClaimTemplates: [{metadata: {name: www}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}]";
        let mounted =
            with(claims).replace("image: nginx}", "image: nginx, volumeMounts: [{name: www, mountPath: /data}]}");
        assert_eq!(errors(&mounted), Vec::<String>::new());
        let wrong = mounted.replace("{name: www, mountPath", "{name: web, mountPath");
        assert_eq!(errors(&wrong), ["spec.template.spec.containers[0].volumeMounts[0].name: Not found: \"web\""]);
        let bad_service = GOOD.replace("serviceName: nginx", "serviceName: Nginx_Svc");
        assert_eq!(
            errors(&bad_service),
            [format!("spec.serviceName: Invalid value: \"Nginx_Svc\": {DNS1123_LABEL_MSG}")]
        );
        let dotted = GOOD.replace("name: web}", "name: web.v1}");
        assert_eq!(errors(&dotted), [format!("metadata.name: Invalid value: \"web.v1\": {DNS1123_LABEL_MSG}")]);
        let bad_labels = GOOD.replace("labels: {app: web}", "labels: {app: db}");
        assert_eq!(
            errors(&bad_labels),
            [
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"db\"}: `selector` does not match template `labels`"
            ]
        );
        let never = GOOD.replace("spec: {containers", "spec: {restartPolicy: Never, containers");
        assert_eq!(
            errors(&never),
            ["spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""]
        );
        let deadline = GOOD.replace("spec: {containers", "spec: {activeDeadlineSeconds: 5, containers");
        assert_eq!(
            errors(&deadline),
            [
                "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported"
            ]
        );
        let no_selector = GOOD.replace("  selector: {matchLabels: {app: web}}\n", "");
        // A missing selector selects nothing (`labels.Nothing()`), so the labels do
        // not match it either.
        assert_eq!(
            errors(&no_selector),
            [
                "spec.selector: Required value",
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`"
            ]
        );
        let empty = GOOD.replace("selector: {matchLabels: {app: web}}", "selector: {}");
        assert!(errors(&empty)[0].contains("empty selector is invalid for statefulset"), "{:?}", errors(&empty));
        // With the gate, maxUnavailable is validated.
        for (max, want) in [
            ("0", "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: cannot be 0"),
            (
                "150%",
                "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: \"150%\": must not be greater than 100%",
            ),
        ] {
            let yaml = with(&format!("updateStrategy: {{rollingUpdate: {{maxUnavailable: {max}}}}}"));
            assert_eq!(parsed(&yaml, true).1, [want], "{max}");
        }
    }
}
