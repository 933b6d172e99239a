//! The API server's defaults and validation for `batch/v1` Jobs and CronJobs
//! (`pkg/apis/batch/v1/defaults.go`, `pkg/registry/batch/job/strategy.go`,
//! `pkg/apis/batch/validation/validation.go`), with Kubernetes' field paths
//! and wording. `api::validation::validate_job` / `validate_cronjob` call
//! these; the pod template goes through `api::validation::validate_pod_spec`.

mod cronjob;
pub(crate) mod gofmt;
pub(crate) mod job;

#[cfg(test)]
mod tests;

pub use cronjob::{
    DEFAULT_FAILED_JOBS_HISTORY_LIMIT, DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT, MAX_CRONJOB_NAME_LENGTH, default_cronjob,
    validate_defaulted_cronjob,
};
pub use job::{
    CONTROLLER_UID_LABEL, DEFAULT_BACKOFF_LIMIT, JOB_NAME_LABEL, LEGACY_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL,
    PLACEHOLDER_UID, default_job, default_job_spec, default_pod_failure_policy, validate_defaulted_job,
};
