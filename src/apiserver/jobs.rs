//! Jobs and CronJobs as the API server keeps them: created (their controllers see them
//! on the feed) and deleted, with their dependents (the garbage collector's cascading
//! deletion, done at once).

use super::{Change, Ctx};
use crate::cluster::job::{CronJob, Job, JobPhase, JobSpec};
use crate::cluster::pod::Owner;
use crate::cluster::{CronJobId, JobId};
use std::collections::BTreeMap;
use std::sync::Arc;

impl Ctx<'_> {
    /// Creates a Job object; `None` if one of that name exists (a warning is recorded).
    pub fn create_job(
        &mut self,
        namespace: &str,
        name: &str,
        labels: BTreeMap<String, String>,
        spec: Arc<JobSpec>,
        owner: Option<CronJobId>,
    ) -> Option<JobId> {
        let ns = self.cluster.intern_namespace(namespace);
        if self.cluster.job_by_name.contains(&ns, name) {
            self.warn_once(format!("job {namespace}/{name} already exists: the second create was refused"));
            return None;
        }
        self.cluster.objects_created += 1;
        let uid = self.cluster.objects_created;
        let uid_text = crate::engine::rng::uuid(self.cluster.api.seed, "job", uid);
        let job = Job::new((uid, &uid_text), ns.clone(), Arc::from(name), labels, spec, owner, self.now);
        let (phase, shared_name) = (job.phase, job.name.clone());
        let id = self.cluster.jobs.insert(job);
        self.cluster.job_by_name.insert(&ns, &shared_name, id);
        self.rec.counters.jobs.created += 1;
        self.record_job_object(id);
        self.record_object_transition("Job", &ns, name, "", phase.as_str(), "");
        self.changed(Change::JobCreated(id));
        Some(id)
    }

    /// Sets a Job's phase, writing the transition.
    pub fn set_job_phase(&mut self, id: JobId, to: JobPhase, reason: &str) {
        let Some(job) = self.cluster.jobs.get_mut(id) else { return };
        let from = job.phase;
        if from == to {
            return;
        }
        job.phase = to;
        let (ns, name) = (job.namespace.clone(), job.name.clone());
        self.record_object_transition("Job", &ns, &name, from.as_str(), to.as_str(), reason);
        if to.is_finished() {
            self.changed(Change::JobFinished(id));
        }
    }

    /// The Job object is deleted (by a user, its TTL, or its CronJob); its pods follow.
    pub fn delete_job(&mut self, id: JobId) {
        let Some(job) = self.cluster.jobs.remove(id) else { return };
        self.record_job_removed(job.uid);
        self.cluster.job_by_name.remove(&job.namespace, &job.name);
        self.rec.counters.jobs.deleted += 1;
        for pod in job.pods {
            if let Some(p) = self.cluster.pods.get_mut(pod) {
                p.owner = Owner::None;
                if p.phase.is_terminal() {
                    self.remove_pod(pod);
                } else {
                    self.delete_pod(pod, None);
                }
            }
        }
    }

    /// Creates a CronJob object; `None` if one of that name exists.
    pub fn create_cronjob(&mut self, mut cj: CronJob) -> Option<CronJobId> {
        if self.cluster.cronjob_by_name.contains(&cj.namespace, &cj.name) {
            self.warn_once(format!(
                "cronjob {}/{} already exists: the second create was refused",
                cj.namespace, cj.name
            ));
            return None;
        }
        self.cluster.objects_created += 1;
        cj.uid = self.cluster.objects_created;
        let (namespace, name, suspended) = (cj.namespace.clone(), cj.name.clone(), cj.suspended);
        let id = self.cluster.cronjobs.insert(cj);
        self.cluster.cronjob_by_name.insert(&namespace, &name, id);
        self.rec.counters.cronjobs.created += 1;
        self.record_cronjob_object(id);
        let to = if suspended { "Suspended" } else { "Active" };
        self.record_object_transition("CronJob", &namespace, &name, "", to, "");
        self.changed(Change::CronJobCreated(id));
        Some(id)
    }

    /// The CronJob is deleted, and with it its Jobs.
    pub fn delete_cronjob(&mut self, id: CronJobId) {
        let Some(cj) = self.cluster.cronjobs.remove(id) else { return };
        self.record_cronjob_removed(cj.uid);
        self.cluster.cronjob_by_name.remove(&cj.namespace, &cj.name);
        for job in cj.active.iter().chain(cj.finished_ok.values()).chain(cj.finished_failed.values()) {
            self.delete_job(*job);
        }
    }
}
