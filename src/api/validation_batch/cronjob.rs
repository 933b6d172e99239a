//! CronJob defaults (`pkg/apis/batch/v1/defaults.go` `SetDefaults_CronJob`)
//! and validation (`pkg/apis/batch/validation/validation.go`
//! `ValidateCronJobCreate`, `validateCronJobSpec`, `validateScheduleFormat`,
//! `validateTimeZone`, `ValidateJobTemplateSpec`).

use super::gofmt::{go_label_selector, invalid_raw, non_negative};
use super::job::{default_pod_failure_policy, validate_job_spec};
use crate::api::cronjob::CronJob;
use crate::api::errors::{FieldError, FieldPath};
use crate::api::job::JobTemplateSpec;
use crate::api::validation::{default_pod_spec, validate_object_meta};
use crate::cron::{CronError, Schedule, validate_time_zone};

/// `successfulJobsHistoryLimit` when unset.
pub const DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT: i32 = 3;
/// `failedJobsHistoryLimit` when unset.
pub const DEFAULT_FAILED_JOBS_HISTORY_LIMIT: i32 = 1;
/// The controller names Jobs `<cronjob>-<minutes since epoch>`: 11 characters
/// added to a name that must stay within 63 (DNS-1035 label length).
pub const MAX_CRONJOB_NAME_LENGTH: usize = 52;

const CONCURRENCY_POLICIES: &[&str] = &["Allow", "Forbid", "Replace"];
const IANA: &str = "https://www.iana.org/time-zones";

/// `SetDefaults_CronJob`, plus the defaults of the pod template and the pod
/// failure policy inside the Job template. The Job template's own fields
/// (completions, backoffLimit, ...) stay unset: Jobs get them when created.
pub fn default_cronjob(cj: &mut CronJob) {
    let spec = &mut cj.spec;
    if spec.concurrency_policy.as_deref().is_none_or(str::is_empty) {
        spec.concurrency_policy = Some("Allow".into());
    }
    spec.suspend.get_or_insert(false);
    spec.successful_jobs_history_limit.get_or_insert(DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT);
    spec.failed_jobs_history_limit.get_or_insert(DEFAULT_FAILED_JOBS_HISTORY_LIMIT);
    let job = &mut spec.job_template.spec;
    default_pod_failure_policy(job.pod_failure_policy.as_mut());
    default_pod_spec(&mut job.template.spec);
}

/// `ValidateCronJobCreate` on a defaulted CronJob.
pub fn validate_defaulted_cronjob(cj: &CronJob, errs: &mut Vec<FieldError>) {
    let meta = FieldPath::root("metadata");
    validate_object_meta(&cj.metadata, &meta, errs);
    let spec = FieldPath::root("spec");
    validate_schedule(&cj.spec.schedule, &spec.child("schedule"), errs);
    non_negative(cj.spec.starting_deadline_seconds, spec.child("startingDeadlineSeconds"), errs);
    if let Some(zone) = &cj.spec.time_zone {
        validate_zone(zone, &spec.child("timeZone"), errs);
    }
    validate_concurrency_policy(cj.spec.concurrency_policy.as_deref(), &spec.child("concurrencyPolicy"), errs);
    validate_job_template(&cj.spec.job_template, &spec.child("jobTemplate"), errs);
    let wide = |v: Option<i32>| v.map(i64::from);
    non_negative(wide(cj.spec.successful_jobs_history_limit), spec.child("successfulJobsHistoryLimit"), errs);
    non_negative(wide(cj.spec.failed_jobs_history_limit), spec.child("failedJobsHistoryLimit"), errs);
    if cj.metadata.name.len() > MAX_CRONJOB_NAME_LENGTH {
        errs.push(FieldError::invalid(
            meta.child("name"),
            &cj.metadata.name,
            &format!("must be no more than {MAX_CRONJOB_NAME_LENGTH} characters"),
        ));
    }
}

/// `validateScheduleFormat` for a new object: required, parsable (the cron
/// module's explanation after Kubernetes' "Invalid value: <schedule>"), and
/// without `TZ`/`CRON_TZ`.
fn validate_schedule(schedule: &str, path: &FieldPath, errs: &mut Vec<FieldError>) {
    if schedule.is_empty() {
        errs.push(FieldError::required(path.clone()));
        return;
    }
    let why = match Schedule::parse(schedule) {
        Ok(_) => return,
        Err(CronError::TimeZoneInSchedule { .. }) => {
            "cannot use TZ or CRON_TZ in schedule, use timeZone field instead".to_string()
        }
        Err(e) => e.to_string(),
    };
    errs.push(FieldError::invalid(path.clone(), schedule, &why));
}

/// `validateTimeZone`: the cron module decides, the messages are
/// Kubernetes'. `Local` itself loads in Go, so only the explicit-zone error
/// is reported for it; other spellings (`local`) fail to load as well.
fn validate_zone(zone: &str, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let unknown = |name: &str| format!("unknown time zone {name}");
    match validate_time_zone(zone) {
        Ok(_) => {}
        Err(CronError::EmptyTimeZone) => {
            errs.push(FieldError::invalid(path.clone(), zone, "timeZone must be nil or non-empty string"))
        }
        Err(CronError::LocalTimeZone { name }) => {
            let why = format!("timeZone must be an explicit time zone as defined in {IANA}");
            errs.push(FieldError::invalid(path.clone(), &name, &why));
            if name != "Local" {
                errs.push(FieldError::invalid(path.clone(), &name, &unknown(&name)));
            }
        }
        Err(CronError::UnknownTimeZone { name }) => {
            errs.push(FieldError::invalid(path.clone(), &name, &unknown(&name)))
        }
        Err(other) => errs.push(FieldError::invalid(path.clone(), zone, &other.to_string())),
    }
}

/// `validateConcurrencyPolicy`.
fn validate_concurrency_policy(policy: Option<&str>, path: &FieldPath, errs: &mut Vec<FieldError>) {
    match policy.unwrap_or("") {
        "" => errs.push(FieldError::required(path.clone())),
        p if !CONCURRENCY_POLICIES.contains(&p) => {
            errs.push(FieldError::unsupported(path.clone(), p, CONCURRENCY_POLICIES))
        }
        _ => {}
    }
}

/// `ValidateJobTemplateSpec`: the Job spec, with the selector left to the
/// controller.
fn validate_job_template(template: &JobTemplateSpec, path: &FieldPath, errs: &mut Vec<FieldError>) {
    let spec = path.child("spec");
    validate_job_spec(&template.spec, &template.spec.template.metadata.labels, &spec, errs);
    if let Some(selector) = &template.spec.selector {
        errs.push(invalid_raw(
            spec.child("selector"),
            &go_label_selector(selector),
            "`selector` will be auto-generated",
        ));
    }
    if template.spec.manual_selector == Some(true) {
        errs.push(FieldError::new(
            spec.child("manualSelector"),
            "Unsupported value: true: supported values: \"nil\", \"false\"",
        ));
    }
}
