//! The Job controller's loop (`pkg/controller/job/job_controller.go`, `syncJob` and
//! `manageJob`): count finished pods, decide whether the Job is done, else create or
//! delete pods to have the wanted number active.

use super::policy;
use crate::api::job::Job as ApiJob;
use crate::apiserver::pods::{CreateError, PodRequest};
use crate::apiserver::record::ObjectRef;
use crate::apiserver::{Change, Ctx, Kind, Watches};
use crate::cluster::job::{JobPhase, JobSpec, Verdict};
use crate::cluster::pod::{Owner, Pod, PodPhase};
use crate::cluster::template::{PodTemplate, RestartPolicy};
use crate::cluster::{Cluster, JobId, PodId};
use crate::engine::{SimTime, TimerToken};
use crate::event::JobEvent;
use crate::trace::EventType;
use std::sync::Arc;

/// `syncJobBatchPeriod`: pod changes reach the controller batched by a second.
const SYNC_JOB_BATCH_PERIOD: u64 = 1_000;
/// `MaxPodCreateDeletePerSync`.
const MAX_POD_CREATE_DELETE_PER_SYNC: usize = 500;

/// The Job controller. Its per-Job state (the work queue's sync timer, the pod-failure
/// back-off) lives in the Job object, in fields only it writes.
#[derive(Default)]
pub struct JobController;

impl JobController {
    /// The change kinds the controller watches: new Jobs, and the pods of Jobs that end,
    /// begin terminating, restart or go.
    pub const WATCHES: Watches =
        Watches::of(&[Kind::JobCreated, Kind::PodPhase, Kind::PodDeleting, Kind::ContainerRestarted, Kind::PodRemoved]);

    pub fn handle(&mut self, ctx: &mut Ctx, event: JobEvent) {
        match event {
            JobEvent::Sync { job, token } => self.job_sync_event(ctx, job, token),
            JobEvent::Ttl { job, token } => {
                let Some(j) = ctx.cluster.jobs.get_mut(job) else { return };
                if j.ttl_timer.fire(token) {
                    ctx.delete_job(job);
                }
            }
        }
    }

    pub fn observe(&mut self, ctx: &mut Ctx, change: &Change) {
        match change {
            // A new Job is synced at once (`enqueueSyncJobImmediately`).
            Change::JobCreated(job) => self.job_enqueue(ctx, *job, ctx.now),
            Change::PodPhase { pod, phase } if phase.is_terminal() => self.pod_changed(ctx, *pod, false),
            Change::PodDeleting(pod) => self.pod_changed(ctx, *pod, false),
            Change::ContainerRestarted(pod) => self.pod_changed(ctx, *pod, true),
            Change::PodRemoved { id, pod } => {
                if let Owner::Job { job, .. } = pod.owner {
                    self.job_pod_removed(ctx, job, *id, pod);
                }
            }
            _ => {}
        }
    }

    /// A pod of a Job finished, began terminating, or (`restart`) restarted a container:
    /// restarts count only for `OnFailure` Jobs, towards their limit.
    fn pod_changed(&mut self, ctx: &mut Ctx, pod: PodId, restart: bool) {
        let Some(Owner::Job { job, .. }) = ctx.cluster.pods.get(pod).map(|p| p.owner) else { return };
        if !restart || ctx.cluster.jobs.get(job).is_some_and(|j| j.spec.on_failure) {
            self.job_pod_changed(ctx, job);
        }
    }

    /// Asks for a sync at `at`; an earlier pending one stands (the work queue's rule).
    fn job_enqueue(&mut self, ctx: &mut Ctx, id: JobId, at: SimTime) {
        let Some(job) = ctx.cluster.jobs.get_mut(id) else { return };
        let Some(token) = job.sync_timer.arm_unless_due_by(&mut job.sync_at, at) else { return };
        ctx.schedule(at.max(ctx.now), JobEvent::Sync { job: id, token });
    }

    fn job_sync_event(&mut self, ctx: &mut Ctx, id: JobId, token: TimerToken) {
        let Some(job) = ctx.cluster.jobs.get_mut(id) else { return };
        if !job.sync_timer.fire(token) {
            return;
        }
        job.sync_at = None;
        self.job_sync(ctx, id);
        ctx.report_job_status(id);
    }

    /// A pod of the Job changed (finished, is terminating, restarted, or is gone):
    /// the controller looks again within `syncJobBatchPeriod`.
    fn job_pod_changed(&mut self, ctx: &mut Ctx, job: JobId) {
        self.job_enqueue(ctx, job, ctx.now.after(SYNC_JOB_BATCH_PERIOD));
    }

    /// `syncJob`.
    fn job_sync(&mut self, ctx: &mut Ctx, id: JobId) {
        let Some(job) = ctx.cluster.jobs.get(id) else { return };
        if job.is_finished() {
            return;
        }
        self.job_count_finished(ctx, id);
        self.job_track_suspension(ctx, id);
        if self.job_check_verdict(ctx, id) {
            self.job_wind_down(ctx, id);
        } else {
            self.job_manage(ctx, id);
            self.job_check_completion(ctx, id);
        }
    }

    /// Counts pods that finished since the last sync: succeeded, failed (by the pod
    /// failure policy), and, unless only failed pods are replaced, terminating ones.
    fn job_count_finished(&mut self, ctx: &mut Ctx, id: JobId) {
        let job = ctx.cluster.jobs.get(id).expect("synced");
        let replace_failed_only = job.spec.replace_failed_only;
        let mut outcomes = Vec::new();
        for pod_id in job.active.iter().copied() {
            let Some(pod) = ctx.cluster.pods.get(pod_id) else {
                outcomes.push((pod_id, None));
                continue;
            };
            let finished_at = policy::finished_time(pod);
            match pod.phase {
                PodPhase::Succeeded => outcomes.push((pod_id, Some((true, finished_at)))),
                PodPhase::Failed => outcomes.push((pod_id, Some((false, finished_at)))),
                _ if pod.deletion.is_some() && !replace_failed_only => {
                    outcomes.push((pod_id, Some((false, finished_at))))
                }
                _ => {}
            }
        }
        let (mut succeeded_at, mut failed_at) = (Vec::new(), Vec::new());
        for (pod_id, outcome) in outcomes {
            ctx.cluster.jobs.get_mut(id).expect("synced").active.remove(&pod_id);
            match outcome {
                Some((true, at)) => {
                    succeeded_at.push(at);
                    self.job_pod_succeeded(ctx, id, pod_id);
                }
                Some((false, at)) => {
                    failed_at.push(at);
                    self.job_pod_failed(ctx, id, pod_id, at);
                }
                None => {}
            }
        }
        self.job_update_backoff(ctx, id, &succeeded_at, &failed_at);
    }

    /// `newBackoffRecord`: the pods that finished since the last sync update the
    /// failures-after-last-success count.
    fn job_update_backoff(&mut self, ctx: &mut Ctx, id: JobId, succeeded: &[SimTime], failed: &[SimTime]) {
        let job = ctx.cluster.jobs.get_mut(id).expect("synced");
        let record = policy::record(job).updated(succeeded, failed);
        job.failures_after_success = record.failures_after_last_success;
        job.last_failure = record.last_failure_time;
    }

    fn job_pod_succeeded(&mut self, ctx: &mut Ctx, id: JobId, pod: PodId) {
        let index = pod_index(ctx.cluster, pod);
        let job = ctx.cluster.jobs.get_mut(id).expect("synced");
        job.succeeded += 1;
        if let Some(i) = index {
            job.succeeded_indexes.insert(i);
        }
    }

    fn job_pod_failed(&mut self, ctx: &mut Ctx, id: JobId, pod: PodId, at: SimTime) {
        let index = pod_index(ctx.cluster, pod);
        let view = ctx.cluster.pods.get(pod).map(policy::FailedPodView::of);
        self.job_count_failure(ctx, id, index, view, at);
    }

    /// Counts one failed pod, as the pod failure policy says.
    fn job_count_failure(
        &mut self,
        ctx: &mut Ctx,
        id: JobId,
        index: Option<u32>,
        view: Option<policy::FailedPodView>,
        at: SimTime,
    ) {
        let job = ctx.cluster.jobs.get(id).expect("synced");
        let decision = policy::decide(&job.spec, view.as_ref());
        let job = ctx.cluster.jobs.get_mut(id).expect("synced");
        if decision.counts {
            job.failed += 1;
        }
        if let Some(i) = index {
            let entry = job.index_failures.entry(i).or_default();
            if decision.counts {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
            let failures = entry.0;
            job.index_last_failure.insert(i, at);
            let over_limit = job.spec.backoff_limit_per_index.is_some_and(|limit| failures > limit);
            if decision.fail_index || over_limit {
                job.failed_indexes.insert(i);
            }
        }
        if let (Some(message), None) = (decision.fail_job, &job.verdict) {
            job.verdict = Some(Verdict { success: false, reason: "PodFailurePolicy", message });
        }
    }

    /// `spec.suspend`: pods go, the Job shows `Suspended`; on resume `startTime` restarts.
    fn job_track_suspension(&mut self, ctx: &mut Ctx, id: JobId) {
        let job = ctx.cluster.jobs.get_mut(id).expect("synced");
        let (ns, name) = (job.namespace.clone(), job.name.clone());
        match (job.suspended, job.phase) {
            (true, JobPhase::Active) => {
                job.start_time = None;
                ctx.set_job_phase(id, JobPhase::Suspended, "JobSuspended");
                ctx.object_event(job_ref(&ns, &name), EventType::Normal, "Suspended", format_args!("Job suspended"));
            }
            (false, JobPhase::Suspended) => {
                ctx.set_job_phase(id, JobPhase::Active, "JobResumed");
                ctx.object_event(job_ref(&ns, &name), EventType::Normal, "Resumed", format_args!("Job resumed"));
            }
            _ => {}
        }
        let job = ctx.cluster.jobs.get_mut(id).expect("synced");
        if !job.suspended && job.start_time.is_none() {
            job.start_time = Some(ctx.now);
            if let Some(deadline) = job.spec.active_deadline {
                let at = ctx.now.after(deadline);
                self.job_enqueue(ctx, id, at);
            }
        }
    }

    /// The finished-condition checks of `syncJob`, first match wins. True when the Job
    /// has a verdict (now or from before).
    fn job_check_verdict(&mut self, ctx: &mut Ctx, id: JobId) -> bool {
        let now = ctx.now;
        let job = ctx.cluster.jobs.get(id).expect("synced");
        if job.verdict.is_some() {
            return true;
        }
        let spec = job.spec.clone();
        let restarts = if spec.on_failure { job_restart_count(ctx.cluster, id) } else { 0 };
        let job = ctx.cluster.jobs.get(id).expect("synced");
        let verdict = if job.failed > spec.backoff_limit
            || (spec.on_failure && (restarts >= spec.backoff_limit && (spec.backoff_limit > 0 || restarts > 0)))
        {
            Some(Verdict {
                success: false,
                reason: "BackoffLimitExceeded",
                message: "Job has reached the specified backoff limit".into(),
            })
        } else if let (Some(deadline), Some(start), false) = (spec.active_deadline, job.start_time, job.suspended)
            && now.since(start) >= deadline
        {
            Some(Verdict {
                success: false,
                reason: "DeadlineExceeded",
                message: "Job was active longer than specified deadline".into(),
            })
        } else if let Some(v) = policy::index_verdict(&spec, job) {
            Some(v)
        } else {
            policy::success_policy_verdict(&spec, job)
        };
        let Some(verdict) = verdict else { return false };
        let job = ctx.cluster.jobs.get_mut(id).expect("synced");
        job.verdict = Some(verdict);
        true
    }

    /// A verdict is in: record the interim condition, delete the active pods, and once
    /// none is left, the final condition.
    fn job_wind_down(&mut self, ctx: &mut Ctx, id: JobId) {
        let job = ctx.cluster.jobs.get(id).expect("synced");
        let verdict = job.verdict.clone().expect("checked");
        let interim = if verdict.success { JobPhase::SuccessCriteriaMet } else { JobPhase::FailureTarget };
        ctx.set_job_phase(id, interim, verdict.reason);
        let doomed: Vec<PodId> = ctx.cluster.jobs.get(id).expect("synced").active.iter().copied().collect();
        for pod in doomed.iter().take(MAX_POD_CREATE_DELETE_PER_SYNC) {
            self.job_delete_pod(ctx, id, *pod);
        }
        if job_terminating(ctx.cluster, id) == 0 && ctx.cluster.jobs.get(id).is_some_and(|j| j.active.is_empty()) {
            self.job_finish(ctx, id, verdict);
        } else {
            self.job_pod_changed(ctx, id);
        }
    }

    fn job_finish(&mut self, ctx: &mut Ctx, id: JobId, verdict: Verdict) {
        let now = ctx.now;
        let job = ctx.cluster.jobs.get_mut(id).expect("synced");
        let to = if verdict.success { JobPhase::Complete } else { JobPhase::Failed };
        job.finish_time = Some(now);
        let (ns, name, ttl) = (job.namespace.clone(), job.name.clone(), job.spec.ttl_after_finished);
        let duration = now.since(job.start_time.unwrap_or(job.created));
        let pods = job.pods_created;
        ctx.set_job_phase(id, to, verdict.reason);
        if verdict.success {
            ctx.rec.counters.jobs.completed += 1;
            ctx.rec.counters.jobs.duration.record(duration);
            ctx.object_event(job_ref(&ns, &name), EventType::Normal, "Completed", format_args!("Job completed"));
        } else {
            *ctx.rec.counters.jobs.failed.entry(verdict.reason.to_string()).or_default() += 1;
            ctx.object_event(
                job_ref(&ns, &name),
                EventType::Warning,
                verdict.reason,
                format_args!("{}", verdict.message),
            );
        }
        ctx.rec.counters.jobs.pods_per_job.record(u64::from(pods));
        if let Some(ttl) = ttl {
            let job = ctx.cluster.jobs.get_mut(id).expect("synced");
            let token = job.ttl_timer.arm();
            ctx.at(ttl, JobEvent::Ttl { job: id, token });
        }
    }

    /// Success by completions: `SuccessCriteriaMet` (CompletionsReached), then
    /// `Complete` once no pod is left.
    fn job_check_completion(&mut self, ctx: &mut Ctx, id: JobId) {
        let job = ctx.cluster.jobs.get(id).expect("synced");
        let active = job.active.len();
        let done = match (job.spec.completions, job.spec.indexed) {
            (None, _) => job.succeeded > 0 && active == 0,
            (Some(c), true) => job.succeeded_indexes.total() >= u64::from(c) && active == 0,
            (Some(c), false) => job.succeeded >= c && active == 0,
        };
        if done && !job.suspended {
            let verdict = Verdict {
                success: true,
                reason: "CompletionsReached",
                message: "Reached expected number of succeeded pods".into(),
            };
            ctx.cluster.jobs.get_mut(id).expect("synced").verdict = Some(verdict);
            self.job_wind_down(ctx, id);
        }
    }

    /// `manageJob`: delete pods beyond the wanted number, or create the missing ones
    /// (after the pod-failure back-off, at most 500 per sync).
    fn job_manage(&mut self, ctx: &mut Ctx, id: JobId) {
        let job = ctx.cluster.jobs.get(id).expect("synced");
        let active: Vec<PodId> = job
            .active
            .iter()
            .copied()
            .filter(|p| ctx.cluster.pods.get(*p).is_some_and(|p| p.deletion.is_none()))
            .collect();
        let want = if job.suspended {
            0
        } else {
            match job.spec.completions {
                None if job.succeeded > 0 => active.len() as u32,
                None => job.parallelism,
                Some(c) => {
                    let done = if job.spec.indexed { job.succeeded_indexes.total() as u32 } else { job.succeeded };
                    c.saturating_sub(done).min(job.parallelism)
                }
            }
        };
        if active.len() as u32 > want {
            let excess = active.len() - want as usize;
            for pod in removal_order(ctx.cluster, active).into_iter().take(excess.min(MAX_POD_CREATE_DELETE_PER_SYNC)) {
                self.job_delete_pod(ctx, id, pod);
            }
            return;
        }
        let job = ctx.cluster.jobs.get(id).expect("synced");
        let terminating = if job.spec.replace_failed_only { job_terminating(ctx.cluster, id) as u32 } else { 0 };
        let diff = want.saturating_sub(terminating + active.len() as u32) as usize;
        if diff == 0 {
            return;
        }
        if let Some(wait) = policy::remaining_backoff(job, ctx.now) {
            self.job_enqueue(ctx, id, ctx.now.after(wait));
            return;
        }
        let diff = diff.min(MAX_POD_CREATE_DELETE_PER_SYNC);
        // A refused create ends the sync (`slowStartBatch` stops at the first error).
        if !job.spec.indexed {
            for _ in 0..diff {
                if !self.job_create_pod(ctx, id, None) {
                    return;
                }
            }
            return;
        }
        let active_indexes: Vec<u32> = job.active.iter().filter_map(|p| pod_index(ctx.cluster, *p)).collect();
        let (indexes, wait) = policy::indexes_to_create(job, diff, ctx.now, &active_indexes);
        for i in indexes {
            if !self.job_create_pod(ctx, id, Some(i)) {
                return;
            }
        }
        if let Some(wait) = wait {
            self.job_enqueue(ctx, id, ctx.now.after(wait));
        }
    }

    /// Creates one pod of the Job; false when the API server refused it.
    fn job_create_pod(&mut self, ctx: &mut Ctx, id: JobId, index: Option<u32>) -> bool {
        let job = ctx.cluster.jobs.get(id).expect("synced");
        let (ns, job_name, template) = (job.namespace.clone(), job.name.clone(), job.spec.template.clone());
        let (labels, annotations, prefix) = match index {
            // Joined, not formatted: `format!` took 850 instructions a pod on a CronJob fleet.
            None => (job.pod_labels.clone(), Arc::new(job.spec.pod_annotations.clone()), [&*job_name, "-"].concat()),
            Some(i) => {
                // Indexed pods carry their index as a label and an annotation.
                let key = "batch.kubernetes.io/job-completion-index";
                let mut labels = (*job.pod_labels).clone();
                labels.insert(key.into(), i.to_string());
                let mut annotations = job.spec.pod_annotations.clone();
                annotations.insert(key.into(), i.to_string());
                (Arc::new(labels), Arc::new(annotations), format!("{job_name}-{i}-"))
            }
        };
        let request = PodRequest {
            namespace: ns.to_string(),
            name: String::new(),
            generate_name: Some(prefix),
            labels,
            annotations,
            template,
            owner: Owner::Job { job: id, index },
        };
        let pod = match ctx.create_pod(request) {
            Ok(pod) => pod,
            Err(CreateError::Forbidden(message)) => {
                self.job_create_failed(ctx, id, &message);
                return false;
            }
            Err(CreateError::AlreadyExists) => return false,
        };
        let job = ctx.cluster.jobs.get_mut(id).expect("synced");
        job.create_failures = 0;
        job.active.insert(pod);
        job.pods.insert(pod);
        job.pods_created += 1;
        let pod_name = ctx.cluster.pods.get(pod).map(|p| p.name.clone()).unwrap_or_else(|| Arc::from(""));
        ctx.object_event(job_ref(&ns, &job_name), EventType::Normal, "SuccessfulCreate", ["Created pod: ", &*pod_name]);
        true
    }

    /// The API server refused a pod of the Job: `FailedCreate`, and the sync is retried
    /// after the work queue's back-off (`DefaultJobApiBackOff` 1 s doubling to
    /// `MaxJobApiBackOff` 60 s).
    fn job_create_failed(&mut self, ctx: &mut Ctx, id: JobId, message: &str) {
        let Some(job) = ctx.cluster.jobs.get_mut(id) else { return };
        job.create_failures += 1;
        let backoff = (1_000u64 << (job.create_failures - 1).min(6)).min(60_000);
        let (ns, job_name) = (job.namespace.clone(), job.name.clone());
        ctx.object_event(
            job_ref(&ns, &job_name),
            EventType::Warning,
            "FailedCreate",
            format_args!("Error creating: {message}"),
        );
        self.job_enqueue(ctx, id, ctx.now.after(backoff));
    }

    fn job_delete_pod(&mut self, ctx: &mut Ctx, id: JobId, pod: PodId) {
        let Some(job) = ctx.cluster.jobs.get(id) else { return };
        let (ns, job_name) = (job.namespace.clone(), job.name.clone());
        let Some(p) = ctx.cluster.pods.get(pod) else { return };
        if p.deletion.is_some() || p.phase.is_terminal() {
            return;
        }
        let pod_name = p.name.clone();
        ctx.delete_pod(pod, None);
        ctx.object_event(job_ref(&ns, &job_name), EventType::Normal, "SuccessfulDelete", ["Deleted pod: ", &*pod_name]);
    }

    /// `kubectl patch job ... spec.suspend` / `spec.parallelism`.
    pub fn patch(&mut self, ctx: &mut Ctx, id: JobId, suspend: Option<bool>, parallelism: Option<u32>) {
        let Some(job) = ctx.cluster.jobs.get_mut(id) else { return };
        if let Some(s) = suspend {
            job.suspended = s;
        }
        if let Some(p) = parallelism {
            job.parallelism = p;
        }
        self.job_enqueue(ctx, id, ctx.now);
    }

    /// A pod of a Job left the API; if it was not counted yet, it is counted now by
    /// its last phase (Kubernetes' tracking finalizer guarantees the same).
    fn job_pod_removed(&mut self, ctx: &mut Ctx, job: JobId, id: PodId, pod: &Pod) {
        let Some(j) = ctx.cluster.jobs.get_mut(job) else { return };
        j.pods.remove(&id);
        if j.active.remove(&id) && !j.is_finished() {
            let index = match pod.owner {
                Owner::Job { index, .. } => index,
                Owner::None | Owner::ReplicaSet(_) | Owner::DaemonSet(_) | Owner::StatefulSet(_) => None,
            };
            let at = policy::finished_time(pod);
            if pod.phase == PodPhase::Succeeded {
                let j = ctx.cluster.jobs.get_mut(job).expect("exists");
                j.succeeded += 1;
                if let Some(i) = index {
                    j.succeeded_indexes.insert(i);
                }
                self.job_update_backoff(ctx, job, &[at], &[]);
            } else {
                self.job_count_failure(ctx, job, index, Some(policy::FailedPodView::of(pod)), at);
                self.job_update_backoff(ctx, job, &[], &[at]);
            }
        }
        self.job_pod_changed(ctx, job);
    }
}

fn pod_index(cluster: &Cluster, pod: PodId) -> Option<u32> {
    match cluster.pods.get(pod)?.owner {
        Owner::Job { index, .. } => index,
        Owner::None | Owner::ReplicaSet(_) | Owner::DaemonSet(_) | Owner::StatefulSet(_) => None,
    }
}

/// Σ restartCount of the containers of the Job's active pods (for `OnFailure`).
fn job_restart_count(cluster: &Cluster, id: JobId) -> u32 {
    let job = cluster.jobs.get(id).expect("synced");
    job.active
        .iter()
        .filter_map(|p| cluster.pods.get(*p))
        .map(|p| p.containers.iter().map(|c| c.restart_count).sum::<u32>())
        .sum()
}

/// Pods of the Job still stopping (deleted, not yet in a final phase).
fn job_terminating(cluster: &Cluster, id: JobId) -> usize {
    let job = cluster.jobs.get(id).expect("synced");
    job.pods
        .iter()
        .filter_map(|p| cluster.pods.get(*p))
        .filter(|p| p.deletion.is_some() && !p.phase.is_terminal())
        .count()
}

/// `controller.ActivePods` order, the cheapest to lose first: unassigned before
/// assigned, pending before running, not ready before ready, more restarts first,
/// newer before older.
fn removal_order(cluster: &Cluster, mut pods: Vec<PodId>) -> Vec<PodId> {
    pods.sort_by_key(|id| {
        let p = cluster.pods.get(*id).expect("active pods exist");
        let restarts: u32 = p.containers.iter().map(|c| c.restart_count).sum();
        (
            p.node.is_some(),
            p.phase == PodPhase::Running,
            p.ready,
            std::cmp::Reverse(restarts),
            std::cmp::Reverse(p.created),
            *id,
        )
    });
    pods
}

fn job_ref<'a>(namespace: &'a str, name: &'a str) -> ObjectRef<'a> {
    ObjectRef::of("Job", namespace, name)
}

/// A Job from a manifest or an arrival stream (copies are named `<name>-<n>`).
pub fn create_from_manifest(ctx: &mut Ctx, api: &ApiJob, copy: Option<u64>) {
    let name = match (copy, &api.metadata.generate_name) {
        (_, Some(prefix)) if api.metadata.name.is_empty() => ctx.generated_name(prefix),
        (Some(n), _) => format!("{}-{n}", api.metadata.name),
        (None, _) => api.metadata.name.clone(),
    };
    let spec = compile_spec(ctx.cluster, &api.spec);
    let ns = api.metadata.namespace().to_string();
    ctx.create_job(&ns, &name, api.metadata.labels.clone(), Arc::new(spec), None);
}

/// Compiles a Job spec (and its pod template) once; CronJob children share it.
pub fn compile_spec(cluster: &mut Cluster, spec: &crate::api::job::JobSpec) -> JobSpec {
    let template = PodTemplate::compile(
        Arc::new(spec.template.spec.clone()),
        &mut cluster.resources,
        &mut cluster.images,
        cluster.api.default_tolerations,
    );
    let secs = |s: i64| u64::try_from(s).unwrap_or(0) * 1000;
    let per_index = spec.backoff_limit_per_index.map(|b| b.max(0) as u32);
    JobSpec {
        completions: spec.completions.map(|c| c.max(0) as u32),
        parallelism: spec.parallelism.unwrap_or(1).max(0) as u32,
        indexed: spec.completion_mode.as_deref() == Some("Indexed"),
        backoff_limit: spec.backoff_limit.unwrap_or(if per_index.is_some() { i32::MAX } else { 6 }).max(0) as u32,
        backoff_limit_per_index: per_index,
        max_failed_indexes: spec.max_failed_indexes.map(|m| m.max(0) as u32),
        active_deadline: spec.active_deadline_seconds.map(secs),
        ttl_after_finished: spec.ttl_seconds_after_finished.map(|t| secs(t.into())),
        replace_failed_only: spec.pod_replacement_policy.as_deref() == Some("Failed")
            || (spec.pod_replacement_policy.is_none() && spec.pod_failure_policy.is_some()),
        on_failure: template.restart_policy == RestartPolicy::OnFailure,
        pod_labels: spec.template.metadata.labels.clone(),
        pod_annotations: spec.template.metadata.annotations.clone(),
        template: Arc::new(template),
        api: Arc::new(spec.clone()),
    }
}
