//! Jobs and CronJobs: the API objects at T and their rows (`printJob`, `printCronJob`).

use super::model::{self, Condition, CronJob, Job, JobReference};
use super::replay::{CronJobState, JobState, State, Uids};
use crate::kubectl::duration::{human_duration, translate_timestamp_since, truncate_to_seconds};
use crate::labels::{LabelSelector, format_label_selector};

pub const JOB_HEADERS: [&str; 5] = ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"];
pub const CRONJOB_HEADERS: [&str; 7] = ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"];
pub const WIDE_HEADERS: [&str; 3] = ["CONTAINERS", "IMAGES", "SELECTOR"];

/// The Job as the API server would return it: the defaulted spec with the selector
/// and the template labels it adds (`batch.kubernetes.io/controller-uid`, ...).
pub fn job_to_api(uids: Uids, j: &JobState) -> Job {
    let uid = uids.job(j.uid);
    let mut spec = (*j.spec).clone();
    spec.parallelism = Some(j.parallelism as i32);
    spec.suspend = Some(j.suspend);
    let mut selector = LabelSelector::default();
    selector.match_labels.insert("batch.kubernetes.io/controller-uid".into(), uid.clone());
    spec.selector.get_or_insert(selector);
    let labels = &mut spec.template.metadata.labels;
    for (k, v) in [
        ("batch.kubernetes.io/controller-uid", uid.as_str()),
        ("batch.kubernetes.io/job-name", j.name.as_str()),
        ("controller-uid", uid.as_str()),
        ("job-name", j.name.as_str()),
    ] {
        labels.insert(k.into(), v.into());
    }
    let mut meta_labels = j.labels.clone();
    if meta_labels.is_empty() {
        meta_labels = spec.template.metadata.labels.clone();
    } else {
        meta_labels.insert("batch.kubernetes.io/controller-uid".into(), uid.clone());
        meta_labels.insert("batch.kubernetes.io/job-name".into(), j.name.clone());
        meta_labels.insert("controller-uid".into(), uid.clone());
        meta_labels.insert("job-name".into(), j.name.clone());
    }
    Job {
        meta: model::Meta {
            name: j.name.clone(),
            namespace: j.namespace.to_string(),
            uid,
            labels: meta_labels,
            created: Some(j.created),
            owner: j.owner.as_ref().map(|o| model::OwnerRef {
                api_version: "batch/v1".into(),
                kind: o.kind.clone(),
                name: o.name.clone(),
                uid: uids.cronjob(o.uid),
            }),
            ..Default::default()
        },
        spec,
        status: model::JobStatus {
            conditions: j
                .conditions
                .iter()
                .map(|(kind, status, reason, message, since)| Condition {
                    kind: kind.clone(),
                    status: if *status { "True" } else { "False" }.into(),
                    reason: reason.clone(),
                    message: message.clone(),
                    last_transition: Some(*since),
                    last_heartbeat: Some(*since),
                })
                .collect(),
            start_time: j.start_time,
            completion_time: j.completion_time,
            active: j.active,
            succeeded: j.succeeded,
            failed: j.failed,
        },
    }
}

/// NAME STATUS COMPLETIONS DURATION AGE (+ CONTAINERS IMAGES SELECTOR).
pub fn job_row(job: &Job, now: i64, wide: bool) -> Vec<String> {
    let spec = &job.spec;
    let completions = match (spec.completions, spec.parallelism) {
        (Some(c), _) => format!("{}/{c}", job.status.succeeded),
        (None, Some(p)) if p > 1 => format!("{}/1 of {p}", job.status.succeeded),
        _ => format!("{}/1", job.status.succeeded),
    };
    let duration = match (job.status.start_time, job.status.completion_time) {
        (None, _) => String::new(),
        (Some(start), None) => human_duration(now - truncate_to_seconds(start)),
        (Some(start), Some(end)) => human_duration(truncate_to_seconds(end) - truncate_to_seconds(start)),
    };
    let status = if job.has_condition("Complete") {
        "Complete"
    } else if job.has_condition("Failed") {
        "Failed"
    } else if job.meta.deletion.is_some() {
        "Terminating"
    } else if job.has_condition("Suspended") {
        "Suspended"
    } else if job.has_condition("FailureTarget") {
        "FailureTarget"
    } else if job.has_condition("SuccessCriteriaMet") {
        "SuccessCriteriaMet"
    } else {
        "Running"
    };
    let mut cells = vec![
        job.meta.name.clone(),
        status.into(),
        completions,
        duration,
        translate_timestamp_since(now, job.meta.created),
    ];
    if wide {
        push_template_cells(&mut cells, &spec.template.spec, spec.selector.as_ref());
    }
    cells
}

fn push_template_cells(cells: &mut Vec<String>, spec: &crate::api::pod::PodSpec, selector: Option<&LabelSelector>) {
    let names: Vec<&str> = spec.containers.iter().map(|c| c.name.as_str()).collect();
    let images: Vec<&str> = spec.containers.iter().map(|c| c.image.as_deref().unwrap_or("")).collect();
    cells.push(names.join(","));
    cells.push(images.join(","));
    cells.push(format_label_selector(selector));
}

/// The CronJob as the API server would return it.
pub fn cronjob_to_api(state: &State, c: &CronJobState) -> CronJob {
    let api = &c.api;
    let mut spec = api.spec.clone();
    spec.suspend = Some(c.suspend);
    let active = c
        .active
        .iter()
        .filter_map(|uid| {
            state.job_names.get(uid).map(|(ns, name)| JobReference {
                name: name.clone(),
                namespace: ns.to_string(),
                uid: state.uids.job(*uid),
            })
        })
        .collect();
    CronJob {
        meta: model::Meta {
            name: api.metadata.name.clone(),
            namespace: api.metadata.namespace().to_string(),
            uid: state.uids.cronjob(c.uid),
            labels: api.metadata.labels.clone(),
            annotations: api.metadata.annotations.clone(),
            created: Some(c.created),
            ..Default::default()
        },
        spec,
        active,
        last_schedule: c.last_schedule,
        last_successful: c.last_successful,
    }
}

/// NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE (+ wide columns).
pub fn cronjob_row(cj: &CronJob, now: i64, wide: bool) -> Vec<String> {
    let suspend = match cj.spec.suspend {
        Some(true) => "True",
        Some(false) => "False",
        None => "<unset>",
    };
    let last = match cj.last_schedule {
        Some(t) => translate_timestamp_since(now, Some(t)),
        None => "<none>".into(),
    };
    let mut cells = vec![
        cj.meta.name.clone(),
        cj.spec.schedule.clone(),
        cj.spec.time_zone.clone().unwrap_or_else(|| "<none>".into()),
        suspend.into(),
        cj.active.len().to_string(),
        last,
        translate_timestamp_since(now, cj.meta.created),
    ];
    if wide {
        let job = &cj.spec.job_template.spec;
        push_template_cells(&mut cells, &job.template.spec, job.selector.as_ref());
    }
    cells
}
