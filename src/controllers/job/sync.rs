//! The Job controller's loop (`pkg/controller/job/job_controller.go`, `syncJob` and
//! `manageJob`): count finished pods, decide whether the Job is done, else create or
//! delete pods to have the wanted number active.

use super::policy;
use crate::api::ObjectMeta;
use crate::api::job::Job as ApiJob;
use crate::cluster::job::{Job, JobPhase, JobSpec, Verdict};
use crate::cluster::pod::{Owner, PodPhase};
use crate::cluster::template::{PodTemplate, RestartPolicy};
use crate::cluster::{CronJobId, JobId, PodId};
use crate::engine::{SimTime, TimerToken};
use crate::sim::admission::PodRequest;
use crate::sim::record::ObjectRef;
use crate::sim::{Event, Simulation};
use std::collections::BTreeMap;
use std::sync::Arc;

/// `syncJobBatchPeriod`: pod changes reach the controller batched by a second.
const SYNC_JOB_BATCH_PERIOD: u64 = 1_000;
/// `MaxPodCreateDeletePerSync`.
const MAX_POD_CREATE_DELETE_PER_SYNC: usize = 500;

impl Simulation {
    /// Compiles a Job spec (and its pod template) once; CronJob children share it.
    pub(crate) fn compile_job_spec(&mut self, spec: &crate::api::job::JobSpec, _meta: &ObjectMeta) -> JobSpec {
        let template = PodTemplate::compile(
            Arc::new(spec.template.spec.clone()),
            &mut self.cluster.resources,
            &mut self.cluster.images,
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

    /// A Job from a manifest or an arrival stream (copies are named `<name>-<n>`).
    pub(crate) fn create_job(&mut self, api: &ApiJob, copy: Option<u64>) {
        let name = match (copy, &api.metadata.generate_name) {
            (_, Some(prefix)) if api.metadata.name.is_empty() => self.generated_name(prefix),
            (Some(n), _) => format!("{}-{n}", api.metadata.name),
            (None, _) => api.metadata.name.clone(),
        };
        let spec = self.compile_job_spec(&api.spec, &api.spec.template.metadata);
        let ns = api.metadata.namespace().to_string();
        self.create_job_object(&ns, &name, api.metadata.labels.clone(), Arc::new(spec), None, None);
    }

    pub(crate) fn create_job_object(
        &mut self,
        namespace: &str,
        name: &str,
        labels: BTreeMap<String, String>,
        spec: Arc<JobSpec>,
        owner: Option<CronJobId>,
        scheduled: Option<i64>,
    ) -> Option<JobId> {
        let ns = self.cluster.intern_namespace(namespace);
        if self.cluster.job_by_name.contains(&ns, name) {
            self.warn_once(format!("job {namespace}/{name} already exists: the second create was refused"));
            return None;
        }
        self.cluster.objects_created += 1;
        let suspended = spec.api.suspend.unwrap_or(false);
        let uid = self.cluster.objects_created;
        let pod_labels = Arc::new(job_pod_labels(&spec, uid, name));
        let job = Job {
            uid,
            namespace: ns.clone(),
            name: Arc::from(name),
            labels,
            pod_labels,
            parallelism: spec.parallelism,
            spec,
            owner,
            scheduled,
            created: self.now,
            start_time: None,
            finish_time: None,
            phase: if suspended { JobPhase::Suspended } else { JobPhase::Active },
            suspended,
            active: Default::default(),
            pods: Default::default(),
            succeeded: 0,
            failed: 0,
            succeeded_indexes: Default::default(),
            failed_indexes: Default::default(),
            index_failures: Default::default(),
            failures_after_success: 0,
            last_failure: None,
            index_last_failure: Default::default(),
            verdict: None,
            pods_created: 0,
            sync_timer: Default::default(),
            sync_at: None,
            create_failures: 0,
            ttl_timer: Default::default(),
            reported: None,
        };
        let (phase, shared_name) = (job.phase, job.name.clone());
        let id = self.cluster.jobs.insert(job);
        self.cluster.job_by_name.insert(&ns, &shared_name, id);
        self.counters.jobs.created += 1;
        self.record_job_object(id);
        self.record_object_transition("Job", &ns, name, "", phase.as_str(), "");
        // A new Job is synced at once (`enqueueSyncJobImmediately`).
        self.job_enqueue(id, self.now);
        Some(id)
    }

    /// Asks for a sync at `at`; an earlier pending one stands (the work queue's rule).
    pub(crate) fn job_enqueue(&mut self, id: JobId, at: SimTime) {
        let Some(job) = self.cluster.jobs.get_mut(id) else { return };
        if job.sync_at.is_some_and(|t| t <= at) && job.sync_timer.is_armed() {
            return;
        }
        job.sync_at = Some(at);
        let token = job.sync_timer.arm();
        self.queue.schedule(at.max(self.now), Event::JobSync { job: id, token });
    }

    pub(crate) fn job_sync_event(&mut self, id: JobId, token: TimerToken) {
        let Some(job) = self.cluster.jobs.get_mut(id) else { return };
        if !job.sync_timer.fire(token) {
            return;
        }
        job.sync_at = None;
        self.job_sync(id);
        self.report_job_status(id);
    }

    /// A pod of the Job changed (finished, is terminating, restarted, or is gone):
    /// the controller looks again within `syncJobBatchPeriod`.
    pub(crate) fn job_pod_changed(&mut self, job: JobId) {
        self.job_enqueue(job, self.now.after(SYNC_JOB_BATCH_PERIOD));
    }

    /// `syncJob`.
    fn job_sync(&mut self, id: JobId) {
        let Some(job) = self.cluster.jobs.get(id) else { return };
        if job.is_finished() {
            return;
        }
        self.job_count_finished(id);
        self.job_track_suspension(id);
        if self.job_check_verdict(id) {
            self.job_wind_down(id);
        } else {
            self.job_manage(id);
            self.job_check_completion(id);
        }
    }

    /// Counts pods that finished since the last sync: succeeded, failed (by the pod
    /// failure policy), and, unless only failed pods are replaced, terminating ones.
    fn job_count_finished(&mut self, id: JobId) {
        let job = self.cluster.jobs.get(id).expect("synced");
        let replace_failed_only = job.spec.replace_failed_only;
        let mut outcomes = Vec::new();
        for pod_id in job.active.iter().copied() {
            let Some(pod) = self.cluster.pods.get(pod_id) else {
                outcomes.push((pod_id, None));
                continue;
            };
            let finished_at = pod.finished_at.unwrap_or(self.now);
            match pod.phase {
                PodPhase::Succeeded => outcomes.push((pod_id, Some((true, finished_at)))),
                PodPhase::Failed => outcomes.push((pod_id, Some((false, finished_at)))),
                _ if pod.deletion.is_some() && !replace_failed_only => {
                    outcomes.push((pod_id, Some((false, pod.deletion.map_or(self.now, |d| d.requested_at)))))
                }
                _ => {}
            }
        }
        let (mut succeeded_at, mut failed_at) = (Vec::new(), Vec::new());
        for (pod_id, outcome) in outcomes {
            self.cluster.jobs.get_mut(id).expect("synced").active.remove(&pod_id);
            match outcome {
                Some((true, at)) => {
                    succeeded_at.push(at);
                    self.job_pod_succeeded(id, pod_id);
                }
                Some((false, at)) => {
                    failed_at.push(at);
                    self.job_pod_failed(id, pod_id, at);
                }
                None => {}
            }
        }
        self.job_update_backoff(id, &succeeded_at, &failed_at);
    }

    /// `newBackoffRecord`: the pods that finished since the last sync update the
    /// failures-after-last-success count.
    fn job_update_backoff(&mut self, id: JobId, succeeded: &[SimTime], failed: &[SimTime]) {
        let job = self.cluster.jobs.get_mut(id).expect("synced");
        let record = policy::record(job).updated(succeeded, failed);
        job.failures_after_success = record.failures_after_last_success;
        job.last_failure = record.last_failure_time;
    }

    fn job_pod_succeeded(&mut self, id: JobId, pod: PodId) {
        let index = self.pod_index(pod);
        let job = self.cluster.jobs.get_mut(id).expect("synced");
        job.succeeded += 1;
        if let Some(i) = index {
            job.succeeded_indexes.insert(i);
        }
    }

    fn job_pod_failed(&mut self, id: JobId, pod: PodId, at: SimTime) {
        let index = self.pod_index(pod);
        let view = self.cluster.pods.get(pod).map(policy::FailedPodView::of);
        self.job_count_failure(id, index, view, at);
    }

    /// Counts one failed pod, as the pod failure policy says.
    fn job_count_failure(&mut self, id: JobId, index: Option<u32>, view: Option<policy::FailedPodView>, at: SimTime) {
        let job = self.cluster.jobs.get(id).expect("synced");
        let decision = policy::decide(&job.spec, view.as_ref());
        let job = self.cluster.jobs.get_mut(id).expect("synced");
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

    fn pod_index(&self, pod: PodId) -> Option<u32> {
        match self.cluster.pods.get(pod)?.owner {
            Owner::Job { index, .. } => index,
            Owner::None => None,
        }
    }

    /// `spec.suspend`: pods go, the Job shows `Suspended`; on resume `startTime` restarts.
    fn job_track_suspension(&mut self, id: JobId) {
        let job = self.cluster.jobs.get_mut(id).expect("synced");
        let (ns, name) = (job.namespace.clone(), job.name.clone());
        match (job.suspended, job.phase) {
            (true, JobPhase::Active) => {
                job.phase = JobPhase::Suspended;
                job.start_time = None;
                self.record_object_transition("Job", &ns, &name, "Active", "Suspended", "JobSuspended");
                self.object_event(job_ref(&ns, &name), false, "Suspended", format_args!("Job suspended"));
            }
            (false, JobPhase::Suspended) => {
                job.phase = JobPhase::Active;
                self.record_object_transition("Job", &ns, &name, "Suspended", "Active", "JobResumed");
                self.object_event(job_ref(&ns, &name), false, "Resumed", format_args!("Job resumed"));
            }
            _ => {}
        }
        let job = self.cluster.jobs.get_mut(id).expect("synced");
        if !job.suspended && job.start_time.is_none() {
            job.start_time = Some(self.now);
            if let Some(deadline) = job.spec.active_deadline {
                let at = self.now.after(deadline);
                self.job_enqueue(id, at);
            }
        }
    }

    /// The finished-condition checks of `syncJob`, first match wins. True when the Job
    /// has a verdict (now or from before).
    fn job_check_verdict(&mut self, id: JobId) -> bool {
        let now = self.now;
        let job = self.cluster.jobs.get(id).expect("synced");
        if job.verdict.is_some() {
            return true;
        }
        let spec = job.spec.clone();
        let restarts = if spec.on_failure { self.job_restart_count(id) } else { 0 };
        let job = self.cluster.jobs.get(id).expect("synced");
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
        let job = self.cluster.jobs.get_mut(id).expect("synced");
        job.verdict = Some(verdict);
        true
    }

    /// Σ restartCount of the containers of the Job's active pods (for `OnFailure`).
    fn job_restart_count(&self, id: JobId) -> u32 {
        let job = self.cluster.jobs.get(id).expect("synced");
        job.active
            .iter()
            .filter_map(|p| self.cluster.pods.get(*p))
            .map(|p| p.containers.iter().map(|c| c.restart_count).sum::<u32>())
            .sum()
    }

    /// A verdict is in: record the interim condition, delete the active pods, and once
    /// none is left, the final condition.
    fn job_wind_down(&mut self, id: JobId) {
        let job = self.cluster.jobs.get(id).expect("synced");
        let verdict = job.verdict.clone().expect("checked");
        let (ns, name) = (job.namespace.clone(), job.name.clone());
        let interim = if verdict.success { JobPhase::SuccessCriteriaMet } else { JobPhase::FailureTarget };
        if job.phase != interim {
            let from = job.phase;
            self.cluster.jobs.get_mut(id).expect("synced").phase = interim;
            self.record_object_transition("Job", &ns, &name, from.as_str(), interim.as_str(), verdict.reason);
        }
        let doomed: Vec<PodId> = self.cluster.jobs.get(id).expect("synced").active.iter().copied().collect();
        for pod in doomed.iter().take(MAX_POD_CREATE_DELETE_PER_SYNC) {
            self.job_delete_pod(id, *pod);
        }
        if self.job_terminating(id) == 0 && self.cluster.jobs.get(id).is_some_and(|j| j.active.is_empty()) {
            self.job_finish(id, verdict);
        } else {
            self.job_pod_changed(id);
        }
    }

    /// Pods of the Job still stopping (deleted, not yet in a final phase).
    fn job_terminating(&self, id: JobId) -> usize {
        let job = self.cluster.jobs.get(id).expect("synced");
        job.pods
            .iter()
            .filter_map(|p| self.cluster.pods.get(*p))
            .filter(|p| p.deletion.is_some() && !p.phase.is_terminal())
            .count()
    }

    fn job_finish(&mut self, id: JobId, verdict: Verdict) {
        let now = self.now;
        let job = self.cluster.jobs.get_mut(id).expect("synced");
        let from = job.phase;
        let to = if verdict.success { JobPhase::Complete } else { JobPhase::Failed };
        job.phase = to;
        job.finish_time = Some(now);
        let (ns, name, owner, ttl) = (job.namespace.clone(), job.name.clone(), job.owner, job.spec.ttl_after_finished);
        let duration = now.since(job.start_time.unwrap_or(job.created));
        let pods = job.pods_created;
        self.record_object_transition("Job", &ns, &name, from.as_str(), to.as_str(), verdict.reason);
        if verdict.success {
            self.counters.jobs.completed += 1;
            self.counters.jobs.duration.record(duration);
            self.object_event(job_ref(&ns, &name), false, "Completed", format_args!("Job completed"));
        } else {
            *self.counters.jobs.failed.entry(verdict.reason.to_string()).or_default() += 1;
            self.object_event(job_ref(&ns, &name), true, verdict.reason, format_args!("{}", verdict.message));
        }
        self.counters.jobs.pods_per_job.record(u64::from(pods));
        if let Some(ttl) = ttl {
            let job = self.cluster.jobs.get_mut(id).expect("synced");
            let token = job.ttl_timer.arm();
            self.at(ttl, Event::JobTtl { job: id, token });
        }
        if let Some(cj) = owner {
            self.cronjob_job_changed(cj);
        }
    }

    /// Success by completions: `SuccessCriteriaMet` (CompletionsReached), then
    /// `Complete` once no pod is left.
    fn job_check_completion(&mut self, id: JobId) {
        let job = self.cluster.jobs.get(id).expect("synced");
        let active = job.active.len();
        let done = match (job.spec.completions, job.spec.indexed) {
            (None, _) => job.succeeded > 0 && active == 0,
            (Some(c), true) => job.succeeded_indexes.len() as u32 >= c && active == 0,
            (Some(c), false) => job.succeeded >= c && active == 0,
        };
        if done && !job.suspended {
            let verdict = Verdict {
                success: true,
                reason: "CompletionsReached",
                message: "Reached expected number of succeeded pods".into(),
            };
            self.cluster.jobs.get_mut(id).expect("synced").verdict = Some(verdict);
            self.job_wind_down(id);
        }
    }

    /// `manageJob`: delete pods beyond the wanted number, or create the missing ones
    /// (after the pod-failure back-off, at most 500 per sync).
    fn job_manage(&mut self, id: JobId) {
        let job = self.cluster.jobs.get(id).expect("synced");
        let active: Vec<PodId> = job
            .active
            .iter()
            .copied()
            .filter(|p| self.cluster.pods.get(*p).is_some_and(|p| p.deletion.is_none()))
            .collect();
        let want = if job.suspended {
            0
        } else {
            match job.spec.completions {
                None if job.succeeded > 0 => active.len() as u32,
                None => job.parallelism,
                Some(c) => {
                    let done = if job.spec.indexed { job.succeeded_indexes.len() as u32 } else { job.succeeded };
                    c.saturating_sub(done).min(job.parallelism)
                }
            }
        };
        if active.len() as u32 > want {
            let excess = active.len() - want as usize;
            for pod in self.removal_order(active).into_iter().take(excess.min(MAX_POD_CREATE_DELETE_PER_SYNC)) {
                self.job_delete_pod(id, pod);
            }
            return;
        }
        let job = self.cluster.jobs.get(id).expect("synced");
        let terminating = if job.spec.replace_failed_only { self.job_terminating(id) as u32 } else { 0 };
        let diff = want.saturating_sub(terminating + active.len() as u32) as usize;
        if diff == 0 {
            return;
        }
        if let Some(wait) = policy::remaining_backoff(job, self.now) {
            self.job_enqueue(id, self.now.after(wait));
            return;
        }
        let diff = diff.min(MAX_POD_CREATE_DELETE_PER_SYNC);
        // A refused create ends the sync (`slowStartBatch` stops at the first error).
        if !job.spec.indexed {
            for _ in 0..diff {
                if !self.job_create_pod(id, None) {
                    return;
                }
            }
            return;
        }
        let active_indexes: Vec<u32> = job.active.iter().filter_map(|p| self.pod_index(*p)).collect();
        let (indexes, wait) = policy::indexes_to_create(job, diff, self.now, &active_indexes);
        for i in indexes {
            if !self.job_create_pod(id, Some(i)) {
                return;
            }
        }
        if let Some(wait) = wait {
            self.job_enqueue(id, self.now.after(wait));
        }
    }

    /// `controller.ActivePods` order, the cheapest to lose first: unassigned before
    /// assigned, pending before running, not ready before ready, more restarts first,
    /// newer before older.
    fn removal_order(&self, mut pods: Vec<PodId>) -> Vec<PodId> {
        pods.sort_by_key(|id| {
            let p = self.cluster.pods.get(*id).expect("active pods exist");
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

    /// Creates one pod of the Job; false when the API server refused it.
    fn job_create_pod(&mut self, id: JobId, index: Option<u32>) -> bool {
        let job = self.cluster.jobs.get(id).expect("synced");
        let (ns, job_name, template) = (job.namespace.clone(), job.name.clone(), job.spec.template.clone());
        let (labels, annotations, prefix) = match index {
            None => (job.pod_labels.clone(), Arc::new(job.spec.pod_annotations.clone()), format!("{job_name}-")),
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
        let Some(pod) = self.create_pod(request) else { return false };
        let job = self.cluster.jobs.get_mut(id).expect("synced");
        job.create_failures = 0;
        job.active.insert(pod);
        job.pods.insert(pod);
        job.pods_created += 1;
        let pod_name = self.cluster.pods.get(pod).map(|p| p.name.clone()).unwrap_or_else(|| Arc::from(""));
        self.object_event(job_ref(&ns, &job_name), false, "SuccessfulCreate", format_args!("Created pod: {pod_name}"));
        true
    }

    /// The API server refused a pod of the Job: `FailedCreate`, and the sync is retried
    /// after the work queue's back-off (`DefaultJobApiBackOff` 1 s doubling to
    /// `MaxJobApiBackOff` 60 s).
    pub(crate) fn job_create_failed(&mut self, id: JobId, message: &str) {
        let Some(job) = self.cluster.jobs.get_mut(id) else { return };
        job.create_failures += 1;
        let backoff = (1_000u64 << (job.create_failures - 1).min(6)).min(60_000);
        let (ns, job_name) = (job.namespace.clone(), job.name.clone());
        self.object_event(job_ref(&ns, &job_name), true, "FailedCreate", format_args!("Error creating: {message}"));
        self.job_enqueue(id, self.now.after(backoff));
    }

    fn job_delete_pod(&mut self, id: JobId, pod: PodId) {
        let Some(job) = self.cluster.jobs.get(id) else { return };
        let (ns, job_name) = (job.namespace.clone(), job.name.clone());
        let Some(p) = self.cluster.pods.get(pod) else { return };
        if p.deletion.is_some() || p.phase.is_terminal() {
            return;
        }
        let pod_name = p.name.clone();
        self.delete_pod(pod, None);
        self.object_event(job_ref(&ns, &job_name), false, "SuccessfulDelete", format_args!("Deleted pod: {pod_name}"));
    }

    /// The Job object is deleted (by a user, its TTL, or its CronJob); its pods follow
    /// (cascading deletion by the garbage collector).
    pub(crate) fn delete_job(&mut self, id: JobId) {
        let Some(job) = self.cluster.jobs.remove(id) else { return };
        self.record_job_removed(job.uid);
        self.cluster.job_by_name.remove(&job.namespace, &job.name);
        self.counters.jobs.deleted += 1;
        for pod in job.pods {
            if let Some(p) = self.cluster.pods.get_mut(pod) {
                p.owner = Owner::None;
                if p.phase.is_terminal() {
                    self.remove_pod_object(pod);
                } else {
                    self.delete_pod(pod, None);
                }
            }
        }
    }

    pub(crate) fn job_ttl_event(&mut self, id: JobId, token: TimerToken) {
        let Some(job) = self.cluster.jobs.get_mut(id) else { return };
        if job.ttl_timer.fire(token) {
            self.delete_job(id);
        }
    }

    /// `kubectl patch job ... spec.suspend` / `spec.parallelism`.
    pub(crate) fn job_patch(&mut self, id: JobId, suspend: Option<bool>, parallelism: Option<u32>) {
        let Some(job) = self.cluster.jobs.get_mut(id) else { return };
        if let Some(s) = suspend {
            job.suspended = s;
        }
        if let Some(p) = parallelism {
            job.parallelism = p;
        }
        self.job_enqueue(id, self.now);
    }

    /// A pod of a Job left the API; if it was not counted yet, it is counted now by
    /// its last phase (Kubernetes' tracking finalizer guarantees the same).
    pub(crate) fn job_pod_removed(&mut self, job: JobId, id: PodId, pod: &crate::cluster::pod::Pod) {
        let Some(j) = self.cluster.jobs.get_mut(job) else { return };
        j.pods.remove(&id);
        if j.active.remove(&id) && !j.is_finished() {
            let index = match pod.owner {
                Owner::Job { index, .. } => index,
                Owner::None => None,
            };
            let at = pod.finished_at.unwrap_or(self.now);
            if pod.phase == PodPhase::Succeeded {
                let j = self.cluster.jobs.get_mut(job).expect("exists");
                j.succeeded += 1;
                if let Some(i) = index {
                    j.succeeded_indexes.insert(i);
                }
                self.job_update_backoff(job, &[at], &[]);
            } else {
                self.job_count_failure(job, index, Some(policy::FailedPodView::of(pod)), at);
                self.job_update_backoff(job, &[], &[at]);
            }
        }
        self.job_pod_changed(job);
    }
}

/// The labels the Job controller puts on its pods: the template's, and the Job's name
/// and uid under the old and the `batch.kubernetes.io/` keys.
fn job_pod_labels(spec: &JobSpec, uid: u64, job_name: &str) -> BTreeMap<String, String> {
    let mut labels = spec.pod_labels.clone();
    let uid = format!("job-{uid}");
    for (k, v) in [
        ("batch.kubernetes.io/controller-uid", uid.as_str()),
        ("batch.kubernetes.io/job-name", job_name),
        ("controller-uid", uid.as_str()),
        ("job-name", job_name),
    ] {
        labels.insert(k.to_string(), v.to_string());
    }
    labels
}

fn job_ref<'a>(namespace: &'a str, name: &'a str) -> ObjectRef<'a> {
    ObjectRef { kind: "Job", namespace, name, node: "" }
}
