//! Job defaults (`pkg/apis/batch/v1/defaults.go` `SetDefaults_Job`), the
//! generated selector (`pkg/registry/batch/job/strategy.go`
//! `generateSelector`) and Job validation (`pkg/apis/batch/validation/
//! validation.go` `ValidateJob`, `validateJobSpec` and the helpers they call).

use std::collections::{BTreeMap, BTreeSet};

use super::gofmt::{
    duplicate_number, go_int32s, go_label_selector, go_string_map, go_success_policy, invalid_omitted, invalid_raw,
    non_negative, operator_name, required_one_of, too_long, too_many,
};
use crate::api::errors::{FieldError, FieldPath};
use crate::api::job::{
    Job, JobSpec, PodFailurePolicy, PodFailurePolicyOnExitCodesRequirement, PodFailurePolicyOnPodConditionsPattern,
    PodFailurePolicyRule, SuccessPolicyRule,
};
use crate::api::validation::{default_pod_spec, is_dns1123_label, validate_object_meta, validate_pod_spec};
use crate::controllers::job::indexes::IndexSet;
use crate::labels::{
    LabelSelector, LabelSelectorOperator, is_qualified_name, is_valid_label_value, label_selector_as_selector,
};

/// `backoffLimit` when unset and `backoffLimitPerIndex` is not used.
pub const DEFAULT_BACKOFF_LIMIT: i32 = 6;
/// `batch.LegacyJobNameLabel` and `batch.JobNameLabel`: the Job's name on its pods.
pub const LEGACY_JOB_NAME_LABEL: &str = "job-name";
pub const JOB_NAME_LABEL: &str = "batch.kubernetes.io/job-name";
/// `batch.LegacyControllerUidLabel` and `batch.ControllerUidLabel`: the Job's uid on its pods.
pub const LEGACY_CONTROLLER_UID_LABEL: &str = "controller-uid";
pub const CONTROLLER_UID_LABEL: &str = "batch.kubernetes.io/controller-uid";
/// The uid the API server would give the Job. podsim objects have none, so
/// the generated-selector rules use this stand-in: a valid label value that no
/// manifest can be expected to carry, as no one knows a uid before creation.
pub const PLACEHOLDER_UID: &str = "00000000-0000-0000-0000-000000000000";

// Limits of validation.go.
const MAX_PARALLELISM_FOR_INDEXED_JOB: i32 = 100_000;
const MAX_FAILED_INDEXES_FOR_INDEXED_JOB: i32 = 100_000;
const COMPLETIONS_SOFT_LIMIT: i32 = 100_000;
const PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS: i32 = 10_000;
const MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS: i32 = 10_000;
const MAX_POD_FAILURE_POLICY_RULES: usize = 20;
const MAX_ON_EXIT_CODES_VALUES: usize = 255;
const MAX_ON_POD_CONDITIONS_PATTERNS: usize = 20;
const MAX_SUCCEEDED_INDEXES_LENGTH: usize = 64 * 1024;
const MAX_SUCCESS_POLICY_RULES: usize = 20;

const ACTIONS: &[&str] = &["Count", "FailIndex", "FailJob", "Ignore"];
const OPERATORS: &[&str] = &["In", "NotIn"];
const CONDITION_STATUSES: &[&str] = &["False", "True", "Unknown"];
const REPLACEMENT_POLICIES: &[&str] = &["Failed", "TerminatingOrFailed"];

// ---------------------------------------------------------------------------------
// Defaults

/// `SetDefaults_Job` and the defaults of everything a Job contains: the
/// Job's labels come from its template when it has none.
pub fn default_job(job: &mut Job) {
    default_job_spec(&mut job.spec);
    if job.metadata.labels.is_empty() {
        job.metadata.labels = job.spec.template.metadata.labels.clone();
    }
}

/// The spec part of `SetDefaults_Job`: one pod by default, six retries (or
/// unlimited ones with `backoffLimitPerIndex`), NonIndexed, not suspended,
/// replacement once a pod is terminating (only once it failed with a pod
/// failure policy), no manual selector; then the pod template's defaults.
pub fn default_job_spec(spec: &mut JobSpec) {
    if spec.completions.is_none() && spec.parallelism.is_none() {
        spec.completions = Some(1);
    }
    spec.parallelism.get_or_insert(1);
    let backoff = if spec.backoff_limit_per_index.is_some() { i32::MAX } else { DEFAULT_BACKOFF_LIMIT };
    spec.backoff_limit.get_or_insert(backoff);
    spec.completion_mode.get_or_insert_with(|| "NonIndexed".into());
    spec.suspend.get_or_insert(false);
    let replacement = if spec.pod_failure_policy.is_some() { "Failed" } else { "TerminatingOrFailed" };
    spec.pod_replacement_policy.get_or_insert_with(|| replacement.into());
    spec.manual_selector.get_or_insert(false);
    default_pod_failure_policy(spec.pod_failure_policy.as_mut());
    default_pod_spec(&mut spec.template.spec);
}

/// `SetDefaults_PodFailurePolicyOnPodConditionsPattern`: status `True`.
pub fn default_pod_failure_policy(policy: Option<&mut PodFailurePolicy>) {
    for rule in policy.into_iter().flat_map(|p| p.rules.iter_mut()) {
        for pattern in &mut rule.on_pod_conditions {
            if pattern.status.as_deref().is_none_or(str::is_empty) {
                pattern.status = Some("True".into());
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// The generated selector

/// What `generateSelector` makes of the template labels and the selector:
/// with `manualSelector` unset or false, the template gets the Job's name and
/// uid labels (unless it sets them itself) and the selector requires the uid.
/// The Job itself is left as written; this is the view validation checks.
struct Selection {
    labels: BTreeMap<String, String>,
    selector: Option<LabelSelector>,
    generated: bool,
}

fn selection(job: &Job) -> Selection {
    let mut labels = job.spec.template.metadata.labels.clone();
    if job.spec.manual_selector == Some(true) {
        return Selection { labels, selector: job.spec.selector.clone(), generated: false };
    }
    let name = &job.metadata.name;
    if !name.is_empty() {
        for key in [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL] {
            labels.entry(key.to_string()).or_insert_with(|| name.clone());
        }
    }
    for key in [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL] {
        labels.entry(key.to_string()).or_insert_with(|| PLACEHOLDER_UID.to_string());
    }
    let mut selector = job.spec.selector.clone().unwrap_or_default();
    selector.match_labels.entry(CONTROLLER_UID_LABEL.to_string()).or_insert_with(|| PLACEHOLDER_UID.to_string());
    Selection { labels, selector: Some(selector), generated: true }
}

/// The labels every pod of the Job must carry: uid and, once the Job has a
/// name, name (a `generateName` Job gets its name only after validation).
fn expected_labels(name: &str) -> Vec<(&'static str, String)> {
    let mut out = vec![(LEGACY_CONTROLLER_UID_LABEL, PLACEHOLDER_UID.to_string())];
    if !name.is_empty() {
        out.push((LEGACY_JOB_NAME_LABEL, name.to_string()));
    }
    out.push((CONTROLLER_UID_LABEL, PLACEHOLDER_UID.to_string()));
    if !name.is_empty() {
        out.push((JOB_NAME_LABEL, name.to_string()));
    }
    out
}

/// `validateGeneratedSelector`: the template keeps the generated labels, and
/// the selector selects them.
fn validate_generated_selector(job: &Job, sel: &Selection, errs: &mut Vec<FieldError>) {
    let template = FieldPath::root("spec").child("template").child("metadata");
    let expected = expected_labels(&job.metadata.name);
    for (key, want) in &expected {
        validate_has_label(&sel.labels, &template, key, want, errs);
    }
    let Some(selector) = &sel.selector else { return };
    let expected: BTreeMap<String, String> = expected.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    if let Ok(s) = label_selector_as_selector(Some(selector))
        && !s.matches(&expected)
    {
        errs.push(invalid_raw(
            FieldPath::root("spec").child("selector"),
            &go_label_selector(selector),
            "`selector` not auto-generated",
        ));
    }
}

/// `ValidateHasLabel`.
fn validate_has_label(
    labels: &BTreeMap<String, String>,
    meta: &FieldPath,
    key: &str,
    want: &str,
    errs: &mut Vec<FieldError>,
) {
    let path = meta.child("labels").key(key);
    match labels.get(key) {
        None => errs.push(FieldError::required_because(path, &format!("must be '{want}'"))),
        Some(v) if v != want => errs.push(invalid_raw(path, &go_string_map(labels), &format!("must be '{want}'"))),
        Some(_) => {}
    }
}

// ---------------------------------------------------------------------------------
// Job

/// `ValidateJob` on a defaulted Job: metadata, the generated selector, the
/// spec, the selector against the template, and the pod hostnames of an
/// Indexed Job.
pub fn validate_defaulted_job(job: &Job, errs: &mut Vec<FieldError>) {
    validate_object_meta(&job.metadata, &FieldPath::root("metadata"), errs);
    let sel = selection(job);
    if sel.generated {
        validate_generated_selector(job, &sel, errs);
    }
    let spec = FieldPath::root("spec");
    validate_job_spec(&job.spec, &sel.labels, &spec, errs);
    validate_selector(sel.selector.as_ref(), &sel.labels, &spec, errs);
    validate_indexed_hostnames(job, errs);
}

/// The selector part of `ValidateJobSpec`: required, well-formed, and
/// selecting the template's labels.
fn validate_selector(
    selector: Option<&LabelSelector>,
    labels: &BTreeMap<String, String>,
    spec: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    match selector {
        None => errs.push(FieldError::required(spec.child("selector"))),
        Some(s) => validate_label_selector(s, &spec.child("selector"), errs),
    }
    if let Ok(s) = label_selector_as_selector(selector)
        && !s.matches(labels)
    {
        errs.push(invalid_raw(
            spec.child("template").child("metadata").child("labels"),
            &go_string_map(labels),
            "`selector` does not match template `labels`",
        ));
    }
}

/// The highest index's pod is named `<job>-<completions−1>`, which must be a
/// DNS label.
fn validate_indexed_hostnames(job: &Job, errs: &mut Vec<FieldError>) {
    let name = &job.metadata.name;
    if name.is_empty() || job.spec.completion_mode.as_deref() != Some("Indexed") {
        return;
    }
    let Some(completions) = job.spec.completions.filter(|c| *c > 0) else { return };
    let hostname = format!("{name}-{}", completions - 1);
    if !is_dns1123_label(&hostname) {
        errs.push(FieldError::invalid(
            FieldPath::root("metadata").child("name"),
            name,
            &format!("will not able to create pod with invalid DNS label: {hostname}"),
        ));
    }
}

/// `validateJobSpec`, shared by Jobs and CronJob templates. `labels` are the
/// template's labels as validation sees them (with the generated ones).
pub(super) fn validate_job_spec(
    spec: &JobSpec,
    labels: &BTreeMap<String, String>,
    path: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    validate_counts(spec, path, errs);
    validate_completion_mode(spec, path, errs);
    if let Some(policy) = &spec.pod_failure_policy {
        validate_pod_failure_policy(spec, policy, &path.child("podFailurePolicy"), errs);
    }
    validate_success_policy(spec, &path.child("successPolicy"), errs);
    validate_pod_replacement_policy(spec, &path.child("podReplacementPolicy"), errs);
    let template = path.child("template");
    validate_labels(labels, &template.child("metadata").child("labels"), errs);
    validate_pod_spec(&spec.template.spec, &template.child("spec"), errs);
    validate_restart_policy(spec, &template.child("spec").child("restartPolicy"), errs);
}

/// The numbers that may not be negative, and `maxFailedIndexes` needing
/// `backoffLimitPerIndex`.
fn validate_counts(spec: &JobSpec, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let wide = |v: Option<i32>| v.map(i64::from);
    non_negative(wide(spec.parallelism), path.child("parallelism"), errs);
    non_negative(wide(spec.completions), path.child("completions"), errs);
    non_negative(spec.active_deadline_seconds, path.child("activeDeadlineSeconds"), errs);
    non_negative(wide(spec.backoff_limit), path.child("backoffLimit"), errs);
    non_negative(wide(spec.ttl_seconds_after_finished), path.child("ttlSecondsAfterFinished"), errs);
    non_negative(wide(spec.backoff_limit_per_index), path.child("backoffLimitPerIndex"), errs);
    if spec.max_failed_indexes.is_some() {
        non_negative(wide(spec.max_failed_indexes), path.child("maxFailedIndexes"), errs);
        if spec.backoff_limit_per_index.is_none() {
            errs.push(FieldError::required_because(
                path.child("backoffLimitPerIndex"),
                "when maxFailedIndexes is specified",
            ));
        }
    }
}

/// `completionMode` values, what Indexed requires and allows, and the
/// per-index fields refused without it.
fn validate_completion_mode(spec: &JobSpec, path: &FieldPath, errs: &mut Vec<FieldError>) {
    match spec.completion_mode.as_deref() {
        None | Some("NonIndexed") => validate_non_indexed(spec, path, errs),
        Some("Indexed") => validate_indexed(spec, path, errs),
        Some(other) => {
            errs.push(FieldError::unsupported(path.child("completionMode"), other, &["NonIndexed", "Indexed"]))
        }
    }
}

fn validate_non_indexed(spec: &JobSpec, path: &FieldPath, errs: &mut Vec<FieldError>) {
    for (value, name) in
        [(spec.backoff_limit_per_index, "backoffLimitPerIndex"), (spec.max_failed_indexes, "maxFailedIndexes")]
    {
        if let Some(v) = value {
            errs.push(FieldError::invalid_number(path.child(name), v.into(), "requires indexed completion mode"));
        }
    }
}

fn validate_indexed(spec: &JobSpec, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let (parallelism, completions, max_failed) = (spec.parallelism, spec.completions, spec.max_failed_indexes);
    if completions.is_none() {
        errs.push(FieldError::required_because(path.child("completions"), "when completion mode is Indexed"));
    }
    if let Some(p) = parallelism.filter(|p| *p > MAX_PARALLELISM_FOR_INDEXED_JOB) {
        let why =
            format!("must be less than or equal to {MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed");
        errs.push(FieldError::invalid_number(path.child("parallelism"), p.into(), &why));
    }
    if let (Some(c), Some(m)) = (completions, max_failed)
        && m > c
    {
        errs.push(FieldError::invalid_number(
            path.child("maxFailedIndexes"),
            m.into(),
            "must be less than or equal to completions",
        ));
    }
    if let Some(m) = max_failed.filter(|m| *m > MAX_FAILED_INDEXES_FOR_INDEXED_JOB) {
        let why = format!("must be less than or equal to {MAX_FAILED_INDEXES_FOR_INDEXED_JOB}");
        errs.push(FieldError::invalid_number(path.child("maxFailedIndexes"), m.into(), &why));
    }
    if completions.is_some_and(|c| c > COMPLETIONS_SOFT_LIMIT) && spec.backoff_limit_per_index.is_some() {
        validate_high_completions(spec, path, errs);
    }
}

/// Above 100,000 completions, per-index back-off needs tighter bounds.
fn validate_high_completions(spec: &JobSpec, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let suffix = format!("when completions are above {COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index");
    if spec.max_failed_indexes.is_none() {
        let why = format!("must be specified when completions is above {COMPLETIONS_SOFT_LIMIT}");
        errs.push(FieldError::required_because(path.child("maxFailedIndexes"), &why));
    }
    if let Some(p) = spec.parallelism.filter(|p| *p > PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS) {
        let why = format!("must be less than or equal to {PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS} {suffix}");
        errs.push(FieldError::invalid_number(path.child("parallelism"), p.into(), &why));
    }
    if let Some(m) = spec.max_failed_indexes.filter(|m| *m > MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS) {
        let why = format!("must be less than or equal to {MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS} {suffix}");
        errs.push(FieldError::invalid_number(path.child("maxFailedIndexes"), m.into(), &why));
    }
}

/// `template.spec.restartPolicy`: `OnFailure` or `Never` (the pod default
/// `Always` is refused), and only `Never` with a pod failure policy.
fn validate_restart_policy(spec: &JobSpec, path: &FieldPath, errs: &mut Vec<FieldError>) {
    match spec.template.spec.restart_policy.as_deref().unwrap_or("") {
        "Always" | "" => {
            errs.push(FieldError::required_because(path.clone(), "valid values: \"OnFailure\", \"Never\""))
        }
        "OnFailure" if spec.pod_failure_policy.is_some() => errs.push(FieldError::invalid(
            path.clone(),
            "OnFailure",
            "only \"Never\" is supported when podFailurePolicy is specified",
        )),
        "OnFailure" | "Never" => {}
        other => errs.push(FieldError::unsupported(path.clone(), other, &["OnFailure", "Never"])),
    }
}

/// `validatePodReplacementPolicy`: only `Failed` with a pod failure policy.
fn validate_pod_replacement_policy(spec: &JobSpec, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let Some(value) = spec.pod_replacement_policy.as_deref() else { return };
    if spec.pod_failure_policy.is_some() {
        if value != "Failed" {
            errs.push(FieldError::unsupported(path.clone(), value, &["Failed"]));
        }
    } else if !REPLACEMENT_POLICIES.contains(&value) {
        errs.push(FieldError::unsupported(path.clone(), value, REPLACEMENT_POLICIES));
    }
}

// ---------------------------------------------------------------------------------
// podFailurePolicy

/// `validatePodFailurePolicy`: at most 20 rules, each valid.
fn validate_pod_failure_policy(
    spec: &JobSpec,
    policy: &PodFailurePolicy,
    path: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    let rules = path.child("rules");
    if policy.rules.len() > MAX_POD_FAILURE_POLICY_RULES {
        errs.push(too_many(rules.clone(), policy.rules.len(), MAX_POD_FAILURE_POLICY_RULES));
    }
    let pod = &spec.template.spec;
    let names: Vec<&str> = pod.containers.iter().chain(&pod.init_containers).map(|c| c.name.as_str()).collect();
    for (i, rule) in policy.rules.iter().enumerate() {
        validate_pod_failure_policy_rule(spec, rule, &names, &rules.index(i), errs);
    }
}

/// `validatePodFailurePolicyRule`: a known action (`FailIndex` only with
/// `backoffLimitPerIndex`) and exactly one of `onExitCodes` and `onPodConditions`.
fn validate_pod_failure_policy_rule(
    spec: &JobSpec,
    rule: &PodFailurePolicyRule,
    containers: &[&str],
    path: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    let action = path.child("action");
    match rule.action.as_str() {
        "" => errs.push(required_one_of(action, ACTIONS)),
        "FailIndex" if spec.backoff_limit_per_index.is_none() => {
            errs.push(FieldError::invalid(action, "FailIndex", "requires the backoffLimitPerIndex to be set"))
        }
        a if !ACTIONS.contains(&a) => errs.push(FieldError::unsupported(action, a, ACTIONS)),
        _ => {}
    }
    if let Some(on_exit_codes) = &rule.on_exit_codes {
        validate_on_exit_codes(on_exit_codes, containers, &path.child("onExitCodes"), errs);
    }
    if !rule.on_pod_conditions.is_empty() {
        validate_on_pod_conditions(&rule.on_pod_conditions, &path.child("onPodConditions"), errs);
    }
    match (rule.on_exit_codes.is_some(), !rule.on_pod_conditions.is_empty()) {
        (true, true) => {
            errs.push(invalid_omitted(path.clone(), "specifying both OnExitCodes and OnPodConditions is not supported"))
        }
        (false, false) => {
            errs.push(invalid_omitted(path.clone(), "specifying one of OnExitCodes and OnPodConditions is required"))
        }
        _ => {}
    }
}

/// `validatePodFailurePolicyRuleOnExitCodes`.
fn validate_on_exit_codes(
    req: &PodFailurePolicyOnExitCodesRequirement,
    containers: &[&str],
    path: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    let operator = path.child("operator");
    match req.operator.as_str() {
        "" => errs.push(required_one_of(operator, OPERATORS)),
        op if !OPERATORS.contains(&op) => errs.push(FieldError::unsupported(operator, op, OPERATORS)),
        _ => {}
    }
    if let Some(name) = &req.container_name
        && !containers.contains(&name.as_str())
    {
        errs.push(FieldError::invalid(
            path.child("containerName"),
            name,
            "must be one of the container or initContainer names in the pod template",
        ));
    }
    validate_exit_code_values(req, &path.child("values"), errs);
}

/// The exit codes: 1 to 255 of them, unique, ordered, no 0 with `In`.
fn validate_exit_code_values(
    req: &PodFailurePolicyOnExitCodesRequirement,
    path: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    let values = &req.values;
    if values.is_empty() {
        errs.push(invalid_raw(path.clone(), &go_int32s(values), "at least one value is required"));
    } else if values.len() > MAX_ON_EXIT_CODES_VALUES {
        errs.push(too_many(path.clone(), values.len(), MAX_ON_EXIT_CODES_VALUES));
    }
    let mut seen = BTreeSet::new();
    for (j, value) in values.iter().enumerate() {
        if req.operator == "In" && *value == 0 {
            errs.push(FieldError::invalid_number(path.index(j), 0, "must not be 0 for the In operator"));
        }
        if !seen.insert(*value) {
            errs.push(duplicate_number(path.index(j), (*value).into()));
        }
    }
    if values.windows(2).any(|w| w[0] > w[1]) {
        errs.push(invalid_raw(path.clone(), &go_int32s(values), "must be ordered"));
    }
}

/// `validatePodFailurePolicyRuleOnPodConditions`: at most 20 patterns, each a
/// qualified condition type with a known status.
fn validate_on_pod_conditions(
    patterns: &[PodFailurePolicyOnPodConditionsPattern],
    path: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    if patterns.len() > MAX_ON_POD_CONDITIONS_PATTERNS {
        errs.push(too_many(path.clone(), patterns.len(), MAX_ON_POD_CONDITIONS_PATTERNS));
    }
    for (j, pattern) in patterns.iter().enumerate() {
        let p = path.index(j);
        for msg in is_qualified_name(&pattern.condition_type) {
            errs.push(FieldError::invalid(p.child("type"), &pattern.condition_type, &msg));
        }
        match pattern.status.as_deref().unwrap_or("") {
            "" => errs.push(required_one_of(p.child("status"), CONDITION_STATUSES)),
            s if !CONDITION_STATUSES.contains(&s) => {
                errs.push(FieldError::unsupported(p.child("status"), s, CONDITION_STATUSES))
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------
// successPolicy

/// `successPolicy`: Indexed Jobs only; 1 to 20 rules, each valid.
fn validate_success_policy(spec: &JobSpec, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let Some(policy) = &spec.success_policy else { return };
    if spec.completion_mode.as_deref() != Some("Indexed") {
        errs.push(invalid_raw(path.clone(), &go_success_policy(policy), "requires indexed completion mode"));
        return;
    }
    let rules = path.child("rules");
    if policy.rules.is_empty() {
        errs.push(FieldError::required_because(
            rules.clone(),
            "at least one rules must be specified when the successPolicy is specified",
        ));
    }
    if policy.rules.len() > MAX_SUCCESS_POLICY_RULES {
        errs.push(too_many(rules.clone(), policy.rules.len(), MAX_SUCCESS_POLICY_RULES));
    }
    for (i, rule) in policy.rules.iter().enumerate() {
        validate_success_policy_rule(rule, spec.completions, &rules.index(i), errs);
    }
}

/// `validateSuccessPolicyRule`: indexes in the strict interval form below
/// `completions`, a count within `completions` and within those indexes.
/// Without `completions` (already an error for Indexed) the bounds are not
/// checked, where Go would dereference nil.
fn validate_success_policy_rule(
    rule: &SuccessPolicyRule,
    completions: Option<i32>,
    path: &FieldPath,
    errs: &mut Vec<FieldError>,
) {
    if rule.succeeded_count.is_none() && rule.succeeded_indexes.is_none() {
        errs.push(FieldError::required_because(
            path.clone(),
            "at least one of succeededCount or succeededIndexes must be specified",
        ));
    }
    let Some(completions) = completions else { return };
    let mut total: u64 = 0;
    if let Some(text) = &rule.succeeded_indexes {
        let p = path.child("succeededIndexes");
        if text.len() > MAX_SUCCEEDED_INDEXES_LENGTH {
            errs.push(too_long(p.clone(), MAX_SUCCEEDED_INDEXES_LENGTH));
        }
        match IndexSet::parse(text, u32::try_from(completions).unwrap_or(0)) {
            Ok(set) => total = set.total(),
            Err(e) => errs.push(FieldError::invalid(p, text, &format!("error parsing succeededIndexes: {e}"))),
        }
    }
    let Some(count) = rule.succeeded_count else { return };
    let p = path.child("succeededCount");
    non_negative(Some(count.into()), p.clone(), errs);
    if count > completions {
        let why = format!("must be less than or equal to {completions} (the number of specified completions)");
        errs.push(FieldError::invalid_number(p.clone(), count.into(), &why));
    }
    if rule.succeeded_indexes.is_some() && i64::from(count) > i64::try_from(total).unwrap_or(i64::MAX) {
        let why = format!(
            "must be less than or equal to {total} (the number of indexes in the specified succeededIndexes field)"
        );
        errs.push(FieldError::invalid_number(p, count.into(), &why));
    }
}

// ---------------------------------------------------------------------------------
// Labels and selectors (apimachinery `metav1/validation`)

/// `ValidateLabels`: qualified names as keys, label values as values; every
/// error on the map's path, as Kubernetes reports them (in key order here,
/// where Go's map order varies).
pub(crate) fn validate_labels(labels: &BTreeMap<String, String>, path: &FieldPath, errs: &mut Vec<FieldError>) {
    for (key, value) in labels {
        for msg in is_qualified_name(key) {
            errs.push(FieldError::invalid(path.clone(), key, &msg));
        }
        for msg in is_valid_label_value(value) {
            errs.push(FieldError::invalid(path.clone(), value, &msg));
        }
    }
}

/// `ValidateLabelSelector`.
pub(crate) fn validate_label_selector(selector: &LabelSelector, path: &FieldPath, errs: &mut Vec<FieldError>) {
    validate_labels(&selector.match_labels, &path.child("matchLabels"), errs);
    for (i, req) in selector.match_expressions.iter().enumerate() {
        let p = path.child("matchExpressions").index(i);
        match &req.operator {
            LabelSelectorOperator::In | LabelSelectorOperator::NotIn if req.values.is_empty() => errs.push(
                FieldError::required_because(p.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"),
            ),
            LabelSelectorOperator::Exists | LabelSelectorOperator::DoesNotExist if !req.values.is_empty() => {
                errs.push(FieldError::forbidden(
                    p.child("values"),
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                ))
            }
            LabelSelectorOperator::Unknown(_) => errs.push(FieldError::invalid(
                p.child("operator"),
                operator_name(&req.operator),
                "not a valid selector operator",
            )),
            _ => {}
        }
        for msg in is_qualified_name(&req.key) {
            errs.push(FieldError::invalid(p.child("key"), &req.key, &msg));
        }
        for (j, value) in req.values.iter().enumerate() {
            for msg in is_valid_label_value(value) {
                errs.push(FieldError::invalid(p.child("values").index(j), value, &msg));
            }
        }
    }
}
